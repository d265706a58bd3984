//! The producer: routes records to partitions, groups them into batches per partition, and
//! appends each batch when it is full, when it has lingered long enough, or on `flush`.
//!
//! Kafka's accumulator model, driven by calls rather than a background thread so the core
//! stays synchronous and `no_std`: `send` may append a full batch at once; `poll` appends the
//! batches whose `linger_ms` has passed; `flush` appends everything. Each `send` returns a
//! [`SendHandle`]; its [`RecordMetadata`] (or error) is ready once its batch is appended at the
//! producer's [`Durability`]. The std layer and the bindings call `poll` on a timer and wait
//! on handles.
//!
//! Invariants: records of one partition are appended in the order they were sent; a batch
//! holds records of one partition only; every handle is resolved exactly once; a batch that
//! fails to append or sync hands its error to its own records' handles (as Kafka's send
//! futures carry it) and never fails an unrelated send.

mod accumulator;
mod completions;
mod record;
mod send_many;

pub use record::{Durability, ProducerConfig, ProducerRecord, RecordMetadata, SendHandle};

use crate::consumer::TopicPartition;
use crate::encoding::batch::ProducerFields;
use crate::encoding::record::{Record, body_len, check_timestamp};
use crate::encoding::varint::varlong_len;
use crate::error::ErrorCode;
use crate::error::{Error, Result};
use crate::limits::RECORD_BYTES_MAX;
use crate::log::AppendOptions;
use crate::log::Log;
use crate::log::producer_state::sequence_after;
use crate::partitioner::{PartitionRequest, murmur2_partition};
use crate::storage::Storage;
use accumulator::{Accumulator, Pending, Retry};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use completions::{Completions, DoneBatch};

/// A producer. See the module docs.
#[derive(Debug)]
pub struct Producer {
    config: ProducerConfig,
    accumulator: Accumulator,
    completions: Completions,
    appended_ends: BTreeMap<TopicPartition, i64>,
    /// Producer id and epoch, once the first idempotent batch needs them.
    identity: Option<(i64, i16)>,
    /// Each partition's next sequence number, for the topic's generation it was counted in
    /// (a topic deleted and created again starts over at 0).
    sequences: BTreeMap<TopicPartition, (u64, i32)>,
}

impl Producer {
    /// A producer with `config`.
    pub fn new(config: ProducerConfig) -> Self {
        Self {
            config,
            accumulator: Accumulator::default(),
            completions: Completions::default(),
            appended_ends: BTreeMap::new(),
            identity: None,
            sequences: BTreeMap::new(),
        }
    }

    /// Sends `record` to `topic`: to its own partition if it names one, else where the
    /// partitioner says. Checks everything it can now (topic, partition, size, timestamp), so
    /// a handle is only returned for a record the log will take.
    pub fn send<S: Storage>(
        &mut self,
        log: &mut Log<S>,
        topic: &str,
        record: ProducerRecord,
    ) -> Result<SendHandle> {
        let partitions = log.topic_config(topic)?.partitions;
        let explicit = checked_partition(topic, record.partition, partitions)?;
        let now_ms = log.now_ms();
        let (record, size) = prepare(record, now_ms)?;
        let partition = match explicit {
            Some(partition) => partition,
            None => self.route(log, topic, &record, size, partitions)?,
        };
        let tp = TopicPartition::new(topic, partition);
        Ok(self.enqueue(log, tp, record, size, now_ms))
    }

    /// Sends `record` to the partition its `order_key` picks (RocketMQ's ordered send): every
    /// record with the same order key goes to the same partition, in send order, also after a
    /// reopen, since the choice is murmur2 of the key over the partition count.
    pub fn send_ordered<S: Storage>(
        &mut self,
        log: &mut Log<S>,
        topic: &str,
        record: ProducerRecord,
        order_key: &[u8],
    ) -> Result<SendHandle> {
        let partitions = log.topic_config(topic)?.partitions;
        let now_ms = log.now_ms();
        let (record, size) = prepare(record, now_ms)?;
        let tp = TopicPartition::new(topic, murmur2_partition(order_key, partitions));
        Ok(self.enqueue(log, tp, record, size, now_ms))
    }

