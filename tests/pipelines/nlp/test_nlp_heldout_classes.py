"""Held-out behaviour on the failure classes of issue 10 (sentences written for these tests).

Like ``test_nlp_heldout.py``: each case gives the complete stance map the annotation definitions
(``/work/shared/eval/README.md``) give for the text, and any extra actor fails it. No sentence is
taken from an evaluation or corpus article. Officials are mostly people the leader tables do NOT
know (invented names), so the cases test the grammar, not the tables.

Batch F was written from the classes the issue lists (groups, demonyms and possessives, the
speaker's country, reported speech across sentences, institutions and host governments, invented
actors) and measured once BEFORE any change it inspired; batch G was written after the fixes and
measured once, blind. The README's held-out table reports both first counts.

First measurements: batch F 13/28 (9/24 stances, 4/4 relevance) on commit 722fb8c, before any
change; batch G 12/16 on commit 399d373 (after the fixes for F, before any fix for G); batch H
13/16 on commit 0b96d47 (after the corpus dev round, before any fix for H); batch I 3/14 on commit
3a66112 (round 3, before any fix for I).
"""

from __future__ import annotations

import pytest

PUBLISHED = "2026-03-01"
TITLE = "Peacekeeping force debate"


def _xfail(reason: str):
    return pytest.mark.xfail(reason=reason, strict=False)


