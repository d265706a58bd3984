"""The public API as a typed program: checked by mypy --strict in test_types.py, and run."""

from __future__ import annotations

from typing import Optional

import mqlite
import mqlite.aio


def by_key_length(topic: str, key: Optional[bytes], partitions: int) -> int:
    return len(key or b"") % partitions


def main() -> list[int]:
    with mqlite.open() as log:
        log.create_topic("orders", partitions=2, compression="lz4")
        producer: mqlite.Producer = log.producer(partitioner=by_key_length, linger_ms=0)
        future: mqlite.SendFuture = producer.send("orders", b"v", key=b"k", headers=[("h", b"x")])
        meta: mqlite.RecordMetadata = future.result(timeout=5.0)
        sent: int = producer.send_many("orders", [(b"k", b"v"), (None, "text")])
        producer.flush()
        consumer: mqlite.Consumer = log.consumer(["orders"], auto_offset_reset="earliest")
        records: list[mqlite.Record] = consumer.poll(max_records=10, timeout_ms=100)
        consumer.seek("orders", 0, 0)
        topic: mqlite.TopicDescription = log.describe("orders")
        lag: dict[tuple[str, int], int] = consumer.lag()
        partition: int = mqlite.partitioners.murmur2(b"key", 12)
        _ = mqlite.aio.AsyncProducer(producer)
        try:
            log.describe("missing")
        except mqlite.TopicNotFound as error:
            code: str = error.code
            assert code == "TOPIC_NOT_FOUND"
        return [meta.offset, sent, len(records), topic.records, len(lag), partition]


if __name__ == "__main__":
    print(main())
