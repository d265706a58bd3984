"""The type stubs match the compiled module, and the public API type-checks under strict
mypy (a typed usage program, which also runs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=HERE)


def test_stubs_match_the_native_module() -> None:
    result = run("mypy.stubtest", "mqlite._native")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_public_api_type_checks_strictly() -> None:
    result = run("mypy", "--strict", "--no-incremental", "typed_usage.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_typed_usage_program_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(HERE / "typed_usage.py")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[0, 2, 3, 3, 2, 1]"
