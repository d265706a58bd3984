//! The `Log` facade through real files: topics, append, read, reopen, rolls, retention,
//! timestamps, indexes, locks, and the typed errors for bad input.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test")]

mod common;

use common::{options_at, record, same_content};
use mqlite::log::PartitionInfo;
use mqlite::{Compression, Error, ErrorCode, Log, LogOptions, Record, TimestampType, TopicConfig};

fn small_segments(partitions: u32) -> TopicConfig {
    TopicConfig {
        partitions,
        segment_bytes: 2048,
        index_interval_bytes: 256,
        ..TopicConfig::default()
    }
}

#[test]
fn records_survive_close_and_reopen_with_their_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let (options, _) = options_at(1_000);
    let mut log = Log::open_dir(dir.path(), options.clone()).unwrap();
    log.create_topic(
        "orders",
        TopicConfig {
            compression: Compression::Lz4,
            ..small_segments(3)
        },
    )
    .unwrap();
    let mut sent = vec![Vec::new(); 3];
    for i in 0..60u64 {
        let partition = (i % 3) as u32;
        let batch: Vec<Record> = (0..(i % 4 + 1))
            .map(|j| record(i * 10 + j, 1_000 + i as i64))
            .collect();
        let info = log.append("orders", partition, &batch).unwrap();
        assert_eq!(info.base_offset, sent[partition as usize].len() as i64);
        assert_eq!(info.last_offset, info.base_offset + batch.len() as i64 - 1);
        sent[partition as usize].extend(batch);
    }
    log.close().unwrap();

    let log = Log::open_dir(dir.path(), options).unwrap();
    assert_eq!(log.topics(), ["orders"]);
    let description = log.describe("orders").unwrap();
    assert_eq!(description.config.compression, Compression::Lz4);
    for (p, sent) in sent.iter().enumerate() {
        let info: PartitionInfo = description.partitions[p];
        assert_eq!(
            (info.log_start_offset, info.high_watermark),
            (0, sent.len() as i64)
        );
        assert!(info.segments > 1, "2 KiB segments must have rolled");
        let got = log.read("orders", p as u32, 0, usize::MAX).unwrap();
        assert_eq!(got.len(), sent.len());
        for (offset, (g, s)) in got.iter().zip(sent).enumerate() {
            assert_eq!(g.offset, offset as i64);
            assert_eq!(g.timestamp_ms, s.timestamp_ms);
            assert!(same_content(g, s), "offset {offset}");
        }
    }
}

#[test]
fn reads_start_at_any_offset_and_respect_the_byte_budget() {
    let (options, _) = options_at(0);
    let mut log = Log::in_memory(options).unwrap();
    log.create_topic("t", small_segments(1)).unwrap();
    for i in 0..40u64 {
        log.append("t", 0, &[record(i, 0), record(i + 100, 0)])
            .unwrap();
    }
    for start in [0, 1, 2, 37, 79] {
        let got = log.read("t", 0, start, usize::MAX).unwrap();
        assert_eq!(got.first().map(|r| r.offset), Some(start));
        assert_eq!(got.len() as i64, 80 - start);
    }
    // A tiny budget still returns one whole batch, so a reader always makes progress.
    let one = log.read_batches("t", 0, 5, 1).unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].header.base_offset, 4);
    let some = log.read_batches("t", 0, 0, 1000).unwrap();
    let used: usize = some.iter().map(|b| b.header.size_bytes()).sum();
    assert!(
        some.len() > 1 && used <= 1000,
        "{} batches, {used} bytes",
        some.len()
    );
    assert!(
        log.read("t", 0, 80, 100).unwrap().is_empty(),
        "the high watermark reads as empty"
    );
}

#[test]
fn offsets_outside_the_log_are_typed_errors() {
    let (options, _) = options_at(0);
    let mut log = Log::in_memory(options).unwrap();
    log.create_topic("t", TopicConfig::default()).unwrap();
    log.append("t", 0, &[record(1, 0)]).unwrap();
    for offset in [-1, 2, i64::MAX] {
        match log.read("t", 0, offset, 100) {
            Err(Error::OffsetOutOfRange {
                log_start_offset: 0,
                high_watermark: 1,
                ..
            }) => {}
            other => panic!("offset {offset}: {other:?}"),
        }
    }
}

