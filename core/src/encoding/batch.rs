//! Record batches: Kafka's RecordBatch v2 layout with our magic and CRC-32 (IEEE).
//!
//! | field | bytes | notes |
//! |---|---|---|
//! | base_offset | i64 | offset of the first record |
//! | batch_length | i32 | bytes after this field |
//! | partition_leader_epoch | i32 | written -1, ignored (kept for a Kafka front) |
//! | magic | u8 | [`FormatVersion::batch_magic`] |
//! | crc | u32 | CRC-32 (IEEE) of every byte from `attributes` to the end |
//! | attributes | i16 | bits 0-2 codec, 3 timestamp type, 4 transactional, 5 control |
//! | last_offset_delta | i32 | offset of the last record minus `base_offset` |
//! | base_timestamp | i64 | timestamp deltas are relative to this |
//! | max_timestamp | i64 | largest record timestamp (the append time for log-append time) |
//! | producer_id | i64 | -1 when not idempotent |
//! | producer_epoch | i16 | -1 when not idempotent |
//! | base_sequence | i32 | -1 when not idempotent |
//! | records_count | i32 | number of records that follow |
//! | records | ... | [`super::record`] encoding, LZ4-framed when compressed |
//!
//! Invariants: `magic` and `partition_leader_epoch` sit outside the CRC, so a Kafka front can
//! serve a stored batch by rewriting those and the CRC field alone. Every decoded batch has
//! passed its CRC; record offsets in a batch are strictly increasing and within
//! `last_offset_delta`.

use super::cursor::{Cursor, DecodeError};
use super::record::{LogRecord, Record, body_len, put_record, read_record};
use super::{lz4_frame, varint::varlong_len};
use crate::error::{Error, Result};
use crate::format_version::FormatVersion;
use crate::limits::{BATCH_BYTES_MAX, BATCH_RECORDS_MAX, RECORD_BYTES_MAX};
use alloc::format;
use alloc::vec::Vec;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// Bytes before a batch's `batch_length` field ends: base offset and length.
pub const LOG_OVERHEAD_BYTES: usize = 12;
/// Bytes of a batch header, records count included.
pub const BATCH_HEADER_BYTES: usize = 61;
/// Where the CRC field starts.
const CRC_POSITION: usize = 17;
/// Where the CRC'd bytes start (the attributes field).
const ATTRIBUTES_POSITION: usize = 21;

const CODEC_MASK: i16 = 0b0111;
const TIMESTAMP_TYPE_BIT: i16 = 1 << 3;
const TRANSACTIONAL_BIT: i16 = 1 << 4;
const CONTROL_BIT: i16 = 1 << 5;
const KNOWN_ATTRIBUTES: i16 = CODEC_MASK | TIMESTAMP_TYPE_BIT | TRANSACTIONAL_BIT | CONTROL_BIT;

/// How a batch's records are compressed. Numbers are Kafka's codec ids.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compression {
    /// Stored as encoded.
    #[default]
    None = 0,
    /// One LZ4 frame around the records.
    Lz4 = 3,
}

impl Compression {
    /// The codec for a Kafka codec id, if implemented here.
    pub fn from_codec(codec: u8) -> Result<Self> {
        match codec {
            0 => Ok(Self::None),
            3 => Ok(Self::Lz4),
            codec => Err(Error::UnsupportedCompression { codec }),
        }
    }
}

/// Which time a record's timestamp is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimestampType {
    /// The producer's timestamp (Kafka's `CreateTime`).
    #[default]
    CreateTime = 0,
    /// The time the log appended the batch (Kafka's `LogAppendTime`).
    LogAppendTime = 1,
}

/// The producer fields of a batch (Kafka's idempotence and transactions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProducerFields {
    /// The producer id, -1 for none.
    pub producer_id: i64,
    /// The producer epoch, -1 for none.
    pub producer_epoch: i16,
    /// The sequence number of the first record, -1 for none.
    pub base_sequence: i32,
}

