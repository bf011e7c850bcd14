"""Topic relevance from a data-driven topic pack (``data/topics.yaml``).

A topic is a list of weighted regular expressions. Evidence is the decayed sum of matched weights
(title matches boosted); the score is ``1 - exp(-evidence / scale)``. A topic fires when its score
reaches its threshold and (optionally) a core term matched. Every match is reported with its
position so the decision can be explained.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .gazetteer import DATA_DIR

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Term:
    """One compiled term of a topic."""

    pattern: re.Pattern[str]
    source: str
    weight: float
    core: bool
    max_count: int


@dataclass(frozen=True)
class Topic:
    """A compiled topic definition."""

    name: str
    threshold: float
    scale: float
    title_boost: float
    require_core: bool
    context_cap: float
    terms: tuple[Term, ...]
    context: tuple[Term, ...]


@dataclass
class TopicResult:
    """Relevance of one text for one topic."""

    topic: str
    score: float
    fired: bool
    matches: list[dict]


def _compile(row: dict, core_default: bool) -> Term:
    flags = 0 if row.get("case_sensitive") else re.IGNORECASE
    pattern = re.compile(r"(?<!\w)(?:" + row["pattern"] + r")(?!\w)", flags)
    return Term(
        pattern, row["pattern"], float(row["weight"]), bool(row.get("core", core_default)), int(row.get("max_count", 3))
    )


def load_topics(path: Path | None = None) -> tuple[Topic, ...]:
    """Load and compile a topic pack (default: the shipped peacekeeping pack)."""
    return _load_topics(str(path or DATA_DIR / "topics.yaml"))


@functools.lru_cache(maxsize=8)
def _load_topics(path: str) -> tuple[Topic, ...]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    topics = []
    for row in data["topics"]:
        topics.append(
            Topic(
                name=row["name"],
                threshold=float(row.get("threshold", 0.5)),
                scale=float(row.get("scale", 3.0)),
                title_boost=float(row.get("title_boost", 2.0)),
                require_core=bool(row.get("require_core", True)),
                context_cap=float(row.get("context_cap", 1.0)),
                terms=tuple(_compile(t, True) for t in row.get("terms", [])),
                context=tuple(_compile(t, False) for t in row.get("context", [])),
            )
        )
    return tuple(topics)


def _scan(term: Term, fields: dict[str, str], boost: float) -> tuple[float, dict | None]:
    positions: list[dict] = []
    for where, text in fields.items():
        for match in term.pattern.finditer(text):
            positions.append({"where": where, "start": match.start(), "end": match.end(), "text": match.group(0)})
    if not positions:
        return 0.0, None
    evidence = 0.0
    for rank, pos in enumerate(positions[: term.max_count], 1):
        evidence += term.weight / rank * (boost if pos["where"] == "title" else 1.0)
    return evidence, {"term": term.source, "weight": term.weight, "count": len(positions), "positions": positions[:10]}


def score_topic(topic: Topic, title: str, text: str) -> TopicResult:
    """Score one topic on an article's title and text."""
    fields = {"title": title or "", "text": text or ""}
    evidence, matches, core_hit = 0.0, [], False
    for term in topic.terms:
        value, match = _scan(term, fields, topic.title_boost)
        if match:
            evidence += value
            core_hit = core_hit or term.core
            matches.append(match)
    if core_hit:
        context_total = 0.0
        for term in topic.context:
            value, match = _scan(term, fields, topic.title_boost)
            if match:
                context_total += value
                matches.append(match)
        evidence += min(context_total, topic.context_cap)
    score = 1.0 - math.exp(-evidence / topic.scale) if evidence else 0.0
    fired = score >= topic.threshold and (core_hit or not topic.require_core)
    return TopicResult(topic.name, round(score, 4), fired, matches)


def score_relevance(title: str, text: str, topics: tuple[Topic, ...] | None = None) -> list[TopicResult]:
    """Score all topics of a pack on one article."""
    return [score_topic(topic, title, text) for topic in (topics or load_topics())]
