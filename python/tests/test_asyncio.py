"""asyncio: awaiting sends and iterating records without blocking the event loop."""

from __future__ import annotations

import asyncio

import mqlite
import mqlite.aio


def test_await_send_and_async_for(orders: mqlite.Log) -> None:
    async def main() -> list[bytes]:
        producer = mqlite.aio.AsyncProducer(orders.producer())
        consumer = mqlite.aio.AsyncConsumer(orders.consumer(["orders"], auto_offset_reset="earliest"))
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.001)

        tick_task = asyncio.create_task(ticker())
        metas = [await producer.send("orders", f"{i}", partition=0) for i in range(5)]
        assert [m.offset for m in metas] == list(range(5))
        assert await producer.send_many("orders", [(None, b"x")] * 3) == 3
        got: list[bytes] = []
        async for record in consumer:
            assert record.value is not None
            got.append(record.value)
            if len(got) == 8:
                consumer.close()
        tick_task.cancel()
        assert ticks > 3, "the event loop kept running during the waits"
        return got

    got = asyncio.run(main())
    assert got[:5] == [f"{i}".encode() for i in range(5)]
    assert sorted(got[5:]) == [b"x"] * 3
