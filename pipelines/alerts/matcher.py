"""Matches many rules against batches of articles, fast: compile once, index rules by required words.

Each rule is compiled once to a predicate (its query ANDed with its filters). Rules are then
indexed by a *required key*: a set of words of which at least one must be in the article for the
rule to match at all (``ceasefire AND country:France`` needs ``ceasefire``; ``a OR b`` needs
``a`` or ``b``; ``ukr*`` needs a word starting with ``ukr``, indexed as the prefix ``ukr``;
``*fire`` and ``z?lenskyy`` by their literal suffix; 3 to 8 characters of it).
For an article the matcher looks up each of its distinct words (and their prefixes and suffixes
of the lengths in use) in that index and evaluates only the rules found, plus the *always-check*
rules whose queries have no such word (only negative, ``*x*``, fuzzy, regex, range or match-all
clauses). The cost per article therefore grows
with the number of candidate rules, not with the number of rules.

Everything here is pure: no I/O, no clocks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

from pipelines.alerts.analysis import analyze
from pipelines.alerts.evaluate import (AFFIX_KEY_LENGTHS, PREFIX_MARK, SUFFIX_MARK, ArticleView, Predicate,
                                       compile_query, literal_prefix, literal_suffix, matched_terms,
                                       positive_leaves)
from pipelines.alerts.fields import FIELDS
from pipelines.alerts.query import MUST, SHOULD, Bool, Phrase, Prefix, Query, Range, Term, Wildcard, parse
from pipelines.alerts.rules import Rule

logger = logging.getLogger(__name__)


class Match(NamedTuple):
    """One rule matched one article.

    Attributes:
        rule: the rule's name.
        matched_terms: folded words and phrases that made it match (for highlighting).
        key: the throttle key (for example the country), or None.
    """

    rule: str
    matched_terms: tuple[str, ...]
    key: str | None = None


@dataclass(frozen=True)
class SameStance:
    """A rule's ``--actor``/``--stance`` filter: one stance of the article must satisfy both."""

    actor_tokens: tuple[str, ...] | None
    stance: str | None

    def _hits(self, view: ArticleView) -> list[Mapping[str, Any]]:
        out = []
        for stance in view.article.get("stances") or []:
            if not isinstance(stance, Mapping):
                continue
            if self.stance and stance.get("stance") != self.stance:
                continue
            if self.actor_tokens is not None:
                names = [analyze(str(stance.get(k) or "")) for k in ("actor", "actor_code")]
                if not any(tuple(n) == self.actor_tokens for n in names):
                    continue
            out.append(stance)
        return out

    def compile(self) -> Predicate:
        return lambda view: bool(self._hits(view))

    def terms(self, view: ArticleView) -> list[str]:
        return [str(s.get("actor")) for s in self._hits(view)]


def rule_query(rule: Rule) -> Query:
    """The rule's query ANDed with its filters, as one AST (raises QuerySyntaxError)."""
    clauses: list[tuple[str, Any]] = [(MUST, parse(rule.effective_query))]
    for fld, value in (("country", rule.country), ("source", rule.source)):
        if value:
            tokens = tuple(analyze(value))
            node = Term(fld, tokens, value) if len(tokens) == 1 else Phrase(fld, tokens, 0, value)
            clauses.append((MUST, node))
    if rule.actor or rule.stance:
        actor = tuple(analyze(rule.actor)) if rule.actor else None
        clauses.append((MUST, SameStance(actor, rule.stance)))
    if rule.min_relevance is not None:
        clauses.append((MUST, Range("relevance", str(rule.min_relevance), None, True, True, "")))
    return clauses[0][1] if len(clauses) == 1 else Bool(tuple(clauses))


# Keys from these fields are found in a large share of articles (a handful of countries, three
# stances): a rule keyed on them would be checked for most articles, so other keys are preferred.
_COMMON_FIELDS = frozenset({"country", "actor", "actor_type", "stance", "language", "source", "topic"})
_COMMON_KEY_COST = 25.0


def _required(node: Any) -> tuple[frozenset[str], float] | None:
    """Required keys and their estimated cost (how many articles they bring in, roughly)."""
    if isinstance(node, Term):
        if node.field and FIELDS[node.field].kind != "text":
            return None
        per_key = _COMMON_KEY_COST if node.field in _COMMON_FIELDS else 1.0
        return frozenset(node.tokens), per_key * len(node.tokens) + 1.0 / (1 + min(map(len, node.tokens)))
    if isinstance(node, Phrase):
        token = max(node.tokens, key=len)
        return frozenset([token]), (_COMMON_KEY_COST if node.field in _COMMON_FIELDS else 0.5) + 1.0 / (1 + len(token))
    if isinstance(node, (Prefix, Wildcard)):
        head = node.prefix if isinstance(node, Prefix) else literal_prefix(node.raw)
        tail = "" if isinstance(node, Prefix) else literal_suffix(node.raw)
        length = next((n for n in AFFIX_KEY_LENGTHS if n <= max(len(head), len(tail))), 0)
        if not length:
            return None  # too short a literal to narrow anything down: always checked
        key = SUFFIX_MARK + tail[-length:] if len(tail) > len(head) else PREFIX_MARK + head[:length]
        return frozenset([key]), 2.0 + 8.0 / length
    if isinstance(node, SameStance):
        if node.actor_tokens:
            return frozenset([max(node.actor_tokens, key=len)]), _COMMON_KEY_COST
        return frozenset([node.stance]), 2 * _COMMON_KEY_COST
    if isinstance(node, Bool):
        musts = [_required(q) for occur, q in node.clauses if occur == MUST]
        usable = [m for m in musts if m is not None]
        if usable:
            return min(usable, key=lambda found: found[1])
        shoulds = [_required(q) for occur, q in node.clauses if occur == SHOULD]
        if not shoulds or any(s is None for s in shoulds):
            return None
        return frozenset().union(*(s[0] for s in shoulds)), sum(s[1] for s in shoulds)  # type: ignore[index]
    return None


