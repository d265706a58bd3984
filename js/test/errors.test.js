// Bad input from JS: a typed error every time, never a trap of the wasm module, and the log
// keeps working afterwards.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as mqlite from "../src/node.js";
import { errorCodes } from "../native/mqlite_native.js";
import { readAll, tempDir, text } from "./helpers.js";

const { open } = mqlite;

test("every core error code has an MqliteError subclass", () => {
  const codes = errorCodes();
  assert.equal(codes.length, 20);
  for (const code of codes) {
    const cls = mqlite.errorClasses[code];
    assert.ok(cls, `a class for ${code}`);
    const error = new cls("m");
    assert.ok(error instanceof mqlite.MqliteError && error instanceof Error);
    assert.equal(error.code, code);
    assert.match(error.name, /Error$/);
  }
});

test("bad input is a typed error and the log goes on working", async (t) => {
  const log = await open(tempDir(t));
  await log.createTopic("t", { partitions: 2 });
  const producer = log.producer({ lingerMs: 0 });
  const stillWorks = async (value) => {
    const meta = await producer.send("t", { value, partition: 0 });
    await producer.flush();
    return meta.offset;
  };
  let offset = await stillWorks("first");
  const eightMiB = new Uint8Array(8 * 1024 * 1024 - 64);

  const cases = [
    ["unknown topic", () => producer.send("missing", { value: "x" }), mqlite.TopicNotFoundError, "TOPIC_NOT_FOUND"],
    ["unknown topic in sendMany", () => producer.sendMany("missing", [{ value: "x" }]), mqlite.TopicNotFoundError],
    ["a number as value", () => producer.send("t", { value: 42 }), TypeError, "ERR_INVALID_ARG_TYPE"],
    ["a message that is not an object", () => producer.send("t", "bare"), TypeError],
    ["a topic that is not a string", () => producer.send(7, { value: "x" }), TypeError],
    ["headers of the wrong shape", () => producer.send("t", { value: "x", headers: [["only-name"]] }), TypeError],
    ["a partition outside the topic", () => producer.send("t", { value: "x", partition: 9 }), mqlite.PartitionNotFoundError],
    ["a negative partition", () => producer.send("t", { value: "x", partition: -1 }), RangeError],
    ["a fractional timestamp", () => producer.send("t", { value: "x", timestamp: 1.5 }), RangeError],
    ["a timestamp after year 9999", () => producer.send("t", { value: "x", timestamp: 8e15 }), mqlite.InvalidRecordError],
    [
      "a record over the 8 MiB limit",
      () => producer.send("t", { value: new Uint8Array(8 * 1024 * 1024 + 1) }),
      mqlite.RecordTooLargeError,
      "RECORD_TOO_LARGE",
    ],
    [
      "one bad record in sendMany sends none",
      () => producer.sendMany("t", [{ value: "ok", partition: 0 }, { value: "x", partition: 5 }]),
      mqlite.PartitionNotFoundError,
    ],
    ["an invalid topic name", () => log.createTopic("no/slash"), mqlite.InvalidTopicNameError],
    ["an existing topic", () => log.createTopic("t"), mqlite.TopicExistsError],
    ["zero partitions", () => log.createTopic("z", { partitions: 0 }), mqlite.InvalidConfigError],
    ["a fractional partition count", () => log.createTopic("z", { partitions: 1.5 }), mqlite.InvalidConfigError],
    ["an unknown compression", () => log.createTopic("z", { compression: "gzip" }), mqlite.InvalidConfigError],
    ["a compression that is not a string", () => log.createTopic("z", { compression: 4 }), TypeError],
    [
      "a partitioner's answer past 2^32",
      () => log.producer({ partitioner: () => 2 ** 32 + 1 }).send("t", { value: "x" }),
      RangeError,
      "ERR_OUT_OF_RANGE",
    ],
    [
      "a sendMany of more than 256 MiB in one call",
      () => producer.sendMany("t", Array.from({ length: 33 }, () => ({ value: eightMiB, partition: 0 }))),
      mqlite.BatchTooLargeError,
      "BATCH_TOO_LARGE",
    ],
  ];
  for (const [name, call, cls, code] of cases) {
    await assert.rejects(
      async () => call(),
      (error) => {
        assert.ok(error instanceof cls, `${name}: ${error}`);
        if (code) assert.equal(error.code, code, name);
        return true;
      },
      name,
    );
    offset = await stillWorks(name);
  }
  assert.equal(offset, BigInt(cases.length), "one good record after each bad call, none of the bad ones");

  const sync = [
    ["an unknown partitioner", () => log.producer({ partitioner: "random" }), mqlite.InvalidConfigError],
    ["a partitioner of the wrong type", () => log.producer({ partitioner: 3 }), TypeError],
    ["an unknown durability", () => log.producer({ durability: "disk" }), TypeError],
    ["a negative linger", () => log.producer({ lingerMs: -1 }), RangeError],
    ["a linger that is not a number", () => log.producer({ lingerMs: "5" }), TypeError],
    ["an unknown offset reset", () => log.consumer({ autoOffsetReset: "middle" }), mqlite.InvalidConfigError],
    ["a consumer of a missing topic", () => log.consumer({ topics: ["missing"] }), mqlite.TopicNotFoundError],
    ["a seek in an unassigned partition", () => log.consumer().seek("t", 0, 0n), mqlite.PartitionNotAssignedError],
    ["an offset that is not a number", () => log.consumer({ topics: ["t"] }).seek("t", 0, "ten"), TypeError],
    ["a negative offset", () => log.consumer({ topics: ["t"] }).seek("t", 0, -1n), RangeError],
    ["an offset past 2^63", () => log.consumer({ topics: ["t"] }).seek("t", 0, 2n ** 64n), RangeError],
    ["a partition past 2^32 (not wrapped to 0)", () => log.consumer({ topics: ["t"] }).seek("t", 2 ** 32, 0n), RangeError],
    ["a negative partition", () => log.highWatermark("t", -1), RangeError],
    ["describe of a missing topic", () => log.describe("missing"), mqlite.TopicNotFoundError],
    ["murmur2 with no partitions", () => mqlite.murmur2("k", 0), RangeError],
    ["a fractional offset", () => log.consumer({ topics: ["t"] }).seek("t", 0, 1.5), RangeError],
  ];
  for (const [name, call, cls] of sync) {
    assert.throws(call, cls, name);
  }
  const consumer = log.consumer({ topics: ["t"], autoOffsetReset: "error" });
  consumer.seek("t", 0, 1_000_000n);
  await assert.rejects(consumer.poll(), mqlite.OffsetOutOfRangeError);

  const values = (await readAll(log, ["t"])).map((r) => text(r.value));
  assert.equal(values.length, cases.length + 1);
  assert.equal(values[0], "first");
  await log.close();
});

test("after close every call is ClosedError, and close twice is fine", async (t) => {
  const log = await open(tempDir(t));
  await log.createTopic("t");
  const producer = log.producer({ lingerMs: 60_000 });
  const consumer = log.consumer({ topics: ["t"] });
  const lingering = producer.send("t", { value: "appended at close" });
  await log.close();
  await log.close();
  assert.equal(log.closed, true);
  // A send lingering at close was appended and persisted by close, not dropped.
  assert.equal((await lingering).offset, 0n);
  await assert.rejects(producer.send("t", { value: "x" }), mqlite.ClosedError);
  await assert.rejects(log.createTopic("u"), mqlite.ClosedError);
  await assert.rejects(log.flush(), mqlite.ClosedError);
  await assert.rejects(log.persist(), mqlite.ClosedError);
  await assert.rejects(producer.flush(), mqlite.ClosedError);
  await assert.rejects(consumer.poll(), mqlite.ClosedError);
  assert.throws(() => log.topics(), mqlite.ClosedError);
  assert.throws(() => log.producer(), mqlite.ClosedError);
});
