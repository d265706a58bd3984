//! The consumer: assigned partitions, a position in each, and `poll`.
//!
//! Kafka's model without groups (groups come later): the application assigns partitions,
//! `poll` returns records in offset order per partition from each position and moves it past
//! them, `seek*` moves positions. A partition without a position (newly assigned, or whose
//! position fell outside the log, say through retention) takes one from `auto_offset_reset`.
//!
//! This core consumer never blocks: `poll` returns what is there now (possibly nothing). The
//! bindings and the std layer wait for new data on top of it.
//!
//! Invariant: a position, once set, is within `[log start, high watermark]` when `poll` reads
//! from it, or the reset policy decides what happens.

mod records;

pub use records::{ConsumerRecords, TopicPartition};

use crate::error::{Error, Result};
use crate::log::Log;
use crate::storage::Storage;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// Where a partition without a valid position starts (Kafka's `auto.offset.reset`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AutoOffsetReset {
    /// At the log start: everything still stored.
    #[default]
    Earliest,
    /// At the high watermark: only what is appended from now on.
    Latest,
    /// Nowhere: `poll` fails with `OffsetOutOfRange` (Kafka's `none`).
    Error,
}

/// How a consumer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsumerConfig {
    /// Where to start without a valid position.
    pub auto_offset_reset: AutoOffsetReset,
    /// Most bytes of batches one partition's read returns (Kafka's
    /// `max.partition.fetch.bytes`); at least one batch is always returned.
    pub partition_fetch_bytes: usize,
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        Self {
            auto_offset_reset: AutoOffsetReset::Earliest,
            partition_fetch_bytes: 1024 * 1024,
        }
    }
}

/// A consumer of assigned partitions. See the module docs.
#[derive(Debug, Clone, Default)]
pub struct Consumer {
    config: ConsumerConfig,
    /// Assigned partitions and their positions (`None`: take one from the reset policy).
    positions: BTreeMap<TopicPartition, Option<i64>>,
    /// Where the next poll starts its round over the partitions, for fairness.
    next_start: usize,
}

