"""Delivering the alert outbox: the ``alerts`` topic's ``delivery`` subscription to webhooks, Slack, email.

The indexing path records every alert (alerts index and ``alerts`` topic) before it acknowledges
the article; this step, a branch of the same job with a source of its own, consumes the topic:

* each tick it pulls a few alert messages (:class:`~pipelines.io_pubsub.Puller`, leases held and
  extended like the articles');
* :meth:`AlertDispatcher.deliver` sends each on its rule's notifying channels, every channel on
  its own thread with timeouts, at most once per (alert, channel) across workers and restarts;
* a message is acknowledged once every channel is finished (delivered, throttled, queued for a
  digest, or dead-lettered after a failure that cannot pass); otherwise it is handed back with a
  delay (a failure that may pass, a suspended channel, a send still running) and comes again;
* due digests are sent every ``DIGEST_CHECK_SECONDS``, idle or not.

A webhook that never answers therefore holds up neither indexing nor the other channels.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.options.pipeline_options import PipelineOptions

from peacewatch.retry import is_transient, retry_transient
from peacewatch.settings import Settings
from pipelines.alerts.delivery import AlertDispatcher
from pipelines.alerts.rules import RuleFileWatcher
from pipelines.deadletters import DeadLetterWriter, make_dead_letter
from pipelines.io_pubsub import PullConfig, Puller, SourceCounters, Tick
from pipelines.match_alerts import rules_path
from pipelines.options import StreamingOptions

logger = logging.getLogger(__name__)

DIGEST_CHECK_SECONDS = 10.0
SUBSCRIPTION_SUFFIX = "delivery"
SEND_WAIT_SECONDS = 5.0


def delivery_subscription(settings: Settings) -> str:
    return settings.subscription_path("alerts", SUBSCRIPTION_SUFFIX)


def delivery_pull_config(options: PipelineOptions | None = None) -> PullConfig:
    """One shard, a few messages per pull: delivery is about waiting on receivers, not throughput."""
    lease = options.view_as(StreamingOptions).ack_lease_seconds if options is not None else 30
    return PullConfig(
        shards=1,
        interval_seconds=0.5,
        max_messages=50,
        max_outstanding=500,
        lease_seconds=lease,
        max_hold_seconds=3600.0,
        max_delivery_attempts=0,
        metric_prefix="alert_messages_",
    )


class _DeliverAlertsFn(beam.DoFn):
    """Each tick: pull alert messages, deliver them, acknowledge or hand back; send due digests."""

    def __init__(
        self, settings: Settings, rules_file: str | None, config: PullConfig, retry_seconds: float = 900.0
    ) -> None:
        self.settings = settings
        self.rules_file = rules_file
        self.config = config
        self.retry_seconds = retry_seconds
        self.counters = SourceCounters(config.metric_prefix)
        self.acked = Metrics.counter("peacewatch", f"{config.metric_prefix}acked")
        self.released = Metrics.counter("peacewatch", f"{config.metric_prefix}released")
        self.delivered = Metrics.counter("peacewatch", "alerts_delivered")
        self.failed = Metrics.counter("peacewatch", "alert_delivery_failed")
        self.dead = Metrics.counter("peacewatch", "dead_lettered")
        self.retries = Metrics.counter("peacewatch", "service_retries")

    def setup(self) -> None:
        self._puller = Puller(self.settings, delivery_subscription(self.settings), self.config)
        self._puller.setup()
        self._watcher = RuleFileWatcher(rules_path(self.settings, self.rules_file))
        self._version = -1
        self._dispatcher = AlertDispatcher(self.settings, [], clock=lambda: time.time())  # looked up per call
        self._dispatcher.setup()
        self._dead_letters = DeadLetterWriter(self.settings)
        self._dead_letters.setup()
        self._next_digest_check = 0.0

    def _refresh_rules(self) -> None:
        rules = self._watcher.current()
        if self._watcher.version != self._version:
            self._dispatcher.set_rules([r for r in rules if r.enabled])
            self._version = self._watcher.version

    def _write_dead(self, letters: list[dict[str, Any]]) -> None:
        if letters:
            retry_transient(
                lambda: self._dead_letters.write(letters),
                "writing alert dead letters",
                self.retry_seconds,
                self.retries.inc,
            )
            self.dead.inc(len(letters))
            self.failed.inc(len(letters))

    def process(self, shard: Any) -> None:
        self._refresh_rules()
        kind, envelopes = self._puller.pull()
        if envelopes:
            self.counters.count_poll(kind, self._puller, envelopes)  # pulled: counted before they settle
            try:
                self._deliver(envelopes)
            except Exception as exc:
                if not is_transient(exc):
                    raise
                # The delivery log (Elasticsearch) is unreachable: the alerts come back later.
                logger.warning("alert delivery paused (%s: %s)", type(exc).__name__, str(exc)[:200])
                self.retries.inc()
                ids = [e.ack_id for e in envelopes]
                self._puller.hand_back(ids, 10)
                self.released.inc(len(ids))
                kind, envelopes = "busy", []
        if time.monotonic() >= self._next_digest_check:
            try:
                self._write_dead(self._dispatcher.flush_digests())
            except Exception as exc:
                if not is_transient(exc):
                    raise
                logger.warning("due digests not sent yet (%s: %s)", type(exc).__name__, str(exc)[:200])
            self._next_digest_check = time.monotonic() + DIGEST_CHECK_SECONDS
        if not envelopes:  # an idle poll counts once the tick's work (digests included) is done
            self.counters.count_poll(kind, self._puller)

    def _deliver(self, envelopes: list) -> None:
        alerts, ack_ids, unreadable = [], {}, []
        for envelope in envelopes:
            try:
                alert = json.loads(envelope.data)
                alert_id = str(alert["id"])
                if "rule" not in alert:
                    raise KeyError("rule")
            except (ValueError, KeyError, TypeError) as exc:
                unreadable.append(
                    make_dead_letter(
                        "alert-delivery",
                        f"not an alert: {type(exc).__name__}: {exc}",
                        envelope.data,
                        error_type=type(exc).__name__,
                        attributes=envelope.attributes,
                    )
                )
                ack_ids.setdefault("__unreadable__", []).append(envelope.ack_id)
                continue
            if alert_id not in ack_ids:  # published twice: delivered once, both messages settled together
                alerts.append(alert)
            ack_ids.setdefault(alert_id, []).append(envelope.ack_id)
        self._write_dead(unreadable)
        done = list(ack_ids.pop("__unreadable__", []))
        later: dict[float, list[str]] = {}
        outcomes = self._dispatcher.deliver(alerts, wait_seconds=SEND_WAIT_SECONDS) if alerts else []
        self._write_dead([letter for outcome in outcomes for letter in outcome.dead])
        for outcome in outcomes:
            self.delivered.inc(outcome.delivered)
            ids = ack_ids.get(outcome.alert_id, [])
            if outcome.done:
                done += ids
            else:
                later.setdefault(round(outcome.retry_in or 0), []).extend(ids)
        acked = self._puller.acknowledge(done)
        self.acked.inc(acked)
        self.released.inc(len(set(done)) - acked)
        for delay, ids in later.items():
            self._puller.hand_back(ids, delay)
            self.released.inc(len(set(ids)))

    def teardown(self) -> None:
        self._dispatcher.close()
        self._dead_letters.close()
        self._puller.close()


class DeliverAlerts(beam.PTransform):
    """The delivery branch: reads the alert outbox and delivers (see the module docstring).

    Args:
        settings: where the services are.
        rules_file: the rules file (default ``<data_dir>/alerts.yaml``).
        config: how the delivery subscription is read.
    """

    def __init__(self, settings: Settings, rules_file: str | None = None, config: PullConfig | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.rules_file = rules_file
        self.config = config or delivery_pull_config()

    def expand(self, pbegin):
        return (
            pbegin
            | "Tick" >> Tick(self.config.shards, self.config.interval_seconds)
            | "Deliver" >> beam.ParDo(_DeliverAlertsFn(self.settings, self.rules_file, self.config))
        )
