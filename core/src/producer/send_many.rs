//! `send_many`: many records in one call, appended before it returns.
//!
//! The records skip the accumulator: they are grouped by partition within the call (each routed
//! as `send` would route it; keyless ones fill whole batches under the sticky partitioner), and
//! each group is appended in batches of at most `batch_bytes`, so the per-record work is a
//! route, two vector pushes and a handle. Order per partition holds: a partition's open batch
//! from earlier `send`s, and a batch waiting for a retry, go first; while a retry still waits,
//! later batches join the open batch behind it instead of being appended.

use super::{Producer, checked_partition, prepare};
use crate::consumer::TopicPartition;
use crate::encoding::batch::BATCH_HEADER_BYTES;
use crate::encoding::record::Record;
use crate::error::Result;
use crate::log::Log;
use crate::producer::accumulator::Pending;
use crate::producer::record::{ProducerRecord, SendHandle};
use crate::storage::Storage;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// One partition's records in this call, not yet appended.
struct Group {
    batch: Pending,
    /// The partition's earlier batches (open or retrying) have been dealt with.
    earlier_drained: bool,
}

impl Group {
    fn new(created_ms: i64) -> Self {
        Self {
            batch: Pending {
                size_bytes: BATCH_HEADER_BYTES,
                created_ms,
                ..Pending::default()
            },
            earlier_drained: false,
        }
    }

    fn would_overflow(&self, size: usize, batch_bytes: usize) -> bool {
        !self.batch.records.is_empty() && self.batch.size_bytes + size > batch_bytes
    }
}

impl Producer {
    /// Sends many records in one call and appends them at once: one batch per partition they
    /// go to (more if a partition's records exceed `batch_bytes`). Nothing is sent if any
    /// record is refused, with one exception: a user partitioner that answers a partition
    /// outside the topic fails the call there, and the records routed before it are still
    /// sent (their outcomes are dropped). The handles come back in the records' order.
    pub fn send_many<S: Storage>(
        &mut self,
        log: &mut Log<S>,
        topic: &str,
        records: impl IntoIterator<Item = ProducerRecord>,
    ) -> Result<Vec<SendHandle>> {
        let partitions = log.topic_config(topic)?.partitions;
        let now_ms = log.now_ms();
        let records = records.into_iter();
        let mut prepared = Vec::with_capacity(records.size_hint().0);
        for record in records {
            let explicit = checked_partition(topic, record.partition, partitions)?;
            let (record, size) = prepare(record, now_ms)?;
            prepared.push((explicit, record, size));
        }
        let batch_bytes = self.config.batch_bytes;
        let mut groups: BTreeMap<u32, Group> = BTreeMap::new();
        let mut handles = Vec::with_capacity(prepared.len());
        let mut refused = None;
        for (explicit, record, size) in prepared {
            let partition = match explicit {
                Some(partition) => partition,
                None => {
                    match self.route_in_call(log, topic, &record, size, partitions, &mut groups) {
                        Ok(partition) => partition,
                        Err(error) => {
                            refused = Some(error);
                            break;
                        }
                    }
                }
            };
            let group = groups
                .entry(partition)
                .or_insert_with(|| Group::new(now_ms));
            if group.would_overflow(size, batch_bytes) {
                self.append_group(log, topic, partition, group);
            }
            let handle = self.completions.issue();
            group.batch.records.push(record);
            group.batch.handles.push(handle);
            group.batch.size_bytes += size;
            handles.push(handle);
            if group.batch.size_bytes >= batch_bytes {
                self.append_group(log, topic, partition, group);
            }
        }
        for (partition, mut group) in groups {
            self.append_group(log, topic, partition, &mut group);
        }
        self.sync_if_fsync(log).ok(); // errors are in the handles
        if let Some(error) = refused {
            // The caller gets no handles: nobody will take these outcomes.
            handles.into_iter().for_each(|h| self.completions.forget(h));
            return Err(error);
        }
        Ok(handles)
    }

    /// The partitioner's choice for a record of this call: like [`Producer::route`], but a
    /// sticky partition's batch is this call's group.
    fn route_in_call<S: Storage>(
        &mut self,
        log: &mut Log<S>,
        topic: &str,
        record: &Record,
        size: usize,
        partitions: u32,
        groups: &mut BTreeMap<u32, Group>,
    ) -> Result<u32> {
        self.route_with(topic, record, partitions, |producer, partition| {
            let batch_bytes = producer.config.batch_bytes;
            match groups.get_mut(&partition) {
                Some(group) if group.would_overflow(size, batch_bytes) => {
                    producer.append_group(log, topic, partition, group);
                    true
                }
                _ => false,
            }
        })
    }

    /// Appends `group`'s records as one batch (after the partition's earlier batches) and
    /// empties it. Errors go to the records' handles.
    fn append_group<S: Storage>(
        &mut self,
        log: &mut Log<S>,
        topic: &str,
        partition: u32,
        group: &mut Group,
    ) {
        if group.batch.records.is_empty() {
            return;
        }
        let tp = TopicPartition::new(topic, partition);
        if !group.earlier_drained {
            self.drain(log, &tp, false).ok(); // errors are in the handles
            group.earlier_drained = true;
        }
        let created_ms = group.batch.created_ms;
        let batch = core::mem::replace(&mut group.batch, Group::new(created_ms).batch);
        if self.accumulator.has_queued(&tp) {
            // A retry still waits: stay behind it.
            self.accumulator.absorb(&tp, batch);
            return;
        }
        let partitions = log
            .topic_config(topic)
            .map_or(partition + 1, |c| c.partitions);
        self.config
            .partitioner
            .on_batch_closed(topic, partition, partitions);
        match self.next_fields(log, &tp, batch.records.len()) {
            Ok(fields) => {
                self.append_batch(log, &tp, batch, fields, 0).ok(); // errors are in the handles
            }
            Err(error) => self.fail(&tp, batch.handles, &error),
        }
    }
}
