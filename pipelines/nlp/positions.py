"""Positions by construction: every actor an article mentions is a candidate; a trained model decides.

The rules (:mod:`pipelines.nlp.stances`) attach stance cues to actors through the parse; they miss
actors whose position is stated without a cue they know next to them, and invent some. This module
makes a candidate of every actor the article mentions (countries by name, capital, seat, demonym,
group membership or an office holder; organisations and coalitions) plus every actor the rules
found, and describes each with features that do not depend on particular words of any article:

* the rules' own result for that actor (merged stance, confidence, how the actor was found), as
  features, not as the final word;
* each mention's syntactic role (subject, passive agent, possessive, modifier of a troop noun,
  member of a list introduced by *including / such as / from / comprising*, place adjunct, object),
  the verb governing it (a cue of which stance, a speech or vote verb, negated, modal), cue words
  of each stance in its sentence and how near they are, quotes, the title, the dateline;
* whether its sentence (or a neighbour) is about the force, and counts and positions of mentions;
* the article's dominant mission (from the mission catalogue's names and keywords) and whether the
  actor hosts it: the rules were written mostly on some missions' articles and are surer there,
  and a host named as the force's place is not taking a position.

Round 7: the words themselves join as four features, the probabilities of a lexical channel
(:mod:`pipelines.nlp.position_words`) over the candidate's sentences; the model file also holds the
trees without them (``plain``), and an actor the rules did not find is added when either adds it.

A small model trained by :mod:`pipelines.nlp.train_positions` (``make train``) on the repository's
annotated corpus scores each candidate: the probability that it takes a position and which one.
The model is a JSON file of boosted regression trees (arrays), evaluated here in pure Python; no
machine-learning library is needed at run time. :func:`decide_positions` turns the decisions into
stance :class:`~pipelines.nlp.stances.Hit`\\ s that flow through
:func:`~pipelines.nlp.stance_records.stance_records` like the rules' hits: the rules' hits of a
kept actor stay (with the model's score in their mechanism), the hits of a rejected actor are
dropped, and an actor the rules did not find gets one hit on its best sentence.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .actor_filter import candidate_features as rule_features
from .cues import STANCES
from .entities import not_the_country as _not_the_country
from .gazetteer import DATA_DIR
from .position_words import FEATURE_PREFIX as WORDS_PREFIX
from .position_words import DocumentWords, WordsModel, candidate_terms, load_words_model
from .position_words import features as word_features
from .stance_merge import merge_hits
from .stances import Actor, Hit, StanceExtractor, council_for_mandates

logger = logging.getLogger(__name__)

MODEL_PATH = DATA_DIR / "positions_model.json"
LABELS = ("none", *STANCES)

_TROOP_WORDS = frozenset(
    {
        "troop",
        "soldier",
        "peacekeeper",
        "force",
        "contingent",
        "personnel",
        "boot",
        "police",
        "officer",
        "unit",
        "battalion",
        "brigade",
        "army",
        "military",
        "staff",
    }
)
_LIST_PREPS = frozenset({"including", "like", "as", "among", "from", "comprising", "with", "of"})
_LIST_WORDS = frozenset({"including", "include", "such", "comprise", "comprising", "among", "from"})
_VOTE_WORDS = frozenset({"vote", "abstain", "abstention", "veto", "favour", "favor", "unanimously", "unanimous"})
_QUOTES = frozenset({'"', "“", "”", "«", "»"})
_MODALS = frozenset({"may", "might", "could", "would", "can", "should", "must"})
# lexicon word classes whose presence in a sentence / under the governing verb are features
_WORD_CLASSES = (
    "ending",
    "means",
    "tentative",
    "contributors",
    "wish",
    "council_acts",
    "stoppers",
    "deferrals",
    "requests",
    "participation",
    "speech",
)


def _word_classes(lex) -> dict[str, frozenset[str]]:
    """Lemma -> the word classes of :data:`_WORD_CLASSES` it belongs to (single words only)."""
    out: dict[str, set[str]] = {}
    for name in _WORD_CLASSES:
        for word in getattr(lex, name, ()):
            if " " not in word:
                out.setdefault(word, set()).add(name)
    return {w: frozenset(c) for w, c in out.items()}


# Mention features read off the dependency parse (English route). The rest (sentence facts, cue and
# word-class counts, quotes, positions, the rules' results, the actor's type and counts) only need
# tokens, lemmas and a lexicon, so a route without a parse can compute them and share the model
# file format and the trainer (``train_positions --features neutral``).
PARSE_FEATURES = frozenset(
    {
        "subj",
        "subjpass",
        "agent",
        "poss",
        "modifier",
        "mod_troops",
        "list_prep",
        "of_prep",
        "place",
        "dobj",
        "appos",
        "listed",
        "siblings",
    }
)
PARSE_PREFIXES = ("gov_", "cue_above_", "sib_rule_")
_ROW_PREFIXES = ("all_", "near_", "m_", "a_")


def is_parse_feature(name: str) -> bool:
    """Whether a feature name (with its row prefix) needs a dependency parse."""
    base = name
    for prefix in _ROW_PREFIXES:
        if base.startswith(prefix):
            base = base[len(prefix) :]
            break
    return base in PARSE_FEATURES or base.startswith(PARSE_PREFIXES)


@dataclass
class Candidate:
    """One actor of one article: its mentions (token indices) and the rules' hits for it."""

    actor: Actor
    tokens: list[int] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    via_group: float = 0.0  # named only as a member of a group ("the Baltic states")


