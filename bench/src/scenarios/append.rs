//! Scenario 1, append throughput: 100 B JSON-like records into one partition in batches of
//! 1, 16, 256 and 4096 through `Log::append`, each next to a ceiling run that frames the same
//! bytes with no engine (memcpy into a buffer, CRC-32 over it, one `write()` per batch).
//!
//! Durability `write`: bytes reach the page cache, nothing is synced while timed; the log is
//! closed (and so synced) after the timed region. Records are built before the timed region
//! from a pool of payloads, so only the append path is measured.

use super::{Config, TOPIC, new_log, records_for_batch, temp_dir};
use crate::payload::{self, Kind, RECORD_BYTES};
use crate::report::{Report, Row};
use crate::stats::{self, Run, Sample, Summary};
use mqlite::Record;
use std::fs::File;
use std::io::Write as _;

const BATCH_SIZES: [usize; 4] = [1, 16, 256, 4096];
const DEFAULT_RECORDS: u64 = 5_000_000;
/// The ceiling writes a header as large as mqlite's batch header (base offset, CRC, zeros).
const CEILING_HEADER_BYTES: usize = mqlite::encoding::batch::BATCH_HEADER_BYTES;
const CEILING: &str = "ceiling: memcpy + CRC-32 + write()";

/// Runs the scenario.
pub fn run(config: &Config) -> Report {
    let pool = payload::pool(Kind::JsonLike);
    let requested = config.records.unwrap_or(DEFAULT_RECORDS);
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let batch_sizes = config.batch.map_or(BATCH_SIZES.to_vec(), |b| vec![b]);
    for batch in batch_sizes {
        let (records, scaled_note) = records_for_batch(config, requested, batch);
        eprintln!("append: batch size {batch}, {records} records per run");
        let (mut engine_bytes, mut ceiling_bytes) = (0u64, 0u64);
        let mut systems: Vec<Run<'_>> = vec![
            Box::new(|| append_mqlite(config, &pool, records, batch, &mut engine_bytes)),
            Box::new(|| append_ceiling(config, &pool, records, batch, &mut ceiling_bytes)),
        ];
        let samples = stats::interleaved(config.runs, &mut systems);
        drop(systems);
        let scenario = format!("append 100 B, batch {batch}");
        let bytes = Some(records * RECORD_BYTES as u64);
        let ceiling = Row::new(
            CEILING,
            &scenario,
            "records",
            records,
            bytes,
            &Summary::of(&samples[1]),
        );
        let engine = Row::new(
            "mqlite Log::append",
            &scenario,
            "records",
            records,
            bytes,
            &Summary::of(&samples[0]),
        )
        .ratio_to(&ceiling, "mqlite/ceiling");
        rows.push(engine);
        rows.push(ceiling);
        notes.extend(scaled_note);
        if batch == 256 {
            notes.push(format!(
                "bytes on disk per record at batch 256: mqlite {:.1}, ceiling {:.1} (100 B values)",
                engine_bytes as f64 / records as f64,
                ceiling_bytes as f64 / records as f64
            ));
        }
    }
    notes.push(
        "MB/s counts record values (100 B each), not framing; CPU s is the benchmark thread's \
         on-CPU time (user + sys), sys in parentheses"
            .into(),
    );
    notes.push(format!(
        "records come from a pool of {} pre-built records (values sliced from one buffer), \
         cycled; building them is outside the timed region",
        payload::POOL_RECORDS
    ));
    Report {
        scenario: "append",
        title: "Scenario 1: append throughput (100 B records, one partition)".into(),
        durability: "write: appended to the file (page cache), no fsync while timed; \
                     close()/fsync after the timed region"
            .into(),
        runs: config.runs,
        rows,
        notes,
    }
}

/// One run of `records` records through `Log::append`, `batch` per call, into a fresh log;
/// sets `stored_bytes` to the partition's size. The producer scenario's reference too.
pub fn append_mqlite(
    config: &Config,
    pool: &[Record],
    records: u64,
    batch: usize,
    stored_bytes: &mut u64,
) -> Sample {
    let dir = temp_dir(config);
    let mut log = new_log(&dir);
    let batches = records / batch as u64;
    let sample = stats::sample(|| {
        for i in 0..batches {
            let records = payload::batch_at(pool, i as usize * batch, batch);
            log.append(TOPIC, 0, records).unwrap();
        }
    });
    assert_eq!(log.high_watermark(TOPIC, 0).unwrap(), records as i64);
    *stored_bytes = log.describe(TOPIC).unwrap().partitions[0].size_bytes;
    log.close().unwrap();
    sample
}

fn append_ceiling(
    config: &Config,
    pool: &[Record],
    records: u64,
    batch: usize,
    stored_bytes: &mut u64,
) -> Sample {
    let dir = temp_dir(config);
    let mut file = File::create(dir.path().join("ceiling.log")).unwrap();
    let mut buffer = Vec::with_capacity(CEILING_HEADER_BYTES + batch * (4 + RECORD_BYTES));
    let batches = records / batch as u64;
    let sample = stats::sample(|| {
        for i in 0..batches {
            let base_offset = i * batch as u64;
            buffer.clear();
            buffer.extend_from_slice(&base_offset.to_be_bytes());
            buffer.resize(CEILING_HEADER_BYTES, 0);
            for record in payload::batch_at(pool, base_offset as usize, batch) {
                let value = record.value.as_deref().unwrap_or_default();
                buffer.extend_from_slice(&(value.len() as u32).to_be_bytes());
                buffer.extend_from_slice(value);
            }
            let crc = crc32fast::hash(&buffer[CEILING_HEADER_BYTES..]);
            buffer[8..12].copy_from_slice(&crc.to_be_bytes());
            file.write_all(&buffer).unwrap();
        }
    });
    *stored_bytes = file.metadata().unwrap().len();
    file.sync_all().unwrap();
    sample
}
