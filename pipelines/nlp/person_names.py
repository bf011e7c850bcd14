"""Telling a person's name from other capitalised words, and writing it the way the tables do.

spaCy's small English model labels many names of people as organisations or places ("Envoy
Staffan de Mistura", "a statement from Godfrey Otunge, the mission's spokesperson"), splits
hyphenated first names ("Jean Claude" + "Kassy Brou") and labels things as people ("the Lachin
corridor", "Polisario Front", "Die Welt"). The functions here decide from the words of a span and
the words around it; they need no list of given names. Titles and name particles come from
nameparser's tables (ranks, forms of address, "de", "von", "al-" ...), plus the office titles of
``data/titles.yaml``.
"""

from __future__ import annotations

import re

from nameparser.config import CONSTANTS

from .gazetteer import Gazetteer, fold, name_words

# Ranks, forms of address and offices written before a name ("Maj Gen", "Taoiseach", "Lieut").
NAME_TITLES = frozenset(str(t).lower() for t in CONSTANTS.titles) | {"brig", "lieut"}
# Lower-case words that belong inside a name ("Staffan de Mistura", "Ursula von der Leyen").
PARTICLES = frozenset(str(p).lower().rstrip("-") for p in CONSTANTS.prefixes)
# Ranks written before a name; with the office titles of titles.yaml they mark the span next to
# them as a person's name (nameparser's list is for stripping only: it holds "his", "her", "rock").
RANKS = frozenset(
    {
        "gen",
        "general",
        "maj",
        "major",
        "brig",
        "brigadier",
        "col",
        "colonel",
        "lt",
        "lieut",
        "lieutenant",
        "capt",
        "captain",
        "adm",
        "admiral",
        "sgt",
        "sergeant",
        "cmdr",
        "marshal",
        "mr",
        "mrs",
        "ms",
        "dr",
    }
)
# A two-word name opening with one of these is a publication or a place ("Die Welt", "The Hague"),
# never a person: these articles start no surname (unlike "de", "le", "la", "el", "di").
_ARTICLES = frozenset({"the", "die", "der", "das", "het", "il"})
_WORD = re.compile(r"^[^\W\d_]+(?:[-'’][^\W\d_]+)*\.?$")


def _particle(word: str) -> bool:
    """A name particle, alone or joined to the name ("de", "von", "el-Bashir", "al-Sisi")."""
    head, hyphen, rest = word.partition("-")
    return word.lower() in PARTICLES or bool(hyphen and rest[:1].isupper() and head.lower() in PARTICLES)


def name_part(words: list[str]) -> list[str]:
    """The capitalised run that is the name: "Starmer sign document" -> ["Starmer"]; leading
    lower-case words are dropped ("the Lachin corridor" -> ["Lachin"]); particles stay."""
    while words and words[0][:1].islower() and not _particle(words[0]):
        words = words[1:]
    out: list[str] = []
    for word in words:
        if word[:1].islower() and not _particle(word):
            break
        out.append(word)
    while out and out[-1].lower() in PARTICLES:
        out.pop()
    return out


def is_thing(words: list[str], gaz: Gazetteer) -> bool:
    """The words name a thing, a group or a place rather than a person.

    "Polisario Front", "Qassam Brigades", "Jowhar Airfield" end (and "Daily Maverick" opens) on a
    word of ``thing_words`` in titles.yaml, "West Darfur" on one of its ``place_openers``; "Die
    Welt" opens on an article; a name the gazetteer knows as a place or an organisation is no
    person; a word in capitals ("JFC Naples") is an acronym.
    """
    if not words:
        return True
    if words[-1].lower() in gaz.thing_words or words[0].lower() in gaz.thing_words | gaz.place_openers:
        return True
    if len(words) == 2 and words[0].lower() in _ARTICLES:
        return True
    text = " ".join(words)
    if gaz.place(text) or gaz.organisation(text):
        return True
    return any(len(w.strip(".")) > 1 and w.isupper() for w in words) or not all(_WORD.match(w) for w in words)


def looks_like_name(words: list[str], gaz: Gazetteer) -> bool:
    """Two to four capitalised words (particles allowed) that are no thing: a person's name's shape."""
    capitalised = [w for w in words if w.lower() not in PARTICLES]
    return (
        2 <= len(capitalised) <= 4
        and all(w[:1].isupper() or _particle(w) for w in capitalised)
        and not is_thing(words, gaz)
    )


def table_person(name: str, gaz: Gazetteer) -> str | None:
    """The tables' spelling of a person written another way: same surname (an alias of one table
    person) and the same initial ("Vladimir Zelenskiy" -> "Volodymyr Zelensky", "Chris Luxon"), or
    two words or more running inside the names and aliases of exactly one table person ("Thérèse
    Kayikwamba" -> Thérèse Kayikwamba Wagner, "Kiir Mayardit" -> Salva Kiir; round 9)."""
    words = name.split()
    if len(words) < 2:
        return None
    canonical = gaz.person(words[-1])
    if canonical and fold(canonical[:1]) == fold(words[0][:1]):
        return canonical
    owners = gaz.name_runs.get(name_words(name), ())
    return next(iter(owners)) if len(owners) == 1 else None


def trim_name(words: list[str], not_name_words: frozenset[str], not_name_verbs: frozenset[str]) -> list[str]:
    """``words`` without the words that are no part of a name: ``not_name_words`` of titles.yaml at
    either end ("Earlier Annan"), its ``not_name_verbs`` at the end ("Museveni Says"; "Said
    Djinnit" keeps his first name) (round 9)."""
    while words and words[0].lower() in not_name_words:
        words = words[1:]
    while words and (words[-1].lower() in not_name_words or words[-1].lower() in not_name_verbs):
        words = words[:-1]
    return words


def _inside(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """``short`` is a run of consecutive words of ``long`` (and shorter)."""
    n = len(short)
    return 0 < n < len(long) and any(long[i : i + n] == short for i in range(len(long) - n + 1))


def merge_people(names: list[str], gaz: Gazetteer) -> list[str]:
    """One name per person in an article (round 9): a name whose words run inside a longer name of
    the same article is that person ("Kassi Brou" in "Jean-Claude Kassi Brou", "Lyall Grant"),
    written the longer way, unless the shorter is the tables' name (the usual one: "Salva Kiir",
    not "Salva Kiir Mayardit"); two names of the tables stay two people. Order of first mention is kept."""
    keys = {name: name_words(name) for name in names}
    dropped: set[str] = set()
    for short in names:
        for long in names:
            if short == long or not _inside(keys[short], keys[long]):
                continue
            if short in gaz.offices and long in gaz.offices:
                continue  # two people of the tables ("Idriss Déby", "Mahamat Idriss Déby")
            dropped.add(long if short in gaz.offices else short)
    return [name for name in names if name not in dropped]
