//! mqlite: an embedded message log with Kafka's model.
#![no_std]
#![cfg_attr(
    test,
    allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod clock;
pub mod encoding;
pub mod error;
pub mod format_version;
pub mod limits;
pub mod log;

pub use error::{Error, ErrorCode, Result};
pub use format_version::FormatVersion;
pub mod storage;

pub use clock::{Clock, ManualClock};
pub use encoding::batch::{Batch, Compression, TimestampType};
pub use encoding::record::{Header, LogRecord, Record};
pub use log::{AppendInfo, Log, LogOptions, TopicConfig, TopicDescription};
pub use storage::{MemoryStorage, Storage};
#[cfg(feature = "std")]
pub use {clock::SystemClock, storage::FileStorage};
