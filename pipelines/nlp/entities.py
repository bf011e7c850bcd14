"""Normalising spaCy entities to countries, people and organisations.

Each entity span is resolved through the gazetteer: places, capitals, seats of government and
demonyms to a country (ISO 3166 alpha-2); organisation aliases to an organisation, coalition or
mission; people to one canonical spelling, and leaders to the country or organisation they spoke
for on the article's date.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Span

from .gazetteer import Gazetteer, Office, fold, load_gazetteer
from .person_names import (
    NAME_TITLES,
    RANKS,
    is_thing,
    looks_like_name,
    merge_people,
    name_part,
    table_person,
    trim_name,
)

logger = logging.getLogger(__name__)

_PLACE_LABELS = frozenset({"GPE", "LOC", "NORP", "FAC", "ORG"})
_TITLE_WORDS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "sir",
        "dame",
        "lord",
        "lady",
        "president",
        "prime",
        "minister",
        "chancellor",
        "general",
        "gen",
        "lt",
        "lt-gen",
        "maj-gen",
        "brig-gen",
        "col",
        "secretary",
        "senator",
        "sen",
        "king",
        "queen",
        "prince",
        "sheikh",
        "pm",
        "premier",
        "ambassador",
        "envoy",
    }
)
_BYLINE = re.compile(r"^\W*(?:by|written by|reporting by|author)\b", re.IGNORECASE)
# A dateline opening a line: "NAIROBI, Kenya (Reuters) —", "UNITED NATIONS (AP) -", "Kyiv, March 3 (Reuters) -".
# The places in it say where the report was filed, not who acts.
_DATELINE = re.compile(
    r"^[ \t]*(?:[A-Z][A-Z.'\-]+(?:[ \t][A-Z][A-Z.'\-]+)*(?:,[ \t]*[^\n,()—–]{2,30}){0,2}[ \t]*(?:\([^()\n]{1,40}\))?"
    r"|[A-Z][\w.'\-]+(?:[ \t][A-Z][\w.'\-]+)*(?:,[ \t]*[^\n,()—–]{2,30}){0,2}[ \t]*\([^()\n]{1,40}\))"
    r"[ \t]*(?:—|–|--|-|:)[ \t]",
    re.MULTILINE,
)


@dataclass
class Mention:
    """A resolved entity mention.

    Attributes:
        kind: country, person, organisation, coalition, mission or armed_group.
        name: normalised output name.
        code: ISO alpha-2 code for countries (and for people who speak for a country).
        actor_id: for people, the country code / organisation id they speak for (else None).
        how: how the name resolved (name, capital, seat, demonym, alias, office...).
        office: the office held on the article date, for people.
    """

    text: str
    label: str
    kind: str
    name: str
    code: str | None
    start: int
    end: int
    token_start: int
    token_end: int
    how: str
    actor_id: str | None = None
    office: Office | None = None
    members: tuple[str, ...] = ()  # for country groups: the members' ISO codes

    def as_dict(self, title_len: int) -> dict:
        """Output record; offsets are relative to the field (title or text) they occur in."""
        in_title = self.start < title_len
        offset = 0 if in_title else title_len
        return {
            "text": self.text,
            "label": self.label,
            "name": self.name,
            "kind": self.kind,
            "country_code": self.code,
            "where": "title" if in_title else "text",
            "start": self.start - offset,
            "end": self.end - offset,
        }


def _strip_titles(text: str, titles: frozenset[str] = frozenset(), honorifics: frozenset[str] = frozenset()) -> str:
    """Drop the titles before a name: the common ones and ``honorifics`` down to a lone surname
    ("King Abdullah", "Datuk Seri Rahmat"), ranks and offices (``titles``) down to two words ("Maj
    Gen Jeff Nyagah", "Taoiseach Simon Harris")."""
    words = text.replace("’s", "").replace("'s", "").split()
    while len(words) > 1:
        word = words[0].lower().strip(".")
        if word in _TITLE_WORDS or (len(words) > 2 and word in titles) or word in honorifics:
            words = words[1:]
        else:
            break
    return " ".join(words)


def _entities(doc, honorifics: frozenset[str] = frozenset()) -> list:
    """The document's entities, two person spans with only a space between them made one
    ("Jean Claude" + "Kassy Brou"); a person span of honorifics only goes on over the name after
    it ("Datuk Seri" + "Rahmat Aziz", round 9)."""
    ents = list(doc.ents)
    out = []
    i = 0
    while i < len(ents):
        ent = ents[i]
        nxt = ents[i + 1] if i + 1 < len(ents) else None
        if (
            nxt is not None
            and ent.label_ == nxt.label_ == "PERSON"
            and nxt.start == ent.end
            and doc[ent.end - 1].whitespace_ == " "
            and not ent.ent_id_
            and not nxt.ent_id_
        ):
            ent = Span(doc, ent.start, nxt.end, label="PERSON")
            i += 1
        elif ent.label_ == "PERSON" and not ent.ent_id_ and _name_goes_on(doc, ent, nxt):
            ent = Span(doc, ent.start, ent.end + 1, label="PERSON")  # "Espen Barth" + "Eide"
            if honorifics and all(t.lower_ in honorifics for t in ent[:-1]):
                end = ent.end
                while end < min(len(doc), ent.end + 3) and _goes_on(doc, end, nxt):
                    end += 1
                ent = Span(doc, ent.start, end, label="PERSON")
        out.append(ent)
        i += 1
    return out


def _name_goes_on(doc, ent, nxt) -> bool:
    """The small NER model often stops a three-word name one word short ("Espen Barth| Eide told"):
    the next word continues it when it is a capitalised proper noun outside any entity, joined by
    one space, not a sentence start, and the name has at most three words so far (round 6)."""
    if ent.end >= len(doc) or len(ent) > 3:
        return False
    return _goes_on(doc, ent.end, nxt)


def _goes_on(doc, i: int, nxt) -> bool:
    """Token ``i`` continues the name before it: a capitalised proper noun outside any entity,
    after one space, not a sentence start."""
    if i >= len(doc) or doc[i - 1].whitespace_ != " " or (nxt is not None and nxt.start <= i):
        return False
    tok = doc[i]
    return tok.pos_ == "PROPN" and tok.is_title and tok.is_alpha and not tok.ent_type_ and not tok.is_sent_start


def _titled(doc, ent, titles: frozenset[str]) -> bool:
    """An office or rank is written right before the span ("Envoy Staffan de Mistura") or in an
    apposition right after it ("Godfrey Otunge, the mission's spokesperson", "Rameau Normil,
    Director General")."""
    if ent.start > 0 and doc[ent.start - 1].lower_.strip(".") in titles:
        return True
    after = doc[ent.end : min(len(doc), ent.end + 6)]
    if len(after) < 2 or after[0].text != ",":
        return False
    for tok in after[1:]:
        if tok.is_punct or tok.is_sent_start:
            return False
        if tok.lower_ in titles:
            return True
    return False


def _person_mention(name: str, span, gaz: Gazetteer, day: dt.date, how: str) -> Mention:
    """A person's mention over ``span``; a table office on ``day`` makes them speak for its actor."""
    office = gaz.office_on(name, day)
    actor_id = office.actor_id if office else None
    return Mention(
        text=span.text,
        label="PERSON",
        kind="person",
        name=name,
        code=actor_id if actor_id in gaz.countries else None,
        how="office" if office else how,
        start=span.start_char,
        end=span.end_char,
        token_start=span.start,
        token_end=span.end,
        actor_id=actor_id,
        office=office,
    )


@lru_cache(maxsize=4)
def _title_sets(
    title_words: frozenset[str], honorifics: frozenset[str] = frozenset()
) -> tuple[frozenset[str], frozenset[str]]:
    """Words stripped before a name (nameparser's titles, the office titles and the honorifics of
    titles.yaml) and words that mark the span beside them as a person's name (ranks, office titles
    and honorifics): built once, not per document."""
    return NAME_TITLES | title_words | honorifics, RANKS | title_words | honorifics


def _country_surnames(doc, gaz: Gazetteer) -> dict[str, str]:
    """Country names that are the surname of a table person named in full in this document
    ("Prime Minister Luís Montenegro"): folded country name -> the person."""
    out: dict[str, str] = {}
    for ent in doc.ents:
        if ent.ent_id_ in gaz.countries and ent.start > 0 and doc[ent.start - 1].is_title:
            name = gaz.person(f"{doc[ent.start - 1].text} {ent.text}")
            if name:
                out[fold(ent.text)] = name
    return out


def _is_byline(ent, text: str | None = None) -> bool:
    """A person on a short line of their own or after "By" is an author, not a subject.

    ``text`` is the document's text when the caller has it (spaCy joins every token's text each
    time ``Doc.text`` is read)."""
    if text is None:
        text = ent.doc.text
    line_start = text.rfind("\n", 0, ent.start_char) + 1
    line_end = text.find("\n", ent.end_char)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if _BYLINE.match(line) or _BYLINE.match(text[max(line_start, ent.start_char - 12) : ent.start_char]):
        return True
    return (
        len(line.split()) <= 6
        and not re.search(r"[.!?\"”]\s*$", line.strip())
        and len(line) < 60
        and line.strip().startswith(ent.text.split()[0])
    )


def resolve_entities(doc, gaz: Gazetteer, day: dt.date) -> list[Mention]:
    """Resolve all entities of a parsed document.

    Args:
        doc: spaCy Doc with entities.
        gaz: loaded gazetteer.
        day: the article date (for leaders' terms of office).

    Returns:
        Mentions in document order; unresolvable entities are dropped.
    """
    mentions: list[Mention] = []
    titles, roles = _title_sets(gaz.title_words, gaz.honorifics)
    country_people = _country_surnames(doc, gaz)
    doc_text = doc.text
    datelines = [(m.start(), m.end()) for m in _DATELINE.finditer(doc_text[:5000])]
    surnames: dict[str, str] = {}  # folded last name -> canonical full name seen in this doc
    consumed: set[int] = set()  # tokens already part of a person found here ("India Walton")
    titled: dict[str, Office] = {}  # person -> office given by a title in this doc
    for ent in _entities(doc, gaz.honorifics):
        if ent.start in consumed:
            continue
        label = ent.label_
        text = ent.text.strip()
        base = dict(
            text=text, label=label, start=ent.start_char, end=ent.end_char, token_start=ent.start, token_end=ent.end
        )
        dateline = any(a <= ent.start_char < b for a, b in datelines)
        if ent.ent_id_ in gaz.countries and fold(text) in country_people and not dateline:
            # "Luís Montenegro ... Montenegro said": the surname of a person named in full here
            full = gaz.person(f"{doc[ent.start - 1].text} {text}") if ent.start > 0 else None
            span = doc[ent.start - 1 : ent.end] if full else ent
            mentions.append(_person_mention(country_people[fold(text)], span, gaz, day, "name (surname is a country)"))
            continue
        if ent.ent_id_ and ent.ent_id_ in gaz.countries:
            code = ent.ent_id_
            how = {"NORP": "demonym", "ORG": "seat"}.get(label) or (gaz.place(text) or (code, "name"))[1]
            if dateline:
                how = "dateline"
            elif label == "GPE" and how == "name" and _first_name(doc, ent, gaz):
                # "India Walton said": a person's first name, not the country
                span = doc[ent.start : ent.end + 1]
                consumed.add(ent.end)
                surnames[fold(span.text.split()[-1])] = span.text
                mentions.append(_person_mention(span.text, span, gaz, day, "name (first name is a place)"))
                continue
            mentions.append(Mention(kind="country", name=gaz.countries[code].name, code=code, how=how, **base))
            continue
        if ent.ent_id_ and ent.ent_id_ in gaz.groups:
            group = gaz.groups[ent.ent_id_]
            members = _group_members(doc, ent, group.members)
            if members:
                mentions.append(Mention(kind="group", name=group.name, code=None, how="group", members=members, **base))
            continue
        if ent.ent_id_ and ent.ent_id_ in gaz.organisations:
            org = gaz.organisations[ent.ent_id_]
            if _national_body(doc, ent):
                continue  # "Russia's Security Council" is a national body, not the UN's

            mentions.append(
                Mention(kind=org.kind, name=org.name, code=None, how="dateline" if dateline else "ruler", **base)
            )
            continue
        if label in _PLACE_LABELS:
            place = gaz.place(text) or gaz.place(_strip_titles(text))
            if place:
                code, how = place
                how = "dateline" if dateline else how
                mentions.append(Mention(kind="country", name=gaz.countries[code].name, code=code, how=how, **base))
                continue
            org = gaz.organisation(text)
            if org:
                mentions.append(
                    Mention(kind=org.kind, name=org.name, code=None, how="dateline" if dateline else "alias", **base)
                )
                continue
        if label not in ("PERSON", "ORG", "GPE", "NORP"):
            continue
        stripped = _strip_titles(text, titles, gaz.honorifics)
        # a lone surname first means someone already named in this article ("Mike Johnson ... Johnson")
        local = surnames.get(fold(stripped)) if len(stripped.split()) == 1 else None
        name = local or gaz.person(stripped) or gaz.person(text)
        if name is None and label == "PERSON":
            if _is_byline(ent, doc_text):
                continue
            words = trim_name(name_part(stripped.split()), gaz.not_name_words, gaz.not_name_verbs)
            if not words:
                continue
            if all(w.lower().strip(".") in titles for w in words):
                name = None  # "Brig Gen" without the name
            elif len(words) >= 2:
                name = None if is_thing(words, gaz) else table_person(" ".join(words), gaz) or " ".join(words)
            elif words:
                name = surnames.get(fold(words[0])) or gaz.person(words[0])
        elif name is None and label in ("ORG", "GPE") and _titled(doc, ent, roles):
            # spaCy's small model often labels a person's name as an organisation or a place
            words = stripped.split()
            if looks_like_name(words, gaz):
                name = table_person(stripped, gaz) or stripped
        if name is None:
            continue
        surnames[fold(name.split()[-1])] = name
        office = gaz.office_on(name, day)
        how = "office"
        if office is None:
            office = _title_office(ent, name, gaz, day) or titled.get(name)
            how = "title in the text"
            if office:
                titled.setdefault(name, office)
        actor_id = office.actor_id if office else None
        code = actor_id if actor_id in gaz.countries else None
        mentions.append(
            Mention(
                kind="person",
                name=name,
                code=code,
                how=how if office else "name",
                actor_id=actor_id,
                office=office,
                **base,
            )
        )
    mentions = _untagged_people(doc, gaz, day, mentions)
    return _coordinated_places(doc, gaz, mentions)


def _untagged_people(doc, gaz: Gazetteer, day: dt.date, mentions: list[Mention]) -> list[Mention]:
    """Names the small NER model left untagged (round 9): a run of two or three capitalised proper
    nouns outside every entity that is a leaders-table name ("Prime Minister of Great Britain Keir
    Starmer"). (Any such run after an office word, "spokesperson X Y", found one more person over
    all English parts and six things: not shipped.)"""
    covered = {i for m in mentions for i in range(m.token_start, m.token_end)}
    added: list[Mention] = []
    i = 0
    while i < len(doc):
        j = i
        while j < len(doc) and j - i < 3 and _bare_name_token(doc[j], covered) and (j == i or not doc[j].is_sent_start):
            j += 1
        if j - i < 2 or (j < len(doc) and _bare_name_token(doc[j], covered)):
            i = max(j, i + 1)
            continue
        span = doc[i:j]
        name = gaz.person(span.text)
        if name is not None and len(name.split()) >= 2:
            added.append(_person_mention(name, span, gaz, day, "name (untagged)"))
        i = j
    if not added:
        return mentions
    return sorted(mentions + added, key=lambda m: m.start)


def _bare_name_token(tok, covered: set[int]) -> bool:
    return tok.i not in covered and not tok.ent_type_ and tok.pos_ == "PROPN" and tok.is_title and tok.is_alpha


_UN_WORDS = ("un", "u.n.", "united nations", "u.n")


def _national_body(doc, ent) -> bool:
    """A generic institution name ("Security Council") owned by a country: "Russia's Security
    Council", "the Russian Security Council", "the national security council"."""
    words = ent.text.lower()
    if "council" not in words or any(w in words.split() or words.startswith(w + " ") for w in _UN_WORDS):
        return False
    i = ent.start - 1
    if i >= 0 and doc[i].lower_ in ("'s", "’s"):
        i -= 1
    if i < 0:
        return False
    prev = doc[i]
    return prev.lower_ == "national" or (
        prev.ent_type_ in ("GPE", "NORP") and prev.ent_id_ not in ("", None) and not prev.text.isupper()
    )


_QUANTIFIERS = frozenset(
    {
        "some",
        "several",
        "many",
        "few",
        "most",
        "various",
        "certain",
        "number",
        "handful",
        "majority",
        "minority",
        "half",
        "individual",
        "remaining",
        "group",
        "dozen",
        "couple",
        "host",
        "range",
        "series",
        "bunch",
        "list",
        "each",
        "any",
        "none",
    }
)


def _first_name(doc, ent, gaz: Gazetteer) -> bool:
    """A country name right before a surname is a first name ("Israel Rosen, a Labour MP",
    "India Walton said"): one capitalised word follows that is no place, organisation or word of
    an institution's name, and no further capitalised word follows it."""
    if len(ent) != 1 or ent.end >= len(doc) or doc[ent.start].whitespace_ != " ":
        return False
    nxt = doc[ent.end]
    if not (nxt.pos_ == "PROPN" and nxt.is_title and nxt.is_alpha and len(nxt) > 2):
        return False
    if nxt.ent_type_ not in ("", "PERSON") or gaz.place(nxt.text) or gaz.organisation(nxt.text):
        return False
    if (
        nxt.lower_ in gaz.name_words
        or nxt.lower_ in gaz.title_words
        or (ent.end + 1 < len(doc) and doc[ent.end + 1].is_title and doc[ent.end + 1].pos_ == "PROPN")
    ):
        return False
    if nxt.ent_type_ == "PERSON":  # spaCy's NER reads the next word as a person's name
        return True
    # "India Walton, a researcher at ...": an apposition says what the person is
    after = doc[ent.end + 1 : ent.end + 4]
    return (
        len(after) == 3
        and after[0].text == ","
        and after[1].lower_ in ("a", "an", "the")
        and any(t.dep_ == "appos" for t in doc[ent.end + 2 : min(len(doc), ent.end + 7)])
    )


# Groups larger than this stand for none of their members (an explicit list next to them still counts):
# "whether the EU member states can send troops" is not a position of each of 27 countries.
MAX_EXPANDED_GROUP = 8
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}


