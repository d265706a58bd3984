//! Seeded, deterministic payloads: JSON-like text and random bytes, exactly [`RECORD_BYTES`]
//! each (or any other size, cut from the same stream), in one buffer that the records slice
//! without copying. Every system in a run gets the same bytes.

use bytes::Bytes;
use mqlite::{ProducerRecord, Record};
use std::fmt::Write as _;

/// Bytes of every record value.
pub const RECORD_BYTES: usize = 100;
/// The seed every scenario starts from.
pub const SEED: u64 = 0x6d71_6c69_7465_0001;
/// Records in a pool: a multiple of every batch size, so a batch never wraps around.
pub const POOL_RECORDS: usize = 64 * 1024;
/// The first record's timestamp; record `i` of a pool gets `BASE_TIMESTAMP_MS + i`.
pub const BASE_TIMESTAMP_MS: i64 = 1_700_000_000_000;

/// SplitMix64: small, fast, and the same on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`; the tiny modulo bias does not matter here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// What the payload bytes look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A small JSON event: repeated keys, digits, a few words (compresses well).
    JsonLike,
    /// Uniformly random bytes (does not compress).
    Random,
}

impl Kind {
    /// The name used in the output.
    pub fn name(self) -> &'static str {
        match self {
            Self::JsonLike => "JSON-like",
            Self::Random => "random",
        }
    }
}

const EVENTS: [&str; 6] = ["click", "view", "purchase", "scroll", "login", "logout"];
const WORDS: [&str; 12] = [
    "alpha", "delta", "cart", "home", "search", "mobile", "beta", "promo", "red", "blue", "eu",
    "us",
];

/// Appends one JSON-like event of exactly [`RECORD_BYTES`] bytes.
fn json_like(rng: &mut Rng, out: &mut Vec<u8>) {
    let mut text = String::with_capacity(RECORD_BYTES);
    let _ = write!(
        text,
        r#"{{"id":{},"user":"u{:05}","event":"{}","ts":{},"v":{}.{:02},"note":""#,
        1_000_000 + rng.below(9_000_000),
        rng.below(100_000),
        EVENTS[rng.below(EVENTS.len() as u64) as usize],
        BASE_TIMESTAMP_MS + rng.below(86_400_000) as i64,
        rng.below(1000),
        rng.below(100),
    );
    // Fill the note with words up to the closing `"}`.
    while text.len() < RECORD_BYTES - 2 {
        if !text.ends_with('"') {
            text.push(' ');
        }
        text.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
    }
    text.truncate(RECORD_BYTES - 2);
    text.push_str("\"}");
    debug_assert_eq!(text.len(), RECORD_BYTES);
    out.extend_from_slice(text.as_bytes());
}

/// `count` payloads of `kind` in one buffer, the same for the same `seed`.
pub fn payloads(kind: Kind, count: usize, seed: u64) -> Bytes {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(count * RECORD_BYTES);
    for _ in 0..count {
        match kind {
            Kind::JsonLike => json_like(&mut rng, &mut out),
            Kind::Random => {
                for _ in 0..RECORD_BYTES / 4 {
                    out.extend_from_slice(&(rng.next_u64() as u32).to_le_bytes());
                }
            }
        }
    }
    Bytes::from(out)
}

/// [`POOL_RECORDS`] records of `kind`: no key, no headers, value slices of one buffer,
/// timestamps `BASE_TIMESTAMP_MS + i`.
pub fn pool(kind: Kind) -> Vec<Record> {
    sized_pool(kind, RECORD_BYTES, POOL_RECORDS)
}

/// `count` records of `kind` whose values are `value_bytes` long: the same stream of
/// [`RECORD_BYTES`] payloads as [`pool`] (so 100 B values are the same bytes), cut every
/// `value_bytes`. No key, no headers, timestamps `BASE_TIMESTAMP_MS + i`.
pub fn sized_pool(kind: Kind, value_bytes: usize, count: usize) -> Vec<Record> {
    let buffer = payloads(kind, (count * value_bytes).div_ceil(RECORD_BYTES), SEED);
    (0..count)
        .map(|i| {
            let value = buffer.slice(i * value_bytes..(i + 1) * value_bytes);
            Record::with_value(value).timestamp_ms(BASE_TIMESTAMP_MS + i as i64)
        })
        .collect()
}

/// `records` as producer records to the partitioner's choice: the same value (sharing its
/// buffer) and the same create time, no key, no headers.
pub fn producer_records(records: &[Record]) -> Vec<ProducerRecord> {
    records
        .iter()
        .map(|record| ProducerRecord {
            value: record.value.clone(),
            timestamp_ms: Some(record.timestamp_ms),
            ..ProducerRecord::default()
        })
        .collect()
}

/// The `batch` records starting at `index` (modulo the pool), as one slice of `pool`.
pub fn batch_at<T>(pool: &[T], index: usize, batch: usize) -> &[T] {
    let start = index % pool.len();
    &pool[start..start + batch]
}
