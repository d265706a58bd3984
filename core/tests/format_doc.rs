#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test")]
//! docs/FORMAT.md is normative. These tests read it and hold its byte tables, constants and
//! examples to the bytes the code writes, so the page and the format cannot drift apart.
//!
//! What the page marks: a line `<!-- name -->`, then a Markdown table or a fenced block.
//! `layout:*` tables (field, offset, size, type, meaning) must be contiguous from offset 0, add
//! up to the code's size constant, and name exactly the fields the code writes, each at the
//! documented place. Hex blocks hold one field per line, `hex bytes  # <offset> comment`; the
//! bytes must equal what the code writes and each offset must be where the line's first byte
//! sits.

mod common;
use bytes::Bytes;
use mqlite::encoding::batch::{
    self, BATCH_HEADER_BYTES, BatchOptions, LOG_OVERHEAD_BYTES, ProducerFields,
};
use mqlite::encoding::cursor::Cursor;
use mqlite::encoding::lz4_frame;
use mqlite::encoding::varint::put_varlong;
use mqlite::log::index::{OFFSET_ENTRY_BYTES, TIME_ENTRY_BYTES};
use mqlite::log::topic::TOPIC_META_BYTES;
use mqlite::log::{
    META_FILE_BYTES, META_FILE_NAME, PRODUCER_IDS_BLOCK, PRODUCER_IDS_ENTRY_BYTES,
    PRODUCER_IDS_FILE_NAME,
};
use mqlite::{
    Compression, FormatVersion, Log, LogOptions, ManualClock, Record, TimestampType, TopicConfig,
    limits,
};
use std::collections::BTreeSet;
use std::sync::Arc;

// ---- reading the page ----

fn doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/FORMAT.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The lines after the one `<!-- marker -->` line, leading blank lines skipped.
fn after_marker<'a>(doc: &'a str, marker: &str) -> Vec<&'a str> {
    let tag = format!("<!-- {marker} -->");
    let lines: Vec<&str> = doc.lines().collect();
    let found: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].trim() == tag)
        .collect();
    assert_eq!(found.len(), 1, "FORMAT.md must hold exactly one {tag}");
    lines[found[0] + 1..]
        .iter()
        .copied()
        .skip_while(|l| l.trim().is_empty())
        .collect()
}

/// The lines of the fenced block of `language` right after the marker.
fn fenced(doc: &str, marker: &str, language: &str) -> Vec<String> {
    let lines = after_marker(doc, marker);
    let fence = format!("```{language}");
    assert_eq!(
        lines.first().map(|l| l.trim()),
        Some(fence.as_str()),
        "{marker}: expected a {fence} block after the marker"
    );
    let body: Vec<String> = lines[1..]
        .iter()
        .take_while(|l| l.trim() != "```")
        .map(|l| (*l).to_string())
        .collect();
    assert!(
        lines.len() > body.len() + 1,
        "{marker}: the block is not closed"
    );
    body
}

/// The bytes of a hex block whose first byte sits at `start` of its structure, checking the
/// offset each line's comment starts with.
fn hex_block(doc: &str, marker: &str, start: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    for line in fenced(doc, marker, "hex") {
        let (data, comment) = line.split_once('#').unwrap_or((&line, ""));
        let line_bytes: Vec<u8> = data
            .split_whitespace()
            .map(|token| {
                assert_eq!(token.len(), 2, "{marker}: {token:?} is not one hex byte");
                u8::from_str_radix(token, 16)
                    .unwrap_or_else(|_| panic!("{marker}: {token:?} is not hex"))
            })
            .collect();
        if line_bytes.is_empty() {
            continue;
        }
        let claimed: usize = comment
            .split_whitespace()
            .next()
            .and_then(|word| word.parse().ok())
            .unwrap_or_else(|| panic!("{marker}: {line:?} must comment its offset first"));
        assert_eq!(
            claimed,
            start + bytes.len(),
            "{marker}: {line:?} claims offset {claimed}"
        );
        bytes.extend(line_bytes);
    }
    assert!(!bytes.is_empty(), "{marker}: no bytes");
    bytes
}

fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(|cell| cell.trim().trim_matches('`').to_string())
        .collect()
}

