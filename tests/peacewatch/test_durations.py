"""The one duration and date grammar of every command (--since, --until, --throttle, rules files)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from peacewatch.durations import parse_duration, parse_since, parse_until
from peacewatch.errors import UserError

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "text,seconds",
    [
        ("90s", 90),
        ("30m", 1800),
        ("12h", 43200),
        ("7d", 604800),
        ("2w", 1209600),
        ("5y", 5 * 365 * 86400),
        (" 1H ", 3600),
        ("3 d", 259200),
        ("", None),
        (None, None),
    ],
)
def test_durations_in_seconds(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text,since",
    [
        ("90s", "2026-03-10T11:58:30Z"),
        ("30m", "2026-03-10T11:30:00Z"),
        ("12h", "2026-03-10T00:00:00Z"),
        ("7d", "2026-03-03T12:00:00Z"),
        ("2w", "2026-02-24T12:00:00Z"),
        ("1y", "2025-03-10T12:00:00Z"),
        ("2026-03-01", "2026-03-01T00:00:00Z"),
        ("2026-03-01T08:30", "2026-03-01T08:30:00Z"),
        ("2026-03-01T08:30:00+02:00", "2026-03-01T06:30:00Z"),
        ("2026-03-01T08:30Z", "2026-03-01T08:30:00Z"),
        (None, None),
        ("", None),
    ],
)
def test_since_is_a_duration_ago_or_a_date(text, since):
    assert parse_since(text, now=NOW) == since


def test_until_includes_a_bare_date_whole_day_and_takes_durations_and_times():
    assert parse_until("2026-03-01", now=NOW) == "2026-03-02T00:00:00Z"
    assert parse_until("2026-03-01T08:30", now=NOW) == "2026-03-01T08:30:00Z"
    assert parse_until("90s", now=NOW) == "2026-03-10T11:58:30Z"


@pytest.mark.parametrize(
    "parse,text",
    [
        (parse_since, "last tuesday"),
        (parse_since, "7 days"),
        (parse_until, "2026-13-01"),
        (parse_since, "-3d"),
    ],
)
def test_one_message_names_the_flag_and_shows_the_grammar(parse, text):
    with pytest.raises(UserError) as caught:
        parse(text, "--since")
    assert caught.value.message == f"--since {text!r} is not a duration or a date"
    assert "90s, 30m, 12h, 7d, 2w or 1y" in caught.value.hint and "2026-01-31" in caught.value.hint


@pytest.mark.parametrize("text", ["1x", "2026-03-01", "soon", "1.5h"])
def test_a_duration_only_setting_refuses_dates_and_words(text):
    with pytest.raises(UserError) as caught:
        parse_duration(text, "--throttle")
    assert caught.value.message == f"--throttle {text!r} is not a duration"
