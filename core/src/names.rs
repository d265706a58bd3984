//! The settings' names as users write them, in one place for every binding: Kafka's names
//! where Kafka has one (`lz4`, `murmur2`, `earliest`), snake_case elsewhere. A name outside
//! the list is `InvalidConfig` naming the setting and the names it accepts.

use crate::consumer::AutoOffsetReset;
use crate::encoding::batch::{Compression, TimestampType};
use crate::error::{Error, Result};
use crate::partitioner::Partitioner;
use crate::producer::Durability;
use alloc::format;

/// Virtual nodes per partition for the `consistent_hash` partitioner chosen by name.
pub const CONSISTENT_HASH_VIRTUAL_NODES: u32 = 128;

fn unknown(setting: &'static str, accepted: &str, given: &str) -> Error {
    Error::InvalidConfig {
        name: setting,
        reason: format!("must be {accepted}, not {given:?}"),
    }
}

impl Compression {
    /// `none` or `lz4`.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "none" => Ok(Self::None),
            "lz4" => Ok(Self::Lz4),
            other => Err(unknown("compression", "'none' or 'lz4'", other)),
        }
    }

    /// The name [`Self::from_name`] takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Lz4 => "lz4",
        }
    }
}

impl TimestampType {
    /// `create_time` or `log_append_time`.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "create_time" => Ok(Self::CreateTime),
            "log_append_time" => Ok(Self::LogAppendTime),
            other => Err(unknown(
                "timestamp_type",
                "'create_time' or 'log_append_time'",
                other,
            )),
        }
    }

    /// The name [`Self::from_name`] takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::CreateTime => "create_time",
            Self::LogAppendTime => "log_append_time",
        }
    }
}

impl Durability {
    /// `memory`, `write` or `fsync`.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "memory" => Ok(Self::Memory),
            "write" => Ok(Self::Write),
            "fsync" => Ok(Self::Fsync),
            other => Err(unknown("durability", "'memory', 'write' or 'fsync'", other)),
        }
    }
}

impl AutoOffsetReset {
    /// `earliest`, `latest`, or `error` (also Kafka's `none`).
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "earliest" => Ok(Self::Earliest),
            "latest" => Ok(Self::Latest),
            "error" | "none" => Ok(Self::Error),
            other => Err(unknown(
                "auto_offset_reset",
                "'earliest', 'latest' or 'error'",
                other,
            )),
        }
    }
}

impl Partitioner {
    /// `murmur2` (also `default` and `sticky`: Kafka's default, sticky for keyless records),
    /// `round_robin` or `consistent_hash`.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "murmur2" | "default" | "sticky" => Ok(Self::default()),
            "round_robin" => Ok(Self::RoundRobin(Default::default())),
            "consistent_hash" => Ok(Self::ConsistentHash {
                virtual_nodes: CONSISTENT_HASH_VIRTUAL_NODES,
                sticky: Default::default(),
            }),
            other => Err(unknown(
                "partitioner",
                "'murmur2', 'round_robin' or 'consistent_hash'",
                other,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use alloc::string::ToString;

    #[test]
    fn names_round_trip_and_unknown_names_are_invalid_config() {
        for compression in [Compression::None, Compression::Lz4] {
            assert_eq!(
                Compression::from_name(compression.name()).unwrap(),
                compression
            );
        }
        for kind in [TimestampType::CreateTime, TimestampType::LogAppendTime] {
            assert_eq!(TimestampType::from_name(kind.name()).unwrap(), kind);
        }
        assert_eq!(Durability::from_name("fsync").unwrap(), Durability::Fsync);
        assert_eq!(
            AutoOffsetReset::from_name("none").unwrap(),
            AutoOffsetReset::Error
        );
        assert!(matches!(
            Partitioner::from_name("round_robin").unwrap(),
            Partitioner::RoundRobin(_)
        ));
        let error = Partitioner::from_name("random").unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidConfig);
        assert!(error.to_string().contains("\"random\""), "{error}");
        assert_eq!(
            Compression::from_name("gzip").unwrap_err().code(),
            ErrorCode::InvalidConfig
        );
    }
}
