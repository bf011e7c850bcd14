"""Missions: the catalogue (data, user file, bad entries), mission per stance, commitment and condition.

Sentences here are written for the tests (none from the evaluation articles)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from peacewatch.errors import UserError
from pipelines.nlp.missions import OTHER, Catalogue, Mission, MissionAssigner, load_catalogue

ISSUE_IDS = [
    "ukraine",
    "lebanon",
    "gaza",
    "haiti",
    "drc",
    "sudan",
    "somalia",
    "mali",
    "car",
    "south-sudan",
    "nagorno-karabakh",
    "kosovo",
    "cyprus",
    "western-sahara",
    "other",
]


def test_the_catalogue_has_the_issue_ids_and_multilingual_aliases():
    catalogue = load_catalogue("")
    assert catalogue.ids == ISSUE_IDS
    lebanon = catalogue.missions["lebanon"]
    assert {"UNIFIL", "FINUL", "FPNUL"} <= set(lebanon.aliases) and lebanon.hosts == ("LB",)
    assert {"AUSSOM", "ATMIS", "AMISOM"} <= set(catalogue.missions["somalia"].aliases)
    assert "Gang Suppression Force" in catalogue.missions["haiti"].aliases
    assert "coalition of the willing" in catalogue.missions["ukraine"].aliases


@pytest.mark.parametrize(
    "text,expected",
    [
        ("La FINUL reste au Liban.", "lebanon"),
        ("Die Koalition der Willigen trifft sich in Paris.", "ukraine"),
        ("Troops of AUSSOM patrol Mogadishu.", "somalia"),
        ("The South Sudan mission UNMISS", "south-sudan"),  # not "sudan": the longest name wins
        ("Kenyan police of the Gang Suppression Force", "haiti"),
    ],
)
def test_signs_are_found_in_any_language(text, expected):
    signs = load_catalogue("").signs(text)
    assert signs and {s.mission for s in signs} == {expected}


def test_unknown_mission_lists_the_known_ids():
    with pytest.raises(UserError) as caught:
        load_catalogue("").check_id("atlantis")
    assert caught.value.message.startswith("unknown mission 'atlantis'; known missions: ukraine, lebanon")


def test_a_user_file_adds_and_replaces_missions(tmp_path):
    path = tmp_path / "missions.yaml"
    path.write_text(
        "missions:\n"
        "  - {id: libya, name: Libya stabilisation force, aliases: [LSF], hosts: [LY], keywords: [Tripoli]}\n"
        "  - {id: haiti, name: Haiti force, aliases: [HSF], hosts: [HT], keywords: [Haiti], from: 2024-01-01}\n",
        encoding="utf-8",
    )
    catalogue = load_catalogue(str(path))
    assert catalogue.ids[-2:] == ["libya", "other"] and catalogue.missions["haiti"].aliases == ("HSF",)
    assert catalogue.missions["haiti"].start == "2024-01-01"
    assert {s.mission for s in catalogue.signs("The LSF arrived in Tripoli.")} == {"libya"}


@pytest.mark.parametrize(
    "entry,reason",
    [
        ("{id: Bad Id, name: x}", "entry 1 ('Bad Id'), field id"),
        ("{id: x1, name: x, hosts: [Lebanon]}", "entry 1 ('x1'), field hosts.0"),
        ("{id: x1}", "'name' is a required property"),
        ("{id: x1, name: x, colour: red}", "'colour' was unexpected"),
        ("{id: x1, name: x, from: 'yesterday'}", "field from"),
    ],
)
def test_a_bad_entry_is_refused_with_the_entry_and_the_reason(tmp_path, entry, reason):
    path = tmp_path / "m.yaml"
    path.write_text(f"missions:\n  - {entry}\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_catalogue(str(path))
    assert reason in caught.value.message and str(path) in caught.value.message


def test_a_bad_missions_file_stops_analyze_at_start_with_one_line(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("missions:\n  - {id: x1, name: x, hosts: [Lebanon]}\n", encoding="utf-8")
    articles = tmp_path / "a.jsonl"
    articles.write_text('{"id": "1", "title": "t", "text": "Peacekeepers."}\n', encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "peacewatch.cli",
            "analyze",
            "--input",
            str(articles),
            "--output",
            str(tmp_path / "out.jsonl"),
        ],
        env={"PEACEWATCH_MISSIONS_FILE": str(path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "bad mission entry 1 ('x1'), field hosts.0" in result.stderr and "Traceback" not in result.stderr


def _assigner(text: str, dominant_text: str = "") -> tuple[MissionAssigner, list[int]]:
    full = dominant_text + text
    starts, position = [], 0
    sentences = []
    for part in full.split(". "):
        sentences.append((position, position + len(part) + 1))
        starts.append(position)
        position += len(part) + 2
    return MissionAssigner(load_catalogue(""), full, sentences), starts


def test_a_stance_takes_the_mission_of_its_sentence_then_earlier_ones_then_the_article():
    assigner, starts = _assigner(
        "Troops for the reassurance force in Ukraine were discussed. Poland said no. "
        "Sweden said maybe. Finland was silent. Then UNIFIL was renewed. Spain agreed"
    )
    assert assigner.dominant == "ukraine"
    assert assigner.for_sentence(starts[0])[0] == ["ukraine"]
    assert assigner.for_sentence(starts[1]) == (["ukraine"], "named 1 sentence before")
    assert assigner.for_sentence(starts[3]) == (["ukraine"], "the article's main mission")
    assert assigner.for_sentence(starts[4])[0] == ["lebanon"]
    assert assigner.for_sentence(starts[5])[0] == ["lebanon"]


def test_a_force_named_in_passing_earlier_does_not_take_the_stance():
    first = "The council approved the International Stabilisation Force for Gaza, the ISF, and its Gaza mandate. "
    text = first + "Mali and Peru voted for it. A spokesperson called the vote an important step"
    last = text.index("A spokesperson")
    sentences = [(0, len(first) - 1), (len(first), last - 1), (last, len(text))]
    assigner = MissionAssigner(load_catalogue(""), text, sentences)
    assert assigner.dominant == "gaza" and assigner.marginal("mali")
    assert assigner.for_sentence(last) == (["gaza"], "named 2 sentences before")


def test_no_mission_named_is_other():
    assigner, starts = _assigner("A force was discussed. Nobody agreed")
    assert assigner.for_sentence(starts[1]) == ([OTHER], "no mission named")


def test_a_custom_catalogue_without_other_gets_one():
    catalogue = Catalogue([Mission("x", "X", aliases=("XF",))])
    assert catalogue.ids == ["x", "other"]


# ----- through the English analysis -----------------------------------------------------------------


def _stances(result: dict) -> list[tuple[str, str, str, str]]:
    return sorted((s["actor"], s["stance"], s["mission"], s["commitment"]) for s in result["stances"])


def test_one_stance_per_mission_when_an_actor_backs_two_forces(analyse):
    result = analyse(
        "Portugal said it would send soldiers to the reassurance force for Ukraine and to the "
        "stabilisation force in Gaza."
    )
    assert _stances(result) == [("Portugal", "support", "gaza", "troops"), ("Portugal", "support", "ukraine", "troops")]
    assert result["missions"] == ["ukraine", "gaza"]


def test_backing_by_other_means_is_support_with_other_commitment(analyse):
    result = analyse(
        "Hungary will not send soldiers to the peacekeeping force in Ukraine, though Budapest "
        "offered logistical support."
    )
    assert _stances(result) == [("Hungary", "support", "ukraine", "other")]


def test_commitment_and_condition(analyse):
    result = analyse(
        "Norway will deploy troops to the peacekeeping force in Ukraine once a ceasefire is signed. "
        "Denmark backs the peacekeeping force. Austria has not decided whether to join the force."
    )
    records = {s["actor"]: s for s in result["stances"]}
    assert (records["Norway"]["commitment"], records["Norway"]["condition"]) == ("troops", "once a ceasefire is signed")
    assert records["Denmark"]["commitment"] == "other"
    assert (records["Austria"]["stance"], records["Austria"]["commitment"]) == ("undecided", "none")
    assert {s["mission"] for s in result["stances"]} == {"ukraine"}


def test_a_force_named_in_passing_does_not_split_the_stance(analyse):
    result = analyse(
        "Ireland will send troops to the stabilisation force in Gaza. Ireland, which has long served "
        "with UNIFIL, is ready to lead the Gaza force. Officials in Dublin said the Gaza force needs "
        "a UN mandate and troops from many countries to work in Gaza."
    )
    assert {(s["actor"], s["mission"]) for s in result["stances"]} == {("Ireland", "gaza")}
