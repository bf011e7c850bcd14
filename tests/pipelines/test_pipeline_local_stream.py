"""`peacewatch run --streaming` against the real emulator and Elasticsearch: clean stop, bad input,
kill -9 and restart, and an Elasticsearch outage. Nothing lost, nothing doubled."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from pipelines.local_stream import LoopConfig, run_local_stream
from tests.helpers import decode, pull_messages, wait_until
from tests.pipelines.support import CuttableProxy, OutputReader, count, make_articles, publish, start_run

FAST = ("--streaming", "--ack-lease-seconds", "10", "--progress-seconds", "1", "--batch-size", "8")


@pytest.fixture
def processes():
    started = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)


def _start(processes, *args, env=None):
    proc = start_run(*FAST, *args, env=env)
    processes.append(proc)
    reader = OutputReader(proc)
    wait_until(lambda: reader.has("streaming from") or proc.poll() is not None, timeout=120,
               what="the pipeline to start")
    assert proc.poll() is None, reader.text()
    return proc, reader


def _stop(proc, reader, how=signal.SIGTERM):
    proc.send_signal(how)
    assert proc.wait(timeout=60) == 0, reader.text()
    assert "stopped after" in reader.text()


def _ids(es, index):
    es.indices.refresh(index=index)
    hits = es.search(index=index, size=1000, source=["id"])["hits"]["hits"]
    return [h["_source"]["id"] for h in hits]


def test_streaming_run_indexes_published_articles_and_stops_cleanly(provisioned, es, publisher, processes):
    settings = provisioned
    proc, reader = _start(processes)
    articles = make_articles(6, "s")
    publish(publisher, settings, articles)
    wait_until(lambda: count(es, settings.index("articles")) == 6, timeout=60, what="6 articles indexed")
    doc = es.get(index=settings.index("articles"), id=articles[0]["id"])["_source"]
    assert doc["latency_ms"] > 0 and doc["stances"] and doc["stance_pairs"]
    wait_until(lambda: "indexed=6" in reader.text(), timeout=30, what="a progress line")
    _stop(proc, reader, signal.SIGINT)
    assert "read=6 valid=6" in reader.text().splitlines()[-1]
    assert count(es, settings.index("stances")) > 0


def test_broken_messages_are_dead_lettered_and_the_rest_indexed(provisioned, es, publisher, subscriber):
    settings = provisioned
    good = make_articles(3, "b")
    broken = [b"{not json", b'{"url": "https://x.example/1", "title": 3, "text": "t"}',
              b'{"url": "https://x.example/2", "text": 7}', b"\xff\xfe binary", b"[]"]
    publish(publisher, settings, [good[0], *broken[:2], good[1], *broken[2:], good[2]])
    stop = threading.Event()
    config = LoopConfig(batch_size=4, ack_lease_seconds=10, progress_seconds=0, max_messages=8)
    stats = run_local_stream(settings, config, stop=stop, install_signals=False)
    assert (stats.read, stats.valid, stats.indexed, stats.dead_lettered) == (8, 3, 3, 5)
    assert sorted(_ids(es, settings.index("articles"))) == sorted(a["id"] for a in good)
    es.indices.refresh(index=settings.index("deadletter"))
    letters = [h["_source"] for h in es.search(index=settings.index("deadletter"), size=10)["hits"]["hits"]]
    assert sorted(d["stage"] for d in letters) == ["parse", "parse", "parse", "validate", "validate"]
    assert all(d["reason"] and d["payload"] for d in letters)
    on_topic = pull_messages(subscriber, settings.subscription_path("deadletter", "inspect"), expect=5, timeout=30)
    assert sorted(decode(m)["id"] for m in on_topic) == sorted(d["id"] for d in letters)
    # every message was acknowledged: nothing comes back
    again = run_local_stream(settings, LoopConfig(progress_seconds=0), stop=_stop_soon(), install_signals=False)
    assert again.read == 0


def _stop_soon(seconds: float = 3.0) -> threading.Event:
    event = threading.Event()
    threading.Timer(seconds, event.set).start()
    return event


def test_kill_9_then_restart_indexes_every_article_exactly_once(provisioned, es, publisher, processes):
    settings = provisioned
    first, second = make_articles(120, "k1"), make_articles(8, "k2")
    publish(publisher, settings, first)
    proc, reader = _start(processes, "--batch-size", "2")
    wait_until(lambda: count(es, settings.index("articles")) >= 2, timeout=60, what="the first articles indexed")
    proc.send_signal(signal.SIGKILL)  # with 120 queued in batches of 2, this lands mid-stream
    proc.wait(timeout=30)
    publish(publisher, settings, second)
    proc, reader = _start(processes)
    expected = sorted(a["id"] for a in first + second)
    wait_until(lambda: count(es, settings.index("articles")) == len(expected), timeout=180,
               what="all articles indexed after the restart")
    ids = _ids(es, settings.index("articles"))
    assert sorted(ids) == expected  # no article lost, none twice
    assert count(es, settings.index("deadletter")) == 0
    _stop(proc, reader)


def test_elasticsearch_outage_loses_nothing(provisioned, es, publisher, processes):
    settings = provisioned
    proxy = CuttableProxy("127.0.0.1", settings.es_port)
    try:
        proc, reader = _start(processes, "--es-url", proxy.url)
        before, during = make_articles(4, "o1"), make_articles(6, "o2")
        publish(publisher, settings, before)
        wait_until(lambda: count(es, settings.index("articles")) == 4, timeout=60, what="articles before the outage")
        proxy.cut()
        cut_at = time.monotonic()
        publish(publisher, settings, during)
        # Elasticsearch stays unreachable for 30 s: the writer backs off 0.5+1+2+4+8 s and then waits 16 s more.
        wait_until(lambda: reader.has("retrying in 16.0s") and time.monotonic() - cut_at >= 30, timeout=120,
                   what="a 30 s outage with the writer backing off")
        assert proxy.refused >= 4
        assert count(es, settings.index("articles")) == 4
        proxy.restore()
        try:
            wait_until(lambda: count(es, settings.index("articles")) == 10, timeout=90, what="articles after the outage")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{reader.text()[-3000:]}") from None
        assert sorted(_ids(es, settings.index("articles"))) == sorted(a["id"] for a in before + during)
        assert count(es, settings.index("deadletter")) == 0
        _stop(proc, reader)
    finally:
        proxy.close()
