"""Local streaming: a micro-batch loop that acknowledges a message only after it is indexed.

Beam's Python direct runner acknowledges Pub/Sub messages as soon as it reads them, so a crash
would lose whatever was in flight. Locally, the job therefore runs the pipeline's building
blocks (the same parse, enrich, write and dead-letter code the Beam composites wrap) in a loop:

1. pull up to ``batch_size`` messages (lease ``ack_lease_seconds``, renewed while held);
2. parse and validate; enrich with the model loaded once; bulk-index under the article id;
3. write dead letters (index and topic) for what failed permanently;
4. match alert rules;
5. every ``ack_interval_ms`` (2 s): recount the hourly stance aggregates the held articles touch,
   then acknowledge them. Any failure before this point leaves the messages un-acknowledged.

A crash at any step means redelivery and an idempotent rewrite: nothing lost, nothing doubled.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import signal
import sys
import threading
import time
from typing import Any, TextIO

from pipelines.aggregate import refresh_stance_windows
from pipelines.deadletters import DeadLetterWriter
from pipelines.enrich import Enricher, ParallelEnricher
from pipelines.io_pubsub import MessagePuller
from pipelines.match_alerts import AlertStep
from pipelines.nlp.language_counts import count_languages, format_language_counts
from pipelines.parse import Envelope, parse_or_dead_letter
from pipelines.write_es import BulkWriter, ElasticsearchUnavailable
from schemas.errors import UserError
from schemas.settings import Settings

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class Stats:
    """Running totals of the local loop (the same names as the Beam counters)."""

    read: int = 0
    valid: int = 0
    relevant: int = 0
    indexed: int = 0
    dead_lettered: int = 0
    alerts: int = 0
    batches: int = 0
    failed_batches: int = 0
    latencies_ms: list[float] = dataclasses.field(default_factory=list)
    languages: collections.Counter = dataclasses.field(default_factory=collections.Counter)

    def line(self) -> str:
        text = (f"read={self.read} valid={self.valid} relevant={self.relevant} indexed={self.indexed} "
                f"dead-lettered={self.dead_lettered} alerts={self.alerts} batches={self.batches}")
        if self.failed_batches:
            text += f" failed-batches={self.failed_batches}"
        if self.latencies_ms:
            recent = sorted(self.latencies_ms[-1000:])
            text += (f" latency-ms p50={recent[len(recent) // 2]:.0f} "
                     f"p95={recent[min(len(recent) - 1, int(len(recent) * 0.95))]:.0f}")
        if self.languages:
            text += f"; languages: {format_language_counts(self.languages)}"
        return text


@dataclasses.dataclass
class LoopConfig:
    batch_size: int = 32
    max_batch_wait_ms: int = 200
    ack_interval_ms: int = 2000
    ack_lease_seconds: int = 30
    es_retry_seconds: float = 900.0
    bulk_chunk_size: int = 500
    bulk_max_bytes: int = 10 * 1024 * 1024
    spacy_model: str | None = None
    nlp_module: str = "pipelines.nlp"
    nlp_processes: int = 1
    aggregates: bool = True
    alerts: bool = False
    rules: str | None = None
    progress_seconds: float = 10.0
    max_messages: int = 0
    idle_exit_seconds: float = 0.0
    subscription: str | None = None


IDLE_FLUSH_SECONDS = 10.0


def _check_subscription(subscriber: Any, subscription: str, settings: Settings) -> None:
    """Fails fast, in one line, when the subscription is missing or Pub/Sub cannot be reached."""
    from google.api_core import exceptions

    from schemas.clients import pubsub_unreachable

    try:
        subscriber.get_subscription(request={"subscription": subscription}, retry=None, timeout=15)
    except exceptions.NotFound:
        raise UserError(f"subscription {subscription} does not exist", "run 'peacewatch setup'") from None
    except exceptions.PermissionDenied:
        logger.debug("cannot read subscription %s metadata; continuing", subscription)
    except (exceptions.GoogleAPICallError, exceptions.RetryError) as exc:
        raise pubsub_unreachable(settings, subscription, exc) from None  # how often an idle loop checks for digests whose period ended


class BatchProcessor:
    """Parses, enriches, indexes and dead-letters one micro-batch; the pieces are set up once."""

    def __init__(self, settings: Settings, config: LoopConfig, stop: threading.Event | None = None) -> None:
        self.settings = settings
        self.config = config
        self.enricher = (ParallelEnricher(config.nlp_processes, config.spacy_model, config.nlp_module,
                                          config.batch_size)
                         if config.nlp_processes > 1 else Enricher(config.spacy_model, config.nlp_module,
                                                                   config.batch_size))
        self.writer = BulkWriter(settings, chunk_size=config.bulk_chunk_size,
                                 max_chunk_bytes=config.bulk_max_bytes, retry_seconds=config.es_retry_seconds,
                                 abort=stop)
        self.dead_letters = DeadLetterWriter(settings)
        self.alerts = AlertStep(settings, config.rules) if config.alerts else None
        self._es = None

    def setup(self) -> None:
        from schemas.clients import elasticsearch_client

        self.enricher.setup()
        self.writer.setup()
        self.dead_letters.setup()
        if self.alerts is not None:
            self.alerts.setup()
        self._es = elasticsearch_client(self.settings, max_retries=5, retry_on_status=(429, 502, 503, 504))

    def process(self, envelopes: list[Envelope], stats: Stats) -> list[dict[str, Any]]:
        """Parses, enriches, indexes, dead-letters and alerts one batch; returns the indexed documents.

        Raises (leaving the batch un-acknowledged) when any of it cannot be done.
        """
        articles, dead = [], []
        for envelope in envelopes:
            article, letter = parse_or_dead_letter(envelope)
            (articles.append(article) if article is not None else dead.append(letter))
        enriched, enrich_dead = self.enricher.enrich(articles)
        result = self.writer.write(enriched)
        dead += enrich_dead + result.dead
        self.dead_letters.write(dead)
        if result.indexed and self.alerts is not None:
            count, alert_dead = self.alerts.process(result.indexed)
            self.dead_letters.write(alert_dead)
            stats.alerts += count
            dead += alert_dead
        stats.read += len(envelopes)
        stats.valid += len(articles)
        stats.relevant += sum(1 for d in result.indexed if d.get("relevant"))
        stats.languages.update(count_languages(result.indexed))
        stats.indexed += len(result.indexed)
        stats.dead_lettered += len(dead)
        stats.latencies_ms.extend(d["latency_ms"] for d in result.indexed if d.get("latency_ms") is not None)
        del stats.latencies_ms[:-5000]
        return result.indexed

    def finish(self, indexed: list[dict[str, Any]], stats: Stats) -> None:
        """Recounts the hourly stance aggregates the ``indexed`` documents touch; sends due digests."""
        if self.config.aggregates and any(d.get("stances") for d in indexed):
            self._es.indices.refresh(index=[self.settings.index("articles"), self.settings.index("reports")])
            refresh_stance_windows(self._es, self.settings, indexed)
        if self.alerts is not None:
            dead = self.alerts.flush()
            self.dead_letters.write(dead)
            stats.dead_lettered += len(dead)

    def close(self) -> None:
        if isinstance(self.enricher, ParallelEnricher):
            self.enricher.close()
        self.writer.close()
        self.dead_letters.close()
        if self.alerts is not None:
            self.alerts.close()
        if self._es is not None:
            self._es.close()


def run_local_stream(settings: Settings, config: LoopConfig, *, stop: threading.Event | None = None,
                     out: TextIO | None = None, subscriber: Any = None,
                     install_signals: bool = True) -> Stats:
    """Runs the micro-batch loop until ``stop`` is set (SIGINT/SIGTERM set it), then returns totals.

    On a stop signal the current batch is finished and acknowledged before returning.
    """
    from schemas.clients import subscriber_client

    stop = stop or threading.Event()
    out = out or sys.stderr  # looked up per call: callers may redirect stderr after import
    if install_signals and threading.current_thread() is threading.main_thread():
        def _on_signal(signum: int, _frame: Any) -> None:
            if stop.is_set():  # a second Ctrl-C: stop now; what is in flight is redelivered later
                raise KeyboardInterrupt
            print(f"peacewatch run: {signal.Signals(signum).name} received, finishing the current batch",
                  file=out, flush=True)
            stop.set()
        signal.signal(signal.SIGINT, _on_signal)
        signal.signal(signal.SIGTERM, _on_signal)
    own_subscriber = subscriber is None
    subscriber = subscriber or subscriber_client(settings)
    subscription = config.subscription or settings.subscription_path("articles")
    _check_subscription(subscriber, subscription, settings)
    puller = MessagePuller(subscriber, subscription, config.ack_lease_seconds)
    processor = BatchProcessor(settings, config, stop)
    stats = Stats()
    print(f"peacewatch run: loading the NLP model and connecting to {settings.es_url_safe}", file=out, flush=True)
    processor.setup()
    print(f"peacewatch run: streaming from {subscription} (Ctrl-C to stop)", file=out, flush=True)
    next_progress = time.monotonic() + config.progress_seconds
    backoff = 1.0
    # Indexed but not yet acknowledged: acknowledged together once their aggregates are recounted
    # (every ack_interval_ms), which keeps the per-batch cost of the recount off the latency path.
    held_ids: list[str] = []
    held_docs: list[dict[str, Any]] = []
    last_flush = last_message = time.monotonic()
    try:
        while True:
            idle = bool(config.idle_exit_seconds and time.monotonic() - last_message >= config.idle_exit_seconds)
            stopping = stop.is_set() or idle or bool(config.max_messages and stats.read >= config.max_messages)
            envelopes = [] if stopping else _pull_batch(puller, config, stop)
            if envelopes:
                last_message = time.monotonic()
                ack_ids = [e.ack_id for e in envelopes]
                try:
                    held_docs += processor.process(envelopes, stats)
                    held_ids += ack_ids
                    stats.batches += 1
                    backoff = 1.0
                except Exception as exc:  # noqa: BLE001 - only transient failures are retried
                    puller.release(ack_ids)
                    if not is_transient(exc):
                        raise
                    stats.failed_batches += 1
                    print(f"peacewatch run: {exc}; the batch will be redelivered", file=out, flush=True)
                    stop.wait(backoff)
                    backoff = min(backoff * 2, 60.0)
            elif not stopping:
                stop.wait(0.05)  # an emulator may answer an empty pull at once
            if held_ids and (stopping or time.monotonic() - last_flush >= config.ack_interval_ms / 1000):
                try:
                    processor.finish(held_docs, stats)
                except Exception as exc:  # noqa: BLE001 - only transient failures are retried
                    puller.release(held_ids)
                    held_ids, held_docs = [], []
                    if not is_transient(exc):
                        raise
                    stats.failed_batches += 1
                    print(f"peacewatch run: {exc}; these messages will be redelivered", file=out, flush=True)
                    continue
                puller.acknowledge(held_ids)
                held_ids, held_docs = [], []
                last_flush = time.monotonic()
            elif processor.alerts is not None and (stopping or time.monotonic() - last_flush >= IDLE_FLUSH_SECONDS):
                processor.finish([], stats)  # an idle stream still sends the digests of ended periods
                last_flush = time.monotonic()
            if config.progress_seconds and time.monotonic() >= next_progress:
                print(f"peacewatch run: {stats.line()}", file=out, flush=True)
                next_progress = time.monotonic() + config.progress_seconds
            if stopping and not held_ids:
                break
    finally:
        puller.close()
        processor.close()
        if own_subscriber:
            subscriber.close()
    return stats


def is_transient(exc: BaseException) -> bool:
    """Failures that pass (a service down, overloaded or timing out): the batch is retried later."""
    from elastic_transport import TransportError
    from elasticsearch import ApiError
    from google.api_core import exceptions as google_errors

    if isinstance(exc, (ElasticsearchUnavailable, TransportError, google_errors.RetryError, TimeoutError,
                        ConnectionError)):
        return True
    if isinstance(exc, ApiError):
        return exc.meta.status in (408, 429) or exc.meta.status >= 500
    if isinstance(exc, google_errors.GoogleAPICallError):
        return isinstance(exc, (google_errors.ServiceUnavailable, google_errors.DeadlineExceeded,
                                google_errors.InternalServerError, google_errors.TooManyRequests,
                                google_errors.Aborted))
    return False


def _pull_batch(puller: MessagePuller, config: LoopConfig, stop: threading.Event) -> list[Envelope]:
    """Up to ``batch_size`` messages: waits for the first, then at most ``max_batch_wait_ms`` for more."""
    envelopes = puller.pull(config.batch_size, max_wait=2.0)
    if not envelopes:
        return []
    deadline = time.monotonic() + config.max_batch_wait_ms / 1000
    while len(envelopes) < config.batch_size and time.monotonic() < deadline and not stop.is_set():
        more = puller.pull(config.batch_size - len(envelopes), max_wait=max(deadline - time.monotonic(), 0.05))
        if not more:
            break
        envelopes += more
    return envelopes