    /// The partitioner's choice for `record`, its batch being the accumulator's.
    fn route<S: Storage>(
        &mut self,
        log: &mut Log<S>,
        topic: &str,
        record: &Record,
        size: usize,
        partitions: u32,
    ) -> Result<u32> {
        self.route_with(topic, record, partitions, |producer, partition| {
            let tp = TopicPartition::new(topic, partition);
            let batch_bytes = producer.config.batch_bytes;
            let full = producer.accumulator.would_overflow(&tp, size, batch_bytes);
            if full {
                producer.drain(log, &tp, false).ok(); // errors are in the handles
            }
            full
        })
    }

    /// The partitioner's choice for `record`. A keyless record routed to a sticky partition
    /// whose batch it would overflow closes that batch (`close_if_full` says whether it did)
    /// and is routed again (Kafka's KIP-480), so keyless records fill whole batches. A user
    /// function's answer outside the topic is `PartitionNotFound`.
    fn route_with(
        &mut self,
        topic: &str,
        record: &Record,
        partitions: u32,
        close_if_full: impl FnOnce(&mut Self, u32) -> bool,
    ) -> Result<u32> {
        let request = PartitionRequest {
            topic,
            key: record.key.as_deref(),
            partitions,
        };
        let mut partition = self.config.partitioner.partition(&request);
        let sticky = record.key.is_none() && self.config.partitioner.is_sticky_for_keyless();
        if sticky && close_if_full(self, partition) {
            partition = self.config.partitioner.partition(&request);
        }
        checked_partition(topic, Some(partition), partitions).map(|_| partition)
    }

    fn enqueue<S: Storage>(
        &mut self,
        log: &mut Log<S>,
        tp: TopicPartition,
        record: Record,
        size: usize,
        now_ms: i64,
    ) -> SendHandle {
        let handle = self.push(log, tp, record, size, now_ms);
        self.sync_if_fsync(log).ok(); // errors are in the handles
        handle
    }

    /// Adds a prepared record to its partition's batch, appending the batch first if the record
    /// would overflow it, and after if the record fills it.
    fn push<S: Storage>(
        &mut self,
        log: &mut Log<S>,
        tp: TopicPartition,
        record: Record,
        size: usize,
        now_ms: i64,
    ) -> SendHandle {
        if self
            .accumulator
            .would_overflow(&tp, size, self.config.batch_bytes)
        {
            self.drain(log, &tp, false).ok(); // errors are in the handles
        }
        let handle = self.completions.issue();
        self.accumulator.push(&tp, record, size, handle, now_ms);
        if self.accumulator.is_full(&tp, self.config.batch_bytes) {
            self.drain(log, &tp, false).ok(); // errors are in the handles
        }
        handle
    }

    /// Appends the batches that have lingered `linger_ms`; returns how many. Every ready batch
    /// is tried; the first failure is returned (each failed record's handle has it too).
    pub fn poll<S: Storage>(&mut self, log: &mut Log<S>) -> Result<usize> {
        let ready = self
            .accumulator
            .lingered(log.now_ms(), self.config.linger_ms);
        self.drain_all(log, &ready, false).map(|()| ready.len())
    }

    /// Appends every pending batch (and syncs them under `fsync` durability); batches waiting
    /// for a retry are tried now, whatever their backoff. Every batch is tried; the first
    /// failure is returned (each failed record's handle has it too, unless it is kept for
    /// another retry).
    pub fn flush<S: Storage>(&mut self, log: &mut Log<S>) -> Result<()> {
        let all = self.accumulator.partitions();
        self.drain_all(log, &all, true)
    }

    /// The outcome of `handle`, once its batch is appended (and synced under `fsync`); each
    /// outcome is handed out once.
    pub fn result(&mut self, handle: SendHandle) -> Option<Result<RecordMetadata>> {
        self.completions.take(handle)
    }

    /// How many records wait in batches not yet appended.
    pub fn pending_records(&self) -> usize {
        self.accumulator.record_count()
    }

    /// Drops `handle`'s outcome, now or when its batch completes: for a caller that will never
    /// ask for it (a dropped future), so outcomes nobody takes do not pile up.
    pub fn forget(&mut self, handle: SendHandle) {
        self.completions.forget(handle);
    }

