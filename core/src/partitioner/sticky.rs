//! The sticky partitioner for records without a key (Kafka's default since 2.4, KIP-480): all
//! such records of a topic go to one partition until the producer closes that partition's
//! batch, then to another, so keyless records fill whole batches instead of many small ones.
//!
//! The next partition is drawn from a seeded generator (never the current one when there are
//! two or more), so runs are repeatable.

use alloc::collections::BTreeMap;
use alloc::string::String;

/// Per-topic current partitions.
#[derive(Debug, Clone)]
pub struct Sticky {
    current: BTreeMap<String, u32>,
    state: u64,
}

impl Default for Sticky {
    fn default() -> Self {
        Self::with_seed(0x853c_49e6_748f_ea9b)
    }
}

impl Sticky {
    /// A sticky partitioner whose choices follow from `seed`.
    pub fn with_seed(seed: u64) -> Self {
        Self {
            current: BTreeMap::new(),
            state: seed,
        }
    }

    fn draw(&mut self, bound: u32) -> u32 {
        // xorshift64*: small, fast, and enough to spread keyless batches.
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        ((self.state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) % u64::from(bound.max(1))) as u32
    }

    /// The partition keyless records of `topic` currently go to.
    pub fn partition(&mut self, topic: &str, partitions: u32) -> u32 {
        if let Some(&partition) = self.current.get(topic).filter(|&&p| p < partitions) {
            return partition;
        }
        let partition = self.draw(partitions);
        self.current.insert(topic.into(), partition);
        partition
    }

    /// Moves `topic` to another partition (its batch was closed).
    pub fn rotate(&mut self, topic: &str, partitions: u32) {
        if let Some(&current) = self.current.get(topic) {
            self.rotate_from(topic, current, partitions);
        }
    }

    /// Moves `topic` to another partition if it currently sticks to `closed`.
    pub fn rotate_from(&mut self, topic: &str, closed: u32, partitions: u32) {
        if self.current.get(topic) != Some(&closed) {
            return;
        }
        let next = if partitions <= 1 {
            0
        } else {
            // Any partition but the closed one, uniformly.
            (closed + 1 + self.draw(partitions - 1)) % partitions
        };
        self.current.insert(topic.into(), next);
    }
}
