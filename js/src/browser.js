// The package's entry in browsers (and bundlers): `open(name)` keeps the log in the IndexedDB
// database `name`. The wasm module loads on the first open, from beside this file.

import init from "../native/mqlite_native.js";
import { argTypeError } from "./errors.js";
import { openOver } from "./open.js";
import { IndexedDbAdapter } from "./storage/indexeddb.js";

let ready = null;

/** Loads the wasm module once; `module` may be a URL, a Response or compiled bytes. */
export function initialize(module) {
  ready ??= init(module === undefined ? undefined : { module_or_path: module });
  return ready;
}

/**
 * Opens the log in the IndexedDB database `name` (created if missing), or an in-memory log
 * without one.
 */
export async function open(name, { readOnly = false } = {}) {
  await initialize();
  if (name === undefined || name === null) return openOver(null, null, false);
  if (typeof name !== "string") throw argTypeError("name", "a string", name);
  const { adapter, files } = await IndexedDbAdapter.open(name, { readOnly });
  return openOver(adapter, files, readOnly);
}

export * from "./errors.js";
export { Consumer, Log, Producer } from "./log.js";
export { murmur2, murmur2Hash } from "./partitioners.js";
