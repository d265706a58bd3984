"""Seeded, deterministic record payloads for the Python benchmark.

The values are the Rust bench's JSON-like 100 B values byte for byte (`bench/src/payload.rs`:
SplitMix64 from the same seed, the same format and word list), so Python and Rust rows write
the same bytes. Keys (for the systems that take them) come from a second SplitMix64 stream.
Every system in a run gets the same lists (a peer bounded to fewer records gets a prefix).
"""

from __future__ import annotations

#: Bytes of every record value.
RECORD_BYTES = 100
#: The seed every scenario starts from (`payload::SEED` in the Rust bench).
SEED = 0x6D71_6C69_7465_0001
#: The first record's timestamp base (`payload::BASE_TIMESTAMP_MS`).
BASE_TIMESTAMP_MS = 1_700_000_000_000

_MASK = (1 << 64) - 1
_EVENTS = ("click", "view", "purchase", "scroll", "login", "logout")
_WORDS = (
    "alpha", "delta", "cart", "home", "search", "mobile",
    "beta", "promo", "red", "blue", "eu", "us",
)  # fmt: skip


class Rng:
    """SplitMix64, as in the Rust bench: small, fast, the same on every platform."""

    __slots__ = ("state",)

    def __init__(self, seed: int) -> None:
        self.state = seed & _MASK

    def next_u64(self) -> int:
        self.state = (self.state + 0x9E37_79B9_7F4A_7C15) & _MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB) & _MASK
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        """A number in ``0..n`` (the tiny modulo bias does not matter here)."""
        return self.next_u64() % n


def _json_like(rng: Rng) -> bytes:
    below = rng.below
    text = '{"id":%d,"user":"u%05d","event":"%s","ts":%d,"v":%d.%02d,"note":"' % (
        1_000_000 + below(9_000_000),
        below(100_000),
        _EVENTS[below(len(_EVENTS))],
        BASE_TIMESTAMP_MS + below(86_400_000),
        below(1000),
        below(100),
    )
    while len(text) < RECORD_BYTES - 2:
        if not text.endswith('"'):
            text += " "
        text += _WORDS[below(len(_WORDS))]
    text = text[: RECORD_BYTES - 2] + '"}'
    data = text.encode()
    assert len(data) == RECORD_BYTES
    return data


def values(count: int, seed: int = SEED) -> list[bytes]:
    """``count`` JSON-like values of exactly :data:`RECORD_BYTES` bytes each."""
    rng = Rng(seed)
    return [_json_like(rng) for _ in range(count)]


def keys(count: int, seed: int = SEED + 1) -> list[bytes]:
    """``count`` 10-byte keys ``user-NNNNN`` (100,000 distinct), from their own stream."""
    rng = Rng(seed)
    return [b"user-%05d" % rng.below(100_000) for _ in range(count)]
