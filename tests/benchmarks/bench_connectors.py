"""Connector benchmarks (run as a script: ``python tests/benchmarks/bench_connectors.py``).

1. parse + normalise throughput of ``connectors.normalise.parse_feed`` against bare
   ``feedparser.parse`` on the same bytes (goal: ratio >= 0.8, i.e. normalisation is cheap);
2. articles per second published to the Pub/Sub emulator (and recorded in the SQLite store);
3. resident memory before/after ingesting 1,000 feeds served on loopback.

Uses ``PUBSUB_EMULATOR_HOST`` when set, else starts a pstest emulator (``PSTEST_BIN``, or the
project's own build from ``deploy/pstest``) on a free port and stops it at the end.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def realistic_feed(items: int = 50, seed: str = "") -> bytes:
    """An RSS 2.0 feed shaped like a news site's: HTML summaries, content:encoded, categories."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Bench News</title>'
        "<link>https://news.example.org/</link><language>en-gb</language>"
    ]
    paragraph = (
        "<p>The Security Council &amp; regional partners discussed the mandate of the "
        'proposed <a href="/topics/peacekeeping">peacekeeping force</a>, with several members '
        "expressing reservations about troop contributions and funding.</p>"
    )
    for n in range(items):
        parts.append(
            f"<item><title>Council debates force &#8211; day {n} {seed}</title>"
            f"<link>https://news.example.org/world/{seed}story-{n}?utm_source=rss&amp;utm_medium=feed</link>"
            f'<guid isPermaLink="false">story-{seed}{n}</guid>'
            f"<description><![CDATA[<p>Summary {n}: diplomats met again.</p>]]></description>"
            f"<content:encoded><![CDATA[{paragraph * 6}]]></content:encoded>"
            f"<pubDate>Mon, 06 Jan 2025 {n % 24:02d}:{n % 60:02d}:00 +0100</pubDate>"
            f"<dc:creator>Reporter {n % 7}</dc:creator><category>World</category><category>UN</category>"
            f'<media:thumbnail url="https://news.example.org/img/{n}.jpg"/></item>'
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def bench_parse(rounds: int) -> None:
    import feedparser

    from connectors.feeds_config import FeedConfig
    from connectors.normalise import parse_feed

    data = realistic_feed(50)
    headers = {"content-type": "application/rss+xml; charset=utf-8", "content-location": "https://news.example.org/rss"}
    feed = FeedConfig("Bench", "https://news.example.org/rss")
    fetched = datetime.now(timezone.utc)
    feedparser.parse(io.BytesIO(data), response_headers=headers)  # warm-up
    parse_feed(data, feed=feed, headers=headers, fetched_at=fetched)

    variants = {
        "bare": lambda: feedparser.parse(io.BytesIO(data), response_headers=headers),
        "same_flags": lambda: feedparser.parse(
            io.BytesIO(data), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
        ),
        "ours": lambda: parse_feed(data, feed=feed, headers=headers, fetched_at=fetched),
    }
    best = dict.fromkeys(variants, float("inf"))
    for _ in range(5):  # interleaved, best of five: the machine's load drifts between runs
        for name, fn in variants.items():
            start = time.perf_counter()
            for _ in range(rounds // 5):
                fn()
            best[name] = min(best[name], (time.perf_counter() - start) * 5)
    bare, same_flags, ours = best["bare"], best["same_flags"], best["ours"]
    entries = 50 * rounds
    print(f"parse: {len(data):,} byte feed x {rounds} rounds ({entries:,} entries), interleaved best of 5")
    print(f"  bare feedparser.parse (defaults)          : {entries / bare:10,.0f} entries/s")
    print(f"  feedparser.parse, sanitiser off (as ours) : {entries / same_flags:10,.0f} entries/s")
    print(f"  connector parse_feed (parse + normalise)  : {entries / ours:10,.0f} entries/s")
    print(f"  ratio ours / bare defaults                : {bare / ours:10.2f}   (goal >= 0.8)")
    print(f"  ratio ours / feedparser with our flags    : {same_flags / ours:10.2f}   (cost of normalisation alone)")


def start_emulator() -> subprocess.Popen | None:
    if os.environ.get("PUBSUB_EMULATOR_HOST"):
        return None
    binary = os.environ.get("PSTEST_BIN")
    if not binary:  # the project's own pstest build (built with Go once per machine, cached)
        from deploy.services import build_pstest
        from peacewatch.settings import load_settings

        binary = str(build_pstest(load_settings()))
    if not os.access(binary, os.X_OK):
        sys.exit(f"no Pub/Sub emulator: set PUBSUB_EMULATOR_HOST or PSTEST_BIN (tried {binary})")
    from tests.helpers import free_port

    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if "listening" in line:
            break
    os.environ["PUBSUB_EMULATOR_HOST"] = f"127.0.0.1:{port}"
    return proc


def bench_publish(settings, count: int, workdir: Path) -> None:
    from connectors.deliver import publish_and_record
    from connectors.progress import Counts
    from connectors.publish import ArticlePublisher
    from connectors.state import PublishedLog
    from schemas.ids import article_id

    articles = []
    body = "The Security Council discussed the mandate of the proposed peacekeeping force. " * 30
    for n in range(count):
        url = f"https://news.example.org/bench/{uuid.uuid4().hex}"
        articles.append(
            {
                "schema_version": 1,
                "id": article_id(url),
                "url": url,
                "title": f"Story {n}",
                "text": body,
                "summary": body[:200],
                "published": "2025-01-06T10:00:00Z",
                "source": "Bench",
            }
        )
    with ArticlePublisher(settings) as publisher, PublishedLog(workdir / "publish.sqlite3") as state:
        publisher.publish_batch(articles[:100])  # warm-up: channel and stream set up
        start = time.perf_counter()
        done = publisher.publish_batch(articles[100:])
        bare = time.perf_counter() - start
        fresh = [dict(a, id=article_id(a["url"] + "x"), url=a["url"] + "x") for a in articles[100:]]
        counts = Counts()
        start = time.perf_counter()
        publish_and_record(fresh, publisher, state, counts)
        recorded = time.perf_counter() - start
    print(f"publish: {len(done):,} articles of ~{len(body) // 1000 + 1} kB to the emulator")
    print(f"  publish_batch only         : {len(done) / bare:10,.0f} articles/s")
    print(f"  publish + record in SQLite : {counts.published / recorded:10,.0f} articles/s")


def bench_memory(settings, feeds_count: int, workdir: Path) -> None:
    from connectors.feeds_config import FeedConfig
    from connectors.ingest import Ingestor
    from connectors.progress import Progress
    from connectors.publish import ArticlePublisher
    from connectors.state import PublishedLog
    from tests.connectors.feed_server import FeedServer

    server = FeedServer().start()
    feeds = []
    for n in range(feeds_count):
        url = server.route(f"/feed/{n}.xml", realistic_feed(20, seed=f"f{n}-"))
        feeds.append(FeedConfig(f"Feed {n}", url))
    warm = FeedConfig("warm", server.route("/warm.xml", realistic_feed(5, seed="warm-")))
    with PublishedLog(workdir / "memory.sqlite3") as state, ArticlePublisher(settings) as publisher:
        ingestor = Ingestor(
            feeds, state=state, publisher=publisher, progress=Progress("ingest", io.StringIO()), workers=16
        )
        ingestor.poll([warm])
        before = rss_mb()
        start = time.perf_counter()
        counts = ingestor.poll(feeds[: feeds_count // 2])
        middle = rss_mb()
        counts.add(ingestor.poll(feeds[feeds_count // 2 :]))
        elapsed = time.perf_counter() - start
        after = rss_mb()
        again = ingestor.poll()
        ingestor.close()
    server.stop()
    served = sum(len(route.body) for route in server.routes.values())
    print(f"memory: {feeds_count:,} feeds ({served / 1e6:.0f} MB of feed XML served) on loopback")
    print(
        f"  round 1: {counts.feeds_polled} polled, {counts.published:,} published in {elapsed:.1f}s "
        f"({counts.feeds_polled / elapsed:.0f} feeds/s, {counts.published / elapsed:,.0f} articles/s), "
        f"{counts.feeds_failed} failed"
    )
    print(f"  round 2: {again.feeds_not_modified} not modified (304), {again.published} published")
    print(
        f"  RSS before {before:.0f} MB, after {feeds_count // 2} feeds {middle:.0f} MB, after {feeds_count} feeds "
        f"{after:.0f} MB (delta {after - before:+.0f} MB), peak {peak_mb():.0f} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="parse rounds of a 50-entry feed")
    parser.add_argument("--publish", type=int, default=5000, help="articles to publish")
    parser.add_argument("--feeds", type=int, default=1000, help="feeds for the memory run")
    args = parser.parse_args()

    bench_parse(args.rounds)
    emulator = start_emulator()
    try:
        from peacewatch.clients import publisher_client
        from peacewatch.settings import load_settings

        with tempfile.TemporaryDirectory() as tmp:
            environ = dict(os.environ, PEACEWATCH_PREFIX=f"bench-{uuid.uuid4().hex[:8]}", PEACEWATCH_DATA_DIR=tmp)
            settings = load_settings(environ)
            client = publisher_client(settings)
            client.create_topic(name=settings.topic_path("articles"))
            print(f"emulator: {settings.pubsub_emulator_host} ({'started pstest' if emulator else 'existing'})")
            bench_publish(settings, args.publish, Path(tmp))
            bench_memory(settings, args.feeds, Path(tmp))
            client.delete_topic(topic=settings.topic_path("articles"))
    finally:
        if emulator is not None:
            emulator.terminate()
            emulator.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
