"""Timing for the Python benchmark: one case's runs, interleaved with its peers', summarised.

A case has an untimed ``setup(workdir)`` (open the store, pre-build inputs), a timed
``run(state, clock)`` and an untimed ``teardown(state)`` (close, which may sync). Wall time is
``time.perf_counter``; CPU time is the whole process's (``time.process_time``, every thread,
user + kernel) and the kernel share comes from ``os.times`` (10 ms ticks). Inside ``run`` a
case may mark the end of named phases (``clock.lap``) and record the latency of single calls
(``clock.latency``), taken one call at a time, never at saturation.
"""

from __future__ import annotations

import gc
import os
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional


class Clock:
    """Marks phases and single-call latencies inside one timed run."""

    __slots__ = ("_last_wall", "_last_cpu", "started", "phases", "latencies_s")

    def __init__(self) -> None:
        self._last_wall = time.perf_counter()
        self._last_cpu = time.process_time()
        #: (wall, CPU) at the start of the run.
        self.started = (self._last_wall, self._last_cpu)
        #: name -> (wall s, CPU s) of each phase, in order.
        self.phases: dict[str, tuple[float, float]] = {}
        #: Seconds of each timed call.
        self.latencies_s: list[float] = []

    def lap(self, name: str) -> None:
        """Ends the phase ``name`` (it began where the previous one ended)."""
        wall, cpu = time.perf_counter(), time.process_time()
        self.phases[name] = (wall - self._last_wall, cpu - self._last_cpu)
        self._last_wall, self._last_cpu = wall, cpu

    def latency(self, seconds: float) -> None:
        """Records one call's latency."""
        self.latencies_s.append(seconds)


@dataclass
class Sample:
    """One run of one case."""

    wall_s: float
    cpu_s: float
    sys_s: float
    phases: dict[str, tuple[float, float]]
    p50_us: Optional[float]
    p99_us: Optional[float]


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile ``q`` (0..100) of an ascending list."""
    rank = max(1, -(-len(sorted_values) * q // 100))
    return sorted_values[int(rank) - 1]


@dataclass
class Case:
    """One system doing one thing: a row of the table."""

    key: str
    system: str
    scenario: str
    durability: str
    count: int
    #: ``setup(workdir, collect)``: ``collect`` asks ``run`` to keep what it reads back, for
    #: ``verify`` (only in the warm-up).
    setup: Callable[[Path, bool], Any]
    run: Callable[[Any, Clock], None]
    teardown: Callable[[Any], None] = lambda state: None
    #: Checks what a run left behind (the warm-up's state, after ``run``, before teardown).
    verify: Optional[Callable[[Any], None]] = None
    samples: list[Sample] = field(default_factory=list)

    def once(self, root: Path, *, warm_up: bool) -> Sample:
        """Sets up, runs (timed) and tears down once in a fresh directory under ``root``."""
        workdir = Path(tempfile.mkdtemp(prefix=f"{self.key}-", dir=root))
        try:
            check = warm_up and self.verify is not None
            state = self.setup(workdir, check)
            try:
                gc.collect()
                sys0 = os.times().system
                clock = Clock()
                wall0, cpu0 = clock.started
                self.run(state, clock)
                wall1, cpu1, sys1 = time.perf_counter(), time.process_time(), os.times().system
                if check:
                    assert self.verify is not None
                    self.verify(state)
            finally:
                self.teardown(state)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        lat = sorted(clock.latencies_s)
        sample = Sample(
            wall_s=wall1 - wall0,
            cpu_s=cpu1 - cpu0,
            sys_s=sys1 - sys0,
            phases=clock.phases,
            p50_us=percentile(lat, 50) * 1e6 if lat else None,
            p99_us=percentile(lat, 99) * 1e6 if lat else None,
        )
        if not warm_up:
            self.samples.append(sample)
        return sample


@dataclass
class Summary:
    """A case's runs: medians, spread, every run's wall time."""

    wall_s: float
    runs_wall_s: list[float]
    cpu_s: float
    #: ``None`` for a phase (``os.times`` ticks are too coarse to split a run).
    sys_s: Optional[float]
    p50_us: Optional[float]
    p99_us: Optional[float]
    #: phase -> (median wall s, median CPU s)
    phases: dict[str, tuple[float, float]]

    @property
    def spread(self) -> float:
        """(slowest - fastest) / median wall time."""
        return (max(self.runs_wall_s) - min(self.runs_wall_s)) / max(self.wall_s, 1e-12)


def summarise(samples: list[Sample]) -> Summary:
    """Medians over ``samples`` (p50/p99: the median of each run's percentile)."""
    med = statistics.median
    p50 = [s.p50_us for s in samples if s.p50_us is not None]
    p99 = [s.p99_us for s in samples if s.p99_us is not None]
    names = list(samples[0].phases) if samples else []
    return Summary(
        wall_s=med(s.wall_s for s in samples),
        runs_wall_s=[s.wall_s for s in samples],
        cpu_s=med(s.cpu_s for s in samples),
        sys_s=med(s.sys_s for s in samples),
        p50_us=med(p50) if p50 else None,
        p99_us=med(p99) if p99 else None,
        phases={
            name: (med(s.phases[name][0] for s in samples), med(s.phases[name][1] for s in samples))
            for name in names
        },
    )


def phase_summary(samples: list[Sample], name: str) -> Summary:
    """One phase of every run, summarised like a whole run (no kernel share, no latencies)."""
    med = statistics.median
    walls = [s.phases[name][0] for s in samples]
    return Summary(
        wall_s=med(walls),
        runs_wall_s=walls,
        cpu_s=med(s.phases[name][1] for s in samples),
        sys_s=None,
        p50_us=None,
        p99_us=None,
        phases={},
    )


def run_interleaved(
    cases: list[Case], runs: int, root: Path, progress: Callable[[str], None]
) -> None:
    """One warm-up of every case (which also verifies what it wrote and read), then ``runs``
    rounds, each running every case once in order, so drift hits all of them alike."""
    for case in cases:
        sample = case.once(root, warm_up=True)
        progress(f"warm-up  {case.key:<28} {sample.wall_s:8.3f} s")
    for r in range(runs):
        for case in cases:
            sample = case.once(root, warm_up=False)
            progress(f"run {r + 1}/{runs}  {case.key:<28} {sample.wall_s:8.3f} s")
