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

#[test]
fn a_batch_whose_next_offset_would_overflow_is_damage_not_a_panic() {
    let (options, _) = options_at(0);
    let mut log = Log::in_memory(options.clone()).unwrap();
    log.create_topic("t", TopicConfig::default()).unwrap();
    let mut storage = log.close().unwrap();
    let mut batch = Vec::new();
    mqlite::encoding::batch::encode(i64::MAX, &[record(1, 1)], &Default::default(), &mut batch)
        .unwrap();
    storage
        .files_mut()
        .insert(format!("t-0/{:020}.log", i64::MAX), batch.clone());
    storage
        .files_mut()
        .insert("t-0/00000000000000000000.log".into(), batch);
    let err = Log::open(storage, options).unwrap_err();
    assert_eq!(err.code(), ErrorCode::CorruptLog);
}

#[test]
fn huge_metadata_or_index_files_are_never_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    log.create_topic("t", TopicConfig::default()).unwrap();
    log.append("t", 0, &[record(1, 1)]).unwrap();
    log.close().unwrap();
    // A sparse 1 TiB index: derived data, so rebuilt.
    std::fs::File::create(file(dir.path(), "index"))
        .unwrap()
        .set_len(1 << 40)
        .unwrap();
    let log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    assert_eq!(log.read("t", 0, 0, 100).unwrap().len(), 1);
    log.close().unwrap();
    let index_len = std::fs::metadata(file(dir.path(), "index")).map_or(0, |m| m.len());
    assert!(
        index_len < 100,
        "the stale index is gone ({index_len} bytes)"
    );
    // A 1 TiB mqlite.meta: damage, reported.
    let meta = dir.path().join(mqlite::log::META_FILE_NAME);
    std::fs::OpenOptions::new()
        .write(true)
        .open(&meta)
        .unwrap()
        .set_len(1 << 40)
        .unwrap();
    let err = Log::open_dir(dir.path(), LogOptions::default()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::CorruptLog);
}

#[test]
fn a_torn_batch_whose_value_holds_an_encoded_batch_is_still_torn() {
    let (options, _) = options_at(0);
    let mut inner = Vec::new();
    mqlite::encoding::batch::encode(1_000, &[record(5, 5)], &Default::default(), &mut inner)
        .unwrap();
    inner.extend(std::iter::repeat_n(b'.', 300));
    let mut log = Log::in_memory(options.clone()).unwrap();
    log.create_topic("t", TopicConfig::default()).unwrap();
    log.append("t", 0, &[record(1, 1)]).unwrap();
    log.append("t", 0, &[Record::with_value(inner).timestamp_ms(2)])
        .unwrap();
    let mut storage = log.close().unwrap();
    let segment = storage
        .files_mut()
        .get_mut(&format!("{SEGMENT}.log"))
        .unwrap();
    segment.truncate(segment.len() - 10); // the write was cut short
    let log = Log::open(storage, options).unwrap();
    assert_eq!(log.high_watermark("t", 0).unwrap(), 1);
}

#[test]
fn a_damaged_index_entry_never_breaks_reads_and_repair_rebuilds_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    log.create_topic("t", indexed_every_batch()).unwrap();
    for i in 0..5 {
        log.append("t", 0, &[record(i, 1)]).unwrap();
    }
    log.close().unwrap();
    let index = file(dir.path(), "index");
    let mut bytes = std::fs::read(&index).unwrap();
    bytes[8 + 7] ^= 0x01; // the entry for offset 2 now points one byte into its batch
    std::fs::write(&index, &bytes).unwrap();
    let log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    assert_eq!(log.read("t", 0, 2, usize::MAX).unwrap()[0].offset, 2);
    assert_eq!(log.offset_for_timestamp("t", 0, 1).unwrap(), Some(0));
    drop(log);
    assert!(
        Log::repair_dir(dir.path()).unwrap().is_empty(),
        "no records needed cutting"
    );
    drop(Log::open_dir(dir.path(), LogOptions::default()).unwrap());
    assert_ne!(
        std::fs::read(&index).unwrap(),
        bytes,
        "the index was rebuilt"
    );
}

#[test]
fn an_index_pointing_into_record_bytes_is_stale_whatever_the_bytes_say() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    log.create_topic("t", TopicConfig::default()).unwrap();
    log.append("t", 0, &[record(1, 1)]).unwrap();
    log.append(
        "t",
        0,
        &[Record::with_value(vec![b'x'; 1000]).timestamp_ms(2)],
    )
    .unwrap();
    log.close().unwrap();
    // One entry pointing into the value: byte 16 from there is 'x', no magic this build knows.
    let mut entry = 1u32.to_be_bytes().to_vec();
    entry.extend_from_slice(&300u32.to_be_bytes());
    std::fs::write(file(dir.path(), "index"), &entry).unwrap();
    let mut time_entry = 1i64.to_be_bytes().to_vec();
    time_entry.extend_from_slice(&1u32.to_be_bytes());
    std::fs::write(file(dir.path(), "timeindex"), &time_entry).unwrap();
    let log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    assert_eq!(log.read("t", 0, 0, usize::MAX).unwrap().len(), 2);
}

#[test]
fn repair_removes_a_segment_that_starts_past_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    log.create_topic("t", TopicConfig::default()).unwrap();
    for i in 0..3 {
        log.append("t", 0, &[record(i, 1)]).unwrap();
        log.roll("t", 0).unwrap();
    }
    log.close().unwrap();
    std::fs::remove_file(dir.path().join("t-0/00000000000000000001.log")).unwrap();
    assert_eq!(
        Log::open_dir(dir.path(), LogOptions::default())
            .unwrap_err()
            .code(),
        ErrorCode::CorruptLog
    );
    let actions = Log::repair_dir(dir.path()).unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].high_watermark, 1, "{actions:?}");
    let mut log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    assert_eq!(log.high_watermark("t", 0).unwrap(), 1);
    assert_eq!(log.append("t", 0, &[record(9, 1)]).unwrap().base_offset, 1);
}

#[test]
fn a_sealed_segments_rebuilt_index_is_written_back() {
    let (options, _) = options_at(0);
    let mut log = Log::in_memory(options.clone()).unwrap();
    log.create_topic("t", indexed_every_batch()).unwrap();
    for i in 0..4 {
        log.append("t", 0, &[record(i, 1)]).unwrap();
    }
    log.roll("t", 0).unwrap();
    log.append("t", 0, &[record(9, 1)]).unwrap();
    let mut storage = log.close().unwrap();
    let time_index = format!("{SEGMENT}.timeindex");
    storage.files_mut().get_mut(&time_index).unwrap().pop(); // torn
    let log = Log::open(storage, options).unwrap();
    let storage = log.close().unwrap();
    let index = &storage.files()[&format!("{SEGMENT}.index")];
    assert_eq!(index.len(), 3 * 8, "segment 0's offset index is back");
    assert_eq!(storage.files()[&time_index].len() % 12, 0);
}
