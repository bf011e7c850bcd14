"""One parametrised test over ``fixtures/feeds``: each feed file has a ``.expect.yaml`` sidecar.

Sidecar keys: ``description``; optional ``feed`` (FeedConfig overrides) and ``headers`` (the
HTTP response headers); then either ``rejected`` (a substring of the reason) or ``expect`` with
``count``, ``warnings`` (substrings, in order) and ``articles`` (partial dicts, in feed order;
the value ``"@article_id"`` means "the id derived from this article's url").
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from connectors.feeds_config import FeedConfig
from connectors.normalise import FeedRejected, parse_feed
from schemas.ids import article_id
from schemas.validation import validate

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
FETCHED_AT = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)


def _cases():
    for sidecar in sorted(FIXTURES.glob("*.expect.yaml")):
        stem = sidecar.name[: -len(".expect.yaml")]
        data = [p for p in FIXTURES.glob(stem + ".*") if p != sidecar]
        assert len(data) == 1, f"{sidecar.name}: expected exactly one data file named {stem}.*"
        yield pytest.param(data[0], sidecar, id=stem)


@pytest.mark.parametrize("data_path, sidecar", list(_cases()))
def test_feed_fixture(data_path: Path, sidecar: Path) -> None:
    spec = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    overrides = spec.get("feed") or {}
    feed = FeedConfig(
        name="Fixture",
        url=overrides.get("url", "http://example.org/feed.xml"),
        language=overrides.get("language"),
        tags=tuple(overrides.get("tags", ["fixture"])),
        timezone=overrides.get("timezone"),
    )
    data = data_path.read_bytes()
    if "rejected" in spec:
        with pytest.raises(FeedRejected) as caught:
            parse_feed(data, feed=feed, headers=spec.get("headers"), fetched_at=FETCHED_AT)
        assert spec["rejected"] in caught.value.reason
        return
    parsed = parse_feed(data, feed=feed, headers=spec.get("headers"), fetched_at=FETCHED_AT)
    expect = spec["expect"]
    assert len(parsed.articles) == expect["count"]
    expected_warnings = expect.get("warnings", [])
    assert len(parsed.warnings) == len(expected_warnings), parsed.warnings
    for wanted, got in zip(expected_warnings, parsed.warnings):
        assert wanted in got
    for article in parsed.articles:
        validate("article", article)
        assert article["id"] == article_id(article["url"])
        assert article["source"] == "Fixture"
        assert article["schema_version"] == 1
    for wanted, article in zip(expect.get("articles", []), parsed.articles):
        for key, value in wanted.items():
            if value == "@article_id":
                value = article_id(article["url"])
            assert article[key] == value, f"{key}: {article[key]!r} != {value!r}"


def test_every_fixture_has_a_sidecar() -> None:
    sidecars = {p.name[: -len(".expect.yaml")] for p in FIXTURES.glob("*.expect.yaml")}
    data = {p.name.split(".")[0] for p in FIXTURES.iterdir() if not p.name.endswith(".expect.yaml")}
    assert data == sidecars
