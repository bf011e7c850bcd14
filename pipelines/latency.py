"""Publish -> indexed latency as Beam counters, so that every runner can report its percentiles.

Beam distributions keep count, sum, min and max only. The writer therefore also counts each
document in one of a fixed set of buckets (counters ``latency_le_<ms>``); the progress lines
estimate p50 and p95 from the bucket counts, by linear interpolation inside the bucket.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence

BOUNDS_MS: tuple[int, ...] = (
    50,
    100,
    150,
    200,
    300,
    400,
    500,
    700,
    1000,
    1500,
    2000,
    3000,
    5000,
    7500,
    10000,
    20000,
    30000,
    60000,
    120000,
    300000,
    900000,
)
PREFIX = "latency_le_"
OVERFLOW = f"{PREFIX}inf"


def bucket_name(latency_ms: float) -> str:
    """The counter that counts ``latency_ms``."""
    index = bisect.bisect_left(BOUNDS_MS, latency_ms)
    return OVERFLOW if index == len(BOUNDS_MS) else f"{PREFIX}{BOUNDS_MS[index]}"


def bucket_names() -> list[str]:
    return [f"{PREFIX}{b}" for b in BOUNDS_MS] + [OVERFLOW]


def percentiles(counts: Mapping[str, int], quantiles: Sequence[float] = (0.5, 0.95)) -> list[float] | None:
    """Estimates the ``quantiles`` (0..1) of the latencies counted in ``counts`` (None when empty)."""
    sizes = [max(int(counts.get(name, 0)), 0) for name in bucket_names()]
    total = sum(sizes)
    if not total:
        return None
    lows = (0, *BOUNDS_MS)
    highs = (*BOUNDS_MS, BOUNDS_MS[-1] * 2)
    out = []
    for q in quantiles:
        rank = q * total
        seen = 0
        for size, low, high in zip(sizes, lows, highs):
            if size and seen + size >= rank:
                out.append(low + (high - low) * max(rank - seen, 0) / size)
                break
            seen += size
        else:
            out.append(float(highs[-1]))
    return out
