// The JS API in Node, on real files: topics, producers (send, sendMany, linger, flush,
// partitioners, durability), consumers (poll, for await, seeks, positions, lag).

import assert from "node:assert/strict";
import { test } from "node:test";
import { murmur2, open } from "../src/node.js";
import { readAll, tempDir, text } from "./helpers.js";

test("topics are created, described, listed and deleted", async (t) => {
  const log = await open(tempDir(t));
  await log.createTopic("orders", { partitions: 4, compression: "lz4", retentionMs: 86_400_000 });
  await log.createTopic("audit");
  assert.deepEqual(log.topics(), ["audit", "orders"]);
  const description = log.describe("orders");
  assert.equal(description.partitions, 4);
  assert.equal(description.compression, "lz4");
  assert.equal(description.retentionMs, 86_400_000);
  assert.equal(description.partitionInfo.length, 4);
  assert.equal(description.partitionInfo[3].highWatermark, 0n);
  await log.deleteTopic("audit");
  assert.deepEqual(log.topics(), ["orders"]);
  await log.close();
});

test("send resolves to metadata once the batch is appended, and records read back", async (t) => {
  const log = await open(tempDir(t));
  await log.createTopic("orders", { partitions: 4 });
  const producer = log.producer({ partitioner: "murmur2", lingerMs: 5 });
  const sent = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      producer.send("orders", { key: `order-${i}`, value: `{"n":${i}}`, headers: [["source", "test"]] }),
    ),
  );
  for (const [i, meta] of sent.entries()) {
    assert.equal(meta.topic, "orders");
    assert.equal(meta.partition, murmur2(`order-${i}`, 4), "Kafka's partition for the key");
    assert.equal(typeof meta.offset, "bigint");
    assert.ok(Math.abs(meta.timestampMs - Date.now()) < 60_000);
  }
  const records = await readAll(log, ["orders"]);
  assert.equal(records.length, 20);
  for (const record of records) {
    const n = JSON.parse(text(record.value)).n;
    assert.equal(text(record.key), `order-${n}`);
    assert.deepEqual(record.headers.map(([k, v]) => [k, text(v)]), [["source", "test"]]);
    const meta = sent[n];
    assert.equal(record.partition, meta.partition);
    assert.equal(record.offset, meta.offset);
  }
  await log.close();
});

test("records with one key keep their order in one partition", async (t) => {
  const log = await open(tempDir(t));
  await log.createTopic("t", { partitions: 3 });
  const producer = log.producer({ lingerMs: 1 });
  const sends = [];
  for (let i = 0; i < 50; i++) sends.push(producer.send("t", { key: "same", value: String(i) }));
  const metas = await Promise.all(sends);
  assert.equal(new Set(metas.map((m) => m.partition)).size, 1);
  const offsets = metas.map((m) => m.offset);
  assert.deepEqual(offsets, [...offsets].sort((a, b) => (a < b ? -1 : 1)));
  const values = (await readAll(log, ["t"])).map((r) => text(r.value));
  assert.deepEqual(values, Array.from({ length: 50 }, (_, i) => String(i)));
  await log.close();
});

test("sendMany appends at once and reports each partition's range", async (t) => {
  const log = await open(tempDir(t));
  await log.createTopic("t", { partitions: 2 });
  const producer = log.producer({ partitioner: "round_robin" });
  const written = await producer.sendMany("t", Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })));
  assert.deepEqual(
    written.map(({ partition, baseOffset, count }) => [partition, baseOffset, count]),
    [
      [0, 0n, 5],
      [1, 0n, 5],
    ],
  );
  assert.equal(log.highWatermark("t", 0), 5n);
  // Strings and Uint8Arrays alike; a null value is a tombstone.
  await producer.sendMany("t", [{ key: new Uint8Array([1, 2]), value: null, partition: 1 }]);
  const last = (await readAll(log, ["t"])).at(-1);
  assert.deepEqual([...last.key], [1, 2]);
  assert.equal(last.value, null);
  await log.close();
});

test("a function partitioner picks the partition", async (t) => {
  const log = await open(tempDir(t));
  await log.createTopic("t", { partitions: 3 });
  const seen = [];
  const producer = log.producer({
    partitioner: (topic, key, count) => {
      seen.push([topic, text(key), count]);
      return 2;
    },
  });
  const meta = await producer.send("t", { key: "k", value: "v" });
  assert.equal(meta.partition, 2);
  assert.deepEqual(seen, [["t", "k", 3]]);
  await log.close();
});

test("with a long linger, flush appends the pending sends", async (t) => {
  const log = await open(tempDir(t));
  await log.createTopic("t");
  const producer = log.producer({ lingerMs: 60_000 });
  let resolved = false;
  const pending = producer.send("t", { value: "x" }).then((meta) => {
    resolved = true;
    return meta;
  });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(resolved, false, "still lingering");
  assert.equal(log.highWatermark("t", 0), 0n);
  await producer.flush();
  assert.equal((await pending).offset, 0n);
  assert.equal(log.highWatermark("t", 0), 1n);
  await log.close();
});

