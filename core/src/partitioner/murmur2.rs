//! Kafka's murmur2: the 32-bit MurmurHash2 (seed `0x9747b28c`) over the key bytes, little-endian
//! four-byte words, as Kafka's Java client computes it for its default partitioner. The test
//! table in `tests/vectors/murmur2.json` was computed by Kafka's own `kafka-clients` jar.

const SEED: u32 = 0x9747_b28c;
const M: u32 = 0x5bd1_e995;
const R: u32 = 24;

/// Kafka's `Utils.murmur2(key)`.
pub fn murmur2(key: &[u8]) -> i32 {
    let mut h = SEED ^ key.len() as u32;
    let mut words = key.chunks_exact(4);
    for word in &mut words {
        let mut k = u32::from_le_bytes(word.try_into().unwrap_or_default());
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = words.remainder();
    if !tail.is_empty() {
        for (i, &byte) in tail.iter().enumerate().rev() {
            h ^= u32::from(byte) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`: the sign bit cleared (not `abs`, which overflows).
pub const fn to_positive(n: i32) -> i32 {
    n & 0x7fff_ffff
}

/// The partition Kafka's Java client picks for a non-null `key` among `partitions`.
///
/// `partitions` must be at least 1.
pub fn murmur2_partition(key: &[u8], partitions: u32) -> u32 {
    (to_positive(murmur2(key)) as u32) % partitions.max(1)
}
