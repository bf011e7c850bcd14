"""Scores the analyzer on the repository's English corpus dev split (``tests/corpus/en/dev.jsonl``).

Only the dev split is read here: the test splits are measured once per round by hand and never
inspected (see ``tests/corpus/en/README.md``). The scorer is the shared one
(``../shared/eval/score.py``); the test is skipped when it is not there. The floors are below the
measured values (README) so that they catch regressions, not noise.
"""

import importlib.util
import json
from pathlib import Path

import pytest

from tests.helpers import SHARED_EVAL

REPO_ROOT = Path(__file__).resolve().parents[3]
CORPUS_DEV = REPO_ROOT / "tests" / "corpus" / "en" / "dev.jsonl"
SCORER = SHARED_EVAL / "score.py"
FLOORS = {"relevance": 0.95, "actors": 0.85, "stances": 0.80, "countries": 0.95, "people": 0.92}

pytestmark = pytest.mark.skipif(
    not CORPUS_DEV.exists() or not SCORER.exists(), reason="corpus dev split or shared scorer not available"
)


def _score_module():
    spec = importlib.util.spec_from_file_location("peacewatch_eval_score", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_corpus_dev_floors(nlp):
    from pipelines.nlp.analyze import analyze_articles

    score = _score_module()
    gold = score.load(CORPUS_DEV)
    articles = [json.loads(line) for line in CORPUS_DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    pred = {str(r["id"]): r for r in analyze_articles(nlp, articles)}
    result = score.score(gold, pred)
    for key, floor in FLOORS.items():
        assert result[key]["f1"] >= floor, (key, result[key])
