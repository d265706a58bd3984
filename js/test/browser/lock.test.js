// Behaviour 4: one writer per IndexedDB log. A second open of a database that is open — in
// the same page or in another tab — rejects with LogLockedError (code "LOG_LOCKED") and
// leaves the first open working; once the first closes, the second open succeeds and sees
// what the first wrote.

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

/** In a page: tries `open(name)`; keeps the log as window.logs[name] when it opens. */
function tryOpen(p, name) {
  return p.evaluate(async (name) => {
    const mqlite = window.mqlite;
    try {
      const log = await mqlite.open(name);
      window.logs ??= {};
      window.logs[name] = log;
      return { opened: true };
    } catch (e) {
      return {
        opened: false,
        name: e?.name,
        code: e?.code,
        isLogLocked: e instanceof mqlite.LogLockedError,
        isMqlite: e instanceof mqlite.MqliteError,
        message: String(e?.message),
      };
    }
  }, name);
}

/** In a page: writes `value` to topic "t" of the open log and flushes; returns its offset. */
function write(p, name, value) {
  return p.evaluate(
    async ({ name, value }) => {
      const log = window.logs[name];
      if (!log.topics().includes("t")) await log.createTopic("t");
      const producer = log.producer();
      const { offset } = await producer.send("t", { value });
      await producer.flush();
      return offset;
    },
    { name, value },
  );
}

/** In a page: every value of topic "t" of the open log, as strings. */
function values(p, name) {
  return p.evaluate(async (name) => {
    const log = window.logs[name];
    const records = await window.records.readAll(log, ["t"]);
    return records.map((r) => new TextDecoder().decode(r.value));
  }, name);
}

function closeLog(p, name) {
  return p.evaluate(async (name) => {
    await window.logs[name].close();
    delete window.logs[name];
  }, name);
}

function assertLocked(result, what) {
  assert.equal(result.opened, false, `${what}: the second open must be refused`);
  assert.equal(result.isLogLocked, true, `${what}: a LogLockedError (got ${result.name}: ${result.message})`);
  assert.equal(result.isMqlite, true, `${what}: an MqliteError`);
  assert.equal(result.name, "LogLockedError");
  assert.equal(result.code, "LOG_LOCKED");
}

test("a second open in the same page is refused until the first closes", { timeout: 60_000 }, async () => {
  const name = dbName("lock-same-page");
  const p = await s.newPage();
  assert.deepEqual(await tryOpen(p, name), { opened: true });
  assert.equal(await write(p, name, "first"), 0n);

  assertLocked(await tryOpen(p, name), "same page");
  assertLocked(await tryOpen(p, name), "same page, again");

  // The refused opens did not disturb the first: it still writes and reads.
  assert.equal(await write(p, name, "still-first"), 1n);
  assert.deepEqual(await values(p, name), ["first", "still-first"]);

  await closeLog(p, name);
  assert.deepEqual(await tryOpen(p, name), { opened: true }, "open succeeds once the first log is closed");
  assert.deepEqual(await values(p, name), ["first", "still-first"], "and it sees what the first wrote");
  assert.equal(await write(p, name, "second"), 2n, "and it can write");
  await closeLog(p, name);
  await p.close();
  assert.deepEqual(s.pageErrors, []);
});

test("a second tab is refused while the first holds the log; it opens once the first closes", { timeout: 60_000 }, async () => {
  const name = dbName("lock-tabs");
  const tab1 = await s.newPage();
  const tab2 = await s.newPage();
  assert.deepEqual(await tryOpen(tab1, name), { opened: true });
  assert.equal(await write(tab1, name, "from-tab1"), 0n);

  assertLocked(await tryOpen(tab2, name), "second tab");
  assert.equal(await write(tab1, name, "tab1-again"), 1n, "tab 1 keeps working after tab 2 was refused");

  await closeLog(tab1, name);
  assert.deepEqual(await tryOpen(tab2, name), { opened: true }, "tab 2 opens once tab 1 closed the log");
  assert.deepEqual(await values(tab2, name), ["from-tab1", "tab1-again"]);
  assert.equal(await write(tab2, name, "from-tab2"), 2n);

  // Now tab 2 holds it: tab 1 is refused in turn.
  assertLocked(await tryOpen(tab1, name), "first tab, while the second holds the log");

  // Closing the holding tab (without closing the log) releases the lock too.
  await tab2.close();
  let reopened;
  for (let i = 0; i < 300; i++) {
    reopened = await tryOpen(tab1, name);
    if (reopened.opened || reopened.code !== "LOG_LOCKED") break;
    await new Promise((ok) => setTimeout(ok, 100)); // the lock goes when the tab's document does
  }
  assert.deepEqual(reopened, { opened: true }, "the lock of a closed tab is released");
  assert.deepEqual(await values(tab1, name), ["from-tab1", "tab1-again", "from-tab2"]);
  await closeLog(tab1, name);
  await tab1.close();
  assert.deepEqual(s.pageErrors, []);
});
