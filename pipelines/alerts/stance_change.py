"""Stance-change alerts: an actor's stance on a mission changes, or it takes a position first.

:func:`detect_stance_changes` is pure: previous state and one article in, events and new state
out. The state per actor is its last known stance, from which article and when. Rules:

- the actor key is ``actor_code`` when there is one, else the folded actor name, and the state is
  kept per actor *and mission* (``FR@ukraine``): "Germany on ukraine: undecided -> support";
  a rule with a mission follows stances on that mission only;
- stances below ``min_confidence`` are ignored; when an article has several stances of one
  actor, the most confident wins (ties: the first);
- a first ``support`` or ``oppose`` is an event (``previous`` None); a first ``undecided`` is
  recorded silently (it is not a position);
- a different stance from the recorded one is an event; the same stance is not;
- an article published before the recorded one cannot change the state (replays and late
  arrivals do not flip the stance back).

:class:`StanceStateStore` keeps the state durably in SQLite (``<data_dir>/alerts-stances.sqlite3``)
with one row per (rule, actor), so each stance-change rule has its own view.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pipelines.alerts.analysis import fold
from pipelines.alerts.store import connect

logger = logging.getLogger(__name__)

POSITIONS = ("support", "oppose")


@dataclass(frozen=True)
class ActorStance:
    """The last known stance of one actor."""

    actor: str
    actor_type: str | None
    stance: str
    article_id: str | None
    published: str | None
    confidence: float | None = None
    mission: str | None = None
    evidence: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class StanceEvent:
    """An actor's stance changed (``previous`` is None for a first position)."""

    key: str
    actor: str
    actor_type: str | None
    previous: str | None
    current: str
    previous_article_id: str | None
    evidence: str | None
    confidence: float | None
    mission: str | None = None
    previous_evidence: str | None = None
    previous_url: str | None = None
    previous_published: str | None = None

    def details(self, article: Mapping[str, Any]) -> dict[str, Any]:
        """The alert's ``details``: the change, and both evidence sentences with their articles' links."""
        return {
            "actor": self.actor,
            "actor_type": self.actor_type,
            "previous": self.previous,
            "current": self.current,
            "previous_article_id": self.previous_article_id,
            "evidence": self.evidence,
            "confidence": self.confidence,
            "mission": self.mission,
            "url": article.get("url"),
            "previous_evidence": self.previous_evidence,
            "previous_url": self.previous_url,
            "previous_published": self.previous_published,
        }


def actor_key(stance: Mapping[str, Any]) -> str:
    """``FR`` for a stance with an actor code, else the folded actor name."""
    code = stance.get("actor_code")
    return str(code).upper() if code else fold(str(stance.get("actor") or "")).strip()


def _later_or_equal(published: str | None, than: str | None) -> bool:
    if not published or not than:
        return True
    from pipelines.alerts.evaluate import _parse_date

    a, b = _parse_date(published), _parse_date(than)
    return a is None or b is None or a >= b


