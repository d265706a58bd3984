// Records packed into one buffer to cross into wasm in one call, and unpacked from the one
// buffer a poll returns. The layout is private to this file and bindings/wasm/src/pack.rs,
// which documents it; integers are little-endian.

import { recordBytesMax } from "../native/mqlite_native.js";
import { argTypeError, BatchTooLargeError, outOfRange, RecordTooLargeError } from "./errors.js";

const FLAG_KEY = 1;
const FLAG_VALUE = 2;
const FLAG_PARTITION = 4;
const FLAG_TIMESTAMP = 8;
const NULL_LEN = 0xffffffff;
/** The most one call copies into wasm memory (32-bit, shared with the whole log): larger
 * `sendMany` calls are refused before any copy, so a failed allocation never traps the
 * module. */
const PACK_BYTES_MAX = 256 * 1024 * 1024;
let recordLimit = null;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `value` as bytes: a Uint8Array as is, a string as UTF-8, other views and buffers wrapped. */
export function toBytes(value, name) {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return encoder.encode(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw argTypeError(name, "a Uint8Array or a string", value);
}

function optionalBytes(value, name) {
  return value === undefined || value === null ? null : toBytes(value, name);
}

const NO_HEADERS = Object.freeze([]);

function headerList(headers) {
  if (headers === undefined || headers === null) return NO_HEADERS;
  const entries = Array.isArray(headers) ? headers : typeof headers === "object" ? Object.entries(headers) : null;
  if (entries === null) throw argTypeError("headers", "an array of [name, value] pairs or an object", headers);
  return entries.map((entry) => {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== "string") {
      throw argTypeError("headers", "[name: string, value] pairs", entry);
    }
    return [encoder.encode(entry[0]), optionalBytes(entry[1], `header ${entry[0]}`)];
  });
}

/** `value` (a number or a bigint) as a number from 0 to `max`: a TypeError for another
 * type, a RangeError for a fraction or a number out of range. */
export function wholeNumber(value, name, max) {
  if (typeof value === "bigint") value = Number(value);
  if (typeof value !== "number") throw argTypeError(name, "a whole number", value);
  if (!Number.isSafeInteger(value) || value < 0 || value > max) throw outOfRange(name, `0 to ${max}`, value);
  return value;
}

/** One message, checked and converted: `{key, value, headers, partition, timestamp}`. */
export function prepare(message, partition) {
  if (message === null || typeof message !== "object" || ArrayBuffer.isView(message)) {
    throw argTypeError("message", "an object like { key, value, headers }", message);
  }
  const timestamp = message.timestamp ?? message.timestampMs;
  return {
    key: optionalBytes(message.key, "key"),
    value: optionalBytes(message.value, "value"),
    headers: headerList(message.headers),
    partition:
      partition ?? (message.partition === undefined || message.partition === null
        ? null
        : wholeNumber(message.partition, "partition", 0xfffffffe)),
    timestamp:
      timestamp === undefined || timestamp === null
        ? null
        : wholeNumber(timestamp instanceof Date ? timestamp.getTime() : timestamp, "timestamp", 8.64e15),
  };
}

/** A record's key, value and header bytes: the engine checks the exact encoded size, this
 * only keeps a record that cannot fit out of wasm memory. */
function payloadBytes(record) {
  let bytes = (record.key === null ? 0 : record.key.length) + (record.value === null ? 0 : record.value.length);
  for (const [name, value] of record.headers) bytes += name.length + (value === null ? 0 : value.length);
  return bytes;
}

function framingBytes(record) {
  return (
    1 +
    4 +
    (record.partition === null ? 0 : 4) +
    (record.timestamp === null ? 0 : 8) +
    (record.key === null ? 0 : 4) +
    (record.value === null ? 0 : 4) +
    8 * record.headers.length
  );
}

/** One buffer reused by every pack up to SCRATCH_BYTES_MAX (a fresh small typed array and
 * DataView per call cost more than packing a few records); larger packs get their own. */
const SCRATCH_BYTES_MAX = 1024 * 1024;
let scratch = { out: new Uint8Array(64 * 1024), view: null };
scratch.view = new DataView(scratch.out.buffer);

function scratchFor(size) {
  if (size > SCRATCH_BYTES_MAX) {
    const out = new Uint8Array(size);
    return { out, view: new DataView(out.buffer) };
  }
  if (size > scratch.out.length) {
    const out = new Uint8Array(SCRATCH_BYTES_MAX);
    scratch = { out, view: new DataView(out.buffer) };
  }
  return scratch;
}

/** Prepared records packed into one buffer, valid until the next call (the native call that
 * takes it copies it at once); a record over the engine's limit, or more than
 * PACK_BYTES_MAX in all, is refused before anything is copied. */
export function pack(records) {
  recordLimit ??= recordBytesMax();
  let size = 0;
  for (const record of records) {
    const payload = payloadBytes(record);
    if (payload > recordLimit) {
      throw new RecordTooLargeError(`a record of ${payload} bytes is over the ${recordLimit}-byte limit`);
    }
    size += framingBytes(record) + payload;
  }
  if (size > PACK_BYTES_MAX) {
    throw new BatchTooLargeError(`${records.length} records of ${size} bytes in one call: over ${PACK_BYTES_MAX}; send them in parts`);
  }
  const { out, view } = scratchFor(size);
  let at = 0;
  const u32 = (n) => {
    view.setUint32(at, n, true);
    at += 4;
  };
  const bytes = (b) => {
    u32(b.length);
    out.set(b, at);
    at += b.length;
  };
  for (const record of records) {
    const flags =
      (record.key !== null ? FLAG_KEY : 0) |
      (record.value !== null ? FLAG_VALUE : 0) |
      (record.partition !== null ? FLAG_PARTITION : 0) |
      (record.timestamp !== null ? FLAG_TIMESTAMP : 0);
    out[at++] = flags;
    if (record.partition !== null) u32(record.partition);
    if (record.timestamp !== null) {
      view.setFloat64(at, record.timestamp, true);
      at += 8;
    }
    if (record.key !== null) bytes(record.key);
    if (record.value !== null) bytes(record.value);
    u32(record.headers.length);
    for (const [name, value] of record.headers) {
      bytes(name);
      if (value === null) u32(NULL_LEN);
      else bytes(value);
    }
  }
  return out.subarray(0, size);
}

/**
 * The records in a poll's buffer, as plain objects. Keys, values and header values are views
 * of that buffer (which belongs to JS alone), not copies.
 */
export function unpack(buffer) {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let at = 0;
  const u32 = () => {
    const n = view.getUint32(at, true);
    at += 4;
    return n;
  };
  const nullable = () => {
    const len = u32();
    if (len === NULL_LEN) return null;
    const out = buffer.subarray(at, at + len);
    at += len;
    return out;
  };
  const text = () => {
    const len = u32();
    const out = decoder.decode(buffer.subarray(at, at + len));
    at += len;
    return out;
  };
  const records = [];
  const groups = u32();
  for (let g = 0; g < groups; g++) {
    const topic = text();
    const partition = u32();
    const count = u32();
    for (let i = 0; i < count; i++) {
      const offset = view.getBigInt64(at, true);
      const timestampMs = Number(view.getBigInt64(at + 8, true));
      at += 16;
      const key = nullable();
      const value = nullable();
      const headerCount = u32();
      const headers = [];
      for (let h = 0; h < headerCount; h++) headers.push([text(), nullable()]);
      records.push({ topic, partition, offset, timestampMs, key, value, headers });
    }
  }
  return records;
}
