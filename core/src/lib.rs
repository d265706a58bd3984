//! mqlite: an embedded message log with Kafka's model: topics, partitions, offsets and
//! checksummed batches, in your process, with no broker to run.
//!
//! The core is `no_std` + `alloc`; the `std` feature (on by default) adds real files, the
//! writer lock and the system clock. The same bytes are written on every platform (see
//! `docs/FORMAT.md`).
//!
//! ```
//! use mqlite::{Log, LogOptions, Record, TopicConfig};
//!
//! # fn main() -> mqlite::Result<()> {
//! # let dir = tempfile::tempdir().map_err(|e| mqlite::Error::Io { op: "tempdir", path: String::new(), message: e.to_string() })?;
//! let mut log = Log::open_dir(dir.path().join("orders-log"), LogOptions::default())?;
//! log.create_topic("orders", TopicConfig::with_partitions(3))?;
//! let info = log.append("orders", 0, &[Record::with_value("shipped").key("order-1")])?;
//! assert_eq!(info.base_offset, 0);
//! log.close()?;
//!
//! // Reopen: the record is still there, at the same offset.
//! let log = Log::open_dir(dir.path().join("orders-log"), LogOptions::default())?;
//! let records = log.read("orders", 0, 0, 1024 * 1024)?;
//! assert_eq!(records[0].value.as_deref(), Some(&b"shipped"[..]));
//! # Ok(())
//! # }
//! ```
//!
//! Modules, from the bottom up: [`encoding`] (pure codecs for records, batches and LZ4
//! frames), [`storage`] (the small file trait and its backends), [`log`] (segments, indexes,
//! recovery, partitions, topics, and the [`Log`] facade).
#![no_std]
#![cfg_attr(
    test,
    allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod clock;
pub mod consumer;
pub mod encoding;
pub mod error;
pub mod format_version;
pub mod limits;
pub mod log;
pub mod names;
pub mod partitioner;
pub mod producer;
#[cfg(feature = "std")]
pub mod shared;
pub mod storage;

pub use error::{Error, ErrorCode, Result};
pub use format_version::FormatVersion;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

pub use clock::{Clock, ManualClock};
pub use consumer::{AutoOffsetReset, Consumer, ConsumerConfig, ConsumerRecords, TopicPartition};
pub use encoding::batch::{Batch, Compression, TimestampType};
pub use encoding::record::{Header, LogRecord, Record};
pub use log::{AppendInfo, Log, LogOptions, TopicConfig, TopicDescription};
pub use producer::{
    Durability, Producer, ProducerConfig, ProducerRecord, RecordMetadata, SendHandle,
};
pub use storage::{Change, JournalStorage, MemoryStorage, Storage};
#[cfg(feature = "std")]
pub use {
    clock::SystemClock,
    shared::{SharedLog, SharedProducer},
    storage::FileStorage,
};

/// The engine can be shared between threads: `Log` is `Send + Sync` over any storage that is.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Log<MemoryStorage>>();
    #[cfg(feature = "std")]
    assert_send_sync::<Log<FileStorage>>();
};
