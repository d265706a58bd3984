//! The one error type of the engine.
//!
//! Every failure the engine can report is a variant of [`Error`], and every variant has a
//! stable [`ErrorCode`]. The bindings map codes, never messages: Python raises the subclass of
//! `mqlite.MqliteError` named by the code, JavaScript sets `error.code`. Adding a variant is
//! fine; renaming or renumbering a code is a breaking change.

use alloc::string::String;
use core::fmt;

/// A stable, machine-readable name for a kind of failure.
///
/// `as_str` gives the name the bindings expose (`"TOPIC_NOT_FOUND"`), `as_u16` a number that
/// never changes meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The topic does not exist.
    TopicNotFound,
    /// A topic with that name already exists.
    TopicExists,
    /// The topic name breaks Kafka's naming rules.
    InvalidTopicName,
    /// The partition number is not below the topic's partition count.
    PartitionNotFound,
    /// One record is larger than the record limit.
    RecordTooLarge,
    /// An encoded batch is larger than the batch limit.
    BatchTooLarge,
    /// A read asked for an offset outside `[log start, high watermark]`.
    OffsetOutOfRange,
    /// Stored bytes fail their checks somewhere other than a torn tail.
    CorruptLog,
    /// Another writer holds the log directory.
    LogLocked,
    /// The directory exists, is not empty, and is not an mqlite log.
    NotALog,
    /// The stored format version is not one this build reads.
    UnsupportedFormatVersion,
    /// The batch uses a compression codec this build does not implement.
    UnsupportedCompression,
    /// A configuration value is out of range or inconsistent.
    InvalidConfig,
    /// A record or argument is malformed (for example, an empty batch).
    InvalidRecord,
    /// The log was opened read-only and the call would write.
    ReadOnly,
    /// The log (or a handle on it) has been closed.
    Closed,
    /// The operating system or the storage backend failed.
    Io,
    /// A consumer call names a partition it was not assigned.
    PartitionNotAssigned,
    /// An idempotent producer's batch does not continue its sequence (a batch went missing).
    OutOfOrderSequence,
    /// A producer with a newer epoch has taken over this producer id.
    ProducerFenced,
}

impl ErrorCode {
    /// Every code, in number order: what the bindings build their error classes from.
    pub const ALL: [Self; 20] = [
        Self::TopicNotFound,
        Self::TopicExists,
        Self::InvalidTopicName,
        Self::PartitionNotFound,
        Self::RecordTooLarge,
        Self::BatchTooLarge,
        Self::OffsetOutOfRange,
        Self::CorruptLog,
        Self::LogLocked,
        Self::NotALog,
        Self::UnsupportedFormatVersion,
        Self::UnsupportedCompression,
        Self::InvalidConfig,
        Self::InvalidRecord,
        Self::ReadOnly,
        Self::Closed,
        Self::Io,
        Self::PartitionNotAssigned,
        Self::OutOfOrderSequence,
        Self::ProducerFenced,
    ];

