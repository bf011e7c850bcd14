"""Held-out behaviour: wire-style sentences written for these tests, not taken from any eval article.

Each case states the stances the annotation definitions (``/work/shared/eval/README.md``) give for
the text; the test compares them with the WHOLE output (an extra actor is a failure too). The
cases vary the theatre (Ukraine, Gaza, Lebanon, Haiti, Sudan, DR Congo, Somalia) and the syntax
(negation, modality, conditions, reported speech, metonymy, coordination, relative clauses,
passives, leaders and organisations as actors). They are a check on generalisation: fix
mechanisms, never one case. Cases no general mechanism handles yet are ``xfail(strict=False)``
with the reason, so the count of known misses stays visible.

The cases come in batches (A = ``STANCE_CASES``, then ``_B`` ... ``_E``); each batch was written
and measured once BEFORE any fix it inspired, and that first count is what the README reports as
the generalisation estimate. To re-measure generalisation, add a new batch and record its first
count before changing the rules.
"""

from __future__ import annotations

import pytest

PUBLISHED = "2026-03-01"
TITLE = "Peacekeeping force debate"


def _xfail(reason: str):
    return pytest.mark.xfail(reason=reason, strict=False)


# (id, text, expected {actor: stance}); the expected map is the complete set of stances.
STANCE_CASES = [
    # --- Ukraine: refusals, reported-speech trailers, other backing
    (
        "trailer-told-reporters",
        "Poland will not send soldiers to Ukraine, Prime Minister Donald Tusk told reporters in Warsaw "
        "after talks on the reassurance force.",
        {"Poland": "oppose"},
    ),
    (
        "refusal-with-other-backing",
        "Poland will not send soldiers to the reassurance force, Prime Minister Donald Tusk told reporters, "
        "though Warsaw offered logistical support.",
        {"Poland": "support"},
    ),
    (
        "ruled-out-deploying",
        "Italy has ruled out deploying its own troops to a reassurance force in Ukraine.",
        {"Italy": "oppose"},
    ),
    (
        "capital-ruled-out-sending-trailer",
        "Rome ruled out sending Italian soldiers to the peacekeeping mission, Foreign Minister Antonio "
        "Tajani said on Monday.",
        {"Italy": "oppose"},
    ),
    (
        "leader-trailer-take-part",
        "Slovakia will not take part in any peacekeeping mission in Ukraine, Prime Minister Robert Fico "
        "said on Tuesday.",
        {"Slovakia": "oppose"},
    ),
    (
        "no-intention",
        "Greece said it had no intention of sending troops to a peacekeeping force in Ukraine.",
        {"Greece": "oppose"},
    ),
    (
        "never-accept",
        "The Kremlin said it would never accept the presence of a European peacekeeping force in Ukraine.",
        {"Russia": "oppose"},
    ),
    (
        "legitimate-targets-passive",
        "Moscow has repeatedly said that any foreign troops deployed to Ukraine as part of a peacekeeping "
        "force would be considered legitimate targets.",
        {"Russia": "oppose"},
    ),
    (
        "leader-rejects-idea",
        "Hungarian Prime Minister Viktor Orban rejected the idea of a European peacekeeping force, "
        "calling it a step towards war.",
        {"Hungary": "oppose"},
    ),
    (
        "nato-as-alliance",
        "NATO will not take part in a peacekeeping mission in Ukraine as an alliance, a spokesperson "
        "for the alliance said.",
        {"NATO": "oppose"},
    ),
    # --- support with metonymy, relative clauses, coordination
    (
        "relcl-coordinated-antecedent",
        "Sweden said it was prepared to contribute to a peacekeeping mission in Ukraine, joining Finland "
        "and Estonia, which have both said they are willing to send troops.",
        {"Sweden": "support", "Finland": "support", "Estonia": "support"},
    ),
    (
        "relcl-capitals-leading",
        "Paris and London, which are leading the planning for the multinational force, said it could be "
        "deployed within weeks of a ceasefire.",
        {"France": "support", "United Kingdom": "support"},
    ),
    (
        "seat-stood-ready",
        "Downing Street said Britain stood ready to put troops on the ground to guarantee a peace deal in Ukraine.",
        {"United Kingdom": "support"},
    ),
    (
        "leader-trailer-prepared",
        "Canada is prepared to deploy troops to a reassurance force in Ukraine, Prime Minister Mark Carney said.",
        {"Canada": "support"},
    ),
    (
        "leader-speaks-for-two",
        "President Emmanuel Macron said France and Britain would lead a reassurance force in Ukraine "
        "after a ceasefire.",
        {"France": "support", "United Kingdom": "support"},
    ),
    (
        "passive-agent-coordinated",
        "Troops for the reassurance force have been offered by Belgium and Lithuania.",
        {"Belgium": "support", "Lithuania": "support"},
    ),
    (
        "relcl-passive-championed",
        "The peacekeeping force, which is being championed by France and Britain, was discussed by "
        "defence ministers in Brussels.",
        {"France": "support", "United Kingdom": "support"},
    ),
    (
        "whose-clause-pledged",
        "Estonia and Latvia, whose leaders met in Riga on Friday, have both pledged to send troops to "
        "the reassurance force.",
        {"Estonia": "support", "Latvia": "support"},
    ),
    (
        "according-to-funding",
        "Norway will contribute funding and equipment to the reassurance force, according to Prime "
        "Minister Jonas Gahr Store.",
        {"Norway": "support"},
    ),
    (
        "organisation-ready-to-fund",
        "The European Union is ready to fund a stabilisation force, EU foreign policy chief Kaja Kallas said.",
        {"European Union": "support"},
    ),
    (
        "funding-not-troops",
        "Japan said it had no plans to send troops to the peacekeeping force but would provide funding for it.",
        {"Japan": "support"},
    ),
    (
        "who-clause-person",
        "Finnish President Alexander Stubb, who said his country was willing to send troops to a "
        "peacekeeping force, met Macron in Paris.",
        {"Finland": "support"},
    ),
    # --- undecided: hedges, conditions, abstentions
    (
        "capital-weighing-whether",
        "Berlin is weighing whether to join the reassurance force, government sources said.",
        {"Germany": "undecided"},
    ),
    (
        "seat-not-decided-backstop",
        "The White House has not decided whether the United States will provide a backstop for the "
        "European force in Ukraine.",
        {"United States": "undecided"},
    ),
    (
        "not-ruled-out",
        "Denmark has not ruled out sending soldiers to a peacekeeping mission in Ukraine.",
        {"Denmark": "undecided"},
    ),
    (
        "considering-ministry-trailer",
        "Romania is considering sending troops to a future stabilisation force, its defence ministry said.",
        {"Romania": "undecided"},
    ),
    (
        "open-with-condition",
        "Portugal is open to sending troops to the peacekeeping force, provided it has a UN mandate, "
        "Foreign Minister Paulo Rangel said.",
        {"Portugal": "undecided"},
    ),
    (
        "no-decision-taken",
        "Asked whether Spain would contribute troops to the peacekeeping force, Prime Minister Pedro "
        "Sanchez said no decision had been taken.",
        {"Spain": "undecided"},
    ),
    (
        "too-early",
        "Defence Minister Boris Pistorius said it was too early to discuss sending German troops to a "
        "peacekeeping force in Ukraine.",
        {"Germany": "undecided"},
    ),
    (
        "sceptical-official",
        "Washington remains sceptical of a European peacekeeping force, a senior US official said.",
        {"United States": "undecided"},
    ),
    (
        "does-not-oppose",
        "Beijing does not oppose a UN peacekeeping mission in Ukraine, a Chinese foreign ministry spokesperson said.",
        {"China": "undecided"},
    ),
    (
        "air-cover-not-ruled-out",
        "The United States has not ruled out providing air cover for a European-led force in Ukraine, "
        "officials in Washington said, although President Donald Trump has said no American ground "
        "troops will be deployed.",
        {"United States": "undecided"},
    ),
    # --- several sentences: stances in sentences without a force word, after one about the force
    (
        "paragraph-chain-of-refusals",
        "European leaders met in London to discuss a reassurance force for Ukraine. Britain said it "
        "would contribute soldiers and aircraft. Poland will not send soldiers to Ukraine, Prime Minister "
        "Donald Tusk said. Hungary has ruled out deploying its own troops.",
        {"United Kingdom": "support", "Poland": "oppose", "Hungary": "oppose"},
    ),
    (
        "paragraph-war-report-after-force",
        "Britain said it was ready to lead a reassurance force in Ukraine. Russia deployed more troops "
        "near Kharkiv on Tuesday, the Ukrainian military said. Heavy fighting continued in the Donbas.",
        {"United Kingdom": "support"},
    ),
    # --- Gaza
    (
        "gaza-ready-numbers",
        "Indonesia said it was ready to send up to 20,000 troops to an international stabilisation force in Gaza.",
        {"Indonesia": "support"},
    ),
    (
        "gaza-unless-condition",
        "Azerbaijan will not deploy troops to the Gaza stabilisation force unless fighting has "
        "completely stopped, a government official said.",
        {"Azerbaijan": "undecided"},
    ),
    (
        "gaza-abstained-vote",
        "Russia and China abstained in the vote on the resolution authorising the stabilisation force in Gaza.",
        {"Russia": "undecided", "China": "undecided"},
    ),
    (
        "gaza-willing-join",
        "Italy offered to train police for Gaza and said it was willing to join the stabilisation force.",
        {"Italy": "support"},
    ),
    # --- Lebanon
    (
        "lebanon-called-for-withdrawal",
        "Israel has called for the peacekeeping force to be withdrawn from the border area.",
        {"Israel": "oppose"},
    ),
    (
        "lebanon-push-to-end-vs-keep",
        "The United States pushed to end the UNIFIL mandate, while France argued for keeping the "
        "peacekeepers in southern Lebanon.",
        {"United States": "oppose", "France": "support"},
    ),
    (
        "lebanon-relcl-troops-stay",
        "Ireland, which contributes hundreds of soldiers to UNIFIL, said its troops would stay.",
        {"Ireland": "support"},
    ),
    (
        "lebanon-urged-extend",
        "Lebanon's government urged the Security Council to extend the mandate of the UNIFIL "
        "peacekeeping force for another year.",
        {"Lebanon": "support"},
    ),
    # --- Haiti
    (
        "haiti-relcl-leads",
        "Kenya, which leads the multinational security support mission in Haiti, said it would send "
        "another 600 police officers.",
        {"Kenya": "support"},
    ),
    (
        "haiti-abstained-relcl-vote",
        "The United States has pledged additional funding for the Haiti mission, while China and Russia "
        "abstained in the Security Council vote that extended it.",
        {"United States": "support", "China": "undecided", "Russia": "undecided"},
    ),
    (
        "haiti-pledged-personnel",
        "The Bahamas and Jamaica have pledged personnel to the multinational mission in Haiti.",
        {"Bahamas": "support", "Jamaica": "support"},
    ),
    (
        "haiti-still-studying",
        "Benin said it was still studying a request to contribute troops to the new Gang Suppression Force in Haiti.",
        {"Benin": "undecided"},
    ),
    (
        "haiti-fund-not-troops",
        "The United States will fund the new multinational force in Haiti but will not send troops, the "
        "State Department said.",
        {"United States": "support"},
    ),
    (
        "haiti-abstention-noun",
        "Brazil's abstention in the vote on the Haiti peacekeeping force drew criticism.",
        {"Brazil": "undecided"},
    ),
    # --- DR Congo
    (
        "congo-slow-withdrawal",
        "The government of the Democratic Republic of the Congo asked the United Nations to slow the "
        "withdrawal of the MONUSCO peacekeeping mission.",
        {"DR Congo": "support"},
    ),
    (
        "congo-demanded-withdrawal",
        "Kinshasa has demanded a rapid withdrawal of MONUSCO peacekeepers, accusing them of failing to "
        "protect civilians.",
        {"DR Congo": "oppose"},
    ),
    (
        "congo-distractor-backs-rebels",
        "The African Union said it supports a stronger regional peacekeeping force. Rwanda rejected "
        "accusations that it backs the M23 rebels.",
        {"African Union": "support"},
    ),
    # --- Sudan
    (
        "sudan-rejected-proposal",
        "Sudan's government rejected a proposal to deploy an African protection force in Darfur, calling "
        "it a violation of sovereignty.",
        {"Sudan": "oppose"},
    ),
    (
        "sudan-au-considering",
        "The African Union said it was considering a civilian protection force for Sudan.",
        {"African Union": "undecided"},
    ),
    # --- Somalia
    (
        "somalia-contribute-mission",
        "Egypt said it would contribute troops to the new African Union mission in Somalia, AUSSOM.",
        {"Egypt": "support"},
    ),
    (
        "somalia-whose-not-yet-decided",
        "Ethiopia, whose troops have served in Somalia for years, has not yet decided whether to join the "
        "AUSSOM mission.",
        {"Ethiopia": "undecided"},
    ),
    (
        "somalia-pulled-out",
        "Burundi pulled out of the African Union mission in Somalia after a dispute over troop numbers.",
        {"Burundi": "oppose"},
    ),
]

