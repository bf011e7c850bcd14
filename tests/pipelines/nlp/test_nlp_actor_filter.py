"""The trained actor filter: scoring, thresholds, deterministic training (pure logic, no model)."""

from __future__ import annotations

import pytest

from pipelines.nlp.actor_filter import ActorFilter, candidate_features, filter_candidates
from pipelines.nlp.stances import Actor, Hit


def _hit(actor: Actor, how: str = "subject", carried: float = 0.0) -> Hit:
    return Hit(
        actor,
        "support",
        0.8,
        "send",
        "France will send troops.",
        None,
        mechanism="rule: test",
        context={
            "how": how,
            "cue_pos": "VERB",
            "path_len": 1.0,
            "pronoun": 0.0,
            "negated": 0.0,
            "carried": carried,
            "position": 0.1,
            "quote": 0.0,
            "mentions": 2.0,
            "in_title": 1.0,
        },
    )


def test_features_describe_how_the_rules_found_the_actor():
    actor = Actor("FR", "France", "country", "FR", "Paris -> France (capital)")
    hit = _hit(actor, how="actors right before the verb (parser lost the subject)", carried=1.0)
    f = candidate_features(actor, "support", 0.8, hit, [hit])
    assert f["country"] == 1.0 and f["support"] == 1.0 and f["carried"] == 1.0
    assert f["how_actors"] == 1.0 and f["how_subject"] == 0.0 and f["resolved_metonymy"] == 1.0


def test_filter_drops_below_threshold_and_explains_kept():
    model = ActorFilter(("carried",), (-5.0,), 2.0, 0.5, (0.0,), (1.0,))
    a, b = Actor("FR", "France", "country", "FR", "x"), Actor("IT", "Italy", "country", "IT", "y")
    ha, hb = _hit(a, carried=0.0), _hit(b, carried=1.0)
    kept = filter_candidates([(a, "support", 0.8, ha, [ha]), (b, "support", 0.8, hb, [hb])], model)
    assert [k[0].name for k in kept] == ["France"]
    assert "actor filter 0.88 >= 0.50 (kept)" in ha.mechanism


def test_training_is_deterministic_and_separates_classes():
    np = pytest.importorskip("numpy")
    from pipelines.nlp.train_actor_filter import fit, train

    rows = []
    for i in range(40):
        bad = i % 4 == 0
        rows.append(
            {
                "article": f"a{i // 2}",
                "label": int(not bad),
                "features": {"carried": float(bad), "log_hits": 0.5 + (i % 3) / 10},
            }
        )
    gold = {f"a{i}": 2 for i in range(20)}
    first = train(rows, gold, folds=4, seed=1)
    second = train(rows, gold, folds=4, seed=1)
    assert first == second
    assert first["cv"]["actors_f1_filtered"] > first["cv"]["actors_f1_rules"]
    w, _ = fit(np.array([[0.0], [1.0], [0.0], [1.0]]), np.array([1.0, 0.0, 1.0, 0.0]), 1.0)
    assert w[0] < 0
