"""The connectors' durable memory, in one SQLite file.

* ``published``: every article id published, when, to which topic, the Pub/Sub message id and
  the JSON payload (zlib-compressed). It is the de-duplication store (a restart, a re-poll or
  the same story in two feeds publishes nothing twice) and the source ``peacewatch reconcile``
  reads to republish articles missing from the index (:class:`PublishedLog`).
* ``feeds``: per feed URL, the ETag / Last-Modified for conditional GET, consecutive failures
  and the last error (for back-off and "log once").

WAL mode lets readers (reconcile, a second shell) run while ingest writes.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple

from schemas.files import connect_sqlite

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS published (
    article_id   TEXT PRIMARY KEY,
    published_at REAL NOT NULL,
    topic        TEXT NOT NULL,
    message_id   TEXT,
    source       TEXT,
    payload      BLOB
);
CREATE INDEX IF NOT EXISTS published_at_idx ON published (published_at);
CREATE TABLE IF NOT EXISTS feeds (
    url           TEXT PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT,
    failures      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    last_success  REAL,
    updated_at    REAL
);
"""
_IN_CHUNK = 500  # well under SQLite's host-parameter limit


class PublishedRecord(NamedTuple):
    """One row of the published log."""

    article_id: str
    published_at: datetime
    topic: str
    message_id: str | None
    source: str | None


@dataclasses.dataclass
class FeedState:
    """What the poller remembers about one feed URL."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    last_error: str | None = None


def _timestamp(moment: datetime | float | int | str) -> float:
    if isinstance(moment, (int, float)):
        return float(moment)
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def encode_payload(article: dict[str, Any]) -> bytes:
    """The exact JSON bytes published for ``article`` (compact, UTF-8)."""
    return json.dumps(article, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class PublishedLog:
    """Read and write access to the connectors' SQLite store.

    Args:
        path: the SQLite file (created with its folder when missing).

    The connection is shared by threads behind a lock; create one instance per process.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = connect_sqlite(self.path, check_same_thread=False, timeout=30.0, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> "PublishedLog":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- published articles ---------------------------------------------------------
    def known(self, article_ids: Iterable[str]) -> set[str]:
        """The subset of ``article_ids`` already recorded as published."""
        ids = list(dict.fromkeys(article_ids))
        found: set[str] = set()
        with self._lock:
            for start in range(0, len(ids), _IN_CHUNK):
                chunk = ids[start: start + _IN_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(f"SELECT article_id FROM published WHERE article_id IN ({marks})", chunk)
                found.update(row[0] for row in rows)
        return found

    def record(self, items: Iterable[tuple[dict[str, Any], str | None]], topic: str, *, now: float | None = None) -> int:
        """Records published articles, with their message ids, in one transaction.

        Args:
            items: ``(article, message_id)`` pairs whose publish futures have completed.
            topic: the topic path they went to.
            now: the time to record (defaults to now).

        Returns:
            The number of rows written.
        """
        stamp = time.time() if now is None else now
        rows = [
            (article["id"], stamp, topic, message_id, article.get("source"), zlib.compress(encode_payload(article), 6))
            for article, message_id in items
        ]
        if not rows:
            return 0
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany("INSERT OR REPLACE INTO published VALUES (?, ?, ?, ?, ?, ?)", rows)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return len(rows)

    def published_since(self, since: datetime | float | str, until: datetime | float | str | None = None) -> Iterator[PublishedRecord]:
        """Articles published at or after ``since`` (and before ``until``), oldest first.

        Args:
            since: an aware datetime, epoch seconds or an ISO 8601 string.
            until: optional exclusive upper bound, same types.
        """
        low = _timestamp(since)
        high = _timestamp(until) if until is not None else float("inf")
        with self._lock:
            rows = self._db.execute(
                "SELECT article_id, published_at, topic, message_id, source FROM published "
                "WHERE published_at >= ? AND published_at < ? ORDER BY published_at, article_id",
                (low, high),
            ).fetchall()
        for article_id, stamp, topic, message_id, source in rows:
            yield PublishedRecord(article_id, datetime.fromtimestamp(stamp, tz=timezone.utc), topic, message_id, source)

    def get_payload(self, article_id: str) -> dict[str, Any] | None:
        """The article exactly as it was published, or ``None`` when unknown."""
        with self._lock:
            row = self._db.execute("SELECT payload FROM published WHERE article_id = ?", (article_id,)).fetchone()
        if row is None or row[0] is None:
            return None
        return json.loads(zlib.decompress(row[0]).decode("utf-8"))

    def count(self) -> int:
        """How many articles are recorded."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM published").fetchone()[0])

    # ---- feed state -----------------------------------------------------------------
    def feed_state(self, url: str) -> FeedState:
        """What is remembered about ``url`` (an empty state for a new feed)."""
        with self._lock:
            row = self._db.execute(
                "SELECT etag, last_modified, failures, last_error FROM feeds WHERE url = ?", (url,)
            ).fetchone()
        if row is None:
            return FeedState(url)
        return FeedState(url, row[0], row[1], int(row[2] or 0), row[3])

    def feed_succeeded(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Remembers validators for the next conditional GET and clears failures."""
        now = time.time()
        with self._lock:
            self._db.execute(
                "INSERT INTO feeds (url, etag, last_modified, failures, last_error, last_success, updated_at) "
                "VALUES (?, ?, ?, 0, NULL, ?, ?) ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, "
                "last_modified = excluded.last_modified, failures = 0, last_error = NULL, "
                "last_success = excluded.last_success, updated_at = excluded.updated_at",
                (url, etag, last_modified, now, now),
            )

    def feed_not_modified(self, url: str) -> None:
        """A 304: validators stay, failures clear."""
        now = time.time()
        with self._lock:
            self._db.execute(
                "UPDATE feeds SET failures = 0, last_error = NULL, last_success = ?, updated_at = ? WHERE url = ?",
                (now, now, url),
            )

    def feed_failed(self, url: str, reason: str) -> FeedState:
        """Counts a failure; returns the state *before* it (to log only new reasons)."""
        before = self.feed_state(url)
        with self._lock:
            self._db.execute(
                "INSERT INTO feeds (url, failures, last_error, updated_at) VALUES (?, 1, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET failures = failures + 1, last_error = excluded.last_error, "
                "updated_at = excluded.updated_at",
                (url, reason, time.time()),
            )
        return before


def default_state_path(settings: Any) -> Path:
    """``<settings.data_dir>/connectors.sqlite3``."""
    return Path(settings.data_dir) / "connectors.sqlite3"
