"""Fuzz tests (Hypothesis): the query parser and the feed parser raise only their documented errors,
and never hang. Bounded: a fixed number of examples (derandomized, so every run tries the same
ones) and a timeout per test (what stops a real hang). No per-example deadline: on a shared machine
a slow example is load, not a bug, and the matching budgets and the test timeout catch real hangs."""

from __future__ import annotations

import random
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from connectors.dates import parse_date
from connectors.feeds_config import FeedConfig
from connectors.normalise import FeedRejected, parse_feed
from connectors.xml_safety import UnsafeXml, check_xml
from pipelines.alerts.matcher import RuleMatcher
from pipelines.alerts.query import QuerySyntaxError, parse, to_query_string
from pipelines.alerts.rules import Rule
from schemas.validation import validate

FIXTURES = Path(__file__).parent / "connectors" / "fixtures" / "feeds"
BOUNDED = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FEED = FeedConfig(name="Fuzz", url="http://example.org/feed.xml")
ARTICLE = {
    "id": "a" * 32,
    "title": "Ceasefire talks in Geneva",
    "text": "France supports a peace force. aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "countries": ["France"],
    "stances": [{"actor": "France", "stance": "support"}],
    "relevance": 0.8,
    "published": "2026-01-02T03:04:05Z",
}

# ---- the query parser -------------------------------------------------------------------------
_PIECES = st.sampled_from(
    [
        "peace",
        "force",
        "Zelénskyy",
        "ukr*",
        "*fire",
        "z?lensky",
        "ceasfire~",
        "ceasfire~1",
        '"peace force"',
        '"peace force"~3',
        "/cease.*/",
        "/(a+)+b/",
        r"/(a)\1/",
        "/[/",
        "title:",
        "country:",
        "stance:",
        "_exists_:",
        "relevance:>=0.7",
        "published:[2026-01-01 TO *]",
        "{a TO b}",
        "*:*",
        "AND",
        "OR",
        "NOT",
        "&&",
        "||",
        "!",
        "+",
        "-",
        "(",
        ")",
        ":",
        "^2",
        "~",
        "\\",
        '"',
        "/",
        "[",
        "]",
        "{",
        "}",
        " ",
        "\u3000",
        "\t",
        "é",
        "中",
        "\x00",
    ]
)
QUERIES = st.one_of(
    st.text(max_size=80), st.lists(_PIECES, max_size=25).map(" ".join), st.lists(_PIECES, max_size=25).map("".join)
)


@pytest.mark.timeout(120)
@BOUNDED
@given(QUERIES)
def test_query_parser_raises_only_query_errors(query):
    try:
        node = parse(query)
    except QuerySyntaxError as exc:
        assert exc.message.startswith("query error at position") and 0 <= exc.position <= len(query)
        return
    to_query_string(node)  # every parsed query has an Elasticsearch form
    matcher = RuleMatcher([Rule("fuzz", query)])  # compiles, and matches without raising or hanging
    matcher.match(ARTICLE)


# ---- the feed parser ----------------------------------------------------------------------------
@pytest.fixture(scope="module", autouse=True)
def dateparser_loaded():
    """dateparser loads its language data on first use (seconds): not what the test timeout is for."""
    assert parse_date("Seg, 24 Set 2018 10:00").foreign
    parse_date("2025-03-<!--0 qq 11:00")  # matches no language: every locale gets loaded


_SEEDS = sorted(p.read_bytes() for p in FIXTURES.iterdir() if not p.name.endswith(".yaml"))
_MARKUP = [
    b"<",
    b">",
    b"&",
    b"&amp;",
    b"&#0;",
    b"&#x110000;",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<!ENTITY a 'b'>",
    b"<!DOCTYPE rss [",
    b"]>",
    b"<item>",
    b"</item>",
    b"<title>",
    b"</title>",
    b"<link>",
    b"</link>",
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"<?xml version='1.0' encoding='utf-16'?>",
    b"<entry>",
    b"xml:base='..'",
    b"<pubDate>Seg, 24 Set 2018</pubDate>",
    b"<content:encoded>",
    "é中\u202e".encode(),
    b"\r\n",
]


@st.composite
def mutated_feeds(draw) -> bytes:
    """A real fixture feed with pieces of markup and random bytes inserted, deleted or swapped."""
    data = bytearray(draw(st.sampled_from(_SEEDS)))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    for _ in range(draw(st.integers(1, 12))):
        at = rng.randrange(len(data) + 1)
        action = rng.randrange(3)
        if action == 0:
            data[at:at] = rng.choice(_MARKUP)
        elif action == 1:
            data[at : at + rng.randrange(1, 40)] = b""
        else:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
    return bytes(data)


FEEDS = st.one_of(st.binary(max_size=2000), mutated_feeds())


@pytest.mark.timeout(180)
@settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(FEEDS)
# What fuzzing found (feedparser raised these through parse_feed; a bad channel link broke urljoin):
@example(b'<?encoding="\x80"?>')
@example(b'<?encoding="\x00"?>')
@example(b"<>&#2000000;")
@example(b"<channel<link>a://[</link<item<")
@example(
    b"<!-- <![CDATA[ --><!DOCTYPE r [<!ENTITY a 'b'>]><!-- ]]> -->"
    b"<rss><channel><item><title>&a;</title></item></channel></rss>"
)
def test_feed_parser_raises_only_feed_rejected(data):
    try:
        check_xml(data)
    except UnsafeXml:
        pass
    try:
        parsed = parse_feed(data, feed=FEED, fetched_at=datetime(2025, 6, 1, tzinfo=timezone.utc))
    except FeedRejected as exc:
        assert exc.reason
        return
    assert parsed.articles
    for article in parsed.articles:
        validate("article", article)  # what comes out always keeps the contract
        assert not _CONTROLS.search(article["title"] + article["text"])
