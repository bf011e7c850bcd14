"""Train the relevance classifier (:mod:`pipelines.nlp.relevance_model`) on the annotated English corpus.

Run: ``python -m pipelines.nlp.train_relevance [--corpus FILE ...] [--out FILE]`` (``make train``).
Needs scikit-learn (the ``dev`` extra). Word and word-pair TF-IDF (sublinear term frequency, the
``--max-features`` most frequent terms) and a class-balanced logistic regression. Cross-validated
(stratified 5 folds, fixed seed) together with the topic pack: the classifier only adds articles the
pack rejects, so what is measured is "pack OR classifier >= threshold" against the pack alone; round 11:
the classifier also vetoes what the pack accepts below ``veto``, the value of :data:`VETOES` with the
best cross-validated F1 (ties: the lowest). ``--time-split`` fits on the parts of rounds <= 9 and
scores round 10's parts instead. The file records the corpus files (paths, SHA-256), the parameters
and the cross-validated scores, and is enabled only when the combination beats the pack alone in
cross-validation. Deterministic: the
same corpus gives the same bytes. The pure-Python evaluation is checked against scikit-learn's on
every training article before the file is written.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .relevance import load_topics, score_relevance
from .relevance_model import MODEL_PATH, compose, counter_evidence, model_from_dict, probability
from .train_positions import DEFAULT_CORPORA as POSITIONS_CORPORA
from .train_positions import data_files

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO_ROOT / "tests" / "corpus" / "en"
# round 10's English parts (first measured in round 10); the newest measured round, the time split's test
ROUND10_PARTS = ("dev15.jsonl", "dev16.jsonl", "test-q.jsonl", "test-r.jsonl", "test-s.jsonl")
# every English part measured once (the positions model's parts and round 10's)
DEFAULT_CORPORA = tuple(dict.fromkeys((*POSITIONS_CORPORA["parse"], *ROUND10_PARTS)))
PARAMS = {"max_features": 5000, "C": 4.0, "ngram_max": 2, "min_df": 2}
THRESHOLD = 0.6  # chosen by the cross-validation recorded in pipelines/nlp/README.md
VETOES = (0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)  # candidate veto thresholds (0.0: no veto)
TOPIC = "peacekeeping"


def _load(paths: list[Path]) -> list[dict]:
    records = []
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle if line.strip())
    return records


def _fit(texts: list[str], labels: list[int]):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(
        ngram_range=(1, PARAMS["ngram_max"]),
        min_df=PARAMS["min_df"],
        sublinear_tf=True,
        max_features=PARAMS["max_features"],
    )
    matrix = vectorizer.fit_transform(texts)
    classifier = LogisticRegression(C=PARAMS["C"], max_iter=5000, class_weight="balanced")
    classifier.fit(matrix, labels)
    return vectorizer, classifier


def _f1(gold: list[int], predicted: list[int]) -> dict:
    tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold, predicted, strict=True) if p and not g)
    fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g and not p)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": round(f1, 4), "precision": round(precision, 4), "recall": round(recall, 4), "fp": fp, "fn": fn}


def combine(
    pack: list[int], probabilities: list[float | None], threshold: float, veto: float, counter: list[bool]
) -> list[int]:
    """The decisions of pack + classifier (``None``: the classifier does not apply to that text; no
    addition where the pack found counter-evidence)."""
    return [
        k if p is None else int(p >= veto if k else p >= threshold and not c)
        for k, p, c in zip(pack, probabilities, counter, strict=True)
    ]


def choose_veto(scores: dict) -> float:
    """The veto threshold with the best F1 in ``scores`` (the rows ``veto < t``); ties: the lowest."""
    return max(VETOES, key=lambda t: (scores[_veto_row(t)]["f1"], -t))


def _veto_row(veto: float) -> str:
    return f"pack or classifier >= {THRESHOLD}, veto < {veto}" if veto else f"pack or classifier >= {THRESHOLD}"


def score_grid(labels: list[int], pack: list[int], probabilities: list[float | None], counter: list[bool]) -> dict:
    """F1 of the pack alone, of the additions at several thresholds, and of the vetoes of :data:`VETOES`."""
    out = {"pack alone": _f1(labels, pack)}
    for threshold in (0.5, 0.55, 0.6, 0.65, 0.7, 0.8):
        out[f"pack or classifier >= {threshold}"] = _f1(labels, combine(pack, probabilities, threshold, 0.0, counter))
    for veto in VETOES[1:]:
        out[_veto_row(veto)] = _f1(labels, combine(pack, probabilities, THRESHOLD, veto, counter))
    return out


def cross_validate(
    texts: list[str], labels: list[int], pack: list[int], counter: list[bool], lengths: list[int], seed: int
) -> dict:
    """Stratified 5-fold CV of the pack alone, of pack OR classifier at several thresholds and of the
    vetoes (the classifier deciding only texts as long as the shortest article of its training folds)."""
    from sklearn.model_selection import StratifiedKFold

    probabilities: list[float | None] = [None] * len(texts)
    for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(texts, labels):
        vectorizer, classifier = _fit([texts[i] for i in train], [labels[i] for i in train])
        shortest = min(lengths[i] for i in train)
        for i, p in zip(test, classifier.predict_proba(vectorizer.transform([texts[i] for i in test]))[:, 1]):
            probabilities[i] = float(p) if lengths[i] >= shortest else None
    return score_grid(labels, pack, probabilities, counter)


def _columns(records: list[dict]) -> tuple[list[str], list[int], list[int], list[bool], list[int]]:
    """The classifier's texts, the gold labels, the pack's decisions, its counter-evidence and the
    word counts."""
    texts = [compose(r.get("title") or "", r.get("text") or "") for r in records]
    labels = [int(bool(r["relevant"])) for r in records]
    topics = load_topics()
    scored = [score_relevance(r.get("title") or "", r.get("text") or "", topics) for r in records]
    pack = [int(any(t.fired for t in results)) for results in scored]
    counter = [counter_evidence([m for t in results for m in t.matches]) for results in scored]
    lengths = [len(f"{r.get('title') or ''} {r.get('text') or ''}".split()) for r in records]
    return texts, labels, pack, counter, lengths


def time_split(train_paths: list[Path], test_paths: list[Path]) -> dict:
    """Fit on ``train_paths``, score the articles of ``test_paths`` (the same grid as the CV)."""
    train, test = _load(train_paths), _load(test_paths)
    texts, labels, _, _, lengths = _columns(train)
    vectorizer, classifier = _fit(texts, labels)
    test_texts, test_labels, test_pack, test_counter, test_lengths = _columns(test)
    shortest = min(lengths)
    probabilities = classifier.predict_proba(vectorizer.transform(test_texts))[:, 1]
    kept = [float(p) if n >= shortest else None for p, n in zip(probabilities, test_lengths, strict=True)]
    return score_grid(test_labels, test_pack, kept, test_counter)


def build(paths: list[Path], seed: int = 13) -> dict:
    """Fit on ``paths`` and return the model file's content."""
    records = _load(paths)
    texts, labels, pack, counter, lengths = _columns(records)
    cv = cross_validate(texts, labels, pack, counter, lengths, seed)
    veto = choose_veto(cv)
    vectorizer, classifier = _fit(texts, labels)
    vocabulary = sorted(vectorizer.vocabulary_.items(), key=lambda item: item[0])
    terms = [
        [term, round(float(vectorizer.idf_[index]), 6), round(float(classifier.coef_[0][index]), 6)]
        for term, index in vocabulary
    ]
    chosen = cv[_veto_row(veto)]["f1"]
    data = {
        "about": "relevance classifier (pipelines/nlp/relevance_model.py), trained by pipelines/nlp/train_relevance.py",
        "enabled": chosen > cv["pack alone"]["f1"],
        "topic": TOPIC,
        "threshold": THRESHOLD,
        "veto": veto,
        "ngram_max": PARAMS["ngram_max"],
        "min_words": min(lengths),  # no shorter than the shortest training article
        "params": PARAMS,
        "seed": seed,
        "data": data_files(paths),
        "articles": len(records),
        "relevant": sum(labels),
        "cross_validation": cv,
        "intercept": round(float(classifier.intercept_[0]), 6),
        "terms": terms,
    }
    _check_parity(data, vectorizer, classifier, records, texts)
    return data


