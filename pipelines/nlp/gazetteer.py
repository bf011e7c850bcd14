"""Data-driven normalisation of countries, capitals, seats of government, leaders and organisations.

All tables are loaded once per process from ``pipelines/nlp/data`` (see the README there) and
cached; lookups are plain dict accesses so they are cheap per entity.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key for name lookups."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("’", "'").replace("‘", "'")
    text = re.sub(r"^(?:the)\s+", "", text.strip())
    text = re.sub(r"'s$", "", text)
    text = re.sub(r"[\"“”«»]", "", text)
    return re.sub(r"\s+", " ", text).strip(" .,")


@functools.lru_cache(maxsize=8192)
def name_words(name: str) -> tuple[str, ...]:
    """Folded words of a name, hyphens as spaces ("Fils-Aimé" -> ("fils", "aime")): the key of
    ``Gazetteer.name_runs`` and of its look-ups."""
    return tuple(fold(name.replace("-", " ")).split())


@dataclass(frozen=True)
class Country:
    """A country as output by the analyzer."""

    name: str
    code: str


@dataclass(frozen=True)
class Office:
    """One office held by a person during a date range (``end`` None = still in office)."""

    holder: str
    actor_id: str | None
    role: str
    start: dt.date
    end: dt.date | None
    source: str = "table"  # "table" (leaders.yaml) or "text" (a title written before the name)

    def held_on(self, day: dt.date) -> bool:
        """True when the office was held on ``day``."""
        return self.start <= day and (self.end is None or day < self.end)

    def describe(self) -> str:
        """Human-readable span, e.g. ``prime minister 2023-12-13..``, or ``... (title in the text)``."""
        if self.source == "text":
            return f"{self.role} (title in the text)"
        end = self.end.isoformat() if self.end else ""
        return f"{self.role} {self.start.isoformat()}..{end}"


@dataclass(frozen=True)
class Organisation:
    """An organisation, coalition, armed group or mission."""

    id: str
    name: str
    kind: str
    actor: bool = True


@dataclass(frozen=True)
class CountryGroup:
    """A well-defined group of countries ("the Baltic states") that stands for its members."""

    id: str
    name: str
    members: tuple[str, ...]


@dataclass
class Gazetteer:
    """Lookup tables built from the data files."""

    countries: dict[str, Country] = field(default_factory=dict)  # code -> Country
    country_names: dict[str, str] = field(default_factory=dict)  # folded alias -> code
    demonyms: dict[str, str] = field(default_factory=dict)  # folded demonym -> code
    capitals: dict[str, str] = field(default_factory=dict)  # folded capital -> code
    seats: dict[str, str] = field(default_factory=dict)  # folded seat -> code
    organisations: dict[str, Organisation] = field(default_factory=dict)  # id -> org
    org_names: dict[str, str] = field(default_factory=dict)  # folded alias -> id
    people: dict[str, str] = field(default_factory=dict)  # folded alias -> canonical name
    offices: dict[str, list[Office]] = field(default_factory=dict)  # canonical name -> offices
    groups: dict[str, CountryGroup] = field(default_factory=dict)  # id -> group
    group_phrases: dict[str, str] = field(default_factory=dict)  # phrase (as written) -> group id
    titles: tuple[tuple[str, ...], ...] = ()  # office titles as word tuples, longest first
    not_current: frozenset[str] = frozenset()  # words that make a title a past/other one
    name_words: frozenset[str] = frozenset()  # words continuing an institution's name after a country
    title_words: frozenset[str] = frozenset()  # every word of the office titles
    thing_words: frozenset[str] = frozenset()  # words that open or end a thing's name, never a person's
    place_openers: frozenset[str] = frozenset()  # words that open a place's name, never a person's
    honorifics: frozenset[str] = frozenset()  # words before a name that are no part of it ("Datuk")
    not_name_words: frozenset[str] = frozenset()  # words glued to a name's ends that are no part of it ("Earlier")
    not_name_verbs: frozenset[str] = frozenset()  # verbs glued to a name's end ("Museveni Says")
    # two words or more running inside a table name or alias (folded, hyphens as spaces) -> its table names
    name_runs: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    # round 12: codes the English route keeps out of ``countries`` (``listed: false`` in countries.yaml)
    unlisted: frozenset[str] = frozenset()

    def place(self, text: str) -> tuple[str, str] | None:
        """Resolve a place-like name to ``(code, how)``; how is name/capital/seat/demonym."""
        key = fold(text)
        for table, how in (
            (self.country_names, "name"),
            (self.seats, "seat"),
            (self.capitals, "capital"),
            (self.demonyms, "demonym"),
        ):
            code = table.get(key)
            if code:
                return code, how
        return None

    def organisation(self, text: str) -> Organisation | None:
        """Resolve an organisation alias."""
        org_id = self.org_names.get(fold(text))
        return self.organisations.get(org_id) if org_id else None

    def person(self, text: str) -> str | None:
        """Canonical name of a known person (full name or unambiguous alias)."""
        return self.people.get(fold(text))

    def office_on(self, name: str, day: dt.date) -> Office | None:
        """The office ``name`` held on ``day`` that makes them speak for an actor, if any."""
        for office in self.offices.get(name, ()):
            if office.actor_id and office.held_on(day):
                return office
        return None


def _names_other_thing(gaz: Gazetteer, word: str) -> bool:
    """A folded last name that is also a place's or an organisation's name is no alias of the person
    alone ("Wagner" is the Wagner group, not Thérèse Kayikwamba Wagner); aliases written in the
    table still are (round 9)."""
    return bool(gaz.place(word)) or word in gaz.org_names


def _date(value: object) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _load_yaml(name: str) -> object:
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_country_rows() -> list[dict]:
    """Raw rows of ``countries.yaml``."""
    return list(_load_yaml("countries.yaml"))


def group_phrases() -> dict[str, CountryGroup]:
    """Every phrase that names a country group (``groups.yaml``), mapped to its group."""
    data = _load_yaml("groups.yaml")
    default_heads = list(data.get("default_heads") or [])
    out: dict[str, CountryGroup] = {}
    for row in data["groups"]:
        group = CountryGroup(row["id"], row["name"], tuple(row["members"]))
        heads = list(row.get("heads") or default_heads) + list(row.get("extra_heads") or [])
        for word in row.get("words") or []:
            for head in heads:
                out[f"{word} {head}"] = group
        for phrase in row.get("phrases") or []:
            out[str(phrase)] = group
    return out


@functools.lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """Load and index all data files (cached per process)."""
    gaz = Gazetteer()
    for row in _load_yaml("countries.yaml"):
        code = row["code"]
        gaz.countries[code] = Country(row["name"], code)
        for alias in [row["name"], *(row.get("aliases") or [])]:
            gaz.country_names.setdefault(fold(alias), code)
        for demonym in row.get("demonyms") or []:
            gaz.demonyms.setdefault(fold(demonym), code)
        for capital in row.get("capitals") or []:
            gaz.capitals.setdefault(fold(capital), code)
        for seat in row.get("seats") or []:
            gaz.seats.setdefault(fold(seat), code)
        if row.get("listed") is False:
            gaz.unlisted = gaz.unlisted | {code}
    for row in _load_yaml("organisations.yaml"):
        org = Organisation(row["id"], row["name"], row["kind"], bool(row.get("actor", True)))
        gaz.organisations[org.id] = org
        for alias in [row["name"], *(row.get("aliases") or [])]:
            gaz.org_names.setdefault(fold(alias), org.id)
    titles = _load_yaml("titles.yaml")
    gaz.titles = tuple(sorted({tuple(str(t).lower().split()) for t in titles["offices"]}, key=lambda t: -len(t)))
    gaz.not_current = frozenset(str(w).lower() for w in titles["not_current"])
    gaz.name_words = frozenset(str(w).lower() for w in titles.get("name_words") or [])
    gaz.title_words = frozenset(w for title in gaz.titles for w in title)
    gaz.thing_words = frozenset(str(w).lower() for w in titles.get("thing_words") or [])
    gaz.place_openers = frozenset(str(w).lower() for w in titles.get("place_openers") or [])
    gaz.honorifics = frozenset(str(w).lower() for w in titles.get("honorifics") or [])
    gaz.not_name_words = frozenset(str(w).lower() for w in titles.get("not_name_words") or [])
    gaz.not_name_verbs = frozenset(str(w).lower() for w in titles.get("not_name_verbs") or [])
    for phrase, group in group_phrases().items():
        unknown = [c for c in group.members if c not in gaz.countries]
        if unknown:  # e.g. an unquoted NO (Norway) that YAML reads as false
            raise ValueError(f"groups.yaml: group {group.id} has unknown member codes {unknown}")
        gaz.groups.setdefault(group.id, group)
        gaz.group_phrases[phrase] = group.id
    surname_owners: dict[str, set[str]] = {}
    for row in _load_yaml("leaders.yaml"):
        name = row["name"]
        office = Office(name, row.get("country"), row["role"], _date(row["from"]), _date(row.get("to")))
        gaz.offices.setdefault(name, []).append(office)
        gaz.people[fold(name)] = name
        for alias in row.get("aliases") or []:
            surname_owners.setdefault(fold(alias), set()).add(name)
        last = fold(name.split()[-1])
        if not _names_other_thing(gaz, last):
            surname_owners.setdefault(last, set()).add(name)
    for row in _load_yaml("leaders.yaml"):
        for spelling in [row["name"], *(row.get("aliases") or [])]:
            words = name_words(str(spelling))
            for n in range(2, len(words)):
                for start in range(len(words) - n + 1):
                    gaz.name_runs.setdefault(words[start : start + n], set()).add(row["name"])
    for alias, owners in surname_owners.items():
        if len(owners) == 1 and alias not in gaz.people:
            gaz.people[alias] = next(iter(owners))
    logger.debug(
        "gazetteer: %d countries, %d organisations, %d people",
        len(gaz.countries),
        len(gaz.organisations),
        len(gaz.offices),
    )
    return gaz
