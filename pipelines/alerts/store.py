"""The delivery log: what was delivered where, throttles, queued digest items and statistics.

It lives in Elasticsearch (index ``<prefix>-alert-deliveries``, created on first use), so that
every delivery worker of a deployment, on any host, shares it: one document per (alert, channel)
makes delivery at most once per channel, whichever worker gets the alert.

* A worker *claims* (alert, channel) before sending: ``create`` of the claim document, or, when
  it exists, a compare-and-set (``if_seq_no``/``if_primary_term``) from a retryable state
  (``failed``, or ``sending`` whose owner is gone: a process of this host that no longer runs,
  or a lease that ran out). Two workers can never both hold a claim.
* Throttles are one document per (rule, key) with the time of the period's notification, taken
  by compare-and-set; the decision for an alert is recorded once, so a retried alert keeps it.
* Digest items wait in documents of their own until their period ends; the digest itself is
  claimed like a delivery, so one worker sends it.
* Per-channel statistics are counters changed by compare-and-set too (the minimal Elasticsearch
  distribution the project runs locally has no scripting).

:func:`connect` opens the SQLite files of the matching state (stance changes, spike counts),
which stay per host.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import sqlite3
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from peacewatch.files import connect_sqlite
from peacewatch.redact import redact

logger = logging.getLogger(__name__)

CLAIM_LEASE_SECONDS = 120.0  # a claim whose worker stopped renewing it is taken over after this
FINAL = ("delivered", "duplicate", "throttled", "queued", "skipped", "dead")
_STAT_FIELDS = {
    "delivered": "sent",
    "failed": "failed",
    "duplicate": "duplicates",
    "throttled": "throttled",
    "queued": "queued",
    "dead": "failed",
}
MAPPINGS = {
    "dynamic": False,
    "properties": {
        "kind": {"type": "keyword"},
        "alert_id": {"type": "keyword"},
        "channel": {"type": "keyword"},
        "rule": {"type": "keyword"},
        "status": {"type": "keyword"},
        "owner": {"type": "keyword"},
        "at": {"type": "double"},
        "lease_until": {"type": "double"},
        "attempts": {"type": "integer"},
        "error": {"type": "keyword", "index": False, "doc_values": False},
        "key": {"type": "keyword"},
        "last": {"type": "double"},
        "is_throttled": {"type": "boolean"},
        "period_start": {"type": "double"},
        "period": {"type": "keyword"},
        "alert": {"type": "object", "enabled": False},
        "sent": {"type": "long"},
        "failed": {"type": "long"},
        "duplicates": {"type": "long"},
        "throttled": {"type": "long"},
        "queued": {"type": "long"},
        "last_error": {"type": "keyword", "index": False, "doc_values": False},
        "last_error_at": {"type": "double"},
        "last_success_at": {"type": "double"},
    },
}


def connect(path: str | Path) -> sqlite3.Connection:
    """Opens (and creates) an SQLite database for use by several processes."""
    connection = connect_sqlite(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def _doc_id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:40]


def owner_id() -> str:
    """This process, as ``host:pid:start`` (the start time tells a reused pid apart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_process_start(os.getpid())}"


def _process_start(pid: int) -> str:
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "?"


def owner_gone(owner: str | None) -> bool:
    """True when ``owner`` is a process of this host that no longer runs (another host: unknown, False)."""
    try:
        host, pid, start = str(owner).rsplit(":", 2)
    except ValueError:
        return False
    if host != socket.gethostname():
        return False
    return _process_start(int(pid)) != start if pid.isdigit() else False