def _group_members(doc, ent, members: tuple[str, ...]) -> tuple[str, ...]:
    """The members a group phrase stands for; none when a quantifier makes it a part of the group
    ("some EU countries", "two Baltic states", "other EU members" without "the"), and none for a
    big group ("EU member states": the text rarely means every one of 27 members)."""
    if len(members) > MAX_EXPANDED_GROUP:
        return ()
    head = ent.root
    words = [t for t in head.children if t.i < head.i] + [t for t in ent if t.i < head.i]
    before = doc[max(ent.sent.start, ent.start - 3) : ent.start]
    lowered = {t.lower_ for t in [*words, *before]}
    if lowered & _QUANTIFIERS or (lowered & {"other", "another"} and "the" not in lowered):
        return ()
    for t in [*words, *before]:
        count = _NUMBER_WORDS.get(t.lower_)
        if count is None and t.text.replace(",", "").isdigit():
            count = int(t.text.replace(",", ""))
        if count is not None and count < len(members):
            return ()
    of = next((t for t in reversed(before) if t.lower_ == "of"), None)
    if of is not None and (
        of.head.like_num or of.head.lower_ in _QUANTIFIERS or of.head.lemma_.lower() in _QUANTIFIERS
    ):
        return ()  # "two of the Baltic states", "a large group of EU countries"
    return members


