"""Matches many rules against batches of articles, fast: compile once, index rules by required words.

Each rule is compiled once to a predicate (its query ANDed with its filters) and to a function
that collects its matched terms. Rules are then indexed by a *required key*: a set of field words
of which at least one must be in the article for the rule to match at all (``ceasefire AND
country:France`` needs ``ceasefire`` in title, summary or text; ``a OR b`` needs ``a`` or ``b``;
``title:x`` needs ``x`` in the title; ``ukr*`` needs a word starting with ``ukr``, indexed by that
literal prefix; ``*fire`` and ``z?lenskyy`` by their literal suffix, ``va?y`` by ``va``: the longer
literal, from 2 characters). For an article the matcher intersects each field's distinct words
with the words in the index (set operations), looks up the affixed words by their first (last) 2
or 3 characters, and evaluates only the rules found, plus the *always-check* rules whose queries
have no such key (only negative, ``*x*``, fuzzy, regex, range or match-all clauses). Many rules'
keys are not only necessary but sufficient (a word, an OR of words, ``title:x``, ``ukr*``,
``*fire``): those are not evaluated again. The cost per article therefore grows with the number
of candidate rules, not with the number of rules.

Matching is pure (no I/O) except for one clock: each rule evaluated on an article has a time
budget (``rule_budget``, 1 s) and so has the article (``article_budget``, 5 s). A rule that
overruns is reported (logged, with the article id), counted in :attr:`RuleMatcher.overruns`
and skipped for that article; once the article's budget is spent, its remaining rules are
skipped and counted too. Python cannot interrupt a rule mid-evaluation: what bounds a single
evaluation is that regular expressions and many-star wildcards run on RE2 (linear time, see
``patterns.py``) and that words are at most 255 characters. The budget keeps one slow rule
from holding the stream article after article.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from pipelines.alerts.analysis import analyze, fold
from pipelines.alerts.evaluate import (
    PREFIX_MARK,
    SUFFIX_MARK,
    ArticleView,
    LeafTerms,
    Predicate,
    compile_leaf_terms,
    compile_query,
    positive_leaves,
    wildcard_literals,
)
from pipelines.alerts.fields import FIELDS
from pipelines.alerts.query import MUST, MUST_NOT, SHOULD, Bool, Phrase, Prefix, Query, Range, Term, Wildcard, parse
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
    mission: str | None = None

    def _hits(self, view: ArticleView) -> list[Mapping[str, Any]]:
        out = []
        for stance in view.article.get("stances") or []:
            if not isinstance(stance, Mapping):
                continue
            if self.stance and stance.get("stance") != self.stance:
                continue
            if self.mission and (stance.get("mission") or "other") != self.mission:
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
    # --mission alone: the article is about the mission (its missions, or a stance on it)
    mission = rule.mission if not (rule.actor or rule.stance) else None
    for fld, value in (("country", rule.country), ("source", rule.source), ("mission", mission)):
        if value:
            raw = f'"{value}"'  # as the parser keeps a phrase: quoted, unescaped
            tokens = (fold(value.strip()),) if FIELDS[fld].kind == "keyword" else tuple(analyze(value))
            node = Term(fld, tokens, raw) if len(tokens) == 1 else Phrase(fld, tokens, 0, raw)
            clauses.append((MUST, node))
    if rule.actor or rule.stance:
        actor = tuple(analyze(rule.actor)) if rule.actor else None
        clauses.append((MUST, SameStance(actor, rule.stance, rule.mission)))
    if rule.min_relevance is not None:
        clauses.append((MUST, Range("relevance", str(rule.min_relevance), None, True, True, "")))
    return clauses[0][1] if len(clauses) == 1 else Bool(tuple(clauses))


# Keys from these fields are found in a large share of articles (a handful of countries, three
# stances): a rule keyed on them would be checked for most articles, so other keys are preferred.
_COMMON_FIELDS = frozenset(
    {"country", "actor", "actor_type", "stance", "language", "source", "topic", "mission", "commitment"}
)
_COMMON_KEY_COST = 25.0
RULE_BUDGET = 1.0  # seconds one rule may take on one article
ARTICLE_BUDGET = 5.0  # seconds all rules may take on one article
MIN_AFFIX_LENGTH = 2  # a wildcard's literal prefix or suffix shorter than this narrows nothing down
# An article's words are looked up among the literal prefixes (suffixes) by their first (last) n
# characters, one pass over the words per n in use; a literal is filed under its first (last)
# n characters for the largest n here not above its length. More lengths make fuller passes but
# fewer literals to compare per word found; these few keep both small.
_BUCKET_LENGTHS = (5, 3, 2)
_MIN_PASS_LITERALS = 8  # fewer literals of a length than this are filed under a shorter length in use

# A key is (field, word): field None means the default fields (title, summary, text) together, and
# the word is a token, or PREFIX_MARK/SUFFIX_MARK followed by a wildcard's literal prefix/suffix.
Key = tuple["str | None", str]


def key_name(key: Key) -> str:
    """The key as one string: the word for the default fields, else ``field`` + ``\x02`` + word."""
    fld, word = key
    return word if fld is None else f"{fld}\x02{word}"


def _affix_key(node: Prefix | Wildcard) -> Key | None:
    """A wildcard's key: its longer literal end (the one its predicate searches by), if long enough."""
    if isinstance(node, Prefix):
        head, tail = node.prefix, ""
    else:
        head, tail = wildcard_literals(node)
    if len(tail) > len(head):
        return (node.field, SUFFIX_MARK + tail) if len(tail) >= MIN_AFFIX_LENGTH else None
    return (node.field, PREFIX_MARK + head) if len(head) >= MIN_AFFIX_LENGTH else None


