"""Generate ``data/lang/<code>/generated.json`` from CLDR (Babel) and spaCy's lookup tables.

Run ``python -m pipelines.nlp.build_lang_data [CODE ...]`` after editing a language's
``names.yaml`` or ``cues.yaml`` (needs the ``langdata`` extra: Babel and spacy-lookups-data; the
analysis itself needs neither). For each language it writes:

- ``places``: surface form -> ISO alpha-2 code, from CLDR's territory names in that language
  (every country of ``data/countries.yaml``), CLDR's exemplar city of the capital's time zone
  (Varsovie, Warschau, Kijów...), and the hand-written ``places`` of ``names.yaml``; for
  inflected languages every form whose lemma is such a name in spaCy's lookup tables is added
  ("Polsce", "Francji", "Deutschlands", "Wielkiej Brytanii") as ``place_words``: surface word
  -> the word of the name it inflects, so a name of several words matches word by word.
- ``people``: inflected forms of the leaders' names and aliases found the same way
  ("Tuska" -> "Tusk"), as folded surface -> folded base form.
- ``calendar``: month and day names (CLDR), never part of a person's name.
- for languages whose table lacks proper nouns (uk, ru), ``place_endings`` of ``names.yaml``
  give the case forms of place names by rule.
- ``forms``: lower-case surface form -> lemma for every word the language's ``cues.yaml`` lists
  (cue verbs and nouns, speech verbs, force words...), from the same lookup tables.

The output is sorted, so regenerating unchanged inputs gives an identical file (a test checks it
is up to date when the extra is installed).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
from collections.abc import Iterable
from pathlib import Path

import yaml

from .gazetteer import DATA_DIR, load_country_rows

logger = logging.getLogger(__name__)

LANG_DIR = DATA_DIR / "lang"
# spaCy lookup tables used per language: names of spacy_lookups_data/data/<name>.json.gz
LOOKUP_TABLES = {
    "de": ["de_lemma_lookup"],
    "fr": ["fr_lemma_lookup"],
    "es": ["es_lemma_lookup"],
    "it": ["it_lemma_lookup", "it_lemma_lookup_verb", "it_lemma_lookup_noun"],
    "pl": ["pl_lemma_lookup_noun", "pl_lemma_lookup_adj", "pl_lemma_lookup_verb"],
    "ru": ["ru_lemma_lookup"],
}
# languages whose place and person names inflect: their lookup forms are added to places/people
INFLECTED = frozenset({"de", "pl"})  # uk and ru use place_endings rules (their tables lack names)


def _lookup_tables(code: str) -> list[dict[str, object]]:
    import spacy_lookups_data

    base = Path(spacy_lookups_data.__file__).resolve().parent / "data"
    tables = []
    for name in LOOKUP_TABLES.get(code, []):
        with gzip.open(base / f"{name}.json.gz", "rt", encoding="utf-8") as handle:
            tables.append(json.load(handle))
    return tables


def _reverse(tables: list[dict[str, object]], lemmas: set[str], *, lower: bool) -> dict[str, set[str]]:
    """lemma -> surface forms, for the wanted lemmas only (``lower``: compare lower-cased)."""
    out: dict[str, set[str]] = {}
    for table in tables:
        for form, lemma in table.items():
            for value in lemma if isinstance(lemma, list) else [lemma]:
                key = value.lower() if lower else value
                if key in lemmas:
                    out.setdefault(key, set()).add(form)
    return out


def _city(zones: dict, tz: str, default: str) -> str:
    return (zones.get(tz) or {}).get("city") or default


def _capitals_by_code(code: str) -> dict[str, list[str]]:
    """ISO code -> capital city names in the language, via CLDR's time-zone exemplar cities.

    CLDR gives a city's name only where it differs from the time-zone id ("Europe/Paris" is
    Paris unless a locale says otherwise), so every zone id is read with that default.
    """
    import zoneinfo

    from babel import Locale

    english, local = Locale.parse("en").time_zones, Locale.parse(code).time_zones
    by_city: dict[str, str] = {}
    for tz in sorted(zoneinfo.available_timezones() | set(english)):
        if "/" in tz and not tz.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/")):
            by_city.setdefault(_city(english, tz, tz.rsplit("/", 1)[1].replace("_", " ")), tz)
    out: dict[str, list[str]] = {}
    for row in load_country_rows():
        for capital in row.get("capitals") or []:
            tz = by_city.get(capital)
            if tz:
                out.setdefault(row["code"], []).append(_city(local, tz, tz.rsplit("/", 1)[1].replace("_", " ")))
    return out


def _word_forms(word: str, tables: list[dict[str, object]], reverses: list[dict[str, set[str]]]) -> set[str]:
    """Inflected forms of one word of a name: forms of its lemma that keep its stem.

    The lemma is, in every table that knows the word, the word itself when the table has forms
    of it, else the word's lemma there; forms must share the word's first ``len - 3`` letters (at least 3) and differ in
    length by at most 4: "Polska" gives "Polsce", "Zjednoczone" gives "Zjednoczonych".
    """
    found = []  # (reverse table, lemma): every table that knows the word ("Wielkiej" is an adjective)
    for table, reverse in zip(tables, reverses):
        if word in reverse or word.lower() in reverse:
            found.append((reverse, word))
            continue
        value = table.get(word) or table.get(word.lower())
        if value:
            found.append((reverse, value[0] if isinstance(value, list) else value))
    if not found:
        return set()
    stem = word[: max(3, len(word) - 3)].lower()
    out = set()
    forms = set().union(*(reverse.get(lemma, set()) | reverse.get(lemma.lower(), set()) for reverse, lemma in found))
    for form in forms:
        if form.lower().startswith(stem) and abs(len(form) - len(word)) <= 4 and form.lower() != word.lower():
            out.add(form[:1].upper() + form[1:] if word[:1].isupper() else form)
    return out


def build(code: str) -> dict:
    """The generated data of one language (see the module docstring)."""
    from babel import Locale

    from .gazetteer import fold, load_gazetteer

    folder = LANG_DIR / code
    names = yaml.safe_load((folder / "names.yaml").read_text(encoding="utf-8")) or {}
    cues = yaml.safe_load((folder / "cues.yaml").read_text(encoding="utf-8")) or {}
    territories = Locale.parse(code).territories
    base: dict[str, str] = {}
    for row in load_country_rows():
        local = territories.get(row["code"]) if row["code"] != "XK" else territories.get("XK")
        if local:
            base.setdefault(local, row["code"])
    for country, cities in _capitals_by_code(code).items():
        for city in cities:
            base.setdefault(city, country)
    for country, aliases in (names.get("places") or {}).items():
        for alias in aliases:
            base[alias] = country
    tables = _lookup_tables(code) if code in INFLECTED else []
    place_words: dict[str, str] = {}
    people: dict[str, str] = {}
    if tables:
        words = {w for name in base for w in name.split()}
        wanted = set(words) | {w.lower() for w in words}
        for table in tables:
            for word in words:
                value = table.get(word) or table.get(word.lower())
                if value:
                    wanted.add(value[0] if isinstance(value, list) else value)
        reverses = []
        for table in tables:
            reverse = _reverse([table], wanted, lower=False)
            for lemma, forms in _reverse([table], {w.lower() for w in wanted}, lower=True).items():
                reverse.setdefault(lemma, set()).update(forms)
            reverses.append(reverse)
        for word in sorted(words):
            for form in _word_forms(word, tables, reverses):
                if form not in words:
                    place_words.setdefault(form, word)
        gaz = load_gazetteer()
        person_words = {w for alias in gaz.people for w in alias.split()}
        spellings = {fold(s) for s in (names.get("people") or {})}
        person_words |= {w for s in spellings for w in s.split()}
        found = _reverse(tables, {w for w in person_words if len(w) > 2}, lower=True)
        for lemma, forms in found.items():
            for form in forms:
                folded = fold(form)
                if form[:1].isupper() and folded != lemma:
                    people.setdefault(folded, lemma)
    rules = [(str(e), [str(r) for r in repl]) for e, repl in names.get("place_endings") or []]
    if rules:  # languages whose table lacks proper nouns: case endings by rule ("Україна" -> "України")
        for word in sorted({w for name in base for w in name.split()}):
            if not word[:1].isupper() or len(word) < 3:
                continue
            ending, replacements = next(((e, r) for e, r in rules if word.endswith(e)), ("", []))
            stem = word[: len(word) - len(ending)] if ending else word
            for replacement in replacements:
                place_words.setdefault(stem + replacement, word)
    lemmas: set[str] = set()
    protected: set[str] = set()  # single-word entries: never remapped to another lemma
    for key, value in cues.items():
        if key in ("language", "participles"):
            continue
        if not key.startswith("phrases_"):
            protected |= {
                str(i).lower().removesuffix("/n")
                for i in (value if isinstance(value, (dict, list)) else [])
                if " " not in str(i)
            }
        items = list(value) if isinstance(value, (dict, list)) else []
        if isinstance(value, dict):  # separable verbs: their parts too ("lehnen" of "ablehnen")
            items += [part for parts in value.values() if isinstance(parts, list) for part in parts]
        for item in items:
            item = str(item).lower().removesuffix("/n")
            for word in item.split():
                if word.isalpha():
                    lemmas.add(word)
    forms: dict[str, str] = {}
    if code in LOOKUP_TABLES:
        all_tables = _lookup_tables(code)
        for lemma, surface in _reverse(all_tables, lemmas, lower=True).items():
            for form in surface:
                low = form.lower()
                if low != lemma and low not in protected:
                    forms.setdefault(low, lemma)
    for lemma in sorted(lemmas):  # participles the tables lack ("déclaré" -> "déclarer")
        for ending, suffixes in (cues.get("participles") or {}).items():
            if lemma.endswith(ending) and len(lemma) > len(ending) + 2:
                for suffix in suffixes:
                    forms.setdefault(lemma[: -len(ending)] + suffix, lemma)
    locale = Locale.parse(code)
    calendar = sorted(
        {
            name.lower()
            for context in ("format", "stand-alone")
            for width in ("wide", "abbreviated")
            for table in (locale.months, locale.days)
            for name in (table.get(context, {}).get(width, {}) or {}).values()
        }
    )
    return {
        "language": code,
        "sources": {
            "places": "CLDR territory names and time-zone cities (Babel)"
            + (", inflected with spacy-lookups-data" if tables else ""),
            "forms": "spacy-lookups-data lemma tables" if code in LOOKUP_TABLES else "none",
        },
        "places": dict(sorted(base.items())),
        "place_words": dict(sorted(place_words.items())),
        "people": dict(sorted(people.items())),
        "forms": dict(sorted(forms.items())),
        "calendar": calendar,
    }


def write(code: str) -> Path:
    """Build and write ``data/lang/<code>/generated.json``."""
    path = LANG_DIR / code / "generated.json"
    data = build(code)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    logger.info(
        "%s: %d places, %d place word forms, %d person forms, %d word forms",
        code,
        len(data["places"]),
        len(data["place_words"]),
        len(data["people"]),
        len(data["forms"]),
    )
    return path


def languages() -> list[str]:
    """Language codes that have a data folder."""
    return sorted(p.name for p in LANG_DIR.iterdir() if (p / "names.yaml").exists())


def main(argv: Iterable[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("codes", nargs="*", help="languages (default: every folder under data/lang)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for code in args.codes or languages():
        print(write(code))
    return 0


if __name__ == "__main__":
    sys.exit(main())
