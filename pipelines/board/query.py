"""The stance board of one mission, built from Elasticsearch aggregations over the reports index.

Two requests at most, whatever the number of reports: (1) per actor, its latest report (dated
first), per stance the number of reports, the first and last dates and the strongest report, and
the number of articles; (2) for the actors whose stance changed in the window, when the current
stance started (its first report after the last report of another stance). No report is read
one by one in Python except the marks of the HTML timeline (:func:`timeline_reports`, bounded).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from peacewatch.clients import elasticsearch_errors
from peacewatch.settings import Settings
from pipelines.reports import in_window

logger = logging.getLogger(__name__)

STANCES = ("support", "oppose", "undecided")
MAX_ACTORS = 2000
_REPORT_FIELDS = [
    "stance",
    "commitment",
    "condition",
    "date",
    "dated",
    "seen",
    "evidence",
    "source",
    "url",
    "confidence",
    "article_id",
    "title",
    "actor_type",
    "actor_code",
]
_LATEST = [{"date": {"order": "desc", "missing": "_last"}}, {"seen": {"order": "desc"}}]
_STRONGEST = [{"confidence": {"order": "desc", "missing": "_last"}}, *_LATEST]


@dataclass
class BoardRow:
    """One actor's line on the board."""

    actor: str
    actor_type: str | None
    actor_code: str | None
    stance: str
    commitment: str
    condition: str | None
    since: str | None
    previous: str | None
    changed: str | None
    counts: dict[str, int]
    articles: int
    evidence: str | None
    source: str | None
    date: str | None
    url: str | None
    undated: bool = False
    latest: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Board:
    """The board of one mission over a window."""

    mission: str
    mission_name: str
    since: str | None
    until: str | None
    rows: list[BoardRow] = field(default_factory=list)
    reports: int = 0
    articles: int = 0

    def counts(self) -> dict[str, int]:
        """Actors per current stance."""
        out = {s: 0 for s in STANCES}
        for row in self.rows:
            out[row.stance] += 1
        return out


def _group(row: BoardRow) -> int:
    """Row order: troop backers, other backers, undecided, opposed."""
    if row.stance == "support":
        return 0 if row.commitment == "troops" else 1
    return 2 if row.stance == "undecided" else 3


def board_filters(
    mission: str, since: str | None, until: str | None, actor_type: str | None = None, language: str | None = None
) -> dict[str, Any]:
    """The query selecting the mission's reports in the window."""
    filters: list[dict[str, Any]] = [{"term": {"mission": mission}}, in_window(since, until)]
    if actor_type:
        filters.append({"term": {"actor_type": actor_type}})
    if language:
        filters.append({"term": {"language": language.lower()}})
    return {"bool": {"filter": filters}}


def _day(report: dict[str, Any]) -> str | None:
    return report.get("date") if report.get("dated") else None


def build_board(
    es,
    settings: Settings,
    mission: str,
    mission_name: str,
    *,
    since: str | None,
    until: str | None,
    actor_type: str | None = None,
    language: str | None = None,
) -> Board:
    """The board of ``mission`` between ``since`` and ``until`` (ISO timestamps or ``None``).

    Raises:
        UserError: the index is missing or Elasticsearch cannot be reached.
    """
    query = board_filters(mission, since, until, actor_type, language)
    index = settings.index("reports")
    aggs = {
        "articles": {"cardinality": {"field": "article_id"}},
        "actors": {
            "terms": {"field": "actor", "size": MAX_ACTORS},
            "aggs": {
                "articles": {"cardinality": {"field": "article_id"}},
                "latest": {"top_hits": {"size": 1, "sort": _LATEST, "_source": _REPORT_FIELDS}},
                "stances": {
                    "terms": {"field": "stance", "size": len(STANCES)},
                    "aggs": {
                        "first": {"min": {"field": "date"}},
                        "last": {"max": {"field": "date"}},
                        "strongest": {"top_hits": {"size": 1, "sort": _STRONGEST, "_source": _REPORT_FIELDS}},
                    },
                },
            },
        },
    }
    with elasticsearch_errors(
        settings, "the board query", "run 'peacewatch setup' (the reports index may be missing)", index
    ):
        response = es.search(index=index, size=0, query=query, aggs=aggs, track_total_hits=True)
        board = Board(
            mission,
            mission_name,
            since,
            until,
            reports=response["hits"]["total"]["value"],
            articles=int(response["aggregations"]["articles"]["value"]),
        )
        pending: dict[str, tuple[BoardRow, float]] = {}
        for bucket in response["aggregations"]["actors"]["buckets"]:
            row, changed_after = _row(bucket)
            board.rows.append(row)
            if changed_after is not None:
                pending[row.actor] = (row, changed_after)
        if pending:
            _fill_since(es, index, query, pending)
    board.rows.sort(key=lambda r: (_group(r), -r.articles, r.actor))
    return board


