"""The demo `make demo` runs: produce keyed records, consume them, reopen the log, read again.

Usage: python demo.py [LOG_DIR]   (default: a fresh temporary directory)
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

import mqlite


def main(log_dir: Path) -> None:
    print(f"log directory: {log_dir}")
    with mqlite.open(log_dir) as log:
        log.create_topic("orders", partitions=3, compression="lz4")
        producer = log.producer(linger_ms=1)
        futures = [
            producer.send("orders", key=f"customer-{i % 5}", value=f'{{"order": {i}}}')
            for i in range(30)
        ]
        placed = Counter(f.result().partition for f in futures)
        print(f"sent 30 records, by partition: {dict(sorted(placed.items()))}")
        sent = producer.send_many("orders", [(b"bulk", f"row {i}") for i in range(10_000)])
        print(f"send_many: {sent} records in one call")

        consumer = log.consumer(["orders"], auto_offset_reset="earliest")
        first = consumer.poll(max_records=5)
        for record in first:
            print(f"  {record.partition}/{record.offset} key={record.key!r} value={record.value!r}")
        total = len(first)
        while batch := consumer.poll(max_records=5_000):
            total += len(batch)
        print(f"consumed {total} records; lag now {sum(consumer.lag().values())}")

    with mqlite.open(log_dir) as log:
        topic = log.describe("orders")
        print("reopened:", ", ".join(f"p{p.partition}={p.records}" for p in topic.partitions))
        replay = log.consumer(["orders"], auto_offset_reset="earliest")
        again = 0
        while batch := replay.poll(max_records=5_000):
            again += len(batch)
        assert again == total == 10_030, (again, total)
        print(f"read {again} records again after reopening: nothing lost, same offsets")


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "orders-log"
    main(target)
