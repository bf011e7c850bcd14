"""Evaluates query ASTs against one analysed article; no I/O.

:class:`ArticleView` analyses an enriched article lazily, one field at a time, into postings
(token -> positions), the way Elasticsearch indexes a ``text`` field with the ``standard``
analyzer (plus accent folding). :func:`compile_query` turns an AST into a closure over a view, and
:func:`compile_leaf_terms` a leaf into a closure returning what it matched (for highlighting).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pipelines.alerts.analysis import POSITION_GAP, fold, tokenize
from pipelines.alerts.fields import DEFAULT_FIELDS, FIELDS, TEXT_FIELDS, field_values
from pipelines.alerts.query import (
    MUST,
    MUST_NOT,
    SHOULD,
    Bool,
    Exists,
    Fuzzy,
    MatchAll,
    Phrase,
    Prefix,
    Query,
    Range,
    Regexp,
    Term,
    Wildcard,
)

logger = logging.getLogger(__name__)

Predicate = Callable[["ArticleView"], bool]
LeafTerms = Callable[["ArticleView"], Sequence[str]]
PREFIX_MARK = "\x00"
SUFFIX_MARK = "\x01"


class ArticleView:
    """An enriched article as the matcher sees it: postings per field, computed on demand."""

    __slots__ = ("_affixes", "_default", "_keys", "_postings", "_sorted", "_values", "article")

    def __init__(self, article: Mapping[str, Any]) -> None:
        self.article = article
        self._postings: dict[str, dict[str, list[int]]] = {}
        self._sorted: dict[str, list[str]] = {}
        self._values: dict[str, list[Any]] = {}
        self._keys: set[str] | None = None
        self._default: set[str] | None = None
        self._affixes: dict[tuple[str, str | None], tuple[Mapping[str, list[str]], frozenset[str]]] = {}

    def remember_affixes(
        self, mark: str, field: str | None, found: Mapping[str, list[str]], complete_for: frozenset[str]
    ) -> None:
        """Records, for every affix in ``complete_for``, the field's tokens that have it.

        The matcher's index lookup finds these while choosing candidate rules; recording them
        spares the wildcard and prefix predicates a sort and a search of the field's tokens.

        Args:
            mark: ``PREFIX_MARK`` or ``SUFFIX_MARK``.
            field: the field (None: the default fields together).
            found: affix -> the tokens having it, sorted as :meth:`tokens_with_prefix` (or
                :meth:`tokens_with_suffix`) returns them; affixes of ``complete_for`` not in it
                have no token.
            complete_for: the affixes looked up.
        """
        self._affixes[(mark, field)] = (found, complete_for)

    def _remembered(self, mark: str, field: str | None, affix: str) -> list[str] | None:
        known = self._affixes.get((mark, field))
        if known is None or affix not in known[1]:
            return None
        return known[0].get(affix, [])

    def default_tokens(self) -> set[str]:
        """The distinct tokens of the default fields (title, summary, text) together."""
        if self._default is None:
            self._default = set().union(*(self.postings(f) for f in DEFAULT_FIELDS))
        return self._default

    def values(self, field: str) -> list[Any]:
        """The raw values of canonical ``field``."""
        found = self._values.get(field)
        if found is None:
            found = self._values[field] = field_values(self.article, field)
        return found

    def postings(self, field: str) -> dict[str, list[int]]:
        """Token -> positions for a text field; values of arrays are ``POSITION_GAP`` apart."""
        found = self._postings.get(field)
        if found is None:
            found = {}
            position = 0
            for value in self.values(field):
                if not isinstance(value, str):
                    value = str(value)
                last = position - 1
                for token in tokenize(value, position):
                    found.setdefault(token.text, []).append(token.position)
                    last = token.position
                position = last + 1 + POSITION_GAP
            self._postings[field] = found
        return found

    def sorted_tokens(self, field: str | None) -> list[str]:
        """The distinct tokens of ``field`` (None: of the default fields together), sorted."""
        found = self._sorted.get(field or "")
        if found is None:
            found = self._sorted[field or ""] = sorted(self.postings(field) if field else self.default_tokens())
        return found

    def tokens_with_prefix(self, field: str | None, prefix: str) -> list[str]:
        """The field's distinct tokens that start with ``prefix`` (all of them for an empty prefix)."""
        if self._affixes:
            known = self._remembered(PREFIX_MARK, field, prefix)
            if known is not None:
                return known
        tokens = self.sorted_tokens(field)
        if not prefix:
            return tokens
        return tokens[bisect.bisect_left(tokens, prefix) : bisect.bisect_left(tokens, prefix + "\U0010ffff")]

    def tokens_with_suffix(self, field: str | None, suffix: str) -> list[str]:
        """The field's distinct tokens that end with ``suffix`` (None: the default fields together),
        ordered by their reversed text."""
        if self._affixes:
            known = self._remembered(SUFFIX_MARK, field, suffix)
            if known is not None:
                return known
        key = "\x01" + (field or "")
        reversed_tokens = self._sorted.get(key)
        if reversed_tokens is None:
            reversed_tokens = self._sorted[key] = sorted(t[::-1] for t in self.sorted_tokens(field))
        backwards = suffix[::-1]
        lo = bisect.bisect_left(reversed_tokens, backwards)
        hi = bisect.bisect_left(reversed_tokens, backwards + "\U0010ffff")
        return [t[::-1] for t in reversed_tokens[lo:hi]]

    def wildcard_candidates(self, field: str | None, head: str, tail: str) -> list[str]:
        """Tokens that could match a wildcard with literal ``head`` and ``tail``: the narrower of the two sets."""
        if len(tail) > len(head):
            return self.tokens_with_suffix(field, tail)
        return self.tokens_with_prefix(field, head)

    def keys(self) -> set[str]:
        """Every distinct token of every text field (what the rule index is looked up with)."""
        if self._keys is None:
            keys: set[str] = set()
            for field in TEXT_FIELDS:
                keys.update(self.postings(field))
            self._keys = keys
        return self._keys


