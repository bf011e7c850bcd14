"""Hourly counts of articles per actor, stance and mission, for dashboards (the ``stances`` index).

Each aggregate document is named by its window, actor, stance and mission (a hash), so
rewriting a window replaces its document. Two ways to compute them:

* :class:`AggregateStances`, the Beam way: event-time fixed windows of one hour, grouped per
  ``(actor, stance, mission)``, with early firings every minute in streaming (accumulating, so
  each firing carries the full count so far).
* :func:`refresh_stance_windows`, used in streaming (:class:`RecountStanceWindows`): recounts the
  touched windows from the stance reports index itself (terms aggregations), which is exact even
  across restarts and redeliveries.

Event time is the article's own publication time, else when it was first seen (fetched, else
indexed): the same time the stance reports are placed at (:mod:`pipelines.reports`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.transforms import trigger, window

from peacewatch.retry import retry_transient
from peacewatch.settings import Settings
from pipelines.deadletters import utc_now
from pipelines.reports import in_window, is_dated

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 3600
MAX_IDS = 100
AGGREGATE_BATCH = 500  # aggregate documents per bulk request at most
RECOUNT_BATCH = 500  # articles whose windows are recounted together at most


class StanceKey(NamedTuple):
    actor: str
    actor_type: str | None
    actor_code: str | None
    stance: str
    mission: str = "other"


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def event_time(document: dict[str, Any]) -> datetime:
    """When the article happened for the dashboards: its own ``published`` time, else when it was
    first seen (``fetched``, ``indexed_at``, an estimated ``published``), else now."""
    names = ("published", "fetched", "indexed_at") if is_dated(document) else ("fetched", "indexed_at", "published")
    for name in names:
        value = document.get(name)
        if value:
            try:
                moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
                return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
            except ValueError:
                continue
    return datetime.now(timezone.utc)


def window_start(moment: datetime) -> datetime:
    seconds = int(moment.timestamp()) // WINDOW_SECONDS * WINDOW_SECONDS
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def stance_keys(document: dict[str, Any]) -> set[StanceKey]:
    """The distinct ``(actor, stance, mission)`` of one article (an actor counted once per stance and mission)."""
    return {
        StanceKey(s["actor"], s.get("actor_type"), s.get("actor_code"), s["stance"], s.get("mission") or "other")
        for s in document.get("stances") or []
        if s.get("actor") and s.get("stance")
    }


def aggregate_id(start: datetime, actor: str, stance: str, mission: str = "other") -> str:
    return hashlib.sha256(f"{_iso(start)}\n{actor}\n{stance}\n{mission}".encode()).hexdigest()[:32]


def aggregate_document(start: datetime, key: StanceKey, article_ids: Iterable[str]) -> dict[str, Any]:
    """The stances-index document of ``key`` in the hour starting at ``start``."""
    ids = sorted(set(article_ids))
    return {
        "id": aggregate_id(start, key.actor, key.stance, key.mission),
        "window_start": _iso(start),
        "window_end": _iso(start + timedelta(seconds=WINDOW_SECONDS)),
        "actor": key.actor,
        "actor_type": key.actor_type,
        "actor_code": key.actor_code,
        "stance": key.stance,
        "mission": key.mission,
        "count": len(ids),
        "article_ids": ids[:MAX_IDS],
        "updated": utc_now(),
    }


def index_aggregates(es, settings: Settings, documents: list[dict[str, Any]]) -> int:
    """Writes aggregate documents under their ids; raises when any is refused."""
    from elasticsearch import helpers

    if not documents:
        return 0
    actions = ({"_index": settings.index("stances"), "_id": d["id"], "_source": d} for d in documents)
    _, errors = helpers.bulk(es, actions, raise_on_error=False, max_retries=3)
    if errors:
        raise RuntimeError(f"{len(errors)} stance aggregates not written: {str(errors[0])[:300]}")
    return len(documents)


def refresh_stance_windows(es, settings: Settings, documents: Iterable[dict[str, Any]]) -> int:
    """Recounts, from the stance reports index, every (hour, actor, stance, mission) ``documents`` touch.

    The reports must be searchable (refresh the index first). Returns the aggregates written.
    """
    touched: dict[datetime, dict[tuple[str, str, str], StanceKey]] = {}
    for document in documents:
        start = window_start(event_time(document))
        for key in stance_keys(document):
            touched.setdefault(start, {})[(key.actor, key.stance, key.mission)] = key
    out = []
    for start, keys in touched.items():
        end = start + timedelta(seconds=WINDOW_SECONDS)
        actors = sorted({k[0] for k in keys})
        response = es.search(
            index=settings.index("reports"),
            size=0,
            query=in_window(_iso(start), _iso(end)),
            aggs={
                "actor": {
                    "terms": {"field": "actor", "include": actors, "size": len(actors)},
                    "aggs": {
                        "stance": {
                            "terms": {"field": "stance", "size": 3},
                            "aggs": {
                                "mission": {
                                    "terms": {"field": "mission", "size": 100},
                                    "aggs": {"ids": {"terms": {"field": "article_id", "size": MAX_IDS}}},
                                }
                            },
                        }
                    },
                }
            },
        )
        for actor in response["aggregations"]["actor"]["buckets"]:
            for stance in actor["stance"]["buckets"]:
                for mission in stance["mission"]["buckets"]:
                    key = keys.get((actor["key"], stance["key"], mission["key"]))
                    if key is None:
                        continue
                    document = aggregate_document(start, key, [b["key"] for b in mission["ids"]["buckets"]])
                    document["count"] = mission["doc_count"]
                    out.append(document)
    return index_aggregates(es, settings, out)


def _keyed(document: dict[str, Any]):
    stamp = event_time(document).timestamp()
    for key in stance_keys(document):
        # A plain tuple of strings has a deterministic coder; the NamedTuple would be pickled.
        yield window.TimestampedValue(
            ((key.actor, key.actor_type or "", key.actor_code or "", key.stance, key.mission), document["id"]), stamp
        )


class _ToAggregateFn(beam.DoFn):
    def process(self, element, win=beam.DoFn.WindowParam):
        (actor, actor_type, actor_code, stance, mission), ids = element
        key = StanceKey(actor, actor_type or None, actor_code or None, stance, mission)
        start = datetime.fromtimestamp(float(win.start), tz=timezone.utc)
        yield aggregate_document(start, key, ids)


class _IndexAggregatesFn(beam.DoFn):
    """Writes a batch of aggregate documents (from ``BatchElements``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.written = Metrics.counter("peacewatch", "stance_aggregates")

    def setup(self) -> None:
        from peacewatch.clients import elasticsearch_client

        self._es = elasticsearch_client(self.settings)

    def process(self, documents: list[dict[str, Any]]):
        self.written.inc(index_aggregates(self._es, self.settings, documents))
        yield from documents

    def teardown(self) -> None:
        self._es.close()


class CountStancesPerHour(beam.PTransform):
    """Indexed articles -> one aggregate document per (hour, actor, stance, mission).

    Args:
        streaming: fire early every ``early_seconds`` of processing time and again for late
            articles (accumulating); in batch the window fires once, complete.
        early_seconds: the early-firing period in streaming.
    """

    def __init__(self, streaming: bool = False, early_seconds: int = 60) -> None:
        super().__init__()
        self.streaming = streaming
        self.early_seconds = early_seconds

    def _windowing(self):
        if not self.streaming:
            return beam.WindowInto(window.FixedWindows(WINDOW_SECONDS))
        return beam.WindowInto(
            window.FixedWindows(WINDOW_SECONDS),
            trigger=trigger.AfterWatermark(
                early=trigger.AfterProcessingTime(self.early_seconds), late=trigger.AfterCount(1)
            ),
            accumulation_mode=trigger.AccumulationMode.ACCUMULATING,
            allowed_lateness=24 * 3600,
        )

    def expand(self, documents):
        return (
            documents
            | "KeyByActorStance" >> beam.FlatMap(_keyed)
            | "HourlyWindows" >> self._windowing()
            | "Group" >> beam.GroupByKey()
            | "ToDocuments" >> beam.ParDo(_ToAggregateFn())
        )


class AggregateStances(beam.PTransform):
    """Indexed articles -> hourly actor/stance counts, written to the stances index."""

    def __init__(self, settings: Settings, streaming: bool = False) -> None:
        super().__init__()
        self.settings = settings
        self.streaming = streaming

    def expand(self, documents):
        return (
            documents
            | "CountPerHour" >> CountStancesPerHour(self.streaming)
            | "Batch" >> beam.BatchElements(max_batch_size=AGGREGATE_BATCH)
            | "Index" >> beam.ParDo(_IndexAggregatesFn(self.settings))
        )


class _RecountWindowsFn(beam.DoFn):
    """Recounts, from the index, the windows a batch of articles touches; passes the articles on."""

    def __init__(self, settings: Settings, retry_seconds: float = 900.0) -> None:
        self.settings = settings
        self.retry_seconds = retry_seconds
        self.written = Metrics.counter("peacewatch", "stance_aggregates")
        self.retries = Metrics.counter("peacewatch", "service_retries")

    def setup(self) -> None:
        from peacewatch.clients import elasticsearch_client

        self._es = elasticsearch_client(self.settings, max_retries=0, retry_on_timeout=False)

    def _recount(self, documents: list[dict[str, Any]]) -> int:
        self._es.indices.refresh(index=[self.settings.index("articles"), self.settings.index("reports")])
        return refresh_stance_windows(self._es, self.settings, documents)

    def process(self, documents: list[dict[str, Any]]):
        touching = [d for d in documents if d.get("stances")]
        if touching:
            self.written.inc(
                retry_transient(
                    lambda: self._recount(touching),
                    "recounting stance aggregates",
                    self.retry_seconds,
                    self.retries.inc,
                )
            )
        yield from documents

    def teardown(self) -> None:
        self._es.close()


class RecountStanceWindows(beam.PTransform):
    """Streaming aggregates: indexed articles -> the same articles, once the hourly counts they touch
    are recounted from the stance reports index (:func:`refresh_stance_windows`) and written.

    Counting from the index keeps the counts exact across restarts and redeliveries (Beam's
    windowed state would start from zero after a crash), and the step sits before the messages are
    acknowledged, so a crash can only repeat a recount.
    """

    def __init__(self, settings: Settings, retry_seconds: float = 900.0) -> None:
        super().__init__()
        self.settings = settings
        self.retry_seconds = retry_seconds

    def expand(self, documents):
        return (
            documents
            | "Batch" >> beam.BatchElements(max_batch_size=RECOUNT_BATCH)
            | "Recount" >> beam.ParDo(_RecountWindowsFn(self.settings, self.retry_seconds))
        )
