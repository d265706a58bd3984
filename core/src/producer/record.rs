//! The producer's records, settings and outcomes.

use crate::encoding::batch::Compression;
use crate::encoding::record::Header;
use crate::partitioner::Partitioner;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use bytes::Bytes;

/// A record to send (Kafka's `ProducerRecord`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProducerRecord {
    /// The key; routes the record when no partition is named.
    pub key: Option<Bytes>,
    /// The value; `None` is a tombstone.
    pub value: Option<Bytes>,
    /// Ordered headers.
    pub headers: Vec<Header>,
    /// A partition to send to, bypassing the partitioner.
    pub partition: Option<u32>,
    /// The create time; `None` takes the log clock's now.
    pub timestamp_ms: Option<i64>,
}

impl ProducerRecord {
    /// A record with a value.
    pub fn with_value(value: impl Into<Bytes>) -> Self {
        Self {
            value: Some(value.into()),
            ..Self::default()
        }
    }

    /// Sets the key.
    #[must_use]
    pub fn key(mut self, key: impl Into<Bytes>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Names the partition.
    #[must_use]
    pub fn partition(mut self, partition: u32) -> Self {
        self.partition = Some(partition);
        self
    }

    /// Sets the create time.
    #[must_use]
    pub fn timestamp_ms(mut self, timestamp_ms: i64) -> Self {
        self.timestamp_ms = Some(timestamp_ms);
        self
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, key: impl Into<String>, value: impl Into<Bytes>) -> Self {
        self.headers.push(Header::new(key, value));
        self
    }
}

/// When a send counts as done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// When the batch is appended to the log. (The log hands appended bytes to storage at
    /// once, so today this equals `Write`; it leaves room for a buffering backend.)
    Memory,
    /// When the batch is handed to the operating system (survives the process, not power).
    #[default]
    Write,
    /// When the batch is synced to the disk (survives power loss). One sync covers every batch
    /// appended to the partition before it.
    Fsync,
}

/// A producer's settings, named after Kafka's.
#[derive(Debug, Clone)]
pub struct ProducerConfig {
    /// Append a partition's batch once its records take this many bytes (`batch.size`).
    pub batch_bytes: usize,
    /// Append a batch once its first record has waited this long (`linger.ms`), at the next
    /// `poll`.
    pub linger_ms: i64,
    /// When a send counts as done.
    pub durability: Durability,
    /// Where records without a partition go.
    pub partitioner: Partitioner,
    /// The codec for this producer's batches; `None` uses the topic's (Kafka's
    /// `compression.type`).
    pub compression: Option<Compression>,
    /// Stamp batches with a producer id, epoch and sequence numbers, so a retried batch that
    /// was in fact stored is not stored twice (Kafka's `enable.idempotence`, on by default as
    /// in Kafka 3).
    pub enable_idempotence: bool,
    /// How many times a batch whose append failed with an I/O error is tried again, at the
    /// next call that appends to its partition (`send`, `poll`, `flush`), before its records
    /// fail (Kafka's `retries`).
    pub retries: u32,
    /// How long a failed batch waits before `poll` tries it again (`retry.backoff.ms`);
    /// `flush` and a full batch behind it do not wait.
    pub retry_backoff_ms: i64,
}

impl Default for ProducerConfig {
    fn default() -> Self {
        Self {
            batch_bytes: 16 * 1024,
            linger_ms: 5,
            durability: Durability::Write,
            partitioner: Partitioner::default(),
            compression: None,
            enable_idempotence: true,
            retries: 5,
            retry_backoff_ms: 100,
        }
    }
}

/// A ticket for a sent record's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SendHandle(pub(crate) u64);

impl SendHandle {
    /// The handle as a number, for a binding that hands it to another language.
    pub fn to_raw(self) -> u64 {
        self.0
    }

    /// A handle from [`Self::to_raw`]. A number no send returned names no outcome: the
    /// producer answers "not ready" for it and ignores it when forgotten.
    pub fn from_raw(raw: u64) -> Self {
        Self(raw)
    }
}

/// Where a sent record went (Kafka's `RecordMetadata`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMetadata {
    /// The topic (shared by the records of a batch).
    pub topic: Arc<str>,
    /// The partition.
    pub partition: u32,
    /// The record's offset.
    pub offset: i64,
    /// Its timestamp: the create time, or the log-append time for topics that use it.
    pub timestamp_ms: i64,
}
