//! The durability scenario's peers with no engine: a plain `std::fs::File` in the same
//! temporary directory as the engine's logs, appended with one `write()` per call and then
//! `fdatasync`ed (`File::sync_data`), each call timed from its first byte copied to the end
//! of its sync.
//!
//! The file and its directory entry are made durable before the timed region, as the engine's
//! untimed first call does for its segment.

use super::{Config, temp_dir};
use crate::payload::{self, Kind, SEED};
use crate::stats::{self, Sample};
use mqlite::Record;
use std::fs::File;
use std::io::Write as _;
use std::time::Instant;

/// Bytes of one probe append: a page, what "fsync latency" usually means.
pub const PROBE_BYTES: usize = 4096;

/// `calls` appends of [`PROBE_BYTES`], each synced: this machine's raw fsync latency.
pub fn probe(config: &Config, calls: u64) -> Sample {
    let page = payloads_page();
    timed_appends(config, calls, |_, buffer| buffer.extend_from_slice(&page))
}

/// `calls` appends of `k` record values from `pool` (copied into one buffer, one `write()`),
/// each synced: the ceiling of fsync-per-k-records durability.
pub fn write_fsync(config: &Config, pool: &[Record], calls: u64, k: usize) -> Sample {
    timed_appends(config, calls, |call, buffer| {
        for record in payload::batch_at(pool, call as usize * k, k) {
            buffer.extend_from_slice(record.value.as_deref().unwrap_or_default());
        }
    })
}

/// A page of JSON-like payload bytes.
fn payloads_page() -> Vec<u8> {
    let records = PROBE_BYTES.div_ceil(payload::RECORD_BYTES);
    let mut page = payload::payloads(Kind::JsonLike, records, SEED).to_vec();
    page.truncate(PROBE_BYTES);
    page
}

/// `calls` appends of what `fill` puts in the buffer for each call, each followed by
/// `sync_data`; one latency per call.
fn timed_appends(config: &Config, calls: u64, mut fill: impl FnMut(u64, &mut Vec<u8>)) -> Sample {
    let dir = temp_dir(config);
    let mut file = File::create(dir.path().join("ceiling.log")).unwrap();
    file.sync_all().unwrap();
    File::open(dir.path()).unwrap().sync_all().unwrap();
    let mut buffer = Vec::new();
    stats::sample_with_latencies(|latencies| {
        for call in 0..calls {
            let start = Instant::now();
            buffer.clear();
            fill(call, &mut buffer);
            file.write_all(&buffer).unwrap();
            file.sync_data().unwrap();
            latencies.push(start.elapsed().as_nanos() as u64);
        }
    })
}
