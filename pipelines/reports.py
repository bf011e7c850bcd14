"""Stance reports: one document per (article, actor, mission) in the ``reports`` index.

The board, the ``missions`` command and the Kibana "Stance board" aggregate these flat documents
(Kibana's charts and controls cannot aggregate ``nested`` fields, and flat documents make the
board's aggregations cheap). Each report copies the article's date, source, url, title and
language; it is written in the same bulk request as its article, under a deterministic id, and
reports an article no longer has are deleted when the article is written again.

``date`` is the publication time only when the article has a real one (not estimated from the
fetch time); ``seen`` (fetched, else indexed) places undated reports in time windows; ``time`` is
the one of the two that applies (Kibana's time field).
"""

from __future__ import annotations

import hashlib
from typing import Any

COMMITMENT_DEFAULT = {"support": "other"}


def report_id(article_id: str, actor: str, mission: str) -> str:
    """The report's id: a hash of the article id, the actor and the mission."""
    return hashlib.sha256(f"{article_id}\n{actor}\n{mission}".encode()).hexdigest()[:32]


def is_dated(document: dict[str, Any]) -> bool:
    """True when the article has a publication time of its own (not estimated from the fetch)."""
    return bool(document.get("published")) and not document.get("published_estimated")


def report_documents(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The stance reports of one indexed article document (none when it has no stances)."""
    stances = document.get("stances") or []
    if not stances:
        return []
    dated = is_dated(document)
    seen = document.get("fetched") or document.get("indexed_at") or document.get("published")
    out: dict[str, dict[str, Any]] = {}
    for s in stances:
        if not s.get("actor") or not s.get("stance"):
            continue
        mission = s.get("mission") or "other"
        rid = report_id(document["id"], s["actor"], mission)
        out[rid] = {
            "id": rid,
            "article_id": document["id"],
            "actor": s["actor"],
            "actor_type": s.get("actor_type"),
            "actor_code": s.get("actor_code"),
            "stance": s["stance"],
            "mission": mission,
            "commitment": s.get("commitment") or COMMITMENT_DEFAULT.get(s["stance"], "none"),
            "condition": s.get("condition"),
            "evidence": s.get("evidence"),
            "confidence": s.get("confidence"),
            "cue": s.get("cue"),
            "date": document.get("published") if dated else None,
            "dated": dated,
            "seen": seen,
            "time": document.get("published") if dated else seen,
            "source": document.get("source"),
            "url": document.get("url"),
            "title": document.get("title"),
            "language": document.get("language"),
            "indexed_at": document.get("indexed_at"),
        }
    return list(out.values())


def in_window(since: str | None, until: str | None) -> dict[str, Any]:
    """Reports in ``[since, until)``: dated ones by ``date``, undated ones by ``seen``."""
    bounds = {k: v for k, v in (("gte", since), ("lt", until)) if v}
    if not bounds:
        return {"match_all": {}}
    return {
        "bool": {
            "should": [
                {"range": {"date": bounds}},
                {"bool": {"must_not": {"exists": {"field": "date"}}, "filter": {"range": {"seen": bounds}}}},
            ],
            "minimum_should_match": 1,
        }
    }
