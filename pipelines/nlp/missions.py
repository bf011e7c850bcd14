"""Which peacekeeping force a stance is about: the missions catalogue and mission assignment.

The catalogue (``data/missions.yaml``, contract ``schemas/json/mission.v1.json``) lists each
mission's names and aliases in several languages, host countries (ISO codes) and theatre keywords.
A user's file (setting ``missions_file`` / ``PEACEWATCH_MISSIONS_FILE``) adds entries or replaces
entries with the same id; a bad entry stops the start with the entry and the reason.

Assignment is language-neutral: it matches the catalogue's words on the text (no parse) and uses
the host countries the language's NLP already resolved. For each stance (its evidence sentence):

1. the missions named in the sentence (name/alias 3, keyword 2, host-country mention 1); all
   missions that tie for the strongest sign are kept (an actor sending troops "to Ukraine and
   Gaza" gets one stance per mission);
2. else the missions named in the nearest preceding sentence, at most ``LOOKBACK`` sentences back;
3. else the article's dominant mission (the highest total, names in the title counting double);
4. else ``other``.

The article's ``missions`` are every mission its stances are about plus its dominant mission.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from peacewatch.errors import UserError

logger = logging.getLogger(__name__)

OTHER = "other"
MISSIONS_FILE_ENV = "PEACEWATCH_MISSIONS_FILE"
DATA_FILE = Path(__file__).with_name("data") / "missions.yaml"
LOOKBACK = 2  # sentences back a stance may take its mission from
WEIGHTS = {"name": 3, "keyword": 2, "host": 1}
TITLE_FACTOR = 2
MARGINAL_SHARE = 4  # a mission with under a quarter of the dominant one's total is named in passing
MIN_ARTICLE_SCORE = 2  # below this the article has no dominant mission (one host mention is not enough)


@dataclass(frozen=True)
class Mission:
    """One catalogue entry."""

    id: str
    name: str
    names: dict[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The entry as the catalogue file writes it."""
        return {
            "id": self.id,
            "name": self.name,
            "names": dict(self.names),
            "aliases": list(self.aliases),
            "hosts": list(self.hosts),
            "keywords": list(self.keywords),
            "from": self.start,
            "to": self.end,
        }


@dataclass(frozen=True)
class Sign:
    """A sign of a mission in the text: ``[start, end)`` characters, its kind and weight."""

    mission: str
    start: int
    end: int
    kind: str

    @property
    def weight(self) -> int:
        return WEIGHTS[self.kind]


