//! The sparse offset index and the time index of one segment.
//!
//! Offset index entry (8 bytes, big-endian): `relative_offset: u32`, `position: u32`: the batch
//! at byte `position` of the segment's `.log` starts at offset `base + relative_offset`.
//! Time index entry (12 bytes): `timestamp: i64`, `relative_offset: u32`: every record of the
//! segment with an offset below `base + relative_offset` has a timestamp at or below
//! `timestamp`. Offset entries strictly increase in both fields; time entries strictly increase
//! in offset and never decrease in timestamp, so a lookup is a binary search and the time index
//! is monotonic whatever order the producers' timestamps arrive in.
//!
//! Pairing: every offset entry has a time entry with the same relative offset (written at the
//! same index point). The time index may hold more: the closing entry written when a segment is
//! sealed. A time index missing a pair (torn, lost) fails [`SegmentIndex::parse`] and both are
//! rebuilt, so the segment's max timestamp is never computed from a partial time index.
//!
//! Both files are derived data. Entries reach the file in batches (`take_unwritten`), and a
//! file that is missing, torn or out of order is rebuilt from the log.

use alloc::vec::Vec;

/// Bytes of one offset index entry.
pub const OFFSET_ENTRY_BYTES: usize = 8;
/// Bytes of one time index entry.
pub const TIME_ENTRY_BYTES: usize = 12;

/// An offset index entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetEntry {
    /// Offset minus the segment's base offset.
    pub relative_offset: u32,
    /// Byte position of the batch in the segment's log file.
    pub position: u32,
}

/// A time index entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeEntry {
    /// No record below `relative_offset` has a later timestamp than this.
    pub timestamp_ms: i64,
    /// Offset minus the segment's base offset.
    pub relative_offset: u32,
}

/// Both indexes of a segment, in memory, with the count of entries already in the files.
#[derive(Debug, Clone, Default)]
pub struct SegmentIndex {
    offsets: Vec<OffsetEntry>,
    times: Vec<TimeEntry>,
    offsets_written: usize,
    times_written: usize,
}

impl SegmentIndex {
    /// Parses index files; `None` if either is torn or out of order.
    pub fn parse(offset_bytes: &[u8], time_bytes: &[u8]) -> Option<Self> {
        if !offset_bytes.len().is_multiple_of(OFFSET_ENTRY_BYTES)
            || !time_bytes.len().is_multiple_of(TIME_ENTRY_BYTES)
        {
            return None;
        }
        let offsets: Vec<OffsetEntry> = offset_bytes
            .chunks_exact(OFFSET_ENTRY_BYTES)
            .map(|c| {
                let (rel, pos) = c.split_at(4);
                OffsetEntry {
                    relative_offset: u32::from_be_bytes(rel.try_into().unwrap_or_default()),
                    position: u32::from_be_bytes(pos.try_into().unwrap_or_default()),
                }
            })
            .collect();
        let times: Vec<TimeEntry> = time_bytes
            .chunks_exact(TIME_ENTRY_BYTES)
            .map(|c| {
                let (ts, rel) = c.split_at(8);
                TimeEntry {
                    timestamp_ms: i64::from_be_bytes(ts.try_into().unwrap_or_default()),
                    relative_offset: u32::from_be_bytes(rel.try_into().unwrap_or_default()),
                }
            })
            .collect();
        let offsets_sorted = offsets.windows(2).all(|w| {
            matches!(w, [a, b] if a.relative_offset < b.relative_offset && a.position < b.position)
        });
        let times_sorted = times.windows(2).all(|w| {
            matches!(w, [a, b] if a.timestamp_ms <= b.timestamp_ms && a.relative_offset < b.relative_offset)
        });
        if !offsets_sorted || !times_sorted || !paired(&offsets, &times) {
            return None;
        }
        let (offsets_written, times_written) = (offsets.len(), times.len());
        Some(Self {
            offsets,
            times,
            offsets_written,
            times_written,
        })
    }

