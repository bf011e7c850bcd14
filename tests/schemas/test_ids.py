from __future__ import annotations

import pytest

from schemas.ids import article_id, canonical_url


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("HTTPS://News.Example.ORG/a/b?utm_source=x&utm_medium=rss#frag", "https://news.example.org/a/b"),
        ("http://example.org:80/path?b=2&a=1", "http://example.org/path?a=1&b=2"),
        ("https://example.org:8443/x", "https://example.org:8443/x"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org/a//b/?fbclid=abc&id=7", "https://example.org/a/b/?id=7"),
        ("https://example.org/caf%C3%A9", "https://example.org/caf%C3%A9"),
        ("https://example.org/café", "https://example.org/caf%C3%A9"),
        ("  https://example.org/x  ", "https://example.org/x"),
        ("urn:uuid:1234", "urn:uuid:1234"),
    ],
)
def test_canonical_url(raw, expected):
    assert canonical_url(raw) == expected


def test_article_id_is_stable_across_tracking_variants():
    assert article_id("https://example.org/story?utm_campaign=a") == article_id("https://EXAMPLE.org/story#top")
    assert article_id("https://example.org/story?id=1") != article_id("https://example.org/story?id=2")


@pytest.mark.parametrize("bad", ["", "   ", None, 42])
def test_canonical_url_refuses_non_strings(bad):
    with pytest.raises(ValueError):
        canonical_url(bad)
