// Seeded, deterministic 100 B payloads: byte for byte the Rust bench's JSON-like values
// (bench/src/payload.rs) and bench/python/payload.py: SplitMix64 from the same seed, the same
// format and word list. Every system in a run gets the same bytes.

export const RECORD_BYTES = 100;
export const SEED = 0x6d716c6974650001n;
export const BASE_TIMESTAMP_MS = 1_700_000_000_000;
/** Records in a pool: a multiple of every batch size, as in the Rust bench. */
export const POOL_RECORDS = 64 * 1024;

const MASK = (1n << 64n) - 1n;
const EVENTS = ["click", "view", "purchase", "scroll", "login", "logout"];
const WORDS = ["alpha", "delta", "cart", "home", "search", "mobile", "beta", "promo", "red", "blue", "eu", "us"];

/** SplitMix64 (BigInt: slow, but a pool is made once, untimed). */
export class Rng {
  constructor(seed) {
    this.state = BigInt(seed) & MASK;
  }
  nextU64() {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & MASK;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
    return z ^ (z >> 31n);
  }
  below(n) {
    return Number(this.nextU64() % BigInt(n));
  }
}

function jsonLike(rng) {
  const id = 1_000_000 + rng.below(9_000_000);
  const user = String(rng.below(100_000)).padStart(5, "0");
  const event = EVENTS[rng.below(EVENTS.length)];
  const ts = BASE_TIMESTAMP_MS + rng.below(86_400_000);
  const whole = rng.below(1000);
  const cents = String(rng.below(100)).padStart(2, "0");
  let text = `{"id":${id},"user":"u${user}","event":"${event}","ts":${ts},"v":${whole}.${cents},"note":"`;
  while (text.length < RECORD_BYTES - 2) {
    if (!text.endsWith('"')) text += " ";
    text += WORDS[rng.below(WORDS.length)];
  }
  return text.slice(0, RECORD_BYTES - 2) + '"}';
}

/** `count` JSON-like values of exactly RECORD_BYTES bytes in one buffer. */
export function payloads(count, seed = SEED) {
  const rng = new Rng(seed);
  const out = new Uint8Array(count * RECORD_BYTES);
  const encoder = new TextEncoder();
  for (let i = 0; i < count; i++) {
    const { written } = encoder.encodeInto(jsonLike(rng), out.subarray(i * RECORD_BYTES, (i + 1) * RECORD_BYTES));
    if (written !== RECORD_BYTES) throw new Error(`payload ${i} is ${written} bytes`);
  }
  return out;
}

/**
 * POOL_RECORDS messages `{ value, timestamp }` as the Rust producer scenario sends them: no
 * key, no headers, values are views of one buffer, timestamps BASE_TIMESTAMP_MS + i.
 */
export function pool(count = POOL_RECORDS) {
  const buffer = payloads(count);
  const messages = new Array(count);
  for (let i = 0; i < count; i++) {
    messages[i] = { value: buffer.subarray(i * RECORD_BYTES, (i + 1) * RECORD_BYTES), timestamp: BASE_TIMESTAMP_MS + i };
  }
  return { buffer, messages };
}
