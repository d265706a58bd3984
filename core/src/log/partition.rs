//! One partition: an ordered list of segments, the last of them active.
//!
//! Invariants: there is always at least one segment (an empty partition has one empty segment
//! at offset 0, whose file comes into being on the first append); segments are dense (each
//! starts where the previous ends); only the active segment grows; a sealed segment was synced
//! when it was sealed. If a write fails and cannot be undone, the partition refuses further
//! writes until the log is reopened (and recovery repairs the tail), so a half-written batch is
//! never followed by a whole one.

use super::producer_state::{ProducerStates, SequenceCheck};
use super::segment::Segment;
use super::topic::TopicConfig;
use super::walk::SegmentWalk;
use crate::encoding::batch::{
    self, Batch, BatchOptions, Compression, ProducerFields, TimestampType, decode_header,
};
use crate::encoding::record::{Record, check_timestamp};
use crate::error::{Error, Result};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// Smallest chunk a read fetches from storage at once.
const READ_CHUNK_BYTES_MIN: usize = 64 * 1024;

/// Chunk size for walks that only look at batch headers.
const HEADER_SCAN_CHUNK_BYTES: usize = 4096;

/// Producer fields and flags for an append (Kafka's idempotence and transactions).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AppendOptions {
    /// Producer id, epoch and base sequence (`ProducerFields::NONE` when not idempotent).
    pub producer: ProducerFields,
    /// The batch belongs to a transaction.
    pub transactional: bool,
    /// The batch is a control batch (transaction markers).
    pub control: bool,
    /// The codec, when not the topic's.
    pub compression: Option<Compression>,
}

/// Where an appended batch went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendInfo {
    /// Offset of the batch's first record.
    pub base_offset: i64,
    /// Offset of its last record.
    pub last_offset: i64,
    /// The append time, for topics that use log-append time.
    pub log_append_time_ms: Option<i64>,
    /// Bytes the batch takes on disk (0 for a duplicate).
    pub size_bytes: usize,
    /// The batch was an idempotent producer's retry of one already stored, at these offsets:
    /// nothing was written.
    pub duplicate: bool,
}

/// A partition's segments.
#[derive(Debug)]
pub struct Partition {
    dir: String,
    segments: Vec<Segment>,
    failed: bool,
    encode_buffer: Vec<u8>,
    /// Built on the first idempotent append (see `producer_state`).
    producer_states: Option<ProducerStates>,
    /// A sync of this partition failed: the disk may have dropped bytes a later sync would not
    /// vouch for (Linux reports a writeback error once), so every later sync fails with this
    /// error until the log is reopened and recovery looks at what is really there.
    sync_failed: Option<Error>,
}

fn parse_segment_base(name: &str, prefix: &str) -> Option<i64> {
    let stem = name.strip_prefix(prefix)?.strip_suffix(".log")?;
    (stem.len() == 20 && stem.bytes().all(|b| b.is_ascii_digit())).then(|| stem.parse().ok())?
}

/// The base offsets of the segments under `dir`, sorted.
pub fn segment_bases(dir: &str, names: &[String]) -> Vec<i64> {
    let prefix = format!("{dir}/");
    let mut bases: Vec<i64> = names
        .iter()
        .filter_map(|n| parse_segment_base(n, &prefix))
        .collect();
    bases.sort_unstable();
    bases
}

