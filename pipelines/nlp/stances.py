"""Stance extraction from the dependency parse.

For every sentence that talks about the force (an `objects` word from the cue lexicon), each
stance cue (lexicon lemma or phrase) is attached to the actor that governs it: the subject of
the cue's clause or of the verbs above it (coordinated subjects expanded, "including X, Y and Z"
lists expanded, passive agents, possessives such as "Russia's opposition"), with pronouns and
"his government" resolved to the reported speaker or the previous actor. Negation on the path
from the cue to its subject flips the stance; modals lower confidence; conditions are recorded.
Relative pronouns resolve to their antecedent (a coordination included); when the force itself is
the subject of its ending, staying or (passive) renewal, the actor is the one above ("called for
the force to be withdrawn"); an ending undone ("slow the withdrawal") is support.
Hits are merged into one stance per actor per article by
:func:`pipelines.nlp.stance_merge.merge_hits` (rule in its docstring).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from dataclasses import dataclass, field

from .cues import STANCES, Lexicon, load_lexicon
from .entities import Mention
from .gazetteer import Gazetteer

logger = logging.getLogger(__name__)

_SUBJ = frozenset({"nsubj", "nsubjpass", "csubj"})
_NEG_WORDS = frozenset({"not", "n't", "never", "no", "nothing", "neither", "nor"})
_PRONOUNS = frozenset({"it", "they", "he", "she", "its", "their", "his", "her", "them", "we"})
_PASSIVE_NEUTRAL = frozenset({"consider", "question", "study", "examine", "assess", "weigh"})
_CONDITIONAL_CUES = frozenset({"depend", "contingent", "conditional", "subject"})
# round 12: nouns of taking part whose condition ("any participation would depend on ...") is a position
_PARTICIPATION_NOUNS = frozenset({"participation", "involvement", "contribution", "deployment", "engagement"})
# round 12: nouns of a mandate's renewal ("consider further renewal" is the next act, not a hedge)
_RENEWALS = frozenset({"renewal", "extension", "prolongation", "rollover"})
# ... and the conditions that are still to be decided (with the lexicon's `decision` words)
_PENDING = frozenset({"evaluation", "assessment", "review", "approval", "consultation", "study"})
# verbs that ask for a Council act rather than report one taken ("calls for a resolution", "seeks a
# resolution"), and words that make the resolution one not yet adopted ("a possible resolution"; not
# "draft" or "new": "adopted a draft resolution", "a new resolution extending the mandate" are acts)
_ACT_REQUESTS = frozenset(
    {"call", "seek", "ask", "urge", "push", "press", "demand", "request", "need", "require", "want", "propose"}
)
_ACT_UNADOPTED = frozenset({"proposed", "planned", "future", "possible", "potential"})
_ASSIGNED = frozenset({"appoint", "task", "ask", "invite", "choose", "select", "nominate", "name", "assign"})
# verbs over a nominal cue that make it something needed or missing, not the holder's position
# ("lack of support from the US", "count on support from Washington", "with US backing")
_RECEIVING = frozenset(
    {
        "need",
        "require",
        "lack",
        "want",
        "seek",
        "count",
        "rely",
        "depend",
        "ask",
        "demand",
        "secure",
        "get",
        "receive",
        "obtain",
        "have",
        "expect",
        "hope",
        "urge",
        "call",
        "press",
        "request",
        "insist",
        "without",
        "with",
        "absence",
        "pending",
        "match",
        "equal",
        "replace",
        "lose",
        "miss",
    }
)
# verbs that report an ending already under way: "have begun withdrawing" is news, not a position
_PROGRESS = frozenset(
    {
        "begin",
        "start",
        "complete",
        "finish",
        "continue",
        "undertake",
        "oversee",
        "conclude",
        "proceed",
        "resume",
        "carry",
    }
)
# refusing to speak is no position: "declined to disclose the scale of such deployments"
_DISCLOSURE = frozenset(
    {
        "disclose",
        "comment",
        "say",
        "reveal",
        "specify",
        "elaborate",
        "confirm",
        "discuss",
        "answer",
        "speculate",
        "name",
        "identify",
        "detail",
        "divulge",
        "respond",
        "address",
    }
)
# verbs a country's (negated) troops must govern to be a refusal: "no French troops will be deployed",
# not "no French troops were wounded"
_PRESENCE = frozenset(
    {
        "be",
        "deploy",
        "send",
        "station",
        "base",
        "go",
        "enter",
        "join",
        "participate",
        "serve",
        "contribute",
        "put",
        "place",
        "set",
        "foresee",
        "plan",
        "envisage",
        "expect",
        "commit",
        "dispatch",
        "involve",
        "have",
        "see",
    }
)
# hedges on a nominal cue: "the possible refusal of X" is a guess about X, not X's position
_SPECULATIVE = frozenset(
    {
        "possible",
        "potential",
        "likely",
        "expected",
        "feared",
        "probable",
        "eventual",
        "hypothetical",
        "alleged",
        "rumoured",
        "rumored",
    }
)
_REVISIONS = frozenset(
    {
        "revise",
        "review",
        "change",
        "adjust",
        "amend",
        "modify",
        "update",
        "adapt",
        "reform",
        "restructure",
        "reshape",
        "redefine",
    }
)
_NUMBERED = {"both": 2, "two": 2, "three": 3, "four": 4, "five": 5}
_HARD_CONDITIONS = ("if", "unless", "provided", "providing", "as long as", "on condition")
_INDEFINITE = frozenset({"anything", "nothing", "everything", "something"})
_LIST_PREPS = frozenset({"including", "like", "as", "among"})
_ABOUT_PREPS = frozenset({"on", "regarding", "concerning", "about", "for"})
# troops that make up a force or serve in it: their country takes part ("soldiers from A and B")
_TROOP_NOUNS = frozenset({"troop", "soldier", "peacekeeper", "contingent", "personnel", "policeman", "officer"})
_COMPOSED = frozenset({"comprise", "include", "consist", "compose", "make", "feature", "count"})
_SERVICE = frozenset(
    {
        "serve",
        "patrol",
        "guard",
        "protect",
        "arrive",
        "operate",
        "man",
        "staff",
        "reinforce",
        "secure",
        "escort",
        "monitor",
    }
)
# plural nouns for countries; "nations such as A and B" joining the force are participants
_COUNTRY_NOUNS = frozenset({"nation", "country", "state", "government", "partner", "ally"})
# round 12: "the fourth country to join the force, after A, B and C": the ranks of a joining order
_ORDINALS = frozenset(
    {"second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "latest", "last", "next"}
)
_JOINING = frozenset(
    {
        "join",
        "joining",
        "contribute",
        "contributing",
        "participate",
        "participating",
        "send",
        "sending",
        "deploy",
        "deploying",
    }
)
_ACTOR_KINDS = {
    "country": "country",
    "organisation": "organisation",
    "coalition": "coalition",
    "armed_group": "organisation",
    "person": "person",
}


@functools.lru_cache(maxsize=1)
def _host_codes() -> frozenset[str]:
    """ISO codes of the countries the mission catalogue's forces are deployed in (round 12)."""
    from .missions import load_catalogue

    return frozenset(code for m in load_catalogue().missions.values() for code in m.hosts)


@dataclass
class Actor:
    """Who holds a stance, with how the name was resolved (for explanations)."""

    key: str
    name: str
    actor_type: str
    code: str | None
    resolution: str
    via_person: bool = False


@dataclass
class Hit:
    """One stance cue attached to one actor in one sentence."""

    actor: Actor
    stance: str
    confidence: float
    cue: str
    evidence: str
    condition: str | None
    own_refusal: bool = False
    notes: list[str] = field(default_factory=list)
    sent_start: int = -1  # character offset of the evidence sentence in the doc (missions, commitment)
    mechanism: str = "rule"  # which rule produced the hit (cue, path, how the actor was found)
    # context for the trained actor filter (pipelines/nlp/actor_filter.py)
    context: dict[str, float | str] = field(default_factory=dict)


@dataclass
class _DocState:
    """Per-document memory for pronouns, role nouns and "the same" references."""

    last_actors: list[Actor] = field(default_factory=list)
    last_person_actor: Actor | None = None
    recent_people: list[Mention] = field(default_factory=list)
    last_hits: list[Hit] = field(default_factory=list)


def council_for_mandates(actor: Actor, gaz: Gazetteer) -> Actor:
    """ "The UN renewed the mandate": mandates are renewed, extended and authorised by the Council.

    Returns the Security Council for the UN, any other actor unchanged (both routes use it).
    """
    org, council = gaz.organisations.get("UN"), gaz.organisations.get("UNSC")
    if org is None or council is None or actor.key != f"org:{org.name}":
        return actor
    return Actor(
        f"org:{council.name}",
        council.name,
        "organisation",
        None,
        f"{actor.resolution} -> {council.name} (the Council acts on mandates)",
    )


def _actor_from_mention(m: Mention, gaz: Gazetteer) -> Actor | None:
    if m.kind in ("mission", "group"):  # groups stand for their members (StanceExtractor._mention_actors)
        return None
    if m.how == "dateline":  # "NAIROBI, Kenya (Reuters) —": where the report was filed
        return None
    if m.kind == "country":
        return Actor(m.code or m.name, m.name, "country", m.code, f"{m.text} -> {m.name} ({m.how})")
    if m.kind == "person":
        if m.actor_id and m.office:
            if m.actor_id in gaz.countries:
                country = gaz.countries[m.actor_id]
                return Actor(
                    country.code,
                    country.name,
                    "country",
                    country.code,
                    f"{m.text} -> {country.name} ({m.office.describe()})",
                    True,
                )
            org = gaz.organisations.get(m.actor_id)
            if org:
                return Actor(
                    org.id,
                    org.name,
                    _ACTOR_KINDS.get(org.kind, "organisation"),
                    None,
                    f"{m.text} -> {org.name} ({m.office.describe()})",
                    True,
                )
        return Actor("person:" + m.name, m.name, "person", None, f"{m.text} -> {m.name} (person)", True)
    org = gaz.organisation(m.name)
    if org and not org.actor:
        return None
    return Actor(
        "org:" + m.name, m.name, _ACTOR_KINDS.get(m.kind, "organisation"), None, f"{m.text} -> {m.name} ({m.kind})"
    )


def _refer(ref: Actor, text: str) -> Actor:
    return Actor(ref.key, ref.name, ref.actor_type, ref.code, f"{text} -> {ref.resolution}", ref.via_person)


