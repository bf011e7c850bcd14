"""Delivery end to end at the component level, on real ES, the Pub/Sub emulator, HTTP and SMTP servers."""

from __future__ import annotations

import copy

from pipelines.alerts.delivery import build_alert
from pipelines.alerts.engine import AlertEngine
from pipelines.alerts.matcher import Match
from pipelines.alerts.rules import Rule, RuleFileWatcher, RuleStore
from schemas.validation import errors
from tests.helpers import decode, drain, pull_messages

NOW = 1_795_000_000.0  # a fixed clock: throttles and digests do not depend on wall time

MATCHING = {
    "id": "art-1",
    "url": "https://news.example/a?x=<b>&y=1",
    "source": "Le Monde",
    "title": "France backs <b>peace force</b> & more",
    "summary": "",
    "text": "Paris said it would support the peace force. Slack *bold* <!channel> & <script>alert(1)</script>.",
    "published": "2026-11-20T10:00:00Z",
    "relevance": 0.9,
    "relevant": True,
    "analysed": True,
    "entities": [],
    "people": [],
    "countries": ["France"],
    "country_codes": ["FR"],
    "stances": [
        {"actor": "France", "actor_type": "country", "actor_code": "FR", "stance": "support", "confidence": 0.9}
    ],
}
OTHER = {
    **MATCHING,
    "id": "art-2",
    "url": "https://news.example/b",
    "title": "Football results",
    "text": "The cup final ended 3-2.",
    "countries": ["Spain"],
    "country_codes": ["ES"],
    "stances": [],
}


def article(number: int, country: str = "France", text: str = "peace force news") -> dict:
    return {
        **MATCHING,
        "id": f"art-{number}",
        "url": f"https://news.example/{number}",
        "title": f"Peace force {number}",
        "text": text,
        "countries": [country],
    }


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def make_engine(settings, rules, clock=None) -> AlertEngine:
    engine = AlertEngine(settings, rules, clock=clock or Clock())
    engine.setup()
    return engine


def alerts_in_index(es, settings, rule=None) -> list[dict]:
    es.indices.refresh(index=settings.index("alerts"))
    query = {"term": {"rule": rule}} if rule else {"match_all": {}}
    hits = es.search(index=settings.index("alerts"), query=query, size=100)["hits"]["hits"]
    return [h["_source"] for h in hits]


def test_matching_article_reaches_every_channel_once_and_the_other_none(
    provisioned, es, subscriber, receiver, smtp, monkeypatch
):
    settings = provisioned
    monkeypatch.setenv("TEST_SLACK_URL", receiver.url("/slack"))
    rule = Rule(
        "peace",
        '"peace force"',
        channels=[f"webhook:{receiver.url('/hook')}", "slack:env:TEST_SLACK_URL", "email:desk@example.org", "tail"],
    )
    engine = make_engine(settings, [rule])
    try:
        alerts, dead = engine.process([MATCHING, OTHER])
        assert dead == []
        assert [a["article_id"] for a in alerts] == ["art-1"]
        alert = alerts[0]
        assert errors("alert", alert) == []
        assert "<em>peace force</em>" in alert["snippet"] and "&lt;script&gt;" in alert["snippet"]
        assert alert["kibana_url"].startswith(settings.kibana_url) and "art-1" in alert["kibana_url"]
        assert alert["stances"][0]["actor"] == "France"

        [hook] = receiver.bodies("/hook")
        assert hook["id"] == alert["id"] and hook["title"] == MATCHING["title"]
        [slack] = receiver.bodies("/slack")
        text = slack["blocks"][0]["text"]["text"]
        assert "<!channel>" not in text and "&lt;!channel&gt;" in text and "&lt;script&gt;" in text
        [mail] = smtp.messages
        assert smtp.envelopes[0][1] == ["desk@example.org"]
        html_part = mail.get_body(("html",)).get_content()
        assert "<script>" not in html_part and "&lt;script&gt;" in html_part and "<mark>peace force</mark>" in html_part
        assert MATCHING["title"] in mail.get_body(("plain",)).get_content()
        assert [a["id"] for a in alerts_in_index(es, settings)] == [alert["id"]]
        messages = pull_messages(subscriber, settings.subscription_path("alerts", "tail"), expect=1)
        assert [decode(m)["id"] for m in messages] == [alert["id"]]

        # The same article again (a replay, a retried bundle): nothing new anywhere.
        again, dead = engine.process([copy.deepcopy(MATCHING)])
        assert dead == [] and [a["id"] for a in again] == [alert["id"]]
        assert len(receiver.bodies("/hook")) == 1 and len(receiver.bodies("/slack")) == 1 and len(smtp.messages) == 1
        assert len(alerts_in_index(es, settings)) == 1
        assert drain(subscriber, settings.subscription_path("alerts", "tail"), quiet=1.0) == []
    finally:
        engine.close()

    # A restart (new engine, same data_dir) does not deliver it again either.
    engine = make_engine(settings, [rule])
    try:
        engine.process([MATCHING])
        assert len(receiver.bodies("/hook")) == 1 and len(smtp.messages) == 1
    finally:
        engine.close()