# Second batch, written after the first round of fixes and measured once before any further
# change (a fresh check that the fixes generalise, not a list tuned to them).
STANCE_CASES_B = [
    (
        "b-seat-ready-once",
        "The Elysee said France would be ready to deploy several thousand troops to Ukraine once a "
        "ceasefire is signed, as part of a reassurance force.",
        {"France": "support"},
    ),
    (
        "b-premature-role-noun",
        "Spain's defence minister said it was premature to talk about sending Spanish troops to a "
        "peacekeeping force in Ukraine.",
        {"Spain": "undecided"},
    ),
    (
        "b-capital-welcomed-offer",
        "Kyiv welcomed the offer of British and French troops, saying a reassurance force would deter "
        "fresh Russian aggression.",
        {"Ukraine": "support"},
    ),
    (
        "b-spokesman-rejects-deployment",
        "Kremlin spokesman Dmitry Peskov said Russia categorically rejects any deployment of troops "
        "from NATO countries to Ukraine as peacekeepers.",
        {"Russia": "oppose"},
    ),
    (
        "b-president-his-country-ready",
        "Lithuania's president said his country was ready to send a contingent to the reassurance force.",
        {"Lithuania": "support"},
    ),
    (
        "b-neither-nor",
        "Neither Greece nor Cyprus will contribute troops to the peacekeeping force, officials said.",
        {"Greece": "oppose", "Cyprus": "oppose"},
    ),
    (
        "b-apposition-would-consider",
        "Austria, a neutral country, said it would consider taking part in a UN-mandated peacekeeping "
        "mission in Ukraine.",
        {"Austria": "undecided"},
    ),
    (
        "b-three-coordinated-announced",
        "Belgium, Luxembourg and the Netherlands jointly announced that they would contribute to a "
        "multinational force for Ukraine.",
        {"Belgium": "support", "Luxembourg": "support", "Netherlands": "support"},
    ),
    (
        "b-act-of-war-trailer",
        "Moscow will regard the arrival of any European peacekeepers in Ukraine as an act of war, "
        "Foreign Minister Sergei Lavrov said.",
        {"Russia": "oppose"},
    ),
    (
        "b-coalition-set-up-hq",
        "The coalition of the willing agreed to set up a headquarters in Kyiv for the future multinational force.",
        {"Coalition of the Willing": "support"},
    ),
    (
        "b-not-troops-but-air",
        "President Donald Trump said the United States would not send troops to Ukraine but would "
        "support a European peacekeeping force from the air.",
        {"United States": "support"},
    ),
    (
        "b-gaza-willing-if-mandate",
        "Pakistan said it was willing to contribute troops to the Gaza stabilisation force if the "
        "mission had a UN mandate.",
        {"Pakistan": "support"},
    ),
    (
        "b-gaza-not-without",
        "The United Arab Emirates said it would not participate in the stabilisation force for Gaza "
        "without a clear framework.",
        {"United Arab Emirates": "undecided"},
    ),
    (
        "b-gaza-armed-group-rejects",
        "Hamas rejected the deployment of a foreign stabilisation force in Gaza, describing it as a new occupation.",
        {"Hamas": "oppose"},
    ),
    (
        "b-gaza-prepared-to-lead-trailer",
        "Egypt will train Palestinian police officers and is prepared to lead the international "
        "stabilisation force, a senior Egyptian official said.",
        {"Egypt": "support"},
    ),
    (
        "b-lebanon-not-oppose-as-long-as",
        "Hezbollah said it would not oppose the UNIFIL peacekeepers as long as they did not try to disarm the group.",
        {"Hezbollah": "undecided"},
    ),
    (
        "b-lebanon-proposed-strengthening",
        "France has proposed strengthening UNIFIL with more troops, diplomats said.",
        {"France": "support"},
    ),
    (
        "b-lebanon-want-wound-down",
        "Washington and Israel both want the UNIFIL peacekeeping mission wound down by the end of next year.",
        {"United States": "oppose", "Israel": "oppose"},
    ),
    (
        "b-haiti-sent-to-join",
        "El Salvador and Guatemala have sent soldiers to join the multinational mission in Haiti.",
        {"El Salvador": "support", "Guatemala": "support"},
    ),
    (
        "b-haiti-government-welcomed",
        "The Haitian government welcomed the arrival of the first troops of the Gang Suppression Force.",
        {"Haiti": "support"},
    ),
    (
        "b-haiti-refused-to-host",
        "The Dominican Republic has refused to host a base for the multinational mission in Haiti.",
        {"Dominican Republic": "oppose"},
    ),
    (
        "b-sudan-not-accept-foreign-troops",
        "Sudan's government has said it will not accept any foreign peacekeeping troops on its soil.",
        {"Sudan": "oppose"},
    ),
    (
        "b-sudan-ready-if-asked",
        "Kenyan President William Ruto said Nairobi was ready to lead an African Union force in Sudan if asked.",
        {"Kenya": "support"},
    ),
    (
        "b-sudan-un-reluctant",
        "The United Nations is reluctant to send peacekeepers to Sudan while fighting continues, diplomats said.",
        {"United Nations": "undecided"},
    ),
    (
        "b-somalia-keep-troops",
        "Djibouti and Kenya said they would keep their troops in the African Union mission in Somalia.",
        {"Djibouti": "support", "Kenya": "support"},
    ),
    (
        "b-congo-offered-mediate-ruled-out",
        "Angola has offered to mediate but ruled out sending troops to the regional force in eastern Congo.",
        {"Angola": "oppose"},
    ),
    (
        "b-congo-organisation-decided-end",
        "The Southern African Development Community decided to end its peacekeeping mission in eastern Congo.",
        {"SADC": "oppose"},
    ),
    (
        "b-congo-whose-withdrawing",
        "Tanzania and Malawi, whose soldiers were killed in Goma, have begun withdrawing their "
        "contingents from the SADC peacekeeping mission.",
        {"Tanzania": "oppose", "Malawi": "oppose"},
    ),
    (
        "b-somalia-pay-for",
        "The European Union will pay for the African Union mission in Somalia through the European Peace Facility.",
        {"European Union": "support"},
    ),
    (
        "b-parliament-approved",
        "Turkey's parliament approved sending troops to the Gaza stabilisation force.",
        {"Turkey": "support"},
    ),
    (
        "b-ruled-out-but-fund",
        "Norway's prime minister ruled out Norwegian soldiers taking part in the peacekeeping force, "
        "saying Norway would instead fund the mission.",
        {"Norway": "support"},
    ),
    (
        "b-capital-still-weighing-according",
        "Rome is still weighing whether to send troops to the peacekeeping force, according to Italian officials.",
        {"Italy": "undecided"},
    ),
    (
        "b-too-paragraph",
        "Slovenia said it would not take part in the reassurance force. Croatia, too, has said it will "
        "not send troops.",
        {"Slovenia": "oppose", "Croatia": "oppose"},
    ),
]