def detect_stance_changes(
    state: Mapping[str, ActorStance],
    article: Mapping[str, Any],
    actor_types: tuple[str, ...] | None = ("country",),
    actor: str | None = None,
    min_confidence: float = 0.5,
    mission: str | None = None,
) -> tuple[list[StanceEvent], dict[str, ActorStance]]:
    """Compares the article's stances with the known ones.

    Args:
        state: actor key -> last known stance (not modified).
        article: an enriched article with ``stances``.
        actor_types: which actor types count (None: all; stances without a type count when
            they have an actor code).
        actor: only this actor (name or code), or None for all.
        min_confidence: ignore less confident stances.
        mission: only stances on this mission, or None for every mission (each its own state).

    Returns:
        The events, and the new state (a new dict holding only what changed on top of ``state``).
    """
    best = _strongest_stances(article, actor_types, actor, min_confidence, mission)
    new_state = dict(state)
    events: list[StanceEvent] = []
    for key, stance in best.items():
        # state written before missions existed is keyed by actor alone
        before = state.get(key) or state.get(key.rsplit("@", 1)[0])
        if before is not None and not _later_or_equal(article.get("published"), before.published):
            continue
        current = str(stance["stance"])
        on = stance.get("mission") or "other"
        record = ActorStance(
            str(stance.get("actor")),
            stance.get("actor_type"),
            current,
            article.get("id"),
            article.get("published"),
            stance.get("confidence"),
            on,
            stance.get("evidence"),
            article.get("url"),
        )
        if before is None:
            new_state[key] = record
            if current in POSITIONS:
                events.append(
                    StanceEvent(
                        key,
                        record.actor,
                        record.actor_type,
                        None,
                        current,
                        None,
                        stance.get("evidence"),
                        stance.get("confidence"),
                        on,
                    )
                )
        elif before.stance != current:
            new_state[key] = record
            events.append(
                StanceEvent(
                    key,
                    record.actor,
                    record.actor_type,
                    before.stance,
                    current,
                    before.article_id,
                    stance.get("evidence"),
                    stance.get("confidence"),
                    on,
                    before.evidence,
                    before.url,
                    before.published,
                )
            )
    return events, new_state


def _strongest_stances(
    article: Mapping[str, Any],
    actor_types: tuple[str, ...] | None,
    actor: str | None,
    min_confidence: float,
    mission: str | None,
) -> dict[str, Mapping[str, Any]]:
    """The most confident stance of the article per ``actor@mission``, among those the rule follows."""
    best: dict[str, Mapping[str, Any]] = {}
    wanted = actor_key({"actor": actor}) if actor else None
    for stance in article.get("stances") or []:
        if not isinstance(stance, Mapping) or stance.get("stance") not in (*POSITIONS, "undecided"):
            continue
        kind = stance.get("actor_type")
        if actor_types is not None and kind not in actor_types and not (kind is None and stance.get("actor_code")):
            continue
        confidence = stance.get("confidence")
        if confidence is not None and confidence < min_confidence:
            continue
        plain = actor_key(stance)
        if not plain:
            continue
        if wanted and wanted not in (plain, actor_key({"actor": stance.get("actor")})):
            continue
        on = stance.get("mission") or "other"
        if mission and on != mission:
            continue
        key = f"{plain}@{on}"
        if key not in best or (confidence or 0) > (best[key].get("confidence") or 0):
            best[key] = stance
    return best


class StanceStateStore:
    """Durable actor stances per rule (SQLite).

    Args:
        path: the database file.
    """

    def __init__(self, path: str | Path) -> None:
        self._db = connect(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS stance_state (rule TEXT NOT NULL, key TEXT NOT NULL, "
            "actor TEXT, actor_type TEXT, stance TEXT NOT NULL, article_id TEXT, published TEXT, "
            "confidence REAL, PRIMARY KEY (rule, key))"
        )
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(stance_state)")}
        with self._db:  # databases from before missions: add the new columns
            for column in ("mission", "evidence", "url"):
                if column not in columns:
                    self._db.execute(f"ALTER TABLE stance_state ADD COLUMN {column} TEXT")

    def load(self, rule: str) -> dict[str, ActorStance]:
        """Returns the state of ``rule``: actor key -> last known stance."""
        rows = self._db.execute(
            "SELECT key, actor, actor_type, stance, article_id, published, confidence, "
            "mission, evidence, url FROM stance_state WHERE rule=?",
            (rule,),
        ).fetchall()
        return {row[0]: ActorStance(*row[1:]) for row in rows}

    def save(self, rule: str, changed: Mapping[str, ActorStance]) -> None:
        """Writes the given actors' stances."""
        with self._db:
            for key, value in changed.items():
                fields = asdict(value)
                self._db.execute(
                    f"INSERT OR REPLACE INTO stance_state (rule, key, {', '.join(fields)}) "
                    f"VALUES ({', '.join('?' * (len(fields) + 2))})",
                    (rule, key, *fields.values()),
                )

    def close(self) -> None:
        self._db.close()
