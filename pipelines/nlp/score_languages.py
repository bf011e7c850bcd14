"""Score predictions per language: ``python -m pipelines.nlp.score_languages GOLD PRED [SCORER]``.

Splits the gold and predicted JSON lines by the gold article's ``language`` into temporary files
and runs the evaluation scorer (``score.py GOLD PRED``, default ``../shared/eval/score.py``) on
each language and on all of them, printing the scorer's lines under a header per language.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import subprocess
import sys
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

_REPO = Path(__file__).resolve().parents[2]
# the evaluation folder sits next to the checkout (../shared/eval), or next to a worktree's parent
DEFAULT_SCORER = next(
    (
        p
        for p in (_REPO.parent / "shared" / "eval" / "score.py", _REPO.parent.parent / "shared" / "eval" / "score.py")
        if p.exists()
    ),
    _REPO.parent / "shared" / "eval" / "score.py",
)


def read_jsonl(path: str) -> list[dict]:
    """The records of a JSON-lines file (blank lines skipped)."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_scorer(path: Path | None = None):
    """The shared evaluation scorer as a module (``score``, ``norm``, ``norm_person``,
    ``match_people``), or None when absent."""
    path = path or Path(DEFAULT_SCORER)
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("peacewatch_eval_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score_by_language(gold_path: str, pred_path: str, scorer: str) -> str:
    """The scorer's report for every language of the gold file, then for all of them."""
    gold, pred = read_jsonl(gold_path), {str(p.get("id")): p for p in read_jsonl(pred_path)}
    languages = sorted({g.get("language") or "?" for g in gold})
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for code in [*languages, "all"]:
            subset = [g for g in gold if code == "all" or (g.get("language") or "?") == code]
            g_file, p_file = Path(tmp, f"gold-{code}.jsonl"), Path(tmp, f"pred-{code}.jsonl")
            g_file.write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in subset), encoding="utf-8")
            p_file.write_text(
                "".join(
                    json.dumps(pred[str(g["id"])], ensure_ascii=False) + "\n" for g in subset if str(g["id"]) in pred
                ),
                encoding="utf-8",
            )
            report = subprocess.run(
                [sys.executable, scorer, str(g_file), str(p_file)], capture_output=True, text=True, check=True
            ).stdout
            out.append(f"== {code} ({len(subset)} articles)\n{report.rstrip()}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) not in (2, 3):
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    print(score_by_language(args[0], args[1], args[2] if len(args) == 3 else str(DEFAULT_SCORER)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
