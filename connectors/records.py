"""Article-like records from archives and other producers -> Articles: one normalisation for all.

``peacewatch replay`` publishes JSON Lines archives through :func:`record_to_article`, and the
pipeline's parse step (``pipelines/parse.py``) reads its input through :func:`article_from_payload`,
which passes a document that already keeps the contract as it is and gives any other one the
same normalisation as replay. So ``run --input FILE`` accepts what ``replay FILE`` accepts: no
``id`` (derived from the canonical URL), date-only and RFC 2822 dates, dates in other
languages, texts over the caps (cut and flagged in ``truncated``), control characters (stripped).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from connectors.dates import parse_date
from connectors.normalise import FeedMeta, entry_to_article
from peacewatch.errors import PeacewatchError
from schemas.ids import article_id, canonical_url
from schemas.text import scrub
from schemas.validation import InvalidDocument, decode_payload, validate

CONTENT_SOURCES = ("feed", "summary", "extracted", "archive")


class BadLine(PeacewatchError, ValueError):
    """A record that cannot become an article; the message starts with the field (``url: ...``)."""


def _check_types(record: Mapping[str, Any]) -> None:
    url = record.get("url")
    if not isinstance(url, str) or not url.strip():
        raise BadLine("url: is required and must be a non-empty string")
    for key in ("title", "text", "summary", "published", "published_raw", "source", "feed_url", "language"):
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            raise BadLine(f"{key}: must be a string, not {type(value).__name__}")
    for key in ("tags", "authors", "truncated"):
        value = record.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            raise BadLine(f"{key}: must be a list of strings")


def record_to_article(record: Mapping[str, Any], fetched_at: datetime) -> dict[str, Any]:
    """Normalises one Article-like record like a feed entry.

    Args:
        record: at least ``url`` and a title or text; the other Article fields when known.
        fetched_at: stands in for a missing ``fetched`` (and for a missing date, flagged).

    Raises:
        BadLine: when the record has no usable URL, neither title nor text, or a field of the
            wrong type.
    """
    _check_types(record)
    entry: dict[str, Any] = {
        "link": record["url"],
        "title": record.get("title") or "",
        "summary": record.get("summary") or "",
        "tags": [{"term": t} for t in record.get("tags") or ()],
        "authors": [{"name": a} for a in record.get("authors") or ()],
        "language": record.get("language"),
    }
    if record.get("published") or record.get("published_raw"):
        entry["published"] = record.get("published") or record.get("published_raw")
    if record.get("text"):
        entry["content"] = [{"value": record["text"]}]
    meta = FeedMeta(record.get("source") or "archive", record.get("feed_url") or "", record.get("language"), (), None)
    fetched = fetched_at
    if isinstance(record.get("fetched"), str):
        fetched = parse_date(record["fetched"]).moment or fetched_at
    article = entry_to_article(entry, meta, fetched)
    if article is None:
        raise BadLine("url/title/text: no usable URL, or neither title nor text")
    if article["feed_url"] == "":
        article["feed_url"] = None
    if record.get("published_raw"):
        article["published_raw"] = str(record["published_raw"])[:500]
    if record.get("published_estimated") is True:
        article["published_estimated"] = True
    if record.get("truncated"):
        article["truncated"] = sorted(set(article.get("truncated", [])) | set(record["truncated"]))
    article["content_source"] = record.get("content_source") or "archive"
    if article["content_source"] not in CONTENT_SOURCES:
        raise BadLine(f"content_source: unknown value {article['content_source']!r}")
    return article


def article_from_payload(
    payload: bytes | str | Mapping[str, Any], fetched_at: datetime | None = None
) -> dict[str, Any]:
    """What the pipeline's parse step makes of one message or file line.

    A document that keeps the contract is used as it is (control characters stripped, URL
    canonical, ``id`` and ``schema_version`` filled in). Any other goes through :func:`record_to_article`, as in
    ``replay``.

    Raises:
        InvalidDocument: with the field and the reason when neither way gives a valid article.
    """
    document = scrub(decode_payload(payload))
    try:
        validate("article", document)
        strict = bool((document.get("text") or "").strip() or (document.get("title") or "").strip())
    except InvalidDocument:
        strict = False
    if strict:
        try:
            canonical = canonical_url(document["url"])
        except ValueError as exc:
            raise InvalidDocument(str(exc), "url") from None
        document["url"] = canonical  # as replay writes it (same id either way)
        document.setdefault("id", article_id(canonical))
        document.setdefault("schema_version", 1)
        return document
    try:
        article = record_to_article(document, fetched_at or datetime.now(timezone.utc))
    except BadLine as exc:
        field, _, reason = str(exc).partition(": ")
        raise InvalidDocument(reason, field) from None
    validate("article", article)
    return article
