//! The producer over a real log: batching by size and linger, `send_many`, routing (keys,
//! explicit partitions, ordered sends, sticky keyless batches), durability levels with one
//! sync per partition per flush, and typed errors for bad records.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test")]

mod common;

use common::options_at;
use mqlite::partitioner::murmur2_partition;
use mqlite::producer::{Durability, Producer, ProducerConfig, ProducerRecord};
use mqlite::storage::FaultStorage;
use mqlite::{
    Compression, ErrorCode, Log, LogOptions, ManualClock, MemoryStorage, TimestampType, TopicConfig,
};

fn setup(partitions: u32) -> (Log<MemoryStorage>, ManualClock) {
    let (options, clock) = options_at(10_000);
    let mut log = Log::in_memory(options).unwrap();
    log.create_topic("t", TopicConfig::with_partitions(partitions))
        .unwrap();
    (log, clock)
}

fn value(i: usize) -> ProducerRecord {
    ProducerRecord::with_value(format!("{{\"n\":{i},\"pad\":\"{}\"}}", "x".repeat(60)))
}

fn batches(log: &Log<impl mqlite::Storage>, partition: u32) -> Vec<usize> {
    log.read_batches("t", partition, 0, usize::MAX)
        .unwrap()
        .iter()
        .map(|b| b.records.len())
        .collect()
}

#[test]
fn records_wait_for_linger_then_go_as_one_batch() {
    let (mut log, clock) = setup(1);
    let mut producer = Producer::new(ProducerConfig {
        linger_ms: 100,
        ..ProducerConfig::default()
    });
    let handles: Vec<_> = (0..3)
        .map(|i| producer.send(&mut log, "t", value(i)).unwrap())
        .collect();
    assert_eq!(log.high_watermark("t", 0).unwrap(), 0, "lingering");
    assert!(producer.result(handles[0]).is_none());
    clock.advance_ms(99);
    assert_eq!(producer.poll(&mut log).unwrap(), 0);
    clock.advance_ms(1);
    assert_eq!(producer.poll(&mut log).unwrap(), 1);
    assert_eq!(batches(&log, 0), [3]);
    for (i, handle) in handles.into_iter().enumerate() {
        let metadata = producer.result(handle).unwrap().unwrap();
        assert_eq!(
            (metadata.partition, metadata.offset, metadata.timestamp_ms),
            (0, i as i64, 10_000)
        );
        assert!(
            producer.result(handle).is_none(),
            "an outcome is handed out once"
        );
    }
}

#[test]
fn a_full_batch_is_appended_at_once_and_flush_appends_the_rest() {
    let (mut log, _) = setup(1);
    let config = ProducerConfig {
        batch_bytes: 1000,
        linger_ms: 1_000_000,
        ..ProducerConfig::default()
    };
    let mut producer = Producer::new(config);
    for i in 0..25 {
        producer.send(&mut log, "t", value(i)).unwrap();
    }
    let appended = log.high_watermark("t", 0).unwrap();
    assert!(
        appended > 0 && appended < 25,
        "full batches went, the last one waits: {appended}"
    );
    producer.flush(&mut log).unwrap();
    assert_eq!(producer.pending_records(), 0);
    let sizes = batches(&log, 0);
    assert_eq!(sizes.iter().sum::<usize>(), 25);
    assert!(sizes.len() >= 3, "{sizes:?}");
    let stored = log.read_batches("t", 0, 0, usize::MAX).unwrap();
    assert!(
        stored.iter().all(|b| b.header.size_bytes() <= 1000),
        "no batch outgrows batch_bytes"
    );
    let values: Vec<_> = log
        .read("t", 0, 0, usize::MAX)
        .unwrap()
        .iter()
        .map(|r| r.value.clone().unwrap())
        .collect();
    let sent: Vec<_> = (0..25).map(|i| value(i).value.unwrap()).collect();
    assert_eq!(values, sent, "send order is offset order");
}

