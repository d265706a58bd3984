//! Records, and their encoding inside a batch (Kafka's record format v2).
//!
//! A record in a batch is `length: varint` then `attributes: i8` (always 0),
//! `timestamp_delta: varlong`, `offset_delta: varint`, `key_length: varint` (-1 for none) and
//! key, `value_length: varint` (-1 for none, a tombstone) and value, `header_count: varint`,
//! and per header `name_length: varint`, UTF-8 name, `value_length: varint` (-1 for none),
//! value. `length` counts the bytes after itself.

use super::cursor::{Cursor, DecodeError};
use super::varint::{put_varlong, varlong_len};
use alloc::string::String;
use alloc::vec::Vec;
use bytes::Bytes;

/// A record header: a UTF-8 name and optional bytes, as in Kafka.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Header {
    /// The header's name.
    pub key: String,
    /// The header's value; `None` is Kafka's null header value.
    pub value: Option<Bytes>,
}

impl Header {
    /// A header with a value.
    pub fn new(key: impl Into<String>, value: impl Into<Bytes>) -> Self {
        Self {
            key: key.into(),
            value: Some(value.into()),
        }
    }
}

/// A record to append: what a producer sends. The log assigns its offset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Record {
    /// Milliseconds since the Unix epoch (the create time). Ignored for topics that use
    /// log-append time.
    pub timestamp_ms: i64,
    /// The key; `None` is Kafka's null key.
    pub key: Option<Bytes>,
    /// The value; `None` is a tombstone.
    pub value: Option<Bytes>,
    /// Ordered headers; names may repeat.
    pub headers: Vec<Header>,
}

impl Record {
    /// A record with a value, no key, no headers, timestamp 0.
    pub fn with_value(value: impl Into<Bytes>) -> Self {
        Self {
            value: Some(value.into()),
            ..Self::default()
        }
    }

    /// Sets the key.
    #[must_use]
    pub fn key(mut self, key: impl Into<Bytes>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Sets the timestamp.
    #[must_use]
    pub fn timestamp_ms(mut self, timestamp_ms: i64) -> Self {
        self.timestamp_ms = timestamp_ms;
        self
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, key: impl Into<String>, value: impl Into<Bytes>) -> Self {
        self.headers.push(Header::new(key, value));
        self
    }
}

/// A record read back from the log, with its offset and its effective timestamp.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LogRecord {
    /// The record's offset in its partition.
    pub offset: i64,
    /// The create time, or the log-append time for topics that use it.
    pub timestamp_ms: i64,
    /// The key; slices of the batch buffer, not copies.
    pub key: Option<Bytes>,
    /// The value; a slice of the batch buffer, not a copy.
    pub value: Option<Bytes>,
    /// Ordered headers.
    pub headers: Vec<Header>,
}

fn optional_len(bytes: Option<&Bytes>) -> usize {
    bytes.map_or(1, |b| varlong_len(b.len() as i64) + b.len())
}

/// The size of a record's body (everything its `length` prefix counts).
pub fn body_len(record: &Record, timestamp_delta: i64, offset_delta: i32) -> usize {
    let headers: usize = record
        .headers
        .iter()
        .map(|h| varlong_len(h.key.len() as i64) + h.key.len() + optional_len(h.value.as_ref()))
        .sum();
    1 + varlong_len(timestamp_delta)
        + varlong_len(i64::from(offset_delta))
        + optional_len(record.key.as_ref())
        + optional_len(record.value.as_ref())
        + varlong_len(record.headers.len() as i64)
        + headers
}

fn put_optional(out: &mut Vec<u8>, bytes: Option<&Bytes>) {
    match bytes {
        None => put_varlong(out, -1),
        Some(b) => {
            put_varlong(out, b.len() as i64);
            out.extend_from_slice(b);
        }
    }
}

