//! mqlite: an embedded message log with Kafka's model.
#![no_std]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests"))]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod clock;
pub mod encoding;
pub mod error;
pub mod format_version;
pub mod limits;

pub use error::{Error, ErrorCode, Result};
pub use format_version::FormatVersion;
