"""``peacewatch run --streaming`` on Prism against the real emulator, Elasticsearch and webhook receivers.

Each run is a real process (its own process group where a test kills it): clean stops, broken and
poison messages, kill -9 of the whole run and restart, a 60 s Elasticsearch outage through a
cuttable proxy, a webhook that never answers, idle exit. Nothing lost, nothing doubled, no Prism
left behind.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import time
import uuid

import pytest

from tests.helpers import decode, pull_messages, wait_until
from tests.pipelines.support import (
    CuttableProxy,
    OutputReader,
    count,
    make_articles,
    processes_marked,
    publish,
    start_run,
)

FAST = (
    "--streaming",
    "--ack-lease-seconds",
    "10",
    "--progress-seconds",
    "1",
    "--batch-size",
    "8",
    "--nlp-processes",
    "1",
    "--pull-interval-ms",
    "100",
)
RUN_MARK = "PEACEWATCH_TEST_RUN"


class Run:
    """One ``peacewatch run`` process, its output, and the mark its children inherit."""

    def __init__(self, *args: str, group: bool = True, entry: str = "peacewatch.cli") -> None:
        self.mark = uuid.uuid4().hex
        self.proc = start_run(*FAST, *args, env={RUN_MARK: self.mark}, group=group, entry=entry)
        self.output = OutputReader(self.proc)

    def started(self, timeout: float = 120) -> Run:
        wait_until(
            lambda: self.output.has("streaming from") or self.proc.poll() is not None,
            timeout=timeout,
            what="the pipeline to start",
        )
        assert self.proc.poll() is None, self.output.text()
        return self

    def leftovers(self, command: str = "") -> list[int]:
        return processes_marked(RUN_MARK, self.mark, command)

    def wait(self, timeout: float = 180) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except Exception:
            raise AssertionError(f"the run did not end within {timeout}s:\n{self.output.text()[-4000:]}") from None

    def kill_group(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)


@pytest.fixture
def runs():
    started: list[Run] = []
    yield lambda *args, **kw: started.append(Run(*args, **kw)) or started[-1]
    for run in started:
        if run.proc.poll() is None:
            os.killpg(run.proc.pid, signal.SIGKILL)
            run.proc.wait(timeout=30)
        wait_until(lambda run=run: not run.leftovers(), timeout=20, what="the run's processes to end")


def _ids(es, index: str) -> list[str]:
    es.indices.refresh(index=index)
    return [h["_id"] for h in es.search(index=index, size=1000, source=False)["hits"]["hits"]]


def _rule(settings, name: str, query: str, *channels: str) -> None:
    from pipelines.alerts.rules import Rule, RuleStore, default_rules_path

    RuleStore(default_rules_path(settings)).add(Rule(name=name, query=query, channels=list(channels)))


def test_streaming_run_indexes_published_articles_and_stops_cleanly(provisioned, es, publisher, runs):
    settings = provisioned
    run = runs().started()
    assert "starting on PrismRunner" in run.output.text() and "job RUNNING after" in run.output.text()
    articles = make_articles(6, "s")
    publish(publisher, settings, articles)
    wait_until(lambda: count(es, settings.index("articles")) == 6, timeout=60, what="6 articles indexed")
    doc = es.get(index=settings.index("articles"), id=articles[0]["id"])["_source"]
    assert doc["latency_ms"] > 0 and doc["stances"] and doc["stance_pairs"]
    wait_until(lambda: "indexed=6" in run.output.text(), timeout=30, what="a progress line")
    wait_until(lambda: count(es, settings.index("stances")) > 0, timeout=30, what="stance aggregates")
    run.proc.send_signal(signal.SIGINT)
    assert run.wait(60) == 0, run.output.text()
    [last] = [line for line in run.output.text().splitlines() if "stopped after" in line]
    assert "read=6 valid=6" in last and "indexed=6" in last
    assert "peacewatch run: languages: analysed 6 (en 6)" in run.output.text()
    assert "latency-ms p50=" in run.output.text()
    assert run.leftovers() == []  # Prism and the NLP processes ended with the run


def test_broken_messages_are_dead_lettered_and_the_rest_indexed(provisioned, es, publisher, subscriber, runs):
    settings = provisioned
    good = make_articles(3, "b")
    broken = [
        b"{not json",
        b'{"url": "https://x.example/1", "title": 3, "text": "t"}',
        b'{"url": "https://x.example/2", "text": 7}',
        b"\xff\xfe binary",
        b"[]",
    ]
    publish(publisher, settings, [good[0], *broken[:2], good[1], *broken[2:], good[2]])
    run = runs("--max-messages", "8")
    assert run.wait() == 0, run.output.text()
    assert "read=8 valid=3" in run.output.text() and "dead-lettered=5" in run.output.text()
    assert sorted(_ids(es, settings.index("articles"))) == sorted(a["id"] for a in good)
    es.indices.refresh(index=settings.index("deadletter"))
    letters = [h["_source"] for h in es.search(index=settings.index("deadletter"), size=10)["hits"]["hits"]]
    assert sorted(d["stage"] for d in letters) == ["parse", "parse", "parse", "validate", "validate"]
    assert all(d["reason"] and d["payload"] for d in letters)
    on_topic = pull_messages(subscriber, settings.subscription_path("deadletter", "inspect"), expect=5, timeout=30)
    assert sorted(decode(m)["id"] for m in on_topic) == sorted(d["id"] for d in letters)
    # every message was acknowledged: an idle run reads nothing and exits
    again = runs("--idle-exit-seconds", "2")
    assert again.wait() == 0, again.output.text()
    assert [line for line in again.output.text().splitlines() if "stopped after" in line and "read=0" in line]


def test_kill_9_of_the_whole_run_then_restart_indexes_and_alerts_every_article_exactly_once(
    provisioned, es, publisher, receiver, runs
):
    settings = provisioned
    _rule(settings, "pk", "peacekeeping", f"webhook:{receiver.url('/pk')}")
    first, second = make_articles(120, "k1"), make_articles(8, "k2")
    publish(publisher, settings, first)
    run = runs("--batch-size", "2", "--pull-max-messages", "4").started()
    wait_until(
        lambda: count(es, settings.index("articles")) >= 4 and receiver.bodies("/pk"),
        timeout=90,
        what="the first articles indexed and alerted",
    )
    run.kill_group()  # with 120 queued in small pulls this lands mid-stream: Prism and all
    sent_before_kill = len(receiver.bodies("/pk"))
    wait_until(lambda: not run.leftovers(), timeout=10, what="the killed run's processes to be gone")
    assert count(es, settings.index("articles")) < len(first)
    publish(publisher, settings, second)
    again = runs().started()
    expected = sorted(a["id"] for a in first + second)
    # What the killed run held comes back when its lease runs out (10 s here), or, for a pull answered
    # at the moment of the kill, after the subscription's ack deadline (30 s).
    wait_until(
        lambda: count(es, settings.index("articles")) >= len(expected) and len(receiver.bodies("/pk")) >= len(expected),
        timeout=240,
        what="every article and alert",
    )
    again.proc.send_signal(signal.SIGTERM)
    assert again.wait(60) == 0, again.output.text()
    assert sorted(_ids(es, settings.index("articles"))) == expected  # no article lost, none twice
    assert count(es, settings.index("deadletter")) == 0
    alerts = collections.Counter(body["article_id"] for body in receiver.bodies("/pk"))
    assert sorted(alerts) == expected  # every alert delivered
    # Once each; the only possible second copy is of the one send the kill may have caught between
    # the receiver's answer and its record, and it carries the same idempotency key.
    twice = [article for article, n in alerts.items() if n > 1]
    assert len(twice) <= 1 and all(n <= 2 for n in alerts.values()), alerts
    bodies = [b for b in receiver.bodies("/pk") if b["article_id"] in twice]
    keys = [key for path, key in receiver.keys if path == "/pk"]
    assert len(set(keys)) == len(expected) and all(key for key in keys)
    assert all(b["id"] == bodies[0]["id"] for b in bodies) and sent_before_kill >= 1
    assert count(es, settings.index("alerts")) == len(expected)


def test_kill_9_of_the_run_process_alone_takes_prism_with_it(provisioned, runs):
    run = runs().started()
    assert run.leftovers("prism")  # Prism runs, started by this run
    run.proc.send_signal(signal.SIGKILL)
    run.proc.wait(timeout=30)
    wait_until(lambda: not run.leftovers(), timeout=20, what="Prism and the NLP processes to end with the run")


def test_elasticsearch_cut_for_60s_loses_nothing_alerts_included_and_idle_exit_waits(
    provisioned, es, publisher, receiver, runs
):
    settings = provisioned
    _rule(settings, "pk", "peacekeeping", f"webhook:{receiver.url('/pk')}")
    proxy = CuttableProxy("127.0.0.1", settings.es_port)
    try:
        run = runs("--es-url", proxy.url, "--idle-exit-seconds", "5").started()
        before, during = make_articles(4, "o1"), make_articles(6, "o2")
        publish(publisher, settings, before)
        wait_until(
            lambda: count(es, settings.index("articles")) == 4 and len(receiver.bodies("/pk")) == 4,
            timeout=60,
            what="articles and alerts before the outage",
        )
        proxy.cut()
        cut_at = time.monotonic()
        publish(publisher, settings, during)
        # Elasticsearch stays unreachable for 60 s. Nothing can be indexed, and the run, idle-exit
        # set at 5 s, must keep waiting: its messages are pending while the writes are retried.
        wait_until(lambda: time.monotonic() - cut_at >= 60, timeout=90, interval=1, what="a 60 s outage")
        assert run.proc.poll() is None, run.output.text()[-3000:]
        assert proxy.refused >= 4 and "retrying in" in run.output.text()
        assert count(es, settings.index("articles")) == 4 and len(receiver.bodies("/pk")) == 4
        proxy.restore()
        assert run.wait(240) == 0, run.output.text()[-3000:]  # then exits on its own, idle
    finally:
        proxy.close()
    assert "idle for" in run.output.text()
    expected = sorted(a["id"] for a in before + during)
    assert sorted(_ids(es, settings.index("articles"))) == expected
    assert count(es, settings.index("deadletter")) == 0
    assert count(es, settings.index("alerts")) == 10
    alerts = collections.Counter(body["article_id"] for body in receiver.bodies("/pk"))
    assert sorted(alerts) == expected and set(alerts.values()) == {1}


def test_a_webhook_that_never_answers_does_not_hold_up_indexing(provisioned, es, publisher, receiver, runs):
    settings = provisioned
    receiver.silent.add("/silent")
    _rule(settings, "pk", "peacekeeping", f"webhook:{receiver.url('/silent')}", f"webhook:{receiver.url('/ok')}")
    articles = make_articles(10, "w")
    publish(publisher, settings, articles)
    run = runs().started()
    wait_until(
        lambda: count(es, settings.index("articles")) == 10 and len(receiver.bodies("/ok")) == 10,
        timeout=120,
        what="every article indexed and alerted on the webhook that answers",
    )
    assert receiver.bodies("/silent")  # tried, and still waiting for an answer
    assert count(es, settings.index("deadletter")) == 0  # a receiver that hangs is retried, not dead-lettered
    run.proc.send_signal(signal.SIGTERM)
    assert run.wait(60) == 0, run.output.text()


def test_a_poison_message_ends_in_the_dead_letters_instead_of_blocking_the_subscription(
    provisioned, es, publisher, runs
):
    settings = provisioned
    pill = make_articles(1, "poison")[0]
    pill["text"] += " POISON-PILL"
    publish(publisher, settings, [pill])
    # idle exit after longer than the lease (10 s), by which time the killed run's message is back
    args = ("--max-delivery-attempts", "2", "--idle-exit-seconds", "12")
    # Each delivery of the pill kills the run that analyses it (Prism with it); the third delivery
    # is over the limit and goes to the dead letters without being analysed.
    outcomes = []
    for _ in range(4):
        run = runs(*args, entry="tests.pipelines.poison_nlp")
        outcomes.append(run.wait(180))
        wait_until(lambda run=run: not run.leftovers(), timeout=20, what="the run's processes to end")
        if outcomes[-1] == 0:
            break
    assert outcomes == [-signal.SIGKILL, -signal.SIGKILL, 0], run.output.text()
    assert "poison=1" in run.output.text()
    es.indices.refresh(index=settings.index("deadletter"))
    [letter] = [h["_source"] for h in es.search(index=settings.index("deadletter"))["hits"]["hits"]]
    assert letter["stage"] == "poison" and "delivered 3 times" in letter["reason"]
    assert json.loads(letter["payload"])["url"] == pill["url"] and letter["article_id"] == pill["id"]
    assert count(es, settings.index("articles")) == 0
    # the subscription flows again
    publish(publisher, settings, make_articles(3, "after"))
    run = runs("--idle-exit-seconds", "3")
    assert run.wait() == 0 and count(es, settings.index("articles")) == 3


def test_bad_streaming_options_get_one_line_and_a_hint(provisioned):
    run = start_run("--streaming", "--pull-shards", "0", "--ack-lease-seconds", "5")
    out, _ = run.communicate(timeout=120)
    assert run.returncode == 2
    assert "--pull-shards must be positive" in out and "--ack-lease-seconds must be between 10 and 600" in out
    assert "Traceback" not in out
