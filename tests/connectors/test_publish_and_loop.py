"""ArticlePublisher on the emulator, full-text enrichment, and the forever loop's scheduling."""

from __future__ import annotations

import io
import threading

from connectors.feeds_config import FeedConfig
from connectors.fetch import FetchLimits
from connectors.fulltext import FullTextFetcher
from connectors.ingest import Ingestor
from connectors.progress import Counts, Progress
from connectors.publish import ArticlePublisher, message_attributes
from connectors.state import PublishedLog
from schemas.ids import article_id
from tests.connectors.feed_server import rss
from tests.helpers import decode, pull_messages


def _article(n: int) -> dict:
    url = f"https://example.org/p/{n}"
    return {
        "id": article_id(url),
        "url": url,
        "title": f"T{n}",
        "text": "body",
        "source": "S",
        "published": "2025-01-01T00:00:00Z",
    }


def test_publish_batch_returns_message_ids_in_order(provisioned, subscriber):
    articles = [_article(n) for n in range(30)]
    with ArticlePublisher(provisioned) as publisher:
        publisher.check_topic()
        done = publisher.publish_batch(articles)
    assert [p.article for p in done] == articles and all(p.message_id for p in done)
    messages = pull_messages(subscriber, provisioned.subscription_path("articles"), expect=30, timeout=30)
    assert sorted(m.attributes["article_id"] for m in messages) == sorted(a["id"] for a in articles)
    assert {decode(m)["id"] for m in messages} == {a["id"] for a in articles}


def test_attributes_are_strings_within_limits():
    attributes = message_attributes({"id": "a" * 32, "source": "é" * 2000, "published": None})
    assert attributes["article_id"] == "a" * 32 and attributes["published"] == ""
    assert len(attributes["source"].encode("utf-8")) <= 1024


def test_full_text_replaces_summaries_and_falls_back(feed_server, fetcher):
    page = (
        b"<html><head><title>Story</title></head><body><nav>Menu Home About</nav><article><h1>Story</h1>"
        + b"<p>"
        + b"The Security Council met on Tuesday to discuss the mandate of the mission. " * 12
        + b"</p>"
        + b"<p>"
        + b"Several members called for a stronger peacekeeping force in the region. " * 12
        + b"</p>"
        + b"</article><footer>Copyright</footer></body></html>"
    )
    good = feed_server.route("/story.html", page, content_type="text/html; charset=utf-8")
    missing = feed_server.url("/gone.html")
    articles = [
        {"url": good, "text": "Summary.", "content_source": "summary"},
        {"url": missing, "text": "Other summary.", "content_source": "summary"},
        {"url": good, "text": "Already full.", "content_source": "feed"},
    ]
    fulltext = FullTextFetcher(fetcher, delay=0.0, limits=FetchLimits(read_timeout=2.0))
    try:
        extracted, failed, reasons = fulltext.enrich(articles, allow_private=True)  # the pages are on loopback
    finally:
        fulltext.close()
    assert (extracted, failed) == (1, 1) and reasons == ["HTTP 404 Not Found"]
    assert articles[0]["content_source"] == "extracted" and "peacekeeping force" in articles[0]["text"]
    assert "Menu" not in articles[0]["text"]
    assert articles[1] == {"url": missing, "text": "Other summary.", "content_source": "summary"}
    assert articles[2]["text"] == "Already full."


class _StopAfterRounds(Progress):
    def __init__(self, ingestor_box: list, rounds: int) -> None:
        super().__init__("ingest", io.StringIO())
        self.box, self.rounds, self.seen = ingestor_box, rounds, 0

    def round_done(self, counts: Counts) -> None:
        self.seen += 1
        if self.seen >= self.rounds:
            self.box[0].stop_event.set()


def test_forever_loop_polls_due_feeds_and_stops_on_request(provisioned, feed_server, fetcher, tmp_path):
    url = feed_server.route("/loop.xml", rss([("Loop", "http://example.org/loop")]))
    box: list = []
    progress = _StopAfterRounds(box, rounds=2)
    clock = [0.0]
    with PublishedLog(tmp_path / "s.sqlite3") as state, ArticlePublisher(provisioned) as publisher:
        ingestor = Ingestor(
            [FeedConfig("Loop", url, interval=60)],
            state=state,
            publisher=publisher,
            fetcher=fetcher,
            progress=progress,
            clock=lambda: clock[0],
        )
        box.append(ingestor)
        original_poll = ingestor.poll

        def poll_then_advance(feeds=None):
            counts = original_poll(feeds)
            clock[0] += 120  # the next round is due at once: no waiting in the test
            return counts

        ingestor.poll = poll_then_advance
        worker = threading.Thread(target=ingestor.run)
        worker.start()
        worker.join(timeout=60)
        assert not worker.is_alive()
    assert feed_server.requests["/loop.xml"] == 2 and feed_server.not_modified["/loop.xml"] == 1


def test_progress_draws_a_live_line_on_a_tty():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    progress = Progress("ingest", stream)
    counts = Counts(feeds_polled=2, new=5, published=5, elapsed=1.0)
    progress.update(counts, force=True)
    progress.finish(counts)
    text = stream.getvalue()
    assert "\r" in text and "ingest summary: 2 feeds polled" in text and "5 published (5/s)" in text
