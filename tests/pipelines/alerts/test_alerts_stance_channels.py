"""A stance change reads the same everywhere: webhook JSON, Slack, email, terminal and the preview
of 'alerts test' all carry the sentence before and the sentence now, with both articles' links;
and 'alerts status' names the rules behind each channel without showing a secret URL."""

from __future__ import annotations

import datetime as dt

from peacewatch import cli as peacewatch
from pipelines.alerts.engine import AlertEngine
from pipelines.alerts.rules import Rule
from schemas.validation import errors
from tests.pipelines.support import alerts_add

NOW = 1_795_000_000.0
BEFORE = "Germany has not decided whether to join the reassurance force."
AFTER = "Germany will send troops to the reassurance force, Berlin said."
NOISE = "Officials in Berlin and Germany's partners met on Monday."


def _article(number: int, stance: str, evidence: str, day: int) -> dict:
    return {
        "id": f"g-{number}",
        "url": f"https://news.example/germany-{number}",
        "title": f"Germany story {number}",
        "text": f"{NOISE} {evidence} Germany Germany Germany.",
        "source": "Wire",
        "published": f"2026-11-{day:02d}T10:00:00Z",
        "relevance": 0.9,
        "relevant": True,
        "analysed": True,
        "entities": [],
        "people": [],
        "countries": ["Germany"],
        "country_codes": ["DE"],
        "missions": ["ukraine"],
        "stances": [
            {
                "actor": "Germany",
                "actor_code": "DE",
                "actor_type": "country",
                "stance": stance,
                "mission": "ukraine",
                "commitment": "none",
                "confidence": 0.9,
                "evidence": evidence,
            }
        ],
    }


SEQUENCE = [_article(1, "undecided", BEFORE, 1), _article(2, "support", AFTER, 3)]
LINKS = ("https://news.example/germany-1", "https://news.example/germany-2")


def _raise(settings, rules: list[Rule], articles: list[dict]) -> list[dict]:
    """The alerts the engine (its clock at ``NOW``) raises over ``articles``, given one at a time."""
    engine = AlertEngine(settings, rules, clock=lambda: NOW)
    engine.setup()
    try:
        raised = []
        for article in articles:
            alerts, dead = engine.process([article])
            assert dead == []
            raised += alerts
        return raised
    finally:
        engine.close()


def _both_sides(text: str) -> None:
    assert BEFORE in text and AFTER in text, text
    assert all(link in text for link in LINKS), text
    assert text.index(BEFORE) < text.index(AFTER), "before, then now"


def test_every_channel_shows_both_sentences_and_both_links(
    provisioned, es, receiver, smtp, monkeypatch, capsys, tmp_path
):
    monkeypatch.setenv("TEST_SLACK_URL", receiver.url("/slack"))
    rule = Rule(
        "moves",
        kind="stance_change",
        mission="ukraine",
        channels=[f"webhook:{receiver.url('/hook')}", "slack:env:TEST_SLACK_URL", "email:desk@example.org", "tail"],
    )
    [alert] = _raise(provisioned, [rule], SEQUENCE)
    assert errors("alert", alert) == []
    details = alert["details"]
    assert (details["previous_evidence"], details["previous_url"], details["evidence"], details["url"]) == (
        BEFORE,
        LINKS[0],
        AFTER,
        LINKS[1],
    )
    assert "<em>Germany</em>" in alert["snippet"] and NOISE.split()[0] not in alert["snippet"]  # the sentence itself

    [hook] = receiver.bodies("/hook")  # webhook: the alert document as JSON
    assert hook["details"]["previous_evidence"] == BEFORE and hook["details"]["evidence"] == AFTER
    assert hook["details"]["previous_url"] == LINKS[0] and hook["url"] == LINKS[1]
    [slack] = receiver.bodies("/slack")
    _both_sides(slack["blocks"][0]["text"]["text"])
    assert NOISE not in slack["blocks"][0]["text"]["text"]
    [mail] = smtp.messages
    _both_sides(mail.get_body(("plain",)).get_content())
    html_part = mail.get_body(("html",)).get_content()
    assert BEFORE in html_part and AFTER in html_part
    assert f'href="{LINKS[0]}"' in html_part and f'href="{LINKS[1]}"' in html_part

    es.indices.refresh(index=provisioned.index("alerts"))
    capsys.readouterr()
    assert peacewatch.main(["alerts", "tail", "--once", "--since", "3650d", "--rules", str(tmp_path / "x.yaml")]) == 0
    terminal = capsys.readouterr().out
    _both_sides(terminal)
    assert "[moves] Germany on ukraine: undecided → support" in terminal and NOISE not in terminal


