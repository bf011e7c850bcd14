"""Counters for ingest and replay, and how they are shown.

On a terminal a single status line on stderr is redrawn at most a few times a second; otherwise
(services, CI) each round ends with one structured ``key=value`` log line. Never a line per
article.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import time
from typing import TextIO

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class Counts:
    """What ingest or replay did. Feeds count polls; the rest count articles (or lines)."""

    feeds_polled: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    warnings: int = 0
    new: int = 0
    changed: int = 0
    duplicate: int = 0
    invalid: int = 0
    published: int = 0
    publish_failed: int = 0
    fulltext_extracted: int = 0
    fulltext_failed: int = 0
    elapsed: float = 0.0

    def add(self, other: Counts) -> None:
        """Adds ``other`` into this one (elapsed included)."""
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))

    @property
    def rate(self) -> float:
        """Articles published per second."""
        return self.published / self.elapsed if self.elapsed > 0 else 0.0

    def as_dict(self) -> dict[str, float]:
        out = dataclasses.asdict(self)
        out["elapsed"] = round(self.elapsed, 3)
        out["published_per_s"] = round(self.rate, 1)
        return out

    def line(self, *, feeds: bool = True) -> str:
        """A human summary such as ``3 feeds polled (1 not modified, 0 failed), 12 new, ...``."""
        parts = []
        if feeds:
            parts.append(
                f"{self.feeds_polled} feeds polled ({self.feeds_not_modified} not modified, {self.feeds_failed} failed)"
            )
        parts.append(f"{self.new} new, {self.changed} changed, {self.duplicate} duplicate, {self.invalid} invalid")
        parts.append(f"{self.published} published ({self.rate:.0f}/s)")
        if self.publish_failed:
            parts.append(f"{self.publish_failed} publish failures")
        if self.fulltext_extracted or self.fulltext_failed:
            parts.append(f"full text {self.fulltext_extracted} extracted / {self.fulltext_failed} fell back to summary")
        return ", ".join(parts)

    def structured(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.as_dict().items())


class Progress:
    """Shows :class:`Counts` while work goes on.

    Args:
        label: ``ingest`` or ``replay``.
        stream: where the status line goes (stderr); a TTY gets a live line.
        feeds: include feed counters in lines.
    """

    def __init__(
        self,
        label: str,
        stream: TextIO | None = None,
        *,
        feeds: bool = True,
        interval: float = 0.25,
        log_every: float = 60.0,
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.feeds = feeds
        self._interval = interval
        self._last = 0.0
        self._drawn = False
        self._log_every = log_every
        self._last_log = float("-inf")

    def update(self, counts: Counts, *, force: bool = False) -> None:
        """Redraws the status line on a TTY (throttled); does nothing otherwise."""
        if not self.live:
            return
        now = time.monotonic()
        if not force and now - self._last < self._interval:
            return
        self._last = now
        self.stream.write(f"\r\x1b[2K{self.label}: {counts.line(feeds=self.feeds)}")
        self.stream.flush()
        self._drawn = True

    def round_done(self, counts: Counts) -> None:
        """End of a polling round: a structured log line at most every ``log_every`` s (not on a TTY)."""
        if self.live:
            self.update(counts, force=True)
            return
        now = time.monotonic()
        if now - self._last_log >= self._log_every:
            self._last_log = now
            logger.info("%s progress %s", self.label, counts.structured())

    def finish(self, counts: Counts) -> None:
        """The final summary (always shown, on stderr)."""
        if self._drawn:
            self.stream.write("\n")
        self.stream.write(f"{self.label} summary: {counts.line(feeds=self.feeds)}\n")
        self.stream.flush()
        if not self.live:
            logger.info("%s done %s", self.label, counts.structured())


def per_feed_table(per_feed: dict[str, Counts]) -> list[str]:
    """One line per feed (``ingest -v``): new, changed, duplicate, invalid, not modified, failed."""
    width = max([len(name) for name in per_feed] + [4])
    columns = ("new", "changed", "duplicate", "invalid", "not modified", "failed", "warnings")
    lines = [f"{'feed':{width}s}  " + "  ".join(f"{c:>{max(len(c), 5)}s}" for c in columns)]
    for name in sorted(per_feed):
        c = per_feed[name]
        values = (c.new, c.changed, c.duplicate, c.invalid, c.feeds_not_modified, c.feeds_failed, c.warnings)
        lines.append(f"{name:{width}s}  " + "  ".join(f"{v:>{max(len(k), 5)}d}" for k, v in zip(columns, values)))
    return lines
