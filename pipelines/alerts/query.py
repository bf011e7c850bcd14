"""Lucene query-string syntax (what Kibana's search bar and ES ``query_string`` accept), parsed to an AST.

Supported: words, ``"phrases"``, ``"phrase"~N`` proximity, wildcards ``*`` and ``?``,
``word~`` / ``word~N`` fuzzy, ``/regex/`` (RE2, linear time; see ``patterns.py``), ``AND`` ``OR``
``NOT`` ``&&`` ``||`` ``!``, ``+`` and ``-``, grouping with ``( )``, ``field:value`` and ``field:(group)``,
ranges ``[a TO b]`` / ``{a TO b}`` / ``field:>=x``, ``field:*`` and ``_exists_:field``, ``*:*``, boosts ``^N``
(accepted, ignored), backslash escapes. The default operator is OR.

Clauses combine exactly as Lucene's classic ``QueryParser.addClause`` combines them, so
``a AND b OR c`` means ``+a +b c`` (``c`` optional), as in Elasticsearch; a group of only
negative clauses matches everything except them, as ES's ``fixNegativeQueryIfNeeded`` does.

:func:`parse` raises :class:`QuerySyntaxError` (a ``UserError``) with the 0-based character
position and the reason, so a bad rule is refused when it is added.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from peacewatch.errors import UserError
from pipelines.alerts.analysis import analyze, fold
from pipelines.alerts.fields import FIELDS, resolve_field
from pipelines.alerts.patterns import Matcher, UnsafePattern, compile_regexp, compile_wildcard, fold_pattern

logger = logging.getLogger(__name__)

MUST, SHOULD, MUST_NOT = "must", "should", "must_not"
_SPECIAL = set(' \t\r\n\u3000+-!():^[]"{}~*?\\/')
_TERM_START_EXCLUDED = set(' \t\r\n\u3000+-!():^[]"{}~\\/')


class QuerySyntaxError(UserError):
    """The query cannot be parsed. ``position`` is the 0-based character offset of the problem."""

    def __init__(self, message: str, hint: str | None = None, position: int = 0, query: str = "") -> None:
        super().__init__(message, hint)
        self.position = position
        self.query = query


def _error(query: str, position: int, reason: str, hint: str | None = None) -> QuerySyntaxError:
    caret = f"\n  {query}\n  {' ' * position}^" if query else ""
    return QuerySyntaxError(
        f"query error at position {position}: {reason}{caret}",
        hint or "see the query syntax in pipelines/alerts/README.md",
        position,
        query,
    )


# ---- AST -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    """A word; ``tokens`` are what the analyzer made of it (several means any of them)."""

    field: str | None
    tokens: tuple[str, ...]
    raw: str


@dataclass(frozen=True)
class Phrase:
    """Words in order (``slop`` 0) or within ``slop`` position moves of each other."""

    field: str | None
    tokens: tuple[str, ...]
    slop: int
    raw: str


@dataclass(frozen=True)
class Prefix:
    field: str | None
    prefix: str
    raw: str


@dataclass(frozen=True)
class _Pattern:
    """A pattern over one field's words, compiled once (``regex``)."""

    field: str | None
    pattern: str
    raw: str
    regex: Matcher = field(compare=False, hash=False, repr=False, default=None)  # type: ignore[assignment]


@dataclass(frozen=True)
class Wildcard(_Pattern):
    """``wor?d*``: ``?`` one character, ``*`` any run."""


@dataclass(frozen=True)
class Fuzzy:
    field: str | None
    token: str
    edits: int
    raw: str


@dataclass(frozen=True)
class Regexp(_Pattern):
    """``/regular expression/`` (RE2), over whole words."""


@dataclass(frozen=True)
class Range:
    field: str | None
    lower: str | None
    upper: str | None
    include_lower: bool
    include_upper: bool
    raw: str


@dataclass(frozen=True)
class Exists:
    field: str | None


@dataclass(frozen=True)
class MatchAll:
    pass


@dataclass(frozen=True)
class Bool:
    """Clauses as ``(occur, query)`` with occur one of ``must``, ``should``, ``must_not``."""

    clauses: tuple[tuple[str, Query], ...]


Query = Term | Phrase | Prefix | Wildcard | Fuzzy | Regexp | Range | Exists | MatchAll | Bool


