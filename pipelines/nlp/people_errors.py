"""People F1 per language and their errors by class: ``python -m pipelines.nlp.people_errors GOLD PRED [SCORER]``.

GOLD is annotated JSON lines (``people``, ``relevant``, ``language``), PRED the output of
``peacewatch analyze`` on them. People are scored as the evaluation scorer scores them (its
``norm_person`` and ``match_people``, default ``../shared/eval/score.py``: spelling variants paired
one to one), over the gold-relevant articles, per language and for all. Every error is put in one
class (round 9):

- ``extra words``: a predicted name holds a gold name and more ("Datuk Seri X Y", "divisione X Y");
- ``words missing``: a predicted name is part of a gold name ("Thérèse Kayikwamba");
- ``spelling``: a predicted name shares a word with a gold name, or is near it (inflected forms);
- ``variant``: a second name of a person found under another name too ("Wamba Wagner");
- ``not a person``: a predicted name sharing nothing with a gold name (or not annotated);
- ``missed``: a gold name no predicted name pairs with.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter, defaultdict
from difflib import SequenceMatcher
from pathlib import Path

from .score_languages import DEFAULT_SCORER, load_scorer, read_jsonl

logger = logging.getLogger(__name__)

CLASSES = ("extra words", "words missing", "spelling", "variant", "not a person", "missed")
_NEAR = 0.6  # a predicted name this similar to a missed gold name is its spelling


def classify(gold: set[str], paired: set[str]) -> list[tuple[str, str]]:
    """``(class, name)`` for every error of one article; ``gold`` and ``paired`` are normalised names,
    ``paired`` with the predicted variants already replaced by the gold names they pair with."""
    missed, extra = gold - paired, paired - gold
    out: list[tuple[str, str]] = []
    explained: set[str] = set()
    for name in sorted(extra):
        words = set(name.split())
        kind = None
        for g in sorted(missed):
            g_words = set(g.split())
            if words & g_words or SequenceMatcher(None, name, g).ratio() >= _NEAR:
                kind = "extra words" if words > g_words else "words missing" if words < g_words else "spelling"
                explained.add(g)
                break
        if kind is None:
            others = paired - {name}
            kind = "variant" if any(words & set(o.split()) for o in others) else "not a person"
        out.append((kind, name))
    out += [("missed", g) for g in sorted(missed - explained)]
    return out


def people_errors(gold_rows: list[dict], pred: dict[str, dict], scorer) -> dict[str, dict]:
    """Per language (and ``all``): ``gold``, ``predicted``, ``tp``, ``f1`` and the count per class."""
    stats: dict[str, dict] = defaultdict(lambda: {"gold": 0, "predicted": 0, "tp": 0, "classes": Counter()})
    for row in gold_rows:
        if not row.get("relevant"):
            continue
        gold = {scorer.norm_person(p) for p in row.get("people", [])}
        found = {scorer.norm_person(p) for p in (pred.get(str(row["id"])) or {}).get("people") or []}
        paired = scorer.match_people(gold, found)
        errors = classify(gold, paired)
        for key in (row.get("language") or "?", "all"):
            entry = stats[key]
            entry["gold"] += len(gold)
            entry["predicted"] += len(paired)
            entry["tp"] += len(gold & paired)
            entry["classes"].update(kind for kind, _ in errors)
    for entry in stats.values():
        p = entry["tp"] / entry["predicted"] if entry["predicted"] else 1.0
        r = entry["tp"] / entry["gold"] if entry["gold"] else 1.0
        entry["f1"] = round(2 * p * r / (p + r), 4) if p + r else 0.0
    return dict(stats)


def report(stats: dict[str, dict]) -> str:
    """One line per language: F1, counts and errors per class."""
    lines = []
    for key in sorted(stats, key=lambda k: (k == "all", k)):
        entry = stats[key]
        classes = ", ".join(f"{kind} {entry['classes'][kind]}" for kind in CLASSES if entry["classes"][kind])
        lines.append(
            f"{key:4s} people F1 {entry['f1']:.3f} (gold {entry['gold']}, predicted {entry['predicted']}, "
            f"right {entry['tp']}); errors: {classes or 'none'}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) not in (2, 3):
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    try:
        scorer_path = Path(args[2]) if len(args) == 3 else Path(DEFAULT_SCORER)
        scorer = load_scorer(scorer_path)
        if scorer is None:
            raise FileNotFoundError(f"no scorer at {scorer_path}")
        gold, pred = read_jsonl(args[0]), {str(p.get("id")): p for p in read_jsonl(args[1])}
    except (OSError, ValueError) as exc:
        print(f"people_errors: {exc} (hint: GOLD and PRED are JSON lines; the scorer is score.py)", file=sys.stderr)
        return 2
    print(report(people_errors(gold, pred, scorer)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
