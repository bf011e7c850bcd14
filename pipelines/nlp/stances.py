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

import logging
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
_ASSIGNED = frozenset({"appoint", "task", "ask", "invite", "choose", "select", "nominate", "name", "assign"})
_LIST_PREPS = frozenset({"including", "like", "as", "among"})
_ACTOR_KINDS = {"country": "country", "organisation": "organisation", "coalition": "coalition",
                "armed_group": "organisation", "person": "person"}


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


@dataclass
class _DocState:
    """Per-document memory for pronouns, role nouns and "the same" references."""

    last_actors: list[Actor] = field(default_factory=list)
    last_person_actor: Actor | None = None
    recent_people: list[Mention] = field(default_factory=list)
    last_hits: list[Hit] = field(default_factory=list)


def _actor_from_mention(m: Mention, gaz: Gazetteer) -> Actor | None:
    if m.kind == "mission":
        return None
    if m.kind == "country":
        return Actor(m.code or m.name, m.name, "country", m.code, f"{m.text} -> {m.name} ({m.how})")
    if m.kind == "person":
        if m.actor_id and m.office:
            if m.actor_id in gaz.countries:
                country = gaz.countries[m.actor_id]
                return Actor(country.code, country.name, "country", country.code,
                             f"{m.text} -> {country.name} ({m.office.describe()})", True)
            org = gaz.organisations.get(m.actor_id)
            if org:
                return Actor(org.id, org.name, _ACTOR_KINDS.get(org.kind, "organisation"), None,
                             f"{m.text} -> {org.name} ({m.office.describe()})", True)
        return Actor("person:" + m.name, m.name, "person", None, f"{m.text} -> {m.name} (person)", True)
    org = gaz.organisation(m.name)
    if org and not org.actor:
        return None
    return Actor("org:" + m.name, m.name, _ACTOR_KINDS.get(m.kind, "organisation"), None,
                 f"{m.text} -> {m.name} ({m.kind})")


def _refer(ref: Actor, text: str) -> Actor:
    return Actor(ref.key, ref.name, ref.actor_type, ref.code, f"{text} -> {ref.resolution}", ref.via_person)


