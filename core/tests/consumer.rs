//! The consumer over a real log: exactly-once, in-order delivery per partition across polls;
//! fairness between partitions; seeks; and `auto_offset_reset` when a position is missing or
//! falls outside the log.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test")]

mod common;

use common::{options_at, record};
use mqlite::consumer::{AutoOffsetReset, Consumer, ConsumerConfig, TopicPartition};
use mqlite::{ErrorCode, Log, MemoryStorage, TimestampType, TopicConfig};
use proptest::prelude::*;

fn log_with_topic(partitions: u32) -> (Log<MemoryStorage>, mqlite::ManualClock) {
    let (options, clock) = options_at(1_000);
    let mut log = Log::in_memory(options).unwrap();
    let config = TopicConfig {
        segment_bytes: 1024,
        ..TopicConfig::with_partitions(partitions)
    };
    log.create_topic("t", config).unwrap();
    (log, clock)
}

fn tp(partition: u32) -> TopicPartition {
    TopicPartition::new("t", partition)
}

fn consumer(reset: AutoOffsetReset) -> Consumer {
    Consumer::new(ConsumerConfig {
        auto_offset_reset: reset,
        partition_fetch_bytes: 600,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever the interleaving of appends and polls, each partition's records arrive once
    /// each, in offset order.
    #[test]
    fn every_record_is_delivered_once_in_order(
        steps in proptest::collection::vec((any::<bool>(), 0..3u32, 1..6usize, 1..40usize), 1..80)
    ) {
        let (mut log, _) = log_with_topic(3);
        let mut consumer = consumer(AutoOffsetReset::Earliest);
        consumer.assign_topics(&log, &["t"]).unwrap();
        let mut sent = vec![Vec::new(); 3];
        let mut got = vec![Vec::new(); 3];
        let mut seed = 0;
        for (append, partition, batch, max_records) in steps {
            if append {
                let records: Vec<_> = (0..batch).map(|_| { seed += 1; record(seed, 1_000) }).collect();
                log.append("t", partition, &records).unwrap();
                sent[partition as usize].extend(records.into_iter().map(|r| r.value));
            } else {
                let polled = consumer.poll(&log, max_records).unwrap();
                prop_assert!(polled.len() <= max_records);
                for (tp, r) in polled.iter() {
                    got[tp.partition as usize].push((r.offset, r.value.clone()));
                }
            }
        }
        // Drain: bounded, so a consumer that re-delivers fails instead of hanging.
        for _ in 0..1_000 {
            let polled = consumer.poll(&log, 1000).unwrap();
            if polled.is_empty() {
                break;
            }
            for (tp, r) in polled.iter() {
                got[tp.partition as usize].push((r.offset, r.value.clone()));
            }
        }
        for p in 0..3 {
            let offsets: Vec<i64> = got[p].iter().map(|(o, _)| *o).collect();
            prop_assert_eq!(offsets, (0..sent[p].len() as i64).collect::<Vec<_>>());
            let values: Vec<_> = got[p].iter().map(|(_, v)| v.clone()).collect();
            prop_assert_eq!(&values, &sent[p]);
        }
    }
}

#[test]
fn polls_take_turns_so_no_partition_starves() {
    let (mut log, _) = log_with_topic(3);
    for p in 0..3 {
        for i in 0..50 {
            log.append("t", p, &[record(i, 1_000)]).unwrap();
        }
    }
    let mut consumer = consumer(AutoOffsetReset::Earliest);
    consumer.assign_topics(&log, &["t"]).unwrap();
    let firsts: Vec<u32> = (0..3)
        .map(|_| {
            consumer.poll(&log, 5).unwrap().by_partition()[0]
                .0
                .partition
        })
        .collect();
    assert_eq!(firsts, [0, 1, 2]);
    assert!(consumer.poll(&log, 0).unwrap().is_empty());
}

#[test]
fn seeks_move_positions_and_positions_follow_polls() {
    let (options, _) = options_at(0);
    let mut log = Log::in_memory(options).unwrap();
    log.create_topic("t", TopicConfig::default()).unwrap();
    for ts in [100, 200, 300, 400] {
        log.append("t", 0, &[record(ts as u64, ts)]).unwrap();
    }
    let mut consumer = consumer(AutoOffsetReset::Latest);
    consumer.assign(&log, &[tp(0)]).unwrap();
    assert_eq!(
        consumer.position(&log, &tp(0)).unwrap(),
        4,
        "latest starts at the end"
    );
    assert!(consumer.poll(&log, 10).unwrap().is_empty());
    consumer.seek(&tp(0), 1).unwrap();
    let polled = consumer.poll(&log, 2).unwrap();
    assert_eq!(
        polled.iter().map(|(_, r)| r.offset).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(consumer.position(&log, &tp(0)).unwrap(), 3);
    consumer.seek_to_timestamp(&log, 250).unwrap();
    assert_eq!(consumer.position(&log, &tp(0)).unwrap(), 2);
    consumer.seek_to_timestamp(&log, 10_000).unwrap();
    assert_eq!(
        consumer.position(&log, &tp(0)).unwrap(),
        4,
        "all older: the end"
    );
    consumer.seek_to_beginning(&log, &[]).unwrap();
    assert_eq!(consumer.position(&log, &tp(0)).unwrap(), 0);
    consumer.seek_to_end(&log, &[tp(0)]).unwrap();
    assert_eq!(consumer.position(&log, &tp(0)).unwrap(), 4);
}

#[test]
fn seek_to_timestamp_works_under_log_append_time() {
    let (options, clock) = options_at(5_000);
    let mut log = Log::in_memory(options).unwrap();
    let config = TopicConfig {
        timestamp_type: TimestampType::LogAppendTime,
        ..TopicConfig::default()
    };
    log.create_topic("t", config).unwrap();
    log.append("t", 0, &[record(1, 0), record(2, 0)]).unwrap();
    clock.set_ms(6_000);
    log.append("t", 0, &[record(3, 0)]).unwrap();
    let mut consumer = consumer(AutoOffsetReset::Earliest);
    consumer.assign(&log, &[tp(0)]).unwrap();
    consumer.seek_to_timestamp(&log, 5_500).unwrap();
    assert_eq!(consumer.position(&log, &tp(0)).unwrap(), 2);
}

#[test]
fn a_position_overtaken_by_retention_follows_the_reset_policy() {
    let (options, clock) = options_at(1_000);
    let mut log = Log::in_memory(options).unwrap();
    let config = TopicConfig {
        segment_bytes: 1024,
        retention_ms: Some(1_000),
        ..TopicConfig::default()
    };
    log.create_topic("t", config).unwrap();
    for i in 0..40 {
        log.append("t", 0, &[record(i, 1_000)]).unwrap();
    }
    let mut earliest = consumer(AutoOffsetReset::Earliest);
    let mut strict = consumer(AutoOffsetReset::Error);
    for c in [&mut earliest, &mut strict] {
        c.assign(&log, &[tp(0)]).unwrap();
        c.seek(&tp(0), 0).unwrap();
    }
    clock.set_ms(5_000);
    log.enforce_retention().unwrap();
    let start = log.log_start_offset("t", 0).unwrap();
    assert!(start > 0);
    let polled = earliest.poll(&log, 1).unwrap();
    assert_eq!(
        polled.iter().next().unwrap().1.offset,
        start,
        "jumps to the new log start"
    );
    assert_eq!(
        strict.poll(&log, 1).unwrap_err().code(),
        ErrorCode::OffsetOutOfRange
    );
}

#[test]
fn a_new_partition_without_a_position_under_policy_error_is_refused() {
    let (log, _) = log_with_topic(1);
    let mut strict = consumer(AutoOffsetReset::Error);
    strict.assign(&log, &[tp(0)]).unwrap();
    assert_eq!(
        strict.poll(&log, 1).unwrap_err().code(),
        ErrorCode::OffsetOutOfRange
    );
    strict.seek(&tp(0), 0).unwrap();
    assert!(
        strict.poll(&log, 1).unwrap().is_empty(),
        "an explicit position is fine"
    );
}

#[test]
fn bad_assignments_and_unassigned_partitions_are_typed_errors() {
    let (log, _) = log_with_topic(2);
    let mut c = consumer(AutoOffsetReset::Earliest);
    assert_eq!(
        c.assign(&log, &[TopicPartition::new("nope", 0)])
            .unwrap_err()
            .code(),
        ErrorCode::TopicNotFound
    );
    assert_eq!(
        c.assign(&log, &[tp(2)]).unwrap_err().code(),
        ErrorCode::PartitionNotFound
    );
    assert!(c.assignment().is_empty(), "a failed assign changes nothing");
    c.assign(&log, &[tp(0)]).unwrap();
    assert_eq!(
        c.seek(&tp(1), 0).unwrap_err().code(),
        ErrorCode::PartitionNotAssigned
    );
    assert_eq!(
        c.position(&log, &tp(1)).unwrap_err().code(),
        ErrorCode::PartitionNotAssigned
    );
}

/// A waker that counts its wakes.
struct CountingWaker(std::sync::atomic::AtomicUsize);

impl std::task::Wake for CountingWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn a_registered_waker_is_woken_once_by_the_next_append_to_an_assigned_partition() {
    use std::sync::atomic::Ordering::SeqCst;
    let (mut log, _) = log_with_topic(2);
    log.create_topic("other", TopicConfig::default()).unwrap();
    let mut c = consumer(AutoOffsetReset::Earliest);
    c.assign(&log, &[tp(1)]).unwrap();
    let counter = std::sync::Arc::new(CountingWaker(0.into()));
    let waker = std::task::Waker::from(counter.clone());
    c.wake_on_data(&mut log, &waker).unwrap();
    c.wake_on_data(&mut log, &waker).unwrap(); // registering twice wakes once
    log.append("t", 0, &[record(1, 1)]).unwrap();
    log.append("other", 0, &[record(2, 1)]).unwrap();
    assert_eq!(counter.0.load(SeqCst), 0, "appends elsewhere do not wake");
    log.append("t", 1, &[record(3, 1)]).unwrap();
    assert_eq!(counter.0.load(SeqCst), 1);
    assert_eq!(c.poll(&log, 10).unwrap().len(), 1);
    log.append("t", 1, &[record(4, 1)]).unwrap();
    assert_eq!(
        counter.0.load(SeqCst),
        1,
        "a wake is used up: register again to wait again"
    );
    c.wake_on_data(&mut log, &waker).unwrap();
    log.delete_topic("t").unwrap();
    assert_eq!(
        counter.0.load(SeqCst),
        2,
        "deleting the topic wakes its waiters"
    );
    assert_eq!(
        c.poll(&log, 10).unwrap_err().code(),
        ErrorCode::TopicNotFound
    );
}

#[test]
fn latest_means_records_appended_after_the_assignment_not_after_the_first_poll() {
    let (mut log, _) = log_with_topic(1);
    log.append("t", 0, &[record(1, 1)]).unwrap();
    let mut latest = consumer(AutoOffsetReset::Latest);
    latest.assign(&log, &[tp(0)]).unwrap();
    log.append("t", 0, &[record(2, 2)]).unwrap();
    let polled = latest.poll(&log, 10).unwrap();
    let offsets: Vec<i64> = polled.iter().map(|(_, r)| r.offset).collect();
    assert_eq!(offsets, [1]);
}
