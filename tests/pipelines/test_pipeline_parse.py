"""ParseArticles: valid messages pass, every kind of broken one becomes a dead letter with a reason."""

from __future__ import annotations

import base64
import json

import apache_beam as beam
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from pipelines.deadletters import make_dead_letter
from pipelines.options import python_direct_runner
from pipelines.parse import Envelope, ParseArticles, parse_or_dead_letter
from schemas.validation import MAX_PAYLOAD_BYTES

GOOD = {"url": "https://news.example.org/p/1", "title": "France backs the force", "text": "France supports it."}
BROKEN = {
    b"{not json": ("parse", "not JSON"),
    json.dumps({"url": "https://x.example/2", "title": 5, "text": "t"}).encode(): ("validate", "title"),
    json.dumps({"url": "https://x.example/3", "text": 7}).encode(): ("validate", "text"),
    b'{"url": "https://x.example/4", "title": "\xff\xfe", "text": "t"}': ("parse", "not UTF-8"),
    b"[1, 2]": ("parse", "JSON object"),
    json.dumps({"url": "https://x.example/5", "title": "t", "text": "x" * MAX_PAYLOAD_BYTES}).encode(): (
        "parse",
        "byte limit",
    ),
}


# What replay accepts and the contract alone would refuse: a date-only date, no text.
LENIENT = {"url": "https://news.example.org/p/2", "title": "Date only", "published": "2025-01-06"}


def test_parse_articles_splits_valid_and_dead_letters():
    payloads = [json.dumps(GOOD), json.dumps(LENIENT), *BROKEN]
    with test_pipeline.TestPipeline(runner=python_direct_runner()) as p:
        parsed = p | beam.Create(payloads) | ParseArticles()
        assert_that(
            parsed.articles
            | "Urls" >> beam.Map(lambda a: (a["url"], len(a["id"]), a["schema_version"], a.get("published"))),
            equal_to([(GOOD["url"], 32, 1, None), (LENIENT["url"], 32, 1, "2025-01-06T00:00:00Z")]),
            label="valid",
        )
        summary = parsed.dead_letters | "Summary" >> beam.Map(lambda d: (d["stage"], d["payload_encoding"]))
        expected = [(stage, "base64" if b"\xff" in payload else "utf-8") for payload, (stage, _) in BROKEN.items()]
        assert_that(summary, equal_to(expected), label="dead")


def test_dead_letters_name_the_reason_and_keep_the_payload():
    for payload, (stage, words) in BROKEN.items():
        article, letter = parse_or_dead_letter(Envelope(payload, {"article_id": "abc"}, "ack-1"))
        assert article is None
        assert letter["stage"] == stage and words in letter["reason"], letter["reason"]
        original = (
            base64.b64decode(letter["payload"])
            if letter["payload_encoding"] == "base64"
            else letter["payload"].encode()
        )
        assert original == payload
        assert letter["article_id"] == "abc" and letter["_ack_id"] == "ack-1"


def test_dead_letter_ids_are_deterministic_per_stage_and_payload():
    a = make_dead_letter("parse", "x", b"payload")
    assert a["id"] == make_dead_letter("parse", "other reason", b"payload")["id"]
    assert a["id"] != make_dead_letter("index", "x", b"payload")["id"]
    from schemas.validation import validate

    validate("deadletter", {k: v for k, v in a.items() if not k.startswith("_")})


def test_envelope_carries_ack_id_and_publish_time():
    article, letter = parse_or_dead_letter(Envelope(json.dumps(GOOD).encode(), {}, "ack-9", 1234.5))
    assert letter is None and article["_ack_id"] == "ack-9" and article["_publish_time_ms"] == 1234.5


def test_parse_accepts_what_replay_accepts():
    """run --input FILE and replay FILE share one normalisation (connectors.records)."""
    from datetime import datetime, timezone

    from connectors.records import record_to_article
    from schemas.ids import article_id

    records = [
        {"url": "https://n.example/a?utm_source=x&fbclid=1", "title": "No id", "text": "t"},
        {"url": "https://n.example/b", "title": "Date only", "text": "t", "published": "2025-01-06"},
        {
            "url": "https://n.example/c",
            "title": "RFC 2822",
            "text": "t",
            "published": "Mon, 06 Jan 2025 10:00:00 +0100",
        },
        {"url": "https://n.example/d", "title": "Title only"},
        {"url": "https://n.example/e", "title": "Long", "text": "x" * 1_000_050},
        {"url": "https://n.example/f", "title": "NUL\u0000 in\u0007 title\u0085", "text": "a\u0000b"},
    ]
    now = datetime.now(timezone.utc)
    for record in records:
        article, letter = parse_or_dead_letter(Envelope(json.dumps(record).encode()))
        assert letter is None, letter["reason"]
        expected = record_to_article(record, now)
        keys = ("id", "url", "title", "text", "truncated") + (
            ("published", "published_estimated") if "published" in record else ()
        )
        for key in keys:
            assert article.get(key) == expected.get(key), (record["title"], key)
    by_title = {}
    for record in records:
        article, _ = parse_or_dead_letter(Envelope(json.dumps(record).encode()))
        by_title[record["title"]] = article
    assert by_title["No id"]["id"] == article_id("https://n.example/a")
    assert by_title["Date only"]["published"] == "2025-01-06T00:00:00Z"
    assert by_title["RFC 2822"]["published"] == "2025-01-06T09:00:00Z"
    assert by_title["Long"]["truncated"] == ["text"] and len(by_title["Long"]["text"]) == 1_000_000
    assert by_title["NUL\u0000 in\u0007 title\u0085"]["title"] == "NUL in title"


def test_control_characters_are_stripped_from_contract_valid_messages_too():
    message = {
        "url": "https://n.example/z",
        "title": "Bell\u0007 and NUL\u0000",
        "text": "line\r\nnext\u001b[31m",
        "tags": ["a\u0000b"],
        "published": "2025-01-06T10:00:00Z",
        "extra": {"deep": "x\u0000y"},
    }
    article, letter = parse_or_dead_letter(Envelope(json.dumps(message).encode()))
    assert letter is None
    assert article["title"] == "Bell and NUL" and article["text"] == "line\nnext[31m"
    assert article["tags"] == ["ab"] and article["extra"] == {"deep": "xy"}
    assert article["published"] == "2025-01-06T10:00:00Z"  # a valid document is otherwise left as it is