class DeliveryLog:
    """Delivery records, throttle times, queued digest items and per-channel statistics.

    Args:
        es: an Elasticsearch client.
        index: the index name (``settings.index("alert-deliveries")``).
    """

    def __init__(self, es: Any, index: str) -> None:
        self.es = es
        self.index = index
        self.owner = owner_id()
        self._ready = False

    def ensure_index(self) -> None:
        from elasticsearch import BadRequestError

        if self._ready:
            return
        if not self.es.indices.exists(index=self.index):
            try:
                self.es.indices.create(
                    index=self.index, mappings=MAPPINGS, settings={"number_of_shards": 1, "auto_expand_replicas": "0-1"}
                )
            except BadRequestError as exc:  # another worker created it first
                if "resource_already_exists" not in str(exc):
                    raise
        self._ready = True

    def exists(self) -> bool:
        return bool(self.es.indices.exists(index=self.index))

    def close(self) -> None:
        """Nothing to release: the Elasticsearch client belongs to the caller."""

    # ---- deliveries ------------------------------------------------------------------------
    def claim(self, alert_id: str, channel: str, rule: str, now: float) -> str:
        """Takes the right to deliver ``alert_id`` on ``channel``.

        Returns:
            ``claimed`` (send it), ``done`` (already delivered or otherwise finished: never send)
            or ``busy`` (another worker holds it now: try again later).
        """
        from elasticsearch import ConflictError, NotFoundError

        self.ensure_index()
        doc_id = _doc_id("delivery", alert_id, channel)
        fresh = {
            "kind": "delivery",
            "alert_id": alert_id,
            "channel": channel,
            "rule": rule,
            "status": "sending",
            "owner": self.owner,
            "at": now,
            "lease_until": now + CLAIM_LEASE_SECONDS,
            "attempts": 0,
        }
        try:
            self.es.create(index=self.index, id=doc_id, document=fresh, refresh=False)
            return "claimed"
        except ConflictError:
            pass
        try:
            found = self.es.get(index=self.index, id=doc_id)
        except NotFoundError:
            return "busy"
        current = found["_source"]
        status = current.get("status")
        if status in FINAL:
            return "done"
        # A claim being sent is never taken from a live worker, this process's other DoFn instances
        # included: only once its owner is gone (a process of this host that no longer runs) or its
        # lease ran out.
        retryable = status in ("failed", "waiting") or (
            status == "sending" and (float(current.get("lease_until") or 0) < now or owner_gone(current.get("owner")))
        )
        if not retryable:
            return "busy"
        taken = {
            **current,
            "status": "sending",
            "owner": self.owner,
            "at": now,
            "lease_until": now + CLAIM_LEASE_SECONDS,
        }
        try:
            self.es.index(
                index=self.index,
                id=doc_id,
                document=taken,
                if_seq_no=found["_seq_no"],
                if_primary_term=found["_primary_term"],
                refresh=False,
            )
        except ConflictError:
            return "busy"
        return "claimed"

    def _change(self, doc_id: str, mutate: Callable[[dict[str, Any]], None], initial: dict[str, Any]) -> None:
        """Read, change, write back under compare-and-set (the minimal Elasticsearch has no scripting)."""
        from elasticsearch import ConflictError, NotFoundError

        for _ in range(20):
            try:
                found = self.es.get(index=self.index, id=doc_id)
            except NotFoundError:
                document = dict(initial)
                mutate(document)
                try:
                    self.es.create(index=self.index, id=doc_id, document=document, refresh=False)
                    return
                except ConflictError:
                    continue
            document = found["_source"]
            mutate(document)
            try:
                self.es.index(
                    index=self.index,
                    id=doc_id,
                    document=document,
                    if_seq_no=found["_seq_no"],
                    if_primary_term=found["_primary_term"],
                    refresh=False,
                )
                return
            except ConflictError:
                continue
        raise RuntimeError(f"{doc_id}: too many concurrent updates")

    def finish(
        self, alert_id: str, channel: str, status: str, now: float, attempts: int = 1, error: str | None = None
    ) -> None:
        """Records the outcome of a claimed delivery and counts it in the channel's statistics."""
        error = redact(error, keep_paths=False)[:2000] if error else error  # the log never holds a URL's secret

        def outcome(document: dict[str, Any]) -> None:
            document.update(
                status=status,
                at=now,
                error=error,
                lease_until=0,
                attempts=int(document.get("attempts") or 0) + attempts,
            )

        self._change(
            _doc_id("delivery", alert_id, channel),
            outcome,
            {"kind": "delivery", "alert_id": alert_id, "channel": channel},
        )
        self._count(channel, status, now, error)

    def _count(self, channel: str, status: str, now: float, error: str | None) -> None:
        field = _STAT_FIELDS.get(status)
        if field is None:
            return

        def count(row: dict[str, Any]) -> None:
            row[field] = int(row.get(field) or 0) + 1
            if status in ("failed", "dead"):
                row.update(last_error=error, last_error_at=now)
            elif status == "delivered":
                row["last_success_at"] = now

        self._change(
            _doc_id("stats", channel),
            count,
            {
                "kind": "stats",
                "channel": channel,
                "sent": 0,
                "failed": 0,
                "duplicates": 0,
                "throttled": 0,
                "queued": 0,
                "last_error": None,
                "last_error_at": None,
                "last_success_at": None,
            },
        )

    def release(self, alert_id: str, channel: str, now: float) -> None:
        """Gives a claim back unsent (its channel is suspended): ``waiting``, claimable again, not counted."""

        def waiting(document: dict[str, Any]) -> None:
            document.update(status="waiting", at=now, lease_until=0)

        self._change(
            _doc_id("delivery", alert_id, channel),
            waiting,
            {"kind": "delivery", "alert_id": alert_id, "channel": channel},
        )

    def note_failure(self, alert_id: str, channel: str, now: float, error: str) -> None:
        """A send failed and will be retried: the claim becomes ``failed`` (retryable) and is counted."""
        self.finish(alert_id, channel, "failed", now, 1, error)

    # ---- the outbox -------------------------------------------------------------------------
    def published(self, alert_ids: list[str]) -> set[str]:
        """Which of ``alert_ids`` were published to the outbox (the ``alerts`` topic) already."""
        if not alert_ids:
            return set()
        self.ensure_index()
        found = self.es.mget(index=self.index, ids=[_doc_id("published", a) for a in alert_ids], source=False)
        return {a for a, doc in zip(alert_ids, found["docs"]) if doc.get("found")}

    def mark_published(self, alert_ids: list[str], now: float) -> None:
        from elasticsearch import helpers

        if not alert_ids:
            return
        self.ensure_index()
        actions = (
            {
                "_op_type": "index",
                "_index": self.index,
                "_id": _doc_id("published", a),
                "_source": {"kind": "published", "alert_id": a, "at": now},
            }
            for a in alert_ids
        )
        _, errors = helpers.bulk(self.es, actions, raise_on_error=False, max_retries=3)
        if errors:
            raise RuntimeError(f"{len(errors)} outbox marks not written: {str(errors[0])[:300]}")

    # ---- throttling ------------------------------------------------------------------------
    def throttle_decision(self, alert_id: str, rule: str, key: str | None, now: float, seconds: int) -> bool:
        """Whether ``alert_id`` is throttled: decided once per alert, whichever worker asks first.

        The first alert of a rule and key in each period of ``seconds`` takes the period (it is not
        throttled); the others of that period are.
        """
        from elasticsearch import ConflictError, NotFoundError

        self.ensure_index()
        decision_id = _doc_id("throttle-decision", alert_id)
        try:
            return bool(self.es.get(index=self.index, id=decision_id)["_source"]["is_throttled"])
        except NotFoundError:
            pass
        throttled = not self._take_period(rule, key or "", now, seconds)
        try:
            self.es.create(
                index=self.index,
                id=decision_id,
                refresh=False,
                document={
                    "kind": "throttle-decision",
                    "alert_id": alert_id,
                    "rule": rule,
                    "is_throttled": throttled,
                    "at": now,
                },
            )
        except ConflictError:  # decided meanwhile by another worker: theirs stands
            return bool(self.es.get(index=self.index, id=decision_id)["_source"]["is_throttled"])
        return throttled

    def _take_period(self, rule: str, key: str, now: float, seconds: int) -> bool:
        from elasticsearch import ConflictError, NotFoundError

        doc_id = _doc_id("throttle", rule, key)
        for _ in range(5):
            try:
                found = self.es.get(index=self.index, id=doc_id)
            except NotFoundError:
                try:
                    self.es.create(
                        index=self.index,
                        id=doc_id,
                        refresh=False,
                        document={"kind": "throttle", "rule": rule, "key": key, "last": now},
                    )
                    return True
                except ConflictError:
                    continue
            if now - float(found["_source"].get("last") or 0) < seconds:
                return False
            try:
                self.es.index(
                    index=self.index,
                    id=doc_id,
                    if_seq_no=found["_seq_no"],
                    if_primary_term=found["_primary_term"],
                    refresh=False,
                    document={"kind": "throttle", "rule": rule, "key": key, "last": now},
                )
                return True
            except ConflictError:
                continue
        return False

    # ---- digests ---------------------------------------------------------------------------
    def queue(self, alert: Mapping[str, Any], channel: str, period_start: float, period: str) -> None:
        self.ensure_index()
        self.es.index(
            index=self.index,
            id=_doc_id("digest-item", alert["id"], channel),
            refresh=False,
            document={
                "kind": "digest-item",
                "alert_id": alert["id"],
                "channel": channel,
                "rule": alert["rule"],
                "period_start": period_start,
                "period": period,
                "at": time.time(),
                "alert": json.loads(json.dumps(alert, ensure_ascii=False)),
            },
        )

    def due_digests(
        self, now: float, period_seconds: Mapping[str, int]
    ) -> list[tuple[str, str, float, str, list[dict]]]:
        """Returns ``(rule, channel, period_start, period, alerts)`` for every period that has ended."""
        if not self.exists():
            return []
        self.es.indices.refresh(index=self.index)
        shortest = min(period_seconds.values()) if period_seconds else 3600
        groups: dict[tuple[str, str, float, str], list[dict]] = {}
        search_after = None
        while True:
            response = self.es.search(
                index=self.index,
                size=500,
                sort=[{"period_start": "asc"}, {"at": "asc"}],
                query={
                    "bool": {
                        "filter": [
                            {"term": {"kind": "digest-item"}},
                            {"range": {"period_start": {"lte": now - shortest}}},
                        ]
                    }
                },
                search_after=search_after,
            )
            hits = response["hits"]["hits"]
            for hit in hits:
                item = hit["_source"]
                start, period = float(item["period_start"]), item["period"]
                if start + period_seconds.get(period, 3600) <= now:
                    groups.setdefault((item["rule"], item["channel"], start, period), []).append(item["alert"])
            if len(hits) < 500:
                break
            search_after = hits[-1]["sort"]
        return [(r, c, s, p, alerts) for (r, c, s, p), alerts in groups.items()]

    def drop_digest(self, rule: str, channel: str, period_start: float) -> None:
        """Removes the items of a digest that was sent (search, then bulk delete: the minimal
        Elasticsearch has no delete-by-query)."""
        from elasticsearch import helpers

        self.es.indices.refresh(index=self.index)
        query = {
            "bool": {
                "filter": [
                    {"term": {"kind": "digest-item"}},
                    {"term": {"rule": rule}},
                    {"term": {"channel": channel}},
                    {"term": {"period_start": period_start}},
                ]
            }
        }
        while True:
            hits = self.es.search(index=self.index, size=1000, query=query, source=False)["hits"]["hits"]
            if not hits:
                return
            helpers.bulk(
                self.es,
                ({"_op_type": "delete", "_index": self.index, "_id": h["_id"]} for h in hits),
                raise_on_error=False,
                refresh=True,
            )

    # ---- status ----------------------------------------------------------------------------
    def stats(self) -> list[dict[str, Any]]:
        """Per-channel counts and the last error, for ``peacewatch alerts status``."""
        if not self.exists():
            return []
        self.es.indices.refresh(index=self.index)
        rows = [
            hit["_source"]
            for hit in self.es.search(
                index=self.index, size=1000, sort=[{"channel": "asc"}], query={"term": {"kind": "stats"}}
            )["hits"]["hits"]
        ]
        pending = self.es.search(
            index=self.index,
            size=0,
            query={"term": {"kind": "digest-item"}},
            aggs={"channels": {"terms": {"field": "channel", "size": 1000}}},
        )
        waiting = {b["key"]: b["doc_count"] for b in pending["aggregations"]["channels"]["buckets"]}
        for row in rows:
            row["digest_pending"] = waiting.get(row["channel"], 0)
            for name in ("sent", "failed", "duplicates", "throttled", "queued"):
                row[name] = int(row.get(name) or 0)
        return rows
