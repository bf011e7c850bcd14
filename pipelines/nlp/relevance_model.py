"""A trained relevance classifier that joins the topic pack on English articles.

The topic pack (:mod:`pipelines.nlp.relevance`) decides from terms a person wrote; it misses
articles that never use them ("Meloni: we will not send Italian soldiers", "ECOWAS extends its
military mission in The Gambia"). This classifier (word and word-pair TF-IDF, logistic regression,
trained by :mod:`pipelines.nlp.train_relevance` on the annotated corpus) ADDS an article the pack
rejects when its probability reaches the model file's ``threshold``, and (round 11) VETOES an article
the pack accepts when its probability is below the file's ``veto`` (a force named in passing, an
exercise: peace-force words without a force as the subject). Both are chosen by the trainer's
cross-validation; :func:`decide` is the rule.
The model file (``data/relevance_model.json``) holds the vocabulary with each term's IDF and weight;
this module evaluates it in pure Python, exactly as scikit-learn's ``TfidfVectorizer(sublinear_tf=True)``
and ``LogisticRegression`` would, so running needs no scikit-learn.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .relevance import Topic, score_relevance

MODEL_PATH = Path(__file__).resolve().parent / "data" / "relevance_model.json"
# round 11: one classifier for the languages of the clause route (fr, de, es, it, pl), the same rule
LANGUAGES_MODEL_PATH = MODEL_PATH.with_name("relevance_model_languages.json")
TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern


@dataclass(frozen=True)
class RelevanceModel:
    """The classifier's parameters (see :mod:`pipelines.nlp.train_relevance`)."""

    terms: dict[str, tuple[float, float]]  # term -> (idf, coefficient)
    intercept: float
    threshold: float
    ngram_max: int
    topic: str
    enabled: bool
    min_words: int  # shorter texts than the training articles are left to the topic pack
    veto: float = 0.0  # a pack-relevant article below this probability is not relevant (0: no veto)
    languages: frozenset[str] = frozenset()  # the languages it decides (the multilingual file)


def compose(title: str, text: str) -> str:
    """The text the classifier reads: the title twice (it weighs more), then the body."""
    return f"{title}\n{title}\n{text}"


