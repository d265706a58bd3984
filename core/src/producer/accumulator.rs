//! The record accumulator: one open batch per partition, and the appended batches waiting
//! for a sync under `fsync` durability.

use super::completions::DoneBatch;
use super::record::SendHandle;
use crate::consumer::TopicPartition;
use crate::encoding::batch::{BATCH_HEADER_BYTES, ProducerFields};
use crate::encoding::record::Record;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// A partition's open batch.
#[derive(Debug, Default)]
pub struct Pending {
    /// Its records, in send order.
    pub records: Vec<Record>,
    /// Their handles, in the same order.
    pub handles: Vec<SendHandle>,
    /// Bytes the batch will take (header included).
    pub size_bytes: usize,
    /// When its first record arrived.
    pub created_ms: i64,
}

/// A batch whose append failed with an error worth retrying, waiting for its next try with
/// the same producer fields (so a try that did store it is recognised as a duplicate).
#[derive(Debug)]
pub struct Retry {
    /// The batch.
    pub pending: Pending,
    /// Its producer id, epoch and base sequence.
    pub fields: ProducerFields,
    /// Tries so far.
    pub attempts: u32,
    /// When `poll` may try it again (`flush` does not wait).
    pub due_ms: i64,
}

/// Open batches and batches awaiting a sync.
#[derive(Debug, Default)]
pub struct Accumulator {
    open: BTreeMap<TopicPartition, Pending>,
    retries: BTreeMap<TopicPartition, Retry>,
    awaiting_sync: BTreeMap<TopicPartition, Vec<DoneBatch>>,
}

impl Accumulator {
    /// Whether adding `size` bytes to `tp`'s batch would take it past `batch_bytes` (an empty
    /// batch takes any record).
    pub fn would_overflow(&self, tp: &TopicPartition, size: usize, batch_bytes: usize) -> bool {
        self.open
            .get(tp)
            .is_some_and(|p| !p.records.is_empty() && p.size_bytes + size > batch_bytes)
    }

    /// Whether `tp`'s batch has reached `batch_bytes`.
    pub fn is_full(&self, tp: &TopicPartition, batch_bytes: usize) -> bool {
        self.open
            .get(tp)
            .is_some_and(|p| p.size_bytes >= batch_bytes)
    }

    /// Adds a record to `tp`'s batch.
    pub fn push(
        &mut self,
        tp: &TopicPartition,
        record: Record,
        size: usize,
        handle: SendHandle,
        now_ms: i64,
    ) {
        let pending = match self.open.get_mut(tp) {
            Some(pending) => pending,
            None => self.open.entry(tp.clone()).or_insert_with(|| Pending {
                size_bytes: BATCH_HEADER_BYTES,
                created_ms: now_ms,
                ..Pending::default()
            }),
        };
        pending.records.push(record);
        pending.handles.push(handle);
        pending.size_bytes += size;
    }

    /// Holds a failed batch for its next try; it goes before `tp`'s open batch.
    pub fn put_retry(&mut self, tp: &TopicPartition, retry: Retry) {
        self.retries.insert(tp.clone(), retry);
    }

    /// Takes `tp`'s batch waiting for a retry.
    pub fn take_retry(&mut self, tp: &TopicPartition) -> Option<Retry> {
        self.retries.remove(tp)
    }

    /// Whether `tp` has a batch waiting for a retry or an open batch with records: anything
    /// a new batch for `tp` must wait behind.
    pub fn has_queued(&self, tp: &TopicPartition) -> bool {
        self.retries.contains_key(tp) || self.open.get(tp).is_some_and(|p| !p.records.is_empty())
    }

    /// Adds a whole batch's records to the end of `tp`'s open batch.
    pub fn absorb(&mut self, tp: &TopicPartition, batch: Pending) {
        match self.open.get_mut(tp) {
            Some(open) => {
                open.records.extend(batch.records);
                open.handles.extend(batch.handles);
                open.size_bytes += batch.size_bytes - BATCH_HEADER_BYTES;
            }
            None => {
                self.open.insert(tp.clone(), batch);
            }
        }
    }

    /// Takes `tp`'s batch, if it has records.
    pub fn take(&mut self, tp: &TopicPartition) -> Option<Pending> {
        self.open.remove(tp).filter(|p| !p.records.is_empty())
    }

    /// Partitions whose batch's first record has waited `linger_ms` by `now_ms`, and those
    /// with a batch to retry.
    pub fn lingered(&self, now_ms: i64, linger_ms: i64) -> Vec<TopicPartition> {
        let lingered = self
            .open
            .iter()
            .filter(|(tp, p)| {
                now_ms.saturating_sub(p.created_ms) >= linger_ms
                    && self.retries.get(tp).is_none_or(|r| r.due_ms <= now_ms)
            })
            .map(|(tp, _)| tp);
        let due = self
            .retries
            .iter()
            .filter(|(_, r)| r.due_ms <= now_ms)
            .map(|(tp, _)| tp);
        let mut ready: Vec<_> = lingered.chain(due).cloned().collect();
        ready.sort();
        ready.dedup();
        ready
    }

    /// Partitions with an open batch or a batch to retry.
    pub fn partitions(&self) -> Vec<TopicPartition> {
        let mut all: Vec<_> = self
            .open
            .keys()
            .chain(self.retries.keys())
            .cloned()
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// When `lingered` will next name a partition: the oldest open batch's linger end (not
    /// before its partition's retry is due), or a retry's due time.
    pub fn next_deadline_ms(&self, linger_ms: i64) -> Option<i64> {
        let lingers = self
            .open
            .iter()
            .filter(|(_, p)| !p.records.is_empty())
            .map(|(tp, p)| {
                let lingered = p.created_ms.saturating_add(linger_ms);
                self.retries
                    .get(tp)
                    .map_or(lingered, |r| lingered.max(r.due_ms))
            });
        lingers.chain(self.retries.values().map(|r| r.due_ms)).min()
    }

    /// Records in open batches and batches to retry.
    pub fn record_count(&self) -> usize {
        let retrying = self.retries.values().map(|r| r.pending.records.len());
        self.open
            .values()
            .map(|p| p.records.len())
            .chain(retrying)
            .sum()
    }

    /// Holds an appended batch's outcome until `tp` is synced.
    pub fn await_sync(&mut self, tp: &TopicPartition, done: DoneBatch) {
        self.awaiting_sync.entry(tp.clone()).or_default().push(done);
    }

    /// Everything awaiting a sync, by partition.
    pub fn take_awaiting_sync(&mut self) -> BTreeMap<TopicPartition, Vec<DoneBatch>> {
        core::mem::take(&mut self.awaiting_sync)
    }
}