@dataclass
class _Sentences:
    """Per-sentence facts of one document, computed once."""

    starts: list[int]
    about: list[bool]
    objects: list[bool]
    cue_tokens: list[dict[str, list[int]]]
    negations: list[int]
    votes: list[bool]
    lists: list[bool]
    quote_spans: list[list[tuple[int, int]]]
    sent_of: dict[int, int]
    # word classes of the lexicon present in each sentence (see _WORD_CLASSES)
    classes: list[frozenset[str]] = field(default_factory=list)
    # the rules' hits by sentence: sentence index -> stance -> keys of the actors holding it there
    rule_sents: dict[int, dict[str, set[str]]] = field(default_factory=dict)
    # the article's dominant mission by the catalogue's signs in its text ("none" below the bar)
    mission: str = "none"
    hosts: frozenset[str] = frozenset()  # ISO codes of the countries that host that mission
    # verb token -> whether its subtree names the force (filled by _verb_about_force)
    verb_about: dict[int, bool] = field(default_factory=dict)


def _sentence_index(facts: _Sentences, char: int) -> int:
    """Index of the sentence that starts at or before character ``char``."""
    import bisect

    return max(bisect.bisect_right(facts.starts, char) - 1, 0)


def _add_rule_context(facts: _Sentences, hits: Sequence[Hit]) -> None:
    for h in hits:
        k = _sentence_index(facts, h.sent_start)
        facts.rule_sents.setdefault(k, {}).setdefault(h.stance, set()).add(h.actor.key)


_CLASS_CACHE: dict[int, dict[str, frozenset[str]]] = {}


def _lexicon_classes(lex) -> dict[str, frozenset[str]]:
    """:func:`_word_classes` of ``lex``, computed once per lexicon object."""
    got = _CLASS_CACHE.get(id(lex))
    if got is None:
        got = _CLASS_CACHE[id(lex)] = _word_classes(lex)
    return got


def _sentence_facts(ex: StanceExtractor) -> _Sentences:
    doc, lex = ex.doc, ex.lex
    sents = list(doc.sents)
    out = _Sentences([], [], [], [], [], [], [], [], {})
    word_classes = _lexicon_classes(lex)
    for k, sent in enumerate(sents):
        present: set[str] = set()
        out.starts.append(sent.start_char)
        out.about.append(ex._about_force(sent, strict=True))
        out.objects.append(ex._about_force(sent))
        cues: dict[str, list[int]] = {s: [] for s in STANCES}
        neg = 0
        vote = listing = False
        quotes: list[tuple[int, int]] = []
        opened = -1
        for tok in sent:
            out.sent_of[tok.i] = k
            lemma = tok.lemma_.lower()
            if tok.pos_ in ("VERB", "NOUN", "ADJ") and tok.i not in ex.by_token:
                entry = lex.word(lemma, tok.pos_)
                if entry:
                    cues[entry[0]].append(tok.i)
            if tok.dep_ == "neg" or tok.lower_ in ("no", "never", "neither", "nor"):
                neg += 1
            vote = vote or lemma in _VOTE_WORDS
            listing = listing or lemma in _LIST_WORDS
            present.update(word_classes.get(lemma, ()))
            if tok.text in _QUOTES:
                if opened < 0:
                    opened = tok.i
                else:
                    quotes.append((opened, tok.i))
                    opened = -1
        out.cue_tokens.append(cues)
        out.negations.append(neg)
        out.votes.append(vote)
        out.lists.append(listing)
        out.classes.append(frozenset(present))
        out.quote_spans.append(quotes)
    return out


def gather_candidates(ex: StanceExtractor, hits: Sequence[Hit]) -> dict[str, Candidate]:
    """Every actor the document mentions (and every actor the rules found), with its mentions."""
    out: dict[str, Candidate] = {}
    for i, m in sorted(ex.by_token.items()):
        if i != m.token_start:
            continue
        for actor in ex._mention_actors(ex.doc[i]):
            if actor.actor_type == "person":
                continue  # private persons take part only through the rules
            cand = out.setdefault(actor.key, Candidate(actor))
            cand.tokens.append(m.token_end - 1)
            if m.kind == "group":
                cand.via_group = max(cand.via_group, 1.0 / len(m.members))
    for h in hits:
        out.setdefault(h.actor.key, Candidate(h.actor)).hits.append(h)
    return out


def coordinations(ex: StanceExtractor, cands: Sequence[Candidate]) -> list[frozenset[int]]:
    """Per candidate, the coordinations ("A, B and C": one ``conj`` chain, named by the token index of
    its first conjunct; a mention's compounds climbed first, as :func:`_anchor`) it is a member of,
    counting those that hold at least two of ``cands``."""
    doc = ex.doc
    chains: dict[int, set[int]] = {}
    mine: list[set[int]] = []
    for n, cand in enumerate(cands):
        heads: set[int] = set()
        for i in cand.tokens:
            tok = doc[i]
            while tok.dep_ == "compound" and tok.head.i != tok.i:
                tok = tok.head
            if not tok.conjuncts:
                continue
            while tok.dep_ == "conj" and tok.head.i != tok.i:
                tok = tok.head
            heads.add(tok.i)
            chains.setdefault(tok.i, set()).add(n)
        mine.append(heads)
    return [frozenset(h for h in heads if len(chains[h]) > 1) for heads in mine]


def pool_lists(
    probs: Sequence[Sequence[float]], found: Sequence[bool], lists: Sequence[frozenset[int]], how: str, none: int = 0
) -> list[Sequence[float]]:
    """One add decision per coordination: each candidate the rules did not find (``found`` false) in
    a coordination (``lists``, from :func:`coordinations`) takes the probability of holding a
    position (1 - p(none)) pooled over the coordination's candidates, the rules' included (``how``
    "max" or "mean"; in a candidate of several coordinations, the highest pool); its stances keep
    their own proportions (a list's members may differ in stance). ``probs`` are class probability
    rows, the class ``none`` at column ``none``; the others' rows are returned unchanged, as are all
    with ``how`` empty."""
    if not how:
        return list(probs)
    members: dict[int, list[float]] = {}
    for n, heads in enumerate(lists):
        for h in heads:
            members.setdefault(h, []).append(1.0 - probs[n][none])
    out = list(probs)
    for n, heads in enumerate(lists):
        own = 1.0 - probs[n][none]
        if found[n] or not heads or own <= 0.0:
            continue
        pooled = max(max(members[h]) if how == "max" else sum(members[h]) / len(members[h]) for h in heads)
        out[n] = [1.0 - pooled if c == none else v * pooled / own for c, v in enumerate(probs[n])]
    return out


