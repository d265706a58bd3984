//! Helpers shared by the integration tests.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failure should abort the test loudly"
)]
#![allow(dead_code, reason = "each test binary uses a different subset")]

use mqlite::{LogOptions, LogRecord, ManualClock, Record};
use std::sync::Arc;

/// Options with a manual clock standing at `now_ms`.
pub fn options_at(now_ms: i64) -> (LogOptions, ManualClock) {
    let clock = ManualClock::new(now_ms);
    (LogOptions::with_clock(Arc::new(clock.clone())), clock)
}

/// A deterministic record: key, value and header derived from `seed`.
pub fn record(seed: u64, timestamp_ms: i64) -> Record {
    let value = format!(
        "{{\"id\":{seed},\"payload\":\"{}\"}}",
        "x".repeat((seed % 50) as usize)
    );
    let mut record = Record::with_value(value.into_bytes()).timestamp_ms(timestamp_ms);
    if !seed.is_multiple_of(3) {
        record = record.key(format!("key-{}", seed % 7).into_bytes());
    }
    if seed.is_multiple_of(4) {
        record = record.header("trace", seed.to_be_bytes().to_vec());
    }
    if seed.is_multiple_of(11) {
        record.value = None; // a tombstone now and then
    }
    record
}

/// Whether a stored record carries what was sent (timestamps compared by the caller).
pub fn same_content(got: &LogRecord, sent: &Record) -> bool {
    got.key == sent.key && got.value == sent.value && got.headers == sent.headers
}

/// Every file under `root`, as `/`-separated relative paths, sorted.
pub fn files_under(root: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(root).unwrap();
                let parts: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                found.push(parts.join("/"));
            }
        }
    }
    found.sort();
    found
}
