"""Feed bytes -> Article dicts (the ``article.v1`` contract), as pure functions.

``parse_feed`` checks XML safety, hands the bytes to feedparser (with the response headers, so a
charset in ``Content-Type`` is honoured and relative links resolve against the feed URL) and
turns each entry into an Article with ``entry_to_article``. Bozo feeds are warnings; unusable
input (entity declarations, an HTML page, nothing parseable, no entries) raises
:class:`FeedRejected` with a reason.

Every HTML field ends as plain text: scripts, styles and comments are dropped, tags stripped
with precompiled regular expressions, entities decoded with ``html.unescape``. No markup
survives, so feedparser's own sanitiser is switched off and no HTML parser runs per entry.
"""

from __future__ import annotations

import collections
import html
import io
import logging
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

from connectors.dates import iso_utc, parse_date
from connectors.feeds_config import FeedConfig
from connectors.xml_safety import UnsafeXml, check_xml
from peacewatch.errors import PeacewatchError
from schemas.ids import article_id, canonical_url
from schemas.text import strip_controls

logger = logging.getLogger(__name__)

MAX_TITLE = 2000
MAX_TEXT = 1_000_000
MAX_SUMMARY = 100_000
MAX_TAGS = 200
MAX_AUTHORS = 50
# Dates later than this after the fetch are typos or time-zone mistakes, not scheduled news.
MAX_FUTURE_SECONDS = 2 * 86400

