"""`peacewatch run --input FILE.jsonl`: the index holds exactly those articles, enriched; twice changes nothing."""

from __future__ import annotations

import json

import peacewatch.cli
from tests.pipelines.support import SAMPLE, count, sample_articles


def test_backfill_indexes_exactly_the_file_and_is_idempotent(provisioned, es, tmp_path, capsys):
    settings = provisioned
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"url": "https://x.example/1", "title": 1, "text": "t"}\n\n{oops\n', encoding="utf-8")
    expected = {json.loads(line)["url"] for line in SAMPLE.read_text().splitlines() if line.strip()}
    for _ in range(2):
        assert peacewatch.cli.main(["run", "--input", str(SAMPLE), "--input", str(broken), "--no-alerts"]) == 0
        summary = capsys.readouterr().err
        assert "starting on FnApiRunner (batch)" in summary  # the Python direct runner, not Prism
        assert f"read={len(expected) + 2} valid={len(expected)}" in summary and "dead-lettered=2" in summary, summary
        assert count(es, settings.index("articles")) == len(expected)
    es.indices.refresh(index=settings.index("articles"))
    docs = [h["_source"] for h in es.search(index=settings.index("articles"), size=50)["hits"]["hits"]]
    assert {d["url"] for d in docs} == expected
    france = next(d for d in docs if d["title"].startswith("France"))
    assert "France:support" in france["stance_pairs"] and france["entities"] and france["relevant"]
    assert france["indexed_at"] and france["pipeline_version"]
    assert count(es, settings.index("deadletter")) == 2
    assert count(es, settings.index("stances")) > 0


def test_run_explains_bad_options(provisioned, capsys):
    assert peacewatch.cli.main(["run"]) == 2
    assert "--input" in capsys.readouterr().err
    assert peacewatch.cli.main(["run", "--input", "/nonexistent/file.jsonl"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_sample_file_is_valid():
    from schemas.validation import parse_article

    assert all(parse_article(a)["id"] for a in sample_articles())