# (id, text, expected {actor: stance}); the expected map is the complete set of stances.
STANCE_CASES_F = [
    # --- 1. groups expanded
    (
        "f-nordic-states-agreed",
        "Norway and the other Nordic countries have agreed to take part in the reassurance force.",
        {"Norway": "support", "Denmark": "support", "Finland": "support", "Iceland": "support", "Sweden": "support"},
    ),
    (
        "f-baltic-states-ready",
        "The three Baltic states said they were ready to send troops to a peacekeeping force in Ukraine.",
        {"Estonia": "support", "Latvia": "support", "Lithuania": "support"},
    ),
    (
        "f-leaders-of-countries-including",
        "Leaders of seven countries, including Belgium, Portugal and Romania, said they could envisage "
        "contributing troops to the reassurance force.",
        {"Belgium": "support", "Portugal": "support", "Romania": "support"},
    ),
    (
        "f-benelux-pledged",
        "The Benelux countries have pledged to contribute soldiers to the stabilisation force.",
        {"Belgium": "support", "Netherlands": "support", "Luxembourg": "support"},
    ),
    # --- 2. demonyms and possessives
    (
        "f-demonym-soldiers-not-foreseen",
        "Spanish soldiers in Ukraine are not foreseen at this stage, the Spanish government said of the "
        "planned reassurance force.",
        {"Spain": "oppose"},
    ),
    (
        "f-we-do-not-envisage-demonym",
        '"We do not envisage deploying Irish troops to the peacekeeping force," the Irish defence '
        "minister told parliament.",
        {"Ireland": "oppose"},
    ),
    (
        "f-his-countrys-soldiers-off-table",
        "Sending his country's soldiers to a peacekeeping mission in Ukraine is off the table, Croatian "
        "President Ivo Marasovic said.",
        {"Croatia": "oppose"},
    ),
    # --- 3. the speaker's country
    (
        "f-demonym-title-unknown-person",
        "Danish Prime Minister Karen Holst said her country stood ready to send peacekeepers to Ukraine.",
        {"Denmark": "support"},
    ),
    (
        "f-chief-of-armed-forces-if",
        "The chief of the Austrian armed forces said he could deploy soldiers to a peacekeeping mission "
        "if parliament asked him to.",
        {"Austria": "undecided"},
    ),
    (
        "f-role-noun-demonym",
        "The Belgian foreign minister said his government was willing to contribute to the reassurance force.",
        {"Belgium": "support"},
    ),
    # --- 4. reported speech across sentences
    (
        "f-quote-then-answered",
        "Slovenian Defence Minister Tomaz Kranjc was asked on Monday whether Slovenia would join a "
        'peacekeeping force in Ukraine. "We are not ruling anything out," he answered.',
        {"Slovenia": "undecided"},
    ),
    (
        "f-quote-first-subject-before",
        "Lithuania's president spoke after a meeting on the reassurance force. \"Lithuania is ready to "
        'send a company of soldiers," he told reporters.',
        {"Lithuania": "support"},
    ),
    # --- 5. institutions and other missions
    (
        "f-council-voted-renew",
        "The UN Security Council voted unanimously on Thursday to renew the mandate of the peacekeeping "
        "mission in South Sudan for another year.",
        {"United Nations Security Council": "support"},
    ),
    (
        "f-regional-bloc-double",
        "Leaders of the Southern African Development Community met in Harare on Friday. The regional "
        "bloc agreed to double the size of its peacekeeping force in eastern Congo.",
        {"SADC": "support"},
    ),
    (
        "f-host-orders-out",
        "Mali's military government ordered the UN peacekeepers out of the country without delay.",
        {"Mali": "oppose"},
    ),
    (
        "f-host-turns-down",
        "Sudan's army-led government turned down a proposal to deploy African Union peacekeepers to "
        "protect civilians in Darfur.",
        {"Sudan": "oppose"},
    ),
    (
        "f-preliminary-talks",
        "Indonesia is in preliminary talks to contribute troops to the stabilisation force in Gaza, the "
        "foreign ministry said.",
        {"Indonesia": "undecided"},
    ),
    (
        "f-au-expand-force",
        "The African Union said it would expand its peacekeeping force in Somalia by 2,000 troops.",
        {"African Union": "support"},
    ),
    # --- 6. invented actors
    (
        "f-dateline-not-actor",
        "NAIROBI, Kenya (Reuters) — The African Union will send 2,000 more troops to its peacekeeping "
        "mission in Somalia, the bloc's commission said on Tuesday.",
        {"African Union": "support"},
    ),
    (
        "f-first-name-country",
        "India Walton, a researcher at a Brussels think tank, said European leaders backed the "
        "reassurance force. France and Britain have offered to lead it.",
        {"France": "support", "United Kingdom": "support"},
    ),
    (
        "f-background-history",
        "In 2006, Italy sent 2,500 soldiers to reinforce UNIFIL after the war between Israel and "
        "Hezbollah. The peacekeepers now face an uncertain future.",
        {},
    ),
    (
        "f-something-else",
        "The reassurance force would only deploy after a ceasefire. Moscow is only pretending to "
        "negotiate, the Estonian foreign minister said.",
        {},
    ),
    (
        "f-city-meeting-place",
        "Defence ministers of the coalition met in Rome on Thursday to discuss the reassurance force, "
        "and Britain said it would lead it.",
        {"United Kingdom": "support"},
    ),
    (
        "f-capital-of-meeting-london",
        "At a meeting in London, Canada and Australia said they were willing to contribute to the peacekeeping force.",
        {"Canada": "support", "Australia": "support"},
    ),
]

