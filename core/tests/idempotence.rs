//! Idempotent producers: a retried batch that was in fact stored is acknowledged with its
//! first offsets and not stored twice, also after a reopen; sequence gaps and fenced epochs are
//! typed errors; producer ids stay unique across reopens and torn id files; and under random
//! injected failures every record ends up stored exactly once, in send order.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test")]

mod common;

use common::options_at;
use mqlite::encoding::batch::ProducerFields;
use mqlite::log::{AppendOptions, PRODUCER_IDS_BLOCK, PRODUCER_IDS_FILE_NAME};
use mqlite::storage::FaultStorage;
use mqlite::{
    Error, ErrorCode, Log, LogOptions, Producer, ProducerConfig, ProducerRecord, Record, Storage,
    TopicConfig,
};

const SEGMENT: &str = "t-0/00000000000000000000.log";

fn values(log: &Log<impl Storage>, partition: u32) -> Vec<String> {
    log.read("t", partition, 0, usize::MAX)
        .unwrap()
        .iter()
        .map(|r| String::from_utf8(r.value.as_deref().unwrap().to_vec()).unwrap())
        .collect()
}

/// A stored batch whose acknowledgement was lost, in a partition that then refuses writes
/// (the undo failed too), so the producer can only retry after a reopen.
fn log_losing_the_second_ack() -> (Log<FaultStorage>, LogOptions) {
    let (options, _) = options_at(10_000);
    let mut storage = FaultStorage::new();
    storage.lose_ack_once(SEGMENT, 1);
    storage.fail_once("truncate", SEGMENT, 0, false);
    let mut log = Log::open(storage, options.clone()).unwrap();
    log.create_topic("t", TopicConfig::default()).unwrap();
    (log, options)
}

/// Sends `a` (stored), `b` (stored, acknowledgement lost), retries `b` after a reopen, then
/// sends `c`; returns the log and `b`'s offset as the producer reports it.
fn send_through_a_lost_ack(config: ProducerConfig) -> (Log<FaultStorage>, i64) {
    let (mut log, options) = log_losing_the_second_ack();
    let mut producer = Producer::new(config);
    for value in ["a", "b"] {
        producer
            .send(&mut log, "t", ProducerRecord::with_value(value))
            .unwrap();
        producer.flush(&mut log).ok();
    }
    let b = producer.send(&mut log, "t", ProducerRecord::with_value("c"));
    assert!(
        producer.flush(&mut log).is_err(),
        "the partition refuses writes"
    );
    let mut log = Log::open(log.into_storage(), options).unwrap();
    producer.flush(&mut log).unwrap();
    let c = producer.result(b.unwrap()).unwrap().unwrap();
    (log, c.offset)
}

#[test]
fn a_retried_batch_that_was_stored_is_acknowledged_and_not_stored_twice() {
    let (log, c_offset) = send_through_a_lost_ack(ProducerConfig::default());
    assert_eq!(values(&log, 0), ["a", "b", "c"]);
    assert_eq!(c_offset, 2);
}

#[test]
fn without_idempotence_the_same_retry_stores_the_batch_twice() {
    let config = ProducerConfig {
        enable_idempotence: false,
        ..ProducerConfig::default()
    };
    let (log, _) = send_through_a_lost_ack(config);
    assert_eq!(values(&log, 0), ["a", "b", "b", "c"]);
}

fn fields(producer_id: i64, epoch: i16, base_sequence: i32) -> AppendOptions {
    AppendOptions {
        producer: ProducerFields {
            producer_id,
            producer_epoch: epoch,
            base_sequence,
        },
        ..AppendOptions::default()
    }
}

fn two_records() -> [Record; 2] {
    [Record::with_value("x"), Record::with_value("y")]
}

fn sequence_error(error: Error) -> (i32, i32) {
    match error {
        Error::OutOfOrderSequence {
            expected, received, ..
        } => (expected, received),
        other => panic!("expected OutOfOrderSequence, got {other:?}"),
    }
}

