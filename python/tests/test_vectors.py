"""The shared golden vectors: the log in tests/vectors/v1 reads back exactly as expected.json
says, and murmur2 agrees with Kafka's own client for every key in tests/vectors/murmur2.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import mqlite
from conftest import REPO, VECTORS


def test_the_golden_log_reads_back_as_expected(tmp_path: Path) -> None:
    expected = json.loads((VECTORS / "expected.json").read_text())
    copy = tmp_path / "log"
    shutil.copytree(VECTORS / "log", copy)
    hex_or_none = lambda b: None if b is None else b.hex()  # noqa: E731
    with mqlite.open(copy, read_only=True) as log:
        assert log.topics() == sorted(t["name"] for t in expected["topics"])
        for topic in expected["topics"]:
            description = log.describe(topic["name"])
            for key, value in topic["config"].items():
                if key in description.config:
                    assert description.config[key] == value, (topic["name"], key)
            for partition in topic["partitions"]:
                number = partition["partition"]
                records = log.read(topic["name"], number, partition["log_start_offset"], 1 << 30)
                got = [
                    {
                        "offset": r.offset,
                        "timestamp_ms": r.timestamp_ms,
                        "key": hex_or_none(r.key),
                        "value": hex_or_none(r.value),
                        "headers": [[name, hex_or_none(v)] for name, v in r.headers],
                    }
                    for r in records
                ]
                assert got == partition["records"], (topic["name"], number)
                info = description.partitions[number]
                assert info.high_watermark == partition["high_watermark"]


def test_murmur2_matches_kafkas_java_client() -> None:
    table = json.loads((REPO / "tests" / "vectors" / "murmur2.json").read_text())
    checked = 0
    for entry in table["entries"]:
        key = bytes.fromhex(entry["key_hex"])
        for partitions, expected in entry["partitions"].items():
            assert mqlite.partitioners.murmur2(key, int(partitions)) == expected
            checked += 1
    assert checked > 1000
