"""Stance-change and spike detection: pure functions, durable state, and through the engine."""

from __future__ import annotations

from pipelines.alerts.engine import AlertEngine
from pipelines.alerts.rules import Rule
from pipelines.alerts.spikes import HOUR, SpikeCounter, is_spike
from pipelines.alerts.stance_change import ActorStance, StanceStateStore, detect_stance_changes
from schemas.validation import errors

NOW = 1_795_000_000.0


def stance_article(
    number: int,
    stance: str | None,
    actor: str = "Germany",
    code: str = "DE",
    confidence: float = 0.8,
    day: int = 10,
    mission: str = "ukraine",
) -> dict:
    stances = (
        [
            {
                "actor": actor,
                "actor_type": "country",
                "actor_code": code,
                "stance": stance,
                "mission": mission,
                "commitment": "none",
                "confidence": confidence,
                "evidence": f"{actor} is {stance}",
            }
        ]
        if stance
        else []
    )
    return {
        "id": f"s-{number}",
        "url": f"https://news.example/s{number}",
        "title": f"Story {number}",
        "text": "The peace force was discussed.",
        "published": f"2026-11-{day:02d}T10:00:00Z",
        "relevance": 0.8,
        "relevant": True,
        "analysed": True,
        "entities": [],
        "countries": [actor],
        "people": [],
        "stances": stances,
    }


def run(sequence: list[dict], state: dict | None = None):
    state = dict(state or {})
    events = []
    for article in sequence:
        found, state = detect_stance_changes(state, article)
        events.extend(found)
    return events, state


def test_undecided_then_support_is_exactly_one_change():
    events, state = run(
        [
            stance_article(1, "undecided", day=1),
            stance_article(2, "undecided", day=2),
            stance_article(3, None, day=3),
            stance_article(4, "support", day=4),
            stance_article(5, "support", day=5),
        ]
    )
    assert [(e.key, e.previous, e.current) for e in events] == [("DE@ukraine", "undecided", "support")]
    assert state["DE@ukraine"].stance == "support" and state["DE@ukraine"].article_id == "s-4"


def test_first_position_counts_but_a_first_undecided_does_not():
    events, _ = run([stance_article(1, "oppose", actor="Italy", code="IT"), stance_article(2, "undecided")])
    assert [(e.actor, e.previous, e.current) for e in events] == [("Italy", None, "oppose")]


def test_low_confidence_late_articles_and_other_actor_types_are_ignored():
    _, state = run([stance_article(1, "support", day=5)])
    events, _ = run(
        [
            stance_article(2, "oppose", confidence=0.2, day=6),  # not confident enough
            stance_article(3, "oppose", day=1),
        ],
        state,
    )  # older than what we know
    assert events == []
    person = stance_article(4, "support", actor="Jane Doe", code=None)
    person["stances"][0]["actor_type"] = "person"
    assert detect_stance_changes({}, person)[0] == []


def test_state_store_survives_reopening(tmp_path):
    _, state = run([stance_article(1, "undecided")])
    store = StanceStateStore(tmp_path / "s.sqlite3")
    store.save("rule", state)
    store.close()
    reopened = StanceStateStore(tmp_path / "s.sqlite3")
    assert reopened.load("rule") == state and reopened.load("other") == {}
    reopened.close()


def test_engine_raises_one_stance_change_alert_across_restart_and_replay(provisioned, es):
    settings = provisioned
    rule = Rule("stances", kind="stance_change")
    sequence = [
        stance_article(1, "undecided", day=1),
        stance_article(2, "undecided", day=2),
        stance_article(3, "support", day=3),
        stance_article(4, "support", day=4),
    ]
    raised = []
    for seen in (2, 4):  # two workers' lifetimes: the state is durable
        engine = AlertEngine(settings, [rule], clock=lambda: NOW)
        engine.setup()
        try:
            for batch in (sequence[seen - 2 : seen], sequence[:seen]):  # new articles, then a replay
                alerts, dead = engine.process(batch)
                assert dead == []
                raised.extend(alerts)
        finally:
            engine.close()
    assert [(a["kind"], a["key"], a["details"]["previous"], a["details"]["current"]) for a in raised] == [
        ("stance_change", "DE@ukraine", "undecided", "support")
    ]
    assert errors("alert", raised[0]) == []
    es.indices.refresh(index=settings.index("alerts"))
    hits = es.search(index=settings.index("alerts"), query={"match_all": {}})["hits"]["hits"]
    assert [h["_source"]["article_id"] for h in hits] == ["s-3"]


