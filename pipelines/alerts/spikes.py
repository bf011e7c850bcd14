"""Spike alerts: mentions of a term jump well above their recent baseline.

The statistic: articles matching the rule's ``term`` are counted per UTC hour (by publication
time, else processing time). The current hour is a spike when

    count >= spike_min_count   and   count > mean + spike_k * std

where ``mean`` and ``std`` (population) are over the ``spike_baseline_hours`` hours before it,
hours without mentions counting as zero. A spike fires once per rule and hour (the alert id
is a hash of rule and hour), on the article that crosses the threshold.

:func:`is_spike` is the pure test; :class:`SpikeCounter` keeps hourly counts in SQLite.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.alerts.store import connect

logger = logging.getLogger(__name__)

HOUR = 3600


@dataclass(frozen=True)
class SpikeCheck:
    """The outcome of one check: the numbers, and whether they make a spike."""

    hour: int
    count: int
    mean: float
    std: float
    threshold: float
    spike: bool


def is_spike(count: int, history: Sequence[int], k: float, min_count: int, hour: int = 0) -> SpikeCheck:
    """Decides whether ``count`` is a spike over ``history`` (the previous hours' counts)."""
    mean = sum(history) / len(history) if history else 0.0
    std = math.sqrt(sum((c - mean) ** 2 for c in history) / len(history)) if history else 0.0
    threshold = mean + k * std
    return SpikeCheck(hour, count, mean, std, threshold, count >= min_count and count > threshold)


def article_hour(article: Mapping[str, Any], now: float) -> int:
    """The epoch second at the start of the article's UTC hour (publication time, else ``now``)."""
    stamp = now
    published = article.get("published")
    if published:
        try:
            parsed = dt.datetime.fromisoformat(str(published).replace("Z", "+00:00"))
            stamp = (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)).timestamp()
        except ValueError:
            pass
    return int(stamp // HOUR * HOUR)


class SpikeCounter:
    """Hourly mention counts per rule, durable, counting each article once.

    Args:
        path: the SQLite file (``<data_dir>/alerts-spikes.sqlite3``).
    """

    def __init__(self, path: str | Path) -> None:
        self._db = connect(path)
        self._db.executescript(
            "CREATE TABLE IF NOT EXISTS spike_counts (rule TEXT NOT NULL, hour INTEGER NOT NULL, "
            "count INTEGER NOT NULL, PRIMARY KEY (rule, hour));"
            "CREATE TABLE IF NOT EXISTS spike_seen (rule TEXT NOT NULL, article_id TEXT NOT NULL, "
            "PRIMARY KEY (rule, article_id));"
        )

    def add(self, rule: str, article_id: str, hour: int) -> int | None:
        """Counts the article (once); returns the hour's new count, or None when already counted."""
        with self._db:
            cursor = self._db.execute("INSERT OR IGNORE INTO spike_seen VALUES (?, ?)", (rule, article_id))
            if cursor.rowcount != 1:
                return None
            self._db.execute(
                "INSERT INTO spike_counts VALUES (?, ?, 1) ON CONFLICT (rule, hour) DO UPDATE SET count = count + 1",
                (rule, hour),
            )
            row = self._db.execute("SELECT count FROM spike_counts WHERE rule=? AND hour=?", (rule, hour)).fetchone()
        return int(row[0])

    def history(self, rule: str, hour: int, hours: int) -> list[int]:
        """The counts of the ``hours`` hours before ``hour`` (zeros included)."""
        rows = dict(
            self._db.execute(
                "SELECT hour, count FROM spike_counts WHERE rule=? AND hour>=? AND hour<?",
                (rule, hour - hours * HOUR, hour),
            ).fetchall()
        )
        return [int(rows.get(hour - i * HOUR, 0)) for i in range(hours, 0, -1)]

    def close(self) -> None:
        self._db.close()
