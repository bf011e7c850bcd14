"""feeds.yaml: valid entries load, every mistake is refused with the entry and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from connectors.feeds_config import feeds_from_data, load_feeds, parse_interval
from peacewatch.errors import UserError

BUNDLED = Path(__file__).resolve().parents[2] / "connectors" / "feeds.yaml"


def test_bundled_feeds_file_loads() -> None:
    feeds = load_feeds(BUNDLED)
    assert len(feeds) >= 8
    assert all(f.url.startswith("https://") for f in feeds)
    assert len({f.name for f in feeds}) == len(feeds)


def test_options_are_read() -> None:
    feeds = feeds_from_data(
        {
            "feeds": [
                {
                    "name": "A",
                    "url": "https://example.org/a.xml",
                    "interval": "10m",
                    "language": "pt-BR",
                    "tags": ["un", "conflict"],
                    "full_text": True,
                },
                {"name": "B", "url": "/tmp/b.xml", "allow_file": True},
                {"name": "C", "url": "https://example.org/c.xml", "enabled": False},
            ]
        }
    )
    assert [f.name for f in feeds] == ["A", "B"]
    a, b = feeds
    assert a.interval == 600 and a.language == "pt" and a.tags == ("un", "conflict") and a.full_text
    assert b.allow_file and b.is_file and b.interval == 300


@pytest.mark.parametrize(
    "entry, reason",
    [
        ({"name": "A", "url": "https://example.org/a", "colour": "red"}, "unknown key(s) colour"),
        ({"url": "https://example.org/a"}, "name is required"),
        ({"name": "A"}, "url is required"),
        ({"name": "A", "url": "ftp://example.org/a"}, "must be an http(s) URL"),
        ({"name": "A", "url": "/etc/feed.xml"}, "set allow_file: true"),
        ({"name": "A", "url": "https://example.org/a", "interval": "soon"}, "interval must be a duration"),
        ({"name": "A", "url": "https://example.org/a", "interval": "1s"}, "between 30s and 7d"),
        ({"name": "A", "url": "https://example.org/a", "language": "english!"}, "language must be a code"),
        ({"name": "A", "url": "https://example.org/a", "tags": [1]}, "tags must be a list"),
        ({"name": "A", "url": "https://example.org/a", "full_text": "yes"}, "full_text must be true or false"),
        ({"name": "A", "url": "https://example.org/search?q={query}"}, "{query} placeholder"),
        ("just a string", "expected a mapping"),
    ],
)
def test_bad_entries_are_refused_with_entry_and_reason(entry, reason) -> None:
    with pytest.raises(UserError) as caught:
        feeds_from_data({"feeds": [{"name": "ok", "url": "https://example.org/ok"}, entry]}, "f.yaml")
    assert "f.yaml: feeds[1]" in caught.value.message
    assert reason in caught.value.message


def test_file_level_mistakes(tmp_path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        load_feeds(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("feeds: [unclosed", encoding="utf-8")
    with pytest.raises(UserError, match="not valid YAML"):
        load_feeds(bad)
    bad.write_text(yaml.safe_dump({"feed": []}), encoding="utf-8")
    with pytest.raises(UserError, match="top-level 'feeds:' list"):
        load_feeds(bad)
    bad.write_text(
        yaml.safe_dump({"feeds": [{"name": "a", "url": "https://x.org/a"}, {"name": "b", "url": "https://x.org/a"}]})
    )
    with pytest.raises(UserError, match="duplicates feeds"):
        load_feeds(bad)


@pytest.mark.parametrize(
    "value, seconds", [(60, 60), ("90s", 90), ("5m", 300), ("1h", 3600), ("1d", 86400), ("2.5m", 150)]
)
def test_intervals(value, seconds) -> None:
    assert parse_interval(value) == seconds