def _title_office(ent, name: str, gaz: Gazetteer, day: dt.date) -> Office | None:
    """The office a title next to the name gives ("Danish Prime Minister Karen Holst", "Karen Holst,
    Denmark's prime minister"), when it names the country or organisation; None for past or other
    people's titles ("former", "opposition")."""
    doc = ent.doc
    sent = ent.sent
    windows = []
    before, i = [], ent.start - 1
    while i >= sent.start and len(before) < 8 and not (doc[i].is_punct and doc[i].text not in ("-", "'s", "’s", ".")):
        before.insert(0, doc[i])
        i -= 1
    inside = [t for t in ent if t.lower_ in {w for title in gaz.titles for w in title}]
    windows.append(before + inside)
    if ent.end < sent.end and doc[ent.end].text == ",":  # apposition: "Karen Holst, Denmark's prime minister,"
        after, j = [], ent.end + 1
        while j < sent.end and len(after) < 9 and not (doc[j].is_punct and doc[j].text not in ("-", "'s", "’s", ".")):
            after.append(doc[j])
            j += 1
        windows.append(after)
    for window in windows:
        lowered = [t.lower_ for t in window]
        if not window or set(lowered) & gaz.not_current:
            continue
        role = next(
            (
                " ".join(title)
                for k in range(len(lowered))
                for title in gaz.titles
                if tuple(lowered[k : k + len(title)]) == title
            ),
            None,
        )
        if role is None:
            continue
        for t in window:
            actor_id = None
            if t.ent_id_ and (
                t.ent_id_ in gaz.countries or (t.ent_id_ in gaz.organisations and gaz.organisations[t.ent_id_].actor)
            ):
                actor_id = t.ent_id_
            elif t.pos_ in ("PROPN", "ADJ") and t.text[:1].isupper():
                place = gaz.place(t.text)
                actor_id = place[0] if place else None
            if actor_id and _before_other_demonym(t, actor_id, gaz):
                continue  # "Greek Cypriot leader X": the community's country, not Greece (round 12)
            if actor_id:
                return Office(name, actor_id, role, day, None, source="text")
    return None


