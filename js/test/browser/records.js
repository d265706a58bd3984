// Deterministic test records, shared by the pages (served as /test/browser/records.js) and the
// Node side of the tests. A record's content is a pure function of its sequence number, so a
// reader can check every byte it gets back; its value also carries a checksum of itself, so a
// record that is corrupt (rather than merely wrong) is told apart.
//
// Value layout (little-endian): seq u32 | payload length u32 | payload | FNV-1a-32 of all before.

/** FNV-1a, 32 bits, of `bytes[start, end)`. */
export function fnv1a(bytes, start = 0, end = bytes.length) {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Payload bytes of record `seq`: 16 to 2063 bytes of xorshift32 noise seeded by `seq`. */
export function payload(seq) {
  const length = 16 + ((seq * 7919) % 2048);
  const out = new Uint8Array(length);
  let x = (Math.imul(seq, 0x9e3779b1) + 1) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** The value of record `seq`. */
export function makeValue(seq) {
  const body = payload(seq);
  const out = new Uint8Array(8 + body.length + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, seq, true);
  view.setUint32(4, body.length, true);
  out.set(body, 8);
  view.setUint32(8 + body.length, fnv1a(out, 0, 8 + body.length), true);
  return out;
}

/** The message (for send/sendMany) of record `seq`. */
export function makeMessage(seq) {
  return { key: `key-${seq}`, value: makeValue(seq), headers: [["seq", String(seq)]] };
}

/**
 * Checks one value read back. Returns `{ seq, ok, corrupt, why }`: `corrupt` when the value's
 * own framing or checksum is wrong, `ok` when it is exactly the value of its sequence number.
 */
export function checkValue(value) {
  if (!(value instanceof Uint8Array) || value.length < 12) {
    return { seq: -1, ok: false, corrupt: true, why: `value of ${value?.length} bytes` };
  }
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const seq = view.getUint32(0, true);
  const length = view.getUint32(4, true);
  if (8 + length + 4 !== value.length) {
    return { seq, ok: false, corrupt: true, why: `length field ${length}, value of ${value.length} bytes` };
  }
  if (view.getUint32(8 + length, true) !== fnv1a(value, 0, 8 + length)) {
    return { seq, ok: false, corrupt: true, why: "checksum mismatch" };
  }
  const expected = makeValue(seq);
  const same = expected.length === value.length && expected.every((b, i) => b === value[i]);
  return { seq, ok: same, corrupt: false, why: same ? "" : "content differs from the record's" };
}

const encoder = new TextEncoder();

/** Bytes (a Uint8Array, or a string as UTF-8) as lowercase hex; null stays null. */
export function hex(bytes) {
  if (bytes === null || bytes === undefined) return null;
  if (typeof bytes === "string") bytes = encoder.encode(bytes);
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** A message or a record read back, as comparable plain data: key, value and headers in hex. */
export function shape({ key, value, headers }) {
  return {
    key: hex(key),
    value: hex(value),
    headers: (headers ?? []).map(([name, v]) => [name, hex(v)]),
  };
}

/**
 * Sample message `i` of a topic: "orders" has string keys and values (non-ASCII included) and
 * three headers (one binary, one null); other topics have binary values, no key, and every
 * 7th record is a tombstone (a key, a null value).
 */
export function sampleMessage(topic, i) {
  if (topic === "orders") {
    return {
      key: `user-${i % 5}`,
      value: `order ${i} ✓ Grüße 🚀`,
      headers: [
        ["trace", `t-${i}`],
        ["bin", Uint8Array.of(0, 255, i & 0xff)],
        ["empty", null],
      ],
    };
  }
  if (i % 7 === 3) return { key: `gone-${i}`, value: null, headers: [] };
  const value = new Uint8Array(256 + i);
  for (let k = 0; k < value.length; k++) value[k] = (k * 31 + i) & 0xff;
  return { key: null, value, headers: [] };
}

/**
 * Reads every record of `topics` with a fresh consumer of `log`, until each assigned
 * partition's position reaches its high watermark; gives up after `timeoutMs`.
 */
export async function readAll(log, topics, { timeoutMs = 20_000, maxRecords = 500 } = {}) {
  const consumer = log.consumer({ topics });
  const out = [];
  const deadline = Date.now() + timeoutMs;
  const behind = () =>
    consumer.assignment().some(({ topic, partition }) => consumer.position(topic, partition) < log.highWatermark(topic, partition));
  while (behind()) {
    if (Date.now() > deadline) throw new Error(`readAll: still behind after ${timeoutMs} ms (${out.length} read)`);
    out.push(...(await consumer.poll({ maxRecords, timeoutMs: 100 })));
  }
  // Nothing more than the high watermarks promised.
  out.push(...(await consumer.poll({ maxRecords, timeoutMs: 0 })));
  consumer.close();
  return out;
}
