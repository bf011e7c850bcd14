"""The positions model: tree evaluation, export from scikit-learn, decisions on a parsed article,
the trainer's command line and the shipped model file's record of its data."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from pipelines.nlp import positions
from pipelines.nlp.positions import Forest, forest_from_record

REPO_ROOT = Path(__file__).resolve().parents[3]


def _stump_record(feature: str, leaves: tuple[float, float], *, threshold: float = 0.5) -> dict:
    """One tree for class 'support' splitting ``feature`` at 0.5: left leaf, right leaf."""
    return {
        "features": [feature],
        "classes": ["none", "support"],
        "base": [0.0, 0.0],
        "rate": 1.0,
        "trees": [
            {
                "class": 1,
                "feature": [0, 0, 0],
                "threshold": [0.5, -2.0, -2.0],
                "left": [1, -1, -1],
                "right": [2, -1, -1],
                "value": [0.0, leaves[0], leaves[1]],
            }
        ],
        "threshold": threshold,
        "use_rule_label": True,
    }


def test_forest_probabilities_and_contributions():
    forest = forest_from_record(_stump_record("in_title", (-2.0, 2.0)))
    low, high = forest.probabilities({"in_title": 0.0}), forest.probabilities({"in_title": 1.0})
    assert low["support"] == pytest.approx(1 / (1 + 2.718281828**2), rel=1e-6)
    assert high["support"] == pytest.approx(1 - low["support"], rel=1e-6)
    assert forest.contributions({"in_title": 1.0}, "support") == [("in_title", 2.0)]
    assert forest.probabilities({})["support"] == low["support"]  # a missing feature is 0


def _toy_rows(seed: int):
    """Three features and labels that two of them decide (numpy)."""
    np = pytest.importorskip("numpy")
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(seed)
    x = rng.random((150, 3))
    return x, np.where(x[:, 0] > 0.6, "support", np.where(x[:, 1] > 0.7, "oppose", "none"))


def _assert_forest_matches(model, x) -> dict:
    """The exported forest gives the fitted model's probabilities; returns the record."""
    from pipelines.nlp.train_positions import export

    record = dict(export(model, ["a", "b", "c"], 13), threshold=0.5, use_rule_label=True)
    forest = forest_from_record(json.loads(json.dumps(record)))
    for row, probs in zip(x[:10], model.predict_proba(x[:10])):
        got = forest.probabilities(dict(zip(("a", "b", "c"), row)))
        for cls, p in zip(model.classes_, probs):
            assert got[str(cls)] == pytest.approx(p, abs=1e-4)
    return record


def test_export_reproduces_scikit_learn():
    from pipelines.nlp.train_positions import fit

    x, y = _toy_rows(0)
    _assert_forest_matches(fit(x, y, 13), x)


def test_bagged_models_export_as_one_forest_and_refit_the_same():
    # round 11: models fitted on Poisson bootstrap samples of the articles, their scores averaged
    from pipelines.nlp.train_positions import Bagged, export, fit

    x, y = _toy_rows(1)
    groups = [f"a{i // 3}" for i in range(len(x))]  # three rows per article
    model = fit(x, y, 13, groups=groups, bags=3)
    assert isinstance(model, Bagged) and len(model.models) == 3
    record = _assert_forest_matches(model, x)
    assert record["params"]["bags"] == 3 and record["rate"] == pytest.approx(model.learning_rate / 3)
    again = export(fit(x, y, 13, groups=groups, bags=3), ["a", "b", "c"], 13)
    assert json.dumps(again, sort_keys=True) == json.dumps(export(model, ["a", "b", "c"], 13), sort_keys=True)
    # the bags differ from one another, and bags=1 is the plain model
    first, second = (export(m, ["a", "b", "c"], 13)["trees"] for m in model.models[:2])
    assert first != second
    assert not isinstance(fit(x, y, 13, groups=groups, bags=1), Bagged)


def test_an_articles_bag_weight_does_not_depend_on_the_other_articles():
    # removing articles leaves every other article's weight in every bag as it was (stability)
    from pipelines.nlp.train_positions import _article_weight

    weights = [[_article_weight(13, k, f"ml-{i:04d}") for i in range(200)] for k in range(3)]
    assert weights == [[_article_weight(13, k, f"ml-{i:04d}") for i in range(200)] for k in range(3)]
    assert {w for bag in weights for w in bag} >= {0, 1, 2}  # a bootstrap: some left out, some doubled
    assert weights[0] != weights[1]


def _forest_always(label: str) -> Forest:
    """A model that scores every candidate as ``label`` (no split)."""
    base = [5.0 if c == label else 0.0 for c in ("none", "support")]
    return Forest(("in_title",), ("none", "support"), tuple(base), 1.0, (), (), 0.5, True)


