"""merge_hits: one stance per actor, however the actor was reached (pure logic, no model)."""

from pipelines.nlp.stance_merge import identity, merge_hits
from pipelines.nlp.stances import Actor, Hit


def _hit(actor: Actor, stance: str = "support", confidence: float = 0.6) -> Hit:
    return Hit(actor, stance, confidence, "welcome", "NATO welcomed the plans.", None)


def test_an_organisation_by_name_and_through_its_office_holder_is_one_actor() -> None:
    by_name = Actor("org:NATO", "NATO", "organisation", None, "NATO -> NATO (organisation)")
    by_office = Actor("NATO", "NATO", "organisation", None, "Mark Rutte -> NATO (secretary general)", True)
    assert identity(by_name) == identity(by_office)
    merged = merge_hits([_hit(by_name, confidence=0.7), _hit(by_office)], use_filter=False)
    assert [(actor.name, stance) for actor, stance, *_ in merged] == [("NATO", "support")]


def test_countries_and_people_keep_their_keys() -> None:
    france = Actor("FR", "France", "country", "FR", "Paris -> France (capital)")
    person = Actor("person:Jane Doe", "Jane Doe", "person", None, "Doe -> Jane Doe (person)", True)
    other = Actor("DE", "Germany", "country", "DE", "Berlin -> Germany (capital)")
    merged = merge_hits([_hit(france), _hit(person, "oppose"), _hit(other, "undecided")], use_filter=False)
    assert [(actor.name, stance) for actor, stance, *_ in merged] == [
        ("France", "support"),
        ("Jane Doe", "oppose"),
        ("Germany", "undecided"),
    ]


def test_close_support_and_oppose_sums_stay_support_when_support_is_larger() -> None:
    """Round 13: a backer with a stray oppose cue beside its support keeps support; an oppose sum
    at least as large as the support within 25 % is still mixed signals (undecided)."""
    norway = Actor("NO", "Norway", "country", "NO", "Norway -> Norway (name)")
    chile = Actor("CL", "Chile", "country", "CL", "Chile -> Chile (name)")
    merged = merge_hits(
        [
            _hit(norway, "support", 0.7),
            _hit(norway, "oppose", 0.6),
            _hit(chile, "support", 0.6),
            _hit(chile, "oppose", 0.7),
        ],
        use_filter=False,
    )
    assert [(actor.name, stance) for actor, stance, *_ in merged] == [("Norway", "support"), ("Chile", "undecided")]
