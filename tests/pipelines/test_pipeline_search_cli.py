"""`peacewatch search` as a user meets it: the rules' query language with errors that point at the
mistake, filters that refuse values nobody knows, and highlights that read as in the alerts."""

from __future__ import annotations

import pytest

from peacewatch import cli as peacewatch
from pipelines.write_es import BulkWriter

TEXT = (
    "Leaders of the coalition of the willing met in Paris. The force of the coalition would be led by "
    "France and the United Kingdom; the willing partners of the plan agreed."
)
ARTICLES = [
    {
        "id": "c" * 32,
        "url": "https://news.example/coalition",
        "title": "Coalition meets in Paris",
        "text": TEXT,
        "source": "Wire",
        "published": "2026-03-02T09:00:00Z",
        "language": "en",
        "relevant": True,
        "relevance": 0.9,
        "analysed": True,
        "entities": [],
        "people": [],
        "countries": ["France", "United Kingdom"],
        "country_codes": ["FR", "GB"],
        "missions": ["ukraine"],
        "stances": [
            {
                "actor": "United Kingdom",
                "actor_code": "GB",
                "actor_type": "country",
                "stance": "support",
                "mission": "ukraine",
                "commitment": "troops",
                "confidence": 0.9,
                "evidence": "The force of the coalition would be led by France and the United Kingdom.",
            }
        ],
        "stance_pairs": ["United Kingdom:support", "GB:support"],
    },
    {
        "id": "d" * 32,
        "url": "https://news.example/markets",
        "title": "Markets rise",
        "text": "Shares rose in Berlin.",
        "source": "Wire",
        "published": "2026-03-03T09:00:00Z",
        "language": "de",
        "relevant": False,
        "relevance": 0.1,
        "analysed": True,
        "entities": [],
        "people": [],
        "countries": ["Germany"],
        "country_codes": ["DE"],
        "missions": [],
        "stances": [],
        "stance_pairs": [],
    },
]


@pytest.fixture
def indexed(provisioned, es):
    writer = BulkWriter(provisioned)
    writer.write([dict(a) for a in ARTICLES])
    writer.close()
    es.indices.refresh(index=provisioned.index("articles"))
    return provisioned


def _search(capsys, *argv: str) -> tuple[int, str, str]:
    code = peacewatch.main(["search", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(
    "query,position",
    [("force)", 5), ('"coalition of', 0), ("troops AND", 10), ("title:(force", 12), ("nosuchfield:x", 0)],
)
def test_a_syntax_error_points_at_the_mistake(query, position, capsys):
    code, _, err = _search(capsys, query)
    assert code == 2
    lines = err.splitlines()
    assert lines[0].startswith(f"peacewatch search: error: query error at position {position}: "), err
    assert lines[1].strip() == query and lines[2].index("^") - lines[1].index(query[0]) == position, err
    assert lines[-1].startswith("  hint: ")


@pytest.mark.parametrize(
    "option,value,close",
    [
        ("--country", "Atlantis", None),
        ("--country", "Germny", "Germany"),
        ("--mission", "sudann", "sudan"),
        ("--language", "englsh", "en"),
        ("--stance", "Germny:oppose", None),
    ],
)
def test_a_value_nobody_knows_is_refused_with_the_closest(option, value, close, capsys):
    code, _, err = _search(capsys, "force", option, value)
    if option == "--stance":  # an actor that is no country may be a person or an organisation: searched as written
        assert code != 2 or "unknown" not in err
        return
    assert code == 2, err
    assert f"unknown {option[2:]} {value!r}" in err
    if close:
        assert f"did you mean {close}" in err, err


def test_values_as_people_type_them(indexed, capsys):
    for argv in (
        ["--country", "france"],
        ["--country", "UK"],
        ["--mission", "Coalition of the Willing"],
        ["--language", "English"],
        ["--stance", "united kingdom:support"],
        ["--stance", "gb:support"],
    ):
        code, out, err = _search(capsys, "*", *argv)
        assert code == 0 and "1 of 1 articles" in out, (argv, out, err)


def test_fields_of_the_rules_language_work_case_insensitively(indexed, capsys):
    for query in ("country:france", "actor:kingdom AND stance:SUPPORT", "mission:ukraine", "language:EN"):
        code, out, _ = _search(capsys, query)
        assert code == 0 and "1 of 1 articles" in out, (query, out)


def test_words_side_by_side_need_not_be_quoted(indexed, capsys):
    code, out, _ = _search(capsys, "coalition", "AND", "country:FR")
    assert code == 0 and "1 of 1 articles" in out
    code, out, _ = _search(capsys, "coalition", "berlin")  # words side by side: all of them
    assert code == 0 and "0 of 0 articles" in out


def test_a_phrase_is_highlighted_whole_as_in_the_alerts(indexed, capsys, tmp_path):
    code, out, _ = _search(capsys, '"coalition of the willing"')
    assert code == 0
    assert "*coalition of the willing*" in out
    assert "*the*" not in out and "*of*" not in out  # stop words outside the phrase are not marked
    rules = str(tmp_path / "alerts.yaml")
    assert peacewatch.main(["alerts", "add", "cw", "--query", '"coalition of the willing"', "--rules", rules]) == 0
    capsys.readouterr()
    assert peacewatch.main(["alerts", "test", "cw", "--since", "3650d", "--rules", rules]) == 0
    preview = capsys.readouterr().out
    assert "*coalition of the willing*" in preview and "*the*" not in preview
