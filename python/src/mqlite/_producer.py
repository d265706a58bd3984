"""The producer. Its sends return native :class:`SendFuture` objects (``result``,
``exception``, ``done``, as ``concurrent.futures.Future``)."""

from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence, Tuple, Union

from . import _native
from ._native import SendFuture

BytesLike = Union[bytes, bytearray, memoryview, str]
Headers = Sequence[Tuple[str, Optional[BytesLike]]]


class Producer:
    """Sends records to topics, batching them per partition (Kafka's producer).

    Make one with :meth:`mqlite.Log.producer`. Safe to share between threads. Records with
    the same key go to the partition Kafka's Java client would pick; keyless records fill one
    partition's batch at a time (sticky). Idempotent by default.
    """

    def __init__(self, native: _native.Producer) -> None:
        self._native = native

    def send(
        self,
        topic: str,
        value: Optional[BytesLike] = None,
        key: Optional[BytesLike] = None,
        headers: Optional[Headers] = None,
        partition: Optional[int] = None,
        timestamp_ms: Optional[int] = None,
    ) -> SendFuture:
        """Sends one record; returns a future for its metadata.

        ``key`` and ``value`` are bytes (``str`` is encoded as UTF-8); ``headers`` a sequence
        of ``(name, value)`` pairs. Bad arguments raise at once.
        """
        return self._native.send(topic, value, key, headers, partition, timestamp_ms)

    def send_many(self, topic: str, records: Iterable[Any]) -> int:
        """Sends many records in one call, appended (one batch per partition) before it
        returns. ``records`` holds ``(key, value)`` pairs or bare values. Returns how many
        were sent; raises the first failure."""
        if not isinstance(records, (list, tuple)):
            records = list(records)
        return self._native.send_many(topic, records)

    def flush(self) -> None:
        """Appends every pending record (and syncs them under ``durability="fsync"``)."""
        self._native.flush()

    def poll(self) -> int:
        """Appends the batches whose ``linger_ms`` has passed; returns how many."""
        return self._native.poll()

    def close(self) -> None:
        """Flushes. The producer can still be used afterwards (as long as its log is open)."""
        self.flush()

    def __enter__(self) -> "Producer":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.flush()
