//! The latency scenario's mqlite system: a file-backed log in the temp dir, shared by a
//! `SharedProducer` (each `send` followed by a `poll`, which appends the batches whose linger
//! has passed) and a `Consumer` tailing it with `SharedLog::poll_wait` (parked until an append
//! wakes it).
//!
//! Fire and forget: each send's outcome is dropped with `SharedProducer::forget` (the consumer
//! seeing the record is its acknowledgement here), so outcomes do not pile up.

use super::latency_pair::{self, RECEIVE_MAX, RECEIVE_TIMEOUT, Receiver, Sender};
use super::{Config, TOPIC, new_log, temp_dir};
use crate::pacing::Schedule;
use crate::stats::Sample;
use bytes::Bytes;
use mqlite::{
    Consumer, ConsumerConfig, Durability, FileStorage, ProducerConfig, ProducerRecord, SharedLog,
    SharedProducer,
};

/// The producer's settings in every mqlite row: the defaults (16 KiB batches, idempotence
/// on) with durability `write` and the given linger.
pub fn producer_config(linger_ms: i64) -> ProducerConfig {
    ProducerConfig {
        linger_ms,
        durability: Durability::Write,
        ..ProducerConfig::default()
    }
}

struct LogSender(SharedProducer<FileStorage>);

impl Sender for LogSender {
    fn send(&mut self, value: Bytes) {
        let handle = self
            .0
            .send(TOPIC, ProducerRecord::with_value(value))
            .unwrap();
        self.0.forget(handle).unwrap();
        self.0.poll().unwrap();
    }

    fn drain(&mut self) {
        self.0.poll().unwrap();
    }
}

struct LogReceiver {
    log: SharedLog<FileStorage>,
    consumer: Consumer,
}

impl Receiver for LogReceiver {
    fn receive(&mut self, out: &mut Vec<Bytes>) {
        let records = self
            .log
            .poll_wait(&mut self.consumer, RECEIVE_MAX, RECEIVE_TIMEOUT)
            .unwrap();
        out.extend(
            records
                .iter()
                .filter_map(|(_, record)| record.value.clone()),
        );
    }
}

/// One run: `count` values on `schedule` through a fresh log, producer linger `linger_ms`.
pub fn run(
    config: &Config,
    templates: &[Bytes],
    count: u64,
    schedule: Schedule,
    linger_ms: i64,
) -> Sample {
    let dir = temp_dir(config);
    let log = SharedLog::new(new_log(&dir));
    let producer = SharedProducer::new(log.clone(), producer_config(linger_ms));
    let mut consumer = Consumer::new(ConsumerConfig::default());
    log.with(|log| consumer.assign_topics(log, &[TOPIC]))
        .unwrap();
    let receiver = LogReceiver {
        log: log.clone(),
        consumer,
    };
    let sample = latency_pair::run(templates, count, schedule, LogSender(producer), receiver);
    let stored = log.with(|log| log.high_watermark(TOPIC, 0)).unwrap();
    assert_eq!(stored, count as i64);
    log.close().unwrap();
    sample
}
