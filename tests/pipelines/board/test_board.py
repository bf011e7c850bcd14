"""``peacewatch board`` and ``peacewatch missions`` on known reports in the real Elasticsearch."""

from __future__ import annotations

import csv
import io
import json

import peacewatch.cli
from pipelines.board.query import build_board
from pipelines.reports import report_documents, report_id

from .conftest import ARTICLES

WINDOW = ["--since", "2025-06-01", "--until", "2026-03-31"]


def _board(capsys, *args: str) -> list[dict]:
    assert peacewatch.cli.main(["board", "--mission", "ukraine", *WINDOW, "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_rows_are_ordered_and_say_since_when_and_what_changed(board_settings, capsys):
    rows = _board(capsys)
    assert [(r["actor"], r["stance"], r["commitment"]) for r in rows] == [
        ("France", "support", "troops"),
        ("Germany", "support", "other"),
        ("Canada", "undecided", "none"),
        ("NATO", "undecided", "none"),
        ("Poland", "oppose", "none"),
    ]
    france, germany, canada = rows[0], rows[1], rows[2]
    assert france["condition"] == "once a ceasefire is signed" and france["since"].startswith("2026-01-10")
    assert france["previous"] is None and france["url"] == "https://news.example/1"
    assert germany["previous"] == "oppose" and germany["since"].startswith("2026-03-10")
    assert germany["changed"] == germany["since"]
    assert germany["counts"] == {"support": 2, "oppose": 1, "undecided": 1} and germany["articles"] == 4
    assert germany["evidence"] == "Germany is support on the ukraine force." and germany["source"]
    assert canada["undated"] is True and canada["since"] is None  # only an undated report: marked
    assert all(r["actor"] != "Indonesia" for r in rows)  # a gaza stance stays off the ukraine board


def test_filters_and_window(board_settings, capsys):
    assert [r["actor"] for r in _board(capsys, "--actor-type", "organisation")] == ["NATO"]
    assert {r["actor"] for r in _board(capsys, "--language", "de")} == {"Germany"}
    assert (
        peacewatch.cli.main(
            ["board", "--mission", "ukraine", "--since", "2026-03-01", "--until", "2026-03-15", "--format", "json"]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    germany = next(r for r in rows if r["actor"] == "Germany")
    assert germany["counts"] == {"support": 1, "oppose": 0, "undecided": 0} and germany["previous"] is None
    assert "Poland" not in {r["actor"] for r in rows}  # undated, seen on 2026-03-25: outside the window


def test_table_and_csv(board_settings, capsys):
    assert peacewatch.cli.main(["board", "--mission", "ukraine", *WINDOW]) == 0
    table = capsys.readouterr().out
    assert "Germany" in table and "oppose until 2026-03-10" in table and "date unknown" in table
    assert table.index("France") < table.index("Germany") < table.index("Poland")
    assert peacewatch.cli.main(["board", "--mission", "ukraine", *WINDOW, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[1]["actor"] == "Germany" and rows[1]["support"] == "2"
    header = ["actor", "actor_type", "stance", "commitment", "condition", "since", "previous", "changed"]
    header += ["support", "oppose", "undecided", "articles", "evidence", "source", "date", "url", "undated"]
    assert list(rows[0]) == header


def test_unknown_mission_and_empty_board(board_settings, capsys):
    assert peacewatch.cli.main(["board", "--mission", "narnia"]) == 2
    err = capsys.readouterr().err
    assert "unknown mission 'narnia'" in err and "ukraine, lebanon, gaza" in err and "Traceback" not in err
    assert peacewatch.cli.main(["board", "--mission", "haiti", "--since", "1y"]) == 1
    err = capsys.readouterr().err
    assert "no stance reports on haiti" in err and "peacewatch missions" in err
    assert peacewatch.cli.main(["board", "--mission", "ukraine", "--until", "someday"]) == 2
    assert "--until" in capsys.readouterr().err
    assert peacewatch.cli.main(["board", "--mission", "sudann"]) == 2
    assert "did you mean sudan?" in capsys.readouterr().err
    assert peacewatch.cli.main(["board", "--mission", "ukraine", "--language", "englsh"]) == 2
    assert "unknown language 'englsh'" in capsys.readouterr().err
    assert peacewatch.cli.main(["board", "--mission", "UNIFIL", "--since", "1y"]) == 1  # a name: the mission's id
    assert "no stance reports on lebanon" in capsys.readouterr().err


def test_missions_command_counts_articles_and_stances(board_settings, capsys):
    assert peacewatch.cli.main(["missions", "--json"]) == 0
    rows = {r["id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert list(rows)[-1] == "other" and "south-sudan" in rows
    assert (rows["ukraine"]["articles"], rows["ukraine"]["stances"]) == (5, 8)
    assert (rows["gaza"]["articles"], rows["gaza"]["stances"], rows["gaza"]["support"]) == (1, 1, 1)
    assert peacewatch.cli.main(["missions"]) == 0
    assert "ukraine" in capsys.readouterr().out


def test_board_is_a_few_aggregations_not_a_scan(board_settings, es):
    calls = []
    search = es.search
    es.search = lambda **kw: calls.append(kw) or search(**kw)
    board = build_board(es, board_settings, "ukraine", "Ukraine", since=None, until=None)
    assert len(board.rows) == 5
    assert len(calls) == 2 and all(c["size"] == 0 for c in calls)


def test_rewriting_an_article_drops_the_reports_it_no_longer_has(board_settings, es):
    from pipelines.write_es import BulkWriter

    article = dict(ARTICLES[0], stances=[ARTICLES[0]["stances"][1]])  # Germany's stance is gone
    writer = BulkWriter(board_settings)
    try:
        writer.write([article])
    finally:
        writer.close()
    es.indices.refresh(index=board_settings.index("reports"))
    ids = {
        h["_id"]
        for h in es.search(
            index=board_settings.index("reports"), size=50, query={"term": {"article_id": article["id"]}}
        )["hits"]["hits"]
    }
    assert ids == {report_id(article["id"], "France", "ukraine")}


def test_report_documents_copy_the_article():
    (undated,) = [r for r in report_documents(ARTICLES[4]) if r["actor"] == "Poland"]
    assert undated["date"] is None and undated["dated"] is False and undated["time"] == undated["seen"]
    (dated,) = [r for r in report_documents(ARTICLES[1]) if r["actor"] == "Indonesia"]
    assert (dated["mission"], dated["date"], dated["language"], dated["url"]) == (
        "gaza",
        "2026-02-10T09:00:00Z",
        "de",
        "https://news.example/2",
    )