# Third batch, written after the second round of fixes and NOT used for any fix: its pass count
# is the honest estimate of generalisation (misses are listed in KNOWN_MISSES with the reason).
STANCE_CASES_C = [
    (
        "c-boots-negated",
        "Warsaw has made clear it will not put Polish boots on the ground in Ukraine as part of a peacekeeping force.",
        {"Poland": "oppose"},
    ),
    (
        "c-study-question-capital",
        "Asked about a possible role in the peacekeeping force, the Japanese prime minister said Tokyo "
        "would study the question carefully.",
        {"Japan": "undecided"},
    ),
    (
        "c-with-absolute-providing",
        "Britain and France will lead the multinational force, with Germany providing logistics and air "
        "defence, officials said.",
        {"United Kingdom": "support", "France": "support", "Germany": "support"},
    ),
    (
        "c-president-prepared",
        "Czech President Petr Pavel said the Czech Republic was prepared to send troops to a "
        "peacekeeping force in Ukraine.",
        {"Czech Republic": "support"},
    ),
    (
        "c-still-debating-whether",
        "The Netherlands is still debating whether to join the reassurance force, the Dutch defence minister said.",
        {"Netherlands": "undecided"},
    ),
    (
        "c-called-provocation",
        "Russia's ambassador to the UN called the proposed European peacekeeping force a provocation.",
        {"Russia": "oppose"},
    ),
    (
        "c-voted-in-favour",
        "Nigeria voted in favour of the resolution establishing the Gang Suppression Force in Haiti.",
        {"Nigeria": "support"},
    ),
    (
        "c-opposed-resolution",
        "Mexico opposed the resolution creating the new force in Haiti, arguing that foreign troops had "
        "failed the country before.",
        {"Mexico": "oppose"},
    ),
    (
        "c-relcl-declined-no-object",
        "Canada, which had been asked to lead the multinational mission in Haiti, declined.",
        {"Canada": "oppose"},
    ),
    (
        "c-want-peacekeepers-stay",
        "Beirut wants the UNIFIL peacekeepers to stay, Lebanese Prime Minister Nawaf Salam told the Security Council.",
        {"Lebanon": "support"},
    ),
    (
        "c-should-be-dismantled",
        "Israeli officials say the UNIFIL peacekeeping force has failed and should be dismantled.",
        {"Israel": "oppose"},
    ),
    (
        "c-apposition-joint-statement",
        "Italy, Spain and France, the largest contributors to UNIFIL, issued a joint statement backing the mission.",
        {"Italy": "support", "Spain": "support", "France": "support"},
    ),
    (
        "c-ready-only-after-trailer",
        "Indonesia is ready to deploy peacekeepers to Gaza, but only after a formal ceasefire is in "
        "place, President Prabowo Subianto said.",
        {"Indonesia": "support"},
    ),
    (
        "c-no-intention-told-reuters",
        "Saudi Arabia has no intention of joining the stabilisation force in Gaza, a Saudi official told Reuters.",
        {"Saudi Arabia": "oppose"},
    ),
    (
        "c-authority-welcome",
        "The Palestinian Authority said it would welcome an international stabilisation force in Gaza.",
        {"Palestine": "support"},
    ),
    (
        "c-state-department-not-contribute",
        "The State Department said the United States would not contribute troops to the Gaza stabilisation force.",
        {"United States": "oppose"},
    ),
    (
        "c-diplomats-examining",
        "Diplomats said Egypt and Qatar were examining a request to contribute personnel to the stabilisation force.",
        {"Egypt": "undecided", "Qatar": "undecided"},
    ),
    (
        "c-refused-to-join-three",
        "Chad, Niger and Burkina Faso have refused to join the regional peacekeeping force.",
        {"Chad": "oppose", "Niger": "oppose", "Burkina Faso": "oppose"},
    ),
    (
        "c-wanted-troops",
        "Zelensky said Ukraine wanted at least 100,000 European troops as part of a reassurance force.",
        {"Ukraine": "support"},
    ),
    (
        "c-drafted-by-capitals",
        "Under the plan drafted by Paris and London, a peacekeeping force of up to 30,000 troops would "
        "be stationed away from the front line.",
        {"France": "support", "United Kingdom": "support"},
    ),
    (
        "c-decide-only-after",
        "Finland will decide on its participation in the peacekeeping force only after the terms of a "
        "ceasefire are known, President Alexander Stubb said.",
        {"Finland": "undecided"},
    ),
    (
        "c-au-council-endorsed",
        "The African Union endorsed the deployment of a new peacekeeping mission to Somalia.",
        {"African Union": "support"},
    ),
]

