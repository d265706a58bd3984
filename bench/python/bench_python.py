"""The Python rows of BENCH.md scenarios 1 and 6: mqlite through its Python API next to
queue.Queue, persist-queue, litequeue and diskcache, in the same invocation.

Run from the repository root, after ``make python-build`` and
``.venv/bin/pip install persist-queue litequeue diskcache``::

    .venv/bin/python bench/python/bench_python.py [append|peers|all] [--records N] [--runs N]
        [--dir PATH] [--out DIR] [--poll-records N] [--no-caps] [--verbose]

A program that prints figures, never a test: it writes ``python-append-<stamp>`` (scenario 1:
per-record ``send`` plus consume, ``send_many``) and ``python-peers-<stamp>`` (scenario 6:
the peers at matching durability) as ``.json`` and ``.md`` under ``bench/results/``, and
prints the tables. See ``bench/README.md``, "Python (scenarios 1 and 6)".
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import payload  # noqa: E402
import peers  # noqa: E402
from measure import Case, Clock, phase_summary, run_interleaved, summarise  # noqa: E402
from report import Report, Row, context, markdown, si, write  # noqa: E402

import mqlite  # noqa: E402

TOPIC = "bench"
#: Records per run of the rows that fsync every record, by default.
FSYNC_EACH_RECORDS = 1_000
#: Default bounds on the slow peers' records per run (each row stays around a second or two
#: per run, so the whole program stays under two minutes); ``--no-caps`` lifts them.
CAPS = {
    "persist-queue Queue write": 1_000,
    "persist-queue Queue fsync": 2_000,
    "persist-queue SQLite write": 20_000,
    "persist-queue SQLite fsync": FSYNC_EACH_RECORDS,
    "litequeue write": 3_000,
    "litequeue fsync": 10_000,
    "diskcache write": 20_000,
    "diskcache fsync": 10_000,
    "mqlite send+flush each fsync": FSYNC_EACH_RECORDS,
}


# --- mqlite cases --------------------------------------------------------------------------


def _open(workdir: Path, **producer: Any) -> SimpleNamespace:
    log = mqlite.open(workdir / "log")
    log.create_topic(TOPIC)
    return SimpleNamespace(log=log, producer=log.producer(**producer))


def _read_back(log: mqlite.Log, count: int) -> list[tuple[Optional[bytes], Optional[bytes]]]:
    consumer = log.consumer([TOPIC], auto_offset_reset="earliest")
    got: list[tuple[Optional[bytes], Optional[bytes]]] = []
    while len(got) < count:
        batch = consumer.poll(10_000, 1000)
        if not batch:
            break
        got.extend((r.key, r.value) for r in batch)
    consumer.close()
    return got


def _check_pairs(got: list[Any], keys: list[bytes], values: list[bytes], who: str) -> None:
    if got != list(zip(keys, values)):
        raise AssertionError(f"{who}: read back {len(got)} records, not the {len(values)} sent")


def mqlite_send_consume(values: list[bytes], keys: list[bytes], poll_records: int) -> Case:
    """Per-record ``send`` (the default producer: durability ``write``, ``linger_ms`` 5,
    ``batch_bytes`` 16384), ``flush``, every future's ``result()``, then ``consumer.poll``
    until every record is back. Phases: ``send``, ``flush + result`` (which also drops the
    futures), ``poll``."""

    def setup(workdir: Path, collect: bool) -> Any:
        s = _open(workdir, durability="write")
        s.consumer = s.log.consumer([TOPIC], auto_offset_reset="earliest")
        s.pairs = list(zip(keys, values))
        s.got = [] if collect else None
        return s

    def run(s: Any, clock: Clock) -> None:
        send = s.producer.send
        futures = [send(TOPIC, value, key=key) for key, value in s.pairs]
        clock.lap("send")
        s.producer.flush()
        for future in futures:
            future.result()
        del futures
        clock.lap("flush + result")
        poll, total, got = s.consumer.poll, len(s.pairs), s.got
        n = 0
        while n < total:
            records = poll(poll_records, 1000)
            if not records:
                raise AssertionError(f"mqlite: poll came back empty at {n} of {total}")
            n += len(records)
            if got is not None:
                got.extend((r.key, r.value) for r in records)
        clock.lap("poll")

    def verify(s: Any) -> None:
        _check_pairs(s.got, keys, values, "mqlite send + poll")

    return Case(
        "mqlite send+consume", "mqlite", "send per record + flush + result(), then poll all",
        "write", len(values), setup, run, teardown=lambda s: s.log.close(), verify=verify,
    )


def mqlite_send_many(
    values: list[bytes], keys: list[bytes], batch: int, durability: str
) -> Case:
    """``send_many`` of ``(key, value)`` lists of ``batch`` records (pre-built); each call
    returns once its batch is appended (and synced under ``fsync``). p50/p99: one call."""
    count = len(values)

    def setup(workdir: Path, collect: bool) -> Any:
        s = _open(workdir, durability=durability)
        pairs = list(zip(keys, values))
        s.batches = [pairs[i : i + batch] for i in range(0, count, batch)]
        return s

    def run(s: Any, clock: Clock) -> None:
        send_many, now = s.producer.send_many, time.perf_counter
        if len(s.batches) == 1:
            send_many(TOPIC, s.batches[0])
            return
        for records in s.batches:
            t0 = now()
            send_many(TOPIC, records)
            clock.latency(now() - t0)

    def verify(s: Any) -> None:
        _check_pairs(_read_back(s.log, count), keys, values, "mqlite send_many")

    size = "all records in one call" if batch >= count else f"batches of {batch}"
    key = f"mqlite send_many {'all' if batch >= count else batch} {durability}"
    return Case(key, "mqlite", f"send_many, {size}", durability if durability != "fsync"
                else f"fsync every {batch}", count, setup, run,
                teardown=lambda s: s.log.close(), verify=verify)


def mqlite_send_flush_fsync(values: list[bytes], keys: list[bytes], every: int) -> Case:
    """Durability ``fsync``: ``every`` per-record ``send`` calls, then ``flush`` (one append and
    one sync) and their ``result()``; ``batch_bytes`` 1 MiB so that no batch closes before the
    flush. p50/p99: one commit, from its first send to its last result."""
    count = len(values)

    def setup(workdir: Path, collect: bool) -> Any:
        s = _open(workdir, durability="fsync", batch_bytes=1 << 20)
        s.pairs = list(zip(keys, values))
        return s

    def run(s: Any, clock: Clock) -> None:
        send, flush, now = s.producer.send, s.producer.flush, time.perf_counter
        for start in range(0, count, every):
            t0 = now()
            futures = [send(TOPIC, v, key=k) for k, v in s.pairs[start : start + every]]
            flush()
            for future in futures:
                future.result()
            clock.latency(now() - t0)

    def verify(s: Any) -> None:
        _check_pairs(_read_back(s.log, count), keys, values, "mqlite send + flush")

    if every == 1:
        key, what = "mqlite send+flush each fsync", "send + flush + result() per record"
    else:
        key, what = f"mqlite send+flush {every} fsync", f"send per record, flush every {every}"
    return Case(key, "mqlite", what, "fsync every record" if every == 1 else
                f"fsync every {every}", count, setup, run, teardown=lambda s: s.log.close(),
                verify=verify)


# --- the program ---------------------------------------------------------------------------


def _bounded(key: str, records: int, caps: bool) -> int:
    return min(records, CAPS[key]) if caps and key in CAPS else records


def build_cases(
    scenario: str, records: int, poll_records: int, caps: bool
) -> tuple[list[Case], dict[str, Case]]:
    values, keys = payload.values(records), payload.keys(records)

    def n(key: str) -> int:
        return _bounded(key, records, caps)

    cases: list[Case] = [
        mqlite_send_consume(values, keys, poll_records),
        peers.queue_queue(values),
    ]
    if scenario in ("append", "all"):
        cases += [
            mqlite_send_many(values, keys, 1000, "write"),
            mqlite_send_many(values, keys, records, "write"),
        ]
    if scenario in ("peers", "all"):
        for make, key in (
            (peers.persist_file_write, "persist-queue Queue write"),
            (peers.persist_sqlite_write, "persist-queue SQLite write"),
            (peers.litequeue_write, "litequeue write"),
            (peers.diskcache_write, "diskcache write"),
        ):
            cases.append(make(values[: n(key)]))
        per_commit = peers.COMMIT_RECORDS
        each = n("mqlite send+flush each fsync")
        cases += [
            mqlite_send_flush_fsync(values, keys, per_commit),
            mqlite_send_many(values, keys, per_commit, "fsync"),
            peers.persist_file_fsync(values[: n("persist-queue Queue fsync")]),
            peers.litequeue_fsync(values[: n("litequeue fsync")]),
            peers.diskcache_fsync(values[: n("diskcache fsync")]),
            mqlite_send_flush_fsync(values[:each], keys[:each], 1),
            peers.persist_sqlite_fsync(values[: n("persist-queue SQLite fsync")]),
        ]
    return cases, {c.key: c for c in cases}


def _row(case: Case) -> Row:
    return Row.of(case.system, case.scenario, case.durability, case.count,
                  case.count * payload.RECORD_BYTES, summarise(case.samples))


def _phase_row(case: Case, phase: str, system: str, scenario: str, phases: list[str]) -> Row:
    """A row for the sum of ``phases`` of ``case``'s runs."""
    samples = []
    for s in case.samples:
        wall = sum(s.phases[p][0] for p in phases)
        cpu = sum(s.phases[p][1] for p in phases)
        samples.append(SimpleNamespace(phases={phase: (wall, cpu)}))
    summary = phase_summary(samples, phase)  # type: ignore[arg-type]
    return Row.of(system, scenario, case.durability, case.count,
                  case.count * payload.RECORD_BYTES, summary)