#[test]
fn send_many_is_one_batch_per_partition_resolved_at_once() {
    let (mut log, _) = setup(3);
    let mut producer = Producer::new(ProducerConfig::default());
    let records = (0..30).map(|i| value(i).key(format!("k{}", i % 7)));
    let handles = producer.send_many(&mut log, "t", records).unwrap();
    for partition in 0..3 {
        let expected = (0..30)
            .filter(|i| murmur2_partition(format!("k{}", i % 7).as_bytes(), 3) == partition)
            .count();
        let stored = batches(&log, partition);
        assert_eq!(stored.iter().sum::<usize>(), expected);
        assert!(stored.len() <= 1, "one batch per partition: {stored:?}");
    }
    assert!(
        handles
            .into_iter()
            .all(|h| producer.result(h).unwrap().is_ok())
    );
}

#[test]
fn keys_explicit_partitions_and_order_keys_route_records() {
    let (mut log, _) = setup(4);
    let mut producer = Producer::new(ProducerConfig {
        linger_ms: 0,
        ..ProducerConfig::default()
    });
    let keyed = producer
        .send(&mut log, "t", value(0).key("customer-42"))
        .unwrap();
    let explicit = producer
        .send(&mut log, "t", value(1).key("customer-42").partition(3))
        .unwrap();
    producer.flush(&mut log).unwrap();
    assert_eq!(
        producer.result(keyed).unwrap().unwrap().partition,
        murmur2_partition(b"customer-42", 4)
    );
    assert_eq!(producer.result(explicit).unwrap().unwrap().partition, 3);
}

#[test]
fn ordered_sends_keep_each_order_key_in_one_partition_in_order_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let mut partition_of = std::collections::BTreeMap::new();
    for round in 0..2 {
        let mut log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
        if round == 0 {
            log.create_topic("t", TopicConfig::with_partitions(5))
                .unwrap();
        }
        let mut producer = Producer::new(ProducerConfig::default());
        for i in 0..30 {
            let order = format!("order-{}", i % 6);
            let record = ProducerRecord::with_value(format!("{order} step {i} round {round}"));
            let handle = producer
                .send_ordered(&mut log, "t", record, order.as_bytes())
                .unwrap();
            producer.flush(&mut log).unwrap();
            let partition = producer.result(handle).unwrap().unwrap().partition;
            assert_eq!(
                *partition_of.entry(order).or_insert(partition),
                partition,
                "round {round}"
            );
        }
        log.close().unwrap();
    }
    let log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    for (order, partition) in partition_of {
        let steps: Vec<String> = log
            .read("t", partition, 0, usize::MAX)
            .unwrap()
            .iter()
            .map(|r| String::from_utf8(r.value.clone().unwrap().to_vec()).unwrap())
            .filter(|v| v.starts_with(&format!("{order} ")))
            .collect();
        let mut sorted = steps.clone();
        sorted.sort_by_key(|s| {
            let round: u32 = s.rsplit(' ').next().unwrap().parse().unwrap();
            let step: u32 = s.split(' ').nth(2).unwrap().parse().unwrap();
            (round, step)
        });
        assert_eq!(steps.len(), 10);
        assert_eq!(steps, sorted, "{order} out of order");
    }
}

#[test]
fn keyless_records_stick_to_a_partition_until_its_batch_closes() {
    let (mut log, _) = setup(3);
    let config = ProducerConfig {
        batch_bytes: 600,
        linger_ms: 1_000_000,
        ..ProducerConfig::default()
    };
    let mut producer = Producer::new(config);
    let handles: Vec<_> = (0..40)
        .map(|i| producer.send(&mut log, "t", value(i)).unwrap())
        .collect();
    producer.flush(&mut log).unwrap();
    let partitions: Vec<u32> = handles
        .into_iter()
        .map(|h| producer.result(h).unwrap().unwrap().partition)
        .collect();
    // Each run of records to one partition is one batch: it filled, closed, and the next
    // keyless record went to another partition.
    let runs = partitions.chunk_by(|a, b| a == b).count();
    let stored: Vec<usize> = (0..3).flat_map(|p| batches(&log, p)).collect();
    assert_eq!(runs, stored.len(), "{partitions:?}");
    assert!(
        stored.iter().all(|&n| n > 1),
        "keyless records fill batches: {stored:?}"
    );
}

