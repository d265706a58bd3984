"""The consumer: reads records from assigned partitions, in offset order per partition."""

from __future__ import annotations

from typing import Iterator, Sequence

from . import _display, _native
from ._errors import Closed
from ._native import Record

#: How long one wait of the blocking iterator lasts before it looks for ``close`` again.
_ITER_WAIT_MS = 100.0


class Consumer:
    """Reads records (Kafka's consumer, without groups yet).

    Make one with :meth:`mqlite.Log.consumer`. Positions live in the consumer; a new consumer
    starts where ``auto_offset_reset`` says (``"earliest"``, ``"latest"`` or ``"error"``).
    """

    def __init__(self, native: _native.Consumer) -> None:
        self._native = native

    def subscribe(self, topics: Sequence[str]) -> None:
        """Assigns every partition of ``topics`` (replacing the assignment)."""
        if isinstance(topics, str):
            raise TypeError("topics must be a list of topic names, not a str")
        self._native.subscribe(list(topics))

    def assign(self, partitions: Sequence[tuple[str, int]]) -> None:
        """Assigns exactly these ``(topic, partition)`` pairs."""
        self._native.assign(list(partitions))

    def assignment(self) -> list[tuple[str, int]]:
        """The assigned ``(topic, partition)`` pairs."""
        return self._native.assignment()

    def poll(self, max_records: int = 500, timeout_ms: float = 0) -> list[Record]:
        """Up to ``max_records`` records, waiting up to ``timeout_ms`` for some to arrive
        (returns as soon as there are any). Records of one partition come in offset order."""
        return self._native.poll(max_records, float(timeout_ms))

    def __iter__(self) -> Iterator[Record]:
        """Every record from the current positions on, waiting for new ones; ends when the
        consumer (or its log) is closed, from any thread."""
        while True:
            try:
                records = self._native.poll(500, _ITER_WAIT_MS)
            except Closed:
                return
            yield from records

    def position(self, topic: str, partition: int) -> int:
        """The offset of the next record to read from a partition."""
        return self._native.position(topic, partition)

    def seek(self, topic: str, partition: int, offset: int) -> None:
        """Reads a partition from ``offset`` on."""
        self._native.seek(topic, partition, offset)

    def seek_to_beginning(self) -> None:
        """Reads every assigned partition from its first stored offset."""
        self._native.seek_to_beginning()

    def seek_to_end(self) -> None:
        """Reads only records appended from now on."""
        self._native.seek_to_end()

    def seek_to_timestamp(self, timestamp_ms: int) -> None:
        """Reads every assigned partition from its first record at or after ``timestamp_ms``
        (Kafka's ``offsetsForTimes``); a partition with none reads from its end."""
        self._native.seek_to_timestamp(timestamp_ms)

    def lag(self) -> dict[tuple[str, int], int]:
        """Records not yet read, per assigned partition."""
        return {(t, p): end - pos for t, p, pos, end in self._native.positions()}

    def close(self) -> None:
        """Stops the consumer: its iterator ends, later polls raise :class:`mqlite.Closed`."""
        self._native.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._native.closed

    def __enter__(self) -> "Consumer":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _repr_html_(self) -> str:
        rows = [(t, p, pos, end, end - pos) for t, p, pos, end in self._native.positions()]
        return _display.table(
            "mqlite consumer", ["topic", "partition", "position", "high watermark", "lag"], rows
        )


__all__ = ["Consumer", "Record"]
