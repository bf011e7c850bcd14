"""The positions model for the clause route: every actor an article mentions is a candidate.

The same idea and the same trees as :mod:`pipelines.nlp.positions` (the English route), with
features a language without a parse can give, all language-neutral (they name no word of any
language; the words behind them are the language pack's lists):

* the clause rules' own result for the actor (merged stance, confidence, how the actor was found);
* for each mention: what stands before it (a place preposition, a genitive, a passive agent's
  preposition, a "together with" phrase, an actor head or office title), whether it is a demonym
  next to troops, a contingent with a number, the first actor of its clause, in a list clause, in
  parentheses, in quotes, next to a speech verb, before a colon, the host of the article's
  mission; cues of each stance in its clause (before it, after it, how near) and in its sentence,
  negations and conditions in its clause;
* whether its sentence (or a neighbour) is about the force; the number and positions of its
  mentions, the title, the number of candidates.

:func:`decide_clause_positions` applies the shipped model (``data/positions_model_clauses.json``,
trained by ``python -m pipelines.nlp.train_positions --route clauses``) through
:func:`pipelines.nlp.positions.decide_candidates`, exactly as the English route applies its own:
the rules' actors keep their hits, an actor the rules missed is added on its best sentence when the
model is sure enough. Without the file, or when it is not enabled, the rules' hits pass unchanged.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .clause_lexical import LexicalModel, candidate_text, model_from_dict
from .clause_lexical import features as lexical_features
from .clause_stances import ClauseStanceExtractor, _troop_number
from .cues import STANCES
from .entities import Mention
from .gazetteer import DATA_DIR
from .positions import Candidate, Forest, decide_candidates, load_model_file
from .stance_merge import merge_hits
from .stances import Hit, _actor_from_mention

logger = logging.getLogger(__name__)

MODEL_PATH = DATA_DIR / "positions_model_clauses.json"
_CUE_KINDS = (*STANCES, "ending", "decision")
_QUOTES = frozenset({'"', "“", "”", "«", "»", "„"})
_UNSET = object()
_override: object = _UNSET  # a model (or None) set by :func:`use_model` in place of the shipped one
_HOW = (
    "named after the noun cue",
    "passive agent",
    "nearest actor before the cue",
    "actor ending the previous clause",
    "actor after the cue",
    "country of the troops named",
    "reported speaker",
    "previous sentence's actor",
    "antecedent of the relative pronoun",
    "listed after the cue",
    "troops contributed",
)


@dataclass
class _Facts:
    """Per-sentence and per-clause facts of one document, computed once."""

    sents: list  # spaCy sentence spans
    about: list[bool]
    clause_of: dict[int, tuple[int, int, int]]  # token -> (sentence index, clause start, clause end)
    clause_index: dict[tuple[int, int], int]  # clause -> its index in the sentence
    cues: dict[tuple[int, int], list]  # clause -> cue hits
    sent_cues: list[dict[str, int]]
    quotes: list[list[tuple[int, int]]]


def _facts(ex: ClauseStanceExtractor) -> _Facts:
    sents = list(ex.doc.sents)
    out = _Facts(sents, [], {}, {}, {}, [], [])
    for k, sent in enumerate(sents):
        out.about.append(ex._about_force(sent))
        counts = {kind: 0 for kind in _CUE_KINDS}
        for n, (start, end) in enumerate(ex._clauses(sent)):
            out.clause_index[(start, end)] = n
            cues = ex._cues(start, end)
            out.cues[(start, end)] = cues
            for c in cues:
                counts[c.cue.stance] = counts.get(c.cue.stance, 0) + 1
            for i in range(start, end):
                out.clause_of[i] = (k, start, end)
        out.sent_cues.append(counts)
        quotes, opened = [], -1
        for tok in sent:
            if tok.text in _QUOTES:
                if opened < 0:
                    opened = tok.i
                else:
                    quotes.append((opened, tok.i))
                    opened = -1
        out.quotes.append(quotes)
    return out


def gather_candidates(ex: ClauseStanceExtractor, hits: Sequence[Hit]) -> dict[str, Candidate]:
    """Every country, organisation or coalition the document names (office holders give their country)
    and every actor the rules found, with the first token of each mention."""
    out: dict[str, Candidate] = {}
    for m in ex.mentions:
        if m.kind not in ("country", "organisation", "coalition", "person") or m.how == "dateline":
            continue
        actor = _actor_from_mention(m, ex.gaz)
        if actor is None or actor.actor_type == "person":
            continue  # private persons take part only through the rules
        out.setdefault(actor.key, Candidate(actor)).tokens.append(m.token_start)
    for h in hits:
        out.setdefault(h.actor.key, Candidate(h.actor)).hits.append(h)
    council, un = ex.gaz.organisations.get("UNSC"), ex.gaz.organisations.get("UN")
    if (
        council is not None
        and un is not None
        and out.get(f"org:{council.name}", Candidate(None)).hits
        and not out.get(f"org:{un.name}", Candidate(None)).hits
    ):
        out.pop(f"org:{un.name}", None)  # "l'ONU a renouvelé le mandat": the rules read the Council there
    return out


def _mention_features(ex: ClauseStanceExtractor, facts: _Facts, m: Mention) -> dict[str, float]:
    """Features of one mention (see the module docstring)."""
    pack, low, doc = ex.pack, ex.low, ex.doc
    k, start, end = facts.clause_of.get(m.token_start, (0, m.token_start, m.token_end))
    f: dict[str, float] = {}
    f["place_prep"] = float(ex._preceded_by(m, pack.place_preps, start))
    f["genitive"] = float(ex._preceded_by(m, pack.genitive, start))
    f["agent"] = float(ex._preceded_by(m, pack.agent, start))
    f["partner"] = float(ex._with_before(m, start) is not None)
    j = m.token_start - 1
    while j >= start and low[j] in pack.determiners:
        j -= 1
    head = low[j] if j >= start else ""
    f["after_head"] = float(
        head in pack.actor_heads or pack.lemma(head) in pack.actor_heads or head in pack.office_titles
    )
    f["demonym"] = float(m.how == "demonym")
    f["demonym_acts"] = float(m.how == "demonym" and ex._demonym_acts(m))
    f["office"] = float(m.kind == "person")
    f["seat"] = float(m.how == "seat")
    f["compound"] = float(m.how == "compound")
    near = range(max(start, m.token_start - 3), min(end, m.token_end + 3))
    f["troops_near"] = float(any(ex._force_word(low[i]) for i in near if i not in ex.by_token))
    f["number_near"] = float(any(doc[i].like_num and _troop_number(ex._number_text(i)) for i in near))
    first = next(
        (ex.by_token[i] for i in range(start, end) if i in ex.by_token and ex._is_actor_mention(ex.by_token[i])), None
    )
    f["first_in_clause"] = float(first is m)
    f["clause_first"] = float(facts.clause_index.get((start, end), 0) == 0)
    f["list_clause"] = float(bool(ex._list_clause(start, end)[0]))
    f["in_parens"] = float(
        any(doc[i].text == "(" for i in range(start, m.token_start)) or (start > 0 and doc[start - 1].text == "(")
    )
    f["before_colon"] = float(any(doc[i].text == ":" for i in range(m.token_end, min(end + 1, len(doc)))))
    f["host"] = float(m.kind == "country" and m.code in ex.hosts)
    f["negation"] = float(any(low[i] in pack.negation for i in range(start, end)))
    f["condition"] = float(ex._condition(start, end) is not None)
    f["speech_near"] = float(
        any(
            ex._speech_lemma(doc[i], end) in pack.speech
            for i in range(max(start, m.token_start - 4), min(end, m.token_end + 4))
        )
    )
    f["in_quote"] = float(any(a < m.token_start < b for a, b in facts.quotes[k]))
    f["sent_quote"] = float(bool(facts.quotes[k]))
    for kind in _CUE_KINDS:
        cues = [c for c in facts.cues.get((start, end), ()) if c.cue.stance == kind]
        f[f"cue_before_{kind}"] = float(any(c.end <= m.token_start for c in cues))
        f[f"cue_after_{kind}"] = float(any(c.start >= m.token_end for c in cues))
        d = min((min(abs(c.start - m.token_end), abs(m.token_start - c.end)) for c in cues), default=99)
        f[f"cue_near_{kind}"] = 1.0 / (1.0 + d / 3.0) if d < 99 else 0.0
        f[f"sent_cues_{kind}"] = min(facts.sent_cues[k].get(kind, 0), 4) / 4.0
    f["about"] = float(facts.about[k])
    f["prev_about"] = float(k > 0 and facts.about[k - 1])
    f["next_about"] = float(k + 1 < len(facts.about) and facts.about[k + 1])
    f["title"] = float(k == 0)
    return f


def _rule_features(hits: list[Hit]) -> dict[str, float]:
    if not hits:
        return {"rule_none": 1.0}
    ((_, stance, confidence, best, all_hits),) = merge_hits(hits, use_filter=False)
    f = {
        "rule_none": 0.0,
        "r_confidence": confidence,
        "r_log_hits": math.log1p(len(all_hits)),
        "r_own_refusal": float(best.own_refusal),
        "r_condition": float(best.condition is not None),
        "r_classifier": 0.0,
    }
    for s in STANCES:
        f[f"r_{s}"] = float(stance == s)
    how = best.notes[0] if best.notes else ""
    for n, name in enumerate(_HOW):
        f[f"r_how_{n}"] = float(how.startswith(name))
    f["r_negated"] = float(any("negated" in note for note in best.notes))
    return f


def candidate_vector(ex: ClauseStanceExtractor, facts: _Facts, cand: Candidate, n_candidates: int) -> dict[str, float]:
    """All features of one candidate (names are stable; the model lists the ones it uses)."""
    n_sents = max(len(facts.sents), 1)
    f: dict[str, float] = {
        "country": float(cand.actor.actor_type == "country"),
        "organisation": float(cand.actor.actor_type in ("organisation", "coalition")),
        "coalition": float(cand.actor.actor_type == "coalition"),
        "log_mentions": math.log1p(len(cand.tokens)),
        "log_candidates": math.log1p(n_candidates),
    }
    per = []
    for i in cand.tokens:
        m = ex.by_token.get(i)
        if m is not None:
            per.append((_mention_features(ex, facts, m), facts.clause_of.get(i, (0, 0, 0))[0]))
    f["in_title"] = float(any(k == 0 for _, k in per))
    f["only_places"] = float(bool(per) and all(m["place_prep"] or m["genitive"] for m, _ in per))
    f["log_about_mentions"] = math.log1p(sum(1 for m, _ in per if m["about"]))
    f["first_position"] = min((k for _, k in per), default=n_sents) / n_sents
    f["first_about_position"] = min((k for m, k in per if m["about"]), default=n_sents) / n_sents
    near = [m for m, _ in per if m["about"] or m["prev_about"]]
    for prefix, group in (("all_", [m for m, _ in per]), ("near_", near)):
        for key in sorted({key for m in group for key in m}):
            f[prefix + key] = max(m.get(key, 0.0) for m in group)
    f.update(_rule_features(cand.hits))
    return f


def featurize(ex: ClauseStanceExtractor, hits: Sequence[Hit]) -> list[tuple[Candidate, dict[str, float]]]:
    """Candidates of one document with their features."""
    facts = _facts(ex)
    cands = gather_candidates(ex, hits)
    return [(c, candidate_vector(ex, facts, c, len(cands))) for c in cands.values()]


def best_sentence(ex: ClauseStanceExtractor, cand: Candidate):
    """The first sentence about the force that names the candidate, else the first after one, else
    its first mention's."""
    sents = [ex.doc[i].sent for i in cand.tokens]
    for s in sents:
        if ex._about_force(s):
            return s
    for s in sents:
        if s.start > 0 and ex._about_force(ex.doc[s.start - 1].sent):
            return s
    return sents[0] if sents else None