def _before_other_demonym(tok, code: str, gaz: Gazetteer) -> bool:
    """The word is followed by another country's demonym ("Greek Cypriot", "Turkish Cypriots")."""
    if tok.i + 1 >= len(tok.doc):
        return False
    after = tok.doc[tok.i + 1]
    place = gaz.place(after.text) if after.is_title else None
    return bool(place and place[0] != code and place[1] == "demonym")


def _coordinated_places(doc, gaz: Gazetteer, mentions: list[Mention]) -> list[Mention]:
    """Country names the ruler skips as ambiguous ("Chad", "Niger", "Jordan") count when they are
    coordinated with a country mention ("Chad, Niger and Burkina Faso") and NER left them out."""
    covered = {i: m for m in mentions for i in range(m.token_start, m.token_end)}
    added = []
    for tok in doc:
        if tok.i in covered or tok.pos_ != "PROPN" or tok.ent_type_ not in ("", "GPE", "PERSON", "ORG", "NORP"):
            continue
        place = gaz.place(tok.text)
        if not place or place[1] != "name":
            continue
        partners = [tok.head] if tok.dep_ == "conj" else []
        partners += [c for c in tok.children if c.dep_ == "conj"]
        if any(covered.get(p.i) is not None and covered[p.i].kind == "country" for p in partners):
            code = place[0]
            added.append(
                Mention(
                    text=tok.text,
                    label="GPE",
                    kind="country",
                    name=gaz.countries[code].name,
                    code=code,
                    how="name (coordinated)",
                    start=tok.idx,
                    end=tok.idx + len(tok),
                    token_start=tok.i,
                    token_end=tok.i + 1,
                )
            )
    if not added:
        return mentions
    return sorted(mentions + added, key=lambda m: m.start)


