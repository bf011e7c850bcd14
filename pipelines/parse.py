"""Parsing and validating raw messages into Articles; anything broken becomes a dead letter.

Input elements may be JSON lines (``str``/``bytes`` from files), Beam ``PubsubMessage`` objects
(``ReadFromPubSub(with_attributes=True)``) or :class:`Envelope` (the Pub/Sub pull source, which
carries the ack id). Valid articles leave with two private keys, ``_ack_id`` and
``_publish_time_ms``, that the writer uses and strips. A message the source marked as poison
(delivered too many times) becomes a dead letter with stage ``poison`` without being parsed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, NamedTuple

import apache_beam as beam
from apache_beam.metrics import Metrics

from connectors.records import article_from_payload
from pipelines.deadletters import DEAD, make_dead_letter
from schemas.validation import InvalidDocument

logger = logging.getLogger(__name__)

ARTICLES = "articles"


class Envelope(NamedTuple):
    """A raw message with what is needed to acknowledge it and measure latency."""

    data: bytes | str
    attributes: Mapping[str, str] = {}
    ack_id: str | None = None
    publish_time_ms: float | None = None
    message_id: str | None = None
    delivery_attempt: int = 0
    rejected: str | None = None  # why the source gave up on it (poison), else None


def to_envelope(element: Any) -> Envelope:
    """Wraps a file line, a ``PubsubMessage`` or an ``Envelope`` as an :class:`Envelope`."""
    if isinstance(element, Envelope):
        return element
    if isinstance(element, (bytes, str)):
        return Envelope(element)
    data = getattr(element, "data", None)
    if data is not None:  # apache_beam.io.gcp.pubsub.PubsubMessage
        publish_time = getattr(element, "publish_time", None)
        millis = publish_time.timestamp() * 1000 if publish_time is not None else None
        return Envelope(data, dict(getattr(element, "attributes", None) or {}), None, millis)
    raise TypeError(f"cannot parse a {type(element).__name__}")


def parse_envelope(envelope: Envelope) -> dict[str, Any]:
    """Returns the validated article of ``envelope`` with its private receipt keys.

    The payload is read as ``replay`` reads an archive line (``connectors.records``): a document
    that keeps the contract passes as it is, control characters stripped; any other is normalised
    (id from the canonical URL, dates to UTC, texts cut to the caps and flagged) before it is
    checked.

    Raises:
        InvalidDocument: with the reason (and field) when the payload breaks the contract.
    """
    article = article_from_payload(envelope.data)
    article["_ack_id"] = envelope.ack_id
    article["_publish_time_ms"] = envelope.publish_time_ms
    return article


def stage_of(error: InvalidDocument) -> str:
    """``parse`` when the bytes are not a JSON object, ``validate`` when the contract is broken."""
    return "validate" if error.field else "parse"


def parse_or_dead_letter(envelope: Envelope) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """``(article, None)`` for a valid message, ``(None, dead_letter)`` for a broken or poison one."""
    if envelope.rejected:
        article_id = envelope.attributes.get("article_id") if envelope.attributes else None
        return None, make_dead_letter(
            "poison",
            envelope.rejected,
            envelope.data,
            error_type="PoisonMessage",
            article_id=article_id,
            attributes=envelope.attributes,
            ack_id=envelope.ack_id,
        )
    try:
        return parse_envelope(envelope), None
    except InvalidDocument as exc:
        article_id = envelope.attributes.get("article_id") if envelope.attributes else None
        return None, make_dead_letter(
            stage_of(exc),
            str(exc),
            envelope.data,
            error_type=type(exc).__name__,
            article_id=article_id,
            attributes=envelope.attributes,
            ack_id=envelope.ack_id,
        )


class _ParseFn(beam.DoFn):
    def __init__(self) -> None:
        self.read = Metrics.counter("peacewatch", "read")
        self.valid = Metrics.counter("peacewatch", "valid")
        self.invalid = Metrics.counter("peacewatch", "invalid")
        self.sizes = Metrics.distribution("peacewatch", "payload_bytes")

    def process(self, element: Any):
        envelope = to_envelope(element)
        self.read.inc()
        self.sizes.update(len(envelope.data))
        article, dead = parse_or_dead_letter(envelope)
        if article is not None:
            self.valid.inc()
            yield article
        else:
            self.invalid.inc()
            yield beam.pvalue.TaggedOutput(DEAD, dead)


class ParseArticles(beam.PTransform):
    """Raw messages -> valid Articles (main output) and dead letters (``DEAD`` tag).

    Use as ``parsed = raw | ParseArticles()``; then ``parsed.articles`` and ``parsed.dead_letters``.
    """

    def expand(self, raw):
        return raw | "ParseAndValidate" >> beam.ParDo(_ParseFn()).with_outputs(DEAD, main=ARTICLES)


def skip_blank(line: Any) -> bool:
    """File lines that carry nothing (blank lines in a JSONL file) are not messages."""
    return bool(line.strip()) if isinstance(line, (str, bytes)) else True


__all__ = ["Envelope", "ParseArticles", "parse_envelope", "parse_or_dead_letter", "to_envelope"]
