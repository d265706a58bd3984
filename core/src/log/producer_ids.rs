//! Producer ids, unique for the life of a log, handed out from reserved blocks (as Kafka's
//! controller hands out blocks of 1000).
//!
//! `mqlite.pids` is a run of 12-byte entries, each a u64 `reserved_end` and the CRC-32 of those
//! 8 bytes, both big-endian. Every id below the last entry's `reserved_end` may have been
//! handed out; no id at or above it ever was. A new entry is appended and synced before the
//! first id of its block is handed out, so the ids a crash can lose are only never-used ones.
//! After a reopen, handing out starts at the last `reserved_end` (the rest of the old block is
//! skipped).
//!
//! Reading: a last entry that is short, all zeros or fails its CRC was never synced, so it is
//! ignored (and cut before the next append); a bad entry with a valid one after it is
//! `CorruptLog`.

use super::metadata_file::seal;
use crate::error::{Error, Result};
use crate::storage::{Storage, read_up_to};

/// The file's name.
pub const PRODUCER_IDS_FILE_NAME: &str = "mqlite.pids";
/// Bytes per entry.
pub const PRODUCER_IDS_ENTRY_BYTES: usize = 12;
/// Ids reserved per entry.
pub const PRODUCER_IDS_BLOCK: u64 = 1000;
/// The file is read whole; this many entries is far beyond any real log.
const FILE_BYTES_MAX: usize = 1 << 24;

/// Where handing out stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProducerIds {
    next: u64,
    reserved_end: u64,
    /// Bytes of valid entries in the file.
    valid_bytes: u64,
}

impl ProducerIds {
    /// Reads the file (absent: nothing handed out yet).
    pub fn load<S: Storage + ?Sized>(storage: &S) -> Result<Self> {
        let names = storage.list()?;
        if !names.iter().any(|n| n == PRODUCER_IDS_FILE_NAME) {
            return Ok(Self::at(0, 0));
        }
        let bytes = read_up_to(storage, PRODUCER_IDS_FILE_NAME, 0, FILE_BYTES_MAX)?;
        let entries: alloc::vec::Vec<_> = bytes.chunks(PRODUCER_IDS_ENTRY_BYTES).collect();
        let mut reserved_end = 0;
        let mut valid = 0;
        for (i, entry) in entries.iter().enumerate() {
            match parse_entry(entry) {
                Some(end) if end >= reserved_end => {
                    reserved_end = end;
                    valid = i + 1;
                }
                None if i + 1 == entries.len() => break, // a torn last entry
                _ => {
                    let position = (i * PRODUCER_IDS_ENTRY_BYTES) as u64;
                    return Err(Error::corrupt(
                        PRODUCER_IDS_FILE_NAME,
                        position,
                        "producer id entry fails its CRC or goes backwards",
                    ));
                }
            }
        }
        Ok(Self::at(
            reserved_end,
            (valid * PRODUCER_IDS_ENTRY_BYTES) as u64,
        ))
    }

    fn at(reserved_end: u64, valid_bytes: u64) -> Self {
        Self {
            next: reserved_end,
            reserved_end,
            valid_bytes,
        }
    }

    /// A new producer id, reserving (durably) a new block first when this one is used up.
    pub fn allocate<S: Storage + ?Sized>(&mut self, storage: &mut S) -> Result<i64> {
        if self.next >= self.reserved_end {
            let reserved_end = self.next + PRODUCER_IDS_BLOCK;
            if reserved_end > i64::MAX as u64 {
                return Err(Error::InvalidConfig {
                    name: "producer id",
                    reason: "every producer id of this log has been handed out".into(),
                });
            }
            if storage.len(PRODUCER_IDS_FILE_NAME).unwrap_or(0) > self.valid_bytes {
                storage.truncate(PRODUCER_IDS_FILE_NAME, self.valid_bytes)?;
            }
            let entry = seal(reserved_end.to_be_bytes().to_vec());
            storage.append(PRODUCER_IDS_FILE_NAME, &entry)?;
            storage.sync(PRODUCER_IDS_FILE_NAME)?;
            self.reserved_end = reserved_end;
            self.valid_bytes += entry.len() as u64;
        }
        let id = self.next as i64;
        self.next += 1;
        Ok(id)
    }
}

/// An entry's `reserved_end`, if it is whole and passes its CRC.
fn parse_entry(entry: &[u8]) -> Option<u64> {
    let (body, crc) = entry.split_at_checked(8)?;
    if crc.len() != 4 || crc != crc32fast::hash(body).to_be_bytes() {
        return None;
    }
    Some(u64::from_be_bytes(body.try_into().ok()?))
}
