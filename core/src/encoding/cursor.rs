//! A bounds-checked reader over a byte slice, and the decode error it reports.
//!
//! Multi-byte integers are big-endian, as in Kafka's protocol; the LZ4 frame reads its own
//! little-endian fields with the `_le` methods.

use core::fmt;

/// Why some bytes could not be decoded. Callers add the file and position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// The bytes are damaged or torn.
    Invalid(&'static str),
    /// A batch's magic names a format this build does not read (never what a torn write
    /// leaves: a torn batch keeps its magic, or is zeros).
    UnknownMagic(u8),
    /// A batch names a compression codec this build does not implement.
    UnsupportedCodec(u8),
}

impl DecodeError {
    /// The engine error for these bytes in `file` at `position`.
    pub fn at(self, file: &str, position: u64) -> crate::error::Error {
        use crate::error::Error;
        match self {
            Self::Invalid(reason) => Error::corrupt(file, position, reason),
            Self::UnknownMagic(found) => Error::UnsupportedFormatVersion {
                file: file.into(),
                found,
            },
            Self::UnsupportedCodec(codec) => Error::UnsupportedCompression { codec },
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(reason) => f.write_str(reason),
            Self::UnknownMagic(found) => write!(f, "unknown batch magic {found:#04x}"),
            Self::UnsupportedCodec(codec) => write!(f, "unsupported compression codec {codec}"),
        }
    }
}

/// Reads values off the front of a slice, failing rather than reading past its end.
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `bytes`.
    pub const fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, position: 0 }
    }

    /// How many bytes have been read.
    pub const fn position(&self) -> usize {
        self.position
    }

    /// How many bytes remain.
    pub const fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }

    /// Takes the next `len` bytes.
    pub fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        let end = self
            .position
            .checked_add(len)
            .ok_or(DecodeError::Invalid("length overflows"))?;
        let taken = self
            .bytes
            .get(self.position..end)
            .ok_or(DecodeError::Invalid("truncated"))?;
        self.position = end;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    /// One byte.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(u8::from_be_bytes(self.array()?))
    }
    /// A big-endian i16.
    pub fn i16(&mut self) -> Result<i16, DecodeError> {
        Ok(i16::from_be_bytes(self.array()?))
    }
    /// A big-endian u16.
    pub fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array()?))
    }
    /// A big-endian i32.
    pub fn i32(&mut self) -> Result<i32, DecodeError> {
        Ok(i32::from_be_bytes(self.array()?))
    }
    /// A big-endian u32.
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    /// A big-endian i64.
    pub fn i64(&mut self) -> Result<i64, DecodeError> {
        Ok(i64::from_be_bytes(self.array()?))
    }
    /// A big-endian u64.
    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array()?))
    }
    /// A little-endian u32.
    pub fn u32_le(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    /// A little-endian u64.
    pub fn u64_le(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    /// A zigzag varint that must fit an i32 (Kafka's `varint`: at most 5 bytes).
    #[inline]
    pub fn varint(&mut self) -> Result<i32, DecodeError> {
        let value = self.zigzag(5)?;
        i32::try_from(value).map_err(|_| DecodeError::Invalid("varint out of i32 range"))
    }
    /// A zigzag varint of up to 64 bits (Kafka's `varlong`: at most 10 bytes).
    #[inline]
    pub fn varlong(&mut self) -> Result<i64, DecodeError> {
        self.zigzag(10)
    }
    #[inline]
    fn zigzag(&mut self, bytes_max: usize) -> Result<i64, DecodeError> {
        // Fast path: most lengths and deltas fit one byte.
        if let Some(&byte) = self.bytes.get(self.position)
            && byte & 0x80 == 0
        {
            self.position += 1;
            return Ok(crate::encoding::varint::unzigzag(u64::from(byte)));
        }
        let mut raw: u64 = 0;
        for shift in (0..7 * bytes_max).step_by(7) {
            let byte = self.u8()?;
            raw |= u64::from(byte & 0x7F) << shift;
            if byte & 0x80 == 0 {
                return Ok(crate::encoding::varint::unzigzag(raw));
            }
        }
        Err(DecodeError::Invalid("varint longer than 10 bytes"))
    }
}