def _required(node: Any) -> tuple[frozenset[Key], float] | None:
    """Required keys and their estimated cost (how many articles they bring in, roughly)."""
    if isinstance(node, Term):
        if node.field and FIELDS[node.field].kind != "text":
            return None
        per_key = _COMMON_KEY_COST if node.field in _COMMON_FIELDS else 1.0
        keys = frozenset((node.field, t) for t in node.tokens)
        return keys, per_key * len(node.tokens) + 1.0 / (1 + min(map(len, node.tokens)))
    if isinstance(node, Phrase):
        token = max(node.tokens, key=len)
        per_key = _COMMON_KEY_COST if node.field in _COMMON_FIELDS else 0.5
        return frozenset([(node.field, token)]), per_key + 1.0 / (1 + len(token))
    if isinstance(node, (Prefix, Wildcard)):
        key = _affix_key(node)
        if key is None:
            return None  # too short a literal to narrow anything down: always checked
        return frozenset([key]), 2.0 + 8.0 / min(len(key[1]) - 1, 8)
    if isinstance(node, SameStance):
        if node.actor_tokens:
            return frozenset([("actor", max(node.actor_tokens, key=len))]), _COMMON_KEY_COST
        if node.stance and analyze(node.stance) == [node.stance]:
            return frozenset([("stance", node.stance)]), 2 * _COMMON_KEY_COST
        return None
    if isinstance(node, Bool):
        musts = [_required(q) for occur, q in node.clauses if occur == MUST]
        if musts:  # next to a required clause the optional ones need not match: they cannot be keys
            usable = [m for m in musts if m is not None]
            return min(usable, key=lambda found: found[1]) if usable else None
        shoulds = [_required(q) for occur, q in node.clauses if occur == SHOULD]
        if not shoulds or any(s is None for s in shoulds):
            return None
        return frozenset().union(*(s[0] for s in shoulds)), sum(s[1] for s in shoulds)  # type: ignore[index]
    return None


def _sufficient(node: Any) -> frozenset[Key] | None:
    """Keys of which any one, found in the article, means ``node`` matches (None: no such set).

    The index finds a key exactly when the predicate would find the word: the same field's tokens,
    the same literal prefix or suffix. A rule whose required keys are also sufficient is matched
    by the lookup alone.
    """
    if isinstance(node, Term):
        if node.field and FIELDS[node.field].kind != "text":
            return None
        return frozenset((node.field, t) for t in node.tokens)
    if isinstance(node, Prefix):
        key = _affix_key(node)
        return None if key is None else frozenset([key])
    if isinstance(node, Wildcard):
        head, tail = wildcard_literals(node)
        key = _affix_key(node)
        # "*tail" and nothing else: any word ending with the literal matches.
        if key is None or head or node.regex.pattern != ".*" + re.escape(tail) or not node.regex.flags & re.DOTALL:
            return None
        return frozenset([key])
    if isinstance(node, Bool):
        musts = [q for occur, q in node.clauses if occur == MUST]
        if any(occur == MUST_NOT for occur, _ in node.clauses) or len(musts) > 1:
            return None
        if musts:  # the optional clauses do not matter next to a required one
            return _sufficient(musts[0])
        found = [_sufficient(q) for occur, q in node.clauses if occur == SHOULD]
        if not found or any(f is None for f in found):
            return None
        return frozenset().union(*found)  # type: ignore[arg-type]
    return None


