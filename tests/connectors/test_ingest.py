"""End to end: feeds served over loopback HTTP -> ingest -> the real Pub/Sub emulator."""

from __future__ import annotations

import io

import pytest

from connectors.feeds_config import FeedConfig
from connectors.ingest import Ingestor, backoff_delay, ingest
from connectors.progress import Progress
from connectors.publish import ArticlePublisher
from connectors.state import PublishedLog
from peacewatch.errors import UserError
from schemas.ids import article_id
from tests.connectors.feed_server import gzip_bomb, rss
from tests.helpers import decode, drain, pull_messages


def _run(feeds, settings, fetcher, state_db):
    return ingest(
        feeds, settings, once=True, state_db=str(state_db), fetcher=fetcher, progress=Progress("ingest", io.StringIO())
    )


def _articles(subscriber, settings, expect):
    subscription = settings.subscription_path("articles")
    messages = pull_messages(subscriber, subscription, expect=expect, timeout=30)
    messages += drain(subscriber, subscription, quiet=1.0)
    return messages


def test_each_article_published_once_and_304s_honoured(provisioned, subscriber, feed_server, fetcher, tmp_path):
    settings = provisioned
    url_a = feed_server.route(
        "/a.xml", rss([("Alpha one", "http://example.org/a1"), ("Shared story", "http://example.org/shared")])
    )
    url_b = feed_server.route(
        "/b.xml", rss([("Shared again", "http://example.org/shared?utm_source=b"), ("Beta one", "/b1")])
    )
    feeds = [FeedConfig("Feed A", url_a, tags=("a",)), FeedConfig("Feed B", url_b, language="fr")]
    state_db = tmp_path / "state.sqlite3"

    counts = _run(feeds, settings, fetcher, state_db)
    assert (counts.feeds_polled, counts.new, counts.duplicate, counts.published) == (2, 3, 1, 3)
    messages = _articles(subscriber, settings, 3)
    by_url = {decode(m)["url"]: m for m in messages}
    assert sorted(by_url) == ["http://example.org/a1", "http://example.org/b1", "http://example.org/shared"]
    a1 = by_url["http://example.org/a1"]
    body = decode(a1)
    assert body["id"] == article_id("http://example.org/a1") == a1.attributes["article_id"]
    assert a1.attributes["source"] == "Feed A" and a1.attributes["published"] == body["published"]
    assert body["title"] == "Alpha one" and body["text"] == "Body of Alpha one." and body["tags"] == ["a"]
    assert body["feed_url"] == url_a and body["published"] == "2025-01-06T00:00:00Z"
    assert decode(by_url["http://example.org/b1"])["language"] == "fr"

    # Second run (a restart: new process state, same store): one 304 per feed, nothing published.
    counts = _run(feeds, settings, fetcher, state_db)
    assert (counts.feeds_not_modified, counts.new, counts.published) == (2, 0, 0)
    assert feed_server.not_modified == {"/a.xml": 1, "/b.xml": 1}
    assert _articles(subscriber, settings, 0) == []

    # A feed changes: only its new entry goes out.
    feed_server.route(
        "/a.xml",
        rss(
            [
                ("Alpha two", "http://example.org/a2"),
                ("Alpha one", "http://example.org/a1"),
                ("Shared story", "http://example.org/shared"),
            ]
        ),
    )
    counts = _run(feeds, settings, fetcher, state_db)
    assert (counts.feeds_not_modified, counts.new, counts.duplicate, counts.published) == (1, 1, 2, 1)
    messages = _articles(subscriber, settings, 1)
    assert [decode(m)["url"] for m in messages] == ["http://example.org/a2"]

    with PublishedLog(state_db) as log:
        records = list(log.published_since(0))
        assert len(records) == 4 and all(r.message_id for r in records)
        assert log.get_payload(article_id("http://example.org/a2"))["title"] == "Alpha two"


def test_hostile_and_broken_feeds_do_not_stop_the_others(
    provisioned, subscriber, feed_server, stalling_server, fetcher, tmp_path
):
    settings = provisioned
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<rss version="2.0"><channel><item><title>&b;</title><link>http://example.org/lol</link></item></channel></rss>'
    )
    feeds = [
        FeedConfig("Good", feed_server.route("/good.xml", rss([("Fine", "http://example.org/fine")]))),
        FeedConfig("Laughs", feed_server.route("/laughs.xml", laughs)),
        FeedConfig("Bomb", feed_server.route("/bomb.xml", stream=gzip_bomb)),
        FeedConfig("Stall", stalling_server.url()),
        FeedConfig("Gone", feed_server.url("/missing.xml")),
        FeedConfig(
            "Html",
            feed_server.route("/page.html", b"<!DOCTYPE html><html><body>hi</body></html>", content_type="text/html"),
        ),
        FeedConfig(
            "Empty",
            feed_server.route(
                "/empty.xml", b"<?xml version='1.0'?><rss version='2.0'><channel><title>e</title></channel></rss>"
            ),
        ),
    ]
    state_db = tmp_path / "state.sqlite3"
    counts = _run(feeds, settings, fetcher, state_db)
    assert (counts.feeds_polled, counts.feeds_failed, counts.published) == (7, 6, 1)
    assert [decode(m)["url"] for m in _articles(subscriber, settings, 1)] == ["http://example.org/fine"]
    with PublishedLog(state_db) as log:
        errors = {f.name: log.feed_state(f.url).last_error for f in feeds}
    assert errors["Good"] is None
    assert "entity declaration" in errors["Laughs"]
    assert "decompressed body exceeds" in errors["Bomb"]
    assert "no response" in errors["Stall"]
    assert "HTTP 404" in errors["Gone"]
    assert "HTML page" in errors["Html"]
    assert "no entries" in errors["Empty"]


def test_failures_are_logged_once_per_reason(provisioned, feed_server, fetcher, tmp_path, caplog):
    feeds = [FeedConfig("Flaky", feed_server.url("/flaky.xml"))]
    with PublishedLog(tmp_path / "s.sqlite3") as state, ArticlePublisher(provisioned) as publisher:
        ingestor = Ingestor(
            feeds, state=state, publisher=publisher, fetcher=fetcher, progress=Progress("ingest", io.StringIO())
        )
        for _ in range(3):
            ingestor.poll()  # 404 three times: one warning
        feed_server.route("/flaky.xml", b"<html>oops</html>", content_type="text/html")
        ingestor.poll()  # a new reason: one more warning
        assert state.feed_state(feeds[0].url).failures == 4
        feed_server.route("/flaky.xml", rss([("Back", "http://example.org/back")]))
        assert ingestor.poll().published == 1
        assert state.feed_state(feeds[0].url).failures == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING" and "Flaky" in r.getMessage()]
    assert len(warnings) == 2 and "HTTP 404" in warnings[0] and "an HTML page" in warnings[1]


def test_missing_topic_tells_to_run_setup(settings, feed_server, fetcher, tmp_path):
    feeds = [FeedConfig("A", feed_server.route("/a.xml", rss([("x", "http://example.org/x")])))]
    with pytest.raises(UserError) as caught:
        _run(feeds, settings, fetcher, tmp_path / "s.sqlite3")
    assert "does not exist" in caught.value.message and "peacewatch setup" in caught.value.hint
    assert feed_server.requests["/a.xml"] == 0


def test_backoff_is_exponential_and_capped() -> None:
    assert [backoff_delay(300, n) for n in (1, 2, 3)] == [600, 1200, 2400]
    assert backoff_delay(300, 50) == 6 * 3600
