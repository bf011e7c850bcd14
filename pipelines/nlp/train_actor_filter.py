"""Train the actor filter (:mod:`pipelines.nlp.actor_filter`) on an annotated corpus split.

Run: ``python -m pipelines.nlp.train_actor_filter [--corpus tests/corpus/en/dev.jsonl] [--out FILE]``
(``make train``). Deterministic: no sampling; folds are fixed by article id and ``--seed``.

For every article the annotation marks relevant and the rules find relevant, the rules' merged
candidates (before any filtering) are labelled 1 when the annotation lists that actor with a
stance, else 0. A logistic regression (standardised features, L2 penalty, Newton's method) is
fitted; the penalty and the decision threshold are chosen by cross-validation over articles to
maximise the actors F1 of the whole pipeline (gold actors the rules never propose count as
misses in every setting). The model is enabled only if that cross-validated F1 beats the rules
alone by at least ``--min-gain``; the file records the data (path and SHA-256), counts, seed and
the cross-validated scores either way.

Only the repository's own corpus dev split is used: never evaluation files kept outside it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
from pathlib import Path

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO_ROOT / "tests" / "corpus" / "en" / "dev.jsonl"


def _gold_keys(article: dict, gaz) -> set[str]:
    """Normalised keys of the annotated actors (ISO code for countries, folded name otherwise)."""
    from .gazetteer import fold

    keys = set()
    for s in article.get("stances") or []:
        name = str(s["actor"])
        place = gaz.place(name)
        org = gaz.organisation(name)
        keys.add(place[0] if place else (org.name.casefold() if org else fold(name)))
    return keys


def _actor_key(actor, gaz) -> str:
    from .gazetteer import fold

    if actor.code:
        return actor.code
    org = gaz.organisation(actor.name)
    return org.name.casefold() if org else fold(actor.name)


def collect(nlp, articles: list[dict]) -> tuple[list[dict], dict[str, int]]:
    """Candidates with features and labels, and the number of gold actors per article."""
    from .actor_filter import candidate_features
    from .analyze import article_date, compose_text
    from .cues import load_lexicon
    from .entities import resolve_entities
    from .gazetteer import load_gazetteer
    from .relevance import load_topics, score_relevance
    from .stance_merge import merge_hits
    from .stances import extract_stances

    gaz, lex, topics = load_gazetteer(), load_lexicon(), load_topics()
    rows, gold_counts = [], {}
    relevant = [a for a in articles if a.get("relevant") and a.get("language", "en") == "en"]
    texts = [compose_text(a)[0] for a in relevant]
    for article, doc in zip(relevant, nlp.pipe(texts, batch_size=16)):
        aid = str(article["id"])
        gold = _gold_keys(article, gaz)
        gold_counts[aid] = len(gold)
        if not any(t.fired for t in score_relevance(article.get("title") or "", article.get("text") or "", topics)):
            continue
        day = article_date(article)
        mentions = resolve_entities(doc, gaz, day)
        for actor, stance, confidence, best, hits in merge_hits(
            extract_stances(doc, mentions, gaz, lex, day=day), use_filter=False
        ):
            rows.append(
                {
                    "article": aid,
                    "actor": actor.name,
                    "stance": stance,
                    "label": int(_actor_key(actor, gaz) in gold),
                    "features": candidate_features(actor, stance, confidence, best, hits),
                }
            )
    return rows, gold_counts


def fit(x, y, penalty: float, iterations: int = 50):
    """L2-penalised logistic regression by Newton's method (deterministic); returns (w, b)."""
    import numpy as np

    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    reg = np.full(d + 1, penalty)
    reg[-1] = 1e-6  # the intercept is barely penalised
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -30, 30)))
        grad = xb.T @ (p - y) + reg * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w[:-1], float(w[-1])


def actors_f1(kept_labels: list[int], gold_total: int) -> float:
    """Actors F1 of the pipeline when only these candidates are output."""
    tp = sum(kept_labels)
    p = tp / len(kept_labels) if kept_labels else 1.0
    r = tp / gold_total if gold_total else 1.0
    return 2 * p * r / (p + r) if p + r else 0.0


