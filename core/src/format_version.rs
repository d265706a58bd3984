//! Versions of the on-disk format, as a type.
//!
//! One version covers every file a log directory holds: `mqlite.meta`, topic metadata and the
//! batches in segments. Each file carries the version byte; reading an unknown one is a typed
//! error, never a guess. docs/FORMAT.md describes each version and `tests/vectors/` holds a
//! fixture written by it.

use crate::error::Error;
use alloc::string::String;

/// A version of mqlite's on-disk format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum FormatVersion {
    /// The first format: Kafka RecordBatch v2 field order with CRC-32 (IEEE).
    V1 = 1,
}

impl FormatVersion {
    /// The version this build writes.
    pub const CURRENT: Self = Self::V1;

    /// The byte stored in files for this version.
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// The byte a batch of this version carries where Kafka has its `magic` (Kafka uses 0..=2;
    /// ours is `0x6D`, `m`, so a Kafka batch is never mistaken for ours or the reverse).
    pub const fn batch_magic(self) -> u8 {
        match self {
            Self::V1 => 0x6D,
        }
    }

    /// The version whose batches carry `magic`, or an error naming `file`.
    pub fn from_batch_magic(magic: u8, file: &str) -> Result<Self, Error> {
        match magic {
            0x6D => Ok(Self::V1),
            found => Err(Error::UnsupportedFormatVersion {
                file: String::from(file),
                found,
            }),
        }
    }

    /// Parses a version byte found in `file`.
    pub fn parse(byte: u8, file: &str) -> Result<Self, Error> {
        Self::try_from(byte).map_err(|found| Error::UnsupportedFormatVersion {
            file: String::from(file),
            found,
        })
    }
}

impl TryFrom<u8> for FormatVersion {
    type Error = u8;

    fn try_from(byte: u8) -> Result<Self, u8> {
        match byte {
            1 => Ok(Self::V1),
            other => Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_versions_round_trip_and_unknown_ones_fail() {
        assert_eq!(
            FormatVersion::try_from(FormatVersion::V1.as_u8()),
            Ok(FormatVersion::V1)
        );
        assert_eq!(FormatVersion::try_from(0), Err(0));
        assert_eq!(FormatVersion::try_from(2), Err(2));
        let err = FormatVersion::from_batch_magic(2, "a.log").unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::UnsupportedFormatVersion);
        assert_eq!(
            FormatVersion::from_batch_magic(0x6D, "a.log"),
            Ok(FormatVersion::V1)
        );
    }
}
