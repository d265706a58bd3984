//! Scenario 1, the producer path: the append scenario's 100 B JSON-like records into one
//! partition through `Producer`, each batch size (1, 16, 256, 4096) next to `Log::append` of
//! the same records in pre-built batches, in the same invocation.
//!
//! - `send_many`: one call per batch of N records, then every handle's result.
//! - `send` + `flush`: one `send` per record and a `flush` every N records, then their results.
//!
//! Batches close only when `send_many` returns or on `flush` (`batch_bytes` is larger than any
//! batch, nobody polls, so `linger_ms` never applies). Durability `write`: nothing is synced
//! while timed; the log is closed (and so synced) after the timed region. `send` takes records
//! by value, so the producer rows clone each record out of a pool of pre-built producer
//! records inside the timed region (a reference-count increment for its value).

use super::append::append_mqlite;
use super::{Config, TOPIC, new_log, producer, records_for_batch, take_results, temp_dir};
use crate::payload::{self, Kind, RECORD_BYTES};
use crate::report::{Report, Row};
use crate::stats::{self, Run, Sample, Summary};
use mqlite::{Durability, ProducerRecord};

const BATCH_SIZES: [usize; 4] = [1, 16, 256, 4096];
const DEFAULT_RECORDS: u64 = 2_000_000;
/// Batch size 1 costs a syscall per record; by default its rows run on this fraction of the
/// records so the scenario stays within two minutes.
const RATIO: &str = "producer/append";

/// Runs the scenario.
pub fn run(config: &Config) -> Report {
    let pool = payload::pool(Kind::JsonLike);
    let sent = payload::producer_records(&pool);
    let requested = config.records.unwrap_or(DEFAULT_RECORDS);
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let batch_sizes = config.batch.map_or(BATCH_SIZES.to_vec(), |b| vec![b]);
    for batch in batch_sizes {
        let (records, scaled_note) = records_for_batch(config, requested, batch);
        eprintln!("producer: batch size {batch}, {records} records per run");
        let mut stored_bytes = 0u64;
        let mut systems: Vec<Run<'_>> = vec![
            Box::new(|| append_mqlite(config, &pool, records, batch, &mut stored_bytes)),
            Box::new(|| send_many(config, &sent, records, batch)),
            Box::new(|| send_and_flush(config, &sent, records, batch)),
        ];
        let samples = stats::interleaved(config.runs, &mut systems);
        drop(systems);
        let scenario = format!("100 B, batch {batch}");
        let bytes = Some(records * RECORD_BYTES as u64);
        let row = |system: &str, samples: &[Sample]| {
            Row::new(
                system,
                &scenario,
                "records",
                records,
                bytes,
                &Summary::of(samples),
            )
        };
        let append = row("mqlite Log::append", &samples[0]);
        rows.push(row("mqlite Producer::send_many", &samples[1]).ratio_to(&append, RATIO));
        rows.push(row("mqlite Producer::send + flush", &samples[2]).ratio_to(&append, RATIO));
        rows.push(append);
        notes.extend(scaled_note);
    }
    notes.push(
        "send_many: one call per batch, then every handle's result; send + flush: one send per \
         record, a flush every batch-size records, then their results. Results are taken \
         inside the timed region (an untaken result stays in the producer)"
            .into(),
    );
    notes.push(format!(
        "producer: batch_bytes {} MiB (larger than any batch, so batches close only when \
         send_many returns or on flush), never polled, default partitioner (sticky: partition \
         0 of the one-partition topic); records are cloned out of a pool of {} pre-built \
         producer records inside the timed region, with the same values and timestamps as \
         Log::append's pre-built batches",
        super::PRODUCER_BATCH_BYTES / (1024 * 1024),
        payload::POOL_RECORDS
    ));
    notes.push(
        "MB/s counts record values (100 B each), not framing; CPU s is the benchmark thread's \
         on-CPU time (user + sys), sys in parentheses"
            .into(),
    );
    Report {
        scenario: "producer",
        title: "Scenario 1: the producer path (100 B records, one partition)".into(),
        durability: "write: appended to the file (page cache), no fsync while timed; \
                     close() after the timed region"
            .into(),
        runs: config.runs,
        rows,
        notes,
    }
}

fn send_many(config: &Config, pool: &[ProducerRecord], records: u64, batch: usize) -> Sample {
    let dir = temp_dir(config);
    let mut log = new_log(&dir);
    let mut producer = producer(Durability::Write);
    let batches = records / batch as u64;
    let sample = stats::sample(|| {
        for i in 0..batches {
            let sent = payload::batch_at(pool, i as usize * batch, batch);
            let handles = producer
                .send_many(&mut log, TOPIC, sent.iter().cloned())
                .unwrap();
            take_results(&mut producer, handles);
        }
    });
    assert_eq!(log.high_watermark(TOPIC, 0).unwrap(), records as i64);
    log.close().unwrap();
    sample
}

fn send_and_flush(config: &Config, pool: &[ProducerRecord], records: u64, batch: usize) -> Sample {
    let dir = temp_dir(config);
    let mut log = new_log(&dir);
    let mut producer = producer(Durability::Write);
    let batches = records / batch as u64;
    let mut handles = Vec::with_capacity(batch);
    let sample = stats::sample(|| {
        for i in 0..batches {
            for record in payload::batch_at(pool, i as usize * batch, batch) {
                handles.push(producer.send(&mut log, TOPIC, record.clone()).unwrap());
            }
            producer.flush(&mut log).unwrap();
            take_results(&mut producer, handles.drain(..));
        }
    });
    assert_eq!(log.high_watermark(TOPIC, 0).unwrap(), records as i64);
    log.close().unwrap();
    sample
}