impl Partition {
    /// Opens the partition stored under `dir`, recovering every segment. `names` is every
    /// file in storage.
    pub fn open<S: crate::storage::Storage + ?Sized>(
        storage: &mut S,
        dir: &str,
        names: &[String],
        config: &TopicConfig,
        writable: bool,
    ) -> Result<Self> {
        let bases = segment_bases(dir, names);
        let mut segments = Vec::with_capacity(bases.len().max(1));
        for (i, &base) in bases.iter().enumerate() {
            let is_last = i + 1 == bases.len();
            segments.push(Segment::recover(
                storage,
                dir,
                base,
                names,
                is_last,
                writable,
                config.index_interval_bytes,
            )?);
        }
        for pair in segments.windows(2) {
            if let [previous, next] = pair
                && previous.next_offset != next.base_offset
            {
                return Err(Error::corrupt(
                    &next.log_name,
                    0,
                    format!(
                        "segment starts at offset {} but the one before ends at {}",
                        next.base_offset, previous.next_offset
                    ),
                ));
            }
        }
        if segments.is_empty() {
            segments.push(Segment::new(dir, 0));
        }
        if writable {
            // Rebuilt indexes of sealed segments reach their files now: nothing else writes
            // a sealed segment's index, and without it every open would scan it whole.
            for segment in &mut segments {
                segment.write_index(storage)?;
            }
        }
        Ok(Self {
            dir: dir.into(),
            segments,
            failed: false,
            encode_buffer: Vec::new(),
            producer_states: None,
            sync_failed: None,
        })
    }

    fn active(&self) -> &Segment {
        // `segments` is never empty (see the module invariants).
        self.segments
            .last()
            .unwrap_or_else(|| unreachable!("a partition always has a segment"))
    }

    fn active_mut(&mut self) -> &mut Segment {
        self.segments
            .last_mut()
            .unwrap_or_else(|| unreachable!("a partition always has a segment"))
    }

    /// The storage directory of this partition.
    pub fn dir(&self) -> &str {
        &self.dir
    }

    /// The segments, oldest first.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The first offset still stored.
    pub fn log_start_offset(&self) -> i64 {
        self.segments.first().map_or(0, |s| s.base_offset)
    }

    /// The offset the next record will get.
    pub fn high_watermark(&self) -> i64 {
        self.active().next_offset
    }