# ---- leaf predicates -------------------------------------------------------------------------
def _fields(field: str | None) -> tuple[str, ...]:
    return (field,) if field else DEFAULT_FIELDS


def phrase_in(postings: Mapping[str, list[int]], tokens: tuple[str, ...], slop: int) -> bool:
    """True when ``tokens`` occur in order (``slop`` 0) or within ``slop`` moves (Lucene's sloppy phrase).

    Lucene counts a match when ``max(p_i - i) - min(p_i - i) <= slop`` over the positions ``p_i``
    chosen for the ``i``-th query word; a swap of two neighbours therefore costs 2.
    """
    lists = []
    for token in tokens:
        positions = postings.get(token)
        if not positions:
            return False
        lists.append(positions)
    if slop == 0:
        sets = [set(p) for p in lists[1:]]
        return any(all(p + i + 1 in s for i, s in enumerate(sets)) for p in lists[0])
    events = sorted((p - i, i) for i, positions in enumerate(lists) for p in positions)
    need = len(tokens)
    counts = [0] * need
    covered = 0
    left = 0
    for value, index in events:
        if counts[index] == 0:
            covered += 1
        counts[index] += 1
        while covered == need:
            if value - events[left][0] <= slop:
                return True
            gone = events[left][1]
            counts[gone] -= 1
            if counts[gone] == 0:
                covered -= 1
            left += 1
    return False


def _osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (Damerau with adjacent swaps), as Lucene's fuzzy query uses."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def fuzzy_edits(token: str, edits: int) -> int:
    """The edit distance of ``token~edits``; ``-1`` means ES's ``AUTO`` (0, 1 or 2 by length)."""
    if edits >= 0:
        return edits
    return 0 if len(token) <= 2 else 1 if len(token) <= 5 else 2