/// The header and rows of the Markdown table right after the marker.
fn table(doc: &str, marker: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let rows: Vec<Vec<String>> = after_marker(doc, marker)
        .into_iter()
        .take_while(|l| l.trim_start().starts_with('|'))
        .map(cells)
        .collect();
    assert!(rows.len() >= 3, "{marker}: expected a table with rows");
    assert!(
        rows[1]
            .iter()
            .all(|c| !c.is_empty() && c.chars().all(|ch| ch == '-' || ch == ':')),
        "{marker}: the table's second line must be its separator"
    );
    (rows[0].clone(), rows[2..].to_vec())
}

/// A number as the page writes it: decimal or `0x` hex, `−` (U+2212) or `-` for minus.
fn number(text: &str) -> i128 {
    let text = text.replace('\u{2212}', "-");
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => i128::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed.unwrap_or_else(|_| panic!("{text:?} is not a number"))
}

/// A field of a `layout:*` table.
#[derive(Debug)]
struct Field {
    name: String,
    offset: usize,
    size: usize,
    kind: String,
}

/// The fields of a `layout:*` table, checked to be contiguous from offset 0.
fn layout(doc: &str, marker: &str) -> Vec<Field> {
    let (head, rows) = table(doc, marker);
    assert_eq!(
        head,
        ["field", "offset", "size", "type", "meaning"],
        "{marker}"
    );
    let mut end = 0;
    rows.iter()
        .map(|row| {
            let field = Field {
                name: row[0].clone(),
                offset: number(&row[1]) as usize,
                size: number(&row[2]) as usize,
                kind: row[3].clone(),
            };
            assert_eq!(
                field.offset, end,
                "{marker}: {} starts at {}, the field before it ends at {end}",
                field.name, field.offset
            );
            end = field.offset + field.size;
            field
        })
        .collect()
}

fn layout_bytes(fields: &[Field]) -> usize {
    fields.last().map_or(0, |f| f.offset + f.size)
}

/// Checks that `fields` name exactly the fields in `expected`, and that each sits in `bytes`
/// where the table says, holding the expected bytes.
fn check_fields(marker: &str, fields: &[Field], bytes: &[u8], expected: &[(&str, Vec<u8>)]) {
    let documented: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let written: Vec<&str> = expected.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        documented, written,
        "{marker}: fields differ from the code's"
    );
    for (field, (_, value)) in fields.iter().zip(expected) {
        assert_eq!(field.size, value.len(), "{marker}: size of {}", field.name);
        assert_eq!(
            &bytes[field.offset..field.offset + field.size],
            value.as_slice(),
            "{marker}: {} at offset {}",
            field.name,
            field.offset
        );
    }
}

