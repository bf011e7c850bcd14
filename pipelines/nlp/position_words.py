"""The positions model's lexical channel: what the words around an actor say about its position.

The positions model (:mod:`pipelines.nlp.positions`) describes a candidate actor by hand-made
features (word classes, parse relations, the rules' result); it never sees the words themselves, so
every new way of saying "stands ready to send troops" or "has yet to decide" had to be written by
hand. This channel reads them: the words of each sentence that mentions the actor near the force
(lemmas, with the actor's own mention replaced by ``_actor_`` and other actors by their type), word
pairs, the previous sentence's words, and the words on the dependency path from the mention up to
the root. A word and word-pair TF-IDF and a multinomial logistic regression (none / oppose / support
/ undecided), trained by :mod:`pipelines.nlp.train_positions` on the annotated corpus, turn them
into four probabilities that become features of the positions model (stacking: out-of-fold in
training). The model file (``data/position_words.json``) holds each term's IDF and its weights per
class; it is evaluated here in pure Python (:func:`pipelines.nlp.relevance_model.tfidf_weights`),
so running needs no scikit-learn.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .gazetteer import DATA_DIR
from .relevance_model import tfidf_weights

MODEL_PATH = DATA_DIR / "position_words.json"
FEATURE_PREFIX = "lex_"  # the positions model's features from this channel: lex_none, lex_support, ...
MAX_SENTENCES = 6  # sentences read per candidate (its first mentions near the force)
PATH_STEPS = 6  # dependency path words read above a mention
_TYPES = {"country": "_country_", "organisation": "_org_", "coalition": "_org_", "person": "_person_"}


@dataclass(frozen=True)
class WordsModel:
    """The channel's parameters (see :mod:`pipelines.nlp.train_positions`)."""

    classes: tuple[str, ...]
    idf: dict[str, float]  # term -> IDF
    coefs: dict[str, tuple[float, ...]]  # term -> coefficient per class
    intercepts: tuple[float, ...]


def _word(tok) -> str | None:
    """The token as the channel reads it (lower-case lemma; numbers folded), or None to skip it."""
    if tok.is_space or (tok.is_punct and tok.text not in ('"', "“", "”")):
        return None
    if tok.like_num:
        return "_num_"
    if tok.text in ('"', "“", "”"):
        return "_quote_"
    return tok.lemma_.lower() or tok.lower_


def _open_words(ex, sent) -> list[str | tuple[frozenset[str], str]]:
    """The sentence's words for any candidate: a mention is left open as (the keys of the actors it
    names, the word it reads as when it does not name the candidate: the type of its first actor)."""
    words: list[str | tuple[frozenset[str], str]] = []
    for tok in sent:
        m = ex.by_token.get(tok.i)
        if m is not None:
            if tok.i != m.token_start:
                continue
            actors = ex._mention_actors(tok)
            other = _TYPES.get(actors[0].actor_type, "_other_") if actors else "_" + m.kind + "_"
            words.append((frozenset(a.key for a in actors), other))
            continue
        word = _word(tok)
        if word:
            words.append(word)
    return words


class DocumentWords:
    """The channel's reading of one document, done once for all its candidates: each sentence's
    words (mentions left open) and the path terms of each mention."""

    def __init__(self, ex) -> None:
        self.ex = ex
        self.sents = list(ex.doc.sents)
        self._open: dict[int, list[str | tuple[frozenset[str], str]]] = {}
        self._paths: dict[int, list[str]] = {}

    def sentence_words(self, k: int, key: str) -> list[str]:
        """Sentence ``k``'s words with mentions replaced: ``_actor_`` for candidate ``key``, the type
        of any other actor (a group naming the candidate counts as the candidate)."""
        words = self._open.get(k)
        if words is None:
            words = self._open[k] = _open_words(self.ex, self.sents[k])
        return [w if isinstance(w, str) else "_actor_" if key in w[0] else w[1] for w in words]

    def path_words(self, i: int) -> list[str]:
        """:func:`_path_words` of the mention at token ``i``."""
        got = self._paths.get(i)
        if got is None:
            got = self._paths[i] = _path_words(self.ex.doc, i)
        return got