def test_alerts_test_previews_the_changes_a_stance_rule_would_raise(provisioned, es, capsys, tmp_path):
    index = provisioned.index("articles")
    today = dt.datetime.now(dt.timezone.utc).date()
    for offset, article in zip((3, 1), SEQUENCE):  # indexed out of order: the preview goes by date
        day = (today - dt.timedelta(days=offset)).isoformat()
        es.index(index=index, id=article["id"], document=dict(article, published=f"{day}T10:00:00Z"))
    es.index(
        index=index,
        id="other",
        document=dict(
            _article(3, "support", "Spain backs it.", 2),
            id="other",
            published=f"{today - dt.timedelta(days=2)}T10:00:00Z",
            stances=[],
        ),
    )
    es.indices.refresh(index=index)
    rules = str(tmp_path / "alerts.yaml")
    assert (
        peacewatch.main(alerts_add("moves", "--kind", "stance-change", "--mission", "ukraine", "--rules", rules)) == 0
    )
    capsys.readouterr()
    assert peacewatch.main(["alerts", "test", "moves", "--since", "7d", "--rules", rules]) == 0
    out = capsys.readouterr().out
    assert "Germany on ukraine: undecided → support" in out, out
    _both_sides(out)
    assert "Germany story" not in out  # changes, not a list of every article
    assert "1 stance change(s) in 3 of 3 articles" in out


def test_status_names_the_rule_of_each_channel_and_never_the_secret_url(provisioned, receiver, capsys, tmp_path):
    secret = "T0000/B0000/abcdefghijklmnopqrstuvwx"
    rules = str(tmp_path / "alerts.yaml")
    hook = f"{receiver.url('/services/')}{secret}"
    uk_troops = alerts_add("uk-troops", "--query", "troops", "--rules", rules, channels=[f"webhook:{hook}"])
    assert peacewatch.main(uk_troops) == 0
    channels = [f"webhook:{hook}", "tail"]
    moves = alerts_add("moves", "--kind", "stance-change", "--disabled", "--rules", rules, channels=channels)
    assert peacewatch.main(moves) == 0
    rule = Rule("uk-troops", "troops", channels=[f"webhook:{hook}"])
    _raise(provisioned, [rule], [dict(_article(9, "support", AFTER, 5), text="British troops")])
    capsys.readouterr()
    assert peacewatch.main(["alerts", "status", "--rules", rules]) == 0
    out = capsys.readouterr().out
    assert secret not in out and "abcdefghijkl" not in out
    lines = out.splitlines()
    webhook = next(i for i, line in enumerate(lines) if line.startswith("webhook:"))
    assert lines[webhook].split()[1] == "1", out  # sent once
    assert lines[webhook + 1].strip() == "rules: uk-troops, moves (off)", out
    tail = next(i for i, line in enumerate(lines) if line.startswith("tail"))
    assert "nothing delivered yet" in lines[tail] and lines[tail + 1].strip() == "rules: moves (off)"


def test_alerts_add_refuses_an_unknown_country_and_keeps_a_known_one_by_its_name(tmp_path, capsys):
    rules = str(tmp_path / "alerts.yaml")
    assert peacewatch.main(alerts_add("x", "--query", "troops", "--country", "Atlantis", "--rules", rules)) == 2
    assert "unknown country 'Atlantis'" in capsys.readouterr().err
    assert peacewatch.main(alerts_add("uk", "--query", "troops", "--country", "UK", "--rules", rules)) == 0
    from pipelines.alerts.matcher import RuleMatcher
    from pipelines.alerts.rules import RuleStore

    [rule] = RuleStore(rules).load()
    assert rule.country == "United Kingdom"
    article = dict(
        _article(1, "support", AFTER, 1), text="British troops", countries=["United Kingdom"], country_codes=["GB"]
    )
    assert RuleMatcher([rule]).match(article)
