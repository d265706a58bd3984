// Closing, in Node on real files: waiting reads end at once, and nothing sent after close
// starts is acknowledged. (A close whose persist fails: storage-faults.test.js.)

import assert from "node:assert/strict";
import { test } from "node:test";
import { ClosedError, open } from "../src/node.js";
import { readAll, tempDir, text } from "./helpers.js";

test("close ends a waiting for-await at once while it still has records to persist", { timeout: 30_000 }, async (t) => {
  const dir = tempDir(t);
  const log = await open(dir);
  await log.createTopic("t");
  const consumer = log.consumer({ topics: ["t"] });
  const seen = [];
  const reading = (async () => {
    for await (const record of consumer) seen.push(text(record.value));
    return "ended";
  })();
  await new Promise((ok) => setTimeout(ok, 20)); // the iteration is waiting
  const lingering = log.producer({ lingerMs: 60_000 }).send("t", { value: "at close" });
  await log.close();
  assert.equal(await reading, "ended");
  assert.equal((await lingering).offset, 0n, "close appended the lingering send");
  assert.ok(seen.length <= 1);

  const reopened = await open(dir);
  assert.deepEqual((await readAll(reopened, ["t"])).map((r) => text(r.value)), ["at close"]);
  await reopened.close();
});

test("Consumer.close ends its waiting poll at once", { timeout: 30_000 }, async (t) => {
  const log = await open(tempDir(t));
  await log.createTopic("t");
  const consumer = log.consumer({ topics: ["t"] });
  const polling = consumer.poll({ timeoutMs: 60_000 });
  setTimeout(() => consumer.close(), 20);
  await assert.rejects(polling, ClosedError);
  await log.close();
});

test("a send made while close is under way is refused, never acknowledged", { timeout: 30_000 }, async (t) => {
  const dir = tempDir(t);
  const log = await open(dir);
  await log.createTopic("t");
  const producer = log.producer({ lingerMs: 0 });
  await producer.sendMany("t", [{ value: "before" }]);
  const closing = log.close();
  const late = [
    assert.rejects(producer.sendMany("t", [{ value: "late" }]), ClosedError),
    assert.rejects(producer.send("t", { value: "late one" }), ClosedError),
  ];
  await closing;
  await Promise.all(late);

  const reopened = await open(dir);
  assert.deepEqual((await readAll(reopened, ["t"])).map((r) => text(r.value)), ["before"]);
  await reopened.close();
});