class StanceExtractor:
    """Extract stance hits from one parsed document (create one per document; cheap)."""

    def __init__(self, doc, mentions: list[Mention], gaz: Gazetteer, lex: Lexicon) -> None:  # noqa: ANN001
        self.doc, self.gaz, self.lex = doc, gaz, lex
        self.by_token: dict[int, Mention] = {}
        for m in mentions:
            for i in range(m.token_start, m.token_end):
                self.by_token[i] = m
        self.state = _DocState()

    # ----- actors
    def _mention_actor(self, token) -> Actor | None:  # noqa: ANN001
        m = self.by_token.get(token.i)
        return _actor_from_mention(m, self.gaz) if m else None

    def _speakers(self, token) -> list[Actor]:  # noqa: ANN001
        """Actors of the nearest reporting verb above ``token`` ("X said that ...", "..., said X")."""
        t = token
        while t.head.i != t.i:
            t = t.head
            if t.lemma_.lower() in self.lex.speech:
                for c in t.children:
                    if c.dep_ in _SUBJ:
                        if c.tag_ in ("WDT", "WP"):
                            c = self._antecedent(c, t) or c
                        return [a for s in self._expand(c)
                                for a in self._resolve(s, speakers=[], allow_pronoun=True)]
        return []

    def _role_reference(self, tok) -> Actor | None:  # noqa: ANN001
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

    def _resolve(self, tok, *, speakers: list[Actor], allow_pronoun: bool, depth: int = 0) -> list[Actor]:  # noqa: ANN001
        actor = self._mention_actor(tok)
        if actor:
            return [actor]
        low = tok.lower_
        if low in _PRONOUNS:
            if not allow_pronoun:
                return []
            if low in ("he", "she", "his", "her"):
                refs = [a for a in speakers if a.via_person] or (
                    [self.state.last_person_actor] if self.state.last_person_actor else [])
            elif low == "we":
                refs = speakers
            else:
                refs = [a for a in speakers if not a.via_person] or speakers or self.state.last_actors
            return [_refer(r, tok.text) for r in refs]
        lemma = tok.lemma_.lower()
        if lemma not in self.lex.actor_heads and low not in self.lex.actor_heads:
            if tok.pos_ == "NOUN" and depth == 0:
                for child in tok.children:
                    if child.dep_ == "prep" and child.lower_ == "of":
                        for pobj in child.children:
                            if pobj.dep_ == "pobj":
                                return self._resolve(pobj, speakers=speakers, allow_pronoun=allow_pronoun, depth=1)
            return []
        if (tok.dep_ == "nsubjpass" and lemma in ("troop", "soldier")) or depth:
            return []  # "troops from NATO countries being deployed": their origin holds no stance
        if any(c.lower_ == "opposition" for c in tok.children):
            return []  # "Kenyan opposition leaders" do not speak for Kenya
        for child in tok.children:
            target = child
            if child.dep_ == "prep" and child.lower_ in ("of", "for"):
                target = next((g for g in child.children if g.dep_ == "pobj"), None)
            elif child.dep_ not in ("compound", "amod", "poss", "nmod", "npadvmod"):
                continue
            if target is None:
                continue
            actor = self._mention_actor(target)
            if actor and actor.actor_type != "person":
                return [actor]
            if child.dep_ == "poss" and target.lower_ in _PRONOUNS:
                refs = self._resolve(target, speakers=speakers, allow_pronoun=True)
                return [_refer(r, f"{target.text} {tok.text}") for r in refs]
        if any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children):
            ref = self._role_reference(tok)
            if ref:
                return [ref]
        return []

    def _expand(self, tok) -> list:  # noqa: ANN001
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

    def _subject(self, cue) -> tuple[list, list, bool]:  # noqa: ANN001
        """Subject tokens governing ``cue``, the path climbed, and whether found via a modifier."""
        path = [cue]
        for child in cue.children:
            if child.dep_ in ("poss", "compound", "npadvmod", "amod", "nmod") and child.i in self.by_token:
                return [child, *child.conjuncts], path, True
        if cue.pos_ == "NOUN":  # "the scepticism of other factors, including the US"
            for child in cue.children:
                if child.dep_ == "prep" and child.lower_ in ("of", "from", "by"):
                    for pobj in child.children:
                        expanded = self._expand(pobj) if pobj.dep_ == "pobj" else []
                        if any(self._mention_actor(t) for t in expanded):
                            return expanded, path, True
        t = cue
        # the force as subject of its own ending or staying: the actor is the one above
        ending = self._is_ending(cue) or cue.lemma_.lower() in self.lex.continuation
        for _ in range(12):
            # a passive's agent holds the stance, not its subject ("troops offered by Belgium")
            agent = [g for c in t.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
            if agent:
                return self._expand(agent[0]), path, False
            subj = [c for c in t.children if c.dep_ in _SUBJ]
            clause = t.head if t.dep_ == "conj" else t
            passive_cue = (t.i == cue.i and bool(subj) and subj[0].dep_ == "nsubjpass"
                           and clause.dep_ in ("ccomp", "xcomp"))
            if subj and ending and t.head.i == t.i and cue.lemma_.lower() in self.lex.continuation \
                    and self._object_like(subj[0]):
                break  # "Russian troops will remain in the occupied areas": nobody's stance on the force
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
            if subj:
                s = subj[0]
                if s.tag_ in ("WDT", "WP"):
                    s = self._antecedent(s, t) or s
                    if s.dep_ == "pobj" and s.head.lower_ == "among" and s.i not in self.by_token:
                        # "Denmark and Norway are among the countries that have offered troops"
                        s = next((c for c in s.head.head.children if c.dep_ in _SUBJ), s)
                return self._expand(s), path, False
            if t.dep_ in ("acl", "relcl") and (t.head.i in self.by_token or t.head.lemma_.lower() in self.lex.actor_heads):
                if t.lemma_.lower() in _ASSIGNED:
                    break  # "General X, appointed to lead the force": a role, not a stance
                return self._expand(t.head), path, False
            if t.head.i == t.i:
                return self._preceding_actors(t), path, False
            if t.dep_ in _SUBJ:
                break
            sibling = t.dep_ == "conj"  # a coordinated verb shares the subject, not its polarity
            t = t.head
            if not sibling:
                path.append(t)
        return [], path, False

    def _antecedent(self, pron, verb):  # noqa: ANN001, ANN202
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

    def _is_ending(self, cue) -> bool:  # noqa: ANN001
        return cue.lemma_.lower() in self.lex.ending

    def _continues_force(self, verb) -> bool:  # noqa: ANN001
        """"The peacekeepers (would) stay": a continuation verb whose subject is the force."""
        return verb.lemma_.lower() in self.lex.continuation and any(
            c.dep_ in ("nsubj", "nsubjpass") and self._object_like(c) for c in verb.children)

    def _requests_force(self, verb) -> bool:  # noqa: ANN001
        """"wanted 100,000 European troops as part of a reassurance force": asking for the force."""
        if verb.lemma_.lower() not in self.lex.requests:
            return False
        if any(c.dep_ in ("xcomp", "ccomp", "oprd") for c in verb.children):
            return False  # a wish about someone else's action ("want the US to back it"), "called it a ..."
        if any(c.lower_ in ("out", "gone", "away") for c in verb.children):
            return False  # "wants NATO troops out"
        objects = [c for c in verb.children if c.dep_ == "dobj"] + [
            g for c in verb.children if c.dep_ == "prep" and c.lower_ == "for" for g in c.children if g.dep_ == "pobj"]
        return self._about_force(verb.subtree, strict=True) and any(self._object_like(o) and not any(
            t.lemma_.lower() in self.lex.ending or t.lower_ in ("out", "away") for t in o.subtree)
            for o in objects)

    def _reversed_ending(self, cue, path) -> bool:  # noqa: ANN001
        """An ending undone: "slow the withdrawal", "opposed the withdrawal of the mission"."""
        if self._is_ending(cue):
            return any(t.lemma_.lower() in self.lex.reversers for t in path[1:])
        if cue.pos_ != "VERB" or cue.lemma_.lower() not in self.lex.reversers:
            return False
        return any(c.dep_ in ("dobj", "xcomp", "ccomp", "pcomp") and self._is_ending(c) for c in cue.children) or any(
            g.dep_ in ("pobj", "pcomp") and self._is_ending(g) for c in cue.children if c.dep_ == "prep" for g in c.children)

    def _means_object(self, tok) -> bool:  # noqa: ANN001
        """Backing by other means ("logistical support", "funding"), not support for someone else."""
        if tok.lemma_.lower() not in self.lex.means and tok.lower_ not in self.lex.means:
            return False
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ in ("to", "for"):
                if not any(self._object_like(g) or g.lower_ in ("it", "them") for g in c.children):
                    return False
        return True

    def _object_like(self, tok) -> bool:  # noqa: ANN001
        """The phrase headed by ``tok`` names the force (modifiers such as compounds ignored)."""
        stack = [tok]
        while stack:
            t = stack.pop()
            m = self.by_token.get(t.i)
            if t.lemma_.lower() in self.lex.objects or t.lower_ in self.lex.objects or (
                    m is not None and m.kind in ("mission", "coalition")):
                return True
            stack.extend(c for c in t.children
                         if t.i != tok.i or c.dep_ not in ("compound", "amod", "nmod", "poss", "det"))
        return False

    def _complements_ok(self, cue, cue_text: str) -> bool:  # noqa: ANN001
        """A cue with objects or prepositional complements needs one of them to be the force."""
        if cue.pos_ == "NOUN":  # "support from the EU to Ukraine" is not support for the force
            comps = [g for c in cue.children if c.dep_ == "prep" and c.lower_ in ("to", "for")
                     for g in c.children if g.dep_ in ("pobj", "pcomp")]
            return not comps or any(self._object_like(c) for c in comps)
        if cue.pos_ != "VERB":
            return True
        if cue.lemma_.lower() in self.lex.needs_object:
            objects = [c for c in cue.children if c.dep_ in ("dobj", "nsubjpass")] + [
                g for c in cue.children if c.dep_ in ("ccomp", "xcomp") for g in c.children if g.dep_ in _SUBJ]
            return any(self._object_like(o) or o.lemma_.lower() in ("mandate", "presence") for o in objects)
        phrase = set(cue_text.split())
        comps = []
        for c in cue.children:
            if c.lower_ in phrase or c.lemma_.lower() in phrase:
                comps.extend(g for g in c.children if g.dep_ == "prep" for g in g.children if g.dep_ == "pobj")
                continue
            if c.dep_ in ("dobj", "attr"):
                comps.append(c)
            elif c.dep_ in ("prep", "dative") and c.lower_ in ("in", "to", "for", "on"):
                comps.extend(g for g in c.children if g.dep_ in ("pobj", "pcomp"))
        if not comps:
            return True
        return any(self._object_like(c) or self._means_object(c) or c.lemma_.lower() in self.lex.references
                   for c in comps) or any(
            c.dep_ in ("xcomp", "ccomp", "advcl") and self._about_force(c.subtree) for c in cue.children)

    def _about_other_country(self, cue, actor: Actor) -> bool:  # noqa: ANN001
        """True when the cue's object is another country's participation."""
        for obj in cue.children:
            if obj.dep_ not in ("dobj", "pobj"):
                continue
            for mod in obj.children:
                m = self.by_token.get(mod.i)
                if mod.dep_ in ("poss", "amod", "compound") and m and m.kind == "country" and m.code != actor.code:
                    return True
        return False

    def _preceding_actors(self, verb) -> list:  # noqa: ANN001
        """Fallback when the parser lost the subject: actor mentions right before the verb."""
        found = []
        i = verb.i - 1
        while i >= verb.sent.start and len(found) < 12:
            tok = self.doc[i]
            if tok.i in self.by_token:
                found.append(tok)
            elif tok.dep_ not in ("det", "cc") and tok.pos_ not in ("AUX", "PART", "ADV"):
                break
            i -= 1
        return found

    # ----- polarity and context
    def _negated(self, path) -> bool:  # noqa: ANN001
        count = 0
        for t in path:
            count += sum(1 for c in t.children
                         if c.dep_ == "neg" or (c.lower_ in _NEG_WORDS and c.dep_ in ("advmod", "det", "preconj")))
        return count % 2 == 1

    def _condition(self, path) -> str | None:  # noqa: ANN001
        for t in path:
            for tok in t.subtree:
                low = tok.lower_
                if tok.dep_ == "mark" and low in self.lex.conditions:
                    span = self.doc[tok.i: tok.head.right_edge.i + 1]
                elif tok.dep_ == "prep" and low == "without" and low in self.lex.conditions:
                    span = self.doc[tok.i: tok.right_edge.i + 1]
                elif tok.dep_ == "advmod" and low == "only":
                    span = self.doc[tok.i: tok.head.right_edge.i + 1]
                elif tok.dep_ == "prep" and low == "in" and any(
                        g.lower_ in ("event", "case") for g in tok.children):
                    span = self.doc[tok.i: tok.right_edge.i + 1]
                else:
                    continue
                if 1 < len(span) < 30:
                    return span.text
        return None

    def _about_force(self, tokens, *, strict: bool = False) -> bool:  # noqa: ANN001
        """Some token names the force (``strict``: only the `force_words`, not troops alone)."""
        words = self.lex.force_words if strict else self.lex.objects
        for t in tokens:
            if t.lemma_.lower() in words or t.lower_ in words:
                return True
            m = self.by_token.get(t.i)
            if m is not None and m.kind in ("mission", "coalition"):
                return True
        return False

    def _cues(self, sent) -> list[tuple[object, str, float, str]]:  # noqa: ANN001
        cues = []
        skip_until = -1
        for tok in sent:
            if tok.i < skip_until or (tok.i in self.by_token and self.by_token[tok.i].kind != "person"):
                continue
            lemma = tok.lemma_.lower()
            matched = False
            for parts, stance, weight in self.lex.phrases.get(lemma, ()):
                end = tok.i + len(parts)
                if end <= sent.end and all(self.doc[tok.i + k].lemma_.lower() == p or self.doc[tok.i + k].lower_ == p
                                           for k, p in enumerate(parts)):
                    span = self.doc[tok.i:end]
                    anchor = next((t for t in span if not (tok.i <= t.head.i < end) or t.head.i == t.i), tok)
                    cues.append((anchor, stance, weight, " ".join(parts)))
                    skip_until, matched = end, True
                    break
            if matched:
                continue
            if tok.pos_ == "VERB":  # separable phrasal verbs: "did not rule it out", "pull its troops out"
                particles = {c.lower_ for c in tok.children if c.dep_ in ("prt", "prep", "advmod")}
                entry2 = next(((parts, stance, weight) for parts, stance, weight in self.lex.phrases.get(lemma, ())
                               if len(parts) == 2 and parts[1] in particles), None)
                if entry2:
                    cues.append((tok, entry2[1], entry2[2], " ".join(entry2[0])))
                    continue
            if lemma in self.lex.decision and tok.pos_ in ("VERB", "NOUN"):
                cues.append((tok, "decision", 0.8, lemma))
                continue
            entry = self.lex.word(lemma, tok.pos_)
            if entry and (tok.pos_ in ("VERB", "NOUN", "ADJ") or lemma == "against"):
                cues.append((tok, entry[0], entry[1], lemma))
            elif tok.pos_ == "VERB" and self._continues_force(tok):
                cues.append((tok, "support", 0.7, lemma))
            elif tok.pos_ == "VERB" and self._requests_force(tok):
                cues.append((tok, "support", 0.7, lemma))
        return cues

    def _future_decision(self, cue) -> bool:  # noqa: ANN001
        """"Finland will decide on its participation later": a decision still to be taken."""
        verb = cue if cue.pos_ == "VERB" else cue.head
        if cue.pos_ == "NOUN" and verb.lemma_.lower() in self.lex.deferrals:
            return True  # "postponed a decision on deploying troops"
        return verb.pos_ in ("VERB", "AUX") and any(
            c.dep_ == "aux" and c.lower_ in ("will", "'ll", "shall", "would") for c in verb.children)

    def _passive_neutral(self, cue) -> bool:  # noqa: ANN001
        """Passive evaluation verbs ("would be considered legitimate targets") hold no stance."""
        return cue.lemma_.lower() in _PASSIVE_NEUTRAL and any(
            c.dep_ in ("nsubjpass", "csubjpass", "auxpass") for c in cue.children)

    def _governs_participation(self, cue) -> bool:  # noqa: ANN001
        """A (negated) plan/intention whose clause is sending one's own troops ("no plans to send")."""
        for c in cue.children:
            heads = [c] if c.dep_ in ("xcomp", "acl", "relcl") else [
                g for g in c.children if g.dep_ == "pcomp"] if c.dep_ == "prep" else []
            if any(h.lemma_.lower() in self.lex.participation for h in heads):
                return True
        return False

    def _no_troops_hits(self, sent, evidence: str) -> list[Hit]:  # noqa: ANN001
        """"There will be no German soldiers on Ukrainian soil": the country refuses its own part."""
        out = []
        for tok in sent:
            if tok.lemma_.lower() not in ("troop", "soldier", "boot"):
                continue
            # "no German soldiers", or a negated verb over them: "will not put Polish boots on the ground"
            if not any(c.dep_ == "det" and c.lower_ == "no" for c in tok.children) and not (
                    tok.dep_ in ("dobj", "nsubjpass") and tok.head.pos_ in ("VERB", "AUX")
                    and any(c.dep_ == "neg" for c in tok.head.children)):
                continue
            for mod in tok.children:
                m = self.by_token.get(mod.i)
                if mod.dep_ in ("amod", "compound", "nmod") and m and m.kind == "country":
                    actor = _actor_from_mention(m, self.gaz)
                    condition = self._condition([tok.head]) or self._sentence_condition(sent)
                    stance = "undecided" if condition else "oppose"
                    out.append(Hit(actor, stance, 0.8, f"no {tok.text}", evidence, condition, True,
                                   ["refusal of own troops" + (" under a condition" if condition else "")]))
        return out

    def _sentence_condition(self, sent) -> str | None:  # noqa: ANN001
        """Multi-word temporal/conditional clauses: "as long as ...", "until ..."."""
        text = sent.text
        low = text.lower()
        for marker in ("as long as", "until", "unless", "so long as"):
            i = low.find(marker)
            if i >= 0:
                end = min((j for j in (low.find(",", i), low.find(".", i)) if j > i), default=len(text))
                return text[i:end]
        return None

    def _hyphen_hits(self, sent, evidence: str) -> list[Hit]:  # noqa: ANN001
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
            if not self._about_force([tok, tok.head]):
                continue
            country = self.gaz.countries[place[0]]
            actor = Actor(country.code, country.name, "country", country.code,
                          f"{prefix} -> {country.name} ({place[1]})")
            out.append(Hit(actor, "support", entry[1], tok.text.lower(), evidence, None))
        return out

    # ----- main
    def extract(self) -> list[Hit]:
        """All stance hits of the document, in order."""
        hits: list[Hit] = []
        previous_about = False
        for sent in self.doc.sents:
            about = self._about_force(sent, strict=True)
            sent_hits = []
            if about or previous_about or any(t.lemma_.lower() == "same" for t in sent):
                sent_hits = self._sentence_hits(sent, carried=not about)
                for h in sent_hits:
                    h.sent_start = sent.start_char
                if sent_hits:
                    self.state.last_hits = sent_hits
                hits.extend(sent_hits)
            # a run of stances on troops continues the topic: "France will send troops.
            # Poland will not send soldiers. Italy has ruled out deploying its own troops."
            previous_about = about or bool(sent_hits and self._about_force(sent))
            self._remember(sent)
        return hits

    def _remember(self, sent) -> None:  # noqa: ANN001
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
            if actor and actor.actor_type in ("country", "organisation", "coalition"):
                if not first:
                    first = [actor]
        for tok in sent:
            if tok.dep_ in _SUBJ and tok.head.dep_ == "ROOT":
                subject_actors = [a for s in self._expand(tok)
                                  for a in self._resolve(s, speakers=[], allow_pronoun=False)]
                break
        if subject_actors:
            self.state.last_actors = subject_actors
        elif first and not self.state.last_actors:
            self.state.last_actors = first

    def _same_hits(self, sent, evidence: str) -> list[Hit]:  # noqa: ANN001
        out = []
        for tok in sent:  # "X announced the same" repeats the previous stance
            if tok.lemma_.lower() == "same" and tok.dep_ in ("dobj", "attr", "pobj") and self.state.last_hits:
                prev = self.state.last_hits[-1]
                subjects, _, _ = self._subject(tok)
                for s in subjects:
                    for actor in self._resolve(s, speakers=[], allow_pronoun=False):
                        if actor.key != prev.actor.key:
                            out.append(Hit(actor, prev.stance, round(prev.confidence * 0.9, 2),
                                           f"the same ({prev.cue})", evidence, prev.condition,
                                           prev.own_refusal, ["copies the previous actor's stance"]))
        return out

    def _factual_report(self, cue) -> bool:  # noqa: ANN001
        """A plain past-tense deployment ("Russia deployed more troops near Kharkiv"): news, not a stance."""
        return cue.tag_ == "VBD" and cue.lemma_.lower() in self.lex.participation and not any(
            c.dep_ in ("aux", "auxpass", "neg") for c in cue.children)

    def _sentence_hits(self, sent, *, carried: bool = False) -> list[Hit]:  # noqa: ANN001
        """Hits of one sentence (``carried``: searched only because the previous one was about the force)."""
        evidence = sent.text.strip()
        out = self._same_hits(sent, evidence)
        cues = self._cues(sent)
        # a passive "is considered (a target)" is no stance and governs no other cue
        cues = [c for c in cues if not self._passive_neutral(c[0])]
        cue_ids = {c[0].i for c in cues if c[1] != "decision" or (
            c[0].pos_ == "NOUN" and c[0].head.lemma_.lower() in self.lex.deferrals)}
        # support cues that govern an oppose cue back its ending: "pushed to end the mission"
        governs_oppose = {h.i for c in cues if c[1] == "oppose" for h in list(c[0].ancestors)[:4]}
        out.extend(self._hyphen_hits(sent, evidence))
        out.extend(self._no_troops_hits(sent, evidence))
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
            if any(t.i in cue_ids for t in path[1:]):
                continue
            if any(t.lemma_.lower() in _ASSIGNED and any(c.dep_ == "auxpass" for c in t.children) for t in path[1:]):
                continue  # "Canada, which had been asked to lead the mission": a request, not a stance
            if via_modifier and cue.pos_ == "NOUN" and (cue.head.i in cue_ids or cue.head.head.i in cue_ids):
                continue
            if via_modifier and cue.pos_ == "NOUN" and weight < 0.8 and self._negated([cue.head]):
                continue  # "Turkish participation had not been discussed": no stance either way
            if cue.lemma_.lower() == "include" and any(
                    t.lower_ in self.lex.contributors or t.lemma_.lower() in self.lex.contributors
                    for s in subjects for t in s.subtree):
                subjects = [o for c in cue.children if c.dep_ == "dobj" for o in [c, *c.conjuncts]]
            elif not self._complements_ok(cue, cue_text):
                continue  # the cue is about something else: "join a phone call", "veto anything"
            top = path[-1]
            if top.dep_ in ("ccomp", "xcomp") and top.head.lemma_.lower() in self.lex.wish:
                continue
            if subjects:
                speakers = self._speakers(top)
            negated = self._negated(path) != ("not" in cue_text.split())
            if subjects and any(c.lower_ == "neither" for c in subjects[0].children):
                negated = not negated  # "Neither Greece nor Cyprus will contribute"
            lemma = cue.lemma_.lower()
            own_refusal = False
            if stance == "decision":
                if not (negated or any(t.lower_ == "yet" for p in path for t in p.children)
                        or self._future_decision(cue)):
                    continue
                stance = "undecided"
            elif negated:
                if stance == "support":
                    stance = "oppose"
                    own_refusal = cue_text in self.lex.participation or any(
                        t.lemma_.lower() in self.lex.participation for t in path) or self._governs_participation(cue)
                elif stance == "oppose":
                    stance = "undecided"
            elif stance == "oppose" and any(t.lower_ == "yet" for p in path for t in p.children):
                stance = "undecided"
            if stance == "support" and any(c.dep_ == "mark" and c.lower_ == "whether" for p in path for c in p.children):
                stance = "undecided"  # unclear whether Ottawa would deploy troops
            condition = self._condition(path)
            if condition is None and lemma in _CONDITIONAL_CUES:  # "would depend on a US backstop"
                preps = [c for c in cue.children if c.dep_ == "prep"]
                condition = self.doc[preps[0].i: preps[0].right_edge.i + 1].text if preps else None
            if own_refusal and condition and condition.lower().startswith(("without", "unless")):
                stance = "undecided"  # "will not deploy without a US backstop": a condition, not a refusal
            elif stance == "oppose" and not negated and condition and condition.lower().startswith("unless"):
                stance = "undecided"  # "would pull its officers out unless ...": a conditional threat
            if stance == "support" and cue.i in governs_oppose and not negated:
                stance = "oppose"
            if entry_stance == "oppose" and not negated and self._reversed_ending(cue, path):
                stance = "support"  # "asked the UN to slow the withdrawal", "opposed ending the mission"
            confidence = weight
            if any(c.lower_ in self.lex.modals for p in path for c in p.children if c.dep_ == "aux"):
                confidence *= 0.85
            normative = any(c.lower_ in ("should", "must") for p in path for c in p.children)
            resolved = []
            for s in subjects:
                if s.lower_ == "it" and cue.pos_ == "ADJ":
                    continue  # expletive: "it remains unclear whether ..."
                resolved.extend((s, a) for a in self._resolve(s, speakers=speakers, allow_pronoun=True))
            if not resolved and cue.pos_ in ("ADJ", "NOUN") and speakers:
                # "Lavrov said the idea was unacceptable": the speaker holds the evaluation
                resolved = [(path[-1], a) for a in speakers]
            for s, actor in resolved:
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
                out.append(Hit(actor, stance, round(min(conf, 1.0), 2), cue_text, evidence, condition,
                               own_refusal, notes))
        return out


def extract_stances(doc, mentions: list[Mention], gaz: Gazetteer, lex: Lexicon | None = None) -> list[Hit]:  # noqa: ANN001
    """Stance hits of one document (see module docstring)."""
    return StanceExtractor(doc, mentions, gaz, lex or load_lexicon()).extract()


__all__ = ["STANCES", "Actor", "Hit", "Lexicon", "StanceExtractor", "extract_stances", "load_lexicon"]
