"""One grammar for durations and points in time: ``--since``, ``--until``, ``--throttle``, rules files.

A *duration* is a whole number and a unit: ``90s``, ``30m``, ``12h``, ``7d``, ``2w``, ``5y`` (a year
is 365 days). A *point in time* is a duration ago, or an ISO date (``2026-01-31``) or date-time
(``2026-01-31T08:00``, ``2026-01-31T08:00:00+02:00``, ``...Z``); a time without a zone is UTC.
Every command reads them here, and every mistake gets the same message.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from peacewatch.errors import UserError

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}
_DURATION = re.compile(r"^(\d+)\s*([smhdwy])$")
_DURATIONS = "90s, 30m, 12h, 7d, 2w or 1y"
_DATES = "2026-01-31 or 2026-01-31T08:00Z"


def _invalid(what: str, text: object, dates: bool) -> UserError:
    kinds = "a duration or a date" if dates else "a duration"
    examples = f"{_DURATIONS}, or a date: {_DATES}" if dates else _DURATIONS
    return UserError(f"{what} {text!r} is not {kinds}", f"write e.g. {examples}")


def parse_duration(text: str | None, what: str = "duration") -> int | None:
    """``90s``, ``30m``, ``12h``, ``7d``, ``2w``, ``1y`` -> seconds; None for None or empty text.

    Raises:
        UserError: naming ``what`` when the text is not a duration.
    """
    if text is None or text == "":
        return None
    match = _DURATION.match(str(text).strip().lower())
    if not match:
        raise _invalid(what, text, dates=False)
    return int(match.group(1)) * UNIT_SECONDS[match.group(2)]


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _moment(text: str, what: str, now: datetime | None, end_of_day: bool) -> str | None:
    if not text or not text.strip():
        return None
    text = text.strip()
    if _DURATION.match(text.lower()):
        seconds = parse_duration(text, what) or 0
        return _iso((now or datetime.now(timezone.utc)) - timedelta(seconds=seconds))
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise _invalid(what, text, dates=True) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if end_of_day and _is_date(text):
        moment += timedelta(days=1)
    return _iso(moment)


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def parse_since(text: str | None, what: str = "--since", now: datetime | None = None) -> str | None:
    """A lower bound: a duration ago, or a date (its start) or date-time -> ISO time in UTC (``...Z``).

    Raises:
        UserError: naming ``what`` when the text is neither a duration nor a date.
    """
    return _moment(text or "", what, now, end_of_day=False)


def parse_until(text: str | None, what: str = "--until", now: datetime | None = None) -> str | None:
    """An exclusive upper bound: like :func:`parse_since`, but a bare date includes its whole day.

    Raises:
        UserError: naming ``what`` when the text is neither a duration nor a date.
    """
    return _moment(text or "", what, now, end_of_day=True)
