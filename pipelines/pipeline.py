"""The peacewatch job as a list of composites: read, parse, enrich, index, aggregate, alert.

The same composites serve a backfill (``--input`` files, batch) and streaming on a distributed
runner (``ReadFromPubSub``). Local streaming runs the same building blocks in a micro-batch loop
(:mod:`pipelines.local_stream`) so that messages are acknowledged only after they are indexed.
"""

from __future__ import annotations

import logging
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from pipelines.aggregate import AggregateStances
from pipelines.deadletters import WriteDeadLetters
from pipelines.enrich import EnrichArticles
from pipelines.io_pubsub import ReadArticles
from pipelines.match_alerts import MatchAlertRules, alerts_wanted
from pipelines.options import PeacewatchOptions, nlp_processes
from pipelines.parse import ParseArticles
from pipelines.write_es import WriteToElasticsearch
from schemas.settings import Settings

logger = logging.getLogger(__name__)

COUNTERS = ("read", "valid", "invalid", "enriched", "relevant", "indexed", "dead_lettered", "alerts",
            "stance_aggregates", "index_retries")


def build_pipeline(p: beam.Pipeline, options: PipelineOptions, settings: Settings,
                   source: beam.PTransform | None = None) -> dict[str, Any]:
    """Adds the job to ``p``; returns its main PCollections by name (for tests).

    Args:
        p: the pipeline.
        options: Beam options viewed as :class:`PeacewatchOptions` for the job's settings.
        settings: where the services are.
        source: replaces ``ReadArticles`` (tests feed a ``TestStream`` of Pub/Sub messages).
    """
    opts = options.view_as(PeacewatchOptions)
    subscription = opts.subscription or settings.subscription_path("articles")

    raw = p | "ReadArticles" >> (source or ReadArticles(opts.inputs, None if opts.inputs else subscription))
    parsed = raw | "ParseArticles" >> ParseArticles()
    enriched = parsed.articles | "EnrichArticles" >> EnrichArticles(opts.spacy_model, opts.nlp_module, opts.batch_size,
                                                                    nlp_processes(options))
    written = enriched.enriched | "WriteToElasticsearch" >> WriteToElasticsearch(
        settings, opts.bulk_chunk_size, opts.bulk_max_bytes, opts.es_retry_seconds, opts.progress_seconds)
    dead = [parsed.dead_letters, enriched.dead_letters, written.dead_letters]
    if opts.aggregates:
        written.indexed | "AggregateStances" >> AggregateStances(settings, options.view_as(StandardOptions).streaming)
    if alerts_wanted(settings, opts.alerts, opts.rules):
        matched = written.indexed | "MatchAlertRules" >> MatchAlertRules(settings, opts.rules)
        dead.append(matched.dead_letters)
    dead_letters = tuple(dead) | "AllDeadLetters" >> beam.Flatten()
    written_dead = dead_letters | "WriteDeadLetters" >> WriteDeadLetters(settings)
    return {"indexed": written.indexed, "dead_letters": written_dead}


def counters_of(result: Any) -> dict[str, int]:
    """The job's counters (committed where the runner knows them, else attempted)."""
    out = {name: 0 for name in COUNTERS}
    try:
        query = result.metrics().query()
    except Exception:  # noqa: BLE001 - some runners cannot report metrics; the summary says 0
        return out
    for counter in query.get("counters", []):
        if counter.key.metric.namespace == "peacewatch":
            value = counter.committed if counter.committed is not None else counter.attempted
            out[counter.key.metric.name] = out.get(counter.key.metric.name, 0) + int(value or 0)
    return out


def latency_of(result: Any) -> dict[str, float] | None:
    try:
        query = result.metrics().query()
    except Exception:  # noqa: BLE001
        return None
    for dist in query.get("distributions", []):
        if dist.key.metric.name == "latency_ms":
            data = dist.committed or dist.attempted
            if data and data.count:
                return {"count": data.count, "mean": data.mean, "min": data.min, "max": data.max}
    return None
