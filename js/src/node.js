// The package's entry in Node: `open(path)` keeps the log in a directory, in the native
// format the Rust core and the Python package read and write.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { initSync } from "../native/mqlite_native.js";
import { argTypeError } from "./errors.js";
import { openOver } from "./open.js";
import { NodeFileAdapter } from "./storage/node-fs.js";

initSync({ module: readFileSync(new URL("../native/mqlite_native_bg.wasm", import.meta.url)) });

/**
 * Opens the log in directory `path` (created if missing), or an in-memory log without one.
 * `readOnly` opens without the writer lock and refuses writes.
 */
export async function open(path, { readOnly = false } = {}) {
  if (path === undefined || path === null) return openOver(null, null, false);
  if (typeof path !== "string" && !(path instanceof URL)) throw argTypeError("path", "a string or a file URL", path);
  const { adapter, files } = await NodeFileAdapter.open(path instanceof URL ? fileURLToPath(path) : path, { readOnly });
  return openOver(adapter, files, readOnly);
}

/** Nothing to do in Node: the wasm module loads with this file. Here for one API. */
export async function initialize() {}

export * from "./errors.js";
export { Consumer, Log, Producer } from "./log.js";
export { murmur2, murmur2Hash } from "./partitioners.js";
