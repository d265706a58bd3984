// Behaviour 2: two consumers of one IndexedDB log read independently — each has its own
// positions, a seek on one leaves the other where it was, and both see every record
// (including one appended while both wait).

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

test("two consumers of the same log read independently", { timeout: 60_000 }, async () => {
  const p = await s.newPage();
  const r = await p.evaluate(async (name) => {
    const { open } = window.mqlite;
    const log = await open(name);
    await log.createTopic("t", { partitions: 2 });
    const producer = log.producer();
    for (let i = 0; i < 40; i++) producer.send("t", { partition: i % 2, key: `k${i}`, value: `v${i}` });
    await producer.flush();

    const brief = (records) => records.map((rec) => `${rec.partition}:${rec.offset}:${new TextDecoder().decode(rec.value)}`);
    const positions = (c) => [c.position("t", 0), c.position("t", 1)];
    const drain = async (c) => {
      const out = [];
      for (let guard = 0; guard < 100; guard++) {
        const got = await c.poll({ maxRecords: 7, timeoutMs: 0 });
        if (got.length === 0) break;
        out.push(...got);
      }
      return brief(out);
    };

    const a = log.consumer({ topics: ["t"] });
    const b = log.consumer({ topics: ["t"] });
    const out = {};
    out.aFirst = brief(await a.poll({ maxRecords: 5 }));
    out.aAfterFirst = positions(a);
    out.bBeforeReading = positions(b);
    out.bAll = await drain(b);
    out.bAfterAll = positions(b);
    out.aAfterB = positions(a);

    // b seeks back to the start of partition 0: only b moves.
    b.seek("t", 0, 0n);
    out.bAfterSeek = positions(b);
    out.aAfterBSeek = positions(a);
    out.bReread = await drain(b);

    // a reads the rest from where it was.
    out.aRest = await drain(a);
    out.aAfterRest = positions(a);

    // a rewinds everything: b stays at the end.
    a.seekToBeginning();
    out.aAfterRewind = positions(a);
    out.bAfterARewind = positions(b);
    out.aAgain = await drain(a);

    // Both wait; one new record wakes both, each reading it once.
    const waits = [a.poll({ timeoutMs: 10_000 }), b.poll({ timeoutMs: 10_000 })];
    await producer.send("t", { partition: 1, value: "late" });
    const [aLate, bLate] = await Promise.all(waits);
    out.aLate = brief(aLate);
    out.bLate = brief(bLate);
    await log.close();
    return out;
  }, dbName("consumers"));

  const all = [];
  for (let i = 0; i < 40; i++) all.push(`${i % 2}:${Math.floor(i / 2)}:v${i}`);
  const sorted = (list) => [...list].sort();

  assert.equal(r.aFirst.length, 5, "a's first poll returns maxRecords records");
  assert.equal(r.aAfterFirst[0] + r.aAfterFirst[1], 5n, "a's positions account for the 5 it read");
  assert.deepEqual(r.bBeforeReading, [0n, 0n], "b has read nothing: its positions are at the start");
  assert.deepEqual(sorted(r.bAll), sorted(all), "b sees every record exactly once");
  assert.deepEqual(r.bAfterAll, [20n, 20n], "b is at the end of both partitions");
  assert.deepEqual(r.aAfterB, r.aAfterFirst, "b reading everything does not move a");

  assert.deepEqual(r.bAfterSeek, [0n, 20n], "b's seek moves b's partition 0 only");
  assert.deepEqual(r.aAfterBSeek, r.aAfterFirst, "b's seek does not move a");
  assert.deepEqual(sorted(r.bReread), sorted(all.filter((x) => x.startsWith("0:"))), "b rereads partition 0 after its seek");

  assert.deepEqual(sorted([...r.aFirst, ...r.aRest]), sorted(all), "a sees every record exactly once, across its polls");
  assert.deepEqual(r.aAfterRest, [20n, 20n]);
  assert.deepEqual(r.aAfterRewind, [0n, 0n], "a's seekToBeginning rewinds a");
  assert.deepEqual(r.bAfterARewind, [20n, 20n], "a's rewind does not move b");
  assert.deepEqual(sorted(r.aAgain), sorted(all), "a reads everything again after its rewind");

  assert.deepEqual(r.aLate, ["1:20:late"], "a waiting poll wakes on the new record");
  assert.deepEqual(r.bLate, ["1:20:late"], "b waiting poll wakes on the new record too");
  await p.close();
  assert.deepEqual(s.pageErrors, []);
});