@functools.lru_cache(maxsize=1)
def load_model() -> Forest | None:
    """The trained model, or None (no file, not enabled, or ``PEACEWATCH_POSITIONS=0``)."""
    return load_model_file(MODEL_PATH)


@functools.lru_cache(maxsize=1)
def load_lexical() -> LexicalModel | None:
    """The model file's lexical channel (:mod:`pipelines.nlp.clause_lexical`), or None."""
    if not MODEL_PATH.exists():
        return None
    record = json.loads(MODEL_PATH.read_text(encoding="utf-8")).get("lexical")
    return model_from_dict(record) if record else None


@contextlib.contextmanager
def use_model(model: Forest | None, lexical: LexicalModel | None = None) -> Iterator[None]:
    """Decide with ``model`` (None: the rules alone) and its ``lexical`` channel instead of the
    shipped file inside the block (cross-validation: each fold's articles are analysed by a model
    fitted without them)."""
    global _override
    previous, _override = _override, (model, lexical)
    try:
        yield
    finally:
        _override = previous


def decide_clause_positions(ex: ClauseStanceExtractor, hits: list[Hit]) -> list[Hit]:
    """Apply the shipped model when it is present and enabled (or the one of :func:`use_model`);
    else the rules' hits unchanged."""
    model, lexical = (load_model(), load_lexical()) if _override is _UNSET else _override
    if model is None:
        return hits
    featurized = addable(featurize(ex, hits))
    if lexical is not None:
        for cand, feats in featurized:
            feats.update(lexical_features(lexical, candidate_text(ex, cand.tokens)))
    return decide_candidates(featurized, model, lambda cand: best_sentence(ex, cand))


def addable(featurized: list[tuple[Candidate, dict[str, float]]]) -> list[tuple[Candidate, dict[str, float]]]:
    """Candidates the model may decide on: the rules' actors, and others named at least once outside
    a place or genitive phrase (a place where something happens is no actor: "bei einem Treffen in Rom")."""
    return [(c, f) for c, f in featurized if c.hits or not f.get("only_places")]