# Fourth batch, written after the third round of fixes and measured once, blind.
STANCE_CASES_D = [
    (
        "d-if-necessary-wrote",
        "Britain is prepared to put British troops on the ground in Ukraine if necessary as part of a "
        "reassurance force, Prime Minister Keir Starmer wrote in the Daily Telegraph.",
        {"United Kingdom": "support"},
    ),
    (
        "d-not-discussed-no-stance",
        "Officials in Ankara said Turkish participation in a Ukraine peacekeeping force had not been discussed.",
        {},
    ),
    (
        "d-relcl-participle-backed-by",
        "The proposal, backed by Britain and France, would see a peacekeeping force stationed at "
        "airfields and ports far from the front line.",
        {"United Kingdom": "support", "France": "support"},
    ),
    (
        "d-no-plans-but-not-ruled-out",
        "Finland's defence minister said Helsinki had no plans at the moment to contribute soldiers to "
        "the peacekeeping force, but did not rule it out.",
        {"Finland": "undecided"},
    ),
    ("d-not-asked-no-stance", "Georgia and Moldova were not asked to contribute to the reassurance force.", {}),
    (
        "d-we-quote",
        '"We are not going to send troops," Slovak Prime Minister Robert Fico told a news conference, '
        "referring to the proposed peacekeeping force.",
        {"Slovakia": "oppose"},
    ),
    (
        "d-parliament-voted-to-allow",
        "Estonia's parliament voted to allow the deployment of up to a company of soldiers to a future "
        "peacekeeping mission in Ukraine.",
        {"Estonia": "support"},
    ),
    (
        "d-pentagon-reluctant",
        "The Pentagon has been reluctant to commit US air power to back a European peacekeeping force in Ukraine.",
        {"United States": "undecided"},
    ),
    (
        "d-among-countries-willingness",
        "Azerbaijan and Indonesia are among the countries that have expressed willingness to join the "
        "Gaza stabilisation force.",
        {"Azerbaijan": "support", "Indonesia": "support"},
    ),
    (
        "d-king-trailer-jordan",
        "Jordan will not send troops to the stabilisation force in Gaza, King Abdullah said, warning "
        "that Arab soldiers should not be seen policing Palestinians.",
        {"Jordan": "oppose"},
    ),
    (
        "d-called-for-remain-until",
        "Lebanese President Joseph Aoun called for the UNIFIL peacekeepers to remain in the south until "
        "the Lebanese army can deploy there.",
        {"Lebanon": "support"},
    ),
    (
        "d-should-not-be-renewed",
        "Washington has argued that UNIFIL has failed to prevent Hezbollah from rearming and that the "
        "peacekeeping mission should not be renewed.",
        {"United States": "oppose"},
    ),
    (
        "d-pull-out-unless",
        "Kenya said it would pull its police officers out of the Haiti mission unless it received more funding.",
        {"Kenya": "undecided"},
    ),
    (
        "d-deployed-and-more",
        "Jamaica has deployed soldiers to the Haiti mission and said it would send more.",
        {"Jamaica": "support"},
    ),
    (
        "d-open-but-only",
        "The Sudanese government said it was open to an African Union force, but only to protect "
        "humanitarian corridors.",
        {"Sudan": "undecided"},
    ),
    (
        "d-league-backed-idea",
        "The Arab League backed the idea of an international force to protect civilians in Sudan.",
        {"Arab League": "support"},
    ),
    (
        "d-urged-donors-fund",
        "Somalia's president urged donors to fund the African Union mission, warning that without money "
        "the troops would leave.",
        {"Somalia": "support"},
    ),
    (
        "d-agreed-keep-contributing",
        "Uganda, Burundi and Kenya have agreed to keep contributing troops to the African Union mission in Somalia.",
        {"Uganda": "support", "Burundi": "support", "Kenya": "support"},
    ),
    (
        "d-demanded-departure",
        "The M23 rebels demanded the departure of the SADC peacekeeping force from Goma.",
        {"M23": "oppose"},
    ),
    (
        "d-commission-proposed-fund",
        "The European Commission proposed 150 million euros to fund the stabilisation mission in Haiti.",
        {"European Commission": "support"},
    ),
    (
        "d-who-championed-host",
        "Macron, who has championed the idea of a reassurance force, said France would host its headquarters.",
        {"France": "support"},
    ),
]

