"""Train the positions model's lexical channel (:mod:`pipelines.nlp.position_words`) and stack it.

Called by :mod:`pipelines.nlp.train_positions` (``make train``), which collects one row per candidate
actor with its terms (:func:`pipelines.nlp.position_words.candidate_terms`) and its annotated label.
The channel is a TF-IDF over the terms (sublinear tf, terms in at least :data:`MIN_DF` training rows)
and a multinomial logistic regression (scikit-learn, lbfgs: deterministic). Its four probabilities
become features of the positions model; the rows the trees learn from carry out-of-fold
probabilities (a channel fitted without the row's article), never the channel's own fit, so the trees
do not learn to trust an over-fitted channel. Cross-validation nests this: within each outer fold
the training rows get probabilities out of inner folds of the training articles, the held-out rows
those of a channel fitted on all the training articles.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from .position_words import FEATURE_PREFIX
from .train_positions import CLASSES

logger = logging.getLogger(__name__)

PARAMS = {"C": 4.0, "min_df": 2}  # chosen by the nested cross-validation (NLP README, round 7)
INNER_SEED_OFFSET = 100  # the inner folds' seed: the outer seed plus this


def fit_words(rows: Sequence[dict], labels: Sequence[str], params: dict | None = None):
    """The channel fitted on ``rows`` (each with ``terms``, a term -> count mapping)."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    params = {**PARAMS, **(params or {})}
    vectorizer = DictVectorizer(sort=True)
    counts = vectorizer.fit_transform([r["terms"] for r in rows])
    kept = np.where(np.asarray((counts > 0).sum(axis=0)).ravel() >= params["min_df"])[0]
    counts = counts[:, kept]
    tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
    regression = LogisticRegression(C=params["C"], max_iter=3000).fit(tfidf.transform(counts), list(labels))
    return vectorizer, kept, tfidf, regression


def predict_words(fitted, rows: Sequence[dict]):
    """Class probabilities (columns :data:`CLASSES`) of ``rows`` by a fitted channel."""
    from .train_positions import class_probs

    vectorizer, kept, tfidf, regression = fitted
    return class_probs(regression, tfidf.transform(vectorizer.transform([r["terms"] for r in rows])[:, kept]))


def out_of_fold_words(rows: Sequence[dict], folds: int, seed: int, params: dict | None = None):
    """Probabilities of every row by a channel fitted without its article (folds by article hash)."""
    import numpy as np

    from .train_positions import fold_of

    folding = fold_of(sorted({r["article"] for r in rows}), folds, seed)
    out = np.zeros((len(rows), len(CLASSES)))
    for k in range(folds):
        train = [r for r in rows if folding[r["article"]] != k]
        test = [i for i, r in enumerate(rows) if folding[r["article"]] == k]
        if not test:
            continue
        out[test] = predict_words(fit_words(train, [r["label"] for r in train], params), [rows[i] for i in test])
    return out


def with_words(rows: Sequence[dict], probs) -> list[dict]:
    """Copies of ``rows`` whose features carry the channel's probabilities (``lex_<class>``)."""
    return [
        {**r, "features": {**r["features"], **{FEATURE_PREFIX + c: float(p[j]) for j, c in enumerate(CLASSES)}}}
        for r, p in zip(rows, probs)
    ]


def stacked_out_of_fold(rows: list[dict], gold: dict, *, folds: int, seed: int, names: list[str], fit_trees):
    """Out-of-fold class probabilities of the positions model with the channel stacked in (nested,
    see the module docstring); ``names`` includes the ``lex_`` features, ``fit_trees(x, y)`` fits
    the trees. Returns (probabilities, the channel's own out-of-fold probabilities)."""
    import numpy as np

    from .train_positions import class_probs, fold_of, matrix

    folding = fold_of(sorted(gold), folds, seed)
    probs = np.zeros((len(rows), len(CLASSES)))
    words = np.zeros((len(rows), len(CLASSES)))
    for k in range(folds):
        train = [r for r in rows if folding[r["article"]] != k]
        test_idx = [i for i, r in enumerate(rows) if folding[r["article"]] == k]
        test = [rows[i] for i in test_idx]
        labels = [r["label"] for r in train]
        inner = out_of_fold_words(train, folds, seed + INNER_SEED_OFFSET)
        outer = predict_words(fit_words(train, labels), test)
        words[test_idx] = outer
        model = fit_trees(matrix(with_words(train, inner), names), labels)
        probs[test_idx] = class_probs(model, matrix(with_words(test, outer), names))
        logger.info("stacked fold %d done", k)
    return probs, words


def export_words(fitted, params: dict | None = None) -> dict:
    """The fitted channel as the JSON record :func:`pipelines.nlp.position_words.model_from_dict` reads."""
    vectorizer, kept, tfidf, regression = fitted
    names = [vectorizer.feature_names_[i] for i in kept]
    order = [list(regression.classes_).index(c) for c in CLASSES]
    coefs = regression.coef_
    terms = [
        [name, round(float(tfidf.idf_[j]), 6), [round(float(coefs[c, j]), 6) for c in order]]
        for j, name in enumerate(names)
    ]
    return {
        "classes": list(CLASSES),
        "intercepts": [round(float(regression.intercept_[c]), 6) for c in order],
        "terms": terms,
        "params": {**PARAMS, **(params or {})},
    }
