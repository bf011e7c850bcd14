"""The rule index: affix keys, field keys and rules decided by the lookup agree with checking every rule."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

from pipelines.alerts.evaluate import ArticleView, matched_terms, positive_leaves
from pipelines.alerts.matcher import Match, RuleMatcher, match_key
from pipelines.alerts.rules import Rule

_spec = importlib.util.spec_from_file_location("alert_cases", Path(__file__).with_name("cases.py"))
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)  # type: ignore[union-attr]


def _bench():
    spec = importlib.util.spec_from_file_location(
        "bench_alerts", Path(__file__).resolve().parents[2] / "benchmarks" / "bench_alerts.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)  # type: ignore[union-attr]
    return bench


def brute_force(matcher: RuleMatcher, article: dict) -> list[Match]:
    """Every rule's predicate and matched terms on a fresh view: no index, nothing remembered."""
    view = ArticleView(article)
    return [
        Match(
            c.rule.name,
            tuple(matched_terms(positive_leaves(c.query), view)),
            match_key(c.rule, article) if c.rule.key_by else None,
        )
        for c in matcher.rules
        if c.predicate(view)
    ]


# Affixes of every kind the index files: 2-character literals (once always checked), prefixes and
# suffixes of 3 to 10 characters, "*tail" (decided by the key alone), lone wildcards (decided by
# the lookup), affixes inside AND/OR/NOT, on fields other than the default ones, with filters.
AFFIX_RULES = [
    Rule("p2", "ka*"),
    Rule("w2", "ka?o"),
    Rule("w2b", "lo?ka*"),
    Rule("s2", "*ta"),
    Rule("s3", "*ran"),
    Rule("s-inner", "k?lomi"),
    Rule("both", "ka*mi"),
    Rule("long", "kalomiranpe*"),
    Rule("and", "ka* AND *ta"),
    Rule("or", "mi* OR title:lo*"),
    Rule("not", "vo* AND NOT *pen"),
    Rule("must-should", "te* OR +*ran"),
    Rule("title-affix", "title:(ka* OR lo?i)"),
    Rule("country-affix", "country:fr*"),
    Rule("text-suffix", "text:*ro OR summary:de?"),
    Rule("filtered", "su*", country="France", key_by="country"),
    Rule("stance", "ka*", stance="oppose", key_by="actor"),
    Rule("short", "k*"),
    Rule("inner-only", "*ka*"),
    Rule("phrase-or", '"ka lo"~2 OR +mi* -te'),
]


def test_affix_and_field_keys_agree_with_checking_every_rule():
    bench = _bench()
    rng = random.Random(5)
    vocab = bench.vocabulary(rng, 3_000)
    articles = bench.make_articles(rng, vocab, 25) + list(cases.ARTICLES.values())
    rules = bench.make_rules(rng, vocab, 600) + AFFIX_RULES
    matcher = RuleMatcher(rules)
    decided_by_lookup = 0
    for article in articles:
        found = matcher.match(article)
        assert found == brute_force(matcher, article)  # same rules, same terms in the same order, same keys
        decided_by_lookup += len(matcher._lookup(ArticleView(article))[1])
    assert decided_by_lookup > 0  # the lone-affix path was exercised
    names = {c.rule.name for c in matcher.rules}
    assert {"p2", "w2", "s-inner", "title-affix"} <= names


def test_two_character_literals_are_indexed_not_always_checked():
    matcher = RuleMatcher([Rule("w", "va?y"), Rule("p", "ul*"), Rule("s", "*ny"), Rule("one", "v?y")])
    assert [matcher.rules[i].rule.name for i in matcher.always] == ["one"]  # one literal character: always
    assert {"\x00va", "\x00ul", "\x01ny"} <= set(matcher.index)
    article = {"title": "Vary ulna", "text": "Canny"}
    assert [(m.rule, m.matched_terms) for m in matcher.match(article)] == [
        ("w", ("vary",)),
        ("p", ("ulna",)),
        ("s", ("canny",)),
    ]
    assert matcher.match(article) == brute_force(matcher, article)


def test_optional_clauses_are_not_keys_next_to_a_required_one():
    # "+*orce*" cannot be indexed; "peace" is optional next to it, so it must not be the key.
    matcher = RuleMatcher([Rule("r", "peace OR +*orce*")])
    assert matcher.always == [0]
    assert {m.rule for m in matcher.match(cases.ARTICLES["sport"])} == {"r"}  # "force-fully", no "peace"


def test_field_keys_look_in_that_field_only():
    matcher = RuleMatcher([Rule("t", "title:paris"), Rule("x", "text:paris"), Rule("c", "ukraine AND country:fr")])
    article = cases.ARTICLES["fr-support"]  # "Paris" in the text, not in the title
    assert {matcher.rules[i].rule.name for i in matcher.candidates(ArticleView(article))} == {"x", "c"}
    assert [m.rule for m in matcher.match(article)] == ["x", "c"]
    assert "title\x02paris" in matcher.index and "country\x02fr" not in matcher.index  # keyed on the rarer word


def test_lone_wildcards_are_decided_by_the_lookup_with_their_terms():
    matcher = RuleMatcher([Rule("w", "z?lenskyy"), Rule("s", "*fire"), Rule("p", "cease*")])
    article = cases.ARTICLES["de-undecided"]
    assert all(c.exact for c in matcher.rules)
    _, decided = matcher._lookup(ArticleView(article))
    assert decided == {0: ("zelenskyy",), 1: ("ceasefire",), 2: ("ceasefire",)}
    assert matcher.match(article) == brute_force(matcher, article)