# a capital or seat named as the place where something happens ("a conference held in Doha",
# "speaking from Addis Ababa") is a venue, not a mention of its country (round 6)
_VENUE_PREPS = frozenset({"in", "at", "near", "outside", "inside", "within", "around", "from"})


def _community(doc, m: Mention, after, before) -> bool:
    """Round 12: a demonym naming a community of people living in another country: followed by that
    country's demonym ("Greek Cypriot leaders", "Turkish Cypriots"), after that country's name
    ("Kosovo Serbs"), or coordinated with an ethnic group ("ethnic Albanians and Serbs")."""
    gaz = load_gazetteer()
    if m.code and _before_other_demonym(doc[m.token_end - 1], m.code, gaz):
        return True
    if before is not None and before.is_title:
        place = gaz.place(before.text)
        if place and place[0] != m.code and place[1] == "name":
            return True
    head = doc[m.token_end - 1]
    if head.dep_ == "conj":
        first = head.head
        return first.i > 0 and doc[first.i - 1].lower_ == "ethnic"
    return False


def _size_of(doc, m: Mention) -> bool:
    """Round 12: a country named as a measure of size ("a region the size of France")."""
    i = m.token_start
    return i >= 2 and doc[i - 1].lower_ == "of" and doc[i - 2].lower_ == "size"


