// A damaged IndexedDB store, in Chromium: the adapter's load and the engine's recovery together.
// Each flush stores the segment's new bytes as one chunk; the test then damages the chunks
// through raw IndexedDB, as a broken browser store might, and reopens:
// - the last chunk cut short (a torn tail): the torn batch is cut, everything before it read;
// - a chunk missing in the middle (a gap): the file ends at the gap, the chunks past it are
//   deleted, and the log goes on from the last whole batch before it.
// Either way no corrupt record is returned and new sends get the next offsets.

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

const SEGMENT = "t-0/00000000000000000000.log";
const PER_FLUSH = 5;
const FLUSHES = 3;

/** In a page: writes FLUSHES flushes of PER_FLUSH records, damages the segment's chunks with
 * `damage` (the source of a function of the sorted chunk keys and the object store), reopens,
 * reads everything, sends one more, reopens again. */
async function damageAndReopen(name, damage) {
  const p = await s.newPage();
  const out = await p.evaluate(
    async ({ name, SEGMENT, PER_FLUSH, FLUSHES, damage }) => {
      const { open } = window.mqlite;
      const { checkValue, makeMessage } = window.records;
      const request = (req) =>
        new Promise((ok, fail) => {
          req.onsuccess = () => ok(req.result);
          req.onerror = () => fail(req.error);
        });
      const done = (tx) =>
        new Promise((ok, fail) => {
          tx.oncomplete = () => ok();
          tx.onabort = () => fail(tx.error);
        });
      const readAll = async (log) => {
        const consumer = log.consumer({ topics: ["t"] });
        const out = [];
        for (;;) {
          const batch = await consumer.poll({ maxRecords: 1000 });
          if (batch.length === 0) break;
          for (const r of batch) {
            const check = checkValue(r.value);
            const problem = check.ok && check.seq === Number(r.offset) ? null : check;
            out.push({ offset: Number(r.offset), problem });
          }
        }
        consumer.close();
        return out;
      };

      let log = await open(name);
      await log.createTopic("t");
      const producer = log.producer({ durability: "memory" });
      for (let f = 0; f < FLUSHES; f++) {
        const messages = [];
        for (let i = 0; i < PER_FLUSH; i++) messages.push(makeMessage(f * PER_FLUSH + i));
        await producer.sendMany("t", messages);
        await log.flush();
      }
      await log.close();

      const db = await request(indexedDB.open(name));
      const range = IDBKeyRange.bound([SEGMENT, 0], [SEGMENT, Infinity]);
      const keys = await request(db.transaction("chunks").objectStore("chunks").getAllKeys(range));
      const tx = db.transaction("chunks", "readwrite");
      await new Function("keys", "store", `return (${damage})(keys, store)`)(keys, tx.objectStore("chunks"));
      await done(tx);
      db.close();

      const segmentChunks = async () => {
        const db = await request(indexedDB.open(name));
        const keys = await request(db.transaction("chunks").objectStore("chunks").getAllKeys(range));
        db.close();
        return keys.map(([, position]) => position);
      };

      log = await open(name);
      const storedAfterOpen = await segmentChunks();
      const afterDamage = await readAll(log);
      const next = await log.producer({ lingerMs: 0 }).send("t", makeMessage(afterDamage.length));
      await log.close();
      log = await open(name);
      const again = await readAll(log);
      await log.close();
      return { chunks: keys.map(([, position]) => position), storedAfterOpen, afterDamage, next: Number(next.offset), again };
    },
    { name, SEGMENT, PER_FLUSH, FLUSHES, damage: damage.toString() },
  );
  await p.close();
  return out;
}

function assertIntact(records, count, label) {
  assert.deepEqual(
    records.map((r) => r.offset),
    Array.from({ length: count }, (_, i) => i),
    `${label}: offsets 0 to ${count - 1}, nothing else`,
  );
  assert.deepEqual(records.filter((r) => r.problem !== null), [], `${label}: no corrupt record`);
}

test("a torn last chunk is cut back to the last whole batch", { timeout: 60_000 }, async () => {
  const r = await damageAndReopen(dbName("torn-chunk"), async (keys, store) => {
    const last = keys[keys.length - 1];
    const bytes = await new Promise((ok) => {
      store.get(last).onsuccess = (e) => ok(e.target.result);
    });
    store.put(bytes.subarray(0, Math.floor(bytes.length / 2)), last);
  });
  assert.equal(r.chunks.length, FLUSHES, "one chunk of the segment per flush");
  assert.deepEqual(r.storedAfterOpen, r.chunks.slice(0, 2), "the open cut the torn chunk from the store too");
  const kept = PER_FLUSH * (FLUSHES - 1);
  assertIntact(r.afterDamage, kept, "after the damage");
  assert.equal(r.next, kept, "the next send takes the next offset");
  assertIntact(r.again, kept + 1, "reopened once more");
  assert.deepEqual(s.pageErrors, []);
});

test("a missing middle chunk ends the file there, and the chunks past the gap go", { timeout: 60_000 }, async () => {
  const r = await damageAndReopen(dbName("gap-chunk"), (keys, store) => {
    store.delete(keys[1]);
  });
  assert.equal(r.chunks.length, FLUSHES, "one chunk of the segment per flush");
  assert.deepEqual(r.storedAfterOpen, r.chunks.slice(0, 1), "the open deleted the chunks past the gap");
  assertIntact(r.afterDamage, PER_FLUSH, "after the damage");
  assert.equal(r.next, PER_FLUSH, "the next send takes the next offset");
  assertIntact(r.again, PER_FLUSH + 1, "reopened once more: the old third chunk did not come back");
  assert.deepEqual(s.pageErrors, []);
});