    /// How many outcomes are held: sends not yet completed plus outcomes not yet taken.
    pub fn outcomes_held(&self) -> usize {
        self.completions.len()
    }

    /// Whether `handle`'s outcome is ready to be taken by [`Self::result`].
    pub fn is_ready(&self, handle: SendHandle) -> bool {
        self.completions.is_ready(handle)
    }

    /// Whether `handle` was issued by this producer and its outcome not yet handed out.
    pub fn is_outstanding(&self, handle: SendHandle) -> bool {
        self.completions.is_outstanding(handle)
    }

    /// When the oldest open batch will have lingered `linger_ms` (by the log's clock), if
    /// there is one: when [`Self::poll`] will next have work.
    pub fn next_linger_deadline_ms(&self) -> Option<i64> {
        self.accumulator.next_deadline_ms(self.config.linger_ms)
    }

    /// The end offset (last offset + 1) of the newest batch this producer appended to each
    /// partition since the last call: what a caller syncing on its own must cover.
    pub fn take_appended_ends(&mut self) -> BTreeMap<TopicPartition, i64> {
        core::mem::take(&mut self.appended_ends)
    }

    fn drain_all<S: Storage>(
        &mut self,
        log: &mut Log<S>,
        partitions: &[TopicPartition],
        force: bool,
    ) -> Result<()> {
        let mut first_error = None;
        for tp in partitions {
            if let Err(error) = self.drain(log, tp, force) {
                first_error.get_or_insert(error);
            }
        }
        if let Err(error) = self.sync_if_fsync(log) {
            first_error.get_or_insert(error);
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Appends `tp`'s batch waiting for a retry, if any (once its backoff has passed, or at
    /// once when `force`d), then its open batch, resolving their handles. A batch still
    /// waiting for a retry holds back the open batch behind it, so the partition's order holds.
    /// Under `fsync` durability the handles resolve only after `sync_if_fsync`.
    fn drain<S: Storage>(
        &mut self,
        log: &mut Log<S>,
        tp: &TopicPartition,
        force: bool,
    ) -> Result<()> {
        if let Some(retry) = self.accumulator.take_retry(tp) {
            if !force && retry.due_ms > log.now_ms() {
                self.accumulator.put_retry(tp, retry);
                return Ok(());
            }
            self.append_batch(log, tp, retry.pending, retry.fields, retry.attempts)?;
        }
        let Some(pending) = self.accumulator.take(tp) else {
            return Ok(());
        };
        let partitions = match log.topic_config(&tp.topic) {
            Ok(config) => config.partitions,
            Err(error) => {
                // The topic went away under the batch: its records fail.
                self.fail(tp, pending.handles, &error);
                return Err(error);
            }
        };
        self.config
            .partitioner
            .on_batch_closed(&tp.topic, tp.partition, partitions);
        match self.next_fields(log, tp, pending.records.len()) {
            Ok(fields) => self.append_batch(log, tp, pending, fields, 0),
            Err(error) => {
                self.fail(tp, pending.handles, &error);
                Err(error)
            }
        }
    }

    /// The producer fields for `tp`'s next batch of `count` records: none without
    /// idempotence; else this producer's id (taken from the log on first use) and epoch, and
    /// the partition's next sequence, which moves past the batch.
    fn next_fields<S: Storage>(
        &mut self,
        log: &mut Log<S>,
        tp: &TopicPartition,
        count: usize,
    ) -> Result<ProducerFields> {
        if !self.config.enable_idempotence {
            return Ok(ProducerFields::NONE);
        }
        let (producer_id, producer_epoch) = match self.identity {
            Some(identity) => identity,
            None => *self.identity.insert((log.init_producer_id()?, 0)),
        };
        let generation = log.topic_generation(&tp.topic)?;
        let entry = self.sequences.entry(tp.clone()).or_insert((generation, 0));
        if entry.0 != generation {
            *entry = (generation, 0);
        }
        let base_sequence = entry.1;
        entry.1 = sequence_after(base_sequence, count as i64);
        Ok(ProducerFields {
            producer_id,
            producer_epoch,
            base_sequence,
        })
    }

    /// Appends one batch. On an I/O error with retries left it is kept to be tried again
    /// with the same fields; on any other failure its records fail, and an idempotent
    /// producer bumps its epoch, since the batch left a hole in its sequence (Kafka's
    /// KIP-360).
    fn append_batch<S: Storage>(
        &mut self,
        log: &mut Log<S>,
        tp: &TopicPartition,
        pending: Pending,
        fields: ProducerFields,
        attempts: u32,
    ) -> Result<()> {
        let options = AppendOptions {
            producer: fields,
            compression: self.config.compression,
            ..AppendOptions::default()
        };
        let outcome = log.append_with(&tp.topic, tp.partition, &pending.records, &options);
        let info = match outcome {
            Ok(info) => info,
            Err(error) => {
                if error.code() == ErrorCode::Io && attempts < self.config.retries {
                    let due_ms = log.now_ms().saturating_add(self.config.retry_backoff_ms);
                    let retry = Retry {
                        pending,
                        fields,
                        attempts: attempts + 1,
                        due_ms,
                    };
                    self.accumulator.put_retry(tp, retry);
                } else {
                    self.fail(tp, pending.handles, &error);
                    if fields.producer_id >= 0 {
                        self.bump_epoch();
                    }
                }
                return Err(error);
            }
        };
        self.appended_ends.insert(tp.clone(), info.last_offset + 1);
        let done = DoneBatch {
            topic: tp.topic.as_str().into(),
            partition: tp.partition,
            base_offset: info.base_offset,
            log_append_time_ms: info.log_append_time_ms,
            timestamps_ms: pending.records.iter().map(|r| r.timestamp_ms).collect(),
            handles: pending.handles,
            error: None,
        };
        match self.config.durability {
            Durability::Fsync => self.accumulator.await_sync(tp, done),
            _ => self.completions.complete(done),
        }
        Ok(())
    }

    fn fail(&mut self, tp: &TopicPartition, handles: Vec<SendHandle>, error: &Error) {
        self.completions.complete(DoneBatch {
            topic: tp.topic.as_str().into(),
            partition: tp.partition,
            base_offset: -1,
            log_append_time_ms: None,
            timestamps_ms: Vec::new(),
            handles,
            error: Some(error.clone()),
        });
    }

    /// Starts a new epoch with every sequence back at 0; a new producer id once the epochs
    /// run out.
    fn bump_epoch(&mut self) {
        self.identity = match self.identity {
            Some((id, epoch)) if epoch < i16::MAX => Some((id, epoch + 1)),
            _ => None,
        };
        self.sequences.clear();
    }

    /// Under `fsync` durability: syncs every partition with appended, unsynced batches once,
    /// then resolves their handles (one sync covers every batch appended before it).
    fn sync_if_fsync<S: Storage>(&mut self, log: &mut Log<S>) -> Result<()> {
        let mut first_error = None;
        for (tp, batches) in self.accumulator.take_awaiting_sync() {
            let synced = log.sync_partition(&tp.topic, tp.partition);
            for mut batch in batches {
                if let Err(error) = &synced {
                    batch.error = Some(error.clone());
                }
                self.completions.complete(batch);
            }
            if let Err(error) = synced {
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

/// `partition`, if named, checked against the topic's count.
pub(super) fn checked_partition(
    topic: &str,
    partition: Option<u32>,
    partitions: u32,
) -> Result<Option<u32>> {
    match partition {
        Some(partition) if partition >= partitions => Err(Error::PartitionNotFound {
            topic: topic.into(),
            partition,
            partitions,
        }),
        other => Ok(other),
    }
}

/// Checks a record and fills in its timestamp; returns it with its size in a batch.
pub(super) fn prepare(record: ProducerRecord, now_ms: i64) -> Result<(Record, usize)> {
    let timestamp_ms = record.timestamp_ms.unwrap_or(now_ms);
    check_timestamp(timestamp_ms)?;
    let record = Record {
        timestamp_ms,
        key: record.key,
        value: record.value,
        headers: record.headers,
    };
    // The record's size in a batch, with the widest deltas it could get.
    let body = body_len(&record, i64::from(i32::MAX), i32::MAX);
    let size = varlong_len(body as i64) + body;
    if size > RECORD_BYTES_MAX {
        return Err(Error::RecordTooLarge {
            size_bytes: size,
            max_bytes: RECORD_BYTES_MAX,
        });
    }
    Ok((record, size))
}