    /// The offset entries.
    pub fn offsets(&self) -> &[OffsetEntry] {
        &self.offsets
    }

    /// The time entries.
    pub fn times(&self) -> &[TimeEntry] {
        &self.times
    }

    /// Adds an offset entry; ignored unless it is past the last one.
    pub fn push_offset(&mut self, entry: OffsetEntry) {
        let after = self.offsets.last().is_none_or(|last| {
            entry.relative_offset > last.relative_offset && entry.position > last.position
        });
        if after {
            self.offsets.push(entry);
        }
    }

    /// Adds a time entry; ignored unless its offset moves forward (an entry at the same offset
    /// already pairs it) and its timestamp does not go back.
    pub fn push_time(&mut self, entry: TimeEntry) {
        let after = self.times.last().is_none_or(|last| {
            entry.timestamp_ms >= last.timestamp_ms && entry.relative_offset > last.relative_offset
        });
        if after {
            self.times.push(entry);
        }
    }

    /// The last offset entry at or below `relative_offset`.
    pub fn floor(&self, relative_offset: u32) -> Option<OffsetEntry> {
        let after = self
            .offsets
            .partition_point(|e| e.relative_offset <= relative_offset);
        after
            .checked_sub(1)
            .and_then(|i| self.offsets.get(i))
            .copied()
    }

    /// The last time entry whose timestamp is below `timestamp_ms`: no record before its
    /// offset can be at or after `timestamp_ms`.
    pub fn last_time_below(&self, timestamp_ms: i64) -> Option<TimeEntry> {
        let after = self
            .times
            .partition_point(|e| e.timestamp_ms < timestamp_ms);
        after
            .checked_sub(1)
            .and_then(|i| self.times.get(i))
            .copied()
    }

    /// The largest timestamp the time index vouches for.
    pub fn max_timestamp(&self) -> Option<i64> {
        self.times.last().map(|e| e.timestamp_ms)
    }

    /// Drops offset entries at or past `position` and time entries past `relative_end`
    /// (after a torn tail is cut off). Returns whether anything already in the files went.
    pub fn cut(&mut self, position: u64, relative_end: u64) -> bool {
        self.offsets.retain(|e| u64::from(e.position) < position);
        self.times
            .retain(|e| u64::from(e.relative_offset) <= relative_end);
        let shrunk =
            self.offsets.len() < self.offsets_written || self.times.len() < self.times_written;
        self.offsets_written = self.offsets_written.min(self.offsets.len());
        self.times_written = self.times_written.min(self.times.len());
        shrunk
    }

    /// Sizes in bytes of the files as they should be after a [`Self::cut`].
    pub fn written_bytes(&self) -> (u64, u64) {
        (
            (self.offsets_written * OFFSET_ENTRY_BYTES) as u64,
            (self.times_written * TIME_ENTRY_BYTES) as u64,
        )
    }

    /// Forgets that any entry reached the files (they will be rewritten whole).
    pub fn mark_unwritten(&mut self) {
        self.offsets_written = 0;
        self.times_written = 0;
    }

    /// How many entries wait to be written.
    pub fn unwritten_count(&self) -> usize {
        self.offsets.len() - self.offsets_written + self.times.len() - self.times_written
    }

    /// Encodes the entries not yet written and marks them written.
    pub fn take_unwritten(&mut self) -> (Vec<u8>, Vec<u8>) {
        let mut offset_bytes = Vec::new();
        for e in self.offsets.get(self.offsets_written..).unwrap_or_default() {
            offset_bytes.extend_from_slice(&e.relative_offset.to_be_bytes());
            offset_bytes.extend_from_slice(&e.position.to_be_bytes());
        }
        let mut time_bytes = Vec::new();
        for e in self.times.get(self.times_written..).unwrap_or_default() {
            time_bytes.extend_from_slice(&e.timestamp_ms.to_be_bytes());
            time_bytes.extend_from_slice(&e.relative_offset.to_be_bytes());
        }
        self.offsets_written = self.offsets.len();
        self.times_written = self.times.len();
        (offset_bytes, time_bytes)
    }
}

