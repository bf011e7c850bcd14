"""Commitment and condition of a stance: does the actor send its own troops, back the force by
other means, or neither; and on what condition.

Per stance hit (the cue token in the parsed sentence): the words of the cue's phrase are read
nearest first; a troop word (``troops``, ``soldiers``, ``peacekeepers``, ``boots``) makes it
``troops``; a force word (``force``, ``mission``) does too after a sending or leading cue
(``send forces``, ``lead the force``); a means word (``logistical support``, ``air cover``,
``funding``, ``backstop``) makes it ``other``. A supporting hit without either backs the force
politically (``other``); opposing and undecided hits commit nothing. Word lists are data, per
language (``data/commitment.yaml``); the mechanism is the same for every language.

Per actor and mission (:func:`merged_commitment`): ``troops`` when a supporting hit of the
winning stance offers troops, else ``other`` when the stance is support or a supporting hit names
other means ("will not send soldiers, though Warsaw offered logistical support"), else ``none``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

logger = logging.getLogger(__name__)

TROOPS, OTHER, NONE = "troops", "other", "none"
MEANS = "means"  # a hit's "other" that names what is offered (logistics, funding, air cover)
COMMITMENTS = (TROOPS, OTHER, NONE)
DATA_FILE = Path(__file__).with_name("data") / "commitment.yaml"
_MAX_DISTANCE = 12  # tokens from the cue


@dataclass(frozen=True)
class CommitmentWords:
    """One language's word lists (see ``data/commitment.yaml``)."""

    troops: frozenset[str]
    forces: frozenset[str]
    sending: frozenset[str]
    other: frozenset[str]
    condition_preps: frozenset[str]
    condition_nouns: frozenset[str]
    condition_marks: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=1)
def _all_words() -> dict[str, CommitmentWords]:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    return {
        lang: CommitmentWords(
            *(
                frozenset(w.lower() for w in block.get(k) or ())
                for k in (
                    "troops",
                    "forces",
                    "sending",
                    "other",
                    "condition_preps",
                    "condition_nouns",
                    "condition_marks",
                )
            )
        )
        for lang, block in data.items()
    }


def words_for(language: str | None) -> CommitmentWords:
    """The word lists of ``language`` (English when the language has none yet)."""
    table = _all_words()
    return table.get(language or "en") or table["en"]


def _keys(tok) -> tuple[str, str]:
    return tok.lemma_.lower(), tok.lower_


def find_cue(sent, cue: str):
    """The token of ``cue`` (a lemma or phrase as the stance extractor records it) in ``sent``."""
    first = cue.split(" (")[0].split()[0].lower() if cue.strip() else ""
    if first in ("no", "the") and len(cue.split()) > 1:
        first = cue.split()[1].lower()
    for tok in sent:
        if first and (tok.lemma_.lower() == first or tok.lower_ == first):
            return tok
    return None


def cue_phrase(cue_token) -> list:
    """The cue's phrase: its subtree without its subjects' (``nsubj*``/``csubj*``, as both English and
    Universal Dependencies label them); without a parse (the clause route), its sentence."""
    if not cue_token.doc.has_annotation("DEP"):
        return list(cue_token.sent)
    skip: set[int] = set()
    for child in cue_token.children:
        if child.dep_.startswith(("nsubj", "csubj")):
            skip.update(t.i for t in child.subtree)
    return [t for t in cue_token.subtree if t.i not in skip]


def _read(tokens, cue_keys: tuple[str, str], words: CommitmentWords) -> str | None:
    """``troops`` / ``means`` from the first decisive word of ``tokens`` (nearest first), else None."""
    sending = any(k in words.sending for k in cue_keys)
    for tok in tokens:
        keys = _keys(tok)
        if any(k in words.troops for k in keys):
            return TROOPS
        if any(k in words.sending for k in keys) and tok.pos_ in ("VERB", "NOUN"):
            sending = True
        if sending and any(k in words.forces for k in keys):
            return TROOPS
        if any(k in words.other for k in keys):
            return MEANS
    return None


def _nearest(phrase, cue_token, skip: frozenset[int] = frozenset()) -> list:
    return sorted(
        (
            t
            for t in phrase
            if t.i != cue_token.i and t.i not in skip and abs(t.i - cue_token.i) <= _MAX_DISTANCE and t.pos_ != "PROPN"
        ),  # names ("Security Support mission") are not offers
        key=lambda t: (abs(t.i - cue_token.i), t.i),
    )


def hit_commitment(stance: str, cue_token, words: CommitmentWords, sent=None) -> str | None:
    """What one hit commits: ``troops``; ``means`` (other means named: logistics, funding, air
    cover); ``other`` (a supporting hit naming neither: political backing); ``None`` for a
    non-supporting hit (a refusal or hesitation offers nothing; its own refusal of troops is not
    an offer either).

    Args:
        stance: the hit's stance.
        cue_token: the cue's token (``None``: the whole sentence ``sent`` is read instead).
        words: the language's word lists.
        sent: the evidence sentence (a spaCy span), used when the cue was not found.
    """
    if stance != "support":
        return None
    if cue_token is None:
        return _read(list(sent) if sent is not None else [], ("", ""), words) or OTHER
    cue_keys = _keys(cue_token)
    found = _read(_nearest(cue_phrase(cue_token), cue_token), cue_keys, words)
    if found is None and cue_token.head.i != cue_token.i and cue_token.pos_ in ("ADJ", "NOUN"):
        # "he is ready and willing to put troops on the ground": the parser may hang the clause
        # on the verb above an adjective or noun cue
        own = frozenset(t.i for t in cue_token.subtree)
        found = _read(_nearest(cue_phrase(cue_token.head), cue_token, own), cue_keys, words)
    if found is None and cue_keys[0] in ("deploy", "station", "dispatch"):
        return TROOPS  # "will deploy to Ukraine"
    return found or OTHER


def condition_words(cue_token, words: CommitmentWords) -> str | None:
    """The condition's words in the cue's phrase: a conditional clause ("once a ceasefire is signed")
    or ``with a US backstop`` / ``under a UN mandate``."""
    if cue_token is None:
        return None
    doc = cue_token.doc
    for tok in cue_phrase(cue_token):
        if (
            tok.lower_ in words.condition_marks
            and tok.dep_ in ("mark", "advmod")
            and tok.head.i != cue_token.i
            and tok.head.dep_ in ("advcl", "ccomp")
        ):
            span = doc[tok.i : tok.head.right_edge.i + 1]
            if 1 < len(span) < 30:
                return span.text
    for tok in cue_token.subtree:
        if (
            tok.dep_ == "prep"
            and tok.lower_ in words.condition_preps
            and tok.head.i in (cue_token.i, *[c.i for c in cue_token.children])
        ):
            objects = [g for g in tok.children if g.dep_ == "pobj"]
            if any(_keys(o)[0] in words.condition_nouns or _keys(o)[1] in words.condition_nouns for o in objects):
                span = doc[tok.i : tok.right_edge.i + 1]
                if 1 < len(span) < 30:
                    return span.text
    return None


def merged_commitment(stance: str, hit_commitments: Sequence[tuple[str, str | None]]) -> str:
    """The actor's commitment from its hits' ``(stance, commitment)`` and the winning ``stance``:
    ``troops`` when it supports and a supporting hit offers troops; ``other`` when it supports
    otherwise, or when it hesitates or refuses but a hit names other means it offers; else ``none``."""
    if stance == "support" and any(h == "support" and c == TROOPS for h, c in hit_commitments):
        return TROOPS
    if stance == "support" or any(c == MEANS for _, c in hit_commitments):
        return OTHER
    return NONE
