"""Turns matches into alerts, records them, and delivers them: once per channel, throttled, digested.

:func:`build_alert` makes the alert document (``schemas/json/alert.v1.json``) with a
deterministic id (hash of rule, article and kind), so a replayed article yields the same alert.

Two steps, apart from each other (``pipelines/alerts/README.md``, "Delivery"):

* :class:`AlertRecorder` is the durable record, written in the indexing path before the article's
  message is acknowledged: the alert into the ``alerts`` index (``create`` under its id) and onto
  the ``alerts`` topic, the outbox. Either failing raises, so the article is not acknowledged.
* :class:`AlertDispatcher` delivers an alert on its rule's notifying channels (webhook, Slack,
  email) for the worker that consumes the outbox. Per alert and channel it claims a record in the
  shared :class:`~pipelines.alerts.store.DeliveryLog` first, so nothing is sent twice, whichever
  worker on whichever host gets the alert. Each channel has its own sending thread (a slow or
  silent receiver delays nobody else), timeouts, and a breaker: after ``BREAKER_FAILURES``
  failures in a row the channel is suspended (30 s, doubling up to 10 minutes) and its alerts wait,
  un-acknowledged, to be delivered when it resumes; they never become dead letters for that. A
  failure that cannot pass (HTTP 4xx, SMTP 5xx, a channel that cannot be set up) or an alert still
  failing after ``max_age_seconds`` becomes a dead letter (stage ``alert-delivery``). Throttles
  (one notification per rule, key and period) and digests (one message per rule, channel and
  period, :meth:`AlertDispatcher.flush_digests`) are decided in the shared log too.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from peacewatch.retry import is_permanent
from peacewatch.settings import SmtpSettings
from pipelines.alerts.channels import (
    Channel,
    ChannelSpec,
    DuplicateAlert,
    build_channel,
    channel_name,
    display_channel,
    parse_channel,
)
from pipelines.alerts.matcher import Match
from pipelines.alerts.render import make_snippet
from pipelines.alerts.rules import Rule
from pipelines.alerts.store import DeliveryLog

logger = logging.getLogger(__name__)

STAGE = "alert-delivery"
BREAKER_FAILURES = 3
BREAKER_SECONDS = 30.0  # first suspension; doubles while the channel keeps failing
MAX_BREAKER_SECONDS = 600.0
RETRY_SECONDS = 30.0  # a failed send is tried again this soon (the outbox message comes back)
MAX_AGE_SECONDS = 24 * 3600.0
SEND_WAIT_SECONDS = 30.0  # how long a delivery round waits for its sends before handing alerts back
DIGEST_SECONDS = {"hourly": 3600, "daily": 86400}
RECORD_CHANNELS = ("index", "topic", "tail")  # written by the recorder (tail reads the index)
# One send at a time per channel in this process, whatever the number of dispatchers (Beam may run
# several instances of the delivery step on threads of one worker): a kill -9 can then catch at most
# one send per channel between the receiver's answer and its record (that send comes again, with the
# same idempotency key).
_CHANNEL_LOCKS: dict[str, threading.Lock] = {}
_CHANNEL_LOCKS_GUARD = threading.Lock()


def _channel_lock(name: str) -> threading.Lock:
    with _CHANNEL_LOCKS_GUARD:
        return _CHANNEL_LOCKS.setdefault(name, threading.Lock())


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
    app_state = (
        f"(dataSource:(dataViewId:{_rison_string(data_view)},type:dataView),"
        f"query:(language:kuery,query:{_rison_string(f'id:{json.dumps(article_id)}')}))"
    )
    global_state = "(time:(from:now-5y,to:now))"
    return f"{base}/app/discover#/?_g={quote(global_state, safe='():,')}&_a={quote(app_state, safe='():,')}"


def kibana_board_url(settings: Any, mission: str) -> str:
    """The Kibana "Stance board" dashboard filtered on one mission, over the last year."""
    base = settings.kibana_url.rstrip("/")
    dashboard = f"{settings.prefix}-stance-board"
    app_state = f"(query:(language:kuery,query:{_rison_string(f'mission:{json.dumps(mission)}')}))"
    global_state = "(time:(from:now-1y,to:now))"
    return (
        f"{base}/app/dashboards#/view/{dashboard}?_g={quote(global_state, safe='():,')}"
        f"&_a={quote(app_state, safe='():,')}"
    )


def build_alert(
    rule: Rule,
    article: Mapping[str, Any],
    match: Match,
    settings: Any,
    now: float | None = None,
    kind: str = "match",
    details: Mapping[str, Any] | None = None,
    extra_id: str = "",
) -> dict[str, Any]:
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
    stances = [
        {k: s.get(k) for k in _STANCE_KEYS if s.get(k) is not None}
        for s in article.get("stances") or []
        if isinstance(s, Mapping)
    ]
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
        "kibana_url": kibana_board_url(settings, rule.mission)
        if getattr(rule, "mission", None)
        else kibana_discover_url(settings, article_id_),
        "key": match.key,
        "channels": [display_channel(c) for c in rule.all_channels],  # never a webhook URL
        "details": {
            "query": rule.effective_query,
            "countries": list(article.get("countries") or []),
            "relevance": article.get("relevance"),
            **(details or {}),
        },
    }


def deadletter(
    alert: Mapping[str, Any], channel: str, reason: str, error_type: str | None, now: float
) -> dict[str, Any]:
    """A dead letter (``deadletter.v1.json``) for an alert that could not be delivered on ``channel``."""
    payload = json.dumps(alert, ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(f"{STAGE}\x1f{channel}\x1f{payload}".encode()).hexdigest()[:32]
    return {
        "id": digest,
        "stage": STAGE,
        "reason": f"{channel}: {reason}",
        "error_type": error_type,
        "payload": payload,
        "payload_encoding": "utf-8",
        "article_id": alert.get("article_id"),
        "attributes": {"rule": str(alert.get("rule")), "channel": channel, "alert_id": str(alert.get("id"))},
        "created": _iso(now),
    }


def _safe_error(exc: BaseException) -> str:
    """An error message fit for logs and dead letters: URLs cut to their host (webhook paths are secrets)."""
    from peacewatch.redact import redact

    return redact(str(exc) or type(exc).__name__, keep_paths=False)[:500]


def period_start(now: float, digest: str) -> float:
    """The start of the digest period (UTC hour or day) that contains ``now``."""
    seconds = DIGEST_SECONDS[digest]
    return now - (now % seconds)


class AlertRecorder:
    """Writes alerts to their durable record: the ``alerts`` index and the ``alerts`` topic.

    Args:
        settings: where Elasticsearch and Pub/Sub are.
        clients: prebuilt ``es`` and ``publisher`` to share; created in :meth:`setup` otherwise.
    """

    def __init__(self, settings: Any, clients: Mapping[str, Any] | None = None) -> None:
        self.settings = settings
        self._given = dict(clients or {})
        self.es = None
        self.publisher = None
        self._log: DeliveryLog | None = None

    def setup(self) -> None:
        from peacewatch.clients import elasticsearch_client, publisher_client

        self.es = self._given.get("es") or elasticsearch_client(self.settings, max_retries=0, retry_on_timeout=False)
        self.publisher = self._given.get("publisher") or publisher_client(self.settings)

    def record(self, alerts: Sequence[Mapping[str, Any]], timeout: float = 60.0) -> tuple[int, int, int]:
        """Indexes (``create``) and publishes ``alerts``; returns ``(new, already indexed, published)``.

        An alert already in the index is published again only when the outbox has no mark of it
        (a crash between the two writes), so the topic carries each alert once but for a crash
        between the publish and its mark. Raises on any failure (the caller retries; the article
        stays un-acknowledged meanwhile).
        """
        from elasticsearch import helpers

        if not alerts:
            return 0, 0, 0
        if self.es is None:
            self.setup()
        index = self.settings.index("alerts")
        by_id = {str(a["id"]): a for a in alerts}
        actions = (
            {"_op_type": "create", "_index": index, "_id": alert_id, "_source": dict(alert)}
            for alert_id, alert in by_id.items()
        )
        new, known = [], []
        for ok, item in helpers.streaming_bulk(
            self.es,
            actions,
            raise_on_error=False,
            raise_on_exception=True,
            max_retries=3,
            initial_backoff=0.5,
            max_backoff=5.0,
        ):
            result = item.get("create", item)
            if ok:
                new.append(result["_id"])
            elif result.get("status") == 409:
                known.append(result["_id"])
            else:
                raise RuntimeError(f"alert {result.get('_id')} not indexed: {str(result.get('error'))[:300]}")
        outbox = self.outbox()
        to_publish = new + [a for a in known if a not in outbox.published(known)]
        topic = self.settings.topic_path("alerts")
        futures = [
            self.publisher.publish(
                topic,
                json.dumps(dict(by_id[a]), ensure_ascii=False, sort_keys=True).encode("utf-8"),
                rule=str(by_id[a].get("rule")),
                kind=str(by_id[a].get("kind")),
                alert_id=a,
            )
            for a in to_publish
        ]
        for future in futures:
            future.result(timeout=timeout)
        outbox.mark_published(to_publish, time.time())
        return len(new), len(known), len(to_publish)

    def outbox(self) -> DeliveryLog:
        if self._log is None:
            self._log = DeliveryLog(self.es, self.settings.index("alert-deliveries"))
        return self._log

    def close(self) -> None:
        if self.es is not None and "es" not in self._given:
            self.es.close()
        if self.publisher is not None and "publisher" not in self._given:
            self.publisher.stop()
        self.es = self.publisher = self._log = None


@dataclasses.dataclass
class Outcome:
    """What a delivery round did with one alert.

    Attributes:
        alert_id: the alert.
        done: every channel is finished (delivered, throttled, queued for a digest, dead-lettered):
            its outbox message can be acknowledged.
        retry_in: when not done, seconds until it is worth trying again.
        delivered: notifications sent in this round.
        dead: dead letters of this round (permanent failures).
    """

    alert_id: str
    done: bool = True
    retry_in: float | None = None
    delivered: int = 0
    dead: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def wait(self, seconds: float) -> None:
        self.done = False
        self.retry_in = seconds if self.retry_in is None else min(self.retry_in, seconds)


class AlertDispatcher:
    """Delivers alerts on their rules' notifying channels (see the module docstring).

    Args:
        settings: ``Settings`` (Elasticsearch for the delivery log, SMTP from the environment).
        rules: the rules in force (alerts of rules not among them are dropped: removed rules stay silent).
        clock: seconds since the epoch (tests).
        clients: prebuilt clients (``es``, ``publisher``, ``http``, ``smtp``) to share.
        max_age_seconds: an alert still failing this long after it was created is dead-lettered.
    """

    def __init__(
        self,
        settings: Any,
        rules: Iterable[Rule],
        clock: Callable[[], float] = time.time,
        clients: Mapping[str, Any] | None = None,
        max_age_seconds: float = MAX_AGE_SECONDS,
    ) -> None:
        self.settings = settings
        self.rules = {r.name: r for r in rules}
        self.clock = clock
        self.max_age_seconds = max_age_seconds
        self._given_clients = dict(clients or {})
        self.log: DeliveryLog | None = None
        self.recorder: AlertRecorder | None = None
        self.channels: dict[str, Channel] = {}
        self.broken: dict[str, str] = {}
        self._clients: dict[str, Any] = {}
        self._senders: dict[str, concurrent.futures.ThreadPoolExecutor] = {}
        self._in_flight: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._failures: dict[str, int] = {}
        self._suspensions: dict[str, int] = {}
        self._suspended_until: dict[str, float] = {}
        self._errors: dict[str, str | None] = {}

    # ---- lifecycle -------------------------------------------------------------------------
    def setup(self) -> None:
        """Opens the delivery log and creates the clients and channels."""
        import requests

        from peacewatch.clients import elasticsearch_client, publisher_client

        clients = dict(self._given_clients)
        if "es" not in clients:
            clients["es"] = elasticsearch_client(self.settings, max_retries=3, retry_on_status=(429, 502, 503, 504))
        if "publisher" not in clients:
            clients["publisher"] = publisher_client(self.settings)
        clients.setdefault("http", requests.Session)
        clients.setdefault("smtp", SmtpSettings.load)
        clients.setdefault("alerts_index", self.settings.index("alerts"))
        clients.setdefault("alerts_topic", self.settings.topic_path("alerts"))
        self._clients = clients
        self.log = DeliveryLog(clients["es"], self.settings.index("alert-deliveries"))
        self.recorder = AlertRecorder(self.settings, {"es": clients["es"], "publisher": clients["publisher"]})
        self.recorder.setup()
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
                if spec.kind not in RECORD_CHANNELS:
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
        """Closes channels and clients (sends still running are waited for a few seconds)."""
        for sender in self._senders.values():
            sender.shutdown(wait=False, cancel_futures=True)
        self._senders.clear()
        for channel in self.channels.values():
            channel.close()
        self.channels.clear()
        if self.recorder is not None:
            self.recorder.close()
            self.recorder = None
        if "es" not in self._given_clients and self._clients.get("es") is not None:
            self._clients["es"].close()
        if "publisher" not in self._given_clients and self._clients.get("publisher") is not None:
            self._clients["publisher"].stop()
        self._clients = {}
        self.log = None

    # ---- recording and delivery ------------------------------------------------------------
    def record(self, alerts: Sequence[Mapping[str, Any]]) -> tuple[int, int, int]:
        """The durable record (index and topic): see :meth:`AlertRecorder.record`."""
        if self.recorder is None:
            raise RuntimeError("AlertDispatcher.setup() was not called")
        return self.recorder.record(alerts)

    def dispatch(self, alerts: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Records and delivers in one go (tests and one-off tools); returns dead letters."""
        alerts = [a for a in alerts if a["rule"] in self.rules]
        self.record(alerts)
        return [letter for outcome in self.deliver(alerts) for letter in outcome.dead]

    def notifying_channels(self, rule: Rule) -> list[str]:
        names = []
        for text in rule.all_channels:
            spec = parse_channel(text, f"rule {rule.name!r}")
            if spec.kind not in RECORD_CHANNELS:
                names.append(channel_name(spec))
        return names

    def deliver(self, alerts: Sequence[Mapping[str, Any]], wait_seconds: float = SEND_WAIT_SECONDS) -> list[Outcome]:
        """One delivery round: each alert on each notifying channel of its rule, at most once per channel.

        Sends run on each channel's own thread; the round waits at most ``wait_seconds`` for them.
        An alert whose sends are still running, failed transiently, or wait for a suspended channel
        is not done (``retry_in`` says when to try again).
        """
        if self.log is None:
            raise RuntimeError("AlertDispatcher.setup() was not called")
        outcomes: list[Outcome] = []
        waiting: list[tuple[Outcome, concurrent.futures.Future]] = []
        for alert in alerts:
            outcome = Outcome(str(alert.get("id")))
            outcomes.append(outcome)
            rule = self.rules.get(alert.get("rule"))
            if rule is None or not rule.enabled:
                continue  # removed or disabled: silent
            throttled: bool | None = None
            for name in self.notifying_channels(rule):
                now = self.clock()
                with self._lock:
                    if (outcome.alert_id, name) in self._in_flight:
                        outcome.wait(RETRY_SECONDS)
                        continue
                suspended = self._suspended_until.get(name, 0) - now
                if suspended > 0 and name in self.channels:
                    outcome.wait(suspended)
                    continue
                claim = self.log.claim(outcome.alert_id, name, rule.name, now)
                if claim == "done":
                    continue
                if claim == "busy":
                    outcome.wait(RETRY_SECONDS)
                    continue
                channel = self.channels.get(name)
                if channel is None:
                    self._give_up(
                        outcome, alert, name, self.broken.get(name, "channel not set up"), "ChannelSetupError"
                    )
                    continue
                if rule.digest:
                    self.log.queue(alert, name, period_start(now, rule.digest), rule.digest)
                    self.log.finish(outcome.alert_id, name, "queued", now, 0)
                    continue
                if rule.throttle_seconds:
                    if throttled is None:
                        throttled = self.log.throttle_decision(
                            outcome.alert_id, rule.name, alert.get("key"), now, rule.throttle_seconds
                        )
                    if throttled:
                        self.log.finish(outcome.alert_id, name, "throttled", now, 0)
                        continue
                with self._lock:
                    self._in_flight.add((outcome.alert_id, name))
                waiting.append((outcome, self._sender(name).submit(self._send, channel, alert, outcome)))
        if waiting:
            concurrent.futures.wait([f for _, f in waiting], timeout=wait_seconds)
        for outcome, future in waiting:
            if not future.done():
                outcome.wait(RETRY_SECONDS)
        return outcomes

    def _sender(self, name: str) -> concurrent.futures.ThreadPoolExecutor:
        with self._lock:
            sender = self._senders.get(name)
            if sender is None:
                sender = self._senders[name] = concurrent.futures.ThreadPoolExecutor(
                    1, thread_name_prefix=f"alerts-{name.split(':', 1)[0]}"
                )
            return sender

    def _send(self, channel: Channel, alert: Mapping[str, Any], outcome: Outcome) -> None:
        """Runs on the channel's thread: one attempt, its outcome recorded."""
        key = (outcome.alert_id, channel.name)
        try:
            self._send_and_record(channel, alert, outcome)
        except Exception as exc:
            logger.error(
                "delivery of alert %s on %s not recorded: %s", outcome.alert_id, channel.name, _safe_error(exc)
            )
            outcome.wait(RETRY_SECONDS)
        finally:
            with self._lock:
                self._in_flight.discard(key)

    def _send_and_record(self, channel: Channel, alert: Mapping[str, Any], outcome: Outcome) -> None:
        with _channel_lock(channel.name):
            self._send_and_record_alone(channel, alert, outcome)

    def _send_and_record_alone(self, channel: Channel, alert: Mapping[str, Any], outcome: Outcome) -> None:
        suspended = self._suspended_until.get(channel.name, 0) - self.clock()
        if suspended > 0:  # suspended while this send waited its turn: it waits for the channel to resume
            self.log.release(outcome.alert_id, channel.name, self.clock())
            outcome.wait(suspended)
            return
        try:
            channel.send(alert)
        except DuplicateAlert:
            self.log.finish(outcome.alert_id, channel.name, "duplicate", self.clock(), 1)
            return
        except Exception as exc:  # any failure of a channel is recorded, then retried or dead-lettered
            self._failed(channel.name, alert, outcome, exc)
            return
        self._failures[channel.name] = 0
        self._suspensions[channel.name] = 0
        self.log.finish(outcome.alert_id, channel.name, "delivered", self.clock(), 1)
        outcome.delivered += 1

    def _failed(self, name: str, alert: Mapping[str, Any], outcome: Outcome, exc: BaseException) -> None:
        error = f"{type(exc).__name__}: {_safe_error(exc)}"
        now = self.clock()
        self._errors[name] = error
        if is_permanent(exc):
            self._give_up(outcome, alert, name, error, "DeliveryError")
            return
        self._failures[name] = self._failures.get(name, 0) + 1
        if self._failures[name] >= BREAKER_FAILURES:
            count = self._suspensions.get(name, 0)
            seconds = min(BREAKER_SECONDS * 2**count, MAX_BREAKER_SECONDS)
            self._suspensions[name] = count + 1
            self._suspended_until[name] = now + seconds
            self._failures[name] = 0
            logger.error(
                "alert channel %s suspended for %.0fs after %d failures in a row (its alerts wait): %s",
                name,
                seconds,
                BREAKER_FAILURES,
                error,
            )
        created = _epoch(alert.get("created"))
        if created is not None and now - created > self.max_age_seconds:
            self._give_up(
                outcome,
                alert,
                name,
                f"still failing after {self.max_age_seconds / 3600:g} h; last: {error}",
                "DeliveryError",
            )
            return
        self.log.note_failure(outcome.alert_id, name, now, error)
        outcome.wait(max(self._suspended_until.get(name, 0) - now, RETRY_SECONDS))

    def _give_up(self, outcome: Outcome, alert: Mapping[str, Any], name: str, reason: str, error_type: str) -> None:
        now = self.clock()
        self.log.finish(outcome.alert_id, name, "dead", now, 1, reason)
        outcome.dead.append(deadletter(alert, name, reason, error_type, now))

    def flush_digests(self, now: float | None = None, wait_seconds: float = SEND_WAIT_SECONDS) -> list[dict[str, Any]]:
        """Sends one message per rule, channel and ended period; returns dead letters.

        A digest that fails transiently keeps its items and is tried again at the next flush.
        """
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
            claim = self.log.claim(digest_id, name, rule_name, now)
            if claim == "busy" or self._suspended_until.get(name, 0) > now:
                continue
            if claim == "done":
                self.log.drop_digest(rule_name, name, start)
                continue
            future = self._sender(name).submit(channel.send_digest, rule_name, alerts, label)
            try:
                future.result(timeout=wait_seconds)
            except concurrent.futures.TimeoutError:
                continue  # still sending; its claim stays until it ends
            except Exception as exc:  # recorded, then retried at the next flush or dead-lettered
                error = f"{type(exc).__name__}: {_safe_error(exc)}"
                if is_permanent(exc):
                    summary = {
                        "id": digest_id,
                        "rule": rule_name,
                        "kind": "digest",
                        "article_id": None,
                        "title": f"{len(alerts)} alert(s), {label}",
                        "url": None,
                        "created": _iso(now),
                        "details": {"alert_ids": [a["id"] for a in alerts]},
                    }
                    self.log.finish(digest_id, name, "dead", self.clock(), 1, error)
                    dead.append(deadletter(summary, name, error, "DeliveryError", now))
                    self.log.drop_digest(rule_name, name, start)
                else:
                    self.log.note_failure(digest_id, name, self.clock(), error)
                continue
            self.log.finish(digest_id, name, "delivered", self.clock(), 1)
            self.log.drop_digest(rule_name, name, start)
        return dead

    def status(self) -> list[dict[str, Any]]:
        """Per-channel statistics, with channels that could not be set up."""
        rows = self.log.stats() if self.log else []
        for name, error in self.broken.items():
            rows.append({"channel": name, "setup_error": error})
        return rows


def _epoch(value: Any) -> float | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