def _us(case: Case, phase: str) -> float:
    return statistics.median(s.phases[phase][0] for s in case.samples) / case.count * 1e6


def append_report(by: dict[str, Case], runs: int, records: int, poll_records: int) -> Report:
    sc = by["mqlite send+consume"]
    main = _row(sc)
    floor = _row(by["queue.Queue"])
    main.ratio_to(floor, "mqlite/queue.Queue")
    produce = _phase_row(sc, "produce", "mqlite, of which", "produce: send + flush + result()",
                         ["send", "flush + result"])
    sends = _phase_row(sc, "send", "mqlite, of which", "send() calls alone", ["send"])
    results = _phase_row(sc, "result", "mqlite, of which", "flush + result() of every future",
                         ["flush + result"])
    consume = _phase_row(sc, "poll", "mqlite, of which", f"consume: poll({poll_records}) until all",
                         ["poll"])
    many = _row(by["mqlite send_many 1000 write"]).ratio_to(produce, "send_many/send")
    many_all = _row(by["mqlite send_many all write"]).ratio_to(produce, "send_many/send")
    rows = [main, produce, sends, results, consume, floor, many, many_all]
    best_many = max(many.per_s, many_all.per_s)
    notes = [
        f"{records:,} records of 100 B JSON-like values (the Rust bench's seeded generator, the "
        "same bytes for every system) with 10-byte keys for mqlite (queue.Queue takes values "
        "only); one topic, one partition, a fresh log in a temp dir per run.",
        "mqlite per record: `producer.send(topic, value, key=key)` for every record (the "
        "default producer: linger_ms 5, batch_bytes 16384, so a batch is appended inside "
        "`send` whenever it fills), then `flush()`, then `.result()` of every future, then "
        f"`consumer.poll({poll_records}, 1000)` until every record is back (the consumer is "
        "made before the run). The `of which` rows are phases of the same runs; their CPU is "
        "the phase's process CPU time.",
        "queue.Queue: `put(value)` for every record, then `get()` as many times; no "
        "durability at all (the in-memory floor).",
        "send_many: pre-built lists of `(key, value)` tuples; each call returns once its batch "
        "is appended (write: in the page cache). p50/p99 is one call of 1000 records, one call "
        "at a time. `send_many/send` is the rate over the per-record produce phase above.",
        "CPU s is the whole process's CPU time (`time.process_time`, all threads; mqlite "
        "starts none), kernel share from `os.times` (10 ms ticks). Python's garbage collector "
        "stays on (collected before each run).",
        f"Targets (read off, not asserted): mqlite per-record send + consume at least 2x "
        f"queue.Queue put + get; this run {main.ratio:.2f}x "
        f"({'met' if (main.ratio or 0) >= 2 else 'NOT met'}). send_many at least 2M "
        f"records/s; this run {si_rate(many.per_s)} (batches of 1000), "
        f"{si_rate(many_all.per_s)} (one call) "
        f"({'met' if best_many >= 2e6 else 'NOT met'}).",
        "Per record, mqlite: send() {:.2f} µs, flush + result() {:.2f} µs, poll {:.2f} µs; "
        "queue.Queue: put {:.2f} µs, get {:.2f} µs.".format(
            _us(sc, "send"), _us(sc, "flush + result"), _us(sc, "poll"),
            _us(by["queue.Queue"], "put"), _us(by["queue.Queue"], "get")),
    ]
    return Report(
        "python-append",
        "Python, scenario 1: per-record send + consume, and send_many (durability write)",
        "`write` (every batch reaches the page cache; nothing is synced while timed; the log is "
        "closed, which syncs, after the timed region); queue.Queue: memory",
        runs, rows, notes,
    )