def _language(doc, m: Mention) -> bool:
    """Round 12: a demonym naming a language ("a speech delivered partly in French")."""
    tok = doc[m.token_end - 1]
    return m.token_end - m.token_start == 1 and tok.dep_ == "pobj" and tok.head.lower_ == "in"


def not_the_country(doc, m: Mention) -> bool:
    """Whether a country mention names no country in the article's list: a demonym naming an ethnic
    group ("Greek Cypriots", "Turkish Cypriot leaders", "the ethnic Serb half") or a capital or seat
    only as a venue (:data:`_VENUE_PREPS`). Needs the dependency parse."""
    if _size_of(doc, m):
        return True
    if m.how == "demonym":
        after = doc[m.token_end] if m.token_end < len(doc) else None
        before = doc[m.token_start - 1] if m.token_start > 0 else None
        return bool(
            (after is not None and after.ent_type_ == "NORP" and after.is_title)
            or (before is not None and before.lower_ == "ethnic")
            or _community(doc, m, after, before)
            or _language(doc, m)
        )
    if m.how in ("capital", "seat"):
        tok = doc[m.token_end - 1]
        while tok.dep_ in ("compound", "conj", "appos") and tok.head.i != tok.i:
            tok = tok.head
        return tok.dep_ == "pobj" and tok.head.lower_ in _VENUE_PREPS
    return False


def summarise(mentions: list[Mention], gaz: Gazetteer, doc=None) -> dict[str, list[str]]:
    """Distinct countries (with codes), people and organisations, in order of first mention.

    With the parsed ``doc`` (the English route), country mentions that name no country
    (:func:`not_the_country`) and countries the gazetteer marks ``listed: false`` are left out of
    ``countries``; they stay mentions for the stances.
    """
    codes: dict[str, None] = {}
    people: dict[str, None] = {}
    orgs: dict[str, None] = {}
    for m in mentions:
        if m.kind == "country" and m.code:
            if doc is not None and (m.code in gaz.unlisted or not_the_country(doc, m)):
                continue
            codes.setdefault(m.code)
        elif m.kind == "person":
            people.setdefault(m.name)
            if m.code and not (doc is not None and m.code in gaz.unlisted):
                codes.setdefault(m.code)
        elif m.kind in ("organisation", "coalition", "armed_group", "mission"):
            orgs.setdefault(m.name)
    return {
        "country_codes": list(codes),
        "countries": [gaz.countries[c].name for c in codes],
        "people": merge_people(list(people), gaz),
        "organisations": list(orgs),
    }