# Batch G: written after the fixes for batch F, same classes in other words, measured once blind.
STANCE_CASES_G = [
    (
        "g-baltic-leaders-pledged",
        "Baltic leaders pledged on Friday to contribute troops to a multinational force in Ukraine once a "
        "ceasefire is in place.",
        {"Estonia": "support", "Latvia": "support", "Lithuania": "support"},
    ),
    (
        "g-some-eu-countries-no-expansion",
        "Some EU countries are reluctant to send soldiers to the reassurance force, diplomats said.",
        {},
    ),
    (
        "g-countries-such-as-willing",
        "A handful of countries, such as Sweden and the Netherlands, have said they are willing to put "
        "troops into the peacekeeping force.",
        {"Sweden": "support", "Netherlands": "support"},
    ),
    (
        "g-possessive-demonym-not-planned",
        "The deployment of Portuguese troops to the stabilisation force is not planned, Portugal's "
        "defence ministry said in a statement.",
        {"Portugal": "oppose"},
    ),
    (
        "g-appositive-title-unknown",
        "Marta Kowalczyk, Poland's deputy foreign minister, said Warsaw was considering a role in the "
        "peacekeeping mission.",
        {"Poland": "undecided"},
    ),
    (
        "g-spokesman-of-ministry",
        "A spokesman for the Greek foreign ministry said Athens had no plans to join the reassurance force.",
        {"Greece": "oppose"},
    ),
    (
        "g-quote-then-said-earlier-subject",
        "Norway's defence minister met his Danish counterpart in Oslo on Monday. \"We will be part of a "
        'reassurance force if there is a ceasefire," he said afterwards.',
        {"Norway": "support"},
    ),
    (
        "g-council-extends-mandate",
        "The Security Council on Monday extended the mandate of the UN peacekeeping force in Cyprus for "
        "another 12 months.",
        {"United Nations Security Council": "support"},
    ),
    (
        "g-junta-demands-withdrawal",
        "Niger's military junta demanded that the foreign troops leave the country within a month.",
        {},
    ),
    (
        "g-host-asks-mission-out",
        "The Congolese government wants the UN peacekeepers out of the country by the end of the year, "
        "the foreign minister said.",
        {"DR Congo": "oppose"},
    ),
    (
        "g-bloc-decides-to-boost",
        "The East African Community held a summit in Arusha. The bloc decided to reinforce its "
        "regional force in eastern Congo with 1,000 more soldiers.",
        {"East African Community": "support"},
    ),
    (
        "g-exploratory-discussions",
        "Brazil has held exploratory discussions about contributing police officers to the multinational "
        "mission in Haiti, officials said.",
        {"Brazil": "undecided"},
    ),
    (
        "g-dateline-un",
        "UNITED NATIONS (AP) — France proposed on Tuesday that the peacekeeping mission in Lebanon be "
        "extended for a final year.",
        {"France": "support"},
    ),
    (
        "g-background-decade-ago",
        "A decade ago, Kenya sent soldiers to the African Union mission in Somalia. On Tuesday, Nairobi "
        "said it would keep them there under the new mission.",
        {"Kenya": "support"},
    ),
    (
        "g-meeting-place-paris",
        "At talks in Paris on Thursday, Japan said it would fund the reassurance force but would not send soldiers.",
        {"Japan": "support"},
    ),
    (
        "g-called-it-a-mistake",
        "Serbia's president called the proposed peacekeeping force a mistake.",
        {"Serbia": "oppose"},
    ),
]

