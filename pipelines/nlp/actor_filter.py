"""A trained filter over the rules' candidate positions: is this actor really taking a position here?

The rules (:mod:`pipelines.nlp.stances`) propose (actor, stance) candidates per article; some
actors are invented (a place named as a meeting's venue, a pronoun resolved to the wrong actor,
background history). This module scores each merged candidate with a small logistic regression
over features of how the rules found it (the path, how the actor was resolved, whether the sentence
was searched only because it follows one about the force, how often the actor is named...) and
drops candidates scored below the trained threshold.

The weights live in ``data/actor_filter.json``, written by :mod:`pipelines.nlp.train_actor_filter`
(``make train``) from the annotated corpus dev split only; the file records its data, seed and
cross-validated scores. Without the file (or with ``PEACEWATCH_ACTOR_FILTER=0``) nothing is
filtered. Scoring is a dot product over ~30 numbers per candidate: no dependency, no cost.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from dataclasses import dataclass

from .gazetteer import DATA_DIR

logger = logging.getLogger(__name__)

MODEL_PATH = DATA_DIR / "actor_filter.json"
_HOWS = ("subject", "modifier", "agent", "antecedent", "noun the clause", "actors right before", "speaker")
_RESOLUTIONS = {
    "pronoun": ("it ->", "they ->", "he ->", "she ->", "his ->", "her ->", "their ->", "we ->", "its ->", "them ->"),
    "role": ("most mentioned holder",),
    "organisation_reference": ("organisation named last",),
    "group": ("(member of the",),
    "title": ("(title in the text)",),
    "metonymy": ("(capital)", "(seat)"),
    "demonym": ("(demonym)",),
}


def candidate_features(actor, stance: str, confidence: float, best, hits: list) -> dict[str, float]:
    """Features of one merged candidate (actor, stance) from the hits the rules produced for it.

    Args:
        actor: the :class:`~pipelines.nlp.stances.Actor`.
        stance: the merged stance.
        confidence: the merged confidence.
        best: the strongest hit of the winning stance.
        hits: all hits of the actor in the article.

    Returns:
        Feature name -> value (names are stable; the model file lists the ones it uses).
    """
    ctx = best.context
    how = str(ctx.get("how", ""))
    resolution = best.actor.resolution
    f = {
        "log_hits": math.log1p(len(hits)),
        "confidence": confidence,
        "best_confidence": best.confidence,
        "country": float(actor.actor_type == "country"),
        "organisation": float(actor.actor_type in ("organisation", "coalition")),
        "person": float(actor.actor_type == "person"),
        "support": float(stance == "support"),
        "oppose": float(stance == "oppose"),
        "undecided": float(stance == "undecided"),
        "carried": float(ctx.get("carried", 0.0)),
        "all_carried": float(all(h.context.get("carried", 0.0) for h in hits)),
        "position": float(ctx.get("position", 0.0)),
        "quote": float(ctx.get("quote", 0.0)),
        "log_mentions": math.log1p(float(ctx.get("mentions", 0.0))),
        "in_title": float(ctx.get("in_title", 0.0)),
        "pronoun_subject": float(ctx.get("pronoun", 0.0)),
        "negated": float(ctx.get("negated", 0.0)),
        "own_refusal": float(best.own_refusal),
        "condition": float(best.condition is not None),
        "path_len": min(float(ctx.get("path_len", 1.0)), 6.0) / 6.0,
        "cue_noun": float(ctx.get("cue_pos") == "NOUN"),
        "cue_adj": float(ctx.get("cue_pos") == "ADJ"),
        "via_person": float(best.actor.via_person),
        "special_rule": float(not how),  # "no X troops", hyphen compounds, "the same"
    }
    for name in _HOWS:
        f["how_" + name.split()[0]] = float(how.startswith(name))
    for name, marks in _RESOLUTIONS.items():
        f["resolved_" + name] = float(any(m in resolution for m in marks))
    return f


@dataclass(frozen=True)
class ActorFilter:
    """A logistic regression over :func:`candidate_features` with a decision threshold."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    means: tuple[float, ...]
    scales: tuple[float, ...]

    def score(self, feats: dict[str, float]) -> float:
        """Probability that the candidate is a position the text reports."""
        z = self.bias + sum(
            w * (feats.get(name, 0.0) - m) / s
            for name, w, m, s in zip(self.features, self.weights, self.means, self.scales)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@functools.lru_cache(maxsize=1)
def load_filter() -> ActorFilter | None:
    """The trained filter, or None (no model file, or ``PEACEWATCH_ACTOR_FILTER=0``)."""
    from peacewatch.settings import load_settings

    if not load_settings().actor_filter or not MODEL_PATH.exists():
        return None
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    if not data.get("enabled", True):
        return None
    return ActorFilter(
        tuple(data["features"]),
        tuple(data["weights"]),
        float(data["bias"]),
        float(data["threshold"]),
        tuple(data["means"]),
        tuple(data["scales"]),
    )


def filter_candidates(merged: list[tuple], model: ActorFilter | None = None) -> list[tuple]:
    """Drop merged candidates the filter scores below its threshold; the kept ones' best hit
    records the score in its ``mechanism`` (shown by ``--explain``)."""
    model = model or load_filter()
    if model is None:
        return merged
    kept = []
    for actor, stance, confidence, best, hits in merged:
        p = model.score(candidate_features(actor, stance, confidence, best, hits))
        if p < model.threshold:
            logger.debug("actor filter drops %s %s (%.2f)", actor.name, stance, p)
            continue
        if "actor filter" not in best.mechanism:
            best.mechanism += f"; actor filter {p:.2f} >= {model.threshold:.2f} (kept)"
        kept.append((actor, stance, confidence, best, hits))
    return kept
