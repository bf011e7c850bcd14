"""Python types of the contract, checked against the JSON Schemas by ``tests/schemas``.

The pipeline passes plain dicts (they pickle cheaply and serialise as they are), so the types
are ``TypedDict``s: a type checker sees the fields, and a test keeps them equal to the schema.
"""

from typing import Any, Literal, TypedDict

try:
    from typing import Required
except ImportError:  # Python 3.10
    from typing_extensions import Required  # type: ignore[assignment]

StanceLabel = Literal["support", "oppose", "undecided"]
ActorType = Literal["country", "organisation", "person", "coalition"]
Commitment = Literal["troops", "other", "none"]


class Article(TypedDict, total=False):
    """Schema ``json/article.v1.json``."""

    schema_version: int
    id: str
    url: Required[str]
    title: Required[str]
    text: Required[str]
    summary: str | None
    published: str | None
    published_raw: str | None
    published_estimated: bool
    truncated: list[str]
    fetched: str | None
    source: str | None
    feed_url: str | None
    language: str | None
    tags: list[str]
    content_source: str | None
    authors: list[str]


class Entity(TypedDict, total=False):
    text: Required[str]
    label: Required[str]
    name: str | None
    kind: str | None
    country_code: str | None
    start: int
    end: int


class _Position(TypedDict, total=False):
    """Who takes which stance on which mission: the fields a stance and a stance report share."""

    actor: Required[str]
    actor_type: ActorType | None
    actor_code: str | None
    stance: Required[StanceLabel]
    mission: Required[str]
    commitment: Required[Commitment]


class Stance(_Position, total=False):
    evidence: str | None
    confidence: float
    cue: str | None
    condition: str | None


class EnrichedArticle(TypedDict, total=False):
    """Schema ``json/enriched_article.v1.json``: one document of the articles index."""

    id: Required[str]
    url: Required[str]
    title: Required[str]
    text: Required[str]
    published: str | None
    language: str | None
    analysed: Required[bool]
    not_analysed_reason: str | None
    relevant: Required[bool]
    relevance: Required[float]
    relevance_explanation: list[dict[str, Any]]
    relevance_classifier: float | None
    topics: list[str]
    entities: Required[list[Entity]]
    countries: Required[list[str]]
    country_codes: list[str]
    people: Required[list[str]]
    organisations: list[str]
    missions: list[str]
    stances: Required[list[Stance]]
    indexed_at: str | None
    latency_ms: float | None
    pipeline_version: str | None


class Alert(TypedDict, total=False):
    """Schema ``json/alert.v1.json``."""

    id: Required[str]
    rule: Required[str]
    kind: Required[Literal["match", "stance_change", "spike", "digest"]]
    article_id: Required[str | None]
    title: Required[str]
    url: Required[str | None]
    source: str | None
    published: str | None
    created: Required[str]
    snippet: str | None
    matched_terms: list[str]
    stances: list[dict[str, Any]]
    kibana_url: str | None
    key: str | None
    details: dict[str, Any]


class DeadLetter(TypedDict, total=False):
    """Schema ``json/deadletter.v1.json``."""

    id: Required[str]
    stage: Required[str]
    reason: Required[str]
    error_type: str | None
    payload: Required[str]
    payload_encoding: Literal["utf-8", "base64"]
    article_id: str | None
    attributes: dict[str, Any]
    created: Required[str]


class StanceReport(_Position, total=False):
    """Schema ``json/stance_report.v1.json``: one document of the reports index."""

    id: Required[str]
    article_id: Required[str]
    condition: str | None
    evidence: str | None
    confidence: float | None
    cue: str | None
    date: str | None
    dated: Required[bool]
    seen: Required[str]
    time: str | None
    source: str | None
    url: str | None
    title: str | None
    language: str | None
    indexed_at: str | None


SCHEMA_TYPES = {
    "stance_report": StanceReport,
    "article": Article,
    "enriched_article": EnrichedArticle,
    "alert": Alert,
    "deadletter": DeadLetter,
}
NESTED_TYPES = {("enriched_article", "entities"): Entity, ("enriched_article", "stances"): Stance}
