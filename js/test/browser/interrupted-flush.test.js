// Behaviour 3: a write interrupted at any moment loses nothing that was acknowledged and
// corrupts nothing. A page writes in a loop (sendMany + flush), every record's value carrying
// its sequence number and a checksum (records.js), and reports each resolved flush's
// acknowledged count. The test interrupts it mid-write — by closing the page abruptly, and by
// SIGKILLing the whole browser and relaunching it over the same profile — then reads the log
// in a new page: every acknowledged record is there, in order, intact, at offsets 0, 1, 2, ...
// Each test interrupts the same log three times, writing on after each recovery.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { dbName, session, within } from "./helpers.js";

/** Each cycle writes this many acknowledged records, plus a random number up to 1000, and
 * then interrupts the writer. */
const ACKED_PER_CYCLE = 2000;
/** Interruptions per test, each over the log the one before recovered. */
const CYCLES = 3;
/** Every BIG_EVERY-th round of the writer is a batch of BIG records (about 0.5 MiB). */
const BIG_EVERY = 4;
const BIG = 512;

let s;
before(async () => {
  s = await session();
});
after(async () => {
  await s?.close();
});

/**
 * Opens a page that appends to `name` from record `from` on until it is interrupted, and
 * interrupts it: `interrupt` runs in the handler of the first report, at or past `target`
 * acknowledged records, of a big round's flush, so an acknowledgement of much data and the
 * interruption are as close together as the test can make them. Resolves to the writer's
 * state once `interrupt` is done.
 */
async function writeUntilInterrupted(name, from, target, interrupt) {
  const state = { acked: from, ackedAtInterrupt: 0, flushes: 0, failure: null };
  const p = await s.newPage();
  let settle;
  const done = new Promise((resolve, reject) => {
    settle = { resolve, reject };
  });
  let triggered = false;
  await p.exposeFunction("reportAck", (count, big) => {
    state.flushes++;
    if (count > state.acked) state.acked = count;
    if (!triggered && big && state.acked >= target) {
      triggered = true;
      state.ackedAtInterrupt = state.acked;
      Promise.resolve()
        .then(() => interrupt(p))
        .then(settle.resolve, settle.reject);
    }
  });
  await p.exposeFunction("reportFailure", (message) => {
    state.failure = message;
    // A failure after the interruption is the interruption's doing.
    if (!triggered) settle.reject(new Error(`the writer failed: ${message}`));
  });
  await p.evaluate(
    async ({ name, from, BIG_EVERY, BIG }) => {
      const log = await window.mqlite.open(name);
      if (!log.topics().includes("stream")) {
        // Small segments, so an interruption can also land on a segment roll.
        await log.createTopic("stream", { partitions: 1, segmentBytes: 256 * 1024 });
      }
      if (log.highWatermark("stream", 0) !== BigInt(from)) {
        throw new Error(`the log holds ${log.highWatermark("stream", 0)} records, the test expected ${from}`);
      }
      const producer = log.producer({ lingerMs: 0 });
      (async () => {
        let seq = from;
        for (let round = 1; ; round++) {
          const big = round % BIG_EVERY === 0;
          const count = big ? BIG : 1 + ((round * 37) % 64);
          const batch = [];
          for (let j = 0; j < count; j++) batch.push(window.records.makeMessage(seq + j));
          const [range] = await producer.sendMany("stream", batch);
          if (range.baseOffset !== BigInt(seq) || range.count !== count) {
            throw new Error(`round ${round}: appended at ${range.baseOffset} x${range.count}, expected ${seq} x${count}`);
          }
          seq += count;
          await producer.flush();
          window.reportAck(seq, big); // not awaited: the writer never waits for the test
        }
      })().catch((e) => window.reportFailure(String(e?.stack ?? e)));
    },
    { name, from, BIG_EVERY, BIG },
  );
  await within(done, 30_000, `writing ${target - from} records and interrupting`);
  return state;
}

/**
 * In a new page: opens the log (retrying briefly while a closed page's lock goes away),
 * checks every record, appends one more. Returns a summary.
 */