_DROP_BLOCKS = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_BREAKS = re.compile(
    r"<\s*(?:br|hr|li|tr|dt|dd)\b[^>]*>|</?\s*(?:p|div|ul|ol|dl|h[1-6]|blockquote|table|section|article|pre|figure|figcaption|header|footer)\b[^>]*>",
    re.IGNORECASE,
)
_DROP_HINT = re.compile(r"<(?:script|style|noscript|template)", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")
_MARKUP = re.compile(r"<[a-zA-Z/!]")
_HTML_PAGE = re.compile(rb"^\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html\b)", re.IGNORECASE | re.DOTALL)


class FeedRejected(PeacewatchError, ValueError):
    """The bytes are not a usable feed; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FeedMeta(NamedTuple):
    """What ``entry_to_article`` needs to know about the feed an entry came from."""

    name: str
    feed_url: str
    language: str | None = None
    tags: tuple[str, ...] = ()
    base_url: str | None = None
    is_rss: bool = False
    timezone: str | None = None


class ParsedFeed(NamedTuple):
    """Articles of one feed document, the warnings met, and entries that had to be skipped.

    ``notes`` counts what normalising had to assume: ``zoneless_dates`` (taken in the feed's
    timezone, or UTC), ``unreadable_dates`` (replaced by the fetch time), ``foreign_dates``
    (read by dateparser), ``truncated`` (fields cut to the contract's caps).
    """

    articles: list[dict[str, Any]]
    warnings: list[str]
    skipped: int = 0
    title: str | None = None
    notes: Mapping[str, int] = MappingProxyType({})  # read-only: a shared default must not change


def _tidy(value: str) -> str:
    """Collapses spaces within lines and runs of blank lines; trims."""
    if "\n" not in value:
        return " ".join(value.split())
    lines: list[str] = []
    blank = False
    for line in value.split("\n"):
        line = " ".join(line.split())
        if line:
            lines.append(line)
            blank = False
        elif lines and not blank:
            lines.append("")
            blank = True
    return "\n".join(lines).strip()


def clean_text(value: str | None) -> str:
    """HTML or plain text -> clean text: tags stripped, entities decoded, whitespace tidied.

    Paragraph-like tags become line breaks, runs of blank lines collapse to one.
    """
    if not value:
        return ""
    if "<" in value:
        if "<!--" in value or _DROP_HINT.search(value):
            value = _DROP_BLOCKS.sub(" ", value)
        value = _BREAKS.sub("\n", value)
        value = _TAGS.sub("", value)
    if "&" in value:
        value = html.unescape(value)
        if "<" in value and _MARKUP.search(value):  # double-escaped markup
            value = _TAGS.sub("", _BREAKS.sub("\n", value))
    return _tidy(strip_controls(value))


def clean_line(value: str | None) -> str:
    """Like :func:`clean_text` but on one line (titles, names)."""
    if not value:
        return ""
    if "<" not in value and "&" not in value:
        return " ".join(strip_controls(value).split())
    return " ".join(clean_text(value).split())


def _language(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    code = value.strip().split("-")[0].split("_")[0].lower()
    return code if 2 <= len(code) <= 3 and code.isalpha() else None


def _published(
    entry: Mapping[str, Any], fetched_at: datetime, meta: FeedMeta, notes: collections.Counter[str]
) -> tuple[str, str | None, bool]:
    # dict.get bypasses FeedParserDict's deprecated updated -> published key mapping.
    get = (lambda key: dict.get(entry, key)) if isinstance(entry, dict) else entry.get
    raw = get("published") or get("updated") or get("created") or get("date")
    raw = raw.strip()[:500] if isinstance(raw, str) and raw.strip() else None
    struct = get("published_parsed") or get("updated_parsed") or get("created_parsed")
    parsed = parse_date(raw, struct, tz=meta.timezone, language=meta.language)
    moment = parsed.moment
    if moment is not None and moment.year >= 1970 and (moment - fetched_at).total_seconds() <= MAX_FUTURE_SECONDS:
        notes["zoneless_dates"] += parsed.zoneless and not meta.timezone
        notes["foreign_dates"] += parsed.foreign
        return iso_utc(moment), raw, False
    notes["unreadable_dates"] += bool(raw)
    return iso_utc(fetched_at), raw, True


# Elements some publishers use for the whole article beside a short description; feedparser keeps
# unknown elements under their own names.
FULL_TEXT_KEYS = ("full-text", "fulltext", "full_text")


def _best_content(entry: Mapping[str, Any], is_rss: bool) -> str:
    """The longest body the feed itself carries: ``content:encoded`` / Atom content, or a full-text element."""
    contents: Sequence[Mapping[str, Any]] = entry.get("content") or ()
    best = ""
    for content in contents:
        if is_rss and content.get("type") == "text/plain":
            continue  # in RSS, plain-text "content" is a media:description caption, not the body
        value = content.get("value") or ""
        if len(value) > len(best):
            best = value
    for key in FULL_TEXT_KEYS:
        value = entry.get(key)
        if isinstance(value, str) and len(value) > len(best):
            best = value
    return best


def _link(entry: Mapping[str, Any], base: str | None) -> str | None:
    candidates: list[str] = []
    original = entry.get("feedburner_origlink")  # the publisher's URL behind a feedburner redirect
    if isinstance(original, str) and original.strip():
        candidates.append(original.strip())
    link = entry.get("link")
    if isinstance(link, str) and link.strip():
        candidates.append(link.strip())
    for item in entry.get("links") or ():
        href = item.get("href")
        if href and item.get("rel", "alternate") == "alternate":
            candidates.append(href.strip())
    guid = entry.get("id")
    if isinstance(guid, str) and guid.strip():
        guid = guid.strip()
        if guid[:8].lower().startswith(("http://", "https://")) or entry.get("guidislink"):
            candidates.append(guid)
    for candidate in candidates:
        if candidate[:8].lower().startswith(("http://", "https://")):
            return candidate
        try:
            absolute = urljoin(base, candidate) if base else candidate
            if urlsplit(absolute).scheme in ("http", "https"):
                return absolute
        except ValueError:  # not a URL at all ("http://[")
            continue
    if isinstance(guid, str) and guid and ":" in guid:
        return guid  # a stable non-HTTP identifier (urn:, tag:) is better than nothing
    return None


def _unique(values: Sequence[str], limit: int, width: int) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        value = clean_line(value)[:width]
        if value and value not in seen:
            seen[value] = None
            if len(seen) >= limit:
                break
    return list(seen)


def _capped(value: str, cap: int, field: str, truncated: list[str]) -> str:
    if len(value) <= cap:
        return value
    truncated.append(field)
    return value[:cap]


def _texts(entry: Mapping[str, Any], is_rss: bool, truncated: list[str]) -> tuple[str, str, str | None, str]:
    """``(title, text, summary, content_source)`` of an entry, cleaned and cut to the contract's caps.

    The text is the feed's own full text when it has one (``content:encoded``, ``<full-text>``),
    else the summary.
    """
    title = _capped(clean_line(entry.get("title")), MAX_TITLE, "title", truncated)
    raw_summary = entry.get("summary") or entry.get("description") or ""
    content = _best_content(entry, is_rss)
    summary = _capped(clean_text(raw_summary), MAX_SUMMARY, "summary", truncated) if raw_summary else None
    if content and content != raw_summary:
        text, content_source = clean_text(content), "feed"
    else:
        text, content_source = summary or "", "summary"
    return title, _capped(text, MAX_TEXT, "text", truncated), summary, content_source


def entry_to_article(
    entry: Mapping[str, Any], feed_meta: FeedMeta, fetched_at: datetime, notes: collections.Counter[str] | None = None
) -> dict[str, Any] | None:
    """Turns one feedparser entry into an Article dict.

    Args:
        entry: a ``feedparser`` entry (any mapping with its keys works).
        feed_meta: the feed's name, URL, language, tags, base URL (the channel's link, else the
            feed's URL) and time zone.
        fetched_at: when the feed was fetched (aware datetime); stands in for a missing date.
        notes: counts what had to be assumed (see :class:`ParsedFeed`).

    Returns:
        The article, or ``None`` when the entry has neither a link/guid nor any text. Title, text
        and summary longer than the contract's caps are cut to them and named in ``truncated``.
    """
    notes = notes if notes is not None else collections.Counter()
    url = _link(entry, feed_meta.base_url or feed_meta.feed_url)
    if url is None:
        return None
    try:
        url = canonical_url(url)
    except ValueError:
        return None
    if len(url) > 4096:
        return None
    truncated: list[str] = []
    title, text, summary, content_source = _texts(entry, feed_meta.is_rss, truncated)
    if not text and not title:
        return None
    published, published_raw, estimated = _published(entry, fetched_at, feed_meta, notes)
    tags = [*feed_meta.tags, *(t.get("term") or "" for t in entry.get("tags") or ())]
    authors = [a.get("name") or "" for a in entry.get("authors") or ()]
    if not authors and isinstance(entry.get("author"), str):
        authors = [entry["author"]]
    article = {
        "schema_version": 1,
        "id": article_id(url),
        "url": url,
        "title": title,
        "text": text,
        "summary": summary,
        "published": published,
        "published_raw": published_raw,
        "published_estimated": estimated,
        "fetched": iso_utc(fetched_at),
        "source": feed_meta.name[:500],
        "feed_url": feed_meta.feed_url[:4096],
        "language": feed_meta.language or _language(entry.get("language")),
        "tags": _unique(tags, MAX_TAGS, 200),
        "content_source": content_source,
        "authors": _unique(authors, MAX_AUTHORS, 300),
    }
    if truncated:
        article["truncated"] = sorted(set(truncated))
        notes["truncated"] += 1
    return article


def _charset(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", content_type or "", re.IGNORECASE)
    return match.group(1) if match else None


def _bozo_reason(result: Mapping[str, Any]) -> str:
    exc = result.get("bozo_exception")
    if exc is None:
        return "malformed feed"
    name = type(exc).__name__
    message = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{name}: {message}" if message else name


def parse_feed(
    data: bytes,
    *,
    feed: FeedConfig,
    headers: Mapping[str, str] | None = None,
    fetched_at: datetime | None = None,
    url: str | None = None,
) -> ParsedFeed:
    """Parses feed bytes into articles.

    Args:
        data: the body exactly as fetched (decompressed).
        feed: the feed's configuration (name, language, tags).
        headers: the HTTP response headers (charset, Content-Location, Content-Language).
        fetched_at: when the bytes were fetched (defaults to now).
        url: the final URL after redirects, used to resolve relative links (defaults to
            ``feed.url``).

    Returns:
        A :class:`ParsedFeed`; ``warnings`` hold bozo reasons and skipped entries.

    Raises:
        FeedRejected: unsafe XML, an HTML page, or no usable entries.
    """
    fetched_at = fetched_at or datetime.now(timezone.utc)
    base = url or feed.url
    if not data.strip():
        raise FeedRejected("empty response body")
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    try:
        check_xml(data, _charset(response_headers.get("content-type")))
    except UnsafeXml as exc:
        raise FeedRejected(exc.reason) from None
    result = _feedparser(data, response_headers)
    entries = result.get("entries") or []
    warnings = _usable_or_rejected(data, result, entries)
    meta_feed = result.get("feed") or {}
    language = (
        feed.language or _language(meta_feed.get("language")) or _language(response_headers.get("content-language"))
    )
    meta = FeedMeta(
        feed.name,
        feed.url,
        language,
        feed.tags,
        _channel_base(meta_feed, base),
        str(result.get("version") or "").startswith("rss"),
        feed.timezone,
    )
    articles: list[dict[str, Any]] = []
    notes: collections.Counter[str] = collections.Counter()
    for entry in entries:
        article = entry_to_article(entry, meta, fetched_at, notes)
        if article is not None:
            articles.append(article)
    skipped = len(entries) - len(articles)
    if skipped:
        warnings.append(f"{skipped} of {len(entries)} entries skipped (no link or id, or no title and text)")
    if not articles:
        raise FeedRejected(f"none of the {len(entries)} entries is usable (no link or id, or no text)")
    warnings.extend(note_warnings(notes))
    title = clean_line(meta_feed.get("title")) or None
    return ParsedFeed(articles, warnings, skipped, title, {k: v for k, v in notes.items() if v})


def _feedparser(data: bytes, response_headers: dict[str, str]) -> Mapping[str, Any]:
    """``feedparser.parse`` of checked bytes, with our flags; a crash of feedparser is a rejection."""
    import feedparser

    # No Content-Location is made up from the feed URL: relative entry links stay relative in
    # feedparser's output (xml:base still applies) and are resolved below against the channel's
    # <link> (the publisher's site), falling back to the feed URL.
    # Local files and tests have no Content-Type; the XML declaration then names the charset.
    response_headers.setdefault("content-type", "application/xml")
    # A BytesIO, never bare bytes: feedparser tries to open() a bytes argument as a file name.
    # Its HTML sanitiser and relative-URI rewriting inside content are switched off: every HTML
    # field is reduced to plain text by clean_text (scripts and styles dropped), so they would
    # only cost time (about 40 % of the parse). Entry links are still resolved.
    try:
        return feedparser.parse(
            io.BytesIO(data), response_headers=response_headers, sanitize_html=False, resolve_relative_uris=False
        )
    except Exception as exc:  # feedparser itself fails on some hostile bytes (bad encodings, huge char refs)
        message = str(exc).splitlines()[0][:200] if str(exc) else ""
        raise FeedRejected(f"unreadable feed ({type(exc).__name__}: {message})") from None


def _usable_or_rejected(data: bytes, result: Mapping[str, Any], entries: list[Any]) -> list[str]:
    """The warnings of a parse that has entries; :class:`FeedRejected` saying why when it has none."""
    warnings: list[str] = []
    if result.get("bozo"):
        reason = _bozo_reason(result)
        if not entries:
            if _HTML_PAGE.match(data[:2048]) or not result.get("version"):
                kind = "an HTML page" if _HTML_PAGE.match(data[:2048]) else "not a feed"
                raise FeedRejected(f"{kind}, no entries ({reason})")
            raise FeedRejected(f"malformed feed with no entries ({reason})")
        warnings.append(f"malformed feed, {len(entries)} entries still used ({reason})")
    if not entries:
        if not result.get("version"):
            kind = "an HTML page" if _HTML_PAGE.match(data[:2048]) else "not a recognisable RSS/Atom feed"
            raise FeedRejected(kind)
        raise FeedRejected("feed has no entries")
    return warnings


def _channel_base(meta_feed: Mapping[str, Any], feed_url: str) -> str:
    """What relative entry links are relative to: the channel's link (resolved), else the feed URL."""
    link = meta_feed.get("link")
    if isinstance(link, str) and link.strip():
        try:
            resolved = (
                urljoin(feed_url, link.strip()) if urlsplit(feed_url).scheme in ("http", "https") else link.strip()
            )
            if urlsplit(resolved).scheme in ("http", "https") and urlsplit(resolved).hostname:
                return resolved
        except ValueError:  # an unparseable channel link ("http://[") is no base
            pass
    return feed_url


def note_warnings(notes: Mapping[str, int]) -> list[str]:
    """One warning line per kind of assumption counted in ``notes``."""
    out = []
    if notes.get("zoneless_dates"):
        out.append(
            f"{notes['zoneless_dates']} date(s) without a time zone taken as UTC "
            "(set timezone: for this feed in feeds.yaml)"
        )
    if notes.get("unreadable_dates"):
        out.append(f"{notes['unreadable_dates']} unreadable or implausible date(s) replaced by the fetch time")
    if notes.get("truncated"):
        out.append(f"{notes['truncated']} article(s) cut to the contract's length caps (flagged 'truncated')")
    return out
