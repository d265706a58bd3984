//! Topic configuration, topic names, and the metadata files that persist them.
//!
//! A topic's metadata file `topics/<name>.topic` is written once, synced, and never changed;
//! its layout is in docs/FORMAT.md. A file shorter than its fixed size is a create that never
//! finished (never acknowledged) and is discarded; a full-size file that fails its CRC is
//! damage, reported as `CorruptLog`.

use crate::encoding::batch::{Compression, TimestampType};
use crate::encoding::cursor::Cursor;
use crate::error::{Error, Result};
use crate::format_version::FormatVersion;
use crate::limits::{
    INDEX_INTERVAL_BYTES_DEFAULT, PARTITIONS_MAX, SEGMENT_BYTES_DEFAULT, SEGMENT_BYTES_MAX,
    SEGMENT_BYTES_MIN, TOPIC_NAME_CHARS_MAX,
};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// The directory that holds topic metadata files.
pub const TOPICS_DIR: &str = "topics";
/// Bytes of a topic metadata file.
pub const TOPIC_META_BYTES: usize = 51;
const TOPIC_MAGIC: &[u8; 4] = b"MQTP";

/// A topic's settings, named after Kafka's topic configs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TopicConfig {
    /// Number of partitions (1 to [`PARTITIONS_MAX`]).
    pub partitions: u32,
    /// Roll to a new segment before one grows past this (Kafka's `segment.bytes`).
    pub segment_bytes: u64,
    /// Roll to a new segment once the active one's first batch is this old (`segment.ms`).
    pub segment_ms: Option<i64>,
    /// Delete sealed segments whose newest record is older than this (`retention.ms`);
    /// `None` keeps them forever.
    pub retention_ms: Option<i64>,
    /// Delete the oldest sealed segments while a partition is larger than this
    /// (`retention.bytes`); `None` has no limit.
    pub retention_bytes: Option<u64>,
    /// How batches are compressed (`compression.type`).
    pub compression: Compression,
    /// Create time or log-append time (`message.timestamp.type`).
    pub timestamp_type: TimestampType,
    /// Bytes of log between sparse index entries (`index.interval.bytes`).
    pub index_interval_bytes: u32,
}

impl Default for TopicConfig {
    fn default() -> Self {
        Self {
            partitions: 1,
            segment_bytes: SEGMENT_BYTES_DEFAULT,
            segment_ms: None,
            retention_ms: None,
            retention_bytes: None,
            compression: Compression::None,
            timestamp_type: TimestampType::CreateTime,
            index_interval_bytes: INDEX_INTERVAL_BYTES_DEFAULT,
        }
    }
}

fn invalid(name: &'static str, reason: String) -> Error {
    Error::InvalidConfig { name, reason }
}

impl TopicConfig {
    /// The default config with `partitions` partitions.
    pub fn with_partitions(partitions: u32) -> Self {
        Self {
            partitions,
            ..Self::default()
        }
    }

    /// Checks every value's range.
    pub fn validate(&self) -> Result<()> {
        if !(1..=PARTITIONS_MAX).contains(&self.partitions) {
            return Err(invalid(
                "partitions",
                format!("{} is not in 1..={PARTITIONS_MAX}", self.partitions),
            ));
        }
        if !(SEGMENT_BYTES_MIN..=SEGMENT_BYTES_MAX).contains(&self.segment_bytes) {
            return Err(invalid(
                "segment_bytes",
                format!(
                    "{} is not in {SEGMENT_BYTES_MIN}..={SEGMENT_BYTES_MAX}",
                    self.segment_bytes
                ),
            ));
        }
        for (name, value) in [
            ("segment_ms", self.segment_ms),
            ("retention_ms", self.retention_ms),
        ] {
            if let Some(ms) = value.filter(|&ms| ms <= 0) {
                return Err(invalid(name, format!("{ms} must be positive (or unset)")));
            }
        }
        if self.retention_bytes == Some(0)
            || self.retention_bytes.is_some_and(|b| b > i64::MAX as u64)
        {
            return Err(invalid(
                "retention_bytes",
                "must be in 1..=i64::MAX (or unset)".into(),
            ));
        }
        if self.index_interval_bytes > SEGMENT_BYTES_MAX as u32 {
            return Err(invalid(
                "index_interval_bytes",
                "larger than a segment can be".into(),
            ));
        }
        Ok(())
    }

