"""WriteToElasticsearch against the real local Elasticsearch: idempotent, rejects dead-lettered, outages retried."""

from __future__ import annotations

import threading

import apache_beam as beam
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from pipelines.options import python_direct_runner
from pipelines.write_es import BulkWriter, ElasticsearchUnavailable, WriteToElasticsearch
from tests.helpers import wait_until
from tests.pipelines.support import CuttableProxy, count, enriched, make_articles


def _enriched(articles):
    """Documents as they reach the writer (the streaming source's two private fields unset)."""
    return [enriched(a, _publish_time_ms=None, _ack_id=None) for a in articles]


def test_write_to_elasticsearch_is_idempotent_and_dead_letters_rejects(provisioned, es):
    settings = provisioned
    good = _enriched(make_articles(5, "w"))
    bad = dict(good[0], id="b" * 32, url="https://news.example.org/bad", published="not a date")
    elements = good + good[:2] + [bad]  # two redelivered copies and one document ES refuses
    for attempt in ("first", "second"):
        with test_pipeline.TestPipeline(runner=python_direct_runner()) as p:
            out = p | f"Create{attempt}" >> beam.Create(elements) | WriteToElasticsearch(settings, chunk_size=3)
            assert_that(
                out.indexed | beam.Map(lambda d: d["id"]), equal_to([a["id"] for a in good + good[:2]]), label="indexed"
            )
            assert_that(
                out.dead_letters | beam.Map(lambda d: (d["stage"], d["article_id"], "published" in d["reason"])),
                equal_to([("index", "b" * 32, True)]),
                label="dead",
            )
    assert count(es, settings.index("articles")) == 5
    doc = es.get(index=settings.index("articles"), id=good[0]["id"])["_source"]
    assert doc["indexed_at"] and "latency_ms" in doc and not any(k.startswith("_") for k in doc)


def test_bulk_writer_waits_out_an_outage(provisioned, es):
    settings = provisioned
    proxy = CuttableProxy("127.0.0.1", settings.es_port)
    try:
        writer = BulkWriter(settings.model_copy(update={"es_url": proxy.url}), retry_seconds=120)
        writer.setup()
        proxy.cut()
        result = {}
        thread = threading.Thread(target=lambda: result.update(r=writer.write(_enriched(make_articles(3, "o")))))
        thread.start()
        wait_until(lambda: proxy.refused >= 2, timeout=30, what="the writer to retry against the cut proxy")
        assert thread.is_alive()  # still retrying, nothing dead-lettered
        proxy.restore()
        thread.join(timeout=60)
        assert len(result["r"].indexed) == 3 and result["r"].dead == []
        assert count(es, settings.index("articles")) == 3
    finally:
        proxy.close()


def test_bulk_writer_gives_up_after_its_budget_without_dead_letters(provisioned):
    proxy = CuttableProxy("127.0.0.1", provisioned.es_port)
    proxy.cut()
    try:
        writer = BulkWriter(provisioned.model_copy(update={"es_url": proxy.url}), retry_seconds=1, sleep=lambda s: None)
        try:
            writer.write(_enriched(make_articles(2, "g")))
        except ElasticsearchUnavailable as exc:
            assert exc.pending == 2
        else:
            raise AssertionError("expected ElasticsearchUnavailable")
    finally:
        proxy.close()


def test_bulk_writer_stops_retrying_when_the_job_stops(provisioned):
    proxy = CuttableProxy("127.0.0.1", provisioned.es_port)
    proxy.cut()
    stop = threading.Event()
    try:
        writer = BulkWriter(provisioned.model_copy(update={"es_url": proxy.url}), retry_seconds=600, abort=stop)
        threading.Timer(1.0, stop.set).start()
        try:
            writer.write(_enriched(make_articles(2, "x")))
        except ElasticsearchUnavailable as exc:
            assert "stopping" in str(exc)
        else:
            raise AssertionError("expected ElasticsearchUnavailable")
    finally:
        proxy.close()
