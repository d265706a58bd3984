"""Where mqlite's per-record Python time goes: the benchmark's ``send`` + ``result()`` + ``poll``
row taken apart, each step timed alone over the same records (median of ``--runs`` after a
warm-up, microseconds per record), next to queue.Queue, then a cProfile of the whole row.

    .venv/bin/python bench/python/profile_mqlite.py [--records N] [--runs N] [--no-cprofile]

A diagnostic that prints figures; it writes nothing under ``bench/results``. Steps:

- produce: the ``mqlite.Producer.send`` wrapper (a ``SendFuture`` per record) against the
  native ``_native.Producer.send`` alone (a bare handle), at durability ``write`` and
  ``memory`` (no write() calls), with the garbage collector on and off; ``flush``;
  ``SendFuture.result()`` against ``_native.Producer.wait``; dropping the futures.
- consume: ``consumer.poll(500)`` (the benchmark's), ``poll`` of everything in one call, and
  ``log.read`` of 1 MiB at a time; and how many records one 1 MiB read decodes, against the
  500 a ``poll(500)`` hands back.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import queue
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

import payload  # noqa: E402

import mqlite  # noqa: E402
from mqlite._producer import SendFuture  # noqa: E402

TOPIC = "bench"


class Fresh:
    """A fresh log (in a temp dir) with one topic and a producer, closed and removed after."""

    def __init__(self, root: Path, **producer: Any) -> None:
        self.dir = Path(tempfile.mkdtemp(dir=root))
        self.log = mqlite.open(self.dir / "log")
        self.log.create_topic(TOPIC)
        self.producer = self.log.producer(**producer)

    def close(self) -> None:
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def timed(fn: Callable[[], Any]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def median_us(samples: list[float], count: int) -> float:
    return statistics.median(samples) / count * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--no-cprofile", action="store_true")
    args = parser.parse_args()
    n = args.records
    values, keys = payload.values(n), payload.keys(n)
    pairs = list(zip(keys, values))
    root = Path(tempfile.mkdtemp(prefix="mqlite-pyprof-", dir=args.dir))
    results: dict[str, list[float]] = {}

    def record(name: str, seconds: float) -> None:
        results.setdefault(name, []).append(seconds)

    def produce_round() -> None:
        # The wrapper, as the benchmark calls it, phase by phase.
        f = Fresh(root, durability="write")
        send = f.producer.send
        futures: list[Any] = []
        record("send() wrapper -> SendFuture (write)",
               timed(lambda: futures.extend(send(TOPIC, v, key=k) for k, v in pairs)))
        record("flush()", timed(f.producer.flush))
        record("SendFuture.result()", timed(lambda: [x.result() for x in futures]))
        record("dropping the futures (SendFuture.__del__)", timed(futures.clear))
        f.close()

        # The same, garbage collector off while timed.
        f = Fresh(root, durability="write")
        send = f.producer.send
        futures = []
        gc.disable()
        try:
            record("send() wrapper, gc disabled",
                   timed(lambda: futures.extend(send(TOPIC, v, key=k) for k, v in pairs)))
        finally:
            gc.enable()
        f.producer.flush()
        futures.clear()
        f.close()

        # The native method alone: a bare handle per record, no SendFuture.
        for durability in ("write", "memory"):
            f = Fresh(root, durability=durability)
            native = f.producer._native
            handles: list[Any] = []
            nsend = native.send
            record(f"_native.send() -> handle ({durability})",
                   timed(lambda: handles.extend(nsend(TOPIC, v, k, None, None, None)
                                                for k, v in pairs)))
            native.flush()
            wait = native.wait
            if durability == "write":
                record("_native.wait(handle)", timed(lambda: [wait(h, None) for h in handles]))
            else:
                for h in handles:
                    wait(h, None)
            handles.clear()
            f.close()

        # What the wrapper adds per record, without the native call: a SendFuture made and
        # dropped, and a bound-method call through a Python function with keywords.
        f = Fresh(root, durability="write")
        native = f.producer._native
        handle = native.send(TOPIC, b"x", None, None, None, None)
        made: list[Any] = []
        record("SendFuture(native, handle) alone (made, kept)",
               timed(lambda: made.extend(SendFuture(native, handle) for _ in range(n))))
        for future in made:
            future._done = True  # so that dropping them does not forget the handle
        made.clear()
        f.producer.flush()
        f.close()

    def consume_round() -> None:
        f = Fresh(root, durability="write")
        for i in range(0, n, 1000):
            f.producer.send_many(TOPIC, pairs[i : i + 1000])
        for max_records in (500, n):
            consumer = f.log.consumer([TOPIC], auto_offset_reset="earliest")
            poll = consumer.poll

            def drain() -> None:
                got = 0
                while got < n:
                    got += len(poll(max_records, 1000))

            record(f"consumer.poll({max_records}) until all", timed(drain))
            consumer.close()

        read = f.log.read

        def scan() -> None:
            offset = 0
            while offset < n:
                records = read(TOPIC, 0, offset, 1 << 20)
                offset = records[-1].offset + 1

        record("log.read(1 MiB) until all (every record used)", timed(scan))
        f.close()

    def floor_round() -> None:
        q: Any = queue.Queue()
        record("queue.Queue.put", timed(lambda: [q.put(v) for v in values]))
        record("queue.Queue.get", timed(lambda: [q.get() for _ in range(n)]))

    try:
        for r in range(args.runs + 1):  # the first round is the warm-up
            before = {k: len(v) for k, v in results.items()}
            produce_round()
            consume_round()
            floor_round()
            if r == 0:
                for k, v in results.items():
                    del v[before.get(k, 0):]
            print(f"round {r}/{args.runs} done", file=sys.stderr)

        f = Fresh(root, durability="write")
        for i in range(0, n, 1000):
            f.producer.send_many(TOPIC, pairs[i : i + 1000])
        per_read = len(f.log.read(TOPIC, 0, 0, 1 << 20))
        f.close()

        print(f"\n{n:,} records of 100 B + 10 B key, median of {args.runs} runs, "
              "µs per record (lower is better)\n")
        print("| step | µs/record |\n|---|--:|")
        for name, samples in results.items():
            print(f"| {name} | {median_us(samples, n):.3f} |")
        print(f"\nOne 1 MiB read (what every poll decodes) holds {per_read:,} records; "
              f"poll(500) hands back 500 of them and decodes the rest again next time "
              f"(about {per_read / 500:.0f}x read amplification).")

        if not args.no_cprofile:
            f = Fresh(root, durability="write")
            consumer = f.log.consumer([TOPIC], auto_offset_reset="earliest")

            def whole_row() -> None:
                send = f.producer.send
                futures = [send(TOPIC, v, key=k) for k, v in pairs]
                f.producer.flush()
                for future in futures:
                    future.result()
                del futures
                got = 0
                while got < n:
                    got += len(consumer.poll(500, 1000))

            profiler = cProfile.Profile()
            profiler.runcall(whole_row)
            f.close()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
            print("\ncProfile of the benchmark's row (tottime; the profiler inflates "
                  "Python-level calls):\n")
            print(out.getvalue())
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
