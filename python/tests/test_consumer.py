"""Consuming: order, waiting, iteration, seeks, offset reset, lag."""

from __future__ import annotations

import threading
import time

import pytest

import mqlite
from conftest import values


def test_poll_returns_each_partitions_records_in_offset_order(orders: mqlite.Log) -> None:
    producer = orders.producer(linger_ms=0)
    for i in range(40):
        producer.send("orders", f"{i}", key=f"k{i % 5}")
    producer.flush()
    consumer = orders.consumer(["orders"], auto_offset_reset="earliest")
    seen: list[mqlite.Record] = []
    while batch := consumer.poll(max_records=7):
        assert len(batch) <= 7
        seen.extend(batch)
    assert len(seen) == 40
    for partition in range(4):
        offsets = [r.offset for r in seen if r.partition == partition]
        assert offsets == sorted(offsets) == list(range(len(offsets)))
    assert consumer.lag() == {("orders", p): 0 for p in range(4)}


def test_latest_starts_at_the_end_and_earliest_at_the_start(orders: mqlite.Log) -> None:
    producer = orders.producer(linger_ms=0)
    producer.send("orders", b"old", partition=0).result()
    latest = orders.consumer(["orders"])
    earliest = orders.consumer(["orders"], auto_offset_reset="earliest")
    producer.send("orders", b"new", partition=0).result()
    assert values(latest.poll()) == [b"new"]
    assert values(earliest.poll()) == [b"old", b"new"]


def test_a_poll_waits_for_records_and_wakes_when_one_arrives(orders: mqlite.Log) -> None:
    consumer = orders.consumer(["orders"])
    producer = orders.producer(linger_ms=0)
    timer = threading.Timer(0.1, lambda: producer.send("orders", b"late").result())
    timer.start()
    started = time.monotonic()
    records = consumer.poll(timeout_ms=30_000)
    timer.join()
    assert values(records) == [b"late"]
    assert time.monotonic() - started < 15, "woken by the append, not the timeout"
    started = time.monotonic()
    assert consumer.poll(timeout_ms=50) == []
    assert time.monotonic() - started >= 0.05


def test_iteration_blocks_for_new_records_and_ends_on_close(orders: mqlite.Log) -> None:
    consumer = orders.consumer(["orders"])
    got: list[bytes] = []

    def read_all() -> None:
        for record in consumer:
            assert record.value is not None
            got.append(record.value)

    reader = threading.Thread(target=read_all)
    reader.start()
    producer = orders.producer(linger_ms=0)
    for i in range(5):
        producer.send("orders", f"{i}", partition=2).result()
    deadline = time.monotonic() + 10
    while len(got) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    consumer.close()
    reader.join(timeout=10)
    assert not reader.is_alive(), "closing ends the iteration"
    assert got == [f"{i}".encode() for i in range(5)]
    with pytest.raises(mqlite.Closed):
        consumer.poll()


def test_seeks(orders: mqlite.Log) -> None:
    producer = orders.producer(linger_ms=0)
    for i in range(10):
        producer.send("orders", f"{i}", partition=1, timestamp_ms=1000 * (i + 1)).result()
    consumer = orders.consumer(["orders"], auto_offset_reset="earliest")
    consumer.seek("orders", 1, 7)
    assert values(consumer.poll()) == [b"7", b"8", b"9"]
    assert consumer.position("orders", 1) == 10
    consumer.seek_to_beginning()
    assert len(consumer.poll()) == 10
    consumer.seek_to_timestamp(4_500)
    assert values(consumer.poll())[0] == b"4"
    consumer.seek_to_end()
    assert consumer.poll() == []


def test_assign_and_bad_consumer_input(orders: mqlite.Log) -> None:
    consumer = orders.consumer(auto_offset_reset="earliest")
    consumer.assign([("orders", 3)])
    assert consumer.assignment() == [("orders", 3)]
    with pytest.raises(mqlite.PartitionNotAssigned):
        consumer.position("orders", 0)
    with pytest.raises(mqlite.TopicNotFound):
        orders.consumer(["nope"])
    with pytest.raises(ValueError, match="auto_offset_reset"):
        orders.consumer(["orders"], auto_offset_reset="sometime")
    with pytest.raises(TypeError, match="list of topic names"):
        orders.consumer("orders")
    with pytest.raises(ValueError, match="max_records"):
        consumer.poll(max_records=-1)
    with pytest.raises(ValueError, match="timeout_ms"):
        consumer.poll(timeout_ms=float("nan"))


def test_auto_offset_reset_error_refuses_a_position_outside_the_log(orders: mqlite.Log) -> None:
    consumer = orders.consumer(["orders"], auto_offset_reset="error")
    with pytest.raises(mqlite.OffsetOutOfRange):
        consumer.poll()


def test_values_are_bytes_or_zero_copy_views(orders: mqlite.Log) -> None:
    big = bytes(range(256)) * 4096  # 1 MiB
    producer = orders.producer(linger_ms=0)
    producer.send("orders", big, key=b"k", partition=0).result()
    record = orders.consumer(["orders"], auto_offset_reset="earliest").poll()[0]
    view = record.value_view
    assert view is not None and view.readonly and view.nbytes == len(big)
    assert type(view.obj).__name__ == "Payload", "a view of the engine's buffer, not a copy"
    assert view == big and view[1000:1004].tobytes() == big[1000:1004]
    with pytest.raises(TypeError):
        view[0] = 1  # type: ignore[index]
    assert record.key_view is not None and record.key_view.tobytes() == b"k"
    assert record.value == big and record.value is record.value, "bytes are copied once"
    orders.close()
    assert bytes(view[:3]) == big[:3], "a view outlives the log"