def test_throttle_per_key_and_digest_per_period(provisioned, es, receiver):
    settings = provisioned
    clock = Clock()
    throttled = Rule(
        "throttled",
        "peace",
        channels=[f"webhook:{receiver.url('/t')}", f"webhook:{receiver.url('/t2')}"],
        throttle="1h",
        key_by="country",
    )
    digested = Rule("digested", "peace", channels=[f"webhook:{receiver.url('/d')}"], digest="hourly")
    engine = make_engine(settings, [throttled, digested], clock)
    try:
        engine.process([article(1), article(2), article(3, country="Germany")])
        # one notification per country within the hour; every alert is still in the index
        assert sorted(b["key"] for b in receiver.bodies("/t")) == ["France", "Germany"]
        assert sorted(b["key"] for b in receiver.bodies("/t2")) == ["France", "Germany"]  # per alert, not per channel
        assert len(alerts_in_index(es, settings, "throttled")) == 3
        assert receiver.bodies("/d") == []
        assert engine.flush_digests(NOW) == []  # the hour has not ended yet
        assert receiver.bodies("/d") == []

        clock.now = NOW + 3700  # the next hour: throttle over, first digest period over
        engine.process([article(4)])
        assert len(receiver.bodies("/t")) == 3
        assert engine.flush_digests() == []
        [digest] = receiver.bodies("/d")
        assert digest["kind"] == "digest" and digest["count"] == 3
        assert sorted(a["article_id"] for a in digest["alerts"]) == ["art-1", "art-2", "art-3"]
        assert engine.flush_digests(NOW + 3 * 3600) == []
        assert len(receiver.bodies("/d")) == 2 and receiver.bodies("/d")[1]["count"] == 1
        assert engine.flush_digests(NOW + 9 * 3600) == [] and len(receiver.bodies("/d")) == 2
    finally:
        engine.close()


def test_removed_or_disabled_rule_is_silent(provisioned, es, receiver):
    settings = provisioned
    path = settings.data_dir + "/alerts.yaml"
    store = RuleStore(path)
    store.add(Rule("peace", "peace", channels=[f"webhook:{receiver.url('/p')}"]))
    store.add(Rule("cup", "cup", channels=[f"webhook:{receiver.url('/c')}"]))
    ticks = iter(range(1000))
    engine = make_engine(settings, RuleFileWatcher(path, interval=0.5, clock=lambda: float(next(ticks))))
    try:
        engine.process([article(1)])
        assert len(receiver.bodies("/p")) == 1
        store.set_enabled("cup", False)
        store.remove("peace")
        engine.process([article(2), {**OTHER, "id": "art-cup"}])
        assert len(receiver.bodies("/p")) == 1 and receiver.bodies("/c") == []
        assert {a["article_id"] for a in alerts_in_index(es, settings)} == {"art-1"}
        store.set_enabled("cup", True)
        engine.process([{**OTHER, "id": "art-cup-2"}])
        assert len(receiver.bodies("/c")) == 1
    finally:
        engine.close()


