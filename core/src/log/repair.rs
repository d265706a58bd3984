//! Explicit repair: what recovery refuses to do on its own.
//!
//! Opening a log cuts only a torn tail; damage anywhere else is a `CorruptLog` error, because
//! cutting it away loses records that may have been acknowledged. Repair is the user's
//! decision to do that: every segment is scanned from its first byte, and each partition is
//! cut back to its last valid batch before the first damage (a bad CRC, a bad header, an offset
//! gap); later segments of that partition are removed (a segment that starts past a gap goes
//! whole). Index files of every scanned segment are removed too, so each is rebuilt from the
//! log on the next open and no damaged entry survives. Every cut is reported. Topic and log metadata are not
//! repaired: damage there stays an error.

use super::segment::Segment;
use super::topic::{self, TopicConfig};
use crate::error::Result;
use crate::storage::Storage;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// One cut that repair made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairAction {
    /// The segment file that was cut.
    pub file: String,
    /// The byte position it was cut at.
    pub position: u64,
    /// What was wrong there.
    pub reason: String,
    /// Bytes dropped: the rest of this file and every later segment of the partition.
    pub dropped_bytes: u64,
    /// Files removed entirely.
    pub removed_files: Vec<String>,
    /// The partition's high watermark after the cut.
    pub high_watermark: i64,
}

/// Repairs every partition in `storage` (see the module docs); returns the cuts made.
pub fn repair<S: Storage + ?Sized>(storage: &mut S) -> Result<Vec<RepairAction>> {
    let names = storage.list()?;
    let mut actions = Vec::new();
    for (topic_name, _, config) in topic::stored_topics(storage, &names)? {
        let Some(config) = config else { continue };
        for partition in 0..config.partitions {
            let dir = topic::partition_dir(&topic_name, partition);
            if let Some(action) = repair_partition(storage, &dir, &names, &config)? {
                actions.push(action);
            }
        }
    }
    Ok(actions)
}

fn repair_partition<S: Storage + ?Sized>(
    storage: &mut S,
    dir: &str,
    names: &[String],
    config: &TopicConfig,
) -> Result<Option<RepairAction>> {
    let bases = super::partition::segment_bases(dir, names);
    let mut next_offset: Option<i64> = None;
    for (i, &base) in bases.iter().enumerate() {
        let (segment, stop) = Segment::scan_whole(storage, dir, base, config.index_interval_bytes)?;
        // Indexes are derived: after a repair every one is rebuilt from the log on open, so
        // no damaged entry outlives it.
        let mut removed_files = remove_existing(
            storage,
            names,
            [&segment.index_name, &segment.time_index_name],
        )?;
        let (keeps_prefix, cut_at, reason, high_watermark) = match (next_offset, stop) {
            (Some(expected), _) if expected != base => {
                let reason = format!("segment starts at offset {base}, expected {expected}");
                (false, 0, reason, expected)
            }
            (_, Some(stop)) => {
                let position = stop.position();
                let reason = stop.into_error(&segment.log_name).to_string();
                (true, position, reason, segment.next_offset)
            }
            (_, None) => {
                next_offset = Some(segment.next_offset);
                continue;
            }
        };
        // This segment keeps its bytes up to the cut (or goes whole, past a gap); every later
        // one goes whole. Index files of this segment are already gone.
        let log_len = storage.len(&segment.log_name)?;
        let mut dropped_bytes = log_len - cut_at;
        if keeps_prefix {
            storage.truncate(&segment.log_name, cut_at)?;
            storage.sync(&segment.log_name)?;
        } else {
            removed_files.extend(remove_existing(storage, names, [&segment.log_name])?);
        }
        for &later in bases.get(i + 1..).unwrap_or_default() {
            let later = Segment::new(dir, later);
            dropped_bytes += storage.len(&later.log_name)?;
            removed_files.extend(remove_existing(
                storage,
                names,
                [&later.index_name, &later.time_index_name, &later.log_name],
            )?);
        }
        return Ok(Some(RepairAction {
            file: segment.log_name,
            position: cut_at,
            reason,
            dropped_bytes,
            removed_files,
            high_watermark,
        }));
    }
    Ok(None)
}

/// Removes those of `files` that exist; returns their names.
fn remove_existing<S: Storage + ?Sized, const N: usize>(
    storage: &mut S,
    names: &[String],
    files: [&String; N],
) -> Result<Vec<String>> {
    let mut removed = Vec::new();
    for file in files {
        if names.contains(file) {
            storage.remove(file)?;
            removed.push(file.clone());
        }
    }
    Ok(removed)
}