def _parse_date(text: str) -> dt.datetime | None:
    text = text.strip()
    now = dt.datetime.now(dt.timezone.utc)
    match = re.fullmatch(r"now(?:([+-])(\d+)([smhdw]))?", text)
    if match:
        if not match.group(1):
            return now
        seconds = int(match.group(2)) * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[match.group(3)]
        return now + dt.timedelta(seconds=seconds if match.group(1) == "+" else -seconds)
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _comparable(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "number":
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    if kind == "date":
        return _parse_date(str(value))
    return fold(str(value))


def _range_predicate(node: Range) -> Predicate:
    spec = FIELDS[node.field] if node.field else None
    kind = spec.kind if spec else "text"
    lower, upper = _comparable(kind, node.lower), _comparable(kind, node.upper)

    def inside(value: Any) -> bool:
        value = _comparable(kind, value)
        if value is None:
            return False
        try:
            if lower is not None and (value < lower or (value == lower and not node.include_lower)):
                return False
            if upper is not None and (value > upper or (value == upper and not node.include_upper)):
                return False
        except TypeError:
            return False
        return True

    fields = _fields(node.field)
    if kind == "text":
        return lambda view: any(inside(t) for f in fields for t in view.postings(f))
    return lambda view: any(inside(v) for f in fields for v in view.values(f))


def _scalar_equals(field: str, text: str) -> Predicate:
    """Equality on a number, date or boolean field, as ES's term query on such fields behaves."""
    kind = FIELDS[field].kind
    if kind == "number":
        wanted = _comparable("number", text)
        return lambda view: wanted is not None and any(_comparable("number", v) == wanted for v in view.values(field))
    if kind == "date":
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):  # a day: ES matches the whole day
            day = _parse_date(text)
            return lambda view: (
                day is not None
                and any(
                    (d := _comparable("date", v)) is not None and d.date() == day.date() for v in view.values(field)
                )
            )
        moment = _parse_date(text)
        return lambda view: moment is not None and any(_comparable("date", v) == moment for v in view.values(field))
    return lambda view: any(fold(str(v)) == text for v in view.values(field))


def literal_prefix(raw: str) -> str:
    """The folded literal text of a wildcard term before its first unescaped ``*`` or ``?``."""
    out = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            out.append(raw[i + 1])
            i += 2
            continue
        if c in "*?":
            break
        out.append(c)
        i += 1
    return fold("".join(out))


def wildcard_literals(node: Wildcard | Regexp) -> tuple[str, str]:
    """The literal text before the first and after the last wildcard (none for a regular expression)."""
    if isinstance(node, Wildcard):
        return literal_prefix(node.raw), literal_suffix(node.raw)
    return "", ""


def literal_suffix(raw: str) -> str:
    """The folded literal text of a wildcard term after its last unescaped ``*`` or ``?``."""
    last = -1
    i = 0
    while i < len(raw):
        if raw[i] == "\\":
            i += 2
            continue
        if raw[i] in "*?":
            last = i
        i += 1
    return fold(re.sub(r"\\(.)", r"\1", raw[last + 1 :]))


