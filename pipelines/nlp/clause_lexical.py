"""The clause route's lexical channel: what the words around an actor say about its stance.

The positions model (:mod:`pipelines.nlp.clause_positions`) sees language-neutral facts only: which
of the pack's cue lists fired, how near, how the actor was found. Words the packs do not list
("rompono gli indugi", "bez Polski nie ma misji", "hält ... für verfrüht") are invisible to it. This
channel reads them: for every candidate actor, the words of the clauses that name it, with the actor
itself masked (``actorx``; other actors ``otherx``), as word and word-pair TF-IDF, and a multinomial
logistic regression over the four labels (none, oppose, support, undecided). Its four probabilities
are features of the positions model (``lex_none``, ``lex_oppose``, ...), stacked out of fold: the
rows the trees learn from carry probabilities of a regression fitted without their article's fold.

One regression serves every language (each language's words are its own terms; the masks are
shared). The fitted regression is stored in the positions model file under ``lexical`` and evaluated
in pure Python as the English words channel's is (:mod:`pipelines.nlp.position_words`; no
scikit-learn at run time); fitting (:func:`fit_lexical`, :func:`stack_lexical`) needs scikit-learn, like the trainer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from .position_words import WordsModel, model_from_dict
from .position_words import probabilities as term_probabilities
from .relevance_model import ngrams

logger = logging.getLogger(__name__)

ACTOR_MASK = "actorx"
OTHER_MASK = "otherx"
PREFIX = "lex_"
NGRAM_MAX = 2
MIN_DF = 2
C = 1.0  # inverse regularisation strength (chosen by pipelines.nlp.cv_languages, see the NLP README)
INNER_FOLDS = 5


# a fitted regression is the English words channel's model (:class:`pipelines.nlp.position_words.WordsModel`:
# term -> IDF and one coefficient per class, intercepts per class), read from the same record shape
LexicalModel = WordsModel


def candidate_text(ex, tokens: Sequence[int]) -> str:
    """The words of every clause naming the candidate (first tokens ``tokens``), lower-cased, the
    candidate's mentions masked as ``actorx`` and other actors' as ``otherx``; clauses joined by lines."""
    mine = {id(ex.by_token[i]) for i in tokens if i in ex.by_token}
    seen: set[tuple[int, int]] = set()
    lines = []
    for i in sorted(tokens):
        sent = ex.doc[i].sent
        clause = next(((s, e) for s, e in ex._clauses(sent) if s <= i < e), (sent.start, sent.end))
        if clause in seen:
            continue
        seen.add(clause)
        words, last = [], None
        for j in range(*clause):
            m = ex.by_token.get(j)
            if m is not None and ex._is_actor_mention(m):
                if m is not last:
                    words.append(ACTOR_MASK if id(m) in mine else OTHER_MASK)
                last = m
                continue
            last = None
            words.append(ex.low[j])
        lines.append(" ".join(words))
    return "\n".join(lines)


def probabilities(model: LexicalModel, text: str) -> dict[str, float]:
    """The regression's class probabilities for one candidate's text (its words and word pairs)."""
    return term_probabilities(ngrams(text, NGRAM_MAX), model)


def features(model: LexicalModel, text: str) -> dict[str, float]:
    """The positions model's lexical features of one candidate."""
    return {PREFIX + c: round(p, 6) for c, p in probabilities(model, text).items()}


def fit_lexical(texts: Sequence[str], labels: Sequence[str], c: float = C) -> dict:
    """Fit the regression (scikit-learn) and return its record (JSON-ready)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, NGRAM_MAX), min_df=MIN_DF)
    x = vec.fit_transform(texts)
    reg = LogisticRegression(C=c, max_iter=2000)
    reg.fit(x, list(labels))
    classes = [str(k) for k in reg.classes_]
    coefs = reg.coef_ if len(classes) > 2 else [-reg.coef_[0] / 2, reg.coef_[0] / 2]
    intercepts = reg.intercept_ if len(classes) > 2 else [-reg.intercept_[0] / 2, reg.intercept_[0] / 2]
    terms = [
        [term, round(float(vec.idf_[j]), 6), [round(float(row[j]), 6) for row in coefs]]
        for term, j in sorted(vec.vocabulary_.items())
    ]
    return {
        "classes": classes,
        "terms": terms,
        "intercepts": [round(float(v), 6) for v in intercepts],
        "ngram_max": NGRAM_MAX,
        "c": c,
    }


def stack_lexical(rows: list[dict], seed: int = 13, c: float = C) -> dict:
    """Give every row (with ``text``, ``label`` and ``article``) out-of-fold lexical features, folds
    grouped by article, and return the record of the regression fitted on all rows."""
    from .train_positions import fold_of

    fold = fold_of({r["article"] for r in rows}, INNER_FOLDS, seed)
    for k in range(INNER_FOLDS):
        train = [r for r in rows if fold[r["article"]] != k]
        held = [r for r in rows if fold[r["article"]] == k]
        if not held or len({r["label"] for r in train}) < 2:
            continue
        model = model_from_dict(fit_lexical([r["text"] for r in train], [r["label"] for r in train], c))
        for r in held:
            r["features"] = {**r["features"], **features(model, r["text"])}
    return fit_lexical([r["text"] for r in rows], [r["label"] for r in rows], c)
