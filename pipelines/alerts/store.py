"""The durable delivery log (SQLite in ``data_dir``): what was delivered where, throttles, digests, stats.

One row per (alert id, channel) makes delivery at-most-once per channel across restarts and
replays: a worker *claims* the row (``INSERT OR IGNORE``) before it sends and marks the outcome
after. A claim left in ``sending`` by a crashed worker may be taken over after
``STALE_CLAIM_SECONDS``; a ``failed`` row may be claimed again by a replay.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any, Mapping

from schemas.files import connect_sqlite
from schemas.redact import redact

logger = logging.getLogger(__name__)

STALE_CLAIM_SECONDS = 600.0
FINAL = ("delivered", "duplicate", "throttled", "queued", "skipped")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    alert_id TEXT NOT NULL, channel TEXT NOT NULL, rule TEXT, status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, error TEXT, at REAL NOT NULL,
    PRIMARY KEY (alert_id, channel));
CREATE TABLE IF NOT EXISTS throttle (
    rule TEXT NOT NULL, key TEXT NOT NULL, last REAL NOT NULL, PRIMARY KEY (rule, key));
CREATE TABLE IF NOT EXISTS digest_queue (
    alert_id TEXT NOT NULL, channel TEXT NOT NULL, rule TEXT NOT NULL, period_start REAL NOT NULL,
    period TEXT NOT NULL, alert TEXT NOT NULL, PRIMARY KEY (alert_id, channel));
CREATE TABLE IF NOT EXISTS channel_stats (
    channel TEXT PRIMARY KEY, sent INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0, throttled INTEGER NOT NULL DEFAULT 0,
    queued INTEGER NOT NULL DEFAULT 0, last_error TEXT, last_error_at REAL, last_success_at REAL);
"""
_STAT_COLUMNS = {"delivered": "sent", "failed": "failed", "duplicate": "duplicates",
                 "throttled": "throttled", "queued": "queued"}


def connect(path: str | Path) -> sqlite3.Connection:
    """Opens (and creates) an SQLite database for use by several processes."""
    connection = connect_sqlite(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


class DeliveryLog:
    """Delivery records, throttle times, queued digest items and per-channel statistics.

    Args:
        path: the SQLite file (``<data_dir>/alerts-delivery.sqlite3``).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = connect(self.path)
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    # ---- deliveries ------------------------------------------------------------------------
    def claim(self, alert_id: str, channel: str, rule: str, now: float) -> bool:
        """Takes the right to deliver ``alert_id`` on ``channel``; False when it was delivered or is in hand."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO deliveries (alert_id, channel, rule, status, at) VALUES (?, ?, ?, 'sending', ?)",
                (alert_id, channel, rule, now))
            if cursor.rowcount == 1:
                return True
            cursor = self._db.execute(
                "UPDATE deliveries SET status='sending', at=? WHERE alert_id=? AND channel=? "
                "AND (status='failed' OR (status='sending' AND at < ?))",
                (now, alert_id, channel, now - STALE_CLAIM_SECONDS))
            return cursor.rowcount == 1

    def known(self, alert_id: str) -> bool:
        """True when any channel has a record of ``alert_id``."""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM deliveries WHERE alert_id=? LIMIT 1", (alert_id,)).fetchone()
        return row is not None

    def finish(self, alert_id: str, channel: str, status: str, now: float, attempts: int = 1,
               error: str | None = None) -> None:
        """Records the outcome of a claimed delivery and counts it in the channel's statistics."""
        column = _STAT_COLUMNS.get(status)
        error = redact(error, keep_paths=False)[:2000] if error else error  # the store never holds a URL's secret
        with self._lock:
            self._db.execute("UPDATE deliveries SET status=?, attempts=attempts+?, error=?, at=? "
                             "WHERE alert_id=? AND channel=?", (status, attempts, error, now, alert_id, channel))
            self._db.execute("INSERT OR IGNORE INTO channel_stats (channel) VALUES (?)", (channel,))
            if column:
                self._db.execute(f"UPDATE channel_stats SET {column}={column}+1 WHERE channel=?", (channel,))
            if status == "failed":
                self._db.execute("UPDATE channel_stats SET last_error=?, last_error_at=? WHERE channel=?",
                                 (error, now, channel))
            elif status == "delivered":
                self._db.execute("UPDATE channel_stats SET last_success_at=? WHERE channel=?", (now, channel))

    def status_of(self, alert_id: str, channel: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT status FROM deliveries WHERE alert_id=? AND channel=?",
                                   (alert_id, channel)).fetchone()
        return row[0] if row else None

    # ---- throttling ------------------------------------------------------------------------
    def throttled(self, rule: str, key: str | None, now: float, seconds: int) -> bool:
        """True when ``rule`` notified for ``key`` less than ``seconds`` ago."""
        with self._lock:
            row = self._db.execute("SELECT last FROM throttle WHERE rule=? AND key=?", (rule, key or "")).fetchone()
        return row is not None and now - row[0] < seconds

    def notified(self, rule: str, key: str | None, now: float) -> None:
        with self._lock:
            self._db.execute("INSERT INTO throttle (rule, key, last) VALUES (?, ?, ?) "
                             "ON CONFLICT (rule, key) DO UPDATE SET last=excluded.last", (rule, key or "", now))

    # ---- digests ---------------------------------------------------------------------------
    def queue(self, alert: Mapping[str, Any], channel: str, period_start: float, period: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO digest_queue VALUES (?, ?, ?, ?, ?, ?)",
                             (alert["id"], channel, alert["rule"], period_start, period,
                              json.dumps(alert, ensure_ascii=False)))

    def due_digests(self, now: float, period_seconds: Mapping[str, int]) -> list[tuple[str, str, float, str, list[dict]]]:
        """Returns ``(rule, channel, period_start, period, alerts)`` for every period that has ended."""
        with self._lock:
            rows = self._db.execute("SELECT rule, channel, period_start, period, alert FROM digest_queue "
                                    "ORDER BY rule, channel, period_start, rowid").fetchall()
        groups: dict[tuple[str, str, float, str], list[dict]] = {}
        for rule, channel, start, period, alert in rows:
            if start + period_seconds.get(period, 3600) <= now:
                groups.setdefault((rule, channel, start, period), []).append(json.loads(alert))
        return [(r, c, s, p, alerts) for (r, c, s, p), alerts in groups.items()]

    def drop_digest(self, rule: str, channel: str, period_start: float) -> None:
        with self._lock:
            self._db.execute("DELETE FROM digest_queue WHERE rule=? AND channel=? AND period_start=?",
                             (rule, channel, period_start))

    # ---- status ----------------------------------------------------------------------------
    def stats(self) -> list[dict[str, Any]]:
        """Per-channel counts and the last error, for ``peacewatch alerts status``."""
        with self._lock:
            cursor = self._db.execute("SELECT * FROM channel_stats ORDER BY channel")
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row)) for row in cursor.fetchall()]
            pending = self._db.execute("SELECT channel, COUNT(*) FROM digest_queue GROUP BY channel").fetchall()
        waiting = dict(pending)
        for row in rows:
            row["digest_pending"] = waiting.get(row["channel"], 0)
        return rows
