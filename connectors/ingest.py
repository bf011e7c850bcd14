"""The polling loop: fetch due feeds concurrently, parse, de-duplicate, publish, back off.

Each feed is polled on its own (jittered) interval. A thread pool fetches, parses, publishes
and records each feed, with a bounded number of feeds in flight (memory stays flat with
thousands of feeds) so the waits on publish futures of many feeds overlap. A failing feed is
logged once per distinct reason and backs off exponentially (capped); the others carry on.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from connectors.deliver import check_contract, publish_and_record, select_new
from connectors.feeds_config import FeedConfig
from connectors.fetch import Fetcher, FetchError, FetchResult
from connectors.fulltext import FullTextFetcher
from connectors.normalise import FeedRejected, ParsedFeed, parse_feed
from connectors.progress import Counts, Progress
from connectors.publish import ArticlePublisher
from connectors.state import PublishedLog

if TYPE_CHECKING:
    from peacewatch.settings import Settings

logger = logging.getLogger(__name__)

BACKOFF_CAP = 6 * 3600.0


@dataclasses.dataclass
class _Outcome:
    feed: FeedConfig
    result: FetchResult | None = None
    parsed: ParsedFeed | None = None
    error: str | None = None
    retry_after: float | None = None


def backoff_delay(interval: float, failures: int, cap: float = BACKOFF_CAP) -> float:
    """Seconds until the next poll of a feed that failed ``failures`` times in a row."""
    return min(interval * (2 ** min(failures, 20)), max(cap, interval))


class Ingestor:
    """Polls feeds and publishes their new articles.

    Args:
        feeds: the configured feeds.
        state: the published log / feed state store.
        publisher: where articles go.
        fetcher: the HTTP fetcher (one is created when omitted).
        workers: concurrent feed fetches.
        jitter: relative spread of poll intervals (0.1 = +/-10 %).
        fulltext: fetcher of article pages for ``full_text`` feeds (created on demand).
        progress: where counts are shown.
    """

    def __init__(
        self,
        feeds: Sequence[FeedConfig],
        *,
        state: PublishedLog,
        publisher: ArticlePublisher,
        fetcher: Fetcher | None = None,
        workers: int = 16,
        jitter: float = 0.1,
        fulltext: FullTextFetcher | None = None,
        progress: Progress | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.feeds = list(feeds)
        self.state = state
        self.publisher = publisher
        self._owns_fetcher = fetcher is None
        self.fetcher = fetcher or Fetcher(pool_size=workers)
        self.workers = workers
        self.jitter = jitter
        self._fulltext = fulltext
        self._owns_fulltext = fulltext is None
        self.progress = progress or Progress("ingest")
        self._clock = clock
        self._warned: dict[str, str] = {}
        self._logged_errors: dict[str, str] = {}  # feed url -> the failure reason last logged
        self._lock = threading.Lock()
        self._next_due: dict[str, float] = {}
        self.stop_event = threading.Event()
        self.per_feed: dict[str, Counts] = {}  # feed name -> its counts over all rounds (``ingest -v``)

    def close(self) -> None:
        if self._fulltext is not None and self._owns_fulltext:
            self._fulltext.close()
        if self._owns_fetcher:
            self.fetcher.close()

    # ---- one feed (worker thread) ---------------------------------------------------
    def _fetch_and_parse(self, feed: FeedConfig) -> _Outcome:
        remembered = self.state.feed_state(feed.url)
        try:
            result = self.fetcher.fetch(
                feed.url, etag=remembered.etag, last_modified=remembered.last_modified, allow_file=feed.allow_file
            )
        except FetchError as exc:
            return _Outcome(feed, error=exc.reason, retry_after=exc.retry_after)
        if result.not_modified:
            return _Outcome(feed, result)
        try:
            parsed = parse_feed(
                result.content, feed=feed, headers=result.headers, fetched_at=datetime.now(timezone.utc), url=result.url
            )
        except FeedRejected as exc:
            return _Outcome(feed, result, error=exc.reason)
        except Exception as exc:  # a parser bug on one hostile feed must not stop the others
            logger.debug("feed %r: unexpected parser error", feed.name, exc_info=True)
            return _Outcome(feed, result, error=f"parser error {type(exc).__name__}: {str(exc)[:200]}")
        return _Outcome(feed, result, parsed)

    # ---- results (same worker thread) -----------------------------------------------
    def _schedule(self, feed: FeedConfig, delay: float) -> None:
        spread = 1.0 + random.uniform(-self.jitter, self.jitter)
        self._next_due[feed.url] = self._clock() + delay * spread

    def _failed(self, feed: FeedConfig, reason: str, counts: Counts, retry_after: float | None = None) -> None:
        counts.feeds_failed += 1
        before = self.state.feed_failed(feed.url, reason)
        delay = max(backoff_delay(feed.interval, before.failures + 1), min(retry_after or 0.0, BACKOFF_CAP))
        if self._logged_errors.get(feed.url) != reason:
            self._logged_errors[feed.url] = reason
            logger.warning("feed %r (%s) failed: %s; next try in %.0fs", feed.name, feed.url, reason, delay)
        else:
            logger.debug("feed %r still failing (%d times): %s", feed.name, before.failures + 1, reason)
        self._schedule(feed, delay)

    def _warn_once(self, feed: FeedConfig, warnings: Iterable[str], counts: Counts) -> None:
        for warning in warnings:
            counts.warnings += 1
            key = warning.split("(")[0]
            if self._warned.get(feed.url) != key:
                self._warned[feed.url] = key
                logger.warning("feed %r: %s", feed.name, warning)

    def _handle(self, outcome: _Outcome, counts: Counts) -> None:
        feed = outcome.feed
        counts.feeds_polled += 1
        if outcome.error is not None:
            self._failed(feed, outcome.error, counts, outcome.retry_after)
            return
        assert outcome.result is not None
        if outcome.result.not_modified:
            self._logged_errors.pop(feed.url, None)
            counts.feeds_not_modified += 1
            self.state.feed_not_modified(feed.url)
            self._schedule(feed, feed.interval)
            return
        assert outcome.parsed is not None
        self._warn_once(feed, outcome.parsed.warnings, counts)
        # Claims are atomic in the store: the same story in two feeds (or two processes) goes out once.
        fresh = select_new(outcome.parsed.articles, self.state, counts)
        try:
            fresh = check_contract(fresh, counts, feed.name, self.state)
            if fresh and feed.full_text:
                with self._lock:
                    if self._fulltext is None:
                        self._fulltext = FullTextFetcher(self.fetcher)
                extracted, failed, reasons = self._fulltext.enrich(fresh, allow_private=feed.allow_private)
                counts.fulltext_extracted += extracted
                counts.fulltext_failed += failed
                if failed:
                    logger.debug(
                        "feed %r: full text fell back to summary for %d: %s",
                        feed.name,
                        failed,
                        "; ".join(reasons)[:300],
                    )
            complete = publish_and_record(fresh, self.publisher, self.state, counts)
        except BaseException:
            self.state.release(a["id"] for a in fresh)
            raise
        self._logged_errors.pop(feed.url, None)
        if complete:
            # Validators are stored only when everything went out; otherwise the next poll
            # gets a full response again instead of a 304 hiding unpublished entries.
            self.state.feed_succeeded(feed.url, outcome.result.etag, outcome.result.last_modified)
        if not outcome.parsed.warnings:
            self._warned.pop(feed.url, None)
        self._schedule(feed, feed.interval)

    def _poll_feed(self, feed: FeedConfig) -> Counts:
        """Fetch, parse, publish and record one feed (runs in a worker thread).

        Publishing here rather than in the calling thread lets the waits on publish futures
        of many feeds overlap.
        """
        counts = Counts()
        try:
            self._handle(self._fetch_and_parse(feed), counts)
        finally:
            with self._lock:
                self.per_feed.setdefault(feed.name, Counts()).add(counts)
        return counts

    # ---- rounds -----------------------------------------------------------------------
    def poll(self, feeds: Sequence[FeedConfig] | None = None) -> Counts:
        """Polls ``feeds`` (all by default) once, concurrently, and publishes what is new."""
        feeds = list(self.feeds if feeds is None else feeds)
        counts = Counts()
        started = time.monotonic()
        max_in_flight = self.workers * 2  # bounds the feeds (and their articles) held in memory
        pending: set[Future] = set()
        queue = iter(feeds)
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="feed") as pool:
            while True:
                while len(pending) < max_in_flight and not self.stop_event.is_set():
                    feed = next(queue, None)
                    if feed is None:
                        break
                    pending.add(pool.submit(self._poll_feed, feed))
                if not pending:
                    break
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    counts.add(future.result())  # re-raises UserError (e.g. topic deleted)
                counts.elapsed = time.monotonic() - started
                self.progress.update(counts)
        counts.elapsed = time.monotonic() - started
        return counts

    def run(self, *, once: bool = False) -> Counts:
        """Polls until :attr:`stop_event` is set (or one round when ``once``).

        Returns:
            The counts over all rounds.
        """
        total = Counts()
        started = time.monotonic()
        if once:
            total = self.poll()
            self.progress.finish(total)
            return total
        # First round: every feed at once (the pool bounds concurrency); jitter spreads later rounds.
        for feed in self.feeds:
            self._next_due[feed.url] = self._clock()
        try:
            while not self.stop_event.is_set():
                now = self._clock()
                due = [f for f in self.feeds if self._next_due.get(f.url, 0.0) <= now]
                if due:
                    counts = self.poll(due)
                    total.add(counts)
                    total.elapsed = time.monotonic() - started
                    self.progress.round_done(total)
                    continue
                wake = min(self._next_due.values()) - now
                self.stop_event.wait(max(0.05, min(wake, 60.0)))
        finally:
            total.elapsed = time.monotonic() - started
            self.progress.finish(total)
        return total


def ingest(
    feeds: Sequence[FeedConfig],
    settings: Settings,
    *,
    once: bool = False,
    state_db: str | Path | None = None,
    workers: int = 16,
    fetcher: Fetcher | None = None,
    progress: Progress | None = None,
    stop_event: threading.Event | None = None,
    per_feed: dict[str, Counts] | None = None,
) -> Counts:
    """Runs ingest for ``feeds`` against ``settings`` (what ``peacewatch ingest`` calls).

    Args:
        feeds: the feeds to poll.
        settings: ``peacewatch.settings.Settings``.
        once: one round then return.
        state_db: the SQLite store (default ``<data_dir>/connectors.sqlite3``).
        workers: concurrent fetches.
        fetcher: an HTTP fetcher (tests pass one with small timeouts).
        progress: where counts are shown.
        stop_event: set it from another thread to stop a forever run.
        per_feed: filled with each feed's counts (by feed name) when given.

    Raises:
        UserError: the topic does not exist or Pub/Sub cannot be reached.
    """
    from connectors.state import default_state_path

    state = PublishedLog(state_db or default_state_path(settings))
    publisher = ArticlePublisher(settings)
    try:
        publisher.check_topic()
        ingestor = Ingestor(
            feeds, state=state, publisher=publisher, fetcher=fetcher, workers=workers, progress=progress
        )
        if stop_event is not None:
            ingestor.stop_event = stop_event
        try:
            return ingestor.run(once=once)
        finally:
            if per_feed is not None:
                per_feed.update(ingestor.per_feed)
            ingestor.close()
    finally:
        publisher.close()
        state.close()
