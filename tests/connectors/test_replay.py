"""Replay of a JSON Lines archive onto the emulator: normalisation, bad lines, de-duplication."""

from __future__ import annotations

import io
import json
import logging

import pytest

from connectors.progress import Progress
from connectors.replay import BadLine, record_to_article, replay
from peacewatch.errors import UserError
from schemas.ids import article_id
from tests.helpers import decode, drain, pull_messages

GOOD = [
    {
        "url": "https://Example.org/r/1?utm_source=x",
        "title": "<b>One</b>",
        "text": "<p>First &amp; body</p>",
        "published": "2025-01-02T03:04:05+02:00",
        "source": "Archive A",
        "tags": ["un"],
    },
    {"url": "https://example.org/r/2", "title": "Two", "text": "Second body"},
    {"url": "https://example.org/r/3", "title": "", "text": "Only text", "published": "Tue, 07 Jan 2025 10:00:00 GMT"},
]


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _replay(path, settings, state_db, **kwargs):
    return replay(path, settings, state_db=state_db, progress=Progress("replay", io.StringIO(), feeds=False), **kwargs)


def test_replay_publishes_normalised_articles_once(provisioned, subscriber, tmp_path, caplog):
    settings = provisioned
    lines = [
        json.dumps(GOOD[0]),
        "{not json",
        json.dumps(GOOD[1]),
        "[1, 2]",
        "",
        json.dumps({"title": "no url"}),
        json.dumps(GOOD[2]),
        json.dumps(GOOD[1]),
    ]
    archive = _write(tmp_path / "a.jsonl", lines)
    state_db = tmp_path / "s.sqlite3"
    caplog.set_level(logging.WARNING)
    counts = _replay(archive, settings, state_db)
    assert (counts.published, counts.invalid, counts.duplicate) == (3, 3, 1)
    reported = [r.getMessage() for r in caplog.records if "a.jsonl:" in r.getMessage()]
    assert [m.split(": ")[0].rsplit(":", 1)[1] for m in reported] == ["2", "4", "6"]
    assert "not JSON" in reported[0] and "expected a JSON object" in reported[1] and "url: is required" in reported[2]

    subscription = settings.subscription_path("articles")
    messages = pull_messages(subscriber, subscription, expect=3, timeout=30) + drain(
        subscriber, subscription, quiet=1.0
    )
    bodies = {decode(m)["url"]: decode(m) for m in messages}
    assert len(messages) == 3
    first = bodies["https://example.org/r/1"]
    assert first["id"] == article_id("https://example.org/r/1")
    assert first["title"] == "One" and first["text"] == "First & body"
    assert first["published"] == "2025-01-02T01:04:05Z" and first["published_raw"] == "2025-01-02T03:04:05+02:00"
    assert first["content_source"] == "archive" and first["source"] == "Archive A" and first["tags"] == ["un"]
    assert bodies["https://example.org/r/3"]["published"] == "2025-01-07T10:00:00Z"
    assert bodies["https://example.org/r/2"]["published_estimated"] is True

    again = _replay(archive, settings, state_db)
    assert (again.published, again.duplicate) == (0, 4)
    forced = _replay(archive, settings, state_db, force=True)
    assert (forced.published, forced.duplicate) == (3, 1)
    assert len(pull_messages(subscriber, subscription, expect=3, timeout=30)) == 3


def test_replay_rate_limits_batches(provisioned, tmp_path):
    archive = _write(
        tmp_path / "a.jsonl", [json.dumps({"url": f"https://example.org/rate/{n}", "title": f"t{n}"}) for n in range(4)]
    )
    counts = _replay(archive, provisioned, tmp_path / "s.sqlite3", rate=1000)
    assert counts.published == 4


def test_missing_archive_and_bad_rate_are_user_errors(settings, tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        _replay(tmp_path / "none.jsonl", settings, tmp_path / "s.sqlite3")
    with pytest.raises(UserError, match="--rate must be positive"):
        _replay(tmp_path / "none.jsonl", settings, tmp_path / "s.sqlite3", rate=0)


@pytest.mark.parametrize(
    "record, reason",
    [
        ({"title": "x"}, "url: is required"),
        ({"url": "https://example.org/x"}, "neither title nor text"),
        ({"url": "https://example.org/x", "title": 5}, "title: must be a string"),
        ({"url": "https://example.org/x", "title": "t", "tags": "un"}, "tags: must be a list"),
        ({"url": "https://example.org/x", "title": "t", "content_source": "magic"}, "content_source"),
    ],
)
def test_bad_records_name_the_field(record, reason):
    from datetime import datetime, timezone

    with pytest.raises(BadLine, match=reason):
        record_to_article(record, datetime.now(timezone.utc))


def test_same_url_with_other_content_is_reported_changed_and_republished(provisioned, subscriber, tmp_path):
    settings = provisioned
    subscription = settings.subscription_path("articles")
    state_db = tmp_path / "s.sqlite3"
    story = {"url": "https://example.org/c/1", "title": "Ceasefire talks", "text": "First version.", "source": "Wire"}
    other = {"url": "https://example.org/c/2", "title": "Other", "text": "Unchanged.", "source": "Wire"}
    counts = _replay(_write(tmp_path / "v1.jsonl", [json.dumps(story), json.dumps(other)]), settings, state_db)
    assert (counts.new, counts.changed, counts.published) == (2, 0, 2)
    pull_messages(subscriber, subscription, expect=2, timeout=30)

    edited = {**story, "text": "Second version, with the vote count."}
    archive = _write(tmp_path / "v2.jsonl", [json.dumps(edited), json.dumps(other)])
    counts = _replay(archive, settings, state_db)
    assert (counts.new, counts.changed, counts.duplicate, counts.published) == (0, 1, 1, 1)
    messages = pull_messages(subscriber, subscription, expect=1, timeout=30) + drain(
        subscriber, subscription, quiet=1.0
    )
    assert len(messages) == 1 and decode(messages[0])["text"] == "Second version, with the vote count."
    assert messages[0].attributes["article_id"] == article_id(story["url"])  # same id: the index document is replaced

    assert _replay(archive, settings, state_db).duplicate == 2  # nothing changed since
    elsewhere = {**story, "text": "Another outlet's wording.", "source": "Other wire"}
    counts = _replay(_write(tmp_path / "v3.jsonl", [json.dumps(elsewhere)]), settings, state_db)
    assert (counts.changed, counts.duplicate) == (0, 1)  # another source's version of the story is a duplicate


def test_a_10_mb_text_is_cut_to_the_cap_and_flagged_not_dropped(provisioned, subscriber, tmp_path):
    settings = provisioned
    huge = {"url": "https://example.org/huge", "title": "Huge\u0000 report\u0007", "text": "word " * 2_000_000}
    archive = _write(tmp_path / "big.jsonl", [json.dumps(huge)])
    assert archive.stat().st_size > 10_000_000
    counts = _replay(archive, settings, tmp_path / "s.sqlite3")
    assert (counts.published, counts.invalid) == (1, 0)
    body = decode(pull_messages(subscriber, settings.subscription_path("articles"), expect=1, timeout=60)[0])
    assert body["truncated"] == ["text"] and len(body["text"]) == 1_000_000
    assert body["title"] == "Huge report"
