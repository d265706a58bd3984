"""The producer and the futures its sends return."""

from __future__ import annotations

import threading
from typing import Any, Iterable, Optional, Sequence, Tuple, Union

from . import _native
from ._native import RecordMetadata

BytesLike = Union[bytes, bytearray, memoryview, str]
Headers = Sequence[Tuple[str, Optional[BytesLike]]]


class SendFuture:
    """The outcome of one :meth:`Producer.send`, like ``concurrent.futures.Future``.

    :meth:`result` blocks (without holding the GIL) until the record's batch is appended at the
    producer's durability, then returns its :class:`RecordMetadata` or raises its error. Safe
    to use from several threads: one waits on the producer, the others on the future's lock.
    """

    __slots__ = ("_native", "_handle", "_metadata", "_error", "_done", "_lock")

    def __init__(self, native: _native.Producer, handle: _native.SendHandle) -> None:
        self._native = native
        self._handle = handle
        self._metadata: Optional[RecordMetadata] = None
        self._error: Optional[BaseException] = None
        self._done = False
        self._lock = threading.Lock()

    def _settle(self, timeout_ms: Optional[float]) -> bool:
        if self._done:
            return True
        timeout = -1.0 if timeout_ms is None else min(timeout_ms / 1000.0, threading.TIMEOUT_MAX)
        if not self._lock.acquire(timeout=timeout):
            return self._done  # another thread is taking the outcome
        try:
            return self._settle_locked(timeout_ms)
        finally:
            self._lock.release()

    def _settle_locked(self, timeout_ms: Optional[float]) -> bool:
        if self._done:
            return True
        try:
            metadata = self._native.wait(self._handle, timeout_ms)
        except _native_errors() as error:
            self._error = error
            self._done = True
            return True
        if metadata is None:
            return False
        self._metadata = metadata
        self._done = True
        return True

    def result(self, timeout: Optional[float] = None) -> RecordMetadata:
        """The record's metadata, waiting up to ``timeout`` seconds (forever if ``None``).

        Raises ``TimeoutError`` if not done in time, or the send's error.
        """
        if not self._settle(None if timeout is None else timeout * 1000.0):
            raise TimeoutError("the send did not complete in time")
        if self._error is not None:
            raise self._error
        assert self._metadata is not None
        return self._metadata

    def exception(self, timeout: Optional[float] = None) -> Optional[BaseException]:
        """The send's error, or ``None`` if it succeeded (waits like :meth:`result`)."""
        if not self._settle(None if timeout is None else timeout * 1000.0):
            raise TimeoutError("the send did not complete in time")
        return self._error

    def done(self) -> bool:
        """Whether the outcome is ready (never blocks)."""
        return self._settle(0.0)

    def __del__(self) -> None:
        if not getattr(self, "_done", True):
            try:
                self._native.forget(self._handle)
            except Exception:  # the log is closed: nothing is held any more
                pass

    def __repr__(self) -> str:
        if not self._done:
            return "<SendFuture pending>"
        return f"<SendFuture {self._error!r}>" if self._error else f"<SendFuture {self._metadata!r}>"


def _native_errors() -> type[BaseException]:
    from ._errors import MqliteError

    return MqliteError


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
        handle = self._native.send(topic, value, key, headers, partition, timestamp_ms)
        return SendFuture(self._native, handle)

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
