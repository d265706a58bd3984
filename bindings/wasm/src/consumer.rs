//! The consumer for JS: assignment, positions and polls; records go out packed
//! ([`crate::pack`]). Waiting for records is the JS side's: it polls again when a producer
//! on the same log appends.

use crate::errors::{JsResult, js};
use crate::log::{NativeLog, SharedLog, with_log};
use crate::numbers;
use crate::pack::pack_records;
use mqlite::{AutoOffsetReset, Consumer, ConsumerConfig, TopicPartition};
use wasm_bindgen::prelude::*;

/// A consumer on a [`NativeLog`].
#[wasm_bindgen]
#[derive(Debug)]
pub struct NativeConsumer {
    log: SharedLog,
    consumer: Consumer,
}

#[wasm_bindgen]
impl NativeConsumer {
    /// A consumer with no assignment yet.
    #[wasm_bindgen(constructor)]
    pub fn new(
        log: &NativeLog,
        auto_offset_reset: &str,
        partition_fetch_bytes: f64,
    ) -> JsResult<NativeConsumer> {
        let config = ConsumerConfig {
            auto_offset_reset: js(AutoOffsetReset::from_name(auto_offset_reset))?,
            partition_fetch_bytes: js(numbers::size(
                "partition_fetch_bytes",
                partition_fetch_bytes,
            ))?,
        };
        with_log(&log.log, |_| Ok(()))?;
        Ok(Self {
            log: log.log.clone(),
            consumer: Consumer::new(config),
        })
    }

    /// Assigns every partition of `topics`.
    #[wasm_bindgen(js_name = assignTopics)]
    pub fn assign_topics(&mut self, topics: Vec<String>) -> JsResult<()> {
        let consumer = &mut self.consumer;
        with_log(&self.log, |log| {
            let names: Vec<&str> = topics.iter().map(String::as_str).collect();
            consumer.assign_topics(log, &names)
        })
    }

    /// Assigns exactly these partitions of `topic`.
    pub fn assign(&mut self, topic: &str, partitions: Vec<u32>) -> JsResult<()> {
        let consumer = &mut self.consumer;
        with_log(&self.log, |log| {
            let tps: Vec<TopicPartition> = partitions
                .iter()
                .map(|p| TopicPartition::new(topic, *p))
                .collect();
            consumer.assign(log, &tps)
        })
    }

    /// The assignment as `[topic, partition, topic, partition, ...]`.
    pub fn assignment(&self) -> js_sys::Array {
        let out = js_sys::Array::new();
        for tp in self.consumer.assignment() {
            out.push(&tp.topic.as_str().into());
            out.push(&tp.partition.into());
        }
        out
    }

    /// Up to `max_records` records, packed; an empty pack (4 zero bytes) when none are there.
    pub fn poll(&mut self, max_records: f64) -> JsResult<Vec<u8>> {
        let consumer = &mut self.consumer;
        with_log(&self.log, |log| {
            let max = numbers::size("max_records", max_records)?;
            consumer
                .poll(log, max)
                .map(|records| pack_records(&records))
        })
    }

    /// The next offset this consumer reads from the partition.
    pub fn position(&mut self, topic: &str, partition: u32) -> JsResult<i64> {
        let consumer = &mut self.consumer;
        with_log(&self.log, |log| {
            consumer.position(log, &TopicPartition::new(topic, partition))
        })
    }

    /// Reads the partition from `offset` next.
    pub fn seek(&mut self, topic: &str, partition: u32, offset: i64) -> JsResult<()> {
        let consumer = &mut self.consumer;
        with_log(&self.log, |_| {
            consumer.seek(&TopicPartition::new(topic, partition), offset)
        })
    }

    /// Reads the partition from its first stored record next.
    #[wasm_bindgen(js_name = seekToBeginning)]
    pub fn seek_to_beginning(&mut self, topic: &str, partition: u32) -> JsResult<()> {
        let consumer = &mut self.consumer;
        with_log(&self.log, |log| {
            consumer.seek_to_beginning(log, &[TopicPartition::new(topic, partition)])
        })
    }

    /// Reads only what is appended to the partition from now on.
    #[wasm_bindgen(js_name = seekToEnd)]
    pub fn seek_to_end(&mut self, topic: &str, partition: u32) -> JsResult<()> {
        let consumer = &mut self.consumer;
        with_log(&self.log, |log| {
            consumer.seek_to_end(log, &[TopicPartition::new(topic, partition)])
        })
    }

    /// Moves every assigned partition to its first record at or after `timestamp_ms`.
    #[wasm_bindgen(js_name = seekToTimestamp)]
    pub fn seek_to_timestamp(&mut self, timestamp_ms: f64) -> JsResult<()> {
        let consumer = &mut self.consumer;
        with_log(&self.log, |log| {
            let at = numbers::millis("timestamp_ms", timestamp_ms)?;
            consumer.seek_to_timestamp(log, at)
        })
    }
}