def si_rate(value: float) -> str:
    return f"{si(value)} records/s"


def peers_report(by: dict[str, Case], runs: int, records: int) -> Report:
    ref = _row(by["mqlite send+consume"])
    rows = [ref]
    notes = []
    for key, short in (
        ("queue.Queue", "queue.Queue"),
        ("persist-queue Queue write", "persist-queue"),
        ("persist-queue SQLite write", "SQLiteQueue"),
        ("litequeue write", "litequeue"),
        ("diskcache write", "diskcache"),
    ):
        rows.append(_row(by[key]).ratio_to(ref, f"{short}/mqlite"))
    ref_fsync = _row(by[f"mqlite send+flush {peers.COMMIT_RECORDS} fsync"])
    rows.append(ref_fsync)
    rows.append(_row(by[f"mqlite send_many {peers.COMMIT_RECORDS} fsync"]).ratio_to(
        ref_fsync, "send_many/send"))
    for key, short in (
        ("persist-queue Queue fsync", "persist-queue"),
        ("litequeue fsync", "litequeue"),
        ("diskcache fsync", "diskcache"),
    ):
        rows.append(_row(by[key]).ratio_to(ref_fsync, f"{short}/mqlite"))
    ref_each = _row(by["mqlite send+flush each fsync"])
    rows.append(ref_each)
    rows.append(_row(by["persist-queue SQLite fsync"]).ratio_to(ref_each, "SQLiteQueue/mqlite"))

    bounded = [
        f"{c.system} ({c.durability}) {c.count:,}"
        for c in by.values() if c.count < records
    ]
    split = "; ".join(
        f"{by[k].system} put {_us(by[k], 'put'):.1f} µs, get {_us(by[k], 'get'):.1f} µs"
        for k in ("queue.Queue", "persist-queue Queue write", "persist-queue SQLite write",
                  "litequeue write", "diskcache write")
    )
    sc = by["mqlite send+consume"]
    notes += [
        f"Values: 100 B JSON-like, the Rust bench's seeded generator, identical bytes for every "
        f"system; mqlite also sends a 10-byte key per record (no peer takes keys). {records:,} "
        "records per run unless bounded: "
        + ("; ".join(bounded) if bounded else "none bounded")
        + (" records per run (a slow peer's per-record cost is steady, so its rate compares; "
           "litequeue's pop is not: see below). `--no-caps` runs every row at the full count "
           "(several minutes)." if bounded else "."),
        "Ratios are each row's records/s over the mqlite row of the same durability above it "
        "(same invocation, runs interleaved): write rows over `mqlite send + consume`, "
        f"`fsync every {peers.COMMIT_RECORDS}` rows over `mqlite send ... flush every "
        f"{peers.COMMIT_RECORDS}`, the fsync-per-record row over mqlite's per-record flush.",
        "write rows (put every record, then get every one back; nothing synced while timed): "
        "mqlite as in the python-append table (the log is an append-only log: consuming "
        "writes nothing, while each peer's get is a committed delete/update). persist-queue "
        "Queue: `autosave=True` (each get persists the queue's info file), chunksize above the "
        "record count (its chunk fsync would otherwise run every `chunksize` puts, default "
        "100); every put and every get rewrites the info file through a temp file and a "
        "rename. SQLiteQueue: `auto_commit=True` (a commit per put and per get), `PRAGMA "
        "synchronous=OFF` set on its connection (its default, SQLite's FULL, fsyncs every "
        "put). litequeue: `pop()` per get (marks the row locked, `done()` not called), "
        "`synchronous=OFF` (its default NORMAL syncs the WAL at checkpoints). diskcache Deque: "
        "`Cache(eviction_policy='none', sqlite_synchronous=0)` (its default is NORMAL).",
        f"Per record in the write rows: mqlite send {_us(sc, 'send'):.2f} µs + flush/result "
        f"{_us(sc, 'flush + result'):.2f} µs + poll {_us(sc, 'poll'):.2f} µs; " + split + ".",
        "litequeue's pop selects the oldest READY row through an index on status and sorts by "
        "message_id, so its cost grows with the rows already popped (O(n) per pop): its "
        "rate falls as the record count grows, so its ratio holds only at the count shown.",
        f"fsync rows: puts only (nothing read back), a commit every {peers.COMMIT_RECORDS} "
        "records where the peer can group them; p50/p99 is one commit (from its first put to "
        f"the commit's return), one at a time. mqlite send + flush: `durability='fsync'`, "
        "`batch_bytes` 1 MiB (no batch closes before the flush), results taken after each "
        "flush. persist-queue Queue: `chunksize=1000`, so the chunk file is fsynced at every "
        "1000th put, but the info file it renames after every put is never fsynced (its "
        "position is not durable). litequeue: 1000 puts in one `q.transaction()`, "
        "synchronous=FULL. diskcache: 1000 appends in one `deque.transact()`, "
        "sqlite_synchronous=2 (FULL).",
        "fsync every record: persist-queue's SQLiteQueue commits every put on its own (its "
        "`auto_commit=False` only defers gets), so it cannot group 1000 records per fsync; it "
        "runs at its default synchronous=FULL against mqlite `send` + `flush` + `result()` "
        "per record, durability fsync. queue.Queue has no durability and no fsync row.",
        "CPU s is the whole process's CPU time (`time.process_time`), kernel share from "
        "`os.times` (10 ms ticks); SQLite and the file queues run in-process too.",
    ]
    return Report(
        "python-peers",
        "Python, scenario 6: mqlite and the Python peers at matching durability",
        "per row (column `scenario` and the notes): `write` rows sync nothing while timed; "
        f"`fsync every {peers.COMMIT_RECORDS}` and `fsync every record` rows sync before a "
        "commit returns; queue.Queue is memory only",
        runs, rows, notes,
    )


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", default="all", choices=["append", "peers", "all"],
                        help="append: BENCH.md scenario 1's Python rows; peers: scenario 6; "
                        "all (default): both, sharing the mqlite and queue.Queue runs")
    parser.add_argument("--records", type=int, default=100_000,
                        help="records per run (slow peers bounded, see --no-caps)")
    parser.add_argument("--runs", type=int, default=5,
                        help="measured runs after one warm-up; the median is reported")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()),
                        help="where temporary logs and queues are written (and removed)")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent.parent / "results",
                        help="where result files go")
    parser.add_argument("--poll-records", type=int, default=500,
                        help="max_records of each consumer.poll (Kafka's max.poll.records)")
    parser.add_argument("--no-caps", action="store_true",
                        help="run every row at --records (the slow peers take minutes)")
    parser.add_argument("--verbose", action="store_true", help="print every run's wall time")
    args = parser.parse_args(argv)
    if args.records < 1000 or args.runs < 1:
        parser.error("--records must be at least 1000 and --runs at least 1")

    ctx = context()
    started = time.perf_counter()
    cases, by = build_cases(args.scenario, args.records, args.poll_records, not args.no_caps)

    def progress(line: str) -> None:
        if args.verbose:
            print(f"[{time.perf_counter() - started:6.1f} s] {line}", file=sys.stderr)

    root = Path(tempfile.mkdtemp(prefix="mqlite-pybench-", dir=args.dir))
    try:
        run_interleaved(cases, args.runs, root, progress)
    finally:
        import shutil

        shutil.rmtree(root, ignore_errors=True)
    reports = []
    if args.scenario in ("append", "all"):
        reports.append(append_report(by, args.runs, args.records, args.poll_records))
    if args.scenario in ("peers", "all"):
        reports.append(peers_report(by, args.runs, args.records))
    settings = {
        "records": args.records, "runs": args.runs, "poll_records": args.poll_records,
        "caps": {} if args.no_caps else CAPS, "commit_records": peers.COMMIT_RECORDS,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }
    for report in reports:
        report.settings = settings
        text = markdown(report, ctx)
        print(text)
        for path in write(report, ctx, text, args.out):
            print(f"wrote {path}", file=sys.stderr)
    print(f"total {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
