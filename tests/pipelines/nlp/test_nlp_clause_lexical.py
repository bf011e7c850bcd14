"""The clause route's lexical channel (round 7, kept for cross-validation): the pure-Python
evaluation equals scikit-learn's, stacking gives every row out-of-fold features (pure logic)."""

from __future__ import annotations

import pytest

from pipelines.nlp import clause_lexical

TEXTS = [
    ("actorx wird soldaten schicken", "support"),
    ("actorx schickt truppen", "support"),
    ("actorx lehnt eine beteiligung ab", "oppose"),
    ("actorx lehnt den einsatz ab", "oppose"),
    ("ein treffen in actorx", "none"),
    ("gespräche in actorx mit otherx", "none"),
    ("actorx prüft eine beteiligung", "undecided"),
    ("actorx prüft den einsatz noch", "undecided"),
]


def test_pure_python_probabilities_equal_scikit_learns():
    pytest.importorskip("sklearn")
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts, labels = [t for t, _ in TEXTS], [y for _, y in TEXTS]
    model = clause_lexical.model_from_dict(clause_lexical.fit_lexical(texts * 2, labels * 2))
    vec = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, clause_lexical.NGRAM_MAX), min_df=clause_lexical.MIN_DF)
    reg = LogisticRegression(C=clause_lexical.C, max_iter=2000).fit(vec.fit_transform(texts * 2), labels * 2)
    for text in ("actorx lehnt truppen ab", "actorx prüft", "nichts bekanntes"):
        expected = dict(zip(reg.classes_, reg.predict_proba(vec.transform([text]))[0]))
        got = clause_lexical.probabilities(model, text)
        assert got == pytest.approx(expected, abs=1e-4)


def test_stacking_gives_every_row_out_of_fold_features():
    pytest.importorskip("sklearn")
    rows = [{"article": f"a{n}", "text": t, "label": y, "features": {"x": 1.0}} for n, (t, y) in enumerate(TEXTS * 3)]
    record = clause_lexical.stack_lexical(rows, seed=1)
    assert record["classes"] == ["none", "oppose", "support", "undecided"]
    for r in rows:
        assert r["features"]["x"] == 1.0
        assert sum(r["features"][f"lex_{c}"] for c in record["classes"]) == pytest.approx(1.0, abs=1e-5)