impl ProducerFields {
    /// No producer identity: not idempotent.
    pub const NONE: Self = Self {
        producer_id: -1,
        producer_epoch: -1,
        base_sequence: -1,
    };
}

impl Default for ProducerFields {
    fn default() -> Self {
        Self::NONE
    }
}

/// How to encode a batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchOptions {
    /// The codec.
    pub compression: Compression,
    /// `Some(now)` stamps the batch with log-append time `now`; `None` keeps create times.
    pub log_append_time_ms: Option<i64>,
    /// Producer id, epoch and base sequence.
    pub producer: ProducerFields,
    /// Part of a transaction.
    pub transactional: bool,
    /// A control batch (transaction markers).
    pub control: bool,
}

/// A decoded batch header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchHeader {
    /// Offset of the first record.
    pub base_offset: i64,
    /// Bytes after the length field.
    pub batch_length: i32,
    /// Ignored; written -1.
    pub partition_leader_epoch: i32,
    /// The format version the magic names.
    pub version: FormatVersion,
    /// The stored CRC.
    pub crc: u32,
    /// Raw attributes.
    pub attributes: i16,
    /// Offset of the last record minus the base offset.
    pub last_offset_delta: i32,
    /// Base for timestamp deltas.
    pub base_timestamp: i64,
    /// Largest timestamp in the batch.
    pub max_timestamp: i64,
    /// Producer fields.
    pub producer: ProducerFields,
    /// Number of records.
    pub records_count: i32,
}

impl BatchHeader {
    /// Total bytes of the batch on disk.
    pub fn size_bytes(&self) -> usize {
        LOG_OVERHEAD_BYTES + self.batch_length as usize
    }
    /// Offset of the last record.
    pub fn last_offset(&self) -> i64 {
        self.base_offset + i64::from(self.last_offset_delta)
    }
    /// The offset after this batch.
    pub fn next_offset(&self) -> i64 {
        self.last_offset() + 1
    }
    /// The codec id in the attributes (Kafka's numbering).
    pub fn codec(&self) -> u8 {
        (self.attributes & CODEC_MASK) as u8
    }
    /// Which time the timestamps are.
    pub fn timestamp_type(&self) -> TimestampType {
        if self.attributes & TIMESTAMP_TYPE_BIT != 0 {
            TimestampType::LogAppendTime
        } else {
            TimestampType::CreateTime
        }
    }
    /// Part of a transaction.
    pub fn is_transactional(&self) -> bool {
        self.attributes & TRANSACTIONAL_BIT != 0
    }
    /// A control batch.
    pub fn is_control(&self) -> bool {
        self.attributes & CONTROL_BIT != 0
    }
}

/// A decoded batch: its header and its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// The header.
    pub header: BatchHeader,
    /// The records, offsets and timestamps resolved.
    pub records: Vec<LogRecord>,
}

/// What [`encode`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodedBatch {
    /// Offset of the last record.
    pub last_offset: i64,
    /// Largest timestamp.
    pub max_timestamp: i64,
    /// Bytes written.
    pub size_bytes: usize,
}

