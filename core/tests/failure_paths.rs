//! A storage call that fails once (a full disk, an interrupted write) must leave the log
//! consistent: either the call's effect is undone, or the log refuses writes until reopened,
//! and reopening always works. Each test injects one failure with `FaultStorage::fail_once`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test")]

mod common;

use common::{options_at, record};
use mqlite::storage::FaultStorage;
use mqlite::{ErrorCode, Log, LogOptions, TopicConfig};

fn small_segments() -> TopicConfig {
    TopicConfig {
        segment_bytes: 1024,
        index_interval_bytes: 0,
        ..TopicConfig::default()
    }
}

fn log_with(storage: FaultStorage) -> (Log<FaultStorage>, LogOptions) {
    let (options, _) = options_at(1_000);
    (Log::open(storage, options.clone()).unwrap(), options)
}

fn values(log: &Log<FaultStorage>) -> Vec<i64> {
    log.read("t", 0, log.log_start_offset("t", 0).unwrap(), usize::MAX)
        .unwrap()
        .iter()
        .map(|r| r.timestamp_ms)
        .collect()
}

#[test]
fn a_roll_whose_new_segment_fails_to_sync_keeps_appends_in_order() {
    let mut storage = FaultStorage::new();
    storage.fail_once("sync", "00000000000000000001.log", 0, false);
    let (mut log, options) = log_with(storage);
    log.create_topic("t", small_segments()).unwrap();
    log.append("t", 0, &[record(1, 1)]).unwrap();
    assert_eq!(log.roll("t", 0).unwrap_err().code(), ErrorCode::Io);
    log.append("t", 0, &[record(2, 2)]).unwrap();
    assert_eq!(
        log.sync().unwrap_err().code(),
        ErrorCode::Io,
        "a failed sync is not forgotten: no later sync vouches for the partition"
    );
    let log = Log::open(log.into_storage(), options).unwrap();
    assert_eq!(values(&log), [1, 2]);
}

#[test]
fn a_partition_whose_failed_write_could_not_be_undone_refuses_rolls_too() {
    let mut storage = FaultStorage::new();
    storage.fail_once("append", "00000000000000000000.log", 1, true); // a short write
    storage.fail_once("truncate", "00000000000000000000.log", 0, false); // the undo fails
    let (mut log, options) = log_with(storage);
    log.create_topic("t", small_segments()).unwrap();
    log.append("t", 0, &[record(1, 1)]).unwrap();
    assert!(log.append("t", 0, &[record(2, 2)]).is_err());
    assert!(
        log.append("t", 0, &[record(3, 3)]).is_err(),
        "writes are refused"
    );
    assert!(
        log.roll("t", 0).is_err(),
        "so is sealing the torn tail into a sealed segment"
    );
    let log = Log::open(log.into_storage(), options).unwrap();
    assert_eq!(values(&log), [1], "reopening cuts the half-written batch");
}

#[test]
fn retrying_a_create_topic_whose_sync_failed_works() {
    let mut storage = FaultStorage::new();
    storage.fail_once("sync", "topics/t.topic", 0, false);
    let (mut log, options) = log_with(storage);
    assert_eq!(
        log.create_topic("t", small_segments()).unwrap_err().code(),
        ErrorCode::Io
    );
    log.create_topic("t", small_segments()).unwrap();
    log.append("t", 0, &[record(1, 1)]).unwrap();
    let log = Log::open(log.close().unwrap(), options).unwrap();
    assert_eq!(values(&log), [1]);
}

#[test]
fn a_stored_batch_is_reported_stored_even_if_retention_after_its_roll_fails() {
    let mut storage = FaultStorage::new();
    storage.fail_once("remove", "00000000000000000000.log", 0, false);
    let (mut log, _) = log_with(storage);
    log.create_topic(
        "t",
        TopicConfig {
            retention_bytes: Some(1),
            ..small_segments()
        },
    )
    .unwrap();
    let big = || mqlite::Record::with_value(vec![b'x'; 600]).timestamp_ms(1);
    log.append("t", 0, &[big()]).unwrap();
    let info = log.append("t", 0, &[big()]).unwrap(); // rolls; retention's remove fails
    assert_eq!(info.base_offset, 1);
    assert_eq!(log.high_watermark("t", 0).unwrap(), 2);
    // The skipped retention is reported when asked for.
    assert_eq!(log.enforce_retention().unwrap(), 1);
}

#[test]
fn topic_names_differing_only_in_case_are_refused() {
    let (mut log, _) = log_with(FaultStorage::new());
    log.create_topic("orders", TopicConfig::default()).unwrap();
    for other in ["Orders", "ORDERS"] {
        let err = log.create_topic(other, TopicConfig::default()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidTopicName, "{other}");
    }
    assert_eq!(log.topics(), ["orders"]);
}
