import datetime as dt

import spacy

from pipelines.nlp.entities import resolve_entities, summarise
from pipelines.nlp.gazetteer import load_gazetteer
from pipelines.nlp.model import add_entity_ruler, add_line_breaks


def test_places_capitals_seats_and_demonyms():
    gaz = load_gazetteer()
    assert gaz.place("the Kremlin") == ("RU", "seat")
    assert gaz.place("Downing Street") == ("GB", "seat")
    assert gaz.place("London") == ("GB", "capital")
    assert gaz.place("Britons") == ("GB", "demonym")
    assert gaz.place("Czechia")[0] == "CZ"
    assert gaz.place("Türkiye")[0] == "TR"
    assert gaz.countries[gaz.place("Democratic Republic of the Congo")[0]].name == "DR Congo"
    assert len(gaz.countries) >= 193


def test_one_spelling_per_person():
    gaz = load_gazetteer()
    assert gaz.person("Zelenskyy") == gaz.person("Zelenskyi") == gaz.person("Volodymyr Zelensky")


def test_a_last_name_that_names_an_organisation_is_no_alias():
    gaz = load_gazetteer()
    assert gaz.organisation("Wagner") is not None
    assert gaz.person("Wagner") is None  # the Wagner group, not Thérèse Kayikwamba Wagner
    assert gaz.person("Kayikwamba Wagner") == "Thérèse Kayikwamba Wagner"  # a table alias still is
    assert gaz.person("Rasmussen") == "Lars Løkke Rasmussen"  # other last names still resolve alone


def test_leader_resolves_by_date():
    gaz = load_gazetteer()
    assert gaz.office_on("Mark Rutte", dt.date(2023, 5, 1)).actor_id == "NL"
    assert gaz.office_on("Mark Rutte", dt.date(2025, 5, 1)).actor_id == "NATO"
    assert gaz.office_on("Olaf Scholz", dt.date(2024, 12, 21)).actor_id == "DE"
    assert gaz.office_on("Olaf Scholz", dt.date(2026, 1, 30)) is None
    assert gaz.office_on("Donald Tusk", dt.date(2024, 3, 1)).describe() == "prime minister 2023-12-13.."


def test_entity_ruler_on_blank_pipeline():
    nlp = spacy.blank("en")
    add_line_breaks(nlp)
    add_entity_ruler(nlp)
    doc = nlp("Title line\nThe coalition of the willing met UNIFIL and MONUSCO officials.")
    ents = {(e.text, e.label_, e.ent_id_) for e in doc.ents}
    assert ("coalition of the willing", "ORG", "COW") in ents
    assert ("UNIFIL", "MISSION", "UNIFIL") in ents
    assert doc[3].is_sent_start  # the token after the line break starts a sentence
    mentions = resolve_entities(doc, load_gazetteer(), dt.date(2025, 1, 1))
    summary = summarise(mentions, load_gazetteer())
    assert summary["organisations"] == ["Coalition of the Willing", "UNIFIL", "MONUSCO"]


def test_ruler_patterns_match_their_written_case():
    """A pattern matches token by token (lower case): one written in lower case must split into the
    same tokens as its capitalised form ("u.n." splits as "u.n" + "." where "U.N." stays whole)."""
    from pipelines.nlp.model import read_patterns

    tokenizer = spacy.blank("en").tokenizer
    for row in read_patterns():
        text = row["pattern"]
        if isinstance(text, str):
            assert [t.lower_ for t in tokenizer(text)] == [t.lower_ for t in tokenizer(text.upper())], text
    nlp = spacy.blank("en")
    add_entity_ruler(nlp)
    doc = nlp("On Tuesday the U.N. Security Council extended the mandate of the mission.")
    assert ("U.N. Security Council", "ORG", "UNSC") in {(e.text, e.label_, e.ent_id_) for e in doc.ents}


def test_organisation_ids_never_clash_with_country_codes():
    gaz = load_gazetteer()
    assert not set(gaz.organisations) & set(gaz.countries)
    assert "NO" in gaz.countries  # YAML must not read Norway's code as a boolean


def test_load_nlp_names_what_to_install(monkeypatch):
    import pytest

    from pipelines.nlp.model import load_nlp

    monkeypatch.setenv("PEACEWATCH_SPACY_MODEL", "no_such_spacy_model_xyz")
    with pytest.raises(RuntimeError, match="no_such_spacy_model_xyz"):
        load_nlp()


def test_line_starts_are_sentence_starts_without_one_word_sentences():
    nlp = spacy.blank("en")
    add_line_breaks(nlp)
    doc = nlp("Headline here\n\nPakistan and Bangladesh offered troops.")
    starts = [t.text for t in doc if t.is_sent_start]
    assert "Pakistan" in starts and doc[4].text == "and" and doc[4].is_sent_start is False


def test_regional_security_organisations():
    gaz = load_gazetteer()
    assert gaz.organisation("Organisation of American States").name == "Organization of American States"
    assert gaz.organisation("Collective Security Treaty Organization").name == "CSTO"
    assert gaz.organisation("Caribbean Community").name == "CARICOM"
    assert gaz.organisation("Economic Community of Central African States").name == "ECCAS"
    nlp = spacy.blank("en")
    add_entity_ruler(nlp)
    doc = nlp("The OAS and the CSTO were not consulted.")
    assert {(e.text, e.ent_id_) for e in doc.ents} >= {("OAS", "OAS"), ("CSTO", "CSTO")}
