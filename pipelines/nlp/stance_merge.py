"""Merging stance hits into one stance per actor per article (the documented conflict rule)."""

from __future__ import annotations

import logging

from .actor_filter import filter_candidates
from .cues import STANCES
from .stances import Actor, Hit

logger = logging.getLogger(__name__)


def identity(actor: Actor) -> str:
    """Who the actor is, however it was reached: an organisation named in the text and the same
    organisation reached through an office holder ("NATO" and "Mark Rutte" -> NATO) are one actor,
    although their keys differ (``org:NATO`` and the gazetteer id)."""
    if actor.actor_type in ("country", "person"):
        return actor.key
    return f"org:{actor.name}"


def merge_hits(hits: list[Hit], *, use_filter: bool = True) -> list[tuple[Actor, str, float, Hit, list[Hit]]]:
    """One stance per actor, by this rule:

    1. Refusals to send one's OWN troops (negated participation cues) are dropped when the actor
       also supports the force by other means, or when it is otherwise undecided.
    2. Confidences are summed per stance.
    3. Hedges dominate support: if the undecided sum is at least half the support sum (and not
       below the oppose sum), the actor is ``undecided`` (backing an idea without committing
       one's own part is undecided by the annotation definition).
    4. Otherwise the largest sum wins; when oppose is at least the support sum but within 25% of it
       the actor is ``undecided`` (mixed signals). A support sum above the oppose sum stays support
       (round 13: on round 12's parts the stray oppose cues beside a backer's support -- a withdrawal
       of someone else, a conditional exit, a complaint about restrictions -- turned four backers
       undecided, with no annotated undecided among those cases).

    5. With ``use_filter``, the trained actor filter (:mod:`pipelines.nlp.actor_filter`, when its
       model file is present and enabled) drops candidates it scores below its threshold.

    Returns:
        ``(actor, stance, confidence, best_hit, all_hits)`` per actor, in order of first hit.
    """
    by_actor: dict[str, list[Hit]] = {}
    for h in hits:
        by_actor.setdefault(identity(h.actor), []).append(h)
    merged = []
    for actor_hits in by_actor.values():
        totals = {s: 0.0 for s in STANCES}
        has_support = any(h.stance == "support" for h in actor_hits)
        has_undecided = any(h.stance == "undecided" for h in actor_hits)
        kept = [
            h for h in actor_hits if not (h.own_refusal and h.stance == "oppose" and (has_support or has_undecided))
        ]
        for h in kept:
            totals[h.stance] += h.confidence
        if (
            totals["undecided"]
            and totals["undecided"] >= 0.5 * totals["support"]
            and totals["undecided"] >= totals["oppose"]
        ):
            stance = "undecided"
        else:
            stance = max(STANCES, key=lambda s: (totals[s], s == "undecided"))
            if (
                totals["support"]
                and totals["oppose"] >= totals["support"]
                and abs(totals["support"] - totals["oppose"]) < 0.25 * max(totals["support"], totals["oppose"])
            ):
                stance = "undecided"
        candidates = [h for h in kept if h.stance == stance] or kept
        best = max(candidates, key=lambda h: h.confidence)
        share = totals[stance] / (sum(totals.values()) or 1.0)
        confidence = round(min(1.0, best.confidence + 0.05 * (len(candidates) - 1)) * max(share, 0.5), 2)
        merged.append((best.actor, stance, confidence, best, actor_hits))
    return filter_candidates(merged) if use_filter else merged