#[test]
fn bad_input_gets_typed_errors_and_changes_nothing() {
    let (options, _) = options_at(0);
    let mut log = Log::in_memory(options).unwrap();
    for bad in ["", ".", "..", "has space", "slash/y", &"n".repeat(250)] {
        assert_eq!(
            log.create_topic(bad, TopicConfig::default())
                .unwrap_err()
                .code(),
            ErrorCode::InvalidTopicName
        );
    }
    assert_eq!(
        log.create_topic("t", TopicConfig::with_partitions(0))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidConfig
    );
    log.create_topic("t", TopicConfig::with_partitions(2))
        .unwrap();
    assert_eq!(
        log.create_topic("t", TopicConfig::default())
            .unwrap_err()
            .code(),
        ErrorCode::TopicExists
    );
    assert_eq!(
        log.append("nope", 0, &[record(1, 0)]).unwrap_err().code(),
        ErrorCode::TopicNotFound
    );
    assert_eq!(
        log.read("nope", 0, 0, 1).unwrap_err().code(),
        ErrorCode::TopicNotFound
    );
    match log.append("t", 2, &[record(1, 0)]) {
        Err(Error::PartitionNotFound {
            partition: 2,
            partitions: 2,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    let huge = Record::with_value(vec![7u8; mqlite::limits::RECORD_BYTES_MAX]);
    assert_eq!(
        log.append("t", 0, &[huge]).unwrap_err().code(),
        ErrorCode::RecordTooLarge
    );
    assert_eq!(
        log.append("t", 0, &[]).unwrap_err().code(),
        ErrorCode::InvalidRecord
    );
    let too_late = mqlite::limits::TIMESTAMP_MS_MAX + 1;
    for timestamp_ms in [-5, too_late] {
        let batch = [record(1, 0), record(2, timestamp_ms)];
        assert_eq!(
            log.append("t", 0, &batch).unwrap_err().code(),
            ErrorCode::InvalidRecord
        );
    }
    // None of that wrote anything.
    assert_eq!(log.high_watermark("t", 0).unwrap(), 0);
    assert_eq!(log.append("t", 0, &[record(1, 0)]).unwrap().base_offset, 0);
}

#[test]
fn a_directory_that_is_not_a_log_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"mine").unwrap();
    let err = Log::open_dir(dir.path(), LogOptions::default()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotALog);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        ["notes.txt"],
        "nothing was created in a foreign directory"
    );
}

#[test]
fn a_second_writer_in_another_process_is_told_who_holds_the_lock() {
    if let Ok(path) = std::env::var("MQLITE_TEST_LOCK_PROBE") {
        // Child mode: try to open as a second writer and report the code.
        let err = Log::open_dir(&path, LogOptions::default()).unwrap_err();
        println!("probe-result {} {err}", err.code());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let _writer = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_second_writer_in_another_process_is_told_who_holds_the_lock",
            "--nocapture",
        ])
        .env("MQLITE_TEST_LOCK_PROBE", dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("probe-result"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.contains("LOG_LOCKED"), "{line}");
    assert!(
        line.contains(&format!("pid {}", std::process::id())),
        "holder not named: {line}"
    );
    // Readers need no lock.
    let reader = Log::open_dir(
        dir.path(),
        LogOptions {
            read_only: true,
            ..LogOptions::default()
        },
    )
    .unwrap();
    assert!(reader.topics().is_empty());
}

#[test]
fn read_only_opens_refuse_writes() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    log.create_topic("t", TopicConfig::default()).unwrap();
    log.append("t", 0, &[record(1, 5)]).unwrap();
    log.sync().unwrap();
    let mut reader = Log::open_dir(
        dir.path(),
        LogOptions {
            read_only: true,
            ..LogOptions::default()
        },
    )
    .unwrap();
    assert_eq!(reader.read("t", 0, 0, 100).unwrap().len(), 1);
    assert_eq!(
        reader.append("t", 0, &[record(2, 5)]).unwrap_err(),
        Error::ReadOnly
    );
    assert_eq!(
        reader
            .create_topic("u", TopicConfig::default())
            .unwrap_err(),
        Error::ReadOnly
    );
}

#[test]
fn deleted_topics_are_gone_and_a_new_topic_of_that_name_starts_empty() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    log.create_topic("t", small_segments(2)).unwrap();
    for i in 0..30 {
        log.append("t", i % 2, &[record(u64::from(i), 1)]).unwrap();
    }
    log.delete_topic("t").unwrap();
    assert_eq!(
        log.delete_topic("t").unwrap_err().code(),
        ErrorCode::TopicNotFound
    );
    assert!(!dir.path().join("t-0").exists() && !dir.path().join("topics/t.topic").exists());
    log.create_topic("t", TopicConfig::default()).unwrap();
    assert_eq!(log.high_watermark("t", 0).unwrap(), 0);
    drop(log);
    let log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    assert_eq!(log.describe("t").unwrap().partitions.len(), 1);
}

