//! Walks the batches of one segment for a reader, from where the index says to start.
//!
//! Invariant: every header handed out starts at the offset the one before it ended at (the
//! first at the offset the index named). The index is derived data and may be damaged: if the
//! position it gives holds no batch of this segment, or one with another offset, the walk
//! starts over from the segment's first byte instead of failing a read of a healthy log.

use super::reader::{Found, SegmentReader, Stop};
use super::segment::Segment;
use crate::encoding::batch::BatchHeader;
use crate::error::{Error, Result};
use crate::storage::Storage;
use alloc::format;

/// A checked walk over a segment's batches. See the module docs.
pub struct SegmentWalk<'a, S: ?Sized> {
    storage: &'a S,
    segment: &'a Segment,
    reader: SegmentReader<'a, S>,
    expected: i64,
    from_index: bool,
    chunk_bytes: usize,
}

impl<'a, S: Storage + ?Sized> SegmentWalk<'a, S> {
    /// A walk from the last index entry at or below `relative_offset` (or the segment's start).
    pub fn new(
        storage: &'a S,
        segment: &'a Segment,
        relative_offset: Option<u32>,
        chunk_bytes: usize,
    ) -> Self {
        let entry = relative_offset.and_then(|r| segment.index.floor(r));
        let (position, expected) = entry.map_or((0, segment.base_offset), |e| {
            (
                u64::from(e.position),
                segment.base_offset + i64::from(e.relative_offset),
            )
        });
        Self {
            storage,
            segment,
            reader: SegmentReader::new(
                storage,
                &segment.log_name,
                position,
                segment.size_bytes,
                chunk_bytes,
            ),
            expected,
            from_index: position > 0,
            chunk_bytes,
        }
    }

    /// The next batch's header (not its body), `None` at the segment's end.
    pub fn peek(&mut self) -> Option<Result<BatchHeader>> {
        loop {
            let next = self.reader.peek()?;
            match next {
                Ok(header) if header.base_offset == self.expected => {
                    self.from_index = false;
                    self.expected = header.next_offset();
                    return Some(Ok(header));
                }
                // The index pointed at no batch of ours: walk from the segment's start.
                Ok(_) | Err(Stop::Bad { .. } | Stop::Short { .. }) if self.from_index => {
                    let (storage, segment) = (self.storage, self.segment);
                    self.reader = SegmentReader::new(
                        storage,
                        &segment.log_name,
                        0,
                        segment.size_bytes,
                        self.chunk_bytes,
                    );
                    self.expected = segment.base_offset;
                    self.from_index = false;
                }
                Ok(header) => {
                    let reason = format!(
                        "batch starts at offset {}, expected {}",
                        header.base_offset, self.expected
                    );
                    return Some(Err(Error::corrupt(
                        &self.segment.log_name,
                        self.reader.position(),
                        reason,
                    )));
                }
                Err(stop) => return Some(Err(stop_error(self.segment, stop))),
            }
        }
    }

    /// Moves past the batch `header` without reading its body.
    pub fn skip(&mut self, header: &BatchHeader) {
        self.reader.skip(header);
    }

    /// Fetches the batch `header` and moves past it.
    pub fn take(&mut self, header: BatchHeader) -> Result<Found> {
        self.reader
            .take(header)
            .map_err(|stop| stop_error(self.segment, stop))
    }
}

/// The error for a walk that cannot go on in `segment`.
pub fn stop_error(segment: &Segment, stop: Stop) -> Error {
    match stop {
        Stop::Io(e) => e,
        Stop::Short { position, .. } => Error::corrupt(
            &segment.log_name,
            position,
            "batch runs past the segment's end",
        ),
        Stop::Bad { position, error } => error.at(&segment.log_name, position),
    }
}
