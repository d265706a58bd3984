//! Walks the batches of one segment file from a byte position, reading in large chunks.
//!
//! The reader checks what a header alone can show and that a batch fits before the end it was
//! given; it does not check CRCs (callers that hand out records decode, which does; recovery
//! checks CRCs itself). Every batch comes back as a slice of the chunk, not a copy.

use crate::encoding::batch::{BATCH_HEADER_BYTES, BatchHeader, decode_header};
use crate::encoding::cursor::DecodeError;
use crate::error::Error;
use crate::storage::{Storage, read_up_to};
use bytes::Bytes;

/// Why the walk stopped short of the end.
#[derive(Debug)]
pub enum Stop {
    /// The batch at `position` runs past the end: a write that did not finish, or a damaged
    /// length.
    Short {
        /// Where the batch starts.
        position: u64,
        /// Its header, when a whole header is there.
        header: Option<BatchHeader>,
    },
    /// The bytes at `position` are not a batch header this build reads.
    Bad {
        /// Where the bytes start.
        position: u64,
        /// What check failed.
        error: DecodeError,
    },
    /// The storage failed.
    Io(Error),
}

/// A batch found by the reader.
#[derive(Debug)]
pub struct Found {
    /// Where it starts in the file.
    pub position: u64,
    /// Its header.
    pub header: BatchHeader,
    /// All its bytes.
    pub bytes: Bytes,
}

/// Iterates the batches of `name` between `position` and `end`.
pub struct SegmentReader<'a, S: ?Sized> {
    storage: &'a S,
    name: &'a str,
    position: u64,
    end: u64,
    chunk: Bytes,
    chunk_start: u64,
    chunk_bytes: usize,
}

impl<'a, S: Storage + ?Sized> SegmentReader<'a, S> {
    /// A reader of `name` from `position` to `end`, reading `chunk_bytes` at a time.
    pub fn new(storage: &'a S, name: &'a str, position: u64, end: u64, chunk_bytes: usize) -> Self {
        Self {
            storage,
            name,
            position,
            end,
            chunk: Bytes::new(),
            chunk_start: position,
            chunk_bytes,
        }
    }

    /// Where the next batch would start.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The bytes `[position, position + len)`, from the chunk or a fresh read.
    fn bytes_at(&mut self, position: u64, len: usize) -> Result<Bytes, Error> {
        let chunk_end = self.chunk_start + self.chunk.len() as u64;
        if position < self.chunk_start || position + len as u64 > chunk_end {
            let want = len
                .max(self.chunk_bytes)
                .min((self.end - position) as usize);
            self.chunk = Bytes::from(read_up_to(self.storage, self.name, position, want)?);
            self.chunk_start = position;
        }
        let from = (position - self.chunk_start) as usize;
        let to = (from + len).min(self.chunk.len());
        Ok(self.chunk.slice(from..to))
    }

    /// The header of the batch at [`Self::position`], without fetching its body: `None` at
    /// the end, or why the walk cannot go on. Follow with [`Self::take`] or [`Self::skip`].
    pub fn peek(&mut self) -> Option<Result<BatchHeader, Stop>> {
        let position = self.position;
        if position >= self.end {
            return None;
        }
        let remaining = self.end - position;
        if remaining < BATCH_HEADER_BYTES as u64 {
            return Some(Err(Stop::Short {
                position,
                header: None,
            }));
        }
        let head = match self.bytes_at(position, BATCH_HEADER_BYTES) {
            Ok(head) if head.len() == BATCH_HEADER_BYTES => head,
            Ok(_) => {
                return Some(Err(Stop::Short {
                    position,
                    header: None,
                }));
            }
            Err(e) => return Some(Err(Stop::Io(e))),
        };
        let header = match decode_header(&head) {
            Ok(header) => header,
            Err(error) => return Some(Err(Stop::Bad { position, error })),
        };
        if header.size_bytes() as u64 > remaining {
            return Some(Err(Stop::Short {
                position,
                header: Some(header),
            }));
        }
        Some(Ok(header))
    }

    /// Moves past the batch `header` (from [`Self::peek`]) without reading its body.
    pub fn skip(&mut self, header: &BatchHeader) {
        self.position += header.size_bytes() as u64;
    }

    /// Fetches the batch `header` (from [`Self::peek`]) and moves past it.
    pub fn take(&mut self, header: BatchHeader) -> Result<Found, Stop> {
        let position = self.position;
        let size = header.size_bytes();
        let bytes = match self.bytes_at(position, size) {
            Ok(bytes) if bytes.len() == size => bytes,
            Ok(_) => {
                return Err(Stop::Short {
                    position,
                    header: Some(header),
                });
            }
            Err(e) => return Err(Stop::Io(e)),
        };
        self.position = position + size as u64;
        Ok(Found {
            position,
            header,
            bytes,
        })
    }

    /// The next batch, `None` at the end, or why the walk cannot go on.
    pub fn next_batch(&mut self) -> Option<Result<Found, Stop>> {
        Some(self.peek()?.and_then(|header| self.take(header)))
    }
}
