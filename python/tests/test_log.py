"""Opening, topics, reopening, locking and closing."""

from __future__ import annotations

from pathlib import Path

import pytest

import mqlite


def test_topics_are_created_described_listed_and_deleted(log: mqlite.Log) -> None:
    log.create_topic("orders", partitions=3, retention_ms=60_000, compression="lz4")
    log.create_topic("audit")
    assert log.topics() == ["audit", "orders"]
    topic = log.describe("orders")
    assert [p.partition for p in topic.partitions] == [0, 1, 2]
    assert topic.config["retention_ms"] == 60_000
    assert topic.config["compression"] == "lz4"
    assert topic.records == 0
    log.delete_topic("audit")
    assert log.topics() == ["orders"]
    with pytest.raises(mqlite.TopicNotFound) as error:
        log.describe("audit")
    assert error.value.code == "TOPIC_NOT_FOUND"


def test_records_survive_close_and_reopen(log_dir: Path) -> None:
    with mqlite.open(log_dir) as log:
        log.create_topic("orders", partitions=2)
        producer = log.producer(linger_ms=0)
        sent = [producer.send("orders", key=f"k{i}", value=f"v{i}") for i in range(20)]
        metas = [f.result() for f in sent]
    with mqlite.open(log_dir) as log:
        for meta, i in zip(metas, range(20)):
            record = log.read("orders", meta.partition, meta.offset)[0]
            assert (record.key, record.value) == (f"k{i}".encode(), f"v{i}".encode())
        assert log.describe("orders").records == 20


def test_an_in_memory_log_has_no_path(log: mqlite.Log) -> None:
    with mqlite.open() as memory:
        assert memory.path is None
        memory.create_topic("t")
        assert memory.producer().send("t", b"x").result().offset == 0
    assert log.path is not None and log.path.name == "log"


def test_a_second_writer_gets_log_locked_and_readers_do_not(log: mqlite.Log) -> None:
    assert log.path is not None
    with pytest.raises(mqlite.LogLocked) as error:
        mqlite.open(log.path)
    assert "pid" in str(error.value)
    log.create_topic("t")
    log.producer().send("t", b"x").result()
    log.sync()
    with mqlite.open(log.path, read_only=True) as reader:
        assert reader.read("t", 0, 0)[0].value == b"x"
        with pytest.raises(mqlite.ReadOnly):
            reader.create_topic("u")


def test_a_directory_that_is_not_a_log_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(mqlite.NotALog):
        mqlite.open(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_every_call_after_close_raises_closed(log_dir: Path) -> None:
    log = mqlite.open(log_dir)
    log.create_topic("t")
    producer = log.producer()
    consumer = log.consumer(["t"])
    log.close()
    log.close()  # closing twice is fine
    assert log.closed
    for call in (
        log.topics,
        lambda: log.create_topic("u"),
        lambda: producer.send("t", b"x"),
        lambda: consumer.poll(),
    ):
        with pytest.raises(mqlite.Closed):
            call()


def test_bad_topic_settings_are_typed_errors(log: mqlite.Log) -> None:
    with pytest.raises(mqlite.InvalidTopicName):
        log.create_topic("has space")
    with pytest.raises(ValueError, match="partitions"):
        log.create_topic("t", partitions=-1)
    with pytest.raises(mqlite.InvalidConfig):
        log.create_topic("t", partitions=0)
    with pytest.raises(ValueError, match="compression"):
        log.create_topic("t", compression="zstd")
    with pytest.raises(TypeError):
        log.create_topic("t", partitions="4")  # type: ignore[arg-type]
    log.create_topic("t")
    with pytest.raises(mqlite.TopicExists):
        log.create_topic("t")


def test_offsets_for_timestamps(orders: mqlite.Log) -> None:
    producer = orders.producer(linger_ms=0)
    for ts in (1_000, 2_000, 3_000):
        producer.send("orders", b"x", partition=1, timestamp_ms=ts).result()
    assert orders.offset_for_timestamp("orders", 1, 1_500) == 1
    assert orders.offset_for_timestamp("orders", 1, 9_000) is None