# Fifth batch, written after the fourth round of fixes, measured once and NOT used for any fix:
# its first pass count is the reported estimate of generalisation.
STANCE_CASES_E = [
    (
        "e-open-to-quoted",
        "Asked if Australia would join, Prime Minister Anthony Albanese said his government was "
        '"open to" contributing to a peacekeeping force in Ukraine.',
        {"Australia": "undecided"},
    ),
    (
        "e-willing-jets",
        "Belgium is willing to provide F-16 fighter jets to protect the airspace of Ukraine as part of a "
        "reassurance force, its defence minister said.",
        {"Belgium": "support"},
    ),
    (
        "e-refused-while-decide-after",
        "Hungary and Slovakia have both refused to send troops to the reassurance force, while Bulgaria "
        "said it would decide after a ceasefire.",
        {"Hungary": "oppose", "Slovakia": "oppose", "Bulgaria": "undecided"},
    ),
    (
        "e-dismissed-as-unrealistic",
        'A Kremlin spokesman dismissed the European plan for a reassurance force as "unrealistic".',
        {"Russia": "oppose"},
    ),
    (
        "e-passive-led-by-according",
        "The peacekeeping force would be led by Britain and France, according to a draft seen by Reuters.",
        {"United Kingdom": "support", "France": "support"},
    ),
    (
        "e-no-legal-basis-but-finance",
        "Japan has no legal basis to send troops abroad for such a peacekeeping mission, a government "
        "spokesman said, but Tokyo is ready to help finance it.",
        {"Japan": "support"},
    ),
    (
        "e-paragraph-relcl-not-yet",
        "Several European countries have pledged troops to the peacekeeping force. Spain, which has not "
        "yet decided, is expected to announce its position next week.",
        {"Spain": "undecided"},
    ),
    (
        "e-offered-if-asked",
        "Malaysia offered to send peacekeepers to Gaza if the United Nations asked it to.",
        {"Malaysia": "support"},
    ),
    (
        "e-no-troops-but-lead",
        "The United States will not have troops on the ground in Gaza, a senior administration official "
        "said, but will lead the stabilisation force from a coordination centre in Israel.",
        {"United States": "support"},
    ),
    (
        "e-voiced-opposition",
        "Israel has voiced strong opposition to any role for UNIFIL north of the Litani river.",
        {"Israel": "oppose"},
    ),
    (
        "e-with-support-of-relcl-drafted",
        "UNIFIL's mandate was extended until the end of 2026 with the support of France, which drafted the resolution.",
        {"France": "support"},
    ),
    (
        "e-opposition-leaders-criticised-decision",
        "Kenyan opposition leaders have criticised President William Ruto's decision to send police to "
        "the multinational mission in Haiti.",
        {"Kenya": "support"},
    ),
    (
        "e-ministry-announced",
        "Guatemala will send another 150 soldiers to the Haiti mission next month, the defence ministry announced.",
        {"Guatemala": "support"},
    ),
    (
        "e-ruled-out-citing",
        "Chad has ruled out joining a proposed protection force for Sudan, citing the risk of spillover.",
        {"Chad": "oppose"},
    ),
    (
        "e-asked-un-to-withdraw",
        "South Sudan's government has asked the UN to withdraw UNMISS peacekeepers from the capital.",
        {"South Sudan": "oppose"},
    ),
    (
        "e-postponed-decision",
        "The African Union postponed a decision on deploying a peacekeeping force to Sudan.",
        {"African Union": "undecided"},
    ),
    (
        "e-threatened-withdraw-if",
        "Ethiopia has threatened to withdraw its troops from Somalia if it is excluded from the new AUSSOM mission.",
        {"Ethiopia": "undecided"},
    ),
    (
        "e-pledged-yet-to-deploy",
        "Egypt, which pledged troops for AUSSOM, has yet to deploy them.",
        {"Egypt": "support"},
    ),
    (
        "e-neither-mandate-no-stance",
        "Neither the EU nor NATO has a mandate to deploy a peacekeeping force to Ukraine, officials said.",
        {},
    ),
    (
        "e-told-counterpart-stood-ready",
        "Erdogan told his Russian counterpart that Turkey stood ready to contribute to a monitoring "
        "mission in the Black Sea.",
        {"Turkey": "support"},
    ),
]

