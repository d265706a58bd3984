// What flush() and durability "fsync" promise in Node, seen on real files: when they resolve,
// every file written since the last fsync has been fsync'd after its last write. The test
// watches the adapter's FileHandle writes and datasyncs (Node's own, wrapped, not replaced).

import assert from "node:assert/strict";
import { test } from "node:test";
import { open } from "../src/node.js";
import { fileHandlePrototype, tempDir } from "./helpers.js";

/** Records every FileHandle write and datasync as [op, fd] until the test ends. */
async function watchFiles(t) {
  const proto = await fileHandlePrototype();
  const events = [];
  for (const op of ["write", "datasync"]) {
    const original = proto[op];
    proto[op] = function watched(...args) {
      events.push([op, this.fd]);
      return original.apply(this, args);
    };
    t.after(() => {
      proto[op] = original;
    });
  }
  return events;
}

/** The fds whose last write in `events` no later datasync covers. */
function unsynced(events) {
  const pending = new Set();
  for (const [op, fd] of events) {
    if (op === "write") pending.add(fd);
    else pending.delete(fd);
  }
  return [...pending];
}

const scenarios = {
  "await sendMany, then producer.flush": async (log) => {
    const producer = log.producer();
    await producer.sendMany("t", [{ value: "a" }, { value: "b" }]);
    return () => producer.flush();
  },
  "await send, a moment, then log.flush": async (log) => {
    const producer = log.producer({ lingerMs: 0 });
    await producer.send("t", { value: "c" });
    await new Promise((ok) => setTimeout(ok, 20));
    return () => log.flush();
  },
};

for (const [name, setup] of Object.entries(scenarios)) {
  test(`${name}: flush fsyncs what a relaxed persist wrote before it`, async (t) => {
    const dir = tempDir(t);
    const log = await open(dir);
    await log.createTopic("t");
    const events = await watchFiles(t);
    const flush = await setup(log);
    assert.ok(events.some(([op]) => op === "write"), "the relaxed persist wrote the files");
    assert.ok(unsynced(events).length > 0, "and did not fsync them");
    await flush();
    assert.deepEqual(unsynced(events), [], `every write is fsync'd when flush resolves: ${JSON.stringify(events)}`);
    await log.close();
  });
}

test("a send with durability 'fsync' resolves after its write is fsync'd", async (t) => {
  const dir = tempDir(t);
  const log = await open(dir);
  await log.createTopic("t");
  const events = await watchFiles(t);
  await log.producer({ durability: "fsync", lingerMs: 0 }).send("t", { value: "durable" });
  assert.ok(events.some(([op]) => op === "write"));
  assert.deepEqual(unsynced(events), []);
  await log.close();
});
