// No input from JS may trap the wasm module: seeded random calls of every public method with
// values of every kind (wrong types, NaN, huge and negative numbers, huge bigints, odd
// objects) either work or throw a typed error (MqliteError, TypeError, RangeError), never a
// WebAssembly.RuntimeError or another Error; and afterwards the log still works and holds
// every record that was acknowledged.

import assert from "node:assert/strict";
import { test } from "node:test";
import { MqliteError, murmur2, murmur2Hash, open } from "../src/node.js";
import { readAll, tempDir, text } from "./helpers.js";

// Fixed, so a failure reproduces; MQLITE_TEST_SEED explores others.
const SEED = Number(process.env.MQLITE_TEST_SEED ?? 0x6d716c);
const CALLS = 2000;

/** xorshift32: the same calls on every run. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

const ODD_VALUES = [
  undefined,
  null,
  0,
  -1,
  1.5,
  NaN,
  Infinity,
  -Infinity,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  1e308,
  0n,
  -1n,
  2n ** 63n,
  2n ** 64n,
  "",
  "t",
  "missing",
  "x".repeat(300),
  "no/slash",
  "\u{1F680}",
  true,
  Symbol("s"),
  {},
  [],
  [1, 2],
  [["h", "v"]],
  [["h"]],
  { key: "k", value: "v" },
  { value: 5 },
  { value: "v", partition: 2 ** 32 },
  { value: "v", partition: -1 },
  { value: "v", timestamp: -5 },
  { value: "v", timestamp: 1e300 },
  { value: "v", headers: "h" },
  { value: "v", headers: [[1, "v"]] },
  new Uint8Array(3),
  new Float64Array(2),
  new ArrayBuffer(4),
  new Date(0),
  () => 0,
  () => 2 ** 32,
  () => -1,
  () => "p",
];

test("seeded random calls with odd values throw only typed errors, and the log keeps working", { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t);
  const log = await open(dir);
  await log.createTopic("t", { partitions: 3 });
  const producer = log.producer({ lingerMs: 0 });
  const consumer = log.consumer({ topics: ["t"] });
  const pick = rng(SEED);
  const any = () => ODD_VALUES[pick(ODD_VALUES.length)];
  // The good records' topic stays: deleting it is a valid call, not bad input.
  const notT = (value) => (value === "t" ? "missing" : value);

  const calls = [
    () => log.createTopic(any(), any()),
    () => log.deleteTopic(notT(any())),
    () => log.describe(any()),
    () => log.highWatermark(any(), any()),
    () => log.producer(any()),
    () => log.consumer(any()),
    () => producer.send(any(), any()),
    () => producer.send("t", any()),
    () => producer.sendMany(any(), any()),
    () => producer.sendMany("t", [any(), any()]),
    () => log.producer({ partitioner: any() }).send("t", { key: any(), value: "v" }),
    () => consumer.seek(any(), any(), any()),
    () => consumer.seek("t", any(), any()),
    () => consumer.seekToTimestamp(any()),
    () => consumer.assign(any(), any()),
    () => consumer.subscribe({ topics: any() }),
    () => consumer.position(any(), any()),
    () => consumer.poll(any()),
    () => consumer.poll({ maxRecords: any(), timeoutMs: 0 }),
    () => murmur2(any(), any()),
    () => murmur2Hash(any()),
  ];

  const acknowledged = [];
  const unexpected = [];
  let typed = 0;
  for (let i = 0; i < CALLS; i++) {
    const which = pick(calls.length);
    try {
      await calls[which]();
    } catch (error) {
      const ok = error instanceof MqliteError || error instanceof TypeError || error instanceof RangeError;
      if (!ok && unexpected.length < 10) unexpected.push(`call ${i} (#${which}): ${error?.name}: ${error?.message}`);
      typed += ok ? 1 : 0;
    }
    if (i % 50 === 0) {
      // Interleaved good work: it must keep succeeding whatever the bad calls did.
      const meta = await producer.send("t", { key: `good-${i}`, value: `good-${i}` });
      acknowledged.push(`good-${i}`);
      assert.equal(meta.topic, "t");
    }
  }
  t.diagnostic(`${CALLS} calls: ${typed} refused with a typed error, ${acknowledged.length} good sends between them`);
  assert.deepEqual(unexpected, [], "only typed errors");
  assert.ok(typed > CALLS / 4, `most odd calls were refused (${typed} of ${CALLS})`);

  await log.flush();
  const values = new Set((await readAll(log, ["t"])).map((r) => text(r.value)));
  for (const value of acknowledged) assert.ok(values.has(value), `${value} is stored`);
  await log.close();

  const reopened = await open(dir);
  const again = new Set((await readAll(reopened, ["t"])).map((r) => text(r.value)));
  for (const value of acknowledged) assert.ok(again.has(value), `${value} survives a reopen`);
  await reopened.close();
});