# A rule's matched terms: computed from the article, or known in advance.
Terms = Callable[[ArticleView], tuple[str, ...]] | tuple[str, ...]


@dataclass
class _Compiled:
    rule: Rule
    query: Query
    predicate: Predicate
    keys: frozenset[Key] | None = None
    exact: bool = False  # the index lookup decides the rule: the predicate need not run
    terms: Terms = ()
    lone_affix: bool = False  # the whole query is one prefix or wildcard, decided and collected by the lookup
    token_check: Callable[[str], Any] | None = None  # for a lone wildcard: the test of the words found by its key


def _lone_affix(query: Query, keys: frozenset[Key] | None) -> tuple[bool, Callable[[str], Any] | None]:
    """Whether the whole query is one prefix or wildcard keyed by its literal end, and the word test.

    Such a rule matches when a word with that end passes the test (the wildcard's regular
    expression; none for a prefix), and its matched terms are those words: the index lookup, which
    finds exactly those words, decides it and collects its terms.
    """
    if not isinstance(query, (Prefix, Wildcard)) or keys is None or keys != {_affix_key(query)}:
        return False, None
    return True, query.regex.fullmatch if isinstance(query, Wildcard) else None


def _terms_function(query: Query) -> Terms:
    """``view -> matched terms`` for a rule known to match: its positive leaves' terms, without repeats.

    A tuple when they are known in advance (a rule of one word).
    """
    leaves = positive_leaves(query)
    if not leaves:
        return ()
    if leaves[0][0] is query:  # a single leaf: when the rule matched, so did it
        if isinstance(query, Term) and len(query.tokens) == 1:
            return query.tokens
        only = compile_leaf_terms(query)

        def single(view: ArticleView) -> tuple[str, ...]:
            found = only(view)
            return tuple(found) if len(found) < 2 else tuple(dict.fromkeys(found))

        return single
    if all(isinstance(node, Term) and node.field is None for node, _ in leaves):
        # A leaf holds when one of its words is present, and gives the words present: in one pass.
        words = tuple(t for node, _ in leaves for t in node.tokens)  # type: ignore[union-attr]
        if len(set(words)) == len(words):
            return lambda view: tuple(filter(view.default_tokens().__contains__, words))
        return lambda view: tuple(dict.fromkeys(filter(view.default_tokens().__contains__, words)))
    parts: list[LeafTerms] = [compile_leaf_terms(node) for node, _ in leaves]

    def several(view: ArticleView) -> tuple[str, ...]:
        out: list[str] = []
        for part in parts:
            out += part(view)
        return tuple(dict.fromkeys(out))

    return several


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


class _AffixScan(NamedTuple):
    """How to find one field's words with the indexed prefixes (or suffixes) of one bucket length."""

    mark: str
    field: str | None
    length: int
    buckets: dict[str, list[str]]  # the first (last) ``length`` characters -> the literals


