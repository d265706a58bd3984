"""The Python peers of BENCH.md scenario 6 as benchmark cases: queue.Queue (the in-memory
floor), persist-queue's file Queue and SQLiteQueue, litequeue's LiteQueue and diskcache's
Deque, each in a fresh directory per run.

Two kinds of row per persistent peer:

- ``write``: one put per record, then one get per record until all are back. Every commit
  reaches the page cache, none is synced while timed (SQLite peers run ``PRAGMA synchronous =
  OFF``; persist-queue's file queue gets a chunk size above the record count, since it fsyncs
  each full chunk).
- ``fsync``: puts only, with an fsync every 1000 records where the peer can group commits
  (one SQLite transaction per 1000 puts; the file queue's 1000-record chunks), else one per
  record (persist-queue's SQLiteQueue commits every put: ``fsync per record``). p50/p99 is one
  commit's latency: from its first put until the commit (or the 1000th put) returns.

Each peer stores what it is given (pickled by persist-queue, as bytes BLOBs by litequeue and
diskcache); none takes a key.
"""

from __future__ import annotations

import queue
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

from measure import Case, Clock

#: Records per commit in the fsync rows (mqlite's send_many batch in the same rows).
COMMIT_RECORDS = 1000


def _check(got: list[bytes], expected: list[bytes], who: str) -> None:
    if got != expected:
        raise AssertionError(f"{who}: got back {len(got)} records, not the {len(expected)} put")


def _put_get(put: Callable[[Any], Any], get: Callable[[], Any], state: Any, clock: Clock) -> None:
    """The write rows' timed body: every value put, then every one taken back."""
    values, got = state.values, state.got
    for value in values:
        put(value)
    clock.lap("put")
    if got is None:
        for _ in range(len(values)):
            get()
    else:
        for _ in range(len(values)):
            got.append(get())
    clock.lap("get")


def _commits(put: Callable[[Any], Any], commit: Callable[[], Any], state: Any, clock: Clock) -> None:
    """The fsync rows' timed body: COMMIT_RECORDS puts then ``commit``, timed per commit."""
    values = state.values
    now = time.perf_counter
    for start in range(0, len(values), COMMIT_RECORDS):
        t0 = now()
        for value in values[start : start + COMMIT_RECORDS]:
            put(value)
        commit()
        clock.latency(now() - t0)


def _state(values: list[bytes], collect: bool, **kw: Any) -> SimpleNamespace:
    return SimpleNamespace(values=values, got=[] if collect else None, **kw)


# --- queue.Queue ---------------------------------------------------------------------------


def queue_queue(values: list[bytes]) -> Case:
    """queue.Queue put + get: no persistence at all, the floor a durable queue is weighed
    against."""

    def setup(_: Path, collect: bool) -> Any:
        return _state(values, collect, q=queue.Queue())

    def run(s: Any, clock: Clock) -> None:
        _put_get(s.q.put, s.q.get, s, clock)

    def verify(s: Any) -> None:
        _check(s.got, values, "queue.Queue")

    return Case("queue.Queue", "queue.Queue", "put + get per record", "memory", len(values),
                setup, run, verify=verify)


# --- persist-queue -------------------------------------------------------------------------


def persist_file_write(values: list[bytes]) -> Case:
    """persist-queue's file Queue: each put pickles the item into the chunk file and flushes
    it, then rewrites the queue's info file (temp file + rename); with ``autosave=True`` each
    get rewrites the info file too. It fsyncs a chunk file when it is full, so the chunk size
    is set above the record count: no fsync while timed."""
    import persistqueue

    def setup(workdir: Path, collect: bool) -> Any:
        q = persistqueue.Queue(str(workdir / "q"), chunksize=len(values) + 1, autosave=True)
        return _state(values, collect, q=q)

    def run(s: Any, clock: Clock) -> None:
        _put_get(s.q.put, s.q.get, s, clock)

    def verify(s: Any) -> None:
        _check(s.got, values, "persist-queue Queue")

    return Case(
        "persist-queue Queue write", "persist-queue Queue (file)",
        "put + get per record, autosave, chunk > count", "write", len(values), setup, run,
        verify=verify,
    )


