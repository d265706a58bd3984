//! The producer for JS. Settings arrive checked by the JS side's types and checked again
//! here; records arrive packed ([`crate::pack`]).
//!
//! The JS side decides when to persist, so the core producer runs at `write` durability:
//! `fsync` in JS means "resolved once the storage adapter has persisted the batch".

use crate::errors::{JsResult, js};
use crate::log::{NativeLog, SharedLog, with_log};
use crate::numbers;
use crate::pack::unpack_records;
use bytes::Bytes;
use mqlite::partitioner::Partitioner;
use mqlite::producer::{Durability, Producer, ProducerConfig, SendHandle};
use mqlite::{Compression, Error};
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

/// A producer on a [`NativeLog`].
#[wasm_bindgen]
#[derive(Debug)]
pub struct NativeProducer {
    log: SharedLog,
    producer: Producer,
}

fn handle(raw: f64) -> SendHandle {
    // A number no send returned names no outcome; the core treats it as unknown.
    SendHandle::from_raw(numbers::whole("handle", raw).unwrap_or(u64::MAX))
}

#[wasm_bindgen]
impl NativeProducer {
    /// A producer with Kafka's settings: `partitioner` is a name (a JS function partitioner
    /// picks the partition in JS and sends it explicitly).
    #[wasm_bindgen(constructor)]
    #[allow(
        clippy::too_many_arguments,
        reason = "Kafka's producer settings, by position"
    )]
    pub fn new(
        log: &NativeLog,
        partitioner: &str,
        linger_ms: f64,
        batch_bytes: f64,
        compression: Option<String>,
        enable_idempotence: bool,
        retries: f64,
        retry_backoff_ms: f64,
    ) -> JsResult<NativeProducer> {
        let config = js((|| {
            Ok::<_, Error>(ProducerConfig {
                batch_bytes: numbers::size("batch_bytes", batch_bytes)?,
                linger_ms: numbers::millis("linger_ms", linger_ms)?,
                durability: Durability::Write,
                partitioner: Partitioner::from_name(partitioner)?,
                compression: compression
                    .as_deref()
                    .map(Compression::from_name)
                    .transpose()?,
                enable_idempotence,
                retries: numbers::small("retries", retries)?,
                retry_backoff_ms: numbers::millis("retry_backoff_ms", retry_backoff_ms)?,
            })
        })())?;
        // Settings out of range are refused when the log is asked, as in the other bindings.
        with_log(&log.log, |_| Ok(()))?;
        Ok(Self {
            log: log.log.clone(),
            producer: Producer::new(config),
        })
    }

    /// Sends the one record in `pack`; returns its handle for `result`.
    pub fn send(&mut self, topic: &str, pack: Vec<u8>) -> JsResult<f64> {
        let producer = &mut self.producer;
        with_log(&self.log, |log| {
            let mut records = unpack_records(Bytes::from(pack))?.into_iter();
            let (Some(record), None) = (records.next(), records.next()) else {
                return Err(Error::InvalidRecord {
                    reason: "send takes exactly one record".into(),
                });
            };
            producer
                .send(log, topic, record)
                .map(|handle| handle.to_raw() as f64)
        })
    }

    /// Sends every record in `pack` and appends them at once. Returns, per partition written,
    /// `[partition, base offset, count]`, one after another; nothing is sent if a record is
    /// refused.
    #[wasm_bindgen(js_name = sendMany)]
    pub fn send_many(&mut self, topic: &str, pack: Vec<u8>) -> JsResult<Vec<i64>> {
        let producer = &mut self.producer;
        with_log(&self.log, |log| {
            let records = unpack_records(Bytes::from(pack))?;
            let handles = producer.send_many(log, topic, records)?;
            let mut ranges: BTreeMap<u32, (i64, i64)> = BTreeMap::new();
            let mut failure = None;
            for handle in handles {
                match producer.result(handle) {
                    Some(Ok(meta)) => {
                        let range = ranges.entry(meta.partition).or_insert((meta.offset, 0));
                        range.0 = range.0.min(meta.offset);
                        range.1 += 1;
                    }
                    Some(Err(error)) => failure = failure.or(Some(error)),
                    None => producer.forget(handle),
                }
            }
            if let Some(error) = failure {
                return Err(error);
            }
            Ok(ranges
                .into_iter()
                .flat_map(|(partition, (base, count))| [i64::from(partition), base, count])
                .collect())
        })
    }

    /// Appends the batches whose linger has passed; returns how many.
    pub fn poll(&mut self) -> JsResult<usize> {
        let producer = &mut self.producer;
        with_log(&self.log, |log| producer.poll(log))
    }

    /// Appends every pending batch.
    pub fn flush(&mut self) -> JsResult<()> {
        let producer = &mut self.producer;
        with_log(&self.log, |log| producer.flush(log))
    }

    /// A send's outcome once it is ready: `[partition, offset, timestamp]`; `undefined` while
    /// it waits; throws the send's error if it failed. Taking it frees it.
    pub fn result(&mut self, handle: f64) -> JsResult<Option<Vec<i64>>> {
        match self.producer.result(self::handle(handle)) {
            None => Ok(None),
            Some(outcome) => js(outcome).map(|meta| {
                Some(vec![
                    i64::from(meta.partition),
                    meta.offset,
                    meta.timestamp_ms,
                ])
            }),
        }
    }

    /// Drops interest in a send's outcome.
    pub fn forget(&mut self, handle: f64) {
        self.producer.forget(self::handle(handle));
    }

    /// When the oldest lingering batch is due (ms since the epoch), if any.
    #[wasm_bindgen(js_name = nextLingerDeadlineMs)]
    pub fn next_linger_deadline_ms(&self) -> Option<f64> {
        self.producer.next_linger_deadline_ms().map(|ms| ms as f64)
    }

    /// Records sent but not yet appended.
    #[wasm_bindgen(js_name = pendingRecords)]
    pub fn pending_records(&self) -> usize {
        self.producer.pending_records()
    }
}