# Cases that no general mechanism handles yet (reason = why); they run as xfail(strict=False).
# (Round 5: "e-opposition-leaders-criticised-decision" passes now: the positions model adds the country
# whose leader's decision the opposition criticised.)
# (Round 9: a positions model retrained on all 25 measured English parts passed again the three cases
# below, but fell on the shared dev sample (0.920 -> 0.891); the shipped model stays trained on round 8's
# 21 parts, and the three are listed again.)
KNOWN_MISSES: dict[str, str] = {
    "e-threatened-withdraw-if": "a threat with an 'if' clause stays oppose: 'if' does not weaken threats in general "
    "('a target if deployed'); a conditional threat to pull one's OWN troops is not told apart",
    "e-neither-mandate-no-stance": "'has a mandate to deploy' (capacity, not will) is read as the cue 'deploy'; "
    "nouns of capacity (mandate, legal basis, authority) are not filtered",
    # round 8: the positions model retrained on all 21 measured English parts (cross-validated stances
    # 0.653, against 0.651 for round 7's settings on the same parts) flips these three; the rules are
    # unchanged and the cases were not edited
    "congo-distractor-backs-rebels": "the retrained model adds the subject of a cue whose complement is not the "
    "force (backing rebels) as oppose (p 0.89); `addable` does not use the rules' complement check",
    # ("d-not-discussed-no-stance" passes again with round 10's 30-part model: un-listed)
    # ("e-opposition-leaders-criticised-decision" passes again with round 12's retrained model: un-listed)
    # round 13: `make train` on round 13's rules (the merge keeps support when its sum is larger) refits the
    # 30-part model, which no longer adds this country; the rules are unchanged for it, the case not edited
    "e-opposition-leaders-criticised-decision": "the round-13 refit of the positions model does not add the "
    "country whose president's decision its opposition criticised (the rules give no stance: the cue's subject "
    "is the opposition)",
    # round 10: the model retrained on all 30 measured English parts (time split 0.654 against 0.656 for
    # the 21-part model, CV 0.642) adds this actor; the rules are unchanged and the case was not edited
    "b-capital-welcomed-offer": "the retrained model adds one of the two countries whose offer of troops is "
    "welcomed (France, p 0.64, just above the 0.6 addition threshold; the United Kingdom is not added)",
}


