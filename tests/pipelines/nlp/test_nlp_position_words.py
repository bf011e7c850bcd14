"""The positions model's lexical channel (pipelines/nlp/position_words.py): the terms it reads, its
pure-Python evaluation against scikit-learn, the shipped file and what --explain says of it. Texts
written for these tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter

import pytest

from pipelines.nlp import position_words, positions
from pipelines.nlp.position_words import candidate_terms, model_from_dict, probabilities
from pipelines.nlp.positions import Forest


def _extractor(nlp, text: str):
    from pipelines.nlp.cues import load_lexicon
    from pipelines.nlp.entities import resolve_entities
    from pipelines.nlp.gazetteer import load_gazetteer
    from pipelines.nlp.stances import StanceExtractor

    doc = nlp(text)
    gaz = load_gazetteer()
    return StanceExtractor(doc, resolve_entities(doc, gaz, dt.date(2026, 3, 1)), gaz, load_lexicon())


def test_terms_replace_the_actor_and_name_other_actors_by_type(nlp):
    ex = _extractor(nlp, "Talks went on. Portugal and Chile are ready to send troops to the peacekeeping force.")
    facts = positions.document_facts(ex, ex.extract())
    cands = positions.gather_candidates(ex, [])
    terms = candidate_terms(ex, cands["PT"].tokens, "PT", facts.about, facts.sent_of)
    assert terms["_actor_"] == 1 and terms["_country_"] == 1
    assert terms["ready to"] == 1 and terms["send troop"] == 1 and terms["prev:talk"] == 1
    assert not any("portugal" in t or "chile" in t for t in terms)
    assert "dep:nsubj" in terms and "path:be" in terms


def test_probabilities_are_scikit_learns():
    pytest.importorskip("sklearn")
    from pipelines.nlp.train_position_words import export_words, fit_words, predict_words

    texts = [
        ("_actor_ ready send troop", "support"),
        ("_actor_ will send troop", "support"),
        ("_actor_ rule out send troop", "oppose"),
        ("_actor_ refuse troop", "oppose"),
        ("_actor_ yet to decide", "undecided"),
        ("_actor_ consider send troop", "undecided"),
        ("talk in _actor_ capital", "none"),
        ("meeting in _actor_", "none"),
    ] * 2
    rows = [{"terms": Counter(t.split()), "label": label} for t, label in texts]
    fitted = fit_words(rows, [r["label"] for r in rows])
    model = model_from_dict(json.loads(json.dumps(export_words(fitted))))
    expected = predict_words(fitted, rows)
    for row, probs in zip(rows, expected):
        got = probabilities(row["terms"], model)
        for c, p in zip(model.classes, probs):
            assert got[c] == pytest.approx(p, abs=1e-4)


def test_the_shipped_channel_is_the_one_the_model_was_trained_with():
    record = json.loads(positions.MODEL_PATH.read_text(encoding="utf-8"))
    if not any(f.startswith(position_words.FEATURE_PREFIX) for f in record["features"]):
        pytest.skip("the shipped positions model does not read the lexical channel")
    words = record["words"]
    path = position_words.MODEL_PATH
    assert path.name == words["file"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == words["sha256"], "run make train"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["data"]["files"] == record["data"]["files"]


def test_explain_names_the_words_channel(analyse, monkeypatch):
    # a model that reads only the channel's 'none' probability and a channel that says 'support'
    forest = Forest(("lex_none",), ("none", "support"), (0.0, 5.0), 1.0, (), (), 0.5, True)
    channel = model_from_dict({"classes": ["none", "support"], "intercepts": [0.0, 3.0], "terms": []})
    monkeypatch.setattr(positions, "load_model", lambda: forest)
    monkeypatch.setattr(positions, "load_words_model", lambda: channel)
    got = {
        s["actor"]: s
        for s in analyse("Germany hosted the talks in Berlin on Tuesday about the peacekeeping force.")["stances"]
    }
    assert "words channel (position_words): none 0.05, support 0.95" in (got["Germany"]["explanation"]["mechanism"])