/// Checks the type column: the Rust type each field is written with (`bytes` for byte
/// strings), in order.
fn check_types(marker: &str, fields: &[Field], types: &[&str]) {
    let documented: Vec<&str> = fields.iter().map(|f| f.kind.as_str()).collect();
    assert_eq!(documented, types, "{marker}: types differ from the code's");
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

// ---- the worked example ----

fn example_records() -> Vec<Record> {
    vec![
        Record::with_value(&b"hello"[..])
            .key(&b"k1"[..])
            .timestamp_ms(1_700_000_000_000)
            .header("h", &b"x"[..]),
        Record {
            timestamp_ms: 1_700_000_000_005,
            key: None,
            value: None,
            headers: Vec::new(),
        },
    ]
}

fn example_batch() -> Vec<u8> {
    let mut out = Vec::new();
    batch::encode(0, &example_records(), &BatchOptions::default(), &mut out).unwrap();
    out
}

#[test]
fn the_worked_example_is_the_encoders_bytes() {
    let written = example_batch();
    let documented = hex_block(&doc(), "example-batch", 0);
    assert_eq!(
        documented,
        written,
        "docs/FORMAT.md example-batch differs from the encoder's bytes:\n{}",
        hex(&written)
    );
    let decoded = batch::decode(&Bytes::from(written)).unwrap();
    let sent = example_records();
    assert_eq!(decoded.records.len(), sent.len());
    for (offset, (got, sent)) in decoded.records.iter().zip(&sent).enumerate() {
        assert_eq!(got.offset, offset as i64);
        assert_eq!(got.timestamp_ms, sent.timestamp_ms);
        assert_eq!(
            (&got.key, &got.value, &got.headers),
            (&sent.key, &sent.value, &sent.headers)
        );
    }
}

fn header_fields(bytes: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let header = batch::decode_header(bytes).unwrap();
    vec![
        ("base_offset", header.base_offset.to_be_bytes().to_vec()),
        (
            "batch_length",
            ((bytes.len() - 12) as i32).to_be_bytes().to_vec(),
        ),
        ("partition_leader_epoch", (-1i32).to_be_bytes().to_vec()),
        ("magic", vec![0x6D]),
        ("crc", crc32fast::hash(&bytes[21..]).to_be_bytes().to_vec()),
        ("attributes", header.attributes.to_be_bytes().to_vec()),
        (
            "last_offset_delta",
            header.last_offset_delta.to_be_bytes().to_vec(),
        ),
        (
            "base_timestamp",
            header.base_timestamp.to_be_bytes().to_vec(),
        ),
        ("max_timestamp", header.max_timestamp.to_be_bytes().to_vec()),
        (
            "producer_id",
            header.producer.producer_id.to_be_bytes().to_vec(),
        ),
        (
            "producer_epoch",
            header.producer.producer_epoch.to_be_bytes().to_vec(),
        ),
        (
            "base_sequence",
            header.producer.base_sequence.to_be_bytes().to_vec(),
        ),
        ("records_count", header.records_count.to_be_bytes().to_vec()),
    ]
}

#[test]
fn the_batch_header_table_is_where_the_encoder_writes_each_field() {
    let doc = doc();
    let fields = layout(&doc, "layout:batch-header");
    assert_eq!(layout_bytes(&fields), BATCH_HEADER_BYTES);
    assert_eq!(fields[1].offset + fields[1].size, LOG_OVERHEAD_BYTES);

    // The worked example: values checked by number, not only through decode_header.
    let example = example_batch();
    let expected: Vec<(&str, Vec<u8>)> = vec![
        ("base_offset", 0i64.to_be_bytes().to_vec()),
        ("batch_length", 74i32.to_be_bytes().to_vec()),
        ("partition_leader_epoch", (-1i32).to_be_bytes().to_vec()),
        ("magic", vec![0x6D]),
        (
            "crc",
            crc32fast::hash(&example[21..]).to_be_bytes().to_vec(),
        ),
        ("attributes", 0i16.to_be_bytes().to_vec()),
        ("last_offset_delta", 1i32.to_be_bytes().to_vec()),
        (
            "base_timestamp",
            1_700_000_000_000i64.to_be_bytes().to_vec(),
        ),
        ("max_timestamp", 1_700_000_000_005i64.to_be_bytes().to_vec()),
        ("producer_id", (-1i64).to_be_bytes().to_vec()),
        ("producer_epoch", (-1i16).to_be_bytes().to_vec()),
        ("base_sequence", (-1i32).to_be_bytes().to_vec()),
        ("records_count", 2i32.to_be_bytes().to_vec()),
    ];
    check_fields("layout:batch-header", &fields, &example, &expected);
    check_types(
        "layout:batch-header",
        &fields,
        &[
            "i64", "i32", "i32", "u8", "u32", "i16", "i32", "i64", "i64", "i64", "i16", "i32",
            "i32",
        ],
    );
    assert_eq!(example.len(), 86);

    // A batch whose fields all differ, so two swapped rows of the table cannot go unnoticed.
    let options = BatchOptions {
        compression: Compression::Lz4,
        log_append_time_ms: Some(5_000),
        producer: ProducerFields {
            producer_id: 0x0102_0304_0506_0708,
            producer_epoch: 0x0A0B,
            base_sequence: 0x1122_3344,
        },
        transactional: true,
        control: false,
    };
    let mut other = Vec::new();
    batch::encode(42, &example_records(), &options, &mut other).unwrap();
    let expected = header_fields(&other);
    check_fields("layout:batch-header", &fields, &other, &expected);
    let header = batch::decode_header(&other).unwrap();
    assert_eq!(header.base_offset, 42);
    assert_eq!(header.producer, options.producer);
    assert_eq!(
        (header.base_timestamp, header.max_timestamp),
        (5_000, 5_000)
    );
}

#[test]
fn the_attribute_bits_are_the_ones_the_encoder_sets() {
    let (head, rows) = table(&doc(), "layout:attributes");
    assert_eq!(head, ["bits", "mask", "name", "meaning"]);
    let attributes = |options: BatchOptions| -> u16 {
        let mut out = Vec::new();
        batch::encode(0, &example_records(), &options, &mut out).unwrap();
        u16::from_be_bytes([out[21], out[22]])
    };
    let plain = attributes(BatchOptions::default());
    let variants = [
        (
            "codec",
            attributes(BatchOptions {
                compression: Compression::Lz4,
                ..BatchOptions::default()
            }),
            Compression::Lz4 as u16,
        ),
        (
            "timestamp_type",
            attributes(BatchOptions {
                log_append_time_ms: Some(1),
                ..BatchOptions::default()
            }),
            u16::MAX,
        ),
        (
            "transactional",
            attributes(BatchOptions {
                transactional: true,
                ..BatchOptions::default()
            }),
            u16::MAX,
        ),
        (
            "control",
            attributes(BatchOptions {
                control: true,
                ..BatchOptions::default()
            }),
            u16::MAX,
        ),
    ];
    let names: Vec<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(
        names,
        [
            "codec",
            "timestamp_type",
            "transactional",
            "control",
            "reserved"
        ]
    );
    let mut union = 0u16;
    for row in &rows {
        let mask = number(&row[1]) as u16;
        assert_eq!(union & mask, 0, "attribute masks overlap at {}", row[2]);
        union |= mask;
        assert_eq!(plain & mask, 0, "{} is set in a plain batch", row[2]);
        for (name, attributes, value) in variants {
            let expected = if name == row[2] { mask & value } else { 0 };
            assert_eq!(attributes & mask, expected, "{} in a {name} batch", row[2]);
        }
    }
    assert_eq!(
        union,
        u16::MAX,
        "the attribute table must cover all 16 bits"
    );
}

/// CRC-32C (Castagnoli), bit by bit: Kafka's batch checksum.
fn crc32c(bytes: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn the_kafka_view_of_the_example_rewrites_epoch_magic_and_crc_only() {
    assert_eq!(crc32c(b"123456789"), 0xE306_9283, "the CRC-32C check value");
    let stored = example_batch();
    let mut served = stored.clone();
    served[12..16].copy_from_slice(&0i32.to_be_bytes());
    served[16] = 2;
    let crc = crc32c(&served[21..]);
    served[17..21].copy_from_slice(&crc.to_be_bytes());
    assert_eq!(
        hex_block(&doc(), "example-batch-kafka", 12),
        &served[12..21],
        "the Kafka view of the example: {}",
        hex(&served[12..21])
    );
    // Rewriting the fields outside the CRC leaves the mqlite CRC valid: they are outside it.
    let mut epoch_only = stored.clone();
    epoch_only[12..16].copy_from_slice(&7i32.to_be_bytes());
    assert!(batch::decode(&Bytes::from(epoch_only)).is_ok());
}

// ---- metadata files ----

fn options_at(now_ms: i64) -> LogOptions {
    LogOptions::with_clock(Arc::new(ManualClock::new(now_ms)))
}

#[test]
fn mqlite_meta_matches_its_table_and_example() {
    let doc = doc();
    let log = Log::in_memory(options_at(0)).unwrap();
    let bytes = log.storage().files()[META_FILE_NAME].clone();
    assert_eq!(bytes.len(), META_FILE_BYTES);
    let fields = layout(&doc, "layout:mqlite.meta");
    assert_eq!(layout_bytes(&fields), META_FILE_BYTES);
    let expected = vec![
        ("magic", b"MQLT".to_vec()),
        ("version", vec![FormatVersion::CURRENT.as_u8()]),
        ("reserved", vec![0, 0, 0]),
        ("crc", crc32fast::hash(&bytes[..8]).to_be_bytes().to_vec()),
    ];
    check_fields("layout:mqlite.meta", &fields, &bytes, &expected);
    check_types(
        "layout:mqlite.meta",
        &fields,
        &["bytes", "u8", "bytes", "u32"],
    );
    assert_eq!(hex_block(&doc, "example-meta", 0), bytes, "{}", hex(&bytes));
}

#[test]
fn the_producer_ids_file_matches_its_table_and_example() {
    let doc = doc();
    let mut log = Log::in_memory(options_at(0)).unwrap();
    for expected in 0..=PRODUCER_IDS_BLOCK as i64 {
        assert_eq!(log.init_producer_id().unwrap(), expected);
    }
    let bytes = log.storage().files()[PRODUCER_IDS_FILE_NAME].clone();
    assert_eq!(bytes.len(), 2 * PRODUCER_IDS_ENTRY_BYTES);
    assert_eq!(hex_block(&doc, "example-pids", 0), bytes, "{}", hex(&bytes));
    let fields = layout(&doc, "layout:pids-entry");
    assert_eq!(layout_bytes(&fields), PRODUCER_IDS_ENTRY_BYTES);
    let second = &bytes[PRODUCER_IDS_ENTRY_BYTES..];
    let expected = vec![
        ("reserved_end", 2000u64.to_be_bytes().to_vec()),
        ("crc", crc32fast::hash(&second[..8]).to_be_bytes().to_vec()),
    ];
    check_fields("layout:pids-entry", &fields, second, &expected);
    check_types("layout:pids-entry", &fields, &["u64", "u32"]);
}

fn topic_fields(bytes: &[u8], config: &TopicConfig) -> Vec<(&'static str, Vec<u8>)> {
    let optional = |v: Option<i64>| v.unwrap_or(-1).to_be_bytes().to_vec();
    vec![
        ("magic", b"MQTP".to_vec()),
        ("version", vec![FormatVersion::CURRENT.as_u8()]),
        ("partitions", config.partitions.to_be_bytes().to_vec()),
        ("segment_bytes", config.segment_bytes.to_be_bytes().to_vec()),
        ("segment_ms", optional(config.segment_ms)),
        ("retention_ms", optional(config.retention_ms)),
        (
            "retention_bytes",
            optional(config.retention_bytes.map(|b| b as i64)),
        ),
        ("compression", vec![config.compression as u8]),
        ("timestamp_type", vec![config.timestamp_type as u8]),
        (
            "index_interval_bytes",
            config.index_interval_bytes.to_be_bytes().to_vec(),
        ),
        ("crc", crc32fast::hash(&bytes[..47]).to_be_bytes().to_vec()),
    ]
}

#[test]
fn topic_files_match_their_table() {
    let fields = layout(&doc(), "layout:topic");
    assert_eq!(layout_bytes(&fields), TOPIC_META_BYTES);
    check_types(
        "layout:topic",
        &fields,
        &[
            "bytes", "u8", "u32", "u64", "i64", "i64", "i64", "u8", "u8", "u32", "u32",
        ],
    );
    let configs = [
        TopicConfig::default(),
        TopicConfig {
            partitions: 12,
            segment_bytes: 1 << 20,
            segment_ms: Some(60_000),
            retention_ms: Some(86_400_000),
            retention_bytes: Some(1 << 30),
            compression: Compression::Lz4,
            timestamp_type: TimestampType::LogAppendTime,
            index_interval_bytes: 512,
        },
    ];
    for config in configs {
        let bytes = config.encode();
        assert_eq!(bytes.len(), TOPIC_META_BYTES);
        check_fields(
            "layout:topic",
            &fields,
            &bytes,
            &topic_fields(&bytes, &config),
        );
        assert_eq!(TopicConfig::decode(&bytes, "t").unwrap(), Some(config));
    }
}

#[test]
fn constants_and_limits_match_the_code() {
    let doc = doc();
    let check = |marker: &str, expected: &[(&str, i128)]| {
        let (_, rows) = table(&doc, marker);
        let documented: BTreeSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        let known: BTreeSet<&str> = expected.iter().map(|(name, _)| *name).collect();
        assert_eq!(documented, known, "{marker}: names differ from the code's");
        for row in &rows {
            let (_, value) = expected.iter().find(|(name, _)| *name == row[0]).unwrap();
            assert_eq!(number(&row[1]), *value, "{marker}: {}", row[0]);
        }
    };
    check(
        "constants",
        &[
            ("FORMAT_VERSION", FormatVersion::CURRENT.as_u8().into()),
            ("BATCH_MAGIC", FormatVersion::CURRENT.batch_magic().into()),
            ("META_FILE_BYTES", META_FILE_BYTES as i128),
            ("TOPIC_META_BYTES", TOPIC_META_BYTES as i128),
            ("BATCH_HEADER_BYTES", BATCH_HEADER_BYTES as i128),
            ("LOG_OVERHEAD_BYTES", LOG_OVERHEAD_BYTES as i128),
            ("OFFSET_ENTRY_BYTES", OFFSET_ENTRY_BYTES as i128),
            ("TIME_ENTRY_BYTES", TIME_ENTRY_BYTES as i128),
            ("PRODUCER_IDS_ENTRY_BYTES", PRODUCER_IDS_ENTRY_BYTES as i128),
            ("PRODUCER_IDS_BLOCK", PRODUCER_IDS_BLOCK.into()),
        ],
    );
    check(
        "limits",
        &[
            ("RECORD_BYTES_MAX", limits::RECORD_BYTES_MAX as i128),
            ("BATCH_BYTES_MAX", limits::BATCH_BYTES_MAX as i128),
            ("BATCH_RECORDS_MAX", limits::BATCH_RECORDS_MAX as i128),
            ("SEGMENT_BYTES_MAX", limits::SEGMENT_BYTES_MAX.into()),
            ("SEGMENT_BYTES_MIN", limits::SEGMENT_BYTES_MIN.into()),
            (
                "SEGMENT_BYTES_DEFAULT",
                limits::SEGMENT_BYTES_DEFAULT.into(),
            ),
            (
                "INDEX_INTERVAL_BYTES_DEFAULT",
                limits::INDEX_INTERVAL_BYTES_DEFAULT.into(),
            ),
            ("PARTITIONS_MAX", limits::PARTITIONS_MAX.into()),
            ("TOPIC_NAME_CHARS_MAX", limits::TOPIC_NAME_CHARS_MAX as i128),
            ("LZ4_BLOCK_BYTES_MAX", limits::LZ4_BLOCK_BYTES_MAX as i128),
            ("TIMESTAMP_MS_MAX", limits::TIMESTAMP_MS_MAX.into()),
        ],
    );
}

// ---- encodings ----

#[test]
fn varint_examples_are_what_the_encoder_writes() {
    let (head, rows) = table(&doc(), "varint-examples");
    assert_eq!(head, ["value", "bytes"]);
    for row in rows {
        let value = i64::try_from(number(&row[0])).unwrap();
        let mut written = Vec::new();
        put_varlong(&mut written, value);
        assert_eq!(hex(&written), row[1], "varint of {value}");
        let mut cursor = Cursor::new(&written);
        assert_eq!(cursor.varlong().unwrap(), value);
    }
}

#[test]
fn the_lz4_frame_header_is_the_documented_bytes() {
    let doc = doc();
    let mut empty = Vec::new();
    lz4_frame::compress(&[], &mut empty);
    assert_eq!(
        hex_block(&doc, "example-lz4-empty-frame", 0),
        empty,
        "{}",
        hex(&empty)
    );
    // The fixed header is the same for any input, and the frame ends with the end mark.
    let input: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let mut frame = Vec::new();
    lz4_frame::compress(&input, &mut frame);
    assert_eq!(frame[..7], empty[..7]);
    assert_eq!(frame[frame.len() - 4..], [0, 0, 0, 0]);
    assert_eq!(lz4_frame::decompress(&frame, input.len()).unwrap(), input);
}

// ---- files on disk ----

#[test]
fn directory_layout_and_indexes_match_the_example() {
    let doc = doc();
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::open_dir(dir.path(), options_at(10_000)).unwrap();
    let config = TopicConfig {
        partitions: 2,
        index_interval_bytes: 0,
        ..TopicConfig::default()
    };
    log.create_topic("orders", config).unwrap();
    let mut ends = Vec::new();
    for timestamp in [1_000, 2_000, 3_000] {
        let record = Record::with_value(&b"a"[..]).timestamp_ms(timestamp);
        let info = log.append("orders", 0, &[record]).unwrap();
        ends.push(ends.last().copied().unwrap_or(0) + info.size_bytes as u32);
    }
    assert_eq!(ends, [69, 138, 207], "the batches the page describes");
    log.roll("orders", 0).unwrap();
    let record = Record::with_value(&b"a"[..]).timestamp_ms(4_000);
    log.append("orders", 0, &[record]).unwrap();

    let root = dir.path();
    let documented = fenced(&doc, "example-layout", "text");
    assert_eq!(common::files_under(root), documented);
    let lock = std::fs::read_to_string(root.join("mqlite.lock")).unwrap();
    assert_eq!(lock, format!("pid {}", std::process::id()));
    let topic = std::fs::read(root.join("topics/orders.topic")).unwrap();
    assert_eq!(
        hex_block(&doc, "example-topic", 0),
        topic,
        "{}",
        hex(&topic)
    );

    // The offset index: entries for the batches at positions 69 and 138.
    let index = std::fs::read(root.join("orders-0/00000000000000000000.index")).unwrap();
    assert_eq!(
        hex_block(&doc, "example-offset-index", 0),
        index,
        "{}",
        hex(&index)
    );
    let fields = layout(&doc, "layout:offset-index-entry");
    assert_eq!(layout_bytes(&fields), OFFSET_ENTRY_BYTES);
    check_types("layout:offset-index-entry", &fields, &["u32", "u32"]);
    let entries: Vec<[u8; 8]> = [(1u32, ends[0]), (2, ends[1])]
        .map(|(relative, position)| {
            let mut entry = [0u8; 8];
            entry[..4].copy_from_slice(&relative.to_be_bytes());
            entry[4..].copy_from_slice(&position.to_be_bytes());
            entry
        })
        .to_vec();
    for (i, entry) in entries.iter().enumerate() {
        let stored = &index[i * OFFSET_ENTRY_BYTES..(i + 1) * OFFSET_ENTRY_BYTES];
        let expected = vec![
            ("relative_offset", entry[..4].to_vec()),
            ("position", entry[4..].to_vec()),
        ];
        check_fields("layout:offset-index-entry", &fields, stored, &expected);
    }
    assert_eq!(index.len(), entries.len() * OFFSET_ENTRY_BYTES);

    // The time index: one entry per offset entry, then the closing entry of the roll.
    let times = std::fs::read(root.join("orders-0/00000000000000000000.timeindex")).unwrap();
    assert_eq!(
        hex_block(&doc, "example-time-index", 0),
        times,
        "{}",
        hex(&times)
    );
    let fields = layout(&doc, "layout:time-index-entry");
    assert_eq!(layout_bytes(&fields), TIME_ENTRY_BYTES);
    check_types("layout:time-index-entry", &fields, &["i64", "u32"]);
    let expected_entries = [(1_000i64, 1u32), (2_000, 2), (3_000, 3)];
    assert_eq!(times.len(), expected_entries.len() * TIME_ENTRY_BYTES);
    let records = log.read("orders", 0, 0, usize::MAX).unwrap();
    for (i, (timestamp, relative)) in expected_entries.into_iter().enumerate() {
        let stored = &times[i * TIME_ENTRY_BYTES..(i + 1) * TIME_ENTRY_BYTES];
        let expected = vec![
            ("timestamp_ms", timestamp.to_be_bytes().to_vec()),
            ("relative_offset", relative.to_be_bytes().to_vec()),
        ];
        check_fields("layout:time-index-entry", &fields, stored, &expected);
        // What an entry means: every record below its offset is at or before its time.
        let below: Vec<i64> = records
            .iter()
            .filter(|r| r.offset < i64::from(relative))
            .map(|r| r.timestamp_ms)
            .collect();
        assert_eq!(below.len(), relative as usize);
        assert!(
            below.iter().all(|&t| t <= timestamp),
            "entry {i}: {below:?}"
        );
    }
}
