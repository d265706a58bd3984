//! One segment: a `.log` file of batches and its two index files, plus what the engine keeps
//! in memory about them, and their recovery on open.
//!
//! Invariants: batches are dense (each starts at the previous one's next offset); `size_bytes`
//! is where the next batch goes and the file holds exactly that many bytes once recovery is
//! done; `max_timestamp` is the largest record timestamp in the segment (`i64::MIN` while
//! empty).

use super::index::{OFFSET_ENTRY_BYTES, OffsetEntry, SegmentIndex, TIME_ENTRY_BYTES, TimeEntry};
use super::reader::{SegmentReader, Stop};
use crate::encoding::batch::{BATCH_HEADER_BYTES, BatchHeader, crc_matches, decode_header};
use crate::encoding::cursor::DecodeError;
use crate::error::{Error, Result};
use crate::storage::{Storage, read_up_to};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Bytes read at a time while scanning a segment.
pub const SCAN_CHUNK_BYTES: usize = 1024 * 1024;

/// A segment and its in-memory state.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Offset of the first record; also the file names.
    pub base_offset: i64,
    /// The offset after the last batch.
    pub next_offset: i64,
    /// Bytes in the `.log` file.
    pub size_bytes: u64,
    /// Largest record timestamp, `i64::MIN` when empty.
    pub max_timestamp: i64,
    /// The first batch's max timestamp: the segment's age for `segment_ms`.
    pub rolling_timestamp: Option<i64>,
    /// The indexes.
    pub index: SegmentIndex,
    bytes_since_index: u64,
    /// Storage name of the `.log` file.
    pub log_name: String,
    /// Storage name of the `.index` file.
    pub index_name: String,
    /// Storage name of the `.timeindex` file.
    pub time_index_name: String,
}

/// The storage name of a segment file: `<dir>/<base offset, 20 digits>.<extension>`.
pub fn file_name(dir: &str, base_offset: i64, extension: &str) -> String {
    format!("{dir}/{base_offset:020}.{extension}")
}

impl Segment {
    /// An empty segment starting at `base_offset`.
    pub fn new(dir: &str, base_offset: i64) -> Self {
        Self {
            base_offset,
            next_offset: base_offset,
            size_bytes: 0,
            max_timestamp: i64::MIN,
            rolling_timestamp: None,
            index: SegmentIndex::default(),
            bytes_since_index: 0,
            log_name: file_name(dir, base_offset, "log"),
            index_name: file_name(dir, base_offset, "index"),
            time_index_name: file_name(dir, base_offset, "timeindex"),
        }
    }

    /// Whether the segment holds no batch.
    pub fn is_empty(&self) -> bool {
        self.size_bytes == 0
    }

    /// Records that the batch `header` now sits at `position`, adding index entries every
    /// `index_interval_bytes`.
    pub fn note_batch(&mut self, position: u64, header: &BatchHeader, index_interval_bytes: u32) {
        if position == 0 {
            self.rolling_timestamp = Some(header.max_timestamp);
        }
        if position > 0 && self.bytes_since_index > u64::from(index_interval_bytes) {
            let relative_offset = (header.base_offset - self.base_offset) as u32;
            self.index.push_offset(OffsetEntry {
                relative_offset,
                position: position as u32,
            });
            if self.max_timestamp != i64::MIN {
                self.index.push_time(TimeEntry {
                    timestamp_ms: self.max_timestamp,
                    relative_offset,
                });
            }
            self.bytes_since_index = 0;
        }
        let size = header.size_bytes() as u64;
        self.bytes_since_index += size;
        self.size_bytes = position + size;
        self.next_offset = header.next_offset();
        self.max_timestamp = self.max_timestamp.max(header.max_timestamp);
    }

    /// Adds the closing time entry (the segment's max timestamp at its end), done at a roll.
    pub fn seal(&mut self) {
        if self.max_timestamp != i64::MIN {
            let relative_offset = (self.next_offset - self.base_offset) as u32;
            self.index.push_time(TimeEntry {
                timestamp_ms: self.max_timestamp,
                relative_offset,
            });
        }
    }

