"""HTTP (and, when allowed, local file) fetching with every limit a feed poller needs.

* connect and read timeouts, plus a total wall-clock deadline per fetch, enforced by shutting
  the sockets down (a server that trickles one byte per read timeout, in the headers or the
  body, cannot hold a worker past it);
* optionally an :class:`~connectors.netguard.AddressGuard`: only public addresses, checked
  after DNS and on every redirect, connected to as checked (links from feed content);
* a byte cap counted *after* decompression: gzip/deflate bodies are inflated here, in bounded
  steps, so a gzip bomb costs at most ``max_bytes`` of memory;
* a redirect limit, an honest User-Agent and conditional GET (ETag / Last-Modified).

Errors become :class:`FetchError` with a one-line reason fit for a log line.
"""

from __future__ import annotations

import dataclasses
import logging
import socket
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from connectors.netguard import AddressGuard, BlockedAddress, deadline, mount
from peacewatch.errors import PeacewatchError

logger = logging.getLogger(__name__)

PROJECT_URL = "https://github.com/peacewatch/peacewatch"  # placeholder until the repo is public
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
_CHUNK = 64 * 1024


def _version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover
        return "0"
    try:
        return version("peacewatch")
    except PackageNotFoundError:
        return "0.1.0"


USER_AGENT = f"peacewatch/{_version()} (+{PROJECT_URL})"


class FetchError(PeacewatchError):
    """A fetch failed. ``reason`` is one line naming what happened (HTTP 503, timeout, ...)."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


@dataclasses.dataclass
class FetchResult:
    """A response body (empty for 304) and what the next conditional GET needs."""

    url: str
    status: int
    content: bytes
    headers: dict[str, str]
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclasses.dataclass(frozen=True)
class FetchLimits:
    """Timeouts and caps for one kind of fetch (feeds, article pages)."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = 5


def _inflate(chunks: Iterator[bytes], encoding: str, limit: int) -> Iterator[bytes]:
    """Decompresses ``chunks`` in steps of at most ``limit + 1`` bytes of output."""
    if encoding in ("", "identity"):
        yield from chunks
        return
    if encoding in ("gzip", "x-gzip"):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        inflater = None  # zlib-wrapped or raw deflate; decided on the first bytes
    else:
        raise FetchError(f"unsupported Content-Encoding {encoding!r}")
    for chunk in chunks:
        if inflater is None:
            raw = not (len(chunk) >= 2 and chunk[0] & 0x0F == 8 and (chunk[0] << 8 | chunk[1]) % 31 == 0)
            inflater = zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
        data = chunk
        while data:
            try:
                out = inflater.decompress(data, limit + 1)
            except zlib.error as exc:
                raise FetchError(f"corrupt {encoding} body: {exc}") from None
            if out:
                yield out
            data = inflater.unconsumed_tail
            if inflater.eof:
                return


def _reason_for(exc: Exception, url: str, limits: FetchLimits) -> str:
    import requests
    import urllib3

    host = urlsplit(url).hostname or url
    text = str(exc)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"timed out connecting to {host} after {limits.connect_timeout:g}s"
    if isinstance(exc, (requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError, socket.timeout)):
        return f"no response from {host} within {limits.read_timeout:g}s"
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return f"more than {limits.max_redirects} redirects"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS error with {host}"
    if isinstance(
        exc, (requests.exceptions.InvalidSchema, requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)
    ):
        return f"not a fetchable URL: {text.splitlines()[0][:200]}"
    if (
        "NameResolutionError" in text
        or "Name or service not known" in text
        or "nodename nor servname" in text
        or "Temporary failure in name resolution" in text
        or "getaddrinfo" in text
    ):
        return f"DNS lookup failed for {host}"
    if "Connection refused" in text:
        return f"connection refused by {host}"
    return f"connection error with {host}: {type(exc).__name__}"


