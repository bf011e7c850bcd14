"""The peacewatch job as a list of composites: read, parse, enrich, index, aggregate, alert, acknowledge.

One graph for every runner and both modes. A backfill reads ``--input`` files (batch). Streaming
reads the articles subscription with :class:`~pipelines.io_pubsub.PullFromPubSub`, and a message
is acknowledged (:class:`~pipelines.io_pubsub.AcknowledgeMessages`) only once everything that must
survive a crash is written: its article indexed, the stance counts it touches recounted, its
alerts recorded (alerts index and topic, the outbox), or else its dead letter written. The alert
outbox is delivered by :class:`~pipelines.deliver_alerts.DeliverAlerts`, a branch of the same job
that reads the ``alerts`` topic, apart from the indexing path.
"""

from __future__ import annotations

import logging
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from peacewatch.settings import Settings
from pipelines.aggregate import AggregateStances, RecountStanceWindows
from pipelines.deadletters import WriteDeadLetters
from pipelines.enrich import EnrichArticles
from pipelines.io_pubsub import AcknowledgeMessages, PullConfig, ReadArticles
from pipelines.match_alerts import MatchAlertRules, alerts_wanted
from pipelines.options import PeacewatchOptions, StreamingOptions, nlp_processes
from pipelines.parse import ParseArticles
from pipelines.write_es import WriteToElasticsearch

logger = logging.getLogger(__name__)

COUNTERS = (
    "read",
    "valid",
    "invalid",
    "enriched",
    "relevant",
    "indexed",
    "dead_lettered",
    "alerts",
    "stance_aggregates",
    "index_retries",
)


def pull_config(options: PipelineOptions) -> PullConfig:
    """How the articles subscription is read, from the streaming options."""
    opts = options.view_as(StreamingOptions)
    retry = options.view_as(PeacewatchOptions).es_retry_seconds
    return PullConfig(
        shards=opts.pull_shards,
        interval_seconds=opts.pull_interval_ms / 1000,
        max_messages=opts.pull_max_messages,
        max_outstanding=opts.max_outstanding_messages,
        lease_seconds=opts.ack_lease_seconds,
        max_hold_seconds=max(1800.0, retry * 2 + 120),
        max_delivery_attempts=opts.max_delivery_attempts,
    )


def build_pipeline(
    p: beam.Pipeline, options: PipelineOptions, settings: Settings, source: beam.PTransform | None = None
) -> dict[str, Any]:
    """Adds the job to ``p``; returns its main PCollections by name (for tests).

    Args:
        p: the pipeline.
        options: Beam options viewed as :class:`PeacewatchOptions` for the job's settings.
        settings: where the services are.
        source: replaces ``ReadArticles`` (tests feed a ``TestStream`` of Pub/Sub messages).
    """
    opts = options.view_as(PeacewatchOptions)
    streaming = options.view_as(StandardOptions).streaming
    subscription = (
        None if opts.inputs or source is not None else (opts.subscription or settings.subscription_path("articles"))
    )
    pull = pull_config(options)
    retry = opts.es_retry_seconds

    raw = p | "ReadArticles" >> (source or ReadArticles(opts.inputs, subscription, settings, pull))
    parsed = raw | "ParseArticles" >> ParseArticles()
    enriched = parsed.articles | "EnrichArticles" >> EnrichArticles(
        opts.spacy_model, opts.batch_size, nlp_processes(options)
    )
    written = enriched.enriched | "WriteToElasticsearch" >> WriteToElasticsearch(
        settings, opts.bulk_chunk_size, opts.bulk_max_bytes, retry, 0.0 if streaming else opts.progress_seconds
    )
    dead = [parsed.dead_letters, enriched.dead_letters, written.dead_letters]
    finished = written.indexed
    if opts.aggregates:
        if streaming:
            finished = finished | "AggregateStances" >> RecountStanceWindows(settings, retry)
        else:
            written.indexed | "AggregateStances" >> AggregateStances(settings, streaming=False)
    if alerts_wanted(settings, opts.alerts, opts.rules):
        matched = finished | "MatchAlertRules" >> MatchAlertRules(
            settings, opts.rules, options.view_as(StreamingOptions).alert_match_seconds, retry
        )
        finished = matched.articles
        dead.append(matched.dead_letters)
        if subscription is not None:
            from pipelines.deliver_alerts import DeliverAlerts, delivery_pull_config

            p | "DeliverAlerts" >> DeliverAlerts(settings, opts.rules, delivery_pull_config(options))
    dead_letters = tuple(dead) | "AllDeadLetters" >> beam.Flatten()
    written_dead = dead_letters | "WriteDeadLetters" >> WriteDeadLetters(settings, retry_seconds=retry)
    if subscription is not None:
        # Two acknowledgement steps rather than one behind a Flatten: each stays fused with the
        # steps before it, in the worker that pulled the messages (whose leases it holds).
        finished | "AcknowledgeArticles" >> AcknowledgeMessages(settings, subscription, pull)
        written_dead | "AcknowledgeDeadLetters" >> AcknowledgeMessages(settings, subscription, pull)
    return {"indexed": written.indexed, "finished": finished, "dead_letters": written_dead}


def close_worker_resources() -> None:
    """Stops the child processes (NLP, alert matching) a local run's in-process worker started:
    a cancelled streaming job does not tear its DoFns down, and they are shared per process."""
    from pipelines.enrich import close_parallel_enrichers
    from pipelines.match_alerts import close_guards

    close_parallel_enrichers()
    close_guards()


def query_metrics(result: Any) -> dict[str, Any]:
    """The job's metrics now (a running portable job is asked again each time)."""
    job_service = getattr(result, "_job_service", None)
    job_id = getattr(result, "_job_id", None)
    if job_service is not None and job_id is not None:
        # PipelineResult.metrics() of a portable job caches its first answer; progress needs fresh ones.
        from apache_beam.portability.api import beam_job_api_pb2
        from apache_beam.runners.portability.portable_runner import PortableMetrics

        response = job_service.GetJobMetrics(beam_job_api_pb2.GetJobMetricsRequest(job_id=job_id), timeout=30)
        return PortableMetrics(response).query()
    return result.metrics().query()


def _value(result: Any) -> Any:
    committed, attempted = result.committed, result.attempted
    if committed is None:
        return attempted
    if attempted is None:
        return committed
    return committed if _size(committed) >= _size(attempted) else attempted


def _size(value: Any) -> float:
    return value if isinstance(value, (int, float)) else getattr(value, "count", 0) or 0


def counters_of(result: Any, query: dict[str, Any] | None = None) -> dict[str, int]:
    """The job's ``peacewatch`` counters (the larger of committed and attempted: a running job's
    attempted values include bundles in progress)."""
    out = {name: 0 for name in COUNTERS}
    try:
        query = query if query is not None else query_metrics(result)
    except Exception:
        return out
    for counter in query.get("counters", []):
        if counter.key.metric.namespace == "peacewatch":
            out[counter.key.metric.name] = out.get(counter.key.metric.name, 0) + int(_value(counter) or 0)
    return out


def latency_of(result: Any) -> dict[str, float] | None:
    try:
        query = query_metrics(result)
    except Exception:
        return None
    for dist in query.get("distributions", []):
        if dist.key.metric.name == "latency_ms":
            data = _value(dist)
            if data and data.count:
                return {"count": data.count, "mean": data.mean, "min": data.min, "max": data.max}
    return None