def _anchor(doc, i: int):
    """The mention's syntactic head: compounds climbed, then the first conjunct of a list."""
    tok = doc[i]
    while tok.dep_ == "compound" and tok.head.i != tok.i:
        tok = tok.head
    listed = bool(tok.conjuncts)
    while tok.dep_ in ("conj", "appos") and tok.head.i != tok.i:
        tok = tok.head
    return tok, listed


_WHERE_PREPS = frozenset({"in", "at", "near", "outside", "inside", "within", "around"})


def _governing_verb(tok):
    """The verb above a token (at most four steps up), or None."""
    v, steps = tok, 0
    while v.head.i != v.i and v.pos_ not in ("VERB", "AUX") and steps < 4:
        v, steps = v.head, steps + 1
    return v if v.pos_ in ("VERB", "AUX") else None


def addable(ex: StanceExtractor, cand: Candidate) -> bool:
    """Whether the model may add a candidate the rules did not find: some mention of it is neither
    only the place where something happens ("at a meeting in London") nor in background history
    ("In 2006, Italy sent ..."), the rules' own definitions of mentions that hold no position, nor
    (round 6) a casualty report ("a Kenyan peacekeeper was killed") or a currency ("U.S. dollars"),
    nor (round 7) the subject of a plain past-tense deployment in a sentence not about the force
    (the rules' ``_factual_report``: news, not a stance) or the UN acting on a mandate (the
    Council's act)."""
    for i in cand.tokens:
        if ex.doc[i].head.lemma_.lower() in ex.lex.currencies:
            continue  # "90 million U.S. dollars": a unit
        anchor, _ = _anchor(ex.doc, i)
        if anchor.dep_ == "pobj" and anchor.head.lower_ in _WHERE_PREPS:
            continue
        if anchor.dep_ == "pobj" and anchor.head.lower_ == "from" and ex._is_ending(anchor.head.head):
            continue  # "the withdrawal of the force from Mozambique": the place it leaves (as the rules)
        gov = _governing_verb(anchor)
        if gov is not None and (ex._background([gov]) or _casualty(gov, ex.lex.casualties)):
            continue
        if gov is not None and ex._factual_report(gov) and not ex._about_force(gov.sent, strict=True):
            continue  # round 7: "Russia deployed more troops near Kharkiv" after a sentence about the force (news)
        if gov is not None and _council_act(ex, gov) and council_for_mandates(cand.actor, ex.gaz).key != cand.actor.key:
            continue  # round 7: "the UN extended the mandate" is the Security Council's act (as the rules read it)
        if _casualty_noun(anchor, ex.lex.casualties):
            continue
        return True
    return not cand.tokens and bool(cand.hits)


def _council_act(ex: StanceExtractor, verb) -> bool:
    """Whether ``verb`` acts on a mandate or resolution ("extended the mandate"), which the rules give to
    the Security Council when the UN is its subject (:func:`~pipelines.nlp.stances.council_for_mandates`)."""
    return verb.lemma_.lower() in ex.lex.council_acts and any(
        c.lemma_.lower() in ("mandate", "resolution") for c in verb.children if c.dep_ in ("dobj", "nsubjpass")
    )


def _casualty_noun(tok, casualties: frozenset[str]) -> bool:
    """Whether the noun a mention belongs to is described as casualties ("soldiers from A and B who
    were killed", "troops from A killed in an ambush"): it or a noun above it (at most two steps up)
    has a relative or participle clause with a casualty verb (the parser often hangs the clause on
    the list's first name)."""
    noun = tok
    for _ in range(3):
        if noun.pos_ in ("NOUN", "PROPN") and any(
            c.dep_ in ("relcl", "acl") and c.lemma_.lower() in casualties for c in noun.children
        ):
            return True
        if noun.head.i == noun.i:
            break
        noun = noun.head
    return False


def _casualty(verb, casualties: frozenset[str]) -> bool:
    """Whether ``verb`` reports casualties ("a Kenyan peacekeeper was killed"), also through a
    participle that lists them ("two were injured, including a Ghanaian")."""
    for _ in range(3):
        if verb.lemma_.lower() in casualties:
            return True
        if verb.tag_ != "VBG" or verb.head.i == verb.i:
            return False
        verb = _governing_verb(verb.head) or verb
    return False


def _path_up(token, stop, limit: int = 5) -> list:
    """``token`` and its heads up to ``stop`` (included) or ``limit`` steps."""
    out = [token]
    while token.head.i != token.i and len(out) <= limit and (stop is None or token.i != stop.i):
        token = token.head
        out.append(token)
    return out


def _context_features(ex: StanceExtractor, facts: _Sentences, i: int, key: str, anchor) -> dict[str, float]:
    """What the rules found around one mention of actor ``key``: its own hits in this sentence, other
    actors' hits in this sentence, and hits of the actors coordinated with it ("A, B and C")."""
    k = facts.sent_of.get(i, 0)
    here = facts.rule_sents.get(k, {})
    f: dict[str, float] = {"own_rule_here": float(any(key in keys for keys in here.values()))}
    siblings: set[str] = set()
    for t in (anchor, *anchor.conjuncts):
        if t.i != i:
            siblings.update(a.key for a in ex._mention_actors(t) if a.key != key)
    f["siblings"] = float(bool(siblings))
    for s in STANCES:
        keys = here.get(s, set())
        f[f"sent_rule_{s}"] = float(bool(keys - {key}))
        f[f"sib_rule_{s}"] = float(bool(keys & siblings))
    return f


