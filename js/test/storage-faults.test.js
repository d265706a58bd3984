// Storage faults in Node, injected at Node's own FileHandle (its prototype's methods wrapped
// for one test, the files real): a failed persist loses nothing and is sent again, and a
// failure never leaves the directory locked or the log stuck.

import assert from "node:assert/strict";
import { test } from "node:test";
import { open, StorageError } from "../src/node.js";
import { fileHandlePrototype, readAll, tempDir, text } from "./helpers.js";

/**
 * Makes FileHandle's `op` fail with `code` for its next `times` calls, until the test ends or
 * `restore()`. Returns `{ failures, restore }`.
 */
async function injectFault(t, op, code, times) {
  const proto = await fileHandlePrototype();
  const original = proto[op];
  const state = {
    failures: 0,
    restore() {
      proto[op] = original;
    },
  };
  proto[op] = function faulty(...args) {
    if (state.failures >= times) return original.apply(this, args);
    state.failures++;
    return Promise.reject(Object.assign(new Error(`${code}: injected by the test, ${op}`), { code }));
  };
  t.after(() => state.restore());
  return state;
}

test("a close whose last persist fails rejects, stays open, and a second close persists", { timeout: 30_000 }, async (t) => {
  const dir = tempDir(t);
  const log = await open(dir);
  await log.createTopic("t");
  const lingering = log.producer({ lingerMs: 60_000 }).send("t", { value: "kept" });

  const fault = await injectFault(t, "write", "EIO", 1);
  await assert.rejects(log.close(), StorageError);
  assert.equal(fault.failures, 1);
  assert.equal(log.closed, false, "the log stays open after a failed close");
  assert.equal((await lingering).offset, 0n, "appended in memory before the failed persist");
  await log.close();
  assert.equal(log.closed, true);

  const reopened = await open(dir);
  assert.deepEqual((await readAll(reopened, ["t"])).map((r) => text(r.value)), ["kept"]);
  await reopened.close();
});

test("an open whose first persist fails releases the directory for the next open", { timeout: 30_000 }, async (t) => {
  const dir = tempDir(t);
  const fault = await injectFault(t, "write", "ENOSPC", Infinity);
  await assert.rejects(open(dir), StorageError);
  assert.ok(fault.failures > 0);
  fault.restore();
  const log = await open(dir); // not LogLockedError: the failed open let go of the lock
  await log.createTopic("t");
  await log.close();
});

test("a deleteTopic whose directory sync fails is sent again by the next flush, which succeeds", { timeout: 30_000 }, async (t) => {
  const dir = tempDir(t);
  const log = await open(dir);
  await log.createTopic("gone");
  await log.createTopic("kept");
  await log.producer().sendMany("gone", [{ value: "x" }]);
  await log.producer().sendMany("kept", [{ value: "y" }]);
  await log.flush();
  const fault = await injectFault(t, "sync", "EIO", 1);
  await assert.rejects(log.deleteTopic("gone"), StorageError);
  assert.equal(fault.failures, 1);
  await log.flush(); // sends the removals again: their directory is gone already
  await log.close();

  const reopened = await open(dir);
  assert.deepEqual(reopened.topics(), ["kept"]);
  assert.deepEqual((await readAll(reopened, ["kept"])).map((r) => text(r.value)), ["y"]);
  await reopened.close();
});
