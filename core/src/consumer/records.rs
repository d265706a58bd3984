//! What a poll returns: records grouped by partition, as Kafka's `ConsumerRecords`.

use crate::encoding::record::LogRecord;
use alloc::string::String;
use alloc::vec::Vec;

/// A topic and one of its partitions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicPartition {
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: u32,
}

impl TopicPartition {
    /// `topic`'s partition `partition`.
    pub fn new(topic: impl Into<String>, partition: u32) -> Self {
        Self {
            topic: topic.into(),
            partition,
        }
    }
}

/// Records from one poll, grouped by partition, each group in offset order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsumerRecords {
    groups: Vec<(TopicPartition, Vec<LogRecord>)>,
}

impl ConsumerRecords {
    pub(crate) fn push(&mut self, tp: TopicPartition, records: Vec<LogRecord>) {
        self.groups.push((tp, records));
    }

    /// How many records.
    pub fn len(&self) -> usize {
        self.groups.iter().map(|(_, r)| r.len()).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.groups.iter().all(|(_, r)| r.is_empty())
    }

    /// The partitions with records, and their records.
    pub fn by_partition(&self) -> &[(TopicPartition, Vec<LogRecord>)] {
        &self.groups
    }

    /// Every record with its partition, partition by partition.
    pub fn iter(&self) -> impl Iterator<Item = (&TopicPartition, &LogRecord)> {
        self.groups
            .iter()
            .flat_map(|(tp, records)| records.iter().map(move |r| (tp, r)))
    }
}