    /// Appends unwritten index entries to the index files.
    pub fn write_index<S: Storage + ?Sized>(&mut self, storage: &mut S) -> Result<()> {
        if self.index.unwritten_count() == 0 {
            return Ok(());
        }
        let (offsets, times) = self.index.take_unwritten();
        if !offsets.is_empty() {
            storage.append(&self.index_name, &offsets)?;
        }
        if !times.is_empty() {
            storage.append(&self.time_index_name, &times)?;
        }
        Ok(())
    }

    /// Removes the segment's files, indexes first so a crash midway leaves a log without an
    /// index (rebuilt) rather than an index without its log.
    pub fn remove_files<S: Storage + ?Sized>(
        &self,
        storage: &mut S,
        names: &[String],
    ) -> Result<()> {
        for name in [&self.index_name, &self.time_index_name, &self.log_name] {
            if names.contains(name) {
                storage.remove(name)?;
            }
        }
        Ok(())
    }

    /// Rebuilds a segment's state from its files: the last index entry, then the batches after
    /// it. A torn last batch of the last segment is cut off when `writable` (and ignored when
    /// not); anything else that fails its checks is a `CorruptLog` error naming file and
    /// position. `names` is every file in storage.
    pub fn recover<S: Storage + ?Sized>(
        storage: &mut S,
        dir: &str,
        base_offset: i64,
        names: &[String],
        is_last: bool,
        writable: bool,
        index_interval_bytes: u32,
    ) -> Result<Self> {
        let mut segment = Self::new(dir, base_offset);
        let log_len = storage.len(&segment.log_name)?;
        // A batch is at least a header long, so a segment holds at most this many entries;
        // a longer index file is stale (or hostile) and not worth reading.
        let entries_max = log_len / BATCH_HEADER_BYTES as u64 + 2;
        let read_index = |storage: &S, name: &str, entry_bytes: usize| -> Result<Option<Vec<u8>>> {
            if !names.iter().any(|n| n == name) {
                return Ok(Some(Vec::new()));
            }
            let len = storage.len(name)?;
            if len > entries_max * entry_bytes as u64 {
                return Ok(None);
            }
            read_up_to(storage, name, 0, len as usize).map(Some)
        };
        let offset_bytes = read_index(storage, &segment.index_name, OFFSET_ENTRY_BYTES)?;
        let time_bytes = read_index(storage, &segment.time_index_name, TIME_ENTRY_BYTES)?;
        let parsed = offset_bytes
            .zip(time_bytes)
            .and_then(|(o, t)| SegmentIndex::parse(&o, &t));
        let mut rewrite_index = parsed.is_none();
        segment.index = parsed.unwrap_or_default();
        if segment.index.cut(log_len, u64::MAX) {
            rewrite_index = true;
        }

        let indexed_start = segment
            .index
            .offsets()
            .last()
            .map(|e| u64::from(e.position));
        let mut outcome = segment.scan_from_last_entry(storage, log_len, index_interval_bytes)?;
        if let Err(stop) = &outcome
            && Some(stop.position()) == indexed_start
        {
            // The batch the index points at is no batch (of any format): the index is stale.
            rewrite_index = true;
            segment = Self::new(dir, base_offset);
            outcome = segment.scan_from_last_entry(storage, log_len, index_interval_bytes)?;
        }
        if let Err(stop) = outcome {
            let expected = segment.next_offset;
            if !is_last || !stop.is_torn(storage, &segment.log_name, log_len, expected)? {
                return Err(stop.into_error(&segment.log_name));
            }
            if writable {
                storage.truncate(&segment.log_name, stop.position())?;
            }
        }
        // Entries past what the scan found are stale: a torn tail was cut, or the index reached
        // the disk while the batches it points at did not.
        let relative_end = (segment.next_offset - segment.base_offset) as u64;
        if segment.index.cut(segment.size_bytes, relative_end) {
            rewrite_index = true;
        }
        if segment.rolling_timestamp.is_none() && segment.size_bytes > 0 {
            let mut first =
                SegmentReader::new(&*storage, &segment.log_name, 0, segment.size_bytes, 4096);
            if let Some(Ok(found)) = first.next_batch() {
                segment.rolling_timestamp = Some(found.header.max_timestamp);
            }
        }
        if rewrite_index && writable {
            for name in [&segment.index_name, &segment.time_index_name] {
                if names.contains(name) {
                    storage.remove(name)?;
                }
            }
            segment.index.mark_unwritten();
        }
        Ok(segment)
    }

