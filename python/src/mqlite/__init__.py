"""mqlite: an embedded message log with Kafka's model, in your process.

Topics, partitions, offsets, producers (batching, partitioners, idempotence, durability
levels) and consumers (poll, seek), stored in a directory you can reopen, or in memory:

>>> import mqlite
>>> with mqlite.open() as log:
...     log.create_topic("orders", partitions=3)
...     meta = log.producer().send("orders", key=b"order-1", value=b"shipped").result()
...     records = log.consumer(["orders"], auto_offset_reset="earliest").poll(timeout_ms=1000)
>>> (meta.partition, meta.offset) == (records[0].partition, records[0].offset)
True
"""

from . import aio, partitioners
from ._consumer import Consumer
from ._errors import (
    BatchTooLarge,
    Closed,
    CorruptLog,
    InvalidConfig,
    InvalidRecord,
    InvalidTopicName,
    LogLocked,
    MqliteError,
    NotALog,
    OffsetOutOfRange,
    OutOfOrderSequence,
    PartitionNotAssigned,
    PartitionNotFound,
    ProducerFenced,
    ReadOnly,
    RecordTooLarge,
    StorageError,
    TopicExists,
    TopicNotFound,
    UnsupportedCompression,
    UnsupportedFormatVersion,
)
from ._log import Log, PartitionInfo, TopicDescription, open
from ._native import FORMAT_VERSION, Record, RecordMetadata
from ._producer import Producer, SendFuture

__version__ = "0.1.0"

__all__ = [
    "FORMAT_VERSION",
    "BatchTooLarge",
    "Closed",
    "Consumer",
    "CorruptLog",
    "InvalidConfig",
    "InvalidRecord",
    "InvalidTopicName",
    "Log",
    "LogLocked",
    "MqliteError",
    "NotALog",
    "OffsetOutOfRange",
    "OutOfOrderSequence",
    "PartitionInfo",
    "PartitionNotAssigned",
    "PartitionNotFound",
    "Producer",
    "ProducerFenced",
    "ReadOnly",
    "Record",
    "RecordMetadata",
    "RecordTooLarge",
    "SendFuture",
    "StorageError",
    "TopicDescription",
    "TopicExists",
    "TopicNotFound",
    "UnsupportedCompression",
    "UnsupportedFormatVersion",
    "aio",
    "open",
    "partitioners",
]
