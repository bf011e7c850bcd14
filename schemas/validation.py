"""Validation against the JSON Schema contract, with errors that name the field.

``parse_article`` is what every consumer calls on a raw payload: it decodes, checks the
contract, fills the derivable fields (``id`` from the canonical URL, ``schema_version``) and
raises :class:`InvalidDocument` with a reason that names the field when anything is wrong.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from datetime import datetime
from importlib import resources
from typing import Any

from peacewatch.errors import PeacewatchError
from schemas.ids import article_id, canonical_url

SCHEMA_FILES = {
    "article": "article.v1.json",
    "enriched_article": "enriched_article.v1.json",
    "alert": "alert.v1.json",
    "deadletter": "deadletter.v1.json",
    "stance_report": "stance_report.v1.json",
}
# One record (a message, a file line) may be this large: Pub/Sub carries at most 10 MB, archives may
# hold longer texts, which are cut to the contract's caps (and flagged) rather than dropped.
MAX_PAYLOAD_BYTES = 32 * 1024 * 1024


class InvalidDocument(PeacewatchError, ValueError):
    """A document breaks the contract. ``field`` is a JSON path such as ``stances[0].stance``."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.reason = reason
        self.field = field


@functools.cache
def load_schema(kind: str) -> dict[str, Any]:
    """Returns the JSON Schema of ``kind`` (one of :data:`SCHEMA_FILES`)."""
    try:
        name = SCHEMA_FILES[kind]
    except KeyError:
        raise ValueError(f"unknown schema {kind!r}; known: {', '.join(SCHEMA_FILES)}") from None
    text = resources.files("schemas").joinpath("json", name).read_text(encoding="utf-8")
    return json.loads(text)


def is_datetime(value: object) -> bool:
    """RFC 3339 date-time with a zone (``2026-11-21T09:30:00Z``); what ``format: date-time`` means."""
    if not isinstance(value, str):
        return True  # the type keyword reports non-strings
    if len(value) < 20 or value[10] not in "Tt " or not (value.endswith(("Z", "z")) or value[-6] in "+-"):
        return False
    try:
        datetime.fromisoformat(value[:-1] + "+00:00" if value[-1] in "Zz" else value)
    except ValueError:
        return False
    return True


@functools.cache
def _validator(kind: str):
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker(formats=())
    checker.checks("date-time")(is_datetime)
    return Draft202012Validator(load_schema(kind), format_checker=checker)


def _path(error) -> str:
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def errors(kind: str, document: Any) -> list[str]:
    """Returns every contract violation of ``document`` as ``"field: reason"`` strings."""
    found = sorted(_validator(kind).iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    messages = []
    for error in found:
        field = _path(error)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else error.message
            field = f"{field}.{missing}" if field != "(document)" else missing
            messages.append(f"{field}: is required")
        else:
            messages.append(f"{field}: {error.message}")
    return messages


def validate(kind: str, document: Any) -> None:
    """Raises :class:`InvalidDocument` naming the first offending field, if any."""
    problems = errors(kind, document)
    if problems:
        field, _, reason = problems[0].partition(": ")
        extra = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InvalidDocument(reason + extra, field)


def decode_payload(payload: bytes | str | Mapping[str, Any], max_bytes: int = MAX_PAYLOAD_BYTES) -> dict[str, Any]:
    """Turns a raw message into a dict: checks size, UTF-8 and JSON, in that order."""
    if isinstance(payload, Mapping):
        return dict(payload)
    if isinstance(payload, str):
        payload = payload.encode("utf-8", "surrogatepass")
    if not isinstance(payload, (bytes, bytearray)):
        raise InvalidDocument(f"expected bytes or a JSON object, got {type(payload).__name__}")
    if len(payload) > max_bytes:
        raise InvalidDocument(f"payload is {len(payload):,} bytes, over the {max_bytes:,} byte limit")
    try:
        text = bytes(payload).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidDocument(f"payload is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidDocument(f"payload is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(document, dict):
        raise InvalidDocument(f"payload must be a JSON object, got {type(document).__name__}")
    return document


def parse_article(payload: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    """Decodes and validates an Article, deriving ``id`` from the URL when omitted.

    Args:
        payload: a Pub/Sub message body, a JSON line, or an already decoded dict.

    Returns:
        The article as a new dict, with ``id`` and ``schema_version`` set.

    Raises:
        InvalidDocument: with the field and reason.
    """
    article = decode_payload(payload)
    validate("article", article)
    if not (article.get("text") or "").strip() and not (article.get("title") or "").strip():
        raise InvalidDocument("article has neither title nor text", "text")
    url = article["url"]
    try:
        canonical = canonical_url(url)
    except ValueError as exc:
        raise InvalidDocument(str(exc), "url") from None
    article.setdefault("id", article_id(canonical))
    article.setdefault("schema_version", 1)
    return article
