//! Golden vectors: `tests/vectors/v1/log/` is a log directory written by format v1 and
//! `tests/vectors/v1/expected.json` lists every record it holds. The Rust, Python and JS test
//! suites all read them back. Two checks here:
//! - the committed log reads back exactly as `expected.json` says;
//! - writing the same inputs today gives the same bytes, file by file, so any change to the
//!   on-disk format shows up here (and needs a new format version and a new fixture).
//!
//! Regenerate (only with a format version bump): `MQLITE_WRITE_VECTORS=1 cargo test -p mqlite --test vectors`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test")]

mod common;

use common::options_at;
use mqlite::{Compression, Header, Log, LogOptions, Record, TimestampType, TopicConfig};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/v1")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn bytes_json(bytes: Option<&[u8]>) -> Value {
    bytes.map_or(Value::Null, |b| Value::String(hex(b)))
}

/// The inputs: three topics covering both codecs, both timestamp types, null keys and
/// values, empty values, repeated and null-valued headers, and several segments.
fn write_log(dir: &Path) {
    let (options, clock) = options_at(1_700_000_000_000);
    let mut log = Log::open_dir(dir, options).unwrap();
    log.create_topic("plain", TopicConfig::with_partitions(2))
        .unwrap();
    log.create_topic(
        "packed",
        TopicConfig {
            compression: Compression::Lz4,
            timestamp_type: TimestampType::LogAppendTime,
            ..TopicConfig::default()
        },
    )
    .unwrap();
    log.create_topic(
        "rolled",
        TopicConfig {
            segment_bytes: 1024,
            index_interval_bytes: 128,
            ..TopicConfig::default()
        },
    )
    .unwrap();

    let base = 1_700_000_000_000i64;
    log.append(
        "plain",
        0,
        &[
            Record::with_value(&b"hello"[..])
                .key(&b"k1"[..])
                .timestamp_ms(base)
                .header("h", &b"x"[..]),
            Record {
                timestamp_ms: base + 5,
                key: Some("k2".into()),
                value: None,
                headers: vec![],
            },
            Record {
                timestamp_ms: base + 3,
                key: None,
                value: Some("".into()),
                headers: vec![],
            },
        ],
    )
    .unwrap();
    log.append(
        "plain",
        1,
        &[Record {
            timestamp_ms: base + 10,
            key: None,
            value: Some("\u{1F600} utf-8 value".into()),
            headers: vec![
                Header::new("dup", &b"1"[..]),
                Header::new("dup", &b"2"[..]),
                Header {
                    key: "null-value".into(),
                    value: None,
                },
            ],
        }],
    )
    .unwrap();
    log.append(
        "plain",
        0,
        &[Record::with_value(vec![0u8, 1, 2, 255])
            .key(vec![0u8])
            .timestamp_ms(base + 20)],
    )
    .unwrap();

    clock.set_ms(base + 1_000);
    let compressible: Vec<Record> = (0..50)
        .map(|i| {
            Record::with_value(
                format!("{{\"order\":{i},\"status\":\"shipped\",\"note\":\"same words again\"}}")
                    .into_bytes(),
            )
            .key(format!("order-{}", i % 5).into_bytes())
        })
        .collect();
    log.append("packed", 0, &compressible).unwrap();
    clock.set_ms(base + 2_000);
    log.append("packed", 0, &[Record::with_value(&b"single"[..])])
        .unwrap();

    for i in 0..40i64 {
        let value =
            format!("record {i} of the rolled topic, padded to make segments roll").into_bytes();
        log.append(
            "rolled",
            0,
            &[Record::with_value(value)
                .key(format!("{}", i % 3).into_bytes())
                .timestamp_ms(base + i)],
        )
        .unwrap();
    }
    log.close().unwrap();
    std::fs::remove_file(dir.join(mqlite::storage::LOCK_FILE_NAME)).unwrap();
}

/// Every record of a log as the expected JSON.
fn describe(dir: &Path) -> Value {
    let log = Log::open_dir(
        dir,
        LogOptions {
            read_only: true,
            ..LogOptions::default()
        },
    )
    .unwrap();
    let topics: Vec<Value> = log
        .topics()
        .iter()
        .map(|name| {
            let description = log.describe(name).unwrap();
            let partitions: Vec<Value> = description
                .partitions
                .iter()
                .map(|p| {
                    let records: Vec<Value> = log
                        .read(name, p.partition, p.log_start_offset, usize::MAX)
                        .unwrap()
                        .iter()
                        .map(|r| {
                            let headers: Vec<Value> = r
                                .headers
                                .iter()
                                .map(|h| json!([h.key, bytes_json(h.value.as_deref())]))
                                .collect();
                            json!({
                                "offset": r.offset,
                                "timestamp_ms": r.timestamp_ms,
                                "key": bytes_json(r.key.as_deref()),
                                "value": bytes_json(r.value.as_deref()),
                                "headers": headers,
                            })
                        })
                        .collect();
                    json!({
                        "partition": p.partition,
                        "log_start_offset": p.log_start_offset,
                        "high_watermark": p.high_watermark,
                        "segments": p.segments,
                        "records": records,
                    })
                })
                .collect();
            json!({ "name": name, "config": description.config, "partitions": partitions })
        })
        .collect();
    json!({ "format_version": 1, "bytes_encoding": "hex", "topics": topics })
}

#[test]
fn committed_vectors_read_back_as_expected_json() {
    let dir = vectors_dir();
    if std::env::var_os("MQLITE_WRITE_VECTORS").is_some() {
        let log_dir = dir.join("log");
        let _ = std::fs::remove_dir_all(&log_dir);
        write_log(&log_dir);
        let text = serde_json::to_string_pretty(&describe(&log_dir)).unwrap();
        std::fs::write(dir.join("expected.json"), text + "\n").unwrap();
    }
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let got = describe(&dir.join("log"));
    assert_eq!(got, expected);
    // The vector covers what it claims to.
    let topics = expected["topics"].as_array().unwrap();
    assert_eq!(topics.len(), 3);
    let rolled = topics.iter().find(|t| t["name"] == "rolled").unwrap();
    assert!(rolled["partitions"][0]["segments"].as_u64().unwrap() > 1);
    let text = expected.to_string();
    assert!(
        text.contains("\"value\":null")
            && text.contains("\"key\":null")
            && text.contains("\"lz4\"")
    );
}

#[test]
fn writing_the_same_inputs_today_gives_the_same_bytes() {
    let fresh = tempfile::tempdir().unwrap();
    write_log(fresh.path());
    let committed = vectors_dir().join("log");
    assert_eq!(
        common::files_under(fresh.path()),
        common::files_under(&committed),
        "different files"
    );
    for name in common::files_under(&committed) {
        let (now, then) = (
            std::fs::read(fresh.path().join(&name)).unwrap(),
            std::fs::read(committed.join(&name)).unwrap(),
        );
        assert!(
            now == then,
            "{} changed: the on-disk format moved; bump FormatVersion and add a fixture",
            name
        );
    }
}
