"""Stance extraction without a dependency parse, for the languages of the clause route.

Per sentence that talks about the force (a force word of the language pack, or a mission
mention), and the sentence after it:

1. The sentence is cut into clauses at punctuation (a comma inside a list of actors does not
   cut), quotes and the pack's clause words (*mais, aber, pero, ma, ale, que, dass, że...*).
2. Cues come from the pack: phrases first, then lemmas (generated forms; German separable verbs
   "lehnt ... ab" when the particle closes the clause). The first cue of a clause is its main
   cue; later cues are its complement ("refuse de participer", "prêt à envoyer"): a later
   oppose cue turns a support main cue into oppose ("demandait le retrait").
3. Actor of the main cue, in this order: for a noun cue, the actor named right after it
   ("le refus de la Pologne", "sprzeciw Rosji"); the nearest actor to its left in the clause
   (with the actors coordinated with it); the nearest to its right in the clause (inversions:
   "lehnte Polen ... ab"); a country whose troops the clause names ("soldats français",
   "polscy żołnierze"); the reported speaker ("..., a déclaré Macron", "sagte Merz",
   "powiedział Tusk"); for a pronoun or no subject (pro-drop), the actors of the previous
   sentence. Places after a place preposition ("en Ukraine", "w Polsce") and names after a
   genitive ("la proposition de la France") are not actors of a verb cue. Leaders stand for
   their country on the article's date, seats and capitals for theirs.
4. Polarity: a negation between the actor and the cue (or within a few words before it), or a
   negative determiner right after it ("n'enverra aucun soldat", "schickt keine Soldaten")
   flips support -> oppose (a refusal of OWN troops when the cue is a participation word) and
   oppose -> undecided ("n'exclut pas"); ``decision`` words count only negated (-> undecided).
   A condition marker in the clause ("si", "wenn", "solo se", "pod warunkiem") is recorded; a
   refusal of own troops under a condition is undecided. A negated weighing word (``considering``)
   before a participation word refuses own troops ("n'envisage pas d'envoyer"), and so does an
   exclusion (``exclusions``) or a negated weighing whose object is the next clause's participation
   ("ha escluso che ... siano inviati soldati").

Hits are :class:`pipelines.nlp.stances.Hit` records, merged per actor by
:func:`pipelines.nlp.stance_merge.merge_hits` exactly as on the English route.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from .entities import Mention
from .gazetteer import Gazetteer
from .lang_pack import Cue, LanguagePack
from .missions import load_catalogue
from .stances import Actor, Hit, _actor_from_mention, _refer, council_for_mandates

logger = logging.getLogger(__name__)

_HARD_BREAKS = frozenset(";:()[]—–")  # quotes do not cut: they often mark a single word
_COORDINATORS = frozenset({","})  # with the pack's list words and articles (cues.yaml)
_ACTOR_KINDS = frozenset({"country", "organisation", "coalition", "armed_group", "person"})
_RIGHT_WINDOW = 10
# relative pronouns that are also conjunctions or articles: relative only after a comma
_AMBIGUOUS_RELATIVES = frozenset({"que", "che", "der", "die", "das"})
# actors found in the clause itself (all that a sentence off the force's topic may use)
_EXPLICIT = frozenset(
    {
        "named after the noun cue",
        "passive agent",
        "nearest actor before the cue",
        "actor ending the previous clause",
        "possessive: the subject's",
        "actor after the cue",
        "antecedent of the relative pronoun",
    }
)
_SHORT_PARENTHESIS = 8  # tokens inside parentheses that stay in their clause


def _troop_number(text: str) -> bool:
    """A number of troops (20 or more: "deux soldats blessés" reports casualties, not a contribution);
    a range counts by its first number ("80-100")."""
    if "-" in text[1:]:
        text = text.split("-", 1)[0]
    digits = text.replace(".", "").replace(",", "").replace("\u202f", "").replace(" ", "")
    return digits.isdigit() and int(digits) >= 20


def _article_hosts(text: str) -> frozenset[str]:
    """Host countries of the article's main mission: the catalogue's names and keywords, the title's
    (its first line) counting twice, as the missions step weighs them."""
    catalogue = load_catalogue()
    title_end = text.find("\n")
    weights: dict[str, int] = {}
    for sign in catalogue.signs(text):
        weights[sign.mission] = weights.get(sign.mission, 0) + sign.weight * (2 if sign.start < title_end else 1)
    if not weights:
        return frozenset()
    main = max(sorted(weights), key=lambda mission: weights[mission])
    return frozenset(catalogue.missions[main].hosts)


@dataclass
class _CueHit:
    """A cue found in a sentence: token span and lexicon entry."""

    start: int
    end: int
    cue: Cue
    text: str


class ClauseStanceExtractor:
    """Extract stance hits from one document of the clause route (one instance per document)."""

    def __init__(
        self,
        doc,
        mentions: list[Mention],
        pack: LanguagePack,
        gaz: Gazetteer,
        day: dt.date | None = None,
    ) -> None:
        self.doc, self.pack, self.gaz, self.day = doc, pack, gaz, day
        self.mentions = mentions
        self._coordinators = _COORDINATORS | pack.and_words | pack.determiners
        self.low = [t.lower_ for t in doc]  # lower-case text and lemma of every token, computed once
        self.lem = [pack.lemma(w) for w in self.low]
        self.by_token: dict[int, Mention] = {}
        for m in mentions:
            for i in range(m.token_start, m.token_end):
                self.by_token[i] = m
        self.last_actors: list[Actor] = []
        self.hosts = _article_hosts(doc.text)  # the countries the article's forces are deployed in
        self._clause_cache: dict[int, list[tuple[int, int]]] = {}
        self._compound_cache: dict[str, bool] = {}
        self._cue_cache: dict[tuple[int, int], list[_CueHit]] = {}
        self._pending: tuple[int, int, _CueHit, list[_CueHit]] | None = None  # a cue that found no actor

    # ----- clauses and cues
    def _clauses(self, sent) -> list[tuple[int, int]]:
        """Token ranges [start, end) of the clauses of a sentence (cached per sentence start)."""
        cached = self._clause_cache.get(sent.start)
        if cached is None:
            cached = self._clause_cache[sent.start] = self._cut_clauses(sent)
        return cached

    def _short_parentheses(self, sent) -> set[int]:
        """Tokens of short parentheses ("(China y Rusia)", "(31 marzo 2018)"): they do not cut."""
        out, opened = set(), None
        for tok in sent:
            if tok.text == "(":
                opened = tok.i
            elif tok.text == ")" and opened is not None:
                if tok.i - opened - 1 <= _SHORT_PARENTHESIS and not self._cues(opened + 1, tok.i):
                    out.update((opened, tok.i))  # "(wstrzymały się od głosu Rosja i Chiny)" has its own cue
                opened = None
        return out

    def _dash(self, tok) -> bool:
        """A hyphen standing apart is a dash ("-solo se abstuvo Estados Unidos-"); inside a word it is not."""
        return tok.text == "-" and (tok.whitespace_ != "" or (tok.i > 0 and self.doc[tok.i - 1].whitespace_ != ""))

    def _cut_clauses(self, sent) -> list[tuple[int, int]]:
        bounds, start = [], sent.start
        keep = self._short_parentheses(sent)
        for tok in sent:
            low = tok.lower_
            cut = False
            if tok.i in keep and "\n" not in tok.whitespace_:
                continue
            if tok.text in _HARD_BREAKS or "\n" in tok.whitespace_ or self._dash(tok):
                cut = True
            elif tok.text == ",":
                before = self.by_token.get(tok.i - 1)
                after = next(
                    (self.by_token.get(j) for j in range(tok.i + 1, min(tok.i + 3, sent.end)) if self.by_token.get(j)),
                    None,
                )
                cut = not (before and after and before.kind in _ACTOR_KINDS and after.kind in _ACTOR_KINDS)
            elif low in self.pack.clause_breaks and tok.i > start:
                if tok.i > start:
                    bounds.append((start, tok.i))
                start = tok.i
                continue
            if cut:
                if tok.i + 1 > start:
                    bounds.append((start, tok.i + 1))
                start = tok.i + 1
        if start < sent.end:
            bounds.append((start, sent.end))
        return [b for b in bounds if b[1] > b[0]]

    def _phrase_at(self, i: int, end: int) -> _CueHit | None:
        doc = self.doc
        candidates = (
            self.pack.phrases_by_first.get(self.low[i], ())
            + self.pack.phrases_by_first.get(self.lem[i], ())
            + self.pack.phrases_with_prefix
        )
        for words, cue in candidates:
            n = len(words)
            if i + n > end:
                continue
            if all(
                self.low[i + k] == w or (w.endswith("*") and self.low[i + k].startswith(w[:-1])) or self.lem[i + k] == w
                for k, w in enumerate(words)
            ):
                return _CueHit(i, i + n, cue, doc[i : i + n].text)
        return None

    def _cues(self, start: int, end: int) -> list[_CueHit]:
        """The cues of [start, end) (cached: clauses are read several times)."""
        found = self._cue_cache.get((start, end))
        if found is None:
            found = self._cue_cache[(start, end)] = self._find_cues(start, end)
        return found

    def _find_cues(self, start: int, end: int) -> list[_CueHit]:
        doc, pack = self.doc, self.pack
        out: list[_CueHit] = []
        i = start
        while i < end:
            if i in self.by_token:
                i += 1
                continue
            skip = self._phrase_len(i, pack.not_cues, end) if pack.not_cues else 0
            if skip:
                i += skip  # "utrzymanie pokoju", "il mandato": no cue
                continue
            phrase = self._phrase_at(i, end)
            if phrase:
                out.append(phrase)
                i = phrase.end
                continue
            low = self.low[i]
            if not pack.capitalised_nouns and self._proper_word(i):
                i += 1  # "la Difesa", "il Ministro Guido": a name or an institution, not a cue
                continue
            if any(self.low[j] in pack.condition_preps for j in range(max(start, i - 3), i)):
                i += 1  # "sans un soutien américain", "bez amerykańskiego wsparcia": part of a condition
                continue
            lemma = pack.lemma(low)
            if lemma in pack.separable:
                particle, full = pack.separable[lemma]
                if any(self.low[j] == particle for j in range(i + 1, end)):
                    lemma = full
            cue = pack.cues.get(lemma) or pack.cues.get(low)
            if cue is None and (lemma in pack.ending or low in pack.ending):
                cue = Cue(lemma, "ending", 0.7, False)
            if cue is None and lemma in pack.decision:
                cue = Cue(lemma, "decision", 0.8, False)
            if cue is not None:
                out.append(_CueHit(i, i + 1, cue, doc[i].text))
            i += 1
        return out

    def _proper_word(self, i: int) -> bool:
        """A capitalised word inside a sentence (not after an opening quote, dash or colon)."""
        tok = self.doc[i]
        if not tok.text[:1].isupper() or tok.text.isupper() or tok.is_sent_start or i == 0:
            return False
        prev = self.doc[i - 1]
        return not (prev.is_punct and prev.text not in ",;)") and "\n" not in prev.whitespace_

    # ----- actors
    def _phrase_len(self, i: int, phrases: tuple[tuple[str, ...], ...], end: int) -> int:
        """Length of the first of ``phrases`` (word sequences) starting at token ``i`` before ``end``; 0 if none."""
        for words in phrases:
            n = len(words)
            if i + n <= end and all(self.low[i + k] == w for k, w in enumerate(words)):
                return n
        return 0

    def _with_before(self, m: Mention, start: int) -> int | None:
        """Start of a "together with" phrase right before ``m`` (articles may sit between), else None."""
        j = m.token_start
        while j - 1 >= start and self.low[j - 1] in self.pack.determiners:
            j -= 1
        for words in self.pack.with_words:
            i = j - len(words)
            if i >= start and self._phrase_len(i, (words,), j) == len(words):
                return i
        return None

    def _is_actor_mention(self, m: Mention | None) -> bool:
        return m is not None and m.kind in _ACTOR_KINDS and not self._title_label(m)

    def _title_label(self, m: Mention) -> bool:
        """A host country opening the title before a comma or colon is the story's place label, no
        actor ("Libano, cambio di consegne ...", "Haïti : le Conseil de sécurité prolonge ...";
        round 12)."""
        return (
            m.token_start == 0
            and self._host_object(m)
            and m.token_end < len(self.doc)
            and self.doc[m.token_end].text in (",", ":")
        )

    def _preceded_by(self, m: Mention, words: frozenset[str], clause_start: int) -> bool:
        """A place preposition or genitive word right before the mention (an article may sit between).

        A genitive after an actor head is the actor itself: "le gouvernement de la France".
        """
        j = m.token_start - 1
        steps = 0
        while j >= clause_start and steps < 6:
            low = self.low[j]
            if low in words:
                head = self.doc[j - 1] if j - 1 >= clause_start else None
                # not after a head noun of an actor: "le gouvernement de la France", "die Führung in Kiew"
                return not (
                    words is not self.pack.agent
                    and head is not None
                    and (head.lower_ in self.pack.actor_heads or self.pack.lemma(head.lower_) in self.pack.actor_heads)
                )
            other = self.by_token.get(j)
            if other is not None and other is not m:
                j = other.token_start - 1  # an adjective mention between: "im Deutschen Bundestag"
                steps += 1
                continue
            if (low not in self._coordinators and low not in self.pack.list_singles) or low == ",":
                return False
            j -= 1
            steps += 1
        return False

    def _genitive_form(self, m: Mention) -> bool:
        text = self.doc[m.token_end - 1].text
        return (
            m.kind == "country" and text in self.pack.place_words and text.endswith(self.pack.genitive_suffixes)
            if self.pack.genitive_suffixes
            else False
        )

    def _is_head(self, tok) -> bool:
        return tok.lower_ in self.pack.actor_heads or self.pack.lemma(tok.lower_) in self.pack.actor_heads

    def _compound_acts(self, m: Mention) -> bool:
        suffix = m.text.split("-", 1)[1].lower()
        return (
            suffix in self.pack.actor_heads
            or self.pack.lemma(suffix) in self.pack.actor_heads
            or suffix in self.pack.titles
        )

    def _demonym_acts(self, m: Mention) -> bool:
        """A demonym is an actor as a people noun ("les Français", "Polacy") or next to an actor
        head, title or force word ("le gouvernement français", "deutsche Soldaten"); not as any
        adjective ("l'espace aérien ukrainien")."""
        doc, pack = self.doc, self.pack
        tok = doc[m.token_start]
        if tok.text[:1].isupper() and tok.i > tok.sent.start:
            return True
        for j in (m.token_start - 2, m.token_start - 1, m.token_end, m.token_end + 1):
            if 0 <= j < len(doc):
                low = self.low[j]
                lemma = pack.lemma(low)
                if (
                    low in pack.actor_heads
                    or lemma in pack.actor_heads
                    or low in pack.titles
                    or lemma in pack.force_words
                    or low in pack.force_words
                ):
                    return True
        return False

    def _group(self, m: Mention, start: int, end: int) -> list[Mention]:
        """``m`` and the actor mentions coordinated with it ("la France et le Royaume-Uni")."""
        group = [m]
        for step in (-1, 1):
            j = (m.token_start - 1) if step < 0 else m.token_end
            while start <= j < end:
                other = self.by_token.get(j)
                if other is not None and other is not group[-1 if step > 0 else 0]:
                    if not self._is_actor_mention(other) or (other.kind == "person" and m.kind != "person"):
                        break
                    if (
                        step < 0
                        and self._preceded_by(other, self.pack.place_preps, start)
                        and self._with_before(other, start) is None
                        and m.token_start > start
                        and self.low[m.token_start - 1] in self.pack.determiners
                    ):
                        break  # "Lors d'une réunion à Paris, le Canada": the place is not in the list
                    if step < 0:
                        group.insert(0, other)
                        j = other.token_start - 1
                    else:
                        group.append(other)
                        j = other.token_end
                    continue
                if other is None and (
                    self.low[j] in self._coordinators
                    or self.doc[j].like_num
                    or self.low[j] in self.pack.titles  # "X i premier Y"
                    or self.low[j] in self.pack.list_singles
                ):  # "il Nepal e anche lo Sri Lanka"
                    j += step  # "219 militares argentinos, 14 chilenos y un brasileño"
                    continue
                if other is None and step > 0:
                    n = self._phrase_len(j, self.pack.with_words, end)
                    if n:  # "Gli Stati Uniti, insieme a Israele": both act
                        j += n
                        continue
                if other is None and step < 0:
                    first = group[0]
                    k = self._with_before(first, start)
                    if k is not None and k <= j:
                        j = k - 1
                        continue
                break
        return group

    def _candidates(self, start: int, end: int, cue: _CueHit) -> list[Mention]:
        out, seen = [], set()
        for i in range(start, end):
            m = self.by_token.get(i)
            if m is None or id(m) in seen or not self._is_actor_mention(m):
                continue
            seen.add(id(m))
            if m.how == "demonym" and not self._demonym_acts(m):
                continue
            if m.how == "compound" and not self._compound_acts(m):
                continue  # "Ukraine-Gespräche" is no actor; "US-Regierung" is
            if self._preceded_by(m, self.pack.place_preps, start) and not self._participle_agent(m, start):
                continue
            if self._genitive_form(m) and not (m.token_start > 0 and self._is_head(self.doc[m.token_start - 1])):
                continue  # "vor der Küste Libanons": a genitive, not a subject
            if self._preceded_by(m, self.pack.genitive, start) and not (cue.cue.noun and m.token_start >= cue.end):
                continue
            out.append(m)
        return out

    def _participle_agent(self, m: Mention, clause_start: int) -> bool:
        """The mention (or the list it ends) follows a passive participle and a preposition that is both
        a place's and the agent's ("condannati da Italia, Francia e Spagna"): the agent, not a place."""
        pack, j = self.pack, m.token_start - 1
        while j > clause_start and (self.low[j] in self._coordinators or self.low[j] == "," or j in self.by_token):
            j = self.by_token[j].token_start - 1 if j in self.by_token else j - 1
        if j <= clause_start or self.low[j] not in pack.agent or self.low[j] not in pack.place_preps:
            return False
        verb = self.low[j - 1]
        return verb.endswith(pack.participle_endings) and pack.lemma(verb) != verb

    def _after_common_noun(self, m: Mention) -> bool:
        if m.token_start == 0:
            return False
        prev = self.doc[m.token_start - 1]
        low = prev.lower_
        return (
            prev.is_alpha
            and prev.text.islower()
            and low not in self._coordinators
            and low not in self.pack.negation
            and low not in self.pack.place_preps
            and low not in self.pack.agent
            and low not in self.pack.actor_heads
            and low not in self.pack.titles
            and self.pack.lemma(low) not in self.pack.cues
            and low not in self.pack.clause_breaks
            and len(low) > 3
        )

    def _names_force(self, start: int, end: int) -> bool:
        """The clause names the force: a force word, a reference word or a mission."""
        pack = self.pack
        for i in range(start, end):
            m = self.by_token.get(i)
            if m is not None and m.kind == "mission":
                return True
            low = self.low[i]
            lemma = pack.lemma(low)
            if self._force_word(low) or lemma in pack.references or low in pack.references:
                return True
        return False

    def _bare_after_force(self, sent, start: int, end: int, cue: _CueHit) -> bool:
        """The clause is only the cue and its actor ("– zatwierdziła Rada Bezpieczeństwa ONZ.") and an
        earlier clause of the sentence names the force: that is its object."""
        if any(
            not (
                self.doc[j].is_punct
                or j in self.by_token
                or cue.start <= j < cue.end
                or self.low[j] in self.pack.determiners
            )
            for j in range(start, end)
        ):
            return False
        return self._names_force(sent.start, start)

    def _complement_names_force(self, sent, end: int) -> bool:
        """The next clause names the force before any actor of its own ("angeboten, | Soldaten für die
        Truppe zu stellen"; not "wspiera wysiłki pokojowe, | wzywa Putina do wycofania wojsk")."""
        nxt = self._clause_end(sent, end)
        for i in range(end, nxt):
            m = self.by_token.get(i)
            if m is not None and m.kind == "mission":
                return True
            if self._is_actor_mention(m) and not self._preceded_by(m, self.pack.place_preps | self.pack.genitive, end):
                return False
            if m is None and (
                self._force_word(self.low[i])
                or self.lem[i] in self.pack.references
                or self.low[i] in self.pack.references
            ):
                return True
        return False

    def _object_is_other(self, cue: _CueHit, end: int) -> bool:
        """ "participer au sommet": the cue's object is an event, not the force; a preposition cue
        ("gegen") whose object is an actor ("eine Offensive gegen die Hisbollah") is against that actor."""
        if cue.cue.lemma in self.pack.place_preps:
            j = cue.end
            while j < end and self.low[j] in self.pack.determiners:
                j += 1
            m = self.by_token.get(j) if j < end else None
            if self._is_actor_mention(m) and not self._names_force(j, min(end, m.token_end + 2)):
                return True  # not "gegen die Nato-Truppen"
        for j in range(cue.end, min(end, cue.end + 4)):
            low = self.low[j]
            if low in self.pack.not_objects or self.pack.lemma(low) in self.pack.not_objects:
                return True
        for j in range(cue.start - 1, max(-1, cue.start - 4), -1):  # "an den Wahlen beteiligen"
            if j in self.by_token or self.doc[j].is_punct:
                break
            low = self.low[j]
            if low in self.pack.not_objects or self.pack.lemma(low) in self.pack.not_objects:
                return True
        return False

    def _contribution_hits(self, sent, evidence: str) -> list[Hit]:
        """ "dont 700 soldats français", "250 polskich żołnierzy": a number of a country's troops in
        a force is that country's contribution."""
        out, doc = [], self.doc
        for m in self.mentions:
            if m.how != "demonym" or not sent.start <= m.token_start < sent.end or self._host_object(m):
                continue  # the host's own soldiers or police are no contingent of the force
            i = m.token_start
            patterns = ((i - 2, i - 1, i - 2), (i - 1, m.token_end, i - 1))  # (number, force word, span start)
            for number, force, first in patterns:
                if (
                    sent.start <= min(number, force)
                    and max(number, force) < sent.end
                    and _troop_number(doc[number].text)
                    and self._force_word(self.low[force])
                ):
                    span = doc[first : max(force, m.token_end - 1) + 1].text.lower()
                    for listed in [m, *self._demonyms_listed_after(m, sent.end)]:
                        actor = _actor_from_mention(listed, self.gaz)
                        if actor is not None:
                            out.append(
                                Hit(
                                    actor,
                                    "support",
                                    0.7,
                                    span,
                                    evidence,
                                    None,
                                    False,
                                    ["troops contributed" + (" (listed)" if listed is not m else "")],
                                )
                            )
                    break
        return out

    def _contingent_hits(self, sent, evidence: str) -> list[Hit]:
        """ "Gibuti (1.520), Kenya (1.410) ed Egitto (1.091)", "l'Uganda, con 4.500 soldati": a country
        with its number of troops in a sentence about the force contributes them."""
        out, doc = [], self.doc
        for m in self.mentions:
            if m.kind != "country" or m.how == "demonym" or not sent.start <= m.token_start < sent.end:
                continue
            j = m.token_end
            if j < sent.end and doc[j].text in (",", "-", "–"):
                j += 1
            if (
                j + 2 < sent.end
                and doc[j].text == "("
                and _troop_number(self._number_text(j + 1))
                and doc[self._number_end(j + 1)].text in (")", "-")
            ):
                pass
            elif (
                j < sent.end
                and _troop_number(self._number_text(j))
                and m.token_end < j
                and doc[m.token_end].text in ("-", "–")
            ):
                pass  # "Irlandia - 360-400"
            elif (
                j + 1 < sent.end
                and self.low[j] in self.pack.contingent_preps
                and _troop_number(doc[j + 1].text)
                and (j + 2 >= sent.end or not doc[j + 2].is_alpha or self._force_word(self.low[j + 2]))
            ):
                pass
            else:
                continue
            actor = _actor_from_mention(m, self.gaz)
            if actor is not None:
                out.append(
                    Hit(
                        actor,
                        "support",
                        0.7,
                        doc[m.token_start : j + 2].text.lower(),
                        evidence,
                        None,
                        False,
                        ["troops contributed (a number with the country)"],
                    )
                )
        return out

    def _listed_actors(self, j: int, end: int, *, organisations: bool = False) -> list[Mention]:
        """The countries (and organisations) listed from token ``j``: "de Kenia, junto con otras de
        Bangladés, Bahamas y Chad", "des forces de la Jamaïque, des Bahamas et d'Antigua"; list
        words, genitive and origin words, articles, numbers and up to two other lower-case words
        between two names."""
        out: list[Mention] = []
        loose = 0
        pack = self.pack
        while j < end:
            m = self.by_token.get(j)
            if m is not None:
                if (
                    m.how in ("demonym", "compound")
                    or m.kind not in (("country", "organisation", "coalition") if organisations else ("country",))
                    or self._host_object(m)
                ):
                    break
                if not out or out[-1] is not m:
                    out.append(m)
                j, loose = m.token_end, 0
                continue
            low = self.low[j]
            if low in self._coordinators or low in pack.genitive or low in pack.list_singles or self.doc[j].like_num:
                j += 1
                continue
            n = self._phrase_len(j, pack.list_words, end) or self._phrase_len(j, pack.with_words, end)
            n = n or self._phrase_len(j, pack.origin_words, end)
            if n:
                j += n
                continue
            tok = self.doc[j]
            if (
                out
                and loose < 2
                and tok.is_alpha
                and tok.text.islower()
                and low not in pack.clause_breaks
                and self.lem[j] not in pack.cues
                and low not in pack.negation
            ):
                j, loose = j + 1, loose + 1
                continue
            break
        return out

    def _force_of_hits(self, sent, evidence: str) -> list[Hit]:
        """ "soldados de Kenia, junto con otras de Bangladés", "personal de las Fuerzas Armadas de
        Chile y Ecuador", "kontyngent z Polski", and with the pack's ``own_force`` "la force de
        l'Union africaine": the countries (organisations) whose troops or force a sentence about the
        force names back it."""
        out: list[Hit] = []
        seen: set[str] = set()
        pack = self.pack
        for i in range(sent.start, sent.end):
            if not (self.lem[i] in pack.force_words or self.low[i] in pack.force_words):
                continue
            j = i + 1
            if (
                j < sent.end
                and self.by_token.get(j) is None
                and self.doc[j].is_alpha
                and self.low[j] not in pack.genitive
                and not self._phrase_len(j, pack.origin_words, sent.end)
            ):
                j += 1  # one adjective: "Fuerzas Armadas de", "forces armées de"
            n = self._phrase_len(j, pack.origin_words, sent.end)
            if not n and j < sent.end and self.low[j] in pack.genitive:
                n = 1
            if not n:
                continue
            j += n
            while j < sent.end and self.low[j] in pack.determiners:
                j += 1
            for m in self._listed_actors(j, sent.end, organisations=pack.own_force):
                actor = _actor_from_mention(m, self.gaz)
                if actor is None or actor.key in seen:
                    continue
                seen.add(actor.key)
                out.append(
                    Hit(
                        actor,
                        "support",
                        0.6,
                        self.doc[i : m.token_end].text.lower()[:60],
                        evidence,
                        None,
                        False,
                        ["troops or force of the listed actors"],
                    )
                )
        return out

    def _list_head_hits(self, sent, evidence: str) -> list[Hit]:
        """ "przy głosach wstrzymujących się Chin, Pakistanu i Rosji" (undecided), "rezolucję autorstwa
        Panamy i USA", "redatta da Stati Uniti ed Ecuador" (support): the actors listed right after one
        of the pack's ``list_heads`` take its stance."""
        out: list[Hit] = []
        heads = tuple(self.pack.list_heads)
        for i in range(sent.start, sent.end):
            n = self._phrase_len(i, heads, sent.end)
            if not n:
                continue
            phrase = tuple(self.low[i : i + n])
            stance = self.pack.list_heads[phrase]
            j = i + n
            while j < sent.end and (self.low[j] in self.pack.determiners or self.low[j] in self.pack.genitive):
                j += 1
            for m in self._listed_actors(j, sent.end, organisations=True):
                actor = _actor_from_mention(m, self.gaz)
                if actor is not None:
                    out.append(
                        Hit(actor, stance, 0.7, " ".join(phrase), evidence, None, False, ["listed after a vote word"])
                    )
        return out

    def _leader_hits(self, sent, evidence: str) -> list[Hit]:
        """ "la force multinationale dirigée par le Kenya", "guidata dalla Nato", "unter Führung Kenias",
        "kierowanej przez Kenię": the countries and organisations named as the leader of the force in a
        sentence about it back it (the pack's ``leader_verbs`` before an agent word, ``leader_phrases``)."""
        out: list[Hit] = []
        pack = self.pack
        if not (pack.leader_verbs or pack.leader_phrases):
            return out
        for i in range(sent.start, sent.end):
            n = self._phrase_len(i, pack.leader_phrases, sent.end)
            if not n and self.lem[i] in pack.leader_verbs and i + 1 < sent.end and self.low[i + 1] in pack.agent:
                n = 2
            if not n:
                continue
            j = i + n
            while j < sent.end and (self.low[j] in pack.determiners or self.low[j] in pack.genitive):
                j += 1
            for m in self._listed_actors(j, sent.end, organisations=True):
                if m.token_start > j and self._preceded_by(m, pack.place_preps, sent.start):
                    continue  # "dirigée par les États-Unis et installée entre Jérusalem et Tel-Aviv"
                actor = _actor_from_mention(m, self.gaz)
                if actor is not None:
                    cue = self.doc[i : i + n].text.lower()
                    out.append(Hit(actor, "support", 0.7, cue, evidence, None, False, ["named as the force's leader"]))
        return out

    def _number_end(self, i: int) -> int:
        """The token after a number that may be written in groups of three ("1 500", "12 626")."""
        j = i + 1
        while (
            j < len(self.doc) and self.doc[j].text.isdigit() and len(self.doc[j].text) == 3 and self.doc[j - 1].like_num
        ):
            j += 1
        return j

    def _number_text(self, i: int) -> str:
        """The number at token ``i`` with its groups of three joined ("1 500" -> "1500")."""
        return "".join(self.doc[k].text for k in range(i, self._number_end(i))) if i < len(self.doc) else ""

    def _demonyms_listed_after(self, m: Mention, end: int) -> list[Mention]:
        """ "219 militares argentinos, 14 chilenos, otros tantos paraguayos y un brasileño": the
        demonyms that continue a list of contingents (numbers, list words and up to two other
        words between them)."""
        out, j, loose = [], m.token_end, 0
        while j < end:
            other = self.by_token.get(j)
            if other is not None:
                if other.how != "demonym":
                    break
                out.append(other)
                j, loose = other.token_end, 0
                continue
            low = self.low[j]
            if low in self._coordinators or self.doc[j].like_num or low in self.pack.list_singles:
                j += 1
                continue
            tok = self.doc[j]
            if (
                tok.is_alpha
                and tok.text.islower()
                and loose < 2
                and low not in self.pack.clause_breaks
                and self.pack.lemma(low) not in self.pack.cues
                and low not in self.pack.negation
            ):
                j, loose = j + 1, loose + 1
                continue
            break
        return out

    def _compound_hits(self, sent, evidence: str) -> list[Hit]:
        """ "ein US-geführtes Zentrum": a compound whose first part is a country and whose second
        part is a support cue backs the force for that country; "die Nato-geführte Kfor": an
        organisation too when the second part is one of the pack's ``leader_verbs``."""
        out = []
        for m in self.mentions:
            if m.how != "compound" or not sent.start <= m.token_start < sent.end:
                continue
            suffix = self.pack.lemma(m.text.split("-", 1)[1].lower())
            cue = self.pack.cues.get(suffix)
            leader = suffix in self.pack.leader_verbs
            if not leader and (cue is None or cue.stance != "support" or cue.noun):
                continue
            actor = _actor_from_mention(m, self.gaz)
            if actor is not None and (actor.actor_type == "country" or leader):
                note = "named as the force's leader" if leader else "compound"
                out.append(
                    Hit(actor, "support", cue.weight if cue else 0.7, m.text.lower(), evidence, None, False, [note])
                )
        return out

    def _noun_actor(self, cue: _CueHit, end: int) -> list[Mention]:
        """ "le refus de la Pologne", "sprzeciw Rosji", "le soutien américain", "mit amerikanischer
        Unterstützung": the actor named right after a noun cue, or its demonym adjective."""
        for j in (cue.start - 1, cue.end):
            m = self.by_token.get(j)
            if m is not None and m.how == "demonym":
                if j == cue.end and cue.cue.stance == "support" and self._host_object(m):
                    return []  # "wsparcie libańskiego rządu": the host supported
                return [m]
        if cue.start > 0 and self.low[cue.start - 1] in self.pack.place_preps:
            return []  # "a sostegno di Kiev", "en soutien à": the one supported, not the supporter
        for j in range(cue.end, min(cue.end + 10, len(self.doc))):
            through_means = j > cue.end and all(self._means_word(k) for k in range(cue.end, j))
            if (j >= end and self.low[cue.end] not in (",", "(", ":") and not through_means) or (
                j >= cue.end + 4 and not through_means
            ):
                break  # beyond four words only means ("el respaldo logístico, de inteligencia y financiero de X")
            m = self.by_token.get(j)
            if self._is_actor_mention(m):
                between = [self.low[k] for k in range(cue.end, m.token_start)]
                if len(between) > 3:  # a longer way only through means words, genitives and list words
                    if (
                        all(
                            self._means_word(k)
                            or self.low[k] in self.pack.genitive
                            or self.low[k] in self._coordinators
                            for k in range(cue.end, m.token_start)
                        )
                        and any(self._means_word(k) for k in range(cue.end, m.token_start))
                        and self.low[m.token_start - 1] in self.pack.genitive | self.pack.determiners
                    ):
                        return self._group(m, cue.start, max(end, m.token_end + 8))
                    return []
                apposition = (
                    bool(between)
                    and all(
                        w in (",", "(", ":") or w.isdigit() or (w in self.pack.determiners and between[0] in "(:")
                        for w in between
                    )
                    and between[0] in (",", "(", ":")
                    and m.how != "demonym"
                )
                predicate = (
                    bool(between)
                    and all(w in self.pack.copulas or w in self.pack.determiners for w in between)
                    and any(w in self.pack.copulas for w in between)
                )  # "której liderami są Francja i Wielka Brytania"
                if (
                    m.how == "demonym"
                    and between
                    and self._force_word(between[-1])
                    and all(
                        w in self.pack.genitive or w in self.pack.determiners or self._force_word(w) or w.isdigit()
                        for w in between
                    )
                ):  # "la partecipazione di militari burundesi, ugandesi ed egiziani"
                    return [g for g in self._group(m, cue.start, max(end, m.token_end + 8)) if g.how == "demonym"]
                if (
                    apposition
                    or predicate
                    or (
                        all(w in self.pack.genitive or w in self._coordinators for w in between)
                        and ((between and any(w in self.pack.genitive for w in between)) or not self.pack.genitive)
                    )
                ):
                    if not (apposition or predicate) and cue.cue.stance == "support" and self._host_object(m):
                        return []  # "wsparcie Ukrainy": support for the host
                    return self._group(m, cue.start, max(end, m.token_end + 8))
                return []
        return []

    def _means_word(self, i: int) -> bool:
        low = self.low[i]
        return (
            low in self.pack.means
            or self.pack.lemma(low) in self.pack.means
            or low in self.pack.genitive
            or low in self._coordinators
        )

    def _troops_country(self, start: int, end: int) -> list[Mention]:
        """The countries whose troops the clause names: "soldats français", "deutsche Soldaten",
        "soldati kenioti, etiopi e gibutini"."""
        for i in range(start, end):
            m = self.by_token.get(i)
            if m is None or m.how != "demonym" or m.token_start != i:
                continue
            group = [g for g in self._group(m, start, end) if g.how == "demonym" and not self._host_object(g)]
            if not group:
                continue  # "ucząc środkowoafrykańskich policjantów": the host's police
            first, last = group[0].token_start, group[-1].token_end
            for j in (first - 1, last, first - 2, last + 1):
                if start <= j < end and self.lem[j] in self.pack.force_words:
                    return group
        for i in range(start, end):  # "poliziotti provenienti da Nigeria, Sierra Leone ed Egitto"
            if not self._force_word(self.low[i]):
                continue
            n = self._phrase_len(i + 1, self.pack.origin_words, end)
            m = self.by_token.get(i + 1 + n) if n else None
            if m is not None and m.kind == "country" and m.how != "demonym":
                return self._group(m, start, end)
        return []

    def _speakers(self, sent) -> list[Mention]:
        """The actor next to a speech verb of the sentence ("a déclaré Macron", "Tusk powiedział")."""
        for tok in sent:
            if tok.i in self.by_token or self._speech_lemma(tok, sent.end) not in self.pack.speech:
                continue
            for j in (
                *range(tok.i + 1, min(tok.i + 5, sent.end)),
                *range(tok.i - 1, max(tok.i - 6, sent.start - 1), -1),
            ):
                m = self.by_token.get(j)
                if self._is_actor_mention(m) and not self._preceded_by(m, self.pack.place_preps, sent.start):
                    return [m]
                if self.doc[j].text in ".!?;" or (self.doc[j].is_punct and j < tok.i and self.doc[j].text != ","):
                    break
        return []

    def _verb_opens(self, cue: _CueHit, start: int) -> bool:
        """A verb cue opens its clause after an apposition ("Le Kenya, déjà présent en Haïti, | maintient
        700 policiers"): only negations, clitics and adverb-like short words before it."""
        if cue.cue.noun or start == 0 or self.doc[start - 1].text != ",":
            return False
        return all(
            self.low[j] in self.pack.negation or self.low[j] in self.pack.clitics or len(self.low[j]) <= 3
            for j in range(start, cue.start)
        )

    def _gerund_at(self, i: int) -> bool:
        """A gerund opens the clause at ``i`` ("rivendicando", "en proposant")."""
        if i < len(self.doc) and self.low[i] in self.pack.gerund_markers:
            i += 1  # "en proposant"
        return (
            i < len(self.doc) and len(self.low[i]) > 5 and self.low[i].endswith(self.pack.gerund_endings)
            if self.pack.gerund_endings
            else False
        )

    def _speech_lemma(self, tok, end: int) -> str:
        """The lemma of a word, a separable verb's full lemma when its particle follows ("teilte ... mit")."""
        lemma = self.pack.lemma(tok.lower_)
        if lemma in self.pack.separable:
            particle, full = self.pack.separable[lemma]
            if any(self.low[j] == particle for j in range(tok.i + 1, min(end, tok.i + 12))):
                return full
        return lemma

    def _pronoun_speaks(self, sent) -> bool:
        """A speech verb of the sentence has a person pronoun next to it ("sagte er", "a-t-il affirmé")."""
        for tok in sent:
            if self._speech_lemma(tok, sent.end) not in self.pack.speech:
                continue
            for j in (tok.i - 2, tok.i - 1, tok.i + 1, tok.i + 2):
                if sent.start <= j < sent.end and self.low[j] in self.pack.person_pronouns:
                    return True
        return False

    def _actors(self, mentions: list[Mention]) -> list[Actor]:
        out: dict[str, Actor] = {}
        for m in mentions:
            actor = _actor_from_mention(m, self.gaz)
            if actor is not None:
                out.setdefault(actor.key, actor)  # "premier Wielkiej Brytanii Keir Starmer": one actor
        return list(out.values())

    def _tail_actors(self, sent, start: int, *, relative: bool = False) -> list[Mention]:
        """The actors ending the previous clause: "dont le Canada et le Sénégal, | ont exprimé ...";
        before a relative pronoun even after a preposition ("tra Stati Uniti, | che chiedono")."""
        j = start - 1
        if j >= sent.start and self.doc[j].text == "(":
            return []  # a parenthesis starts: the name before it is not its subject
        while j >= sent.start and (self.doc[j].is_punct or self.doc[j].is_space):
            j -= 1
        if j < sent.start:
            return []
        m = self.by_token.get(j)
        if m is not None and not relative and self._object_of_cue(m, sent.start):
            return []  # "per supportare l'Ucraina, | mantenendo": the object of a cue is no subject
        if m is not None and m.kind == "country" and any(self.doc[k].text == ":" for k in range(m.token_end, start)):
            return []  # "Chipre: la misión sigue": a place before a colon is the topic, not the subject
        if m is not None and self._is_actor_mention(m) and self._with_before(m, sent.start) is not None:
            group = self._group(m, sent.start, start)  # "Gli Stati Uniti, insieme a Israele, | chiedono"
            return group if len(group) > 1 else []
        if (
            m is None
            or not self._is_actor_mention(m)
            or (not relative and self._preceded_by(m, self.pack.place_preps | self.pack.genitive, sent.start))
        ):
            return []  # "a sostegno di Kiev, | rivendicando": the one supported is not the next subject
        if m.how == "demonym" and not self._demonym_acts(m):
            return []
        return self._group(m, sent.start, start)

    def _first_person(self, cue: _CueHit) -> bool:
        """The verb cue is in the first person by its ending ("difenderemo", "popieramy", "proporrò")."""
        if cue.cue.noun or not self.pack.first_person_endings:
            return False
        low = self.low[cue.start]
        return len(low) > 5 and low.endswith(self.pack.first_person_endings) and low != cue.cue.lemma

    def _object_of_cue(self, m: Mention, start: int) -> bool:
        """``m`` follows a verb cue directly (articles may sit between): its object."""
        j = m.token_start - 1
        while j >= start and self.low[j] in self.pack.determiners:
            j -= 1
        if j < start:
            return False
        cue = self.pack.cues.get(self.lem[j]) or self.pack.cues.get(self.low[j])
        return cue is not None and not cue.noun

    def _subject_of_sentence(self, sent, before: int) -> list[Mention]:
        """The first actor of the sentence before ``before`` that is no prepositional object."""
        for i in range(sent.start, before):
            m = self.by_token.get(i)
            if (
                m is not None
                and m.token_start == i
                and self._is_actor_mention(m)
                and not self._preceded_by(m, self.pack.place_preps | self.pack.genitive, sent.start)
                and not (m.how == "demonym" and not self._demonym_acts(m))
            ):
                return self._group(m, sent.start, before)
        return []

    def _choose_actor(
        self,
        sent,
        start: int,
        end: int,
        cue: _CueHit,
        clause_actors: list[Actor],
    ) -> tuple[list[Actor], str]:
        if cue.cue.noun:
            if cue.start > start and self.low[cue.start - 1] in self.pack.place_preps:
                return [], ""  # "a sostegno di Kiev", "zur Unterstützung": in support of someone, no holder
            found = self._noun_actor(cue, end)
            if found:
                return self._actors(found), "named after the noun cue"
            if self._possessive_before(cue, start):
                found = (
                    self._candidates_left(start, cue)
                    or self._tail_actors(sent, start)
                    or self._subject_of_sentence(sent, cue.start)
                )
                if found:
                    return self._actors(found), "possessive: the subject's"
                if clause_actors:
                    return [_refer(a, "(possessive)") for a in clause_actors], "possessive: the previous clause's actor"
                found = self._subject_after(cue, start, end)
                if found:  # "Ihre Bereitschaft ... haben neben Kanada auch Australien erklärt"
                    return self._actors(found), "possessive: the subject after the verb"
            elif self._opens_clause(cue, start):
                found = self._agent_after(cue, start, end) or self._subject_after(cue, start, end)
                if found:  # "Gotowość wysłania żołnierzy zadeklarowały Indonezja i Azerbejdżan"
                    return self._actors(found), "fronted noun cue: the subject after the verb"
            found = [] if self._candidates_left(start, cue) else self._headed_after(cue, start, end)
            if found:  # "o wysłaniu swoich wojsk ... wspominali przywódcy Francji i Wielkiej Brytanii"
                return self._actors(found), "noun cue: the leaders named after it"
        relative = self.low[start] in self.pack.relatives and (
            self.low[start] not in _AMBIGUOUS_RELATIVES or (start > 0 and self.low[start - 1] == ",")
        )
        if relative and not any(m.token_end <= cue.start for m in self._candidates(start, end, cue)):
            tail = self._tail_actors(sent, start, relative=True)
            if tail:
                return self._actors(tail), "antecedent of the relative pronoun"
        candidates = self._candidates(start, end, cue)
        agents = [m for m in candidates if m.token_start >= cue.end and self._preceded_by(m, self.pack.agent, start)]
        if agents and not cue.cue.noun:
            actors = self._actors(self._group(agents[0], start, end))
            verb = self._agent_verb(agents[0])
            if verb in self.pack.council_acts:  # "une force autorisée par l'ONU": the Council
                actors = [council_for_mandates(a, self.gaz) for a in actors]
            return actors, "passive agent"
        left = [m for m in candidates if m.token_end <= cue.start]
        if len(left) > 1 and not self.pack.genitive:
            # no genitive preposition (Polish): a name right after a common noun is its genitive
            # ("na szczycie NATO"), not the subject
            left = [m for m in left if not self._after_common_noun(m)] or left
        if left:
            return self._actors(self._group(left[-1], start, end)), "nearest actor before the cue"
        if cue.cue.noun:
            return [], ""  # a noun cue needs its actor in the clause ("son soutien" alone is nobody's)
        pronoun = any(self.low[j] in self.pack.pronouns for j in range(start, cue.start))
        person_pronoun = any(self.low[j] in self.pack.person_pronouns for j in range(start, cue.start))
        right = self._right_candidates(candidates, cue, end)
        if right and not pronoun and self._subject_after_verb(start, cue):
            # "a rozważają to również Holendrzy": the clause's own subject after its verb, not the
            # previous clause's last name
            return self._actors(self._group(right[0], start, end)), "actor after the cue"
        tail = self._tail_actors(sent, start)
        if tail:
            return self._actors(tail), "actor ending the previous clause"
        if self._first_person(cue):  # "«Difenderemo la nostra presenza»", "Popieramy ideę": the speaker's
            speakers = self._speakers(sent)
            if speakers:
                return self._actors(speakers), "reported speaker (first person)"
            if self.last_actors and self._pronoun_speaks(sent):
                return [_refer(a, "(we)") for a in self.last_actors], "speaker named in the previous sentence"
            if clause_actors:
                return [_refer(a, "(previous clause)") for a in clause_actors], "actor of the previous clause"
            if self.last_actors:
                return [_refer(a, "(we)") for a in self.last_actors], "previous sentence's actor (first person)"
            return [], ""
        if right and not pronoun:
            return self._actors(self._group(right[0], start, end)), "actor after the cue"
        troops = self._troops_country(start, end)
        if troops:
            return self._actors(troops), "country of the troops named"
        if clause_actors:
            return [_refer(a, "(previous clause)") for a in clause_actors], "actor of the previous clause"
        gerund = self._gerund_at(start)
        subject = (
            self._subject_of_sentence(sent, start)
            if start > sent.start
            and (self.low[start] in self.pack.shared_subject or gerund or self._verb_opens(cue, start))
            else []
        )
        if subject and any(self.doc[k].text == ":" for k in range(subject[-1].token_end, start)):
            subject = []  # "Chipre: | la misión sigue": a name before a colon is the topic
        if subject and (not cue.cue.noun or gerund):  # "Wien will ... | aber finanziell unterstützen"
            return self._actors(subject), "subject of the sentence before the clause"
        speakers = self._speakers(sent)
        if speakers:
            return self._actors(speakers), "reported speaker"
        if self.last_actors and self._pronoun_speaks(sent):  # "« ... », a-t-il affirmé": the one named before
            people = [a for a in self.last_actors if a.via_person] or self.last_actors
            return [_refer(a, "(he/she said)") for a in people], "speaker named in the previous sentence"
        if person_pronoun:
            people = [a for a in self.last_actors if a.via_person]
            if people:
                return [_refer(a, "(he/she)") for a in people], "the person of the previous sentence"
            return [], ""
        if self.last_actors and (self.pack.pro_drop or pronoun):
            return [_refer(a, "(previous actor)") for a in self.last_actors], "previous sentence's actor"
        return [], ""

    def _right_candidates(self, candidates: list[Mention], cue: _CueHit, end: int) -> list[Mention]:
        """Actors after the cue, near it, with no other cue between (not a host after a support cue)."""
        return [
            m
            for m in candidates
            if m.token_start >= cue.end
            and m.token_start - cue.end <= _RIGHT_WINDOW
            and not self._cue_between(cue.end, m.token_start, end)
            and not (cue.cue.stance == "support" and self._host_object(m))
        ]

    def _subject_after_verb(self, start: int, cue: _CueHit) -> bool:
        """The clause opens with a coordinating word and its verb cue ("..., a rozważają to Holendrzy",
        "..., und erwägt das auch Italien"): a subject after the verb belongs to this clause."""
        return (
            not cue.cue.noun
            and start > 0
            and self.low[start] in self.pack.and_words | self.pack.clause_breaks
            and cue.start - start <= 3
        )

    def _agent_verb(self, m: Mention) -> str:
        """The lemma of the participle right before a passive agent's preposition ("autorisée par")."""
        j = m.token_start - 1
        while j > 0 and self.low[j] in self.pack.determiners:
            j -= 1
        return self.pack.lemma(self.low[j - 1]) if j > 0 and self.low[j] in self.pack.agent else ""

    def _cue_between(self, start: int, stop: int, end: int) -> bool:
        """Another cue lies in [start, stop) (an actor after it is that cue's: "aprobada con 13 votos a
        favor y dos abstenciones (China y Rusia)")."""
        return any(c.start < stop for c in self._cues(start, min(stop, end)))

    def _host_object(self, m: Mention) -> bool:
        """A country forces are deployed in, named as what is supported ("supportare l'Ucraina",
        "sił wspierających Ukrainę", "wsparcie haitańskich sił"): the beneficiary, not the actor."""
        return m.kind == "country" and m.code in self.hosts

    def _candidates_any(self, start: int, end: int) -> list[Mention]:
        """Actor mentions of [start, end), once each (no filter)."""
        out: list[Mention] = []
        for i in range(start, end):
            m = self.by_token.get(i)
            if self._is_actor_mention(m) and m.how not in ("demonym", "compound") and (not out or out[-1] is not m):
                out.append(m)
        return out

    def _partners_after(self, cue: _CueHit, end: int) -> list[Mention]:
        """ "Les États-Unis réclament avec Israël le retrait": the actor after a "together with"
        phrase right after the cue acts with the subject."""
        j = cue.end
        n = self._phrase_len(j, self.pack.with_words, end) if j < end else 0
        if not n:
            return []
        j += n
        while j < end and self.low[j] in self.pack.determiners:
            j += 1
        m = self.by_token.get(j)
        return self._group(m, j, end) if self._is_actor_mention(m) else []

    def _partners_listed(self, cue: _CueHit, end: int) -> list[Mention]:
        """ "aporta cascos azules a la UNFICYP junto a Austria, Brasil y Chile", "junto con batallones de
        India, Indonesia y Nepal" (round 9): the countries listed after a "together with" phrase later in
        the cue's clause act with its subject (articles, genitive and force words may stand between) when
        the cue is one of the pack's ``participation`` words: "a proposé de former avec la Jordanie" is
        the proposal of its subject alone."""
        pack = self.pack
        if cue.cue.lemma not in pack.participation:
            return []
        for j in range(cue.end, end):
            n = self._phrase_len(j, pack.with_words, end)
            if not n:
                continue
            k = j + n
            peers = self._peers_from(j, end)
            if peers > j:  # "insieme ai loro colleghi provenienti da Giamaica": the peers' countries
                return self._listed_actors(peers, end)
            while k < end and (
                self.low[k] in pack.determiners or self.low[k] in pack.genitive or self._force_word(self.low[k])
            ):
                k += 1
            return self._listed_actors(k, end)
        return []

    def _reservation(self, start: int, end: int) -> bool:
        """One of the pack's ``reservations`` in the clause: an offer under reservation, restricted to
        a frame or still under discussion (round 12)."""
        return bool(self.pack.reservations) and any(
            self._phrase_len(i, self.pack.reservations, end) for i in range(start, end)
        )

    def _peers_from(self, i: int, end: int) -> int:
        """ "insieme ai loro colleghi provenienti da", "avec leurs collègues venus de" (round 12): a
        "together with" phrase, articles or possessives, at most two words and an origin phrase; the
        index after it (the list of countries), else ``i``."""
        pack = self.pack
        n = self._phrase_len(i, pack.with_words, end)
        if not n:
            return i
        k = i + n
        while k < end and (self.low[k] in pack.determiners or self.low[k] in pack.possessives):
            k += 1
        for skip in (1, 2):
            if k + skip < end and not any(j in self.by_token for j in range(k, k + skip)):
                m = self._phrase_len(k + skip, pack.origin_words, end)
                if m:
                    return k + skip + m
        return i

    def _list_clause(self, start: int, end: int) -> tuple[list[Mention], bool]:
        """The actors of a clause that is only a list of them ("darunter Indonesien und Aserbaidschan",
        ": Indonesia, Marruecos y Kazajistán", "a także Pakistan") and whether a list word opens it;
        ([], False) for any other clause."""
        found: list[Mention] = []
        listed = False
        i = start
        while i < end:
            m = self.by_token.get(i)
            if m is not None:
                if not self._is_actor_mention(m) or m.kind == "person" or m.how == "compound":
                    return [], False
                if not found or found[-1] is not m:
                    found.append(m)
                i = m.token_end
                continue
            n = self._phrase_len(i, self.pack.list_words, end)
            if n:
                listed = True
                i += n
                continue
            peers = self._peers_from(i, end) if i == start else i
            if peers > i:
                listed = True  # "insieme ai loro colleghi provenienti da Giamaica, Guatemala ed El Salvador"
                i = peers
                continue
            tok = self.doc[i]
            if not (
                tok.is_punct
                or tok.is_space
                or tok.like_num
                or self.low[i] in self._coordinators
                or self.low[i] in self.pack.list_adverbs
            ):
                return [], False
            i += 1
        return found, listed

    def _colon_list_next(self, sent, end: int) -> bool:
        """The clause ends with a colon and the next one only lists actors ("se han abstenido: | China,
        Rusia y Pakistán"): its cue's actors are those listed."""
        if end <= 0 or self.doc[end - 1].text != ":":
            return False
        nxt = self._clause_end(sent, end)
        return nxt > end and bool(self._list_clause(end, nxt)[0])

    def _list_hits(self, sent, start: int, end: int, evidence: str, previous: list[Hit]) -> list[Hit]:
        """Hits of a clause that only lists actors: the stance of the cue left without an actor
        before it in the sentence, or, after a list word, that of the previous clause's hits."""
        found, listed = self._list_clause(start, end)
        if not found:
            return []
        actors = self._actors(found)
        if self._pending is not None:
            p_start, p_end, main, cues = self._pending
            self._pending = None
            return self._hits_for(sent, p_start, p_end, main, cues, actors, "listed after the cue", evidence)
        if not listed and not previous and self._force_list_opener(sent, start):
            # "compuesta por 3.500 efectivos de siete nacionalidades (India, Nepal, ...)": the contingents
            return [
                Hit(
                    actor,
                    "support",
                    0.6,
                    self.doc[start:end].text.lower()[:40],
                    evidence,
                    None,
                    False,
                    ["listed after a clause about the force's troops"],
                )
                for actor in actors
            ]
        if listed and previous:
            out, known = [], {h.actor.key for h in previous}
            for actor in actors:
                if actor.key in known:
                    continue
                for h in {h.actor.key: h for h in previous}.values():
                    out.append(
                        Hit(
                            actor,
                            h.stance,
                            h.confidence,
                            h.cue,
                            evidence,
                            h.condition,
                            h.own_refusal,
                            [*h.notes[1:], "listed with the previous clause's actors"],
                        )
                    )
                    break
            return out
        return []

    def _headed_after(self, cue: _CueHit, start: int, end: int) -> list[Mention]:
        """An actor after the noun cue led by an actor head or an office title ("przywódcy Francji",
        "le gouvernement malien"): a subject noun phrase, not a complement of the noun."""
        for m in self._candidates(start, end, cue):
            if m.token_start <= cue.end or m.how == "compound":
                continue
            j = m.token_start - 1
            while j > cue.end and self.low[j] in self.pack.determiners:
                j -= 1
            head = self.low[j] if j < m.token_start else ""
            k = j - 1
            while k > cue.end and self.low[k] in self.pack.determiners:
                k -= 1
            governed = k > cue.end and (
                self.low[k] in self.pack.place_preps
                or self.low[k] in self.pack.genitive
                or self.low[k] in self.pack.agent
            )
            if not governed and (
                head in self.pack.actor_heads
                or self.pack.lemma(head) in self.pack.actor_heads
                or head in self.pack.office_titles
            ):
                return self._group(m, start, end)  # not "en cooperación con el gobierno de Haití"
        return []

    def _possessive_before(self, cue: _CueHit, start: int) -> bool:
        """ "son soutien", "ihre uneingeschränkte Unterstützung": a possessive before the noun cue,
        an adjective may sit between."""
        for j in (cue.start - 1, cue.start - 2):
            if j < start:
                return False
            if self.low[j] in self.pack.possessives:
                return True
            if not (self.doc[j].is_alpha and self.doc[j].text.islower()) or j in self.by_token:
                return False
        return False

    def _opens_clause(self, cue: _CueHit, start: int) -> bool:
        """The noun cue opens its clause (only articles, possessives or a list word before it)."""
        return all(
            self.low[j] in self.pack.determiners
            or self.low[j] in self.pack.possessives
            or self.low[j] in self.pack.list_singles
            or self.low[j] in self.pack.clause_breaks
            or self.doc[j].is_punct
            for j in range(start, cue.start)
        )

    def _agent_after(self, cue: _CueHit, start: int, end: int) -> list[Mention]:
        """A passive agent after a fronted noun cue ("disponibilità è stata espressa da Giamaica")."""
        seen = set()
        for i in range(cue.end, end):
            m = self.by_token.get(i)
            if m is None or id(m) in seen or not self._is_actor_mention(m) or m.how in ("demonym", "compound"):
                continue
            seen.add(id(m))
            if self._preceded_by(m, self.pack.agent, start):
                return self._group(m, start, end)
        return []

    def _subject_after(self, cue: _CueHit, start: int, end: int) -> list[Mention]:
        """The first actor after the noun cue and at least one other word, not governed by a
        preposition or genitive (the subject after its verb, V2 or inverted order)."""
        for m in self._candidates(start, end, cue):
            if (
                m.token_start > cue.end
                and m.how != "demonym"
                and not self._preceded_by(m, self.pack.place_preps | self.pack.genitive | self.pack.agent, start)
            ):
                return self._group(m, start, end)
        return []

    def _force_list_opener(self, sent, start: int) -> bool:
        """The list follows "(" or ":" right after a clause that names troops with a number and no cue."""
        if start == sent.start or (self.doc[start - 1].text not in "(:" and self.doc[start].text not in "(:"):
            return False
        previous = [(s, e) for s, e in self._clauses(sent) if e <= start]
        if not previous:
            return False
        s, e = previous[-1]
        return (
            not self._cues(s, e)
            and any(self._force_word(self.low[j]) for j in range(s, e))
            and any(_troop_number(self._number_text(j)) for j in range(s, e) if self.doc[j].like_num)
        )

    def _subject_contingent(self, sent, start: int, end: int, evidence: str) -> list[Hit]:
        """ "Le Bangladesh confirme un contingent de 1 500 hommes": a country opening the clause with a
        number of troops after it, no cue, no negation: its contribution."""
        if self._cues(start, end) or any(self.low[j] in self.pack.negation for j in range(start, end)):
            return []
        first = next((self.by_token[j] for j in range(start, end) if j in self.by_token), None)
        if (
            first is None
            or first.kind != "country"
            or first.how == "demonym"
            or self._preceded_by(first, self.pack.place_preps | self.pack.genitive, start)
        ):
            return []
        for j in range(first.token_end, end):
            if self.doc[j].like_num and _troop_number(self._number_text(j)):
                k = self._number_end(j)
                near = [k, k + 1, j - 1, j - 2]
                if any(start <= n < end and self._force_word(self.low[n]) for n in near):
                    actor = _actor_from_mention(first, self.gaz)
                    if actor is not None and not self._host_object(first):
                        return [
                            Hit(
                                actor,
                                "support",
                                0.6,
                                self.doc[j:k].text,
                                evidence,
                                None,
                                False,
                                ["troops contributed (a number in the country's clause)"],
                            )
                        ]
        return []

    def _candidates_left(self, start: int, cue: _CueHit) -> list[Mention]:
        left = [m for m in self._candidates(start, cue.start, cue) if m.token_end <= cue.start]
        return self._group(left[-1], start, cue.start) if left else []

    # ----- polarity
    def _negated(self, start: int, end: int, cue: _CueHit, actor_end: int) -> bool:
        pack = self.pack
        lo = max(start, actor_end, cue.start - pack.negation_before_window)
        if any(self.low[j] in pack.negation for j in range(lo, cue.start)):
            return True
        window = pack.negation_after_window
        if cue.cue.lemma in pack.separable.values() or any(
            cue.cue.lemma == full for _, full in pack.separable.values()
        ):
            window = max(window, end - cue.end)  # "schließt ... nicht aus": up to the particle
        return any(self.low[j] in pack.negation_after for j in range(cue.end, min(end, cue.end + window)))

    def _negated_troops(self, m: Mention, start: int) -> bool:
        """A negation right before a country's troops named by its demonym: "keine deutschen
        Soldaten", "pas de soldats français", "nie będzie polskich żołnierzy" (a refusal of its own
        troops, wherever the cue stands)."""
        if m.how != "demonym":
            return False
        near = range(max(start, m.token_start - 2), min(len(self.doc), m.token_end + 2))
        if not any(self._force_word(self.low[i]) for i in near if i not in self.by_token):
            return False
        for j in range(m.token_start - 1, max(start, m.token_start - 3) - 1, -1):
            if j in self.by_token:
                return False
            if self.low[j] in self.pack.negation:
                return j + 1 >= len(self.doc) or self.low[j + 1] not in self.pack.negation_limits
        return False

    def _ending_next(self, sent, end: int) -> bool:
        """The next clause with a cue (at most two on) names no actor of its own before an ending
        cue of the force ("réclamant, | à deux semaines de l'échéance, | le retrait sans délai")."""
        for _ in range(2):
            nxt = self._clause_end(sent, end)
            if nxt <= end:
                return False
            for c in self._cues(end, nxt):
                if any(m.token_end <= c.start for m in self._candidates(end, c.start, c)):
                    return False  # the next clause has a subject of its own
                return c.cue.stance == "ending" and not self._negated(end, nxt, c, end)
            end = nxt
        return False

    def _participation_after(self, main: _CueHit, later: list[_CueHit], sent=None, end: int = 0) -> bool:
        """A participation word (send, take part) among the clause's later cues or in the cue itself, or
        (given ``sent``) in the next clause when it has no actor of its own ("erwägt nicht, | Soldaten zu
        schicken")."""
        participation = self.pack.participation
        if any(c.cue.lemma in participation for c in later) or any(
            self.lem[j] in participation for j in range(main.start, main.end)
        ):
            return True
        if sent is None or end >= sent.end:
            return False
        nxt = self._clause_end(sent, end)
        return not self._candidates_any(end, nxt) and any(c.cue.lemma in participation for c in self._cues(end, nxt))

    def _excluded_before(self, sent, start: int, main: _CueHit, later: list[_CueHit]) -> bool:
        """The clause before ends with an exclusion (not negated) or a negated weighing whose object is
        this clause's participation ("a exclu | que des soldats ... soient envoyés", "wykluczył, | że
        polscy żołnierze zostaną wysłani", "erwägt nicht, | Soldaten zu schicken"): no actor stands
        between that cue and this clause."""
        exclusions = self.pack.exclusions
        if not (exclusions or self.pack.considering) or not (
            main.cue.lemma in self.pack.participation or self._participation_after(main, later)
        ):
            return False
        previous = [(s, e) for s, e in self._clauses(sent) if e <= start]
        if not previous:
            return False
        s, e = previous[-1]
        cues = self._cues(s, e)
        if not cues:
            return False
        last = cues[-1]
        if last.cue.stance == "oppose" and last.cue.lemma in exclusions:
            if self._negated(s, e, last, s):
                return False
        elif not (
            last.cue.stance == "undecided" and last.cue.lemma in self.pack.considering and self._negated(s, e, last, s)
        ):
            return False  # nor a negated weighing ("erwägt nicht, | Soldaten zu schicken")
        return not any(m.token_start >= last.end for m in self._candidates_any(last.end, e))

    def _ending_before(self, sent, start: int) -> bool:
        """The clause before is an ending of the force and this one has no other cue before the request
        ("sollen den Libanon, | wie von Israel gefordert, ... verlassen")."""
        previous = [(s, e) for s, e in self._clauses(sent) if e <= start]
        if not previous:
            return False
        s, e = previous[-1]
        cues = self._cues(s, e)
        return bool(cues) and all(c.cue.stance == "ending" for c in cues)

    def _harm_words_in(self, start: int, end: int) -> bool:
        """A harm word (attack, fire, ...) between ``start`` and ``end``."""
        return any(self.lem[j] in self.pack.harms or self.low[j] in self.pack.harms for j in range(start, end))

    def _harm_in(self, start: int, end: int) -> bool:
        """A harm done to the force in the clause ("les attaques contre la FINUL")."""
        return self._harm_words_in(start, end) and self._names_force(start, end)

    def _harm_continued(self, sent, start: int, end: int) -> bool:
        """A harm in this clause done to the force named in the relative clause that follows ("a
        condamné des tirs | qui ont blessé un Casque bleu"), or a relative clause judging the previous
        clause's harm to the force ("sono stati condannati da Italia | che li hanno definiti inaccettabili")."""
        nxt = self._clause_end(sent, end)
        if self._harm_words_in(start, end) and nxt > end and self._opens_relative(end) and self._names_force(end, nxt):
            return True
        previous = [(s, e) for s, e in self._clauses(sent) if e <= start]
        return bool(previous) and self._opens_relative(start) and self._harm_in(*previous[-1])

    def _opens_relative(self, start: int) -> bool:
        """The clause opens with a relative pronoun, a preposition before it too ("bei dem", "dans lequel")."""
        low, pack = self.low, self.pack
        if start < len(low) and low[start] in pack.relatives:
            return True
        return start + 1 < len(low) and low[start] in pack.place_preps | pack.agent and low[start + 1] in pack.relatives

    def _topic_marker_at(self, i: int) -> bool:
        """ "jeśli chodzi o", "quant à": a phrase that looks like a condition and is none."""
        return bool(self.pack.topic_markers) and self._phrase_len(i, self.pack.topic_markers, len(self.doc)) > 0

    def _condition_marker_at(self, i: int) -> bool:
        doc = self.doc
        if self._topic_marker_at(i):
            return False
        return any(
            i + len(words) <= len(doc) and all(self.low[i + k] == w for k, w in enumerate(words))
            for words in self.pack.conditions
        )

    def _clause_end(self, sent, start: int) -> int:
        """End of the clause starting at ``start`` (the next one after a clause)."""
        return next((e for s, e in self._clauses(sent) if s == start), start)

    def _condition(self, start: int, end: int) -> str | None:
        doc = self.doc
        for i in range(start, end):
            if self._topic_marker_at(i):
                continue
            for words in self.pack.conditions:
                n = len(words)
                if i + n <= end and all(self.low[i + k] == w for k, w in enumerate(words)):
                    stop = next((j for j in range(i + n, end) if doc[j].text in ",.;:"), end)
                    return doc[i:stop].text
        return None

    # ----- main
    def _force_word(self, low: str) -> bool:
        """A force word, also as the last part of a compound ("UN-Mission", "Nato-Truppen")."""
        pack = self.pack
        if low in pack.force_words or pack.lemma(low) in pack.force_words:
            return True
        if "-" in low[1:-1]:
            last = low.rsplit("-", 1)[1]
            return last in pack.force_words or pack.lemma(last) in pack.force_words
        if pack.compound_force_words and len(low) >= 8:
            found = self._compound_cache.get(low)
            if found is None:  # "Friedenstruppen", "Stabilisierungsmission": a force word ends the compound
                found = self._compound_cache[low] = any(
                    low[k:] in pack.force_words or pack.lemma(low[k:]) in pack.force_words
                    for k in range(3, len(low) - 4)
                )
            return found
        return False

    def _about_force(self, sent) -> bool:
        for tok in sent:
            m = self.by_token.get(tok.i)
            if m is not None and m.kind == "mission":
                return True
            if self._force_word(tok.lower_):
                return True
        return False

    def _may_hold(self, sent, cue: _CueHit, start: int, end: int, *, strict: bool) -> bool:
        """The cue may carry a stance on the force: a generic verb names the force in its clause
        (or its complement, or by a clitic), its object is no event, and off the force's sentences
        only strong, specific cues count."""
        if (
            cue.cue.lemma in self.pack.needs_object
            and not self._names_force(start, end)
            and not self._complement_names_force(sent, end)
            and not self._bare_after_force(sent, start, end, cue)
            and not any(
                self.low[j] in self.pack.clitics for j in range(max(start, cue.start - 2), min(end, cue.end + 2))
            )
        ):
            return False
        if self._object_is_other(cue, end):
            return False
        return not (
            strict and (cue.cue.weight < 0.8 or cue.cue.lemma in self.pack.needs_object or cue.cue.stance == "decision")
        )

    def _attributive(self, cue: _CueHit, start: int, end: int) -> bool:
        """ "les casques bleus déployés au Liban", "die entsandten Soldaten": a participle that
        describes the force is nobody's stance."""
        text = cue.text.lower()
        if cue.cue.noun or not text.endswith(self.pack.participle_endings) or self.pack.lemma(text) == text:
            return False
        if self.pack.participle_before_noun:
            if self.pack.determiners and not (cue.start > start and self.low[cue.start - 1] in self.pack.determiners):
                return False  # "die entsandten Soldaten": an article before; "lehnt die Entsendung ab" is a verb
            after = cue.end
            return after < end and (
                self._force_word(self.low[after])
                or (
                    after + 1 < end
                    and self._force_word(self.low[after + 1])
                    and self.low[after] not in self.pack.copulas
                )
            )
        before = cue.start - 1
        return before >= start and (
            self._force_word(self.low[before])
            or (
                before - 1 >= start
                and self._force_word(self.low[before - 1])
                and self.low[before] not in self.pack.copulas
            )
        )

    def _attribute_agent_hits(self, sent, start: int, end: int, cues: list[_CueHit], evidence: str) -> list[Hit]:
        """ "tropas aportadas por Indonesia, Ghana y Malasia", "truppe fornite da Malawi, Sudafrica e
        Tanzania" (round 9): a support participle that describes the force is nobody's stance, but the
        actors listed as its agent right after it give the force (the pack's ``agent`` words)."""
        out: list[Hit] = []
        pack = self.pack
        for cue in cues:
            if cue.cue.stance != "support" or not self._attributive(cue, start, end):
                continue
            j = cue.end
            if j >= end or self.low[j] not in pack.agent:
                continue
            j += 1
            while j < end and self.low[j] in pack.determiners:
                j += 1
            for m in self._listed_actors(j, end, organisations=True):
                actor = _actor_from_mention(m, self.gaz)
                if actor is None or any(h.actor.key == actor.key for h in out):
                    continue
                if cue.cue.lemma in pack.council_acts:
                    actor = council_for_mandates(actor, self.gaz)
                out.append(
                    Hit(
                        actor,
                        "support",
                        0.6,
                        cue.text.lower(),
                        evidence,
                        None,
                        False,
                        ["agent of a participle describing the force"],
                    )
                )
        return out

    def _background(self, start: int, end: int) -> bool:
        """A year two or more before the article's in the clause ("établie en 1978 par une résolution"),
        not after a since_words word ("depuis 2006"): background history, nobody's position now."""
        if self.day is None:
            return False
        for i in range(start, end):
            text = self.doc[i].text
            if (
                len(text) == 4
                and text.isdigit()
                and 1900 <= int(text) <= self.day.year - 2
                and not (i > start and self.low[i - 1] in self.pack.since_words)
            ):
                return True
        return False

    def _clause_hits(
        self,
        sent,
        start: int,
        end: int,
        evidence: str,
        clause_actors: list[Actor],
        *,
        strict: bool = False,
    ) -> list[Hit]:
        if self._condition_marker_at(start):
            return []  # "sans un soutien américain": the content of a condition is nobody's stance
        if self._background(start, end):
            return []
        cues = self._cues(start, end)
        agent_hits = self._attribute_agent_hits(sent, start, end, cues, evidence)
        mains = [
            c
            for c in cues
            if c.cue.stance != "ending"
            and not self._attributive(c, start, end)
            and not (
                c.cue.stance == "undecided"
                and any(self.low[j] in self.pack.as_markers for j in range(c.end, min(end, c.end + 6)))
            )
        ]
        # the main cue is the first one whose object may be the force ("ha approvato con due
        # astensioni (Cina e Russia)": a generic verb without the force leaves the noun cue)
        holding = [c for c in mains if self._may_hold(sent, c, start, end, strict=strict)]
        if not holding:
            return agent_hits
        actors, how, main = [], "", holding[0]
        for candidate in holding[:3]:  # "Unser Engagement ... und wir werden Unterstützung mobilisieren"
            actors, how = self._choose_actor(sent, start, end, candidate, clause_actors)
            if actors:
                main = candidate
                break
        if not strict and how not in _EXPLICIT and self._colon_list_next(sent, end):
            # "Tres países se han abstenido: | China, Rusia y Pakistán": the list, not an earlier actor
            actors = []
        if not actors:
            if not strict:  # "Quatre pays sont prêts à envoyer des soldats : | le Maroc, ..."
                self._pending = (start, end, main, cues)
            return []
        if strict and how not in _EXPLICIT:
            return []
        if main.cue.stance in ("support", "oppose"):
            partners = self._partners_after(main, end) + [
                m for m in self._candidates_any(start, main.start) if self._with_before(m, start) is not None
            ]
            actors = actors + [a for a in self._actors(partners) if a.key not in {b.key for b in actors}]
        hits = self._hits_for(sent, start, end, main, cues, actors, how, evidence)
        taken = {a.key for a in actors}
        if main.cue.stance in ("support", "oppose"):
            listed = [a for a in self._actors(self._partners_listed(main, end)) if a.key not in taken]
            if listed:  # --explain says how they were found
                hits += self._hits_for(
                    sent, start, end, main, cues, listed, f"listed after a 'together with' phrase ({how})", evidence
                )
                taken |= {a.key for a in listed}
        hits += [h for h in agent_hits if h.actor.key not in taken]
        return hits + self._named_noun_hits(sent, start, end, main, cues, taken | {h.actor.key for h in hits}, evidence)

    def _named_noun_hits(
        self,
        sent,
        start: int,
        end: int,
        main: _CueHit,
        cues: list[_CueHit],
        taken: set[str],
        evidence: str,
    ) -> list[Hit]:
        """Later noun cues of the clause that name their own holder: "a prolongé le mandat par 13 voix
        et deux abstentions (la Chine et la Russie)" -> China and Russia undecided."""
        out = []
        for cue in cues:
            if cue.start <= main.start or not cue.cue.noun or cue.cue.stance not in ("support", "oppose", "undecided"):
                continue
            found = self._noun_actor(cue, end)
            actors = [a for a in self._actors(found) if a.key not in taken]
            if actors:
                taken.update(a.key for a in actors)
                out.extend(
                    self._hits_for(
                        sent,
                        cue.start,
                        end,
                        cue,
                        [c for c in cues if c.start >= cue.start],
                        actors,
                        "named after a later noun cue",
                        evidence,
                    )
                )
        return out

    def _hits_for(
        self,
        sent,
        start: int,
        end: int,
        main: _CueHit,
        cues: list[_CueHit],
        actors: list[Actor],
        how: str,
        evidence: str,
    ) -> list[Hit]:
        """The hits of ``actors`` for the main cue of the clause [start, end): polarity, condition."""
        later = [c for c in cues if c.start > main.start]
        acted = [c for c in later if c.cue.stance in ("support", "oppose")]
        if main.cue.stance == "decision" and not acted and end < sent.end:
            # "hat beschlossen, | das Mandat ... zu verlängern": the act in the next clause, without its own actor
            nxt = self._clause_end(sent, end)
            if not self._candidates_any(end, nxt):
                acted = [c for c in self._cues(end, nxt) if c.cue.stance in ("support", "oppose")][:1]
        if main.cue.stance == "decision" and acted and not self._negated(start, end, main, start):
            # "Il Consiglio di Sicurezza ha deciso ... di prolungare": the act decided on
            return self._hits_for(sent, start, end, acted[0], cues, actors, f"{how}, decided", evidence)
        if main.cue.lemma in self.pack.council_acts:
            actors = [council_for_mandates(a, self.gaz) for a in actors]  # "L'ONU a renouvelé le mandat": the Council
        chosen = [
            self.by_token[i]
            for i in range(start, main.start)
            if i in self.by_token
            and _actor_from_mention(self.by_token[i], self.gaz) is not None
            and _actor_from_mention(self.by_token[i], self.gaz).key in {a.key for a in actors}
        ]
        actor_end = max((m.token_end for m in chosen), default=start)
        negated = self._negated(start, end, main, actor_end)
        troops_negated = not negated and any(self._negated_troops(m, start) for m in chosen)
        negated = negated or troops_negated
        stance = main.cue.stance
        lemma = main.cue.lemma
        own_refusal = False
        notes = [how]
        if stance == "decision":
            if not negated:
                return []
            stance, notes = "undecided", [*notes, "decision not taken"]
        elif negated:
            if stance == "support":
                stance = "oppose"
                own_refusal = (
                    troops_negated
                    or lemma in self.pack.participation
                    or any(c.cue.lemma in self.pack.participation for c in later)
                    or any(self.lem[j] in self.pack.participation for j in range(main.start, main.end))
                )  # "wezmą udziału"
                notes.append(
                    "negated support"
                    + (" (own troops)" if own_refusal else "")
                    + (": a negation before its troops" if troops_negated else "")
                )
            elif stance == "oppose":
                stance = "undecided"
                notes.append("negated refusal")
            elif (
                stance == "undecided"
                and lemma in self.pack.considering
                and self._participation_after(main, later, sent, end)
            ):
                stance, own_refusal = "oppose", True  # "n'envisageait pas d'envoyer de troupes"
                notes.append("negated weighing of own participation")
        elif stance == "support" and self._excluded_before(sent, start, main, later):
            stance, own_refusal = "oppose", True  # "ha escluso che ... possano essere inviati soldati"
            notes.append("participation excluded by the clause before")
        elif stance == "support" and any(
            c.cue.stance in ("oppose", "ending") and not self._negated(start, end, c, main.end) for c in later
        ):
            stance = "oppose"
            notes.append(f"support of an ending ({later[0].text})")
        elif (
            stance == "support"
            and lemma in self.pack.requests
            and (self._ending_next(sent, end) or self._ending_before(sent, start))
        ):
            stance = "oppose"  # "forderte Guterres auf, | die Unifil ... abzuziehen"
            notes.append("request of an ending in the next clause")
        elif stance == "oppose" and any(
            c.cue.stance == "ending" and not self._negated(start, end, c, main.end) for c in later
        ):
            stance = "support"  # "mettait en garde contre un retrait prématuré": against the force's end
            notes.append("opposing the force's end")
        elif stance == "oppose" and self._harm_in(start, end):
            stance = "support"  # "Angriffe auf die Unifil inakzeptabel": condemning harm to the force
            notes.append("condemning harm to the force")
        elif stance == "oppose" and self._harm_continued(sent, start, end):
            stance = "support"  # "condamné des tirs ... | qui ont blessé un Casque bleu"
            notes.append("condemning harm to the force (across a relative clause)")
        elif stance == "oppose" and (
            any(c.cue.lemma in self.pack.participation for c in later)
            or any(self.lem[j] in self.pack.participation for j in range(main.start, main.end))
        ):
            own_refusal = True  # "refuse de participer", the phrase "nie wyśle"
            notes.append("refusal of own participation")
        if stance == "support" and any(self.low[j] in self.pack.whether for j in range(start, main.start)):
            stance = "undecided"  # "czy Polska wyśle wojska": whether it will send them
            notes.append("asked whether")
        if stance == "support" and self._reservation(start, end):
            stance = "undecided"  # "unter erhebliche Vorbehalte stellen", "solo con le Nazioni Unite"
            notes.append("support under a reservation")
        condition = self._condition(start, end) or self._condition(end, self._clause_end(sent, end))
        if own_refusal and condition:
            stance = "undecided"
            notes.append("refusal under a condition")
        hits = []
        for actor in actors:
            if actor.actor_type == "person" and main.cue.weight < 0.8:
                continue  # private persons: only strong, explicit cues
            hits.append(
                Hit(
                    actor,
                    stance,
                    round(min(main.cue.weight, 1.0), 2),
                    main.text.lower(),
                    evidence,
                    condition,
                    own_refusal,
                    list(notes),
                )
            )
        return hits

    def _remember(self, sent, hits: list[Hit]) -> None:
        """The actors a pronoun or a subject-less clause of the NEXT sentence refers to."""
        self.last_actors = []
        if hits:
            self.last_actors = list({h.actor.key: h.actor for h in hits}.values())
            return
        for m in self.mentions:
            if (
                sent.start <= m.token_start < sent.end
                and m.kind in ("country", "organisation", "coalition")
                and not self._preceded_by(m, self.pack.place_preps | self.pack.genitive, sent.start)
            ):
                actor = _actor_from_mention(m, self.gaz)
                if actor:
                    self.last_actors = [actor]
                    return
            if sent.start <= m.token_start < sent.end and m.kind == "person" and m.office:
                actor = _actor_from_mention(m, self.gaz)
                if actor:
                    self.last_actors = [actor]
                    return

    def extract(self) -> list[Hit]:
        """All stance hits of the document, in order."""
        hits: list[Hit] = []
        previous_about = False
        for sent in self.doc.sents:
            about = self._about_force(sent)
            sent_hits: list[Hit] = []
            question = sent.text.rstrip().endswith("?")  # "Will Poland send troops?" is nobody's stance
            if not question:
                # a sentence neither about the force nor right after one is searched strictly:
                # strong cues with their actor in the clause only ("ont exprimé leur soutien")
                strict = not (about or previous_about)
                evidence = sent.text.strip()
                if not strict:
                    sent_hits.extend(self._compound_hits(sent, evidence))
                    sent_hits.extend(self._contribution_hits(sent, evidence))
                    sent_hits.extend(self._contingent_hits(sent, evidence))
                    sent_hits.extend(self._force_of_hits(sent, evidence))
                    sent_hits.extend(self._list_head_hits(sent, evidence))
                    sent_hits.extend(self._leader_hits(sent, evidence))
                clause_actors: list[Actor] = []
                self._pending = None
                previous: list[Hit] = []
                for start, end in self._clauses(sent):
                    clause_hits = [] if strict else self._list_hits(sent, start, end, evidence, previous)
                    if not clause_hits:
                        clause_hits = self._clause_hits(sent, start, end, evidence, clause_actors, strict=strict)
                    if not clause_hits and not strict:
                        clause_hits = self._subject_contingent(sent, start, end, evidence)
                    previous = clause_hits
                    if clause_hits:
                        clause_actors = [h.actor for h in clause_hits]
                    sent_hits.extend(clause_hits)
                for hit in sent_hits:
                    hit.sent_start = sent.start_char  # where the evidence is (missions, commitment)
                    if hit.mechanism == "rule" and hit.notes:  # --explain: how the clause route found it
                        hit.mechanism = f"rule: cue '{hit.cue}', " + "; ".join(hit.notes)
                hits.extend(sent_hits)
            previous_about = about
            self._remember(sent, sent_hits)
        return hits


def extract_clause_stances(
    doc,
    mentions: list[Mention],
    pack: LanguagePack,
    gaz: Gazetteer,
    day: dt.date | None = None,
) -> list[Hit]:
    """Stance hits of one document of the clause route (see the module docstring); ``day`` is the
    article's date (years two or more before it mark background history)."""
    return ClauseStanceExtractor(doc, mentions, pack, gaz, day).extract()
