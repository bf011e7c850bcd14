"""Cross-validate the clause route per language on the multilingual corpus (issue 11).

Run: ``python -m pipelines.nlp.cv_languages [--part NAME ...] [--variant rules|model] [--folds 5]
[--seed N] [--json FILE] [--pred FILE] [--scorer score.py]`` (default scorer: ``../shared/eval/score.py``).

Folds are grouped by article and stratified by language: per language, the articles are ordered by a
hash of the seed and their id and dealt to the folds in turn. Each fold's articles are analysed by
the whole product (:func:`pipelines.nlp.analyze.analyze_articles`) with the clause-route positions
model fitted on the other folds' articles only (variant ``model``), or with the rules alone (variant
``rules``), and scored by the shared scorer (``score.py``) per language and overall. The errors of
the out-of-fold predictions are counted per language in four classes (:func:`error_classes`).

Only the parts named by ``--part`` are read (default: every development part); a file name the
lead keeps for measurement is refused.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .score_languages import load_scorer
from .train_positions import DEFAULT_CORPORA

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO_ROOT / "tests" / "corpus" / "multilingual"
# the parts the clause-route model trains on (one list: train_positions.DEFAULT_CORPORA["clauses"])
DEFAULT_PARTS = tuple(name.removesuffix(".jsonl") for name in DEFAULT_CORPORA["clauses"])
# parts kept for the lead's never-seen measurements: never read here. Round 6's test-g and dev6 had
# their first measurement and are development data now; round 13's new parts wait for theirs.
RESERVED_PARTS: frozenset[str] = frozenset({"test-u", "test-v", "test-w", "dev20", "dev21", "dev22"})
SEED = 20261130
LANGUAGES = ("de", "es", "fr", "it", "pl")
ERROR_CLASSES = ("missed actor", "invented actor", "wrong label", "relevance", "missed person")


@dataclass
class ModelSettings:
    """How a fold's positions model is fitted and applied (the trainer's options)."""

    params: dict = field(default_factory=dict)  # scikit-learn GradientBoosting parameters (default: the trainer's)
    keep: float = 0.0  # an actor the rules found is dropped below this probability
    add: float = 0.6  # an actor the rules missed is added at this probability (round 9: 0.65 before)
    rule_features: bool = False
    label: str = "conflicts"  # rules | conflicts | model: whose label a kept actor of the rules takes
    label_margin: float = 0.0
    lexical: bool = False  # stack the lexical channel (clause_lexical) into the trees
    lexical_c: float = 1.0
    bags: int = 1  # models on bootstrap samples of the articles, averaged (train_positions.fit)


def assign_folds(articles: list[dict], folds: int, seed: int) -> dict[str, int]:
    """Article id -> fold, grouped by article and stratified by language (fixed by ``seed``)."""
    by_language: dict[str, list[str]] = defaultdict(list)
    for a in articles:
        by_language[str(a.get("language"))].append(str(a["id"]))
    out: dict[str, int] = {}
    offset = 0
    for language in sorted(by_language):
        ids = sorted(by_language[language], key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest())
        for n, aid in enumerate(ids):
            out[aid] = (n + offset) % folds
        offset += len(ids)  # the next language starts where this one stopped: folds stay even
    return out


def error_classes(gold: dict[str, dict], pred: dict[str, dict], norm) -> Counter:
    """Counted errors of predictions against gold articles (the scorer's actor names, ``norm``).

    * ``relevance``: an article whose relevance is wrong (a gold-relevant article predicted
      irrelevant loses all its stances here, not as missed actors);
    * ``missed actor``: a gold actor of a relevant article with no predicted stance;
    * ``invented actor``: a predicted actor the annotation does not list;
    * ``wrong label``: an actor of both with another stance;
    * ``missed person``: a gold person of any article with no predicted name pairing it (the scorer's
      ``norm_person`` and ``match_people`` when it has them).
    """
    out: Counter = Counter()
    for aid, g in gold.items():
        p = pred.get(aid, {})
        if bool(g.get("relevant")) != bool(p.get("relevant")):
            out["relevance"] += 1
        if not g.get("relevant") or not p.get("relevant"):
            continue
        gs = {norm(s["actor"]): s["stance"] for s in g.get("stances") or []}
        ps = {norm(s["actor"]): s["stance"] for s in p.get("stances") or [] if s.get("stance")}
        out["missed actor"] += len(gs.keys() - ps.keys())
        out["invented actor"] += len(ps.keys() - gs.keys())
        out["wrong label"] += sum(1 for k in gs.keys() & ps.keys() if gs[k] != ps[k])
    return out


def missed_people(gold: dict[str, dict], pred: dict[str, dict], scorer) -> int:
    """Gold people (every article) that no predicted name pairs, as the scorer pairs them."""
    norm_person = getattr(scorer, "norm_person", None)
    match = getattr(scorer, "match_people", None)
    if norm_person is None or match is None:
        return 0
    missed = 0
    for aid, g in gold.items():
        gp = {norm_person(c) for c in g.get("people") or []}
        pp = match(gp, {norm_person(c) for c in (pred.get(aid) or {}).get("people") or []})
        missed += len(gp - pp)
    return missed


def fit_forest(rows: list[dict], settings: ModelSettings, seed: int = 13):
    """A :class:`~pipelines.nlp.positions.Forest` fitted on candidate rows (see ``train_positions``)
    and its lexical channel (None unless ``settings.lexical``), stacked out of fold on the rows."""
    from .clause_lexical import model_from_dict, stack_lexical
    from .positions import forest_from_record
    from .train_positions import export, fit, matrix

    lexical = None
    if settings.lexical:
        rows = [dict(r) for r in rows]
        lexical = model_from_dict(stack_lexical(rows, seed, settings.lexical_c))
    names = sorted({k for r in rows for k in r["features"]})
    params = settings.params or None
    model = fit(
        matrix(rows, names),
        [r["label"] for r in rows],
        seed,
        params,
        groups=[r["article"] for r in rows],
        bags=settings.bags,
    )
    record = export(model, names, seed, params)
    record.update(
        threshold=settings.keep,
        add_threshold=settings.add,
        use_rule_label=settings.label == "rules",
        label_conflicts=settings.label == "conflicts",
        label_margin=settings.label_margin,
    )
    return forest_from_record(record), lexical


def candidate_rows(articles: list[dict], rule_features: bool) -> list[dict]:
    """The trainer's candidate rows of ``articles`` (clause route), rules' features optional."""
    from .train_positions import _without_rule_features, collect_clauses

    rows, _ = collect_clauses(articles)
    if not rule_features:
        _without_rule_features(rows)
    return rows


def analyse(articles: list[dict], model, lexical=None, train: list[dict] | None = None) -> dict[str, dict]:
    """Article id -> the product's result, with ``model`` (and its ``lexical`` channel) deciding (None:
    the rules alone); the shipped relevance classifier of these languages is refitted on ``train``
    (the other folds' articles) so that no article is judged by a classifier that saw it."""
    from .analyze import analyze_articles
    from .clause_positions import use_model
    from .relevance_model import LANGUAGES_MODEL_PATH, load_relevance_model, use_language_model
    from .train_relevance import refit

    shipped = load_relevance_model(str(LANGUAGES_MODEL_PATH))
    relevance = refit(train or [], shipped) if shipped is not None else None
    with use_model(model, lexical), use_language_model(relevance):
        return {str(r["id"]): r for r in analyze_articles(None, articles)}


def out_of_fold(
    articles: list[dict],
    variant: str,
    settings: ModelSettings,
    folds: int,
    seed: int,
    extra_rows: list[dict] | None = None,
    rows: list[dict] | None = None,
) -> dict[str, dict]:
    """Every article's result from a model fitted without its fold (``extra_rows``: rows of other
    data added to every fold's training set; ``rows``: the articles' candidate rows, computed once)."""
    folding = assign_folds(articles, folds, seed)
    if variant == "model" and rows is None:
        rows = candidate_rows(articles, settings.rule_features)
    pred: dict[str, dict] = {}
    for k in range(folds):
        held = [a for a in articles if folding[str(a["id"])] == k]
        model, lexical = None, None
        if variant == "model":
            train = [r for r in rows or [] if folding.get(r["article"], -1) != k] + list(extra_rows or [])
            model, lexical = fit_forest(train, settings)
        pred.update(analyse(held, model, lexical, [a for a in articles if folding[str(a["id"])] != k]))
    return pred


def time_split(train: list[dict], held: list[dict], variant: str, settings: ModelSettings) -> dict[str, dict]:
    """The ``held`` articles' results from a model fitted on the ``train`` articles only (variant
    ``model``) or from the rules alone: a later round's parts scored by what earlier rounds taught."""
    model, lexical = None, None
    if variant == "model":
        model, lexical = fit_forest(candidate_rows(train, settings.rule_features), settings)
    return analyse(held, model, lexical, train)


def report(articles: list[dict], pred: dict[str, dict], scorer) -> dict:
    """Scores (F1 of every measure) and error classes, per language and for all."""
    out = {}
    for code in [*sorted({str(a.get("language")) for a in articles}), "all"]:
        subset = {str(a["id"]): a for a in articles if code == "all" or a.get("language") == code}
        scores = scorer.score(subset, pred)
        out[code] = {
            "articles": len(subset),
            "f1": {k: v["f1"] for k, v in scores.items()},
            "gold_stances": scores["stances"]["gold"],
            "errors": dict(
                error_classes(subset, pred, scorer.norm), **{"missed person": missed_people(subset, pred, scorer)}
            ),
        }
    return out


def format_report(result: dict) -> str:
    """A table: one line per language."""
    measures = ("relevance", "countries", "people", "actors", "stances")
    lines = [
        f"{'lang':5s} {'arts':>4s} " + " ".join(f"{m[:9]:>9s}" for m in measures) + "  " + " / ".join(ERROR_CLASSES)
    ]
    for code, r in result.items():
        errors = " / ".join(str(r["errors"].get(c, 0)) for c in ERROR_CLASSES)
        lines.append(
            f"{code:5s} {r['articles']:4d} " + " ".join(f"{r['f1'][m]:9.3f}" for m in measures) + f"  {errors}"
        )
    return "\n".join(lines)


def read_parts(names: list[str]) -> list[dict] | str:
    """The articles of the named corpus parts, or one error line."""
    articles: list[dict] = []
    for name in names:
        stem = Path(name).name.removesuffix(".jsonl")
        if stem in RESERVED_PARTS:
            return f"error: {stem} is kept for the lead's measurement (hint: use the development parts)"
        path = CORPUS_DIR / f"{stem}.jsonl"
        if not path.is_file():
            return f"error: corpus part {path} not found (hint: parts are {', '.join(DEFAULT_PARTS)})"
        articles += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [a for a in articles if a.get("language") in LANGUAGES]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; exit 2 with one line on bad input."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--part", action="append", default=None, help="corpus part (repeatable; default: all development parts)"
    )
    parser.add_argument("--variant", choices=("rules", "model"), default="model")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--held-out",
        action="append",
        default=[],
        help="time split: score this part (repeatable) with a model fitted on the other parts, no folds",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--keep", type=float, default=ModelSettings.keep)
    parser.add_argument("--add", type=float, default=ModelSettings.add)
    parser.add_argument("--rule-features", action="store_true")
    parser.add_argument("--label", choices=("rules", "conflicts", "model"), default="conflicts")
    parser.add_argument("--lexical", action="store_true", help="stack the lexical channel into the model")
    parser.add_argument("--lexical-c", type=float, default=1.0, help="the lexical regression's C")
    parser.add_argument("--bags", type=int, default=1, help="average this many models fitted on bootstrap samples")
    parser.add_argument("--param", action="append", default=[], help="model parameter NAME=VALUE (repeatable)")
    parser.add_argument("--json", type=Path, default=None, help="write the per-language report here")
    parser.add_argument("--pred", type=Path, default=None, help="write the scored predictions here (JSON lines)")
    parser.add_argument("--scorer", type=Path, default=None, help="the shared scorer (default ../shared/eval/score.py)")
    args = parser.parse_args(argv)
    parts = args.part or list(DEFAULT_PARTS)
    held_names = [Path(n).name.removesuffix(".jsonl") for n in args.held_out]
    articles = read_parts([*parts, *(n for n in held_names if n not in parts)])
    held = read_parts(held_names) if held_names else []
    for result in (articles, held):
        if isinstance(result, str):
            print(result, file=sys.stderr)
            return 2
    scorer = load_scorer(args.scorer)
    if scorer is None:
        print("error: the shared scorer score.py was not found (hint: pass --scorer PATH)", file=sys.stderr)
        return 2
    params = {}
    for item in args.param:
        name, _, value = item.partition("=")
        try:
            params[name] = int(value) if value.isdigit() else float(value)
        except ValueError:
            print(f"error: --param {item!r} is not NAME=NUMBER", file=sys.stderr)
            return 2
    if params:
        from .train_positions import PARAMS

        params = dict(PARAMS, **params)
    settings = ModelSettings(
        params,
        args.keep,
        args.add,
        args.rule_features,
        args.label,
        lexical=args.lexical,
        lexical_c=args.lexical_c,
        bags=args.bags,
    )
    if held:
        held_ids = {str(a["id"]) for a in held}
        train = [a for a in articles if str(a["id"]) not in held_ids]
        pred = time_split(train, held, args.variant, settings)
        articles = held
    else:
        pred = out_of_fold(articles, args.variant, settings, args.folds, args.seed)
    result = report(articles, pred, scorer)
    print(format_report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if args.pred:
        scored = [pred[str(a["id"])] for a in articles if str(a["id"]) in pred]
        args.pred.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in scored), encoding="utf-8")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(main())
