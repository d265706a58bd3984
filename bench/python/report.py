"""Results of the Python benchmark: rows, the machine and commit, a Markdown table (the Rust
bench's columns, `bench/src/report.rs`) and `<scenario>-<UTC stamp>.json` / `.md` files."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Optional

from measure import Summary


@dataclass
class Row:
    """One measured system in one setting."""

    system: str
    scenario: str
    durability: str
    count: int
    per_s: float
    mb_per_s: Optional[float]
    wall_s: float
    runs_wall_s: list[float]
    spread: float
    cpu_s: float
    sys_s: Optional[float]
    p50_us: Optional[float] = None
    p99_us: Optional[float] = None
    ratio: Optional[float] = None
    ratio_of: Optional[str] = None
    #: phase -> {"wall_s", "cpu_s", "us_per_record"} (medians over runs)
    phases: dict[str, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def of(
        cls, system: str, scenario: str, durability: str, count: int, bytes_: Optional[int],
        summary: Summary,
    ) -> "Row":
        wall = max(summary.wall_s, 1e-12)
        return cls(
            system=system,
            scenario=scenario,
            durability=durability,
            count=count,
            per_s=count / wall,
            mb_per_s=None if bytes_ is None else bytes_ / wall / 1e6,
            wall_s=summary.wall_s,
            runs_wall_s=summary.runs_wall_s,
            spread=summary.spread,
            cpu_s=summary.cpu_s,
            sys_s=summary.sys_s,
            p50_us=summary.p50_us,
            p99_us=summary.p99_us,
            phases={
                name: {"wall_s": w, "cpu_s": c, "us_per_record": w / count * 1e6}
                for name, (w, c) in summary.phases.items()
            },
        )

    def ratio_to(self, reference: "Row", what: str) -> "Row":
        """Sets this row's rate divided by ``reference``'s, described as ``what``."""
        self.ratio = self.per_s / max(reference.per_s, 1e-12)
        self.ratio_of = what
        return self


@dataclass
class Report:
    """One scenario's results."""

    scenario: str
    title: str
    durability: str
    runs: int
    rows: list[Row]
    notes: list[str]
    #: The command line's settings (records, runs, bounds), for the JSON file.
    settings: dict[str, object] = field(default_factory=dict)


def si(value: float) -> str:
    """``value`` with an SI prefix, like the Rust bench's ``si``."""
    if value >= 1e9:
        return f"{value / 1e9:.2f} G"
    if value >= 1e6:
        return f"{value / 1e6:.2f} M"
    if value >= 1e3:
        return f"{value / 1e3:.1f} k"
    return f"{value:.0f}"


def _optional(value: Optional[float], digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _megabytes(value: Optional[float]) -> str:
    return _optional(value, 1 if value is not None and value < 10 else 0)


def _git(*args: str) -> Optional[str]:
    try:
        out = subprocess.run(
            ["git", *args], cwd=Path(__file__).resolve().parent, capture_output=True,
            text=True, check=False,
        )
    except OSError:
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def context() -> dict[str, object]:
    """The machine, the commit (``-dirty`` with tracked changes), the interpreter and the
    versions of every system, read once at the start of a run."""
    cpu_model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = int(line.split()[1]) / (1024 * 1024)
    except OSError:
        pass
    head = _git("rev-parse", "--short", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    import sqlite3

    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": cpu_model,
        "kernel": platform.release(),
        "memory_gib": round(memory_gib, 2),
        "commit": "unknown" if head is None else (f"{head}-dirty" if dirty else head),
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": sys.version.split()[0] + " " + platform.python_implementation(),
        "sqlite": sqlite3.sqlite_version,
        "versions": {
            d: _version(d) for d in ("mqlite", "persist-queue", "litequeue", "diskcache")
        },
    }


def markdown(report: Report, ctx: dict[str, object]) -> str:
    """The report as Markdown: a heading, the context, the table and the notes."""
    versions = ", ".join(f"{k} {v}" for k, v in dict(ctx["versions"]).items())  # type: ignore[call-overload]
    out = [
        f"## {report.title}\n",
        f"- commit `{ctx['commit']}`, started {ctx['started_utc']}",
        f"- machine: {ctx['nproc']} x {ctx['cpu_model']}, {ctx['memory_gib']:.1f} GiB, "
        f"Linux {ctx['kernel']}",
        f"- Python {ctx['python']}, SQLite {ctx['sqlite']}; {versions}",
        f"- durability: {report.durability}",
        f"- median of {report.runs} runs after one warm-up; rates come from the median wall time; "
        "spread is (slowest - fastest) / median\n",
        "| system | scenario | count | records/s | MB/s | wall s (spread) | CPU s (sys) | "
        "p50 µs | p99 µs | ratio |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in report.rows:
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f} ({row.ratio_of})"
        cpu = f"{row.cpu_s:.3f}" + ("" if row.sys_s is None else f" ({row.sys_s:.2f})")
        out.append(
            f"| {row.system} | {row.scenario} | {si(row.count)} | {si(row.per_s)} | "
            f"{_megabytes(row.mb_per_s)} | {row.wall_s:.3f} ({row.spread * 100:.0f}%) | "
            f"{cpu} | {_optional(row.p50_us, 1)} | "
            f"{_optional(row.p99_us, 1)} | {ratio} |"
        )
    if report.notes:
        out.append("")
        out.extend(f"- {note}" for note in report.notes)
    return "\n".join(out) + "\n"


def write(report: Report, ctx: dict[str, object], text: str, out: Path) -> list[Path]:
    """Writes ``<out>/<scenario>-<stamp>.json`` and ``.md``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    stamp = str(ctx["started_utc"]).replace("-", "").replace(":", "")
    stem = out / f"{report.scenario}-{stamp}"
    json_path, md_path = stem.with_suffix(".json"), stem.with_suffix(".md")
    document = {"context": ctx, **asdict(report)}
    json_path.write_text(json.dumps(document, indent=2) + "\n")
    md_path.write_text(text)
    return [json_path, md_path]
