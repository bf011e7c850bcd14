"""What a hostile rule can do: catastrophic regexes, slow rules, non-http channel targets (issue 13, items 1-2)."""

from __future__ import annotations

import logging
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml

from peacewatch.errors import UserError
from pipelines.alerts.channels import build_channel, parse_channel, resolve_secret
from pipelines.alerts.matcher import RuleMatcher
from pipelines.alerts.query import QuerySyntaxError, parse
from pipelines.alerts.rules import Rule, RuleStore, load_rules_file, validate_rule
from tests.helpers import run_python

PASSWD_LINE = "root:x:0:0:secret-looking-content"


def _match_in_subprocess(query: str, word: str) -> subprocess.CompletedProcess:
    """Matches one rule on one article in a child process (a hung regex cannot hang the test run)."""
    code = textwrap.dedent(f"""
        from pipelines.alerts.matcher import RuleMatcher
        from pipelines.alerts.rules import Rule
        matcher = RuleMatcher([Rule("r", {query!r})])
        article = {{"id": "a", "title": "t", "text": "x " + {word!r} + " y"}}
        print([m.rule for m in matcher.match(article)], flush=True)
    """)
    # The bound is a hang guard, not a timing assertion: the fixed code answers in milliseconds,
    # the backtracking engine needed hours for these words.
    return run_python(code, timeout=120)


@pytest.mark.parametrize(
    "query,word",
    [
        ("/(a+)+b/", "a" * 40),  # exponential for a backtracking engine
        ("/(a|aa)*c/", "a" * 60),  # exponential too
        ("*a*a*a*a*a*b*c", "a" * 200 + "c"),  # a wildcard: polynomial (200^6) for a backtracking engine
    ],
)
def test_catastrophic_patterns_match_in_linear_time(query, word):
    result = _match_in_subprocess(query, word)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"


def test_linear_engine_still_matches_what_it_should():
    matcher = RuleMatcher([Rule("re", "/cease.*/"), Rule("wild", "*e*f*e"), Rule("classes", r"/\d{4}/")])
    article = {"id": "a", "title": "Ceasefire holds", "text": "Signed in 2026."}
    assert {m.rule for m in matcher.match(article)} == {"re", "wild", "classes"}
    assert matcher.match({"id": "b", "title": "Nothing", "text": "here"}) == []


@pytest.mark.parametrize(
    "query,reason",
    [
        (r"/(a)\1/", "back-references are not supported"),
        ("/(?=a)b/", "look-arounds are not supported"),
        ("/(?<!a)b/", "look-arounds are not supported"),
        ("/(?P<x>a)(?P=x)/", "named back-references"),
        ("/a{5000}/", "invalid repetition size"),
        ("/" + "a" * 1001 + "/", "over 1000"),
    ],
)
def test_unbounded_regexes_are_refused_with_position_and_reason(query, reason):
    with pytest.raises(QuerySyntaxError) as caught:
        parse("peace OR " + query)
    assert caught.value.position == 9 and reason in caught.value.message
    assert "RE2" in (caught.value.hint or "") or "split" in (caught.value.hint or "")


def test_unbounded_regex_refused_at_add_sync_and_load(tmp_path, capsys):
    import peacewatch.cli

    rules = tmp_path / "alerts.yaml"
    assert peacewatch.cli.main(["alerts", "add", "bad", "--query", r"/(a)\1b/", "--rules", str(rules)]) == 2
    err = capsys.readouterr().err
    assert "position 0" in err and "back-references" in err and "hint:" in err and "Traceback" not in err
    versioned = tmp_path / "versioned.yaml"
    versioned.write_text(
        yaml.safe_dump(
            {"version": 1, "rules": [{"name": "ok", "query": "peace"}, {"name": "bad", "query": "/(?=x)y/"}]}
        )
    )
    with pytest.raises(QuerySyntaxError, match="look-arounds"):
        RuleStore(rules).sync(versioned)
    assert not rules.exists()  # all or nothing
    with pytest.raises(QuerySyntaxError, match="look-arounds"):
        load_rules_file(versioned)


def test_a_rule_over_its_budget_is_skipped_counted_and_reported(caplog):
    # A zero budget makes every evaluated rule overrun for real (no fake clock).
    rules = [Rule("slow", "/peac.*/"), Rule("word", "ceasefire"), Rule("fuzzy", "ceasfire~1")]
    matcher = RuleMatcher(rules, rule_budget=0.0)
    article = {"id": "art-9", "title": "Ceasefire and peace", "text": "peacekeeping"}
    with caplog.at_level(logging.WARNING, logger="pipelines.alerts.matcher"):
        found = matcher.match(article)
        matcher.match(article)
    assert [m.rule for m in found] == ["word"]  # decided by its key, never evaluated
    assert matcher.overruns == {"slow": 2, "fuzzy": 2}
    warned = [r.getMessage() for r in caplog.records]
    assert sum("'slow'" in m and "art-9" in m for m in warned) == 1  # reported once, then counted quietly
    generous = RuleMatcher(rules)
    assert {m.rule for m in generous.match(article)} == {"slow", "word", "fuzzy"} and not generous.overruns


