//! Scenario 3, reads from the page cache: a sequential scan of every record (through
//! `Log::read` and through `Log::read_batches`), random reads by offset, and seeks by
//! timestamp, each next to a ceiling that reads the same segment files with no engine.
//!
//! Setup (untimed): 100 B JSON-like records appended in batches of 256, record `i` stamped
//! `BASE_TIMESTAMP_MS + i`; the log is closed and reopened, so reads start from a recovered
//! log whose files sit in the page cache.

use super::read_ceiling::Ceiling;
use super::{Config, TOPIC, new_log, temp_dir, whole_batches};
use crate::payload::{self, BASE_TIMESTAMP_MS, Kind, RECORD_BYTES, Rng, SEED};
use crate::report::{Report, Row};
use crate::stats::{self, Run, Sample, Summary};
use mqlite::{FileStorage, Log, LogOptions, Record};
use std::time::Instant;

const DEFAULT_RECORDS: u64 = 5_000_000;
const SETUP_BATCH: usize = 256;
/// `max_bytes` of every scan call, and the ceiling's read size.
pub const SCAN_MAX_BYTES: usize = 1024 * 1024;
const RANDOM_READS: usize = 100_000;
const TIMESTAMP_SEEKS: usize = 10_000;

/// Runs the scenario.
pub fn run(config: &Config) -> Report {
    let records = whole_batches(config.records.unwrap_or(DEFAULT_RECORDS), SETUP_BATCH);
    let dir = temp_dir(config);
    eprintln!("scan: writing {records} records in batches of {SETUP_BATCH} (untimed)");
    write_log(&dir, records);
    let opened = Instant::now();
    let log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    let open_s = opened.elapsed().as_secs_f64();
    let ceiling = Ceiling::open(&dir.path().join(format!("{TOPIC}-0")));
    let hw = log.high_watermark(TOPIC, 0).unwrap();
    assert_eq!(hw, records as i64);
    let stored_bytes: u64 = ceiling.batches.iter().map(|b| b.size as u64).sum();

    let mut rng = Rng::new(SEED ^ 0x5ca7);
    let offsets: Vec<i64> = (0..RANDOM_READS)
        .map(|_| rng.below(hw as u64) as i64)
        .collect();
    let timestamps: Vec<i64> = (0..TIMESTAMP_SEEKS)
        .map(|_| BASE_TIMESTAMP_MS + rng.below(hw as u64) as i64)
        .collect();

    let value_bytes = Some(records * RECORD_BYTES as u64);
    let mut rows = Vec::new();

    eprintln!("scan: sequential scans");
    let mut systems: Vec<Run<'_>> = vec![
        Box::new(|| stats::sample(|| assert_eq!(scan_records(&log), records))),
        Box::new(|| stats::sample(|| assert_eq!(scan_batches(&log), records))),
        Box::new(|| stats::sample(|| assert_eq!(ceiling.scan(), records))),
    ];
    let scans = stats::interleaved(config.runs, &mut systems);
    drop(systems);
    let scenario = format!("sequential scan, max_bytes {} KiB", SCAN_MAX_BYTES / 1024);
    let scan_row = |system: &str, samples: &[Sample]| {
        Row::new(
            system,
            &scenario,
            "records",
            records,
            value_bytes,
            &Summary::of(samples),
        )
    };
    let scan_ceiling = scan_row("ceiling: pread 1 MiB + walk + CRC-32", &scans[2]);
    rows.push(scan_row("mqlite Log::read", &scans[0]).ratio_to(&scan_ceiling, "mqlite/ceiling"));
    rows.push(
        scan_row("mqlite Log::read_batches", &scans[1]).ratio_to(&scan_ceiling, "mqlite/ceiling"),
    );
    rows.push(scan_ceiling);

    eprintln!("scan: {RANDOM_READS} random reads by offset");
    let mut systems: Vec<Run<'_>> = vec![
        Box::new(|| random_reads(&log, &offsets)),
        Box::new(|| ceiling.random_reads(&offsets)),
    ];
    let reads = stats::interleaved(config.runs, &mut systems);
    drop(systems);
    rows.extend(lookup_rows(
        "random read by offset, max_bytes 1",
        "mqlite Log::read",
        "ceiling: table + pread batch + CRC-32",
        &reads,
    ));

    eprintln!("scan: {TIMESTAMP_SEEKS} seeks by timestamp");
    let mut systems: Vec<Run<'_>> = vec![
        Box::new(|| timestamp_seeks(&log, &timestamps)),
        Box::new(|| ceiling.timestamp_seeks(&timestamps)),
    ];
    let seeks = stats::interleaved(config.runs, &mut systems);
    drop(systems);
    rows.extend(lookup_rows(
        "seek by timestamp",
        "mqlite Log::offset_for_timestamp",
        "ceiling: table + pread batch + CRC-32",
        &seeks,
    ));

    Report {
        scenario: "scan",
        title: format!(
            "Scenario 3: reads ({records} records of 100 B, written in batches of {SETUP_BATCH})"
        ),
        durability: "n/a: reads from the page cache (the log was written with durability \
                     `write`, closed, and reopened before timing)"
            .into(),
        runs: config.runs,
        rows,
        notes: vec![
            format!(
                "stored: {:.1} MB in {} batches ({:.1} B per record); reopening the log after \
                 a clean close took {:.1} ms",
                stored_bytes as f64 / 1e6,
                ceiling.batches.len(),
                stored_bytes as f64 / records as f64,
                open_s * 1e3
            ),
            "scan rows: one call per max_bytes until the high watermark; MB/s counts record \
             values (100 B each). The ceiling reads the segment files in 1 MiB chunks, walks \
             the batch headers and checks every batch's CRC, without decoding records"
                .into(),
            format!(
                "lookup rows: {RANDOM_READS} seeded random offsets / {TIMESTAMP_SEEKS} seeded \
                 timestamps per run, one call at a time on one thread; p50/p99 are one call's \
                 service time (not under saturation). The ceiling keeps a table of every \
                 batch in memory, binary-searches it, preads that one batch and checks its CRC \
                 (it does not decode records)"
            ),
        ],
    }
}

