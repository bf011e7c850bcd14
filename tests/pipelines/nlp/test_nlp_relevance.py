import pytest

from pipelines.nlp.relevance import load_topics, score_relevance


def _fired(title: str, text: str) -> bool:
    return any(r.fired for r in score_relevance(title, text))


@pytest.mark.parametrize(
    "title, text",
    [
        ("Peacekeepers for Ukraine", "Leaders discussed a peacekeeping force after a ceasefire."),
        ("Haiti mission", "Kenya will lead the multinational security support mission with 1,000 police."),
        ("Lebanon", "UNIFIL troops came under fire near the border; the mission's mandate expires soon."),
        ("Gaza", "An international stabilisation force would deploy after the truce."),
        ("Reassurance", "Britain and France offered a reassurance force backed by a US backstop."),
    ],
)
def test_positive_articles_fire(title, text):
    assert _fired(title, text)


@pytest.mark.parametrize(
    "title, text",
    [
        ("Ceasefire agreed", "The two countries agreed an immediate ceasefire after talks in Kuala Lumpur."),
        ("Troops move", "Germany deployed a brigade to Lithuania to deter aggression on NATO's flank."),
        ("Oil", "Brent crude rose as OPEC+ kept its output deal."),
        ("Summit", "The presidents met in Alaska but did not agree a peace deal."),
    ],
)
def test_negative_articles_do_not_fire(title, text):
    assert not _fired(title, text)


def test_explanation_has_terms_and_positions():
    result = score_relevance("Peacekeeping plan", "A peacekeeping force and more peacekeepers.")[0]
    terms = {m["term"]: m for m in result.matches}
    match = next(m for t, m in terms.items() if "keep" in t)
    assert match["count"] == 3
    assert {p["where"] for p in match["positions"]} == {"title", "text"}
    assert 0.0 < result.score <= 1.0


def test_user_topic_pack(tmp_path):
    pack = tmp_path / "topics.yaml"
    pack.write_text(
        "topics:\n  - name: ceasefire\n    threshold: 0.3\n    terms:\n"
        "      - {pattern: 'cease-?fire', weight: 2.0, core: true}\n",
        encoding="utf-8",
    )
    topics = load_topics(pack)
    result = score_relevance("", "A ceasefire was agreed.", topics)[0]
    assert result.topic == "ceasefire" and result.fired