def _mention_features(ex: StanceExtractor, facts: _Sentences, i: int, key: str | None = None) -> dict[str, float]:
    """Features of one mention (token ``i``, the last token of the name) of actor ``key``."""
    doc, lex = ex.doc, ex.lex
    tok = doc[i]
    k = facts.sent_of.get(i, 0)
    anchor, listed = _anchor(doc, i)
    dep = anchor.dep_
    head = anchor.head
    f: dict[str, float] = {}
    f["subj"] = float(dep in ("nsubj", "csubj"))
    f["subjpass"] = float(dep == "nsubjpass")
    f["agent"] = float(dep == "pobj" and head.dep_ == "agent")
    f["poss"] = float(dep == "poss")
    f["modifier"] = float(doc[i].dep_ in ("amod", "compound", "nmod") or dep in ("amod", "nmod"))
    mod_head = doc[i].head if doc[i].dep_ in ("amod", "compound", "nmod", "poss") else None
    f["mod_troops"] = float(mod_head is not None and mod_head.lemma_.lower() in _TROOP_WORDS)
    # round 6: mentions that name no actor (a casualty's nationality, a currency, an ethnic group, a venue)
    gov = _governing_verb(anchor)  # the verb that governs the mention
    f["casualty"] = float(
        (gov is not None and _casualty(gov, lex.casualties)) or _casualty_noun(anchor, lex.casualties)
    )
    f["currency"] = float(doc[i].head.lemma_.lower() in lex.currencies)
    m = ex.by_token.get(i)
    f["not_the_country"] = float(m is not None and m.kind == "country" and _not_the_country(doc, m))
    prep = head.lower_ if dep == "pobj" else ""
    f["list_prep"] = float(
        (prep in _LIST_PREPS and prep not in ("of", "with"))
        or (prep == "as" and head.i > 0 and doc[head.i - 1].lower_ == "such")
    )
    f["of_prep"] = float(prep == "of")
    f["place"] = float(ex._place_adjunct(tok))
    f["dobj"] = float(dep in ("dobj", "dative"))
    f["appos"] = float(doc[i].dep_ == "appos" or (anchor.i != i and any(t.dep_ == "appos" for t in [doc[i]])))
    f["listed"] = float(listed)
    f["dateline"] = 0.0
    for s in STANCES:
        f[f"gov_{s}"] = 0.0
    # round 10: named as present at a meeting (a gathering word on the path up to the governing verb)
    f["gov_gathering"] = float(any(t.lemma_.lower() in lex.gatherings for t in _path_up(anchor, gov)))
    if gov is not None:
        entry = lex.word(gov.lemma_.lower(), gov.pos_)
        if entry:
            f[f"gov_{entry[0]}"] = 1.0
        f["gov_speech"] = float(gov.lemma_.lower() in lex.speech)
        f["gov_participation"] = float(gov.lemma_.lower() in lex.participation)
        f["gov_negated"] = float(any(c.dep_ == "neg" for c in gov.children))
        f["gov_modal"] = float(any(c.dep_ == "aux" and c.lower_ in _MODALS for c in gov.children))
        f["gov_past"] = float(gov.tag_ == "VBD")
        f["gov_vote"] = float(gov.lemma_.lower() in _VOTE_WORDS)
        f["gov_root"] = float(gov.dep_ == "ROOT")
        f["gov_about"] = float(_verb_about_force(ex, facts, gov))
    # cue words above the mention (on its path to the root) and near it
    above: set[int] = set()
    t = anchor
    while t.head.i != t.i:
        t = t.head
        above.add(t.i)
    for s, idx in facts.cue_tokens[k].items():
        f[f"cue_above_{s}"] = float(any(j in above for j in idx))
        d = min((abs(j - i) for j in idx), default=99)
        f[f"cue_near_{s}"] = 1.0 / (1.0 + d / 3.0) if d < 99 else 0.0
        f[f"cue_count_{s}"] = min(len(idx), 4) / 4.0
    f["sent_negations"] = min(facts.negations[k], 3) / 3.0
    f["sent_vote"] = float(facts.votes[k])
    f["sent_list"] = float(facts.lists[k])
    for name in _WORD_CLASSES:
        f[f"sent_has_{name}"] = float(name in facts.classes[k])
    f["in_quote"] = float(any(a < i < b for a, b in facts.quote_spans[k]))
    f["sent_quote"] = float(bool(facts.quote_spans[k]))
    f["about"] = float(facts.about[k])
    f["objects"] = float(facts.objects[k])
    f["prev_about"] = float(k > 0 and facts.about[k - 1])
    f["next_about"] = float(k + 1 < len(facts.about) and facts.about[k + 1])
    if key is not None:
        f.update(_context_features(ex, facts, i, key, anchor))
    return f


def _maxima(group: Sequence[dict[str, float]]) -> dict[str, float]:
    """Each feature's maximum over some mentions' features (0.0 for a mention without it), by name."""
    if len(group) == 1:  # most candidates are named once
        (only,) = group
        return {key: only[key] for key in sorted(only)}
    return {key: max([m.get(key, 0.0) for m in group]) for key in sorted({key for m in group for key in m})}


def _verb_about_force(ex: StanceExtractor, facts: _Sentences, verb) -> bool:
    """Whether the clause of ``verb`` (its subtree) names the force, read once per verb and document
    (mentions often share their governing verb)."""
    got = facts.verb_about.get(verb.i)
    if got is None:
        got = facts.verb_about[verb.i] = ex._about_force(verb.subtree, strict=True)
    return got


