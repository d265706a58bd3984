// Closing, in Node on real files: waiting reads end at once, nothing sent after close starts
// is acknowledged, and a close whose last persist fails leaves the log open for a retry.

import assert from "node:assert/strict";
import { open as openFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { ClosedError, open, StorageError } from "../src/node.js";
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

test("a close whose last persist fails rejects, stays open, and a second close persists", { timeout: 30_000 }, async (t) => {
  const dir = tempDir(t);
  const log = await open(dir);
  await log.createTopic("t");
  const lingering = log.producer({ lingerMs: 60_000 }).send("t", { value: "kept" });

  // An I/O error on the next file write (the disk's fault, injected at Node's FileHandle).
  const probe = await openFile(join(dir, "mqlite.lock"), "r");
  const proto = Object.getPrototypeOf(probe);
  await probe.close();
  const write = proto.write;
  let failures = 0;
  proto.write = function failOnce(...args) {
    proto.write = write;
    failures++;
    return Promise.reject(Object.assign(new Error("EIO: i/o error, write"), { code: "EIO" }));
  };
  t.after(() => {
    proto.write = write;
  });

  await assert.rejects(log.close(), StorageError);
  assert.equal(failures, 1);
  assert.equal(log.closed, false, "the log stays open after a failed close");
  assert.equal((await lingering).offset, 0n, "appended in memory before the failed persist");
  await log.close();
  assert.equal(log.closed, true);

  const reopened = await open(dir);
  assert.deepEqual((await readAll(reopened, ["t"])).map((r) => text(r.value)), ["kept"]);
  await reopened.close();
});