# ---- lexer -----------------------------------------------------------------------------------
@dataclass
class _Tok:
    kind: str  # TERM QUOTED REGEX RANGE AND OR NOT PLUS MINUS LPAREN RPAREN COLON TILDE CARET EOF
    text: str
    pos: int
    wild: bool = False  # a TERM with an unescaped * or ?


_PUNCTUATION = {
    "(": "LPAREN",
    ")": "RPAREN",
    ":": "COLON",
    "+": "PLUS",
    "-": "MINUS",
    "!": "NOT",
    "&&": "AND",
    "||": "OR",
}


def _lex(query: str) -> list[_Tok]:
    """The tokens of ``query`` (Lucene query-string syntax), ending with ``EOF``."""
    out: list[_Tok] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c in " \t\r\n\u3000":
            i += 1
            continue
        two = query[i : i + 2]
        if two in ("&&", "||") or c in _PUNCTUATION:
            symbol = two if two in ("&&", "||") else c
            out.append(_Tok(_PUNCTUATION[symbol], symbol, i))
            i += len(symbol)
        elif c in "~^":
            end = i + 1
            while end < n and (query[end].isdigit() or query[end] == "."):
                end += 1
            out.append(_Tok("TILDE" if c == "~" else "CARET", query[i + 1 : end], i))
            i = end
        elif c == '"':
            token, i = _lex_delimited(query, i, '"', "QUOTED", 'unterminated phrase: missing closing "')
            out.append(token)
        elif c == "/":
            token, i = _lex_delimited(query, i, "/", "REGEX", "unterminated regular expression: missing closing /")
            out.append(token)
        elif c in "[{":
            ends = [e for e in (query.find("]", i), query.find("}", i)) if e != -1]
            if not ends:
                raise _error(query, i, "unterminated range: missing ] or }")
            out.append(_Tok("RANGE", query[i : min(ends) + 1], i))
            i = min(ends) + 1
        elif c in "]}":
            raise _error(query, i, f"unexpected {c!r} without an opening bracket")
        else:
            token, i = _lex_term(query, i)
            out.append(token)
    out.append(_Tok("EOF", "", n))
    return out


def _lex_delimited(query: str, start: int, close: str, kind: str, unterminated: str) -> tuple[_Tok, int]:
    """A phrase (``"..."``, any character escapable) or a regular expression (``/.../``, only ``\\/``
    escaped); returns the token and the position after the closing character."""
    i, n = start + 1, len(query)
    chars: list[str] = []
    while i < n and query[i] != close:
        if query[i] == "\\" and i + 1 < n and (close == '"' or query[i + 1] == close):
            i += 1
        chars.append(query[i])
        i += 1
    if i >= n:
        raise _error(query, start, unterminated)
    return _Tok(kind, "".join(chars), start), i + 1


def _lex_term(query: str, start: int) -> tuple[_Tok, int]:
    """A term (escapes kept, ``*``/``?`` marking a wildcard) or the operator words AND, OR, NOT."""
    i, n = start, len(query)
    chars: list[str] = []
    wild = False
    while i < n:
        c = query[i]
        if c == "\\":
            if i + 1 >= n:
                raise _error(query, i, "a backslash at the end escapes nothing")
            chars.append("\\" + query[i + 1])
            i += 2
            continue
        if c in "*?":
            wild = True
        elif c in _TERM_START_EXCLUDED and not (chars and c in "+-"):
            break
        chars.append(c)
        i += 1
    text = "".join(chars)
    if text in ("AND", "OR", "NOT"):
        return _Tok(text, text, start), i
    return _Tok("TERM", text, start, wild), i


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


# ---- parser ----------------------------------------------------------------------------------
_MOD_NONE, _MOD_REQ, _MOD_NOT = 0, 1, 2
_CONJ_NONE, _CONJ_AND, _CONJ_OR = 0, 1, 2


