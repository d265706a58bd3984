//! The no-engine peer of scenario 3: reads a partition's segment files directly. It scans
//! them in large chunks checking every batch's CRC, and answers point lookups from an
//! in-memory table of every batch (binary search, one `pread` of that batch, its CRC).
//! It never decodes records.

use super::read::SCAN_MAX_BYTES;
use crate::stats::{self, Sample};
use mqlite::encoding::batch::{BATCH_HEADER_BYTES, decode_header};
use std::fs::File;
use std::io::Read as _;
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Where a batch's CRC field and the bytes it covers start, and its record count field.
const CRC_POSITION: usize = 17;
const CRC_COVERED_FROM: usize = 21;
const COUNT_POSITION: usize = BATCH_HEADER_BYTES - 4;

/// One stored batch, as the ceiling's in-memory table knows it.
#[derive(Debug, Clone, Copy)]
pub struct BatchEntry {
    base_offset: i64,
    max_timestamp: i64,
    file: usize,
    position: u64,
    /// Bytes of the batch.
    pub size: usize,
}

/// The segment files, open, and a table of every batch in them.
pub struct Ceiling {
    files: Vec<File>,
    paths: Vec<PathBuf>,
    /// Every batch of every file, in offset order.
    pub batches: Vec<BatchEntry>,
}

fn crc_of(batch: &[u8]) -> (u32, u32) {
    let stored = u32::from_be_bytes(batch[CRC_POSITION..CRC_COVERED_FROM].try_into().unwrap());
    (stored, crc32fast::hash(&batch[CRC_COVERED_FROM..]))
}

impl Ceiling {
    /// Opens the `.log` files of a partition directory and tables their batches (untimed).
    pub fn open(partition_dir: &Path) -> Self {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(partition_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "log"))
            .collect();
        paths.sort();
        let files: Vec<File> = paths.iter().map(|p| File::open(p).unwrap()).collect();
        let mut batches = Vec::new();
        for (index, file) in files.iter().enumerate() {
            let len = file.metadata().unwrap().len();
            let mut position = 0u64;
            let mut head = [0u8; BATCH_HEADER_BYTES];
            while position < len {
                file.read_exact_at(&mut head, position).unwrap();
                let header = decode_header(&head).unwrap();
                batches.push(BatchEntry {
                    base_offset: header.base_offset,
                    max_timestamp: header.max_timestamp,
                    file: index,
                    position,
                    size: header.size_bytes(),
                });
                position += header.size_bytes() as u64;
            }
        }
        Self {
            files,
            paths,
            batches,
        }
    }

    /// Reads every file front to back in `SCAN_MAX_BYTES` chunks, walking the batch headers
    /// and checking each batch's CRC; returns the records the headers count.
    pub fn scan(&self) -> u64 {
        let mut records = 0u64;
        // Allocated (and zeroed) once; each chunk is read after the unfinished batch that
        // the previous chunk ended with.
        let mut buffer = vec![0u8; 2 * SCAN_MAX_BYTES];
        for path in &self.paths {
            let mut file = File::open(path).unwrap();
            let mut filled = 0;
            loop {
                if buffer.len() < filled + SCAN_MAX_BYTES {
                    buffer.resize(filled + SCAN_MAX_BYTES, 0);
                }
                let read = file
                    .read(&mut buffer[filled..filled + SCAN_MAX_BYTES])
                    .unwrap();
                filled += read;
                let mut start = 0;
                while let Some(len_bytes) = buffer[..filled].get(start + 8..start + 12) {
                    let size = 12 + i32::from_be_bytes(len_bytes.try_into().unwrap()) as usize;
                    let Some(batch) = buffer[..filled].get(start..start + size) else {
                        break;
                    };
                    let (stored, computed) = crc_of(batch);
                    assert_eq!(stored, computed, "CRC mismatch in {}", path.display());
                    records += u64::from(u32::from_be_bytes(
                        batch[COUNT_POSITION..BATCH_HEADER_BYTES]
                            .try_into()
                            .unwrap(),
                    ));
                    start += size;
                }
                buffer.copy_within(start..filled, 0);
                filled -= start;
                if read == 0 {
                    assert_eq!(filled, 0, "a torn batch at the end of {}", path.display());
                    break;
                }
            }
        }
        records
    }

    fn read_and_check(&self, entry: &BatchEntry, buffer: &mut Vec<u8>) {
        buffer.resize(entry.size, 0);
        self.files[entry.file]
            .read_exact_at(buffer, entry.position)
            .unwrap();
        let (stored, computed) = crc_of(buffer);
        assert_eq!(stored, computed);
    }

    pub fn random_reads(&self, offsets: &[i64]) -> Sample {
        let mut buffer = Vec::new();
        stats::sample_with_latencies(|latencies| {
            for &offset in offsets {
                let start = Instant::now();
                let index = self.batches.partition_point(|b| b.base_offset <= offset) - 1;
                self.read_and_check(&self.batches[index], &mut buffer);
                latencies.push(start.elapsed().as_nanos() as u64);
            }
        })
    }

    pub fn timestamp_seeks(&self, timestamps: &[i64]) -> Sample {
        let mut buffer = Vec::new();
        stats::sample_with_latencies(|latencies| {
            for &timestamp in timestamps {
                let start = Instant::now();
                let index = self
                    .batches
                    .partition_point(|b| b.max_timestamp < timestamp);
                self.read_and_check(&self.batches[index], &mut buffer);
                latencies.push(start.elapsed().as_nanos() as u64);
            }
        })
    }
}