#[test]
fn segments_roll_by_age() {
    let (options, clock) = options_at(10_000);
    let mut log = Log::in_memory(options).unwrap();
    log.create_topic(
        "t",
        TopicConfig {
            segment_ms: Some(1_000),
            ..TopicConfig::default()
        },
    )
    .unwrap();
    log.append("t", 0, &[record(1, 10_000)]).unwrap();
    clock.advance_ms(999);
    log.append("t", 0, &[record(2, 10_999)]).unwrap();
    assert_eq!(log.describe("t").unwrap().partitions[0].segments, 1);
    clock.advance_ms(1);
    log.append("t", 0, &[record(3, 11_000)]).unwrap();
    assert_eq!(log.describe("t").unwrap().partitions[0].segments, 2);
}

#[test]
fn retention_by_bytes_deletes_whole_old_segments_never_the_active_one() {
    let (options, _) = options_at(0);
    let mut log = Log::in_memory(options).unwrap();
    let config = TopicConfig {
        retention_bytes: Some(4096),
        ..small_segments(1)
    };
    log.create_topic("t", config).unwrap();
    for i in 0..200u64 {
        log.append("t", 0, &[record(i, 0)]).unwrap();
    }
    let info = log.describe("t").unwrap().partitions[0];
    assert!(info.log_start_offset > 0, "old segments must have gone");
    // Kafka's rule: keep while (total - oldest) < retention.bytes; the active one grows on top.
    assert!(
        info.size_bytes < 4096 + 2 * 2048,
        "{} bytes kept",
        info.size_bytes
    );
    // An explicit pass also counts the grown active segment, as Kafka's size does.
    log.enforce_retention().unwrap();
    let after = log.describe("t").unwrap().partitions[0];
    assert!(
        after.size_bytes < 4096 + 2048 && after.high_watermark == 200,
        "{after:?}"
    );
    let kept = log
        .read("t", 0, after.log_start_offset, usize::MAX)
        .unwrap();
    assert_eq!(kept.len() as i64, 200 - after.log_start_offset);
    assert_eq!(
        log.read("t", 0, 0, 10).unwrap_err().code(),
        ErrorCode::OffsetOutOfRange
    );
}

#[test]
fn retention_by_age_uses_the_newest_record_of_each_segment() {
    let (options, clock) = options_at(100_000);
    let mut log = Log::in_memory(options).unwrap();
    log.create_topic(
        "t",
        TopicConfig {
            retention_ms: Some(10_000),
            ..small_segments(1)
        },
    )
    .unwrap();
    for i in 0..60u64 {
        log.append("t", 0, &[record(i, 100_000 + i as i64)])
            .unwrap();
    }
    let segments_before = log.describe("t").unwrap().partitions[0].segments;
    assert!(segments_before > 2);
    assert_eq!(log.enforce_retention().unwrap(), 0, "nothing is old yet");
    clock.set_ms(100_000 + 60 + 10_001);
    let removed = log.enforce_retention().unwrap();
    assert_eq!(
        removed,
        segments_before - 1,
        "all but the active segment expire"
    );
    assert_eq!(log.describe("t").unwrap().partitions[0].high_watermark, 60);
}

#[test]
fn seek_by_timestamp_finds_the_first_offset_at_or_after_it() {
    let (options, _) = options_at(0);
    let mut log = Log::in_memory(options).unwrap();
    log.create_topic("t", small_segments(1)).unwrap();
    // Create times out of order, as producers send them.
    let timestamps: Vec<i64> = (0..300).map(|i| 1_000 + (i * 37 % 101) + i / 3).collect();
    for chunk in timestamps.chunks(3) {
        let batch: Vec<Record> = chunk.iter().map(|&ts| record(ts as u64, ts)).collect();
        log.append("t", 0, &batch).unwrap();
    }
    for target in [0, 1_000, 1_050, 1_100, 1_150, 1_199, 1_200, 5_000] {
        let expected = timestamps
            .iter()
            .position(|&ts| ts >= target)
            .map(|i| i as i64);
        assert_eq!(
            log.offset_for_timestamp("t", 0, target).unwrap(),
            expected,
            "target {target}"
        );
    }
}

#[test]
fn log_append_time_is_stamped_and_monotonic() {
    let (options, clock) = options_at(50_000);
    let mut log = Log::in_memory(options).unwrap();
    let config = TopicConfig {
        timestamp_type: TimestampType::LogAppendTime,
        ..TopicConfig::default()
    };
    log.create_topic("t", config).unwrap();
    let first = log.append("t", 0, &[record(1, 7)]).unwrap();
    assert_eq!(first.log_append_time_ms, Some(50_000));
    clock.set_ms(40_000); // the wall clock steps back
    let second = log.append("t", 0, &[record(2, 7)]).unwrap();
    assert_eq!(second.log_append_time_ms, Some(50_000));
    clock.set_ms(60_000);
    log.append("t", 0, &[record(3, 7)]).unwrap();
    let stamps: Vec<i64> = log
        .read("t", 0, 0, usize::MAX)
        .unwrap()
        .iter()
        .map(|r| r.timestamp_ms)
        .collect();
    assert_eq!(stamps, [50_000, 50_000, 60_000]);
    assert_eq!(log.offset_for_timestamp("t", 0, 50_001).unwrap(), Some(2));
}