def test_stances_change_per_mission_with_both_evidence_sentences():
    events, state = run(
        [
            stance_article(1, "undecided", day=1),
            stance_article(2, "oppose", day=2, mission="gaza"),
            stance_article(3, "support", day=3),
        ]
    )
    assert [(e.key, e.previous, e.current) for e in events] == [
        ("DE@gaza", None, "oppose"),
        ("DE@ukraine", "undecided", "support"),
    ]
    change = events[-1]
    assert (change.previous_evidence, change.previous_url, change.evidence) == (
        "Germany is undecided",
        "https://news.example/s1",
        "Germany is support",
    )
    only_gaza, _ = run([stance_article(4, "support", day=4, mission="gaza")], state)
    assert [(e.key, e.current) for e in only_gaza] == [("DE@gaza", "support")]
    filtered, _ = detect_stance_changes(state, stance_article(5, "undecided", day=5, mission="gaza"), mission="ukraine")
    assert filtered == []


def test_state_from_before_missions_is_still_the_previous_stance():
    legacy = {"DE": ActorStance("Germany", "country", "undecided", "s-0", "2026-11-01T10:00:00Z", 0.8)}
    events, _ = detect_stance_changes(legacy, stance_article(1, "undecided", day=2))
    assert events == []  # not a new "first position"


def test_stance_change_alert_reads_like_the_change(provisioned):
    from pipelines.alerts.render import as_html, as_text, headline

    rule = Rule("moves", kind="stance_change", mission="ukraine")
    engine = AlertEngine(provisioned, [rule], clock=lambda: NOW)
    engine.setup()
    try:
        raised = []
        for article in (
            stance_article(1, "undecided", day=1),
            stance_article(2, "support", day=2),
            stance_article(3, "oppose", day=3, mission="gaza"),
        ):
            raised.extend(engine.process([article])[0])
    finally:
        engine.close()
    assert [headline(a) for a in raised] == ["[moves] Germany on ukraine: undecided → support"]
    text = as_text(raised[0])
    assert 'before (undecided, 2026-11-01): "Germany is undecided" https://news.example/s1' in text
    assert 'now (support, 2026-11-02): "Germany is support" https://news.example/s2' in text
    assert "Germany is undecided" in as_html(raised[0])
    assert "mission:%22ukraine%22" in raised[0]["kibana_url"] and "stance-board" in raised[0]["kibana_url"]
    assert errors("alert", raised[0]) == []


def test_spike_statistic():
    assert is_spike(12, [2, 3, 2, 1, 2], k=3.0, min_count=5).spike
    assert not is_spike(4, [0, 0, 0, 0], k=3.0, min_count=5).spike  # under the minimum count
    assert not is_spike(6, [5, 7, 6, 5, 6], k=3.0, min_count=5).spike  # within the usual range
    check = is_spike(10, [], k=3.0, min_count=5)
    assert check.spike and check.mean == 0.0


def test_spike_counter_counts_each_article_once(tmp_path):
    counter = SpikeCounter(tmp_path / "c.sqlite3")
    hour = int(NOW // HOUR * HOUR)
    assert counter.add("r", "a", hour) == 1 and counter.add("r", "a", hour) is None
    assert counter.add("r", "b", hour - HOUR) == 1
    assert counter.history("r", hour, 3) == [0, 0, 1]
    counter.close()


def test_engine_raises_one_spike_alert_per_hour(provisioned):
    settings = provisioned
    rule = Rule("spike", kind="spike", term="ceasefire", spike_min_count=3, spike_k=2.0, spike_baseline_hours=6)

    def mention(number: int, hour: int) -> dict:
        return {
            **stance_article(number, None),
            "id": f"m-{hour}-{number}",
            "text": "ceasefire talks",
            "published": f"2026-11-10T{hour:02d}:10:00Z",
        }

    baseline = [mention(i, h) for h in range(2, 8) for i in range(1 if h % 2 else 0)]
    burst = [mention(i, 8) for i in range(6)]
    engine = AlertEngine(settings, [rule], clock=lambda: NOW)
    engine.setup()
    try:
        quiet, _ = engine.process(baseline)
        loud, dead = engine.process(burst)
    finally:
        engine.close()
    assert quiet == [] and dead == []
    assert [(a["kind"], a["details"]["count"]) for a in loud] == [("spike", 3)]
    assert errors("alert", loud[0]) == []
