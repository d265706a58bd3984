//! Damage to real segment files: truncation at every byte of the last two batches, and a bit
//! flip in every byte of a segment. A reopened log either reports `CorruptLog` (naming the
//! file and position) or returns exactly the records that were written, never a wrong one;
//! damage before the tail is reported, not skipped.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test")]

mod common;

use common::{record, same_content};
use mqlite::{Compression, Error, ErrorCode, Log, LogOptions, LogRecord, Record, TopicConfig};
use std::path::Path;

const SEGMENT: &str = "t-0/00000000000000000000.log";

/// Writes one topic of `batches` batches; returns what was sent and each batch's end position.
fn write_log(dir: &Path, compression: Compression, batches: u64) -> (Vec<Record>, Vec<u64>) {
    let mut log = Log::open_dir(dir, LogOptions::default()).unwrap();
    log.create_topic(
        "t",
        TopicConfig {
            compression,
            index_interval_bytes: 200,
            ..TopicConfig::default()
        },
    )
    .unwrap();
    let mut sent = Vec::new();
    for b in 0..batches {
        let batch: Vec<Record> = (0..3)
            .map(|i| record(b * 3 + i, 1_000 + b as i64))
            .collect();
        log.append("t", 0, &batch).unwrap();
        sent.extend(batch);
    }
    let ends = log
        .read_batches("t", 0, 0, usize::MAX)
        .unwrap()
        .iter()
        .scan(0u64, |end, b| {
            *end += b.header.size_bytes() as u64;
            Some(*end)
        })
        .collect();
    log.close().unwrap();
    (sent, ends)
}

fn read_all(dir: &Path) -> Result<Vec<LogRecord>, Error> {
    let log = Log::open_dir(dir, LogOptions::default())?;
    let hw = log.high_watermark("t", 0)?;
    let mut out = Vec::new();
    while (out.len() as i64) < hw {
        let got = log.read("t", 0, out.len() as i64, 4096)?;
        assert!(
            !got.is_empty(),
            "a read below the high watermark returned nothing"
        );
        out.extend(got);
    }
    Ok(out)
}

fn assert_prefix(got: &[LogRecord], sent: &[Record], context: &str) {
    assert!(
        got.len() <= sent.len(),
        "{context}: more records than were written"
    );
    for (i, (g, s)) in got.iter().zip(sent).enumerate() {
        assert_eq!(g.offset, i as i64, "{context}");
        assert!(
            same_content(g, s) && g.timestamp_ms == s.timestamp_ms,
            "{context}: record {i} differs"
        );
    }
}

#[test]
fn truncation_anywhere_in_the_last_two_batches_recovers_the_whole_ones() {
    for compression in [Compression::None, Compression::Lz4] {
        let dir = tempfile::tempdir().unwrap();
        let (sent, ends) = write_log(dir.path(), compression, 12);
        let path = dir.path().join(SEGMENT);
        let original = std::fs::read(&path).unwrap();
        let from = ends[ends.len() - 3];
        for cut in from..original.len() as u64 {
            std::fs::write(&path, &original[..cut as usize]).unwrap();
            let context = format!("{compression:?} cut at {cut}");
            let got = read_all(dir.path()).unwrap_or_else(|e| panic!("{context}: {e}"));
            let whole = ends.iter().filter(|&&end| end <= cut).count();
            assert_eq!(got.len(), whole * 3, "{context}");
            assert_prefix(&got, &sent, &context);
            let recovered_len = std::fs::metadata(&path).unwrap().len();
            assert_eq!(
                recovered_len,
                ends[whole - 1],
                "{context}: the torn tail was not cut off"
            );
        }
    }
}