    /// The metadata file's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(TOPIC_META_BYTES);
        out.extend_from_slice(TOPIC_MAGIC);
        out.push(FormatVersion::CURRENT.as_u8());
        out.extend_from_slice(&self.partitions.to_be_bytes());
        out.extend_from_slice(&self.segment_bytes.to_be_bytes());
        out.extend_from_slice(&self.segment_ms.unwrap_or(-1).to_be_bytes());
        out.extend_from_slice(&self.retention_ms.unwrap_or(-1).to_be_bytes());
        out.extend_from_slice(&self.retention_bytes.map_or(-1, |b| b as i64).to_be_bytes());
        out.push(self.compression as u8);
        out.push(self.timestamp_type as u8);
        out.extend_from_slice(&self.index_interval_bytes.to_be_bytes());
        let out = super::metadata_file::seal(out);
        debug_assert_eq!(out.len(), TOPIC_META_BYTES);
        out
    }

    /// Parses a metadata file. `Ok(None)` means torn (shorter than the fixed size, or zeros
    /// whose data never reached the disk): a create that never finished.
    pub fn decode(bytes: &[u8], file: &str) -> Result<Option<Self>> {
        let Some(body) = super::metadata_file::checked_body(bytes, TOPIC_META_BYTES, file)? else {
            return Ok(None);
        };
        let corrupt = |reason: &str| Error::corrupt(file, 0, reason);
        let mut c = Cursor::new(body);
        let bad = |_| corrupt("topic metadata is truncated");
        if c.take(4).map_err(bad)? != TOPIC_MAGIC {
            return Err(corrupt("not a topic metadata file"));
        }
        FormatVersion::parse(c.u8().map_err(bad)?, file)?;
        let optional = |v: i64| (v >= 0).then_some(v);
        let config = Self {
            partitions: c.u32().map_err(bad)?,
            segment_bytes: c.u64().map_err(bad)?,
            segment_ms: optional(c.i64().map_err(bad)?),
            retention_ms: optional(c.i64().map_err(bad)?),
            retention_bytes: optional(c.i64().map_err(bad)?).map(|b| b as u64),
            compression: Compression::from_codec(c.u8().map_err(bad)?)?,
            timestamp_type: match c.u8().map_err(bad)? {
                0 => TimestampType::CreateTime,
                1 => TimestampType::LogAppendTime,
                _ => return Err(corrupt("unknown timestamp type")),
            },
            index_interval_bytes: c.u32().map_err(bad)?,
        };
        config
            .validate()
            .map_err(|e| corrupt(&format!("stored config is invalid: {e}")))?;
        Ok(Some(config))
    }
}

/// The topics whose metadata files are among `names`: (topic, file, config), the config
/// `None` for a create that never finished.
pub fn stored_topics<S: crate::storage::Storage + ?Sized>(
    storage: &S,
    names: &[String],
) -> Result<Vec<(String, String, Option<TopicConfig>)>> {
    let prefix = format!("{TOPICS_DIR}/");
    let mut topics = Vec::new();
    for name in names {
        let Some(topic) = name
            .strip_prefix(&prefix)
            .and_then(|n| n.strip_suffix(".topic"))
        else {
            continue;
        };
        let bytes = crate::storage::read_up_to(storage, name, 0, TOPIC_META_BYTES + 1)?;
        topics.push((
            String::from(topic),
            name.clone(),
            TopicConfig::decode(&bytes, name)?,
        ));
    }
    Ok(topics)
}

/// The storage name of a topic's metadata file.
pub fn meta_file_name(topic: &str) -> String {
    format!("{TOPICS_DIR}/{topic}.topic")
}

/// The directory name of a partition: `<topic>-<partition>`, as in Kafka.
pub fn partition_dir(topic: &str, partition: u32) -> String {
    format!("{topic}-{partition}")
}

/// Checks Kafka's topic naming rules: 1 to 249 characters of `[a-zA-Z0-9._-]`, and not `.`
/// or `..`.
pub fn validate_topic_name(topic: &str) -> Result<()> {
    let reason = if topic.is_empty() {
        Some("the name is empty")
    } else if topic.len() > TOPIC_NAME_CHARS_MAX {
        Some("the name is longer than 249 characters")
    } else if topic == "." || topic == ".." {
        Some("'.' and '..' are not allowed")
    } else if !topic
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        Some("only ASCII letters, digits, '.', '_' and '-' are allowed")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Error::InvalidTopicName {
            topic: topic.into(),
            reason,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_round_trips_and_damage_is_told_apart_from_a_torn_create() {
        let config = TopicConfig {
            partitions: 12,
            segment_ms: Some(60_000),
            retention_bytes: Some(1 << 30),
            compression: Compression::Lz4,
            timestamp_type: TimestampType::LogAppendTime,
            ..TopicConfig::default()
        };
        let bytes = config.encode();
        assert_eq!(bytes.len(), TOPIC_META_BYTES);
        assert_eq!(TopicConfig::decode(&bytes, "t").unwrap(), Some(config));
        assert_eq!(TopicConfig::decode(&bytes[..20], "t").unwrap(), None);
        assert_eq!(
            TopicConfig::decode(&[0; TOPIC_META_BYTES], "t").unwrap(),
            None
        );
        let mut flipped = bytes.clone();
        flipped[9] ^= 4;
        assert_eq!(
            TopicConfig::decode(&flipped, "t").unwrap_err().code(),
            crate::ErrorCode::CorruptLog
        );
    }

    #[test]
    fn names_follow_kafkas_rules() {
        for good in [
            "orders",
            "a",
            "A.b_c-9",
            &"x".repeat(249),
            "__consumer_offsets",
        ] {
            assert!(validate_topic_name(good).is_ok(), "{good}");
        }
        for bad in ["", ".", "..", "a b", "a/b", "ü", &"x".repeat(250), "a\0"] {
            let err = validate_topic_name(bad).unwrap_err();
            assert_eq!(err.code(), crate::ErrorCode::InvalidTopicName, "{bad}");
        }
    }

    #[test]
    fn out_of_range_configs_are_rejected_by_name() {
        let cases = [
            (TopicConfig::with_partitions(0), "partitions"),
            (
                TopicConfig {
                    segment_bytes: 10,
                    ..TopicConfig::default()
                },
                "segment_bytes",
            ),
            (
                TopicConfig {
                    retention_ms: Some(0),
                    ..TopicConfig::default()
                },
                "retention_ms",
            ),
            (
                TopicConfig {
                    retention_bytes: Some(0),
                    ..TopicConfig::default()
                },
                "retention_bytes",
            ),
        ];
        for (config, expected) in cases {
            match config.validate() {
                Err(Error::InvalidConfig { name, .. }) => assert_eq!(name, expected),
                other => panic!("{expected}: {other:?}"),
            }
        }
    }
}