class StanceExtractor:
    """Extract stance hits from one parsed document (create one per document; cheap)."""

    def __init__(
        self,
        doc,
        mentions: list[Mention],
        gaz: Gazetteer,
        lex: Lexicon,
        day: dt.date | None = None,
    ) -> None:
        self.doc, self.gaz, self.lex = doc, gaz, lex
        self.by_token: dict[int, Mention] = {}
        for m in mentions:
            for i in range(m.token_start, m.token_end):
                self.by_token[i] = m
        self.state = _DocState()
        self.org_mentions = [m for m in mentions if m.kind in ("organisation", "coalition")]
        self.day = day
        self._earlier_active: set[int] = set()  # pronouns being resolved by _earlier_subject

    # ----- actors
    def _mention_actor(self, token) -> Actor | None:
        actors = self._mention_actors(token)
        return actors[0] if actors else None

    def _mention_actors(self, token) -> list[Actor]:
        """The actor(s) a mention stands for: a country group stands for each of its members."""
        m = self.by_token.get(token.i)
        if m is None:
            return []
        if m.kind == "group":
            out = []
            for code in m.members:
                country = self.gaz.countries[code]
                out.append(
                    Actor(code, country.name, "country", code, f"{m.text} -> {country.name} (member of the {m.name})")
                )
            return out
        actor = _actor_from_mention(m, self.gaz)
        return [actor] if actor else []

    def _speakers(self, token) -> list[Actor]:
        """Actors of the nearest reporting verb above ``token`` ("X said that ...", "..., said X")."""
        t = token
        while t.head.i != t.i:
            t = t.head
            if t.lemma_.lower() in self.lex.speech:
                for c in t.children:
                    if c.dep_ in _SUBJ:
                        if c.tag_ in ("WDT", "WP"):
                            c = self._antecedent(c, t) or c
                        return [a for s in self._expand(c) for a in self._resolve(s, speakers=[], allow_pronoun=True)]
                if t.head.i == t.i:  # the parser lost the subject: actors right before the verb
                    return [
                        a for s in self._preceding_actors(t) for a in self._resolve(s, speakers=[], allow_pronoun=False)
                    ]
                if t.dep_ in ("acl", "xcomp", "relcl") and any(
                    c.dep_ == "aux" and c.lower_ == "to" for c in t.children
                ):
                    # "Starmer became the first European leader to say he was ready": the subject above
                    above = (
                        t.head.head
                        if t.dep_ in ("acl", "relcl") and t.head.dep_ in ("attr", "dobj", "oprd")
                        else t.head
                    )
                    for c in above.children:
                        if c.dep_ in _SUBJ:
                            return [
                                a for s in self._expand(c) for a in self._resolve(s, speakers=[], allow_pronoun=True)
                            ]
        return []

    def _earlier_subject(self, pron) -> list[Actor]:
        """ "The Trump administration has ruled out ..., (but) it has been speaking to ...": an
        actor that is the subject of an earlier clause of the same sentence. A pronoun already being
        resolved this way gives nothing (a subject whose own possessive pronoun leads back to it would
        otherwise recurse without end)."""
        active = self._earlier_active
        if pron.i in active:
            return []
        active.add(pron.i)
        try:
            for t in pron.sent:
                if t.i >= pron.i:
                    break
                if t.dep_ in ("nsubj", "nsubjpass") and t.lower_ not in _PRONOUNS:
                    found = [a for s in self._expand(t) for a in self._resolve(s, speakers=[], allow_pronoun=False)]
                    if found:
                        return found
            return []
        finally:
            active.discard(pron.i)

    def _role_reference(self, tok) -> Actor | None:
        """'the prime minister' -> the last person mentioned whose office matches."""
        words = " ".join(t.lower_ for t in tok.subtree if t.dep_ in ("compound", "amod") or t.i == tok.i)
        counts: dict[str, tuple[int, int, Mention]] = {}
        for order, m in enumerate(self.state.recent_people):
            if m.office and (tok.lower_ in m.office.role or words in m.office.role):
                seen = counts.get(m.name, (0, 0, m))[0]
                counts[m.name] = (seen + 1, order, m)
        if not counts:
            return None
        _, _, best = max(counts.values(), key=lambda c: (c[0], c[1]))
        actor = _actor_from_mention(best, self.gaz)
        return _refer(actor, f"the {words} (most mentioned holder)") if actor else None

    def _as_well_as(self, clause, subjects: list) -> list:
        """ "Morocco had agreed to send troops, ..., as well as Albania and Kosovo": countries added
        with "as well as" that the parser hung on another word share the clause's subject."""
        if not any(s.i in self.by_token for s in subjects):
            return []
        out = []
        for t in clause.subtree:
            if t.dep_ not in ("conj", "pobj") or t.i not in self.by_token or t.head.i in self.by_token or t.i < 3:
                continue
            if [w.lower_ for w in self.doc[t.i - 3 : t.i]] == ["as", "well", "as"]:
                out.extend([t, *t.conjuncts])
        return out

    def _numbered_reference(self, tok) -> list[Actor]:
        """'the two countries', 'both nations', 'the three governments' -> the last N countries named."""
        if (
            tok.lemma_.lower() not in ("country", "nation", "state", "government", "capital", "ally")
            or tok.tag_ != "NNS"
        ):
            return []
        count = next(
            (
                _NUMBERED[c.lower_]
                for c in tok.children
                if c.lower_ in _NUMBERED and c.dep_ in ("nummod", "det", "predet")
            ),
            0,
        )
        if not count:
            return []
        for i in range(tok.i - 1, -1, -1):  # the last coordination of exactly that many countries
            m = self.by_token.get(i)
            if m is None or m.kind != "country" or i != m.token_start:
                continue
            head = self.doc[m.token_end - 1]
            group = [head, *head.conjuncts]
            actors = {a.key: a for t in group for a in self._mention_actors(t) if a.actor_type == "country"}
            if len(group) == count and len(actors) == count:
                return [_refer(a, f"{tok.text} (the {count} countries named together last)") for a in actors.values()]
        return []

    def _organisation_reference(self, tok) -> Actor | None:
        """'the regional bloc', 'the council' -> the organisation named last before it (for a
        specific noun, the last one whose name contains it)."""
        lemma = tok.lemma_.lower()
        generic = lemma in self.lex.generic_org_heads
        for m in reversed(self.org_mentions):
            if m.token_start >= tok.i:
                continue
            if generic or lemma in m.name.lower() or tok.lower_ in m.name.lower():
                actor = _actor_from_mention(m, self.gaz)
                if actor:
                    return _refer(actor, f"the {tok.text} (organisation named last)")
        return None

    def _resolve(self, tok, *, speakers: list[Actor], allow_pronoun: bool, depth: int = 0) -> list[Actor]:
        actors = self._mention_actors(tok)
        if actors:
            return actors
        low = tok.lower_
        if low in _PRONOUNS:
            if not allow_pronoun:
                return []
            if low in ("he", "she", "his", "her"):
                refs = [a for a in speakers if a.via_person] or (
                    [self.state.last_person_actor] if self.state.last_person_actor else []
                )
            elif low == "we":
                refs = speakers
            else:
                refs = (
                    [a for a in speakers if not a.via_person]
                    or speakers
                    or self._earlier_subject(tok)
                    or self.state.last_actors
                )
            return [_refer(r, tok.text) for r in refs]
        lemma = tok.lemma_.lower()
        if lemma in self.lex.org_heads and any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children):
            ref = self._organisation_reference(tok)
            if ref:
                return [ref]
        numbered = self._numbered_reference(tok)
        if numbered:
            return numbered
        if lemma not in self.lex.actor_heads and low not in self.lex.actor_heads:
            if tok.pos_ == "NOUN" and depth == 0:
                for child in tok.children:
                    if child.dep_ == "prep" and child.lower_ == "of":
                        for pobj in child.children:
                            if pobj.dep_ == "pobj":
                                found = self._resolve(pobj, speakers=speakers, allow_pronoun=allow_pronoun, depth=1)
                                # "a large group of EU countries, including Ireland and Belgium": the named ones
                                return found or [
                                    a
                                    for t in self._expand(pobj)[1:]
                                    for a in self._mention_actors(t)
                                    if a.actor_type != "person"
                                ]
            return []
        if (tok.dep_ == "nsubjpass" and lemma in ("troop", "soldier")) or depth:
            return []  # "troops from NATO countries being deployed": their origin holds no stance
        if any(c.lower_ == "opposition" for c in tok.children):
            return []  # "Kenyan opposition leaders" do not speak for Kenya
        person_role = lemma in self.lex.person_heads or low in self.lex.person_heads
        for child in tok.children:
            target = child
            if child.dep_ == "prep" and child.lower_ in ("of", "for"):
                target = next((g for g in child.children if g.dep_ == "pobj"), None)
            elif child.dep_ not in ("compound", "amod", "poss", "nmod", "npadvmod"):
                continue
            if target is None:
                continue
            # "Danish and Dutch troops", "the leaders of Spain, Belgium and Ukraine": each of them
            actors = self._mention_actors(target) + [
                a
                for c in target.conjuncts
                for a in self._mention_actors(c)
                if child.dep_ in ("amod", "compound") or tok.tag_ == "NNS"
            ]
            if not actors and child.dep_ == "prep":
                # "the chief of the Austrian armed forces", "leaders of seven countries, including A and B"
                for t in [
                    *(c for c in target.children if c.dep_ in ("compound", "amod", "poss", "nmod")),
                    *self._expand(target)[1:],
                ]:
                    actors.extend(a for a in self._mention_actors(t) if a.actor_type != "person")
            if actors and actors[0].actor_type != "person":
                if person_role:  # "the Belgian foreign minister ... he": a person speaking for the country
                    return [
                        Actor(a.key, a.name, a.actor_type, a.code, f"{tok.text} ({child.text}) -> {a.name}", True)
                        for a in actors
                    ]
                return actors
            if child.dep_ == "poss" and target.lower_ in _PRONOUNS:
                refs = self._resolve(target, speakers=speakers, allow_pronoun=True)
                return [_refer(r, f"{target.text} {tok.text}") for r in refs]
        if any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children):
            ref = self._role_reference(tok)
            if ref:
                return [ref]
        return []

    def _expand(self, tok) -> list:
        """The subject token, its conjuncts, and members of "including/such as/among" lists."""
        out = [tok, *tok.conjuncts]
        for t in list(out):
            for child in t.children:
                if child.dep_ == "prep" and child.lower_ in _LIST_PREPS:
                    for pobj in child.children:
                        if pobj.dep_ == "pobj":
                            out.extend([pobj, *pobj.conjuncts])
                if child.dep_ == "appos":
                    out.extend([child, *child.conjuncts])
        return out

    def _subject(self, cue) -> tuple[list, list, bool]:
        """Subject tokens governing ``cue``, the path climbed, and whether found via a modifier
        (``self.how_subject`` says which rule found them, for explanations)."""
        path = [cue]
        self.how_subject = ""
        for child in cue.children:
            if child.dep_ in ("poss", "compound", "npadvmod", "amod", "nmod") and child.i in self.by_token:
                if self._host_as_place(cue, child):
                    continue  # "the Haiti deployment": where the force goes
                self.how_subject = "modifier of the cue"
                return [child, *child.conjuncts], path, True
            if (
                child.dep_ == "poss"
                and child.lower_ in ("their", "its", "his", "her", "our")
                and cue.pos_ == "NOUN"
                and not self._object_like(cue)
            ):
                self.how_subject = "possessive pronoun of the cue"  # "outlines their commitment to deploying"
                return [child], path, True
        if cue.pos_ == "NOUN":  # "the scepticism of other factors, including the US"
            for child in cue.children:
                if child.dep_ == "prep" and child.lower_ in ("of", "from", "by"):
                    if child.lower_ == "from" and self._is_ending(cue):
                        continue  # "the withdrawal of the force from Mozambique": the place it leaves
                    for pobj in child.children:
                        expanded = self._expand(pobj) if pobj.dep_ == "pobj" else []
                        if any(self._mention_actor(t) for t in expanded):
                            self.how_subject = f"'{child.text}' phrase of the cue"
                            return expanded, path, True
        t = cue
        # the force as subject of its own ending or staying: the actor is the one above
        ending = self._is_ending(cue) or cue.lemma_.lower() in self.lex.continuation
        for _ in range(12):
            # a passive's agent holds the stance, not its subject ("troops offered by Belgium")
            agent = [g for c in t.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
            if agent:
                self.how_subject = "passive agent"
                return self._expand(agent[0]), path, False
            subj = [c for c in t.children if c.dep_ in _SUBJ and not self._in_dateline(c)]
            listed = [c for c in t.children if c.dep_ == "appos" and c.i in self.by_token]
            if not subj and listed and t.pos_ == "VERB":
                self.how_subject = "list set off after the verb"
                return self._expand(listed[0]), path, False  # "three abstaining—Russia, China and Pakistan"
            clause = t.head if t.dep_ == "conj" else t
            passive_cue = (
                t.i == cue.i and bool(subj) and subj[0].dep_ == "nsubjpass" and clause.dep_ in ("ccomp", "xcomp")
            )
            if subj and ending and t.head.i == t.i and self._object_like(subj[0]):
                # "Russian troops will remain in the occupied areas", "2,000 UN soldiers will leave
                # South Kivu": the force itself moves; nobody states a position on it
                break
            if (
                subj
                and ending
                and self._object_like(subj[0])
                and (self._factual(cue) if t.i == cue.i else (t.lemma_.lower() in _PROGRESS and self._factual(t)))
            ):
                break  # "peacekeepers have begun withdrawing, the Kremlin said": news, not a position
            if subj and (ending or passive_cue) and self._object_like(subj[0]) and t.head.i != t.i:
                # "called for the force to be withdrawn", "argued that the mission should not be
                # renewed": the force is what the stance is about; the actor is above
                while t.dep_ == "conj" and t.head.i != t.i:
                    t = t.head  # the first conjunct's own subject is not this clause's actor either
                if t.head.i == t.i:
                    break
                t = t.head
                path.append(t)
                continue
            if subj and self._destination(subj[0], t):
                # "peacekeepers left for Lebanon to join UNIFIL": Lebanon is where they go
                t = t.head
                path.append(t)
                continue
            if subj:
                s = subj[0]
                self.how_subject = "subject"
                if s.tag_ in ("WDT", "WP"):
                    s = self._antecedent(s, t) or s
                    self.how_subject = "antecedent of a relative pronoun"
                    if s.dep_ == "pobj" and s.head.lower_ == "among" and s.i not in self.by_token:
                        # "Denmark and Norway are among the countries that have offered troops"
                        s = next((c for c in s.head.head.children if c.dep_ in _SUBJ), s)
                # "Macron, Starmer, and Zelensky signed": the parser may split one coordinated
                # subject into several subjects of the verb; each of them is one
                extra = [
                    x
                    for c in subj[1:]
                    if c.dep_ == s.dep_
                    and c.i in self.by_token
                    and (self.by_token[c.i].kind != "person" or self.by_token[c.i].actor_id)
                    for x in self._expand(c)
                ]
                return self._expand(s) + extra, path, False
            if t.dep_ in ("acl", "relcl") and (
                t.head.i in self.by_token or t.head.lemma_.lower() in self.lex.actor_heads
            ):
                if t.lemma_.lower() in _ASSIGNED:
                    break  # "General X, appointed to lead the force": a role, not a stance
                self.how_subject = "noun the clause modifies"
                return self._expand(t.head), path, False
            if t.head.i == t.i:
                self.how_subject = "actors right before the verb (parser lost the subject)"
                return self._preceding_actors(t), path, False
            if t.dep_ in _SUBJ:
                break
            sibling = t.dep_ == "conj"  # a coordinated verb shares the subject, not its polarity
            t = t.head
            if not sibling:
                path.append(t)
        return [], path, False

    def _destination(self, subj, clause) -> bool:
        """Round 12: ``subj`` is the place a journey heads for, parsed as the subject of an infinitive
        ("a contingent has left for Lebanon to take part in the force", "sailed for Cyprus to join
        the mission"): *for* marks the clause, and the clause hangs on a verb of setting out."""
        return (
            subj.dep_ == "nsubj"
            and clause.dep_ == "advcl"
            and any(c.dep_ == "mark" and c.lower_ == "for" for c in clause.children)
            and clause.head.lemma_.lower() in self.lex.journeys
            and subj.i in self.by_token
            and self.by_token[subj.i].kind == "country"
        )

    def _host_as_place(self, cue, child) -> bool:
        """Round 12: a mission's host country as a noun modifier of a force noun ("Caricom countries
        prepping for Haiti deployment", "the Lebanon mission") names the place, not the holder; a
        possessive ("Haiti's deployment") or a demonym ("the Kenyan deployment") still holds it."""
        if child.dep_ not in ("compound", "nmod") or child.pos_ != "PROPN" or cue.pos_ != "NOUN":
            return False
        if cue.lemma_.lower() not in self.lex.force_words:
            return False
        actor = self._mention_actor(child)
        return bool(actor and actor.actor_type == "country" and actor.code in _host_codes())

    def _factual(self, verb) -> bool:
        """A finite verb stating what is happening or happened (no modal, future or infinitive)."""
        if verb.dep_ in ("ccomp", "xcomp") and verb.head.lemma_.lower() in self.lex.wish:
            return False  # "want the mission wound down": a wish
        aux = {c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass")}
        if aux & {"will", "would", "shall", "should", "must", "could", "may", "might", "to", "'ll", "can"}:
            return False
        return verb.tag_ in ("VBD", "VBZ", "VBP") or (verb.tag_ in ("VBG", "VBN") and bool(aux))

    def _in_dateline(self, tok) -> bool:
        """ "UNITED NATIONS (AP) — France proposed ...": the dateline is no subject."""
        m = self.by_token.get(tok.i)
        return m is not None and m.how == "dateline"

    def _antecedent(self, pron, verb):
        """The noun a relative pronoun stands for ("Finland and Estonia, which have said ...").

        The parser attaches the clause as ``relcl`` to its antecedent, or (often after a
        coordination) elsewhere; then the antecedent is the noun right before the pronoun.
        """
        if verb.dep_ == "relcl":
            return verb.head
        j = pron.i - 1
        while j >= pron.sent.start and self.doc[j].is_punct:
            j -= 1
        if j >= pron.sent.start and self.doc[j].pos_ in ("NOUN", "PROPN"):
            return self.doc[j]
        return None

    def _is_ending(self, cue) -> bool:
        return cue.lemma_.lower() in self.lex.ending or (
            cue.lemma_.lower() in self.lex.departures and cue.pos_ == "VERB" and self._force_departs(cue)
        )

    def _ejects_force(self, verb) -> bool:
        """ "ordered the peacekeepers out", "wants UN troops out of the country"."""
        objects = [c for c in verb.children if c.dep_ == "dobj" and self._object_like(c)]
        return bool(objects) and any(
            c.lower_ == "out" and c.dep_ in ("prt", "advmod", "prep") for t in (verb, *objects) for c in t.children
        )

    def _force_departs(self, verb) -> bool:
        """ "the peacekeepers must leave", "ordered the peacekeepers to leave": the force goes."""
        if any(c.dep_ in ("nsubj", "nsubjpass") and self._object_like(c) for c in verb.children):
            return True
        return verb.dep_ == "xcomp" and any(c.dep_ == "dobj" and self._object_like(c) for c in verb.head.children)

    def _continues_force(self, verb) -> bool:
        """ "The peacekeepers (would) stay": a continuation verb whose subject is the force."""
        return verb.lemma_.lower() in self.lex.continuation and any(
            c.dep_ in ("nsubj", "nsubjpass") and self._object_like(c) for c in verb.children
        )

    def _requests_force(self, verb) -> bool:
        """ "wanted 100,000 European troops as part of a reassurance force": asking for the force;
        "200,000 peacekeepers will be needed": the speaker asks for it."""
        if verb.lemma_.lower() not in self.lex.requests:
            return False
        if any(c.dep_ == "auxpass" for c in verb.children) and any(
            c.dep_ == "nsubjpass" and self._object_like(c) for c in verb.children
        ):
            return verb.lemma_.lower() in ("need", "request", "want", "seek")
        if any(c.dep_ in ("xcomp", "ccomp", "oprd") for c in verb.children):
            return False  # a wish about someone else's action ("want the US to back it"), "called it a ..."
        if any(c.lower_ in ("out", "gone", "away") for c in verb.children):
            return False  # "wants NATO troops out"
        objects = [c for c in verb.children if c.dep_ == "dobj"] + [
            g for c in verb.children if c.dep_ == "prep" and c.lower_ == "for" for g in c.children if g.dep_ == "pobj"
        ]
        return self._about_force(verb.subtree, strict=True) and any(
            self._object_like(o)
            and not any(t.lemma_.lower() in self.lex.ending or t.lower_ in ("out", "away") for t in o.subtree)
            for o in objects
        )

    def _reversed_ending(self, cue, path) -> bool:
        """An ending undone: "slow the withdrawal", "opposed the withdrawal of the mission"."""
        if self._is_ending(cue):
            return any(t.lemma_.lower() in self.lex.reversers for t in path[1:])
        if cue.pos_ != "VERB" or cue.lemma_.lower() not in self.lex.reversers:
            return False
        return any(c.dep_ in ("dobj", "xcomp", "ccomp", "pcomp") and self._is_ending(c) for c in cue.children) or any(
            g.dep_ in ("pobj", "pcomp") and self._is_ending(g)
            for c in cue.children
            if c.dep_ == "prep"
            for g in c.children
        )

    def _means_object(self, tok) -> bool:
        """Backing by other means ("logistical support", "funding"), not support for someone else."""
        if tok.lemma_.lower() not in self.lex.means and tok.lower_ not in self.lex.means:
            return False
        for c in tok.children:
            if (
                c.dep_ == "prep"
                and c.lower_ in ("to", "for")
                and not any(self._object_like(g) or g.lower_ in ("it", "them") for g in c.children)
            ):
                return False
        return True

    def _object_like(self, tok) -> bool:
        """The phrase headed by ``tok`` names the force (modifiers such as compounds ignored)."""
        head = self.by_token.get(tok.i)
        if head is not None and head.kind in ("country", "person", "organisation", "armed_group", "group"):
            return False  # "Tanzania, whose soldiers were killed": a country, not the force
        stack = [tok]
        while stack:
            t = stack.pop()
            m = self.by_token.get(t.i)
            if (
                t.lemma_.lower() in self.lex.objects
                or t.lower_ in self.lex.objects
                or (m is not None and m.kind in ("mission", "coalition"))
            ):
                return True
            stack.extend(
                c
                for c in t.children
                if (t.i != tok.i or c.dep_ not in ("compound", "amod", "nmod", "poss", "det")) and c.dep_ != "appos"
            )
        return False

    def _complements_ok(self, cue, cue_text: str) -> bool:
        """A cue with objects or prepositional complements needs one of them to be the force."""
        if cue.pos_ == "NOUN":  # "support from the EU to Ukraine" is not support for the force
            comps = [
                g
                for c in cue.children
                if c.dep_ == "prep" and c.lower_ in ("to", "for")
                for g in c.children
                if g.dep_ in ("pobj", "pcomp")
            ]
            return not comps or any(self._object_like(c) for c in comps)
        if cue.pos_ == "ADP" and cue_text == "against":  # what it is against must be the force
            objs = [c for c in cue.children if c.dep_ in ("pobj", "pcomp")]
            return not objs or any(self._object_like(o) or o.lemma_.lower() in self.lex.references for o in objs)
        if cue.pos_ != "VERB":
            return True
        if cue.lemma_.lower() in self.lex.condemners and self._condemns_harm(cue):
            return True
        if cue.lemma_.lower() in self.lex.departures and self._force_departs(cue):
            return True  # "asked the force to leave the country": the country is where it leaves
        if self._pending_decision(cue):
            return True  # "any participation would depend on the government's decision": the condition
        if (
            cue.lemma_.lower() == "lead"
            and not any(c.dep_ == "dobj" for c in cue.children)
            and any(c.dep_ == "prep" and c.lower_ == "to" for c in cue.children)
        ):
            return False  # "leading to fiscal gaps": a cause, not a lead role
        if cue.lemma_.lower() in self.lex.needs_object:
            objects = [c for c in cue.children if c.dep_ in ("dobj", "nsubjpass")] + [
                g for c in cue.children if c.dep_ in ("ccomp", "xcomp") for g in c.children if g.dep_ in _SUBJ
            ]
            # "signed a declaration on the deployment of a force": what the signed text is about
            objects += [
                g
                for c in cue.children
                if c.dep_ == "prep" and c.lower_ in _ABOUT_PREPS
                for g in c.children
                if g.dep_ == "pobj"
            ]
            return any(
                self._object_like(o)
                or o.lemma_.lower() in ("mandate", "presence")
                or (o.lower_ in ("it", "them") and o.dep_ == "dobj" and self._about_force(cue.sent, strict=True))
                for o in objects
            )
        phrase = set(cue_text.split())
        comps = []
        for c in cue.children:
            if c.lower_ in phrase or c.lemma_.lower() in phrase:
                comps.extend(g for g in c.children if g.dep_ == "prep" for g in g.children if g.dep_ == "pobj")
                continue
            if c.dep_ in ("dobj", "attr"):
                comps.append(c)
            elif c.dep_ in ("prep", "dative") and c.lower_ in ("in", "to", "for", "on", "against"):
                comps.extend(g for g in c.children if g.dep_ in ("pobj", "pcomp"))
        if not comps:
            # "offered to mediate": an infinitive complement must be about the force too
            clauses = [c for c in cue.children if c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX")]
            return not clauses or any(
                self._about_force(c.subtree)
                or any(
                    t.lemma_.lower() in self.lex.participation
                    or t.lemma_.lower() in self.lex.references
                    or t.lemma_.lower() in self.lex.objects
                    or self.lex.word(t.lemma_.lower(), t.pos_)
                    for t in c.subtree
                )
                for c in clauses
            )
        if len(phrase) > 1 and all(c.lower_ in _INDEFINITE for c in comps):
            return True  # "we are not ruling anything out"
        return any(
            self._object_like(c)
            or self._means_object(c)
            or self._reference(c)
            or (c.pos_ == "NOUN" and self._is_ending(c))
            for c in comps
        ) or any(c.dep_ in ("xcomp", "ccomp", "advcl") and self._about_force(c.subtree) for c in cue.children)

    def _reference(self, tok) -> bool:
        """A noun or pronoun standing for the force ("the proposal", "it"), not one whose own
        complement names something else ("Trump's proposal for a 30-day ceasefire")."""
        if tok.pos_ not in ("NOUN", "PRON", "PROPN") or tok.lemma_.lower() not in self.lex.references:
            return False
        comps = [
            g
            for c in tok.children
            if c.dep_ == "prep" and c.lower_ in ("for", "of", "on", "to")
            for g in c.children
            if g.dep_ in ("pobj", "pcomp")
        ]
        return not comps or any(self._object_like(g) or self._about_force(g.subtree) for g in comps)

    def _about_other_country(self, cue, actor: Actor) -> bool:
        """True when the cue's object is another country's participation."""
        for obj in cue.children:
            if obj.dep_ not in ("dobj", "pobj"):
                continue
            for mod in obj.children:
                m = self.by_token.get(mod.i)
                if mod.dep_ in ("poss", "amod", "compound") and m and m.kind == "country" and m.code != actor.code:
                    return True
        return False

    def _preceding_actors(self, verb) -> list:
        """Fallback when the parser lost the subject: actor mentions right before the verb."""
        found = []
        i = verb.i - 1
        while i >= verb.sent.start and len(found) < 12:
            tok = self.doc[i]
            if tok.i in self.by_token:
                m = self.by_token[tok.i]
                if tok.dep_ == "pobj" or (m.token_start < tok.i and self.doc[m.token_start].dep_ == "pobj"):
                    break  # "At a meeting in London, Canada and Australia said": London is a place
                found.append(tok)
            elif (
                tok.dep_ not in ("det", "cc")
                and tok.pos_ not in ("AUX", "PART", "ADV")
                and not (tok.text == "," and found)
            ):
                break
            i -= 1
        return found

    # ----- polarity and context
    def _negated(self, path) -> bool:
        count = 0
        for t in path:
            count += sum(
                1
                for c in t.children
                if c.dep_ == "neg" or (c.lower_ in _NEG_WORDS and c.dep_ in ("advmod", "det", "preconj"))
            )
        return count % 2 == 1

    def _condition(self, path) -> str | None:
        for t in path:
            for tok in t.subtree:
                low = tok.lower_
                if tok.dep_ == "mark" and low in self.lex.conditions:
                    span = self.doc[tok.i : tok.head.right_edge.i + 1]
                elif tok.dep_ == "prep" and low == "without" and low in self.lex.conditions:
                    span = self.doc[tok.i : tok.right_edge.i + 1]
                elif tok.dep_ == "advmod" and low == "only":
                    span = self.doc[tok.i : tok.head.right_edge.i + 1]
                elif tok.dep_ == "prep" and low == "in" and any(g.lower_ in ("event", "case") for g in tok.children):
                    span = self.doc[tok.i : tok.right_edge.i + 1]
                else:
                    continue
                if 1 < len(span) < 30:
                    return span.text
        return None

    def _about_force(self, tokens, *, strict: bool = False) -> bool:
        """Some token names the force (``strict``: only the `force_words`, not troops alone)."""
        words = self.lex.force_words if strict else self.lex.objects
        for t in tokens:
            if t.lemma_.lower() in words or t.lower_ in words:
                return True
            m = self.by_token.get(t.i)
            if m is not None and m.kind in ("mission", "coalition"):
                return True
        return False

    def _cues(self, sent) -> list[tuple[object, str, float, str]]:
        cues = []
        skip_until = -1
        for tok in sent:
            if tok.i < skip_until or (tok.i in self.by_token and self.by_token[tok.i].kind != "person"):
                continue
            lemma = tok.lemma_.lower()
            matched = False
            for parts, stance, weight in self.lex.phrases.get(lemma, ()):
                end = tok.i + len(parts)
                if end <= sent.end and all(
                    self.doc[tok.i + k].lemma_.lower() == p or self.doc[tok.i + k].lower_ == p
                    for k, p in enumerate(parts)
                ):
                    span = self.doc[tok.i : end]
                    if span[-1].dep_ == "det" and span[-1].head.i >= end:
                        # the phrase's last word determines a noun after it: "said no American
                        # troops" is no "say no" (the refusal of the troops is read there)
                        continue
                    anchor = next((t for t in span if not (tok.i <= t.head.i < end) or t.head.i == t.i), tok)
                    cues.append((anchor, stance, weight, " ".join(parts)))
                    skip_until, matched = end, True
                    break
            if matched:
                continue
            if tok.pos_ == "VERB":  # separable phrasal verbs: "did not rule it out", "pull its troops out"
                particles = {c.lower_ for c in tok.children if c.dep_ in ("prt", "prep", "advmod")}
                entry2 = next(
                    (
                        (parts, stance, weight)
                        for parts, stance, weight in self.lex.phrases.get(lemma, ())
                        if len(parts) == 2 and parts[1] in particles
                    ),
                    None,
                )
                if entry2:
                    cues.append((tok, entry2[1], entry2[2], " ".join(entry2[0])))
                    continue
            if tok.pos_ == "VERB" and lemma in self.lex.ejectors and self._ejects_force(tok):
                cues.append((tok, "oppose", 0.8, f"{lemma} out"))
                continue
            if tok.pos_ == "VERB" and lemma in self.lex.departures and self._force_departs(tok):
                cues.append((tok, "oppose", 0.7, lemma))
                continue
            if lemma in self.lex.decision and tok.pos_ in ("VERB", "NOUN"):
                cues.append((tok, "decision", 0.8, lemma))
                continue
            entry = self.lex.word(lemma, tok.pos_)
            if entry and (tok.pos_ in ("VERB", "NOUN", "ADJ") or lemma == "against"):
                cues.append((tok, entry[0], entry[1], lemma))
            elif tok.pos_ in ("ADJ", "NOUN") and self._evaluation(tok):
                cues.append((tok, *self._evaluation(tok)))
            elif tok.pos_ == "VERB" and (self._continues_force(tok) or self._requests_force(tok)):
                cues.append((tok, "support", 0.7, lemma))
        return cues

    def _evaluation(self, tok) -> tuple[str, float, str] | None:
        """An evaluation of the force ("called the vote an important step", "said the plan was
        dangerous", "described it as a mistake"): (stance, weight, cue text), else None."""
        evaluations = self.lex.evaluations
        key = tok.lemma_.lower()
        if tok.pos_ == "NOUN":
            pair = next(
                (
                    f"{c.lemma_.lower()} {key}"
                    for c in tok.children
                    if c.dep_ in ("amod", "compound") and f"{c.lemma_.lower()} {key}" in evaluations
                ),
                None,
            )
            key = pair or key
        elif tok.dep_ == "amod" and any(f"{tok.lemma_.lower()} {tok.head.lemma_.lower()}" == k for k in evaluations):
            return None  # the noun carries the pair ("important step")
        entry = evaluations.get(key)
        if entry is None:
            return None
        node = tok.head if tok.dep_ == "amod" else tok
        judged = []
        if node.dep_ in ("attr", "acomp") and node.head.lemma_.lower() in ("be", "seem", "remain", "look", "sound"):
            judged = [c for c in node.head.children if c.dep_ in ("nsubj", "nsubjpass")]
        elif node.dep_ in ("oprd", "ccomp", "xcomp", "dobj") and node.head.lemma_.lower() in self.lex.evaluators:
            judged = [c for c in node.head.children if c.dep_ == "dobj" and c.i != node.i]
            judged += [g for c in node.children if c.dep_ == "nsubj" for g in [c]]
        elif node.dep_ == "pobj" and node.head.lower_ == "as" and node.head.head.lemma_.lower() in self.lex.evaluators:
            judged = [c for c in node.head.head.children if c.dep_ == "dobj"]
        if any(self._object_like(j) or j.lemma_.lower() in self.lex.references for j in judged):
            return entry[0], entry[1], key
        return None

    def _future_decision(self, cue) -> bool:
        """ "Finland will decide on its participation later": a decision still to be taken."""
        verb = cue if cue.pos_ == "VERB" else cue.head
        if cue.pos_ == "NOUN" and verb.lemma_.lower() in self.lex.deferrals:
            return True  # "postponed a decision on deploying troops"
        return verb.pos_ in ("VERB", "AUX") and any(
            c.dep_ == "aux" and c.lower_ in ("will", "'ll", "shall", "would") for c in verb.children
        )

    def _passive_neutral(self, cue) -> bool:
        """Passive evaluation verbs ("would be considered legitimate targets") hold no stance."""
        return cue.lemma_.lower() in _PASSIVE_NEUTRAL and any(
            c.dep_ in ("nsubjpass", "csubjpass", "auxpass") for c in cue.children
        )

    def _governs_participation(self, cue) -> bool:
        """A (negated) plan/intention whose clause is sending one's own troops ("no plans to send")."""
        for c in cue.children:
            heads = (
                [c]
                if c.dep_ in ("xcomp", "acl", "relcl")
                else [g for g in c.children if g.dep_ == "pcomp"]
                if c.dep_ == "prep"
                else []
            )
            if any(h.lemma_.lower() in self.lex.participation for h in heads):
                return True
        return False

    def _no_troops_hits(self, sent, evidence: str) -> list[Hit]:
        """ "There will be no German soldiers on Ukrainian soil": the country refuses its own part."""
        out = []
        for tok in sent:
            if tok.lemma_.lower() not in ("troop", "soldier", "boot"):
                continue
            # "no German soldiers", or a negated verb over them: "will not put Polish boots on the ground"
            if not any(c.dep_ == "det" and c.lower_ == "no" for c in tok.children) and not (
                tok.dep_ in ("dobj", "nsubjpass")
                and tok.head.pos_ in ("VERB", "AUX")
                and any(c.dep_ == "neg" for c in tok.head.children)
            ):
                continue
            if tok.head.pos_ in ("VERB", "AUX") and tok.head.lemma_.lower() not in _PRESENCE:
                continue  # "no French troops were wounded": news, not a refusal
            for mod in tok.children:
                m = self.by_token.get(mod.i)
                if mod.dep_ in ("amod", "compound", "nmod") and m and m.kind == "country":
                    actor = _actor_from_mention(m, self.gaz)
                    condition = self._condition([tok.head]) or self._sentence_condition(sent)
                    stance = "undecided" if condition else "oppose"
                    out.append(
                        Hit(
                            actor,
                            stance,
                            0.8,
                            f"no {tok.text}",
                            evidence,
                            condition,
                            True,
                            ["refusal of own troops" + (" under a condition" if condition else "")],
                            mechanism=f"rule: '{mod.text} {tok.text}' negated (a country's own troops)",
                        )
                    )
        return out

    def _contributor_hits(self, sent, evidence: str) -> list[Hit]:
        """Listed participants: "Kenya and other MSS contributors, including Jamaica and Canada",
        "troop-contributing countries such as Nepal", "Uganda (4,500), Ethiopia (2,500) ..."."""
        out: list[Hit] = []
        seen: set[str] = set()

        def add(tok, what: str, stance: str = "support") -> None:
            for actor in self._mention_actors(tok):
                if actor.actor_type == "country" and actor.key not in seen:
                    seen.add(actor.key)
                    out.append(
                        Hit(
                            actor,
                            stance,
                            0.6,
                            what,
                            evidence,
                            None,
                            mechanism=f"rule: listed as a participant ('{what}')",
                            context={
                                "how": "listed participant",
                                "cue_pos": "NOUN",
                                "path_len": 1.0,
                                "pronoun": 0.0,
                                "negated": 0.0,
                            },
                        )
                    )

        strict = self._about_force(sent, strict=True)
        ending_sentence = any(self._is_ending(t) for t in sent)  # troops leaving are not joining
        for tok in sent:
            lemma = tok.lemma_.lower()
            if strict and lemma in _TROOP_NOUNS and not ending_sentence and self._serving(tok):
                # "a force comprising soldiers from A, B and C", "Nigerian troops are expected to arrive"
                origins = [
                    g
                    for c in tok.children
                    if c.dep_ == "prep" and c.lower_ == "from"
                    for g in c.children
                    if g.dep_ == "pobj"
                ]
                for o in origins:
                    for t in [o, *o.conjuncts]:
                        add(t, f"{tok.text} from")
                for c in tok.children:
                    if c.dep_ in ("amod", "compound", "nmod") and c.i in self.by_token:
                        add(c, tok.text)
                continue
            if lemma in ("abstain", "abstention") and strict:
                # "four members abstaining, among them Brazil and India", "abstentions from A and B"
                for t in tok.subtree:
                    if t.i != tok.i and t.dep_ in ("pobj", "dobj", "conj", "appos") and t.i in self.by_token:
                        add(t, tok.text, "undecided")
                for t in self._set_off_from(tok):  # "two abstentions, from A and B" hung on another word
                    add(t, tok.text, "undecided")
            contributor = lemma in self.lex.contributor_nouns or (
                tok.pos_ == "NOUN"
                and any(
                    c.lower_ in self.lex.contributor_modifiers for c in tok.children if c.dep_ in ("amod", "compound")
                )
            )
            if not contributor and tok.tag_ == "NNS" and lemma in _COUNTRY_NOUNS and strict:
                # "Joining Rwanda in the mission are other nations such as Ghana and Nepal"
                clause = tok.head
                verbs = [clause] + [
                    t for c in clause.children if c.dep_ in ("csubj", "nsubj") and c.i != tok.i for t in c.subtree
                ]
                contributor = tok.dep_ in ("nsubj", "attr") and any(
                    v.lemma_.lower() in _JOINING or v.lower_ in _JOINING for v in verbs
                )
                if contributor:
                    for v in verbs:
                        if v.lower_ in _JOINING:  # "Joining Rwanda in the mission are ...": Rwanda too
                            for c in [*(c for c in v.children if c.dep_ == "dobj"), v.head]:
                                if c.i in self.by_token:
                                    add(c, v.text)
            if not contributor or not (strict or self._about_force(tok.subtree)) or self._negated([tok, tok.head]):
                continue
            members = [t for t in self._expand(tok)[1:]]
            if tok.dep_ == "conj" and tok.head.i in self.by_token:  # "Kenya and other contributors"
                members.append(tok.head)
            if tok.dep_ == "attr":  # "Kenya is the largest contributor"
                members += [c for c in tok.head.children if c.dep_ == "nsubj"]
            for t in members:
                add(t, tok.text)
        if strict:
            for t in self._ranked_before(sent):
                add(t, "ranked before a later contributor")
        # "Uganda (4,500), Ethiopia (2,500), Djibouti (1,520)": troop numbers per country
        counted = [
            t
            for t in sent
            if t.i in self.by_token
            and t.i + 3 < sent.end
            and self.doc[t.i + 1].text == "("
            and self.doc[t.i + 2].like_num
            and self.doc[t.i + 3].text == ")"
        ]
        if len(counted) >= 2 and (strict or any(t.lemma_.lower() in ("troop", "soldier", "contingent") for t in sent)):
            for t in counted:
                add(t, "troop numbers by country")
        return out

    def _ranked_before(self, sent) -> list:
        """Round 12: the countries an ordinal contributor comes after ("Zambia is the fourth country to
        join the regional force, after Ghana, Malawi and Benin"; "makes Portugal the third-largest
        contributor to the force after Italy and Spain"): they joined or contributed first. The ranked
        noun is a contributor noun, or a country noun with a participation verb after it; the
        *after* phrase follows it and names countries (not a time: "after the ceasefire")."""
        ranked = [
            t
            for t in sent
            if t.pos_ == "NOUN"
            and (t.lemma_.lower() in self.lex.contributor_nouns or t.lemma_.lower() in _COUNTRY_NOUNS)
            and any(
                g.lower_ in _ORDINALS or g.lower_.split("-")[0] in _ORDINALS
                for c in t.children
                if c.dep_ in ("amod", "advmod", "compound", "nummod")
                for g in c.subtree
            )
        ]
        out = []
        for noun in ranked:
            after = [a for a in sent if a.lower_ == "after" and a.dep_ == "prep" and a.i > noun.i]
            if not after:
                continue
            if noun.lemma_.lower() in _COUNTRY_NOUNS and not any(
                t.lemma_.lower() in self.lex.participation and t.pos_ == "VERB" for t in self.doc[noun.i : after[0].i]
            ):
                continue
            objs = [g for g in after[0].children if g.dep_ == "pobj"]
            out.extend(t for g in objs for t in (g, *g.conjuncts) if t.i in self.by_token)
        return out

    def _set_off_from(self, tok) -> list:
        """The actors of a *from* phrase set off right after ``tok``'s phrase that the parser hung on
        another word ("two abstentions, from Russia and China"): its objects and their conjuncts."""
        j = tok.right_edge.i + 1
        while j < tok.sent.end and self.doc[j].is_punct:
            j += 1
        if j >= tok.sent.end or self.doc[j].lower_ != "from" or self.doc[j].head.i == tok.i:
            return []
        return [t for g in self.doc[j].children if g.dep_ == "pobj" for t in (g, *g.conjuncts) if t.i in self.by_token]

    def _serving(self, tok) -> bool:
        """Troops that make up or serve in the force: the object of *comprise / include*, or the
        subject of a service verb (*patrol, guard, arrive, serve*), not killed, withdrawn or refused."""
        if any(c.dep_ == "det" and c.lower_ == "no" for c in tok.children):
            return False
        verb = tok.head
        if verb.lemma_.lower() == "expect" and tok.dep_ == "nsubjpass":
            verb = next((c for c in verb.children if c.dep_ == "xcomp"), verb)
        if any(c.dep_ == "neg" for c in verb.children) or self._background([verb]):
            return False
        lemma = verb.lemma_.lower()
        if tok.dep_ in ("dobj", "pobj") and lemma in _COMPOSED:
            return True
        if tok.dep_ == "pobj" and verb.lower_ == "of" and verb.head.lemma_.lower() in _COMPOSED:
            return True  # "made up of soldiers from ..."
        return tok.dep_ in ("nsubj", "nsubjpass") and lemma in _SERVICE

    def _sentence_condition(self, sent) -> str | None:
        """Multi-word temporal/conditional clauses: "as long as ...", "until ..."."""
        text = sent.text
        low = text.lower()
        for marker in ("as long as", "until", "unless", "so long as"):
            i = low.find(marker)
            if i >= 0:
                end = min((j for j in (low.find(",", i), low.find(".", i)) if j > i), default=len(text))
                return text[i:end]
        return None

    def _hyphen_hits(self, sent, evidence: str) -> list[Hit]:
        """Compounds such as "U.S.-backed initiative" / "US-drafted resolution"."""
        out = []
        for tok in sent:
            if "-" not in tok.text or tok.i in self.by_token:
                continue
            prefix, _, suffix = tok.text.rpartition("-")
            low = suffix.lower()
            entry = self.lex.word(low, "VERB") or self.lex.word(low[:-1], "VERB") or self.lex.word(low[:-2], "VERB")
            place = self.gaz.place(prefix)
            if not entry or not place or entry[0] != "support":
                continue
            if not self._about_force([tok, tok.head]) or not self._object_like(tok.head):
                continue  # "Iran-backed group Hezbollah" is no stance on the force
            country = self.gaz.countries[place[0]]
            actor = Actor(
                country.code, country.name, "country", country.code, f"{prefix} -> {country.name} ({place[1]})"
            )
            out.append(
                Hit(
                    actor,
                    "support",
                    entry[1],
                    tok.text.lower(),
                    evidence,
                    None,
                    mechanism=f"rule: hyphenated compound '{tok.text}'",
                )
            )
        return out

    @staticmethod
    def _act_asked_for(resolution) -> bool:
        """A Council act asked for or still to come, not one taken: the resolution is a possible or
        future one ("a possible resolution"), the agent of an infinitive or modal
        passive ("is to be authorised by a resolution", "would be mandated by a resolution"), or
        what a request verb wants ("calls for a resolution", "seeks a resolution")."""
        if any(c.dep_ in ("amod", "compound") and c.lower_ in _ACT_UNADOPTED for c in resolution.children):
            return True
        verb = resolution.head
        if resolution.dep_ == "pobj":
            if verb.lower_ == "by" and verb.dep_ == "agent":
                verb = verb.head
                return any(c.dep_ == "aux" and (c.lower_ == "to" or c.tag_ == "MD") for c in verb.children)
            verb = verb.head
        elif resolution.dep_ != "dobj":
            return False
        return verb.pos_ in ("VERB", "AUX") and verb.lemma_.lower() in _ACT_REQUESTS

    def _council_act_hits(self, sent, evidence: str, found: list[Hit]) -> list[Hit]:
        """The Security Council reached through its act: "Under resolution 1701, adopted ...",
        "welcomed Security Council Resolution 2650, which extended the mandate", "approved under
        Resolution 2803". A numbered resolution, or one the Council's (or the UN's) name modifies, in
        a sentence about the force is the Council's support; one whose clause ends the force or
        orders it out ("all of the troops must gradually leave") is its opposition. Nothing when the
        sentence's cues already gave the Council a stance (``found``)."""
        council = self.gaz.organisations.get("UNSC")
        if council is None or any(h.actor.key == f"org:{council.name}" for h in found) or not self._about_force(sent):
            return []
        for tok in sent:
            if tok.lemma_.lower() != "resolution" or tok.pos_ not in ("NOUN", "PROPN"):
                continue
            phrase = self.doc[tok.left_edge.i : tok.i + 1]
            named = [
                a for t in phrase if t.i != tok.i for a in self._mention_actors(t) if a.actor_type == "organisation"
            ]
            named = [council_for_mandates(a, self.gaz) for a in named]
            numbered = any(c.dep_ in ("nummod", "appos", "npadvmod") and c.like_num for c in tok.children) or (
                tok.i + 1 < sent.end and self.doc[tok.i + 1].like_num
            )
            if named and all(a.key != f"org:{council.name}" for a in named):
                continue  # another body's resolution ("the General Assembly resolution")
            if not named and not numbered:
                continue  # "a parliamentary resolution", "a resolution of the conflict"
            if self._act_asked_for(tok):
                continue  # "to be authorised by a Council resolution", "calls for a Council resolution"
            # the act's own clause: its relative clause and the clause it is the object of
            scope = [t for c in tok.children if c.dep_ in ("relcl", "acl") for t in c.subtree]
            scope += [tok.head] if tok.dep_ in ("pobj", "dobj", "nsubj", "nsubjpass") else []
            if tok.dep_ == "pobj":
                scope.append(tok.head.head)
            ending = any(self._is_ending(t) or (t.pos_ == "VERB" and self._ejects_force(t)) for t in scope)
            actor = Actor(
                f"org:{council.name}",
                council.name,
                "organisation",
                None,
                f"{phrase.text} -> {council.name} (the Council's act)",
            )
            return [
                Hit(
                    actor,
                    "oppose" if ending else "support",
                    0.6,
                    tok.text.lower(),
                    evidence,
                    None,
                    mechanism=f"rule: the Council's act '{phrase.text}'",
                    context={
                        "how": "council act",
                        "cue_pos": tok.pos_,
                        "path_len": 1.0,
                        "pronoun": 0.0,
                        "negated": 0.0,
                    },
                )
            ]
        return []

    # ----- main
    def extract(self) -> list[Hit]:
        """All stance hits of the document, in order."""
        hits: list[Hit] = []
        previous_about = False
        sentences = list(self.doc.sents)
        for index, sent in enumerate(sentences):
            about = self._about_force(sent, strict=True) or (
                previous_about
                and any(
                    t.pos_ == "NOUN"
                    and self._is_ending(t)
                    and any(c.dep_ == "poss" and c.lower_ in ("their", "its") for c in t.children)
                    for t in sent
                )
            )
            sent_hits = []
            if about or previous_about or any(t.lemma_.lower() == "same" for t in sent) or self._own_troops(sent):
                sent_hits = self._sentence_hits(sent, carried=not about)
                for h in sent_hits:
                    h.sent_start = sent.start_char
                if sent_hits:
                    self.state.last_hits = sent_hits
                for h in sent_hits:
                    h.context.update(
                        carried=float(not about),
                        position=index / max(len(sentences) - 1, 1),
                        quote=float(any(t.text in ('"', "“", "”") for t in sent)),
                    )
                hits.extend(sent_hits)
            # a run of stances on troops continues the topic: "France will send troops.
            # Poland will not send soldiers. Italy has ruled out deploying its own troops."
            previous_about = about or bool(sent_hits and self._about_force(sent))
            self._remember(sent)
        if hits:
            self._actor_context(hits)
        return hits

    def _own_troops(self, sent) -> bool:
        """A country's own troops governed by a participation verb ("we will not send Greek
        soldiers"): a stance on the force even far from the sentences that name it."""
        for tok in sent:
            verb = tok.head
            if (
                tok.lemma_.lower() in ("troop", "soldier", "peacekeeper", "boot")
                and verb.lemma_.lower() in self.lex.participation
                and verb.lemma_.lower() != "be"
                and (
                    verb.dep_ == "ROOT"
                    or (verb.dep_ in ("ccomp", "xcomp", "conj") and verb.head.pos_ in ("VERB", "AUX"))
                )
                and any(
                    c.dep_ in ("amod", "compound", "poss")
                    and c.i in self.by_token
                    and self.by_token[c.i].kind == "country"
                    for c in tok.children
                )
            ):
                return True
        return False

    def _actor_context(self, hits: list[Hit]) -> None:
        """How often (and whether in the title's line) each hit's actor is named in the document."""
        counts: dict[str, int] = {}
        first_line = self.doc.text.find("\n")
        in_title: set[str] = set()
        for i, m in self.by_token.items():
            if i != m.token_start:
                continue
            tok = self.doc[i]
            for actor in self._mention_actors(tok):
                counts[actor.key] = counts.get(actor.key, 0) + 1
                if first_line < 0 or m.start < first_line:
                    in_title.add(actor.key)
        for h in hits:
            h.context.update(mentions=float(counts.get(h.actor.key, 0)), in_title=float(h.actor.key in in_title))

    def _remember(self, sent) -> None:
        subject_actors: list[Actor] = []
        first: list[Actor] = []
        for tok in sent:
            m = self.by_token.get(tok.i)
            if not m:
                continue
            actor = _actor_from_mention(m, self.gaz)
            if m.kind == "person":
                self.state.recent_people.append(m)
                if actor and actor.actor_type != "person":
                    self.state.last_person_actor = actor
            if (
                actor
                and actor.actor_type in ("country", "organisation", "coalition")
                and not first
                and not self._place_adjunct(tok)
            ):
                first = [actor]
        for tok in sent:
            if tok.dep_ in _SUBJ and tok.head.dep_ == "ROOT":
                subject_actors = [
                    a for s in self._expand(tok) for a in self._resolve(s, speakers=[], allow_pronoun=False)
                ]
                if len(subject_actors) == 1 and subject_actors[0].via_person and tok.i not in self.by_token:
                    # "Norway's defence minister met ... 'We will ...,' he said": "he" is that minister
                    self.state.last_person_actor = subject_actors[0]
                break
        if subject_actors:
            self.state.last_actors = subject_actors
        elif first and not self.state.last_actors:
            self.state.last_actors = first

    def _place_adjunct(self, tok) -> bool:
        """A place named as where something happens ("met in Paris", "troops in southern Lebanon")."""
        m = self.by_token.get(tok.i)
        head = self.doc[m.token_end - 1] if m else tok
        while head.dep_ == "compound" and head.head.i != head.i:
            head = head.head
        return head.dep_ == "pobj" and head.head.lower_ in (
            "in",
            "at",
            "near",
            "outside",
            "inside",
            "across",
            "from",
            "to",
            "into",
            "within",
            "around",
        )

    def _same_hits(self, sent, evidence: str) -> list[Hit]:
        out = []
        for tok in sent:  # "X announced the same" repeats the previous stance
            if tok.lemma_.lower() == "same" and tok.dep_ in ("dobj", "attr", "pobj") and self.state.last_hits:
                prev = self.state.last_hits[-1]
                subjects, _, _ = self._subject(tok)
                for s in subjects:
                    for actor in self._resolve(s, speakers=[], allow_pronoun=False):
                        if actor.key != prev.actor.key:
                            out.append(
                                Hit(
                                    actor,
                                    prev.stance,
                                    round(prev.confidence * 0.9, 2),
                                    f"the same ({prev.cue})",
                                    evidence,
                                    prev.condition,
                                    prev.own_refusal,
                                    ["copies the previous actor's stance"],
                                    mechanism="rule: 'the same' copies the previous stance",
                                )
                            )
        return out

    def _condemns_harm(self, cue) -> bool:
        """ "condemned the attack on the peacekeepers", "accusing Israel of targeting the peacekeepers"."""
        for c in cue.children:
            objs = (
                [c]
                if c.dep_ in ("dobj", "xcomp", "ccomp")
                else [g for g in c.children if g.dep_ in ("pobj", "pcomp")]
                if c.dep_ == "prep"
                else []
            )
            for o in objs:
                for t in o.subtree:
                    if (t.lemma_.lower() in self.lex.harms or t.lower_ in self.lex.harms) and self._about_force(
                        t.subtree
                    ):
                        return True
        return False

    def _governors(self, cue) -> list:
        """Up to four words whose complement ``cue`` is ("pushed to end the mission"), not words it
        is merely coordinated with or adjoined to ("extends the mandate, rejects ...", ", ending")."""
        out, t = [], cue
        while (
            len(out) < 4 and t.head.i != t.i and t.dep_ in ("xcomp", "ccomp", "dobj", "pobj", "pcomp", "prep", "acomp")
        ):
            t = t.head
            out.append(t)
        return out

    def _about_details(self, cue) -> bool:
        """An undecided or decision cue about the force's details ("too early to talk about the
        number of peacekeepers", "the number of personnel will be determined", "considering to
        revise the mandate"), not about taking part."""
        if any(c.dep_ in ("xcomp", "ccomp") and c.lemma_.lower() in _REVISIONS for c in cue.children):
            return True
        for t in cue.subtree:
            if t.i == cue.i or not (t.lemma_.lower() in self.lex.objects or t.lower_ in self.lex.objects):
                continue
            a = t
            while a.i != cue.i and a.head.i != a.i:
                if a.lemma_.lower() in self.lex.details and a.i != t.i:
                    return True
                a = a.head
        subj = [c for c in cue.children if c.dep_ in ("nsubjpass", "nsubj")]
        return any(s.lemma_.lower() in self.lex.details for s in subj)

    def _hypothetical(self, path) -> bool:
        """The cue's own clause is a condition: "peace can only be guaranteed if the United States
        provides a backstop" states no US position."""
        for t in path:
            if any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in t.children) and t.dep_ == "advcl":
                return True
        return False

    def _pending_decision(self, cue) -> bool:
        """Round 12: a conditional cue whose subject is a participation noun and whose condition is a
        decision or assessment still to come ("any participation would depend on the government's
        decision", "our involvement is subject to a review"): the participation is undecided. A
        condition on something else ("would depend on a UN mandate") stays the rules' condition."""
        if cue.lemma_.lower() not in _CONDITIONAL_CUES or not any(
            c.dep_ in _SUBJ and c.lemma_.lower() in _PARTICIPATION_NOUNS for c in cue.children
        ):
            return False
        conditions = [
            g
            for c in cue.children
            if c.dep_ == "prep" and c.lower_ in ("on", "upon", "to")
            for g in (c, *c.subtree)
            if g.dep_ in ("pobj", "conj") and g.pos_ == "NOUN"
        ]
        return any(g.lemma_.lower() in self.lex.decision or g.lemma_.lower() in _PENDING for g in conditions)

    def _conditioned_participation(self, subjects: list, path: list, speakers: list[Actor]) -> list:
        """Round 12: "any participation would depend on the government's decision", "Thailand's
        involvement is conditional on a mandate": a participation noun is what the condition bears
        on; its holder (a possessive or modifier naming an actor) or, without one, the speaker
        holds the undecided position. (subject token, actor, how) triples."""
        if not subjects or subjects[0].pos_ != "NOUN" or subjects[0].lemma_.lower() not in _PARTICIPATION_NOUNS:
            return []
        noun = subjects[0]
        holders = [
            c
            for c in noun.children
            if (c.dep_ in ("compound", "amod", "nmod") and c.i in self.by_token) or c.dep_ == "poss"
        ]
        if holders:  # "Thailand's participation", "its involvement"
            return [
                (h, a, "holder of the conditioned participation")
                for h in holders
                for a in self._resolve(h, speakers=speakers, allow_pronoun=True)
            ]
        return [(path[-1], a, "speaker of the conditioned participation") for a in speakers]

    def _next_renewal(self, cue) -> bool:
        """Round 12: weighing the NEXT renewal or extension ("should consider further renewal of the
        mission", "will review a future extension") after one just made is the routine of a mandate,
        not a hedge on the force: the object is a renewal noun marked as a later one."""
        objs = [c for c in cue.children if c.dep_ in ("dobj", "nsubjpass")] + [
            g for c in cue.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"
        ]
        return any(
            o.lemma_.lower() in _RENEWALS
            and any(c.lower_ in ("further", "future", "next", "another", "subsequent") for c in o.children)
            for o in objs
        )

    def _asked_question(self, clause) -> bool:
        """Round 12: ``clause`` is the content of a question put to someone, not a wish: the verb of
        asking is a reduced passive ("When asked if and how many troops X would send", "Asked
        whether X would join": a participle without its own subject), or *if / whether* hangs on
        the verb of asking itself (the parser's reading of "asked if and how ...")."""
        ask = clause.head
        if ask.lemma_.lower() not in self.lex.requests:
            return False
        if any(c.lower_ in ("if", "whether") and c.i < clause.i for c in ask.children):
            return True
        return ask.tag_ == "VBN" and ask.dep_ == "advcl" and not any(c.dep_ in _SUBJ for c in ask.children)

    def _not_a_position(self, cue, stance: str, via_modifier: bool, path) -> bool:
        """Cues that look like positions but are not: refusing to comment ("declined to disclose"),
        a participle describing something else ("the agreement brokered by X"), support that is
        needed or missing ("lack of support from the US", "with US backing"), a guessed position
        ("the possible refusal of X"), an ending already under way ("began withdrawing")."""
        lemma = cue.lemma_.lower()
        if (
            lemma == "consider"
            and cue.pos_ == "VERB"
            and any(
                c.dep_ == "ccomp" and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)
                for c in cue.children
            )
        ):
            return True  # "Macron considered that the guarantees will ...": an opinion, not weighing
        if stance in ("undecided", "decision") and self._next_renewal(cue):
            return True  # "the Council should consider further renewal": the next act, not this one
        if stance == "decision" and any(
            c.dep_ in ("ccomp", "xcomp")
            and any(g.tag_ in ("WDT", "WP", "WRB") and g.lower_ != "whether" for g in c.subtree if g.i < c.i)
            for c in cue.children
        ):
            return True  # "would decide which foreign forces to allow": details, not whether
        if cue.dep_ == "relcl" and cue.head.dep_ == "pobj" and cue.head.head.head.lemma_.lower() in self.lex.details:
            return True  # "the number of troops Burundi would deploy"
        if (
            cue.dep_ == "amod"
            and cue.pos_ == "VERB"
            and not self._object_like(cue.head)
            and cue.head.lemma_.lower() not in self.lex.references
        ):
            return True  # "Iran-backed group Hezbollah"
        if (
            cue.pos_ == "NOUN"
            and lemma in self.lex.authored
            and any(
                c.dep_ == "compound" and c.lemma_.lower() not in self.lex.objects and c.i not in self.by_token
                for c in cue.children
            )
        ):
            return True  # "Morocco's autonomy plan" is another plan
        if cue.pos_ == "NOUN":
            others = [
                g
                for c in cue.children
                if c.dep_ == "prep" and c.lower_ in ("over", "about", "at", "with")
                for g in c.children
                if g.dep_ in ("pobj", "pcomp")
            ]
            if others and not any(self._object_like(g) or self._reference(g) for g in others):
                return True  # "concern over the activities of an NGO"
            clauses = [c for c in cue.children if c.dep_ in ("acl", "xcomp") and c.pos_ == "VERB"]
            if clauses and not any(
                self._about_force(c.subtree) or c.lemma_.lower() in self.lex.participation for c in clauses
            ):
                return True  # "Zelenskiy's refusal to meet Putin"
        if (
            stance in ("oppose", "support")
            and any(c.dep_ == "xcomp" and c.lemma_.lower() in _DISCLOSURE for c in cue.children)
            and lemma in ("decline", "refuse", "reject")
        ):
            return True
        if (
            cue.dep_ == "acl"
            and cue.pos_ == "VERB"
            and not (
                self._object_like(cue.head)
                or cue.head.lemma_.lower() in self.lex.references
                or cue.head.i in self.by_token
                or cue.head.lemma_.lower() in self.lex.actor_heads
            )
        ):
            return True
        if cue.pos_ == "NOUN":
            if any(c.lower_ in _SPECULATIVE for c in cue.children if c.dep_ == "amod"):
                return True
            if (
                via_modifier
                and stance == "support"
                and (
                    cue.head.lower_ in _RECEIVING
                    or cue.head.lemma_.lower() in _RECEIVING
                    or (cue.head.dep_ in ("prep", "ccomp", "xcomp") and cue.head.head.lemma_.lower() in _RECEIVING)
                )
            ):
                return True  # "would need US backing", "with US backing", "lack of support from X"
            if via_modifier and cue.head.lower_ == "of" and cue.head.head.lemma_.lower() in ("lack", "absence"):
                return True
            if (
                stance == "support"
                and cue.dep_ == "dobj"
                and cue.head.lemma_.lower() in _RECEIVING - {"have", "with", "match", "equal"}
            ):
                return True  # "does not require authorisation": something needed, nobody's position
        if (
            self._is_ending(cue)
            and cue.pos_ == "NOUN"
            and not via_modifier
            and any(t.lemma_.lower() in _PROGRESS for t in path[1:])
        ):
            return True  # "the UN began the withdrawal": news
        # "called the withdrawal unprecedented": a judgement of a fact
        return (
            self._is_ending(cue)
            and cue.pos_ == "NOUN"
            and not via_modifier
            and cue.dep_ == "dobj"
            and cue.head.lemma_.lower() in self.lex.evaluators | {"confirm", "announce", "report", "hail", "praise"}
        )

    def _tentative(self, path) -> bool:
        """The cue sits under talks or consultations: "is in talks to contribute troops"."""

        def exploring(noun) -> bool:
            return (
                noun.pos_ == "NOUN"
                and noun.lemma_.lower() in self.lex.tentative
                and not any(c.lower_ in ("peace", "ceasefire", "truce") for c in noun.children)
            )

        for t in path[1:]:
            if exploring(t) or (t.pos_ == "VERB" and t.lemma_.lower() in self.lex.tentative):
                return True
            if t.lemma_.lower() in ("be", "engage", "remain") and any(
                exploring(g)
                for c in t.children
                if c.dep_ == "prep" and c.lower_ == "in"
                for g in c.children
                if g.dep_ == "pobj"
            ):
                return True
        return False

    def _deliberates(self, cue) -> bool:
        """Round 8: a support cue whose clausal complement is a verb of the undecided lexicon: "is
        willing to consider participation", "stands ready to weigh a contribution" commit the actor to
        deliberating, not to the force."""
        for c in cue.children:
            if c.dep_ == "xcomp" and c.pos_ == "VERB":
                entry = self.lex.word(c.lemma_.lower(), c.pos_)
                if entry and entry[0] == "undecided":
                    return True
        return False

    def _background(self, path) -> bool:
        """A past-tense clause dated before the article's year ("In 2006, Italy sent ...",
        "a decade ago"): background history, not a position."""
        verbs = [t for t in path if t.pos_ in ("VERB", "AUX")]
        if not any(
            v.tag_ == "VBD" or any(c.dep_ in ("aux", "auxpass") and c.tag_ == "VBD" for c in v.children) for v in verbs
        ):
            return False
        year = self.day.year if self.day else dt.date.today().year
        for v in verbs:
            for c in v.children:
                if c.dep_ not in ("prep", "npadvmod", "advmod", "pobj"):
                    continue
                span = self.doc[c.left_edge.i : c.right_edge.i + 1]
                if len(span) > 8 or not any(t.ent_type_ == "DATE" for t in span):
                    continue
                text = span.text.lower()
                if re.search(r"\b(?:years|decades) ago\b|\bdecades?\b", text):
                    return True
                years = [int(y) for y in re.findall(r"\b(19\d\d|20\d\d)s?\b", text)]
                if years and max(years) < year - 1:  # last year's resolution may still be the news
                    return True
        if any(c.dep_ == "aux" and c.lower_ == "had" for v in verbs for c in v.children):
            # "Russia had deployed the force as part of a deal to end an offensive in 2020"
            sent = path[0].sent
            years = [
                int(y) for e in sent.ents if e.label_ == "DATE" for y in re.findall(r"\b(19\d\d|20\d\d)\b", e.text)
            ]
            if years and max(years) < year - 1:
                return True
        return False

    def _factual_report(self, cue) -> bool:
        """A plain past-tense deployment ("Russia deployed more troops near Kharkiv"): news, not a stance."""
        return (
            cue.tag_ == "VBD"
            and cue.lemma_.lower() in self.lex.participation
            and not any(c.dep_ in ("aux", "auxpass", "neg") for c in cue.children)
        )

    def _sentence_hits(self, sent, *, carried: bool = False) -> list[Hit]:
        """Hits of one sentence (``carried``: searched only because the previous one was about the force)."""
        evidence = sent.text.strip()
        out = self._same_hits(sent, evidence)
        cues = self._cues(sent)
        # a passive "is considered (a target)" is no stance and governs no other cue
        cues = [c for c in cues if not self._passive_neutral(c[0])]
        # a cue governed by another cue is that cue's object ("ruled out taking part"), unless the
        # governing cue is about something else ("signed a declaration in Paris to deploy a force")
        cue_ids = {
            c[0].i
            for c in cues
            if (c[1] != "decision" or (c[0].pos_ == "NOUN" and c[0].head.lemma_.lower() in self.lex.deferrals))
            and (
                c[0].pos_ != "VERB"
                or c[0].lemma_.lower() not in self.lex.needs_object
                or self._complements_ok(c[0], c[3])
            )
        }
        # support cues that govern an oppose cue back its ending: "pushed to end the mission"
        governs_oppose = {h.i for c in cues if c[1] == "oppose" for h in self._governors(c[0])}
        out.extend(self._hyphen_hits(sent, evidence))
        out.extend(self._no_troops_hits(sent, evidence))
        out.extend(self._contributor_hits(sent, evidence))
        for cue, stance, weight, cue_text in cues:
            entry_stance = stance
            if carried and self._factual_report(cue):
                continue
            subjects, path, via_modifier = self._subject(cue)
            if not subjects and cue.pos_ == "NOUN" and cue.dep_ in _SUBJ and stance in ("decision", "undecided"):
                # "..., Sanchez said no decision had been taken": the speaker's own decision
                subjects, path = [], [cue, cue.head]
                speakers = self._speakers(cue.head)
                if not speakers:
                    continue
            elif not subjects:
                continue
            if cue.pos_ == "NOUN" and weight < 0.6 and len(path) > 2:
                continue  # weak nominal cue deep in a phrase: a question about the deployment
            if cue.pos_ == "NOUN" and weight < 0.8 and not self._about_force(cue.subtree):
                continue  # "the participation of X" in a meeting, not in the force
            if cue.dep_ == "amod" and not via_modifier:
                continue  # attributive participle: "a proposed ceasefire" is nobody's stance here
            # a cue governed by another cue is that cue's object ("ruled out taking part")
            authored = via_modifier and cue.pos_ == "NOUN" and cue.lemma_.lower() in self.lex.authored
            if any(t.i in cue_ids for t in path[1:]) and not authored:
                continue
            if any(t.lemma_.lower() in _ASSIGNED and any(c.dep_ == "auxpass" for c in t.children) for t in path[1:]):
                continue  # "Canada, which had been asked to lead the mission": a request, not a stance
            if (
                via_modifier
                and cue.pos_ == "NOUN"
                and (cue.head.i in cue_ids or cue.head.head.i in cue_ids)
                and not authored
            ):
                continue
            if via_modifier and cue.pos_ == "NOUN" and weight < 0.8 and self._negated([cue.head]):
                continue  # "Turkish participation had not been discussed": no stance either way
            if cue.lemma_.lower() == "include" and cue.dep_ == "prep":
                continue  # "including X": a list, not a stance
            if cue.lemma_.lower() == "include" and any(
                t.lower_ in self.lex.contributors or t.lemma_.lower() in self.lex.contributors
                for s in subjects
                for t in s.subtree
            ):
                subjects = [o for c in cue.children if c.dep_ == "dobj" for o in [c, *c.conjuncts]]
            elif not self._complements_ok(cue, cue_text):
                continue  # the cue is about something else: "join a phone call", "veto anything"
            if self._not_a_position(cue, stance, via_modifier, path) or self._hypothetical(path):
                continue
            if stance in ("undecided", "decision") and self._about_details(cue):
                continue  # "too early to talk about the number of peacekeepers"
            top = path[-1]
            if top.dep_ in ("ccomp", "xcomp") and top.head.lemma_.lower() in self.lex.wish:
                # "Annan urged the Council to reinforce the AU peacekeepers": not the Council's
                # position but the one who urges it wants the force
                if not self._about_force(cue.subtree) and not self._about_force(top.subtree):
                    continue
                if (
                    any(c.dep_ == "mark" and c.lower_ in ("whether", "if") for c in top.children)
                    or any(c.dep_ == "auxpass" for c in top.head.children)
                    or self._asked_question(top)
                ):
                    continue  # "was asked whether Slovenia would join": a question, not a wish
                wisher, wish_path, _ = self._subject(top.head)
                if not wisher:
                    continue
                subjects, path = wisher, path + wish_path
                self.how_subject = f"who asks for it ('{top.head.text}')"
                top = path[-1]
            if subjects:
                speakers = self._speakers(top)
            negated = self._negated(path) != ("not" in cue_text.split())
            if subjects and any(c.lower_ == "neither" for c in subjects[0].children):
                negated = not negated  # "Neither Greece nor Cyprus will contribute"
            lemma = cue.lemma_.lower()
            own_refusal = False
            if stance == "decision":
                if not (
                    negated or any(t.lower_ == "yet" for p in path for t in p.children) or self._future_decision(cue)
                ):
                    entry = self.lex.word(lemma, cue.pos_)
                    if not entry or entry[0] != "support" or not self._about_force(cue.subtree):
                        continue
                    stance, weight = "support", entry[1]  # "their commitment to deploying a force"
                else:
                    stance = "undecided"
            elif negated:
                if stance == "support":
                    stance = "oppose"
                    own_refusal = (
                        cue_text in self.lex.participation
                        or any(t.lemma_.lower() in self.lex.participation for t in path)
                        or self._governs_participation(cue)
                    )
                elif stance == "oppose":
                    stance = "undecided"
            elif stance == "oppose" and any(t.lower_ == "yet" for p in path for t in p.children):
                stance = "undecided"
            if stance == "support" and any(
                c.dep_ == "mark" and c.lower_ == "whether" for p in path for c in p.children
            ):
                stance = "undecided"  # unclear whether Ottawa would deploy troops
            condition = self._condition(path)
            if condition is None and lemma in _CONDITIONAL_CUES:  # "would depend on a US backstop"
                preps = [c for c in cue.children if c.dep_ == "prep"]
                condition = self.doc[preps[0].i : preps[0].right_edge.i + 1].text if preps else None
            if own_refusal and condition and condition.lower().startswith(("without", "unless")):
                stance = "undecided"  # "will not deploy without a US backstop": a condition, not a refusal
            elif stance == "oppose" and not negated and condition and condition.lower().startswith("unless"):
                stance = "undecided"  # "would pull its officers out unless ...": a conditional threat
            if stance == "support" and cue.i in governs_oppose and not negated:
                stance = "oppose"
            if (
                stance == "support"
                and not negated
                and cue.pos_ == "VERB"
                and any(
                    g.lemma_.lower() in self.lex.ending
                    for c in cue.children
                    if c.dep_ == "dobj"
                    for g in c.children
                    if g.dep_ in ("compound", "amod")
                )
            ):
                stance = "oppose"  # "adopted a disengagement plan", "backed the withdrawal timetable"
            if (
                stance == "support"
                and not negated
                and cue.pos_ == "VERB"
                and any(
                    g.pos_ == "NOUN" and self._is_ending(g)
                    for c in cue.children
                    if c.dep_ == "prep" and c.lower_ in ("for", "towards", "toward")
                    for g in c.children
                    if g.dep_ == "pobj"
                )
            ):
                stance = "oppose"  # "lobbied for an end to the mission", "pushed for the withdrawal"
            if entry_stance == "oppose" and not negated and self._reversed_ending(cue, path):
                stance = "support"  # "asked the UN to slow the withdrawal", "opposed ending the mission"
            if entry_stance == "oppose" and cue.lemma_.lower() in self.lex.condemners and self._condemns_harm(cue):
                stance = "undecided" if negated else "support"  # "condemned the attack on the peacekeepers"
            if (
                entry_stance == "support"
                and cue.pos_ == "NOUN"
                and cue.dep_ in ("dobj", "nsubjpass")
                and cue.head.lemma_.lower() in self.lex.stoppers
            ):
                stance = "support" if negated else "oppose"  # "reduced its support for the mission"
            confidence = weight
            if any(c.lower_ in self.lex.modals for p in path for c in p.children if c.dep_ == "aux"):
                confidence *= 0.85
            normative = any(c.lower_ in ("should", "must") for p in path for c in p.children)
            if stance == "support" and (self._tentative(path) or self._deliberates(cue)):
                stance = "undecided"  # "in preliminary talks to contribute troops", "willing to consider"
            if (
                stance == "support"
                and condition
                and condition.lower().startswith(_HARD_CONDITIONS)
                and any(c.lower_ in ("could", "might", "may") for p in path for c in p.children if c.dep_ == "aux")
            ):
                stance = "undecided"  # "he could deploy soldiers if parliament asked": a possibility, no commitment
            if self._background(path):
                continue  # "In 2006, Italy sent 2,500 soldiers": history, not a position
            resolved = []
            how_subject = self.how_subject or "speaker of the sentence"
            if subjects and stance != "decision":
                subjects = subjects + self._as_well_as(path[-1], subjects)
            for s in subjects:
                if s.lower_ == "it" and cue.pos_ == "ADJ":
                    continue  # expletive: "it remains unclear whether ..."
                # (a named actor the tagger took for a verb, "Denmark backs ...", is no clause)
                if s.dep_ == "csubj" or (s.pos_ == "VERB" and s.dep_ in _SUBJ and s.i not in self.by_token):
                    # "Sending his country's soldiers is off the table, X said": the speaker's own troops
                    resolved.extend((s, a, "speaker of a clause subject") for a in speakers)
                    if s.lemma_.lower() in self.lex.participation and stance == "oppose":
                        own_refusal = True
                    continue
                resolved.extend((s, a, how_subject) for a in self._resolve(s, speakers=speakers, allow_pronoun=True))
            if not resolved and cue.pos_ in ("ADJ", "NOUN") and speakers:
                # "Lavrov said the idea was unacceptable": the speaker holds the evaluation
                resolved = [(path[-1], a, "speaker holds the evaluation") for a in speakers]
            if not resolved and stance == "undecided" and self._pending_decision(cue):
                resolved = self._conditioned_participation(subjects, path, speakers)
            if (
                cue.lemma_.lower() in self.lex.council_acts
                and "UNSC" in self.gaz.organisations
                and any(
                    c.lemma_.lower() in ("mandate", "resolution") or self._object_like(c)
                    for c in cue.children
                    if c.dep_ in ("dobj", "nsubjpass")
                )
            ):
                resolved = [(s, council_for_mandates(actor, self.gaz), how) for s, actor, how in resolved]
            for s, actor, how in resolved:
                if stance == "oppose" and self._about_other_country(cue, actor):
                    continue  # "Israel opposed Turkish participation": a stance on Turkey
                notes = []
                person_speakers = [a for a in speakers if a.actor_type == "person"]
                if normative and person_speakers and actor.actor_type == "country":
                    notes.append(f"normative claim about {actor.name} attributed to the speaker")
                    actor = person_speakers[0]
                if actor.actor_type == "person" and weight < 0.8:
                    continue  # private persons: only strong, explicit cues
                conf = confidence * (0.85 if s.lower_ in _PRONOUNS else 1.0)
                out.append(
                    Hit(
                        actor,
                        stance,
                        round(min(conf, 1.0), 2),
                        cue_text,
                        evidence,
                        condition,
                        own_refusal,
                        notes,
                        mechanism=f"rule: cue '{cue_text}' ({entry_stance}), path "
                        f"{' <- '.join(t.text for t in path)}; actor: {how}",
                        context={
                            "how": how,
                            "cue_pos": cue.pos_,
                            "path_len": float(len(path)),
                            "pronoun": float(s.lower_ in _PRONOUNS),
                            "negated": float(negated),
                        },
                    )
                )
        out.extend(self._council_act_hits(sent, evidence, out))
        return out


def extract_stances(
    doc,
    mentions: list[Mention],
    gaz: Gazetteer,
    lex: Lexicon | None = None,
    day: dt.date | None = None,
) -> list[Hit]:
    """Stance hits of one document (see module docstring); ``day`` is the article's date (past
    events dated before its year are background, not stances)."""
    return StanceExtractor(doc, mentions, gaz, lex or load_lexicon(), day).extract()


__all__ = ["STANCES", "Actor", "Hit", "Lexicon", "StanceExtractor", "extract_stances", "load_lexicon"]
