"""Alert rules by mission: the ``mission:`` field in queries, ``--mission`` on ``alerts add``."""

from __future__ import annotations

import argparse

import pytest

from peacewatch.errors import UserError
from pipelines.alerts import cli
from pipelines.alerts.matcher import RuleMatcher
from pipelines.alerts.rules import Rule, validate_rule


def _article(number: int, missions: list[str], stances: list[tuple[str, str, str]]) -> dict:
    return {
        "id": f"m-{number}",
        "url": f"https://news.example/m{number}",
        "title": f"Story {number}",
        "text": "The force was discussed.",
        "relevant": True,
        "missions": missions,
        "stances": [
            {"actor": a, "actor_code": None, "actor_type": "country", "stance": s, "mission": m, "commitment": "none"}
            for a, s, m in stances
        ],
    }


ARTICLES = [
    _article(1, ["ukraine"], [("France", "support", "ukraine")]),
    _article(2, ["gaza", "ukraine"], [("France", "oppose", "gaza"), ("Italy", "support", "ukraine")]),
    _article(3, ["south-sudan"], []),
]


@pytest.mark.parametrize(
    "rule,expected",
    [
        (Rule("q", "mission:gaza"), ["m-2"]),
        (Rule("q", "mission:ukraine AND stance:oppose"), ["m-2"]),
        (Rule("q", mission="ukraine"), ["m-1", "m-2"]),
        (Rule("q", mission="south-sudan"), ["m-3"]),
        (Rule("q", actor="France", stance="support", mission="gaza"), []),  # France's support is on ukraine
        (Rule("q", actor="France", stance="oppose", mission="gaza"), ["m-2"]),
    ],
)
def test_rules_select_articles_by_mission(rule, expected):
    matcher = RuleMatcher([rule])
    assert [a["id"] for a in ARTICLES if matcher.match(a)] == expected


def test_unknown_mission_is_refused_with_the_known_ids():
    with pytest.raises(UserError) as caught:
        validate_rule(Rule("r", mission="narnia"))
    assert "unknown mission 'narnia'" in caught.value.message and "ukraine" in caught.value.message


def test_alerts_add_takes_a_mission(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PEACEWATCH_DATA_DIR", str(tmp_path))
    parser = argparse.ArgumentParser(prog="peacewatch")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["alerts", "add", "moves", "--kind", "stance-change", "--mission", "ukraine"])
    assert args.func(args) == 0
    args = parser.parse_args(["alerts", "show", "moves"])
    args.func(args)
    shown = capsys.readouterr().out
    assert "mission: ukraine" in shown or "mission=ukraine" in shown, shown
    assert 'stances.mission:"ukraine"' in shown  # as a query_string to paste into Kibana