class _Parser:
    def __init__(self, query: str, default_operator: str = "OR") -> None:
        self.query = query
        self.toks = _lex(query)
        self.i = 0
        self.and_default = default_operator.upper() == "AND"

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def error(self, tok: _Tok, reason: str, hint: str | None = None) -> QuerySyntaxError:
        return _error(self.query, tok.pos, reason, hint)

    # Query := Modifiers Clause (Conjunction Modifiers Clause)*
    def parse_query(self, fld: str | None, depth: int) -> Query | None:
        clauses: list[tuple[str, Query | None]] = []
        first: Query | None = None
        mods = self.modifiers()
        q = self.clause(fld, depth)
        self.add_clause(clauses, _CONJ_NONE, mods, q)
        single = mods == _MOD_NONE
        first = q
        while self.peek().kind not in ("EOF", "RPAREN"):
            conj = _CONJ_NONE
            if self.peek().kind in ("AND", "OR"):
                conj = _CONJ_AND if self.take().kind == "AND" else _CONJ_OR
            mods = self.modifiers()
            q = self.clause(fld, depth)
            self.add_clause(clauses, conj, mods, q)
            single = False
        real = [(occur, c) for occur, c in clauses if c is not None]
        if single and len(clauses) == 1:
            return first
        if not real:
            return None
        return Bool(tuple(real))  # type: ignore[arg-type]

    def add_clause(self, clauses: list[tuple[str, Query | None]], conj: int, mods: int, q: Query | None) -> None:
        # Lucene QueryParserBase.addClause, with the default operator OR or AND.
        if clauses and conj == _CONJ_AND:
            occur, prev = clauses[-1]
            if occur != MUST_NOT:
                clauses[-1] = (MUST, prev)
        if clauses and self.and_default and conj == _CONJ_OR:
            occur, prev = clauses[-1]  # "a OR b" with AND as default: a is optional too
            if occur != MUST_NOT:
                clauses[-1] = (SHOULD, prev)
        if q is None:
            return
        prohibited = mods == _MOD_NOT
        if self.and_default:
            required = not prohibited and conj != _CONJ_OR
        else:
            required = mods == _MOD_REQ or (conj == _CONJ_AND and not prohibited)
        clauses.append((MUST if required else MUST_NOT if prohibited else SHOULD, q))

    def modifiers(self) -> int:
        kind = self.peek().kind
        if kind == "PLUS":
            self.take()
            return _MOD_REQ
        if kind in ("MINUS", "NOT"):
            self.take()
            return _MOD_NOT
        return _MOD_NONE

    def clause(self, fld: str | None, depth: int) -> Query | None:
        tok = self.peek()
        if tok.kind in ("TERM", "QUOTED") and self.toks[self.i + 1].kind == "COLON":
            name = _unescape(tok.text) if tok.kind == "TERM" else tok.text
            self.take()
            self.take()
            if name == "*" and self.peek().kind == "TERM" and self.peek().text == "*":
                self.take()
                return MatchAll()
            if name == "_exists_":
                target = self.take()
                if target.kind != "TERM":
                    raise self.error(target, "_exists_: expects a field name")
                return Exists(self.field(target, _unescape(target.text)))
            fld = self.field(tok, name)
        tok = self.peek()
        if tok.kind == "LPAREN":
            if depth > 50:
                raise self.error(tok, "groups nested too deeply")
            self.take()
            if self.peek().kind == "RPAREN":
                raise self.error(self.peek(), "empty group ()")
            q = self.parse_query(fld, depth + 1)
            close = self.take()
            if close.kind != "RPAREN":
                raise self.error(close, "missing closing parenthesis )")
            self.boost()
            return q
        return self.term(fld)

    def field(self, tok: _Tok, name: str) -> str:
        spec = resolve_field(name)
        if spec is None:
            raise self.error(tok, f"unknown field {name!r}", f"fields: {', '.join(sorted(FIELDS))} (and aliases)")
        return spec.name

    def boost(self) -> None:
        if self.peek().kind == "CARET":
            tok = self.take()
            try:
                float(tok.text)
            except ValueError:
                raise self.error(tok, "^ must be followed by a number (a boost)") from None

    def term(self, fld: str | None) -> Query | None:
        tok = self.take()
        if tok.kind == "QUOTED":
            slop = 0
            if self.peek().kind == "TILDE":
                t = self.take()
                slop = self.number(t, "proximity after a phrase", integer=True) if t.text else 0
            self.boost()
            return self.phrase(fld, tok.text, slop, tok)
        if tok.kind == "REGEX":
            self.boost()
            try:
                compiled = compile_regexp(fold_pattern(tok.text, fold))
            except UnsafePattern as exc:
                raise self.error(tok, exc.reason, exc.hint) from None
            return Regexp(fld, tok.text, f"/{tok.text}/", compiled)
        if tok.kind == "RANGE":
            self.boost()
            return self.range(fld, tok)
        if tok.kind != "TERM":
            what = {"EOF": "the end of the query", "RPAREN": "')'", "COLON": "':'"}.get(tok.kind, repr(tok.text))
            raise self.error(tok, f"expected a word, phrase or group but found {what}")
        raw = tok.text
        text = _unescape(raw)
        if fld is not None and FIELDS[fld].kind != "text" and text[:1] in "<>":
            self.boost()
            return self.comparison(fld, text, tok)
        if self.peek().kind == "TILDE":
            t = self.take()
            self.boost()
            if tok.wild:
                raise self.error(t, "a wildcard word cannot also be fuzzy")
            edits = self.number(t, "edit distance after ~", integer=True) if t.text else -1
            if edits > 2:
                raise self.error(t, "fuzzy edit distance must be 0, 1 or 2")
            tokens = analyze(text)
            if not tokens:
                return None
            return Fuzzy(fld, tokens[0], edits, raw)
        self.boost()
        if tok.wild:
            if text == "*":
                return Exists(fld) if fld else MatchAll()
            return self.wildcard(fld, raw, tok)
        if fld is not None and FIELDS[fld].kind != "text":
            return Term(fld, (fold(text),), raw)
        tokens = tuple(analyze(text))
        return Term(fld, tokens, raw) if tokens else None

    def number(self, tok: _Tok, what: str, integer: bool = False) -> int:
        try:
            value = float(tok.text)
        except ValueError:
            raise self.error(tok, f"expected a number as {what}") from None
        if integer and value != int(value):
            raise self.error(tok, f"expected a whole number as {what}")
        return int(value)

    def phrase(self, fld: str | None, text: str, slop: int, tok: _Tok) -> Query | None:
        tokens = tuple(analyze(text))
        if not tokens:
            return None
        if len(tokens) == 1:
            return Term(fld, tokens, f'"{text}"')
        return Phrase(fld, tokens, slop, f'"{text}"')

    def wildcard(self, fld: str | None, raw: str, tok: _Tok) -> Query:
        # Wildcard terms are normalised (lower-cased, folded) but not tokenised, as in ES.
        parts: list[str] = []
        literal: list[str] = []
        i = 0
        while i < len(raw):
            c = raw[i]
            if c == "\\" and i + 1 < len(raw):
                literal.append(raw[i + 1])
                parts.append(re.escape(fold(raw[i + 1])))
                i += 2
                continue
            parts.append(".*" if c == "*" else "." if c == "?" else re.escape(fold(c)))
            i += 1
        pattern = fold(_unescape(raw))
        unescaped_wild = [c for c in re.sub(r"\\.", "", raw) if c in "*?"]
        if raw.endswith("*") and unescaped_wild == ["*"] and not raw.endswith("\\*"):
            return Prefix(fld, fold(_unescape(raw[:-1])), raw)
        try:
            compiled = compile_wildcard("".join(parts), unescaped_wild.count("*"))
        except UnsafePattern as exc:
            raise self.error(tok, exc.reason, exc.hint) from None
        return Wildcard(fld, pattern, raw, compiled)

    def range(self, fld: str | None, tok: _Tok) -> Query:
        body = tok.text
        include_lower, include_upper = body[0] == "[", body[-1] == "]"
        inner = body[1:-1].strip()
        pieces = re.split(r"\s+TO\s+", inner)
        if len(pieces) != 2:
            raise self.error(tok, "a range is written [lower TO upper] (use * for open ends)")
        lower, upper = (None if p.strip() in ("*", "") else _unescape(p.strip().strip('"')) for p in pieces)
        return Range(fld, lower, upper, include_lower, include_upper, body)

    def comparison(self, fld: str, text: str, tok: _Tok) -> Query:
        match = re.fullmatch(r"(>=|<=|>|<)(.+)", text)
        if not match:
            raise self.error(tok, f"expected a value after {text!r}")
        op, value = match.groups()
        if op.startswith(">"):
            return Range(fld, value, None, op == ">=", True, text)
        return Range(fld, None, value, True, op == "<=", text)