#[test]
fn sequences_must_continue_without_gaps_and_start_at_zero() {
    let (options, _) = options_at(10_000);
    let mut log = Log::in_memory(options).unwrap();
    log.create_topic("t", TopicConfig::default()).unwrap();
    let id = log.init_producer_id().unwrap();
    let error = log
        .append_with("t", 0, &two_records(), &fields(id, 0, 3))
        .unwrap_err();
    assert_eq!(sequence_error(error), (0, 3), "a new producer starts at 0");
    log.append_with("t", 0, &two_records(), &fields(id, 0, 0))
        .unwrap();
    let error = log
        .append_with("t", 0, &two_records(), &fields(id, 0, 5))
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::OutOfOrderSequence);
    assert_eq!(sequence_error(error), (2, 5));
    let info = log
        .append_with("t", 0, &two_records(), &fields(id, 0, 2))
        .unwrap();
    assert_eq!((info.base_offset, info.duplicate), (2, false));
    assert_eq!(log.high_watermark("t", 0).unwrap(), 4);
}

#[test]
fn an_older_epoch_is_fenced_and_a_newer_one_starts_over() {
    let (options, _) = options_at(10_000);
    let mut log = Log::in_memory(options).unwrap();
    log.create_topic("t", TopicConfig::default()).unwrap();
    log.append_with("t", 0, &two_records(), &fields(7, 0, 0))
        .unwrap();
    let error = log
        .append_with("t", 0, &two_records(), &fields(7, 1, 2))
        .unwrap_err();
    assert_eq!(sequence_error(error), (0, 2), "a new epoch starts at 0");
    log.append_with("t", 0, &two_records(), &fields(7, 1, 0))
        .unwrap();
    let error = log
        .append_with("t", 0, &two_records(), &fields(7, 0, 2))
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::ProducerFenced);
}

#[test]
fn the_last_five_batches_are_recognised_across_reopen_and_older_ones_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    log.create_topic("t", TopicConfig::with_partitions(2))
        .unwrap();
    let id = log.init_producer_id().unwrap();
    for batch in 0..7 {
        log.append_with("t", 1, &two_records(), &fields(id, 0, batch * 2))
            .unwrap();
    }
    log.close().unwrap();

    let mut log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    // Batches 2..7 are remembered: a retry of batch 3 gets its offsets back.
    let retry = log
        .append_with("t", 1, &two_records(), &fields(id, 0, 6))
        .unwrap();
    assert_eq!(
        (retry.base_offset, retry.last_offset, retry.duplicate),
        (6, 7, true)
    );
    let error = log
        .append_with("t", 1, &two_records(), &fields(id, 0, 2))
        .unwrap_err();
    assert_eq!(sequence_error(error), (14, 2), "batch 1 is too old to know");
    log.append_with("t", 1, &two_records(), &fields(id, 0, 14))
        .unwrap();
    assert_eq!(log.high_watermark("t", 1).unwrap(), 16);
}

#[test]
fn producer_ids_stay_unique_across_reopens_and_a_torn_id_file() {
    let dir = tempfile::tempdir().unwrap();
    let open = || Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    let mut log = open();
    assert_eq!(log.init_producer_id().unwrap(), 0);
    assert_eq!(log.init_producer_id().unwrap(), 1);
    log.close().unwrap();
    let block = PRODUCER_IDS_BLOCK as i64;
    let mut log = open();
    assert_eq!(
        log.init_producer_id().unwrap(),
        block,
        "the old block is skipped"
    );
    log.close().unwrap();

    // A reservation torn by a crash was never used: it is ignored, then cut.
    let path = dir.path().join(PRODUCER_IDS_FILE_NAME);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(&[0x42; 7]);
    std::fs::write(&path, &bytes).unwrap();
    let mut log = open();
    assert_eq!(log.init_producer_id().unwrap(), 2 * block);
    log.close().unwrap();
    let mut log = open();
    assert_eq!(log.init_producer_id().unwrap(), 3 * block);
    log.close().unwrap();

    // A whole last entry that goes backwards is damage, not a torn write.
    let mut backwards = std::fs::read(&path).unwrap();
    let mut entry = 5u64.to_be_bytes().to_vec();
    entry.extend_from_slice(&crc32fast::hash(&entry).to_be_bytes());
    backwards.extend_from_slice(&entry);
    let saved = std::fs::read(&path).unwrap();
    std::fs::write(&path, &backwards).unwrap();
    let mut log = open();
    assert_eq!(
        log.init_producer_id().unwrap_err().code(),
        ErrorCode::CorruptLog
    );
    drop(log);
    std::fs::write(&path, &saved).unwrap();

    // Damage before the last entry is not a torn write.
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let mut log = open();
    assert_eq!(
        log.init_producer_id().unwrap_err().code(),
        ErrorCode::CorruptLog
    );
}