    /// Bytes in all segment files.
    pub fn size_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.size_bytes).sum()
    }

    /// The largest timestamp in the partition, if any record is stored.
    pub fn max_timestamp(&self) -> Option<i64> {
        self.segments
            .iter()
            .map(|s| s.max_timestamp)
            .max()
            .filter(|&ts| ts != i64::MIN)
    }

    /// Appends `records` as one batch.
    pub fn append<S: crate::storage::Storage + ?Sized>(
        &mut self,
        storage: &mut S,
        config: &TopicConfig,
        records: &[Record],
        options: &AppendOptions,
        now_ms: i64,
    ) -> Result<AppendInfo> {
        self.writable()?;
        let log_append_time_ms = match config.timestamp_type {
            // Monotonic per partition, whatever the wall clock does.
            TimestampType::LogAppendTime => {
                Some(now_ms.max(self.max_timestamp().unwrap_or(i64::MIN)))
            }
            TimestampType::CreateTime => {
                for record in records {
                    check_timestamp(record.timestamp_ms)?;
                }
                None
            }
        };
        let batch_options = BatchOptions {
            compression: options.compression.unwrap_or(config.compression),
            log_append_time_ms,
            producer: options.producer,
            transactional: options.transactional,
            control: options.control,
        };
        let base_offset = self.high_watermark();
        let mut buffer = core::mem::take(&mut self.encode_buffer);
        buffer.clear();
        let result =
            batch::encode(base_offset, records, &batch_options, &mut buffer).and_then(|encoded| {
                self.write_batch(storage, config, &buffer, encoded.last_offset, now_ms)
            });
        self.encode_buffer = buffer;
        let size_bytes = result?;
        if let Some(states) = &mut self.producer_states
            && let Some(header) = self.encode_buffer.get(..size_bytes)
            && let Ok(header) = decode_header(header)
        {
            states.note(&header);
        }
        Ok(AppendInfo {
            base_offset,
            last_offset: self.high_watermark() - 1,
            log_append_time_ms,
            size_bytes,
            duplicate: false,
        })
    }

    /// For an idempotent producer's batch of `count` records: whether it may be written, is a
    /// retry of a stored batch (returned as that batch's `AppendInfo`), or is refused. The
    /// first call reads every batch header of the partition.
    pub fn check_sequence<S: crate::storage::Storage + ?Sized>(
        &mut self,
        storage: &S,
        (topic, partition): (&str, u32),
        config: &TopicConfig,
        producer: ProducerFields,
        count: usize,
    ) -> Result<Option<AppendInfo>> {
        if producer.producer_id < 0 {
            return Ok(None);
        }
        if self.producer_states.is_none() {
            self.producer_states = Some(self.scan_producer_states(storage)?);
        }
        let Some(states) = &self.producer_states else {
            return Ok(None);
        };
        Ok(match states.check(topic, partition, producer, count)? {
            SequenceCheck::Append => None,
            SequenceCheck::Duplicate(stored) => Some(AppendInfo {
                base_offset: stored.base_offset,
                last_offset: stored.last_offset,
                log_append_time_ms: (config.timestamp_type == TimestampType::LogAppendTime)
                    .then_some(stored.max_timestamp_ms),
                size_bytes: 0,
                duplicate: true,
            }),
        })
    }

    /// Producer state from every stored batch header, oldest first.
    fn scan_producer_states<S: crate::storage::Storage + ?Sized>(
        &self,
        storage: &S,
    ) -> Result<ProducerStates> {
        let mut states = ProducerStates::default();
        for segment in &self.segments {
            let mut walk = SegmentWalk::new(storage, segment, None, HEADER_SCAN_CHUNK_BYTES);
            while let Some(header) = walk.peek() {
                let header = header?;
                states.note(&header);
                walk.skip(&header);
            }
        }
        Ok(states)
    }

    fn write_batch<S: crate::storage::Storage + ?Sized>(
        &mut self,
        storage: &mut S,
        config: &TopicConfig,
        bytes: &[u8],
        last_offset: i64,
        now_ms: i64,
    ) -> Result<usize> {
        let header = decode_header(bytes).map_err(|e| Error::InvalidRecord {
            reason: e.to_string(),
        })?;
        if self.should_roll(config, bytes.len(), last_offset, now_ms) {
            self.roll(storage)?;
        }
        let segment = self.active_mut();
        let expected_position = segment.size_bytes;
        match storage.append(&segment.log_name, bytes) {
            Ok(position) if position == expected_position => {
                segment.note_batch(position, &header, config.index_interval_bytes);
                Ok(bytes.len())
            }
            Ok(position) => {
                self.failed = true;
                Err(Error::corrupt(
                    &self.active().log_name,
                    position,
                    format!(
                        "file grew behind the log's back (expected its end at {expected_position})"
                    ),
                ))
            }
            Err(error) => {
                // Undo whatever part of the write landed. A file still at its old length (or
                // never created, for a first batch) needs nothing; one that cannot be cut
                // back poisons the partition until reopen.
                let name = segment.log_name.clone();
                let grew = storage
                    .len(&name)
                    .map_or(expected_position > 0, |len| len != expected_position);
                if grew && storage.truncate(&name, expected_position).is_err() {
                    self.failed = true;
                }
                Err(error)
            }
        }
    }

    /// Refuses writes after a failed write that could not be undone (see the module docs).
    fn writable(&self) -> Result<()> {
        if self.failed {
            return Err(Error::Io {
                op: "append",
                path: self.dir.clone(),
                message: "an earlier write failed and could not be undone; reopen the log".into(),
            });
        }
        Ok(())
    }

    fn should_roll(
        &self,
        config: &TopicConfig,
        batch_bytes: usize,
        last_offset: i64,
        now_ms: i64,
    ) -> bool {
        let active = self.active();
        if active.is_empty() {
            return false;
        }
        let too_big = active.size_bytes + batch_bytes as u64 > config.segment_bytes;
        let too_old = config
            .segment_ms
            .zip(active.rolling_timestamp)
            .is_some_and(|(ms, first)| now_ms.saturating_sub(first) >= ms);
        // Relative offsets, the end included, must fit a u32.
        let offsets_overflow = last_offset - active.base_offset >= i64::from(u32::MAX);
        too_big || too_old || offsets_overflow
    }

    /// Seals the active segment (closing time entry, index written, log synced) and starts a
    /// new one at the high watermark.
    pub fn roll<S: crate::storage::Storage + ?Sized>(&mut self, storage: &mut S) -> Result<()> {
        self.writable()?;
        if self.active().is_empty() {
            return Ok(());
        }
        let active = self.active_mut();
        active.seal();
        active.write_index(storage)?;
        let sealed = active.log_name.clone();
        self.checked_sync(storage, &sealed)?;
        // The new segment's file exists, durably, from now on: should retention then remove
        // every sealed segment, reopening still finds where offsets stand. It joins the list
        // as soon as its file exists, so a failed sync never leaves appends going to the
        // sealed segment while an empty file claims the offsets after it.
        let next = Segment::new(&self.dir, self.high_watermark());
        storage.append(&next.log_name, &[])?;
        let name = next.log_name.clone();
        self.segments.push(next);
        self.checked_sync(storage, &name)
    }

    /// Syncs `name`, remembering a failure (see `sync_failed`).
    fn checked_sync<S: crate::storage::Storage + ?Sized>(
        &mut self,
        storage: &mut S,
        name: &str,
    ) -> Result<()> {
        self.sync_health()?;
        storage
            .sync(name)
            .inspect_err(|error| self.note_sync_failure(error))
    }

    /// `Err` once a sync of this partition has failed.
    fn sync_health(&self) -> Result<()> {
        self.sync_failed.clone().map_or(Ok(()), Err)
    }

    /// Remembers that a sync failed; every later sync reports it.
    pub fn note_sync_failure(&mut self, error: &Error) {
        self.sync_failed.get_or_insert_with(|| error.clone());
    }

    /// Writes pending index entries and syncs the active segment.
    pub fn sync<S: crate::storage::Storage + ?Sized>(&mut self, storage: &mut S) -> Result<()> {
        self.sync_health()?;
        let active = self.active_mut();
        active.write_index(storage)?;
        if !active.is_empty() {
            let name = active.log_name.clone();
            self.checked_sync(storage, &name)?;
        }
        Ok(())
    }

    /// Starts a sync of the active segment that can finish with no lock held (see
    /// [`Storage::detached_sync`](crate::storage::Storage::detached_sync)); once its job
    /// returns `Ok`, every offset below the returned end is durable (sealed segments were
    /// synced when they were sealed).
    pub fn detached_sync<S: crate::storage::Storage + ?Sized>(
        &mut self,
        storage: &mut S,
    ) -> Result<(i64, Option<crate::storage::DetachedSync>)> {
        self.sync_health()?;
        let end = self.high_watermark();
        let active = self.active_mut();
        active.write_index(storage)?;
        if active.is_empty() {
            return Ok((end, None));
        }
        let name = active.log_name.clone();
        let job = storage
            .detached_sync(&name)
            .inspect_err(|error| self.note_sync_failure(error))?;
        Ok((end, job))
    }

    /// Writes pending index entries (without syncing).
    pub fn write_index<S: crate::storage::Storage + ?Sized>(
        &mut self,
        storage: &mut S,
    ) -> Result<()> {
        self.active_mut().write_index(storage)
    }

    fn check_offset(&self, offset: i64) -> Result<()> {
        let (start, end) = (self.log_start_offset(), self.high_watermark());
        if offset < start || offset > end {
            return Err(Error::OffsetOutOfRange {
                offset,
                log_start_offset: start,
                high_watermark: end,
            });
        }
        Ok(())
    }

    /// Whole batches from the one holding `offset`, until `max_bytes` is used or the batches
    /// hold `max_records` offsets from `offset` on (at least one batch when there is one).
    /// Every batch returned has passed its CRC.
    pub fn read<S: crate::storage::Storage + ?Sized>(
        &self,
        storage: &S,
        offset: i64,
        max_bytes: usize,
        max_records: usize,
    ) -> Result<Vec<Batch>> {
        self.check_offset(offset)?;
        let mut batches = Vec::new();
        let mut used = 0usize;
        let mut records = 0usize;
        let first = self
            .segments
            .partition_point(|s| s.base_offset <= offset)
            .saturating_sub(1);
        let chunk = max_bytes.clamp(READ_CHUNK_BYTES_MIN, crate::limits::BATCH_BYTES_MAX);
        for segment in self.segments.get(first..).unwrap_or_default() {
            let start = (offset >= segment.base_offset).then(|| relative(segment, offset));
            let mut walk = SegmentWalk::new(storage, segment, start, chunk);
            // Headers first: batches below `offset` or past the budget are never fetched.
            while let Some(next) = walk.peek() {
                let header = next?;
                if header.last_offset() < offset {
                    walk.skip(&header);
                    continue;
                }
                if !batches.is_empty() && used + header.size_bytes() > max_bytes {
                    return Ok(batches);
                }
                let found = walk.take(header)?;
                let batch = batch::decode(&found.bytes)
                    .map_err(|e| e.at(&segment.log_name, found.position))?;
                used += found.bytes.len();
                // Offsets at or after `offset`: at least the records handed out.
                let from = header.base_offset.max(offset);
                records += usize::try_from(header.next_offset() - from).unwrap_or(usize::MAX);
                batches.push(batch);
                if used >= max_bytes || records >= max_records {
                    return Ok(batches);
                }
            }
        }
        Ok(batches)
    }

    /// The first offset whose record timestamp is at or after `timestamp_ms` (Kafka's
    /// `offsetsForTimes`), or `None` if every record is older.
    pub fn offset_for_timestamp<S: crate::storage::Storage + ?Sized>(
        &self,
        storage: &S,
        timestamp_ms: i64,
    ) -> Result<Option<i64>> {
        for segment in &self.segments {
            if segment.is_empty() || segment.max_timestamp < timestamp_ms {
                continue;
            }
            let start = segment
                .index
                .last_time_below(timestamp_ms)
                .map(|e| e.relative_offset);
            let mut walk = SegmentWalk::new(storage, segment, start, READ_CHUNK_BYTES_MIN);
            while let Some(next) = walk.peek() {
                let header = next?;
                if header.max_timestamp < timestamp_ms {
                    walk.skip(&header);
                    continue;
                }
                let found = walk.take(header)?;
                let batch = batch::decode(&found.bytes)
                    .map_err(|e| e.at(&segment.log_name, found.position))?;
                if let Some(record) = batch
                    .records
                    .iter()
                    .find(|r| r.timestamp_ms >= timestamp_ms)
                {
                    return Ok(Some(record.offset));
                }
            }
        }
        Ok(None)
    }

    /// Deletes sealed segments past the topic's retention; returns how many went.
    pub fn enforce_retention<S: crate::storage::Storage + ?Sized>(
        &mut self,
        storage: &mut S,
        config: &TopicConfig,
        now_ms: i64,
    ) -> Result<usize> {
        let mut removed = 0;
        let mut names: Option<Vec<String>> = None;
        while let [oldest, _, ..] = self.segments.as_slice() {
            let expired = config
                .retention_ms
                .is_some_and(|ms| oldest.max_timestamp < now_ms.saturating_sub(ms));
            let oversized = config
                .retention_bytes
                .is_some_and(|limit| self.size_bytes() - oldest.size_bytes >= limit);
            if !expired && !oversized {
                break;
            }
            let names = match &mut names {
                Some(names) => names,
                None => names.insert(storage.list()?),
            };
            oldest.remove_files(storage, names)?;
            self.segments.remove(0);
            removed += 1;
        }
        Ok(removed)
    }

    /// Removes every file of the partition.
    pub fn remove_files<S: crate::storage::Storage + ?Sized>(
        &self,
        storage: &mut S,
        names: &[String],
    ) -> Result<()> {
        for segment in &self.segments {
            segment.remove_files(storage, names)?;
        }
        Ok(())
    }
}

/// `offset` relative to `segment`, clamped into u32 (a segment's offsets always fit).
fn relative(segment: &Segment, offset: i64) -> u32 {
    u32::try_from(offset.saturating_sub(segment.base_offset).max(0)).unwrap_or(u32::MAX)
}