def _check_parity(data: dict, vectorizer, classifier, records: list[dict], texts: list[str]) -> None:
    """The pure-Python evaluation must give scikit-learn's probabilities (up to the file's rounding)."""
    model = model_from_dict(data)
    reference = classifier.predict_proba(vectorizer.transform(texts))[:, 1]
    worst = max(
        abs(probability(r.get("title") or "", r.get("text") or "", model) - float(p))
        for r, p in zip(records, reference, strict=True)
    )
    if worst > 1e-3:
        raise RuntimeError(f"pure-Python relevance differs from scikit-learn's by {worst:.4f}")
    logger.info("parity with scikit-learn: largest difference %.2e", worst)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, nargs="*", help="corpus JSONL files (default: the English dev parts)")
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="model file (default: the shipped one)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--time-split", action="store_true", help="fit on rounds <= 9, score round 10's parts; no file written"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    paths = args.corpus or [CORPUS_DIR / name for name in DEFAULT_CORPORA if (CORPUS_DIR / name).exists()]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"train_relevance: no such corpus file: {', '.join(missing)}", file=sys.stderr)
        return 2
    if args.time_split:
        test = [p for p in paths if p.name in ROUND10_PARTS]
        scores = time_split([p for p in paths if p.name not in ROUND10_PARTS], test)
        print(f"time split: fitted on rounds <= 9, scored on {', '.join(p.stem for p in test)}")
        for name, row in scores.items():
            print(f"{name:44s} F1 {row['f1']:.4f}  P {row['precision']:.4f}  R {row['recall']:.4f}")
        return 0
    data = build(paths, args.seed)
    args.out.write_text(
        json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    for name, scores in data["cross_validation"].items():
        print(f"{name:44s} F1 {scores['f1']:.4f}  P {scores['precision']:.4f}  R {scores['recall']:.4f}")
    print(f"wrote {args.out} ({len(data['terms'])} terms, veto {data['veto']}, enabled={data['enabled']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
