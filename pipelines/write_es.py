"""Writing enriched articles to Elasticsearch: bulk, idempotent, retried, never silently lost.

Every document is indexed under its article id (``_id``), so a retried bundle, a redelivered
message or a second backfill overwrites instead of duplicating. Failures are sorted in two:

* transient (connection refused or reset, timeouts, 429, 5xx): retried with capped exponential
  backoff for ``retry_seconds`` (15 minutes by default). An Elasticsearch outage therefore stalls
  the writer instead of dead-lettering; when it outlasts the budget the batch raises
  :class:`ElasticsearchUnavailable`, its messages stay un-acknowledged and come back later.
* permanent (a document Elasticsearch rejects, e.g. a mapping conflict): a dead letter with
  stage ``index`` and Elasticsearch's reason.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from typing import Any, NamedTuple

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.utils.windowed_value import WindowedValue

from peacewatch.errors import ServiceUnavailable
from peacewatch.retry import RETRY_STATUSES, is_permanent, retry_transient
from peacewatch.settings import Settings
from pipelines import latency
from pipelines.deadletters import DEAD, make_dead_letter, public
from pipelines.reports import report_documents

logger = logging.getLogger(__name__)

MAX_BUFFER_SECONDS = 5.0  # the longest an article waits in the writer's buffer within a bundle


class ElasticsearchUnavailable(ServiceUnavailable, RuntimeError):
    """Elasticsearch stayed unreachable or overloaded for longer than the retry budget."""


class WriteResult(NamedTuple):
    """What one :meth:`BulkWriter.write` did: the indexed documents and the dead letters."""

    indexed: list[dict[str, Any]]
    dead: list[dict[str, Any]]


def to_document(article: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """The document to index: private keys removed, ``indexed_at`` and ``latency_ms`` set.

    ``latency_ms`` is the time from the Pub/Sub publish (``_publish_time_ms``) to now; files
    have no publish time and leave it ``None``.
    """
    now = now or datetime.now(timezone.utc)
    document = public(article)
    document["indexed_at"] = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    published_ms = article.get("_publish_time_ms")
    document["latency_ms"] = round(now.timestamp() * 1000 - published_ms, 1) if published_ms else None
    return document


class BulkWriter:
    """Indexes batches of articles with ``helpers.streaming_bulk``.

    Args:
        settings: where Elasticsearch is.
        index: the alias to write to (default ``settings.index("articles")``).
        reports_index: the alias of the stance reports written with each article (default
            ``settings.index("reports")`` when ``index`` is the default, else none).
        chunk_size: documents per bulk request.
        max_chunk_bytes: byte cap per bulk request.
        retry_seconds: how long transient failures are retried before :class:`ElasticsearchUnavailable`.
        sleep: the sleeping function (tests pass a fake; default: ``time.sleep``, or ``abort.wait``).
        abort: when set (the job is stopping), retries end at once with
            :class:`ElasticsearchUnavailable` instead of waiting out the budget.
        on_retry: called before each retry (a counter: a running job shows its retries at once).
    """

    def __init__(
        self,
        settings: Settings,
        index: str | None = None,
        *,
        reports_index: str | None = None,
        chunk_size: int = 500,
        max_chunk_bytes: int = 10 * 1024 * 1024,
        retry_seconds: float = 900.0,
        sleep: Callable[[float], None] | None = None,
        abort: threading.Event | None = None,
        on_retry: Callable[[], None] | None = None,
    ) -> None:
        if chunk_size <= 0 or max_chunk_bytes <= 0:
            raise ValueError("chunk_size and max_chunk_bytes must be positive")
        self.settings = settings
        self.index = index or settings.index("articles")
        self.reports_index = reports_index or (None if index else settings.index("reports"))
        self.chunk_size = chunk_size
        self.max_chunk_bytes = max_chunk_bytes
        self.retry_seconds = retry_seconds
        self._sleep = sleep
        self.abort = abort
        self.on_retry = on_retry
        self._es = None
        self.retries = 0

    def setup(self) -> None:
        from peacewatch.clients import elasticsearch_client

        if self._es is None:
            # The writer retries itself (with a budget in minutes); the transport must not add its own.
            self._es = elasticsearch_client(self.settings, max_retries=0, retry_on_timeout=False)

    def close(self) -> None:
        if self._es is not None:
            self._es.close()
            self._es = None

    def _bulk_once(self, documents: dict[str, dict[str, Any]]) -> tuple[set[str], dict[str, tuple[Any, str]]]:
        """One pass: returns ``(ids indexed, {id: (status, reason)} failed)``; raises on transport errors."""
        from elasticsearch import helpers

        actions: list[dict[str, Any]] = []
        owner: dict[str, str] = {}  # report id -> its article's id
        for doc_id, doc in documents.items():
            actions.append({"_index": self.index, "_id": doc_id, "_source": doc})
            if self.reports_index:
                for report in report_documents(doc):
                    owner[report["id"]] = doc_id
                    actions.append({"_index": self.reports_index, "_id": report["id"], "_source": report})
        done: set[str] = set()
        failed: dict[str, tuple[Any, str]] = {}
        for ok, item in helpers.streaming_bulk(
            self._es,
            actions,
            chunk_size=self.chunk_size,
            max_chunk_bytes=self.max_chunk_bytes,
            raise_on_error=False,
            raise_on_exception=False,
            max_retries=3,
            initial_backoff=0.5,
            max_backoff=5.0,
            retry_on_status=(429, 502, 503, 504),
        ):
            result = item.get("index", item)
            doc_id = result.get("_id")
            if ok:
                done.add(doc_id)
            else:
                error = result.get("error") or result.get("exception") or "unknown error"
                reason = error.get("reason", str(error)) if isinstance(error, dict) else str(error)
                kind = error.get("type") if isinstance(error, dict) else type(error).__name__
                where = "its stance report: " if doc_id in owner else ""
                failed.setdefault(owner.get(doc_id, doc_id), (result.get("status"), f"{where}{kind}: {reason}"[:1000]))
        # an article counts as written once it and all its reports are
        done = {doc_id for doc_id in done if doc_id in documents and doc_id not in failed}
        if self.reports_index and done:
            self._delete_stale_reports(done, [r for r, a in owner.items() if a in done])
        return done, failed

    def _delete_stale_reports(self, article_ids: set[str], keep: list[str]) -> None:
        """Deletes reports of these articles that their new analysis no longer has.

        (A search and a bulk delete: the local Elasticsearch distribution has no ``_delete_by_query``.)
        """
        from elasticsearch import helpers

        query: dict[str, Any] = {"bool": {"filter": [{"terms": {"article_id": sorted(article_ids)}}]}}
        if keep:
            query["bool"]["must_not"] = [{"ids": {"values": keep}}]
        hits = self._es.search(index=self.reports_index, query=query, size=10_000, source=False)["hits"]["hits"]
        if hits:
            helpers.bulk(
                self._es,
                ({"_op_type": "delete", "_index": h["_index"], "_id": h["_id"]} for h in hits),
                raise_on_error=False,
                max_retries=3,
            )

    def write(self, articles: Sequence[dict[str, Any]]) -> WriteResult:
        """Indexes ``articles``; returns what was indexed and the dead letters of rejected ones.

        Each pass writes what is still pending; documents refused for a transient reason (and
        whole requests that failed that way) stay pending for the next pass, under the retry
        policy (:func:`peacewatch.retry.retry_transient`).

        Raises:
            ElasticsearchUnavailable: transient failures outlasted ``retry_seconds``, or the job is stopping.
        """
        if self._es is None:
            self.setup()
        batch = _Batch(articles)
        try:
            retry_transient(
                lambda: self._write_pending(batch),
                "Elasticsearch write",
                self.retry_seconds,
                on_retry=self._count_retry,
                abort=self.abort,
                sleep=self._sleep,
            )
        except _StillPending as exc:
            aborted = self.abort is not None and self.abort.is_set()
            why = "stopping" if aborted else f"still failing after {self.retry_seconds:g}s"
            raise ElasticsearchUnavailable(
                f"Elasticsearch at {self.settings.es_url_safe} {why} ({exc}); "
                f"{len(batch.pending)} documents not written",
                len(batch.pending),
            ) from None
        return WriteResult(batch.indexed, batch.dead)

    def _count_retry(self) -> None:
        self.retries += 1
        if self.on_retry is not None:
            self.on_retry()

    def _write_pending(self, batch: _Batch) -> None:
        """One pass over the pending documents; raises :class:`_StillPending` when some must wait."""
        from elastic_transport import TransportError
        from elasticsearch import ApiError

        now = datetime.now(timezone.utc)  # one clock read per pass, not per document
        documents = {doc_id: to_document(article, now) for doc_id, article in batch.pending.items()}
        try:
            done, failed = self._bulk_once(documents)
        except (TransportError, ApiError) as exc:  # the connection, or the whole request, failed
            if is_permanent(exc):
                raise
            raise _StillPending(f"{type(exc).__name__}: {exc}"[:300]) from exc
        for doc_id in done:
            batch.indexed_as(doc_id, documents[doc_id])
        problem = None
        for doc_id, (status, reason) in failed.items():
            if isinstance(status, int) and status not in RETRY_STATUSES and status < 500:
                batch.rejected(doc_id, status, reason)
            elif problem is None:
                problem = f"HTTP {status}: {reason}"[:300]
        if batch.pending:
            raise _StillPending(problem or f"{len(batch.pending)} documents pending")


class _StillPending(ServiceUnavailable):
    """Some documents of a batch are still to be written after a pass (transient)."""


class _Batch:
    """The articles of one :meth:`BulkWriter.write`: pending by id (the latest copy wins), indexed, dead."""

    def __init__(self, articles: Sequence[dict[str, Any]]) -> None:
        self.copies: dict[str, list[dict[str, Any]]] = {}
        for article in articles:
            self.copies.setdefault(article["id"], []).append(article)
        self.pending = {doc_id: group[-1] for doc_id, group in self.copies.items()}
        self.indexed: list[dict[str, Any]] = []
        self.dead: list[dict[str, Any]] = []

    def indexed_as(self, doc_id: str, document: dict[str, Any]) -> None:
        """``doc_id`` is written as ``document``: each copy is indexed with its own ack id."""
        self.pending.pop(doc_id)
        copies = self.copies[doc_id]
        # Already serialised and sent: the document itself can carry the first copy's ack id.
        self.indexed.extend(dict(document, _ack_id=a.get("_ack_id")) for a in copies[1:])
        document["_ack_id"] = copies[0].get("_ack_id")
        self.indexed.append(document)

    def rejected(self, doc_id: str, status: int, reason: str) -> None:
        """Elasticsearch refused ``doc_id`` for good: a dead letter per copy."""
        for article in self.copies[doc_id]:
            self.dead.append(
                make_dead_letter(
                    "index",
                    reason,
                    article,
                    error_type=f"http_{status}",
                    article_id=doc_id,
                    ack_id=article.get("_ack_id"),
                )
            )
        self.pending.pop(doc_id, None)


class _BulkIndexFn(beam.DoFn):
    """Buffers articles per bundle and writes them in bulk; emits indexed documents and dead letters."""

    def __init__(
        self,
        settings: Settings,
        chunk_size: int,
        max_chunk_bytes: int,
        retry_seconds: float,
        progress_seconds: float = 0.0,
    ) -> None:
        self.settings = settings
        self.progress_seconds = progress_seconds
        self.chunk_size = chunk_size
        self.max_chunk_bytes = max_chunk_bytes
        self.retry_seconds = retry_seconds
        self.indexed = Metrics.counter("peacewatch", "indexed")
        self.rejected = Metrics.counter("peacewatch", "index_rejected")
        self.retries = Metrics.counter("peacewatch", "index_retries")
        self.latency = Metrics.distribution("peacewatch", "latency_ms")
        self._buckets = {name: Metrics.counter("peacewatch", name) for name in latency.bucket_names()}
        self.bulk_ms = Metrics.distribution("peacewatch", "bulk_write_ms")

    def _bucket(self, latency_ms: float):
        return self._buckets[latency.bucket_name(latency_ms)]

    def setup(self) -> None:
        self._writer = BulkWriter(
            self.settings,
            chunk_size=self.chunk_size,
            max_chunk_bytes=self.max_chunk_bytes,
            retry_seconds=self.retry_seconds,
            on_retry=self.retries.inc,
        )
        self._writer.setup()
        self._written = self._dead = 0
        self._next_progress = time.monotonic() + self.progress_seconds

    def start_bundle(self) -> None:
        self._buffer: list[tuple[dict[str, Any], Any, Any]] = []
        self._buffer_started = time.monotonic()

    def process(self, article: dict[str, Any], timestamp=beam.DoFn.TimestampParam, window=beam.DoFn.WindowParam):
        if not self._buffer:
            self._buffer_started = time.monotonic()
        self._buffer.append((article, timestamp, window))
        # Flush on size, or when the oldest buffered article has waited long enough (long bundles).
        if len(self._buffer) >= self.chunk_size or time.monotonic() - self._buffer_started >= MAX_BUFFER_SECONDS:
            yield from self._flush()

    def finish_bundle(self):
        yield from self._flush()

    def _flush(self) -> Iterable[WindowedValue]:
        if not self._buffer:
            return
        buffer, self._buffer = self._buffer, []
        started = time.monotonic()
        result = self._writer.write([article for article, _, _ in buffer])
        self.bulk_ms.update(int((time.monotonic() - started) * 1000))
        self._written += len(result.indexed)
        self._dead += len(result.dead)
        if self.progress_seconds and time.monotonic() >= self._next_progress:
            # Beam reports counters only at the end of a local run; this is the running view.
            print(
                f"peacewatch run: indexed={self._written} index-rejected={self._dead} (this worker)",
                file=sys.stderr,
                flush=True,
            )
            self._next_progress = time.monotonic() + self.progress_seconds
        placement = {article["id"]: (timestamp, window) for article, timestamp, window in buffer}
        for document in result.indexed:
            self.indexed.inc()
            if document.get("latency_ms") is not None:
                self.latency.update(int(document["latency_ms"]))
                self._bucket(document["latency_ms"]).inc()
            timestamp, window = placement[document["id"]]
            out = public(document)
            if document.get("_ack_id"):  # the acknowledgement step needs it (streaming)
                out["_ack_id"] = document["_ack_id"]
            yield WindowedValue(out, timestamp, (window,))
        for letter in result.dead:
            self.rejected.inc()
            timestamp, window = placement.get(letter.get("article_id"), buffer[0][1:])
            yield beam.pvalue.TaggedOutput(DEAD, WindowedValue(letter, timestamp, (window,)))

    def teardown(self) -> None:
        self._writer.close()


class WriteToElasticsearch(beam.PTransform):
    """Enriched articles -> the articles index; outputs indexed documents and dead letters (``DEAD``).

    Args:
        settings: where Elasticsearch is and the index alias names.
        chunk_size: documents per bulk request.
        max_chunk_bytes: byte cap of a bulk request.
        retry_seconds: how long transient failures (ES down, 429, 5xx) are retried.
        progress_seconds: print a running count on stderr this often (0: never).
    """

    def __init__(
        self,
        settings: Settings,
        chunk_size: int = 500,
        max_chunk_bytes: int = 10 * 1024 * 1024,
        retry_seconds: float = 900.0,
        progress_seconds: float = 0.0,
    ) -> None:
        super().__init__()
        self.progress_seconds = progress_seconds
        if chunk_size <= 0 or max_chunk_bytes <= 0 or retry_seconds < 0:
            raise ValueError("chunk_size and max_chunk_bytes must be positive, retry_seconds not negative")
        self.settings = settings
        self.chunk_size = chunk_size
        self.max_chunk_bytes = max_chunk_bytes
        self.retry_seconds = retry_seconds

    def expand(self, articles):
        return articles | "BulkIndex" >> beam.ParDo(
            _BulkIndexFn(
                self.settings, self.chunk_size, self.max_chunk_bytes, self.retry_seconds, self.progress_seconds
            )
        ).with_outputs(DEAD, main="indexed")