@functools.cache
def compile_query(node: Query) -> Predicate:
    """Returns a function ``view -> bool`` that decides ``node`` for one article (cached per node)."""
    if isinstance(node, Term):
        if node.field and FIELDS[node.field].kind != "text":
            return _scalar_equals(node.field, node.tokens[0])
        fields, tokens = _fields(node.field), node.tokens
        if node.field is None:
            if len(tokens) == 1:
                token = tokens[0]
                return lambda view: token in view.default_tokens()
            return lambda view: not view.default_tokens().isdisjoint(tokens)
        if len(fields) == 1 and len(tokens) == 1:
            only_field, only_token = fields[0], tokens[0]
            return lambda view: only_token in view.postings(only_field)
        return lambda view: any(t in view.postings(f) for f in fields for t in tokens)
    if isinstance(node, Phrase):
        fields, tokens, slop, words = _fields(node.field), node.tokens, node.slop, frozenset(node.tokens)
        if node.field is None:  # most articles lack one of the words: a set test rules them out first

            def phrase_in_default(view: ArticleView) -> bool:
                if not words <= view.default_tokens():
                    return False
                return any(phrase_in(view.postings(f), tokens, slop) for f in fields)

            return phrase_in_default
        return lambda view: any(phrase_in(view.postings(f), tokens, slop) for f in fields)
    if isinstance(node, Prefix):
        fld, prefix = node.field, node.prefix
        return lambda view: bool(view.tokens_with_prefix(fld, prefix))
    if isinstance(node, (Wildcard, Regexp)):
        fld, fullmatch = node.field, node.regex.fullmatch
        head, tail = wildcard_literals(node)
        return lambda view: any(map(fullmatch, view.wildcard_candidates(fld, head, tail)))
    if isinstance(node, Fuzzy):
        fields, edits = _fields(node.field), fuzzy_edits(node.token, node.edits)
        return lambda view: any(_osa_distance(t, node.token, edits) <= edits for f in fields for t in view.postings(f))
    if isinstance(node, Range):
        return _range_predicate(node)
    if isinstance(node, Exists):
        fields = _fields(node.field)
        return lambda view: any(v not in (None, "", []) for f in fields for v in view.values(f))
    if isinstance(node, MatchAll):
        return lambda view: True
    if isinstance(node, Bool):
        return _compile_bool(node)
    extra = getattr(node, "compile", None)
    if extra is not None:
        return extra()
    raise TypeError(f"cannot evaluate {type(node).__name__}")


def _cost(node: Query) -> int:
    if isinstance(node, Term):
        return 1
    if isinstance(node, (Phrase, Prefix, Exists, MatchAll)):
        return 2
    if isinstance(node, Bool):
        return 3 + len(node.clauses)
    return 10


def _default_term_tokens(node: Query) -> tuple[str, ...] | None:
    """The tokens of a word searched in the default fields (any of them matches), else None."""
    if isinstance(node, Term) and node.field is None and node.tokens:
        return node.tokens
    return None


def _compile_bool(node: Bool) -> Predicate:
    """AND/OR/NOT of clauses; words in the default fields are decided together with set operations."""
    by_cost = sorted(node.clauses, key=lambda c: _cost(c[1]))
    must_words: set[str] = set()  # every one must be present
    shoulds_words: set[str] = set()  # any one present satisfies the optional part
    not_words: set[str] = set()  # none may be present
    musts: list[Predicate] = []
    shoulds: list[Predicate] = []
    nots: list[Predicate] = []
    for occur, q in by_cost:
        tokens = _default_term_tokens(q)
        if occur == MUST:
            if tokens is not None and len(tokens) == 1:
                must_words.add(tokens[0])
            else:
                musts.append(compile_query(q))
        elif occur == SHOULD:
            if tokens is not None:
                shoulds_words.update(tokens)
            else:
                shoulds.append(compile_query(q))
        elif tokens is not None:
            not_words.update(tokens)
        else:
            nots.append(compile_query(q))
    if not (must_words or musts) and not (shoulds_words or shoulds):
        return lambda view: False
    required = frozenset(must_words)
    optional = (
        frozenset(shoulds_words) if not (must_words or musts) else None
    )  # optional words matter only without musts
    optional_others = shoulds if optional is not None else []
    forbidden = frozenset(not_words)

    def decide(view: ArticleView) -> bool:
        present = view.default_tokens() if (required or optional or forbidden) else None
        if required and not required <= present:  # type: ignore[operator]
            return False
        for must in musts:
            if not must(view):
                return False
        no_optional_term = optional is not None and (not optional or optional.isdisjoint(present))  # type: ignore[arg-type]
        if no_optional_term and not any(should(view) for should in optional_others):
            return False
        if forbidden and not forbidden.isdisjoint(present):  # type: ignore[arg-type]
            return False
        return all(not must_not(view) for must_not in nots)

    return decide


