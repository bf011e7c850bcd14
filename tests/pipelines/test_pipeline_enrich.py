"""EnrichArticles: the NLP package's analysis merged in, with the derived search fields."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from pipelines.enrich import EnrichArticles, Enricher, merge_analysis, stance_pairs
from pipelines.options import python_direct_runner
from tests.pipelines.support import sample_articles


def _with_ids(articles):
    from schemas.validation import parse_article

    return [parse_article(a) for a in articles]


def test_enrich_articles_finds_entities_and_stances():
    articles = _with_ids(sample_articles()[:2])  # France supports, Russia opposes
    with test_pipeline.TestPipeline(runner=python_direct_runner()) as p:
        out = p | beam.Create(articles) | EnrichArticles(batch_size=8)
        summary = out.enriched | beam.Map(
            lambda a: (
                a["title"],
                a["relevant"],
                tuple(a["stance_pairs"]),
                "pipeline_version" in a,
                bool(a["entities"]),
            )
        )
        assert_that(
            summary,
            equal_to(
                [
                    ("France backs the peacekeeping mission", True, ("FR:support", "France:support"), True, True),
                    ("Russia rejects the proposed UN force", True, ("RU:oppose", "Russia:oppose"), True, True),
                ]
            ),
        )
        assert_that(out.dead_letters, equal_to([]), label="no dead letters")


def test_a_failing_article_is_dead_lettered_alone(monkeypatch):
    enricher = Enricher()
    enricher.setup()
    real = enricher._analyze

    def flaky(nlp, articles, batch_size=32):
        if any(a["title"] == "boom" for a in articles):
            raise ValueError("analyzer exploded")
        return real(nlp, articles, batch_size=batch_size)

    enricher._analyze = flaky
    good = _with_ids(sample_articles()[:1])[0]
    bad = dict(good, title="boom", id="f" * 32, _ack_id="ack-bad")
    enriched, dead = enricher.enrich([good, bad])
    assert [a["id"] for a in enriched] == [good["id"]]
    assert dead[0]["stage"] == "enrich" and "analyzer exploded" in dead[0]["reason"] and dead[0]["_ack_id"] == "ack-bad"


def test_merge_analysis_derives_actors_and_pairs():
    analysis = {
        "relevant": True,
        "relevance": 0.9,
        "analysed": True,
        "entities": [],
        "countries": ["France"],
        "people": [],
        "stances": [
            {"actor": "France", "actor_code": "FR", "stance": "support"},
            {"actor": "NATO", "actor_code": None, "stance": "oppose"},
        ],
    }
    merged = merge_analysis({"id": "1", "url": "u", "title": "t", "text": "x", "_ack_id": "a"}, analysis)
    assert merged["actors"] == ["France", "NATO"]
    assert merged["stance_pairs"] == ["FR:support", "France:support", "NATO:oppose"]
    assert merged["_ack_id"] == "a"
    assert stance_pairs([]) == []


def test_parallel_enricher_gives_the_same_results_in_order():
    from pipelines.enrich import ParallelEnricher

    articles = _with_ids(sample_articles()[:3])
    single = Enricher()
    single.setup()
    parallel = ParallelEnricher(2)
    parallel.setup()
    try:
        expected, _ = single.enrich(articles)
        got, dead = parallel.enrich(articles)
    finally:
        parallel.close()
    assert dead == [] and [(a["id"], a["stance_pairs"]) for a in got] == [
        (a["id"], a["stance_pairs"]) for a in expected
    ]
