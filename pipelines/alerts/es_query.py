"""Rules and searches as Elasticsearch ``query_string`` queries that find what the matcher finds.

The rules' query language is Lucene's (Kibana's search bar); the matcher evaluates it in Python.
To show a rule in Kibana (``alerts show``) or to run a search, the parsed query is written back
with each field replaced by the index paths to query:

* a field the matcher reads word by word (``country:``, ``actor:``, ``stance:``, ...) whose index
  field is a ``keyword`` is queried through that field's ``.text`` sub-field (standard analyzer),
  so ``country:france`` finds "France" and ``actor:kingdom`` "United Kingdom", as the matcher does;
* an id field (``mission:``) is queried exactly, with the folded value;
* a rule's ``--actor``/``--stance``/``--mission`` filter asks for all of them in the *same* stance,
  which a ``query_string`` over non-nested objects cannot say: the printed query asks for each in
  some stance and says so (:func:`rule_query_string` returns that caveat).

The one documented difference that remains is accents: the matcher folds them (``etat`` finds
"État"), the standard analyzer does not.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from pipelines.alerts.fields import FIELDS
from pipelines.alerts.matcher import SameStance, rule_query
from pipelines.alerts.query import MUST, Bool, Phrase, Query, Term, parse, to_query_string
from pipelines.alerts.rules import Rule

SEARCH_FIELDS = ("title^2", "text")  # what 'peacewatch search' looks in for words without a field


@functools.lru_cache(maxsize=1)
def _article_properties() -> dict[str, Any]:
    text = resources.files("schemas").joinpath("elasticsearch", "articles.json").read_text(encoding="utf-8")
    return json.loads(text)["mappings"]["properties"]


def _mapping_of(path: str) -> dict[str, Any]:
    node: dict[str, Any] = {"properties": _article_properties()}
    for part in path.split("."):
        node = node.get("properties", {}).get(part, {})
    return node


@functools.lru_cache(maxsize=1)
def index_paths() -> dict[str, tuple[str, ...]]:
    """Each rule field -> the articles-index paths a ``query_string`` must name to match like the matcher."""
    out = {}
    for name, spec in FIELDS.items():
        paths = []
        for path in spec.paths:
            mapping = _mapping_of(path)
            analysed = spec.kind == "text" and mapping.get("type") == "keyword" and "text" in mapping.get("fields", {})
            paths.append(f"{path}.text" if analysed else path)
        out[name] = tuple(paths)
    return out


def _without_same_stance(node: Any) -> tuple[Query, bool]:
    """``node`` with each same-stance filter as separate conditions; True when that loosened it."""
    if isinstance(node, SameStance):
        parts: list[tuple[str, Query]] = []
        if node.actor_tokens:
            raw = f'"{" ".join(node.actor_tokens)}"'
            actor = (
                Term("actor", node.actor_tokens, raw)
                if len(node.actor_tokens) == 1
                else Phrase("actor", node.actor_tokens, 0, raw)
            )
            parts.append((MUST, actor))
        if node.stance:
            parts.append((MUST, Term("stance", (node.stance,), node.stance)))
        if node.mission:
            parts.append((MUST, Term("mission", (node.mission,), f'"{node.mission}"')))
        return (parts[0][1] if len(parts) == 1 else Bool(tuple(parts))), len(parts) > 1
    if isinstance(node, Bool):
        loosened = False
        clauses = []
        for occur, child in node.clauses:
            child, changed = _without_same_stance(child)
            clauses.append((occur, child))
            loosened |= changed
        return Bool(tuple(clauses)), loosened
    return node, False


def rule_query_string(rule: Rule) -> tuple[str, str | None]:
    """The rule (query and filters) as one ``query_string`` for the articles index, and a caveat.

    Returns:
        ``(query, caveat)``: run the query with ``default_operator`` OR (Kibana's default) and the
        fields ``title``, ``summary`` and ``text``; ``caveat`` says where it may find more than
        the rule (None when it finds the same).

    Raises:
        QuerySyntaxError: when the rule's query does not parse.
    """
    node, loosened = _without_same_stance(rule_query(rule))
    together = " and ".join(
        f"{what} {value}"
        for what, value in (("actor", rule.actor), ("stance", rule.stance), ("mission", rule.mission))
        if value
    )
    caveat = (
        (
            f"the rule wants {together} in one and the same stance of an article; this query cannot say so "
            "(stances are not nested documents), so it may find a few more articles"
        )
        if loosened
        else None
    )
    return to_query_string(node, index_paths()), caveat


def search_query_string(text: str) -> str:
    """A ``peacewatch search`` query (words side by side are ANDed) for the articles index.

    Raises:
        QuerySyntaxError: with the position and a hint when ``text`` does not parse.
    """
    return to_query_string(parse(text, default_operator="AND"), index_paths())