#[test]
fn fsync_durability_syncs_each_partition_once_per_flush_and_survives_power_loss() {
    let (options, _) = options_at(10_000);
    let mut log = Log::open(FaultStorage::new(), options.clone()).unwrap();
    log.create_topic("t", TopicConfig::with_partitions(2))
        .unwrap();
    let config = ProducerConfig {
        batch_bytes: 500,
        linger_ms: 1_000_000,
        durability: Durability::Fsync,
        ..ProducerConfig::default()
    };
    let mut producer = Producer::new(config);
    // The first batch also reserves the producer's id (a synced file): warm up with it.
    let first = producer.send_many(&mut log, "t", [value(0).partition(0)]);
    let before = log.storage().sync_count();
    let records = (1..40).map(|i| value(i).partition((i % 2) as u32));
    let mut handles = producer.send_many(&mut log, "t", records).unwrap();
    handles.extend(first.unwrap());
    assert_eq!(
        log.storage().sync_count() - before,
        2,
        "one sync per partition for many batches"
    );
    assert!(handles.iter().all(|&h| producer.result(h).unwrap().is_ok()));
    let mut storage = log.into_storage();
    storage.cut_power_after(0);
    for seed in 0..8 {
        let log = Log::open(storage.crash_image(seed), options.clone()).unwrap();
        assert_eq!(
            log.high_watermark("t", 0).unwrap() + log.high_watermark("t", 1).unwrap(),
            40
        );
    }
}

#[test]
fn a_batch_that_fails_with_an_io_error_is_retried_at_the_next_flush() {
    let (options, _) = options_at(10_000);
    let mut storage = FaultStorage::new();
    storage.fail_once("append", "t-0/00000000000000000000.log", 0, true);
    let mut log = Log::open(storage, options).unwrap();
    log.create_topic("t", TopicConfig::default()).unwrap();
    let mut producer = Producer::new(ProducerConfig::default());
    let first = producer.send(&mut log, "t", value(0)).unwrap();
    assert_eq!(producer.flush(&mut log).unwrap_err().code(), ErrorCode::Io);
    assert!(producer.result(first).is_none(), "kept for a retry");
    let second = producer.send(&mut log, "t", value(1)).unwrap();
    producer.flush(&mut log).unwrap();
    assert_eq!(producer.result(first).unwrap().unwrap().offset, 0);
    assert_eq!(producer.result(second).unwrap().unwrap().offset, 1);
    assert_eq!(batches(&log, 0), [1, 1], "the retried batch went first");
}

#[test]
fn a_failed_append_with_no_retries_left_resolves_its_handles_with_the_error() {
    let (options, _) = options_at(10_000);
    let mut storage = FaultStorage::new();
    storage.fail_once("append", "t-0/00000000000000000000.log", 0, false);
    let mut log = Log::open(storage, options).unwrap();
    log.create_topic("t", TopicConfig::default()).unwrap();
    let mut producer = Producer::new(ProducerConfig {
        retries: 0,
        ..ProducerConfig::default()
    });
    let lost = producer.send(&mut log, "t", value(0)).unwrap();
    assert_eq!(producer.flush(&mut log).unwrap_err().code(), ErrorCode::Io);
    assert_eq!(
        producer.result(lost).unwrap().unwrap_err().code(),
        ErrorCode::Io
    );
    let kept = producer.send(&mut log, "t", value(1)).unwrap();
    producer.flush(&mut log).unwrap();
    assert_eq!(producer.result(kept).unwrap().unwrap().offset, 0);
}

#[test]
fn log_append_time_topics_report_the_append_time() {
    let (options, clock) = options_at(7_000);
    let mut log = Log::in_memory(options).unwrap();
    let config = TopicConfig {
        timestamp_type: TimestampType::LogAppendTime,
        ..TopicConfig::default()
    };
    log.create_topic("t", config).unwrap();
    let mut producer = Producer::new(ProducerConfig::default());
    let handle = producer
        .send(&mut log, "t", value(0).timestamp_ms(5))
        .unwrap();
    clock.set_ms(8_000);
    producer.flush(&mut log).unwrap();
    assert_eq!(
        producer.result(handle).unwrap().unwrap().timestamp_ms,
        8_000
    );
}

