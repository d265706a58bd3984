"""asyncio front ends: awaiting sends and iterating records without blocking the event loop.

The waits run in worker threads (``asyncio.to_thread``), where the native module releases the
GIL, so other tasks keep running.

    producer = mqlite.aio.AsyncProducer(log.producer())
    meta = await producer.send("orders", value=b"...")
    async for record in mqlite.aio.AsyncConsumer(log.consumer(["orders"])):
        ...
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Iterable, Optional

from ._consumer import Consumer
from ._errors import Closed
from ._native import Record, RecordMetadata
from ._producer import BytesLike, Headers, Producer


class AsyncProducer:
    """A :class:`mqlite.Producer` whose sends are awaited."""

    def __init__(self, producer: Producer) -> None:
        self.producer = producer

    async def send(
        self,
        topic: str,
        value: Optional[BytesLike] = None,
        key: Optional[BytesLike] = None,
        headers: Optional[Headers] = None,
        partition: Optional[int] = None,
        timestamp_ms: Optional[int] = None,
    ) -> RecordMetadata:
        """Sends one record and waits for its metadata."""
        future = self.producer.send(topic, value, key, headers, partition, timestamp_ms)
        return await asyncio.to_thread(future.result)

    async def send_many(self, topic: str, records: Iterable[Any]) -> int:
        """:meth:`mqlite.Producer.send_many`, off the event loop."""
        return await asyncio.to_thread(self.producer.send_many, topic, list(records))

    async def flush(self) -> None:
        """:meth:`mqlite.Producer.flush`, off the event loop."""
        await asyncio.to_thread(self.producer.flush)


class AsyncConsumer:
    """A :class:`mqlite.Consumer` whose polls are awaited; ``async for`` ends when it is
    closed."""

    def __init__(self, consumer: Consumer) -> None:
        self.consumer = consumer

    async def poll(self, max_records: int = 500, timeout_ms: float = 0) -> list[Record]:
        """:meth:`mqlite.Consumer.poll`, off the event loop."""
        return await asyncio.to_thread(self.consumer.poll, max_records, timeout_ms)

    def __aiter__(self) -> AsyncIterator[Record]:
        return self._records()

    async def _records(self) -> AsyncIterator[Record]:
        while True:
            try:
                records = await self.poll(500, 100)
            except Closed:
                return
            for record in records:
                yield record

    def close(self) -> None:
        """Ends the iteration."""
        self.consumer.close()
