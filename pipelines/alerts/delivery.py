"""Turns matches into alerts and delivers them: once per channel, throttled, digested, retried.

:func:`build_alert` makes the alert document (``schemas/json/alert.v1.json``) with a
deterministic id (hash of rule, article and kind), so a replayed article yields the same alert.

:class:`AlertDispatcher` delivers alerts on each rule's channels. Per alert and channel it
claims a row in the :class:`~pipelines.alerts.store.DeliveryLog` first, so nothing is sent twice,
even across restarts. ``index`` and ``topic`` are the record: every alert goes there. The
notifying channels (webhook, slack, email) honour the rule's ``throttle`` (one notification per
period per rule and key) and ``digest`` (alerts queued and sent as one message per period by
:meth:`AlertDispatcher.flush_digests`). A failed send is retried with exponential backoff; when
it still fails the alert becomes a dead letter (stage ``alert-delivery``) and the other channels
carry on. A channel that fails ``BREAKER_FAILURES`` times in a row is suspended for
``BREAKER_SECONDS`` (its alerts go straight to dead letters) so it cannot slow the rest down.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import quote

from pipelines.alerts.channels import (Channel, ChannelSpec, DuplicateAlert, SmtpConfig, build_channel, channel_name,
                                      display_channel, parse_channel)
from pipelines.alerts.matcher import Match
from pipelines.alerts.render import make_snippet
from pipelines.alerts.rules import Rule
from pipelines.alerts.store import DeliveryLog

logger = logging.getLogger(__name__)

STAGE = "alert-delivery"
RETRY_DELAYS: tuple[float, ...] = (0.5, 2.0)
BREAKER_FAILURES = 3
BREAKER_SECONDS = 300.0
DIGEST_SECONDS = {"hourly": 3600, "daily": 86400}
_STANCE_KEYS = ("actor", "actor_type", "actor_code", "stance", "mission", "commitment", "confidence", "evidence")


def _iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def alert_id(rule: str, subject: str | None, kind: str, extra: str = "") -> str:
    """The deterministic id of an alert: a hash of rule, article (or other subject), kind and extra."""
    text = "\x1f".join((rule, subject or "", kind, extra))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _rison_string(text: str) -> str:
    return "'" + text.replace("!", "!!").replace("'", "!'") + "'"


def kibana_discover_url(settings: Any, article_id: str | None) -> str | None:
    """A Kibana Discover link that shows the one article (data view id = the articles alias)."""
    if not article_id:
        return None
    base = settings.kibana_url.rstrip("/")
    data_view = settings.index("articles")
    app_state = (f"(dataSource:(dataViewId:{_rison_string(data_view)},type:dataView),"
                 f"query:(language:kuery,query:{_rison_string(f'id:{json.dumps(article_id)}')}))")
    global_state = "(time:(from:now-5y,to:now))"
    return f"{base}/app/discover#/?_g={quote(global_state, safe='():,')}&_a={quote(app_state, safe='():,')}"


def kibana_board_url(settings: Any, mission: str) -> str:
    """The Kibana "Stance board" dashboard filtered on one mission, over the last year."""
    base = settings.kibana_url.rstrip("/")
    dashboard = f"{settings.prefix}-stance-board"
    app_state = f"(query:(language:kuery,query:{_rison_string(f'mission:{json.dumps(mission)}')}))"
    global_state = "(time:(from:now-1y,to:now))"
    return (f"{base}/app/dashboards#/view/{dashboard}?_g={quote(global_state, safe='():,')}"
            f"&_a={quote(app_state, safe='():,')}")


def build_alert(rule: Rule, article: Mapping[str, Any], match: Match, settings: Any,
                now: float | None = None, kind: str = "match", details: Mapping[str, Any] | None = None,
                extra_id: str = "") -> dict[str, Any]:
    """Builds the alert document for one match (valid against ``alert.v1.json``).

    Args:
        rule: the rule that matched.
        article: the enriched article.
        match: what matched (terms for the snippet, throttle key).
        settings: for the Kibana link and index names.
        now: creation time (seconds since the epoch); the current time by default.
        kind: ``match``, ``stance_change`` or ``spike``.
        details: extra facts for the kind (previous stance, spike statistics).
        extra_id: what else makes this alert unique (actor of a stance change, hour of a spike).
    """
    now = time.time() if now is None else now
    article_id_ = article.get("id")
    stances = [{k: s.get(k) for k in _STANCE_KEYS if s.get(k) is not None}
               for s in article.get("stances") or [] if isinstance(s, Mapping)]
    return {
        "id": alert_id(rule.name, article_id_, kind, extra_id),
        "rule": rule.name,
        "kind": kind,
        "article_id": article_id_,
        "title": str(article.get("title") or "(untitled)"),
        "url": article.get("url"),
        "source": article.get("source"),
        "published": article.get("published"),
        "created": _iso(now),
        "snippet": make_snippet(article, match.matched_terms),
        "matched_terms": list(match.matched_terms),
        "stances": stances,
        "kibana_url": kibana_board_url(settings, rule.mission) if getattr(rule, "mission", None)
        else kibana_discover_url(settings, article_id_),
        "key": match.key,
        "channels": [display_channel(c) for c in rule.all_channels],  # never a webhook URL
        "details": {"query": rule.effective_query, "countries": list(article.get("countries") or []),
                    "relevance": article.get("relevance"), **(details or {})},
    }


def deadletter(alert: Mapping[str, Any], channel: str, reason: str, error_type: str | None, now: float) -> dict[str, Any]:
    """A dead letter (``deadletter.v1.json``) for an alert that could not be delivered on ``channel``."""
    payload = json.dumps(alert, ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(f"{STAGE}\x1f{channel}\x1f{payload}".encode("utf-8")).hexdigest()[:32]
    return {"id": digest, "stage": STAGE, "reason": f"{channel}: {reason}", "error_type": error_type,
            "payload": payload, "payload_encoding": "utf-8", "article_id": alert.get("article_id"),
            "attributes": {"rule": str(alert.get("rule")), "channel": channel, "alert_id": str(alert.get("id"))},
            "created": _iso(now)}


def _safe_error(exc: BaseException) -> str:
    """An error message fit for logs and dead letters: URLs cut to their host (webhook paths are secrets)."""
    from schemas.redact import redact

    return redact(str(exc) or type(exc).__name__, keep_paths=False)[:500]


def period_start(now: float, digest: str) -> float:
    """The start of the digest period (UTC hour or day) that contains ``now``."""
    seconds = DIGEST_SECONDS[digest]
    return now - (now % seconds)


class AlertDispatcher:
    """Delivers alerts on their rules' channels.

    Args:
        settings: ``Settings`` (data_dir for the log, alerts index and topic, ES and Pub/Sub).
        rules: the rules in force (alerts of rules not among them are dropped: removed rules stay silent).
        clock: seconds since the epoch (for tests).
        sleep: used between retries (tests pass a no-op).
        retry_delays: the waits before each retry.
        log_path: the delivery log; default ``<data_dir>/alerts-delivery.sqlite3``.
        clients: prebuilt clients (``es``, ``publisher``) to share; created in setup() otherwise.
    """

    def __init__(self, settings: Any, rules: Iterable[Rule], clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep, retry_delays: Sequence[float] = RETRY_DELAYS,
                 log_path: str | Path | None = None, clients: Mapping[str, Any] | None = None) -> None:
        self.settings = settings
        self.rules = {r.name: r for r in rules}
        self.clock = clock
        self.sleep = sleep
        self.retry_delays = tuple(retry_delays)
        self.log_path = Path(log_path) if log_path else Path(settings.data_dir) / "alerts-delivery.sqlite3"
        self._given_clients = dict(clients or {})
        self.log: DeliveryLog | None = None
        self.channels: dict[str, Channel] = {}
        self.broken: dict[str, str] = {}
        self._clients: dict[str, Any] = {}
        self._failures: dict[str, int] = {}
        self._suspended_until: dict[str, float] = {}
        self._errors: dict[str, str | None] = {}

    # ---- lifecycle -------------------------------------------------------------------------
    def setup(self) -> None:
        """Opens the delivery log and creates the clients and channels."""
        import requests

        from schemas.clients import elasticsearch_client, publisher_client

        self.log = DeliveryLog(self.log_path)
        clients = dict(self._given_clients)
        if "es" not in clients:
            clients["es"] = elasticsearch_client(self.settings)
        if "publisher" not in clients:
            clients["publisher"] = publisher_client(self.settings)
        clients.setdefault("http", requests.Session)
        clients.setdefault("smtp", SmtpConfig.from_env)
        clients.setdefault("alerts_index", self.settings.index("alerts"))
        clients.setdefault("alerts_topic", self.settings.topic_path("alerts"))
        self._clients = clients
        self._build_channels()

    def set_rules(self, rules: Iterable[Rule]) -> None:
        """Replaces the rules in force (after the rules file changed) and builds new channels."""
        self.rules = {r.name: r for r in rules}
        if self.log is not None:
            self._build_channels()

    def _build_channels(self) -> None:
        specs: dict[str, ChannelSpec] = {}
        for rule in self.rules.values():
            for text in rule.all_channels:
                spec = parse_channel(text, f"rule {rule.name!r}")
                specs[channel_name(spec)] = spec
        for name, spec in specs.items():
            if name in self.channels or name in self.broken:
                continue
            try:
                self.channels[name] = build_channel(spec, self._clients)
            except Exception as exc:  # reported per alert as a dead letter, and in status
                self.broken[name] = _safe_error(exc)
                logger.error("alert channel %s cannot be set up: %s", name, self.broken[name])

    def close(self) -> None:
        """Closes channels and the delivery log."""
        for channel in self.channels.values():
            channel.close()
        self.channels.clear()
        if self.log is not None:
            self.log.close()
            self.log = None

    # ---- delivery --------------------------------------------------------------------------
    def dispatch(self, alerts: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Delivers each alert on each of its rule's channels, at most once per channel.

        Returns:
            Dead letters for deliveries that failed after retries.
        """
        if self.log is None:
            raise RuntimeError("AlertDispatcher.setup() was not called")
        dead: list[dict[str, Any]] = []
        for alert in alerts:
            rule = self.rules.get(alert["rule"])
            if rule is None or not rule.enabled:
                continue
            seen_before = self.log.known(alert["id"])
            now = self.clock()
            seconds = None if rule.digest else rule.throttle_seconds
            throttled = bool(seconds) and self.log.throttled(rule.name, alert.get("key"), now, seconds or 0)
            skip_notifications = False
            notified = False
            for text in rule.all_channels:
                name = channel_name(parse_channel(text))
                status = self._deliver_one(rule, alert, name, skip_notifications, throttled, dead)
                if name == "index" and status == "duplicate" and not seen_before:
                    # Another worker (or a run whose log is gone) already recorded this alert:
                    # it notified then, so notifying again would be a duplicate.
                    skip_notifications = True
                notified = notified or (status == "delivered" and self.channels[name].notifies)
            if notified and seconds:
                self.log.notified(rule.name, alert.get("key"), now)
        return dead

    def _deliver_one(self, rule: Rule, alert: Mapping[str, Any], name: str, skip_notifications: bool,
                     throttled: bool, dead: list[dict[str, Any]]) -> str | None:
        assert self.log is not None
        now = self.clock()
        if not self.log.claim(alert["id"], name, rule.name, now):
            return None
        channel = self.channels.get(name)
        if channel is None:
            reason = self.broken.get(name, "channel not set up")
            self.log.finish(alert["id"], name, "failed", now, 0, reason)
            dead.append(deadletter(alert, name, reason, "ChannelSetupError", now))
            return "failed"
        if channel.notifies:
            if skip_notifications:
                self.log.finish(alert["id"], name, "skipped", now, 0)
                return "skipped"
            if rule.digest:
                self.log.queue(alert, name, period_start(now, rule.digest), rule.digest)
                self.log.finish(alert["id"], name, "queued", now, 0)
                return "queued"
            if throttled:
                self.log.finish(alert["id"], name, "throttled", now, 0)
                return "throttled"
        status, attempts, error = self._send(channel, lambda: channel.send(alert))
        self.log.finish(alert["id"], name, status, self.clock(), attempts, error)
        if status == "failed":
            dead.append(deadletter(alert, name, error or "failed", "DeliveryError", self.clock()))
        return status

    def _send(self, channel: Channel, action: Callable[[], None]) -> tuple[str, int, str | None]:
        """Runs ``action`` with retries; returns (status, attempts, error)."""
        name = channel.name
        now = self.clock()
        if self._suspended_until.get(name, 0) > now:
            return "failed", 0, f"suspended after {BREAKER_FAILURES} failures in a row; last: {self._last_error(name)}"
        attempts = 0
        error: str | None = None
        for delay in (0.0,) + self.retry_delays:
            if delay:
                self.sleep(delay)
            attempts += 1
            try:
                action()
            except DuplicateAlert:
                return "duplicate", attempts, None
            except Exception as exc:  # any failure of a channel is recorded and dead-lettered
                error = f"{type(exc).__name__}: {_safe_error(exc)}"
                continue
            self._failures[name] = 0
            return "delivered", attempts, None
        self._failures[name] = self._failures.get(name, 0) + 1
        self._errors[name] = error
        if self._failures[name] >= BREAKER_FAILURES:
            self._suspended_until[name] = self.clock() + BREAKER_SECONDS
            logger.error("alert channel %s suspended for %.0fs after %d failures: %s",
                         name, BREAKER_SECONDS, self._failures[name], error)
        return "failed", attempts, error

    def _last_error(self, name: str) -> str | None:
        return self._errors.get(name)

    def flush_digests(self, now: float | None = None) -> list[dict[str, Any]]:
        """Sends one message per rule, channel and ended period; returns dead letters."""
        if self.log is None:
            raise RuntimeError("AlertDispatcher.setup() was not called")
        now = self.clock() if now is None else now
        dead: list[dict[str, Any]] = []
        for rule_name, name, start, period, alerts in self.log.due_digests(now, DIGEST_SECONDS):
            rule = self.rules.get(rule_name)
            channel = self.channels.get(name)
            if rule is None or channel is None:
                self.log.drop_digest(rule_name, name, start)
                continue
            label = f"{period} from {_iso(start)}"
            digest_id = alert_id(rule_name, None, "digest", f"{name}\x1f{start}")
            if not self.log.claim(digest_id, name, rule_name, now):
                self.log.drop_digest(rule_name, name, start)
                continue
            status, attempts, error = self._send(channel, lambda: channel.send_digest(rule_name, alerts, label))
            self.log.finish(digest_id, name, status, self.clock(), attempts, error)
            if status == "failed":
                summary = {"id": digest_id, "rule": rule_name, "kind": "digest", "article_id": None,
                           "title": f"{len(alerts)} alert(s), {label}", "url": None, "created": _iso(now),
                           "details": {"alert_ids": [a["id"] for a in alerts]}}
                dead.append(deadletter(summary, name, error or "failed", "DeliveryError", now))
            self.log.drop_digest(rule_name, name, start)
        return dead

    def status(self) -> list[dict[str, Any]]:
        """Per-channel statistics, with channels that could not be set up."""
        rows = self.log.stats() if self.log else []
        for name, error in self.broken.items():
            rows.append({"channel": name, "setup_error": error})
        return rows