TEXT = (
    "France will send troops to the peacekeeping force in Ukraine, Macron said. "
    "Germany hosted the talks in Berlin on Tuesday about the force."
)


def test_model_keeps_rules_and_adds_mentioned_actors(analyse, monkeypatch):
    monkeypatch.setattr(positions, "load_model", lambda: _forest_always("support"))
    result = analyse(TEXT)
    got = {s["actor"]: s for s in result["stances"]}
    assert got["France"]["stance"] == "support" and got["France"]["cue"] == "send"
    assert "classifier" in got["France"]["explanation"]["mechanism"]
    added = got["Germany"]
    assert added["cue"] == "classifier" and added["stance"] == "support"
    assert added["explanation"]["mechanism"].startswith("classifier ")
    assert added["mission"] == "ukraine"  # the added hit flows through stance_records like any other


def test_model_adds_no_actor_named_only_as_a_place_or_in_history(analyse, monkeypatch):
    monkeypatch.setattr(positions, "load_model", lambda: _forest_always("support"))
    result = analyse(
        "At a meeting in Oslo, Canada said it was willing to send troops to the peacekeeping force in "
        "Moldova. In 2004, Kenya sent soldiers to the mission.",
        published="2026-03-01",
    )
    got = {s["actor"] for s in result["stances"]}
    assert "Canada" in got
    assert "Norway" not in got  # only the place of the meeting
    assert "Kenya" not in got  # background history


def test_added_actor_needs_a_probable_stance(analyse, monkeypatch):
    # a position is likely (0.84) but split between two stances (0.42 each)
    split = Forest(("in_title",), ("none", "oppose", "support"), (0.0, 1.0, 1.0), 1.0, (), (), 0.5, True)
    monkeypatch.setattr(positions, "load_model", lambda: split)
    assert {s["actor"] for s in analyse(TEXT)["stances"]} == {"France", "Germany"}
    strict = Forest(
        ("in_title",), ("none", "oppose", "support"), (0.0, 1.0, 1.0), 1.0, (), (), 0.5, True, add_label_threshold=0.5
    )
    monkeypatch.setattr(positions, "load_model", lambda: strict)
    assert {s["actor"] for s in analyse(TEXT)["stances"]} == {"France"}


def test_model_drops_rejected_actors(analyse, monkeypatch):
    monkeypatch.setattr(positions, "load_model", lambda: _forest_always("none"))
    assert analyse(TEXT)["stances"] == []


def test_without_model_the_rules_decide(analyse, monkeypatch):
    monkeypatch.setattr(positions, "load_model", lambda: None)
    assert {s["actor"] for s in analyse(TEXT)["stances"]} == {"France"}


def test_features_describe_mentions(nlp):
    import datetime as dt

    from pipelines.nlp.cues import load_lexicon
    from pipelines.nlp.entities import resolve_entities
    from pipelines.nlp.gazetteer import load_gazetteer
    from pipelines.nlp.stances import StanceExtractor

    doc = nlp("Peacekeeping force debate\n\n" + TEXT)
    gaz = load_gazetteer()
    ex = StanceExtractor(doc, resolve_entities(doc, gaz, dt.date(2026, 3, 1)), gaz, load_lexicon())
    feats = {c.actor.name: f for c, f in positions.featurize(ex, ex.extract(), len("Peacekeeping force debate") + 2)}
    assert feats["France"]["r_support"] == 1.0 and feats["France"]["all_subj"] == 1.0
    assert feats["Germany"]["rule_none"] == 1.0 and feats["Germany"]["all_subj"] == 1.0
    assert feats["Ukraine"]["all_place"] == 1.0  # "the force in Ukraine": a place, not an actor


def test_meeting_attendees_are_described_as_such(nlp):
    # written for this test (round 10): a country named as present at a meeting (gov_gathering)
    import datetime as dt

    from pipelines.nlp.cues import load_lexicon
    from pipelines.nlp.entities import resolve_entities
    from pipelines.nlp.gazetteer import load_gazetteer
    from pipelines.nlp.stances import StanceExtractor

    title = "Peacekeeping force talks"
    doc = nlp(
        f"{title}\n\nLeaders met in the capital to discuss a peacekeeping force, with representatives from "
        "Germany, Denmark and Italy attending. Spain said it is ready to send troops to the force."
    )
    gaz = load_gazetteer()
    ex = StanceExtractor(doc, resolve_entities(doc, gaz, dt.date(2026, 3, 1)), gaz, load_lexicon())
    feats = {c.actor.name: f for c, f in positions.featurize(ex, ex.extract(), len(title) + 2)}
    assert feats["Germany"]["all_gov_gathering"] == 1.0 and feats["Italy"]["all_gov_gathering"] == 1.0
    assert feats["Spain"]["all_gov_gathering"] == 0.0


