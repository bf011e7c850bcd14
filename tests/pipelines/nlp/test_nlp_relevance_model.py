"""The trained relevance classifier (pipelines/nlp/relevance_model.py): its pure-Python evaluation,
the shipped file, and its place beside the topic pack. Texts written for these tests."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from pipelines.nlp.relevance import score_relevance
from pipelines.nlp.relevance_model import MODEL_PATH, load_relevance_model, model_from_dict, ngrams, probability

REPO_ROOT = Path(__file__).resolve().parents[3]


def test_ngrams_are_scikit_learns():
    sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")
    text = "Lithuania's president: ready to send troops, once a cease-fire holds (2026)."
    analyzer = sklearn_text.TfidfVectorizer(ngram_range=(1, 2)).build_analyzer()
    assert ngrams(text, 2) == Counter(analyzer(text))


def test_probability_is_a_logistic_of_normalised_tfidf():
    model = model_from_dict(
        {
            "terms": [["troops", 2.0, 1.5], ["send troops", 3.0, 2.0], ["football", 1.0, -3.0]],
            "intercept": -1.0,
            "threshold": 0.6,
            "ngram_max": 2,
            "topic": "peacekeeping",
            "enabled": True,
        }
    )
    assert probability("", "", model) == pytest.approx(1 / (1 + 2.718281828459045))
    p = probability("", "send troops", model)  # tf-idf: troops 2.0, "send troops" 3.0 ("send" unknown)
    norm = (4.0 + 9.0) ** 0.5
    z = -1.0 + (2.0 * 1.5 + 3.0 * 2.0) / norm
    assert p == pytest.approx(1 / (1 + 2.718281828459045**-z))


def test_the_shipped_model_records_its_data_and_adds_only_with_a_gain():
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data["data"], "the model names the corpus files it was trained on"
    for entry in data["data"]:
        path = REPO_ROOT / entry["corpus"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], (
            f"{entry['corpus']} changed since the classifier was trained: run make train"
        )
    # round 11: every part measured once is training data; the round's new English parts are never read
    new_parts = ("test-t", "test-u", "test-v", "dev17", "dev18")
    assert not any(part in d["corpus"] for d in data["data"] for part in new_parts)
    cv = data["cross_validation"]
    assert data["enabled"] == (cv[f"pack or classifier >= {data['threshold']}"]["f1"] > cv["pack alone"]["f1"])


def test_the_classifier_adds_an_article_the_pack_misses(analyse):
    model = load_relevance_model()
    if model is None:
        pytest.skip("the relevance classifier is disabled")
    text = (
        "The prime minister said on Tuesday that the country would not send its soldiers to Ukraine "
        "as part of a multinational contingent after the war, but could help with logistics and training. "
        "Several European governments have said they are ready to deploy troops once a ceasefire is signed, "
        "while others want a guarantee from Washington first. The defence minister told parliament that "
        "the army was already stretched by its commitments on the eastern flank and that any decision "
        "would be taken together with the allies. Opposition parties asked for a vote before any soldiers "
        "were sent abroad, and the government agreed that parliament would have the last word."
    )
    title = "Government rules out sending soldiers to Ukraine after the war"
    assert not any(t.fired for t in score_relevance(title, text)), "the topic pack alone must miss this text"
    result = analyse(text, title=title)
    assert result["relevant"] and result["topics"] == [model.topic]
    assert any(m["term"] == "(trained classifier)" for m in result["relevance_explanation"])


def test_the_classifier_does_not_make_sport_relevant(analyse):
    result = analyse(
        "The club signed a new striker on Friday and the coach praised the defence after the derby.",
        title="Club completes transfer before the derby",
    )
    assert not result["relevant"]