def persist_file_fsync(values: list[bytes]) -> Case:
    """persist-queue's file Queue with ``chunksize=1000``: the chunk file is fsynced at every
    1000th put (the info file's rename is never synced)."""
    import persistqueue

    def setup(workdir: Path, collect: bool) -> Any:
        q = persistqueue.Queue(str(workdir / "q"), chunksize=COMMIT_RECORDS)
        return _state(values, collect, q=q)

    def run(s: Any, clock: Clock) -> None:
        _commits(s.q.put, lambda: None, s, clock)

    def verify(s: Any) -> None:
        got = [s.q.get() for _ in range(len(values))]
        _check(got, values, "persist-queue Queue")

    return Case(
        "persist-queue Queue fsync", "persist-queue Queue (file)",
        f"put per record, chunksize {COMMIT_RECORDS} (chunk fsynced when full)",
        f"fsync every {COMMIT_RECORDS}", len(values), setup, run, verify=verify,
    )


def _sqlite_queue(workdir: Path, synchronous: str) -> Any:
    import persistqueue

    q = persistqueue.SQLiteQueue(str(workdir / "q"), auto_commit=True)
    # No public setting: its one connection (q._putter is q._conn) takes the pragma.
    q._putter.execute(f"PRAGMA synchronous = {synchronous}")  # type: ignore[attr-defined]
    return q


def persist_sqlite_write(values: list[bytes]) -> Case:
    """persist-queue's SQLiteQueue, ``auto_commit=True`` (WAL): one committed INSERT per put
    and one committed DELETE per get, with ``synchronous = OFF``."""

    def setup(workdir: Path, collect: bool) -> Any:
        return _state(values, collect, q=_sqlite_queue(workdir, "OFF"))

    def run(s: Any, clock: Clock) -> None:
        _put_get(s.q.put, s.q.get, s, clock)

    def verify(s: Any) -> None:
        _check(s.got, values, "persist-queue SQLiteQueue")

    return Case(
        "persist-queue SQLite write", "persist-queue SQLiteQueue",
        "put + get per record, auto_commit, synchronous=OFF", "write", len(values), setup, run,
        teardown=lambda s: s.q.close(), verify=verify,
    )


def persist_sqlite_fsync(values: list[bytes]) -> Case:
    """persist-queue's SQLiteQueue with SQLite's default ``synchronous = FULL`` (WAL): every
    put is its own committed transaction (even with ``auto_commit=False``, which only defers
    gets), so one WAL fsync per record; p50/p99 is one put."""

    def setup(workdir: Path, collect: bool) -> Any:
        return _state(values, collect, q=_sqlite_queue(workdir, "FULL"))

    def run(s: Any, clock: Clock) -> None:
        now = time.perf_counter
        put = s.q.put
        for value in s.values:
            t0 = now()
            put(value)
            clock.latency(now() - t0)

    def verify(s: Any) -> None:
        _check([s.q.get() for _ in range(len(values))], values, "persist-queue SQLiteQueue")

    return Case(
        "persist-queue SQLite fsync", "persist-queue SQLiteQueue",
        "put per record, synchronous=FULL (its default)", "fsync every record", len(values),
        setup, run, teardown=lambda s: s.q.close(), verify=verify,
    )


# --- litequeue -----------------------------------------------------------------------------


def _lite_queue(workdir: Path, synchronous: str) -> Any:
    import litequeue

    q = litequeue.LiteQueue(str(workdir / "q.db"))
    q.conn.execute(f"PRAGMA synchronous = {synchronous}")  # its own default is NORMAL
    return q