def _iso(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return value


def _read(path: Path | str, origin: str) -> list[dict[str, Any]]:
    """Reads a missions file and checks it against the contract; raises UserError naming the entry."""
    from jsonschema import Draft202012Validator, FormatChecker

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(
            f"missions file {path} does not exist", f"fix the setting missions_file / {MISSIONS_FILE_ENV}"
        ) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UserError(
            f"{origin}: cannot read the missions file: {exc}".splitlines()[0][:300], "fix the YAML syntax"
        ) from None
    if isinstance(data, list):
        data = {"missions": data}
    if isinstance(data, dict) and isinstance(data.get("missions"), list):
        data = {
            **data,
            "missions": [{k: _iso(v) for k, v in m.items()} if isinstance(m, dict) else m for m in data["missions"]],
        }
    schema = json.loads(resources.files("schemas").joinpath("json", "mission.v1.json").read_text(encoding="utf-8"))
    checker = FormatChecker(formats=("date",))
    errors = sorted(
        Draft202012Validator(schema, format_checker=checker).iter_errors(data), key=lambda e: list(e.absolute_path)
    )
    if errors:
        error = errors[0]
        path_parts = list(error.absolute_path)
        entry = ""
        if len(path_parts) >= 2 and path_parts[0] == "missions" and isinstance(path_parts[1], int):
            item = data["missions"][path_parts[1]]
            label = item.get("id") if isinstance(item, dict) else None
            entry = f" entry {path_parts[1] + 1}" + (f" ({label!r})" if label else "")
            where = ".".join(str(p) for p in path_parts[2:])
            entry += f", field {where}" if where else ""
        raise UserError(
            f"{origin}: bad mission{entry}: {error.message}"[:400],
            "see schemas/json/mission.v1.json and pipelines/nlp/data/missions.yaml",
        )
    ids = [m["id"] for m in data["missions"]]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise UserError(
            f"{origin}: mission id {duplicates[0]!r} appears more than once",
            "give each mission its own id (an entry replaces a built-in one with the same id)",
        )
    return data["missions"]


def _mission(row: dict[str, Any]) -> Mission:
    return Mission(
        row["id"],
        row["name"],
        dict(row.get("names") or {}),
        tuple(row.get("aliases") or ()),
        tuple(row.get("hosts") or ()),
        tuple(row.get("keywords") or ()),
        row.get("from"),
        row.get("to"),
    )


class Catalogue:
    """The missions, with their text matchers compiled once."""

    def __init__(self, missions: Sequence[Mission]) -> None:
        self.missions: dict[str, Mission] = {m.id: m for m in missions}
        if OTHER not in self.missions:
            self.missions[OTHER] = Mission(OTHER, "Other or unidentified force")
        self.by_host: dict[str, list[str]] = {}
        exact: dict[str, tuple[str, str]] = {}
        folded: dict[str, tuple[str, str]] = {}
        for m in self.missions.values():
            for code in m.hosts:
                self.by_host.setdefault(code, []).append(m.id)
            for phrase in (m.name, *m.names.values(), *m.aliases):
                self._add(phrase, m.id, "name", exact, folded)
            for phrase in m.keywords:
                self._add(phrase, m.id, "keyword", exact, folded)
        self._exact, self._folded = exact, folded
        self._exact_re = self._compile(exact, 0)
        self._folded_re = self._compile(folded, re.IGNORECASE)
        # the English route reads one article's signs twice (the positions model's dominant mission,
        # then the stance records with host countries): the text's matches are found once
        self._matched = functools.lru_cache(maxsize=4)(self._match)

    @staticmethod
    def _add(phrase: str, mission: str, kind: str, exact: dict, folded: dict) -> None:
        phrase = phrase.strip()
        if len(phrase) < 2:
            return
        letters = [c for c in phrase if c.isalpha()]
        if letters and all(c.isupper() for c in letters) and len(phrase) <= 12:
            exact.setdefault(phrase, (mission, kind))  # an acronym: UNIFIL, ISF, MSS
        else:
            key = phrase.casefold()
            if key not in folded or WEIGHTS[kind] > WEIGHTS[folded[key][1]]:
                folded[key] = (mission, kind)

    @staticmethod
    def _compile(table: dict[str, Any], flags: int) -> re.Pattern[str] | None:
        if not table:
            return None
        # longest first, so "South Sudan" wins over "Sudan"; words bounded on both sides
        words = sorted(table, key=len, reverse=True)
        body = "|".join(re.escape(w).replace(r"\ ", r"[\s\u00a0]+") for w in words)
        return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", flags)

    @property
    def ids(self) -> list[str]:
        """Mission ids in catalogue order (``other`` last)."""
        return [i for i in self.missions if i != OTHER] + [OTHER]

    def check_id(self, mission_id: str) -> str:
        """``mission_id`` if known; else a UserError listing the known ids."""
        if mission_id in self.missions:
            return mission_id
        raise UserError(
            f"unknown mission {mission_id!r}; known missions: {', '.join(self.ids)}",
            "see 'peacewatch missions'; add your own with the missions_file setting",
        )

    def signs(self, text: str, host_mentions: Iterable[tuple[int, int, str]] = ()) -> list[Sign]:
        """Every sign of a mission in ``text``, in order; overlapping matches keep the longest.

        Args:
            text: the text the NLP analysed (title and body as one string).
            host_mentions: ``(start, end, ISO code)`` of the countries the NLP resolved in it.
        """
        found = list(self._matched(text))
        for start, end, code in host_mentions:
            for mission in self.by_host.get(code, ()):
                found.append(Sign(mission, start, end, "host"))
        # one sign per stretch of text: the longest, then the strongest
        found.sort(key=lambda s: (s.start, -(s.end - s.start), -s.weight))
        kept: list[Sign] = []
        for sign in found:
            if kept and sign.start < kept[-1].end:
                continue
            kept.append(sign)
        return kept

    def _match(self, text: str) -> tuple[Sign, ...]:
        """The names and keywords of missions in ``text``: acronyms as written, the rest folded."""
        found: list[Sign] = []
        if self._exact_re is not None:
            for m in self._exact_re.finditer(text):
                mission, kind = self._exact[m.group(0)]
                found.append(Sign(mission, m.start(), m.end(), kind))
        if self._folded_re is not None:
            for m in self._folded_re.finditer(text):
                key = re.sub(r"[\s\u00a0]+", " ", m.group(0)).casefold()
                hit = self._folded.get(key)
                if hit:
                    found.append(Sign(hit[0], m.start(), m.end(), hit[1]))
        return tuple(found)


@functools.lru_cache(maxsize=8)
def _load(extra: str | None) -> Catalogue:
    rows = _read(DATA_FILE, str(DATA_FILE))
    missions = {row["id"]: _mission(row) for row in rows}
    if extra:
        for row in _read(extra, extra):
            missions[row["id"]] = _mission(row)
    return Catalogue(list(missions.values()))


def missions_file_setting() -> str | None:
    """The user's missions file: ``PEACEWATCH_MISSIONS_FILE``, else ``missions_file`` in the settings."""
    try:
        from peacewatch.settings import load_settings

        return load_settings().missions_file
    except UserError:
        return None  # a broken configuration is reported by the command that needs it


def load_catalogue(missions_file: str | None = None) -> Catalogue:
    """The built-in catalogue plus the user's file (cached per process and file).

    Args:
        missions_file: a user's missions file; ``None`` reads the setting.

    Raises:
        UserError: the file is missing or an entry breaks the contract (naming the entry).
    """
    extra = missions_file if missions_file is not None else missions_file_setting()
    return _load(str(Path(extra).expanduser()) if extra else None)


# ----- assignment -------------------------------------------------------------------------------


def _sentence_index(bounds: Sequence[tuple[int, int]], position: int) -> int:
    lo, hi = 0, len(bounds) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if bounds[mid][1] <= position:
            lo = mid + 1
        elif bounds[mid][0] > position:
            hi = mid - 1
        else:
            return mid
    return max(0, min(lo, len(bounds) - 1))


def _strongest(signs: Iterable[Sign]) -> list[str]:
    best: dict[str, int] = {}
    for s in signs:
        best[s.mission] = max(best.get(s.mission, 0), s.weight)
    if not best:
        return []
    top = max(best.values())
    return list(dict.fromkeys(s.mission for s in signs if best[s.mission] == top))


def _coordinated(text: str, a: Sign, b: Sign) -> bool:
    """Two signs joined only by a separator or a short conjunction ("Ukraine and Gaza", "Gaza, Haiti")."""
    first, second = (a, b) if a.start <= b.start else (b, a)
    gap = text[first.end : second.start]
    return 0 < len(gap) <= 8 and len(gap.strip(" ,;/&\u00a0")) <= 5


class MissionAssigner:
    """Assigns missions to the stances of one article (create one per article; cheap).

    Args:
        catalogue: the missions.
        text: the analysed text (title and body).
        sentences: ``(start, end)`` character offsets of each sentence of ``text``, in order.
        host_mentions: ``(start, end, ISO code)`` of the countries the NLP resolved.
        title_len: characters of ``text`` that are the title (its signs count double).
    """

    def __init__(
        self,
        catalogue: Catalogue,
        text: str,
        sentences: Sequence[tuple[int, int]],
        host_mentions: Iterable[tuple[int, int, str]] = (),
        title_len: int = 0,
    ) -> None:
        self.catalogue = catalogue
        self.text = text
        self.sentences = list(sentences) or [(0, len(text))]
        self.signs = catalogue.signs(text, host_mentions)
        self.by_sentence: dict[int, list[Sign]] = {}
        totals: dict[str, float] = {}
        for sign in self.signs:
            self.by_sentence.setdefault(_sentence_index(self.sentences, sign.start), []).append(sign)
            totals[sign.mission] = totals.get(sign.mission, 0) + sign.weight * (
                TITLE_FACTOR if sign.start < title_len else 1
            )
        self.totals = totals
        ranked = sorted(totals.items(), key=lambda kv: -kv[1])
        self.dominant = ranked[0][0] if ranked and ranked[0][1] >= MIN_ARTICLE_SCORE else None

    def marginal(self, mission: str) -> bool:
        """A mission the article names only in passing next to a much stronger dominant one."""
        return (
            bool(self.dominant)
            and mission != self.dominant
            and self.totals.get(mission, 0) * MARGINAL_SHARE < self.totals.get(self.dominant, 0)
        )

    def _in_sentence(
        self, index: int, actors: frozenset[tuple[int, int]] = frozenset(), focus: Sequence[tuple[int, int]] = ()
    ) -> list[str]:
        # an actor holding the stance is not the place it is about ("Somalia supported the measure")
        signs = [
            s
            for s in self.by_sentence.get(index, [])
            if s.kind == "name" or not any(a < s.end and s.start < b for a, b in actors)
        ]
        if not signs:
            return []
        strong = [s for s in signs if s.weight >= WEIGHTS["keyword"]] or signs
        missions = list(dict.fromkeys(s.mission for s in strong))
        if len(missions) == 1:
            return missions
        if focus:
            # the forces in the cue's own phrase: "send troops to Ukraine and to Gaza"
            inside = [s for s in strong if any(a < s.end and s.start < b for a, b in focus)]
            if inside:
                return list(dict.fromkeys(s.mission for s in inside))
        if self.dominant in missions:
            # a force named in passing ("Italy, which leads UNIFIL, ...") does not take the stance
            # from the article's force, unless the two are coordinated ("to Ukraine and Gaza")
            anchors = [s for s in strong if s.mission == self.dominant]
            return [
                m
                for m in missions
                if m == self.dominant
                or any(_coordinated(self.text, a, s) for a in anchors for s in strong if s.mission == m)
            ]
        return _strongest(strong)

    def for_sentence(
        self, start: int, actors: Iterable[tuple[int, int]] = (), focus: Sequence[tuple[int, int]] = ()
    ) -> tuple[list[str], str]:
        """Missions of the stance whose evidence sentence starts at character ``start``, and why.

        Args:
            start: character offset of the evidence sentence.
            actors: ``(start, end)`` of the mentions of the actors holding stances in that sentence;
                country names there are not read as the theatre.
            focus: ``(start, end)`` of the words of the stance cue's phrase; when the sentence names
                several forces, those named there win.
        """
        index = _sentence_index(self.sentences, start)
        here = self._in_sentence(index, frozenset(actors), focus)
        if here:
            return here, "named in the sentence"
        for back in range(1, LOOKBACK + 1):
            earlier = self._in_sentence(index - back) if index - back >= 0 else []
            # a force named only in passing earlier (one host mention) does not outweigh the article's
            earlier = [m for m in earlier if not self.marginal(m)]
            if earlier:
                return earlier, f"named {back} sentence{'s' if back > 1 else ''} before"
        if self.dominant:
            return [self.dominant], "the article's main mission"
        return [OTHER], "no mission named"

    def article_missions(self, stance_missions: Iterable[str]) -> list[str]:
        """The article's missions: its dominant one, then those its stances are about."""
        out = [self.dominant] if self.dominant else []
        out.extend(stance_missions)
        return list(dict.fromkeys(out))