def _param(case):
    marks = [_xfail(KNOWN_MISSES[case[0]])] if case[0] in KNOWN_MISSES else []
    return pytest.param(*case[1:], id=case[0], marks=marks)


@pytest.mark.parametrize(
    ("text", "expected"),
    [_param(c) for c in STANCE_CASES + STANCE_CASES_B + STANCE_CASES_C + STANCE_CASES_D + STANCE_CASES_E],
)
def test_heldout_stances(analyse, text: str, expected: dict[str, str]) -> None:
    result = analyse(text, title=TITLE, published=PUBLISHED)
    got = {s["actor"]: s["stance"] for s in result["stances"]}
    assert got == expected


# (id, title, text, relevant)
RELEVANCE_CASES = [
    (
        "european-led-force-air-cover",
        "Washington weighs air support for European force",
        "The United States has not ruled out providing air cover for a European-led force in Ukraine, "
        "officials in Washington said.",
        True,
    ),
    (
        "force-to-guarantee-ceasefire",
        "Ministers discuss troops for Ukraine",
        "European troops could be deployed to Ukraine as part of a force to guarantee a ceasefire, "
        "defence ministers said after a meeting in London.",
        True,
    ),
    (
        "backstop-force",
        "Britain and France plan force for Ukraine",
        "Britain and France plan to lead a force in Ukraine after any peace deal, with a US backstop "
        "still under discussion.",
        True,
    ),
    (
        "unifil-lebanon",
        "UN peacekeepers in Lebanon report incidents",
        "UNIFIL said its positions near the Blue Line came under fire twice this week.",
        True,
    ),
    (
        "haiti-gang-suppression-force",
        "Haiti force gets new troops",
        "The first soldiers of the Gang Suppression Force arrived in Port-au-Prince on Tuesday.",
        True,
    ),
    (
        "somalia-au-mission",
        "Egypt to join African Union mission in Somalia",
        "Egypt will send troops to the African Union mission in Somalia, AUSSOM, officials said.",
        True,
    ),
    (
        "ceasefire-talks",
        "Negotiators meet in Geneva for ceasefire talks",
        "Ukrainian and Russian negotiators met in Geneva for a new round of talks on a ceasefire. "
        "No agreement was reached on prisoner exchanges.",
        False,
    ),
    (
        "war-report",
        "Russian forces advance in Donetsk region",
        "Russian forces advanced near Pokrovsk, Ukraine's armed forces said, as fighting intensified "
        "along the front line and troops were deployed to reinforce positions.",
        False,
    ),
    (
        "exercise",
        "NATO launches large exercise",
        "NATO began its largest exercise in decades, with 90,000 troops deployed across Europe to "
        "rehearse the defence of the alliance's eastern flank.",
        False,
    ),
    (
        "deterrence-brigade",
        "Germany deploys brigade to Lithuania",
        "Germany formally stationed an armoured brigade in Lithuania, its first permanent foreign "
        "deployment since the Second World War.",
        False,
    ),
    (
        "air-force",
        "Ukraine's air force downs drones",
        "Ukraine's air force said it shot down 40 of 55 drones launched by Russia overnight, as air "
        "defence units were deployed around Kyiv.",
        False,
    ),
    (
        "police-force",
        "City police force faces cuts",
        "The city's police force will lose 300 officers under the new budget, the mayor said, and "
        "the task force on knife crime will be disbanded.",
        False,
    ),
    (
        "task-force",
        "Government sets up task force on inflation",
        "The government set up a task force to tackle food inflation, the finance minister said.",
        False,
    ),
    (
        "labour-force",
        "Labour force participation rises",
        "The labour force grew by 1.2 percent, with more women entering work, the statistics office said.",
        False,
    ),
    (
        "into-force",
        "New sanctions law enters into force",
        "The law comes into force in January and applies to all troops' suppliers, the ministry said.",
        False,
    ),
    (
        "gaza-war",
        "Israeli forces push into Gaza City",
        "Israeli forces pushed deeper into Gaza City on Sunday as mediators pressed on with ceasefire talks in Cairo.",
        False,
    ),
]

