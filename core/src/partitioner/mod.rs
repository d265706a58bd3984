//! Partitioners: which partition of a topic a record goes to.
//!
//! | partitioner | for | behaviour |
//! |---|---|---|
//! | [`murmur2`] | keyed records | Kafka's Java client: `to_positive(murmur2(key)) % partitions`, the same partition for the same key bytes and count |
//! | [`Sticky`] | records without a key | Kafka's default since 2.4: one partition until its batch is closed, then another |
//! | [`RoundRobin`] | any | each record to the next partition, per topic |
//! | [`ConsistentHash`] | keyed records | a hash ring with virtual nodes: adding a partition moves about 1/N of the keys, all to the new one |
//! | explicit | any | the record names its partition |
//! | user function | any | [`Partitioner::Custom`], how the bindings pass Python and JS callables |
//!
//! Every function here is pure or keeps only its own counters, so the same inputs give the
//! same partitions on every platform.

mod consistent_hash;
mod murmur2;
mod round_robin;
mod sticky;

pub use consistent_hash::ConsistentHash;
pub use murmur2::{murmur2, murmur2_partition, to_positive};
pub use round_robin::RoundRobin;
pub use sticky::Sticky;

use alloc::sync::Arc;

/// What a partitioner sees of a record.
#[derive(Debug, Clone, Copy)]
pub struct PartitionRequest<'a> {
    /// The topic.
    pub topic: &'a str,
    /// The record's key, if any.
    pub key: Option<&'a [u8]>,
    /// How many partitions the topic has (at least 1).
    pub partitions: u32,
}

/// A user-supplied partitioner: returns a partition below `request.partitions` (anything else
/// is refused with `PartitionNotFound` when the record is sent).
pub type PartitionFn = Arc<dyn Fn(&PartitionRequest<'_>) -> u32 + Send + Sync>;

/// A producer's partitioning strategy, applied to records that do not name a partition.
#[derive(Clone)]
pub enum Partitioner {
    /// Kafka's default: murmur2 of the key; records without a key go [`Sticky`].
    Murmur2(Sticky),
    /// Every record to the next partition in turn.
    RoundRobin(RoundRobin),
    /// A consistent-hash ring over the partitions; records without a key go [`Sticky`].
    ConsistentHash {
        /// Virtual nodes per partition.
        virtual_nodes: u32,
        /// Where keyless records go.
        sticky: Sticky,
    },
    /// A user function.
    Custom(PartitionFn),
}

impl core::fmt::Debug for Partitioner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Murmur2(_) => f.write_str("Murmur2"),
            Self::RoundRobin(_) => f.write_str("RoundRobin"),
            Self::ConsistentHash { virtual_nodes, .. } => {
                write!(f, "ConsistentHash {{ virtual_nodes: {virtual_nodes} }}")
            }
            Self::Custom(_) => f.write_str("Custom"),
        }
    }
}

impl Default for Partitioner {
    fn default() -> Self {
        Self::Murmur2(Sticky::default())
    }
}

impl Partitioner {
    /// The partition for `request`.
    pub fn partition(&mut self, request: &PartitionRequest<'_>) -> u32 {
        match (self, request.key) {
            (Self::Murmur2(_), Some(key)) => murmur2_partition(key, request.partitions),
            (Self::Murmur2(sticky) | Self::ConsistentHash { sticky, .. }, None) => {
                sticky.partition(request.topic, request.partitions)
            }
            (Self::RoundRobin(round_robin), _) => {
                round_robin.partition(request.topic, request.partitions)
            }
            (Self::ConsistentHash { virtual_nodes, .. }, Some(key)) => {
                ConsistentHash::new(request.partitions, *virtual_nodes).partition(key)
            }
            (Self::Custom(function), _) => function(request),
        }
    }

    /// Tells the partitioner that `topic`'s batch for `partition` was closed: a sticky
    /// partitioner filling that partition moves on, so the next keyless record goes elsewhere.
    pub fn on_batch_closed(&mut self, topic: &str, partition: u32, partitions: u32) {
        if let Self::Murmur2(sticky) | Self::ConsistentHash { sticky, .. } = self {
            sticky.rotate_from(topic, partition, partitions);
        }
    }

    /// Whether records without a key go to a sticky partition (which moves when its batch
    /// closes, so a keyless record that would open a new batch is routed again).
    pub fn is_sticky_for_keyless(&self) -> bool {
        matches!(self, Self::Murmur2(_) | Self::ConsistentHash { .. })
    }
}
