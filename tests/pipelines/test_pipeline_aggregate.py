"""Hourly actor/stance counts: Beam windows (batch and TestStream) and the index recount."""

from __future__ import annotations

from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing import test_pipeline, test_stream
from apache_beam.testing.util import assert_that, equal_to

from pipelines.aggregate import CountStancesPerHour, aggregate_id, refresh_stance_windows
from pipelines.options import python_direct_runner
from pipelines.write_es import BulkWriter


def _doc(i, published, stances):
    return {
        "id": f"{i:032x}",
        "published": published,
        "stances": [{"actor": a, "actor_code": c, "actor_type": "country", "stance": s} for a, c, s in stances],
    }


DOCS = [
    _doc(1, "2026-03-02T10:05:00Z", [("France", "FR", "support")]),
    _doc(2, "2026-03-02T10:50:00Z", [("France", "FR", "support"), ("Russia", "RU", "oppose")]),
    _doc(3, "2026-03-02T11:10:00Z", [("France", "FR", "support"), ("France", "FR", "support")]),
]
EXPECTED = [
    ("2026-03-02T10:00:00Z", "France", "support", 2),
    ("2026-03-02T10:00:00Z", "Russia", "oppose", 1),
    ("2026-03-02T11:00:00Z", "France", "support", 1),
]


def _summary(d):
    return d["window_start"], d["actor"], d["stance"], d["count"]


def test_count_stances_per_hour_in_batch():
    with test_pipeline.TestPipeline(runner=python_direct_runner()) as p:
        out = p | beam.Create(DOCS) | CountStancesPerHour()
        assert_that(out | beam.Map(_summary), equal_to(EXPECTED))


def test_count_stances_per_hour_streaming_with_test_stream():
    def stamp(text: str) -> float:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

    stream = (
        test_stream.TestStream()
        .advance_watermark_to(stamp("2026-03-02T10:00:00Z"))
        .add_elements(DOCS[:2])
        .advance_watermark_to(stamp("2026-03-02T11:00:01Z"))
        .add_elements(DOCS[2:])
        .advance_watermark_to_infinity()
    )
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    with test_pipeline.TestPipeline(runner=python_direct_runner(streaming=True), options=options) as p:
        out = p | stream | CountStancesPerHour(streaming=True)
        assert_that(out | beam.Map(_summary), equal_to(EXPECTED))


def test_refresh_stance_windows_recounts_from_the_index(provisioned, es):
    settings = provisioned
    writer = BulkWriter(settings)
    docs = [
        dict(
            d,
            url=f"u{i}",
            title="t",
            text="x",
            stance_pairs=sorted(
                {f"{s['actor']}:{s['stance']}" for s in d["stances"]}
                | {f"{s['actor_code']}:{s['stance']}" for s in d["stances"]}
            ),
        )
        for i, d in enumerate(DOCS)
    ]
    result = writer.write(docs)
    writer.close()
    es.indices.refresh(index=[settings.index("articles"), settings.index("reports")])
    for _ in range(2):  # a second pass (a redelivery) must not change the counts
        assert refresh_stance_windows(es, settings, result.indexed) == 3
    es.indices.refresh(index=settings.index("stances"))
    hits = es.search(index=settings.index("stances"), size=10)["hits"]["hits"]
    assert sorted(_summary(h["_source"]) for h in hits) == sorted(EXPECTED)
    start = datetime(2026, 3, 2, 10, tzinfo=timezone.utc)
    assert {h["_id"] for h in hits} >= {aggregate_id(start, "France", "support")}