#[test]
fn bad_records_are_refused_at_send_and_nothing_is_queued() {
    let (mut log, _) = setup(2);
    let mut producer = Producer::new(ProducerConfig::default());
    let code = |r: mqlite::Result<_>| r.map(|_| ()).unwrap_err().code();
    assert_eq!(
        code(producer.send(&mut log, "nope", value(0))),
        ErrorCode::TopicNotFound
    );
    assert_eq!(
        code(producer.send(&mut log, "t", value(0).partition(2))),
        ErrorCode::PartitionNotFound
    );
    for timestamp_ms in [-1, i64::MIN, mqlite::limits::TIMESTAMP_MS_MAX + 1, i64::MAX] {
        assert_eq!(
            code(producer.send(&mut log, "t", value(0).timestamp_ms(timestamp_ms))),
            ErrorCode::InvalidRecord,
            "{timestamp_ms}"
        );
    }
    let latest = value(0).timestamp_ms(mqlite::limits::TIMESTAMP_MS_MAX);
    let latest = producer.send(&mut log, "t", latest.partition(1)).unwrap();
    let huge = ProducerRecord::with_value(vec![0u8; mqlite::limits::RECORD_BYTES_MAX]);
    assert_eq!(
        code(producer.send(&mut log, "t", huge)),
        ErrorCode::RecordTooLarge
    );
    let mixed = vec![value(1), value(2).partition(9)];
    assert_eq!(
        producer.send_many(&mut log, "t", mixed).unwrap_err().code(),
        ErrorCode::PartitionNotFound
    );
    assert_eq!(
        producer.pending_records(),
        1,
        "only the latest possible timestamp"
    );
    producer.flush(&mut log).unwrap();
    assert_eq!(producer.result(latest).unwrap().unwrap().offset, 0);
    assert_eq!(
        log.high_watermark("t", 0).unwrap() + log.high_watermark("t", 1).unwrap(),
        1
    );
}

#[test]
fn a_producer_compresses_with_its_own_codec_or_else_the_topics() {
    let (mut log, _) = setup(1);
    let mut lz4 = Producer::new(ProducerConfig {
        compression: Some(Compression::Lz4),
        ..ProducerConfig::default()
    });
    let mut plain = Producer::new(ProducerConfig::default());
    let repetitive = || ProducerRecord::with_value("abc".repeat(500));
    lz4.send_many(&mut log, "t", [repetitive(), repetitive()])
        .unwrap();
    plain
        .send_many(&mut log, "t", [repetitive(), repetitive()])
        .unwrap();
    let stored = log.read_batches("t", 0, 0, usize::MAX).unwrap();
    let codecs: Vec<_> = stored.iter().map(|b| b.header.codec()).collect();
    assert_eq!(codecs, [Compression::Lz4 as u8, Compression::None as u8]);
    let sizes: Vec<_> = stored.iter().map(|b| b.header.size_bytes()).collect();
    assert!(sizes[0] < sizes[1] / 4, "{sizes:?}");
    let values = log.read("t", 0, 0, usize::MAX).unwrap();
    assert!(
        values
            .iter()
            .all(|r| r.value.as_deref() == Some("abc".repeat(500).as_bytes()))
    );
}

#[test]
fn a_user_partitioner_answering_outside_the_topic_is_refused_at_send() {
    let (mut log, _) = setup(2);
    let function: mqlite::partitioner::PartitionFn = std::sync::Arc::new(|_| 7);
    let mut producer = Producer::new(ProducerConfig {
        partitioner: mqlite::partitioner::Partitioner::Custom(function),
        ..ProducerConfig::default()
    });
    let error = producer.send(&mut log, "t", value(0)).unwrap_err();
    assert_eq!(error.code(), ErrorCode::PartitionNotFound);
    let error = producer
        .send_many(&mut log, "t", [value(1), value(2)])
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::PartitionNotFound);
    assert_eq!(producer.pending_records(), 0);
}