def test_failures_that_may_pass_are_retried_and_only_permanent_ones_dead_lettered(
    provisioned, es, receiver, monkeypatch, capsys
):
    settings = provisioned
    secret = receiver.url("/secret-token-123")
    rule = Rule(
        "peace", "peace", channels=[f"webhook:{secret}", f"webhook:{receiver.url('/ok')}", "email:desk@example.org"]
    )
    monkeypatch.delenv("PEACEWATCH_SMTP_HOST", raising=False)
    receiver.status = 500
    engine = make_engine(settings, [rule])
    try:
        alerts, dead = engine.process([article(1)])
        # email has no SMTP host configured: that cannot pass, a dead letter; both webhooks answered
        # 500 (the same receiver): that may pass, so no dead letter, the alert waits to be retried
        [letter] = dead
        assert errors("deadletter", letter) == [] and letter["stage"] == "alert-delivery"
        assert (
            "PEACEWATCH_SMTP_HOST" in letter["reason"] and letter["attributes"]["channel"] == "email:desk@example.org"
        )
        assert len(receiver.bodies("/secret-token-123")) == 1 and len(receiver.bodies("/ok")) == 1
        assert len(alerts_in_index(es, settings)) == 1  # the record is there whatever the channels do
        [again] = engine.dispatcher.deliver(alerts)  # the outbox brings it back
        assert not again.done and again.retry_in > 0 and again.dead == []
        status = {row["channel"]: row for row in engine.dispatcher.status()}
        failing = [row for name, row in status.items() if name.startswith("webhook:") and row.get("failed")]
        assert len(failing) == 2 and all("HTTP 500" in row["last_error"] for row in failing)
        assert all("secret-token-123" not in name for name in status)
        assert "PEACEWATCH_SMTP_HOST" in status["email:desk@example.org"]["setup_error"]

        import argparse

        from pipelines.alerts import cli

        parser = argparse.ArgumentParser()
        cli.register(parser.add_subparsers())
        args = parser.parse_args(["alerts", "status"])
        capsys.readouterr()
        assert args.func(args) == 0
        printed = capsys.readouterr().out
        assert "HTTP 500" in printed and "secret-token-123" not in printed

        receiver.status = 200  # the next round delivers what failed, and only that
        [last] = engine.dispatcher.deliver(alerts)
        assert last.done and last.delivered == 2 and last.dead == []
        assert len(receiver.bodies("/ok")) == 3 and len(alerts_in_index(es, settings)) == 1
        [done] = engine.dispatcher.deliver(alerts)
        assert done.done and done.delivered == 0 and len(receiver.bodies("/ok")) == 3
    finally:
        engine.close()


def test_a_failing_channel_is_suspended_its_alerts_wait_and_are_delivered_when_it_resumes(provisioned, receiver):
    from pipelines.alerts.delivery import BREAKER_FAILURES

    settings = provisioned
    clock = Clock()
    rule = Rule("peace", "peace", channels=[f"webhook:{receiver.url('/down')}", f"webhook:{receiver.url('/up')}"])
    engine = make_engine(settings, [rule], clock)
    receiver.status_for["/down"] = 503
    try:
        alerts = engine.match([article(n) for n in range(1, BREAKER_FAILURES + 3)])
        outcomes = engine.dispatcher.deliver(alerts)
        # /down failed BREAKER_FAILURES times in a row, then was suspended: the rest were not even tried
        assert len(receiver.bodies("/down")) == BREAKER_FAILURES
        assert len(receiver.bodies("/up")) == len(alerts)  # the other channel is not held up
        assert all(not o.done and o.dead == [] for o in outcomes)
        suspended = [o.retry_in for o in outcomes[BREAKER_FAILURES:]]
        assert all(seconds >= 20 for seconds in suspended)
        assert all(not o.done for o in engine.dispatcher.deliver(alerts))  # still suspended: waiting, not sent
        assert len(receiver.bodies("/down")) == BREAKER_FAILURES

        del receiver.status_for["/down"]
        clock.now += max(suspended) + 1  # the suspension is over
        outcomes = engine.dispatcher.deliver(alerts)
        assert all(o.done and o.dead == [] for o in outcomes)
        assert len(receiver.bodies("/down")) == BREAKER_FAILURES + len(alerts)
        assert len(receiver.bodies("/up")) == len(alerts)  # delivered once, not again
    finally:
        engine.close()


def test_build_alert_is_deterministic_and_valid(settings):
    rule = Rule("r", "peace")
    one = build_alert(rule, MATCHING, Match("r", ("peace",), None), settings, now=NOW)
    two = build_alert(rule, MATCHING, Match("r", ("peace",), None), settings, now=NOW + 5)
    assert one["id"] == two["id"] and errors("alert", one) == []
    assert build_alert(Rule("other", "peace"), MATCHING, Match("other", (), None), settings)["id"] != one["id"]


def test_dispatchers_of_one_process_send_on_a_channel_one_at_a_time(provisioned, receiver):
    """Beam may run several instances of the delivery step on threads of one worker; a kill -9 must
    still catch at most one send per channel between the receiver's answer and its record."""
    import threading

    settings = provisioned
    rule = Rule("peace", "peace", channels=[f"webhook:{receiver.url('/slow')}"])
    receiver.delay_for["/slow"] = 0.2
    engines = [make_engine(settings, [rule]), make_engine(settings, [rule])]
    try:
        batches = [
            engines[0].match([article(n) for n in range(1, 4)]),
            engines[1].match([article(n) for n in range(4, 7)]),
        ]
        threads = [
            threading.Thread(target=engine.dispatcher.deliver, args=(alerts,))
            for engine, alerts in zip(engines, batches, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(b["article_id"] for b in receiver.bodies("/slow")) == [f"art-{n}" for n in range(1, 7)]
        assert receiver.most_at_once["/slow"] == 1
    finally:
        for engine in engines:
            engine.close()