/// Appends one record, length prefix first. `body_len` must be [`body_len`]'s answer.
pub fn put_record(
    out: &mut Vec<u8>,
    record: &Record,
    timestamp_delta: i64,
    offset_delta: i32,
    body_len: usize,
) {
    let start = out.len();
    put_varlong(out, body_len as i64);
    let body_start = out.len();
    out.push(0); // attributes: unused in record format v2
    put_varlong(out, timestamp_delta);
    put_varlong(out, i64::from(offset_delta));
    put_optional(out, record.key.as_ref());
    put_optional(out, record.value.as_ref());
    put_varlong(out, record.headers.len() as i64);
    for header in &record.headers {
        put_varlong(out, header.key.len() as i64);
        out.extend_from_slice(header.key.as_bytes());
        put_optional(out, header.value.as_ref());
    }
    debug_assert_eq!(
        out.len() - body_start,
        body_len,
        "body_len disagrees with put_record"
    );
    debug_assert!(out.len() > start);
}

/// A record as decoded, before the batch turns deltas into offsets and timestamps.
#[derive(Debug)]
pub struct DecodedRecord {
    /// Offset relative to the batch's base offset.
    pub offset_delta: i32,
    /// Timestamp relative to the batch's base timestamp.
    pub timestamp_delta: i64,
    /// Key slice.
    pub key: Option<Bytes>,
    /// Value slice.
    pub value: Option<Bytes>,
    /// Headers.
    pub headers: Vec<Header>,
}

fn optional_slice(
    cursor: &mut Cursor<'_>,
    buffer: &Bytes,
    base: usize,
) -> Result<Option<Bytes>, DecodeError> {
    let len = cursor.varint()?;
    if len == -1 {
        return Ok(None);
    }
    let len = usize::try_from(len).map_err(|_| DecodeError::Invalid("negative length"))?;
    let start = base + cursor.position();
    cursor.take(len)?;
    Ok(Some(buffer.slice(start..start + len)))
}

/// Decodes one record from `cursor`, which reads `buffer[base..]`; keys, values and header
/// values become slices of `buffer` without copying.
pub fn read_record(
    cursor: &mut Cursor<'_>,
    buffer: &Bytes,
    base: usize,
) -> Result<DecodedRecord, DecodeError> {
    let len = usize::try_from(cursor.varint()?)
        .map_err(|_| DecodeError::Invalid("negative record length"))?;
    let body = cursor.take(len)?;
    let body_base = base + cursor.position() - len;
    let mut body_cursor = Cursor::new(body);
    let record = read_body(&mut body_cursor, buffer, body_base)?;
    if body_cursor.remaining() != 0 {
        return Err(DecodeError::Invalid(
            "record length disagrees with its fields",
        ));
    }
    Ok(record)
}

fn read_body(
    cursor: &mut Cursor<'_>,
    buffer: &Bytes,
    base: usize,
) -> Result<DecodedRecord, DecodeError> {
    let _attributes = cursor.u8()?;
    let timestamp_delta = cursor.varlong()?;
    let offset_delta = cursor.varint()?;
    let key = optional_slice(cursor, buffer, base)?;
    let value = optional_slice(cursor, buffer, base)?;
    let header_count = usize::try_from(cursor.varint()?)
        .map_err(|_| DecodeError::Invalid("negative header count"))?;
    // Each header takes at least two bytes, so a count larger than that is a lie.
    if header_count > cursor.remaining() / 2 {
        return Err(DecodeError::Invalid("header count exceeds the record"));
    }
    let mut headers = Vec::with_capacity(header_count);
    for _ in 0..header_count {
        let name_len = usize::try_from(cursor.varint()?)
            .map_err(|_| DecodeError::Invalid("negative header name"))?;
        let name = core::str::from_utf8(cursor.take(name_len)?)
            .map_err(|_| DecodeError::Invalid("header name is not UTF-8"))?;
        let value = optional_slice(cursor, buffer, base)?;
        headers.push(Header {
            key: String::from(name),
            value,
        });
    }
    Ok(DecodedRecord {
        offset_delta,
        timestamp_delta,
        key,
        value,
        headers,
    })
}

/// Refuses a record timestamp below 0 or past [`TIMESTAMP_MS_MAX`](crate::limits::TIMESTAMP_MS_MAX).
pub fn check_timestamp(timestamp_ms: i64) -> crate::error::Result<()> {
    let reason = if timestamp_ms < 0 {
        "is negative"
    } else if timestamp_ms > crate::limits::TIMESTAMP_MS_MAX {
        "is after the year 9999"
    } else {
        return Ok(());
    };
    Err(crate::error::Error::InvalidRecord {
        reason: alloc::format!("timestamp {timestamp_ms} {reason}"),
    })
}
