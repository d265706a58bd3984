// flush() is documented (log.js) to resolve only once what it flushed is durable: "an
// IndexedDB transaction with strict durability". A process kill cannot tell a strict commit
// from a relaxed one (both reach the OS), so this test watches the transactions themselves:
// the page wraps IDBDatabase.prototype.transaction and IDBObjectStore.prototype.put before
// opening the log, and after each flush checks that the last transaction that wrote records
// was followed (or was itself) a strict commit that completed before flush resolved.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { dbName, session } from "./helpers.js";

let s;
before(async () => {
  s = await session();
});
after(async () => {
  await s?.close();
});

/**
 * In a fresh page, runs each named scenario (`body` of an async function given `log`) and
 * returns, per scenario, the readwrite transactions it made and whether a strict commit
 * covered its last write when it resolved.
 */
async function scenarios(list) {
  const p = await s.newPage();
  const out = await p.evaluate(
    async ({ name, list }) => {
      const infos = new WeakMap();
      const all = [];
      let completions = 0;
      const transaction = IDBDatabase.prototype.transaction;
      IDBDatabase.prototype.transaction = function (stores, mode, options) {
        const tx = transaction.call(this, stores, mode, options);
        if (mode === "readwrite") {
          const info = { durability: tx.durability, puts: 0, completed: null };
          infos.set(tx, info);
          all.push(info);
          // Registered before the adapter's oncomplete, so it runs first.
          tx.addEventListener("complete", () => {
            info.completed = ++completions;
          });
        }
        return tx;
      };
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (...args) {
        const info = infos.get(this.transaction);
        if (info) info.puts++;
        return put.apply(this, args);
      };

      const log = await window.mqlite.open(name);
      await log.createTopic("t");
      const results = [];
      for (const { label, body } of list) {
        const first = all.length;
        await new Function("log", `return (async () => { ${body} })()`)(log);
        const mine = all.slice(first).map((info) => ({ ...info }));
        const writes = mine.filter((info) => info.puts > 0);
        const lastWrite = Math.max(...writes.map((info) => info.completed ?? Infinity));
        const covered = mine.some((info) => info.durability === "strict" && info.completed !== null && info.completed >= lastWrite);
        results.push({ label, transactions: mine, wrote: writes.length > 0, covered });
      }
      await log.close();
      return results;
    },
    { name: dbName("strict"), list },
  );
  await p.close();
  return out;
}

function assertCovered(results) {
  for (const r of results) {
    assert.ok(r.wrote, `${r.label}: records were written to IndexedDB`);
    assert.ok(
      r.covered,
      `${r.label}: when it resolved, a strict commit covered the records; transactions: ${JSON.stringify(r.transactions)}`,
    );
  }
}

test("send + flush, and a durability 'fsync' send, resolve after a strict commit", { timeout: 60_000 }, async () => {
  assertCovered(
    await scenarios([
      {
        label: "send, then flush",
        body: `const producer = log.producer(); producer.send("t", { value: "a" }); await producer.flush();`,
      },
      {
        label: "await send with durability 'fsync'",
        body: `await log.producer({ durability: "fsync" }).send("t", { value: "b" });`,
      },
    ]),
  );
  assert.deepEqual(s.pageErrors, []);
});

test(
  "flush after sendMany, or after the producer's own relaxed persist, resolves after a strict commit",
  { timeout: 60_000 },
  async () => {
    assertCovered(
      await scenarios([
        {
          label: "sendMany, then producer.flush",
          body: `const producer = log.producer(); await producer.sendMany("t", [{ value: "c" }, { value: "d" }]); await producer.flush();`,
        },
        {
          label: "sendMany, then log.flush",
          body: `const producer = log.producer(); await producer.sendMany("t", [{ value: "e" }]); await log.flush();`,
        },
        {
          label: "await send, a moment, then flush",
          body: `const producer = log.producer(); await producer.send("t", { value: "f" }); await new Promise((ok) => setTimeout(ok, 50)); await producer.flush();`,
        },
      ]),
    );
  },
);