#[test]
fn forgotten_outcomes_are_dropped_and_taken_ones_do_not_pile_up() {
    let (mut log, _) = setup(1);
    let mut producer = Producer::new(ProducerConfig::default());
    let kept = producer.send(&mut log, "t", value(0)).unwrap();
    let forgotten: Vec<_> = (1..50)
        .map(|i| producer.send(&mut log, "t", value(i)).unwrap())
        .collect();
    forgotten.iter().for_each(|&h| producer.forget(h));
    producer.flush(&mut log).unwrap();
    assert_eq!(
        producer.outcomes_held(),
        50,
        "the kept one holds the window open"
    );
    assert_eq!(producer.result(kept).unwrap().unwrap().offset, 0);
    assert_eq!(producer.outcomes_held(), 0);
    assert!(producer.result(forgotten[0]).is_none());
    assert!(!producer.is_outstanding(forgotten[0]));
}

#[test]
fn records_routed_before_a_failing_user_partitioner_are_sent_and_not_held() {
    let (mut log, _) = setup(2);
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counter = std::sync::Arc::clone(&calls);
    let function: mqlite::partitioner::PartitionFn = std::sync::Arc::new(move |_| {
        match counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            0 | 1 => 1,
            _ => 9,
        }
    });
    let mut producer = Producer::new(ProducerConfig {
        partitioner: mqlite::partitioner::Partitioner::Custom(function),
        ..ProducerConfig::default()
    });
    let error = producer
        .send_many(&mut log, "t", (0..4).map(value))
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::PartitionNotFound);
    assert_eq!(
        log.high_watermark("t", 1).unwrap(),
        2,
        "the first two were sent"
    );
    assert_eq!(
        producer.outcomes_held(),
        0,
        "and their outcomes are not held"
    );
}

#[test]
fn a_retry_waits_for_its_backoff_at_poll_but_not_at_flush() {
    let (options, clock) = options_at(10_000);
    let mut storage = FaultStorage::new();
    storage.fail_once("append", "t-0/00000000000000000000.log", 0, false);
    let mut log = Log::open(storage, options).unwrap();
    log.create_topic("t", TopicConfig::default()).unwrap();
    let mut producer = Producer::new(ProducerConfig {
        linger_ms: 0,
        retry_backoff_ms: 1_000,
        ..ProducerConfig::default()
    });
    let first = producer.send(&mut log, "t", value(0)).unwrap();
    assert!(producer.poll(&mut log).is_err(), "the first try fails");
    let second = producer.send(&mut log, "t", value(1)).unwrap();
    let appends = log.storage().append_count();
    producer.poll(&mut log).unwrap();
    assert_eq!(
        log.storage().append_count(),
        appends,
        "nothing is tried before the backoff"
    );
    assert_eq!(producer.next_linger_deadline_ms(), Some(11_000));
    clock.advance_ms(1_000);
    producer.poll(&mut log).unwrap();
    assert_eq!(producer.result(first).unwrap().unwrap().offset, 0);
    assert_eq!(producer.result(second).unwrap().unwrap().offset, 1);
}

#[test]
fn a_batch_whose_topic_was_deleted_fails_its_records() {
    let (mut log, _) = setup(1);
    let mut producer = Producer::new(ProducerConfig {
        linger_ms: 60_000,
        ..ProducerConfig::default()
    });
    let handle = producer.send(&mut log, "t", value(0)).unwrap();
    log.delete_topic("t").unwrap();
    assert_eq!(
        producer.flush(&mut log).unwrap_err().code(),
        ErrorCode::TopicNotFound
    );
    let outcome = producer.result(handle).unwrap();
    assert_eq!(outcome.unwrap_err().code(), ErrorCode::TopicNotFound);
    assert_eq!(producer.outcomes_held(), 0);
}

#[test]
fn forgetting_a_handle_twice_holds_nothing() {
    let (mut log, _) = setup(1);
    let mut producer = Producer::new(ProducerConfig::default());
    let earlier = producer.send(&mut log, "t", value(0)).unwrap();
    let handle = producer.send(&mut log, "t", value(1)).unwrap();
    producer.forget(handle);
    producer.forget(handle);
    producer.flush(&mut log).unwrap();
    assert!(producer.result(handle).is_none());
    producer.result(earlier).unwrap().unwrap();
    assert_eq!(producer.outcomes_held(), 0);
}