def test_an_article_over_its_budget_skips_the_remaining_rules():
    rules = [Rule(f"r{n}", f"/x{n}.*/") for n in range(5)] + [Rule("word", "peace")]
    matcher = RuleMatcher(rules, article_budget=-1.0)  # already spent when the first rule is due
    assert [m.rule for m in matcher.match({"id": "a", "title": "peace", "text": "x1y"})] == ["word"]
    assert matcher.skipped == {f"r{n}": 1 for n in range(5)}


# ---- channel targets: http(s) only (item 2) ------------------------------------------------
@pytest.fixture
def passwd_like(tmp_path) -> Path:
    path = tmp_path / "passwd"
    path.write_text(PASSWD_LINE + "\n")
    return path


def test_file_urls_and_non_http_targets_are_refused_at_add(tmp_path, passwd_like, monkeypatch, capsys):
    import peacewatch.cli

    rules = str(tmp_path / "alerts.yaml")
    for spec in (
        "webhook:file:///etc/passwd",
        f"webhook:file://{passwd_like}",
        f"slack:file:{passwd_like}",
        "webhook:ftp://example.org/x",
        "webhook:gopher://127.0.0.1:70/x",
        "slack:javascript:alert(1)",
    ):
        assert peacewatch.cli.main(["alerts", "add", "r", "--channel", spec, "--rules", rules]) == 2, spec
        err = capsys.readouterr().err
        assert "http" in err and "Traceback" not in err and PASSWD_LINE not in err
    monkeypatch.setenv("PW_TEST_HOOK", f"file://{passwd_like}")
    assert peacewatch.cli.main(["alerts", "add", "r", "--channel", "webhook:env:PW_TEST_HOOK", "--rules", rules]) == 2
    assert "does not hold an http(s) URL" in capsys.readouterr().err
    monkeypatch.delenv("PW_TEST_HOOK")  # unset here: it may be set where the pipeline runs
    assert peacewatch.cli.main(["alerts", "add", "r", "--channel", "webhook:env:PW_TEST_HOOK", "--rules", rules]) == 0
    assert not Path(rules).read_text().count("passwd")


def test_sync_refuses_a_file_with_a_non_http_target(tmp_path, passwd_like):
    versioned = tmp_path / "versioned.yaml"
    versioned.write_text(
        yaml.safe_dump({"rules": [{"name": "a", "query": "x", "channels": [f"webhook:file:{passwd_like}"]}]})
    )
    with pytest.raises(UserError) as caught:
        RuleStore(tmp_path / "alerts.yaml").sync(versioned)
    assert "does not hold an http(s) URL" in caught.value.message and PASSWD_LINE not in str(caught.value)


def test_a_stored_bad_rule_is_reported_at_load_and_can_be_removed(tmp_path):
    path = tmp_path / "alerts.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "version": 1,
                "rules": [
                    {"name": "good", "query": "peace"},
                    {"name": "old", "query": "x", "channels": ["webhook:file:///etc/passwd"]},
                ],
            }
        )
    )
    with pytest.raises(UserError) as caught:
        RuleStore(path).load()
    assert "rule 'old'" in caught.value.message and "alerts remove old" in caught.value.hint
    RuleStore(path).remove("old")
    assert [r.name for r in RuleStore(path).load()] == ["good"]


def test_env_and_file_values_are_checked_when_the_channel_is_built(passwd_like, monkeypatch):
    monkeypatch.setenv("PW_TEST_HOOK", f"file://{passwd_like}")
    for spec in ("webhook:env:PW_TEST_HOOK", f"slack:file:{passwd_like}"):
        with pytest.raises(UserError) as caught:
            build_channel(parse_channel(spec), {"http": lambda: None})
        assert "http(s)" in caught.value.message and PASSWD_LINE not in str(caught.value)
    big = passwd_like.parent / "big"
    big.write_bytes(b"https://x.example/" + b"a" * 10_000)
    with pytest.raises(UserError, match="larger than"):
        resolve_secret(f"file:{big}")


def test_stored_rule_with_a_bad_value_is_not_delivered_to(provisioned, es, receiver, passwd_like, monkeypatch):
    from pipelines.alerts.engine import AlertEngine

    monkeypatch.setenv("PW_TEST_HOOK", f"file://{passwd_like}")
    rule = Rule("peace", "peace", channels=["webhook:env:PW_TEST_HOOK", f"webhook:{receiver.url('/ok')}"])
    validate_rule(rule)  # loads: the value is only checked where the channel is built
    engine = AlertEngine(provisioned, [rule])
    engine.setup()
    try:
        alerts, dead = engine.process(
            [
                {
                    "id": "art-1",
                    "url": "https://news.example/1",
                    "title": "peace force",
                    "text": "peace",
                    "published": "2026-11-20T10:00:00Z",
                }
            ]
        )
        assert len(alerts) == 1 and len(receiver.bodies("/ok")) == 1  # the good channel still delivers
        assert len(dead) == 1 and dead[0]["error_type"] == "ChannelSetupError"
        everything = str(dead) + str(engine.dispatcher.status())
        assert "http(s)" in everything and PASSWD_LINE not in everything and "passwd" not in dead[0]["payload"]
    finally:
        engine.close()
