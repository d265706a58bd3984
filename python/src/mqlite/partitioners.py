"""Partitioners as plain functions."""

from __future__ import annotations

from typing import Union

from . import _native


def murmur2(key: Union[bytes, bytearray, memoryview, str], partitions: int) -> int:
    """The partition Kafka's Java client picks for ``key`` among ``partitions``:
    ``toPositive(murmur2(key)) % partitions``.

    >>> murmur2(b"order-1", 12) == murmur2("order-1", 12)
    True
    """
    return _native.murmur2(key, partitions)