def parse(query: str, default_operator: str = "OR") -> Query:
    """Parses a Lucene query string.

    Args:
        query: the rule's query, for example ``ceasefire AND country:(Ukraine OR Russia)``.
        default_operator: what joins words written side by side: ``OR`` (Kibana's and the
            rules' default) or ``AND`` (``peacewatch search``'s).

    Returns:
        The query as an AST of :data:`Query` nodes.

    Raises:
        QuerySyntaxError: with ``position`` and a reason when the query is not valid, or when it
            has no searchable words at all (``"&&"``, ``"- -"``).
    """
    if not isinstance(query, str) or not query.strip():
        raise _error("", 0, "the query is empty", "write words to look for, or *:* for every article")
    parser = _Parser(query, default_operator)
    if parser.peek().kind in ("AND", "OR"):
        raise parser.error(parser.peek(), f"{parser.peek().text} needs something on its left")
    result = parser.parse_query(None, 0)
    tok = parser.peek()
    if tok.kind == "RPAREN":
        raise parser.error(tok, "unbalanced ')' without an opening parenthesis")
    if tok.kind != "EOF":
        raise parser.error(tok, f"unexpected {tok.text!r}")
    if result is None:
        raise _error(query, 0, "the query has no searchable words", "punctuation alone matches nothing")
    return _fix_negative(result)