class RuleMatcher:
    """Compiled, indexed rules.

    Args:
        rules: the rules; disabled ones are ignored. They must be valid (see ``validate_rule``).
        kinds: which kinds of rules to match. Only ``match`` rules by default: a stance-change or
            spike rule's query only selects the articles its detector looks at, so matching it
            is not an alert by itself (:class:`~pipelines.alerts.engine.AlertEngine` passes all
            kinds and runs the detectors).
        rule_budget: seconds one rule may take on one article; over it, the rule is skipped for
            that article, counted in :attr:`overruns` and logged.
        article_budget: seconds all rules together may take on one article; over it, the rules
            not yet evaluated are skipped for that article and counted in :attr:`skipped`.
        clock: seconds, monotonic (tests pass a fake one).

    Attributes:
        overruns: rule name -> articles on which the rule overran its budget.
        skipped: rule name -> articles for which the rule was not evaluated (article budget spent).
    """

    def __init__(
        self,
        rules: Iterable[Rule],
        kinds: Iterable[str] = ("match",),
        *,
        rule_budget: float = RULE_BUDGET,
        article_budget: float = ARTICLE_BUDGET,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        kinds = frozenset(kinds)
        self.rule_budget = rule_budget
        self.article_budget = article_budget
        self._clock = clock
        self.overruns: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.rules: list[_Compiled] = []
        self.index: dict[str, list[int]] = {}  # key name -> rule numbers, for inspection
        self.always: list[int] = []
        by_key: dict[Key, list[int]] = {}
        for rule in rules:
            if not rule.enabled or rule.kind not in kinds:
                continue
            query = rule_query(rule)
            required = _required(query)
            keys = None if required is None else required[0]
            lone, check = _lone_affix(query, keys)
            exact = keys is not None and (lone or _sufficient(query) == keys)
            compiled = _Compiled(rule, query, compile_query(query), keys, exact, _terms_function(query), lone, check)
            number = len(self.rules)
            self.rules.append(compiled)
            if keys is None:
                self.always.append(number)
            else:
                for key in keys:
                    by_key.setdefault(key, []).append(number)
        # Words: field -> word -> rule numbers. Affixes: field/mark -> literal -> rule numbers and
        # (rule number, word test) of lone prefixes and wildcards, and per bucket length the
        # literals by their first (last) characters.
        self._words: dict[str | None, dict[str, tuple[int, ...]]] = {}
        self._affix_rules: dict[tuple[str, str | None], dict[str, tuple[tuple[int, ...], tuple]]] = {}
        for (fld, word), numbers in by_key.items():
            self.index[key_name((fld, word))] = numbers
            if word[:1] in (PREFIX_MARK, SUFFIX_MARK):
                lone_rules = tuple((n, self.rules[n].token_check) for n in numbers if self.rules[n].lone_affix)
                plain = tuple(n for n in numbers if not self.rules[n].lone_affix)
                self._affix_rules.setdefault((word[0], fld), {})[word[1:]] = (plain, lone_rules)
            else:
                self._words.setdefault(fld, {})[word] = tuple(numbers)
        self._scans = [
            scan for (mark, fld), literals in self._affix_rules.items() for scan in _affix_scans(mark, fld, literals)
        ]
        self._looked_up = {where: frozenset(literals) for where, literals in self._affix_rules.items()}
        self._rows = [
            (c.rule.name, c.exact, c.predicate, c.terms, c.rule if c.rule.key_by else None) for c in self.rules
        ]
        logger.debug(
            "compiled %d rules: %d indexed keys, %d always checked, %d decided by their keys",
            len(self.rules),
            len(self.index),
            len(self.always),
            sum(c.exact for c in self.rules),
        )

    @staticmethod
    def _tokens(view: ArticleView, fld: str | None) -> Iterable[str]:
        return view.default_tokens() if fld is None else view.postings(fld).keys()

    def _lookup(self, view: ArticleView) -> tuple[set[int], dict[int, tuple[str, ...]]]:
        """The rules that could match, and the lone-affix rules found to match with their terms.

        Records the affixed words found in ``view`` (see :meth:`ArticleView.remember_affixes`).
        """
        found: set[int] = set(self.always)
        decided: dict[int, tuple[str, ...]] = {}
        for fld, words in self._words.items():
            hits = words.keys() & self._tokens(view, fld)
            if hits:
                found.update(*[words[word] for word in hits])
        if not self._scans:
            return found, decided
        with_affix: dict[tuple[str, str | None], dict[str, list[str]]] = {}
        for mark, fld, length, buckets in self._scans:
            hits = with_affix.setdefault((mark, fld), {})
            get = buckets.get
            prefix = mark == PREFIX_MARK
            for token in self._tokens(view, fld):
                literals = get(token[:length] if prefix else token[-length:])
                if literals is not None:
                    for literal in literals:
                        if token.startswith(literal) if prefix else token.endswith(literal):
                            hits.setdefault(literal, []).append(token)
        for (mark, fld), hits in with_affix.items():
            rules = self._affix_rules[(mark, fld)]
            for literal, tokens in hits.items():
                if len(tokens) > 1:  # in the order tokens_with_prefix / tokens_with_suffix give them
                    tokens.sort(key=None if mark == PREFIX_MARK else _backwards)
                plain, lone = rules[literal]
                found.update(plain)
                for number, check in lone:
                    terms = tuple(tokens) if check is None else tuple(filter(check, tokens))
                    if terms:
                        decided[number] = terms
            view.remember_affixes(mark, fld, hits, self._looked_up[(mark, fld)])
        return found, decided

    def candidates(self, view: ArticleView) -> list[int]:
        """Numbers of the rules that could match (the always-check ones included), in rule order."""
        found, decided = self._lookup(view)
        return sorted(found.union(decided))

    def match(self, article: Mapping[str, Any]) -> list[Match]:
        """Returns a :class:`Match` for each rule that matches ``article``, in rule order.

        Rules that overrun their time budget (or come after the article's budget is spent) are
        left out, counted and logged; see the class description.
        """
        view = ArticleView(article)
        clock = self._clock
        started = clock()
        found, decided = self._lookup(view)
        if decided:
            found.update(decided)
        rows = self._rows
        out: list[Match] = []
        deadline = started + self.article_budget
        late: list[str] = []
        for number in sorted(found):
            name, exact, predicate, terms, keyed = rows[number]
            collected = decided.get(number)
            if collected is not None:
                terms = collected
            elif not exact:
                before = clock()
                if late or before > deadline:  # rules decided by their keys still count: they cost nothing
                    late.append(name)
                    continue
                hit = predicate(view)
                if hit and type(terms) is not tuple:
                    terms = terms(view)
                spent = clock() - before
                if spent > self.rule_budget:
                    self._overran(name, article, spent)
                    continue
                if not hit:
                    continue
            elif type(terms) is not tuple:
                terms = terms(view)
            out.append(Match(name, terms, match_key(keyed, article) if keyed is not None else None))
        if late:
            self._out_of_time(article, late)
        return out

    def _overran(self, name: str, article: Mapping[str, Any], spent: float) -> None:
        self.overruns[name] += 1
        count = self.overruns[name]
        level = logging.WARNING if count == 1 or count % 100 == 0 else logging.DEBUG
        logger.log(
            level,
            "alert rule %r took %.0f ms on article %s (budget %.0f ms): skipped for this article (%d time(s) so far)",
            name,
            spent * 1000,
            article.get("id"),
            self.rule_budget * 1000,
            count,
        )

    def _out_of_time(self, article: Mapping[str, Any], names: list[str]) -> None:
        self.skipped.update(names)
        logger.warning(
            "alert matching on article %s used its %.1f s budget: %d rule(s) not evaluated for it (%s)",
            article.get("id"),
            self.article_budget,
            len(names),
            ", ".join(names[:5]),
        )

    def match_batch(self, articles: Sequence[Mapping[str, Any]]) -> list[list[Match]]:
        """:meth:`match` for each article of ``articles``, in order."""
        return [self.match(article) for article in articles]


def _backwards(token: str) -> str:
    return token[::-1]


def _affix_scans(mark: str, fld: str | None, literals: Iterable[str]) -> list[_AffixScan]:
    """The passes that find a field's words with ``literals`` as prefixes (suffixes): as few as reasonable.

    Each literal is filed under its first (last) n characters, n the largest of
    ``_BUCKET_LENGTHS`` not above its length, unless fewer than ``_MIN_PASS_LITERALS`` literals
    would use that n: a pass over every word of the article for so few is not worth it, they go
    to the next shorter length in use (the shortest in use always stays).
    """
    by_length: dict[int, list[str]] = {}
    for literal in literals:
        by_length.setdefault(next(n for n in _BUCKET_LENGTHS if n <= len(literal)), []).append(literal)
    kept: dict[int, list[str]] = {}
    for length in sorted(by_length):
        if not kept or len(by_length[length]) >= _MIN_PASS_LITERALS:
            kept[length] = by_length[length]
        else:
            kept[max(kept)].extend(by_length[length])
    scans = []
    for length, filed in sorted(kept.items()):
        buckets: dict[str, list[str]] = {}
        for literal in filed:
            buckets.setdefault(literal[:length] if mark == PREFIX_MARK else literal[-length:], []).append(literal)
        scans.append(_AffixScan(mark, fld, length, buckets))
    return scans
