"""`peacewatch search` and `peacewatch reconcile` against the real index and emulator."""

from __future__ import annotations

import json

import pytest

import peacewatch.cli
from peacewatch.errors import UserError
from pipelines.search import build_query
from pipelines.write_es import BulkWriter
from tests.helpers import decode, pull_messages
from tests.pipelines.support import enriched, make_articles


def _index(settings, articles):
    """Indexes ``articles`` as enriched, each with its title's country backing or rejecting the force."""
    docs = []
    for article in articles:
        country = article["title"].split()[0]
        stance = "support" if "backs" in article["title"] else "oppose"
        found = {"countries": [country], "country_codes": [], "stances": [{"actor": country, "stance": stance}]}
        docs.append(enriched(article, **found, stance_pairs=[f"{country}:{stance}"]))
    writer = BulkWriter(settings)
    writer.write(docs)
    writer.close()


def test_search_filters_by_stance_country_and_date(provisioned, es, capsys):
    _index(provisioned, make_articles(4, "q"))  # France backs, Germany rejects, Kenya backs, Brazil rejects
    es.indices.refresh(index=provisioned.index("articles"))
    assert peacewatch.cli.main(["search", "peacekeeping", "--stance", "support", "--json"]) == 0
    titles = sorted(json.loads(line)["title"] for line in capsys.readouterr().out.splitlines())
    assert titles == ["France backs the peacekeeping force", "Kenya backs the peacekeeping force"]
    assert peacewatch.cli.main(["search", "--country", "germany", "--stance", "Germany:oppose"]) == 0
    out = capsys.readouterr().out
    assert "Germany rejects" in out and "1 of 1 articles" in out
    assert peacewatch.cli.main(["search", "force", "--since", "2026-03-03"]) == 0
    assert "Kenya backs" in capsys.readouterr().out


def test_search_query_building():
    with pytest.raises(UserError):
        build_query("x", stances=["maybe"])
    query = build_query("*", countries=["FR"], stances=["FR:support"])
    assert query["bool"]["must"] == [{"match_all": {}}] and len(query["bool"]["filter"]) == 2


def test_reconcile_reports_and_republishes_the_missing(provisioned, es, subscriber, capsys):
    from connectors.state import PublishedLog, default_state_path

    settings = provisioned
    articles = make_articles(3, "r")
    with PublishedLog(default_state_path(settings)) as log:
        log.record([(a, f"m{i}") for i, a in enumerate(articles)], settings.topic_path("articles"))
    _index(settings, articles[:2])
    assert peacewatch.cli.main(["reconcile", "--since", "1h"]) == 1
    out = capsys.readouterr().out
    assert "published 3, indexed 2, dead-lettered 0, missing 1" in out and articles[2]["id"] in out
    assert peacewatch.cli.main(["reconcile", "--since", "1h", "--republish"]) == 0
    assert "republished 1" in capsys.readouterr().out
    received = pull_messages(subscriber, settings.subscription_path("articles"), expect=1, timeout=30)
    assert [decode(m)["id"] for m in received] == [articles[2]["id"]]