/// Appends one batch of `records` at `base_offset` to `out`.
///
/// Fails with `InvalidRecord` for an empty batch or too many records, `RecordTooLarge` for a
/// record over [`RECORD_BYTES_MAX`], `BatchTooLarge` when the result exceeds
/// [`BATCH_BYTES_MAX`]; `out` is left as it was on failure.
pub fn encode(
    base_offset: i64,
    records: &[Record],
    options: &BatchOptions,
    out: &mut Vec<u8>,
) -> Result<EncodedBatch> {
    let Some(first) = records.first() else {
        return Err(Error::InvalidRecord {
            reason: "a batch needs at least one record".into(),
        });
    };
    if records.len() > BATCH_RECORDS_MAX {
        return Err(Error::InvalidRecord {
            reason: format!(
                "{} records exceed the batch limit of {BATCH_RECORDS_MAX}",
                records.len()
            ),
        });
    }
    let (base_timestamp, max_timestamp) = match options.log_append_time_ms {
        Some(now) => (now, now),
        None => {
            let max = records
                .iter()
                .map(|r| r.timestamp_ms)
                .max()
                .unwrap_or(first.timestamp_ms);
            (first.timestamp_ms, max)
        }
    };
    let timestamp_delta = |record: &Record| match options.log_append_time_ms {
        Some(_) => 0,
        None => record.timestamp_ms.wrapping_sub(base_timestamp),
    };
    let mut records_bytes_len = 0usize;
    for (delta, record) in records.iter().enumerate() {
        let body = body_len(record, timestamp_delta(record), delta as i32);
        let size_bytes = varlong_len(body as i64) + body;
        if size_bytes > RECORD_BYTES_MAX {
            return Err(Error::RecordTooLarge {
                size_bytes,
                max_bytes: RECORD_BYTES_MAX,
            });
        }
        records_bytes_len += size_bytes;
    }
    // Checked for every codec: a reader refuses a batch whose records, decompressed, exceed
    // the limit, so a writer must never produce one.
    if BATCH_HEADER_BYTES + records_bytes_len > BATCH_BYTES_MAX {
        return Err(Error::BatchTooLarge {
            size_bytes: BATCH_HEADER_BYTES + records_bytes_len,
            max_bytes: BATCH_BYTES_MAX,
        });
    }

    let start = out.len();
    out.reserve(BATCH_HEADER_BYTES + records_bytes_len);
    let last_offset_delta = (records.len() - 1) as i32;
    let mut attributes = options.compression as i16;
    if options.log_append_time_ms.is_some() {
        attributes |= TIMESTAMP_TYPE_BIT;
    }
    if options.transactional {
        attributes |= TRANSACTIONAL_BIT;
    }
    if options.control {
        attributes |= CONTROL_BIT;
    }
    out.extend_from_slice(&base_offset.to_be_bytes());
    out.extend_from_slice(&0i32.to_be_bytes()); // batch_length, patched below
    out.extend_from_slice(&(-1i32).to_be_bytes());
    out.push(FormatVersion::CURRENT.batch_magic());
    out.extend_from_slice(&0u32.to_be_bytes()); // crc, patched below
    out.extend_from_slice(&attributes.to_be_bytes());
    out.extend_from_slice(&last_offset_delta.to_be_bytes());
    out.extend_from_slice(&base_timestamp.to_be_bytes());
    out.extend_from_slice(&max_timestamp.to_be_bytes());
    out.extend_from_slice(&options.producer.producer_id.to_be_bytes());
    out.extend_from_slice(&options.producer.producer_epoch.to_be_bytes());
    out.extend_from_slice(&options.producer.base_sequence.to_be_bytes());
    out.extend_from_slice(&(records.len() as i32).to_be_bytes());
    debug_assert_eq!(out.len() - start, BATCH_HEADER_BYTES);

    let put_all = |target: &mut Vec<u8>| {
        for (delta, record) in records.iter().enumerate() {
            let ts_delta = timestamp_delta(record);
            let body = body_len(record, ts_delta, delta as i32);
            put_record(target, record, ts_delta, delta as i32, body);
        }
    };
    match options.compression {
        Compression::None => put_all(out),
        Compression::Lz4 => {
            let mut plain = Vec::with_capacity(records_bytes_len);
            put_all(&mut plain);
            lz4_frame::compress(&plain, out);
        }
    }
    let size_bytes = out.len() - start;
    if size_bytes > BATCH_BYTES_MAX {
        out.truncate(start);
        return Err(Error::BatchTooLarge {
            size_bytes,
            max_bytes: BATCH_BYTES_MAX,
        });
    }
    let batch_length = (size_bytes - LOG_OVERHEAD_BYTES) as i32;
    let batch = out.get_mut(start..).unwrap_or_default();
    if let Some(field) = batch.get_mut(8..12) {
        field.copy_from_slice(&batch_length.to_be_bytes());
    }
    let crc = crc32fast::hash(batch.get(ATTRIBUTES_POSITION..).unwrap_or_default());
    if let Some(field) = batch.get_mut(CRC_POSITION..ATTRIBUTES_POSITION) {
        field.copy_from_slice(&crc.to_be_bytes());
    }
    Ok(EncodedBatch {
        last_offset: base_offset + i64::from(last_offset_delta),
        max_timestamp,
        size_bytes,
    })
}

