"""Articles with known stances on two missions, written through the real writer (reports included)."""

from __future__ import annotations

import pytest

from pipelines.write_es import BulkWriter


def _stance(
    actor: str,
    code: str | None,
    stance: str,
    mission: str = "ukraine",
    commitment: str = "none",
    condition: str | None = None,
    actor_type: str = "country",
) -> dict:
    return {
        "actor": actor,
        "actor_code": code,
        "actor_type": actor_type,
        "stance": stance,
        "mission": mission,
        "commitment": commitment,
        "condition": condition,
        "confidence": 0.8,
        "evidence": f"{actor} is {stance} on the {mission} force.",
    }


def _article(n: int, published: str, stances: list[dict], *, estimated: bool = False, language: str = "en") -> dict:
    return {
        "id": f"{n:032x}",
        "url": f"https://news.example/{n}",
        "title": f"Story {n}",
        "text": "x",
        "published": published,
        "published_estimated": estimated,
        "fetched": published,
        "source": f"Source {n % 2}",
        "language": language,
        "relevant": True,
        "analysed": True,
        "entities": [],
        "countries": [],
        "people": [],
        "missions": sorted({s["mission"] for s in stances}),
        "stances": stances,
    }


ARTICLES = [
    _article(
        1,
        "2026-01-10T09:00:00Z",
        [
            _stance("Germany", "DE", "undecided"),
            _stance("France", "FR", "support", commitment="troops", condition="once a ceasefire is signed"),
        ],
    ),
    _article(
        2,
        "2026-02-10T09:00:00Z",
        [_stance("Germany", "DE", "oppose"), _stance("Indonesia", "ID", "support", "gaza", "troops")],
        language="de",
    ),
    _article(
        3,
        "2026-03-10T09:00:00Z",
        [
            _stance("Germany", "DE", "support", commitment="other"),
            _stance("NATO", None, "undecided", actor_type="organisation"),
        ],
    ),
    _article(4, "2026-03-20T09:00:00Z", [_stance("Germany", "DE", "support", commitment="other")]),
    _article(
        5,
        "2026-03-25T09:00:00Z",
        [_stance("Poland", "PL", "oppose"), _stance("Canada", "CA", "undecided")],
        estimated=True,
    ),
]


@pytest.fixture
def board_settings(provisioned, es):
    """Settings of an index holding :data:`ARTICLES` and their stance reports."""
    writer = BulkWriter(provisioned)
    try:
        result = writer.write(ARTICLES)
    finally:
        writer.close()
    assert len(result.indexed) == len(ARTICLES) and not result.dead
    es.indices.refresh(index=[provisioned.index("articles"), provisioned.index("reports")])
    return provisioned
