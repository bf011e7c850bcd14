"""Time-split check of the English positions model: train on older parts, score on newer ones.

Run: ``python -m pipelines.nlp.time_split [--train PART ... --test PART ...] [--cv] [--list-pool HOW ...]
[--cache DIR]``.

The closest thing to a first look a developer may run: the positions model (stacked words channel,
plain trees, the shipped thresholds, as ``make train`` fits them) is fitted on the parts of earlier
rounds only and scored on a later round's parts, whose labels no model has seen; rules alone are
scored on the same articles. By default (round 12) three splits: fitted on rounds <= 10 and scored
on round 11's parts, fitted on rounds <= 9 and scored on round 10's, and fitted on rounds <= 8 and
scored on round 9's; then all together (each model on its own split's articles). Each line also
counts the additions near the add threshold (the "jitter band", where any retraining moves actors
across it). ``--cv`` adds the grouped cross-validation over all named parts (what ``make train``
records). ``--list-pool`` (repeatable) scores one add decision per coordination of actors on the
same fits. Scores are actors and stances
F1 over the gold-relevant articles where a topic term fires
(:func:`pipelines.nlp.train_positions.score`), so they differ a little from the shared scorer's on
whole parts.

Every article is parsed once: the docs are kept in a spaCy ``DocBin`` under ``--cache`` (keyed by
the spaCy model, the pipeline and the text), so later runs (other settings, other code after the
parse) read them back instead of parsing again.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from .train_positions import (
    ADD_LABEL_THRESHOLD,
    CLASSES,
    CORPUS_DIR,
    DEFAULT_CORPORA,
    LIST_POOL,
    LIST_POOLS,
    PARAMS,
    REPO_ROOT,
    ROUND9_PARTS,
    ROUND10_PARTS,
    ROUND11_PARTS,
    ROUND12_PARTS,
    THRESHOLDS,
    _read_corpora,
    class_probs,
    collect,
    combine_channels,
    cross_validate,
    decisions,
    feature_names,
    fit,
    matrix,
    pool_rows,
    score,
)

logger = logging.getLogger(__name__)

# the default splits (round 12): fitted on rounds <= 10, scored on round 11's parts; fitted on rounds <= 9,
# scored on round 10's; fitted on rounds <= 8, scored on round 9's (each too small alone to tell apart
# changes of a few positions). Each pair is (scored parts, later parts left out of training).
SPLITS = (
    (ROUND12_PARTS, ()),
    (ROUND11_PARTS, ROUND12_PARTS),
    (ROUND10_PARTS, (*ROUND11_PARTS, *ROUND12_PARTS)),
    (ROUND9_PARTS, (*ROUND10_PARTS, *ROUND11_PARTS, *ROUND12_PARTS)),
)
JITTER = 0.05  # an addition within this much of the add threshold is counted in the "jitter band"
DEFAULT_CACHE = REPO_ROOT / ".cache" / "time_split"


class CachedNlp:
    """A spaCy pipeline whose :meth:`pipe` reads docs parsed earlier from a ``DocBin`` file."""

    def __init__(self, nlp, cache_dir: Path) -> None:
        self.nlp = nlp
        # the stored meta, not ``nlp.meta`` (which recomputes the labels from the string store)
        stored = getattr(nlp, "_meta", {}) or {}
        meta = f"{stored.get('name')}-{stored.get('version')}-{','.join(nlp.pipe_names)}"
        self.path = cache_dir / f"docs-{hashlib.sha256(meta.encode()).hexdigest()[:16]}.spacy"
        self.docs: dict[str, object] = {}
        if self.path.is_file():
            from spacy.tokens import DocBin

            for doc in DocBin().from_disk(self.path).get_docs(nlp.vocab):
                self.docs[self._key(doc.text)] = doc
        self.added = 0

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def pipe(self, texts: Iterable[str], batch_size: int = 16) -> Iterator:
        """The docs of ``texts`` in order, parsing (and caching) those not parsed before."""
        texts = list(texts)
        missing = list(dict.fromkeys(t for t in texts if self._key(t) not in self.docs))
        for text, doc in zip(missing, self.nlp.pipe(missing, batch_size=batch_size)):
            self.docs[self._key(text)] = doc
        self.added += len(missing)
        for text in texts:
            yield self.docs[self._key(text)]

    def save(self) -> None:
        """Write the cache when docs were added."""
        if not self.added:
            return
        from spacy.tokens import DocBin

        self.path.parent.mkdir(parents=True, exist_ok=True)
        DocBin(docs=list(self.docs.values()), store_user_data=True).to_disk(self.path)


def fit_and_predict(
    train: list[dict],
    test: list[dict],
    seed: int,
    folds: int,
    keep: float,
    add: float,
    add_label: float,
    list_pool: str = "",
):
    """Class probabilities of ``test`` rows by the model ``make train`` would fit on ``train`` rows:
    the stacked trees (words channel fitted on every training row, its out-of-fold probabilities as
    the trees' features), and the plain trees where they add an actor the stacked ones do not; with
    ``list_pool``, one add decision per coordination (:func:`train_positions.pool_rows`)."""
    from .train_position_words import fit_words, out_of_fold_words, predict_words, with_words

    labels = [r["label"] for r in train]
    fit_rows = with_words(train, out_of_fold_words(train, folds, seed))
    stacked_names = feature_names(fit_rows)
    plain_names = feature_names(train)
    stacked = fit(matrix(fit_rows, stacked_names), labels, seed)
    plain = fit(matrix(train, plain_names), labels, seed)
    test_words = with_words(test, predict_words(fit_words(train, labels), test))

    ps = class_probs(stacked, matrix(test_words, stacked_names))
    pp = class_probs(plain, matrix(test, plain_names))
    return pool_rows(test, combine_channels(test, ps, pp, keep, add, add_label), list_pool)


def jitter_band(rows: list[dict], probs, add: float, width: float = JITTER) -> tuple[int, int]:
    """(additions, of them within ``width`` of ``add``): candidates the rules did not find that the
    model may add, by their probability of holding a position (the stance bar aside)."""
    near = total = 0
    for r, p in zip(rows, probs):
        if r["rule"] or not r.get("addable", True):
            continue
        q = 1.0 - p[0]
        total += q >= add
        near += abs(q - add) <= width
    return total, near


def rules_of(rows: list[dict]) -> dict[str, dict[str, str]]:
    """Article -> key -> the rules' stance."""
    out: dict[str, dict[str, str]] = {}
    for r in rows:
        if r["rule"]:
            out.setdefault(r["article"], {})[r["key"]] = r["rule"]
    return out


def _parts(args: argparse.Namespace) -> list[tuple[list[str], list[str]]]:
    """(training parts, scored parts) of each split: ``--train``/``--test`` name one; by default
    :data:`SPLITS` over the parts ``make train`` reads and rounds 10's, 11's and 12's."""
    every = list(dict.fromkeys([*DEFAULT_CORPORA["parse"], *ROUND10_PARTS, *ROUND11_PARTS, *ROUND12_PARTS]))
    if args.test:
        return [(args.train or [p for p in every if p not in args.test], list(args.test))]
    return [([p for p in every if p not in test and p not in later], list(test)) for test, later in SPLITS]


def _fmt(s: dict) -> str:
    return f"{s['actors']:.3f}/{s['stances']:.3f}"


def main(argv: list[str] | None = None) -> int:
    """Print the time-split scores (and with ``--cv`` the cross-validation); exit 2 on bad input."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", action="append", default=None, help="training part (with --test)")
    parser.add_argument("--test", action="append", default=None, help="scored part (default: the two SPLITS)")
    parser.add_argument("--cv", action="store_true", help="also cross-validate over the train and test parts")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="directory of the parsed docs")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--add-threshold", type=float, default=THRESHOLDS["candidate"][1])
    parser.add_argument("--add-label-threshold", type=float, default=ADD_LABEL_THRESHOLD)
    parser.add_argument(
        "--list-pool",
        action="append",
        choices=LIST_POOLS,
        default=None,
        help=f"one add decision per coordination (repeatable, each scored on the same fits; default {LIST_POOL!r})",
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a tree hyper-parameter other than train_positions.PARAMS' (repeatable; for comparisons)",
    )
    args = parser.parse_args(argv)
    try:
        PARAMS.update({k: (float(v) if "." in v else int(v)) for k, v in (p.split("=", 1) for p in args.param)})
    except ValueError:
        print("error: --param takes NAME=NUMBER (hint: --param min_samples_leaf=8)", file=sys.stderr)
        return 2
    if args.train and not args.test:
        print("error: --train needs --test (hint: name the scored parts too)", file=sys.stderr)
        return 2
    splits = _parts(args)
    pools = list(dict.fromkeys(args.list_pool or [LIST_POOL]))
    read = {}
    for name in dict.fromkeys(p for train, test in splits for p in [*train, *test]):
        path = Path(name) if Path(name).is_file() else CORPUS_DIR / name
        articles = _read_corpora([path], CORPUS_DIR)
        if isinstance(articles, str):
            print(articles, file=sys.stderr)
            return 2
        read[name] = articles
    from .model import load_nlp

    nlp = CachedNlp(load_nlp(), args.cache)
    every = [a for name in read for a in read[name]]
    rows, _, gold = collect(nlp, every)
    nlp.save()
    keep, add = THRESHOLDS["candidate"][0], args.add_threshold
    if args.param:
        print(f"tree parameters: {PARAMS}")
    summed: dict[str, dict[str, dict]] = {pool: {} for pool in pools}
    for train_parts, test_parts in splits:
        test_ids = {str(a["id"]) for name in test_parts for a in read[name]}
        train_ids = {str(a["id"]) for name in train_parts for a in read[name]} - test_ids
        train = [r for r in rows if r["article"] in train_ids]
        test = [r for r in rows if r["article"] in test_ids]
        probs = fit_and_predict(train, test, args.seed, args.folds, keep, add, args.add_label_threshold)
        arts = sorted(a for a in gold if a in test_ids)
        positions = sum(len(gold[a]) for a in arts)
        print(
            f"time split: trained on {len(train_parts)} parts ({len(train)} candidates), scored on "
            f"{', '.join(test_parts)} ({len(arts)} articles, {positions} positions): actors/stances rules "
            f"{_fmt(score(gold, rules_of(test), arts))}"
        )
        for pool in pools:
            pooled = pool_rows(test, probs, pool)
            pred = decisions(pooled, CLASSES, test, keep, True, add, add_label_threshold=args.add_label_threshold)
            added, near = jitter_band(test, pooled, add)
            summed[pool].update({a: pred.get(a, {}) for a in arts})
            print(
                f"  list pool {pool or 'off'}: with the model {_fmt(score(gold, pred, arts))}; "
                f"{added} candidates past the add threshold, {near} within {JITTER} of it"
            )
    if len(splits) > 1:
        arts = sorted(a for a in gold if a in summed[pools[0]])
        for pool in pools:
            positions = sum(len(gold[a]) for a in arts)
            print(
                f"all {len(splits)} splits ({len(arts)} articles, {positions} positions), list pool "
                f"{pool or 'off'}: with the model {_fmt(score(gold, summed[pool], arts))}"
            )
    if args.cv:
        from .train_positions import _stack_words

        ns = argparse.Namespace(
            folds=args.folds, seed=args.seed, add_label_threshold=args.add_label_threshold, features="all", list_pool=""
        )
        both, *_ = _stack_words(rows, gold, ns, keep, add)
        for pool in pools:
            pooled = pool_rows(rows, both, pool)
            cv = cross_validate(
                rows,
                gold,
                folds=args.folds,
                seed=args.seed,
                threshold=keep,
                add_threshold=add,
                probs=pooled,
                add_label_threshold=args.add_label_threshold,
            )
            added, near = jitter_band(rows, pooled, add)
            print(
                f"cross-validation over {len(read)} parts ({len(gold)} articles, grouped {args.folds} folds, seed "
                f"{args.seed}), list pool {pool or 'off'}: rules {_fmt(cv['rules'])} -> with the model "
                f"{_fmt(cv['model'])}; {added} candidates past the add threshold, {near} within {JITTER} of it"
            )
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(main())
