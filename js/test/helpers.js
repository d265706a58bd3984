// Shared by the Node tests: a fresh directory per test under test/.work (removed after), and
// small readers.

import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { open as openFile } from "node:fs/promises";
import { join } from "node:path";

export const WORK = new URL("./.work/", import.meta.url).pathname;
export const REPO = new URL("../../", import.meta.url).pathname;

/** A new empty directory for one test, deleted when the test ends. */
export function tempDir(t) {
  mkdirSync(WORK, { recursive: true });
  const dir = mkdtempSync(join(WORK, "t-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const text = (bytes) => (bytes === null ? null : new TextDecoder().decode(bytes));

/** Every record of `topics` from the start, in partition then offset order. */
export async function readAll(log, topics) {
  const consumer = log.consumer({ topics, autoOffsetReset: "earliest" });
  const out = [];
  for (;;) {
    const batch = await consumer.poll({ maxRecords: 10_000 });
    if (batch.length === 0) break;
    out.push(...batch);
  }
  consumer.close();
  return out.sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
}

/** The prototype of Node's own FileHandle class (reached through a handle), whose methods a
 * test may wrap to watch or fail the storage adapter's file operations. */
export async function fileHandlePrototype() {
  const probe = await openFile(process.execPath, "r");
  const proto = Object.getPrototypeOf(probe);
  await probe.close();
  return proto;
}