def positive_leaves(node: Query, out: list[tuple[Query, Predicate]] | None = None) -> list[tuple[Query, Predicate]]:
    """The leaves of ``node`` that are not negated, with their predicates (compiled once per rule)."""
    out = [] if out is None else out
    if isinstance(node, Bool):
        for occur, child in node.clauses:
            if occur != MUST_NOT:
                positive_leaves(child, out)
    elif not isinstance(node, (Range, Exists, MatchAll)):
        out.append((node, compile_query(node)))
    return out


def leaf_terms(node: Query, view: ArticleView) -> list[str]:
    """What a matching leaf matched in ``view``: folded tokens, or the phrase."""
    fields = _fields(getattr(node, "field", None))
    merged = (getattr(node, "field", None),)  # None: the default fields' tokens together
    if isinstance(node, Term):
        if node.field and FIELDS[node.field].kind != "text":
            return [node.tokens[0]]
        if node.field is None:
            present = view.default_tokens()
            return [t for t in node.tokens if t in present]
        return [t for t in node.tokens if any(t in view.postings(f) for f in fields)]
    if isinstance(node, Phrase):
        return [" ".join(node.tokens)]
    if isinstance(node, Prefix):
        return [t for f in merged for t in view.tokens_with_prefix(f, node.prefix)]
    if isinstance(node, (Wildcard, Regexp)):
        head, tail = wildcard_literals(node)
        return [t for f in merged for t in view.wildcard_candidates(f, head, tail) if node.regex.fullmatch(t)]
    if isinstance(node, Fuzzy):
        edits = fuzzy_edits(node.token, node.edits)
        return [t for f in fields for t in view.postings(f) if _osa_distance(t, node.token, edits) <= edits]
    terms = getattr(node, "terms", None)
    return list(terms(view)) if terms is not None else []


def matched_terms(leaves: list[tuple[Query, Predicate]], view: ArticleView) -> list[str]:
    """What made a matching rule match: the terms of its positive leaves that hold, without repeats."""
    out: list[str] = []
    for node, predicate in leaves:
        if predicate(view):
            out.extend(leaf_terms(node, view))
    return list(dict.fromkeys(out))


def compile_leaf_terms(node: Query) -> LeafTerms:
    """``view -> terms``: :func:`leaf_terms` of ``node`` when it holds in the view, else nothing.

    The same answer as ``leaf_terms(node, view) if compile_query(node)(view) else []``, decided
    once per rule instead of per match: for the leaves below, what they match is empty exactly
    when they do not hold, so one pass gives both.
    """
    predicate = compile_query(node)
    if isinstance(node, Term):
        tokens, fld = node.tokens, node.field
        if fld and FIELDS[fld].kind != "text":
            found = [tokens[0]]
            return lambda view: found if predicate(view) else []
        if fld is None:
            if len(tokens) == 1:
                token, alone = tokens[0], [tokens[0]]
                return lambda view: alone if token in view.default_tokens() else []
            return lambda view: [t for t in tokens if t in view.default_tokens()]
        return lambda view: [t for t in tokens if t in view.postings(fld)]
    if isinstance(node, Phrase):
        phrase = [" ".join(node.tokens)]
        return lambda view: phrase if predicate(view) else []
    if isinstance(node, Prefix):
        fld, prefix = node.field, node.prefix
        return lambda view: view.tokens_with_prefix(fld, prefix)
    if isinstance(node, (Wildcard, Regexp)):
        fld, fullmatch = node.field, node.regex.fullmatch
        head, tail = wildcard_literals(node)
        return lambda view: [t for t in view.wildcard_candidates(fld, head, tail) if fullmatch(t)]
    if isinstance(node, Fuzzy):
        return lambda view: leaf_terms(node, view)
    return lambda view: leaf_terms(node, view) if predicate(view) else []