def _row(bucket: dict[str, Any]) -> tuple[BoardRow, float | None]:
    latest = bucket["latest"]["hits"]["hits"][0]["_source"]
    stance = latest["stance"]
    by_stance = {b["key"]: b for b in bucket["stances"]["buckets"]}
    counts = {s: by_stance[s]["doc_count"] if s in by_stance else 0 for s in STANCES}
    current = by_stance[stance]
    best = current["strongest"]["hits"]["hits"][0]["_source"]
    undated = not latest.get("dated")
    previous = changed_after = None
    since = None
    if not undated:
        others = [
            (b["last"]["value"], s) for s, b in by_stance.items() if s != stance and b["last"]["value"] is not None
        ]
        if others:
            changed_after, previous = max(others)
        else:
            since = current["first"].get("value_as_string")
    row = BoardRow(
        actor=bucket["key"],
        actor_type=latest.get("actor_type"),
        actor_code=latest.get("actor_code"),
        stance=stance,
        commitment=latest.get("commitment") or "none",
        condition=latest.get("condition"),
        since=since,
        previous=previous,
        changed=None,
        counts=counts,
        articles=int(bucket["articles"]["value"]),
        evidence=best.get("evidence"),
        source=best.get("source"),
        date=_day(best),
        url=best.get("url"),
        undated=undated,
        latest=_day(latest),
    )
    return row, changed_after


def _fill_since(es, index: str, query: dict[str, Any], pending: dict[str, tuple[BoardRow, float]]) -> None:
    """``since`` (= ``changed``) of actors whose stance changed: the first report of the current
    stance after the last report of another one; one request with a filter per actor."""
    filters = {
        actor: {
            "bool": {
                "filter": [
                    {"term": {"actor": actor}},
                    {"term": {"stance": row.stance}},
                    {"range": {"date": {"gt": int(after)}}},
                ]
            }
        }
        for actor, (row, after) in pending.items()
    }
    response = es.search(
        index=index,
        size=0,
        query=query,
        aggs={"actors": {"filters": {"filters": filters}, "aggs": {"first": {"min": {"field": "date"}}}}},
    )
    for actor, bucket in response["aggregations"]["actors"]["buckets"].items():
        row = pending[actor][0]
        row.since = row.changed = bucket["first"].get("value_as_string")


def timeline_reports(
    es, settings: Settings, board: Board, actor_type: str | None = None, language: str | None = None, limit: int = 5000
) -> list[dict[str, Any]]:
    """The reports of the board's actors, oldest first, for the HTML timeline (at most ``limit``)."""
    if not board.rows:
        return []
    query = board_filters(board.mission, board.since, board.until, actor_type, language)
    query["bool"]["filter"].append({"terms": {"actor": [r.actor for r in board.rows]}})
    response = es.search(
        index=settings.index("reports"),
        size=limit,
        query=query,
        sort=[{"date": {"order": "asc", "missing": "_last"}}, {"seen": {"order": "asc"}}],
        source=["actor", "stance", "date", "dated", "seen", "url", "title", "source", "evidence"],
    )
    return [h["_source"] for h in response["hits"]["hits"]]
