"""The exception hierarchy: every error the engine reports is a subclass of MqliteError.

Each class carries the engine's stable error code in ``code`` (for example
``"TOPIC_NOT_FOUND"``). The native module raises the class registered here for a code.
"""

from __future__ import annotations

from . import _native


class MqliteError(Exception):
    """Base class of every error mqlite reports."""

    code: str = "UNKNOWN"


class TopicNotFound(MqliteError, LookupError):
    """The topic does not exist."""

    code = "TOPIC_NOT_FOUND"


class TopicExists(MqliteError):
    """A topic with that name already exists."""

    code = "TOPIC_EXISTS"


class InvalidTopicName(MqliteError, ValueError):
    """The topic name breaks Kafka's naming rules."""

    code = "INVALID_TOPIC_NAME"


class PartitionNotFound(MqliteError, LookupError):
    """The partition number is not below the topic's partition count."""

    code = "PARTITION_NOT_FOUND"


class RecordTooLarge(MqliteError, ValueError):
    """One record is larger than the record limit (8 MiB)."""

    code = "RECORD_TOO_LARGE"


class BatchTooLarge(MqliteError, ValueError):
    """A batch is larger than the batch limit (16 MiB)."""

    code = "BATCH_TOO_LARGE"


class OffsetOutOfRange(MqliteError, LookupError):
    """An offset outside the log start and the high watermark."""

    code = "OFFSET_OUT_OF_RANGE"


class CorruptLog(MqliteError):
    """Stored bytes fail their checks somewhere a torn write cannot explain."""

    code = "CORRUPT_LOG"


class LogLocked(MqliteError):
    """Another writer holds the log directory."""

    code = "LOG_LOCKED"


class NotALog(MqliteError):
    """The directory is not empty and is not an mqlite log."""

    code = "NOT_A_LOG"


class UnsupportedFormatVersion(MqliteError):
    """The stored format version is not one this build reads."""

    code = "UNSUPPORTED_FORMAT_VERSION"


class UnsupportedCompression(MqliteError):
    """A batch uses a compression codec this build does not implement."""

    code = "UNSUPPORTED_COMPRESSION"


class InvalidConfig(MqliteError, ValueError):
    """A configuration value is out of range or inconsistent."""

    code = "INVALID_CONFIG"


class InvalidRecord(MqliteError, ValueError):
    """A record or argument is malformed (for example, a negative timestamp)."""

    code = "INVALID_RECORD"


class ReadOnly(MqliteError):
    """The log was opened read-only and the call would write."""

    code = "READ_ONLY"


class Closed(MqliteError):
    """The log, producer or consumer has been closed."""

    code = "CLOSED"


class StorageError(MqliteError, OSError):
    """The operating system or the storage backend failed."""

    code = "IO"


class PartitionNotAssigned(MqliteError, LookupError):
    """A consumer call names a partition it was not assigned."""

    code = "PARTITION_NOT_ASSIGNED"


class OutOfOrderSequence(MqliteError):
    """An idempotent producer's batch does not continue its sequence."""

    code = "OUT_OF_ORDER_SEQUENCE"


class ProducerFenced(MqliteError):
    """A producer with a newer epoch has taken over this producer id."""

    code = "PRODUCER_FENCED"


ERRORS_BY_CODE: dict[str, type[MqliteError]] = {
    cls.code: cls for cls in MqliteError.__subclasses__()
}

_native._register_errors(ERRORS_BY_CODE)