def test_trainer_rejects_a_missing_corpus(capsys):
    from pipelines.nlp.train_positions import main

    assert main(["--corpus", "/nonexistent/corpus.jsonl"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not found" in err


def test_shipped_model_records_its_data():
    record = json.loads(positions.MODEL_PATH.read_text(encoding="utf-8"))
    assert record["data"]["files"], "the model names the corpus files it was trained on"
    for entry in record["data"]["files"]:
        path = REPO_ROOT / entry["corpus"]
        assert path.is_file(), entry
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], (
            f"{entry['corpus']} changed since the model was trained: run make train"
        )
    assert record["cv"]["per_fold"] and set(record["cv"]["rules"]) == {"actors", "stances"}


def test_model_adds_no_casualty_or_currency(analyse, monkeypatch):
    # round 6: countries named only as casualties' nationality or in a currency hold no position
    monkeypatch.setattr(positions, "load_model", lambda: _forest_always("support"))
    result = analyse(
        "Canada said it was willing to send troops to the peacekeeping force in Moldova. "
        "One Peruvian peacekeeper was killed and three were injured, including two Nepalese. "
        "The mission lacks 40 million U.S. dollars. The force paid tribute to soldiers from Chile "
        "and Fiji who died in an ambush.",
        published="2026-03-01",
    )
    got = {s["actor"] for s in result["stances"]}
    assert "Canada" in got
    assert not got & {"Peru", "Nepal", "United States", "Chile", "Fiji"}, got


def test_coordinations_group_one_list(nlp):
    # written for this test (round 11): the members of one "A, B and C" list, not a lone actor
    import datetime as dt

    from pipelines.nlp.cues import load_lexicon
    from pipelines.nlp.entities import resolve_entities
    from pipelines.nlp.gazetteer import load_gazetteer
    from pipelines.nlp.stances import StanceExtractor

    title = "Peacekeeping force"
    doc = nlp(
        f"{title}\n\nMinisters met on Monday. Germany, Denmark and Italy said they would send troops to the "
        "peacekeeping force. "
        "Spain said it is still considering the request."
    )
    gaz = load_gazetteer()
    ex = StanceExtractor(doc, resolve_entities(doc, gaz, dt.date(2026, 3, 1)), gaz, load_lexicon())
    cands = list(positions.gather_candidates(ex, ex.extract()).values())
    lists = dict(zip((c.actor.name for c in cands), positions.coordinations(ex, cands)))
    assert lists["Germany"] and lists["Germany"] == lists["Denmark"] == lists["Italy"]
    assert not lists["Spain"]


def test_pool_lists_gives_a_coordination_one_add_decision():
    # columns none, oppose, support; rows: found by the rules, two list members, one alone
    probs = [[0.2, 0.0, 0.8], [0.3, 0.1, 0.6], [0.6, 0.2, 0.2], [0.9, 0.0, 0.1]]
    found = [True, False, False, False]
    lists = [frozenset({5}), frozenset({5}), frozenset({5}), frozenset()]
    assert positions.pool_lists(probs, found, lists, "") == probs
    top = positions.pool_lists(probs, found, lists, "max")
    assert top[0] == probs[0] and top[3] == probs[3]  # the rules' actor and the lone one keep their own
    assert top[1][0] == top[2][0] == pytest.approx(0.2)  # the list's most likely member: 1 - 0.8
    assert top[2][1] == pytest.approx(0.4) and top[2][2] == pytest.approx(0.4)  # own stance proportions
    mean = positions.pool_lists(probs, found, lists, "mean")
    assert mean[1][0] == mean[2][0] == pytest.approx(1 - (0.8 + 0.7 + 0.4) / 3)


@pytest.mark.parametrize(
    ("text", "actor", "expected"),
    [
        (
            "Chile and Peru were considering sending a battalion each to the mission.",
            "Chile",
            ("undecided", "considering"),
        ),
        ("Norway will not send soldiers to the stabilisation force.", "Norway", ("oppose", "not send")),
        ("Chile won't get involved in the peacekeeping operation.", "Chile", ("oppose", "not involved")),
        ("Norway pledged a battalion to the stabilisation force.", "Norway", None),
    ],
)
def test_scope_label_reads_the_words_governing_an_added_actor(nlp, text, actor, expected):
    """Round 13: an actor the classifier adds takes 'undecided' under an undecided cue and 'oppose'
    under a negated participation verb; otherwise the classifier's label stands."""
    from types import SimpleNamespace

    from pipelines.nlp.cues import load_lexicon
    from pipelines.nlp.positions import Candidate, scope_label
    from pipelines.nlp.stances import Actor

    doc = nlp(text)
    tokens = [t.i for t in doc if t.text == actor]
    cand = Candidate(Actor(actor, actor, "country", None, actor), tokens)
    ex = SimpleNamespace(doc=doc, lex=load_lexicon())
    assert scope_label(ex, cand, next(doc.sents)) == expected