def _rule_features(actor: Actor, hits: list[Hit]) -> dict[str, float]:
    if not hits:
        return {"rule_none": 1.0}
    ((_, stance, confidence, best, all_hits),) = merge_hits(hits, use_filter=False)
    f = {"r_" + k: v for k, v in rule_features(actor, stance, confidence, best, all_hits).items()}
    f["rule_none"] = 0.0
    # how the hits divide between the stances (the merge keeps one; the model sees all)
    total = sum(h.confidence for h in hits) or 1.0
    first = min(hits, key=lambda h: h.sent_start)
    for s in STANCES:
        mine = [h for h in hits if h.stance == s]
        f[f"hits_{s}"] = min(len(mine), 4) / 4.0
        f[f"share_{s}"] = sum(h.confidence for h in mine) / total
        f[f"first_{s}"] = float(first.stance == s)
    return f


def candidate_vector(
    ex: StanceExtractor,
    facts: _Sentences,
    cand: Candidate,
    n_candidates: int,
    title_end: int,
    cache: dict[int, dict[str, float]] | None = None,
) -> dict[str, float]:
    """All features of one candidate (names are stable; the model lists the ones it uses).
    ``cache`` (token -> mention features) is filled for :func:`sentence_vectors`."""
    doc = ex.doc
    n_sents = max(len(facts.starts), 1)
    f: dict[str, float] = {
        "country": float(cand.actor.actor_type == "country"),
        "organisation": float(cand.actor.actor_type in ("organisation", "coalition")),
        "coalition": float(cand.actor.actor_type == "coalition"),
        "person": float(cand.actor.actor_type == "person"),
        "via_group": cand.via_group,
        "log_mentions": math.log1p(len(cand.tokens)),
        "log_candidates": math.log1p(n_candidates),
        "in_title": float(any(doc[i].idx < title_end for i in cand.tokens)),
        "mission_" + facts.mission: 1.0,
        "mission_host": float(bool(cand.actor.code) and cand.actor.code in facts.hosts),
    }
    cache = {} if cache is None else cache
    for i in cand.tokens:
        if i not in cache:
            cache[i] = _mention_features(ex, facts, i, cand.actor.key)
    per = [(cache[i], facts.sent_of.get(i, 0)) for i in cand.tokens]
    near = [m for m, k in per if m["about"] or m["prev_about"]]
    f["log_about_mentions"] = math.log1p(sum(1 for m, _ in per if m["about"]))
    f["first_position"] = min((k for _, k in per), default=n_sents) / n_sents
    f["first_about_position"] = min((k for m, k in per if m["about"]), default=n_sents) / n_sents
    for prefix, group in (("all_", [m for m, _ in per]), ("near_", near)):
        for key, v in _maxima(group).items():
            f[prefix + key] = v
    f.update(_rule_features(cand.actor, cand.hits))
    return f


@dataclass(frozen=True)
class Forest:
    """Boosted regression trees for several classes (softmax over the summed leaf values)."""

    features: tuple[str, ...]
    classes: tuple[str, ...]
    base: tuple[float, ...]
    rate: float
    trees: tuple[tuple[tuple[int, ...], tuple[float, ...], tuple[int, ...], tuple[int, ...], tuple[float, ...]], ...]
    tree_class: tuple[int, ...]
    threshold: float
    use_rule_label: bool
    add_threshold: float = 0.0  # an actor the rules did not find needs this much (at least ``threshold``)
    unit: str = (
        "candidate"  # what one row is: "candidate" (an actor of an article) or "sentence" (an actor in a sentence)
    )
    # without use_rule_label: the model relabels a kept actor of the rules when its label's probability
    # exceeds that of the rules' label by at least this much
    label_margin: float = 0.0
    label_conflicts: bool = False  # ... and only when the rules' own hits for the actor disagree
    # an actor the rules did not find is added only when its most likely stance is this probable too
    add_label_threshold: float = 0.0
    # round 7: the trees without the lexical channel's features; an actor the rules did not find is
    # added when either these or the trees above add it (see :func:`adds`)
    plain: Forest | None = None
    # round 11: the actors of one coordination ("A, B and C") the rules did not find get one add
    # decision, these pooled probabilities ("max", "mean"; "" keeps each its own; see :func:`pool_lists`)
    list_pool: str = ""

    def adds(self, probs: dict[str, float]) -> bool:
        """Whether these probabilities add an actor the rules did not find (position and stance)."""
        p = 1.0 - probs.get("none", 0.0)
        top = max((probs.get(s, 0.0) for s in STANCES), default=0.0)
        return p >= max(self.threshold, self.add_threshold) and top >= self.add_label_threshold

    def probabilities(self, feats: dict[str, float]) -> dict[str, float]:
        """Class probabilities of one feature dict."""
        x = [feats.get(name, 0.0) for name in self.features]
        scores = list(self.base)
        for leaf, cls in self._compiled_trees:
            scores[cls] += leaf(x)
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps)}

    @functools.cached_property
    def _compiled_trees(self) -> tuple[tuple[Callable[[list[float]], float], int], ...]:
        """Each tree as a function of the feature vector that returns its leaf's value times the rate,
        with its class: the tree's splits as nested conditional expressions, compiled once per model
        (the same comparisons and sums as walking the arrays, about twice as fast)."""
        return tuple(
            (eval(f"lambda x: {_tree_expression(tree, self.rate)}"), cls)  # source of numbers only
            for tree, cls in zip(self.trees, self.tree_class)
        )

    def __getstate__(self) -> dict:
        """The fields only: the compiled trees (functions) do not pickle and are rebuilt on use."""
        return {k: v for k, v in self.__dict__.items() if k != "_compiled_trees"}

    def contributions(self, feats: dict[str, float], cls: str, top: int = 3) -> list[tuple[str, float]]:
        """The features whose splits moved class ``cls``'s score most (Saabas-style path credit)."""
        x = [feats.get(name, 0.0) for name in self.features]
        target = self.classes.index(cls)
        credit: dict[str, float] = {}
        for (feature, threshold, left, right, value), c in zip(self.trees, self.tree_class):
            if c != target:
                continue
            node = 0
            while left[node] >= 0:
                nxt = left[node] if x[feature[node]] <= threshold[node] else right[node]
                name = self.features[feature[node]]
                credit[name] = credit.get(name, 0.0) + self.rate * (value[nxt] - value[node])
                node = nxt
        return sorted(credit.items(), key=lambda kv: -abs(kv[1]))[:top]