#[test]
fn missing_or_stale_indexes_are_rebuilt_from_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    log.create_topic(
        "t",
        TopicConfig {
            segment_bytes: 64 * 1024,
            index_interval_bytes: 128,
            ..TopicConfig::default()
        },
    )
    .unwrap();
    for i in 0..300u64 {
        log.append("t", 0, &[record(i, i as i64)]).unwrap();
    }
    log.close().unwrap();
    let index = dir.path().join("t-0/00000000000000000000.index");
    let full_len = std::fs::metadata(&index).unwrap().len();
    assert!(full_len > 8 * 10, "the index has entries");

    // Stale: entries that point into the middle of batches.
    let garbage: Vec<u8> = (0..10u32)
        .flat_map(|i| [i.to_be_bytes(), (i * 13 + 5).to_be_bytes()].concat())
        .collect();
    std::fs::write(&index, &garbage).unwrap();
    let log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    assert_eq!(log.read("t", 0, 150, usize::MAX).unwrap().len(), 150);
    log.close().unwrap();
    assert_eq!(
        std::fs::metadata(&index).unwrap().len(),
        full_len,
        "rebuilt index written back"
    );

    // Missing.
    std::fs::remove_file(&index).unwrap();
    std::fs::remove_file(dir.path().join("t-0/00000000000000000000.timeindex")).unwrap();
    let log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    assert_eq!(log.read("t", 0, 299, 100).unwrap()[0].offset, 299);
    assert_eq!(log.offset_for_timestamp("t", 0, 120).unwrap(), Some(120));
    log.close().unwrap();
    assert_eq!(std::fs::metadata(&index).unwrap().len(), full_len);
}

#[test]
fn the_segment_files_are_named_as_kafka_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    log.create_topic("orders", small_segments(1)).unwrap();
    for i in 0..50u64 {
        log.append("orders", 0, &[record(i, 0)]).unwrap();
    }
    log.close().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("orders-0"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".log"))
        .collect();
    names.sort();
    assert_eq!(names[0], "00000000000000000000.log");
    assert!(names.len() > 1 && names.iter().all(|n| n.len() == 24));
    assert!(
        dir.path().join("mqlite.meta").exists() && dir.path().join("topics/orders.topic").exists()
    );
}

#[test]
fn seek_to_a_timestamp_equal_to_an_index_entry_finds_the_record_before_the_entry() {
    let (options, _) = options_at(0);
    let mut log = Log::in_memory(options).unwrap();
    // Index every batch, so each batch after the first has a time entry holding the max
    // timestamp of everything before it.
    log.create_topic(
        "t",
        TopicConfig {
            index_interval_bytes: 0,
            ..TopicConfig::default()
        },
    )
    .unwrap();
    for ts in [10, 20, 30, 40] {
        log.append("t", 0, &[record(ts as u64, ts)]).unwrap();
    }
    for (target, expected) in [(10, 0), (11, 1), (20, 1), (21, 2), (30, 2), (40, 3)] {
        assert_eq!(
            log.offset_for_timestamp("t", 0, target).unwrap(),
            Some(expected),
            "target {target}"
        );
    }
    assert_eq!(log.offset_for_timestamp("t", 0, 41).unwrap(), None);
}

#[test]
fn read_records_stops_at_the_batch_that_reaches_max_records() {
    let (options, _) = options_at(0);
    let mut log = Log::in_memory(options).unwrap();
    log.create_topic("t", TopicConfig::default()).unwrap();
    for batch in 0..4 {
        let records: Vec<_> = (0..5).map(|i| record(batch * 5 + i, 0)).collect();
        log.append("t", 0, &records).unwrap();
    }
    let offsets = |from, max| -> Vec<i64> {
        log.read_records("t", 0, from, usize::MAX, max)
            .unwrap()
            .iter()
            .map(|r| r.offset)
            .collect()
    };
    assert_eq!(offsets(0, 3), (0..5).collect::<Vec<_>>(), "one whole batch");
    assert_eq!(
        offsets(3, 3),
        (3..10).collect::<Vec<_>>(),
        "2 from the first, then one more"
    );
    assert_eq!(offsets(0, usize::MAX).len(), 20);
}
