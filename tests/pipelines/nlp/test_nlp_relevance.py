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


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        # round 11: mission acronyms match in any case ("Kfor" as Italian and German papers write it)
        ("it", "Kosovo, i militari italiani della Kfor", "Il contingente della Kfor ha rafforzato i pattugliamenti."),
        ("de", "Kfor verstärkt Präsenz", "Die Kfor schickt weitere Soldaten an die Grenze im Norden."),
        ("pl", "Polscy żołnierze w Kfor", "Kontyngent Kfor zwiększył liczbę patroli na północy."),
        # a force's "intervention" names and "the UN force"
        (
            "fr",
            "Haïti attend l'intervention",
            "Le pays attend une intervention militaire internationale contre les gangs.",
        ),
        (
            "fr",
            "Liban : Paris renforce la force de l'ONU",
            "La France enverra cent soldats de plus à la force de l'ONU.",
        ),
        ("es", "Haití pide ayuda", "El gobierno pidió una intervención militar en Haití para frenar a las bandas."),
        ("it", "Libano, più soldati", "L'Italia invierà altri soldati alla forza dell'ONU nel sud del paese."),
        ("pl", "Kenia prowadzi MSS", "Misja MSS na Haiti otrzyma kolejnych policjantów z Kenii."),
    ],
)
def test_language_packs_know_a_forces_other_names(language, title, text):
    from pipelines.nlp.lang_pack import load_pack

    assert any(t.fired for t in score_relevance(title, text, load_pack(language).topics))


def test_a_russian_intervention_is_no_force():
    from pipelines.nlp.lang_pack import load_pack

    for language, text in (
        ("fr", "Huit ans après l'intervention militaire russe en Ukraine, le Kremlin parle de victoire."),
        ("es", "La intervención militar rusa en Ucrania entra en su cuarto año."),
    ):
        assert not any(t.fired for t in score_relevance("Guerre", text, load_pack(language).topics)), language
