"""Two ``peacewatch ingest`` processes on one state store publish each article once (issue 13, item 11)."""

from __future__ import annotations

import collections
import os
import re
import subprocess
import threading
from pathlib import Path

import yaml

from connectors.fetch import FetchLimits
from tests.connectors.feed_server import rss
from tests.helpers import cli_command, drain, pull_messages

ROOT = Path(__file__).resolve().parents[2]

# How long a route holds a request for the other process: well inside the read timeout of
# `ingest`'s fetcher, so that a process that starts late (a loaded machine can take tens of
# seconds to import the CLI) never makes the first one time out. Past it the barrier breaks and
# every request, the late process's included, is answered at once.
HOLD = FetchLimits().read_timeout / 3


def _held(body: bytes, barrier: threading.Barrier):
    """A route that answers once both processes have asked, or after ``HOLD`` seconds.

    When both processes start within ``HOLD`` of each other, their work overlaps for sure.
    """

    def send(handler) -> None:
        try:
            barrier.wait(timeout=HOLD)
        except threading.BrokenBarrierError:
            pass  # one process alone still gets its answer, well before its read timeout
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return send


def test_two_ingest_processes_on_one_store_publish_each_article_once(provisioned, subscriber, feed_server, tmp_path):
    settings = provisioned
    shared = [(f"Shared {n}", f"http://example.org/shared/{n}") for n in range(30)]
    feeds = []
    for name in ("a", "b", "c"):
        items = [(f"{name} {n}", f"http://example.org/{name}/{n}") for n in range(60)] + shared
        path = f"/{name}.xml"
        feed_server.route(path, stream=_held(rss(items, title=name), threading.Barrier(2)))
        feeds.append({"name": f"Feed {name}", "url": feed_server.url(path)})
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text(yaml.safe_dump({"feeds": feeds}))
    unique = 3 * 60 + len(shared)

    command = cli_command(
        "ingest",
        "--once",
        "-v",
        "--feeds",
        str(feeds_file),
        "--state-db",
        str(tmp_path / "shared.sqlite3"),
        "--workers",
        "3",
    )
    processes = [
        subprocess.Popen(
            command, cwd=tmp_path, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    # The whole of each process's log on failure (a repr of ``outputs`` is cut in the middle).
    assert [p.returncode for p in processes] == [0, 0], "\n\n".join(err for _, err in outputs)

    subscription = settings.subscription_path("articles")
    messages = pull_messages(subscriber, subscription, expect=unique, timeout=60)
    messages += drain(subscriber, subscription, quiet=2.0)
    ids = collections.Counter(m.attributes["article_id"] for m in messages)
    assert len(ids) == unique and max(ids.values()) == 1, ids.most_common(3)

    # Each process says what it did, feed by feed (ingest --once -v); together: every article once.
    published = [int(re.search(r"(\d+) published", err).group(1)) for _, err in outputs]
    assert sum(published) == unique
    new_per_feed = collections.Counter()
    for _, err in outputs:
        header = next(line for line in err.splitlines() if line.startswith("feed "))
        assert "changed" in header and "not modified" in header and "failed" in header
        for line in err.splitlines():
            match = re.match(r"^(Feed [abc])\s+(\d+)\s+(\d+)\s+(\d+)", line)
            if match:
                new_per_feed[match.group(1)] += int(match.group(2))
    assert sum(new_per_feed.values()) == unique and set(new_per_feed) == {"Feed a", "Feed b", "Feed c"}
