"""The values of ``--country``, ``--mission`` and ``--language``, checked before they silently match nothing.

Each accepts what people type (a code, a name, any case) and returns what the index holds (an
ISO code, a mission id). A value nobody knows is refused with the closest known ones:

    peacewatch search: error: unknown country 'Atlantis'
      hint: did you mean Austria? Use a name or an ISO code (France, FR)
"""

from __future__ import annotations

import difflib
import functools
from typing import Any

from peacewatch.errors import UserError


def _closest(value: str, candidates: dict[str, str], limit: int = 3) -> list[str]:
    """Up to ``limit`` display names whose keys are close to ``value``, best first, without repeats."""
    found = difflib.get_close_matches(value, list(candidates), n=limit * 3, cutoff=0.6)
    return list(dict.fromkeys(candidates[key] for key in found))[:limit]


def _did_you_mean(close: list[str]) -> str:
    return f"did you mean {' or '.join(close)}? " if close else ""


@functools.lru_cache(maxsize=1)
def _countries() -> tuple[dict[str, str], dict[str, str]]:
    """(folded name, alias or code -> ISO code), (ISO code -> name), from the NLP's gazetteer data."""
    from pipelines.nlp.gazetteer import fold, load_country_rows

    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for row in load_country_rows():
        code = str(row["code"])
        names[code] = str(row["name"])
        codes.setdefault(fold(code), code)
        for alias in [row["name"], *(row.get("aliases") or [])]:
            codes.setdefault(fold(str(alias)), code)
    return codes, names


def country_code(value: str) -> str:
    """The ISO code of a country given by name, alias or code (``france``, ``FR``, ``UK`` -> ``FR``, ``GB``).

    Raises:
        UserError: for a value no country is known by, with the closest names.
    """
    from pipelines.nlp.gazetteer import fold

    codes, names = _countries()
    code = codes.get(fold(value))
    if code:
        return code
    close = _closest(fold(value), {key: names[code] for key, code in codes.items()})
    raise UserError(
        f"unknown country {value!r}", f"{_did_you_mean(close)}Use a country's name or ISO code (France, FR)"
    )


def country_name(code: str) -> str:
    """The name the analysis gives the country of ISO ``code`` (``GB`` -> ``United Kingdom``)."""
    return _countries()[1].get(code, code)


@functools.lru_cache(maxsize=1)
def _languages() -> dict[str, str]:
    """Folded ISO 639-1 code or English name -> code (Babel's CLDR data)."""
    from babel import Locale

    out: dict[str, str] = {}
    for code, name in Locale("en").languages.items():
        if len(code) == 2:
            out.setdefault(code, code)
            out.setdefault(name.lower(), code)
    return out


def language_code(value: str) -> str:
    """The ISO 639-1 code of a language given by code or English name (``en``, ``English`` -> ``en``).

    Raises:
        UserError: for anything else, with the closest codes.
    """
    languages = _languages()
    key = value.strip().lower()
    if key in languages:
        return languages[key]
    close = _closest(key, languages)
    raise UserError(
        f"unknown language {value!r}", f"{_did_you_mean(close)}Use an ISO 639-1 code such as en, fr, de, uk"
    )


def mission_id(catalogue: Any, value: str) -> str:
    """The id of a mission given by id, name or alias (``UNIFIL`` -> ``lebanon``), case-insensitive.

    Raises:
        UserError: for a value no mission is known by, with the closest ids.
    """
    key = value.strip().lower()
    names: dict[str, str] = {}
    for mid in catalogue.ids:
        mission = catalogue.missions[mid]
        for name in (mid, mission.name, *mission.aliases):
            names.setdefault(str(name).lower(), mid)
    if key in names:
        return names[key]
    close = _closest(key, names)
    raise UserError(
        f"unknown mission {value!r}; known missions: {', '.join(catalogue.ids)}",
        f"{_did_you_mean(close)}See 'peacewatch missions'; add your own with the missions_file setting",
    )
