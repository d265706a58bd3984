"""Opening a log, managing its topics, and making producers and consumers on it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, Union

from . import _display, _native
from ._consumer import Consumer, Record
from ._producer import Producer

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class PartitionInfo:
    """One partition's offsets and size."""

    partition: int
    log_start_offset: int
    high_watermark: int
    size_bytes: int
    segments: int

    @property
    def records(self) -> int:
        """Records stored: high watermark minus log start offset."""
        return self.high_watermark - self.log_start_offset


@dataclass(frozen=True)
class TopicDescription:
    """A topic's settings and partitions (Kafka's ``describeTopics``)."""

    name: str
    config: dict[str, Any]
    partitions: list[PartitionInfo]

    @property
    def records(self) -> int:
        """Records stored in all partitions."""
        return sum(p.records for p in self.partitions)

    @property
    def size_bytes(self) -> int:
        """Bytes stored in all partitions."""
        return sum(p.size_bytes for p in self.partitions)

    def _repr_html_(self) -> str:
        rows = [
            (p.partition, p.log_start_offset, p.high_watermark, p.records, p.size_bytes, p.segments)
            for p in self.partitions
        ]
        settings = ", ".join(f"{k}={v}" for k, v in self.config.items() if v is not None)
        return _display.table(
            f"topic {self.name} ({settings})",
            ["partition", "log start", "high watermark", "records", "bytes", "segments"],
            rows,
        )


class Log:
    """A log: a directory of topics (or an in-memory log), open until :meth:`close`.

    Use :func:`mqlite.open` to make one. A log can be used as a context manager, and is safe
    to share between threads.
    """

    def __init__(self, path: Optional[PathLike] = None, *, read_only: bool = False) -> None:
        self._native = _native.Log(None if path is None else os.fspath(path), read_only)

    @property
    def path(self) -> Optional[Path]:
        """The log's directory, or ``None`` for an in-memory log."""
        return self._native.path

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._native.closed

    def create_topic(
        self,
        name: str,
        partitions: int = 1,
        *,
        retention_ms: Optional[int] = None,
        retention_bytes: Optional[int] = None,
        segment_bytes: Optional[int] = None,
        segment_ms: Optional[int] = None,
        compression: Optional[str] = None,
        timestamp_type: str = "create_time",
    ) -> None:
        """Creates a topic with ``partitions`` partitions.

        ``compression`` is ``None``/``"none"`` or ``"lz4"``; ``timestamp_type`` is
        ``"create_time"`` (the producer's) or ``"log_append_time"``.
        """
        self._native.create_topic(
            name,
            partitions,
            retention_ms=retention_ms,
            retention_bytes=retention_bytes,
            segment_bytes=segment_bytes,
            segment_ms=segment_ms,
            compression=compression or "none",
            timestamp_type=timestamp_type,
        )

    def delete_topic(self, name: str) -> None:
        """Deletes a topic and all its records."""
        self._native.delete_topic(name)

    def topics(self) -> list[str]:
        """Topic names, sorted."""
        return self._native.topics()

    def describe(self, name: str) -> TopicDescription:
        """A topic's settings and each partition's offsets and size."""
        raw = self._native.describe(name)
        partitions = [PartitionInfo(**p) for p in raw["partitions"]]
        return TopicDescription(raw["name"], dict(raw["config"]), partitions)

    def producer(
        self,
        *,
        partitioner: Union[str, Callable[[str, Optional[bytes], int], int]] = "murmur2",
        linger_ms: int = 5,
        batch_bytes: int = 16384,
        durability: str = "write",
        compression: Optional[str] = None,
        enable_idempotence: bool = True,
        retries: int = 5,
    ) -> Producer:
        """A producer (Kafka's settings, by name). See :class:`mqlite.Producer`."""
        native = _native.Producer(
            self._native,
            partitioner=partitioner,
            linger_ms=linger_ms,
            batch_bytes=batch_bytes,
            durability=durability,
            compression=compression,
            enable_idempotence=enable_idempotence,
            retries=retries,
        )
        return Producer(native)

    def consumer(
        self,
        topics: Optional[Sequence[str]] = None,
        *,
        auto_offset_reset: str = "latest",
    ) -> Consumer:
        """A consumer assigned every partition of ``topics``. See :class:`mqlite.Consumer`."""
        if isinstance(topics, str):
            raise TypeError("topics must be a list of topic names, not a str")
        native = _native.Consumer(
            self._native,
            topics=None if topics is None else list(topics),
            auto_offset_reset=auto_offset_reset,
        )
        return Consumer(native)

    def read(
        self, topic: str, partition: int = 0, offset: int = 0, max_bytes: int = 1 << 20
    ) -> list[Record]:
        """Records of one partition from ``offset`` (whole batches, about ``max_bytes``)."""
        return self._native.read(topic, partition, offset, max_bytes)

    def offset_for_timestamp(self, topic: str, partition: int, timestamp_ms: int) -> Optional[int]:
        """The first offset whose timestamp is at or after ``timestamp_ms`` (Kafka's
        ``offsetsForTimes``), or ``None``."""
        return self._native.offset_for_timestamp(topic, partition, timestamp_ms)

    def sync(self) -> None:
        """Makes every appended record durable (fsync)."""
        self._native.sync()

    def close(self) -> None:
        """Syncs and closes the log. Closing twice is allowed; any other call raises
        :class:`mqlite.Closed`."""
        if not self._native.closed:
            self._native.close()

    def __enter__(self) -> "Log":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = "in memory" if self.path is None else repr(str(self.path))
        state = "closed" if self.closed else f"{len(self.topics())} topic(s)"
        return f"<mqlite.Log {where}, {state}>"

    def _repr_html_(self) -> str:
        if self.closed:
            return f"<p>{_display.table('mqlite log (closed)', [], [])}</p>"
        rows = []
        for name in self.topics():
            topic = self.describe(name)
            rows.append((name, len(topic.partitions), topic.records, topic.size_bytes))
        where = "in memory" if self.path is None else self.path
        return _display.table(
            f"mqlite log {where}", ["topic", "partitions", "records", "bytes"], rows
        )


def open(path: Optional[PathLike] = None, *, read_only: bool = False) -> Log:  # noqa: A001
    """Opens the log in directory ``path`` (created if missing), or an in-memory log.

    A second writer on the same directory raises :class:`mqlite.LogLocked`; ``read_only``
    opens take no lock.
    """
    return Log(path, read_only=read_only)
