"""People errors by class (pipelines/nlp/people_errors.py); names invented for the tests."""

from __future__ import annotations

import json
import types

from pipelines.nlp.people_errors import classify, main, people_errors, report


def test_every_error_gets_one_class():
    gold = {"rahmat aziz", "lena brandt", "omar sefu", "tomas wilk"}
    paired = {"datuk seri rahmat aziz", "lena", "omar sefuu", "tomas wilk", "wilk tomas", "harbour herald"}
    errors = dict((name, kind) for kind, name in classify(gold, paired))
    assert errors["datuk seri rahmat aziz"] == "extra words"
    assert errors["lena"] == "words missing"
    assert errors["omar sefuu"] == "spelling"
    assert errors["wilk tomas"] == "variant"
    assert errors["harbour herald"] == "not a person"
    assert "tomas wilk" not in errors


def test_missed_names_and_f1_per_language():
    scorer = types.SimpleNamespace(norm_person=str.lower, match_people=lambda gold, pred: set(pred))
    rows = [
        {"id": "a", "relevant": True, "language": "fr", "people": ["Ana Roux", "Paul Abel"]},
        {"id": "b", "relevant": False, "language": "fr", "people": ["Not Scored"]},
    ]
    stats = people_errors(rows, {"a": {"people": ["Ana Roux"]}}, scorer)
    assert stats["fr"]["classes"]["missed"] == 1
    assert stats["all"]["f1"] == round(2 * 1.0 * 0.5 / 1.5, 4)
    assert "missed 1" in report(stats)


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    assert main([str(tmp_path / "absent.jsonl"), str(tmp_path / "absent.jsonl")]) == 2
    assert "hint" in capsys.readouterr().err
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "a", "relevant": True, "people": []}) + "\n", encoding="utf-8")
    assert main([str(gold)]) == 2
