//! Round robin: each record to the next partition, counting per topic (Kafka's
//! `RoundRobinPartitioner`).

use alloc::collections::BTreeMap;
use alloc::string::String;

/// Per-topic counters.
#[derive(Debug, Clone, Default)]
pub struct RoundRobin {
    next: BTreeMap<String, u32>,
}

impl RoundRobin {
    /// The next partition of `topic`.
    pub fn partition(&mut self, topic: &str, partitions: u32) -> u32 {
        let counter = match self.next.get_mut(topic) {
            Some(counter) => counter,
            None => self.next.entry(topic.into()).or_insert(0),
        };
        let partition = *counter % partitions.max(1);
        *counter = counter.wrapping_add(1);
        partition
    }
}
