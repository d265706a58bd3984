// The Node directory backend: reopen, torn tails, the writer lock, the golden vectors.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, cpSync, existsSync, readFileSync, statSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { LogLockedError, murmur2, murmur2Hash, open } from "../src/node.js";
import { REPO, readAll, tempDir, text } from "./helpers.js";

/** This environment without node --test's marker, which would make a child Node process speak
 * the test protocol on stdout. */
function plainNodeEnv() {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

const hex = (bytes) => (bytes === null ? null : Buffer.from(bytes).toString("hex"));

test("a log reopens from its files with every record, topic and offset", async (t) => {
  const dir = tempDir(t);
  let log = await open(dir);
  await log.createTopic("orders", { partitions: 3, compression: "lz4" });
  const producer = log.producer();
  await producer.sendMany("orders", Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })));
  await producer.flush();
  await log.close();

  log = await open(dir);
  assert.deepEqual(log.topics(), ["orders"]);
  assert.equal(log.describe("orders").compression, "lz4");
  const records = await readAll(log, ["orders"]);
  assert.equal(records.length, 300);
  assert.deepEqual(new Set(records.map((r) => text(r.value))).size, 300);
  for (const r of records) assert.equal(r.partition, murmur2(text(r.key), 3));
  // Appends go on from the stored high watermarks.
  const next = await log.producer().send("orders", { key: "k0", value: "again" });
  assert.equal(next.offset, BigInt(records.filter((r) => r.partition === next.partition).length));
  await log.close();
});

test("a deleted topic stays deleted after reopen, its directory gone", async (t) => {
  const dir = tempDir(t);
  let log = await open(dir);
  await log.createTopic("gone", { partitions: 2 });
  await log.createTopic("kept");
  await log.producer().sendMany("gone", [{ value: "x", partition: 1 }]);
  await log.deleteTopic("gone");
  await log.close();
  assert.equal(existsSync(join(dir, "gone-0")) || existsSync(join(dir, "gone-1")), false);
  log = await open(dir);
  assert.deepEqual(log.topics(), ["kept"]);
  await log.createTopic("gone"); // the name is free again, from offset 0
  assert.equal(log.highWatermark("gone", 0), 0n);
  await log.close();
});

test("a torn tail is cut on open, and what was flushed before it survives", async (t) => {
  const dir = tempDir(t);
  let log = await open(dir);
  await log.createTopic("t");
  const producer = log.producer();
  await producer.sendMany("t", [{ value: "one" }, { value: "two" }]);
  await producer.flush();
  await producer.sendMany("t", [{ value: "three" }]);
  await producer.flush();
  await log.close();
  const segment = join(dir, "t-0", "00000000000000000000.log");
  const whole = statSync(segment).size;
  // Tear the last batch (a crash mid-write), then add garbage after a second copy.
  truncateSync(segment, whole - 3);
  log = await open(dir);
  assert.deepEqual((await readAll(log, ["t"])).map((r) => text(r.value)), ["one", "two"]);
  await log.producer().send("t", { value: "after" });
  await log.flush();
  await log.close();
  appendFileSync(segment, Buffer.from([1, 2, 3, 4, 5, 6, 7]));
  log = await open(dir);
  assert.deepEqual((await readAll(log, ["t"])).map((r) => text(r.value)), ["one", "two", "after"]);
  await log.close();
  // The cut reached the file too: the garbage is gone from disk.
  assert.ok(statSync(segment).size < whole + 7);
  assert.ok(!readFileSync(segment).subarray(-7).equals(Buffer.from([1, 2, 3, 4, 5, 6, 7])));
});

test("a second writer is refused, in this process and from another one", async (t) => {
  const dir = tempDir(t);
  const log = await open(dir);
  await assert.rejects(open(dir), (error) => error instanceof LogLockedError && error.code === "LOG_LOCKED");
  // A read-only open takes no lock.
  const reader = await open(dir, { readOnly: true });
  await reader.close();
  await log.close();
  const reopened = await open(dir);
  await reopened.close();

  // Another Node process holds the log: this one is refused until it exits.
  const child = spawn(
    process.execPath,
    ["--input-type=module", "-e", `import { open } from ${JSON.stringify(new URL("../src/node.js", import.meta.url).href)};
      const log = await open(${JSON.stringify(dir)}); console.log("open"); await new Promise((r) => process.stdin.once("data", r)); await log.close();`],
    { stdio: ["pipe", "pipe", "inherit"], env: plainNodeEnv() },
  );
  await new Promise((resolve, reject) => {
    child.stdout.once("data", resolve);
    child.once("exit", (code) => reject(new Error(`the child exited (${code}) before opening`)));
  });
  await assert.rejects(open(dir), (error) => error instanceof LogLockedError && /node pid \d+/.test(error.message));
  child.stdin.end("close\n");
  await new Promise((resolve) => child.once("exit", resolve));
  const after = await open(dir);
  await after.close();
});

test("the golden vectors read back exactly as expected.json says", async (t) => {
  const expected = JSON.parse(readFileSync(join(REPO, "tests/vectors/v1/expected.json"), "utf8"));
  const dir = tempDir(t);
  cpSync(join(REPO, "tests/vectors/v1/log"), dir, { recursive: true });
  const log = await open(dir, { readOnly: true });
  assert.deepEqual(log.topics(), expected.topics.map((topic) => topic.name).sort());
  let checked = 0;
  for (const topic of expected.topics) {
    const description = log.describe(topic.name);
    assert.equal(description.compression, topic.config.compression);
    assert.equal(description.timestampType, topic.config.timestamp_type);
    assert.equal(description.partitions, topic.config.partitions);
    for (const partition of topic.partitions) {
      const consumer = log.consumer();
      consumer.assign(topic.name, [partition.partition]);
      consumer.seek(topic.name, partition.partition, BigInt(partition.log_start_offset));
      const got = [];
      for (;;) {
        const batch = await consumer.poll({ maxRecords: 1000 });
        if (batch.length === 0) break;
        got.push(...batch);
      }
      assert.deepEqual(
        got.map((r) => ({
          headers: r.headers.map(([name, value]) => [name, hex(value)]),
          key: hex(r.key),
          offset: Number(r.offset),
          timestamp_ms: r.timestampMs,
          value: hex(r.value),
        })),
        partition.records,
        `${topic.name}-${partition.partition}`,
      );
      assert.equal(log.highWatermark(topic.name, partition.partition), BigInt(partition.high_watermark));
      checked += got.length;
    }
  }
  assert.ok(checked > 50, `checked ${checked} records`);
  await log.close();
});

test("murmur2 matches Kafka's Java client for every key in the shared table", () => {
  const table = JSON.parse(readFileSync(join(REPO, "tests/vectors/murmur2.json"), "utf8"));
  let checked = 0;
  for (const entry of table.entries) {
    const key = Buffer.from(entry.key_hex, "hex");
    assert.equal(murmur2Hash(new Uint8Array(key)), entry.murmur2);
    for (const [partitions, expected] of Object.entries(entry.partitions)) {
      assert.equal(murmur2(new Uint8Array(key), Number(partitions)), expected);
      checked++;
    }
  }
  assert.ok(checked > 1000);
});