def ngrams(text: str, ngram_max: int) -> Counter:
    """Word n-grams (1..ngram_max) of the lower-cased text, as scikit-learn builds them."""
    tokens = TOKEN.findall(text.lower())
    grams: Counter = Counter(tokens)
    for n in range(2, ngram_max + 1):
        grams.update(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def applies(title: str, text: str, model: RelevanceModel) -> bool:
    """The classifier decides only texts as long as the articles it learned from: on a headline or a
    two-line summary, a few words (a country's name) would decide alone."""
    return len(f"{title} {text}".split()) >= model.min_words


def tfidf_weights(grams: Mapping[str, int], idf: Mapping[str, float]) -> dict[str, float]:
    """L2-normalised TF-IDF weights of the known terms among ``grams`` (term -> count), as
    scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` computes them (also used by
    :mod:`pipelines.nlp.position_words`)."""
    weights = {}
    for gram, count in grams.items():
        known = idf.get(gram)
        if known is not None and count > 0:
            weights[gram] = (1.0 + math.log(count)) * known
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {g: w / norm for g, w in weights.items()}


def decide(pack_relevant: bool, p: float, model: RelevanceModel, counter: bool = False) -> bool:
    """Relevance from the topic pack's decision and the classifier's probability ``p``: the pack's
    decision stands unless the classifier adds (``p >= threshold``, never when the pack found
    ``counter``-evidence, a term of negative weight) or vetoes (``p < veto``) it."""
    if pack_relevant:
        return p >= model.veto
    return p >= model.threshold and not counter


def counter_evidence(matches: list[dict]) -> bool:
    """Whether a topic pack's matches include counter-evidence (a term of negative weight: a UN
    political mission, a training mission, a commemoration)."""
    return any(m["weight"] < 0 for m in matches)


def apply_classifier(result: dict, p: float, model: RelevanceModel) -> None:
    """Let the trained classifier's probability ``p`` add or veto the topic pack's decision in
    ``result`` (:func:`pipelines.nlp.relevance_model.decide`); ``p`` is recorded either way."""
    result["relevance_classifier"] = round(p, 4)
    relevant = decide(result["relevant"], p, model, counter_evidence(result["relevance_explanation"]))
    if relevant == result["relevant"]:
        return
    term = "(trained classifier)" if relevant else "(trained classifier veto)"
    result["relevant"] = relevant
    result["topics"] = [model.topic] if relevant else []
    if relevant:
        result["relevance"] = max(result["relevance"], round(p, 4))
    result["relevance_explanation"].append(
        {"term": term, "weight": round(p, 4), "count": 1, "positions": [], "topic": model.topic}
    )


def judge_relevance(
    result: dict, title: str, text: str, topics: tuple[Topic, ...], model: RelevanceModel | None
) -> None:
    """Set ``result``'s relevance fields from the topic pack ``topics``, then let the trained
    classifier ``model`` (None: the pack alone) add or veto its decision where it applies
    (:func:`apply_classifier`). Both routes judge relevance this way, each with its pack and model."""
    topic_results = score_relevance(title, text, topics)
    result["topics"] = [t.topic for t in topic_results if t.fired]
    result["relevant"] = bool(result["topics"])
    result["relevance"] = max((t.score for t in topic_results), default=0.0)
    result["relevance_explanation"] = [dict(m, topic=t.topic) for t in topic_results for m in t.matches]
    if model is not None and applies(title, text, model):
        apply_classifier(result, probability(title, text, model), model)


def probability(title: str, text: str, model: RelevanceModel) -> float:
    """The classifier's probability that the article is about a peacekeeping force."""
    weights = tfidf_weights(ngrams(compose(title, text), model.ngram_max), idf_of(model))
    z = model.intercept + sum(w * model.terms[g][1] for g, w in weights.items())
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


_IDF_CACHE: dict[int, tuple[RelevanceModel, dict[str, float]]] = {}


def idf_of(model: RelevanceModel) -> dict[str, float]:
    """Term -> IDF of the classifier (``terms`` maps each term to ``(idf, coefficient)``), built once
    per model object."""
    got = _IDF_CACHE.get(id(model))
    if got is None or got[0] is not model:
        got = _IDF_CACHE[id(model)] = (model, {t: v[0] for t, v in model.terms.items()})
    return got[1]


def model_from_dict(data: dict) -> RelevanceModel:
    """A model from the parsed JSON file."""
    return RelevanceModel(
        terms={term: (float(idf), float(coef)) for term, idf, coef in data["terms"]},
        intercept=float(data["intercept"]),
        threshold=float(data["threshold"]),
        ngram_max=int(data["ngram_max"]),
        topic=str(data["topic"]),
        enabled=bool(data["enabled"]),
        min_words=int(data.get("min_words", 0)),
        veto=float(data.get("veto", 0.0)),
        languages=frozenset(data.get("languages", ())),
    )


@lru_cache(maxsize=2)
def load_relevance_model(path: str | None = None) -> RelevanceModel | None:
    """The shipped model (cached per process); None when the file is absent or disabled."""
    file = Path(path) if path else MODEL_PATH
    if not file.exists():
        return None
    model = model_from_dict(json.loads(file.read_text(encoding="utf-8")))
    return model if model.enabled else None


_UNSET = object()
_language_override: object = _UNSET


def load_language_model() -> RelevanceModel | None:
    """The fr/de/es/it/pl classifier: the shipped file's, or the one of :func:`use_language_model`."""
    if _language_override is _UNSET:
        return load_relevance_model(str(LANGUAGES_MODEL_PATH))
    return _language_override  # type: ignore[return-value]


@contextmanager
def use_language_model(model: RelevanceModel | None) -> Iterator[None]:
    """Decide the clause route's relevance with ``model`` (None: the packs alone) inside the block
    (cross-validation: each fold's articles judged by a classifier fitted without them)."""
    global _language_override
    previous, _language_override = _language_override, model
    try:
        yield
    finally:
        _language_override = previous
