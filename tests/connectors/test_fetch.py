"""The fetcher against a real loopback server: caps, timeouts, redirects, conditional GET."""

from __future__ import annotations

import gzip

import pytest

from connectors.fetch import USER_AGENT, Fetcher, FetchError
from tests.connectors.feed_server import endless_body, gzip_bomb, rss


def test_fetch_sends_user_agent_and_returns_validators(feed_server, fetcher) -> None:
    url = feed_server.route("/a.xml", rss([("One", "http://example.org/1")]))
    result = fetcher.fetch(url)
    assert result.status == 200 and b"<rss" in result.content
    assert result.etag and result.last_modified
    assert feed_server.user_agents[-1] == USER_AGENT
    assert USER_AGENT.startswith("peacewatch/")


def test_conditional_get_gets_304(feed_server, fetcher) -> None:
    url = feed_server.route("/a.xml", rss([("One", "http://example.org/1")]))
    first = fetcher.fetch(url)
    second = fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.content == b""
    assert feed_server.not_modified["/a.xml"] == 1


def test_gzip_body_is_inflated(feed_server, fetcher) -> None:
    body = rss([("Zipped", "http://example.org/z")])

    def send(handler):
        data = gzip.compress(body)
        handler.send_response(200)
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    url = feed_server.route("/z.xml", stream=send)
    assert fetcher.fetch(url).content == body


def test_gzip_bomb_stops_at_the_decompressed_cap(feed_server, fetcher) -> None:
    url = feed_server.route("/bomb.xml", stream=gzip_bomb)
    with pytest.raises(FetchError, match="decompressed body exceeds the 1,048,576 byte cap"):
        fetcher.fetch(url)


def test_huge_body_without_length_stops_at_the_cap(feed_server, fetcher) -> None:
    url = feed_server.route("/huge.xml", stream=endless_body)
    with pytest.raises(FetchError, match="byte cap"):
        fetcher.fetch(url)


def test_declared_length_over_cap_is_refused_before_reading(feed_server, fetcher) -> None:
    url = feed_server.route("/big.xml", b"x" * (2 << 20))
    with pytest.raises(FetchError, match="over the 1,048,576 byte cap"):
        fetcher.fetch(url)


def test_server_that_never_answers_times_out(stalling_server, fetcher) -> None:
    with pytest.raises(FetchError, match=r"no response from 127\.0\.0\.1 within 0\.5s"):
        fetcher.fetch(stalling_server.url())


def test_redirect_loop_is_limited(feed_server, fetcher) -> None:
    feed_server.route("/loop", status=302, location="/loop")
    with pytest.raises(FetchError, match="more than 3 redirects"):
        fetcher.fetch(feed_server.url("/loop"))


def test_redirect_is_followed_and_final_url_reported(feed_server, fetcher) -> None:
    target = feed_server.route("/new.xml", rss([("Moved", "/m")]))
    feed_server.route("/old.xml", status=301, location="/new.xml")
    result = fetcher.fetch(feed_server.url("/old.xml"))
    assert result.url == target


def test_http_errors_name_the_status(feed_server, fetcher) -> None:
    with pytest.raises(FetchError, match="HTTP 404") as caught:
        fetcher.fetch(feed_server.url("/missing.xml"))
    assert caught.value.status == 404


def test_connection_refused_and_dns_failures_are_reasons(fetcher, stalling_server) -> None:
    port = stalling_server.port
    stalling_server.close()
    with pytest.raises(FetchError, match="connection refused"):
        fetcher.fetch(f"http://127.0.0.1:{port}/feed.xml")
    with pytest.raises(FetchError, match=r"DNS lookup failed for no-such-host\.invalid"):
        fetcher.fetch("http://no-such-host.invalid/feed.xml")


def test_only_http_unless_files_are_allowed(tmp_path, fetcher) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(b"<rss/>")
    with pytest.raises(FetchError, match="not allowed"):
        fetcher.fetch(str(path))
    with pytest.raises(FetchError, match="only http"):
        fetcher.fetch("ftp://example.org/feed.xml")
    assert fetcher.fetch(path.as_uri(), allow_file=True).content == b"<rss/>"
    assert fetcher.fetch(str(path), allow_file=True).content == b"<rss/>"


def test_local_file_over_cap(tmp_path) -> None:
    from connectors.fetch import FetchLimits

    path = tmp_path / "big.xml"
    path.write_bytes(b"x" * 2048)
    with Fetcher(FetchLimits(max_bytes=1024)) as small, pytest.raises(FetchError, match="byte cap"):
        small.fetch(str(path), allow_file=True)
