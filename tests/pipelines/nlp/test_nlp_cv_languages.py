"""The clause route's cross-validation tool: folds grouped by article and stratified by language,
error classes counted like the scorer, the lead's measurement parts refused (pure logic; the corpus
run itself is recorded in MEASUREMENTS.md)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from pipelines.nlp import cv_languages
from tests.helpers import SHARED_EVAL


def _articles(n_per_language: int) -> list[dict]:
    return [{"id": f"{code}-{i}", "language": code} for code in ("de", "fr", "pl") for i in range(n_per_language)]


def test_folds_are_grouped_stratified_and_fixed():
    arts = _articles(10)
    folds = cv_languages.assign_folds(arts, 5, 1)
    assert set(folds) == {a["id"] for a in arts}
    for code in ("de", "fr", "pl"):
        per = Counter(f for aid, f in folds.items() if aid.startswith(code))
        assert sorted(per.values()) == [2, 2, 2, 2, 2]  # each language spread evenly over the folds
    assert folds == cv_languages.assign_folds(list(reversed(arts)), 5, 1)  # order of input does not matter
    assert folds != cv_languages.assign_folds(arts, 5, 2)


def test_error_classes():
    gold = {
        "a": {
            "relevant": True,
            "stances": [{"actor": "France", "stance": "support"}, {"actor": "Poland", "stance": "oppose"}],
        },
        "b": {"relevant": True, "stances": [{"actor": "Italy", "stance": "support"}]},
        "c": {"relevant": False, "stances": []},
    }
    pred = {
        "a": {
            "relevant": True,
            "stances": [{"actor": "FR", "stance": "support"}, {"actor": "PL", "stance": "undecided"}, {"actor": "DE"}],
        },
        "b": {"relevant": False, "stances": []},
        "c": {"relevant": True, "stances": [{"actor": "Spain", "stance": "support"}]},
    }
    norm = {"fr": "france", "pl": "poland", "de": "germany"}.get

    def names(name: str) -> str:
        return norm(name.casefold(), name.casefold())

    got = cv_languages.error_classes(gold, pred, names)
    # a stance-less prediction is no actor; the wrong relevance of b and c is counted once each
    assert got == Counter({"wrong label": 1, "relevance": 2})


def test_reserved_parts_are_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(cv_languages, "RESERVED_PARTS", frozenset({"test-x"}))
    assert cv_languages.main(["--part", "test-x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "kept for the lead" in err
    assert cv_languages.main(["--part", "no-such-part"]) == 2
    assert "not found" in capsys.readouterr().err
    assert cv_languages.main(["--part", "dev", "--scorer", str(tmp_path / "none.py")]) == 2
    assert "--scorer" in capsys.readouterr().err


def test_this_rounds_measurement_parts_are_refused_and_never_defaults(capsys):
    # round 13: the lead's new parts (collected while this round works) are refused by name, unpatched
    for part in ("test-u", "test-v", "test-w", "dev20", "dev21", "dev22"):
        assert part in cv_languages.RESERVED_PARTS
        assert cv_languages.main(["--part", part]) == 2
        assert "kept for the lead" in capsys.readouterr().err
    assert not cv_languages.RESERVED_PARTS & set(cv_languages.DEFAULT_PARTS)
    # measured once: development data now
    assert {"test-g", "dev6", "test-h", "test-i", "test-j", "dev7", "dev8", "dev9"} | {
        "test-k",
        "test-l",
        "dev10",
        "dev11",
    } | {"test-m", "test-n", "dev12", "dev13"} | {"test-o", "test-p", "dev14", "dev15"} | {
        "test-q",
        "test-r",
        "dev16",
        "dev17",
    } | {"test-s", "test-t", "dev18", "dev19"} <= set(cv_languages.DEFAULT_PARTS)


def test_missed_people_pairs_spellings_like_the_scorer():
    import types

    def norm_person(name: str) -> str:
        return name.casefold()

    def match_people(gold: set, pred: set) -> set:  # the scorer pairs near spellings; here one known pair
        return {("volodymyr zelensky" if p == "wolodymyr selenskyj" else p) for p in pred}

    scorer = types.SimpleNamespace(norm_person=norm_person, match_people=match_people)
    gold = {"a": {"people": ["Volodymyr Zelensky", "Olaf Scholz"]}, "b": {"people": ["Jan Nowak"]}}
    pred = {"a": {"people": ["Wolodymyr Selenskyj", "Luc Frieden"]}, "b": {}}
    assert cv_languages.missed_people(gold, pred, scorer) == 2  # Scholz and Nowak
    assert cv_languages.missed_people(gold, pred, types.SimpleNamespace()) == 0  # a scorer without people


def test_time_split_scores_only_the_held_out_parts(tmp_path, capsys):
    # round 10: a later part scored by what earlier parts taught (rules alone here: quick)
    if not (cv_languages.CORPUS_DIR / "dev2.jsonl").is_file():
        pytest.skip("the multilingual corpus is absent")
    scorer = SHARED_EVAL / "score.py"  # PEACEWATCH_EVAL_DIR or ../shared/eval, as the other eval tests
    if cv_languages.load_scorer(scorer) is None:
        pytest.skip("the shared scorer is absent")
    out = tmp_path / "split.json"
    args = ["--part", "dev", "--held-out", "dev2", "--variant", "rules", "--json", str(out), "--scorer", str(scorer)]
    assert cv_languages.main(args) == 0
    held = cv_languages.read_parts(["dev2"])
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["all"]["articles"] == len(held)
    capsys.readouterr()
    assert cv_languages.main(["--part", "dev", "--held-out", "test-u"]) == 2
    assert "kept for the lead" in capsys.readouterr().err