    /// The code's stable name, as the bindings expose it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TopicNotFound => "TOPIC_NOT_FOUND",
            Self::TopicExists => "TOPIC_EXISTS",
            Self::InvalidTopicName => "INVALID_TOPIC_NAME",
            Self::PartitionNotFound => "PARTITION_NOT_FOUND",
            Self::RecordTooLarge => "RECORD_TOO_LARGE",
            Self::BatchTooLarge => "BATCH_TOO_LARGE",
            Self::OffsetOutOfRange => "OFFSET_OUT_OF_RANGE",
            Self::CorruptLog => "CORRUPT_LOG",
            Self::LogLocked => "LOG_LOCKED",
            Self::NotALog => "NOT_A_LOG",
            Self::UnsupportedFormatVersion => "UNSUPPORTED_FORMAT_VERSION",
            Self::UnsupportedCompression => "UNSUPPORTED_COMPRESSION",
            Self::InvalidConfig => "INVALID_CONFIG",
            Self::InvalidRecord => "INVALID_RECORD",
            Self::ReadOnly => "READ_ONLY",
            Self::Closed => "CLOSED",
            Self::Io => "IO",
            Self::PartitionNotAssigned => "PARTITION_NOT_ASSIGNED",
            Self::OutOfOrderSequence => "OUT_OF_ORDER_SEQUENCE",
            Self::ProducerFenced => "PRODUCER_FENCED",
        }
    }

    /// The code's stable number.
    pub const fn as_u16(self) -> u16 {
        match self {
            Self::TopicNotFound => 1,
            Self::TopicExists => 2,
            Self::InvalidTopicName => 3,
            Self::PartitionNotFound => 4,
            Self::RecordTooLarge => 5,
            Self::BatchTooLarge => 6,
            Self::OffsetOutOfRange => 7,
            Self::CorruptLog => 8,
            Self::LogLocked => 9,
            Self::NotALog => 10,
            Self::UnsupportedFormatVersion => 11,
            Self::UnsupportedCompression => 12,
            Self::InvalidConfig => 13,
            Self::InvalidRecord => 14,
            Self::ReadOnly => 15,
            Self::Closed => 16,
            Self::Io => 17,
            Self::PartitionNotAssigned => 18,
            Self::OutOfOrderSequence => 19,
            Self::ProducerFenced => 20,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong in the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// No topic has this name.
    TopicNotFound {
        /// The name asked for.
        topic: String,
    },
    /// A topic with this name already exists.
    TopicExists {
        /// The name asked for.
        topic: String,
    },
    /// The name is not 1 to 249 characters of `[a-zA-Z0-9._-]`, or is `.` or `..`.
    InvalidTopicName {
        /// The name given.
        topic: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// The topic has fewer partitions than the number asked for.
    PartitionNotFound {
        /// The topic.
        topic: String,
        /// The partition asked for.
        partition: u32,
        /// How many partitions the topic has.
        partitions: u32,
    },
    /// One record encodes to more than the record limit.
    RecordTooLarge {
        /// Its encoded size.
        size_bytes: usize,
        /// The limit.
        max_bytes: usize,
    },
    /// A batch encodes to more than the batch limit.
    BatchTooLarge {
        /// Its encoded size.
        size_bytes: usize,
        /// The limit.
        max_bytes: usize,
    },
    /// The offset is before the log start or after the high watermark.
    OffsetOutOfRange {
        /// The offset asked for.
        offset: i64,
        /// The first offset still stored.
        log_start_offset: i64,
        /// The offset the next record will get.
        high_watermark: i64,
    },
    /// Stored bytes are damaged somewhere a torn write cannot explain.
    CorruptLog {
        /// The storage name of the damaged file, relative to the log root.
        file: String,
        /// The byte position in that file where the damage starts.
        position: u64,
        /// What check failed.
        reason: String,
    },
    /// Another writer holds the lock file.
    LogLocked {
        /// The lock file's path.
        path: String,
        /// What the holder wrote into the lock file (its process id), if readable.
        holder: String,
    },
    /// The directory holds files but no mqlite log.
    NotALog {
        /// The directory.
        path: String,
    },
    /// The stored format version is unknown to this build.
    UnsupportedFormatVersion {
        /// Where it was found (a file name or "batch").
        file: String,
        /// The version byte found.
        found: u8,
    },
    /// The batch's compression codec is not implemented here.
    UnsupportedCompression {
        /// The codec id from the batch attributes (Kafka's numbering).
        codec: u8,
    },
    /// A configuration value is out of range.
    InvalidConfig {
        /// The setting's name.
        name: &'static str,
        /// Why it is rejected.
        reason: String,
    },
    /// A record or call argument is malformed.
    InvalidRecord {
        /// Why it is rejected.
        reason: String,
    },
    /// The log is open read-only.
    ReadOnly,
    /// The log has been closed.
    Closed,
    /// A consumer call names a partition it was not assigned.
    PartitionNotAssigned {
        /// The topic.
        topic: String,
        /// The partition.
        partition: u32,
    },
    /// An idempotent producer's batch does not start where its last one in the partition
    /// ended.
    OutOfOrderSequence {
        /// The topic.
        topic: String,
        /// The partition.
        partition: u32,
        /// The producer id.
        producer_id: i64,
        /// The sequence the partition expected next.
        expected: i32,
        /// The batch's first sequence.
        received: i32,
    },
    /// The producer's epoch is older than the newest one the partition has seen for its id.
    ProducerFenced {
        /// The producer id.
        producer_id: i64,
        /// The batch's epoch.
        epoch: i16,
        /// The newest epoch seen.
        current_epoch: i16,
    },
    /// The storage backend failed.
    Io {
        /// What was being done ("append", "sync", ...).
        op: &'static str,
        /// The storage name or path involved.
        path: String,
        /// The operating system's message.
        message: String,
    },
}

impl Error {
    /// The stable code of this error.
    pub const fn code(&self) -> ErrorCode {
        match self {
            Self::TopicNotFound { .. } => ErrorCode::TopicNotFound,
            Self::TopicExists { .. } => ErrorCode::TopicExists,
            Self::InvalidTopicName { .. } => ErrorCode::InvalidTopicName,
            Self::PartitionNotFound { .. } => ErrorCode::PartitionNotFound,
            Self::RecordTooLarge { .. } => ErrorCode::RecordTooLarge,
            Self::BatchTooLarge { .. } => ErrorCode::BatchTooLarge,
            Self::OffsetOutOfRange { .. } => ErrorCode::OffsetOutOfRange,
            Self::CorruptLog { .. } => ErrorCode::CorruptLog,
            Self::LogLocked { .. } => ErrorCode::LogLocked,
            Self::NotALog { .. } => ErrorCode::NotALog,
            Self::UnsupportedFormatVersion { .. } => ErrorCode::UnsupportedFormatVersion,
            Self::UnsupportedCompression { .. } => ErrorCode::UnsupportedCompression,
            Self::InvalidConfig { .. } => ErrorCode::InvalidConfig,
            Self::InvalidRecord { .. } => ErrorCode::InvalidRecord,
            Self::ReadOnly => ErrorCode::ReadOnly,
            Self::Closed => ErrorCode::Closed,
            Self::Io { .. } => ErrorCode::Io,
            Self::PartitionNotAssigned { .. } => ErrorCode::PartitionNotAssigned,
            Self::OutOfOrderSequence { .. } => ErrorCode::OutOfOrderSequence,
            Self::ProducerFenced { .. } => ErrorCode::ProducerFenced,
        }
    }

    /// A corruption error at `position` in `file`.
    pub(crate) fn corrupt(file: &str, position: u64, reason: impl Into<String>) -> Self {
        Self::CorruptLog {
            file: file.into(),
            position,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TopicNotFound { topic } => write!(f, "topic {topic:?} does not exist"),
            Self::TopicExists { topic } => write!(f, "topic {topic:?} already exists"),
            Self::InvalidTopicName { topic, reason } => {
                write!(f, "invalid topic name {topic:?}: {reason}")
            }
            Self::PartitionNotFound {
                topic,
                partition,
                partitions,
            } => write!(
                f,
                "topic {topic:?} has {partitions} partition(s); partition {partition} does not exist"
            ),
            Self::RecordTooLarge {
                size_bytes,
                max_bytes,
            } => {
                write!(
                    f,
                    "record of {size_bytes} bytes exceeds the limit of {max_bytes} bytes"
                )
            }
            Self::BatchTooLarge {
                size_bytes,
                max_bytes,
            } => {
                write!(
                    f,
                    "batch of {size_bytes} bytes exceeds the limit of {max_bytes} bytes"
                )
            }
            Self::OffsetOutOfRange {
                offset,
                log_start_offset,
                high_watermark,
            } => write!(
                f,
                "offset {offset} is outside the log [{log_start_offset}, {high_watermark}]"
            ),
            Self::CorruptLog {
                file,
                position,
                reason,
            } => {
                write!(f, "corrupt log: {file} at byte {position}: {reason}")
            }
            Self::LogLocked { path, holder } => {
                write!(
                    f,
                    "log is locked by another writer ({holder}); lock file {path}"
                )
            }
            Self::NotALog { path } => {
                write!(
                    f,
                    "{path} is not an mqlite log (no mqlite.meta, and not empty)"
                )
            }
            Self::UnsupportedFormatVersion { file, found } => {
                write!(f, "{file}: unsupported format version {found}")
            }
            Self::UnsupportedCompression { codec } => {
                write!(f, "unsupported compression codec {codec}")
            }
            Self::InvalidConfig { name, reason } => write!(f, "invalid {name}: {reason}"),
            Self::InvalidRecord { reason } => write!(f, "invalid record: {reason}"),
            Self::ReadOnly => f.write_str("the log is open read-only"),
            Self::Closed => f.write_str("the log is closed"),
            Self::Io { op, path, message } => write!(f, "{op} {path}: {message}"),
            Self::PartitionNotAssigned { topic, partition } => {
                write!(f, "{topic}-{partition} is not assigned to this consumer")
            }
            Self::OutOfOrderSequence {
                topic,
                partition,
                producer_id,
                expected,
                received,
            } => write!(
                f,
                "out-of-order sequence from producer {producer_id} in {topic}-{partition}: \
                 expected {expected}, received {received}"
            ),
            Self::ProducerFenced {
                producer_id,
                epoch,
                current_epoch,
            } => write!(
                f,
                "producer {producer_id} with epoch {epoch} is fenced by epoch {current_epoch}"
            ),
        }
    }
}

impl core::error::Error for Error {}

/// The engine's result type.
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_numbered_in_order_and_named_uniquely() {
        for (i, code) in ErrorCode::ALL.iter().enumerate() {
            assert_eq!(usize::from(code.as_u16()), i + 1, "{code}");
        }
        let mut names: alloc::vec::Vec<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
    }
}
