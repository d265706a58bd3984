//! Scenario 5, CRC and LZ4 cost, in memory: batches of 256 x 100 B encoded with
//! `Compression::None` and `Compression::Lz4` and decoded again, and CRC-32 (crc32fast) next
//! to a plain memcpy over the same encoded bytes; on JSON-like and on random payloads.
//!
//! Inputs are cache-warm: a pool of 65,536 records (6.5 MB) is cycled, and decoding cycles
//! over its 256 distinct encoded batches.

use super::{Config, whole_batches};
use crate::payload::{self, Kind, RECORD_BYTES};
use crate::report::{Report, Row};
use crate::stats::{self, Run, Summary};
use bytes::Bytes;
use mqlite::Record;
use mqlite::encoding::batch::Compression;
use mqlite::encoding::batch::{BatchOptions, decode, encode};
use std::hint::black_box;

const DEFAULT_RECORDS: u64 = 5_000_000;
const BATCH: usize = 256;
/// CRC-32 and memcpy are fast enough that they pass over the batches this many times per run.
const BYTE_PASSES: usize = 10;

fn options(compression: Compression) -> BatchOptions {
    BatchOptions {
        compression,
        ..BatchOptions::default()
    }
}

/// Every distinct batch of `pool`, encoded once.
fn encode_pool(pool: &[Record], compression: Compression) -> Vec<Bytes> {
    pool.chunks_exact(BATCH)
        .enumerate()
        .map(|(i, records)| {
            let mut out = Vec::new();
            encode((i * BATCH) as i64, records, &options(compression), &mut out).unwrap();
            Bytes::from(out)
        })
        .collect()
}

fn encode_run(pool: &[Record], batches: usize, compression: Compression) -> stats::Sample {
    let options = options(compression);
    let mut out = Vec::new();
    stats::sample(|| {
        for i in 0..batches {
            out.clear();
            let records = payload::batch_at(pool, i * BATCH, BATCH);
            encode((i * BATCH) as i64, records, &options, &mut out).unwrap();
            black_box(&out);
        }
    })
}

fn decode_run(encoded: &[Bytes], batches: usize) -> stats::Sample {
    stats::sample(|| {
        for i in 0..batches {
            let batch = decode(&encoded[i % encoded.len()]).unwrap();
            black_box(batch.records.len());
        }
    })
}

/// Runs the scenario.
pub fn run(config: &Config) -> Report {
    let records = whole_batches(config.records.unwrap_or(DEFAULT_RECORDS), BATCH);
    let batches = (records / BATCH as u64) as usize;
    let value_bytes = Some(records * RECORD_BYTES as u64);
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for kind in [Kind::JsonLike, Kind::Random] {
        eprintln!("codec: {} payloads, {records} records per run", kind.name());
        let pool = payload::pool(kind);
        let plain = encode_pool(&pool, Compression::None);
        let lz4 = encode_pool(&pool, Compression::Lz4);
        let batch_bytes: u64 = (0..batches * BYTE_PASSES)
            .map(|i| plain[i % plain.len()].len() as u64)
            .sum();
        let largest = plain.iter().map(Bytes::len).max().unwrap_or(0);
        let mut systems: Vec<Run<'_>> = vec![
            Box::new(|| encode_run(&pool, batches, Compression::None)),
            Box::new(|| encode_run(&pool, batches, Compression::Lz4)),
            Box::new(|| decode_run(&plain, batches)),
            Box::new(|| decode_run(&lz4, batches)),
            Box::new(|| {
                stats::sample(|| {
                    for i in 0..batches * BYTE_PASSES {
                        black_box(crc32fast::hash(&plain[i % plain.len()]));
                    }
                })
            }),
            Box::new(|| {
                let mut target = vec![0u8; largest];
                stats::sample(|| {
                    for i in 0..batches * BYTE_PASSES {
                        let source = &plain[i % plain.len()];
                        target[..source.len()].copy_from_slice(source);
                        black_box(&target);
                    }
                })
            }),
        ];
        let samples = stats::interleaved(config.runs, &mut systems);
        drop(systems);
        let summaries: Vec<Summary> = samples.iter().map(|s| Summary::of(s)).collect();
        let name = kind.name();
        let row = |system: &str, what: &str, passes: usize, bytes: Option<u64>, at: usize| {
            let scenario = format!("{what}, {name}");
            let count = records * passes as u64;
            Row::new(system, &scenario, "records", count, bytes, &summaries[at])
        };
        let (encode, decode) = ("encode 256 x 100 B", "decode 256 x 100 B");
        let encode_none = row("mqlite encode None", encode, 1, value_bytes, 0);
        let encode_lz4 =
            row("mqlite encode Lz4", encode, 1, value_bytes, 1).ratio_to(&encode_none, "Lz4/None");
        let decode_none = row("mqlite decode None", decode, 1, value_bytes, 2);
        let decode_lz4 =
            row("mqlite decode Lz4", decode, 1, value_bytes, 3).ratio_to(&decode_none, "Lz4/None");
        let bytes = Some(batch_bytes);
        let memcpy = row("memcpy", "encoded batch bytes", BYTE_PASSES, bytes, 5);
        let crc = row("crc32fast", "encoded batch bytes", BYTE_PASSES, bytes, 4)
            .ratio_to(&memcpy, "crc/memcpy");
        let crc_one_pass_s = summaries[4].wall_s / BYTE_PASSES as f64;
        let plain_total: usize = plain.iter().map(Bytes::len).sum();
        let lz4_total: usize = lz4.iter().map(Bytes::len).sum();
        notes.push(format!(
            "{name}: an encoded batch is {:.0} B plain, {:.0} B with LZ4 ({:.0}% of plain); \
             CRC-32 alone takes {:.0}% of an uncompressed encode's time and {:.0}% of an \
             uncompressed decode's",
            plain_total as f64 / plain.len() as f64,
            lz4_total as f64 / lz4.len() as f64,
            100.0 * lz4_total as f64 / plain_total as f64,
            100.0 * crc_one_pass_s / summaries[0].wall_s,
            100.0 * crc_one_pass_s / summaries[2].wall_s,
        ));
        rows.extend([
            encode_none,
            encode_lz4,
            decode_none,
            decode_lz4,
            crc,
            memcpy,
        ]);
    }
    notes.push(format!(
        "encode/decode MB/s count record values (100 B each); crc32fast and memcpy MB/s count \
         the encoded (uncompressed) batch bytes they run over, {BYTE_PASSES} passes per run. \
         Decode includes its CRC check and builds a LogRecord per record"
    ));
    Report {
        scenario: "codec",
        title: format!("Scenario 5: CRC and LZ4 cost ({records} records per run, batches of 256)"),
        durability: "memory: no IO".into(),
        runs: config.runs,
        rows,
        notes,
    }
}
