//! Model-based test: random sequences of create, append, read, roll, seek by timestamp,
//! retention and reopen run against the log and against a `Vec` of records per partition.
//! Any divergence fails, and proptest shrinks it to a short sequence.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test")]

mod common;

use common::options_at;
use mqlite::storage::Storage;
use mqlite::{
    Compression, ErrorCode, Log, LogOptions, ManualClock, MemoryStorage, Record, TimestampType,
    TopicConfig,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

const TOPIC_NAMES: [&str; 3] = ["a", "b.c", "d_e-f"];

/// Key, value, and the jitter of its create time.
type SentRecord = (Option<Vec<u8>>, Option<Vec<u8>>, i64);

#[derive(Debug, Clone)]
enum Op {
    Create {
        topic: usize,
        partitions: u32,
        lz4: bool,
        log_append_time: bool,
        retention_bytes: Option<u64>,
    },
    Append {
        topic: usize,
        partition: u32,
        records: Vec<SentRecord>,
    },
    Read {
        topic: usize,
        partition: u32,
        offset_pick: u16,
        max_bytes: usize,
    },
    /// Seeks to a stored record's timestamp plus `delta` (or to `pick` itself when empty).
    SeekTimestamp {
        topic: usize,
        partition: u32,
        pick: u16,
        delta: i64,
    },
    Roll {
        topic: usize,
        partition: u32,
    },
    AdvanceClock {
        ms: i64,
    },
    Retention,
    Delete {
        topic: usize,
    },
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    let bytes = || proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40));
    prop_oneof![
        2 => (0..3usize, 1..3u32, any::<bool>(), any::<bool>(), proptest::option::of(1500..6000u64))
            .prop_map(|(topic, partitions, lz4, log_append_time, retention_bytes)| Op::Create { topic, partitions, lz4, log_append_time, retention_bytes }),
        14 => (0..3usize, 0..4u32, proptest::collection::vec((bytes(), bytes(), -100..100i64), 1..8))
            .prop_map(|(topic, partition, records)| Op::Append { topic, partition, records }),
        5 => (0..3usize, 0..4u32, any::<u16>(), prop_oneof![Just(1usize), 100..3000usize, Just(usize::MAX)])
            .prop_map(|(topic, partition, offset_pick, max_bytes)| Op::Read { topic, partition, offset_pick, max_bytes }),
        3 => (0..3usize, 0..4u32, any::<u16>(), -1..=1i64).prop_map(|(topic, partition, pick, delta)| Op::SeekTimestamp { topic, partition, pick, delta }),
        1 => (0..3usize, 0..4u32).prop_map(|(topic, partition)| Op::Roll { topic, partition }),
        1 => (0..500i64).prop_map(|ms| Op::AdvanceClock { ms }),
        1 => Just(Op::Retention),
        1 => (0..3usize).prop_map(|topic| Op::Delete { topic }),
        2 => Just(Op::Reopen),
    ]
}

#[derive(Debug, Clone, PartialEq)]
struct ModelRecord {
    key: Option<Vec<u8>>,
    value: Option<Vec<u8>>,
    timestamp_ms: i64,
}

#[derive(Debug, Default)]
struct ModelPartition {
    start: i64,
    records: Vec<ModelRecord>, // offsets start..start+len
    max_timestamp: Option<i64>,
}

#[derive(Debug)]
struct ModelTopic {
    log_append_time: bool,
    partitions: Vec<ModelPartition>,
}

/// Where the log under test lives, and how to reopen it.
trait Backend {
    type S: Storage;
    fn reopen(&mut self, log: Log<Self::S>, options: LogOptions) -> Log<Self::S>;
}

struct Memory;
impl Backend for Memory {
    type S = MemoryStorage;
    fn reopen(&mut self, log: Log<MemoryStorage>, options: LogOptions) -> Log<MemoryStorage> {
        Log::open(log.close().unwrap(), options).unwrap()
    }
}

