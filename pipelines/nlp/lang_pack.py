"""Language packs: the data of one language for the clause route (``data/lang/<code>/``).

A pack is four files and nothing else: ``topics.yaml`` (relevance, the format of
``data/topics.yaml``), ``cues.yaml`` (stance cues and clause words), ``names.yaml`` (places, seats,
demonyms, organisations, people, titles, name endings) and ``generated.json`` (CLDR names and
inflected forms, written by :mod:`pipelines.nlp.build_lang_data`). Adding a language is adding
its folder. Packs are loaded once per process and cached.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .gazetteer import DATA_DIR, fold
from .relevance import Topic, load_topics

logger = logging.getLogger(__name__)

LANG_DIR = DATA_DIR / "lang"
_PACK_FILES = ("topics.yaml", "cues.yaml", "names.yaml", "generated.json")


@dataclass(frozen=True)
class Cue:
    """One stance cue of a language."""

    lemma: str
    stance: str  # support / oppose / undecided
    weight: float
    noun: bool = False


@dataclass
class LanguagePack:
    """Everything the clause route needs for one language (see the module docstring)."""

    code: str
    topics: tuple[Topic, ...]
    cues: dict[str, Cue]  # lemma -> cue
    phrases: list[tuple[tuple[str, ...], Cue]]  # token sequences, longest first
    forms: dict[str, str]  # lower-case surface -> lemma
    separable: dict[str, tuple[str, str]]  # base verb -> (particle, full lemma)
    decision: frozenset[str]
    participation: frozenset[str]
    negation: frozenset[str]
    negation_after: frozenset[str]
    conditions: tuple[tuple[str, ...], ...]
    speech: frozenset[str]
    force_words: frozenset[str]
    clause_breaks: frozenset[str]
    pronouns: frozenset[str]
    place_preps: frozenset[str]
    genitive: frozenset[str]
    places: dict[str, str]  # folded name -> ISO code (names, capitals)
    place_words: dict[str, str]  # inflected word -> word of a name
    seats: dict[str, str]  # folded seat -> ISO code
    demonyms: list[tuple[re.Pattern[str], str]]
    organisations: dict[str, str]  # folded alias -> organisation id
    people: dict[str, str]  # folded spelling -> canonical name
    person_forms: dict[str, str]  # folded inflected word -> folded base word
    titles: frozenset[str]
    name_suffixes: tuple[tuple[str, str], ...]
    # endings of a surname in the nominative although they are also case endings ("Kowalska"): a
    # name ending in one keeps its words as written (round 9)
    nominative_endings: tuple[str, ...] = ()
    ending: frozenset[str] = frozenset()  # the force's ending: never a main cue ("demandait le retrait")
    actor_heads: frozenset[str] = frozenset()  # "le gouvernement de X": a genitive that is the actor
    agent: frozenset[str] = frozenset()  # passive agent: "approuvé par le Conseil"
    calendar: frozenset[str] = frozenset()  # month and day names (CLDR)
    given_names: frozenset[str] = frozenset()  # folded first names of the leaders table
    needs_object: frozenset[str] = frozenset()  # generic verbs: a stance only when the clause names the force
    references: frozenset[str] = frozenset()  # words that stand for the force ("l'initiative", "der Plan")
    not_objects: frozenset[str] = frozenset()  # objects that are not the force ("le sommet")
    pro_drop: bool = False  # subjects may be left out (es, it, pl)
    clitics: frozenset[str] = frozenset()  # object pronouns next to a cue ("l'a approuvé")
    inflection_fallback: tuple[str, ...] = ()  # endings tried off words the form table lacks
    negation_after_window: int = 4  # words after a cue searched for a negative ("schickt keine Soldaten")
    # words before a cue searched for a negative (after the actor); verb-final clauses need more
    # ("Italien wird keine Soldaten für eine ... Friedenstruppe stellen")
    negation_before_window: int = 6
    negation_limits: frozenset[str] = frozenset()  # "nicht nur", "pas seulement": no negation of what follows
    not_names: frozenset[str] = frozenset()  # capitalised institution words never in a person's name
    # common words that are also a leader's one-word alias: alone, no person ("Frieden": peace, not Luc Frieden)
    common_words: frozenset[str] = frozenset()
    condition_preps: frozenset[str] = frozenset()  # "sans", "ohne": conditions that do not cut the clause
    possessives: frozenset[str] = frozenset()  # "son opposition": the subject's
    person_pronouns: frozenset[str] = frozenset()  # "il", "er": the last person who spoke
    genitive_suffixes: tuple[str, ...] = ()  # "Libanons": an inflected name with this ending is a genitive
    relatives: frozenset[str] = frozenset()  # "qui", "che", "który": the name before them is the subject
    as_markers: frozenset[str] = frozenset()  # "considérer comme": "regard as", not a hesitation
    copulas: frozenset[str] = frozenset()  # "est", "ist", "è": a participle after them is a passive, not an attribute
    participle_before_noun: bool = False  # attributive participles precede the noun (de, uk, ru)
    and_words: frozenset[str] = frozenset()  # coordinating words of actor lists ("et", "und", "та")
    determiners: frozenset[str] = frozenset()  # articles: transparent before a name
    participle_endings: tuple[str, ...] = ()  # endings of participles (attributes of the force)
    whether: frozenset[str] = frozenset()  # "ob", "czy": support asked about is undecided
    # round 12: an offer under reservation, restricted or still being discussed ("unter Vorbehalt", "solo
    # con le Nazioni Unite", "discussioni in corso"): a support cue's clause holding one is undecided
    reservations: tuple[tuple[str, ...], ...] = ()
    # round 12: adverbs a clause that only lists actors may hold ("die Balten und jetzt auch die Polen")
    list_adverbs: frozenset[str] = frozenset()
    # round 13: weighing words ("envisager", "rozważać") that, negated before a participation word, are a
    # refusal of own troops ("n'envisage pas d'envoyer"), not hesitation
    considering: frozenset[str] = frozenset()
    # round 13: refusal words whose object can be the next clause ("a exclu que ... soient envoyés", "ha
    # escluso che ... siano inviati"): a participation in that clause is refused, not offered
    exclusions: frozenset[str] = frozenset()
    transliteration: dict[str, str] = field(default_factory=dict)  # letters -> Latin, for unknown names
    list_words: tuple[tuple[str, ...], ...] = ()  # "darunter", "a także", "anche": a list of actors goes on
    with_words: tuple[tuple[str, ...], ...] = ()  # "insieme a", "zusammen mit": the actor after it acts too
    requests: frozenset[str] = frozenset()  # "fordern", "exiger": with an ending in the next clause, oppose
    harms: frozenset[str] = frozenset()  # "attaque", "Angriff": condemning harm to the force is support
    topic_markers: tuple[tuple[str, ...], ...] = ()  # "jeśli chodzi o", "quant à": no condition
    gerund_endings: tuple[str, ...] = ()  # "rivendicando": a clause opened by a gerund keeps the subject
    gerund_markers: frozenset[str] = frozenset()  # "en" of "en proposant"
    means: frozenset[str] = frozenset()  # "logistique", "finanziell": backing by other means
    office_titles: frozenset[str] = frozenset()  # "président", "Außenminister": a title that speaks for a country
    former_words: frozenset[str] = frozenset()  # "ancien", "ehemalige": the title is someone else's or past
    compound_force_words: bool = False  # closed compounds end with a force word ("Friedenstruppen")
    capitalised_nouns: bool = False  # every noun is capitalised (de): capitals do not mark names
    origin_words: tuple[tuple[str, ...], ...] = ()  # "provenienti da": troops from the countries named
    # "autorstwa", "redatta da" (support), "wstrzymujących się" (undecided): the actors listed right
    # after one of these phrases take its stance (votes, abstentions and authors of a resolution)
    list_heads: dict[tuple[str, ...], str] = field(default_factory=dict)
    own_force: bool = False  # "la force de l'Union africaine": an organisation's own force backs it
    # round 11: a seat or state organ several countries share ("Bundesrat", "Nationalrat"): folded name ->
    # ISO codes; it stands for the one of them the article names most (none named: no mention)
    shared_seats: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # the force's leader: a form of one of these verbs (lemmas) right before an agent word ("dirigée par
    # le Kenya", "guidata dalla Nato", "kierowanej przez Kenię"; German compounds "Nato-geführte"), or one
    # of these phrases right before the actors ("unter Führung Kenias", "sous le commandement de l'ONU")
    leader_verbs: frozenset[str] = frozenset()
    leader_phrases: tuple[tuple[str, ...], ...] = ()
    contingent_preps: frozenset[str] = frozenset()  # "con" of "l'Uganda, con 4.500 soldati"
    since_words: frozenset[str] = frozenset()  # "depuis 2006": the year starts something still going on
    abbreviations: tuple[str, ...] = ()  # "ok.", "tys.": their full stop ends no sentence
    first_person_endings: tuple[str, ...] = ()  # "-iamo", "-emos", "-my": the verb's subject is the speaker
    not_cues: tuple[tuple[str, ...], ...] = ()  # "utrzymanie pokoju", "mandato": word sequences that hold no cue
    shared_subject: frozenset[str] = frozenset()  # "aber", "mais": the clause they open keeps the subject
    council_acts: frozenset[str] = frozenset()  # "renouveler", "autorizar": the UN acting is its Security Council
    # round 12: short endings of compound titles ("Armeechef", "Parteichef"): a longer word ending in one is a title
    title_endings: tuple[str, ...] = ()
    max_place_words: int = 4
    _demonym_cache: dict[str, str | None] = field(default_factory=dict, repr=False)
    stems: tuple[str, ...] = ()  # "word*" entries of the word lists, longest first
    _stem_cache: dict[str, str] = field(default_factory=dict, repr=False)

    def lemma(self, lower: str) -> str:
        """The lemma of a lower-case word: from the form table, else the pack's stem ("підтрима*")
        it starts with, else after taking off an inflection ending when that gives a known form
        or cue, else the word itself."""
        found = self.forms.get(lower)
        if found is not None:
            return found
        if self.stems and len(lower) >= 3:
            cached = self._stem_cache.get(lower)
            if cached is None:
                cached = next((stem for stem in self.stems if lower.startswith(stem[:-1])), "")
                if len(self._stem_cache) < 100_000:
                    self._stem_cache[lower] = cached
            if cached:
                return cached
        for ending in self.inflection_fallback:
            if lower.endswith(ending) and len(lower) - len(ending) >= 4:
                stem = lower[: -len(ending)]
                found = self.forms.get(stem) or (stem if stem in self.known_lemmas else None)
                if found is not None:
                    return found
        return lower

    @functools.cached_property
    def known_lemmas(self) -> frozenset[str]:
        """Every lemma the pack names (cues, word lists, the form table's lemmas)."""
        return (
            frozenset(self.forms.values())
            | frozenset(self.cues)
            | self.force_words
            | self.references
            | self.participation
            | self.speech
            | self.decision
            | self.ending
            | self.actor_heads
            | self.not_objects
        )

    @functools.cached_property
    def phrases_by_first(self) -> dict[str, tuple]:
        """Phrases indexed by their first word (those starting with a prefix "word*" excluded)."""
        out: dict[str, list] = {}
        for phrase in self.phrases:
            if not phrase[0][0].endswith("*"):
                out.setdefault(phrase[0][0], []).append(phrase)
        return {k: tuple(v) for k, v in out.items()}

    @functools.cached_property
    def phrases_with_prefix(self) -> tuple:
        return tuple(p for p in self.phrases if p[0][0].endswith("*"))

    @functools.cached_property
    def first_words(self) -> frozenset[str]:
        """First words (folded) of every place, seat and organisation name: other tokens start none."""
        out = set()
        for key in (*self.places, *self.seats, *self.shared_seats, *self.organisations):
            if key:
                word = key.split()[0]  # the tokenizer may cut "royaume-uni", "d'orsay", "r.-u."
                out.update(
                    {word, word.split("-")[0], word.split("'")[0] + "'" if "'" in word else word, word.split(".")[0]}
                )
        return frozenset(out)

    @functools.cached_property
    def list_singles(self) -> frozenset[str]:
        """One-word list words: transparent inside a list of actors ("Nepal e anche lo Sri Lanka")."""
        return frozenset(p[0] for p in self.list_words if len(p) == 1)

    def latin(self, name: str) -> str:
        """``name`` in Latin letters by the pack's transliteration table (unchanged without one)."""
        if not self.transliteration:
            return name
        words = []
        for word in name.split():
            latin = "".join(self.transliteration.get(c, c) for c in word.lower())
            words.append("-".join(part[:1].upper() + part[1:] for part in latin.split("-")))
        return " ".join(words)

    def demonym(self, lower: str) -> str | None:
        """ISO code of a demonym (adjective or people noun), else None; cached per word."""
        if lower in self._demonym_cache:
            return self._demonym_cache[lower]
        code = next((c for pattern, c in self.demonyms if pattern.fullmatch(lower)), None)
        if len(self._demonym_cache) < 50_000:
            self._demonym_cache[lower] = code
        return code


def available_languages() -> frozenset[str]:
    """Codes of the languages that have a complete pack."""
    return _available(str(LANG_DIR))


@functools.lru_cache(maxsize=4)
def _available(folder: str) -> frozenset[str]:
    root = Path(folder)
    if not root.is_dir():
        return frozenset()
    return frozenset(p.name for p in root.iterdir() if all((p / f).exists() for f in _PACK_FILES))


@functools.lru_cache(maxsize=1)
def _given_names() -> frozenset[str]:
    """Folded first names of the leaders table (a capitalised pair starting with one is a name)."""
    from .gazetteer import load_gazetteer

    return frozenset(name.split()[0] for name in (fold(n) for n in load_gazetteer().offices) if " " in name)


def _words(values: object) -> frozenset[str]:
    return frozenset(str(v).lower() for v in values or [])


def _phrases(values: object) -> tuple[tuple[str, ...], ...]:
    """Lower-case word sequences, longest first."""
    return tuple(sorted({tuple(str(v).lower().split()) for v in values or []}, key=len, reverse=True))


@functools.lru_cache(maxsize=16)
def load_pack(code: str) -> LanguagePack:
    """Load and compile the pack of ``code`` (cached).

    Raises:
        FileNotFoundError: the language has no complete pack.
    """
    folder = LANG_DIR / code
    if code not in available_languages():
        raise FileNotFoundError(f"no language pack for {code!r} under {LANG_DIR}")
    cues_data = yaml.safe_load((folder / "cues.yaml").read_text(encoding="utf-8")) or {}
    names = yaml.safe_load((folder / "names.yaml").read_text(encoding="utf-8")) or {}
    generated = json.loads((folder / "generated.json").read_text(encoding="utf-8"))
    cues: dict[str, Cue] = {}
    phrases: list[tuple[tuple[str, ...], Cue]] = []
    for stance in ("support", "oppose", "undecided"):
        for key, weight in (cues_data.get(stance) or {}).items():
            key = str(key).lower()
            noun = key.endswith("/n")
            lemma = key[:-2] if noun else key
            if " " in lemma:
                phrases.append((tuple(lemma.split()), Cue(lemma, stance, float(weight), noun)))
            else:
                cues[lemma] = Cue(lemma, stance, float(weight), noun)
        for phrase, weight in (cues_data.get(f"phrases_{stance}") or {}).items():
            phrases.append((tuple(str(phrase).lower().split()), Cue(str(phrase).lower(), stance, float(weight))))
    phrases.sort(key=lambda p: -len(p[0]))
    council_acts = _words(cues_data.get("council_acts"))
    # acts on mandates back the force when their clause names it ("ha prolungato il mandato della
    # missione"): a council act the cue lists lack is a support cue that needs its object
    council_cues = {lemma for lemma in council_acts if lemma not in cues and not lemma.endswith("*")}
    for lemma in council_cues:
        cues[lemma] = Cue(lemma, "support", 0.8, False)
    separable = {}
    for lemma, (particle, base) in (cues_data.get("separable") or {}).items():
        separable[str(base).lower()] = (str(particle).lower(), str(lemma).lower())
    places = {fold(name): code_ for name, code_ in generated["places"].items()}
    seats = {fold(seat): c for c, values in (names.get("seats") or {}).items() for seat in values}
    demonyms = [
        (re.compile(pattern), c) for c, patterns in (names.get("demonyms") or {}).items() for pattern in patterns or []
    ]
    organisations = {fold(alias): org for alias, org in (names.get("organisations") or {}).items()}
    people = {fold(spelling): name for spelling, name in (names.get("people") or {}).items()}
    longest = max((len(k.split()) for k in [*places, *seats, *organisations]), default=1)
    pack = LanguagePack(
        code=code,
        topics=load_topics(folder / "topics.yaml"),
        cues=cues,
        phrases=phrases,
        forms=generated.get("forms", {}),
        separable=separable,
        decision=_words(cues_data.get("decision")),
        participation=_words(cues_data.get("participation")),
        negation=_words(cues_data.get("negation")),
        negation_after=_words(cues_data.get("negation_after")),
        conditions=tuple(tuple(str(c).lower().split()) for c in cues_data.get("conditions") or []),
        speech=_words(cues_data.get("speech")),
        force_words=_words(cues_data.get("force_words")),
        clause_breaks=_words(cues_data.get("clause_breaks"))
        | frozenset(
            str(c).lower()
            for c in cues_data.get("conditions") or []
            if " " not in str(c) and str(c).lower() not in _words(cues_data.get("condition_preps"))
        ),
        pronouns=_words(cues_data.get("pronouns")),
        place_preps=_words(cues_data.get("place_preps")),
        genitive=_words(cues_data.get("genitive")),
        places=places,
        place_words=generated.get("place_words", {}),
        seats=seats,
        demonyms=demonyms,
        organisations=organisations,
        people=people,
        person_forms=generated.get("people", {}),
        titles=_words(names.get("titles")),
        title_endings=tuple(sorted(_words(names.get("title_endings")), key=len, reverse=True)),
        name_suffixes=tuple((str(a), str(b)) for a, b in names.get("name_suffixes") or []),
        nominative_endings=tuple(str(e) for e in names.get("nominative_endings") or []),
        max_place_words=min(longest, 6),
        ending=_words(cues_data.get("ending")),
        actor_heads=_words(cues_data.get("actor_heads")),
        agent=_words(cues_data.get("agent")),
        calendar=frozenset(generated.get("calendar") or ()),
        given_names=_given_names(),
        needs_object=_words(cues_data.get("needs_object")) | council_cues,
        references=_words(cues_data.get("references")) | _words(cues_data.get("means")),
        not_objects=_words(cues_data.get("not_objects")),
        pro_drop=bool(cues_data.get("pro_drop")),
        clitics=_words(cues_data.get("clitics")),
        inflection_fallback=tuple(str(e) for e in cues_data.get("inflection_fallback") or ()),
        negation_after_window=int(cues_data.get("negation_after_window") or 4),
        negation_before_window=int(cues_data.get("negation_before_window") or 6),
        negation_limits=_words(cues_data.get("negation_limits")),
        not_names=_words(names.get("not_names")),
        common_words=_words(names.get("common_words")),
        condition_preps=_words(cues_data.get("condition_preps")),
        possessives=_words(cues_data.get("possessives")),
        person_pronouns=_words(cues_data.get("person_pronouns")),
        genitive_suffixes=tuple(str(x) for x in names.get("genitive_suffixes") or ()),
        relatives=_words(cues_data.get("relatives")),
        as_markers=_words(cues_data.get("as_markers")),
        copulas=_words(cues_data.get("copulas")),
        participle_before_noun=bool(cues_data.get("participle_before_noun")),
        and_words=_words(cues_data.get("and_words")),
        determiners=_words(cues_data.get("determiners")),
        participle_endings=tuple(str(e) for e in cues_data.get("participle_endings") or ()),
        whether=_words(cues_data.get("whether")),
        reservations=_phrases(cues_data.get("reservations")),
        list_adverbs=_words(cues_data.get("list_adverbs")),
        considering=_words(cues_data.get("considering")),
        exclusions=_words(cues_data.get("exclusions")),
        list_words=_phrases(cues_data.get("list_words")),
        with_words=_phrases(cues_data.get("with_words")),
        council_acts=_words(cues_data.get("council_acts")),
        shared_subject=_words(cues_data.get("shared_subject")),
        requests=_words(cues_data.get("requests")),
        harms=_words(cues_data.get("harms")),
        topic_markers=_phrases(cues_data.get("topic_markers")),
        gerund_endings=tuple(str(e) for e in cues_data.get("gerund_endings") or ()),
        gerund_markers=_words(cues_data.get("gerund_markers")),
        compound_force_words=bool(cues_data.get("compound_force_words")),
        capitalised_nouns=bool(cues_data.get("capitalised_nouns")),
        origin_words=_phrases(cues_data.get("origin_words")),
        list_heads={
            phrase: stance
            for stance in ("support", "oppose", "undecided")
            for phrase in _phrases((cues_data.get("list_heads") or {}).get(stance))
        },
        own_force=bool(cues_data.get("own_force")),
        shared_seats={
            fold(seat): tuple(str(c) for c in codes) for seat, codes in (names.get("shared_seats") or {}).items()
        },
        leader_verbs=_words(cues_data.get("leader_verbs")),
        leader_phrases=_phrases(cues_data.get("leader_phrases")),
        contingent_preps=_words(cues_data.get("contingent_preps")),
        since_words=_words(cues_data.get("since_words")),
        not_cues=_phrases(cues_data.get("not_cues")),
        first_person_endings=tuple(str(e) for e in cues_data.get("first_person_endings") or ()),
        abbreviations=tuple(str(a) for a in cues_data.get("abbreviations") or ()),
        means=_words(cues_data.get("means")),
        office_titles=_words(names.get("office_titles")),
        former_words=_words(names.get("former_words")),
        transliteration={str(k): str(v) for k, v in (names.get("transliteration") or {}).items()},
    )
    words = [
        *pack.cues,
        *pack.force_words,
        *pack.references,
        *pack.participation,
        *pack.speech,
        *pack.decision,
        *pack.ending,
        *pack.needs_object,
        *pack.not_objects,
        *pack.negation,
        *pack.negation_after,
        *pack.harms,
        *pack.requests,
    ]
    pack.stems = tuple(sorted({w for w in words if w.endswith("*") and " " not in w}, key=len, reverse=True))
    logger.debug("language pack %s: %d cues, %d places", code, len(cues), len(places))
    return pack