def _tree_expression(tree, rate: float, node: int = 0) -> str:
    """One tree of a :class:`Forest` as a Python expression over the feature vector ``x`` whose
    value is the reached leaf's value times ``rate`` (:attr:`Forest._compiled_trees`)."""
    feature, threshold, left, right, value = tree
    if left[node] < 0:
        return _float_literal(rate * value[node])
    below = _tree_expression(tree, rate, left[node])
    above = _tree_expression(tree, rate, right[node])
    return f"({below} if x[{int(feature[node])}] <= {_float_literal(threshold[node])} else {above})"


def _float_literal(v: float) -> str:
    """Python source for exactly the float ``v`` (``repr`` round-trips; infinities and NaN by name)."""
    v = float(v)
    return repr(v) if math.isfinite(v) else f"float('{v}')"


def forest_from_record(data: dict) -> Forest:
    """A :class:`Forest` from the JSON record written by the trainer."""
    trees = tuple(
        (tuple(t["feature"]), tuple(t["threshold"]), tuple(t["left"]), tuple(t["right"]), tuple(t["value"]))
        for t in data["trees"]
    )
    return Forest(
        tuple(data["features"]),
        tuple(data["classes"]),
        tuple(data["base"]),
        float(data["rate"]),
        trees,
        tuple(t["class"] for t in data["trees"]),
        float(data["threshold"]),
        bool(data.get("use_rule_label", True)),
        float(data.get("add_threshold", data["threshold"])),
        str(data.get("unit", "candidate")),
        float(data.get("label_margin", 0.0)),
        bool(data.get("label_conflicts", False)),
        float(data.get("add_label_threshold", 0.0)),
        forest_from_record({**data, **data["plain"], "plain": None}) if data.get("plain") else None,
        str(data.get("list_pool", "")),
    )


@functools.lru_cache(maxsize=1)
def load_model() -> Forest | None:
    """The trained model, or None (no file, not enabled, or ``PEACEWATCH_POSITIONS=0``)."""
    return load_model_file(MODEL_PATH)


def load_model_file(path) -> Forest | None:
    """The model in ``path``, or None (no file, not enabled, or ``PEACEWATCH_POSITIONS=0``)."""
    from peacewatch.settings import load_settings

    if not load_settings().positions or not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if not data.get("enabled", False):
        return None
    return forest_from_record(data)


def _title_end(ex: StanceExtractor, title_len: int) -> int:
    return title_len or max(ex.doc.text.find("\n"), 0)


def _dominant_mission(doc, title_end: int) -> tuple[str, frozenset[str]]:
    """The article's dominant mission (:class:`~pipelines.nlp.missions.MissionAssigner`, from the
    catalogue's names and keywords in the text; host countries are not counted here), or "none",
    and the ISO codes of its host countries."""
    from .missions import MissionAssigner, load_catalogue

    catalogue = load_catalogue()
    sentences = [(s.start_char, s.end_char) for s in doc.sents]
    dominant = MissionAssigner(catalogue, doc.text, sentences, (), title_end).dominant
    if not dominant:
        return "none", frozenset()
    return dominant, frozenset(catalogue.missions[dominant].hosts)


def document_facts(ex: StanceExtractor, hits: Sequence[Hit], title_end: int = 0) -> _Sentences:
    """The per-sentence facts of a document, with the rules' hits placed in their sentences and the
    article's dominant mission (a feature: the rules are surer on the missions they were written on)."""
    facts = _sentence_facts(ex)
    _add_rule_context(facts, hits)
    facts.mission, facts.hosts = _dominant_mission(ex.doc, title_end)
    return facts


def featurize(
    ex: StanceExtractor, hits: Sequence[Hit], title_len: int, words: WordsModel | None = None
) -> list[tuple[Candidate, dict[str, float]]]:
    """Candidates of one document with their features (unit ``candidate``: one row per actor);
    ``words``: the lexical channel whose probabilities join them (``lex_*``, round 7)."""
    title_end = _title_end(ex, title_len)
    facts = document_facts(ex, hits, title_end)
    cands = gather_candidates(ex, hits)
    doc_words = DocumentWords(ex) if words is not None else None
    out = []
    for c in cands.values():
        feats = candidate_vector(ex, facts, c, len(cands), title_end)
        if words is not None:
            terms = candidate_terms(ex, c.tokens, c.actor.key, facts.about, facts.sent_of, doc_words)
            feats.update(word_features(terms, words))
        out.append((c, feats))
    return out


def sentence_vectors(
    ex: StanceExtractor,
    facts: _Sentences,
    cand: Candidate,
    n_candidates: int,
    title_end: int,
    article: dict[str, float],
    per: dict[int, dict[str, float]] | None = None,
) -> dict[int, dict[str, float]]:
    """Features of a candidate in each sentence that mentions it or where the rules found it:
    sentence index -> features (``a_``: the article-level ones of :func:`candidate_vector` without
    the per-mention maxima; ``s_``: the sentence; ``m_``: its mentions there (maximum); ``h_``: the
    rules' hits for it there). ``per``: mention features already computed, by token."""
    by_sent: dict[int, list[int]] = {}
    for i in cand.tokens:
        by_sent.setdefault(facts.sent_of.get(i, 0), []).append(i)
    hits_by_sent: dict[int, list[Hit]] = {}
    for h in cand.hits:
        hits_by_sent.setdefault(_sentence_index(facts, h.sent_start), []).append(h)
    out: dict[int, dict[str, float]] = {}
    n_sents = max(len(facts.starts), 1)
    shared = {"a_" + key: v for key, v in article.items() if not key.startswith(("all_", "near_"))}
    for k in sorted(set(by_sent) | set(hits_by_sent)):
        f = dict(shared)
        f["s_position"] = k / n_sents
        f["s_title"] = float(k == 0 and title_end > 0)
        f["s_about"] = float(facts.about[k])
        f["s_objects"] = float(facts.objects[k])
        f["s_prev_about"] = float(k > 0 and facts.about[k - 1])
        f["s_next_about"] = float(k + 1 < len(facts.about) and facts.about[k + 1])
        f["s_mentions"] = float(len(by_sent.get(k, ())))
        group = [
            per[i] if per is not None and i in per else _mention_features(ex, facts, i, cand.actor.key)
            for i in by_sent.get(k, ())
        ]
        for key, v in _maxima(group).items():
            f["m_" + key] = v
        sh = hits_by_sent.get(k, [])
        if sh:
            f.update({"h_" + key: v for key, v in _rule_features(cand.actor, sh).items()})
        else:
            f["h_rule_none"] = 1.0
        out[k] = f
    return out