async function verify(name) {
  const p = await s.newPage();
  const out = await p.evaluate(async (name) => {
    const { open, LogLockedError } = window.mqlite;
    const { checkValue, makeMessage, shape } = window.records;
    let log;
    let lockRetries = 0;
    for (;;) {
      try {
        log = await open(name);
        break;
      } catch (e) {
        if (!(e instanceof LogLockedError) || lockRetries >= 300) throw e;
        lockRetries++;
        await new Promise((ok) => setTimeout(ok, 100));
      }
    }
    const consumer = log.consumer({ topics: ["stream"] });
    const highWatermark = log.highWatermark("stream", 0);
    const { logStartOffset } = log.describe("stream").partitionInfo[0];
    const problems = [];
    const problem = (p) => problems.length < 20 && problems.push(p);
    let count = 0;
    let corrupt = 0;
    for (;;) {
      const records = await consumer.poll({ maxRecords: 1000, timeoutMs: 0 });
      if (records.length === 0) break;
      for (const r of records) {
        const expectedOffset = BigInt(count);
        count++;
        if (r.offset !== expectedOffset) problem(`offset ${r.offset} where ${expectedOffset} was due`);
        const check = checkValue(r.value);
        if (check.corrupt) {
          corrupt++;
          problem(`offset ${r.offset}: corrupt value (${check.why})`);
          continue;
        }
        if (!check.ok) problem(`offset ${r.offset}: ${check.why}`);
        if (BigInt(check.seq) !== r.offset) problem(`offset ${r.offset} holds record ${check.seq}`);
        const want = shape(makeMessage(check.seq));
        const got = shape(r);
        if (got.key !== want.key) problem(`offset ${r.offset}: key ${got.key}, expected ${want.key}`);
        if (JSON.stringify(got.headers) !== JSON.stringify(want.headers)) problem(`offset ${r.offset}: headers differ`);
      }
    }
    // The log takes writes again, at the next offset.
    const producer = log.producer();
    const { offset: nextOffset } = await producer.send("stream", makeMessage(count));
    await producer.flush();
    await log.close();
    return { count, corrupt, highWatermark, logStartOffset, problems, nextOffset, lockRetries };
  }, name);
  await p.close();
  return out;
}

async function interruptAndCheck(t, label, interrupt) {
  const name = dbName(label);
  let from = 0;
  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    const target = from + ACKED_PER_CYCLE + Math.floor(Math.random() * 1000);
    t.diagnostic(`${label} #${cycle}: writing records ${from} to ${target}, then interrupting`);
    const state = await writeUntilInterrupted(name, from, target, interrupt);
    // Reports that were on their way when the writer died count too: their flush had resolved.
    const { acked, ackedAtInterrupt } = state;

    const r = await within(verify(name), 60_000, `${label}: reading back`);
    t.diagnostic(
      `${label} #${cycle}: ${acked} records acknowledged (${ackedAtInterrupt} when interrupted, ${state.flushes} flushes),` +
        ` ${r.count} present after reopening, ${r.count - acked} unacknowledged survived` +
        (r.lockRetries ? `; the reopen waited ${r.lockRetries}x100 ms for the lock` : ""),
    );
    assert.deepEqual(r.problems, [], `cycle ${cycle}: every record is intact, in order, at contiguous offsets`);
    assert.equal(r.corrupt, 0, `cycle ${cycle}: no record is corrupt`);
    assert.equal(r.logStartOffset, 0n, "offsets start at 0");
    assert.ok(r.count >= acked, `cycle ${cycle}: every acknowledged record is present: ${r.count} present, ${acked} acknowledged`);
    assert.equal(r.highWatermark, BigInt(r.count), "the high watermark is the number of records read");
    assert.equal(r.nextOffset, BigInt(r.count), "a new record after the reopen gets the next offset");
    from = r.count + 1; // verify appended one
  }
}

test("closing the page mid-write loses no acknowledged record and corrupts none", { timeout: 240_000 }, async (t) => {
  await interruptAndCheck(t, "close-page", (p) => p.close({ runBeforeUnload: false }));
});

test("SIGKILL of the browser mid-write loses no acknowledged record and corrupts none", { timeout: 240_000 }, async (t) => {
  await interruptAndCheck(t, "sigkill", async () => {
    const { browser } = await s.crash();
    // Its children may already be gone with it by the time they are looked for (then there
    // is nothing left to kill); crash() waited until every one found had exited.
    assert.ok(browser > 0, "the browser process was killed");
    await s.relaunch();
  });
});
