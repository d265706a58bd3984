"""Sending: futures, keys and partitioners, headers, batches, durability, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

import mqlite
from mqlite.partitioners import murmur2


def test_a_send_resolves_to_its_metadata(orders: mqlite.Log) -> None:
    producer = orders.producer()
    future = producer.send("orders", value=b"shipped", key=b"order-1", timestamp_ms=1234)
    meta = future.result(timeout=10)
    assert (meta.topic, meta.offset, meta.timestamp_ms) == ("orders", 0, 1234)
    assert meta.partition == murmur2(b"order-1", 4)
    assert future.done()
    assert future.exception() is None


def test_keys_go_where_kafkas_java_client_puts_them(orders: mqlite.Log) -> None:
    producer = orders.producer(linger_ms=0)
    for i in range(50):
        key = f"customer-{i}".encode()
        assert producer.send("orders", b"v", key=key).result().partition == murmur2(key, 4)


def test_headers_keys_and_values_round_trip(orders: mqlite.Log) -> None:
    producer = orders.producer()
    headers = [("trace", b"abc"), ("trace", b"def"), ("empty", None)]
    meta = producer.send("orders", "héllo", key=bytearray(b"k"), headers=headers).result()
    record = orders.read("orders", meta.partition, meta.offset)[0]
    assert record.value == "héllo".encode()
    assert record.key == b"k"
    assert record.headers == [("trace", b"abc"), ("trace", b"def"), ("empty", None)]
    tombstone = producer.send("orders", None, key=b"k").result()
    assert orders.read("orders", tombstone.partition, tombstone.offset)[0].value is None


def test_send_many_appends_everything_before_it_returns(orders: mqlite.Log) -> None:
    producer = orders.producer(linger_ms=60_000)
    assert producer.send_many("orders", [(b"k", f"v{i}") for i in range(1000)]) == 1000
    assert producer.send_many("orders", (f"bare-{i}" for i in range(10))) == 10
    assert orders.describe("orders").records == 1010
    stored = orders.read("orders", murmur2(b"k", 4), 0, max_bytes=1 << 30)
    assert [r.value for r in stored[:1000]] == [f"v{i}".encode() for i in range(1000)]


def test_records_wait_for_linger_or_flush(orders: mqlite.Log) -> None:
    producer = orders.producer(linger_ms=60_000)
    future = producer.send("orders", b"x", partition=0)
    assert not future.done()
    with pytest.raises(TimeoutError):
        future.result(timeout=0.05)
    producer.flush()
    assert future.done() and future.result().offset == 0


def test_fsync_durability_survives_reopen(log_dir: Path) -> None:
    with mqlite.open(log_dir) as log:
        log.create_topic("t")
        producer = log.producer(durability="fsync", linger_ms=0)
        futures = [producer.send("t", f"{i}") for i in range(10)]
        assert [f.result().offset for f in futures] == list(range(10))
    with mqlite.open(log_dir) as log:
        assert [r.value for r in log.read("t")] == [f"{i}".encode() for i in range(10)]


def test_lz4_compression_per_producer(orders: mqlite.Log) -> None:
    plain = orders.producer(linger_ms=0)
    packed = orders.producer(linger_ms=0, compression="lz4")
    value = b"abc" * 1000
    plain.send_many("orders", [(b"p", value)] * 10)
    packed.send_many("orders", [(b"q", value)] * 10)
    sizes = {p.partition: p.size_bytes for p in orders.describe("orders").partitions}
    assert sizes[murmur2(b"q", 4)] * 10 < sizes[murmur2(b"p", 4)]
    assert [r.value for r in orders.read("orders", murmur2(b"q", 4))] == [value] * 10


def test_a_python_callable_can_partition(orders: mqlite.Log) -> None:
    seen: list[tuple[str, bytes | None, int]] = []

    def by_length(topic: str, key: bytes | None, partitions: int) -> int:
        seen.append((topic, key, partitions))
        return len(key or b"") % partitions

    producer = orders.producer(partitioner=by_length, linger_ms=0)
    assert producer.send("orders", b"v", key=b"abc").result().partition == 3
    assert seen == [("orders", b"abc", 4)]


def test_a_failing_python_partitioner_raises_its_own_error(orders: mqlite.Log) -> None:
    def broken(topic: str, key: bytes | None, partitions: int) -> int:
        raise RuntimeError("no partition for you")

    producer = orders.producer(partitioner=broken)
    with pytest.raises(RuntimeError, match="no partition for you"):
        producer.send("orders", b"v", key=b"k")
    outside = orders.producer(partitioner=lambda t, k, n: n + 5)
    with pytest.raises(mqlite.PartitionNotFound):
        outside.send("orders", b"v")
    producer.flush()
    assert orders.describe("orders").records == 0, "nothing was queued"


def test_round_robin_spreads_keyless_records(orders: mqlite.Log) -> None:
    producer = orders.producer(partitioner="round_robin", linger_ms=0)
    partitions = [producer.send("orders", b"v").result().partition for _ in range(8)]
    assert sorted(partitions) == [0, 0, 1, 1, 2, 2, 3, 3]


def test_bad_input_raises_typed_errors_naming_the_argument(orders: mqlite.Log) -> None:
    producer = orders.producer()
    with pytest.raises(TypeError, match="value must be bytes"):
        producer.send("orders", 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="key must be bytes"):
        producer.send("orders", b"v", key=object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="headers"):
        producer.send("orders", b"v", headers=[1, 2])  # type: ignore[list-item]
    with pytest.raises(mqlite.TopicNotFound):
        producer.send("nope", b"v")
    with pytest.raises(mqlite.PartitionNotFound):
        producer.send("orders", b"v", partition=4)
    with pytest.raises(OverflowError):
        producer.send("orders", b"v", partition=-1)
    with pytest.raises(mqlite.InvalidRecord):
        producer.send("orders", b"v", timestamp_ms=-5)
    with pytest.raises(mqlite.RecordTooLarge):
        producer.send("orders", b"x" * (9 * 1024 * 1024))
    with pytest.raises(ValueError, match="durability"):
        orders.producer(durability="sometimes")
    with pytest.raises(ValueError, match="linger_ms"):
        orders.producer(linger_ms=-1)
    with pytest.raises(ValueError, match="partitioner"):
        orders.producer(partitioner="random")
    producer.flush()
    assert orders.describe("orders").records == 0, "nothing bad was stored"


def test_a_future_can_be_watched_and_waited_for_from_several_threads(orders: mqlite.Log) -> None:
    import threading

    producer = orders.producer(linger_ms=200)
    for _ in range(20):
        future = producer.send("orders", b"v", partition=0)
        outcomes: list[object] = []

        def wait() -> None:
            outcomes.append(future.result(timeout=30))

        waiter = threading.Thread(target=wait)
        waiter.start()
        while not future.done():
            pass
        waiter.join()
        assert outcomes == [future.result()], "both threads see the same metadata"


def test_huge_timeouts_mean_forever_and_never_crash(orders: mqlite.Log) -> None:
    producer = orders.producer(linger_ms=0)
    assert producer.send("orders", b"v").result(timeout=1e300).offset == 0
    consumer = orders.consumer(["orders"], auto_offset_reset="earliest")
    assert len(consumer.poll(timeout_ms=1e300)) == 1
    with pytest.raises(ValueError, match="timeout_ms"):
        consumer.poll(timeout_ms=-1)


def test_a_partitioners_error_is_raised_in_its_own_thread_only(orders: mqlite.Log) -> None:
    import threading

    def picky(topic: str, key: bytes | None, partitions: int) -> int:
        if key == b"bad":
            raise KeyError("bad key")
        return 0

    producer = orders.producer(partitioner=picky, linger_ms=0)
    failures: list[BaseException] = []
    good: list[int] = []

    def send_bad() -> None:
        for _ in range(200):
            try:
                producer.send("orders", b"v", key=b"bad")
            except KeyError as error:
                failures.append(error)

    def send_good() -> None:
        for _ in range(200):
            good.append(producer.send("orders", b"v", key=b"good").result().partition)

    threads = [threading.Thread(target=send_bad), threading.Thread(target=send_good)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(failures) == 200
    assert good == [0] * 200