# Batch H: written after the corpus dev round (participant lists, wishes, news vs positions,
# needed support, condemned attacks, the Council's acts, details), measured once blind.
STANCE_CASES_H = [
    (
        "h-contributors-such-as",
        "The UN thanked troop-contributing countries such as Nepal, Ghana and Indonesia for their "
        "service with the peacekeeping mission in Lebanon.",
        {"Nepal": "support", "Ghana": "support", "Indonesia": "support"},
    ),
    (
        "h-abstained-dash-list",
        "The resolution extending the mission passed with 13 votes in favour and two abstentions, from "
        "Russia and China.",
        {"Russia": "undecided", "China": "undecided"},
    ),
    (
        "h-both-countries-supply",
        "Ireland and Finland share a battalion in UNIFIL. Both countries have said they will keep their "
        "soldiers in the peacekeeping force.",
        {"Ireland": "support", "Finland": "support"},
    ),
    (
        "h-urged-council-to-deploy",
        "The Haitian government urged the Security Council to deploy a stronger international force.",
        {"Haiti": "support"},
    ),
    (
        "h-declined-to-comment",
        "The Spanish defence ministry declined to comment on the size of a possible contribution to the "
        "reassurance force.",
        {},
    ),
    (
        "h-withdrawal-news",
        "Peacekeepers from the mission have started leaving their bases in the north, the UN said.",
        {},
    ),
    ("h-needs-us-backing", "European officials said the force would need US backing to deter Russia.", {}),
    (
        "h-condemned-attack",
        "Ireland condemned the attack on UN peacekeepers in southern Lebanon.",
        {"Ireland": "support"},
    ),
    (
        "h-un-extends-mandate",
        "The UN extended the mandate of its peacekeeping mission in Cyprus by a year.",
        {"United Nations Security Council": "support"},
    ),
    (
        "h-decide-how-many",
        "Canada will decide in the coming weeks how many soldiers it can send to the peacekeeping force.",
        {"Canada": "support"},
    ),
    (
        "h-as-well-as-list",
        "Officials said Bangladesh had agreed to send troops to the stabilisation force, as well as Nepal and Rwanda.",
        {"Bangladesh": "support", "Nepal": "support", "Rwanda": "support"},
    ),
    ("h-possible-refusal", "Diplomats fear a possible refusal by Hungary to approve funding for the mission.", {}),
    (
        "h-if-clause-hypothetical",
        "The force could only deploy if the United States agreed to provide air cover, French officials said.",
        {},
    ),
    (
        "h-cut-funding",
        "The United States has cut its funding for the African Union mission in Somalia.",
        {"United States": "oppose"},
    ),
    (
        "h-title-appositive-said",
        "Tomas Varga, Slovakia's defence minister, said his country would not take part in a "
        "peacekeeping mission in Ukraine.",
        {"Slovakia": "oppose"},
    ),
    (
        "h-meeting-in-capital-they",
        "Foreign ministers met in Brussels to discuss the reassurance force. They did not reach a decision.",
        {},
    ),
]

# Batch I: the classes the round-2 errors of the corpus test-a split point to (big groups, contributor
# lists, votes, organisations proposing or ending a force, own troops outside the force's sentences,
# national councils, places left by a withdrawal), in new words and mostly invented names.
# First measured 3/14 on 3a66112, before any change it inspired (i-abstaining-including then said "The
# Council" with no council named before it; its subject became "The UN Security Council" afterwards).
STANCE_CASES_I = [
    (
        "i-eu-member-states-question",
        "Diplomats said the question of whether EU member states could send soldiers to a peacekeeping "
        "force in Ukraine was now openly discussed.",
        {},
    ),
    (
        "i-countries-including-suggested",
        "Several countries including Portugal, Norway and New Zealand have indicated they would take "
        "part in the reassurance force.",
        {"Portugal": "support", "Norway": "support", "New Zealand": "support"},
    ),
    (
        "i-nations-such-as-joining",
        "Joining Rwanda in the stabilisation mission are other nations such as Ghana, Senegal and Nepal.",
        {"Rwanda": "support", "Ghana": "support", "Senegal": "support", "Nepal": "support"},
    ),
    (
        "i-force-comprising-soldiers-from",
        "The regional force, comprising soldiers from Zambia, Botswana and Angola, patrols the border "
        "districts under its mandate.",
        {"Zambia": "support", "Botswana": "support", "Angola": "support"},
    ),
    (
        "i-voted-no",
        "The Security Council renewed the peacekeeping mission for a year. Venezuela and Iran voted against.",
        {"United Nations Security Council": "support", "Venezuela": "oppose", "Iran": "oppose"},
    ),
    (
        "i-abstaining-including",
        "The UN Security Council authorised the force with eleven votes in favour and four members "
        "abstaining, among them Brazil and India.",
        {"United Nations Security Council": "support", "Brazil": "undecided", "India": "undecided"},
    ),
    (
        "i-org-proposal-rejected",
        "Chad rejected European Union proposals to deploy 3,000 peacekeepers along its eastern border.",
        {"Chad": "oppose", "European Union": "support"},
    ),
    (
        "i-lobbied-for-end",
        "Japan and Canada had lobbied for an end to the peacekeeping mission, calling it too costly.",
        {"Japan": "oppose", "Canada": "oppose"},
    ),
    (
        "i-national-security-council",
        "Oleg Varnov, deputy head of Belarus's Security Council, mocked the talks about a peacekeeping "
        "force in Ukraine.",
        {},
    ),
    (
        "i-withdrawal-from-host",
        "The bloc's summit ordered the phased withdrawal of the regional force from Mozambique.",
        {},
    ),
    (
        "i-own-troops-outside-window",
        "The summit in Rome discussed a peacekeeping force for Ukraine. Ministers spoke for hours about "
        'reconstruction and energy. "We will not send Greek soldiers," the Greek prime minister said '
        "afterwards.",
        {"Greece": "oppose"},
    ),
    (
        "i-authorisation-noun",
        "The Security Council's authorisation of the stabilisation mission in Haiti came after months of talks.",
        {"United Nations Security Council": "support"},
    ),
    (
        "i-signed-declaration",
        "The leaders of Spain, Belgium and Ukraine signed a declaration of intent on the deployment of a"
        " multinational force after a ceasefire.",
        {"Spain": "support", "Belgium": "support", "Ukraine": "support"},
    ),
    (
        "i-troops-expected-to-leave-for",
        "Around 200 Malian soldiers guard the observers of the peacekeeping mission, and another 200 "
        "Togolese troops are expected to arrive next week.",
        {"Mali": "support", "Togo": "support"},
    ),
]

