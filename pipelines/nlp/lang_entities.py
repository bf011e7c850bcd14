"""Entities without NER for the clause route: places, seats, demonyms, organisations and people.

Places are matched on token sequences against the language pack (CLDR names and capitals,
inflected words mapped to the word of the name: "Wielkiej Brytanii" -> "Wielka Brytania");
demonyms by the pack's patterns ("françaises", "polscy", "deutschen"); organisations by their
aliases in the language; people by the leaders table (spellings of the language, inflected
forms, case endings undone: "Donalda Tuska" -> Donald Tusk) and, for others, by sequences of two
or more capitalised words that are not places, titles or function words. Output is the same
:class:`~pipelines.nlp.entities.Mention` the English route produces.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re

from .entities import Mention, _is_byline
from .gazetteer import Gazetteer, Office, fold
from .lang_pack import LanguagePack
from .person_names import is_thing

logger = logging.getLogger(__name__)

_NAME_PARTICLES = frozenset(
    {"von", "van", "der", "den", "de", "di", "da", "del", "la", "le", "bin", "al", "ibn", "dos"}
)
# round 12: articles that are a particle only after another one ("von der Leyen", "van den Broek"); alone
# they join nouns ("Soldaten der Friedenstruppe", "Spitze der Fraktion"): such a run is consumed as
# before but is no unknown person's name (letting the words after "der" be matched on their own found
# more organisations, and one more wrong actor on the shared dev_multilingual.jsonl: not shipped)
_SECOND_PARTICLES = frozenset({"der", "den"})
# particles joined to an Arabic surname by a hyphen ("al-Burhan", "el-Sisi"); "el" alone is an article
_JOINED_PARTICLES = _NAME_PARTICLES | {"el", "ben", "abu"}
_CAPITALISED = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-ſА-ЯЁІЇЄҐ][\w’'\-.]*$")
_INITIALS = re.compile(r"^(?:[A-Z]\.){1,3}$")
# words between a title and the comma before a name in an apposition ("el ministro de Defensa uruguayo, X")
_APPOSITION_WINDOW = 8


def _is_cap(token) -> bool:
    return (bool(_CAPITALISED.match(token.text)) and not token.text.isupper()) or bool(_INITIALS.match(token.text))


@functools.lru_cache(maxsize=65536)
def _fold_word(text: str) -> str:
    """Folded form of one token, as the first word of a folded name (cached: tokens repeat)."""
    folded = fold(text)
    return folded.split()[0] if folded else folded


def _place_key(span, pack: LanguagePack) -> str:
    """Folded name of a span with every inflected word mapped to the word of the name."""
    parts = []
    for tok in span:
        parts.append(pack.place_words.get(tok.text, tok.text) + tok.whitespace_)
    return fold("".join(parts))


class _Finder:
    """Finds the mentions of one document (create one per document)."""

    def __init__(self, doc, pack: LanguagePack, gaz: Gazetteer, stop_words: frozenset[str], day: dt.date) -> None:
        self.doc, self.pack, self.gaz, self.stop, self.day = doc, pack, gaz, stop_words, day
        self.mentions: list[Mention] = []
        self.surnames: dict[str, str] = {}  # folded surname (base form) -> canonical full name
        self.covered: set[int] = set()  # tokens inside a mention
        self.shared: list[tuple[int, int, tuple[str, ...]]] = []  # seats several countries share, resolved last
        self.title_cache: dict[str, bool] = {}  # lower-case word -> a title (words repeat)
        self.person_ends: set[int] = set()  # token after each person mention (round 12: names coordinated)

    def _add(
        self,
        start: int,
        end: int,
        *,
        label: str,
        kind: str,
        name: str,
        code: str | None,
        how: str,
        actor_id: str | None = None,
        office=None,
    ) -> None:
        span = self.doc[start:end]
        self.covered.update(range(start, end))
        self.mentions.append(
            Mention(
                text=span.text,
                label=label,
                kind=kind,
                name=name,
                code=code,
                start=span.start_char,
                end=span.end_char,
                token_start=start,
                token_end=end,
                how=how,
                actor_id=actor_id,
                office=office,
            )
        )

    def _fixed(self, i: int) -> int:
        """Organisation, seat or place starting at token ``i``; returns the tokens used (0: none)."""
        doc, pack = self.doc, self.pack
        text = doc[i].text
        first = _fold_word(pack.place_words.get(text, text))
        if first not in pack.first_words and _fold_word(text) not in pack.first_words:
            return 0
        for n in range(min(pack.max_place_words, len(doc) - i), 0, -1):
            span = doc[i : i + n]
            if span[-1].is_punct and n > 1:
                continue
            plain = fold(span.text)
            org_id = pack.organisations.get(plain)
            if org_id and org_id in self.gaz.organisations and (span.text[:1].isupper() or span.text.islower()):
                org = self.gaz.organisations[org_id]
                self._add(i, i + n, label="ORG", kind=org.kind, name=org.name, code=None, how="alias")
                return n
            if not span.text[:1].isupper():
                continue
            codes = pack.shared_seats.get(plain)
            if codes:
                self.shared.append((i, i + n, codes))
                self.covered.update(range(i, i + n))
                return n
            code = pack.seats.get(plain)
            if code and code in self.gaz.countries:
                self._add(
                    i, i + n, label="ORG", kind="country", name=self.gaz.countries[code].name, code=code, how="seat"
                )
                return n
            code = pack.places.get(_place_key(span, pack)) or pack.places.get(plain)
            if code and code in self.gaz.countries:
                self._add(
                    i, i + n, label="GPE", kind="country", name=self.gaz.countries[code].name, code=code, how="name"
                )
                return n
        return 0

    def _base_word(self, folded: str) -> str:
        """A name word with its case ending undone, when the base form is a known name word."""
        base = self.pack.person_forms.get(folded)
        if base:
            return base
        for ending, replacement in self.pack.name_suffixes:
            if folded.endswith(ending) and len(folded) - len(ending) >= 3:
                candidate = folded[: len(folded) - len(ending)] + replacement
                if candidate in self.surnames or self.gaz.person(candidate) or candidate in self.pack.people:
                    return candidate
        return folded

    def _known_person(self, words: list[str]) -> str | None:
        key = " ".join(words)
        return self.pack.people.get(key) or self.gaz.person(key)

    def _known_span(self, start: int, end: int) -> str | None:
        """The known person the tokens spell (as written or with case endings undone), or None."""
        words = [fold(w) for w in self.doc[start:end].text.split()]
        return self._known_person(words) or self._known_person([self._base_word(w) for w in words])

    def _inner_name(self, start: int, end: int) -> tuple[int, int, str] | None:
        """A known person inside a longer capitalised run that is no name as a whole (German
        capitalises every noun; Italian offices): "Amtskollege Wolodymyr Selenskyj", "degli Esteri
        Antonio Tajani", "Emmanuel Macron Möglichkeiten": (start, end, name) of the longest one, or
        None. (A run led by a known first name is not cut: the list of first names is short, and
        "Fernando José López del Pozo" would lose its first word.)"""
        doc = self.doc
        for size in range(end - start - 1, 1, -1):
            for a in range(start, end - size + 1):
                if doc[a].text == "-" or (a > start and doc[a - 1].text == "-" and not doc[a - 1].whitespace_):
                    continue
                name = self._known_span(a, a + size)
                if name is not None:
                    return a, a + size, name
        return None

    def _name_token(self, j: int) -> bool:
        tok = self.doc[j]
        low = tok.lower_
        if (
            not _is_cap(tok)
            or low in self.stop
            or low in self.pack.calendar
            or self.pack.demonym(low)
            or low in self.pack.not_names
            or self.pack.lemma(low) in self.pack.not_names  # "Koalicji" -> koalicja (round 9)
        ):
            return False
        if (
            low in self.pack.force_words
            or self.pack.lemma(low) in self.pack.cues
            or self.pack.lemma(low) in self.pack.speech
        ):
            return False
        return not self._place_or_institution(tok)

    def _place_or_institution(self, tok) -> bool:
        """The word names a place, an organisation or a seat of government, or is a title."""
        folded = fold(tok.text)
        return bool(
            self.pack.places.get(fold(self.pack.place_words.get(tok.text, tok.text)))
            or folded in self.pack.organisations
            or folded in self.pack.seats
            or self._is_title(tok.lower_)
        )

    def _after_particle(self, j: int) -> bool:
        """A capitalised word after a name particle that ends the name although it is no name
        token of its own (a function word: "Del Col"), not a place, organisation, title, month
        or demonym ("Abzug der Österreicher", "Campo de Mayo")."""
        tok = self.doc[j]
        if self._name_token(j) or "\n" in self.doc[j - 1].whitespace_:
            return False  # a name token is taken by the loop itself
        return not (
            self._place_or_institution(tok)
            or tok.lower_ in self.pack.not_names
            or tok.lower_ in self.pack.calendar
            or self.pack.demonym(tok.lower_)
        )

    def _is_title(self, low: str) -> bool:
        """A title or a noun for a person's role: as written in the pack ("m.", "gen."), the end of a
        compound ("Verteidigungsminister"; round 12: the pack's short ``title_endings``, "Armeechef"),
        the part after a hyphen ("AfD-Abgeordneten", "lieutenant-colonels") or by its lemma ("ministros")."""
        titles = self.pack.titles
        if low in titles:  # "m.", "sr.", "gen." as written in the pack
            return True
        known = self.title_cache.get(low)
        if known is None:
            known = self.title_cache[low] = self._title_word_form(low)
        return known

    def _title_word_form(self, low: str) -> bool:
        titles = self.pack.titles
        low = low.rstrip(".")
        if low in titles or any(len(t) >= 6 and low.endswith(t) for t in titles):
            return True
        if any(len(low) > len(e) + 2 and low.endswith(e) for e in self.pack.title_endings):
            return True
        head, hyphen, tail = low.rpartition("-")
        if hyphen and head and len(tail) > 2 and self._is_title(tail):
            return True
        lemma = self.pack.lemma(low)
        return lemma != low and lemma in titles

    def _introduced(self, start: int, end: int) -> bool:
        """An unknown name counts when a title or a speech verb stands next to it, or its first
        word is a known first name: "le général Alberto Asarta", "powiedział Jan Nowak"."""
        doc, pack = self.doc, self.pack
        # a title before the name, with only mentions or lower-case words between: "wiceszef MON
        # Wojciech Skurkiewicz", "le ministre congolais X", "minister obrony X", "la ministra de Defensa, X"
        j, steps = start - 1, 0
        while j >= 0 and steps < 5:
            tok = doc[j]
            if self._is_title(tok.lower_):
                return True
            if tok.text == "." and j > 0 and self._is_title(doc[j - 1].lower_ + "."):
                return True  # "kpt. Ryszarda ...": the tokenizer split the abbreviation's dot
            if not (
                j in self.covered
                or tok.text.islower()
                or tok.text == ","
                or tok.lower_ in self.stop
                or _acronym(tok.text)  # round 12: a party between title and name ("el diputado del PP X")
            ):
                k = j
                while k > 0 and doc[k].lower_ in pack.not_names:
                    k -= 1  # "il generale di Brigata X", "ministro degli Affari Esteri X": after a function word only
                if k == j or doc[k].lower_ not in self.stop:
                    break
                j = k
                continue
            j, steps = j - 1, steps + 1
        if self._coordinated(start):
            return True
        for j in [*range(max(0, start - 3), start), *range(end, min(len(doc), end + 3))]:
            if pack.lemma(doc[j].lower_) in pack.speech:
                return True
        if self._apposition_title(start, end):
            return True
        if _party_after(doc, start, end, lambda text: fold(text) in pack.organisations or self.gaz.organisation(text)):
            return True
        return (
            fold(doc[start].text) in pack.given_names
            or self.pack.person_forms.get(fold(doc[start].text)) in pack.given_names
        )

    def _coordinated(self, start: int) -> bool:
        """Round 12: a name right after "and" or a comma that follows a person's name (a parenthesis
        between them allowed) is introduced by it: "les colonels X et Y", "los ministros X (Defensa) y Y"."""
        doc, j = self.doc, start - 1
        if j < 1 or not (doc[j].lower_ in self.pack.and_words or doc[j].text == ","):
            return False
        j -= 1
        if doc[j].text == ")":
            while j > 0 and doc[j].text != "(" and start - j < 12:
                j -= 1
            j -= 1
        return j + 1 in self.person_ends

    def _title_word(self, tok) -> bool:
        low = tok.lower_
        return self._is_title(low) or low in self.pack.office_titles or self.pack.lemma(low) in self.pack.office_titles

    def _apposition_title(self, start: int, end: int) -> bool:
        """A title in an apposition on either side of the name, set off by a comma: "el ministro de
        Defensa uruguayo, Javier García", "le porte-parole du Quai d'Orsay, Pascal Confavreux",
        "Elbridge Colby, podsekretarz obrony USA", "Jane Doe, il vice rappresentante" (round 9).

        Before the name the words back to the title may be capitalised (institutions), at most
        :data:`_APPOSITION_WINDOW` of them; after it, lower-case words and mentions only."""
        doc = self.doc
        if start > 1 and doc[start - 1].text == ",":
            for j in range(start - 2, max(-1, start - 2 - _APPOSITION_WINDOW), -1):
                tok = doc[j]
                if tok.is_punct or "\n" in tok.whitespace_ or tok.is_sent_start:
                    break
                if self._title_word(tok):
                    return True
        if end + 1 < len(doc) and doc[end].text == ",":
            for j in range(end + 1, min(len(doc), end + 1 + 4)):
                tok = doc[j]
                if self._title_word(tok):
                    return True
                if not (tok.text.islower() or j in self.covered or tok.lower_ in self.stop):
                    break
        return False

    def _person(self, i: int) -> int:
        """A person name starting at token ``i``; returns the tokens used (0: none)."""
        doc = self.doc
        start = i
        while start < len(doc) and self._is_title(doc[start].lower_):
            start += 1
        if start > i:
            return start - i  # titles are consumed; the name after them is matched next
        j = i
        bare_article = False  # "der"/"den" joined the run without "von"/"van" before it
        while j < len(doc) and j - i < 6:
            if j > i and ("\n" in doc[j - 1].whitespace_ or doc[j - 1].text in ",;:"):
                break
            if self._name_token(j):
                j += 1
            elif (
                doc[j].text == "-"
                and j > i
                and not doc[j - 1].whitespace_
                and not doc[j].whitespace_
                and j + 1 < len(doc)
                and self._name_token(j + 1)
            ):
                j += 2  # "Kosiniak-Kamysz" split by the tokenizer
            elif j > i and _joined_particle(doc[j].text):
                j += 1  # "Abdel Fattah al-Burhan": a particle joined to the surname by a hyphen (round 9)
            elif (
                j > i
                and doc[j].lower_ in _NAME_PARTICLES
                and j + 2 < len(doc)
                and doc[j + 1].lower_ in _SECOND_PARTICLES
                and _is_cap(doc[j + 2])
            ):
                j += 3  # "Ursula von der Leyen", "Jan van den Broek" (round 12)
            elif doc[j].lower_ in _NAME_PARTICLES and j > i and j + 1 < len(doc) and _is_cap(doc[j + 1]):
                if doc[j].lower_ in _SECOND_PARTICLES and doc[j - 1].lower_ not in _NAME_PARTICLES:
                    bare_article = True
                # the word after a particle is the surname even when it is also a function word
                # ("Stefano Del Col"), unless it names a place, a month or a people
                j += 2 if self._after_particle(j + 1) else 1
            else:
                break
        while j > i and doc[j - 1].lower_ in _NAME_PARTICLES:
            j -= 1
        if j == i:
            return 0
        span = doc[i:j]
        words = [fold(w) for w in span.text.split()]
        if j - i == 1 and doc[i].lower_ in self.pack.common_words:
            return 1  # "Frieden" (peace) alone is no Luc Frieden; "Luc Frieden" is
        name = self._known_span(i, j)
        if name is None and j - i >= 3:
            inner = self._inner_name(i, j)
            if inner is not None and inner[0] > i:
                return inner[0] - i  # capitalised words before a name ("Amtskollege", "Esteri"): the name is next
            if inner is not None:
                j, name = inner[1], inner[2]  # a name followed by a capitalised noun ("Macron Möglichkeiten")
                span = doc[i:j]
                words = [fold(w) for w in span.text.split()]
        if name is None and len(words) == 1:
            name = self.surnames.get(words[0]) or self.surnames.get(self._base_word(words[0]))
        if name is None and len(words) == 2:  # another spelling of a known person's first name
            last = self._base_word(words[-1])
            known = self.pack.people.get(last) or self.gaz.person(last)
            if (known and fold(known.split()[-1]) in (last, words[-1])) or (known and last in self.pack.people):
                name = known
        if name is None:
            if (
                bare_article  # "Soldaten der Friedenstruppe", "Spitze der Fraktion" (round 12)
                or len(words) < 2
                or len(words) > 4
                or not self._introduced(i, j)
                or _is_byline(span)
                or is_thing(span.text.split(), self.gaz)
            ):
                return j - i
            name = span.text
            if self.pack.name_suffixes or self.pack.person_forms:  # undo case endings word by word
                name = " ".join(self._base_name(span.text.split()))
            name = self.pack.latin(name)
        self.surnames[fold(name.split()[-1])] = name
        self.person_ends.add(j)
        office = self.gaz.office_on(name, self.day)
        actor_id = office.actor_id if office else None
        code = actor_id if actor_id in self.gaz.countries else None
        self._add(
            i,
            j,
            label="PERSON",
            kind="person",
            name=name,
            code=code,
            how="office" if office else "name",
            actor_id=actor_id,
            office=office,
        )
        return j - i

    def _hyphen_prefix(self, i: int) -> bool:
        """ "US-Präsident", "EU-Kommission", "Nato-Staaten": a compound led by a place or organisation."""
        text = self.doc[i].text
        if "-" not in text[1:-1]:
            return False
        prefix = text.split("-", 1)[0]
        folded = fold(prefix)
        org_id = self.pack.organisations.get(folded) or self.gaz.org_names.get(folded)
        if org_id and org_id in self.gaz.organisations and prefix[:1].isupper():
            org = self.gaz.organisations[org_id]
            self._add(i, i + 1, label="ORG", kind=org.kind, name=org.name, code=None, how="compound")
            return True
        code = self.pack.places.get(folded) or self.gaz.country_names.get(folded)
        if code and code in self.gaz.countries and prefix[:1].isupper() and len(prefix) > 1:
            self._add(
                i, i + 1, label="GPE", kind="country", name=self.gaz.countries[code].name, code=code, how="compound"
            )
            return True
        return False

    def _base_name(self, words: list[str]) -> list[str]:
        """The nominative of an unknown name (round 9): each word's base form from the lookup table;
        when the first name is an inflected form the table knows ("Anny"), the other words lose
        the case ending of the pack's ``name_suffixes`` too ("Anny Kowalskiej" -> Anna Kowalska);
        so do all words when the surname ends in an ending of three letters or more ("Tomasza
        Zielińskiego" -> Tomasz Zieliński) or when every word ends in the same ending ("Ryszarda
        Wilczaka", "Bogdanowi Mazurowi"), unless the surname ends in one of the pack's
        ``nominative_endings`` ("Anna Kowalska" stays; a pack without them keeps the last two rules off)."""
        bases = [self._display_base(w) for w in words]
        pack = self.pack
        if len(words) < 2 or not pack.name_suffixes or any(b != w for w, b in zip(words[1:], bases[1:])):
            return bases
        first = pack.person_forms.get(fold(words[0]))
        if first and first != fold(words[0]):
            return [bases[0], *(self._strip_ending(w) for w in words[1:])]
        last = words[-1]
        if (
            not pack.nominative_endings  # a pack that lists none cannot tell "Анна Петрова" from an oblique case
            or bases[0] != words[0]
            or any(last.endswith(e) for e in pack.nominative_endings)
        ):
            return bases
        long_ending = next((e for e, _ in pack.name_suffixes if last.endswith(e) and len(e) >= 3), None)
        for ending, _ in pack.name_suffixes:
            if long_ending or all(w.endswith(ending) for w in words):
                stripped = [self._strip_ending(w) for w in words]
                return stripped if all(s != w for s, w in zip(stripped, words)) else bases
        return bases

    def _strip_ending(self, word: str) -> str:
        """``word`` without the first of the pack's case endings it ends in (3 letters left at least)."""
        for ending, replacement in self.pack.name_suffixes:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                return word[: len(word) - len(ending)] + replacement
        return word

    def _display_base(self, text: str) -> str:
        base = self.pack.person_forms.get(fold(text))
        if base and fold(text) != base:
            return base[:1].upper() + base[1:] if text[:1].isupper() else base
        return text

    def _titled_offices(self) -> None:
        """ "le président kazakh, Kassym-Jomart Tokaïev", "ambasador Izraela Danny Danon", "X, ministre
        congolais des Affaires étrangères,": a person outside the leaders table with an office title next
        to a country or organisation speaks for it (an office "in the text"), unless a former_words word
        ("l'ancien président") makes the title a past one."""
        if not self.pack.office_titles:
            return
        by_token = {i: m for m in self.mentions for i in range(m.token_start, m.token_end)}
        for k, m in enumerate(self.mentions):
            if m.kind != "person" or m.office is not None:
                continue
            found = self._title_window(m, range(m.token_start - 1, max(-1, m.token_start - 9), -1), by_token) or (
                self._title_window(m, range(m.token_end + 1, min(len(self.doc), m.token_end + 7)), by_token)
                if m.token_end < len(self.doc) and self.doc[m.token_end].text == ","
                else None
            )
            if found is None:
                continue
            title, actor = found
            office = Office(
                m.name,
                actor.code if actor.kind == "country" else self._org_id(actor),
                title,
                self.day,
                None,
                source="text",
            )
            if office.actor_id is None:
                continue
            self.mentions[k] = Mention(
                text=m.text,
                label=m.label,
                kind=m.kind,
                name=m.name,
                code=actor.code if actor.kind == "country" else None,
                start=m.start,
                end=m.end,
                token_start=m.token_start,
                token_end=m.token_end,
                how="title in the text",
                actor_id=office.actor_id,
                office=office,
            )

    def _org_id(self, m: Mention) -> str | None:
        org = self.gaz.organisation(m.name)
        return org.id if org is not None and org.actor else None

    def _title_window(self, person: Mention, positions, by_token: dict) -> tuple[str, Mention] | None:
        """The office title and the country or organisation next to it in ``positions`` (stops at
        punctuation other than a comma right by the name, and at another person)."""
        title, actor = None, None
        for j in positions:
            tok = self.doc[j]
            low = tok.lower_
            if low in self.pack.former_words:
                return None
            other = by_token.get(j)
            if other is not None:
                if other.kind == "person":
                    break
                if (
                    other.kind in ("country", "organisation", "coalition")
                    and other.how != "compound"
                    and (actor is None or (actor.kind != "country" and other.kind == "country"))
                ):
                    actor = other  # "ambasador Izraela przy ONZ": the country, not the organisation
                continue
            if low in self.pack.office_titles or self.pack.lemma(low) in self.pack.office_titles:
                title = title or low
                continue
            if tok.is_punct and not (
                (tok.text == "," and abs(j - person.token_start) <= 1) or (tok.text == "," and j == person.token_end)
            ):
                break
        return (title, actor) if title and actor else None

    def find(self) -> list[Mention]:
        doc, pack = self.doc, self.pack
        i = 0
        while i < len(doc):
            tok = doc[i]
            if tok.is_space or tok.is_punct:
                i += 1
                continue
            used = self._fixed(i)
            if used:
                i += used
                continue
            if self._hyphen_prefix(i):
                i += 1
                continue
            code = pack.demonym(tok.lower_)
            if code and code in self.gaz.countries:
                self._add(
                    i, i + 1, label="NORP", kind="country", name=self.gaz.countries[code].name, code=code, how="demonym"
                )
                i += 1
                continue
            if _is_cap(tok):
                used = self._person(i)
                if used:
                    i += used
                    continue
            i += 1
        self._shared_seats()
        self._titled_offices()
        return self.mentions

    def _shared_seats(self) -> None:
        """ "Der Bundesrat will den Einsatz verlängern": a seat several countries share stands for the one
        of them the article names most (the first named on a tie); none named: no mention."""
        counts: dict[str, int] = {}
        first: dict[str, int] = {}
        for m in self.mentions:
            if m.kind == "country" and m.code:
                counts[m.code] = counts.get(m.code, 0) + 1
                first.setdefault(m.code, m.token_start)
        for start, end, codes in self.shared:
            named = [c for c in codes if c in counts and c in self.gaz.countries]
            if named:
                code = max(named, key=lambda c: (counts[c], -first[c]))
                name = self.gaz.countries[code].name
                self._add(start, end, label="ORG", kind="country", name=name, code=code, how="seat")


def _acronym(text: str) -> bool:
    """A short word in capitals: a party or an institution's abbreviation ("PP", "SPD", "UAM")."""
    return 2 <= len(text) <= 6 and text.isupper() and text.isalpha()


def _joined_particle(text: str) -> bool:
    """A name particle joined to a capitalised surname by a hyphen: "al-Burhan", "el-Sisi", "bin-Zayed"."""
    head, hyphen, rest = text.partition("-")
    return bool(hyphen) and head.lower() in _JOINED_PARTICLES and rest[:1].isupper() and rest.replace("-", "").isalpha()


def _party_after(doc, start: int, end: int, known_organisation) -> bool:
    """A party's abbreviation in parentheses right after the name, as the press names members of a
    parliament: "Nils Schmid (SPD)", "Raymond Clottu (SVP/NE)", "Jan Kowalski (PiS)". An organisation's
    own acronym is none ("Kosovo Force (KFOR)", "Atlantique Nord (OTAN)"): a known organisation, or one
    led by an initial of the words before it."""
    if end + 2 >= len(doc) or doc[end].text != "(":
        return False
    initials = {doc[i].text[0] for i in range(start, end) if doc[i].text[:1].isupper()}
    j, parts = end + 1, 0
    while j < len(doc) and doc[j].text != ")" and j - end <= 4:
        text = doc[j].text
        if text not in "/-":
            if not (2 <= len(text) <= 6 and text[0].isupper() and sum(c.isupper() for c in text) >= 2):
                return False
            if parts == 0 and (text[0] in initials or known_organisation(text)):
                return False
            parts += 1
        j += 1
    return parts > 0 and j < len(doc) and doc[j].text == ")"


def find_mentions(doc, pack: LanguagePack, gaz: Gazetteer, day: dt.date) -> list[Mention]:
    """All mentions of a document parsed by :func:`pipelines.nlp.lang_model.load_lang_nlp`.

    Args:
        doc: the spaCy Doc (tokens and sentences only).
        pack: the language pack.
        gaz: the gazetteer (countries, organisations, leaders with dated offices).
        day: the article's date (for leaders' terms of office).

    Returns:
        Mentions in document order.
    """
    return _Finder(doc, pack, gaz, _stop_words(doc.lang_), day).find()


@functools.lru_cache(maxsize=16)
def _stop_words(code: str) -> frozenset[str]:
    from spacy.util import get_lang_class

    return frozenset(w.lower() for w in get_lang_class(code).Defaults.stop_words)