    /// Scans a whole segment from its first byte, checking every batch (CRC and dense
    /// offsets) without trusting any index. Returns the segment as far as it is valid and,
    /// if it stops early, where and why.
    pub fn scan_whole<S: Storage + ?Sized>(
        storage: &S,
        dir: &str,
        base_offset: i64,
        index_interval_bytes: u32,
    ) -> Result<(Self, Option<ScanStop>)> {
        let mut segment = Self::new(dir, base_offset);
        let log_len = storage.len(&segment.log_name)?;
        let outcome = segment.scan_from_last_entry(storage, log_len, index_interval_bytes)?;
        Ok((segment, outcome.err()))
    }

    /// Scans from the last offset entry to `log_len`. The outer error is IO; the inner one
    /// says where the batches stop making sense, and how.
    fn scan_from_last_entry<S: Storage + ?Sized>(
        &mut self,
        storage: &S,
        log_len: u64,
        index_interval_bytes: u32,
    ) -> Result<Result<(), ScanStop>> {
        let (start, mut expected) = match self.index.offsets().last() {
            Some(e) => (
                u64::from(e.position),
                self.base_offset + i64::from(e.relative_offset),
            ),
            None => (0, self.base_offset),
        };
        self.size_bytes = start;
        self.next_offset = expected;
        // The time entry paired with the starting point holds the max of everything before it;
        // later entries may be stale until the scan says where the segment ends.
        let start_relative = (expected - self.base_offset) as u32;
        self.max_timestamp = match start {
            0 => i64::MIN,
            _ => self
                .index
                .times()
                .iter()
                .find(|t| t.relative_offset == start_relative)
                .map_or(i64::MIN, |t| t.timestamp_ms),
        };
        let log_name = self.log_name.clone();
        let mut reader = SegmentReader::new(storage, &log_name, start, log_len, SCAN_CHUNK_BYTES);
        while let Some(next) = reader.next_batch() {
            let found = match next {
                Ok(found) => found,
                Err(Stop::Io(e)) => return Err(e),
                Err(Stop::Short { position, header }) => {
                    return Ok(Err(ScanStop::Short { position, header }));
                }
                Err(Stop::Bad { position, error }) => {
                    return Ok(Err(ScanStop::BadHeader { position, error }));
                }
            };
            if !crc_matches(&found.header, &found.bytes) {
                return Ok(Err(ScanStop::BadCrc {
                    position: found.position,
                    header: found.header,
                }));
            }
            if found.header.base_offset != expected {
                let reason = format!(
                    "batch starts at offset {}, expected {expected}",
                    found.header.base_offset
                );
                return Ok(Err(ScanStop::Damaged {
                    position: found.position,
                    reason,
                }));
            }
            self.note_batch(found.position, &found.header, index_interval_bytes);
            expected = found.header.next_offset();
        }
        Ok(Ok(()))
    }
}

/// Where and how a scan stopped before the end of a segment.
#[derive(Debug)]
pub enum ScanStop {
    /// Less than a header remains, or a header claims more bytes than remain.
    Short {
        /// Where the batch starts.
        position: u64,
        /// Its header, when a whole one is there.
        header: Option<BatchHeader>,
    },
    /// A whole batch fails its CRC.
    BadCrc {
        /// Where the batch starts.
        position: u64,
        /// Its (unverified) header.
        header: BatchHeader,
    },
    /// The bytes are no header: damaged, zeros, or a format this build does not read.
    BadHeader {
        /// Where the bytes start.
        position: u64,
        /// Why.
        error: DecodeError,
    },
    /// A whole, CRC-valid batch where it cannot be: never a torn write.
    Damaged {
        /// Where the batch starts.
        position: u64,
        /// Why.
        reason: String,
    },
}

