"""Output contract of analyze_articles / analyze_article and the CLI."""

import argparse
import json

from pipelines.nlp import cli
from pipelines.nlp.analyze import analyze_articles

_FIELDS = {
    "id",
    "relevant",
    "relevance",
    "relevance_explanation",
    "relevance_classifier",
    "topics",
    "language",
    "analysed",
    "not_analysed_reason",
    "entities",
    "countries",
    "country_codes",
    "people",
    "organisations",
    "stances",
}

ARTICLES = [
    {
        "id": "a",
        "title": "Peacekeepers",
        "published": "2025-03-01",
        "text": "French President Emmanuel Macron backs a peacekeeping force for Ukraine. "
        "The Kremlin rejected the peacekeeping plan.",
    },
    {
        "id": "b",
        "title": "Friedenstruppe",
        "published": None,
        "text": "Die Regierung hat noch nicht entschieden, ob sie Soldaten in die Ukraine schicken wird.",
    },
    {"id": "c", "title": "Oil", "text": "Brent crude rose as OPEC+ kept its output deal with Saudi Arabia."},
    {
        "id": "d",
        "title": "Vredesmacht",
        "published": None,
        "text": "De regering heeft nog niet besloten of zij soldaten naar Oekraïne zal sturen voor de vredesmacht.",
    },
]


def test_results_in_input_order_with_all_fields(nlp):
    results = list(analyze_articles(nlp, ARTICLES, batch_size=2, explain=True))
    assert [r["id"] for r in results] == ["a", "b", "c", "d"]
    for r in results:
        assert set(r) >= _FIELDS
    a, b, c, d = results
    assert a["relevant"] and a["topics"] == ["peacekeeping"]
    assert {"France", "Ukraine", "Russia"} <= set(a["countries"])
    assert "FR" in a["country_codes"] and a["people"] == ["Emmanuel Macron"]
    stances = {s["actor"]: s for s in a["stances"]}
    assert stances["France"]["stance"] == "support" and stances["Russia"]["stance"] == "oppose"
    for s in a["stances"]:
        assert {
            "actor",
            "actor_type",
            "actor_code",
            "stance",
            "evidence",
            "confidence",
            "cue",
            "condition",
            "explanation",
        } <= set(s)
    entity = next(e for e in a["entities"] if e["name"] == "Emmanuel Macron")
    assert ARTICLES[0]["text"][entity["start"] : entity["end"]] == entity["text"]
    assert b["language"] == "de" and b["analysed"] and b["relevant"]  # the clause route (lang_route)
    assert "Ukraine" in b["countries"] and b["not_analysed_reason"] is None
    assert d["language"] == "nl" and not d["analysed"]
    assert d["not_analysed_reason"] == "language 'nl' is not analysed"
    assert not c["relevant"] and c["stances"] == [] and c["countries"] == ["Saudi Arabia"]


def test_deterministic(nlp):
    first = list(analyze_articles(nlp, ARTICLES, explain=True))
    second = list(analyze_articles(nlp, ARTICLES, explain=True))
    assert first == second


def test_cli_skips_bad_lines(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join([json.dumps(ARTICLES[0]), "{not json", json.dumps({"id": "x"}), json.dumps(ARTICLES[2])]) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["analyze", "--input", str(src), "--output", str(out), "--explain"])
    assert args.func(args) == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in lines] == ["a", "c"]
    err = capsys.readouterr().err
    assert "line 2: skipped, not JSON" in err and "line 3: skipped, no 'text'" in err
    assert "skipped 2 bad lines" in err and "Traceback" not in err


def test_lone_surname_prefers_the_person_named_in_the_article(nlp):
    from pipelines.nlp.analyze import analyze_article

    r = analyze_article(
        nlp,
        {
            "id": "s",
            "title": "Peacekeeping vote",
            "published": "2025-06-01",
            "text": "House Speaker Mike Johnson met reporters. Johnson said the peacekeeping force needed a vote.",
        },
    )
    assert "Mike Johnson" in r["people"] and "Boris Johnson" not in r["people"]


def test_explain_line_names_the_classifier_and_its_veto():
    result = {
        "id": "v",
        "relevant": False,
        "relevance": 0.63,
        "language": "en",
        "analysed": True,
        "topics": [],
        "relevance_classifier": 0.12,
        "relevance_explanation": [
            {"term": "peacekeep", "weight": 3.0, "count": 1, "positions": []},
            {"term": "(trained classifier veto)", "weight": 0.12, "count": 1, "positions": []},
        ],
        "stances": [],
    }
    assert "trained classifier p=0.12 (veto)" in cli._explain_line(result)
    result["relevance_classifier"] = None
    assert "classifier p=" not in cli._explain_line(result)