def _path_words(doc, i: int) -> list[str]:
    """``path:`` terms: the dependency relation of the mention's head and the content words above it
    (at most :data:`PATH_STEPS`), negations on the way included."""
    tok = doc[i]
    while tok.dep_ == "compound" and tok.head.i != tok.i:
        tok = tok.head
    out = [f"dep:{tok.dep_}"]
    steps = 0
    while tok.head.i != tok.i and steps < PATH_STEPS:
        tok, steps = tok.head, steps + 1
        if tok.pos_ in ("VERB", "AUX", "NOUN", "ADJ"):
            out.append(f"path:{tok.lemma_.lower()}")
        if any(c.dep_ == "neg" for c in tok.children):
            out.append("path:_neg_")
    return out


def candidate_terms(
    ex,
    tokens: Iterable[int],
    key: str,
    about: list[bool],
    sent_of: dict[int, int],
    doc_words: DocumentWords | None = None,
) -> Counter:
    """The channel's terms for one candidate: words and word pairs of the sentences that mention it in
    or right after a sentence about the force (else its first mentions), ``prev:`` words of the
    sentence before each, and the dependency path above each mention.

    Args:
        ex: the document's :class:`~pipelines.nlp.stances.StanceExtractor`.
        tokens: the candidate's mention tokens (the last token of each name).
        key: the candidate's actor key.
        about: per sentence, whether it is about the force.
        sent_of: token index -> sentence index.
        doc_words: the document's :class:`DocumentWords`, shared by its candidates (else read here).
    """
    doc_words = doc_words or DocumentWords(ex)
    tokens = sorted(tokens)
    near = [i for i in tokens if about[sent_of.get(i, 0)] or (sent_of.get(i, 0) > 0 and about[sent_of.get(i, 0) - 1])]
    chosen = near or tokens
    terms: Counter = Counter()
    seen: list[int] = []
    for i in chosen:
        k = sent_of.get(i, 0)
        terms.update(doc_words.path_words(i))
        if k in seen or len(seen) >= MAX_SENTENCES:
            continue
        seen.append(k)
        words = doc_words.sentence_words(k, key)
        terms.update(words)
        terms.update(f"{a} {b}" for a, b in itertools.pairwise(words))
        if k > 0:
            terms.update(f"prev:{w}" for w in doc_words.sentence_words(k - 1, key))
    return terms


def probabilities(terms: Counter, model: WordsModel) -> dict[str, float]:
    """The channel's class probabilities for one candidate's terms (softmax of the linear scores)."""
    weights = tfidf_weights(terms, model.idf)
    scores = list(model.intercepts)
    for term, w in weights.items():
        for c, coef in enumerate(model.coefs[term]):
            scores[c] += w * coef
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return {c: e / total for c, e in zip(model.classes, exps)}


def features(terms: Counter, model: WordsModel | None) -> dict[str, float]:
    """The positions model's features from this channel (empty without a model)."""
    if model is None:
        return {}
    return {FEATURE_PREFIX + c: p for c, p in probabilities(terms, model).items()}


def model_from_dict(data: dict) -> WordsModel:
    """A model from the parsed JSON file (``terms``: [term, idf, [coefficient per class]])."""
    return WordsModel(
        classes=tuple(data["classes"]),
        idf={str(t): float(idf) for t, idf, _ in data["terms"]},
        coefs={str(t): tuple(float(c) for c in coefs) for t, _, coefs in data["terms"]},
        intercepts=tuple(float(v) for v in data["intercepts"]),
    )


@functools.lru_cache(maxsize=2)
def load_words_model(path: str | None = None) -> WordsModel | None:
    """The shipped channel (cached per process), or None when its file is absent."""
    file = Path(path) if path else MODEL_PATH
    if not file.exists():
        return None
    return model_from_dict(json.loads(file.read_text(encoding="utf-8")))