struct Files(tempfile::TempDir);
impl Backend for Files {
    type S = mqlite::FileStorage;
    fn reopen(
        &mut self,
        log: Log<mqlite::FileStorage>,
        options: LogOptions,
    ) -> Log<mqlite::FileStorage> {
        drop(log.close().unwrap());
        Log::open_dir(self.0.path(), options).unwrap()
    }
}

fn run<B: Backend>(
    mut backend: B,
    mut log: Log<B::S>,
    options: LogOptions,
    clock: &ManualClock,
    ops: &[Op],
) {
    let mut model: BTreeMap<&str, ModelTopic> = BTreeMap::new();
    for (step, op) in ops.iter().enumerate() {
        let ctx = format!("step {step}: {op:?}");
        match op {
            Op::Create {
                topic,
                partitions,
                lz4,
                log_append_time,
                retention_bytes,
            } => {
                let name = TOPIC_NAMES[*topic];
                let config = TopicConfig {
                    partitions: *partitions,
                    segment_bytes: 1024,
                    index_interval_bytes: 100,
                    retention_bytes: *retention_bytes,
                    compression: if *lz4 {
                        Compression::Lz4
                    } else {
                        Compression::None
                    },
                    timestamp_type: if *log_append_time {
                        TimestampType::LogAppendTime
                    } else {
                        TimestampType::CreateTime
                    },
                    ..TopicConfig::default()
                };
                let result = log.create_topic(name, config);
                if model.contains_key(name) {
                    assert_eq!(result.unwrap_err().code(), ErrorCode::TopicExists, "{ctx}");
                } else {
                    result.unwrap();
                    let partitions = (0..*partitions)
                        .map(|_| ModelPartition::default())
                        .collect();
                    model.insert(
                        name,
                        ModelTopic {
                            log_append_time: *log_append_time,
                            partitions,
                        },
                    );
                }
            }
            Op::Append {
                topic,
                partition,
                records,
            } => {
                let name = TOPIC_NAMES[*topic];
                // Create times drift upward with jitter, as producers' clocks do.
                let stamp = |jitter: i64| 100 + step as i64 * 20 + jitter;
                let batch: Vec<Record> = records
                    .iter()
                    .map(|(k, v, jitter)| Record {
                        timestamp_ms: stamp(*jitter),
                        key: k.clone().map(Into::into),
                        value: v.clone().map(Into::into),
                        headers: Vec::new(),
                    })
                    .collect();
                let result = log.append(name, *partition, &batch);
                let Some(t) = model.get_mut(name) else {
                    assert_eq!(
                        result.unwrap_err().code(),
                        ErrorCode::TopicNotFound,
                        "{ctx}"
                    );
                    continue;
                };
                let Some(p) = t.partitions.get_mut(*partition as usize) else {
                    assert_eq!(
                        result.unwrap_err().code(),
                        ErrorCode::PartitionNotFound,
                        "{ctx}"
                    );
                    continue;
                };
                let info = result.unwrap();
                assert_eq!(info.base_offset, p.start + p.records.len() as i64, "{ctx}");
                let append_time = t
                    .log_append_time
                    .then(|| clock_now(clock).max(p.max_timestamp.unwrap_or(i64::MIN)));
                assert_eq!(info.log_append_time_ms, append_time, "{ctx}");
                for (k, v, jitter) in records {
                    let timestamp_ms = append_time.unwrap_or(stamp(*jitter));
                    p.max_timestamp = Some(
                        p.max_timestamp
                            .map_or(timestamp_ms, |m| m.max(timestamp_ms)),
                    );
                    p.records.push(ModelRecord {
                        key: k.clone(),
                        value: v.clone(),
                        timestamp_ms,
                    });
                }
            }
            Op::Read {
                topic,
                partition,
                offset_pick,
                max_bytes,
            } => {
                let name = TOPIC_NAMES[*topic];
                let Some(p) = model
                    .get(name)
                    .and_then(|t| t.partitions.get(*partition as usize))
                else {
                    continue;
                };
                let end = p.start + p.records.len() as i64;
                // Offsets from one before the start to one past the end.
                let offset = p.start - 1 + i64::from(*offset_pick) % (end - p.start + 3);
                let result = log.read(name, *partition, offset, *max_bytes);
                if offset < p.start || offset > end {
                    assert_eq!(
                        result.unwrap_err().code(),
                        ErrorCode::OffsetOutOfRange,
                        "{ctx}"
                    );
                    continue;
                }
                let got = result.unwrap();
                let expected = &p.records[(offset - p.start) as usize..];
                assert_eq!(got.is_empty(), expected.is_empty(), "{ctx}: progress");
                if *max_bytes == usize::MAX {
                    assert_eq!(got.len(), expected.len(), "{ctx}");
                }
                for (i, (g, e)) in got.iter().zip(expected).enumerate() {
                    assert_eq!(g.offset, offset + i as i64, "{ctx}");
                    assert_eq!(g.key.as_deref(), e.key.as_deref(), "{ctx}");
                    assert_eq!(g.value.as_deref(), e.value.as_deref(), "{ctx}");
                    assert_eq!(g.timestamp_ms, e.timestamp_ms, "{ctx}");
                }
                assert!(got.len() <= expected.len(), "{ctx}");
            }
            Op::SeekTimestamp {
                topic,
                partition,
                pick,
                delta,
            } => {
                let name = TOPIC_NAMES[*topic];
                let Some(p) = model
                    .get(name)
                    .and_then(|t| t.partitions.get(*partition as usize))
                else {
                    continue;
                };
                let target = match p.records.get(usize::from(*pick) % p.records.len().max(1)) {
                    Some(r) => r.timestamp_ms + delta,
                    None => i64::from(*pick),
                };
                let expected = p
                    .records
                    .iter()
                    .position(|r| r.timestamp_ms >= target)
                    .map(|i| p.start + i as i64);
                assert_eq!(
                    log.offset_for_timestamp(name, *partition, target).unwrap(),
                    expected,
                    "{ctx}: target {target}"
                );
            }
            Op::Roll { topic, partition } => {
                let name = TOPIC_NAMES[*topic];
                let exists = model
                    .get(name)
                    .is_some_and(|t| (*partition as usize) < t.partitions.len());
                assert_eq!(log.roll(name, *partition).is_ok(), exists, "{ctx}");
            }
            Op::AdvanceClock { ms } => clock.advance_ms(*ms),
            Op::Retention => {
                log.enforce_retention().unwrap();
            }
            Op::Delete { topic } => {
                let name = TOPIC_NAMES[*topic];
                assert_eq!(
                    log.delete_topic(name).is_ok(),
                    model.remove(name).is_some(),
                    "{ctx}"
                );
            }
            Op::Reopen => log = backend.reopen(log, options.clone()),
        }
        // After every step: the topics, and each partition's bounds, match the model once
        // retention's moves of the start are taken into the model.
        assert_eq!(
            log.topics(),
            model.keys().map(|k| k.to_string()).collect::<Vec<_>>(),
            "{ctx}"
        );
        for (name, t) in &mut model {
            for (i, p) in t.partitions.iter_mut().enumerate() {
                let start = log.log_start_offset(name, i as u32).unwrap();
                let end = p.start + p.records.len() as i64;
                assert!(
                    start >= p.start && start <= end,
                    "{ctx}: start {start} outside [{}, {end}]",
                    p.start
                );
                p.records.drain(..(start - p.start) as usize);
                p.start = start;
                assert_eq!(log.high_watermark(name, i as u32).unwrap(), end, "{ctx}");
            }
        }
    }
}

fn clock_now(clock: &ManualClock) -> i64 {
    use mqlite::Clock;
    clock.now_ms()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn the_log_in_memory_behaves_like_the_model(ops in proptest::collection::vec(op(), 1..150)) {
        let (options, clock) = options_at(1_000);
        let log = Log::in_memory(options.clone()).unwrap();
        run(Memory, log, options, &clock, &ops);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_log_on_files_behaves_like_the_model(ops in proptest::collection::vec(op(), 1..150)) {
        let dir = tempfile::tempdir().unwrap();
        let (options, clock) = options_at(1_000);
        let log = Log::open_dir(dir.path(), options.clone()).unwrap();
        run(Files(dir), log, options, &clock, &ops);
    }
}
