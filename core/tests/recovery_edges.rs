//! Regression tests for recovery edge cases found in review: each names the failure it
//! guards against.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test")]

mod common;

use common::{options_at, record};
use mqlite::storage::LOCK_FILE_NAME;
use mqlite::{Compression, ErrorCode, Log, LogOptions, MemoryStorage, Record, TopicConfig};
use std::path::Path;

const SEGMENT: &str = "t-0/00000000000000000000";

fn indexed_every_batch() -> TopicConfig {
    TopicConfig {
        index_interval_bytes: 0,
        ..TopicConfig::default()
    }
}

fn batch_ends(log: &Log<mqlite::FileStorage>) -> Vec<u64> {
    let mut end = 0;
    log.read_batches("t", 0, 0, usize::MAX)
        .unwrap()
        .iter()
        .map(|b| {
            end += b.header.size_bytes() as u64;
            end
        })
        .collect()
}

fn file(dir: &Path, extension: &str) -> std::path::PathBuf {
    dir.join(format!("{SEGMENT}.{extension}"))
}

#[test]
fn lz4_batches_too_large_once_decompressed_are_refused_at_append() {
    let (options, _) = options_at(0);
    let mut log = Log::in_memory(options).unwrap();
    log.create_topic(
        "t",
        TopicConfig {
            compression: Compression::Lz4,
            ..TopicConfig::default()
        },
    )
    .unwrap();
    let big = Record::with_value(vec![0u8; mqlite::limits::RECORD_BYTES_MAX - 100]);
    let err = log
        .append("t", 0, &[big.clone(), big.clone(), big])
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::BatchTooLarge);
    assert_eq!(log.high_watermark("t", 0).unwrap(), 0);
}

#[test]
fn index_entries_for_batches_that_never_reached_the_disk_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let (options, clock) = options_at(0);
    let mut log = Log::open_dir(dir.path(), options.clone()).unwrap();
    let config = TopicConfig {
        retention_ms: Some(1_000),
        ..indexed_every_batch()
    };
    log.create_topic("t", config).unwrap();
    for ts in [100, 200, 300, 400, 500] {
        log.append("t", 0, &[record(ts as u64, ts)]).unwrap();
    }
    let ends = batch_ends(&log);
    log.close().unwrap();
    // The index kept all five batches; the log kept three, cleanly.
    let log_file = std::fs::OpenOptions::new()
        .write(true)
        .open(file(dir.path(), "log"))
        .unwrap();
    log_file.set_len(ends[2]).unwrap();
    let mut log = Log::open_dir(dir.path(), options).unwrap();
    assert_eq!(log.high_watermark("t", 0).unwrap(), 3);
    assert_eq!(
        log.offset_for_timestamp("t", 0, 301).unwrap(),
        None,
        "a lost record was found"
    );
    // The newest surviving record is 300: past 1300 the sealed segment has expired. Stale
    // entries would claim 500 and keep it.
    log.roll("t", 0).unwrap();
    clock.set_ms(1_350);
    assert_eq!(log.enforce_retention().unwrap(), 1);
    log.close().unwrap();
}

#[test]
fn a_lost_time_index_beside_a_whole_offset_index_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    log.create_topic("t", indexed_every_batch()).unwrap();
    // The newest timestamp comes first, as a producer with a fast clock might send it.
    for ts in [1_000, 10, 20, 30, 40] {
        log.append("t", 0, &[record(ts as u64, ts)]).unwrap();
    }
    log.close().unwrap();
    for damage in ["remove", "truncate"] {
        let path = file(dir.path(), "timeindex");
        match damage {
            "remove" => std::fs::remove_file(&path).unwrap(),
            _ => std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .unwrap()
                .set_len(12)
                .unwrap(),
        }
        let log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
        assert_eq!(
            log.offset_for_timestamp("t", 0, 250).unwrap(),
            Some(0),
            "{damage}"
        );
        assert_eq!(
            log.offset_for_timestamp("t", 0, 25).unwrap(),
            Some(0),
            "{damage}"
        );
        log.close().unwrap();
    }
}

#[test]
fn offsets_never_restart_when_retention_removes_every_sealed_segment() {
    let dir = tempfile::tempdir().unwrap();
    let (options, clock) = options_at(10_000);
    let mut log = Log::open_dir(dir.path(), options.clone()).unwrap();
    log.create_topic(
        "t",
        TopicConfig {
            retention_ms: Some(1_000),
            ..TopicConfig::default()
        },
    )
    .unwrap();
    for i in 0..5 {
        log.append("t", 0, &[record(i, 10_000)]).unwrap();
    }
    log.roll("t", 0).unwrap();
    clock.advance_ms(5_000);
    assert_eq!(log.enforce_retention().unwrap(), 1);
    drop(log);
    std::fs::remove_file(dir.path().join(LOCK_FILE_NAME)).ok();
    let mut log = Log::open_dir(dir.path(), options).unwrap();
    assert_eq!(log.log_start_offset("t", 0).unwrap(), 5);
    assert_eq!(log.high_watermark("t", 0).unwrap(), 5);
    assert_eq!(
        log.append("t", 0, &[record(9, 15_000)])
            .unwrap()
            .base_offset,
        5
    );
}

#[test]
fn zero_filled_metadata_of_an_unfinished_create_is_a_torn_create() {
    let (options, _) = options_at(0);
    let mut zeros = MemoryStorage::new();
    zeros.files_mut().insert(
        mqlite::log::META_FILE_NAME.into(),
        vec![0; mqlite::log::META_FILE_BYTES],
    );
    let mut log = Log::open(zeros, options.clone()).unwrap();
    log.create_topic("kept", TopicConfig::default()).unwrap();
    let mut storage = log.close().unwrap();
    storage.files_mut().insert(
        "topics/unfinished.topic".into(),
        vec![0; mqlite::log::topic::TOPIC_META_BYTES],
    );
    let log = Log::open(storage, options).unwrap();
    assert_eq!(log.topics(), ["kept"]);
    assert!(
        !log.storage()
            .files()
            .contains_key("topics/unfinished.topic"),
        "the torn create is cleared"
    );
}

#[test]
fn a_batch_of_an_unknown_format_at_the_tail_is_reported_never_cut_away() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    log.create_topic("t", TopicConfig::default()).unwrap();
    for i in 0..3 {
        log.append("t", 0, &[record(i, 1)]).unwrap();
    }
    let ends = batch_ends(&log);
    log.close().unwrap();
    let path = file(dir.path(), "log");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[ends[1] as usize + 16] = 0x6E; // the last batch claims a format from the future
    std::fs::write(&path, &bytes).unwrap();
    let err = Log::open_dir(dir.path(), LogOptions::default()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::UnsupportedFormatVersion);
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        bytes.len() as u64,
        "nothing was cut"
    );
}
