"""Dead letters: what could not be processed, why, where, and the original payload.

Each dead letter follows ``schemas/json/deadletter.v1.json``. Its id is a hash of the stage and
the payload, so a message that fails twice (a redelivery, a rerun) is one document in the
dead-letter index. :class:`DeadLetterWriter` writes them to the dead-letter index and topic and
raises when either refuses, so the original message is never acknowledged before its dead letter
is safe.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics

from peacewatch.redact import redact
from peacewatch.retry import retry_transient
from peacewatch.settings import Settings

logger = logging.getLogger(__name__)

DEAD = "dead_letters"  # the tag of dead-letter outputs in every transform
PRIVATE_PREFIX = "_"  # keys carried along the pipeline (ack ids, publish times), never written
DEAD_LETTER_BATCH = 200  # dead letters per write at most


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _payload_text(payload: Any) -> tuple[str, str]:
    if isinstance(payload, (bytes, bytearray)):
        try:
            return bytes(payload).decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            return base64.b64encode(bytes(payload)).decode("ascii"), "base64"
    if isinstance(payload, str):
        return payload, "utf-8"
    clean = {k: v for k, v in dict(payload).items() if not str(k).startswith(PRIVATE_PREFIX)}
    return json.dumps(clean, ensure_ascii=False, sort_keys=True, default=str), "utf-8"


def make_dead_letter(
    stage: str,
    reason: str,
    payload: Any,
    *,
    error_type: str | None = None,
    article_id: str | None = None,
    attributes: Mapping[str, str] | None = None,
    ack_id: str | None = None,
) -> dict[str, Any]:
    """Builds a dead-letter document.

    Args:
        stage: where it failed (``parse``, ``validate``, ``enrich``, ``index``, ...).
        reason: why, naming the field when known.
        payload: the original message (bytes, text, or the article dict).
        error_type: the exception class name.
        article_id: the article's id when it is known.
        attributes: the Pub/Sub message attributes.
        ack_id: carried (as ``_ack_id``) so the message is acknowledged once this is written.
    """
    text, encoding = _payload_text(payload)
    digest = hashlib.sha256(f"{stage}\n{text}".encode("utf-8", "surrogatepass")).hexdigest()[:32]
    letter: dict[str, Any] = {
        "id": digest,
        "stage": stage,
        "reason": redact(reason)[:2000],
        "error_type": error_type,
        "payload": text,
        "payload_encoding": encoding,
        "article_id": article_id,
        "attributes": dict(attributes or {}),
        "created": utc_now(),
    }
    if ack_id:
        letter["_ack_id"] = ack_id
    return letter


def public(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document without the private keys the pipeline carries along."""
    return {k: v for k, v in document.items() if not k.startswith(PRIVATE_PREFIX)}


def safe_letter(letter: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`public`, with the reason redacted (whoever built it): what leaves the pipeline."""
    out = public(letter)
    if isinstance(out.get("reason"), str):
        out["reason"] = redact(out["reason"])
    return out


class DeadLetterWriter:
    """Writes dead letters to the dead-letter index and topic; raises when either fails.

    Args:
        settings: where Elasticsearch and Pub/Sub are.
        to_index: write to ``settings.index("deadletter")``.
        to_topic: publish to ``settings.topic_path("deadletter")``.
    """

    def __init__(self, settings: Settings, to_index: bool = True, to_topic: bool = True) -> None:
        self.settings = settings
        self.to_index = to_index
        self.to_topic = to_topic
        self._es = None
        self._publisher = None

    def setup(self) -> None:
        from peacewatch.clients import elasticsearch_client, publisher_client

        if self.to_index and self._es is None:
            self._es = elasticsearch_client(self.settings, max_retries=5, retry_on_status=(429, 502, 503, 504))
        if self.to_topic and self._publisher is None:
            self._publisher = publisher_client(self.settings)

    def write(self, letters: Iterable[Mapping[str, Any]]) -> int:
        """Indexes and publishes ``letters``; returns how many. Raises when any write fails."""
        from elasticsearch import helpers

        docs = [safe_letter(letter) for letter in letters]
        if not docs:
            return 0
        if self._es is None and self._publisher is None:
            self.setup()
        if self.to_index:
            actions = ({"_index": self.settings.index("deadletter"), "_id": d["id"], "_source": d} for d in docs)
            _, errors = helpers.bulk(self._es, actions, raise_on_error=False, max_retries=3, stats_only=False)
            if errors:
                raise RuntimeError(f"{len(errors)} dead letters were not indexed: {str(errors[0])[:300]}")
        if self.to_topic:
            topic = self.settings.topic_path("deadletter")
            futures = [
                self._publisher.publish(
                    topic, json.dumps(d, ensure_ascii=False).encode("utf-8"), stage=d["stage"], dead_letter_id=d["id"]
                )
                for d in docs
            ]
            for future in futures:
                future.result(timeout=60)
        return len(docs)

    def close(self) -> None:
        if self._es is not None:
            self._es.close()
            self._es = None
        if self._publisher is not None:
            self._publisher.stop()
            self._publisher = None


class _WriteDeadLettersFn(beam.DoFn):
    """Writes a batch of dead letters (from ``BatchElements``) in one go, then emits them.

    Each letter is emitted only once it is written (with its ``_ack_id``, if any), so that the
    acknowledgement of its message can follow. Transient failures (Elasticsearch or Pub/Sub down)
    are retried for ``retry_seconds``.
    """

    def __init__(self, settings: Settings, to_topic: bool = True, retry_seconds: float = 900.0) -> None:
        self.settings = settings
        self.to_topic = to_topic
        self.retry_seconds = retry_seconds
        self.written = Metrics.counter("peacewatch", "dead_lettered")
        self.retries = Metrics.counter("peacewatch", "service_retries")

    def setup(self) -> None:
        self._writer = DeadLetterWriter(self.settings, to_topic=self.to_topic)
        self._writer.setup()

    def process(self, letters: Sequence[dict[str, Any]]):
        self.written.inc(
            retry_transient(
                lambda: self._writer.write(letters), "writing dead letters", self.retry_seconds, self.retries.inc
            )
        )
        for letter in letters:
            out = safe_letter(letter)
            if letter.get("_ack_id"):
                out["_ack_id"] = letter["_ack_id"]
            yield out

    def teardown(self) -> None:
        self._writer.close()


class WriteDeadLetters(beam.PTransform):
    """Writes dead letters to the dead-letter index and topic; outputs what was written.

    Args:
        settings: where the dead-letter index and topic are.
        to_topic: also publish them on the dead-letter topic (default True).
        retry_seconds: how long transient failures are retried.
    """

    def __init__(self, settings: Settings, to_topic: bool = True, retry_seconds: float = 900.0) -> None:
        super().__init__()
        self.settings = settings
        self.to_topic = to_topic
        self.retry_seconds = retry_seconds

    def expand(self, letters):
        return (
            letters
            | "Batch" >> beam.BatchElements(max_batch_size=DEAD_LETTER_BATCH)
            | "Write" >> beam.ParDo(_WriteDeadLettersFn(self.settings, self.to_topic, self.retry_seconds))
        )
