"""Alert matching after indexing: rules matched in a guarded process, alerts recorded before the ack.

``pipelines.alerts.engine.AlertEngine`` owns the semantics (keyword, stance-change and spike
rules; rules re-read when the rules file changes). :class:`MatchAlertRules` wires it in:

1. the articles of a bundle are matched in a child process (:class:`MatchingGuard`) under a time
   budget, so that no article can stall the stream: one whose matching overruns
   ``seconds_per_article`` is dead-lettered (stage ``alert-match``; it stays indexed), the child
   is replaced, and the others go on;
2. the alerts are recorded (``AlertRecorder``: the ``alerts`` index and the ``alerts`` topic,
   which is the delivery outbox), retried while a service is down;
3. the articles go on to be acknowledged.

Delivery to webhooks, Slack and email happens apart, in :mod:`pipelines.deliver_alerts`.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics

from peacewatch.retry import retry_transient
from peacewatch.settings import Settings
from pipelines.alerts.delivery import AlertRecorder
from pipelines.alerts.engine import AlertEngine
from pipelines.alerts.rules import RuleFileWatcher, default_rules_path
from pipelines.deadletters import DEAD, make_dead_letter
from pipelines.sharing import SharedResources

logger = logging.getLogger(__name__)

BATCH = 100
STAGE = "alert-match"
# One matching process per worker process, whatever the number of DoFn instances (concurrent bundles).
_GUARDS = SharedResources()


def rules_path(settings: Settings, explicit: str | None = None) -> Path:
    """The rules file: ``explicit`` (``--rules``), else ``<data_dir>/alerts.yaml``."""
    return Path(explicit) if explicit else Path(default_rules_path(settings))


def alerts_wanted(settings: Settings, flag: bool | None, explicit_rules: str | None = None) -> bool:
    """``--alerts``/``--no-alerts`` when given, else on when a rules file exists."""
    if flag is not None:
        return flag
    return rules_path(settings, explicit_rules).exists()


# ---- the child process -------------------------------------------------------------------------
_CHILD_ENGINE = None


def _child_start(settings: Settings, rules_file: str) -> None:
    global _CHILD_ENGINE
    _CHILD_ENGINE = AlertEngine(settings, RuleFileWatcher(rules_file))
    _CHILD_ENGINE.setup(deliver=False)


def _child_match(documents: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The alerts of each document (in order)."""
    assert _CHILD_ENGINE is not None
    alerts = _CHILD_ENGINE.match(documents)
    by_article: dict[Any, list[dict[str, Any]]] = {}
    for alert in alerts:
        by_article.setdefault(alert.get("article_id"), []).append(alert)
    out, seen = [], set()
    for document in documents:  # an article twice in a batch gets its alerts once
        key = document.get("id")
        out.append([] if key in seen else by_article.get(key, []))
        seen.add(key)
    return out