impl Consumer {
    /// A consumer with `config` and nothing assigned.
    pub fn new(config: ConsumerConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// Replaces the assignment with `partitions` (Kafka's `assign`). Partitions kept from the
    /// old assignment keep their positions; new ones take theirs from `auto_offset_reset` now
    /// (so `Latest` means "records appended from this call on", not from the first poll), or,
    /// under `Error`, stay without one until a seek.
    pub fn assign<S: Storage>(
        &mut self,
        log: &Log<S>,
        partitions: &[TopicPartition],
    ) -> Result<()> {
        for tp in partitions {
            log.high_watermark(&tp.topic, tp.partition)?;
        }
        let mut positions = BTreeMap::new();
        for tp in partitions {
            let kept = self.positions.get(tp).copied().flatten();
            let position = match (kept, self.config.auto_offset_reset) {
                (Some(kept), _) => Some(kept),
                (None, AutoOffsetReset::Error) => None,
                (None, policy) => Some(resolve(log, tp, None, policy)?),
            };
            positions.insert(tp.clone(), position);
        }
        self.positions = positions;
        Ok(())
    }

    /// Assigns every partition of `topics`.
    pub fn assign_topics<S: Storage>(&mut self, log: &Log<S>, topics: &[&str]) -> Result<()> {
        let mut partitions = Vec::new();
        for topic in topics {
            for p in 0..log.topic_config(topic)?.partitions {
                partitions.push(TopicPartition::new(*topic, p));
            }
        }
        self.assign(log, &partitions)
    }

    /// The assigned partitions.
    pub fn assignment(&self) -> Vec<TopicPartition> {
        self.positions.keys().cloned().collect()
    }

    fn slot(&mut self, tp: &TopicPartition) -> Result<&mut Option<i64>> {
        self.positions
            .get_mut(tp)
            .ok_or_else(|| Error::PartitionNotAssigned {
                topic: tp.topic.clone(),
                partition: tp.partition,
            })
    }

    /// The offset the next record read from `tp` will have (resolving the reset policy if the
    /// partition has no position yet).
    pub fn position<S: Storage>(&mut self, log: &Log<S>, tp: &TopicPartition) -> Result<i64> {
        let policy = self.config.auto_offset_reset;
        let slot = self.slot(tp)?;
        let position = resolve(log, tp, *slot, policy)?;
        *slot = Some(position);
        Ok(position)
    }

    /// Sets the position of `tp` (Kafka's `seek`). An offset outside the log is allowed here
    /// and handled by the reset policy at the next poll, as in Kafka.
    pub fn seek(&mut self, tp: &TopicPartition, offset: i64) -> Result<()> {
        *self.slot(tp)? = Some(offset);
        Ok(())
    }

    /// Moves `partitions` (every assigned one when empty) to the log start.
    pub fn seek_to_beginning<S: Storage>(
        &mut self,
        log: &Log<S>,
        partitions: &[TopicPartition],
    ) -> Result<()> {
        self.seek_each(partitions, |tp| {
            log.log_start_offset(&tp.topic, tp.partition)
        })
    }

    /// Moves `partitions` (every assigned one when empty) to the high watermark.
    pub fn seek_to_end<S: Storage>(
        &mut self,
        log: &Log<S>,
        partitions: &[TopicPartition],
    ) -> Result<()> {
        self.seek_each(partitions, |tp| log.high_watermark(&tp.topic, tp.partition))
    }

    /// Moves every assigned partition to its first offset at or after `timestamp_ms` (Kafka's
    /// `offsetsForTimes` then `seek`), or to its high watermark if all its records are older.
    pub fn seek_to_timestamp<S: Storage>(&mut self, log: &Log<S>, timestamp_ms: i64) -> Result<()> {
        self.seek_each(&[], |tp| {
            match log.offset_for_timestamp(&tp.topic, tp.partition, timestamp_ms)? {
                Some(offset) => Ok(offset),
                None => log.high_watermark(&tp.topic, tp.partition),
            }
        })
    }

    fn seek_each(
        &mut self,
        partitions: &[TopicPartition],
        mut offset_of: impl FnMut(&TopicPartition) -> Result<i64>,
    ) -> Result<()> {
        let targets = if partitions.is_empty() {
            self.assignment()
        } else {
            partitions.to_vec()
        };
        let mut offsets = Vec::with_capacity(targets.len());
        for tp in &targets {
            self.slot(tp)?;
            offsets.push(offset_of(tp)?);
        }
        for (tp, offset) in targets.iter().zip(offsets) {
            *self.slot(tp)? = Some(offset);
        }
        Ok(())
    }

    /// Wakes `waker` once, at the next append to any assigned partition: register, poll, and
    /// if the poll was empty wait for the wake (registering first closes the gap where a
    /// record lands between an empty poll and the wait).
    pub fn wake_on_data<S: Storage>(
        &self,
        log: &mut Log<S>,
        waker: &core::task::Waker,
    ) -> Result<()> {
        for tp in self.positions.keys() {
            log.wake_on_append(&tp.topic, tp.partition, waker)?;
        }
        Ok(())
    }

    /// Up to `max_records` records from the assigned partitions, in offset order within each
    /// partition, moving each position past what is returned. Partitions take turns across
    /// polls, so one busy partition cannot starve the others. Returns at once, empty when
    /// nothing new is stored.
    pub fn poll<S: Storage>(
        &mut self,
        log: &Log<S>,
        max_records: usize,
    ) -> Result<ConsumerRecords> {
        let mut out = ConsumerRecords::default();
        let assigned: Vec<TopicPartition> = self.assignment();
        let count = assigned.len();
        if count == 0 || max_records == 0 {
            return Ok(out);
        }
        let start = self.next_start % count;
        self.next_start = (start + 1) % count;
        let mut remaining = max_records;
        for tp in assigned.iter().cycle().skip(start).take(count) {
            if remaining == 0 {
                break;
            }
            let position = self.position(log, tp)?;
            let mut records = log.read_records(
                &tp.topic,
                tp.partition,
                position,
                self.config.partition_fetch_bytes,
                remaining,
            )?;
            records.truncate(remaining);
            if let Some(last) = records.last() {
                remaining -= records.len();
                *self.slot(tp)? = Some(last.offset + 1);
                out.push(tp.clone(), records);
            }
        }
        Ok(out)
    }
}

/// The position to read `tp` from: `current` if it is within the log, else the policy's.
fn resolve<S: Storage>(
    log: &Log<S>,
    tp: &TopicPartition,
    current: Option<i64>,
    policy: AutoOffsetReset,
) -> Result<i64> {
    let start = log.log_start_offset(&tp.topic, tp.partition)?;
    let end = log.high_watermark(&tp.topic, tp.partition)?;
    match (current, policy) {
        (Some(offset), _) if (start..=end).contains(&offset) => Ok(offset),
        (_, AutoOffsetReset::Earliest) => Ok(start),
        (_, AutoOffsetReset::Latest) => Ok(end),
        (offset, AutoOffsetReset::Error) => Err(Error::OffsetOutOfRange {
            offset: offset.unwrap_or(-1),
            log_start_offset: start,
            high_watermark: end,
        }),
    }
}
