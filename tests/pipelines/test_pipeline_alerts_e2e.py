"""Issue 6 end to end: rules added with ``peacewatch alerts``, articles replayed onto the topic, the
local streaming pipeline (``peacewatch run --streaming``), and every channel a real receiver:
an HTTP server for webhook and Slack, an SMTP server for email, Elasticsearch for ``index`` and
the Pub/Sub emulator's ``<prefix>-alerts-tail`` subscription for ``topic``.

Every command runs in-process through ``peacewatch.cli.main`` with the per-test settings environment;
the spaCy model is loaded once for the module and handed to each run's enricher. A run returns
only after its alerts were sent (webhook answered, SMTP accepted, index created, publish
confirmed), so the receivers are read right after it, without waiting.
"""

from __future__ import annotations

import json
import signal
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

import peacewatch.cli
from tests.helpers import decode, drain
from tests.pipelines.alerts.servers import HttpReceiver, SmtpSink
from tests.pipelines.support import alerts_add, count

MATCHING = {
    "url": "https://e2e.example.org/2026/03/02/geneva-ceasefire",
    "title": "Ceasefire talks open in Geneva",
    "text": "Diplomats met in Geneva to discuss a ceasefire and a possible peacekeeping mission.",
    "source": "E2E Wire",
    "published": "2026-03-02T10:00:00Z",
    "language": "en",
}
NOT_MATCHING = {
    "url": "https://e2e.example.org/2026/03/02/football",
    "title": "Home side wins the league",
    "text": "The home team won three to one in the league on Sunday evening.",
    "source": "E2E Wire",
    "published": "2026-03-02T10:30:00Z",
    "language": "en",
}
AFTER_REMOVE = {
    "url": "https://e2e.example.org/2026/03/03/ceasefire-holds",
    "title": "Ceasefire holds for a second day",
    "text": "The ceasefire held for a second day, observers said as talks resumed in Geneva.",
    "source": "E2E Wire",
    "published": "2026-03-03T08:00:00Z",
    "language": "en",
}
CEASEFIRE_1 = {
    "url": "https://e2e.example.org/2026/03/04/truce-north",
    "title": "Ceasefire agreed in the north",
    "text": "Both sides agreed to a ceasefire in the north, the mediators announced.",
    "source": "E2E Wire",
    "published": "2026-03-04T08:00:00Z",
    "language": "en",
}
CEASEFIRE_2 = {
    "url": "https://e2e.example.org/2026/03/04/truce-south",
    "title": "Ceasefire extended to the south",
    "text": "The ceasefire was extended to the south on Wednesday, officials said.",
    "source": "Other Wire",
    "published": "2026-03-04T09:00:00Z",
    "language": "en",
}
# Sentences checked with `peacewatch analyze`: Germany undecided (confidence 0.9), then support (0.8).
GERMANY_UNDECIDED = {
    "url": "https://e2e.example.org/2026/03/05/germany-weighs",
    "title": "Germany weighs the troop request",
    "text": "Germany has not yet decided whether to send troops to the peacekeeping force for Ukraine.",
    "source": "E2E Wire",
    "published": "2026-03-05T09:00:00Z",
    "language": "en",
}
GERMANY_SUPPORTS = {
    "url": "https://e2e.example.org/2026/03/06/germany-ready",
    "title": "Germany ready to send troops",
    "text": "Germany said it is ready to send troops to the peacekeeping force in Ukraine.",
    "source": "E2E Wire",
    "published": "2026-03-06T12:00:00Z",
    "language": "en",
}


# The model is loaded once for the module (one NLP process: this one); quick ticks.
FAST = ("--nlp-processes", "1", "--pull-interval-ms", "100")


# ---- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nlp_model():
    """The spaCy pipeline, loaded once for every run of this module."""
    from pipelines.enrich import Enricher

    return Enricher().load()


@pytest.fixture
def shared_model(monkeypatch, nlp_model):
    """Each run's enricher adopts the module's model instead of loading its own."""
    from pipelines.enrich import Enricher

    monkeypatch.setattr(Enricher, "load", lambda self: nlp_model)