impl ScanStop {
    /// Where the scan stopped.
    pub fn position(&self) -> u64 {
        match self {
            Self::Short { position, .. }
            | Self::BadCrc { position, .. }
            | Self::BadHeader { position, .. }
            | Self::Damaged { position, .. } => *position,
        }
    }

    /// The error that reports this stop as damage in `file`.
    pub fn into_error(self, file: &str) -> Error {
        match self {
            Self::Short { position, .. } => {
                Error::corrupt(file, position, "batch runs past the end of the file")
            }
            Self::BadCrc { position, .. } => Error::corrupt(file, position, "CRC mismatch"),
            Self::BadHeader { position, error } => error.at(file, position),
            Self::Damaged { position, reason } => Error::corrupt(file, position, reason),
        }
    }

    /// Whether this stop, in a partition's last segment of `log_len` bytes where offset
    /// `expected` comes next, is a torn write (to cut) rather than damage (to report).
    ///
    /// Appends are sequential, so a write cut short leaves no whole batch after it. A valid
    /// batch found later proves damage when it continues exactly where the failing batch's
    /// header says the next one starts (a flipped length moves where that batch seems to end,
    /// not the offset after it), or when it lies past the failing batch's claimed extent and
    /// is numbered past `expected` (a flipped offset delta). Bytes inside a torn batch's
    /// extent may be anything, a record value holding an encoded batch included, so they
    /// prove nothing by other offsets. Zeros (a size that reached the disk before its data)
    /// are no batch. A header of an unknown format is never torn.
    pub fn is_torn<S: Storage + ?Sized>(
        &self,
        storage: &S,
        file: &str,
        log_len: u64,
        expected: i64,
    ) -> Result<bool> {
        let (position, header) = match self {
            Self::Damaged { .. } => return Ok(false),
            Self::BadHeader {
                error: DecodeError::Invalid(_),
                position,
            } => (*position, None),
            Self::BadHeader { .. } => return Ok(false),
            Self::Short { position, header } => (*position, *header),
            Self::BadCrc { position, header } => (*position, Some(*header)),
        };
        let extent_end = header.map_or(position, |h| position + h.size_bytes() as u64);
        let proves_damage = |candidate_position: u64, candidate: &BatchHeader| {
            header.is_some_and(|h| candidate.base_offset == h.next_offset())
                || (candidate_position >= extent_end && candidate.base_offset > expected)
        };
        Ok(!later_batch_exists(
            storage,
            file,
            position,
            log_len,
            &proves_damage,
        )?)
    }
}

/// Whether a whole, CRC-valid batch for which `proves_damage(position, header)` holds starts
/// anywhere in `(after, end)` of `name`.
fn later_batch_exists<S: Storage + ?Sized>(
    storage: &S,
    name: &str,
    after: u64,
    end: u64,
    proves_damage: &dyn Fn(u64, &BatchHeader) -> bool,
) -> Result<bool> {
    const MAGIC_POSITION: usize = 16;
    let magic = crate::format_version::FormatVersion::CURRENT.batch_magic();
    let mut chunk_start = after + 1;
    while chunk_start + BATCH_HEADER_BYTES as u64 <= end {
        let want = ((end - chunk_start) as usize).min(SCAN_CHUNK_BYTES + BATCH_HEADER_BYTES);
        let chunk = read_up_to(storage, name, chunk_start, want)?;
        let candidates = chunk
            .len()
            .saturating_sub(BATCH_HEADER_BYTES - 1)
            .min(SCAN_CHUNK_BYTES);
        for i in 0..candidates {
            if chunk.get(i + MAGIC_POSITION) != Some(&magic) {
                continue;
            }
            let Some(Ok(header)) = chunk.get(i..i + BATCH_HEADER_BYTES).map(decode_header) else {
                continue;
            };
            let position = chunk_start + i as u64;
            if position + header.size_bytes() as u64 > end || !proves_damage(position, &header) {
                continue;
            }
            let bytes = read_up_to(storage, name, position, header.size_bytes())?;
            if crc_matches(&header, &bytes) {
                return Ok(true);
            }
        }
        chunk_start += candidates.max(1) as u64;
    }
    Ok(false)
}
