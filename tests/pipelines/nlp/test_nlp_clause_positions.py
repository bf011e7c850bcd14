"""The positions model on the clause route: candidates and features without a parse, decisions on
an article in another language, the place guard, the trainer's clause options and the shipped
model file's record of its data (sentences written for these tests, none from an article)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from pipelines.nlp import clause_positions
from pipelines.nlp.positions import Forest

REPO_ROOT = Path(__file__).resolve().parents[3]
TITLE = "Force de réassurance pour l'Ukraine"
TEXT = (
    "La France enverra des troupes dans la force de réassurance, a déclaré Emmanuel Macron. "
    "Le Canada figure aussi dans la future force. "
    "Les ministres se sont réunis à Rome mardi."
)


def _forest_always(label: str) -> Forest:
    base = [5.0 if c == label else 0.0 for c in ("none", "support")]
    return Forest(("log_mentions",), ("none", "support"), tuple(base), 1.0, (), (), 0.0, True, 0.6)


def _analyse(nlp, title: str = TITLE, text: str = TEXT) -> dict:
    from pipelines.nlp.analyze import analyze_article

    return analyze_article(
        nlp, {"id": "t", "title": title, "text": text, "published": "2026-03-01", "language": "fr"}, explain=True
    )


def _extractor(text: str):
    from pipelines.nlp.clause_stances import ClauseStanceExtractor
    from pipelines.nlp.gazetteer import load_gazetteer
    from pipelines.nlp.lang_entities import find_mentions
    from pipelines.nlp.lang_model import load_lang_nlp
    from pipelines.nlp.lang_pack import load_pack

    pack, gaz = load_pack("fr"), load_gazetteer()
    doc = load_lang_nlp("fr")(f"{TITLE}\n\n{text}")
    return ClauseStanceExtractor(doc, find_mentions(doc, pack, gaz, dt.date(2026, 3, 1)), pack, gaz)


def test_features_describe_mentions_without_a_parse():
    ex = _extractor(TEXT)
    feats = {c.actor.name: f for c, f in clause_positions.featurize(ex, ex.extract())}
    assert feats["France"]["r_support"] == 1.0 and feats["France"]["all_first_in_clause"] == 1.0
    assert feats["Canada"]["rule_none"] == 1.0 and feats["Canada"]["all_about"] == 1.0
    assert feats["Italy"]["only_places"] == 1.0  # "à Rome": a place, never added
    assert feats["Ukraine"]["all_host"] == 1.0  # the host of the article's mission
    assert feats["France"]["in_title"] == 0.0 and feats["Ukraine"]["in_title"] == 1.0


def test_model_keeps_rules_adds_actors_and_never_places(nlp, monkeypatch):
    monkeypatch.setattr(clause_positions, "load_model", lambda: _forest_always("support"))
    got = {s["actor"]: s for s in _analyse(nlp)["stances"]}
    assert got["France"]["cue"] != "classifier"  # the rules' hit stays
    assert got["Canada"]["cue"] == "classifier" and got["Canada"]["stance"] == "support"
    assert got["Canada"]["mission"] == "ukraine"  # through stance_records like any hit
    assert "Italy" not in got  # the place of a meeting


def test_without_model_the_rules_decide(nlp, monkeypatch):
    monkeypatch.setattr(clause_positions, "load_model", lambda: None)
    got = {s["actor"]: s["stance"] for s in _analyse(nlp)["stances"]}
    assert got["France"] == "support" and "Italy" not in got


def test_use_model_overrides_the_shipped_file_inside_its_block(nlp):
    with clause_positions.use_model(_forest_always("support")):
        assert "Canada" in {s["actor"] for s in _analyse(nlp)["stances"]}
        with clause_positions.use_model(None):  # the rules alone
            assert "Canada" not in {s["actor"] for s in _analyse(nlp)["stances"]}
        assert "Canada" in {s["actor"] for s in _analyse(nlp)["stances"]}


def test_the_council_is_not_doubled_by_the_un(nlp, monkeypatch):
    monkeypatch.setattr(clause_positions, "load_model", lambda: _forest_always("support"))
    result = _analyse(nlp, "FINUL", "L'ONU a renouvelé pour un an le mandat de la FINUL.")
    assert {s["actor"] for s in result["stances"]} == {"United Nations Security Council"}


def test_trainer_clause_options(capsys, tmp_path):
    from pipelines.nlp.train_positions import main

    assert main(["--route", "clauses", "--holdout-ids", str(tmp_path / "missing.txt")]) == 2
    assert "not found" in capsys.readouterr().err
    assert main(["--route", "clauses", "--corpus", "/nonexistent/corpus.jsonl"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "tests/corpus/multilingual" in err


def test_shipped_clause_model_records_its_data_and_its_score():
    record = json.loads(clause_positions.MODEL_PATH.read_text(encoding="utf-8"))
    assert record["rule_features"] is False and not any(f.startswith(("r_", "rule_")) for f in record["features"])
    for entry in record["data"]["files"]:
        path = REPO_ROOT / entry["corpus"]
        assert path.is_file(), entry
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], (
            f"{entry['corpus']} changed since the model was trained: run make train"
        )
    # a held-out list decides when the file has one, else the grouped cross-validation
    basis = record.get("holdout") or record["cv"]
    assert record["cv"]["folds"] >= 2 and record["data"]["articles"] > 0
    assert record["enabled"] == (basis["model"]["stances"] - basis["rules"]["stances"] >= 0.01)


@pytest.mark.parametrize("code", ["de", "es", "it", "pl", "ru", "uk"])
def test_every_language_featurizes(code):
    from pipelines.nlp.clause_stances import ClauseStanceExtractor
    from pipelines.nlp.gazetteer import load_gazetteer
    from pipelines.nlp.lang_entities import find_mentions
    from pipelines.nlp.lang_model import load_lang_nlp
    from pipelines.nlp.lang_pack import load_pack

    texts = {
        "de": "Frankreich schickt Soldaten in die Friedenstruppe.",
        "es": "Francia enviará tropas a la misión de paz.",
        "it": "La Francia invierà soldati nella missione di pace.",
        "pl": "Francja wyśle żołnierzy do misji pokojowej.",
        "ru": "Франция направит миротворцев.",
        "uk": "Франція направить миротворців.",
    }
    pack, gaz = load_pack(code), load_gazetteer()
    doc = load_lang_nlp(code)(texts[code])
    ex = ClauseStanceExtractor(doc, find_mentions(doc, pack, gaz, dt.date(2026, 3, 1)), pack, gaz)
    feats = {c.actor.name: f for c, f in clause_positions.featurize(ex, ex.extract())}
    assert feats["France"]["all_about"] == 1.0 and feats["France"]["all_first_in_clause"] == 1.0