def train(
    rows: list[dict],
    gold_counts: dict[str, int],
    *,
    folds: int,
    seed: int,
    penalties: tuple[float, ...] = (0.3, 1.0, 3.0, 10.0, 30.0),
) -> dict:
    """Cross-validate penalty and threshold, then fit on all rows; returns the model record."""
    import numpy as np

    names = sorted(rows[0]["features"])
    x = np.array([[r["features"][k] for k in names] for r in rows], dtype=float)
    y = np.array([r["label"] for r in rows], dtype=float)
    means = x.mean(axis=0)
    scales = np.where(x.std(axis=0) > 1e-9, x.std(axis=0), 1.0)
    xs = (x - means) / scales
    articles = sorted(gold_counts, key=lambda a: hashlib.sha256(f"{seed}:{a}".encode()).hexdigest())
    fold_of = {a: i % folds for i, a in enumerate(articles)}
    row_fold = np.array([fold_of[r["article"]] for r in rows])
    gold_total = sum(gold_counts.values())
    baseline = actors_f1([r["label"] for r in rows], gold_total)
    thresholds = [round(t, 2) for t in np.arange(0.05, 0.80, 0.05)]
    results = []
    for penalty in penalties:
        scores = np.zeros(len(rows))
        for k in range(folds):
            train_rows, test_rows = row_fold != k, row_fold == k
            if y[train_rows].min() == y[train_rows].max():
                scores[test_rows] = 1.0
                continue
            w, b = fit(xs[train_rows], y[train_rows], penalty)
            scores[test_rows] = 1.0 / (1.0 + np.exp(-(xs[test_rows] @ w + b)))
        for t in thresholds:
            kept = [int(y[i]) for i in range(len(rows)) if scores[i] >= t]
            results.append((actors_f1(kept, gold_total), penalty, t))
    best_f1, penalty, threshold = max(results, key=lambda r: (round(r[0], 6), -r[2], r[1]))
    w, b = fit(xs, y, penalty)
    return {
        "features": names,
        "weights": [round(float(v), 6) for v in w],
        "bias": round(b, 6),
        "threshold": threshold,
        "penalty": penalty,
        "means": [round(float(v), 6) for v in means],
        "scales": [round(float(v), 6) for v in scales],
        "cv": {
            "folds": folds,
            "seed": seed,
            "actors_f1_rules": round(baseline, 4),
            "actors_f1_filtered": round(best_f1, 4),
        },
        "data": {
            "candidates": len(rows),
            "positives": int(y.sum()),
            "articles": len(gold_counts),
            "gold_actors": gold_total,
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Train and write the model file; exit 2 with one line on bad input."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="annotated JSONL (the dev split)")
    parser.add_argument("--out", type=Path, default=None, help="model file (default: the shipped one)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--min-gain",
        type=float,
        default=0.01,
        help="enable the filter only if cross-validated actors F1 improves this much",
    )
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"error: corpus {args.corpus} not found (hint: the dev split lives in tests/corpus/en/)", file=sys.stderr)
        return 2
    try:
        articles = [json.loads(line) for line in args.corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        print(f"error: {args.corpus} is not JSONL ({exc})", file=sys.stderr)
        return 2
    from .actor_filter import MODEL_PATH
    from .model import load_nlp

    out = args.out or MODEL_PATH
    rows, gold_counts = collect(load_nlp(), articles)
    if not rows or len({r["label"] for r in rows}) < 2:
        print("error: too few candidates of both kinds to train on", file=sys.stderr)
        return 2
    record = train(rows, gold_counts, folds=args.folds, seed=args.seed)
    record["enabled"] = record["cv"]["actors_f1_filtered"] - record["cv"]["actors_f1_rules"] >= args.min_gain
    try:
        corpus_name = str(args.corpus.resolve().relative_to(REPO_ROOT))
    except ValueError:
        corpus_name = args.corpus.name
    record["data"].update(corpus=corpus_name, sha256=hashlib.sha256(args.corpus.read_bytes()).hexdigest())
    out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    cv = record["cv"]
    print(
        f"candidates {len(rows)} ({record['data']['positives']} real) from {len(gold_counts)} relevant articles; "
        f"cross-validated actors F1: rules {cv['actors_f1_rules']:.3f} -> filtered {cv['actors_f1_filtered']:.3f} "
        f"(penalty {record['penalty']}, threshold {record['threshold']}); "
        f"{'enabled' if record['enabled'] else 'NOT enabled (gain below --min-gain)'}; wrote {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