class MatchingGuard:
    """Runs :meth:`AlertEngine.match` in a child process, within a time budget.

    A match that overruns (a pathological rule and text, a crash) costs the child process, not the
    pipeline: it is killed and replaced, and the batch is matched again one article at a time so
    that only the article at fault is reported.

    Args:
        settings: passed to the child's engine.
        rules_file: the rules file the child follows.
        seconds_per_article: the time budget of one article.
        match: what the child runs on a list of documents (tests put a slow one in).
    """

    def __init__(
        self,
        settings: Settings,
        rules_file: str,
        seconds_per_article: float = 10.0,
        match: Callable[[list[dict[str, Any]]], list[list[dict[str, Any]]]] | None = None,
    ) -> None:
        self.settings = settings
        self.rules_file = rules_file
        self.seconds_per_article = seconds_per_article
        self._match_fn = match or _child_match
        self._pool = None
        self._lock = threading.Lock()
        self.timeouts = 0

    def setup(self) -> None:
        with self._lock:
            self._setup()

    def _setup(self) -> None:
        if self._pool is None:
            self._pool = multiprocessing.get_context("spawn").Pool(
                1, initializer=_child_start, initargs=(self.settings, self.rules_file)
            )
            self._pool.apply(self._match_fn, ([],))  # wait until the engine is up

    def _restart(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        self._setup()

    def match(self, documents: Sequence[dict[str, Any]]) -> tuple[list[list[dict[str, Any]]], set[int]]:
        """Returns the alerts of each document and the positions of those that overran their budget."""

        if not documents:
            return [], set()
        with self._lock:
            return self._match(documents)

    def _match(self, documents: Sequence[dict[str, Any]]) -> tuple[list[list[dict[str, Any]]], set[int]]:
        self._setup()
        budget = self.seconds_per_article + 0.05 * len(documents)
        try:
            return self._pool.apply_async(self._match_fn, (list(documents),)).get(timeout=budget), set()
        except multiprocessing.context.TimeoutError:
            logger.warning(
                "alert matching of %d articles overran %.1fs; matching them one by one", len(documents), budget
            )
        results: list[list[dict[str, Any]]] = []
        late: set[int] = set()
        for position, document in enumerate(documents):
            if position == 0 or (late and position - 1 in late):
                self._restart()
            try:
                results += self._pool.apply_async(self._match_fn, ([document],)).get(timeout=self.seconds_per_article)
            except multiprocessing.context.TimeoutError:
                late.add(position)
                results.append([])
                self.timeouts += 1
                logger.error(
                    "alert matching of article %s overran %.1fs: dead-lettered",
                    document.get("id"),
                    self.seconds_per_article,
                )
        if len(documents) - 1 in late:  # the child is still busy with it
            self._restart()
        return results, late

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.terminate()
                self._pool.join()
                self._pool = None


def close_guards() -> None:
    """Stops this process's matching processes (a cancelled streaming job does not tear down its DoFns)."""
    _GUARDS.close_all()


class _MatchAlertRulesFn(beam.DoFn):
    """Matches a batch of articles (from ``BatchElements``), records their alerts, passes them on."""

    def __init__(
        self, settings: Settings, rules_file: str | None, seconds_per_article: float, retry_seconds: float
    ) -> None:
        self.settings = settings
        self.rules_file = rules_file
        self.seconds_per_article = seconds_per_article
        self.retry_seconds = retry_seconds
        self.alerts = Metrics.counter("peacewatch", "alerts")
        self.published = Metrics.counter("peacewatch", "alerts_published")
        self.timeouts = Metrics.counter("peacewatch", "alert_match_timeouts")
        self.retries = Metrics.counter("peacewatch", "service_retries")

    def setup(self) -> None:
        rules_file = str(rules_path(self.settings, self.rules_file))
        self._tag = f"{self.settings.prefix}:{rules_file}:{self.seconds_per_article}"
        self._guard = _GUARDS.acquire(
            self._tag, lambda: MatchingGuard(self.settings, rules_file, self.seconds_per_article)
        )
        self._guard.setup()
        self._recorder = AlertRecorder(self.settings)
        self._recorder.setup()

    def process(self, documents: Sequence[dict[str, Any]]):
        per_article, late = self._guard.match(documents)
        alerts = [alert for alerts in per_article for alert in alerts]
        if alerts:
            _, _, published = retry_transient(
                lambda: self._recorder.record(alerts), "recording alerts", self.retry_seconds, self.retries.inc
            )
            self.published.inc(published)
        self.alerts.inc(len(alerts))
        self.timeouts.inc(len(late))
        for position, document in enumerate(documents):
            if position in late:
                yield beam.pvalue.TaggedOutput(
                    DEAD,
                    make_dead_letter(
                        STAGE,
                        f"matching the alert rules took longer than {self.seconds_per_article:g}s; the article is "
                        "indexed, its alerts were not raised",
                        document,
                        error_type="MatchTimeout",
                        article_id=document.get("id"),
                        ack_id=document.get("_ack_id"),
                    ),
                )
            else:
                yield document

    def teardown(self) -> None:
        _GUARDS.release(self._tag)  # the last user stops the matching process
        self._recorder.close()


class MatchAlertRules(beam.PTransform):
    """Indexed articles -> the same articles once their alerts are recorded (``articles``), and dead
    letters of articles whose matching overran its budget (``dead_letters``).

    Args:
        settings: where alerts are recorded and the alerts state lives.
        rules_file: the rules file (default ``<data_dir>/alerts.yaml``).
        seconds_per_article: the matching time budget of one article.
        retry_seconds: how long recording retries while Elasticsearch or Pub/Sub is down.
    """

    def __init__(
        self,
        settings: Settings,
        rules_file: str | None = None,
        seconds_per_article: float = 10.0,
        retry_seconds: float = 900.0,
    ) -> None:
        super().__init__()
        if seconds_per_article <= 0:
            raise ValueError("seconds_per_article must be positive")
        self.settings = settings
        self.rules_file = rules_file
        self.seconds_per_article = seconds_per_article
        self.retry_seconds = retry_seconds

    def expand(self, documents):
        return (
            documents
            | "Batch" >> beam.BatchElements(max_batch_size=BATCH)
            | "MatchAndRecord"
            >> beam.ParDo(
                _MatchAlertRulesFn(self.settings, self.rules_file, self.seconds_per_article, self.retry_seconds)
            ).with_outputs(DEAD, main="articles")
        )