def required_keys(node: Any) -> frozenset[str] | None:
    """Keys of which at least one must be among an article's keys for ``node`` to match.

    Of several sets that would do (the clauses of an AND), the one estimated to be found in the
    fewest articles is chosen: word keys before keys of common fields such as country or stance.
    Returns None when no such set exists (the rule must always be checked).
    """
    found = _required(node)
    return None if found is None else found[0]


def _ALWAYS(view: ArticleView) -> bool:
    return True


@dataclass
class _Compiled:
    rule: Rule
    query: Query
    predicate: Predicate
    keys: frozenset[str] | None = field(default=None)
    leaves: list = field(default_factory=list)


def match_key(rule: Rule, article: Mapping[str, Any]) -> str | None:
    """The throttle key of ``rule`` for ``article``: the filtered value, else all values joined."""
    if rule.key_by is None:
        return None
    if rule.key_by == "country":
        if rule.country:
            return rule.country
        values = article.get("countries") or []
    elif rule.key_by == "source":
        values = [article.get("source")] if article.get("source") else []
    else:
        if rule.actor:
            return rule.actor
        values = [s.get("actor") for s in article.get("stances") or [] if isinstance(s, Mapping) and s.get("actor")]
    values = sorted({str(v) for v in values})
    return ",".join(values) if values else None


class RuleMatcher:
    """Compiled, indexed rules.

    Args:
        rules: the rules; disabled ones are ignored. They must be valid (see ``validate_rule``).
        kinds: which kinds of rules to match. Only ``match`` rules by default: a stance-change or
            spike rule's query only selects the articles its detector looks at, so matching it
            is not an alert by itself (:class:`~pipelines.alerts.engine.AlertEngine` passes all
            kinds and runs the detectors).
    """

    def __init__(self, rules: Iterable[Rule], kinds: Iterable[str] = ("match",)) -> None:
        kinds = frozenset(kinds)
        self.rules: list[_Compiled] = []
        self.index: dict[str, list[int]] = {}
        self.prefix_index: dict[int, dict[str, list[int]]] = {}
        self.suffix_index: dict[int, dict[str, list[int]]] = {}
        self.always: list[int] = []
        for rule in rules:
            if not rule.enabled or rule.kind not in kinds:
                continue
            query = rule_query(rule)
            leaves = positive_leaves(query)
            if leaves and leaves[0][0] is query:  # a single leaf: when the rule matched, so did it
                leaves = [(query, _ALWAYS)]
            compiled = _Compiled(rule, query, compile_query(query), required_keys(query), leaves)
            number = len(self.rules)
            self.rules.append(compiled)
            if compiled.keys is None:
                self.always.append(number)
            else:
                for key in compiled.keys:
                    self.index.setdefault(key, []).append(number)
        for key, numbers in self.index.items():  # affix keys are looked up per length, without marks
            if key[:1] in (PREFIX_MARK, SUFFIX_MARK):
                by_length = self.prefix_index if key[0] == PREFIX_MARK else self.suffix_index
                by_length.setdefault(len(key) - 1, {})[key[1:]] = numbers
        logger.debug("compiled %d rules: %d indexed keys, %d always checked",
                     len(self.rules), len(self.index), len(self.always))

    def candidates(self, view: ArticleView) -> list[int]:
        """Numbers of the rules that could match (the always-check ones included), in rule order."""
        found: set[int] = set(self.always)
        index = self.index
        tokens = view.keys()
        for token in tokens:
            numbers = index.get(token)
            if numbers is not None:
                found.update(numbers)
        for length, affixes in self.prefix_index.items():
            for token in tokens:
                numbers = affixes.get(token[:length])
                if numbers is not None and len(token) >= length:
                    found.update(numbers)
        for length, affixes in self.suffix_index.items():
            for token in tokens:
                numbers = affixes.get(token[-length:])
                if numbers is not None and len(token) >= length:
                    found.update(numbers)
        return sorted(found)

    def match(self, article: Mapping[str, Any]) -> list[Match]:
        """Returns a :class:`Match` for each rule that matches ``article``, in rule order."""
        view = ArticleView(article)
        out: list[Match] = []
        for number in self.candidates(view):
            compiled = self.rules[number]
            if compiled.predicate(view):
                key = match_key(compiled.rule, article) if compiled.rule.key_by else None
                out.append(Match(compiled.rule.name, tuple(matched_terms(compiled.leaves, view)), key))
        return out

    def match_batch(self, articles: Sequence[Mapping[str, Any]]) -> list[list[Match]]:
        """:meth:`match` for each article of ``articles``, in order."""
        return [self.match(article) for article in articles]
