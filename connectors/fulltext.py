"""Optional full text: fetch the article page and extract its main text with trafilatura.

Used for feeds configured with ``full_text: true`` whose entries only carry a summary. Pages are
fetched politely (a per-domain concurrency limit and a delay between requests to the same
domain) with the same caps as feeds. Any failure keeps the summary and is counted; it is never
fatal for the feed.

The links come from feed content, which anyone who controls a feed (or a compromised publisher)
writes: they are fetched through an :class:`~connectors.netguard.AddressGuard` (public addresses
only, checked after DNS and on every redirect) unless the feed sets ``allow_private: true``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from connectors.fetch import HTML_ACCEPT, Fetcher, FetchError, FetchLimits
from connectors.netguard import AddressGuard

logger = logging.getLogger(__name__)

PAGE_LIMITS = FetchLimits(connect_timeout=10.0, read_timeout=20.0, total_timeout=30.0, max_bytes=5 * 1024 * 1024)


class _DomainGate:
    """At most ``concurrency`` requests at a time to one domain, started ``delay`` s apart."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self._slots = threading.Semaphore(concurrency)
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._delay = delay

    def __enter__(self) -> None:
        self._slots.acquire()
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self._delay
        if start > now:
            time.sleep(start - now)  # politeness towards the publisher's server

    def __exit__(self, *exc_info: object) -> None:
        self._slots.release()


def extract_text(html_bytes: bytes, url: str) -> str | None:
    """The main text of an article page, or ``None`` when trafilatura finds none."""
    import trafilatura

    return trafilatura.extract(
        html_bytes, url=url, include_comments=False, include_tables=False, favor_precision=True, deduplicate=True
    )


class FullTextFetcher:
    """Replaces summary-only article text with the extracted page text.

    Args:
        fetcher: the shared :class:`~connectors.fetch.Fetcher`, used for feeds that set
            ``allow_private`` (it reaches any address).
        per_domain: concurrent requests per domain.
        delay: seconds between request starts to one domain.
        workers: threads for page fetches overall.
        limits: caps and timeouts for pages.
        extractor: ``(html_bytes, url) -> text | None`` (tests replace it).
        guard: where pages of the other feeds may be fetched from (public addresses by default).
    """

    def __init__(
        self,
        fetcher: Fetcher,
        *,
        per_domain: int = 2,
        delay: float = 1.0,
        workers: int = 8,
        limits: FetchLimits = PAGE_LIMITS,
        extractor: Callable[[bytes, str], str | None] = extract_text,
        guard: AddressGuard | None = None,
    ) -> None:
        self._fetcher = fetcher
        # Its own connection pool: a connection opened for a private feed is never reused here.
        self._guarded = Fetcher(limits, pool_size=workers, guard=guard or AddressGuard())
        self._per_domain = per_domain
        self._delay = delay
        self._limits = limits
        self._extractor = extractor
        self._gates: dict[str, _DomainGate] = {}
        self._gates_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fulltext")

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._guarded.close()

    def _gate(self, url: str) -> _DomainGate:
        host = (urlsplit(url).hostname or "").lower()
        with self._gates_lock:
            gate = self._gates.get(host)
            if gate is None:
                gate = self._gates[host] = _DomainGate(self._per_domain, self._delay)
            return gate

    def _one(self, article: dict[str, Any], allow_private: bool = False) -> str | None:
        url = article["url"]
        if urlsplit(url).scheme not in ("http", "https"):
            return "not an http(s) URL"
        fetcher = self._fetcher if allow_private else self._guarded
        try:
            with self._gate(url):
                result = fetcher.fetch(url, accept=HTML_ACCEPT, limits=self._limits)
        except FetchError as exc:
            return exc.reason
        try:
            text = self._extractor(result.content, result.url)
        except Exception as exc:  # extraction of hostile HTML must not stop the feed; the reason is returned
            return f"extraction failed: {type(exc).__name__}"
        if not text or len(text.strip()) < len(article.get("text") or ""):
            return "no main text found"
        article["text"] = text.strip()[:1_000_000]
        article["content_source"] = "extracted"
        return None

    def enrich(self, articles: Sequence[dict[str, Any]], *, allow_private: bool = False) -> tuple[int, int, list[str]]:
        """Fetches pages for the summary-only ``articles`` in place.

        Args:
            articles: the new articles of one feed.
            allow_private: the feed's ``allow_private``: its links may reach non-public addresses.

        Returns:
            ``(extracted, failed, reasons)``; failed articles keep their summary as text.
        """
        targets = [a for a in articles if a.get("content_source") == "summary"]
        reasons = list(self._pool.map(lambda article: self._one(article, allow_private), targets))
        failed = [r for r in reasons if r]
        return len(targets) - len(failed), len(failed), sorted(set(failed))
