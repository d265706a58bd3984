//! Model-based test of the producer and the consumer on real files: random sends (keyed,
//! keyless, explicit, ordered, many at once), polls, flushes, consumer polls and seeks, and
//! reopens of the log while the producer and consumer live on. The model is a `Vec` per
//! partition of what the producer acknowledged plus each consumer position; any divergence
//! fails and proptest shrinks it.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test")]

mod common;

use common::options_at;
use mqlite::partitioner::murmur2_partition;
use mqlite::{
    AutoOffsetReset, Consumer, ConsumerConfig, Log, LogOptions, ManualClock, Producer,
    ProducerConfig, ProducerRecord, SendHandle, TopicConfig, TopicPartition,
};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

const PARTITIONS: u32 = 3;

#[derive(Debug, Clone)]
enum Op {
    Send {
        key: Option<u8>,
        partition: Option<u32>,
        len: usize,
    },
    SendOrdered {
        order_key: u8,
    },
    SendMany {
        count: usize,
    },
    AdvanceClock {
        ms: i64,
    },
    Poll,
    Flush,
    ConsumerPoll {
        max_records: usize,
    },
    Seek {
        partition: u32,
        pick: u16,
    },
    SeekToBeginning,
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (proptest::option::of(0u8..8), proptest::option::of(0..PARTITIONS), 0usize..300)
            .prop_map(|(key, partition, len)| Op::Send { key, partition, len }),
        2 => (0u8..4).prop_map(|order_key| Op::SendOrdered { order_key }),
        2 => (1usize..40).prop_map(|count| Op::SendMany { count }),
        2 => (0i64..20).prop_map(|ms| Op::AdvanceClock { ms }),
        2 => Just(Op::Poll),
        2 => Just(Op::Flush),
        3 => (0usize..30).prop_map(|max_records| Op::ConsumerPoll { max_records }),
        1 => (0..PARTITIONS, any::<u16>()).prop_map(|(partition, pick)| Op::Seek { partition, pick }),
        1 => Just(Op::SeekToBeginning),
        1 => Just(Op::Reopen),
    ]
}

/// The log, the producer and the consumer, and what they should hold.
struct World {
    log: Option<Log<mqlite::FileStorage>>,
    dir: std::path::PathBuf,
    options: LogOptions,
    clock: ManualClock,
    producer: Producer,
    consumer: Consumer,
    /// Sent, not yet resolved: handle, value, and the partition it must go to if known.
    unresolved: Vec<(SendHandle, Vec<u8>, Option<u32>)>,
    /// Acknowledged values per partition, by offset.
    stored: Vec<Vec<Vec<u8>>>,
    /// The consumer's position per partition.
    positions: Vec<i64>,
    /// Where each order key's records went.
    order_partitions: BTreeMap<u8, u32>,
    next_value: u64,
}

impl World {
    fn new(dir: &Path) -> Self {
        let (options, clock) = options_at(1_000);
        let mut log = Log::open_dir(dir, options.clone()).unwrap();
        log.create_topic("t", TopicConfig::with_partitions(PARTITIONS))
            .unwrap();
        let producer = Producer::new(ProducerConfig {
            batch_bytes: 2_000,
            linger_ms: 10,
            ..ProducerConfig::default()
        });
        let mut consumer = Consumer::new(ConsumerConfig {
            auto_offset_reset: AutoOffsetReset::Earliest,
            ..ConsumerConfig::default()
        });
        consumer.assign_topics(&log, &["t"]).unwrap();
        Self {
            log: Some(log),
            dir: dir.to_path_buf(),
            options,
            clock,
            producer,
            consumer,
            unresolved: Vec::new(),
            stored: vec![Vec::new(); PARTITIONS as usize],
            positions: vec![0; PARTITIONS as usize],
            order_partitions: BTreeMap::new(),
            next_value: 0,
        }
    }

    fn value(&mut self, len: usize) -> Vec<u8> {
        self.next_value += 1;
        let mut value = format!("v{}-", self.next_value).into_bytes();
        value.resize(value.len() + len, b'.');
        value
    }

    /// Checks every outcome that is ready against the model and records it.
    fn collect_results(&mut self) {
        let mut still = Vec::new();
        for (handle, value, expected_partition) in std::mem::take(&mut self.unresolved) {
            let Some(result) = self.producer.result(handle) else {
                still.push((handle, value, expected_partition));
                continue;
            };
            let metadata = result.unwrap();
            if let Some(partition) = expected_partition {
                assert_eq!(metadata.partition, partition);
            }
            let stored = &mut self.stored[metadata.partition as usize];
            assert_eq!(metadata.offset, stored.len() as i64, "offsets are dense");
            stored.push(value);
        }
        // Records still waiting keep their send order.
        self.unresolved = still;
    }