def _fix_negative(node: Query) -> Query:
    """Gives a group of only ``must_not`` clauses an implicit match-all, as ES does."""
    if not isinstance(node, Bool):
        return node
    clauses = tuple((occur, _fix_negative(child)) for occur, child in node.clauses)
    if all(occur == MUST_NOT for occur, _ in clauses):
        clauses = (*clauses, (MUST, MatchAll()))
    return Bool(clauses)


def _escape_phrase(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _range_body(node: Range) -> str:
    """``[lower TO upper]`` from the bounds (``*`` for an open end), brackets by inclusiveness."""

    def bound(value: str | None) -> str:
        if value is None or value == "*":
            return "*"
        return f'"{_escape_phrase(value)}"' if re.search(r'[\s\[\]{}"\\]', value) else value

    return (
        f"{'[' if node.include_lower else '{'}{bound(node.lower)} TO "
        f"{bound(node.upper)}{']' if node.include_upper else '}'}"
    )


def to_query_string(node: Query, paths: dict[str, tuple[str, ...]] | None = None) -> str:
    """Writes an AST back as an Elasticsearch ``query_string`` with explicit ``+``/``-`` occurs.

    Fields are replaced by their article paths (``country:x`` -> ``(countries:x OR
    country_codes:x)``); words without a field are left for the ``fields`` parameter.

    Args:
        node: a parsed query.
        paths: canonical field -> index paths; :data:`FIELDS` paths by default.

    Raises:
        ValueError: for nodes that have no query-string form (a rule's same-stance filter).
    """
    paths = paths or {name: spec.paths for name, spec in FIELDS.items()}

    def with_field(fld: str | None, body: str) -> str:
        if fld is None:
            return body
        targets = paths[fld]
        if len(targets) == 1:
            return f"{targets[0]}:{body}"
        return "(" + " OR ".join(f"{t}:{body}" for t in targets) + ")"

    if isinstance(node, Term):
        if node.field and FIELDS[node.field].kind == "keyword":  # an id: the folded value, exactly
            return with_field(node.field, f'"{_escape_phrase(node.tokens[0])}"')
        body = node.raw if not node.raw.startswith('"') else f'"{_escape_phrase(node.raw[1:-1])}"'
        return with_field(node.field, body)
    if isinstance(node, Phrase):
        slop = f"~{node.slop}" if node.slop else ""
        return with_field(node.field, f'"{_escape_phrase(node.raw[1:-1])}"{slop}')
    if isinstance(node, (Prefix, Wildcard, Regexp)):
        return with_field(node.field, node.raw)
    if isinstance(node, Fuzzy):
        return with_field(node.field, f"{node.raw}~{node.edits if node.edits >= 0 else ''}")
    if isinstance(node, Range):
        return with_field(node.field, _range_body(node))
    if isinstance(node, Exists):
        targets = paths[node.field] if node.field else ("*",)
        return "(" + " OR ".join(f"_exists_:{t}" for t in targets) + ")"
    if isinstance(node, MatchAll):
        return "*:*"
    if isinstance(node, Bool):
        marks = {MUST: "+", MUST_NOT: "-", SHOULD: ""}
        return "(" + " ".join(marks[occur] + to_query_string(child, paths) for occur, child in node.clauses) + ")"
    raise ValueError(f"{type(node).__name__} has no query_string form")
