"""A real HTTP server on loopback for connector tests: feeds, 304s, redirects, hostile bodies.

Routes are set per test (``server.route("/a.xml", body)``); the server counts requests and
304 responses per path so tests can prove conditional GET is honoured.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import socket
import threading
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclasses.dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    conditional: bool = True  # send ETag / Last-Modified and honour them
    location: str | None = None
    stream: Callable[[BaseHTTPRequestHandler], None] | None = None


def gzip_bomb(handler: BaseHTTPRequestHandler, total: int = 1 << 30, chunk: int = 1 << 20) -> None:
    """Streams gzip of ``total`` zero bytes, compressed on the fly (never stored)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Encoding", "gzip")
    handler.end_headers()
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(chunk)
    try:
        handler.wfile.write(compressor.compress(b'<?xml version="1.0"?><rss version="2.0"><channel><title>'))
        for _ in range(total // chunk):
            out = compressor.compress(zeros)
            if out:
                handler.wfile.write(out)
        handler.wfile.write(compressor.flush())
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up at its byte cap, as it should


def endless_body(handler: BaseHTTPRequestHandler) -> None:
    """A huge uncompressed feed without Content-Length (chunked-style close-delimited body)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Connection", "close")
    handler.end_headers()
    filler = b"<item><title>x</title><link>http://example.org/x</link></item>" * 1000
    try:
        handler.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        for _ in range(100_000):
            handler.wfile.write(filler)
    except (BrokenPipeError, ConnectionResetError):
        pass


class FeedServer:
    """Threaded HTTP server on ``host`` (127.0.0.1 by default) with an ephemeral port."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.hosts: list[str] = []  # the Host header of each request
        self.routes: dict[str, Route] = {}
        self.requests: collections.Counter[str] = collections.Counter()
        self.not_modified: collections.Counter[str] = collections.Counter()
        self.user_agents: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                with server._lock:
                    server.requests[path] += 1
                    server.user_agents.append(self.headers.get("User-Agent", ""))
                    server.hosts.append(self.headers.get("Host", ""))
                    route = server.routes.get(path)
                if route is None:
                    self._send(404, b"not found", "text/plain")
                    return
                if route.stream is not None:
                    route.stream(self)
                    self.close_connection = True
                    return
                if route.location:
                    self.send_response(route.status)
                    self.send_header("Location", route.location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
                if route.conditional and self.headers.get("If-None-Match") == etag:
                    with server._lock:
                        server.not_modified[path] += 1
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                extra = {"ETag": etag, "Last-Modified": "Mon, 06 Jan 2025 10:00:00 GMT"} if route.conditional else {}
                self._send(route.status, route.body, route.content_type, extra)

            def _send(self, status: int, body: bytes, content_type: str, extra: dict | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (extra or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str, body: bytes = b"", **kwargs) -> str:
        with self._lock:
            self.routes[path] = Route(body, **kwargs)
        return self.url(path)


class StallingServer:
    """Accepts TCP connections (kernel backlog) and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]

    def url(self, path: str = "/feed.xml") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.sock.close()


def rss(items: list[tuple[str, str]], title: str = "Test feed") -> bytes:
    """A small RSS 2.0 document of ``(title, link)`` items with fixed dates."""
    parts = [
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        "<link>http://example.org/</link>"
    ]
    for index, (item_title, link) in enumerate(items):
        parts.append(
            f"<item><title>{item_title}</title><link>{link}</link>"
            f"<description>Body of {item_title}.</description>"
            f"<pubDate>Mon, 06 Jan 2025 {index % 24:02d}:00:00 GMT</pubDate></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")