/// Decodes a header from the first [`BATCH_HEADER_BYTES`] of `bytes`, checking only what the
/// header alone can show (magic, lengths, counts), not the CRC.
pub fn decode_header(bytes: &[u8]) -> Result<BatchHeader, DecodeError> {
    let mut cursor = Cursor::new(bytes);
    let base_offset = cursor.i64()?;
    let batch_length = cursor.i32()?;
    let partition_leader_epoch = cursor.i32()?;
    let magic = cursor.u8()?;
    let version = match FormatVersion::from_batch_magic(magic, "batch") {
        Ok(version) => version,
        // Zeros are what a file extended before its data reached the disk holds.
        Err(_) if magic == 0 => return Err(DecodeError::Invalid("zero magic")),
        Err(_) => return Err(DecodeError::UnknownMagic(magic)),
    };
    let crc = cursor.u32()?;
    let attributes = cursor.i16()?;
    let last_offset_delta = cursor.i32()?;
    let base_timestamp = cursor.i64()?;
    let max_timestamp = cursor.i64()?;
    let producer_id = cursor.i64()?;
    let producer_epoch = cursor.i16()?;
    let base_sequence = cursor.i32()?;
    let records_count = cursor.i32()?;
    let size = LOG_OVERHEAD_BYTES as i64 + i64::from(batch_length);
    if size < BATCH_HEADER_BYTES as i64 || size > BATCH_BYTES_MAX as i64 {
        return Err(DecodeError::Invalid("batch length out of range"));
    }
    if records_count < 0
        || last_offset_delta < 0
        || records_count > last_offset_delta.saturating_add(1)
        || records_count as usize > BATCH_RECORDS_MAX
    {
        return Err(DecodeError::Invalid(
            "record count disagrees with the offset delta",
        ));
    }
    // The offset after the batch must exist too: `next_offset` never overflows.
    if base_offset < 0
        || base_offset
            .checked_add(i64::from(last_offset_delta) + 1)
            .is_none()
    {
        return Err(DecodeError::Invalid("base offset out of range"));
    }
    Ok(BatchHeader {
        base_offset,
        batch_length,
        partition_leader_epoch,
        version,
        crc,
        attributes,
        last_offset_delta,
        base_timestamp,
        max_timestamp,
        producer: ProducerFields {
            producer_id,
            producer_epoch,
            base_sequence,
        },
        records_count,
    })
}

/// Whether the CRC stored in `batch` (one whole batch) matches its bytes.
pub fn crc_matches(header: &BatchHeader, batch: &[u8]) -> bool {
    batch
        .get(ATTRIBUTES_POSITION..)
        .is_some_and(|covered| crc32fast::hash(covered) == header.crc)
}

