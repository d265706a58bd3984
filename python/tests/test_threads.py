"""Threads: one producer shared by many threads gives exact results; waits release the GIL."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import mqlite


def test_threads_sharing_a_producer_get_exact_offsets(orders: mqlite.Log) -> None:
    producer = orders.producer(linger_ms=1)

    def send(thread: int) -> list[mqlite.RecordMetadata]:
        futures = [
            producer.send("orders", f"{thread}-{i}", key=f"t{thread}") for i in range(200)
        ]
        return [f.result(timeout=30) for f in futures]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(send, range(8)))
    placed = {(m.partition, m.offset) for metas in results for m in metas}
    assert len(placed) == 8 * 200, "no two records share an offset"
    for thread, metas in enumerate(results):
        offsets = [m.offset for m in metas]
        assert offsets == sorted(offsets), "one key's records keep their send order"
        stored = orders.read("orders", metas[0].partition, 0, 1 << 30)
        mine = [r.value for r in stored if r.key == f"t{thread}".encode()]
        assert mine == [f"{thread}-{i}".encode() for i in range(200)]


def test_fsync_sends_from_many_threads_all_land(log: mqlite.Log) -> None:
    log.create_topic("t")
    producer = log.producer(durability="fsync", linger_ms=0)
    with ThreadPoolExecutor(max_workers=6) as pool:
        offsets = list(pool.map(lambda i: producer.send("t", f"{i}").result().offset, range(120)))
    assert sorted(offsets) == list(range(120))


def test_a_blocked_poll_does_not_hold_the_gil(orders: mqlite.Log) -> None:
    consumer = orders.consumer(["orders"])
    waiter = threading.Thread(target=lambda: consumer.poll(timeout_ms=1_000))
    waiter.start()
    time.sleep(0.05)  # the waiter is inside poll now
    counted = 0
    started = time.monotonic()
    while time.monotonic() - started < 0.3:
        counted += 1  # pure Python work: needs the GIL
    waiter.join()
    # With the GIL held by the waiter this thread would get about one switch interval
    # (5 ms) per turn; free, it counts millions of times.
    assert counted > 100_000
