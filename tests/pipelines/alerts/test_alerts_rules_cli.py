"""The rules file, its contract, the watcher, and the ``peacewatch alerts`` commands."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
import yaml

from peacewatch.errors import UserError
from pipelines.alerts import cli
from pipelines.alerts.query import QuerySyntaxError
from pipelines.alerts.rules import Rule, RuleFileWatcher, RuleStore, validate_rule

SCHEMA = Path(__file__).resolve().parents[3] / "schemas" / "json" / "alert_rule.v1.json"


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="peacewatch")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.mark.parametrize(
    "rule,message",
    [
        (Rule("Bad Name", "x"), "rule name"),
        (Rule("r", "peace AND"), "position 9"),
        (Rule("r", "x", kind="alarm"), "kind"),
        (Rule("r", "x", stance="maybe"), "stance"),
        (Rule("r", "x", min_relevance=2), "min_relevance"),
        (Rule("r", "x", digest="weekly"), "digest"),
        (Rule("r", "x", throttle="soon"), "duration"),
        (Rule("r", "x", channels=["pager:123"]), "unknown channel"),
        (Rule("r", "x", channels=["webhook:ftp://x"]), "http(s) URL"),
        (Rule("r", "x", channels=["email:not-an-address"]), "not an email address"),
        (Rule("r", kind="spike"), "needs --term"),
    ],
)
def test_invalid_rules_are_refused(rule, message):
    with pytest.raises(UserError) as caught:
        validate_rule(rule)
    assert message in str(caught.value)


def test_store_round_trip_and_contract(tmp_path):
    import jsonschema

    store = RuleStore(tmp_path / "alerts.yaml")
    store.add(Rule("a", "peace", channels=["tail", "email:desk@example.org"], throttle="1h", key_by="country"))
    store.add(Rule("b", kind="stance_change", actor="France"))
    with pytest.raises(UserError):
        store.add(Rule("a", "other"))
    store.set_enabled("b", False)
    rules = store.load()
    assert [(r.name, r.enabled) for r in rules] == [("a", True), ("b", False)]
    assert rules[0].all_channels == ["index", "topic", "tail", "email:desk@example.org"]
    document = yaml.safe_load((tmp_path / "alerts.yaml").read_text())
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    store.remove("a")
    assert [r.name for r in store.load()] == ["b"]
    with pytest.raises(UserError):
        store.remove("a")


def test_sync_applies_a_file_all_or_nothing(tmp_path):
    store = RuleStore(tmp_path / "alerts.yaml")
    store.add(Rule("old", "x"))
    store.add(Rule("kept", "y"))
    wanted = tmp_path / "repo-rules.yaml"
    wanted.write_text("version: 1\nrules:\n  - {name: kept, query: y}\n  - {name: new, query: '\"peace force\"~3'}\n")
    assert store.sync(wanted) == {"added": ["new"], "changed": [], "removed": ["old"], "unchanged": ["kept"]}
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nrules:\n  - {name: fine, query: x}\n  - {name: broken, query: 'a OR'}\n")
    with pytest.raises(QuerySyntaxError) as caught:
        store.sync(bad)
    assert "broken" in str(caught.value) and caught.value.position == 4
    assert [r.name for r in store.load()] == ["kept", "new"]


def test_watcher_reloads_on_change_and_keeps_rules_when_the_file_breaks(tmp_path):
    path = tmp_path / "alerts.yaml"
    store = RuleStore(path)
    store.add(Rule("a", "x"))
    now = [0.0]
    watcher = RuleFileWatcher(path, interval=5.0, clock=lambda: now[0])
    assert [r.name for r in watcher.current()] == ["a"] and watcher.version == 1
    store.add(Rule("b", "y"))
    assert [r.name for r in watcher.current()] == ["a"]  # not checked again within the interval
    now[0] = 6.0
    assert [r.name for r in watcher.current()] == ["a", "b"] and watcher.version == 2
    path.write_text("rules: [{name: c, query: 'a AND'}]\n")
    now[0] = 12.0
    assert [r.name for r in watcher.current()] == ["a", "b"] and watcher.last_error


def test_cli_add_list_show_disable_remove(tmp_path, capsys):
    rules = str(tmp_path / "alerts.yaml")
    assert (
        run(
            [
                "alerts",
                "add",
                "fr",
                "--query",
                "peace AND country:France",
                "--channel",
                "tail",
                "--throttle",
                "1h",
                "--rules",
                rules,
            ]
        )
        == 0
    )
    with pytest.raises(QuerySyntaxError) as caught:
        run(["alerts", "add", "bad", "--query", "(peace", "--rules", rules])
    assert caught.value.position == 6
    assert run(["alerts", "add", "moves", "--kind", "stance-change", "--rules", rules]) == 0
    assert run(["alerts", "disable", "moves", "--rules", rules]) == 0
    capsys.readouterr()
    assert run(["alerts", "list", "--rules", rules]) == 0
    listing = capsys.readouterr().out
    assert "on  fr" in listing and "off moves" in listing and "stance_change" in listing
    assert run(["alerts", "show", "fr", "--rules", rules]) == 0
    assert "(countries.text:France OR country_codes.text:France)" in capsys.readouterr().out
    assert run(["alerts", "remove", "fr", "--rules", rules]) == 0
    assert [r.name for r in RuleStore(rules).load()] == ["moves"]
    versioned = tmp_path / "versioned.yaml"
    versioned.write_text(
        "version: 1\nrules:\n  - {name: moves, kind: stance-change, enabled: false}\n"
        "  - {name: uk, query: 'country:GB', channels: [tail], digest: daily}\n"
    )
    capsys.readouterr()
    assert run(["alerts", "sync", str(versioned), "--rules", rules]) == 0
    assert "added: uk" in capsys.readouterr().out
    assert [(r.name, r.kind, r.digest) for r in RuleStore(rules).load()] == [
        ("moves", "stance_change", None),
        ("uk", "match", "daily"),
    ]


def test_cli_test_previews_indexed_articles(provisioned, es, capsys, tmp_path):
    import datetime as dt

    settings = provisioned
    rules = str(tmp_path / "alerts.yaml")
    index = settings.index("articles")
    recent = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    for number, (title, published) in enumerate(
        [("Peace force agreed", recent), ("Cup final", recent), ("Peace force, old news", "2020-01-01T00:00:00+00:00")]
    ):
        es.index(
            index=index,
            id=f"p{number}",
            document={
                "id": f"p{number}",
                "url": f"https://news.example/{number}",
                "title": title,
                "text": title,
                "published": published,
                "source": "Wire",
            },
        )
    es.indices.refresh(index=index)
    assert run(["alerts", "add", "peace", "--query", '"peace force"', "--rules", rules]) == 0
    capsys.readouterr()
    assert run(["alerts", "test", "peace", "--since", "7d", "--rules", rules]) == 0
    out = capsys.readouterr().out
    assert "Peace force agreed" in out and "old news" not in out and "Cup final" not in out
    assert "1 of 2 articles" in out


def test_cli_tail_once_prints_recent_alerts(provisioned, capsys, tmp_path):
    from pipelines.alerts.engine import AlertEngine

    settings = provisioned
    engine = AlertEngine(settings, [Rule("peace", "peace", channels=["tail"])])
    engine.setup()
    try:
        engine.process(
            [
                {
                    "id": "t1",
                    "url": "https://news.example/t1",
                    "title": "Peace talks resume",
                    "text": "Peace talks resumed today.",
                    "source": "Wire",
                    "stances": [],
                }
            ]
        )
    finally:
        engine.close()
    from peacewatch.clients import elasticsearch_client

    es = elasticsearch_client(settings)
    es.indices.refresh(index=settings.index("alerts"))
    es.close()
    capsys.readouterr()
    assert run(["alerts", "tail", "--once", "--since", "1h", "--rules", str(tmp_path / "alerts.yaml")]) == 0
    out = capsys.readouterr().out
    assert "[peace] Peace talks resume" in out and "*Peace* talks resumed" in out
