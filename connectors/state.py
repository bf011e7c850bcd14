"""The connectors' durable memory, in one SQLite file.

* ``published``: every article id published, when, to which topic, the Pub/Sub message id and
  the JSON payload (zlib-compressed). It is the de-duplication store (a restart, a re-poll or
  the same story in two feeds publishes nothing twice) and the source ``peacewatch reconcile``
  reads to republish articles missing from the index (:class:`PublishedLog`).
* ``feeds``: per feed URL, the ETag / Last-Modified for conditional GET, consecutive failures
  and the last error (for back-off and "log once").
* ``claims``: articles being published right now, by which process. Taking a claim and checking
  the published log happen in one write transaction (``BEGIN IMMEDIATE``), so two ``ingest`` or
  ``replay`` processes on one store never both publish an article: the second sees the claim or
  the record. A claim left by a crashed process is taken over after ``CLAIM_TTL`` seconds.

``published.content_hash`` (title, summary and text as normalised, before any full-text fetch)
tells a *changed* article (same canonical URL, other content) from a duplicate.

WAL mode lets readers (reconcile, a second shell) run while ingest writes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

from peacewatch.files import connect_sqlite

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
CREATE TABLE IF NOT EXISTS claims (
    article_id   TEXT PRIMARY KEY,
    owner        TEXT NOT NULL,
    claimed_at   REAL NOT NULL,
    content_hash TEXT
);
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
CLAIM_TTL = 900.0  # seconds after which another process may take over a claim (publish waits 60 s at most)


def content_hash(article: dict[str, Any]) -> str:
    """What "changed" compares: title, summary and text as normalised."""
    parts = [str(article.get(key) or "") for key in ("title", "summary", "text")]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


class Claimed(NamedTuple):
    """What :meth:`PublishedLog.claim` decided for a batch of articles.

    Attributes:
        fresh: the articles this process now holds claims on and should publish, in input order
            (new ones and changed ones).
        changed: how many of ``fresh`` were published before with other content.
        duplicate: articles left out: published with the same content, claimed by another
            publisher, or repeated in the batch.
    """

    fresh: list[dict[str, Any]]
    changed: int
    duplicate: int


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
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(published)")}
        if "content_hash" not in columns:  # a store from before "changed" articles were told apart
            with contextlib.suppress(sqlite3.OperationalError):  # another process added it meanwhile
                self._db.execute("ALTER TABLE published ADD COLUMN content_hash TEXT")
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> PublishedLog:
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
                chunk = ids[start : start + _IN_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(f"SELECT article_id FROM published WHERE article_id IN ({marks})", chunk)
                found.update(row[0] for row in rows)
        return found

    def record(
        self, items: Iterable[tuple[dict[str, Any], str | None]], topic: str, *, now: float | None = None
    ) -> int:
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
            (
                article["id"],
                stamp,
                topic,
                message_id,
                article.get("source"),
                zlib.compress(encode_payload(article), 6),
                article["id"],
                self.owner,
                content_hash(article),
            )
            for article, message_id in items
        ]
        if not rows:
            return 0
        with self._lock:
            self._db.execute("BEGIN")
            try:
                # The hash taken at claim time (before any full-text fetch) is what later polls compare.
                self._db.executemany(
                    "INSERT OR REPLACE INTO published (article_id, published_at, topic, message_id, source, payload, "
                    "content_hash) VALUES (?, ?, ?, ?, ?, ?, COALESCE((SELECT content_hash FROM claims "
                    "WHERE article_id = ? AND owner = ?), ?))",
                    rows,
                )
                self._db.executemany(
                    "DELETE FROM claims WHERE article_id = ? AND owner = ?", [(row[0], self.owner) for row in rows]
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return len(rows)

    def claim(self, articles: Iterable[dict[str, Any]], *, force: bool = False, now: float | None = None) -> Claimed:
        """Claims the articles to publish, atomically against other processes on this store.

        An article is fresh when it was never published (new), or was published with other
        content (changed), or ``force`` is set; and when no other publisher holds a live claim
        on it. Fresh articles are claimed for this log's :attr:`owner` until :meth:`record`
        (published) or :meth:`release` (not published).

        Args:
            articles: candidates with ``id`` set.
            force: claim even articles published with the same content (``replay --force``).
            now: the time (tests).
        """
        stamp = time.time() if now is None else now
        batch: dict[str, dict[str, Any]] = {}
        repeated = 0
        for article in articles:
            if article["id"] in batch:
                repeated += 1
            else:
                batch[article["id"]] = article
        fresh: list[dict[str, Any]] = []
        changed = duplicate = 0
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # one claimer at a time, across processes
            try:
                ids = list(batch)
                known: dict[str, tuple[str | None, str | None]] = {}
                for start in range(0, len(ids), _IN_CHUNK):
                    chunk = ids[start : start + _IN_CHUNK]
                    marks = ",".join("?" * len(chunk))
                    for article_id, digest, source in self._db.execute(
                        f"SELECT article_id, content_hash, source FROM published WHERE article_id IN ({marks})", chunk
                    ):
                        known[article_id] = (digest, source)
                for article_id, article in batch.items():
                    digest = content_hash(article)
                    was_published = article_id in known
                    before, source = known.get(article_id, (None, None))
                    # Changed: the same source now says something else. Another feed's version of
                    # the story is a duplicate (else two feeds would take turns republishing it),
                    # and a record from before hashes were kept cannot be compared.
                    differs = (
                        was_published and before is not None and before != digest and source == article.get("source")
                    )
                    if was_published and not differs and not force:
                        duplicate += 1
                        continue
                    taken = self._db.execute(
                        "INSERT INTO claims (article_id, owner, claimed_at, content_hash) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (article_id) DO UPDATE SET owner = excluded.owner, "
                        "claimed_at = excluded.claimed_at, "
                        "content_hash = excluded.content_hash WHERE claims.claimed_at < ?",
                        (article_id, self.owner, stamp, digest, stamp - CLAIM_TTL),
                    ).rowcount
                    if not taken:
                        duplicate += 1  # being published by another process (or another feed here)
                        continue
                    fresh.append(article)
                    changed += differs
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return Claimed(fresh, changed, duplicate + repeated)

    def release(self, article_ids: Iterable[str]) -> None:
        """Gives up this log's claims on ``article_ids`` (not published: a later poll may try again)."""
        rows = [(article_id, self.owner) for article_id in dict.fromkeys(article_ids)]
        if rows:
            with self._lock:
                self._db.executemany("DELETE FROM claims WHERE article_id = ? AND owner = ?", rows)

    def published_since(
        self, since: datetime | float | str, until: datetime | float | str | None = None
    ) -> Iterator[PublishedRecord]:
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
