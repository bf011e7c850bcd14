"""The streaming graph as a distributed runner gets it (built, not run), and its composites on a TestStream."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.io.gcp.pubsub import PubsubMessage
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing import test_pipeline, test_stream
from apache_beam.testing.util import assert_that, equal_to

from pipelines.io_pubsub import ReadArticles
from pipelines.options import python_direct_runner
from pipelines.pipeline import build_pipeline
from tests.pipelines.support import count, make_articles


def test_streaming_pipeline_for_dataflow_constructs(settings):
    # Built (not run) as for a distributed runner: the same graph, read by the pull source.
    options = PipelineOptions(["--streaming", "--no-alerts"])
    p = beam.Pipeline(runner=python_direct_runner(streaming=True), options=options)
    build_pipeline(p, options, settings)
    proto = p.to_runner_api()
    names = {t.unique_name for t in proto.components.transforms.values()}
    assert {
        "ReadArticles",
        "ParseArticles",
        "EnrichArticles",
        "WriteToElasticsearch",
        "AggregateStances",
        "WriteDeadLetters",
    } <= names
    read = next(t for t in p.transforms_stack[0].parts if isinstance(t.transform, ReadArticles)).transform
    assert read.subscription == settings.subscription_path("articles") and not read.inputs


def test_streaming_pipeline_on_test_stream(provisioned, es, subscriber):
    settings = provisioned
    articles = make_articles(4, "ts")
    now = datetime.now(timezone.utc)
    messages = [PubsubMessage(json.dumps(a).encode(), {"article_id": a["id"]}, publish_time=now) for a in articles]
    broken = PubsubMessage(b"{oops", {"article_id": "x"}, publish_time=now)
    stream = (
        test_stream.TestStream()
        .add_elements(messages[:2])
        .advance_processing_time(5)
        .add_elements([*messages[2:], broken])
        .advance_watermark_to_infinity()
    )
    options = PipelineOptions(["--streaming", "--no-alerts", "--batch_size", "2"])
    with test_pipeline.TestPipeline(runner=python_direct_runner(streaming=True), options=options) as p:
        out = build_pipeline(p, options, settings, source=stream)
        assert_that(
            out["indexed"] | beam.Map(lambda d: (d["id"], d["latency_ms"] is not None)),
            equal_to([(a["id"], True) for a in articles]),
            label="indexed",
        )
        assert_that(out["dead_letters"] | beam.Map(lambda d: d["stage"]), equal_to(["parse"]), label="dead")
    assert count(es, settings.index("articles")) == 4
    assert count(es, settings.index("deadletter")) == 1
    assert count(es, settings.index("stances")) > 0
