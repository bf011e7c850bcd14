"""Scores the analyzer on the shared annotated sample; skipped when /shared/eval is absent."""

import importlib.util
import json

import pytest

from tests.helpers import SHARED_EVAL

EVAL_DIR = SHARED_EVAL
TARGETS = {"relevance": 0.97, "countries": 0.92, "people": 0.90, "stances": 0.80, "missions": 0.90}

pytestmark = pytest.mark.skipif(
    not (EVAL_DIR / "dev.jsonl").exists() or not (EVAL_DIR / "score.py").exists(), reason="shared/eval not available"
)


def _score_module():
    spec = importlib.util.spec_from_file_location("peacewatch_eval_score", EVAL_DIR / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_dev_targets(nlp, tmp_path):
    from pipelines.nlp.analyze import analyze_articles

    score = _score_module()
    gold = score.load(EVAL_DIR / "dev.jsonl")
    articles = [
        json.loads(line) for line in (EVAL_DIR / "dev.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    pred = {str(r["id"]): r for r in analyze_articles(nlp, articles)}
    result = score.score(gold, pred)
    for key, target in TARGETS.items():
        assert result[key]["f1"] >= target, (key, result[key])
