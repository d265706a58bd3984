//! Records packed into one byte buffer to cross between JS and wasm in one call, instead of
//! one JS object per field. The layout is private to this crate and `js/src/pack.js`; all
//! integers are little-endian.
//!
//! Records to send (JS to wasm), one after another:
//!
//! | field | bytes | present when |
//! |---|---|---|
//! | flags: 1 key, 2 value, 4 partition, 8 timestamp | 1 | always |
//! | partition | 4 (u32) | flag 4 |
//! | timestamp, ms | 8 (f64, whole) | flag 8 |
//! | key length, key | 4 (u32) + n | flag 1 |
//! | value length, value | 4 (u32) + n | flag 2 |
//! | header count | 4 (u32) | always |
//! | per header: name length, UTF-8 name, value length (u32::MAX = null), value | 4 + n + 4 + m | |
//!
//! Records read (wasm to JS): a u32 count of partitions, then per partition the topic (u32
//! length, UTF-8), the partition (u32) and a u32 record count, then per record the offset
//! (i64), the timestamp (i64), the key and the value (u32 length, u32::MAX for null, bytes),
//! and the headers (u32 count; per header a u32-length UTF-8 name and a value as above).
//!
//! A buffer that breaks the layout is `InvalidRecord`: only a bug in the JS side makes one.

use bytes::Bytes;
use mqlite::producer::ProducerRecord;
use mqlite::{ConsumerRecords, Error, Header, Result};

/// The length that stands for a null key, value or header value.
pub const NULL_LEN: u32 = u32::MAX;

const FLAG_KEY: u8 = 1;
const FLAG_VALUE: u8 = 2;
const FLAG_PARTITION: u8 = 4;
const FLAG_TIMESTAMP: u8 = 8;

fn malformed(what: &str) -> Error {
    Error::InvalidRecord {
        reason: format!("malformed record pack: {what}"),
    }
}

/// Reads a pack front to back; every read checks the bytes are there.
struct Cursor {
    bytes: Bytes,
    at: usize,
}

impl Cursor {
    /// Moves past the next `len` bytes, returning where they are.
    fn advance(&mut self, len: usize, what: &str) -> Result<core::ops::Range<usize>> {
        let start = self.at;
        let end = start
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| malformed(what))?;
        self.at = end;
        Ok(start..end)
    }

    /// The next `len` bytes as a slice of the pack (shared, not copied).
    fn take(&mut self, len: usize, what: &str) -> Result<Bytes> {
        let range = self.advance(len, what)?;
        Ok(self.bytes.slice(range))
    }

    /// The next `N` bytes, read in place (no `Bytes` handle for a fixed-size field).
    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let range = self.advance(N, what)?;
        self.bytes
            .get(range)
            .and_then(|bytes| <[u8; N]>::try_from(bytes).ok())
            .ok_or_else(|| malformed(what))
    }

    /// The next `u32`-length-prefixed bytes as UTF-8 text.
    fn text(&mut self, what: &str) -> Result<String> {
        let len = self.len(what)?;
        let range = self.advance(len, what)?;
        let bytes = self.bytes.get(range).ok_or_else(|| malformed(what))?;
        core::str::from_utf8(bytes)
            .map(String::from)
            .map_err(|_| Error::InvalidRecord {
                reason: format!("{what} is not UTF-8"),
            })
    }

    fn u8(&mut self, what: &str) -> Result<u8> {
        self.array::<1>(what).map(|[b]| b)
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        self.array(what).map(u32::from_le_bytes)
    }

    fn len(&mut self, what: &str) -> Result<usize> {
        usize::try_from(self.u32(what)?).map_err(|_| malformed(what))
    }

    fn sized(&mut self, what: &str) -> Result<Bytes> {
        let len = self.len(what)?;
        self.take(len, what)
    }

    fn nullable(&mut self, what: &str) -> Result<Option<Bytes>> {
        match self.u32(what)? {
            NULL_LEN => Ok(None),
            len => {
                let len = usize::try_from(len).map_err(|_| malformed(what))?;
                self.take(len, what).map(Some)
            }
        }
    }

    fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }
}

fn timestamp(raw: f64) -> Result<i64> {
    // The core refuses negative and far-future times; here only "is it a whole number".
    if raw.is_finite() && raw.fract() == 0.0 && raw.abs() < 9.0e15 {
        Ok(raw as i64)
    } else {
        Err(Error::InvalidRecord {
            reason: format!("timestamp must be a whole number of milliseconds, not {raw}"),
        })
    }
}

