//! The wasm-bindgen module under the npm package `mqlite` (`js/`): it converts types, maps
//! errors and bridges persistence. Every rule of the engine lives in the core.
//!
//! JS holds a [`NativeLog`] and the [`NativeProducer`]s and [`NativeConsumer`]s made on it;
//! they share the log through `Rc<RefCell<..>>` (wasm runs one thread). The log runs on
//! [`mqlite::JournalStorage`]: the JS storage adapter loads the files into a [`LogLoader`],
//! and later takes the changes ([`NativeLog::take_changes`]) and persists them.
//!
//! No call may trap the module, whatever JS passes: nothing here panics (clippy denies
//! `unwrap` and indexing), borrows are tried rather than assumed, numbers from JS are checked
//! before they are converted, and every failure is a JS `Error` carrying the core's `code`.
//! Records cross the boundary packed into one byte buffer each way ([`pack`]), not as one
//! JS object per field.

#![cfg_attr(
    test,
    allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")
)]

mod clock;
mod consumer;
mod errors;
mod log;
mod numbers;
pub mod pack;
mod producer;

pub use consumer::NativeConsumer;
pub use errors::error_codes;
pub use log::{Changes, LogLoader, NativeLog};
pub use producer::NativeProducer;

use wasm_bindgen::prelude::*;

/// Kafka's default partition for `key`: `toPositive(murmur2(key)) % partitions`.
#[wasm_bindgen(js_name = murmur2Partition)]
pub fn murmur2_partition(key: &[u8], partitions: u32) -> Result<u32, JsValue> {
    if partitions == 0 {
        return Err(errors::to_js(&mqlite::Error::InvalidConfig {
            name: "partitions",
            reason: "must be at least 1".into(),
        }));
    }
    Ok(mqlite::partitioner::murmur2_partition(key, partitions))
}

/// Kafka's murmur2 hash of `key`, as a signed 32-bit number.
#[wasm_bindgen]
pub fn murmur2(key: &[u8]) -> i32 {
    mqlite::partitioner::murmur2(key)
}

/// The core's largest record in bytes (`mqlite::limits::RECORD_BYTES_MAX`): JS refuses a
/// record whose bytes alone pass it before copying them into wasm memory.
#[wasm_bindgen(js_name = recordBytesMax)]
pub fn record_bytes_max() -> u32 {
    u32::try_from(mqlite::limits::RECORD_BYTES_MAX).unwrap_or(u32::MAX)
}