    fn apply(&mut self, op: &Op) {
        match op {
            Op::Send {
                key,
                partition,
                len,
            } => {
                let value = self.value(*len);
                let mut record = ProducerRecord::with_value(value.clone());
                let mut expected = *partition;
                if let Some(key) = key {
                    record = record.key(vec![*key]);
                    expected = expected.or(Some(murmur2_partition(&[*key], PARTITIONS)));
                }
                if let Some(partition) = partition {
                    record = record.partition(*partition);
                }
                let handle = self
                    .producer
                    .send(self.log.as_mut().unwrap(), "t", record)
                    .unwrap();
                self.unresolved.push((handle, value, expected));
            }
            Op::SendOrdered { order_key } => {
                let value = self.value(10);
                let record = ProducerRecord::with_value(value.clone());
                let handle = self
                    .producer
                    .send_ordered(self.log.as_mut().unwrap(), "t", record, &[*order_key])
                    .unwrap();
                let expected = self.order_partitions.get(order_key).copied();
                self.unresolved.push((handle, value, expected));
                let partition = murmur2_partition(&[*order_key], PARTITIONS);
                self.order_partitions.insert(*order_key, partition);
            }
            Op::SendMany { count } => {
                let values: Vec<Vec<u8>> = (0..*count).map(|i| self.value(i * 7)).collect();
                let records = values.iter().map(|v| ProducerRecord::with_value(v.clone()));
                let handles = self
                    .producer
                    .send_many(self.log.as_mut().unwrap(), "t", records)
                    .unwrap();
                self.unresolved
                    .extend(handles.iter().zip(values).map(|(h, v)| (*h, v, None)));
                self.collect_results();
                assert!(
                    self.unresolved.iter().all(|(h, ..)| !handles.contains(h)),
                    "send_many appends its records at once"
                );
            }
            Op::AdvanceClock { ms } => self.clock.advance_ms(*ms),
            Op::Poll => {
                self.producer.poll(self.log.as_mut().unwrap()).unwrap();
            }
            Op::Flush => {
                self.producer.flush(self.log.as_mut().unwrap()).unwrap();
                assert_eq!(self.producer.pending_records(), 0);
            }
            Op::ConsumerPoll { max_records } => {
                let records = self
                    .consumer
                    .poll(self.log.as_ref().unwrap(), *max_records)
                    .unwrap();
                assert!(records.len() <= *max_records);
                for (tp, record) in records.iter() {
                    let p = tp.partition as usize;
                    assert_eq!(record.offset, self.positions[p], "in offset order, no gaps");
                    let expected = &self.stored[p][record.offset as usize];
                    assert_eq!(record.value.as_deref(), Some(&expected[..]));
                    self.positions[p] += 1;
                }
            }
            Op::Seek { partition, pick } => {
                let end = self.stored[*partition as usize].len() as u64;
                let offset = (u64::from(*pick) % (end + 1)) as i64;
                let tp = TopicPartition::new("t", *partition);
                self.consumer.seek(&tp, offset).unwrap();
                self.positions[*partition as usize] = offset;
            }
            Op::SeekToBeginning => {
                let all = self.consumer.assignment();
                self.consumer
                    .seek_to_beginning(self.log.as_ref().unwrap(), &all)
                    .unwrap();
                self.positions.iter_mut().for_each(|p| *p = 0);
            }
            Op::Reopen => {
                self.log.take().unwrap().close().unwrap();
                self.log = Some(Log::open_dir(&self.dir, self.options.clone()).unwrap());
            }
        }
        self.collect_results();
    }

    /// After the run: flush, read every partition back and drain the consumer.
    fn check_end(mut self) {
        self.producer.flush(self.log.as_mut().unwrap()).unwrap();
        self.collect_results();
        assert!(self.unresolved.is_empty(), "every handle resolves at flush");
        for (p, stored) in self.stored.iter().enumerate() {
            let read: Vec<Vec<u8>> = self
                .log
                .as_ref()
                .unwrap()
                .read("t", p as u32, 0, usize::MAX)
                .unwrap()
                .iter()
                .map(|r| r.value.as_deref().unwrap().to_vec())
                .collect();
            assert_eq!(&read, stored, "partition {p}");
        }
        loop {
            let records = self
                .consumer
                .poll(self.log.as_ref().unwrap(), 1_000)
                .unwrap();
            if records.is_empty() {
                break;
            }
            for (tp, record) in records.iter() {
                assert_eq!(record.offset, self.positions[tp.partition as usize]);
                self.positions[tp.partition as usize] += 1;
            }
        }
        for (p, stored) in self.stored.iter().enumerate() {
            assert_eq!(
                self.positions[p],
                stored.len() as i64,
                "consumer drained {p}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn producer_and_consumer_match_the_model(ops in proptest::collection::vec(op(), 1..60)) {
        let dir = tempfile::tempdir().unwrap();
        let mut world = World::new(dir.path());
        for op in &ops {
            world.apply(op);
        }
        world.check_end();
    }
}
