"""A small streaming pipeline that proves the Flink machinery (cluster, job server, worker pool).

PeriodicImpulse -> one tick per shard -> Reshuffle -> pull from the articles subscription
(short timeout) -> Reshuffle -> a CPU-bound step -> bulk index by article id -> acknowledge.
Nothing is acknowledged before its document is written, so a killed TaskManager means
redelivery and an idempotent rewrite. Counters (namespace ``peacewatch``): ``pulls`` (pull
calls, empty ones included), ``read``, ``indexed``, ``acked``; each document records the SDK worker process and TaskManager slot
that burned its CPU, so tests can see both TaskManagers at work.

Used by ``tests/flink`` and ``tests/benchmarks/bench_flink.py`` through
:func:`pipelines.flink.run`, the code path of ``peacewatch run --runner FlinkRunner``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.transforms.periodicsequence import PeriodicImpulse

logger = logging.getLogger(__name__)


def burn(text: str, rounds: int) -> str:
    """Deterministic CPU work: ``rounds`` chained SHA-256 over the text."""
    digest = text.encode()
    for _ in range(rounds):
        digest = hashlib.sha256(digest).digest()
    return digest.hex()


class PullMessagesFn(beam.DoFn):
    """Pulls up to ``max_messages`` from the subscription for each tick (timeout ``timeout`` s)."""

    def __init__(self, settings, subscription: str, max_messages: int = 20, timeout: float = 1.0) -> None:
        self.settings = settings
        self.subscription = subscription
        self.max_messages = max_messages
        self.timeout = timeout
        self.read = Metrics.counter("peacewatch", "read")
        self.pulls = Metrics.counter("peacewatch", "pulls")

    def setup(self) -> None:
        from schemas.clients import subscriber_client

        self.client = subscriber_client(self.settings)

    def process(self, tick):
        from google.api_core import exceptions

        self.pulls.inc()
        try:
            response = self.client.pull(request={"subscription": self.subscription, "max_messages": self.max_messages},
                                        timeout=self.timeout, retry=None)
        except (exceptions.DeadlineExceeded, exceptions.ServiceUnavailable):
            return
        for received in response.received_messages:
            self.read.inc()
            yield {"ack_id": received.ack_id, "article_id": received.message.attributes.get("article_id", ""),
                   "data": received.message.data.decode("utf-8", "replace")}

    def teardown(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()


class BurnCpuFn(beam.DoFn):
    """The CPU-bound stage: ``rounds`` of hashing per article, tagged with the worker that did it."""

    def __init__(self, rounds: int) -> None:
        self.rounds = rounds

    def process(self, message):
        started = time.perf_counter()
        digest = burn(message["data"], self.rounds)
        yield {**message, "digest": digest, "worker_pid": os.getpid(),
               "cpu_ms": round((time.perf_counter() - started) * 1000, 1)}


class IndexThenAckFn(beam.DoFn):
    """Bulk-indexes each bundle under the article id, then acknowledges its messages."""

    def __init__(self, settings, index: str, subscription: str) -> None:
        self.settings = settings
        self.index = index
        self.subscription = subscription
        self.indexed = Metrics.counter("peacewatch", "indexed")
        self.acked = Metrics.counter("peacewatch", "acked")

    def setup(self) -> None:
        from schemas.clients import elasticsearch_client, subscriber_client

        self.es = elasticsearch_client(self.settings)
        self.client = subscriber_client(self.settings)

    def start_bundle(self) -> None:
        self.buffer = []

    def process(self, message):
        self.buffer.append(message)

    def finish_bundle(self) -> None:
        if not self.buffer:
            return
        from elasticsearch import helpers

        actions = [{"_op_type": "index", "_index": self.index, "_id": m["article_id"],
                    "_source": {"article_id": m["article_id"], "digest": m["digest"], "worker_pid": m["worker_pid"],
                                "cpu_ms": m["cpu_ms"], "indexed_at": time.time()}} for m in self.buffer]
        helpers.bulk(self.es, actions, refresh=False, max_retries=5, initial_backoff=1)
        self.indexed.inc(len(actions))
        ack_ids = [m["ack_id"] for m in self.buffer]
        for start in range(0, len(ack_ids), 500):
            self.client.acknowledge(request={"subscription": self.subscription, "ack_ids": ack_ids[start:start + 500]})
        self.acked.inc(len(ack_ids))
        self.buffer = []

    def teardown(self) -> None:
        for name in ("es", "client"):
            client = getattr(self, name, None)
            if client is not None:
                client.close()


def build(settings, subscription: str, index: str, shards: int, rounds: int, interval: float = 0.5,
          max_messages: int = 20):
    """Returns ``build(pipeline, options, settings)`` for :func:`pipelines.flink.run`."""

    def _build(pipeline, options, _settings) -> None:
        (pipeline
         | "Tick" >> PeriodicImpulse(fire_interval=interval, apply_windowing=False)
         | "Shard" >> beam.FlatMap(lambda tick, n=shards: [(shard, tick) for shard in range(n)])
         | "SpreadTicks" >> beam.Reshuffle()
         | "Pull" >> beam.ParDo(PullMessagesFn(settings, subscription, max_messages))
         | "SpreadMessages" >> beam.Reshuffle()
         | "BurnCpu" >> beam.ParDo(BurnCpuFn(rounds))
         | "IndexThenAck" >> beam.ParDo(IndexThenAckFn(settings, index, subscription)))

    return _build
