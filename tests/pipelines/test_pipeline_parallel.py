"""NLP in several processes (``--nlp-processes 2``): the same output as one process, nothing lost or doubled.

:func:`analyze_articles` below (``EnrichArticles(analyze=...)``) fails on articles titled "boom", so
that the dead-letter path can be exercised inside the worker processes.
"""

from __future__ import annotations

import json
import multiprocessing

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

import peacewatch.cli
from pipelines.enrich import EnrichArticles, Enricher, ParallelEnricher
from pipelines.options import nlp_processes, python_direct_runner
from tests.pipelines.support import SAMPLE, count, make_articles, sample_articles


def analyze_articles(nlp, articles, batch_size=32):
    from pipelines.nlp import analyze_articles as real

    articles = list(articles)
    if any(a.get("title") == "boom" for a in articles):
        raise ValueError("analyzer exploded")
    return real(nlp, articles, batch_size=batch_size)


def _articles():
    from schemas.validation import parse_article

    return [parse_article(a) for a in sample_articles()] + make_articles(7, tag="parallel")


def _sorted(docs):
    return sorted(docs, key=lambda d: d["id"])


def test_parallel_enricher_gives_exactly_the_single_process_analysis():
    articles = _articles()
    single = Enricher(batch_size=4)
    single.setup()
    expected, _ = single.enrich(articles)
    parallel = ParallelEnricher(2, batch_size=4)
    parallel.setup()
    try:
        split, dead = parallel.enrich(articles)
        submitted = [parallel.submit(articles[i : i + 5]) for i in range(0, len(articles), 5)]
        in_parts = [doc for result in submitted for doc in result.get()[0]]
    finally:
        parallel.close()
    assert dead == []
    assert split == expected  # every field, in input order
    assert in_parts == expected
    assert any(d["stances"] for d in expected) and any(d["entities"] for d in expected)


def test_enrich_articles_in_two_processes_equals_one_process():
    articles = _articles()
    single = Enricher()
    single.setup()
    expected, _ = single.enrich(articles)
    with test_pipeline.TestPipeline(runner=python_direct_runner()) as p:
        out = p | beam.Create(articles) | EnrichArticles(batch_size=4, processes=2)
        assert_that(out.enriched, equal_to(expected))
        assert_that(out.dead_letters, equal_to([]), label="no dead letters")
    assert multiprocessing.active_children() == []  # the workers were stopped in teardown()


def test_a_failing_article_is_dead_lettered_alone_in_a_worker():
    articles = make_articles(6, tag="boom")
    bad = dict(articles[3], title="boom")
    articles[3] = bad
    with test_pipeline.TestPipeline(runner=python_direct_runner()) as p:
        out = p | beam.Create(articles) | EnrichArticles(batch_size=4, processes=2, analyze=analyze_articles)
        assert_that(out.enriched | beam.Map(lambda a: a["id"]), equal_to([a["id"] for a in articles if a is not bad]))
        assert_that(
            out.dead_letters | beam.Map(lambda d: (d["stage"], d["article_id"], "exploded" in d["reason"])),
            equal_to([("enrich", bad["id"], True)]),
            label="one dead letter",
        )


def test_backfill_with_two_nlp_processes_indexes_what_one_process_does(provisioned, es, tmp_path, capsys):
    settings = provisioned
    articles = sample_articles() + make_articles(40, tag="backfill")
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    index = settings.index("articles")
    volatile = ("indexed_at", "latency_ms")

    def indexed():
        es.indices.refresh(index=index)
        hits = es.search(index=index, size=1000)["hits"]["hits"]
        return _sorted({k: v for k, v in h["_source"].items() if k not in volatile} for h in hits)

    assert peacewatch.cli.main(["run", "--input", str(path), "--no-alerts", "--nlp-processes", "1"]) == 0
    one_process = indexed()
    for _ in range(2):  # twice: the index holds each article once
        assert (
            peacewatch.cli.main(
                ["run", "--input", str(path), "--no-alerts", "--nlp-processes", "2", "--batch-size", "8"]
            )
            == 0
        )
        err = capsys.readouterr().err
        assert "NLP in 2 processes" in err and f"read={len(articles)} valid={len(articles)}" in err, err
        assert f"indexed={len(articles)} dead-lettered=0" in err, err
        assert count(es, index) == len(articles)
    assert indexed() == one_process
    assert {d["url"] for d in one_process} == {a["url"] for a in articles}
    assert multiprocessing.active_children() == []


def test_nlp_processes_default_uses_two_cores_for_local_runs_only(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    batch = ["--input", str(SAMPLE)]
    assert nlp_processes(PipelineOptions(batch)) == 2
    assert nlp_processes(PipelineOptions([*batch, "--nlp_processes", "1"])) == 1
    assert nlp_processes(PipelineOptions(["--streaming"])) == 2  # Prism: one Python worker process
    assert nlp_processes(PipelineOptions(["--streaming", "--nlp_processes", "1"])) == 1
    assert nlp_processes(PipelineOptions(["--streaming", "--runner", "FlinkRunner"])) == 1
    assert (
        nlp_processes(
            PipelineOptions([*batch, "--direct_num_workers", "2", "--direct_running_mode", "multi_processing"])
        )
        == 1
    )
    assert nlp_processes(PipelineOptions([*batch, "--runner", "DataflowRunner"])) == 1
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert nlp_processes(PipelineOptions(batch)) == 1