/// The records in a pack from JS; keys, values and header values are slices of `pack`.
pub fn unpack_records(pack: Bytes) -> Result<Vec<ProducerRecord>> {
    let mut cursor = Cursor { bytes: pack, at: 0 };
    let mut records = Vec::new();
    while !cursor.done() {
        let flags = cursor.u8("flags")?;
        let partition = if flags & FLAG_PARTITION != 0 {
            Some(cursor.u32("partition")?)
        } else {
            None
        };
        let timestamp_ms = if flags & FLAG_TIMESTAMP != 0 {
            Some(timestamp(f64::from_le_bytes(cursor.array("timestamp")?))?)
        } else {
            None
        };
        let key = if flags & FLAG_KEY != 0 {
            Some(cursor.sized("key")?)
        } else {
            None
        };
        let value = if flags & FLAG_VALUE != 0 {
            Some(cursor.sized("value")?)
        } else {
            None
        };
        let count = cursor.len("header count")?;
        let mut headers = Vec::with_capacity(count.min(64));
        for _ in 0..count {
            let key = cursor.text("a header name")?;
            let value = cursor.nullable("header value")?;
            headers.push(Header { key, value });
        }
        records.push(ProducerRecord {
            key,
            value,
            headers,
            partition,
            timestamp_ms,
        });
    }
    Ok(records)
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    // Every length here is below the core's batch limit, far under u32::MAX.
    out.extend_from_slice(&u32::try_from(len).unwrap_or(NULL_LEN - 1).to_le_bytes());
}

fn put_nullable(out: &mut Vec<u8>, bytes: Option<&Bytes>) {
    match bytes {
        Some(bytes) => {
            put_len(out, bytes.len());
            out.extend_from_slice(bytes);
        }
        None => out.extend_from_slice(&NULL_LEN.to_le_bytes()),
    }
}

/// `records` packed for JS.
pub fn pack_records(records: &ConsumerRecords) -> Vec<u8> {
    let by_partition = records.by_partition();
    let payload: usize = by_partition
        .iter()
        .flat_map(|(_, records)| records.iter())
        .map(|r| 40 + r.key.as_ref().map_or(0, Bytes::len) + r.value.as_ref().map_or(0, Bytes::len))
        .sum();
    let mut out = Vec::with_capacity(4 + payload);
    put_len(&mut out, by_partition.len());
    for (tp, records) in by_partition {
        put_len(&mut out, tp.topic.len());
        out.extend_from_slice(tp.topic.as_bytes());
        out.extend_from_slice(&tp.partition.to_le_bytes());
        put_len(&mut out, records.len());
        for record in records {
            out.extend_from_slice(&record.offset.to_le_bytes());
            out.extend_from_slice(&record.timestamp_ms.to_le_bytes());
            put_nullable(&mut out, record.key.as_ref());
            put_nullable(&mut out, record.value.as_ref());
            put_len(&mut out, record.headers.len());
            for header in &record.headers {
                put_len(&mut out, header.key.len());
                out.extend_from_slice(header.key.as_bytes());
                put_nullable(&mut out, header.value.as_ref());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack_one(flags: u8, rest: &[u8]) -> Bytes {
        let mut out = vec![flags];
        out.extend_from_slice(rest);
        Bytes::from(out)
    }

    #[test]
    fn a_full_record_unpacks_with_every_field() {
        let mut rest = Vec::new();
        rest.extend_from_slice(&3u32.to_le_bytes());
        rest.extend_from_slice(&1_700_000_000_000f64.to_le_bytes());
        rest.extend_from_slice(&1u32.to_le_bytes());
        rest.extend_from_slice(b"k");
        rest.extend_from_slice(&2u32.to_le_bytes());
        rest.extend_from_slice(b"vv");
        rest.extend_from_slice(&2u32.to_le_bytes());
        rest.extend_from_slice(&1u32.to_le_bytes());
        rest.extend_from_slice(b"h");
        rest.extend_from_slice(&1u32.to_le_bytes());
        rest.extend_from_slice(b"x");
        rest.extend_from_slice(&1u32.to_le_bytes());
        rest.extend_from_slice(b"n");
        rest.extend_from_slice(&NULL_LEN.to_le_bytes());
        let records = unpack_records(pack_one(15, &rest)).unwrap();
        assert_eq!(records.len(), 1);
        let record = records.first().unwrap();
        assert_eq!(record.partition, Some(3));
        assert_eq!(record.timestamp_ms, Some(1_700_000_000_000));
        assert_eq!(record.key.as_deref(), Some(&b"k"[..]));
        assert_eq!(record.value.as_deref(), Some(&b"vv"[..]));
        assert_eq!(record.headers.len(), 2);
        assert_eq!(record.headers.get(1).unwrap().value, None);
    }

    #[test]
    fn a_broken_pack_is_invalid_record_not_a_panic() {
        let mut rest = Vec::new();
        rest.extend_from_slice(&100u32.to_le_bytes());
        rest.extend_from_slice(b"short");
        for pack in [
            pack_one(FLAG_VALUE, &rest),
            pack_one(FLAG_TIMESTAMP, &0.5f64.to_le_bytes()),
            pack_one(0, &[1, 0]),
            pack_one(FLAG_PARTITION, &[]),
        ] {
            let error = unpack_records(pack).unwrap_err();
            assert_eq!(error.code(), mqlite::ErrorCode::InvalidRecord, "{error}");
        }
        assert!(unpack_records(Bytes::new()).unwrap().is_empty());
    }
}
