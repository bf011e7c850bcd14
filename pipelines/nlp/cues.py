"""Stance cue lexicon: loads and precompiles ``data/stance_cues.yaml`` once per process."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field

import yaml

from .gazetteer import DATA_DIR

logger = logging.getLogger(__name__)

STANCES = ("support", "oppose", "undecided")


@dataclass(frozen=True)
class Lexicon:
    """Precompiled cue lexicon (see ``data/stance_cues.yaml``)."""

    words: dict[str, tuple[str, float]]
    phrases: dict[str, list[tuple[tuple[str, ...], str, float]]]
    decision: frozenset[str]
    participation: frozenset[str]
    objects: frozenset[str]
    force_words: frozenset[str]
    modals: frozenset[str]
    conditions: frozenset[str]
    speech: frozenset[str]
    actor_heads: frozenset[str]
    wish: frozenset[str]
    contributors: frozenset[str]
    means: frozenset[str] = frozenset()
    ending: frozenset[str] = frozenset()
    reversers: frozenset[str] = frozenset()
    continuation: frozenset[str] = frozenset()
    requests: frozenset[str] = frozenset()
    references: frozenset[str] = frozenset()
    deferrals: frozenset[str] = frozenset()
    needs_object: frozenset[str] = frozenset()
    person_heads: frozenset[str] = frozenset()
    org_heads: frozenset[str] = frozenset()
    generic_org_heads: frozenset[str] = frozenset()
    tentative: frozenset[str] = frozenset()
    ejectors: frozenset[str] = frozenset()
    departures: frozenset[str] = frozenset()
    evaluations: dict[str, tuple[str, float]] = field(default_factory=dict)
    evaluators: frozenset[str] = frozenset()
    contributor_nouns: frozenset[str] = frozenset()
    contributor_modifiers: frozenset[str] = frozenset()
    details: frozenset[str] = frozenset()
    stoppers: frozenset[str] = frozenset()
    harms: frozenset[str] = frozenset()
    condemners: frozenset[str] = frozenset()
    casualties: frozenset[str] = frozenset()
    currencies: frozenset[str] = frozenset()
    council_acts: frozenset[str] = frozenset()
    authored: frozenset[str] = frozenset()
    gatherings: frozenset[str] = frozenset()
    journeys: frozenset[str] = frozenset()

    def word(self, lemma: str, pos: str) -> tuple[str, float] | None:
        """Cue entry for a lemma, preferring a POS-restricted entry (``question/VERB``)."""
        entry = self.words.get(f"{lemma}/{pos.lower()}")
        if entry:
            return entry
        entry = self.words.get(lemma)
        return entry if entry and f"{lemma}/" not in self._restricted else None

    @functools.cached_property
    def _restricted(self) -> frozenset[str]:
        return frozenset(k.split("/")[0] + "/" for k in self.words if "/" in k)


@functools.lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Load and precompile the stance cue lexicon (cached)."""
    with open(DATA_DIR / "stance_cues.yaml", encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    words: dict[str, tuple[str, float]] = {}
    phrases: dict[str, list[tuple[tuple[str, ...], str, float]]] = {}
    for stance in STANCES:
        for lemma, weight in (data.get(stance) or {}).items():
            words[str(lemma).lower()] = (stance, float(weight))
        for phrase, weight in (data.get(f"phrases_{stance}") or {}).items():
            parts = tuple(str(phrase).lower().split())
            phrases.setdefault(parts[0], []).append((parts, stance, float(weight)))
    for entries in phrases.values():
        entries.sort(key=lambda e: -len(e[0]))

    def as_set(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in data.get(key) or [])

    return Lexicon(
        words,
        phrases,
        as_set("decision"),
        as_set("participation"),
        as_set("objects") | as_set("force_words"),
        as_set("force_words"),
        as_set("modals"),
        as_set("conditions"),
        as_set("speech"),
        as_set("actor_heads"),
        as_set("wish"),
        as_set("contributors"),
        as_set("means"),
        as_set("ending"),
        as_set("reversers"),
        as_set("continuation"),
        as_set("requests"),
        as_set("references"),
        as_set("deferrals"),
        as_set("needs_object"),
        as_set("person_heads"),
        as_set("org_heads"),
        as_set("generic_org_heads"),
        as_set("tentative"),
        as_set("ejectors"),
        as_set("departures"),
        {str(k).lower(): (str(v[0]), float(v[1])) for k, v in (data.get("evaluations") or {}).items()},
        as_set("evaluators"),
        as_set("contributor_nouns"),
        as_set("contributor_modifiers"),
        as_set("details"),
        as_set("stoppers"),
        as_set("harms"),
        as_set("condemners"),
        as_set("casualties"),
        as_set("currencies"),
        as_set("council_acts"),
        as_set("authored"),
        as_set("gatherings"),
        as_set("journeys"),
    )
