"""Train the positions model (:mod:`pipelines.nlp.positions`) on the repository's annotated corpus.

Run: ``python -m pipelines.nlp.train_positions [--corpus FILE ...] [--out FILE] [--unit candidate|sentence]
[--label rules|model] [--features all|neutral]`` (``make train``; ``--route clauses`` for the clause
route's model). Needs scikit-learn (the ``dev`` extra) to train; the written model is a JSON file of
trees that :mod:`pipelines.nlp.positions` evaluates without it.

For every article the annotation marks relevant and the rules find relevant, every candidate actor is
described (:func:`pipelines.nlp.positions.featurize`). With ``--unit candidate`` (the default) one row
is an actor of an article, labelled with its annotated stance or ``none``. With ``--unit sentence``
one row is an actor in one sentence (:func:`pipelines.nlp.positions.featurize_sentences`), labelled
with the annotated stance when its sentence is the annotation's evidence for that actor, ``none``
when the annotation lists no position for the actor, and left out of training otherwise; an
actor's probability is that of its most likely sentence. Gradient-boosted trees (fixed
hyper-parameters, fixed seed, no sampling) are fitted. Cross-validation is grouped by article (folds
fixed by a hash of the article id and ``--seed``): each fold's articles are decided by a model
trained on the others and scored like the shared scorer (actors and stances F1 over the
gold-relevant articles; gold actors no candidate covers count as misses). The other unit and the
other labelling (``--label``: the rules' label for the actors they found, or the model's when it
is ``--label-margin`` more probable) are cross-validated too, for the record. The model is enabled
only if the cross-validated stances F1 beats the rules alone by ``--min-gain``. The file records
the corpus files (paths, SHA-256), counts, seed and the cross-validated scores per fold (and at
other thresholds). Deterministic: the same corpus gives the same bytes. ``--bags N`` (clause route,
round 11): N models, each fitted on a Poisson bootstrap of the articles whose weights come from each
article's id alone, their scores averaged and written as one forest (:class:`Bagged`).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import logging
import sys
from pathlib import Path

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO_ROOT / "tests" / "corpus" / "en"
CLAUSE_CORPUS_DIR = REPO_ROOT / "tests" / "corpus" / "multilingual"  # --route clauses
# the English parts by the round after which they were first measured (the time split's tests; round 10's
# are also the relevance classifier's data)
ROUND9_PARTS = ("dev13.jsonl", "dev14.jsonl", "test-n.jsonl", "test-o.jsonl", "test-p.jsonl")
ROUND10_PARTS = ("dev15.jsonl", "dev16.jsonl", "test-q.jsonl", "test-r.jsonl", "test-s.jsonl")
ROUND11_PARTS = ("dev17.jsonl", "dev18.jsonl", "test-t.jsonl", "test-u.jsonl", "test-v.jsonl")
ROUND12_PARTS = ("dev19.jsonl", "dev20.jsonl", "test-w.jsonl", "test-x.jsonl", "test-y.jsonl")
# the multilingual parts by the round after which they were first measured (the clause model trains on
# them; the fr/de/es/it/pl relevance classifier leaves them out)
CLAUSE_ROUND11_PARTS = ("dev16.jsonl", "dev17.jsonl", "test-q.jsonl", "test-r.jsonl")
CLAUSE_ROUND12_PARTS = ("dev18.jsonl", "dev19.jsonl", "test-s.jsonl", "test-t.jsonl")
# the dev parts each route trains on by default (those that exist)
DEFAULT_CORPORA = {
    # every English part measured once is development data (round 6: dev..dev6, test-a..test-g)
    "parse": (
        "dev.jsonl",
        "test-a.jsonl",
        "dev2.jsonl",
        "dev3.jsonl",
        "test-b.jsonl",
        "test-c.jsonl",
        "test-d.jsonl",
        "dev4.jsonl",
        "test-e.jsonl",
        "dev5.jsonl",
        "test-f.jsonl",
        "dev6.jsonl",
        "test-g.jsonl",
        # round 7: round 6's parts after their first measurement
        "dev7.jsonl",
        "test-h.jsonl",
        # round 8: round 7's parts after their first measurement
        "dev8.jsonl",
        "dev9.jsonl",
        "dev10.jsonl",
        "test-i.jsonl",
        "test-j.jsonl",
        "test-k.jsonl",
        # round 10: round 8's parts (left out in round 9: trained on them, the model fell on the shared dev
        # sample; traced to one correctly labelled list of meeting attendees in test-l that turned a sparse
        # region of listed countries to "none", see the NLP README) and round 9's parts after their first
        # measurement; chosen by the time split (pipelines.nlp.time_split) and grouped CV
        "dev11.jsonl",
        "dev12.jsonl",
        "test-l.jsonl",
        "test-m.jsonl",
        "dev13.jsonl",
        "dev14.jsonl",
        "test-n.jsonl",
        "test-o.jsonl",
        "test-p.jsonl",
        # round 11: round 10's parts (dev15, dev16, test-q, test-r, test-s) stay out of this model, as
        # round 8's did in round 9: trained on them too (35 parts) it added four actors nobody annotated
        # on the shared dev file (stances 0.902 -> 0.881) and gained one position on round 11's two dev
        # parts, which neither model had read (0.548 -> 0.556); they remain the time split's test
        # (ROUND10_PARTS) and the relevance classifier's data (NLP README).
        # Round 12: fitted on these 30 and scored on round 11's parts the model beat the 35-part one
        # (0.703/0.622 vs 0.692/0.610 actors/stances), so round 10's and round 11's parts stay out too
    ),
    # round 6: every multilingual part measured once is development data (the lead's new parts are not here)
    "clauses": (
        "dev.jsonl",
        "test-a.jsonl",
        "test-b.jsonl",
        "dev2.jsonl",
        "test-c.jsonl",
        "dev3.jsonl",
        "test-d.jsonl",
        "dev4.jsonl",
        "test-e.jsonl",
        "dev5.jsonl",
        "test-f.jsonl",
        "dev6.jsonl",  # round 7: round 6's parts after their first measurement
        "test-g.jsonl",
        # round 8: round 7's parts after their first measurement
        "dev7.jsonl",
        "dev8.jsonl",
        "dev9.jsonl",
        "test-h.jsonl",
        "test-i.jsonl",
        "test-j.jsonl",
        # round 9: round 8's parts after their first measurement
        "dev10.jsonl",
        "dev11.jsonl",
        "test-k.jsonl",
        "test-l.jsonl",
        # round 10: round 9's parts after their first measurement
        "dev12.jsonl",
        "dev13.jsonl",
        "test-m.jsonl",
        "test-n.jsonl",
        # round 11: round 10's parts after their first measurement
        "dev14.jsonl",
        "dev15.jsonl",
        "test-o.jsonl",
        "test-p.jsonl",
        # round 12: round 11's parts after their first measurement
        *CLAUSE_ROUND11_PARTS,
        # round 13: round 12's parts after their first measurement
        *CLAUSE_ROUND12_PARTS,
    ),
}
PARAMS = {"n_estimators": 120, "max_depth": 3, "learning_rate": 0.08, "min_samples_leaf": 4}
CLASSES = ("none", "oppose", "support", "undecided")  # sorted, as scikit-learn orders them
# Decision thresholds per unit: (keep, add). An actor the rules found is dropped when the model gives
# it a position with probability below ``keep``; an actor the rules did not find is added at ``add``.
# Chosen by grouped 5-fold cross-validation on the seven English parts (fold seeds 13 and 29, see the
# README): the English route's units; "clauses": the clause route's (round 4: chosen by the
# language-stratified cross-validation of pipelines.nlp.cv_languages, see the NLP README; round 9:
# additions at 0.6: 0.55 scored higher in each of three fold seeds on the 23 parts but added a title-only
# coalition in a held-out case (b-uk-support, p 0.58); 0.6 keeps every held-out case and is level with or above 0.65).
THRESHOLDS = {"candidate": (0.0, 0.6), "sentence": (0.0, 0.6), "clauses": (0.0, 0.6)}
# English route: an added actor's most likely stance needs this probability too (a stance more likely
# right than wrong); chosen with the add threshold by the same cross-validation (round 5)
ADD_LABEL_THRESHOLD = 0.5
ADD_LABEL_THRESHOLDS = (0.0, 0.5, 0.6)  # recorded with the other thresholds
# English route, round 11: the actors of one coordination the rules did not find get one add decision
# (positions.pool_lists: "max", "mean", or "" for each its own); chosen by both time splits and CV (README)
LIST_POOL = ""
LIST_POOLS = ("", "max", "mean")
# --label model/conflicts: the model's label replaces the rules' when this much more probable (round 5,
# English route: 0.4, chosen by the same cross-validation; a smaller margin gains a little more there but
# flips right labels of the shared evaluation sample). The clause route's make train passes 0.0 (round 4).
# English labels stay the rules' (the default --label rules): retrained on the merged round-5 code, the
# relabelling gained 0.015 stances F1 in CV but flipped a held-out case and a shared-sample label.
LABEL_MARGIN = 0.4
ADD_THRESHOLDS = (0.35, 0.5, 0.6, 0.65, 0.7, 0.8)
KEEP_THRESHOLDS = (0.0, 0.2)
CLAUSE_ADD_THRESHOLDS = (0.4, 0.5, 0.6, 0.65, 0.7, 0.8)  # the clause route's record of other addition thresholds


def actor_key(name: str, gaz) -> str:
    """A normalised key for an annotated or found actor (ISO code, organisation name, folded name)."""
    from .gazetteer import fold

    place = gaz.place(name)
    if place:
        return place[0]
    org = gaz.organisation(name)
    return org.name.casefold() if org else fold(name)


def _squash(text: str) -> str:
    return " ".join(str(text).split())


def _is_evidence(sentence: str, evidence: str) -> bool:
    """Whether a document sentence is (part of) the annotated evidence."""
    sentence, evidence = _squash(sentence), _squash(evidence)
    return bool(sentence and evidence) and (sentence in evidence or evidence[:60] in sentence)


def collect(nlp, articles: list[dict]) -> tuple[list[dict], list[dict], dict[str, dict[str, str]]]:
    """Candidate rows, sentence rows and the gold positions (article -> actor key -> stance) of every
    gold-relevant English article.

    Candidate rows: article, key, name, features (unit candidate), label, rule stance, whether the
    model may add it (:func:`pipelines.nlp.positions.addable`). Sentence rows: article, key,
    sentence index, features (unit sentence), label (the actor's annotated stance or ``none``),
    evidence (the sentence is the annotated evidence for the actor).
    """
    from .analyze import article_date, compose_text
    from .cues import load_lexicon
    from .entities import resolve_entities
    from .gazetteer import load_gazetteer
    from .position_words import candidate_terms
    from .positions import (
        addable,
        candidate_vector,
        coordinations,
        document_facts,
        gather_candidates,
        rules_disagree,
        sentence_vectors,
    )
    from .relevance import load_topics, score_relevance
    from .stance_merge import merge_hits
    from .stances import StanceExtractor

    gaz, lex, topics = load_gazetteer(), load_lexicon(), load_topics()
    rows: list[dict] = []
    sent_rows: list[dict] = []
    gold: dict[str, dict[str, str]] = {}
    relevant = [a for a in articles if a.get("relevant") and a.get("language", "en") == "en"]
    composed = [compose_text(a) for a in relevant]
    for article, (_, title_len), doc in zip(relevant, composed, nlp.pipe([c[0] for c in composed], batch_size=16)):
        aid = str(article["id"])
        annotated = {actor_key(str(s["actor"]), gaz): s for s in article.get("stances") or []}
        gold[aid] = {key: s["stance"] for key, s in annotated.items()}
        if not any(t.fired for t in score_relevance(article.get("title") or "", article.get("text") or "", topics)):
            continue
        day = article_date(article)
        ex = StanceExtractor(doc, resolve_entities(doc, gaz, day), gaz, lex, day)
        hits = ex.extract()
        rule = {actor_key(a.name, gaz) if not a.code else a.code: s for a, s, *_ in merge_hits(hits, use_filter=False)}
        # the same calls as positions.featurize / featurize_sentences, sharing the per-mention work
        title_end = title_len or (doc.text.find("\n") if "\n" in doc.text else 0)
        facts = document_facts(ex, hits, title_end)
        cands = gather_candidates(ex, hits)
        sents = [s.text for s in doc.sents]
        lists = coordinations(ex, list(cands.values()))
        for cand, heads in zip(cands.values(), lists):
            key = cand.actor.code or actor_key(cand.actor.name, gaz)
            label = gold[aid].get(key, "none")
            evidence = str((annotated.get(key) or {}).get("evidence") or "")
            per: dict[int, dict[str, float]] = {}
            feats = candidate_vector(ex, facts, cand, len(cands), title_end, per)
            rows.append(
                {
                    "article": aid,
                    "key": key,
                    "name": cand.actor.name,
                    "features": feats,
                    "label": label,
                    "rule": rule.get(key),
                    "rule_mixed": rules_disagree(cand.hits),
                    "addable": addable(ex, cand),
                    "terms": candidate_terms(ex, cand.tokens, cand.actor.key, facts.about, facts.sent_of),
                    "lists": heads,
                }
            )
            for k, f in sentence_vectors(ex, facts, cand, len(cands), title_end, feats, per).items():
                sent_rows.append(
                    {
                        "article": aid,
                        "key": key,
                        "sentence": k,
                        "features": f,
                        "label": label,
                        "evidence": label != "none" and _is_evidence(sents[k], evidence),
                    }
                )
    return rows, sent_rows, gold


def collect_clauses(articles: list[dict]) -> tuple[list[dict], dict[str, dict[str, str]]]:
    """Like :func:`collect`, for the articles of the clause route's languages (``--route clauses``)."""
    from .analyze import article_date, compose_text
    from .clause_lexical import candidate_text
    from .clause_positions import addable
    from .clause_positions import featurize as featurize_clauses
    from .clause_stances import ClauseStanceExtractor
    from .gazetteer import load_gazetteer
    from .lang_entities import find_mentions
    from .lang_model import load_lang_nlp
    from .lang_pack import available_languages, load_pack
    from .positions import rules_disagree
    from .relevance import score_relevance
    from .stance_merge import merge_hits

    gaz = load_gazetteer()
    rows: list[dict] = []
    gold: dict[str, dict[str, str]] = {}
    for article in articles:
        language = article.get("language")
        if not article.get("relevant") or language not in available_languages():
            continue
        aid = str(article["id"])
        gold[aid] = {actor_key(str(s["actor"]), gaz): s["stance"] for s in article.get("stances") or []}
        pack = load_pack(language)
        if not any(
            t.fired for t in score_relevance(article.get("title") or "", article.get("text") or "", pack.topics)
        ):
            continue
        text, _ = compose_text(article)
        doc = load_lang_nlp(language)(text)
        day = article_date(article)
        ex = ClauseStanceExtractor(
            doc, find_mentions(doc, pack, gaz, day), pack, gaz, day if article.get("published") else None
        )
        hits = ex.extract()
        rule = {actor_key(a.name, gaz) if not a.code else a.code: s for a, s, *_ in merge_hits(hits, use_filter=False)}
        for cand, feats in addable(featurize_clauses(ex, hits)):
            key = cand.actor.code or actor_key(cand.actor.name, gaz)
            rows.append(
                {
                    "article": aid,
                    "key": key,
                    "name": cand.actor.name,
                    "features": feats,
                    "label": gold[aid].get(key, "none"),
                    "rule": rule.get(key),
                    "rule_mixed": rules_disagree(cand.hits),
                    "text": candidate_text(ex, cand.tokens),  # the lexical channel's input (clause_lexical)
                }
            )
    return rows, gold


def fold_of(articles, folds: int, seed: int) -> dict[str, int]:
    """Article -> fold, fixed by a hash of the id and the seed."""
    order = sorted(articles, key=lambda a: hashlib.sha256(f"{seed}:{a}".encode()).hexdigest())
    return {a: i % folds for i, a in enumerate(order)}


def f1(gold: set, pred: set) -> float:
    """F1 of two sets (1.0 when both are empty)."""
    tp = len(gold & pred)
    p = tp / len(pred) if pred else (1.0 if not gold else 0.0)
    r = tp / len(gold) if gold else 1.0
    return round(2 * p * r / (p + r), 4) if p + r else 0.0


def score(gold: dict[str, dict[str, str]], pred: dict[str, dict[str, str]], articles) -> dict[str, float]:
    """Actors and stances F1 over ``articles`` (like the shared scorer)."""
    g_act = {(a, k) for a in articles for k in gold[a]}
    g_st = {(a, k, s) for a in articles for k, s in gold[a].items()}
    p_act = {(a, k) for a in articles for k in pred.get(a, {})}
    p_st = {(a, k, s) for a in articles for k, s in pred.get(a, {}).items()}
    return {"actors": f1(g_act, p_act), "stances": f1(g_st, p_st)}


def feature_names(rows: list[dict], features: str = "all") -> list[str]:
    """The sorted feature names of ``rows`` (``neutral``: without those that need a parse)."""
    from .positions import is_parse_feature

    names = sorted({k for r in rows for k in r["features"]})
    return [n for n in names if not is_parse_feature(n)] if features == "neutral" else names


def matrix(rows: list[dict], names: list[str]):
    """Feature matrix (numpy) of ``rows`` in the order of ``names``."""
    import numpy as np

    return np.array([[r["features"].get(n, 0.0) for n in names] for r in rows], dtype=np.float64)


def class_probs(model, x):
    """``model``'s class probabilities for the rows of ``x`` in the columns of :data:`CLASSES` (a class
    its training rows lacked stays 0)."""
    import numpy as np

    out = np.zeros((x.shape[0], len(CLASSES)))
    p = model.predict_proba(x)
    for j, c in enumerate(model.classes_):
        out[:, CLASSES.index(c)] = p[:, j]
    return out


def combine_channels(rows: list[dict], stacked, plain, keep: float, add: float, add_label_threshold: float):
    """One probability row per candidate from the stacked trees and the trees without the words
    channel: a candidate the rules found, or one the stacked trees add, takes the stacked trees'; an
    actor only the plain trees add takes theirs (what :func:`pipelines.nlp.positions._scored` does)."""
    import numpy as np

    def adds(p) -> bool:
        return 1.0 - p[0] >= max(keep, add) and max(p[1:]) >= add_label_threshold

    return np.array([s if r["rule"] or adds(s) or not adds(p) else p for r, s, p in zip(rows, stacked, plain)])


def pool_rows(rows: list[dict], probs, how: str):
    """:func:`pipelines.nlp.positions.pool_lists` over each article's candidate rows (columns
    :data:`CLASSES`): one add decision per coordination; ``probs`` itself when ``how`` is empty."""
    import numpy as np

    from .positions import pool_lists

    if not how:
        return probs
    by_article: dict[str, list[int]] = {}
    for j, r in enumerate(rows):
        by_article.setdefault(r["article"], []).append(j)
    out = np.array(probs, dtype=np.float64)
    for idx in by_article.values():
        pooled = pool_lists(
            [probs[j] for j in idx],
            [bool(rows[j]["rule"]) for j in idx],
            [rows[j].get("lists", frozenset()) for j in idx],
            how,
        )
        out[idx] = pooled
    return out


class Bagged:
    """Boosted-tree models fitted on bootstrap samples of the articles, their raw scores averaged
    (the softmax of the mean score; :func:`export` writes them as one forest)."""

    def __init__(self, models: list):
        self.models = models
        self.classes_ = models[0].classes_
        self.learning_rate = models[0].learning_rate

    def decision_function(self, x):
        return sum(m.decision_function(x) for m in self.models) / len(self.models)

    def predict_proba(self, x):
        import numpy as np

        scores = self.decision_function(x)
        exps = np.exp(scores - scores.max(axis=1, keepdims=True))
        return exps / exps.sum(axis=1, keepdims=True)


def fit(x, y, seed: int, params: dict | None = None, *, groups: list[str] | None = None, bags: int = 1):
    """Gradient-boosted trees (scikit-learn), deterministic (``params``: default :data:`PARAMS`).

    With ``bags`` > 1 (and the rows' article ids in ``groups``): that many models, each fitted on a
    Poisson bootstrap of the articles, averaged (:class:`Bagged`). An article's weight in bag ``k`` is
    drawn from its own id, ``seed`` and ``k`` only, so adding or removing other articles leaves it
    unchanged: a decision near the threshold moves less when a few training candidates change."""
    import numpy as np
    from sklearn.ensemble import GradientBoostingClassifier

    def one(xs, ys, weights=None):
        model = GradientBoostingClassifier(random_state=seed, subsample=1.0, **(params or PARAMS))
        return model.fit(xs, ys, sample_weight=weights)

    if bags <= 1 or groups is None:
        return one(x, y)
    y = np.asarray(y)
    models = []
    for k in range(bags):
        drawn = {g: _article_weight(seed, k, g) for g in set(groups)}
        weights = np.array([drawn[g] for g in groups], dtype=float)
        rows = np.flatnonzero(weights)
        if len(set(y[rows])) < len(set(y)):
            rows, weights = np.arange(len(y)), np.ones(len(y))  # a bag without one of the classes: all rows
        models.append(one(x[rows], y[rows], weights[rows]))
    return Bagged(models)


def _article_weight(seed: int, bag: int, article: str) -> int:
    """An article's count in one Poisson(1) bootstrap, from its id alone (reproducible, independent of
    the other articles)."""
    import numpy as np

    digest = hashlib.sha256(f"{seed}:{bag}:{article}".encode()).digest()
    return int(np.random.default_rng(int.from_bytes(digest[:8], "big")).poisson(1.0))


def training_rows(rows: list[dict], sent_rows: list[dict], unit: str) -> tuple[list[dict], list[str]]:
    """The rows a model of ``unit`` is fitted on, and their labels (see the module docstring)."""
    if unit == "candidate":
        return rows, [r["label"] for r in rows]
    train = [r for r in sent_rows if r["evidence"] or r["label"] == "none"]
    return train, [r["label"] if r["evidence"] else "none" for r in train]


def aggregate(rows: list[dict], sent_rows: list[dict], sent_probs):
    """Candidate probabilities from sentence probabilities: those of the candidate's most likely
    sentence (earliest on ties, as :func:`pipelines.nlp.positions.decide`)."""
    import numpy as np

    best: dict[tuple[str, str], tuple[float, int]] = {}
    for j, r in enumerate(sent_rows):
        p = 1.0 - sent_probs[j][0]
        key = (r["article"], r["key"])
        if key not in best or p > best[key][0]:
            best[key] = (p, j)
    out = np.zeros((len(rows), len(CLASSES)))
    for i, r in enumerate(rows):
        got = best.get((r["article"], r["key"]))
        out[i] = sent_probs[got[1]] if got else [1.0, 0.0, 0.0, 0.0]
    return out


def decisions(
    probs,
    classes,
    rows: list[dict],
    threshold: float,
    use_rule_label: bool,
    add_threshold: float | None = None,
    label_margin: float = 0.0,
    conflicts_only: bool = False,
    add_label_threshold: float = 0.0,
) -> dict[str, dict[str, str]]:
    """Article -> key -> stance for the candidates the model keeps (a candidate the rules did not
    find needs ``add_threshold``, default ``threshold``, and its most likely stance
    ``add_label_threshold``)."""
    out: dict[str, dict[str, str]] = {}
    stance_idx = [i for i, c in enumerate(classes) if c != "none"]
    none_idx = list(classes).index("none")
    for r, p in zip(rows, probs):
        needed = threshold if r["rule"] or add_threshold is None else max(threshold, add_threshold)
        if 1.0 - p[none_idx] < needed:
            continue
        best = max(stance_idx, key=lambda i: p[i])
        if not r["rule"] and (p[best] < add_label_threshold or not r.get("addable", True)):
            continue
        label = classes[best]
        if r["rule"] and (
            use_rule_label
            or (conflicts_only and not r.get("rule_mixed"))
            or p[list(classes).index(label)] - p[list(classes).index(r["rule"])] < label_margin
        ):
            label = r["rule"]
        out.setdefault(r["article"], {})[r["key"]] = label
    return out


def out_of_fold(
    rows: list[dict],
    sent_rows: list[dict],
    gold: dict,
    *,
    unit: str,
    folds: int,
    seed: int,
    names: list[str],
    bags: int = 1,
):
    """Out-of-fold class probabilities per candidate row (columns :data:`CLASSES`)."""
    import numpy as np

    folding = fold_of(sorted(gold), folds, seed)
    scored = rows if unit == "candidate" else sent_rows
    probs = np.zeros((len(scored), len(CLASSES)))
    train_rows, labels = training_rows(rows, sent_rows, unit)
    x_all = matrix(scored, names)
    x_train = matrix(train_rows, names)
    for k in range(folds):
        mask = [folding[r["article"]] != k for r in train_rows]
        test_idx = [i for i, r in enumerate(scored) if folding[r["article"]] == k]
        groups = [r["article"] for r, m in zip(train_rows, mask) if m]
        model = fit(x_train[mask], [y for y, m in zip(labels, mask) if m], seed, groups=groups, bags=bags)
        probs[test_idx] = class_probs(model, x_all[test_idx])
    return probs if unit == "candidate" else aggregate(rows, sent_rows, probs)


def cross_validate(
    rows: list[dict],
    gold: dict[str, dict[str, str]],
    *,
    folds: int,
    seed: int,
    threshold: float = 0.5,
    use_rule_label: bool = True,
    probs=None,
    add_threshold: float | None = None,
    sent_rows: list[dict] | None = None,
    unit: str = "candidate",
    names: list[str] | None = None,
    label_margin: float = 0.0,
    conflicts_only: bool = False,
    add_label_threshold: float = 0.0,
    bags: int = 1,
) -> dict:
    """Grouped cross-validation: per fold and overall, rules alone vs rules + model (``probs``:
    out-of-fold probabilities of an earlier call, to score other thresholds without refitting;
    ``bags``: see :func:`fit`)."""
    if probs is None:
        names = names or feature_names(rows if unit == "candidate" else sent_rows or [])
        probs = out_of_fold(rows, sent_rows or [], gold, unit=unit, folds=folds, seed=seed, names=names, bags=bags)
    folding = fold_of(sorted(gold), folds, seed)
    rules: dict[str, dict[str, str]] = {}
    for r in rows:
        if r["rule"]:
            rules.setdefault(r["article"], {})[r["key"]] = r["rule"]
    model_pred = decisions(
        probs,
        CLASSES,
        rows,
        threshold,
        use_rule_label,
        add_threshold,
        label_margin,
        conflicts_only,
        add_label_threshold,
    )
    per_fold = []
    for k in range(folds):
        arts = [a for a in gold if folding[a] == k]
        per_fold.append(
            {
                "fold": k,
                "articles": len(arts),
                "gold": sum(len(gold[a]) for a in arts),
                "rules": score(gold, rules, arts),
                "model": score(gold, model_pred, arts),
            }
        )
    return {
        "rules": score(gold, rules, list(gold)),
        "model": score(gold, model_pred, list(gold)),
        "folds": per_fold,
        "probs": probs,
        "classes": CLASSES,
    }


def holdout_scores(
    fit_rows: list[dict],
    held_rows: list[dict],
    held_gold: dict[str, dict[str, str]],
    names: list[str],
    seed: int,
    keep: float,
    add: float,
) -> dict:
    """Rules alone vs rules + a model fitted on ``fit_rows``, on the held-out articles."""
    model = fit(matrix(fit_rows, names), [r["label"] for r in fit_rows], seed)
    classes = ("none", "oppose", "support", "undecided")
    raw = model.predict_proba(matrix(held_rows, names)) if held_rows else []
    probs = [[dict(zip(model.classes_, p)).get(c, 0.0) for c in classes] for p in raw]
    rules: dict[str, dict[str, str]] = {}
    for r in held_rows:
        if r["rule"]:
            rules.setdefault(r["article"], {})[r["key"]] = r["rule"]
    pred = decisions(probs, classes, held_rows, keep, True, add)
    arts = list(held_gold)
    return {
        "articles": len(arts),
        "gold": sum(len(g) for g in held_gold.values()),
        "rules": score(held_gold, rules, arts),
        "model": score(held_gold, pred, arts),
    }


def export(model, names: list[str], seed: int, params: dict | None = None) -> dict:
    """The fitted trees as arrays (see :class:`pipelines.nlp.positions.Forest`)."""
    import numpy as np

    classes = [str(c) for c in model.classes_]
    trees = []
    members = getattr(model, "models", [model])  # a Bagged model: every member's trees, the rate shared out
    rate = float(model.learning_rate) / len(members)
    zero = np.zeros((1, len(names)))
    summed = np.zeros(len(classes))
    for stage in (stage for member in members for stage in member.estimators_):
        for cls, est in enumerate(stage):
            t = est.tree_
            leaf_values = [round(float(v), 6) for v in t.value[:, 0, 0]]
            trees.append(
                {
                    "class": cls,
                    "feature": [int(v) if v >= 0 else 0 for v in t.feature],
                    "threshold": [round(float(v), 6) for v in t.threshold],
                    "left": [int(v) for v in t.children_left],
                    "right": [int(v) for v in t.children_right],
                    "value": leaf_values,
                }
            )
            summed[cls] += rate * float(est.predict(zero)[0])
    base = model.decision_function(zero)[0] - summed
    return {
        "features": names,
        "classes": classes,
        "base": [round(float(v), 6) for v in base],
        "rate": rate,
        "trees": trees,
        "params": dict(params or PARAMS, seed=seed, **({"bags": len(members)} if len(members) > 1 else {})),
    }


def _read_corpora(paths: list[Path], corpus_dir: Path) -> list[dict] | str:
    """The articles of ``paths``, or one error line."""
    articles: list[dict] = []
    for path in paths:
        if not path.is_file():
            return f"error: corpus {path} not found (hint: the parts live in {corpus_dir.relative_to(REPO_ROOT)}/)"
        try:
            articles += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            return f"error: {path} is not JSONL ({exc})"
    return articles


def _labelling(margin: float) -> dict[str, dict]:
    """Each ``--label`` choice as the cross-validation's keyword arguments."""
    return {
        "rules": {"use_rule_label": True},
        "model": {"use_rule_label": False, "label_margin": margin},
        "conflicts": {"use_rule_label": False, "label_margin": margin, "conflicts_only": True},
    }


def _label_record(args: argparse.Namespace) -> dict:
    """The model file's fields for the ``--label`` choice (what :mod:`positions` reads)."""
    return {
        "use_rule_label": args.label == "rules",
        "label_conflicts": args.label == "conflicts",
        "label_margin": args.label_margin,
    }


def main(argv: list[str] | None = None) -> int:
    """Train and write the model file; exit 2 with one line on bad input."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--route",
        choices=("parse", "clauses"),
        default="parse",
        help="the English parsed route (default) or the clause route of the other languages",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        default=None,
        help="annotated JSONL (repeatable; default: the route's corpus dev parts that exist)",
    )
    parser.add_argument("--out", type=Path, default=None, help="model file (default: the shipped one)")
    parser.add_argument(
        "--unit",
        choices=("candidate", "sentence"),
        default="candidate",
        help="one row per actor and article (default; the clause route's only unit) or per actor "
        "and sentence (labelled by the evidence sentences)",
    )
    parser.add_argument(
        "--label",
        choices=("rules", "conflicts", "model"),
        default="rules",
        help="whose label a kept actor of the rules takes: always the rules' (default), the model's where "
        "the rules' own cues disagree and the model is --label-margin surer, or always the model's when "
        "that much surer",
    )
    parser.add_argument(
        "--label-margin",
        type=float,
        default=LABEL_MARGIN,
        help="--label model/conflicts: how much more probable than the rules' label the model's must be",
    )
    parser.add_argument(
        "--features",
        choices=("all", "neutral"),
        default="all",
        help="neutral: leave out the features that need a dependency parse",
    )
    parser.add_argument(
        "--words",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="English route, unit candidate: stack the lexical channel (pipelines.nlp.position_words) "
        "into the positions model and write its file next to the model's (default: yes)",
    )
    parser.add_argument(
        "--list-pool",
        choices=LIST_POOLS,
        default=LIST_POOL,
        help="English route: one add decision per coordination of actors, pooled by the max or the mean "
        "of their probabilities ('' keeps each its own)",
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--bags",
        type=int,
        default=1,
        help="--route clauses: average this many models fitted on bootstrap samples of the articles",
    )
    parser.add_argument(
        "--keep-threshold",
        type=float,
        default=None,
        help="probability below which an actor the rules found is dropped (0: never)",
    )
    parser.add_argument(
        "--add-threshold",
        type=float,
        default=None,
        help="probability an actor the rules did not find needs to be added",
    )
    parser.add_argument(
        "--add-label-threshold",
        type=float,
        default=ADD_LABEL_THRESHOLD,
        help="English route: probability the most likely stance of an actor the rules did not find "
        "needs to be added (0: none)",
    )
    parser.add_argument(
        "--min-gain",
        type=float,
        default=0.01,
        help="enable the model only if cross-validated stances F1 improves this much",
    )
    parser.add_argument(
        "--no-rule-features",
        action="store_true",
        help="leave out the rules' own result (r_*, rule_*): on articles the rules were written "
        "from, it teaches the model that what the rules miss is nothing",
    )
    parser.add_argument(
        "--holdout-ids",
        type=Path,
        default=None,
        help="ids (one a line) of corpus articles the rules were not developed on: a model fitted "
        "without them is scored on them and decides 'enabled' (instead of cross-validation); "
        "the written model is then fitted on everything",
    )
    args = parser.parse_args(argv)
    unit = args.unit
    if args.route == "clauses" and unit != "candidate":
        print("error: the clause route trains one row per actor (hint: leave out --unit)", file=sys.stderr)
        return 2
    holdout: set[str] = set()
    if args.holdout_ids is not None:
        if args.route == "parse":
            print(
                "error: --holdout-ids is for --route clauses (hint: the English route is judged by "
                "cross-validation over its corpus parts)",
                file=sys.stderr,
            )
            return 2
        if not args.holdout_ids.is_file():
            print(f"error: holdout list {args.holdout_ids} not found", file=sys.stderr)
            return 2
        holdout = {line.split("#", 1)[0].strip() for line in args.holdout_ids.read_text(encoding="utf-8").splitlines()}
        holdout.discard("")
    corpus_dir = CORPUS_DIR if args.route == "parse" else CLAUSE_CORPUS_DIR
    corpora = args.corpus or [
        corpus_dir / name for name in DEFAULT_CORPORA[args.route] if (corpus_dir / name).is_file()
    ]
    articles = _read_corpora(corpora, corpus_dir)
    if isinstance(articles, str):
        print(articles, file=sys.stderr)
        return 2
    if importlib.util.find_spec("sklearn") is None:
        print(
            "error: training needs scikit-learn (hint: pip install -e '.[dev]' with constraints.txt)", file=sys.stderr
        )
        return 2
    keep, add = THRESHOLDS[unit if args.route == "parse" else "clauses"]
    keep = keep if args.keep_threshold is None else args.keep_threshold
    add = add if args.add_threshold is None else args.add_threshold
    if args.route == "parse":
        return _train_parse(args, unit, keep, add, corpora, articles)
    return _train_clauses(args, keep, add, corpora, articles, holdout)


def data_files(corpora: list[Path]) -> list[dict]:
    """Each corpus file as the model files record it: its path in the repository (or name) and SHA-256."""
    data = []
    for path in corpora:
        try:
            name = str(path.resolve().relative_to(REPO_ROOT))
        except ValueError:
            name = path.name
        data.append({"corpus": name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()})
    return data


def _without_rule_features(rows: list[dict]) -> None:
    """Drop the rules' own result (``r_*``, ``rule_*``, also under a row prefix) from ``rows``."""
    for r in rows:
        r["features"] = {k: v for k, v in r["features"].items() if not k.removeprefix("a_").startswith(("r_", "rule_"))}


def _train_parse(
    args,
    unit: str,
    keep: float,
    add: float,
    corpora: list[Path],
    articles: list[dict],
) -> int:
    """The English route: both units cross-validated, the chosen one fitted and written."""
    from .model import load_nlp
    from .positions import MODEL_PATH

    out = args.out or MODEL_PATH
    rows, sent_rows, gold = collect(load_nlp(), articles)
    if args.no_rule_features:
        _without_rule_features(rows)
        _without_rule_features(sent_rows)
    if len({r["label"] for r in rows}) < 2:
        print("error: too few candidates of both kinds to train on", file=sys.stderr)
        return 2
    labelling = _labelling(args.label_margin)
    common = {
        "folds": args.folds,
        "seed": args.seed,
        "sent_rows": sent_rows,
        "add_label_threshold": args.add_label_threshold,
        **labelling[args.label],
    }
    stacked = words_oof = None
    fit_rows = rows
    words_cv: dict = {}
    if args.words and unit == "candidate":
        stacked, fit_rows, words_oof, words_cv = _stack_words(rows, gold, args, keep, add)
    names = {
        u: feature_names(fit_rows if u == "candidate" else sent_rows, args.features) for u in ("candidate", "sentence")
    }
    # one set of out-of-fold probabilities per unit, scored at the chosen thresholds and (for the
    # record) at other ones
    cvs = {
        u: cross_validate(
            rows,
            gold,
            threshold=THRESHOLDS[u][0] if u != unit else keep,
            add_threshold=THRESHOLDS[u][1] if u != unit else add,
            unit=u,
            names=names[u],
            probs=stacked if u == "candidate" else None,
            **common,
        )
        for u in (unit, "candidate" if unit == "sentence" else "sentence")
    }
    cv = cvs[unit]
    other_labels = {
        name: cross_validate(
            rows,
            gold,
            threshold=keep,
            add_threshold=add,
            probs=cv["probs"],
            folds=args.folds,
            seed=args.seed,
            sent_rows=sent_rows,
            add_label_threshold=args.add_label_threshold,
            **how,
        )["model"]
        for name, how in labelling.items()
        if name != args.label
    }
    grid = {
        f"keep {k} add {a} stance {s}": cross_validate(
            rows, gold, threshold=k, add_threshold=a, probs=cv["probs"], **{**common, "add_label_threshold": s}
        )["model"]
        for k in KEEP_THRESHOLDS
        for a in ADD_THRESHOLDS
        for s in ADD_LABEL_THRESHOLDS
    }
    train, labels = training_rows(fit_rows, sent_rows, unit)
    record = export(fit(matrix(train, names[unit]), labels, args.seed), names[unit], args.seed)
    if words_oof is not None:
        record["words"] = _write_words(rows, corpora, args, words_oof)
        plain_names = feature_names(rows, args.features)
        plain = export(fit(matrix(rows, plain_names), labels, args.seed), plain_names, args.seed)
        record["plain"] = {k: plain[k] for k in ("features", "classes", "base", "rate", "trees")}
        record["words"]["cv"] = words_cv
    gain = cv["model"]["stances"] - cv["rules"]["stances"]
    other = next(u for u in cvs if u != unit)
    record.update(
        unit=unit,
        feature_set=args.features,
        threshold=keep,
        add_threshold=add,
        add_label_threshold=args.add_label_threshold,
        list_pool=args.list_pool if stacked is not None else "",
        **_label_record(args),
        enabled=gain >= args.min_gain,
        rule_features=not args.no_rule_features,
        cv={
            "folds": args.folds,
            "seed": args.seed,
            "rules": cv["rules"],
            "model": cv["model"],
            "per_fold": cv["folds"],
            "by_thresholds": grid,
            "other_labels": other_labels,
            "other_unit": {
                "unit": other,
                "keep": THRESHOLDS[other][0],
                "add": THRESHOLDS[other][1],
                "model": cvs[other]["model"],
                "per_fold": [f["model"] for f in cvs[other]["folds"]],
            },
        },
    )
    record["data"] = {
        "files": data_files(corpora),
        "articles": len(gold),
        "candidates": len(rows),
        "sentence_rows": len(sent_rows),
        "training_rows": len(train),
        "positions": sum(1 for r in rows if r["label"] != "none"),
        "evidence_rows": sum(1 for r in sent_rows if r["evidence"]),
        "gold_positions": sum(len(g) for g in gold.values()),
    }
    out.write_text(json.dumps(record, indent=None, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(
        f"{len(rows)} candidates ({record['data']['positions']} positions), {len(train)} training rows "
        f"(unit {unit}, features {args.features}) from {len(gold)} relevant articles; cross-validated "
        f"(grouped by article, {args.folds} folds) actors/stances F1: rules "
        f"{cv['rules']['actors']:.3f}/{cv['rules']['stances']:.3f} -> with the model "
        f"{cv['model']['actors']:.3f}/{cv['model']['stances']:.3f} (rules' actors kept at {keep}, others added "
        f"at {add} with a stance at {args.add_label_threshold}, labels by the {args.label}; "
        + ", ".join(f"by the {n}: {o['actors']:.3f}/{o['stances']:.3f}" for n, o in other_labels.items())
        + f"); unit {other}: {cvs[other]['model']['actors']:.3f}/{cvs[other]['model']['stances']:.3f}; "
        f"{'enabled' if record['enabled'] else 'NOT enabled (gain below --min-gain)'}; wrote {out}"
    )
    for f, o in zip(cv["folds"], cvs[other]["folds"]):
        print(
            f"  fold {f['fold']}: {f['articles']} articles, {f['gold']} positions; rules "
            f"{f['rules']['actors']:.3f}/{f['rules']['stances']:.3f}, model "
            f"{f['model']['actors']:.3f}/{f['model']['stances']:.3f} (unit {other}: "
            f"{o['model']['actors']:.3f}/{o['model']['stances']:.3f})"
        )
    return 0


def _stack_words(rows: list[dict], gold: dict, args: argparse.Namespace, keep: float, add: float):
    """The lexical channel stacked into the positions model (:mod:`train_position_words`): the
    out-of-fold probabilities for the cross-validation (an actor the rules did not find takes those of
    the stacked trees when they add it, else those of the trees without the channel: what
    :func:`pipelines.nlp.positions._scored` does), the rows the written trees are fitted on (with the
    channel's out-of-fold probabilities), those probabilities, and the cross-validated scores of the
    stacked and the plain trees alone."""
    from .train_position_words import out_of_fold_words, stacked_out_of_fold, with_words

    words_oof = out_of_fold_words(rows, args.folds, args.seed)
    fit_rows = with_words(rows, words_oof)
    stacked, _ = stacked_out_of_fold(
        rows,
        gold,
        folds=args.folds,
        seed=args.seed,
        names=feature_names(fit_rows, args.features),
        fit_trees=lambda x, y: fit(x, y, args.seed),
    )
    plain = out_of_fold(
        rows, [], gold, unit="candidate", folds=args.folds, seed=args.seed, names=feature_names(rows, args.features)
    )
    both = pool_rows(rows, combine_channels(rows, stacked, plain, keep, add, args.add_label_threshold), args.list_pool)
    common = {
        "folds": args.folds,
        "seed": args.seed,
        "threshold": keep,
        "add_threshold": add,
        "add_label_threshold": args.add_label_threshold,
    }
    scores = {
        name: cross_validate(rows, gold, probs=probs, **common)["model"]
        for name, probs in (("stacked trees alone", stacked), ("trees without the channel", plain))
    }
    return both, fit_rows, words_oof, scores


def _write_words(rows: list[dict], corpora: list[Path], args: argparse.Namespace, words_oof) -> dict:
    """Fit the lexical channel on every row, write its file next to the positions model's and return
    what the positions model's file records of it (file name, SHA-256, the channel's own accuracy)."""
    from .position_words import MODEL_PATH as WORDS_PATH
    from .train_position_words import export_words, fit_words

    out = (args.out.parent / WORDS_PATH.name) if args.out else WORDS_PATH
    labels = [r["label"] for r in rows]
    right = sum(1 for r, p in zip(rows, words_oof) if CLASSES[int(p.argmax())] == r["label"])
    record = export_words(fit_words(rows, labels))
    record["data"] = {"files": data_files(corpora), "rows": len(rows), "oof_accuracy": round(right / len(rows), 4)}
    text = json.dumps(record, indent=None, separators=(",", ":"), sort_keys=True) + "\n"
    out.write_text(text, encoding="utf-8")
    return {
        "file": out.name,
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "terms": len(record["terms"]),
        "oof_accuracy": record["data"]["oof_accuracy"],
    }


def _train_clauses(
    args,
    keep: float,
    add: float,
    corpora: list[Path],
    articles: list[dict],
    holdout: set[str],
) -> int:
    """The clause route (one row per actor; ``--holdout-ids`` decides 'enabled' when given)."""
    from .clause_positions import MODEL_PATH as CLAUSE_MODEL_PATH

    out = args.out or CLAUSE_MODEL_PATH
    rows, gold = collect_clauses(articles)
    if args.no_rule_features:
        _without_rule_features(rows)
    if len({r["label"] for r in rows}) < 2:
        print("error: too few candidates of both kinds to train on", file=sys.stderr)
        return 2
    fit_rows = [r for r in rows if r["article"] not in holdout]
    fit_gold = {a: g for a, g in gold.items() if a not in holdout}
    labelling = _labelling(args.label_margin)[args.label]
    # one set of out-of-fold probabilities, scored at the chosen thresholds and (for the record) at
    # other addition thresholds
    common = {"folds": args.folds, "seed": args.seed, "threshold": keep, **labelling}
    cv = cross_validate(fit_rows, fit_gold, add_threshold=add, bags=args.bags, **common)
    others = {
        t: cross_validate(fit_rows, fit_gold, add_threshold=t, probs=cv["probs"], **common)["model"]
        for t in CLAUSE_ADD_THRESHOLDS
    }
    names = sorted({k for r in rows for k in r["features"]})
    held = (
        holdout_scores(
            fit_rows,
            [r for r in rows if r["article"] in holdout],
            {a: g for a, g in gold.items() if a in holdout},
            names,
            args.seed,
            keep,
            add,
        )
        if holdout
        else None
    )
    model = fit(
        matrix(rows, names), [r["label"] for r in rows], args.seed, groups=[r["article"] for r in rows], bags=args.bags
    )
    record = export(model, names, args.seed)
    basis = held or cv
    gain = basis["model"]["stances"] - basis["rules"]["stances"]
    record.update(
        threshold=keep,
        add_threshold=add,
        **_label_record(args),
        enabled=gain >= args.min_gain,
        rule_features=not args.no_rule_features,
        cv={
            "folds": args.folds,
            "seed": args.seed,
            "rules": cv["rules"],
            "model": cv["model"],
            "per_fold": cv["folds"],
            "by_add_threshold": {str(t): c for t, c in sorted(others.items())},
        },
    )
    if held:
        record["holdout"] = dict(held)
    labels = [r["label"] for r in rows]
    record["data"] = {
        "files": data_files(corpora),
        "articles": len(gold),
        "candidates": len(rows),
        "positions": sum(1 for v in labels if v != "none"),
        "gold_positions": sum(len(g) for g in gold.values()),
    }
    out.write_text(json.dumps(record, indent=None, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    if held:
        print(
            f"held out ({held['articles']} articles, model fitted without them): actors/stances F1 rules "
            f"{held['rules']['actors']:.3f}/{held['rules']['stances']:.3f} -> with the model "
            f"{held['model']['actors']:.3f}/{held['model']['stances']:.3f}; this decides 'enabled'"
        )
    print(
        f"{len(rows)} candidates ({record['data']['positions']} positions) from {len(gold)} relevant articles; "
        f"cross-validated (grouped by article, {args.folds} folds) actors/stances F1: rules "
        f"{cv['rules']['actors']:.3f}/{cv['rules']['stances']:.3f} -> with the model "
        f"{cv['model']['actors']:.3f}/{cv['model']['stances']:.3f} keeping the rules' actors above {keep} "
        f"(additions {add}); "
        f"{'enabled' if record['enabled'] else 'NOT enabled (gain below --min-gain)'}; wrote {out}"
    )
    for f in cv["folds"]:
        print(
            f"  fold {f['fold']}: {f['articles']} articles, {f['gold']} positions; rules "
            f"{f['rules']['actors']:.3f}/{f['rules']['stances']:.3f}, model "
            f"{f['model']['actors']:.3f}/{f['model']['stances']:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