# Second batch (see STANCE_CASES_B).
RELEVANCE_CASES_B = [
    (
        "b-kfor",
        "NATO's KFOR to boost presence in north Kosovo",
        "KFOR will send additional troops to northern Kosovo after clashes, the alliance said.",
        True,
    ),
    (
        "b-car-peacekeepers",
        "Peacekeepers killed in Central African Republic",
        "Two UN peacekeepers were killed in an ambush in the Central African Republic.",
        True,
    ),
    (
        "b-planners-for-gaza-force",
        "Britain offers planners for Gaza force",
        "Britain will not send troops to Gaza but will provide planners for the international force for "
        "Gaza, the defence ministry said.",
        True,
    ),
    (
        "b-station-troops-guarantee",
        "Europe plans troops for Ukraine after a ceasefire",
        "European countries are drawing up plans to station troops in Ukraine to guarantee a future peace agreement.",
        True,
    ),
    (
        "b-naval-task-force",
        "European naval task force arrives in Red Sea",
        "A European naval task force arrived in the Red Sea to protect shipping from Houthi attacks.",
        False,
    ),
    (
        "b-truce",
        "Ukraine and Russia agree Easter truce",
        "Ukraine and Russia agreed to a 30-hour Easter truce, though both sides reported violations.",
        False,
    ),
    (
        "b-us-air-force",
        "US air force deploys bombers to Guam",
        "The US air force deployed four B-52 bombers to Guam for a rotation in the Pacific.",
        False,
    ),
    (
        "b-somali-security-forces",
        "Security forces kill militants in Somalia",
        "Somali security forces killed 30 al-Shabab fighters in an operation in the south, the army said.",
        False,
    ),
    (
        "b-haiti-police",
        "Haiti's police overwhelmed by gangs",
        "Haiti's national police force is overwhelmed, with gangs controlling most of Port-au-Prince.",
        False,
    ),
]

# Third batch (see STANCE_CASES_C).
RELEVANCE_CASES_C = [
    (
        "c-kenyan-led-mission",
        "Haiti mission extended",
        "The UN Security Council extended the mandate of the Kenyan-led mission in Haiti by one year.",
        True,
    ),
    (
        "c-naval-monitoring-mission",
        "EU weighs Black Sea mission",
        "The EU is considering a naval mission to monitor a future Black Sea ceasefire between Russia and Ukraine.",
        True,
    ),
    (
        "c-us-troops-syria",
        "US troops to leave Syria",
        "The Pentagon said it would cut the number of US troops in Syria to under 1,000.",
        False,
    ),
    (
        "c-doha-talks",
        "Gaza talks stall",
        "Talks in Doha on a Gaza ceasefire stalled on Tuesday over the sequencing of hostage releases.",
        False,
    ),
    (
        "c-election-observers",
        "Observers deployed for Moldova vote",
        "The OSCE deployed 400 election observers to monitor the vote in Moldova.",
        False,
    ),
    (
        "c-israeli-air-force",
        "Israeli strikes in Lebanon",
        "Israel's air force struck Hezbollah targets in southern Lebanon, the military said, despite the ceasefire.",
        False,
    ),
]

# Fourth batch (see STANCE_CASES_D).
RELEVANCE_CASES_D = [
    (
        "d-peacekeeping-budget",
        "Peacekeeping budget cuts",
        "The UN will cut 25 percent of its peacekeepers worldwide because of budget shortfalls, officials said.",
        True,
    ),
    (
        "d-planners-multinational-force",
        "Coalition planners meet in Paris",
        "Military planners from 30 countries met in Paris to work on a multinational force that would "
        "deploy to Ukraine after a ceasefire.",
        True,
    ),
    (
        "d-security-force-for-gaza",
        "Arab ministers discuss Gaza force",
        "Arab foreign ministers discussed a security force for Gaza that would take over from Israeli "
        "troops after the war.",
        True,
    ),
    (
        "d-prisoner-swap",
        "Russia and Ukraine swap prisoners",
        "Russia and Ukraine exchanged 150 prisoners of war each in a deal mediated by the United Arab Emirates.",
        False,
    ),
    (
        "d-drills",
        "Belarus and Russia hold drills",
        "Belarus and Russia began joint military drills near the Polish border, with thousands of troops taking part.",
        False,
    ),
    (
        "d-kosovo-police",
        "Kosovo police take over crossings",
        "Kosovo's police force took control of the northern crossing points, the interior ministry said.",
        False,
    ),
]

# Fifth batch (see STANCE_CASES_E).
RELEVANCE_CASES_E = [
    (
        "e-blue-helmets-fire",
        "Blue helmets come under fire in Lebanon",
        "Peacekeepers said Israeli tanks fired on their position near Kfar Kila.",
        True,
    ),
    (
        "e-kenyan-police-remain",
        "Kenyan police to stay in Haiti",
        "Kenyan police officers serving with the multinational mission in Haiti will remain until the "
        "Gang Suppression Force is fully deployed.",
        True,
    ),
    (
        "e-drone-attack",
        "Russia launches massive drone attack",
        "Russia launched more than 400 drones at Ukraine overnight, the air force said. European leaders "
        "condemned the strikes.",
        False,
    ),
    (
        "e-jeddah-truce-talks",
        "Sudan talks in Jeddah",
        "Delegations from Sudan's army and the RSF resumed talks in Jeddah on a humanitarian truce.",
        False,
    ),
    (
        "e-border-deployment",
        "Chad sends troops to border",
        "Chad deployed troops to its eastern border with Sudan to stop fighters crossing, the army said.",
        False,
    ),
]

KNOWN_RELEVANCE_MISSES: dict[str, str] = {}


@pytest.mark.parametrize(
    ("title", "text", "relevant"),
    [
        pytest.param(
            *c[1:], id=c[0], marks=[_xfail(KNOWN_RELEVANCE_MISSES[c[0]])] if c[0] in KNOWN_RELEVANCE_MISSES else []
        )
        for c in RELEVANCE_CASES + RELEVANCE_CASES_B + RELEVANCE_CASES_C + RELEVANCE_CASES_D + RELEVANCE_CASES_E
    ],
)
def test_heldout_relevance(nlp, title: str, text: str, relevant: bool) -> None:
    from pipelines.nlp.analyze import analyze_article

    result = analyze_article(nlp, {"id": "r", "title": title, "text": text, "published": PUBLISHED})
    assert result["relevant"] is relevant, result["relevance_explanation"]