/// Decodes one whole batch: header, CRC, decompression, records.
///
/// `batch` must be exactly one batch. Record keys and values are slices of `batch` (or of the
/// decompressed buffer), not copies.
pub fn decode(batch: &Bytes) -> Result<Batch, DecodeError> {
    let header = decode_header(batch)?;
    if header.size_bytes() != batch.len() {
        return Err(DecodeError::Invalid(
            "batch length disagrees with the bytes given",
        ));
    }
    if !crc_matches(&header, batch) {
        return Err(DecodeError::Invalid("CRC mismatch"));
    }
    if header.attributes & !KNOWN_ATTRIBUTES != 0 {
        return Err(DecodeError::Invalid("reserved attribute bits are set"));
    }
    let records_bytes = batch.slice(BATCH_HEADER_BYTES..);
    let plain = match Compression::from_codec(header.codec()) {
        Ok(Compression::None) => records_bytes,
        Ok(Compression::Lz4) => {
            Bytes::from(lz4_frame::decompress(&records_bytes, BATCH_BYTES_MAX)?)
        }
        Err(_) => return Err(DecodeError::UnsupportedCodec(header.codec())),
    };
    let count = header.records_count as usize;
    // Each record takes at least 7 bytes, so a larger count is a lie, not an allocation.
    if count > plain.len() / 7 + 1 {
        return Err(DecodeError::Invalid("record count exceeds the batch"));
    }
    let mut records = Vec::with_capacity(count);
    let mut cursor = Cursor::new(&plain);
    let mut previous_delta = -1i32;
    let log_append_time = header.timestamp_type() == TimestampType::LogAppendTime;
    for _ in 0..count {
        let record = read_record(&mut cursor, &plain, 0)?;
        if record.offset_delta <= previous_delta || record.offset_delta > header.last_offset_delta {
            return Err(DecodeError::Invalid("record offset delta out of order"));
        }
        previous_delta = record.offset_delta;
        let timestamp_ms = if log_append_time {
            header.max_timestamp
        } else {
            header.base_timestamp.wrapping_add(record.timestamp_delta)
        };
        records.push(LogRecord {
            offset: header.base_offset + i64::from(record.offset_delta),
            timestamp_ms,
            key: record.key,
            value: record.value,
            headers: record.headers,
        });
    }
    if cursor.remaining() != 0 {
        return Err(DecodeError::Invalid("bytes after the last record"));
    }
    // The time index and retention trust the header's max timestamp: it must be the records'.
    let records_max = records.iter().map(|r| r.timestamp_ms).max();
    if !log_append_time && records_max.is_some_and(|max| max != header.max_timestamp) {
        return Err(DecodeError::Invalid(
            "max timestamp disagrees with the records",
        ));
    }
    Ok(Batch { header, records })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::record::Header;
    use proptest::prelude::*;

    fn sample() -> Vec<Record> {
        alloc::vec![
            Record::with_value(&b"v0"[..])
                .key(&b"k0"[..])
                .timestamp_ms(1_000)
                .header("h", &b"x"[..]),
            Record {
                timestamp_ms: 990,
                key: None,
                value: None,
                headers: Vec::new()
            },
            Record {
                timestamp_ms: 1_005,
                key: Some(Bytes::new()),
                value: Some(Bytes::from_static(b"")),
                headers: alloc::vec![Header {
                    key: "n".into(),
                    value: None
                }],
            },
        ]
    }

    #[test]
    fn header_is_sixty_one_bytes_in_kafka_field_order() {
        let mut out = Vec::new();
        let info = encode(42, &sample(), &BatchOptions::default(), &mut out).unwrap();
        assert_eq!(info.size_bytes, out.len());
        assert_eq!(out.get(0..8), Some(&42i64.to_be_bytes()[..]));
        assert_eq!(
            out.get(8..12),
            Some(&((out.len() - 12) as i32).to_be_bytes()[..])
        );
        assert_eq!(out.get(16), Some(&0x6D));
        assert_eq!(out.get(23..27), Some(&2i32.to_be_bytes()[..])); // last offset delta
        assert_eq!(out.get(27..35), Some(&1_000i64.to_be_bytes()[..])); // base timestamp
        assert_eq!(out.get(35..43), Some(&1_005i64.to_be_bytes()[..])); // max timestamp
        assert_eq!(out.get(57..61), Some(&3i32.to_be_bytes()[..]));
        let crc = crc32fast::hash(out.get(21..).unwrap());
        assert_eq!(out.get(17..21), Some(&crc.to_be_bytes()[..]));
    }

    #[test]
    fn round_trips_with_and_without_lz4() {
        for compression in [Compression::None, Compression::Lz4] {
            let options = BatchOptions {
                compression,
                ..BatchOptions::default()
            };
            let mut out = Vec::new();
            encode(7, &sample(), &options, &mut out).unwrap();
            let batch = decode(&Bytes::from(out)).unwrap();
            assert_eq!(batch.header.codec(), compression as u8);
            let offsets: Vec<i64> = batch.records.iter().map(|r| r.offset).collect();
            assert_eq!(offsets, [7, 8, 9]);
            for (got, sent) in batch.records.iter().zip(sample()) {
                assert_eq!(
                    (got.timestamp_ms, &got.key, &got.value),
                    (sent.timestamp_ms, &sent.key, &sent.value)
                );
                assert_eq!(got.headers, sent.headers);
            }
        }
    }

    #[test]
    fn log_append_time_replaces_every_timestamp() {
        let options = BatchOptions {
            log_append_time_ms: Some(5_000),
            ..BatchOptions::default()
        };
        let mut out = Vec::new();
        encode(0, &sample(), &options, &mut out).unwrap();
        let batch = decode(&Bytes::from(out)).unwrap();
        assert_eq!(batch.header.timestamp_type(), TimestampType::LogAppendTime);
        assert!(batch.records.iter().all(|r| r.timestamp_ms == 5_000));
    }

    #[test]
    fn limits_are_typed_errors_and_leave_the_buffer_alone() {
        let mut out = alloc::vec![1, 2, 3];
        let empty = encode(0, &[], &BatchOptions::default(), &mut out).unwrap_err();
        assert_eq!(empty.code(), crate::ErrorCode::InvalidRecord);
        let huge = Record::with_value(alloc::vec![0u8; RECORD_BYTES_MAX]);
        let err = encode(0, &[huge], &BatchOptions::default(), &mut out).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::RecordTooLarge);
        let big = Record::with_value(alloc::vec![0u8; RECORD_BYTES_MAX - 100]);
        let err = encode(
            0,
            &[big.clone(), big.clone(), big],
            &BatchOptions::default(),
            &mut out,
        )
        .unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::BatchTooLarge);
        assert_eq!(out, [1, 2, 3]);
    }

    #[test]
    fn every_single_bit_flip_in_crc_covered_bytes_is_caught() {
        let mut out = Vec::new();
        encode(0, &sample(), &BatchOptions::default(), &mut out).unwrap();
        for position in ATTRIBUTES_POSITION..out.len() {
            for bit in 0..8 {
                let mut damaged = out.clone();
                if let Some(byte) = damaged.get_mut(position) {
                    *byte ^= 1 << bit;
                }
                assert!(
                    decode(&Bytes::from(damaged)).is_err(),
                    "flip at {position}.{bit}"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn garbage_never_panics(input in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = decode(&Bytes::from(input));
        }

        #[test]
        fn encoded_batches_decode_to_what_was_sent(
            values in proptest::collection::vec(proptest::option::of(proptest::collection::vec(any::<u8>(), 0..300)), 1..40),
            timestamps in proptest::collection::vec(-1_000_000i64..1_000_000, 40),
            lz4: bool,
        ) {
            let records: Vec<Record> = values.iter().zip(&timestamps).map(|(v, &ts)| Record {
                timestamp_ms: ts, key: None, value: v.clone().map(Bytes::from), headers: Vec::new(),
            }).collect();
            let compression = if lz4 { Compression::Lz4 } else { Compression::None };
            let mut out = Vec::new();
            encode(100, &records, &BatchOptions { compression, ..BatchOptions::default() }, &mut out).unwrap();
            let batch = decode(&Bytes::from(out)).unwrap();
            prop_assert_eq!(batch.records.len(), records.len());
            for (i, (got, sent)) in batch.records.iter().zip(&records).enumerate() {
                prop_assert_eq!(got.offset, 100 + i as i64);
                prop_assert_eq!(got.timestamp_ms, sent.timestamp_ms);
                prop_assert_eq!(&got.value, &sent.value);
            }
        }
    }
}
