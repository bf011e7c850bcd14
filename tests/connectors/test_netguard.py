"""SSRF guard and wall-clock deadline on real loopback servers (issue 13, items 4 and 7)."""

from __future__ import annotations

import io
import socket
import threading

import pytest

from connectors import netguard
from connectors.feeds_config import FeedConfig
from connectors.fetch import Fetcher, FetchError, FetchLimits
from connectors.fulltext import FullTextFetcher
from connectors.ingest import ingest
from connectors.netguard import AddressGuard, classify
from connectors.progress import Progress
from tests.connectors.feed_server import FeedServer
from tests.helpers import decode, drain, pull_messages

SECRET = "INTERNAL-ONLY-SECRET-PAGE"
PAGE = (
    b"<html><body><article><h1>Inside</h1><p>"
    + (SECRET.encode() + b" lives on a private address. ") * 20
    + b"</p></article></body></html>"
)


@pytest.mark.parametrize(
    "address,why",
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "shared (carrier-grade NAT)"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "cloud metadata"),
        ("2002:7f00:1::", "loopback"),
        ("64:ff9b::a00:1", "private"),
        ("fc00::1", "private"),
        ("93.184.215.14", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_addresses_are_classified(address, why):
    assert classify(address) == why


@pytest.fixture
def private_site():
    server = FeedServer().start()  # 127.0.0.1: the "internal" service a hostile feed points at
    yield server
    server.stop()


@pytest.fixture
def public_site():
    server = FeedServer(host="127.0.0.2").start()  # stands for the internet: trusted by the guard below
    yield server
    server.stop()


LIMITS = FetchLimits(connect_timeout=2.0, read_timeout=2.0, total_timeout=5.0, max_bytes=1 << 20, max_redirects=3)
TRUST_PUBLIC = AddressGuard(trusted=["127.0.0.2/32"])


def _summary_articles(*urls):
    return [{"url": url, "text": "Summary.", "content_source": "summary"} for url in urls]


def test_full_text_never_fetches_private_or_metadata_addresses(private_site, fetcher):
    page = private_site.route("/internal.html", PAGE, content_type="text/html")
    metadata = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
    articles = _summary_articles(page, metadata, page.replace("127.0.0.1", "localhost"))
    fulltext = FullTextFetcher(fetcher, delay=0.0, limits=LIMITS)
    try:
        extracted, failed, reasons = fulltext.enrich(articles)
    finally:
        fulltext.close()
    assert (extracted, failed) == (0, 3)
    assert private_site.requests["/internal.html"] == 0  # refused before any connection
    assert any("127.0.0.1 is a loopback address" in r for r in reasons)
    assert any("169.254.169.254 is a cloud metadata address" in r for r in reasons)
    assert any("localhost resolves to" in r for r in reasons)
    assert all(a["text"] == "Summary." for a in articles)


def test_allow_private_feeds_may_fetch_private_pages(private_site, fetcher):
    page = private_site.route("/internal.html", PAGE, content_type="text/html")
    articles = _summary_articles(page)
    fulltext = FullTextFetcher(fetcher, delay=0.0, limits=LIMITS)
    try:
        assert fulltext.enrich(articles, allow_private=True)[:2] == (1, 0)
    finally:
        fulltext.close()
    assert SECRET in articles[0]["text"]


def test_every_redirect_is_checked(public_site, private_site):
    private_site.route("/internal.html", PAGE, content_type="text/html")
    hop = public_site.route("/moved", status=302, location=private_site.url("/internal.html"))
    public_site.route("/story.html", b"<html><body><p>fine</p></body></html>", content_type="text/html")
    with Fetcher(LIMITS, guard=TRUST_PUBLIC) as guarded:
        assert guarded.fetch(public_site.url("/story.html")).status == 200  # the trusted stand-in works
        with pytest.raises(FetchError, match=r"127\.0\.0\.1 is a loopback address"):
            guarded.fetch(hop)
    assert public_site.requests["/moved"] == 1 and private_site.requests["/internal.html"] == 0


def test_the_connection_goes_to_the_address_that_was_checked(public_site, monkeypatch):
    """DNS rebinding: a name answered once with an allowed address, then with a private one."""
    public_site.route("/page.html", b"<html>ok</html>", content_type="text/html")
    answers = iter([("127.0.0.2",), ("127.0.0.1",), ("127.0.0.1",)])
    lookups = []

    def fake_dns(host, port, *args, **kwargs):
        if host != "rebind.example":
            return socket.getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in next(answers)]

    monkeypatch.setattr(netguard, "_getaddrinfo", fake_dns)
    with Fetcher(LIMITS, guard=TRUST_PUBLIC) as guarded:
        result = guarded.fetch(f"http://rebind.example:{public_site.port}/page.html")
    assert result.content == b"<html>ok</html>" and lookups == ["rebind.example"]
    assert public_site.hosts == [f"rebind.example:{public_site.port}"]  # the name is kept for Host (and TLS SNI)