#[test]
fn a_bit_flip_anywhere_is_reported_or_harmless_never_a_wrong_record() {
    for compression in [Compression::None, Compression::Lz4] {
        let dir = tempfile::tempdir().unwrap();
        let (sent, ends) = write_log(dir.path(), compression, 8);
        let path = dir.path().join(SEGMENT);
        let original = std::fs::read(&path).unwrap();
        let last_batch_start = ends[ends.len() - 2];
        let (mut reported, mut harmless) = (0, 0);
        for position in 0..original.len() {
            let mut damaged = original.clone();
            damaged[position] ^= 1 << (position % 8);
            std::fs::write(&path, &damaged).unwrap();
            let context = format!("{compression:?} flip at byte {position}");
            match read_all(dir.path()) {
                Err(e) => {
                    assert!(
                        matches!(
                            e.code(),
                            ErrorCode::CorruptLog | ErrorCode::UnsupportedFormatVersion
                        ),
                        "{context}: {e}"
                    );
                    if let Error::CorruptLog { file, .. } = &e {
                        assert!(file.ends_with(".log"), "{context}: error names {file}");
                    }
                    reported += 1;
                }
                Ok(got) if (position as u64) < last_batch_start => {
                    // Before the tail, only a byte outside every check (the leader epoch) may
                    // pass, and then everything must read back intact.
                    assert_eq!(
                        got.len(),
                        sent.len(),
                        "{context}: damage before the tail was skipped"
                    );
                    assert_prefix(&got, &sent, &context);
                    harmless += 1;
                }
                Ok(got) => {
                    // In the last batch: cut off as a torn tail, or harmless.
                    assert!(
                        got.len() == sent.len() || got.len() == sent.len() - 3,
                        "{context}"
                    );
                    assert_prefix(&got, &sent, &context);
                }
            }
            std::fs::write(&path, &original).unwrap();
        }
        assert!(
            reported > original.len() / 2,
            "{compression:?}: only {reported} flips reported"
        );
        assert!(
            harmless <= 4 * ends.len(),
            "{compression:?}: {harmless} flips passed unnoticed"
        );
    }
}

#[test]
fn damage_in_a_sealed_segment_names_the_file_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    log.create_topic(
        "t",
        TopicConfig {
            segment_bytes: 1024,
            ..TopicConfig::default()
        },
    )
    .unwrap();
    for i in 0..40 {
        log.append("t", 0, &[record(i, 1)]).unwrap();
    }
    log.close().unwrap();
    let path = dir.path().join(SEGMENT);
    let mut bytes = std::fs::read(&path).unwrap();
    let target = bytes.len() - 5; // inside the sealed segment's last batch
    bytes[target] ^= 0xFF;
    std::fs::write(&path, &bytes).unwrap();
    let log = Log::open_dir(dir.path(), LogOptions::default());
    let err = match log {
        Err(e) => e,
        Ok(log) => log.read("t", 0, 0, usize::MAX).unwrap_err(),
    };
    match err {
        Error::CorruptLog { file, position, .. } => {
            assert_eq!(file, SEGMENT);
            assert!(
                position < bytes.len() as u64 && position + 200 > target as u64,
                "position {position}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn repair_cuts_damage_out_reports_it_and_the_log_opens_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    let config = TopicConfig {
        segment_bytes: 1024,
        ..TopicConfig::default()
    };
    log.create_topic("t", config).unwrap();
    let sent: Vec<Record> = (0..60).map(|i| record(i, 1)).collect();
    for r in &sent {
        log.append("t", 0, std::slice::from_ref(r)).unwrap();
    }
    let batches = log.read_batches("t", 0, 0, usize::MAX).unwrap();
    let fourth_batch: usize = batches[..3].iter().map(|b| b.header.size_bytes()).sum();
    log.close().unwrap();
    assert!(
        Log::repair_dir(dir.path()).unwrap().is_empty(),
        "a healthy log needs no repair"
    );

    // Damage the fourth batch of the first (sealed) segment, inside its base timestamp.
    let path = dir.path().join(SEGMENT);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[fourth_batch + 30] ^= 0x10;
    std::fs::write(&path, &bytes).unwrap();
    let refused = Log::open_dir(dir.path(), LogOptions::default())
        .and_then(|l| l.read("t", 0, 0, usize::MAX).map(|_| ()));
    assert_eq!(refused.unwrap_err().code(), ErrorCode::CorruptLog);

    let actions = Log::repair_dir(dir.path()).unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    let action = &actions[0];
    assert_eq!(action.file, SEGMENT);
    assert_eq!(
        (action.position, action.high_watermark),
        (fourth_batch as u64, 3),
        "{action:?}"
    );
    assert!(!action.removed_files.is_empty(), "later segments go too");

    let mut log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    let kept = log.read("t", 0, 0, usize::MAX).unwrap();
    assert_eq!(kept.len(), 3);
    for (g, s) in kept.iter().zip(&sent) {
        assert!(same_content(g, s));
    }
    assert_eq!(
        log.append("t", 0, &[record(1000, 1)]).unwrap().base_offset,
        3
    );
}