def featurize_sentences(
    ex: StanceExtractor, hits: Sequence[Hit], title_len: int
) -> list[tuple[Candidate, int, dict[str, float]]]:
    """(candidate, sentence index, features) for every sentence that mentions a candidate or holds
    one of the rules' hits for it (unit ``sentence``)."""
    title_end = _title_end(ex, title_len)
    facts = document_facts(ex, hits, title_end)
    cands = gather_candidates(ex, hits)
    out = []
    for c in cands.values():
        per: dict[int, dict[str, float]] = {}
        article = candidate_vector(ex, facts, c, len(cands), title_end, per)
        for k, f in sentence_vectors(ex, facts, c, len(cands), title_end, article, per).items():
            out.append((c, k, f))
    return out


def _best_sentence(ex: StanceExtractor, cand: Candidate):
    """The sentence that best shows a candidate's position (unit ``candidate``): the first mention
    in a sentence about the force, else the first mention after one, else the first mention."""
    doc = ex.doc
    sents = [doc[i].sent for i in cand.tokens]
    for s in sents:
        if ex._about_force(s, strict=True):
            return s
    for s in sents:
        if ex._about_force(s):
            return s
    return sents[0] if sents else None


def _scored(ex: StanceExtractor, hits: list[Hit], title_len: int, model: Forest, words: WordsModel | None = None):
    """(candidate, probabilities, features, evidence sentence or None) per candidate. Unit
    ``sentence``: each (candidate, sentence) row is scored and the candidate takes its most likely
    sentence (earliest on ties) with that sentence's probabilities."""
    if model.unit != "sentence":
        for cand, feats in featurize(ex, hits, title_len, words):
            probs = model.probabilities(feats)
            if model.plain is not None and not cand.hits and not model.adds(probs):
                plain = model.plain.probabilities(feats)
                if model.plain.adds(plain):  # the trees without the words channel add it
                    yield cand, plain, {k: v for k, v in feats.items() if k in model.plain.features}, None
                    continue
            yield cand, probs, feats, None
        return
    sents = list(ex.doc.sents)
    best: dict[str, tuple] = {}
    order: list[Candidate] = []
    for cand, k, feats in featurize_sentences(ex, hits, title_len):
        probs = model.probabilities(feats)
        p = 1.0 - probs.get("none", 0.0)
        got = best.get(cand.actor.key)
        if got is None:
            order.append(cand)
        if got is None or p > got[0]:
            best[cand.actor.key] = (p, probs, feats, sents[k] if k < len(sents) else None)
    for cand in order:
        _, probs, feats, sent = best[cand.actor.key]
        yield cand, probs, feats, sent


def decide(
    ex: StanceExtractor, hits: list[Hit], title_len: int, model: Forest, words: WordsModel | None = None
) -> list[Hit]:
    """The hits after the model's decisions (see the module docstring); ``words``: the lexical
    channel, needed when the model reads its features."""
    scored = list(_scored(ex, hits, title_len, model, words))
    if model.list_pool:
        cands = [c for c, *_ in scored]
        labels = list(model.classes)
        pooled = pool_lists(
            [[p.get(c, 0.0) for c in labels] for _, p, _, _ in scored],
            [bool(c.hits) for c in cands],
            coordinations(ex, cands),
            model.list_pool,
            labels.index("none"),
        )
        scored = [(c, dict(zip(labels, p)), f, s) for (c, _, f, s), p in zip(scored, pooled)]
    return _decide_scored(
        scored,
        model,
        lambda cand: _best_sentence(ex, cand),
        rules_only=lambda cand: cand.actor.actor_type == "person",
        may_add=lambda cand: addable(ex, cand),
        scope_label=lambda cand, sent: scope_label(ex, cand, sent),
    )


_NEGATIONS = frozenset({"not", "n't", "never", "no"})


def scope_label(ex: StanceExtractor, cand: Candidate, sent) -> tuple[str, str] | None:
    """The stance the words governing an added actor state, with the word, or None: going up from
    the actor's mention in ``sent`` through its heads (at most 6), the first verb or adjective that
    is an *undecided* cue of the lexicon ("Chile and Peru were considering sending") gives
    ``undecided``; a negated participation verb, or one negated above its complement ("will not
    send troops", "won't get involved") gives ``oppose``. The classifier's label stands otherwise
    (round 13: its additions took ``support`` under such words)."""
    mentions = [ex.doc[i] for i in cand.tokens if sent.start <= i < sent.end]
    if not mentions:
        return None
    lex = ex.lex
    t = mentions[0]
    for _ in range(6):
        if t.head.i == t.i:
            break
        t = t.head
        if t.pos_ not in ("VERB", "ADJ", "AUX"):
            continue
        lemma = t.lemma_.lower()
        cue = lex.words.get(lemma) or lex.words.get(f"{lemma}/{t.pos_}")
        if cue is not None and cue[0] == "undecided":
            return "undecided", t.text
        around = [t, *(c for c in t.children if c.dep_ in ("aux", "auxpass"))]  # "won't get involved"
        if any(c.dep_ == "neg" and c.lower_ in _NEGATIONS for x in around for c in x.children):
            scope = [t, *(c for c in t.children if c.dep_ in ("xcomp", "acomp", "dobj"))]
            if any(x.lemma_.lower() in lex.participation for x in scope):
                return "oppose", f"not {t.text}"
    return None