def litequeue_write(values: list[bytes]) -> Case:
    """litequeue's LiteQueue (WAL, autocommit): one INSERT per put, one ``pop`` per get (an
    UPDATE ... RETURNING that marks the message locked; ``done`` is not called), with
    ``synchronous = OFF``."""

    def setup(workdir: Path, collect: bool) -> Any:
        return _state(values, collect, q=_lite_queue(workdir, "OFF"))

    def run(s: Any, clock: Clock) -> None:
        if s.got is None:
            _put_get(s.q.put, s.q.pop, s, clock)
        else:
            _put_get(s.q.put, lambda: s.q.pop().data, s, clock)

    def verify(s: Any) -> None:
        _check(s.got, values, "litequeue")

    return Case(
        "litequeue write", "litequeue LiteQueue", "put + pop per record, synchronous=OFF",
        "write", len(values), setup, run, teardown=lambda s: s.q.close(), verify=verify,
    )


def litequeue_fsync(values: list[bytes]) -> Case:
    """litequeue with ``synchronous = FULL``: 1000 puts inside one ``q.transaction()``, one WAL
    fsync per commit."""

    def setup(workdir: Path, collect: bool) -> Any:
        return _state(values, collect, q=_lite_queue(workdir, "FULL"))

    def run(s: Any, clock: Clock) -> None:
        q, now = s.q, time.perf_counter
        put = q.put
        for start in range(0, len(s.values), COMMIT_RECORDS):
            t0 = now()
            with q.transaction():
                for value in s.values[start : start + COMMIT_RECORDS]:
                    put(value)
            clock.latency(now() - t0)

    def verify(s: Any) -> None:
        # Not by pop: each pop costs O(popped rows), so 10k pops would take seconds.
        rows = s.q.conn.execute(f"SELECT data FROM {s.q.table} ORDER BY message_id").fetchall()
        _check([row[0] for row in rows], values, "litequeue")

    return Case(
        "litequeue fsync", "litequeue LiteQueue",
        f"put per record, {COMMIT_RECORDS} per transaction, synchronous=FULL",
        f"fsync every {COMMIT_RECORDS}", len(values), setup, run,
        teardown=lambda s: s.q.close(), verify=verify,
    )


# --- diskcache -----------------------------------------------------------------------------


def _deque(workdir: Path, synchronous: int) -> Any:
    import diskcache

    # What Deque(directory=...) makes, with the sync level set (its default is 1, NORMAL).
    cache = diskcache.Cache(str(workdir / "d"), eviction_policy="none",
                            sqlite_synchronous=synchronous)
    return diskcache.Deque.fromcache(cache)


def diskcache_write(values: list[bytes]) -> Case:
    """diskcache's Deque (SQLite, WAL; 100 B values stored inline as BLOBs): ``append`` per
    put and ``popleft`` per get, each its own transaction, ``sqlite_synchronous=0`` (OFF)."""

    def setup(workdir: Path, collect: bool) -> Any:
        return _state(values, collect, q=_deque(workdir, 0))

    def run(s: Any, clock: Clock) -> None:
        _put_get(s.q.append, s.q.popleft, s, clock)

    def verify(s: Any) -> None:
        _check(s.got, values, "diskcache Deque")

    return Case(
        "diskcache write", "diskcache Deque", "append + popleft per record, synchronous=OFF",
        "write", len(values), setup, run, teardown=lambda s: s.q.cache.close(), verify=verify,
    )


def diskcache_fsync(values: list[bytes]) -> Case:
    """diskcache's Deque with ``sqlite_synchronous=2`` (FULL): 1000 appends inside one
    ``transact()``, one WAL fsync per commit."""

    def setup(workdir: Path, collect: bool) -> Any:
        return _state(values, collect, q=_deque(workdir, 2))

    def run(s: Any, clock: Clock) -> None:
        q, now = s.q, time.perf_counter
        append = q.append
        for start in range(0, len(s.values), COMMIT_RECORDS):
            t0 = now()
            with q.transact():
                for value in s.values[start : start + COMMIT_RECORDS]:
                    append(value)
            clock.latency(now() - t0)

    def verify(s: Any) -> None:
        _check(list(s.q), values, "diskcache Deque")

    return Case(
        "diskcache fsync", "diskcache Deque",
        f"append per record, {COMMIT_RECORDS} per transact(), synchronous=FULL",
        f"fsync every {COMMIT_RECORDS}", len(values), setup, run,
        teardown=lambda s: s.q.cache.close(), verify=verify,
    )