/// Whether every offset entry has a time entry at the same relative offset (both sorted).
fn paired(offsets: &[OffsetEntry], times: &[TimeEntry]) -> bool {
    let mut times = times.iter().map(|t| t.relative_offset).peekable();
    offsets.iter().all(|o| {
        while times.next_if(|&rel| rel < o.relative_offset).is_some() {}
        times.next_if_eq(&o.relative_offset).is_some()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offset(relative_offset: u32, position: u32) -> OffsetEntry {
        OffsetEntry {
            relative_offset,
            position,
        }
    }

    fn time(timestamp_ms: i64, relative_offset: u32) -> TimeEntry {
        TimeEntry {
            timestamp_ms,
            relative_offset,
        }
    }

    #[test]
    fn entries_round_trip_through_their_bytes_and_lookups_floor() {
        let mut index = SegmentIndex::default();
        index.push_offset(offset(10, 4096));
        index.push_offset(offset(20, 8192));
        index.push_offset(offset(15, 9000)); // ignored: goes back
        index.push_time(time(100, 10));
        index.push_time(time(100, 20));
        index.push_time(time(99, 30)); // ignored: goes back in time
        let (offsets, times) = index.take_unwritten();
        assert_eq!(
            offsets,
            [0, 0, 0, 10, 0, 0, 16, 0, 0, 0, 0, 20, 0, 0, 32, 0]
        );
        assert_eq!(times.len(), 2 * TIME_ENTRY_BYTES);
        let parsed = SegmentIndex::parse(&offsets, &times).unwrap();
        assert_eq!(parsed.offsets(), index.offsets());
        assert_eq!(parsed.floor(9), None);
        assert_eq!(parsed.floor(19).map(|e| e.position), Some(4096));
        assert_eq!(parsed.floor(25).map(|e| e.position), Some(8192));
        assert_eq!(parsed.last_time_below(100), None);
        assert_eq!(
            parsed.last_time_below(101).map(|e| e.relative_offset),
            Some(20)
        );
    }

    #[test]
    fn torn_unordered_or_unpaired_files_are_refused() {
        let mut index = SegmentIndex::default();
        for (rel, pos, ts) in [(10, 4096, 50), (20, 8192, 70)] {
            index.push_offset(offset(rel, pos));
            index.push_time(time(ts, rel));
        }
        index.push_time(time(90, 25)); // a closing entry: extra time entries are fine
        let (offsets, times) = index.take_unwritten();
        assert!(SegmentIndex::parse(&offsets, &times).is_some());
        assert!(
            SegmentIndex::parse(&offsets[..7], &times).is_none(),
            "torn offset index"
        );
        assert!(
            SegmentIndex::parse(&offsets, &times[..TIME_ENTRY_BYTES]).is_none(),
            "time pair lost"
        );
        assert!(
            SegmentIndex::parse(&offsets, &[]).is_none(),
            "time index lost"
        );
        let mut reversed = offsets[8..].to_vec();
        reversed.extend_from_slice(&offsets[..8]);
        assert!(
            SegmentIndex::parse(&reversed, &times).is_none(),
            "out of order"
        );
    }

    #[test]
    fn cut_drops_entries_past_the_end_and_reports_written_ones() {
        let mut index = SegmentIndex::default();
        for (rel, pos) in [(10, 100), (20, 200), (30, 300)] {
            index.push_offset(offset(rel, pos));
            index.push_time(time(i64::from(rel), rel));
        }
        let _ = index.take_unwritten();
        assert!(index.cut(250, 25), "written entries went");
        assert_eq!(index.offsets().len(), 2);
        assert_eq!(index.times().len(), 2);
        assert_eq!(index.written_bytes(), (16, 24));
        assert!(!index.cut(250, 25), "nothing more to cut");
    }
}