def decide_candidates(
    featurized: Sequence[tuple[Candidate, dict[str, float]]], model: Forest, best_sentence
) -> list[Hit]:
    """The model's decisions on featurized candidates (any route): the rules' hits of a kept actor,
    none of a dropped one, one hit on ``best_sentence(candidate)`` for an added one."""
    return _decide_scored(
        ((cand, model.probabilities(feats), feats, None) for cand, feats in featurized), model, best_sentence
    )


def _decide_scored(scored, model: Forest, best_sentence, rules_only=None, may_add=None, scope_label=None) -> list[Hit]:
    """:func:`decide_candidates` on (candidate, probabilities, features, evidence sentence or None)
    items; a candidate ``rules_only`` accepts keeps the rules' hits untouched, one the rules did not
    find is added only if ``may_add`` (when given) accepts it, with the label ``scope_label`` (when
    given) reads in the words governing it, else the classifier's."""
    out: list[Hit] = []
    for cand, probs, feats, sent in scored:
        if rules_only is not None and rules_only(cand):
            out.extend(cand.hits)  # private persons take part only through the rules (no training rows)
            continue
        p = 1.0 - probs.get("none", 0.0)
        needed = model.threshold if cand.hits else max(model.threshold, model.add_threshold)
        if cand.hits and p < needed:
            logger.debug("positions model drops %s (%.2f)", cand.actor.name, p)
            continue
        if not cand.hits and (not model.adds(probs) or (may_add is not None and not may_add(cand))):
            continue  # no position or no stance probable enough, or named only as a place or in history
        predicted = max(STANCES, key=lambda s: probs.get(s, 0.0))
        scorer = model.plain if model.plain is not None and WORDS_PREFIX + "none" not in feats else model
        top = ", ".join(f"{name} {value:+.2f}" for name, value in scorer.contributions(feats, "none"))
        where = f" in the sentence at {sent.start_char}" if sent is not None else ""
        note = f"classifier {p:.2f} >= {needed:.2f}{where} (top features against 'none': {top})"
        if WORDS_PREFIX + "none" in feats:
            lexical = ", ".join(f"{s} {feats.get(WORDS_PREFIX + s, 0.0):.2f}" for s in ("none", *STANCES))
            note += f"; words channel (position_words): {lexical}"
        elif scorer is not model:
            note += "; by the trees without the words channel"
        if cand.hits:
            by_model = not model.use_rule_label and (not model.label_conflicts or rules_disagree(cand.hits))
            out.extend(_kept_hits(cand.hits, note, predicted if by_model else None, probs, model.label_margin))
            continue
        sent = sent if sent is not None else best_sentence(cand)
        if sent is None:
            continue
        mechanism = f"{note}; stance {predicted} ({probs.get(predicted, 0.0):.2f})"
        confidence = probs.get(predicted, 0.0)
        scoped = scope_label(cand, sent) if scope_label is not None else None
        if scoped is not None and scoped[0] != predicted:
            mechanism += f"; stance {scoped[0]} by the words governing the actor ('{scoped[1]}')"
            predicted, confidence = scoped[0], p  # the classifier's probability of a position
        out.append(
            Hit(
                cand.actor,
                predicted,
                round(confidence, 2),
                "classifier",
                sent.text.strip(),
                None,
                notes=["position decided by the trained classifier"],
                sent_start=sent.start_char,
                mechanism=mechanism,
            )
        )
    out.sort(key=lambda h: h.sent_start)
    return out


def rules_disagree(hits: Sequence[Hit]) -> bool:
    """Whether the rules' hits for one actor hold more than one stance, leaving out the refusals of
    one's own troops that :func:`~pipelines.nlp.stance_merge.merge_hits` drops next to other backing."""
    stances = {h.stance for h in hits}
    backing = bool(stances & {"support", "undecided"})
    return len({h.stance for h in hits if not (h.own_refusal and h.stance == "oppose" and backing)}) > 1


def _kept_hits(hits: list[Hit], note: str, label: str | None, probs: dict[str, float], margin: float) -> list[Hit]:
    """The rules' hits of an actor the model keeps, with its note in their mechanism. With ``label``
    (the model's label, when the file says the model labels) more probable than the rules' merged
    stance by ``margin``, the actor keeps only its hits of that label, or, when it has none, all of
    them relabelled."""
    rule_stance = merge_hits(hits, use_filter=False)[0][1]
    if label is not None and label != rule_stance and probs.get(label, 0.0) - probs.get(rule_stance, 0.0) >= margin:
        same = [h for h in hits if h.stance == label]
        if same:
            hits = same
        else:
            for h in hits:
                h.notes.append(f"stance {h.stance} of the rules relabelled {label} by the trained classifier")
                h.stance, h.own_refusal = label, False
        note += f"; label {label} by the classifier (rules: {rule_stance})"
    for h in hits:
        h.mechanism += f"; {note}"
    return hits


def decide_positions(ex: StanceExtractor, hits: list[Hit], title_len: int = 0) -> list[Hit]:
    """Apply the shipped model when it is present and enabled; else the rules' hits unchanged."""
    model = load_model()
    if model is None:
        return hits
    return decide(ex, hits, title_len, model, load_words_model() if uses_words(model) else None)


def uses_words(model: Forest) -> bool:
    """Whether the model reads the lexical channel's features (round 7)."""
    return any(name.startswith(WORDS_PREFIX) for name in model.features)
