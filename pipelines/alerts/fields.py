"""The fields a rule may search, their aliases, and where they live in an enriched article.

Rules name fields as people say them (``country:``, ``actor:``, ``stance:``); one field may read
several article paths (``country`` reads ``countries`` and ``country_codes``, so both ``France``
and ``FR`` work). Values inside arrays of objects (``stances[].actor``) behave like Elasticsearch
object fields, not nested ones: ``actor:France AND stance:support`` asks that *some* stance names
France and *some* stance is support. A rule's ``--actor``/``--stance`` options ask for both in the
same stance.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FieldSpec:
    """A searchable field.

    Attributes:
        name: the canonical name used in rules.
        paths: dotted paths in the enriched article (``stances.actor``) that it reads.
        kind: ``text`` (analysed: words match), ``keyword`` (an id: the whole value matches,
            case-insensitively), ``number``, ``date`` or ``bool``.
    """

    name: str
    paths: tuple[str, ...]
    kind: str = "text"


FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("title", ("title",)),
        FieldSpec("summary", ("summary",)),
        FieldSpec("text", ("text",)),
        FieldSpec("source", ("source",)),
        FieldSpec("url", ("url",)),
        FieldSpec("language", ("language",)),
        FieldSpec("country", ("countries", "country_codes")),
        FieldSpec("person", ("people",)),
        FieldSpec("organisation", ("organisations",)),
        FieldSpec("entity", ("entities.name", "entities.text")),
        FieldSpec("topic", ("topics",)),
        FieldSpec("actor", ("stances.actor", "stances.actor_code")),
        FieldSpec("actor_type", ("stances.actor_type",)),
        FieldSpec("stance", ("stances.stance",)),
        FieldSpec("mission", ("missions", "stances.mission"), "keyword"),  # "sudan" is not "south-sudan"
        FieldSpec("commitment", ("stances.commitment",)),
        FieldSpec("relevance", ("relevance",), "number"),
        FieldSpec("published", ("published",), "date"),
        FieldSpec("relevant", ("relevant",), "bool"),
        FieldSpec("id", ("id",)),
    )
}
ALIASES: dict[str, str] = {
    "countries": "country",
    "country_code": "country",
    "country_codes": "country",
    "people": "person",
    "persons": "person",
    "org": "organisation",
    "orgs": "organisation",
    "organisations": "organisation",
    "organization": "organisation",
    "organizations": "organisation",
    "entities": "entity",
    "entities.name": "entity",
    "entities.text": "entity",
    "topics": "topic",
    "stances.actor": "actor",
    "stances.actor_code": "actor",
    "stances.stance": "stance",
    "stances.actor_type": "actor_type",
    "body": "text",
    "missions": "mission",
    "stances.mission": "mission",
    "stances.commitment": "commitment",
}
DEFAULT_FIELDS: tuple[str, ...] = ("title", "summary", "text")
TEXT_FIELDS: tuple[str, ...] = tuple(name for name, spec in FIELDS.items() if spec.kind == "text")


def resolve_field(name: str) -> FieldSpec | None:
    """Returns the field called ``name`` (or one of its aliases), or None when unknown."""
    key = name.lower()
    return FIELDS.get(ALIASES.get(key, key))


def path_values(document: Mapping[str, Any], path: str) -> Iterator[Any]:
    """Yields every non-null value at a dotted ``path``, walking through lists of objects."""
    head, _, rest = path.partition(".")
    value = document.get(head) if isinstance(document, Mapping) else None
    if value is None:
        return
    items = value if isinstance(value, list) else [value]
    for item in items:
        if item is None:
            continue
        if rest:
            if isinstance(item, Mapping):
                yield from path_values(item, rest)
        else:
            yield item


def field_values(document: Mapping[str, Any], field: str) -> list[Any]:
    """Returns the values of canonical ``field`` in ``document`` across all its paths."""
    spec = FIELDS[field]
    return [value for path in spec.paths for value in path_values(document, path)]