/// A seeded generator, so a failing seed can be replayed.
struct SplitMix(u64);

impl SplitMix {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

#[test]
fn under_random_injected_failures_every_record_is_stored_once_in_order() {
    for seed in 0..40 {
        let mut rng = SplitMix(seed);
        let (options, _) = options_at(10_000);
        let mut storage = FaultStorage::new();
        for partition in 0..2 {
            let suffix = format!("t-{partition}/00000000000000000000.log");
            for _ in 0..2 {
                let skip = rng.below(12) as u32;
                match rng.below(3) {
                    0 => storage.lose_ack_once(&suffix, skip),
                    1 => storage.fail_once("append", &suffix, skip, true),
                    _ => storage.fail_once("append", &suffix, skip, false),
                }
            }
            // The first truncate of a segment is the undo of a failed append (reopens follow
            // failures): failing it leaves the partition refusing writes until reopen. One
            // per partition, so recovery's own cut of the torn tail then succeeds.
            if rng.below(2) == 0 {
                storage.fail_once("truncate", &suffix, 0, false);
            }
        }
        let mut log = Log::open(storage, options.clone()).unwrap();
        log.create_topic("t", TopicConfig::with_partitions(2))
            .unwrap();
        let mut producer = Producer::new(ProducerConfig {
            retries: 100,
            ..ProducerConfig::default()
        });
        let mut sent: [Vec<String>; 2] = Default::default();
        let mut handles = Vec::new();
        for i in 0..120 {
            let partition = rng.below(2) as u32;
            let stored = &mut sent[partition as usize];
            let value = format!("p{partition}-{i}");
            let record = ProducerRecord::with_value(value.clone()).partition(partition);
            let handle = producer.send(&mut log, "t", record).unwrap();
            handles.push((handle, partition, stored.len() as i64));
            stored.push(value);
            if rng.below(5) == 0 {
                // Whenever a flush fails the log restarts; the producer carries on.
                while producer.flush(&mut log).is_err() {
                    log = Log::open(log.into_storage(), options.clone()).unwrap();
                }
            }
        }
        while producer.flush(&mut log).is_err() {
            log = Log::open(log.into_storage(), options.clone()).unwrap();
        }
        for (handle, partition, offset) in handles {
            let metadata = producer.result(handle).unwrap().unwrap();
            assert_eq!(
                (metadata.partition, metadata.offset),
                (partition, offset),
                "seed {seed}"
            );
        }
        for partition in 0..2 {
            assert_eq!(
                values(&log, partition),
                sent[partition as usize],
                "seed {seed} partition {partition}"
            );
        }
    }
}

#[test]
fn a_topic_deleted_and_created_again_starts_the_sequences_over() {
    let (options, _) = options_at(10_000);
    let mut log = Log::in_memory(options).unwrap();
    log.create_topic("t", TopicConfig::default()).unwrap();
    let mut producer = Producer::new(ProducerConfig::default());
    producer
        .send_many(
            &mut log,
            "t",
            (0..3).map(|i| ProducerRecord::with_value(format!("{i}"))),
        )
        .unwrap();
    log.delete_topic("t").unwrap();
    log.create_topic("t", TopicConfig::default()).unwrap();
    let handles = producer
        .send_many(&mut log, "t", [ProducerRecord::with_value("again")])
        .unwrap();
    assert_eq!(producer.result(handles[0]).unwrap().unwrap().offset, 0);
}
