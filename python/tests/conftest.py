"""Shared fixtures: a fresh log directory per test, and logs opened on it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

import mqlite

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors" / "v1"


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path / "log"


@pytest.fixture
def log(log_dir: Path) -> Iterator[mqlite.Log]:
    with mqlite.open(log_dir) as opened:
        yield opened


@pytest.fixture
def orders(log: mqlite.Log) -> mqlite.Log:
    log.create_topic("orders", partitions=4)
    return log


def values(records: list[mqlite.Record]) -> list[bytes]:
    return [r.value for r in records if r.value is not None]


def env_flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")
