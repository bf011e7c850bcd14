"""Publication dates as feeds write them -> UTC, with what had to be assumed.

Tried in order: RFC 2822 (``Mon, 06 Jan 2025 10:00:00 GMT``), ISO 8601 (also date-only
``2025-01-06``), feedparser's own parse (W3DTF and many RSS variants), then ``dateparser`` for
dates written in other languages (``Seg, 24 Set 2018 10:00``). A date written without a zone is
wall-clock time in the feed's configured ``timezone`` (IANA name); without one it is taken as
UTC and reported as such, so a feed that needs the setting shows up in the warnings.
"""

from __future__ import annotations

import calendar
import email.utils
import functools
import re
from datetime import datetime, timezone, tzinfo
from typing import Any, NamedTuple

# A zone written after the time: Z, +05:30 / -0800, or a name (GMT, UTC, EST, CEST, ...).
_HAS_ZONE = re.compile(r"(?:\d(?:Z|z)|[+-]\d\d:?\d\d|\b(?:UTC|GMT|UT|[A-Z]{1,4}[SD]?T)\b)\s*\)?\s*$")
_ISO_SPACE = re.compile(r"^\d{4}-\d\d-\d\d \d")
_NEGATIVE_ZERO = re.compile(r"-0000\s*$")


class ParsedDate(NamedTuple):
    """A date in UTC and how it was read.

    Attributes:
        moment: aware UTC datetime, or None when the text could not be read.
        zoneless: the text had no zone; ``assumed`` says which one was used.
        assumed: the IANA zone (or ``UTC``) used for a zoneless text.
        foreign: read by dateparser (a language or format the standard parsers do not know).
    """

    moment: datetime | None
    zoneless: bool = False
    assumed: str | None = None
    foreign: bool = False


@functools.lru_cache(maxsize=256)
def zone(name: str | None) -> tzinfo:
    """The tzinfo of an IANA name (UTC for None)."""
    if not name:
        return timezone.utc
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _rfc2822(text: str) -> tuple[datetime | None, bool]:
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None, False
    if parsed is None:
        return None, False
    if parsed.tzinfo is None and _NEGATIVE_ZERO.search(text):
        return parsed.replace(tzinfo=timezone.utc), False  # -0000: UTC, origin unknown (RFC 5322)
    return parsed, parsed.tzinfo is None


def _iso(text: str) -> tuple[datetime | None, bool]:
    candidate = text.replace(" ", "T", 1) if _ISO_SPACE.match(text) else text
    try:
        parsed = datetime.fromisoformat(candidate.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None, False
    return parsed, parsed.tzinfo is None


def _from_struct(struct: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), tz=timezone.utc)
    except (OverflowError, ValueError, OSError, TypeError):
        return None


@functools.lru_cache(maxsize=4096)  # a feed repeats its odd dates poll after poll; dateparser is slow
def _foreign(text: str, language: str | None) -> tuple[datetime | None, bool]:
    """dateparser, only for texts with a digit (``sometime last week`` is not a date).

    Its first call in a process loads its language data (a few seconds).
    """
    if not any(c.isdigit() for c in text):
        return None, False
    import dateparser

    settings = {"PREFER_DATES_FROM": "past"}  # aware when the text names a zone, naive when not
    languages = [language] if language else None
    try:
        parsed = dateparser.parse(text, languages=languages, settings=settings)
        if parsed is None and languages:
            parsed = dateparser.parse(text, settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input; "unreadable" is the answer
        return None, False
    if parsed is None:
        return None, False
    return parsed, parsed.tzinfo is None


def parse_date(
    raw: str | None, struct: Any = None, *, tz: str | None = None, language: str | None = None
) -> ParsedDate:
    """Reads a date written by a feed or an archive.

    Args:
        raw: the text as written (``published``, ``pubDate``, ``dc:date``...).
        struct: feedparser's parsed ``time.struct_time`` (UTC) for it, when there is one.
        tz: the feed's IANA time zone for texts without a zone (None: UTC).
        language: the feed's language, a hint for dateparser.

    Returns:
        A :class:`ParsedDate`; ``moment`` is None when nothing could read the text.
    """
    text = raw.strip() if isinstance(raw, str) else ""
    foreign = False
    moment: datetime | None = None
    zoneless = False
    if text:
        moment, zoneless = _rfc2822(text)
        if moment is None:
            moment, zoneless = _iso(text)
        if (moment is None or zoneless) and struct is not None:
            known = _from_struct(struct)
            if known is not None and _HAS_ZONE.search(text):
                moment, zoneless = known, False  # a zone name feedparser knows (CET, ...)
            elif known is not None and moment is None:
                moment, zoneless = known.replace(tzinfo=None), True  # feedparser took wall time as UTC
        if moment is None:
            moment, zoneless = _foreign(text, language)
            foreign = moment is not None
    elif struct is not None:
        moment = _from_struct(struct)
    if moment is None:
        return ParsedDate(None)
    assumed = None
    if zoneless:
        assumed = tz or "UTC"
        try:
            moment = moment.replace(tzinfo=zone(tz), fold=0)
        except Exception:  # an unknown zone name was refused when feeds.yaml was loaded; be safe anyway
            moment, assumed = moment.replace(tzinfo=timezone.utc), "UTC"
    return ParsedDate(moment.astimezone(timezone.utc), zoneless, assumed, foreign)


def iso_utc(moment: datetime) -> str:
    """A datetime as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