fn write_log(dir: &tempfile::TempDir, records: u64) {
    let pool = payload::pool(Kind::JsonLike);
    let mut log = new_log(dir);
    let mut batch: Vec<Record> = Vec::with_capacity(SETUP_BATCH);
    for first in (0..records).step_by(SETUP_BATCH) {
        batch.clear();
        for offset in first..first + SETUP_BATCH as u64 {
            let record = &pool[offset as usize % pool.len()];
            batch.push(
                record
                    .clone()
                    .timestamp_ms(BASE_TIMESTAMP_MS + offset as i64),
            );
        }
        log.append(TOPIC, 0, &batch).unwrap();
    }
    log.close().unwrap();
}

/// Scans with `Log::read`; returns the records seen.
fn scan_records(log: &Log<FileStorage>) -> u64 {
    let hw = log.high_watermark(TOPIC, 0).unwrap();
    let (mut offset, mut count, mut value_bytes) = (0i64, 0u64, 0usize);
    while offset < hw {
        let records = log.read(TOPIC, 0, offset, SCAN_MAX_BYTES).unwrap();
        count += records.len() as u64;
        value_bytes += records
            .iter()
            .map(|r| r.value.as_ref().map_or(0, bytes::Bytes::len))
            .sum::<usize>();
        offset = records.last().unwrap().offset + 1;
    }
    std::hint::black_box(value_bytes);
    count
}

/// Scans with `Log::read_batches`; returns the records seen.
fn scan_batches(log: &Log<FileStorage>) -> u64 {
    let hw = log.high_watermark(TOPIC, 0).unwrap();
    let (mut offset, mut count, mut value_bytes) = (0i64, 0u64, 0usize);
    while offset < hw {
        let batches = log.read_batches(TOPIC, 0, offset, SCAN_MAX_BYTES).unwrap();
        for batch in &batches {
            count += batch.records.len() as u64;
            value_bytes += batch
                .records
                .iter()
                .map(|r| r.value.as_ref().map_or(0, bytes::Bytes::len))
                .sum::<usize>();
        }
        offset = batches.last().unwrap().header.next_offset();
    }
    std::hint::black_box(value_bytes);
    count
}

fn random_reads(log: &Log<FileStorage>, offsets: &[i64]) -> Sample {
    stats::sample_with_latencies(|latencies| {
        for &offset in offsets {
            let start = Instant::now();
            let records = log.read(TOPIC, 0, offset, 1).unwrap();
            latencies.push(start.elapsed().as_nanos() as u64);
            assert_eq!(records.first().unwrap().offset, offset);
        }
    })
}

fn timestamp_seeks(log: &Log<FileStorage>, timestamps: &[i64]) -> Sample {
    stats::sample_with_latencies(|latencies| {
        for &timestamp in timestamps {
            let start = Instant::now();
            let found = log.offset_for_timestamp(TOPIC, 0, timestamp).unwrap();
            latencies.push(start.elapsed().as_nanos() as u64);
            assert_eq!(found, Some(timestamp - BASE_TIMESTAMP_MS));
        }
    })
}

fn lookup_rows(scenario: &str, engine: &str, ceiling: &str, samples: &[Vec<Sample>]) -> [Row; 2] {
    let count = |s: &[Sample]| s.first().map_or(0, |s| s.latencies_ns.len() as u64);
    let ceiling_row = Row::new(
        ceiling,
        scenario,
        "lookups",
        count(&samples[1]),
        None,
        &Summary::of(&samples[1]),
    );
    let engine_row = Row::new(
        engine,
        scenario,
        "lookups",
        count(&samples[0]),
        None,
        &Summary::of(&samples[0]),
    )
    .ratio_to(&ceiling_row, "mqlite/ceiling");
    [engine_row, ceiling_row]
}
