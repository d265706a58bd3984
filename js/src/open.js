// Opening a log over a storage adapter's files: shared by the Node and browser entries.

import { LogLoader, NativeLog } from "../native/mqlite_native.js";
import { call } from "./errors.js";
import { Log } from "./log.js";

/**
 * A Log over `adapter`'s `files` (a Map of name to bytes), or in memory with no adapter. What
 * opening changed (a new log's metadata, a torn tail cut by recovery) is persisted at once.
 */
export async function openOver(adapter, files, readOnly) {
  if (!adapter) return new Log(call(() => NativeLog.inMemory()), null);
  const loader = new LogLoader();
  for (const [name, bytes] of files) loader.addFile(name, bytes);
  let native;
  try {
    native = call(() => loader.open(readOnly));
  } catch (error) {
    await adapter.close();
    throw error;
  }
  const log = new Log(native, adapter);
  if (!readOnly) {
    try {
      await log.persist();
    } catch (error) {
      await log._closeForced().catch(() => {});
      throw error;
    }
  }
  return log;
}