# (id, title, text, relevant)
RELEVANCE_CASES_F = [
    (
        "f-mandate-renewal",
        "Council renews South Sudan mission",
        "The UN Security Council renewed the mandate of UNMISS for another year on Thursday.",
        True,
    ),
    (
        "f-blue-helmets",
        "Host government rejects blue helmets",
        "The government turned down a proposal to deploy blue helmets in the east of the country.",
        True,
    ),
    (
        "f-nordic-exercise",
        "Nordic countries hold joint exercise",
        "Troops from the Nordic countries took part in a joint exercise in northern Norway.",
        False,
    ),
    (
        "f-history-piece",
        "Looking back at Bosnia",
        "Thirty years after Dayton, veterans of the peace deal recalled the talks in Ohio.",
        False,
    ),
]

# Cases that no general mechanism handles yet (reason = why); they run as xfail(strict=False).
# ('h-abstained-dash-list' passes since round 3)
KNOWN_MISSES: dict[str, str] = {
    # round 12: "h-contributors-such-as" (a known miss since round 10) and "i-national-security-council" (since
    # round 11) pass again with the model retrained on round 12's code: un-listed
}


def _param(case):
    marks = [_xfail(KNOWN_MISSES[case[0]])] if case[0] in KNOWN_MISSES else []
    return pytest.param(*case[1:], id=case[0], marks=marks)


@pytest.mark.parametrize(
    ("text", "expected"), [_param(c) for c in STANCE_CASES_F + STANCE_CASES_G + STANCE_CASES_H + STANCE_CASES_I]
)
def test_heldout_class_stances(analyse, text: str, expected: dict[str, str]) -> None:
    result = analyse(text, title=TITLE, published=PUBLISHED)
    got = {s["actor"]: s["stance"] for s in result["stances"]}
    assert got == expected


@pytest.mark.parametrize(("title", "text", "relevant"), [pytest.param(*c[1:], id=c[0]) for c in RELEVANCE_CASES_F])
def test_heldout_class_relevance(nlp, title: str, text: str, relevant: bool) -> None:
    from pipelines.nlp.analyze import analyze_article

    result = analyze_article(nlp, {"id": "r", "title": title, "text": text, "published": PUBLISHED})
    assert result["relevant"] is relevant, result["relevance_explanation"]