def test_ingest_with_full_text_keeps_private_pages_out(provisioned, subscriber, feed_server, fetcher, tmp_path):
    settings = provisioned
    page = feed_server.route("/internal.html", PAGE, content_type="text/html")
    feed_xml = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://example.org/</link>'
        f"<item><title>Story</title><link>{page}</link><description>Short summary.</description></item>"
        "</channel></rss>"
    ).encode()
    url = feed_server.route("/feed.xml", feed_xml)  # the operator's feed itself is on loopback: allowed
    counts = ingest(
        [FeedConfig("Hostile", url, full_text=True)],
        settings,
        once=True,
        state_db=str(tmp_path / "state.sqlite3"),
        fetcher=fetcher,
        progress=Progress("ingest", io.StringIO()),
    )
    assert (counts.published, counts.fulltext_failed, counts.fulltext_extracted) == (1, 1, 0)
    messages = pull_messages(subscriber, settings.subscription_path("articles"), expect=1, timeout=30)
    messages += drain(subscriber, settings.subscription_path("articles"), quiet=1.0)
    assert len(messages) == 1 and SECRET not in str(decode(messages[0]))
    assert feed_server.requests["/internal.html"] == 0


# ---- the wall-clock deadline (item 7) -------------------------------------------------------
class Trickler:
    """Answers every connection by sending ``head`` and then one byte every ``gap`` seconds,
    up to ``limit`` bytes, and counts what it managed to send before the client hung up."""

    def __init__(self, head: bytes, gap: float = 0.05, limit: int = 2000) -> None:
        self.head, self.gap, self.limit = head, gap, limit
        self.sent = 0
        self.done = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        try:
            conn.recv(65536)
            conn.sendall(self.head)
            for _ in range(self.limit):
                conn.sendall(b"x")
                self.sent += 1
                self.done.wait(self.gap)  # paces the trickle; set by close() to finish early
        except OSError:
            pass  # the client shut the connection: what we want
        finally:
            conn.close()
            self.done.set()

    def close(self) -> None:
        self.done.set()
        self.sock.close()


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\r\n<rss>",  # the body trickles
        b"HTTP/1.1 200 OK\r\nX-Slow: ",  # a header trickles
    ],
    ids=["body", "headers"],
)
def test_total_deadline_is_wall_clock(head):
    # Each byte arrives well within the 0.5 s read timeout, so only a wall-clock deadline can stop
    # this; the server would go on for 2000 bytes (100 s). The fetch must end at its 1 s deadline.
    server = Trickler(head)
    limits = FetchLimits(connect_timeout=2.0, read_timeout=0.5, total_timeout=1.0, max_bytes=1 << 20)
    try:
        with Fetcher(limits) as fetcher, pytest.raises(FetchError, match="took longer than 1s"):
            fetcher.fetch(f"http://127.0.0.1:{server.port}/slow.xml")
        assert server.done.wait(30)  # the server saw the connection end...
        assert server.sent < server.limit  # ...long before it ran out of bytes to trickle
    finally:
        server.close()
