"""From stance hits to the stance records of an article: one per actor and mission.

This is the one function every language's analysis calls after extracting its hits
(:func:`stance_records`): it assigns each hit its mission(s) (:mod:`.missions`), merges hits per
actor *and mission* (:func:`.stance_merge.merge_hits`), and adds each record's ``mission``,
``commitment`` and ``condition`` (:mod:`.commitment`). It returns the article's ``missions`` too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from .commitment import condition_words, cue_phrase, find_cue, hit_commitment, merged_commitment, words_for
from .missions import OTHER, Catalogue, MissionAssigner, load_catalogue
from .stance_merge import merge_hits
from .stances import Hit

logger = logging.getLogger(__name__)


def stance_records(
    doc,
    hits: Sequence[Hit],
    mentions: Sequence,
    *,
    title_len: int = 0,
    language: str | None = "en",
    explain: bool = False,
    catalogue: Catalogue | None = None,
) -> tuple[list[dict], list[str]]:
    """The stance records and the missions of one analysed article.

    Args:
        doc: the parsed document (any spaCy language); its sentences and text are used.
        hits: the stance hits of the document, each with ``sent_start`` set (the character
            offset of its evidence sentence).
        mentions: resolved entity mentions (``kind``, ``code``, ``start``, ``end``); countries
            that host a mission count as signs of it.
        title_len: characters of the doc's text that are the title.
        language: ISO 639-1 code, for the commitment word lists.
        explain: add an ``explanation`` to every record.
        catalogue: the missions (default: the built-in catalogue plus the user's file).

    Returns:
        ``(records, missions)``: records carry ``actor, actor_type, actor_code, stance, mission,
        commitment, condition, evidence, confidence, cue``; ``missions`` is the article's.
    """
    catalogue = catalogue or load_catalogue()
    sentences = [(s.start_char, s.end_char) for s in doc.sents]
    hosts = [(m.start, m.end, m.code) for m in mentions if m.kind == "country" and m.code]
    assigner = MissionAssigner(catalogue, doc.text, sentences, hosts, title_len)
    words = words_for(language)
    actor_spans: dict[int, set[tuple[int, int]]] = {}  # sentence start -> spans of its actors
    codes_by_sentence: dict[int, set[str]] = {}
    for h in hits:
        if h.actor.code:
            codes_by_sentence.setdefault(max(h.sent_start, 0), set()).add(h.actor.code)
    for m in mentions:
        if m.code:
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if (
                span is not None
                and span.sent.start_char in codes_by_sentence
                and m.code in codes_by_sentence[span.sent.start_char]
            ):
                actor_spans.setdefault(span.sent.start_char, set()).add((m.start, m.end))
    assigned: list[tuple[Hit, list[str]]] = []
    why: dict[int, str] = {}
    commitments: dict[int, str | None] = {}
    conditions: dict[int, str | None] = {}
    for h in hits:
        start = max(h.sent_start, 0)
        span = doc.char_span(start, start + 1, alignment_mode="expand")
        sent = span.sent if span is not None else None
        cue_token = find_cue(sent, h.cue) if sent is not None else None
        focus = [(t.idx, t.idx + len(t)) for t in cue_phrase(cue_token)] if cue_token is not None else []
        missions, reason = assigner.for_sentence(start, actor_spans.get(start, ()), focus)
        why[id(h)] = reason
        commitments[id(h)] = hit_commitment(h.stance, cue_token, words, sent)
        conditions[id(h)] = h.condition or condition_words(cue_token, words)
        assigned.append((h, missions))
    on_dominant = {h.actor.key for h, missions in assigned if assigner.dominant in missions}
    groups: dict[str, list[Hit]] = {}
    for h, missions in assigned:
        if h.actor.key in on_dominant and all(assigner.marginal(m) for m in missions):
            # a force named in passing does not split an actor's stance on the article's force
            missions = [assigner.dominant]
            why[id(h)] = "the article's main mission (the one named here is mentioned in passing)"
        for mission in missions:
            groups.setdefault(mission, []).append(h)
    records: list[dict] = []
    for mission, group in groups.items():
        for actor, stance, confidence, best, all_hits in merge_hits(group):
            kept = [h for h in all_hits if h.stance == stance]
            condition = conditions[id(best)] or next((conditions[id(h)] for h in kept if conditions[id(h)]), None)
            record = {
                "actor": actor.name,
                "actor_type": actor.actor_type,
                "actor_code": actor.code,
                "stance": stance,
                "mission": mission,
                "commitment": merged_commitment(stance, [(h.stance, commitments[id(h)]) for h in all_hits]),
                "condition": condition,
                "evidence": best.evidence,
                "confidence": confidence,
                "cue": best.cue,
            }
            if explain:
                record["explanation"] = {
                    "actor_resolution": best.actor.resolution,
                    "cue": best.cue,
                    "sentence": best.evidence,
                    "notes": best.notes,
                    "mechanism": best.mechanism,
                    "mission": f"{mission}: {why[id(best)]}",
                    "hits": [
                        {
                            "stance": h.stance,
                            "cue": h.cue,
                            "confidence": h.confidence,
                            "own_refusal": h.own_refusal,
                            "commitment": commitments[id(h)],
                            "sentence": h.evidence,
                            "mechanism": h.mechanism,
                        }
                        for h in all_hits
                    ],
                }
            records.append(record)
    # a relevant article about no catalogued force is about "other" (Transnistria, ...)
    return records, assigner.article_missions(r["mission"] for r in records) or [OTHER]
