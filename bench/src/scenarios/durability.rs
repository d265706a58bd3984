//! Scenario 2, the durability sweep: JSON-like records of 100 B and 1 KiB through `Producer`
//! at durability `fsync`, synced every 1, 10, 100 and 1000 records (one `send_many` call of
//! k records, which appends one batch and syncs once, then its k results), each next to a
//! plain file written and `fdatasync`ed per k records; and this machine's raw fsync latency
//! (4 KiB appends) measured in the same invocation.
//!
//! A call's acknowledgement latency runs from the `send_many` call until all its handles'
//! results are taken. Calls run one at a time on one thread (closed loop), so latencies are
//! service times, never taken at saturation. Runs are bounded by a number of calls (fewer
//! when k records are many bytes), so the sweep stays within two minutes.

use super::{Config, TOPIC, fsync_ceiling, new_log, producer, take_results, temp_dir};
use crate::payload::{self, Kind};
use crate::report::{Report, Row};
use crate::stats::{self, Run, Sample, Summary};
use mqlite::{Durability, FileStorage, Log, Producer, ProducerRecord};
use std::time::Instant;

const INTERVALS: [usize; 4] = [1, 10, 100, 1000];
const VALUE_SIZES: [usize; 2] = [100, 1024];
/// Records in a pool: a multiple of every interval, so a call's records never wrap around.
const POOL_RECORDS: usize = 10_000;
/// Calls (syncs) per run: at most this many...
const CALLS_MAX: u64 = 1000;
/// ...and at most [`BYTES_PER_RUN`] of values, but never fewer than this many calls.
const CALLS_MIN: u64 = 100;
const BYTES_PER_RUN: u64 = 64 * 1024 * 1024;
/// 4 KiB appends per run of the raw fsync probe.
const PROBE_CALLS: u64 = 1000;
const RAW: &str = "raw: write() + fdatasync per call";

/// Syncs per run for values of `size` bytes synced every `k` records.
fn calls(config: &Config, size: usize, k: usize) -> u64 {
    match config.records {
        Some(records) => (records / k as u64).max(1),
        None => (BYTES_PER_RUN / (size * k) as u64).clamp(CALLS_MIN, CALLS_MAX),
    }
}

fn size_name(size: usize) -> String {
    if size.is_multiple_of(1024) {
        format!("{} KiB", size / 1024)
    } else {
        format!("{size} B")
    }
}

/// Runs the scenario.
pub fn run(config: &Config) -> Report {
    let mut rows = Vec::new();
    eprintln!("durability: raw fsync latency, {PROBE_CALLS} appends of 4 KiB per run");
    let mut systems: Vec<Run<'_>> = vec![Box::new(|| fsync_ceiling::probe(config, PROBE_CALLS))];
    let samples = stats::interleaved(config.runs, &mut systems);
    drop(systems);
    rows.push(Row::new(
        "raw: write 4 KiB + fdatasync",
        "this machine's fsync latency",
        "fsyncs",
        PROBE_CALLS,
        Some(PROBE_CALLS * fsync_ceiling::PROBE_BYTES as u64),
        &Summary::of(&samples[0]),
    ));
    let intervals = config.batch.map_or(INTERVALS.to_vec(), |k| vec![k]);
    // A multiple of every interval (of 1, 10, 100 and 1000, or of the one `--batch` names).
    let pool_records = intervals
        .iter()
        .fold(POOL_RECORDS, |n, &k| n.next_multiple_of(k));
    for size in VALUE_SIZES {
        let pool = payload::sized_pool(Kind::JsonLike, size, pool_records);
        let sent = payload::producer_records(&pool);
        for &k in &intervals {
            let calls = calls(config, size, k);
            let records = calls * k as u64;
            eprintln!(
                "durability: {}, fsync every {k} records, {calls} syncs per run",
                size_name(size)
            );
            let mut systems: Vec<Run<'_>> = vec![
                Box::new(|| send_fsync(config, &sent, calls, k)),
                Box::new(|| fsync_ceiling::write_fsync(config, &pool, calls, k)),
            ];
            let samples = stats::interleaved(config.runs, &mut systems);
            drop(systems);
            let scenario = format!("{}, fsync every {k}", size_name(size));
            let bytes = Some(records * size as u64);
            let row = |system: &str, samples: &[Sample]| {
                Row::new(
                    system,
                    &scenario,
                    "records",
                    records,
                    bytes,
                    &Summary::of(samples),
                )
            };
            let raw = row(RAW, &samples[1]);
            rows.push(row("mqlite Producer::send_many", &samples[0]).ratio_to(&raw, "mqlite/raw"));
            rows.push(raw);
        }
    }
    Report {
        scenario: "durability",
        title: "Scenario 2: durability sweep (JSON-like records, one partition)".into(),
        durability: "fsync: every call of k records is synced (fdatasync) before its results \
                     are taken; mqlite through Producer at Durability::Fsync (one send_many of k \
                     records: one batch, one sync), the raw peer one write() + fdatasync"
            .into(),
        runs: config.runs,
        rows,
        notes: vec![
            "p50 / p99 µs: acknowledgement latency of one call of k records (mqlite: from the \
             send_many call until all its results are taken; raw: from copying its bytes to \
             the end of fdatasync), one call at a time on one thread, so never at saturation; \
             the median over runs of each run's percentile. The first row is one 4 KiB append \
             + fdatasync, this machine's raw fsync latency"
                .into(),
            format!(
                "syncs per run: up to {CALLS_MAX}, fewer when that would pass {} MiB of \
                 values, but at least {CALLS_MIN}; count = syncs x k ({PROBE_CALLS} for the \
                 4 KiB probe). Each run starts a fresh log (and file) whose first sync, which \
                 also makes its directories durable, happens before the timed region",
                BYTES_PER_RUN / (1024 * 1024)
            ),
            format!(
                "MB/s counts record values, not framing; the raw peer writes the values alone. \
                 Records are cloned out of a pool of {pool_records} pre-built producer records \
                 per size inside the timed region; producer batch_bytes is {} MiB, never \
                 polled",
                super::PRODUCER_BATCH_BYTES / (1024 * 1024)
            ),
        ],
    }
}

/// Sends `records` in one call and takes every result.
fn send_acked(producer: &mut Producer, log: &mut Log<FileStorage>, records: &[ProducerRecord]) {
    let handles = producer
        .send_many(log, TOPIC, records.iter().cloned())
        .unwrap();
    take_results(producer, handles);
}

fn send_fsync(config: &Config, pool: &[ProducerRecord], calls: u64, k: usize) -> Sample {
    let dir = temp_dir(config);
    let mut log = new_log(&dir);
    let mut producer = producer(Durability::Fsync);
    // Untimed: the segment's first sync also makes its directories durable.
    send_acked(&mut producer, &mut log, payload::batch_at(pool, 0, k));
    let sample = stats::sample_with_latencies(|latencies| {
        for call in 1..=calls {
            let sent = payload::batch_at(pool, call as usize * k, k);
            let start = Instant::now();
            send_acked(&mut producer, &mut log, sent);
            latencies.push(start.elapsed().as_nanos() as u64);
        }
    });
    assert_eq!(
        log.high_watermark(TOPIC, 0).unwrap(),
        ((calls + 1) * k as u64) as i64
    );
    log.close().unwrap();
    sample
}