@pytest.fixture
def keep_signal_handlers():
    """``peacewatch run`` installs SIGINT/SIGTERM handlers in this process; put pytest's back."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


class Stack:
    """The services, the receivers and the commands of one test."""

    def __init__(self, settings, es, subscriber, http: HttpReceiver, smtp: SmtpSink, tmp_path: Path) -> None:
        self.settings = settings
        self.es = es
        self.subscriber = subscriber
        self.http = http
        self.smtp = smtp
        self.tmp_path = tmp_path
        self.alerts_subscription = settings.subscription_path("alerts", "tail")
        self._files = 0

    # commands
    def cli(self, *argv: str) -> None:
        assert peacewatch.cli.main(list(argv)) == 0, f"peacewatch {' '.join(argv)} failed"

    def replay(self, *articles: dict[str, Any], force: bool = False) -> None:
        self._files += 1
        path = self.tmp_path / f"replay-{self._files}.jsonl"
        path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
        self.cli("replay", str(path), *(["--force"] if force else []))

    def add_rule(self, name: str, *options: str, channels: list[str]) -> None:
        """``peacewatch alerts add NAME OPTIONS`` delivering to ``channels``."""
        self.cli(*alerts_add(name, *options, channels=channels))

    def run(self, messages: int) -> None:
        """Runs the local streaming pipeline until ``messages`` articles were processed and acknowledged."""
        self.cli("run", "--streaming", "--max-messages", str(messages), "--progress-seconds", "3", *FAST)

    # what arrived
    def alert_docs(self, rule: str | None = None) -> list[dict[str, Any]]:
        index = self.settings.index("alerts")
        self.es.indices.refresh(index=index)
        query = {"term": {"rule": rule}} if rule else {"match_all": {}}
        return [h["_source"] for h in self.es.search(index=index, query=query, size=100)["hits"]["hits"]]

    def topic_alerts(self) -> list[tuple[dict[str, str], dict[str, Any]]]:
        """Everything on the alerts topic since the last call (the run has confirmed its publishes)."""
        return [(dict(m.attributes), decode(m)) for m in drain(self.subscriber, self.alerts_subscription, quiet=1.0)]

    def mails_to(self, address: str) -> list[EmailMessage]:
        return [m for m, (_, rcpt) in zip(self.smtp.messages, self.smtp.envelopes) if address in rcpt]

    def indexed(self, article: dict[str, Any]) -> int:
        return count(self.es, self.settings.index("articles"), {"ids": {"values": [article_id(article)]}})


def article_id(article: dict[str, Any]) -> str:
    """The id the connectors give the article (hash of its canonical URL)."""
    from schemas.ids import article_id as id_of_url

    return id_of_url(article["url"])


def add_roundup(stack: Stack, *channels: str) -> None:
    """The hourly digest rule on ceasefires, delivered to the webhook ``/roundup`` and ``channels``."""
    stack.add_rule(
        "roundup",
        "--query",
        "ceasefire",
        "--digest",
        "hourly",
        channels=[f"webhook:{stack.http.url('/roundup')}", *channels],
    )


def mail_text(message: EmailMessage) -> str:
    return "\n".join(part.get_content() for part in message.walk() if part.get_content_maintype() == "text")


@pytest.fixture
def stack(provisioned, es, subscriber, receiver, smtp, tmp_path, shared_model, keep_signal_handlers):
    return Stack(provisioned, es, subscriber, receiver, smtp, tmp_path)


# ---- tests ---------------------------------------------------------------------------------


def test_match_rule_delivers_once_on_every_channel_and_goes_silent_when_removed(stack, capsys):
    hook, slack, desk = stack.http.url("/hook"), stack.http.url("/slack"), "desk@example.org"
    stack.add_rule(
        "geneva",
        "--query",
        "ceasefire AND geneva",
        channels=[f"webhook:{hook}", f"slack:{slack}", f"email:{desk}", "tail"],
    )

    stack.replay(MATCHING, NOT_MATCHING)
    stack.run(2)
    assert (stack.indexed(MATCHING), stack.indexed(NOT_MATCHING)) == (1, 1)

    # webhook: the alert document
    [alert] = stack.http.bodies("/hook")
    assert (alert["rule"], alert["kind"], alert["title"], alert["url"], alert["article_id"]) == (
        "geneva",
        "match",
        MATCHING["title"],
        MATCHING["url"],
        article_id(MATCHING),
    )
    assert "<em>ceasefire</em>" in alert["snippet"] and "<em>Geneva</em>" in alert["snippet"]
    # slack: an incoming-webhook payload naming the rule, the title and linking the article
    [payload] = stack.http.bodies("/slack")
    assert payload["text"] == f"[geneva] {MATCHING['title']}"
    block = payload["blocks"][0]["text"]
    assert block["type"] == "mrkdwn" and f"<{MATCHING['url']}|[geneva] {MATCHING['title']}>" in block["text"]
    assert len(stack.http.received) == 2  # nothing else, in particular nothing for the football story
    # email: one multipart message with the title
    [mail] = stack.smtp.messages
    assert stack.smtp.envelopes[0][1] == [desk]
    assert MATCHING["title"] in mail["Subject"] and "geneva" in mail["Subject"]
    assert mail.get_body(("plain",)) is not None and mail.get_body(("html",)) is not None
    assert MATCHING["url"] in mail_text(mail)
    # index: one document, under the alert's id
    [doc] = stack.alert_docs()
    assert (doc["id"], doc["article_id"], doc["rule"]) == (alert["id"], article_id(MATCHING), "geneva")
    # topic: one message with the routing attributes
    [(attributes, message)] = stack.topic_alerts()
    assert attributes == {"rule": "geneva", "kind": "match", "alert_id": alert["id"]}
    assert message["id"] == alert["id"] and message["title"] == MATCHING["title"]
    # tail: `peacewatch alerts tail` shows it
    capsys.readouterr()
    stack.cli("alerts", "tail", "--once", "--rule", "geneva")
    assert f"[geneva] {MATCHING['title']}" in capsys.readouterr().out

    # The same article again (a replay with --force, then the pipeline): no second alert anywhere.
    stack.replay(MATCHING, force=True)
    stack.run(1)
    assert stack.indexed(MATCHING) == 1
    assert len(stack.http.received) == 2 and len(stack.smtp.messages) == 1
    assert len(stack.alert_docs()) == 1
    assert stack.topic_alerts() == []

    # Removed: a new matching article is indexed and alerts nowhere.
    stack.cli("alerts", "remove", "geneva")
    stack.replay(AFTER_REMOVE)
    stack.run(1)
    assert stack.indexed(AFTER_REMOVE) == 1
    assert len(stack.http.received) == 2 and len(stack.smtp.messages) == 1
    assert len(stack.alert_docs()) == 1
    assert stack.topic_alerts() == []


def test_throttle_notifies_once_per_period_and_digest_sends_one_grouped_message(stack, capsys):
    from pipelines.alerts.engine import AlertEngine
    from pipelines.alerts.rules import RuleFileWatcher, default_rules_path

    stack.add_rule(
        "calm",
        "--query",
        "ceasefire",
        "--throttle",
        "1h",
        channels=[f"webhook:{stack.http.url('/calm')}", "email:calm@example.org"],
    )
    add_roundup(stack, f"slack:{stack.http.url('/roundup-slack')}", "email:roundup@example.org")

    hour_before = int(time.time() // 3600)
    stack.replay(CEASEFIRE_1)
    stack.run(1)
    stack.replay(CEASEFIRE_2)
    stack.run(1)
    hour_after = int(time.time() // 3600)

    # Throttle (README: at most one notification per rule and key per period on webhook/slack/email;
    # index and topic still receive every alert): the first article notifies, the second does not.
    assert [b["title"] for b in stack.http.bodies("/calm")] == [CEASEFIRE_1["title"]]
    [calm_mail] = stack.mails_to("calm@example.org")
    assert CEASEFIRE_1["title"] in calm_mail["Subject"]
    assert {d["title"] for d in stack.alert_docs("calm")} == {CEASEFIRE_1["title"], CEASEFIRE_2["title"]}

    # Digest: nothing immediate on the notifying channels; index and topic get every alert now.
    assert {d["title"] for d in stack.alert_docs("roundup")} == {CEASEFIRE_1["title"], CEASEFIRE_2["title"]}
    on_topic = stack.topic_alerts()
    assert sorted((a["rule"], m["title"]) for a, m in on_topic) == sorted(
        (rule, article["title"]) for rule in ("calm", "roundup") for article in (CEASEFIRE_1, CEASEFIRE_2)
    )
    if hour_before != hour_after:
        pytest.skip("the runs crossed a UTC hour: the loop itself may have sent an hourly digest already")
    assert stack.http.bodies("/roundup") == [] and stack.http.bodies("/roundup-slack") == []
    assert stack.mails_to("roundup@example.org") == []

    # `alerts status` counts what was sent, throttled and queued per channel.
    capsys.readouterr()
    stack.cli("alerts", "status")
    rows = {
        line.split()[0]: line.split()[1:6] for line in capsys.readouterr().out.splitlines() if line.startswith("email:")
    }
    assert rows["email:calm@example.org"] == ["1", "0", "0", "1", "0"]  # sent, failed, dup, throttled, queued
    assert rows["email:roundup@example.org"] == ["0", "0", "0", "0", "2"]

    # The loop flushes digests at the real time; the period ends at the next UTC hour, so flush
    # as the pipeline would one hour from now (same engine, rules file and delivery log).
    engine = AlertEngine(stack.settings, RuleFileWatcher(default_rules_path(stack.settings)))
    engine.setup()
    try:
        assert engine.flush_digests(time.time() + 3600) == []
        assert engine.flush_digests(time.time() + 7200) == []  # sent once: nothing left to send
    finally:
        engine.close()
    titles = {CEASEFIRE_1["title"], CEASEFIRE_2["title"]}
    [digest] = stack.http.bodies("/roundup")
    assert (digest["kind"], digest["rule"], digest["count"]) == ("digest", "roundup", 2)
    assert {a["title"] for a in digest["alerts"]} == titles and digest["period"].startswith("hourly from ")
    [slack_digest] = stack.http.bodies("/roundup-slack")
    assert slack_digest["text"].startswith("2 alert(s) for rule roundup")
    assert all(title in slack_digest["blocks"][0]["text"]["text"] for title in titles)
    [digest_mail] = stack.mails_to("roundup@example.org")
    assert "[roundup] 2 alert(s)" in digest_mail["Subject"]
    assert all(title in mail_text(digest_mail) for title in titles)
    # and the throttled rule was not touched by the flush
    assert len(stack.http.bodies("/calm")) == 1 and len(stack.mails_to("calm@example.org")) == 1
    assert stack.topic_alerts() == []


def test_stance_change_rule_alerts_once_when_a_country_moves_from_undecided_to_support(stack):
    hook = stack.http.url("/moves")
    stack.add_rule("moves", "--kind", "stance-change", channels=[f"webhook:{hook}", "email:moves@example.org"])

    stack.replay(GERMANY_UNDECIDED)
    stack.run(1)
    assert stack.indexed(GERMANY_UNDECIDED) == 1
    # a first "undecided" is recorded silently
    assert stack.http.received == [] and stack.smtp.messages == [] and stack.alert_docs() == []
    assert stack.topic_alerts() == []

    stack.replay(GERMANY_SUPPORTS)
    stack.run(1)
    [alert] = stack.http.bodies("/moves")
    assert (alert["rule"], alert["kind"], alert["article_id"]) == (
        "moves",
        "stance_change",
        article_id(GERMANY_SUPPORTS),
    )
    details = alert["details"]
    assert (details["actor"], details["actor_type"], details["previous"], details["current"]) == (
        "Germany",
        "country",
        "undecided",
        "support",
    )
    assert details["previous_article_id"] == article_id(GERMANY_UNDECIDED)
    assert details["evidence"] == GERMANY_SUPPORTS["text"]
    assert (details["mission"], details["previous_evidence"], details["previous_url"]) == (
        "ukraine",
        GERMANY_UNDECIDED["text"],
        GERMANY_UNDECIDED["url"],
    )
    [mail] = stack.smtp.messages
    assert mail["Subject"] == "[moves] Germany on ukraine: undecided → support"
    assert [d["id"] for d in stack.alert_docs("moves")] == [alert["id"]]
    [(attributes, _)] = stack.topic_alerts()
    assert attributes == {"rule": "moves", "kind": "stance_change", "alert_id": alert["id"]}


def test_an_idle_stream_still_sends_the_digest_of_an_ended_hour(stack, monkeypatch):
    import types

    from pipelines import deliver_alerts

    add_roundup(stack)
    stack.replay(CEASEFIRE_1)
    stack.run(1)
    assert stack.http.bodies("/roundup") == []
    # One hour later as the delivery step reads the clock, and no new article: the job idles, then exits.
    real_time = time.time
    monkeypatch.setattr(
        deliver_alerts, "time", types.SimpleNamespace(time=lambda: real_time() + 3600, monotonic=time.monotonic)
    )
    stack.cli("run", "--streaming", "--idle-exit-seconds", "1", "--progress-seconds", "0", *FAST)
    [digest] = stack.http.bodies("/roundup")
    assert (digest["kind"], digest["count"]) == ("digest", 1)
