"""Python types of the contract, checked against the JSON Schemas by ``tests/schemas``.

The pipeline passes plain dicts (they pickle cheaply and serialise as they are), so the types
are ``TypedDict``s: a type checker sees the fields, and a test keeps them equal to the schema.
"""


from typing import Any, Literal, Optional, TypedDict

try:
    from typing import NotRequired, Required
except ImportError:  # Python 3.10
    from typing_extensions import NotRequired, Required  # type: ignore[assignment]

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
    summary: Optional[str]
    published: Optional[str]
    published_raw: Optional[str]
    published_estimated: bool
    truncated: list[str]
    fetched: Optional[str]
    source: Optional[str]
    feed_url: Optional[str]
    language: Optional[str]
    tags: list[str]
    content_source: Optional[str]
    authors: list[str]


class Entity(TypedDict, total=False):
    text: Required[str]
    label: Required[str]
    name: Optional[str]
    kind: Optional[str]
    country_code: Optional[str]
    start: int
    end: int


class Stance(TypedDict, total=False):
    actor: Required[str]
    actor_type: Optional[ActorType]
    actor_code: Optional[str]
    stance: Required[StanceLabel]
    mission: Required[str]
    commitment: Required[Commitment]
    evidence: Optional[str]
    confidence: float
    cue: Optional[str]
    condition: Optional[str]


class EnrichedArticle(TypedDict, total=False):
    """Schema ``json/enriched_article.v1.json``: one document of the articles index."""

    id: Required[str]
    url: Required[str]
    title: Required[str]
    text: Required[str]
    published: Optional[str]
    language: Optional[str]
    analysed: Required[bool]
    not_analysed_reason: Optional[str]
    relevant: Required[bool]
    relevance: Required[float]
    relevance_explanation: list[dict[str, Any]]
    topics: list[str]
    entities: Required[list[Entity]]
    countries: Required[list[str]]
    country_codes: list[str]
    people: Required[list[str]]
    organisations: list[str]
    missions: list[str]
    stances: Required[list[Stance]]
    indexed_at: Optional[str]
    latency_ms: Optional[float]
    pipeline_version: Optional[str]


class Alert(TypedDict, total=False):
    """Schema ``json/alert.v1.json``."""

    id: Required[str]
    rule: Required[str]
    kind: Required[Literal["match", "stance_change", "spike", "digest"]]
    article_id: Required[Optional[str]]
    title: Required[str]
    url: Required[Optional[str]]
    source: Optional[str]
    published: Optional[str]
    created: Required[str]
    snippet: Optional[str]
    matched_terms: list[str]
    stances: list[dict[str, Any]]
    kibana_url: Optional[str]
    key: Optional[str]
    details: dict[str, Any]


class DeadLetter(TypedDict, total=False):
    """Schema ``json/deadletter.v1.json``."""

    id: Required[str]
    stage: Required[str]
    reason: Required[str]
    error_type: Optional[str]
    payload: Required[str]
    payload_encoding: Literal["utf-8", "base64"]
    article_id: Optional[str]
    attributes: dict[str, Any]
    created: Required[str]


class StanceReport(TypedDict, total=False):
    """Schema ``json/stance_report.v1.json``: one document of the reports index."""

    id: Required[str]
    article_id: Required[str]
    actor: Required[str]
    actor_type: Optional[ActorType]
    actor_code: Optional[str]
    stance: Required[StanceLabel]
    mission: Required[str]
    commitment: Required[Commitment]
    condition: Optional[str]
    evidence: Optional[str]
    confidence: Optional[float]
    cue: Optional[str]
    date: Optional[str]
    dated: Required[bool]
    seen: Required[str]
    time: Optional[str]
    source: Optional[str]
    url: Optional[str]
    title: Optional[str]
    language: Optional[str]
    indexed_at: Optional[str]


SCHEMA_TYPES = {"stance_report": StanceReport, "article": Article, "enriched_article": EnrichedArticle, "alert": Alert, "deadletter": DeadLetter}
NESTED_TYPES = {("enriched_article", "entities"): Entity, ("enriched_article", "stances"): Stance}
