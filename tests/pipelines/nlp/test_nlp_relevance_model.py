"""The trained relevance classifier (pipelines/nlp/relevance_model.py): its pure-Python evaluation,
the shipped file, and its place beside the topic pack. Texts written for these tests."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from pipelines.nlp.relevance import score_relevance
from pipelines.nlp.relevance_model import (
    MODEL_PATH,
    apply_classifier,
    counter_evidence,
    decide,
    load_relevance_model,
    model_from_dict,
    ngrams,
    probability,
)

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
    # round 11's classifier (rounds <= 10's parts; nobody re-chose its thresholds in rounds 12-13); the parts of
    # rounds 12 and 13 are never read
    assert any("test-s" in d["corpus"] for d in data["data"])
    new_parts = ("test-w", "test-x", "test-y", "dev19", "dev20")
    new_parts += ("test-z", "test-aa", "test-ab", "test-ac", "dev21", "dev22", "dev23", "dev24")
    assert not any(part in d["corpus"] for d in data["data"] for part in new_parts)
    cv = data["cross_validation"]
    chosen = f"pack or classifier >= {data['threshold']}" + (f", veto < {data['veto']}" if data["veto"] else "")
    assert data["enabled"] == (cv[chosen]["f1"] > cv["pack alone"]["f1"])
    # the veto is the cross-validated best (ties: the lowest)
    vetoes = {0.0: cv[f"pack or classifier >= {data['threshold']}"]["f1"]}
    vetoes |= {float(k.rsplit("< ", 1)[1]): v["f1"] for k, v in cv.items() if ", veto < " in k}
    assert data["veto"] == min(t for t, f1 in vetoes.items() if f1 == max(vetoes.values()))


def _model(veto: float = 0.3):
    return model_from_dict(
        {"terms": [], "intercept": 0.0, "threshold": 0.6, "ngram_max": 2, "topic": "peacekeeping", "enabled": True}
        | {"veto": veto}
    )


def test_decide_adds_vetoes_and_keeps():
    model = _model(0.3)
    assert decide(False, 0.61, model) and not decide(False, 0.59, model)  # added at the threshold
    assert not decide(True, 0.29, model) and decide(True, 0.3, model)  # vetoed below the veto
    assert not decide(False, 0.95, model, counter=True)  # counter-evidence: no addition
    assert decide(True, 0.95, model, counter=True)  # but the pack's own decision stands
    assert decide(True, 0.01, _model(0.0))  # an old file without a veto never vetoes


def test_counter_evidence_is_a_negative_weight():
    assert counter_evidence([{"term": "blue helmets?", "weight": 3.0}, {"term": "UNAMA", "weight": -2.0}])
    assert not counter_evidence([{"term": "blue helmets?", "weight": 3.0}])


def test_a_political_mission_is_counter_evidence_in_the_english_pack():
    text = (
        "The Security Council renewed the mandate of UNAMA, the UN political mission in Afghanistan, for "
        "another year; the mission's staff would keep monitoring the rights of women."
    )
    (result,) = score_relevance("Council renews UNAMA", text)
    assert counter_evidence(result.matches) and not result.fired


def test_apply_classifier_records_the_probability_and_explains_a_veto():
    result = {"relevant": True, "topics": ["peacekeeping"], "relevance": 0.7, "relevance_explanation": []}
    apply_classifier(result, 0.1234567, _model(0.3))
    assert result["relevance_classifier"] == 0.1235
    assert not result["relevant"] and result["topics"] == [] and result["relevance"] == 0.7
    assert result["relevance_explanation"][-1]["term"] == "(trained classifier veto)"
    kept = {"relevant": False, "topics": [], "relevance": 0.2, "relevance_explanation": []}
    apply_classifier(kept, 0.496, _model(0.3))  # rejected by both: the probability is still recorded
    assert kept["relevance_classifier"] == 0.496 and not kept["relevant"] and kept["relevance_explanation"] == []


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Parliament backs the intervention force",
            "Members voted to welcome an Australian-led intervention force after riots in the capital.",
        ),
        ("Kfor patrols the border", "Soldiers of Kfor stepped up patrols after the clashes in the north."),
        ("Spain to send more troops", "Madrid will add 200 soldiers to the UN force in southern Lebanon."),
    ],
)
def test_the_english_pack_knows_a_forces_other_names(title, text):
    assert any(t.fired for t in score_relevance(title, text))


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


def test_the_shipped_language_classifier_records_its_data_and_no_language_loses():
    from pipelines.nlp.relevance_model import LANGUAGES_MODEL_PATH

    data = json.loads(LANGUAGES_MODEL_PATH.read_text(encoding="utf-8"))
    for entry in data["data"]:
        path = REPO_ROOT / entry["corpus"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], (
            f"{entry['corpus']} changed since the classifier was trained: run make train"
        )
    assert any("multilingual/test-p" in d["corpus"] for d in data["data"])
    # rounds 11 and 12's parts stay out (frozen at 31 parts; round 13 measured a refit and kept it out)
    new_parts = ("test-q", "test-r", "dev16", "dev17", "test-s", "test-t", "dev18", "dev19")
    new_parts += ("test-u", "test-v", "test-w", "dev20", "dev21", "dev22")  # round 13's, never read
    assert not any(f"multilingual/{part}." in d["corpus"] for d in data["data"] for part in new_parts)
    assert set(data["languages"]) == {"de", "es", "fr", "it", "pl"}
    by_language = data["cross_validation_by_language"]
    assert data["enabled"] == (
        data["cross_validation"][f"pack or classifier >= {data['threshold']}, veto < {data['veto']}"]["f1"]
        > data["cross_validation"]["pack alone"]["f1"]
        and all(s["chosen"]["f1"] >= s["pack alone"]["f1"] for s in by_language.values())
    )


def test_choose_keeps_no_language_below_its_pack():
    from pipelines.nlp.train_relevance import VETOES, choose, row

    def grid(best: tuple[float, float], value: float, other: float, pack: float) -> dict:
        return {"pack alone": {"f1": pack}} | {
            row(a, v): {"f1": value if (a, v) == best else other} for a in (0.6, 0.7) for v in VETOES
        }

    overall = grid((0.6, 0.3), 0.97, 0.95, 0.94)
    languages = {"fr": grid((0.6, 0.3), 0.90, 0.96, 0.95), "de": grid((0.6, 0.3), 0.99, 0.96, 0.95)}
    assert choose(overall, (0.6, 0.7)) == (0.6, 0.3)  # the overall best
    assert choose(overall, (0.6, 0.7), languages) != (0.6, 0.3)  # but French would lose there
    assert choose(overall, (0.6, 0.7), languages) == (0.6, 0.0)  # ties: the lowest veto, then addition


@pytest.mark.parametrize(
    ("language", "title", "text", "relevant"),
    [
        (
            "fr",
            "Casques bleus au Liban",
            "Les casques bleus de la Finul ont repris leurs patrouilles le long de la Ligne bleue, a indiqué "
            "le porte-parole de la mission, après une semaine de tensions à la frontière.",
            True,
        ),
        (
            "de",
            "Bundesliga: Bayern gewinnt das Spitzenspiel",
            "Der FC Bayern hat das Spitzenspiel gegen Dortmund mit 3:1 gewonnen; der Trainer lobte die Abwehr.",
            False,
        ),
    ],
)
def test_the_clause_route_records_the_language_classifier(nlp, language, title, text, relevant):
    from pipelines.nlp.analyze import analyze_articles
    from pipelines.nlp.relevance_model import LANGUAGES_MODEL_PATH

    model = load_relevance_model(str(LANGUAGES_MODEL_PATH))
    if model is None:
        pytest.skip("the language classifier is disabled")
    article = {"id": "x", "title": title, "text": " ".join([text] * 4), "language": language}
    (result,) = analyze_articles(nlp, [article])
    assert result["language"] == language and result["relevant"] is relevant
    assert isinstance(result["relevance_classifier"], float)


def test_refit_keeps_the_rule_and_use_language_model_replaces_the_shipped_one(nlp):
    pytest.importorskip("sklearn")
    from pipelines.nlp.analyze import analyze_articles
    from pipelines.nlp.relevance_model import LANGUAGES_MODEL_PATH, load_language_model, use_language_model
    from pipelines.nlp.train_relevance import refit

    shipped = load_relevance_model(str(LANGUAGES_MODEL_PATH))
    if shipped is None:
        pytest.skip("the language classifier is disabled")
    peace = "Les casques bleus de la mission de l'ONU patrouillent au Liban après le cessez-le-feu."
    sport = "Le club a gagné le match de dimanche et l'entraîneur a salué la défense de son équipe."
    records = [
        {"language": "fr", "relevant": True, "title": "Casques bleus", "text": peace},
        {"language": "fr", "relevant": True, "title": "Mission de l'ONU", "text": "Les casques bleus restent."},
        {"language": "fr", "relevant": False, "title": "Football", "text": sport},
        {"language": "fr", "relevant": False, "title": "Le club", "text": "Le match du club est reporté."},
        {"language": "de", "relevant": False, "title": "Fußball", "text": "Der Verein gewann das Spiel."},
    ]
    fitted = refit(records, shipped)
    assert fitted is not None and (fitted.threshold, fitted.veto, fitted.languages) == (
        shipped.threshold,
        shipped.veto,
        shipped.languages,
    )
    assert probability("Casques bleus", peace, fitted) > probability("Football", sport, fitted)
    assert refit(records[2:], shipped) is None  # one class only: nothing to learn
    article = {"id": "f", "title": "Football", "text": " ".join([sport] * 8), "language": "fr"}
    with use_language_model(None):
        assert load_language_model() is None
        (result,) = analyze_articles(nlp, [article])
        assert result["relevance_classifier"] is None  # the pack alone
    assert load_language_model() is shipped