class Fetcher:
    """Fetches URLs with a shared connection pool; safe to use from several threads.

    Args:
        limits: timeouts and caps.
        user_agent: the User-Agent header.
        pool_size: connections kept per host (match the number of worker threads).
    """

    def __init__(
        self,
        limits: FetchLimits | None = None,
        *,
        user_agent: str = USER_AGENT,
        pool_size: int = 16,
        guard: AddressGuard | None = None,
    ) -> None:
        import requests
        from requests.adapters import HTTPAdapter

        self.limits = limits or FetchLimits()
        self.guard = guard
        self._session = requests.Session()
        self._session.max_redirects = self.limits.max_redirects
        if guard is not None:
            # A proxy would be the only address the guard sees; links from content go direct.
            self._session.trust_env = False
        adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
        mount(self._session, adapter, guard)
        self._session.headers.update({"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"})

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        allow_file: bool = False,
        accept: str = FEED_ACCEPT,
        limits: FetchLimits | None = None,
    ) -> FetchResult:
        """Fetches ``url``; a 304 gives an empty body with ``not_modified`` true.

        Args:
            url: http(s) URL, or a path / ``file:`` URL when ``allow_file``.
            etag: sent as ``If-None-Match``.
            last_modified: sent as ``If-Modified-Since``.
            allow_file: permit local files (only for feeds configured with ``allow_file``).
            accept: the Accept header.
            limits: per-call limits overriding the fetcher's.

        Raises:
            FetchError: with a one-line reason.
        """
        limits = limits or self.limits
        scheme = urlsplit(url).scheme.lower()
        if scheme in ("", "file"):
            if not allow_file:
                raise FetchError(f"local file {url!r} not allowed for this feed")
            return self._read_file(url, limits)
        if scheme not in ("http", "https"):
            raise FetchError(f"only http(s) URLs are fetched, not {scheme}:")
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        import requests
        import urllib3

        too_slow = FetchError(f"response took longer than {limits.total_timeout:g}s")
        with deadline(limits.total_timeout) as watch:  # wall clock: connect, headers, body, redirects
            try:
                response = self._session.get(
                    url,
                    headers=headers,
                    stream=True,
                    allow_redirects=True,
                    timeout=(limits.connect_timeout, limits.read_timeout),
                )
            except BlockedAddress as exc:
                raise FetchError(exc.reason) from None
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                raise (too_slow if watch.expired else FetchError(_reason_for(exc, url, limits))) from None
            try:
                result = self._read_response(response, url, limits)
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                raise (too_slow if watch.expired else FetchError(_reason_for(exc, url, limits))) from None
            finally:
                response.close()
            if watch.expired:  # a shut-down socket ends the body early: never return it as complete
                raise too_slow
            return result

    def _read_response(self, response, url: str, limits: FetchLimits) -> FetchResult:
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}
        if status == 304:
            return FetchResult(response.url, status, b"", headers, headers.get("etag"), headers.get("last-modified"))
        if status >= 400 or status < 200 or status in (204, 205):
            retry_after = None
            value = headers.get("retry-after", "")
            if value.isdigit():
                retry_after = float(value)
            raise FetchError(f"HTTP {status} {response.reason or ''}".strip(), status=status, retry_after=retry_after)
        encoding = headers.get("content-encoding", "").strip().lower()
        declared = headers.get("content-length", "")
        if encoding in ("", "identity") and declared.isdigit() and int(declared) > limits.max_bytes:
            raise FetchError(f"response is {int(declared):,} bytes, over the {limits.max_bytes:,} byte cap")
        raw = response.raw.stream(_CHUNK, decode_content=False)
        parts: list[bytes] = []
        total = 0
        for piece in _inflate(raw, encoding, limits.max_bytes):
            total += len(piece)
            if total > limits.max_bytes:
                what = "decompressed body" if encoding not in ("", "identity") else "body"
                raise FetchError(f"{what} exceeds the {limits.max_bytes:,} byte cap")
            parts.append(piece)
        return FetchResult(
            response.url, status, b"".join(parts), headers, headers.get("etag"), headers.get("last-modified")
        )

    @staticmethod
    def _read_file(url: str, limits: FetchLimits) -> FetchResult:
        parts = urlsplit(url)
        path = Path(unquote(parts.path) if parts.scheme == "file" else url)
        try:
            with path.open("rb") as handle:
                data = handle.read(limits.max_bytes + 1)
        except OSError as exc:
            raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from None
        if len(data) > limits.max_bytes:
            raise FetchError(f"file exceeds the {limits.max_bytes:,} byte cap")
        return FetchResult(path.resolve().as_uri(), 200, data, {})