test("durability fsync resolves sends only after the files hold them", async (t) => {
  const dir = tempDir(t);
  const log = await open(dir);
  await log.createTopic("t");
  const producer = log.producer({ durability: "fsync", lingerMs: 0 });
  await producer.send("t", { value: "durable" });
  // Read the directory with a second, read-only log: it sees only what reached the files.
  const reader = await open(dir, { readOnly: true });
  assert.deepEqual((await readAll(reader, ["t"])).map((r) => text(r.value)), ["durable"]);
  await reader.close();
  await log.close();
});

test("a consumer waits for new records: poll with a timeout, and for await", async (t) => {
  const log = await open(tempDir(t));
  await log.createTopic("t");
  const consumer = log.consumer({ topics: ["t"], autoOffsetReset: "latest" });
  const started = Date.now();
  assert.deepEqual(await consumer.poll({ timeoutMs: 50 }), []);
  assert.ok(Date.now() - started >= 45, "waited for the timeout");
  const producer = log.producer({ lingerMs: 0 });
  const waiting = consumer.poll({ timeoutMs: 10_000 });
  await producer.send("t", { value: "wake" });
  assert.deepEqual((await waiting).map((r) => text(r.value)), ["wake"]);

  setTimeout(() => producer.sendMany("t", [{ value: "a" }, { value: "b" }, { value: "c" }]), 10);
  const got = [];
  for await (const record of consumer) {
    got.push(text(record.value));
    if (got.length === 2) break;
  }
  // The record after the break is not lost: the next poll starts with it.
  const rest = await consumer.poll({ timeoutMs: 1000 });
  assert.deepEqual([...got, ...rest.map((r) => text(r.value))], ["a", "b", "c"]);
  // Closing the log ends a waiting iteration.
  const iteration = (async () => {
    for await (const record of consumer) void record;
    return "ended";
  })();
  await log.close();
  assert.equal(await iteration, "ended");
});

test("autoOffsetReset and fromBeginning pick where a new consumer starts", async (t) => {
  const log = await open(tempDir(t));
  await log.createTopic("t");
  const producer = log.producer({ lingerMs: 0 });
  await producer.sendMany("t", [{ value: "0" }, { value: "1" }, { value: "2" }]);
  const values = async (consumer) => (await consumer.poll({ maxRecords: 100 })).map((r) => text(r.value));
  for (const options of [{ autoOffsetReset: "earliest" }, { fromBeginning: true }, {}]) {
    const consumer = log.consumer({ topics: ["t"], ...options });
    assert.equal(consumer.position("t", 0), 0n, JSON.stringify(options));
    assert.deepEqual(await values(consumer), ["0", "1", "2"], JSON.stringify(options));
  }
  const latest = [{ autoOffsetReset: "latest" }, { fromBeginning: false }].map((options) =>
    log.consumer({ topics: ["t"], ...options }),
  );
  for (const consumer of latest) {
    assert.equal(consumer.position("t", 0), 3n);
    assert.deepEqual(await values(consumer), []);
  }
  await producer.send("t", { value: "3" });
  for (const consumer of latest) assert.deepEqual(await values(consumer), ["3"]);
  await log.close();
});

test("seeks, positions and lag", async (t) => {
  const log = await open(tempDir(t));
  await log.createTopic("t", { partitions: 2 });
  const producer = log.producer();
  await producer.sendMany("t", Array.from({ length: 20 }, (_, i) => ({ value: String(i), partition: i % 2 })));
  const consumer = log.consumer({ topics: ["t"] });
  assert.deepEqual(consumer.assignment(), [
    { topic: "t", partition: 0 },
    { topic: "t", partition: 1 },
  ]);
  consumer.seek("t", 0, 7n);
  consumer.seekToEnd("t", 1);
  const records = await consumer.poll({ maxRecords: 100 });
  assert.deepEqual(records.map((r) => [r.partition, r.offset]), [7n, 8n, 9n].map((o) => [0, o]));
  assert.equal(consumer.position("t", 0), 10n);
  assert.deepEqual(consumer.lag().map((l) => l.lag), [0n, 0n]);
  consumer.seekToBeginning();
  assert.deepEqual(consumer.lag().map((l) => l.lag), [10n, 10n]);
  consumer.seek("t", 1, 3); // a safe-integer number works too
  assert.equal(consumer.position("t", 1), 3n);
  await log.close();
});

test("an in-memory log works without a path and keeps nothing", async () => {
  const log = await open();
  assert.equal(log.location, null);
  await log.createTopic("t");
  await log.producer().sendMany("t", [{ value: "x" }]);
  assert.equal((await readAll(log, ["t"])).length, 1);
  await log.close();
});
