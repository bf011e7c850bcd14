"""The pieces of the streaming source and of the watcher: pull, leases and flow control against the
real emulator; idle and stop decisions, latency buckets and poison reasons as pure logic."""

from __future__ import annotations

import json

from pipelines import latency
from pipelines.io_pubsub import PullConfig, Puller
from pipelines.leases import DeliveryCounter
from pipelines.streaming import StopRules, Watcher, pending_articles, progress_line
from tests.helpers import wait_until
from tests.pipelines.support import make_articles, publish


def _puller(settings, **config) -> Puller:
    puller = Puller(settings, settings.subscription_path("articles"), PullConfig(**{"lease_seconds": 10, **config}))
    puller.setup()
    return puller


def test_pull_holds_messages_within_flow_control_and_acknowledges_only_when_told(provisioned, publisher):
    settings = provisioned
    articles = make_articles(7, "fc")
    publish(publisher, settings, articles)
    puller = _puller(settings, max_outstanding=5, max_messages=3, max_delivery_attempts=5)
    try:
        held = []
        wait_until(lambda: held.extend(puller.pull()[1]) or len(held) >= 5, timeout=30, what="5 messages pulled")
        assert len(held) == 5 and puller.keeper.outstanding() == 5
        assert puller.pull() == ("busy", [])  # the flow-control limit: nothing more until some are settled
        first = held[0]
        assert json.loads(first.data)["id"] in {a["id"] for a in articles}
        assert first.attributes["article_id"] and first.publish_time_ms and first.delivery_attempt >= 1
        assert first.rejected is None
        assert puller.acknowledge([e.ack_id for e in held[:3]]) == 3
        assert puller.keeper.outstanding() == 2
        rest = []
        wait_until(lambda: rest.extend(puller.pull()[1]) or len(rest) >= 2, timeout=30, what="the last 2")
        puller.hand_back([e.ack_id for e in held[3:]])  # handed back: delivered again, at once
        again = []
        wait_until(lambda: again.extend(puller.pull()[1]) or len(again) >= 2, timeout=30, what="redelivery")
        assert {e.message_id for e in again} == {e.message_id for e in held[3:]}
        assert all(e.delivery_attempt == 2 for e in again)
        assert puller.acknowledge([e.ack_id for e in rest + again]) == 4
        assert puller.keeper.outstanding() == 0
        assert puller.pull()[0] == "idle"
    finally:
        puller.close()


def test_a_message_delivered_too_often_comes_out_marked_as_poison(provisioned, publisher):
    settings = provisioned
    publish(publisher, settings, make_articles(1, "pz"))
    puller = _puller(settings, max_delivery_attempts=2)
    try:
        for attempt in (1, 2, 3):
            got: list = []
            wait_until(lambda got=got: got.extend(puller.pull()[1]) or got, timeout=30, what=f"delivery {attempt}")
            [envelope] = got
            assert envelope.delivery_attempt == attempt
            if attempt < 3:
                assert envelope.rejected is None
                puller.hand_back([envelope.ack_id])
        assert "delivered 3 times" in envelope.rejected and "limit 2" in envelope.rejected
    finally:
        puller.close()


def test_delivery_counter_counts_across_restarts(tmp_path):
    path = tmp_path / "deliveries.sqlite3"
    counter = DeliveryCounter(path)
    assert counter.count("sub", ["a", "b"]) == {"a": 1, "b": 1}
    counter.close()
    counter = DeliveryCounter(path)  # a restart
    assert counter.count("sub", ["a"]) == {"a": 2}
    assert counter.count("other", ["a"]) == {"a": 1}
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    counter.close()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _counters(**values: int) -> dict[str, int]:
    return {"pulled": 0, "acked": 0, "released": 0, "polls_idle": 0, **values}


def test_idle_means_nothing_pulled_and_nothing_pending_for_the_whole_period():
    clock = Clock()
    watcher = Watcher(StopRules(idle_seconds=10), clock)
    busy = _counters(pulled=5, acked=3, polls_idle=1)  # 2 messages pending (an Elasticsearch retry, say)
    for second in range(0, 60, 2):
        clock.now = second
        assert watcher.reason_to_stop({**busy, "polls_idle": second}) is None
    assert pending_articles(busy) == 2
    settled = _counters(pulled=5, acked=5, polls_idle=100)
    clock.now = 60
    assert watcher.reason_to_stop(settled) is None  # the last acknowledgements: activity
    clock.now = 61
    assert watcher.reason_to_stop(settled) is None  # the idle period starts now
    clock.now = 66
    assert watcher.reason_to_stop({**settled, "polls_idle": 101}) is None
    clock.now = 71
    assert watcher.reason_to_stop({**settled, "polls_idle": 100}) is None  # no fresh idle poll: not proven idle
    assert "idle for 10s" in watcher.reason_to_stop({**settled, "polls_idle": 102})


def test_any_activity_restarts_the_idle_period():
    clock = Clock()
    watcher = Watcher(StopRules(idle_seconds=10), clock)
    counters = _counters(polls_idle=1)
    watcher.reason_to_stop(counters)
    for name in ("pulled", "index_retries", "service_retries", "polls_busy"):
        clock.now += 9
        counters = {**counters, name: counters.get(name, 0) + 1, "polls_idle": counters["polls_idle"] + 1}
        if name == "pulled":
            counters["acked"] = counters["pulled"]
        assert watcher.reason_to_stop(counters) is None, name
    clock.now += 1
    assert watcher.reason_to_stop(counters) is None  # quiet from now on
    clock.now += 10
    assert watcher.reason_to_stop({**counters, "polls_idle": counters["polls_idle"] + 1})


def test_the_alert_outbox_counts_as_pending():
    clock = Clock()
    rules = StopRules(idle_seconds=5, max_messages=3, alerts=True)
    watcher = Watcher(rules, clock)
    done = _counters(
        pulled=3,
        acked=3,
        alerts_published=2,
        alert_messages_pulled=1,
        alert_messages_acked=1,
        alert_messages_polls_idle=1,
    )
    assert watcher.reason_to_stop(done) is None  # one alert published and not yet delivered
    delivered = {**done, "alert_messages_pulled": 2, "alert_messages_acked": 2}
    assert "3 messages processed" in watcher.reason_to_stop(delivered)
    waiting = {**done, "alert_messages_pulled": 2, "alert_messages_released": 1}  # handed back for later
    assert "3 messages processed" in watcher.reason_to_stop(waiting)


def test_latency_percentiles_from_buckets():
    counts = {latency.bucket_name(ms): 0 for ms in (10,)}
    for ms in [120] * 50 + [480] * 45 + [1800] * 5:
        name = latency.bucket_name(ms)
        counts[name] = counts.get(name, 0) + 1
    p50, p95 = latency.percentiles(counts)
    assert 100 <= p50 <= 150 and 400 <= p95 <= 500
    assert latency.percentiles({}) is None
    assert latency.bucket_name(10**9) == latency.OVERFLOW
    line = progress_line({"read": 3, "valid": 3, "indexed": 3, "pulled": 4, "acked": 3, **counts})
    assert line.startswith("read=3 valid=3 relevant=0 indexed=3 dead-lettered=0 alerts=0 pending=1")
    assert "latency-ms p50=" in line
