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
    json.dumps({"url": "https://x.example/3", "title": "t"}).encode(): ("validate", "text"),
    b'{"url": "https://x.example/4", "title": "\xff\xfe", "text": "t"}': ("parse", "not UTF-8"),
    b"[1, 2]": ("parse", "JSON object"),
    json.dumps({"url": "https://x.example/5", "title": "t", "text": "x" * MAX_PAYLOAD_BYTES}).encode():
        ("parse", "byte limit"),
}


def test_parse_articles_splits_valid_and_dead_letters():
    payloads = [json.dumps(GOOD), *BROKEN]
    with test_pipeline.TestPipeline(runner=python_direct_runner()) as p:
        parsed = p | beam.Create(payloads) | ParseArticles()
        assert_that(parsed.articles | "Urls" >> beam.Map(lambda a: (a["url"], len(a["id"]), a["schema_version"])),
                    equal_to([(GOOD["url"], 32, 1)]), label="valid")
        summary = parsed.dead_letters | "Summary" >> beam.Map(lambda d: (d["stage"], d["payload_encoding"]))
        expected = [(stage, "base64" if b"\xff" in payload else "utf-8") for payload, (stage, _) in BROKEN.items()]
        assert_that(summary, equal_to(expected), label="dead")


def test_dead_letters_name_the_reason_and_keep_the_payload():
    for payload, (stage, words) in BROKEN.items():
        article, letter = parse_or_dead_letter(Envelope(payload, {"article_id": "abc"}, "ack-1"))
        assert article is None
        assert letter["stage"] == stage and words in letter["reason"], letter["reason"]
        original = base64.b64decode(letter["payload"]) if letter["payload_encoding"] == "base64" else letter["payload"].encode()
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
