// Shared by the Node tests: a fresh directory per test under test/.work (removed after), and
// small readers.

import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
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
