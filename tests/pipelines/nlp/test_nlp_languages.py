"""The clause route in French, German, Spanish, Italian and Polish: sentences written for these tests.

None of them comes from an evaluation article. Each stance case states the stances the
annotation definitions give and is compared with the WHOLE stance map (an extra actor fails it).
Batch A was written and measured once before any fix it inspired (first count in the README);
cases no general mechanism handles yet are ``xfail(strict=False)`` with the reason.
"""

from __future__ import annotations

import json

import pytest

PUBLISHED = "2026-03-01"


def _xfail(reason: str):
    return pytest.mark.xfail(reason=reason, strict=False)


# (id, language, title, text, expected {actor: stance})
STANCE_CASES_A = [
    (
        "fr-ready-speaker",
        "fr",
        "Ukraine : la force de réassurance se précise",
        "La France est prête à envoyer des troupes en Ukraine dans le cadre d'une force de réassurance, "
        "a déclaré Emmanuel Macron.",
        {"France": "support"},
    ),
    (
        "fr-refusal-leader",
        "fr",
        "La Pologne et la force pour l'Ukraine",
        "La Pologne n'enverra pas de soldats en Ukraine, a affirmé le Premier ministre Donald Tusk à Varsovie.",
        {"Poland": "oppose"},
    ),
    (
        "fr-seat-rejects",
        "fr",
        "Moscou et la force européenne",
        "Le Kremlin a rejeté toute présence de troupes européennes en Ukraine, la qualifiant d'inacceptable.",
        {"Russia": "oppose"},
    ),
    (
        "fr-not-excluded",
        "fr",
        "Une mission de paix en Ukraine ?",
        "L'Italie n'exclut pas de participer à une mission de maintien de la paix sous l'égide de l'ONU.",
        {"Italy": "undecided"},
    ),
    (
        "fr-capital-hesitates",
        "fr",
        "Force de paix : Berlin hésite",
        "Berlin hésite encore à engager des soldats allemands dans une force de réassurance.",
        {"Germany": "undecided"},
    ),
    (
        "fr-coordinated-lead",
        "fr",
        "Force multinationale pour l'Ukraine",
        "Le Royaume-Uni et la France prendront la tête de la force multinationale, selon un communiqué commun.",
        {"United Kingdom": "support", "France": "support"},
    ),
    (
        "fr-refusal-condition",
        "fr",
        "Madrid et la force de réassurance",
        "L'Espagne ne déploiera pas de troupes sans un soutien américain, a prévenu la ministre de la Défense.",
        {"Spain": "undecided"},
    ),
    (
        "fr-host-welcomes",
        "fr",
        "Liban : la FINUL prolongée",
        "Le gouvernement libanais a salué la décision de prolonger la mission de la FINUL.",
        {"Lebanon": "support"},
    ),
    (
        "fr-host-withdrawal",
        "fr",
        "RDC : Kinshasa veut le départ des casques bleus",
        "La RDC exige le retrait rapide des casques bleus de la MONUSCO.",
        {"DR Congo": "oppose"},
    ),
    (
        "de-ready-chancellor",
        "de",
        "Friedenstruppe für die Ukraine",
        "Deutschland ist bereit, sich an einer Friedenstruppe in der Ukraine zu beteiligen, sagte Bundeskanzler "
        "Friedrich Merz am Montag.",
        {"Germany": "support"},
    ),
    (
        "de-no-soldiers",
        "de",
        "Polen und die Friedenstruppe",
        "Polen wird keine Soldaten in die Ukraine schicken, erklärte Ministerpräsident Donald Tusk.",
        {"Poland": "oppose"},
    ),
    (
        "de-separable-reject",
        "de",
        "Moskau gegen Friedenstruppe",
        "Der Kreml lehnt die Stationierung europäischer Truppen in der Ukraine strikt ab.",
        {"Russia": "oppose"},
    ),
    (
        "de-not-excluded",
        "de",
        "Italien und die UN-Mission",
        "Italien schließt eine Beteiligung an einer UN-Mission nicht aus.",
        {"Italy": "undecided"},
    ),
    (
        "de-coordinated-lead",
        "de",
        "Schutztruppe für die Ukraine",
        "Frankreich und Großbritannien wollen die multinationale Schutztruppe anführen.",
        {"France": "support", "United Kingdom": "support"},
    ),
    (
        "de-hesitates",
        "de",
        "Friedensmission in der Ukraine",
        "Die Niederlande zögern noch, Soldaten für die Friedensmission bereitzustellen.",
        {"Netherlands": "undecided"},
    ),
    (
        "de-refusal-condition",
        "de",
        "Spanien und die Friedenstruppe",
        "Spanien werde ohne amerikanische Rückendeckung keine Truppen entsenden, sagte Verteidigungsministerin "
        "Margarita Robles.",
        {"Spain": "undecided"},
    ),
    (
        "de-government-mandate",
        "de",
        "UNIFIL-Mandat verlängert",
        "Die Bundesregierung unterstützt die Verlängerung des UNIFIL-Mandats.",
        {"Germany": "support"},
    ),
    (
        "es-ready-speaker",
        "es",
        "Una fuerza de paz para Ucrania",
        "España está dispuesta a enviar tropas a una misión de paz en Ucrania, afirmó el presidente del Gobierno, "
        "Pedro Sánchez.",
        {"Spain": "support"},
    ),
    (
        "es-refusal",
        "es",
        "Polonia y la fuerza de paz",
        "Polonia no enviará soldados a Ucrania, aseguró el primer ministro Donald Tusk.",
        {"Poland": "oppose"},
    ),
    (
        "es-reject",
        "es",
        "Rusia y la fuerza de paz",
        "Rusia rechaza cualquier despliegue de tropas de la OTAN en Ucrania.",
        {"Russia": "oppose"},
    ),
    (
        "es-not-excluded",
        "es",
        "Italia y la misión de la ONU",
        "Italia no descarta participar en una fuerza de paz bajo mandato de la ONU.",
        {"Italy": "undecided"},
    ),
    (
        "es-coordinated-lead",
        "es",
        "Fuerza multinacional para Ucrania",
        "Francia y el Reino Unido liderarán la fuerza multinacional, según fuentes diplomáticas.",
        {"France": "support", "United Kingdom": "support"},
    ),
    (
        "es-studies",
        "es",
        "Alemania y la misión de paz",
        "Alemania estudia todavía si enviará soldados a la misión de paz.",
        {"Germany": "undecided"},
    ),
    (
        "es-host-asks",
        "es",
        "Líbano y la FINUL",
        "El Gobierno libanés pidió a la ONU que prorrogue el mandato de la FINUL.",
        {"Lebanon": "support"},
    ),
    (
        "es-lead-mission",
        "es",
        "Kenia y Haití",
        "Kenia liderará la misión multinacional de apoyo a la seguridad en Haití.",
        {"Kenya": "support"},
    ),
    (
        "it-ready-speaker",
        "it",
        "Una missione di pace in Ucraina",
        "L'Italia è pronta a inviare soldati in una missione di pace in Ucraina, ha detto la premier Giorgia Meloni.",
        {"Italy": "support"},
    ),
    (
        "it-refusal",
        "it",
        "La Polonia e la forza di pace",
        "La Polonia non invierà truppe in Ucraina, ha dichiarato il premier Donald Tusk.",
        {"Poland": "oppose"},
    ),
    (
        "it-seat-rejects",
        "it",
        "Mosca e la forza europea",
        "Il Cremlino respinge l'idea di una forza europea in Ucraina.",
        {"Russia": "oppose"},
    ),
    (
        "it-weighs",
        "it",
        "La Germania e la forza multinazionale",
        "La Germania valuta la partecipazione a una forza multinazionale, ma non ha ancora deciso.",
        {"Germany": "undecided"},
    ),
    (
        "it-coordinated-lead",
        "it",
        "La forza di rassicurazione",
        "Francia e Regno Unito guideranno la forza di rassicurazione.",
        {"France": "support", "United Kingdom": "support"},
    ),
    (
        "it-not-excluded",
        "it",
        "Caschi blu in Libano",
        "La Spagna non esclude di inviare caschi blu in Libano.",
        {"Spain": "undecided"},
    ),
    (
        "it-host-asks",
        "it",
        "Libano e Unifil",
        "Il governo libanese ha chiesto il rinnovo del mandato dell'Unifil.",
        {"Lebanon": "support"},
    ),
    (
        "it-host-withdrawal",
        "it",
        "Congo e Monusco",
        "Il governo congolese chiede il ritiro dei caschi blu della Monusco.",
        {"DR Congo": "oppose"},
    ),
    (
        "pl-refusal-speaker",
        "pl",
        "Polska a misja pokojowa",
        "Polska nie wyśle żołnierzy na Ukrainę, powiedział premier Donald Tusk.",
        {"Poland": "oppose"},
    ),
    (
        "pl-ready",
        "pl",
        "Francja i misja pokojowa",
        "Francja jest gotowa wysłać swoich żołnierzy w ramach misji pokojowej, zapowiedział prezydent Emmanuel Macron.",
        {"France": "support"},
    ),
    (
        "pl-seat-rejects",
        "pl",
        "Kreml o misji pokojowej",
        "Kreml odrzuca obecność wojsk NATO na Ukrainie.",
        {"Russia": "oppose"},
    ),
    (
        "pl-considers",
        "pl",
        "Niemcy a siły pokojowe",
        "Niemcy rozważają udział w siłach pokojowych.",
        {"Germany": "undecided"},
    ),
    (
        "pl-coordinated-lead",
        "pl",
        "Misja stabilizacyjna",
        "Wielka Brytania i Francja poprowadzą misję stabilizacyjną.",
        {"United Kingdom": "support", "France": "support"},
    ),
    (
        "pl-not-excluded",
        "pl",
        "Włochy a Liban",
        "Włochy nie wykluczają wysłania żołnierzy do Libanu w ramach misji pokojowej.",
        {"Italy": "undecided"},
    ),
    (
        "pl-host-backs",
        "pl",
        "Liban a UNIFIL",
        "Rząd Libanu poparł przedłużenie mandatu misji UNIFIL.",
        {"Lebanon": "support"},
    ),
    (
        "pl-refusal-condition",
        "pl",
        "Hiszpania a misja pokojowa",
        "Hiszpania nie wyśle wojsk bez amerykańskiego wsparcia, oświadczyła minister obrony Margarita Robles.",
        {"Spain": "undecided"},
    ),
]

# Batch B: written after the fixes for batch A and the corpus dev split, measured once before any
# fix it inspired (first count in the README).
STANCE_CASES_B = [
    (
        "b-fr-passive-agent",
        "fr",
        "Haïti : la mission multinationale",
        "La mission multinationale en Haïti est soutenue par le Canada et le Brésil.",
        {"Canada": "support", "Brazil": "support"},
    ),
    (
        "b-fr-relative",
        "fr",
        "Force de stabilisation à Gaza",
        "Le plan prévoit une force de stabilisation, que l'Égypte a proposé de former avec la Jordanie.",
        {"Egypt": "support"},
    ),
    (
        "b-fr-quote-speaker",
        "fr",
        "FINUL : Rome hausse le ton",
        "« Nos soldats resteront au Liban tant que le mandat de la FINUL le permettra », a assuré le ministre "
        "italien de la Défense, Guido Crosetto.",
        {"Italy": "support"},
    ),
    (
        "b-fr-threat",
        "fr",
        "Moscou menace la force européenne",
        "La Russie considérera toute troupe occidentale déployée en Ukraine comme une cible légitime, a prévenu "
        "Sergueï Lavrov.",
        {"Russia": "oppose"},
    ),
    (
        "b-fr-abstention",
        "fr",
        "Vote au Conseil de sécurité sur la MONUSCO",
        "Le Conseil de sécurité a prolongé le mandat de la MONUSCO ; la Chine et la Russie se sont abstenues.",
        {"United Nations Security Council": "support", "China": "undecided", "Russia": "undecided"},
    ),
    pytest.param(
        "b-de-relative",
        "de",
        "Schutztruppe für die Ukraine",
        "Schweden, das bereits Truppen für die Schutztruppe zugesagt hat, drängt nun auch Norwegen zur Teilnahme.",
        {"Sweden": "support"},
        marks=_xfail(
            "the object of 'urge' before a noun cue ('drängt Norwegen zur Teilnahme') is read as "
            "the noun's holder: Norway support is invented"
        ),
    ),
    (
        "b-de-passive-agent",
        "de",
        "UN-Mission im Südsudan",
        "Die Verlängerung der UN-Mission im Südsudan wurde von Deutschland und Frankreich unterstützt.",
        {"Germany": "support", "France": "support"},
    ),
    (
        "b-de-skeptical",
        "de",
        "Friedenstruppe: Wien zögert",
        "Die österreichische Regierung zeigt sich skeptisch gegenüber einer Entsendung von Soldaten in die Ukraine.",
        {"Austria": "undecided"},
    ),
    (
        "b-de-contribution",
        "de",
        "Blauhelme im Libanon",
        "An der UNIFIL-Mission beteiligen sich derzeit rund 150 deutsche Soldaten.",
        {"Germany": "support"},
    ),
    (
        "b-es-speaker-after-quote",
        "es",
        "España y la FINUL",
        "«España seguirá en el Líbano mientras Naciones Unidas lo pida», declaró la ministra de Defensa, "
        "Margarita Robles.",
        {"Spain": "support"},
    ),
    (
        "b-es-host-rejects",
        "es",
        "Malí y la MINUSMA",
        "La junta de Malí exigió la retirada inmediata de los cascos azules de la MINUSMA.",
        {"Mali": "oppose"},
    ),
    (
        "b-es-hesitates",
        "es",
        "Portugal y la fuerza de paz",
        "Portugal se muestra cauteloso sobre el envío de militares a una fuerza de paz en Ucrania.",
        {"Portugal": "undecided"},
    ),
    (
        "b-es-coordinated-list",
        "es",
        "Cascos azules en Chipre",
        "Argentina, Chile y Uruguay mantienen sus contingentes en la misión de la ONU en Chipre.",
        {"Argentina": "support", "Chile": "support", "Uruguay": "support"},
    ),
    (
        "b-it-genitive-noun",
        "it",
        "Libano e Unifil",
        "Il sostegno della Francia alla missione Unifil non è mai venuto meno.",
        {"France": "support"},
    ),
    (
        "b-it-refusal-speaker",
        "it",
        "Ucraina, la forza di pace",
        "L'Ungheria non parteciperà alla forza di pace in Ucraina, ha detto il premier Viktor Orbán.",
        {"Hungary": "oppose"},
    ),
    (
        "b-it-condition",
        "it",
        "Forza multinazionale",
        "La Grecia invierà soldati solo se ci sarà un mandato delle Nazioni Unite.",
        {"Greece": "support"},
    ),
    (
        "b-it-ending-request",
        "it",
        "Congo e caschi blu",
        "Kinshasa chiede da mesi il ritiro accelerato dei caschi blu.",
        {"DR Congo": "oppose"},
    ),
    (
        "b-pl-relative",
        "pl",
        "Misja pokojowa na Ukrainie",
        "Decyzję poparła Finlandia, która wcześniej zadeklarowała gotowość wysłania żołnierzy.",
        {"Finland": "support"},
    ),
    (
        "b-pl-considers",
        "pl",
        "Czechy a siły pokojowe",
        "Rząd Czech analizuje możliwość udziału w siłach pokojowych na Ukrainie.",
        {"Czech Republic": "undecided"},
    ),
    (
        "b-pl-threat",
        "pl",
        "Kreml o siłach pokojowych",
        "Rosja uzna wszelkie zachodnie wojska na Ukrainie za uprawniony cel, zapowiedział Kreml.",
        {"Russia": "oppose"},
    ),
    (
        "b-pl-contribution",
        "pl",
        "UNIFIL",
        "W misji UNIFIL służy obecnie około 250 polskich żołnierzy.",
        {"Poland": "support"},
    ),
    (
        "b-uk-refusal",
        "uk",
        "Миротворці в Україні",
        "Угорщина не направлятиме своїх військових до миротворчої місії в Україні, заявив Віктор Орбан.",
        {"Hungary": "oppose"},
    ),
    (
        "b-uk-support",
        "uk",
        "Коаліція охочих",
        "Франція та Британія готові очолити міжнародні сили стримування в Україні.",
        {"France": "support", "United Kingdom": "support"},
    ),
    (
        "b-ru-threat",
        "ru",
        "Миротворцы на Украине",
        "Россия будет рассматривать любые иностранные войска на Украине как законную цель, заявил Сергей Лавров.",
        {"Russia": "oppose"},
    ),
    (
        "b-ru-support",
        "ru",
        "Миротворческая миссия",
        "Казахстан готов направить миротворцев в составе миссии ООН.",
        {"Kazakhstan": "support"},
    ),
]


# Batch C (issue 11, round 3): one or more sentences per language for each mechanism of the round
# (lists of contributors, votes and abstentions, the Council's acts, a host ending a mission,
# refusal of own troops with other backing, speakers across sentences, "together with", places
# and background that hold no stance), written before the mechanisms and measured once before any
# fix (first count in the README).
STANCE_CASES_C = [
    (
        "c-fr-list-colon",
        "fr",
        "Gaza : les contributeurs de la force",
        "Quatre pays se sont dits prêts à fournir des soldats à la force de stabilisation : le Maroc, "
        "l'Indonésie, le Pakistan et l'Azerbaïdjan.",
        {"Morocco": "support", "Indonesia": "support", "Pakistan": "support", "Azerbaijan": "support"},
    ),
    (
        "c-fr-demonym-list",
        "fr",
        "Soudan du Sud : la mission de l'ONU",
        "Des casques bleus sénégalais, ghanéens et népalais ont rejoint la mission de l'ONU au Soudan du Sud.",
        {"Senegal": "support", "Ghana": "support", "Nepal": "support"},
    ),
    (
        "c-fr-vote",
        "fr",
        "FINUL : le mandat prolongé",
        "Le Conseil de sécurité a prolongé le mandat de la FINUL par 13 voix pour et deux abstentions "
        "(la Chine et la Russie).",
        {"United Nations Security Council": "support", "China": "undecided", "Russia": "undecided"},
    ),
    (
        "c-fr-council-renew",
        "fr",
        "RDC : la MONUSCO reste",
        "L'ONU a renouvelé pour un an le mandat de la MONUSCO.",
        {"United Nations Security Council": "support"},
    ),
    (
        "c-fr-host-demands",
        "fr",
        "Mali : la fin de la mission",
        "Le gouvernement malien a exigé le départ sans délai de la mission des Nations unies.",
        {"Mali": "oppose"},
    ),
    (
        "c-fr-refusal-means",
        "fr",
        "Ukraine : la force de réassurance",
        "La Belgique n'enverra pas de soldats en Ukraine. Le gouvernement belge apportera en revanche un soutien "
        "logistique à la force de réassurance.",
        {"Belgium": "support"},
    ),
    pytest.param(
        "c-fr-pronoun-speaker",
        "fr",
        "Haïti : Nairobi tient bon",
        "Le président kényan William Ruto a reçu mardi les chefs de la police. « Notre pays restera engagé "
        "dans la mission en Haïti », a-t-il affirmé.",
        {"Kenya": "support"},
        marks=_xfail("relevance: 'la mission en Haïti' is the text's only term, below the threshold"),
    ),
    (
        "c-fr-together-with",
        "fr",
        "Liban : la FINUL en sursis",
        "Les États-Unis réclament avec Israël le retrait des casques bleus de la FINUL.",
        {"United States": "oppose", "Israel": "oppose"},
    ),
    (
        "c-fr-meeting-place",
        "fr",
        "Force de réassurance pour l'Ukraine",
        "Lors d'une réunion à Paris, le Canada a annoncé son soutien à la force de réassurance pour l'Ukraine.",
        {"Canada": "support"},
    ),
    (
        "c-de-including",
        "de",
        "Stabilisierungstruppe für Gaza",
        "Mehrere Staaten haben angeboten, Soldaten für die Stabilisierungstruppe zu stellen, darunter Indonesien "
        "und Aserbaidschan.",
        {"Indonesia": "support", "Azerbaijan": "support"},
    ),
    (
        "c-de-besides-also",
        "de",
        "Friedenstruppe für die Ukraine",
        "Ihre Bereitschaft zur Teilnahme an der Friedenstruppe haben neben Kanada auch Australien und Neuseeland "
        "erklärt.",
        {"Canada": "support", "Australia": "support", "New Zealand": "support"},
    ),
    (
        "c-de-demonym-list",
        "de",
        "Blauhelme im Libanon",
        "Irische, finnische und polnische Soldaten beteiligen sich an der UN-Mission im Libanon.",
        {"Ireland": "support", "Finland": "support", "Poland": "support"},
    ),
    (
        "c-de-vote",
        "de",
        "Unifil-Mandat verlängert",
        "Der Sicherheitsrat verlängerte das Mandat der Unifil mit 13 Stimmen bei zwei Enthaltungen (Russland "
        "und China).",
        {"United Nations Security Council": "support", "Russia": "undecided", "China": "undecided"},
    ),
    (
        "c-de-council-authorise",
        "de",
        "Haiti: neue Truppe",
        "Die UNO hat den Einsatz einer multinationalen Truppe in Haiti autorisiert.",
        {"United Nations Security Council": "support"},
    ),
    (
        "c-de-host-demand",
        "de",
        "Mali und die UN-Mission",
        "Die Regierung in Bamako forderte den sofortigen Abzug der UN-Mission.",
        {"Mali": "oppose"},
    ),
    (
        "c-de-refusal-means",
        "de",
        "Österreich und die Friedenstruppe",
        "Österreich wird keine Soldaten in die Ukraine schicken. Wien will die Friedenstruppe aber finanziell "
        "unterstützen.",
        {"Austria": "support"},
    ),
    pytest.param(
        "c-de-pronoun-speaker",
        "de",
        "Kenia und die Haiti-Mission",
        "Der kenianische Präsident William Ruto traf am Montag die Polizeiführung. „Wir werden die Mission in "
        "Haiti weiter unterstützen“, sagte er.",
        {"Kenya": "support"},
        marks=_xfail("relevance: 'die Mission in Haiti' is the text's only term, below the threshold"),
    ),
    (
        "c-de-meeting-place",
        "de",
        "Friedenstruppe für die Ukraine",
        "Bei einem Treffen in Rom sagte Kanada seine Unterstützung für die Friedenstruppe zu.",
        {"Canada": "support"},
    ),
    (
        "c-es-vote",
        "es",
        "Chipre: prórroga de la misión",
        "El Consejo de Seguridad aprobó la prórroga de la misión con 13 votos a favor y dos abstenciones "
        "(China y Rusia).",
        {"United Nations Security Council": "support", "China": "undecided", "Russia": "undecided"},
    ),
    pytest.param(
        "c-es-only-abstained",
        "es",
        "Haití: nueva misión",
        "Catorce miembros votaron a favor de la nueva misión en Haití; solo se abstuvo Rusia.",
        {"Russia": "undecided"},
        marks=_xfail("relevance: 'la nueva misión en Haití' is the text's only term, below the threshold"),
    ),
    (
        "c-es-list-colon",
        "es",
        "Gaza: la fuerza de estabilización",
        "Cinco países ya ofrecieron tropas para la fuerza de estabilización: Indonesia, Marruecos, Kazajistán, "
        "Albania y Kosovo.",
        {
            "Indonesia": "support",
            "Morocco": "support",
            "Kazakhstan": "support",
            "Albania": "support",
            "Kosovo": "support",
        },
    ),
    (
        "c-es-demonym-numbers",
        "es",
        "Cascos azules en el Congo",
        "Unos 300 militares uruguayos y 150 bolivianos se sumarán a la misión de paz en el Congo.",
        {"Uruguay": "support", "Bolivia": "support"},
    ),
    (
        "c-es-host-ends",
        "es",
        "Malí y los cascos azules",
        "El gobierno de Malí pidió la retirada inmediata de los cascos azules.",
        {"Mali": "oppose"},
    ),
    (
        "c-es-council-renew",
        "es",
        "Chipre: la misión sigue",
        "La ONU renovó por un año el mandato de la misión de paz en Chipre.",
        {"United Nations Security Council": "support"},
    ),
    (
        "c-es-refusal-means",
        "es",
        "España y la fuerza de paz",
        "España no enviará tropas a Ucrania, pero contribuirá con apoyo logístico a la fuerza de paz.",
        {"Spain": "support"},
    ),
    (
        "c-it-demonym-list",
        "it",
        "Somalia, la forza africana",
        "Alla forza dell'Unione africana in Somalia partecipano soldati kenioti, etiopi e gibutini.",
        {"Kenya": "support", "Ethiopia": "support", "Djibouti": "support"},
    ),
    (
        "c-it-inverted-list",
        "it",
        "Missione di pace",
        "Hanno offerto truppe per la missione di pace il Bangladesh, il Nepal e anche lo Sri Lanka.",
        {"Bangladesh": "support", "Nepal": "support", "Sri Lanka": "support"},
    ),
    pytest.param(
        "c-it-vote",
        "it",
        "Haiti, la missione prorogata",
        "Il Consiglio di sicurezza ha approvato la proroga della missione con 12 voti favorevoli e tre astensioni "
        "(Russia, Cina e Pakistan).",
        {
            "United Nations Security Council": "support",
            "Russia": "undecided",
            "China": "undecided",
            "Pakistan": "undecided",
        },
        marks=_xfail("relevance: 'la proroga della missione' alone is below the threshold"),
    ),
    (
        "c-it-together-with",
        "it",
        "Libano, il futuro dell'Unifil",
        "Gli Stati Uniti, insieme a Israele, chiedono il ritiro dei caschi blu dell'Unifil.",
        {"United States": "oppose", "Israel": "oppose"},
    ),
    (
        "c-it-host-ends",
        "it",
        "Congo, la Monusco",
        "Il governo di Kinshasa ha chiesto il ritiro dei caschi blu della Monusco entro la fine dell'anno.",
        {"DR Congo": "oppose"},
    ),
    (
        "c-it-refusal-means",
        "it",
        "Ucraina, la forza di rassicurazione",
        "L'Italia non manderà soldati in Ucraina, ha detto Giorgia Meloni. Roma sosterrà però la forza di "
        "rassicurazione con aiuti logistici.",
        {"Italy": "support"},
    ),
    (
        "c-it-pronoun-speaker",
        "it",
        "Libano, il contingente italiano",
        "Il ministro della Difesa Guido Crosetto ha parlato alla Camera. «Siamo pronti a rafforzare il "
        "contingente in Libano», ha aggiunto.",
        {"Italy": "support"},
    ),
    (
        "c-pl-refusal-means",
        "pl",
        "Polska a siły rozjemcze",
        "Polska nie wyśle żołnierzy do misji na Ukrainie, ale zapewni wsparcie logistyczne dla sił rozjemczych, "
        "zapowiedział minister obrony.",
        {"Poland": "support"},
    ),
    (
        "c-pl-also",
        "pl",
        "Siły stabilizacyjne w Gazie",
        "Gotowość wysłania żołnierzy do sił stabilizacyjnych zadeklarowały Indonezja i Azerbejdżan, a także Pakistan.",
        {"Indonesia": "support", "Azerbaijan": "support", "Pakistan": "support"},
    ),
    (
        "c-pl-vote",
        "pl",
        "Mandat UNIFIL",
        "Rada Bezpieczeństwa ONZ przedłużyła mandat misji UNIFIL; od głosu wstrzymały się Rosja i Chiny.",
        {"United Nations Security Council": "support", "Russia": "undecided", "China": "undecided"},
    ),
    (
        "c-pl-demonym-list",
        "pl",
        "Misja w Libanie",
        "Do misji pokojowej w Libanie dołączą żołnierze irlandzcy i fińscy.",
        {"Ireland": "support", "Finland": "support"},
    ),
    (
        "c-pl-host-demand",
        "pl",
        "Mali i misja ONZ",
        "Rząd w Bamako zażądał natychmiastowego wycofania misji ONZ z Mali.",
        {"Mali": "oppose"},
    ),
    (
        "c-pl-pronoun-speaker",
        "pl",
        "Francja i siły pokojowe",
        "Prezydent Francji Emmanuel Macron spotkał się w poniedziałek z premierem Polski. – Jesteśmy gotowi "
        "wysłać żołnierzy do Ukrainy po zawieszeniu broni – powiedział.",
        {"France": "support"},
    ),
    (
        "c-ru-abstain",
        "ru",
        "Мандат миссии ООН",
        "Россия и Китай воздержались при голосовании по резолюции о продлении мандата миссии ООН.",
        {"Russia": "undecided", "China": "undecided"},
    ),
    pytest.param(
        "c-uk-list",
        "uk",
        "Сили підтримки в Україні",
        "Готовність направити військових до сил підтримки висловили Франція, Велика Британія та Естонія.",
        {"France": "support", "United Kingdom": "support", "Estonia": "support"},
        marks=_xfail(
            "relevance: 'сили підтримки' is not a topic term (it also names a branch of Ukraine's armed forces)"
        ),
    ),
]


# Batch D (round 4): inhabitant nouns as actors and a clause's subject after its verb in a
# coordinated clause; written before the code was run on them (first run: 3 of 6 passed and a fourth
# failed only on the product's English name of Czechia, corrected here; the other two are xfail)
STANCE_CASES_D = [
    (
        "pl-d-inhabitants-after-verb",
        "pl",
        "Misja pokojowa na Ukrainie",
        "Do misji pokojowej na Ukrainie swoich żołnierzy są gotowi wysłać Duńczycy i Norwegowie, "
        "a zastanawiają się jeszcze Czesi.",
        {"Denmark": "support", "Norway": "support", "Czech Republic": "undecided"},
    ),
    pytest.param(
        "pl-d-coordinated-subject",
        "pl",
        "Siły stabilizacyjne dla Strefy Gazy",
        "Indonezja zadeklarowała wysłanie żołnierzy do sił stabilizacyjnych w Strefie Gazy, "
        "a odmówili udziału Hiszpanie.",
        {"Indonesia": "support", "Spain": "oppose"},
        marks=_xfail("a participation noun between a refusal verb and its subject after it takes the subject"),
    ),
    (
        "de-d-inhabitants",
        "de",
        "Friedenstruppe für die Ukraine",
        "Auch die Kanadier wollen sich an der Friedenstruppe in der Ukraine beteiligen, sagte der Außenminister.",
        {"Canada": "support"},
    ),
    pytest.param(
        "de-d-inhabitants-refuse",
        "de",
        "UN-Mission im Libanon",
        "Die Österreicher ziehen ihre Blauhelme aus der UN-Mission im Libanon ab.",
        {"Austria": "oppose"},
        marks=_xfail("a contributor withdrawing its own troops: 'abziehen' is an ending word, never a main cue"),
    ),
    (
        "es-d-coordinated-subject",
        "es",
        "Fuerza de paz para Ucrania",
        "Francia enviará tropas a la fuerza de paz en Ucrania, y lo estudian también Países Bajos y Finlandia.",
        {"France": "support", "Netherlands": "undecided", "Finland": "undecided"},
    ),
    (
        "it-d-coordinated-subject",
        "it",
        "Forza di pace in Ucraina",
        "Il Regno Unito invierà soldati nella forza di pace in Ucraina, "
        "e ci stanno riflettendo anche Svezia e Danimarca.",
        {"United Kingdom": "support", "Sweden": "undecided", "Denmark": "undecided"},
    ),
]


# Round 6 (written for the tests, none from an evaluation article): the de and it cases failed on the
# round-5 code, the es case passed there through the positions model and now through the rules; the
# xfails are limits found while writing them
STANCE_CASES_E = [
    (
        "de-e-verb-final-negation",
        "de",
        "Friedenstruppe für die Ukraine",
        "Schweden wird vorerst keine Soldaten für eine künftige Friedenstruppe in der Ukraine stellen.",
        {"Sweden": "oppose"},
    ),
    (
        "es-e-colon-list",
        "es",
        "Misión de paz de la ONU en Haití",
        "El Consejo de Seguridad prorrogó la misión de paz en Haití. Dos miembros se abstuvieron: Rusia y China.",
        {"United Nations Security Council": "support", "Russia": "undecided", "China": "undecided"},
    ),
    pytest.param(
        "it-e-representatives",
        "it",
        "Missione di pace in Libano",
        "Il Consiglio di Sicurezza ha rinnovato il mandato della missione di pace. "
        "Si sono astenuti soltanto i rappresentanti di Russia e Cina.",
        {"United Nations Security Council": "support", "Russia": "undecided", "China": "undecided"},
        marks=_xfail("'i rappresentanti di' is no actor head (tried in round 6, not shipped: see the NLP README)"),
    ),
    pytest.param(
        "de-e-premature-after-noun",
        "de",
        "Friedenstruppe für die Ukraine",
        "Österreich hält eine Beteiligung an der Friedenstruppe für verfrüht.",
        {"Austria": "undecided"},
        marks=_xfail("a hesitation adjective after a participation noun: the clause's first cue is its main cue"),
    ),
]


# (id, language, title, text): no peacekeeping force -> not relevant
IRRELEVANT_CASES_A = [
    (
        "fr-talks",
        "fr",
        "Pourparlers à Istanbul",
        "Les négociations sur un cessez-le-feu entre la Russie et l'Ukraine reprendront lundi à Istanbul.",
    ),
    (
        "fr-exercise",
        "fr",
        "Exercice de l'OTAN",
        "L'armée de l'air française a déployé des avions de chasse en Roumanie pour un exercice de l'OTAN.",
    ),
    (
        "de-ceasefire",
        "de",
        "Waffenruhe hält",
        "Die Waffenruhe im Gazastreifen hält seit einer Woche, berichten Beobachter.",
    ),
    (
        "de-deterrence",
        "de",
        "Eurofighter nach Polen",
        "Die Bundeswehr verlegt weitere Eurofighter nach Polen, um die Nato-Ostflanke zu stärken.",
    ),
    (
        "es-talks",
        "es",
        "Negociaciones en Arabia Saudita",
        "Las negociaciones de alto el fuego entre Rusia y Ucrania continuarán el domingo en Arabia Saudita.",
    ),
    ("es-aid", "es", "Ayuda militar", "Estados Unidos aprobó un nuevo paquete de ayuda militar para Ucrania."),
    ("it-arms", "it", "Decreto armi", "Il governo ha approvato un nuovo decreto per l'invio di armi all'Ucraina."),
    ("it-talks", "it", "Colloqui di pace", "I colloqui di pace tra Russia e Ucraina riprenderanno a Istanbul."),
    ("pl-talks", "pl", "Rozmowy pokojowe", "Rozmowy pokojowe między Rosją a Ukrainą zostaną wznowione w Stambule."),
    ("pl-tanks", "pl", "Czołgi z USA", "Polska otrzyma kolejne czołgi z USA w ramach pomocy wojskowej."),
]

# (id, language, text, people, countries): entities without NER, inflected names included
ENTITY_CASES_A = [
    (
        "pl-inflected",
        "pl",
        "Wiceminister obrony Paweł Zalewski spotkał się w Warszawie z przedstawicielami Francji i Wielkiej Brytanii.",
        ["Paweł Zalewski"],
        {"Poland", "France", "United Kingdom"},
    ),
    (
        "de-title",
        "de",
        "Außenminister Johann Wadephul traf in Berlin seinen Amtskollegen aus Frankreich.",
        ["Johann Wadephul"],
        {"Germany", "France"},
    ),
    (
        "fr-title",
        "fr",
        "Le général Thierry Burkhard a reçu à Paris son homologue italien.",
        ["Thierry Burkhard"],
        {"France", "Italy"},
    ),
    (
        "es-apposition",
        "es",
        "La ministra de Defensa, Margarita Robles, viajó a Líbano para visitar a las tropas españolas.",
        ["Margarita Robles"],
        {"Spain", "Lebanon"},
    ),
    (
        "it-two-ministers",
        "it",
        "Il ministro della Difesa Guido Crosetto ha incontrato a Roma il collega tedesco Boris Pistorius.",
        ["Guido Crosetto", "Boris Pistorius"],
        {"Italy", "Germany"},
    ),
]

# round 7: a known person inside a longer capitalised run (German nouns, Italian offices); written
# for the test, expectations written before the code ran on them
ENTITY_CASES_F = [
    (
        "de-noun-before-name",
        "de",
        "Gastgeber Donald Tusk empfing am Montag in Warschau Vertreter aus Schweden.",
        ["Donald Tusk"],
        {"Poland", "Sweden"},
    ),
    (
        "de-noun-after-name",
        "de",
        "Premierminister Keir Starmer Anfang Juni in Tallinn erwartet.",
        ["Keir Starmer"],
        {"United Kingdom", "Estonia"},
    ),
    (
        "de-common-word-alias",
        "de",
        "Alle wollen Frieden, sagte Bundeskanzler Friedrich Merz am Abend in Berlin.",
        ["Friedrich Merz"],
        {"Germany"},
    ),
    (
        "it-office-before-name",
        "it",
        "Il titolare degli Esteri Antonio Tajani partirà domani per Madrid.",
        ["Antonio Tajani"],
        {"Italy", "Spain"},
    ),
]

LANGUAGES = ("fr", "de", "es", "it", "pl")


def _analyse(nlp, language: str, title: str, text: str) -> dict:
    from pipelines.nlp.analyze import analyze_article

    return analyze_article(
        nlp, {"id": "t", "title": title, "text": text, "published": PUBLISHED, "language": language}, explain=True
    )


# round 7: a negation right before a country's troops named by its demonym (written with the fix)
STANCE_CASES_F = [
    (
        "de-f-no-own-troops",
        "de",
        "Friedenstruppe für Gaza",
        "Die Regierung in Wien will keine österreichischen Soldaten in die Stabilisierungstruppe für Gaza schicken.",
        {"Austria": "oppose"},
    ),
    (
        "de-f-not-only",
        "de",
        "Friedenstruppe für die Ukraine",
        "Nicht nur niederländische Soldaten sollen sich an der Friedenstruppe in der Ukraine beteiligen.",
        {"Netherlands": "support"},
    ),
]

# round 8: troops or force of listed countries, actors listed after vote and author words, an act
# decided on (one sentence per mechanism and language; written with the mechanisms, not held out)
STANCE_CASES_G = [
    (
        "fr-g-force-of",
        "fr",
        "Casques bleus au Soudan du Sud",
        "La force de maintien de la paix au Soudan du Sud comptera des soldats du Rwanda, du Népal et du Ghana.",
        {"Rwanda": "support", "Nepal": "support", "Ghana": "support"},
    ),
    (
        "fr-g-vote-list",
        "fr",
        "Casques bleus au Liban",
        "Le Conseil de sécurité a adopté la résolution présentée par la France et le Royaume-Uni, avec "
        "l'abstention de la Chine et de la Russie, pour prolonger la mission de la Finul.",
        {
            "United Nations Security Council": "support",
            "France": "support",
            "United Kingdom": "support",
            "China": "undecided",
            "Russia": "undecided",
        },
    ),
    (
        "fr-g-decided",
        "fr",
        "Casques bleus au Mali",
        "Le Conseil de sécurité a décidé de prolonger le mandat de la mission de paix au Mali.",
        {"United Nations Security Council": "support"},
    ),
    (
        "de-g-force-of",
        "de",
        "Blauhelme im Libanon",
        "Die Friedenstruppe im Libanon umfasst Soldaten aus Indonesien, Ghana und Malaysia.",
        {"Indonesia": "support", "Ghana": "support", "Malaysia": "support"},
    ),
    (
        "de-g-vote-list",
        "de",
        "Blauhelme im Libanon",
        "Der Sicherheitsrat billigte die Verlängerung des Mandats der Blauhelmmission bei Enthaltung von "
        "China und Russland.",
        {"United Nations Security Council": "support", "China": "undecided", "Russia": "undecided"},
    ),
    (
        "de-g-decided",
        "de",
        "Blauhelme im Libanon",
        "Der Sicherheitsrat hat entschieden, das Mandat der Blauhelmmission zu verlängern.",
        {"United Nations Security Council": "support"},
    ),
    (
        "es-g-force-of",
        "es",
        "Misión de paz en Haití",
        "La misión de paz en Haití contará con policías de Jamaica, Belice y Guatemala.",
        {"Jamaica": "support", "Belize": "support", "Guatemala": "support"},
    ),
    (
        "es-g-vote-list",
        "es",
        "Cascos azules en Chipre",
        "El Consejo de Seguridad aprobó la resolución presentada por Ecuador y Japón, con la abstención de "
        "China y Rusia, para renovar la misión de paz.",
        {
            "United Nations Security Council": "support",
            "Ecuador": "support",
            "Japan": "support",
            "China": "undecided",
            "Russia": "undecided",
        },
    ),
    (
        "es-g-decided",
        "es",
        "Cascos azules en Chipre",
        "El Consejo de Seguridad decidió prolongar el mandato de la misión de paz en Chipre.",
        {"United Nations Security Council": "support"},
    ),
    (
        "it-g-force-of",
        "it",
        "Caschi blu in Libano",
        "La missione di pace in Libano comprende soldati di Indonesia, Ghana e Nepal.",
        {"Indonesia": "support", "Ghana": "support", "Nepal": "support"},
    ),
    (
        "it-g-vote-list",
        "it",
        "Caschi blu a Cipro",
        "Il Consiglio di Sicurezza ha approvato la risoluzione redatta da Francia e Regno Unito con "
        "l'astensione di Cina e Russia per rinnovare la missione di pace.",
        {
            "United Nations Security Council": "support",
            "France": "support",
            "United Kingdom": "support",
            "China": "undecided",
            "Russia": "undecided",
        },
    ),
    (
        "it-g-decided",
        "it",
        "Caschi blu in Mali",
        "Il Consiglio di Sicurezza ha deciso di prolungare il mandato della missione di pace in Mali.",
        {"United Nations Security Council": "support"},
    ),
    (
        "pl-g-force-of",
        "pl",
        "Misja pokojowa w Libanie",
        "W skład misji pokojowej w Libanie wchodzą żołnierze z Indonezji, Ghany i Malezji.",
        {"Indonesia": "support", "Ghana": "support", "Malaysia": "support"},
    ),
    (
        "pl-g-vote-list",
        "pl",
        "Misja pokojowa w Libanie",
        "Rada Bezpieczeństwa ONZ przyjęła rezolucję autorstwa Francji i Wielkiej Brytanii przy głosach "
        "wstrzymujących się Chin i Rosji w sprawie przedłużenia misji pokojowej.",
        {
            "United Nations Security Council": "support",
            "France": "support",
            "United Kingdom": "support",
            "China": "undecided",
            "Russia": "undecided",
        },
    ),
    (
        "pl-g-decided",
        "pl",
        "Misja pokojowa w Libanie",
        "Rada Bezpieczeństwa ONZ zdecydowała przedłużyć mandat misji pokojowej w Libanie.",
        {"United Nations Security Council": "support"},
    ),
]

# round 9: actors listed after a "together with" phrase later in the clause, actors listed as the agent
# of a participle describing the force, vote phrases (one sentence per mechanism and language; written
# with the mechanisms, not held out)
STANCE_CASES_H = [
    (
        "fr-h-partners",
        "fr",
        "Casques bleus au Liban",
        "La France envoie des soldats à la mission de paix au Liban avec l'Irlande, la Finlande et la Pologne.",
        {"France": "support", "Ireland": "support", "Finland": "support", "Poland": "support"},
    ),
    (
        "es-h-partners",
        "es",
        "Cascos azules en Chipre",
        "Argentina aporta soldados a la misión de paz en Chipre junto a Austria, Brasil y Chile.",
        {"Argentina": "support", "Austria": "support", "Brazil": "support", "Chile": "support"},
    ),
    (
        "it-h-partners",
        "it",
        "Caschi blu in Libano",
        "L'Italia partecipa alla missione di pace in Libano insieme a Spagna, Francia e Irlanda.",
        {"Italy": "support", "Spain": "support", "France": "support", "Ireland": "support"},
    ),
    (
        "pl-h-partners",
        "pl",
        "Misja pokojowa w Libanie",
        "Polska uczestniczy w misji pokojowej w Libanie wraz z Irlandią, Węgrami i Finlandią.",
        {"Poland": "support", "Ireland": "support", "Hungary": "support", "Finland": "support"},
    ),
    (
        "de-h-partners",
        "de",
        "Blauhelme im Libanon",
        "Österreich beteiligt sich an der Friedensmission im Libanon zusammen mit Irland, Ungarn und Finnland.",
        {"Austria": "support", "Ireland": "support", "Hungary": "support", "Finland": "support"},
    ),
    (
        "fr-h-agent-list",
        "fr",
        "Casques bleus au Liban",
        "La Finul compte des soldats fournis par l'Indonésie, le Ghana et la Malaisie.",
        {"Indonesia": "support", "Ghana": "support", "Malaysia": "support"},
    ),
    (
        "es-h-agent-list",
        "es",
        "Cascos azules en Líbano",
        "La misión de paz cuenta con tropas aportadas por Indonesia, Ghana y Malasia.",
        {"Indonesia": "support", "Ghana": "support", "Malaysia": "support"},
    ),
    (
        "it-h-agent-list",
        "it",
        "Caschi blu in Congo",
        "La brigata della missione di pace è composta da truppe fornite da Malawi, Sudafrica e Tanzania.",
        {"Malawi": "support", "South Africa": "support", "Tanzania": "support"},
    ),
    (
        "pl-h-agent-list",
        "pl",
        "Misja w Libanie",
        "Misja pokojowa składa się z żołnierzy wysłanych przez Indonezję, Ghanę i Malezję.",
        {"Indonesia": "support", "Ghana": "support", "Malaysia": "support"},
    ),
    (
        "de-h-agent-list",
        "de",
        "Blauhelme im Libanon",
        "Die Friedenstruppe besteht aus von Indonesien, Ghana und Malaysia entsandten Soldaten.",
        {"Indonesia": "support", "Ghana": "support", "Malaysia": "support"},
    ),
    (
        "fr-h-votes",
        "fr",
        "Mission de l'ONU au Sahara",
        "Sur la prolongation de la mission, la France, le Royaume-Uni et le Japon ont voté pour, alors que la "
        "Russie et la Bolivie ont voté contre.",
        {"France": "support", "United Kingdom": "support", "Japan": "support", "Russia": "oppose", "Bolivia": "oppose"},
    ),
    pytest.param(
        "es-h-votes",
        "es",
        "Misión de la ONU en el Sáhara",
        "Sobre la prórroga de la misión, Francia, Reino Unido y Japón votaron a favor, mientras Rusia y Bolivia "
        "votaron en contra.",
        {"France": "support", "United Kingdom": "support", "Japan": "support", "Russia": "oppose", "Bolivia": "oppose"},
        marks=_xfail(
            "'mientras' is a condition marker ('as long as'), so the rules skip its clause; round 12's model "
            "added Russia and Bolivia, the model retrained in round 13 adds Bolivia only"
        ),
    ),
    (
        "it-h-votes",
        "it",
        "Missione dell'Onu nel Sahara",
        "Sulla proroga della missione, Francia, Regno Unito e Giappone hanno votato a favore, mentre Russia e "
        "Bolivia hanno votato contro.",
        {"France": "support", "United Kingdom": "support", "Japan": "support", "Russia": "oppose", "Bolivia": "oppose"},
    ),
    (
        "pl-h-votes",
        "pl",
        "Misja ONZ w Saharze",
        "W sprawie przedłużenia misji Francja, Wielka Brytania i Japonia głosowały za, a Rosja i Boliwia "
        "głosowały przeciw.",
        {"France": "support", "United Kingdom": "support", "Japan": "support", "Russia": "oppose", "Bolivia": "oppose"},
    ),
    (
        "de-h-votes",
        "de",
        "UN-Mission in der Westsahara",
        "Bei der Abstimmung über die Verlängerung der Mission haben Frankreich und Japan dafür gestimmt, "
        "Russland und Bolivien stimmten dagegen.",
        {"France": "support", "Japan": "support", "Russia": "oppose", "Bolivia": "oppose"},
    ),
]

# round 10: condemning harm to the force across a relative clause (the harm in one clause, the force or
# the judgement in the relative clause after it), a passive agent after a preposition that also names
# places ("condannati da Irlanda"), German "verurteilen" (one sentence per mechanism and language;
# written with the mechanisms, not held out)
STANCE_CASES_I = [
    (
        "it-i-agent-list",
        "it",
        "Caschi blu",
        "Gli attacchi contro i caschi blu dell'Unifil sono stati condannati da Irlanda, Francia e Spagna.",
        {"Ireland": "support", "France": "support", "Spain": "support"},
    ),
    (
        "it-i-judged-in-relative",
        "it",
        "Caschi blu",
        "Gli attacchi alla missione sono stati condannati dall'Irlanda, che li ha definiti inaccettabili.",
        {"Ireland": "support"},
    ),
    (
        "it-i-force-in-relative",
        "it",
        "Caschi blu",
        "La Grecia ha condannato gli attacchi di ieri, che hanno colpito i caschi blu in Libano.",
        {"Greece": "support"},
    ),
    (
        "fr-i-force-in-relative",
        "fr",
        "Casques bleus",
        "L'Irlande a condamné les tirs de mardi, qui ont visé des Casques bleus au Liban.",
        {"Ireland": "support"},
    ),
    (
        "fr-i-preposition-relative",
        "fr",
        "Casques bleus",
        "L'Irlande a dénoncé l'attaque, dans laquelle deux Casques bleus ont été blessés.",
        {"Ireland": "support"},
    ),
    (
        "es-i-force-in-relative",
        "es",
        "Cascos azules",
        "Irlanda condenó los disparos del martes, que hirieron a dos cascos azules en el Líbano.",
        {"Ireland": "support"},
    ),
    (
        "pl-i-force-in-relative",
        "pl",
        "Błękitne hełmy",
        "Irlandia potępiła wtorkowy atak, który zranił dwóch żołnierzy misji UNIFIL w Libanie.",
        {"Ireland": "support"},
    ),
    (
        "de-i-condemns-harm",
        "de",
        "Blauhelme",
        "Irland hat den Angriff vom Dienstag verurteilt, der zwei Blauhelme im Libanon verletzte.",
        {"Ireland": "support"},
    ),
    (
        "de-i-condemns-force",
        "de",
        "Friedenstruppe für die Ukraine",
        "Russland verurteilte die Entsendung einer europäischen Friedenstruppe in die Ukraine.",
        {"Russia": "oppose"},
    ),
]

# round 11: the force's leader backs it (pack data `leader_verbs`, `leader_phrases`; written for the
# mechanism, not taken from an article)
STANCE_CASES_J = [
    (
        "de-j-leader-phrase",
        "de",
        "Friedenstruppe",
        "Die Friedenstruppe unter Führung Frankreichs soll im Frühjahr in den Einsatz gehen.",
        {"France": "support"},
    ),
    (
        "de-j-leader-compound",
        "de",
        "Friedenstruppe",
        "Der Einsatz der Nato-geführten Friedenstruppe im Kosovo geht weiter.",
        {"NATO": "support"},
    ),
    (
        "fr-j-leader-verb",
        "fr",
        "Casques bleus",
        "La force multinationale de paix dirigée par le Rwanda doit arriver en mars.",
        {"Rwanda": "support"},
    ),
    (
        "fr-j-leader-not-a-place",
        "fr",
        "Casques bleus",
        "La force de paix dirigée par le Rwanda sera installée entre Kigali et Kinshasa.",
        {"Rwanda": "support"},
    ),
    (
        "it-j-leader-verb",
        "it",
        "Caschi blu",
        "La forza multinazionale di pace guidata dal Ruanda arriverà a marzo.",
        {"Rwanda": "support"},
    ),
    (
        "es-j-leader-verb",
        "es",
        "Cascos azules",
        "La misión de paz liderada por Brasil llegará en marzo.",
        {"Brazil": "support"},
    ),
    # a state organ several countries share stands for the one the article names most (names.yaml
    # `shared_seats`); none named: no actor
    (
        "de-j-shared-seat-ch",
        "de",
        "Friedenstruppe im Kosovo",
        "In der Schweiz wird seit Wochen über die Friedenstruppe debattiert. Der Nationalrat hat der "
        "Verlängerung des Einsatzes zugestimmt.",
        {"Switzerland": "support"},
    ),
    (
        "de-j-shared-seat-at",
        "de",
        "Blauhelme im Libanon",
        "In Österreich wird seit Wochen über die Blauhelme debattiert. Der Nationalrat hat der "
        "Verlängerung des Einsatzes zugestimmt.",
        {"Austria": "support"},
    ),
    (
        "de-j-shared-seat-unnamed",
        "de",
        "Blauhelme im Libanon",
        "Seit Wochen wird über die Blauhelme debattiert. Der Nationalrat hat der Verlängerung des Einsatzes "
        "zugestimmt.",
        {},
    ),
    (
        "de-j-seat-bundesheer",
        "de",
        "Blauhelme im Libanon",
        "Das Bundesheer beteiligt sich mit 180 Soldaten an der Friedenstruppe.",
        {"Austria": "support"},
    ),
    (
        "pl-j-leader-phrase",
        "pl",
        "Misja pokojowa",
        "Siły pokojowe pod dowództwem NATO patrolują granicę.",
        {"NATO": "support"},
    ),
]

# round 12: an offer under reservation, restricted to a frame or still discussed is undecided (pack data
# `reservations`); peers from listed countries after a "together with" phrase act with the subject; a
# clause listing actors may hold adverbs (`list_adverbs`); a host country labelling the title is no
# actor (written for the mechanisms, not taken from an article)
STANCE_CASES_K = [
    (
        "de-k-reservation",
        "de",
        "Friedenstruppe für die Ukraine",
        "Der Kanzler würde den Einsatz deutscher Soldaten unter erhebliche Vorbehalte stellen.",
        {"Germany": "undecided"},
    ),
    (
        "fr-k-reservation-talks",
        "fr",
        "Casques bleus au Liban",
        "Des discussions sont en cours sur une participation de l'armée belge à la force de paix.",
        {"Belgium": "undecided"},
    ),
    (
        "es-k-reservation-only-with",
        "es",
        "Cascos azules",
        "Argentina enviará tropas a la misión solo con un mandato de la ONU, dijo el ministro.",
        {"Argentina": "undecided"},
    ),
    (
        "it-k-reservation-only-with",
        "it",
        "Caschi blu in Ucraina",
        "L'Italia parteciperà alla missione solo con un mandato dell'Onu, ha detto il ministro.",
        {"Italy": "undecided"},
    ),
    (
        "it-k-reservation-talks",
        "it",
        "Caschi blu",
        "Ci sono trattative in corso su una partecipazione di soldati greci alla forza di pace.",
        {"Greece": "undecided"},
    ),
    (
        "it-k-ongoing-mission-no-reservation",
        "it",
        "Caschi blu",
        "L'Italia invierà altri soldati alla missione in corso nel Libano, ha detto il ministro.",
        {"Italy": "support"},
    ),
    (
        "pl-k-reservation-only-under",
        "pl",
        "Misja pokojowa",
        "Polska wyśle żołnierzy do misji tylko pod flagą ONZ, powiedział minister.",
        {"Poland": "undecided"},
    ),
    (
        "fr-k-peers-from",
        "fr",
        "Casques bleus en Haïti",
        "Le Kenya a envoyé 400 policiers dans la mission, avec leurs collègues venus de Jamaïque et des Bahamas.",
        {"Kenya": "support", "Jamaica": "support", "Bahamas": "support"},
    ),
    (
        "es-k-peers-from",
        "es",
        "Cascos azules en Haití",
        "Kenia envió 200 policías a la misión, junto con sus colegas procedentes de Jamaica, Belice y Bahamas.",
        {"Kenya": "support", "Jamaica": "support", "Belize": "support", "Bahamas": "support"},
    ),
    (
        "it-k-peers-from",
        "it",
        "Caschi blu ad Haiti",
        "Il Kenya ha inviato altri 300 agenti alla missione, insieme ai loro colleghi provenienti da Belize e Bahamas.",
        {"Kenya": "support", "Belize": "support", "Bahamas": "support"},
    ),
    (
        "de-k-peers-from",
        "de",
        "Friedenstruppe in Haiti",
        "Kenia hat 400 Polizisten in die Mission entsandt, zusammen mit ihren Kollegen aus Jamaika und Belize.",
        {"Kenya": "support", "Jamaica": "support", "Belize": "support"},
    ),
    (
        "pl-k-peers-from",
        "pl",
        "Misja w Haiti",
        "Kenia wysłała 400 policjantów do misji, razem z kolegami z Jamajki i Belize.",
        {"Kenya": "support", "Jamaica": "support", "Belize": "support"},
    ),
    (
        "de-k-refusal-list-adverbs",
        "de",
        "Friedenstruppe für die Ukraine",
        "Die Spanier haben bereits abgewunken, die Niederländer und nun auch die Tschechen.",
        {"Spain": "oppose", "Netherlands": "oppose", "Czech Republic": "oppose"},
    ),
    (
        "fr-k-refusal-list-adverbs",
        "fr",
        "Casques bleus en Ukraine",
        "L'Italie a refusé l'envoi de soldats, les Pays-Bas et maintenant aussi la Pologne.",
        {"Italy": "oppose", "Netherlands": "oppose", "Poland": "oppose"},
    ),
    (
        "pl-k-refusal-list-adverbs",
        "pl",
        "Misja pokojowa na Ukrainie",
        "Włochy odmówiły wysłania żołnierzy, a teraz także Polska.",
        {"Italy": "oppose", "Poland": "oppose"},
    ),
    (
        "it-k-host-title-label",
        "it",
        "Libano, il Consiglio di Sicurezza rinnova il mandato dell'Unifil",
        "Il Consiglio di Sicurezza ha rinnovato il mandato dell'Unifil per un anno.",
        {"United Nations Security Council": "support"},
    ),
]

# round 13: a negated weighing word before a participation word is a refusal of own troops (pack data
# `considering`); a participation in the clause after an exclusion (`exclusions`) or a negated weighing
# is refused, not offered (sentences written for the mechanisms, not taken from an article)
STANCE_CASES_L = [
    (
        "fr-l-not-considering",
        "fr",
        "Casques bleus en Ukraine",
        "Le ministre a déclaré que la Belgique n'envisageait pas d'envoyer de soldats dans la force de paix.",
        {"Belgium": "oppose"},
    ),
    (
        "fr-l-considering",
        "fr",
        "Casques bleus en Ukraine",
        "La Belgique envisage d'envoyer des soldats dans la force de maintien de la paix en Ukraine.",
        {"Belgium": "undecided"},
    ),
    (
        "it-l-not-considering",
        "it",
        "Caschi blu in Ucraina",
        "Il Portogallo non valuta di inviare soldati nella missione di pace in Ucraina.",
        {"Portugal": "oppose"},
    ),
    (
        "pl-l-not-considering",
        "pl",
        "Misja pokojowa na Ukrainie",
        "Portugalia nie rozważa wysłania żołnierzy do misji pokojowej na Ukrainie.",
        {"Portugal": "oppose"},
    ),
    (
        "de-l-not-considering-infinitive",
        "de",
        "Friedenstruppe für die Ukraine",
        "Österreich erwägt nicht, Soldaten für die Friedenstruppe zu schicken.",
        {"Austria": "oppose"},
    ),
    (
        "de-l-considering-infinitive",
        "de",
        "Friedenstruppe für die Ukraine",
        "Österreich erwägt, Soldaten für die Friedenstruppe zu schicken.",
        {"Austria": "undecided"},
    ),
    (
        "it-l-excluded-that",
        "it",
        "Caschi blu in Ucraina",
        "Il ministro portoghese ha escluso la possibilità che soldati portoghesi possano essere inviati nella"
        " missione di pace.",
        {"Portugal": "oppose"},
    ),
    (
        "fr-l-excluded-that",
        "fr",
        "Casques bleus en Ukraine",
        "Le Premier ministre belge a exclu que des soldats belges soient envoyés dans la force de maintien de la paix.",
        {"Belgium": "oppose"},
    ),
    (
        "de-l-excluded-that",
        "de",
        "Friedenstruppe für die Ukraine",
        "Der Kanzler schließt aus, dass deutsche Soldaten in die Friedenstruppe entsandt werden.",
        {"Germany": "oppose"},
    ),
    (
        "es-l-excluded-that",
        "es",
        "Cascos azules en Ucrania",
        "El Gobierno portugués descartó que se envíen soldados portugueses a la misión de paz en Ucrania.",
        {"Portugal": "oppose"},
    ),
    (
        "pl-l-excluded-that",
        "pl",
        "Misja pokojowa na Ukrainie",
        "Premier wykluczył, że portugalscy żołnierze zostaną wysłani do misji pokojowej na Ukrainie.",
        {"Portugal": "oppose"},
    ),
]

_STANCE_CASES = (
    STANCE_CASES_A
    + STANCE_CASES_B
    + STANCE_CASES_C
    + STANCE_CASES_D
    + STANCE_CASES_E
    + STANCE_CASES_F
    + STANCE_CASES_G
    + STANCE_CASES_H
    + STANCE_CASES_I
    + STANCE_CASES_J
    + STANCE_CASES_K
    + STANCE_CASES_L
)


def _case_id(case) -> str:
    return case.values[0] if hasattr(case, "values") else case[0]


@pytest.mark.parametrize(
    "case_id,language,title,text,expected", _STANCE_CASES, ids=[_case_id(c) for c in _STANCE_CASES]
)
def test_stances(nlp, case_id, language, title, text, expected):
    result = _analyse(nlp, language, title, text)
    assert result["language"] == language and result["analysed"], result["not_analysed_reason"]
    assert result["relevant"], result["relevance_explanation"]
    got = {s["actor"]: s["stance"] for s in result["stances"]}
    assert got == expected, json.dumps(result["stances"], ensure_ascii=False, indent=1)[:3000]


# Batch C cases whose short text stays below the relevance threshold: the same text under a title
# that names the force checks their stance mechanism (written after the fixes, not held out).
_FORCE_TITLES = {
    "fr": "Casques bleus",
    "de": "Blauhelme",
    "es": "Cascos azules",
    "it": "Caschi blu",
    "uk": "Миротворці",
}
_RELEVANCE_XFAILS = [c.values for c in STANCE_CASES_C if hasattr(c, "values")]


@pytest.mark.parametrize(
    "case_id,language,title,text,expected", _RELEVANCE_XFAILS, ids=[c[0] for c in _RELEVANCE_XFAILS]
)
def test_stances_under_a_force_title(nlp, case_id, language, title, text, expected):
    result = _analyse(nlp, language, _FORCE_TITLES[language], text)
    assert result["relevant"], result["relevance_explanation"]
    assert {s["actor"]: s["stance"] for s in result["stances"]} == expected, result["stances"]


@pytest.mark.parametrize("case_id,language,title,text", IRRELEVANT_CASES_A, ids=[c[0] for c in IRRELEVANT_CASES_A])
def test_irrelevant(nlp, case_id, language, title, text):
    result = _analyse(nlp, language, title, text)
    assert result["analysed"] and not result["relevant"], result["relevance_explanation"]
    assert result["stances"] == []


@pytest.mark.parametrize(
    "case_id,language,text,people,countries",
    ENTITY_CASES_A + ENTITY_CASES_F,
    ids=[c[0] for c in ENTITY_CASES_A + ENTITY_CASES_F],
)
def test_entities(nlp, case_id, language, text, people, countries):
    result = _analyse(nlp, language, "", text)
    assert result["people"] == people
    assert set(result["countries"]) == countries


# round 7: a party's abbreviation in parentheses introduces a member of a parliament; an
# organisation's own acronym does not (written for the test, expectations before the code ran)
PARTY_CASES = [
    (
        "de-party-member",
        "de",
        "Im Bundestag warb Jorinde Rautenberg (FDP) für die Verlängerung.",
        ["Jorinde Rautenberg"],
    ),
    ("pl-party-member", "pl", "Za przedłużeniem misji głosował Bogumił Wierzbicki (PSL).", ["Bogumił Wierzbicki"]),
    ("fr-own-acronym", "fr", "Les Graduated Response Plans (GRP) ont été présentés hier.", []),
    ("de-known-acronym", "de", "Die Nordatlantische Allianz (NATO) berät am Montag.", []),
]


@pytest.mark.parametrize("case_id,language,text,people", PARTY_CASES, ids=[c[0] for c in PARTY_CASES])
def test_party_members(nlp, case_id, language, text, people):
    assert _analyse(nlp, language, "", text)["people"] == people


# round 9: names introduced by an apposition with a title, capitalised particles inside a name,
# case endings of unknown Polish names (sentences written for the test, names invented)
PEOPLE_CASES_R9 = [
    (
        "es-title-apposition-before",
        "es",
        "El ministro de Defensa uruguayo, Tomás Irigoyen, visitó a las tropas.",
        ["Tomás Irigoyen"],
    ),
    (
        "fr-title-apposition-before",
        "fr",
        "« Rien n'est décidé », a ajouté le porte-parole du Quai d'Orsay, Lucien Marchetti.",
        ["Lucien Marchetti"],
    ),
    (
        "it-title-apposition-after",
        "it",
        "Lo ha confermato Carla Benvenuti, il vice rappresentante permanente all'ONU.",
        ["Carla Benvenuti"],
    ),
    (
        "pl-title-apposition-after",
        "pl",
        "Orin Whitcombe, podsekretarz obrony USA, przekazał stanowisko sojusznikom.",
        ["Orin Whitcombe"],
    ),
    (
        "de-title-apposition-after",
        "de",
        "Das bestätigte Gerlinde Hofstätter, Sprecherin des Ministeriums, am Montag.",
        ["Gerlinde Hofstätter"],
    ),
    (
        "it-capitalised-particle",
        "it",
        "Il generale italiano Renato Del Sol guida la missione.",
        ["Renato Del Sol"],
    ),
    ("es-particle-before-month", "es", "El comandante Pedro Blanco llegó ayer a Campo de Mayo.", ["Pedro Blanco"]),
    (
        "fr-title-with-dot",
        "fr",
        "Le ministre Abdou Sankaré a parlé hier. M. Sankaré a répété sa position.",
        ["Abdou Sankaré"],
    ),
    (
        "pl-inflected-first-and-surname",
        "pl",
        "Dowodzony przez kpt. Ryszarda Wilczaka pluton wyjechał w poniedziałek.",
        ["Ryszard Wilczak"],
    ),
    (
        "pl-shared-case-ending",
        "pl",
        "Premier podziękował posłowi Bogdanowi Mazurowi oraz ministrowi.",
        ["Bogdan Mazur"],
    ),
    (
        "pl-honour-ends-name",
        "pl",
        "Prezydent odznaczył pośmiertnie kpt. Tomasza Zielińskiego Medalem Honoru.",
        ["Tomasz Zieliński"],
    ),
    (
        "it-rank-rest",
        "it",
        "Il generale di divisione Ottavio Brambilla ha assunto il comando della missione.",
        ["Ottavio Brambilla"],
    ),
    ("de-rank", "de", "Das sagte Oberstleutnant Ansgar Köhnlein am Dienstag.", ["Ansgar Köhnlein"]),
    ("es-joined-particle", "es", "El general Karim Yasin al-Mahdi dijo que no.", ["Karim Yasin al-Mahdi"]),
    (
        "pl-institution-inflected",
        "pl",
        "Posłowie Koalicji Narodowej poparli wniosek, powiedział minister Jan Borowiec.",
        ["Jan Borowiec"],
    ),
    (
        "fr-newspaper-is-no-person",
        "fr",
        "Selon le Harbour Herald, a déclaré le ministre Paul Adjovi, la mission sera prolongée.",
        ["Paul Adjovi"],
    ),
]


@pytest.mark.parametrize("case_id,language,text,people", PEOPLE_CASES_R9, ids=[c[0] for c in PEOPLE_CASES_R9])
def test_people_round9(nlp, case_id, language, text, people):
    assert _analyse(nlp, language, "", text)["people"] == people


# round 12: names introduced by role nouns (in compounds, after a hyphen, by lemma), across a party's
# abbreviation or an institution after a function word, coordinated with an introduced name; "der" /
# "den" only after another particle (sentences written for these tests)
PEOPLE_CASES_R12 = [
    ("de-compound-chef", "de", "Der indonesische Armeechef Ruli Sinaga bestätigte das.", ["Ruli Sinaga"]),
    ("de-hyphen-role", "de", "Auf eine Frage des AfD-Abgeordneten Jens Kolbe antwortete er nicht.", ["Jens Kolbe"]),
    ("de-party-between", "de", "Der SPD Verteidigungsexperte Lars Henning nannte das falsch.", ["Lars Henning"]),
    ("de-der-no-particle", "de", "Die Spitze der Unions-Fraktion erklärte das am Montag.", []),
    ("de-von-der", "de", "Der Außenminister sprach am Montag mit Ursula von der Leyen.", ["Ursula von der Leyen"]),
    (
        "pl-van-den",
        "pl",
        "Szefowa Komisji Europejskiej Ursula von der Leyen i minister Jan van den Broek przyjechali.",
        ["Ursula von der Leyen", "Jan van den Broek"],
    ),
    ("es-role-noun", "es", "Desde Pekín, el representante Li Wenbo criticó la decisión.", ["Li Wenbo"]),
    ("es-party-between", "es", "El diputado del PP Tomás Ruano no quiso comprometer su apoyo.", ["Tomás Ruano"]),
    (
        "es-plural-coordinated",
        "es",
        "Se reunieron los ministros Carlos Ferrando (Defensa) y Luis Otero (Exteriores) con el embajador.",
        ["Carlos Ferrando", "Luis Otero"],
    ),
    ("es-office-no-name", "es", "El ministro de Relaciones Exteriores de Haití, Jean Girard, habló.", ["Jean Girard"]),
    (
        "fr-hyphen-plural-coordinated",
        "fr",
        "Les soldats sont placés sous le commandement des lieutenant-colonels Moussa Diatta et Ibou Sarr.",
        ["Moussa Diatta", "Ibou Sarr"],
    ),
    ("fr-apposition-role", "fr", "Jean Koudou, analyste politique centrafricain, affirme que non.", ["Jean Koudou"]),
    ("it-counterpart", "it", "Il ministro ha incontrato il suo omologo Arben Hoxha a Pristina.", ["Arben Hoxha"]),
    ("it-unit-no-name", "it", "Il contingente è passato dalla Brigata Alpina Orobica alla Brigata Friuli.", []),
    ("it-rank-unit", "it", "Il comando passa al Generale di Brigata Enrico Tassoni.", ["Enrico Tassoni"]),
    ("it-abbreviated-rank", "it", "Lo accompagnava il comandante Gen. Div. Franco Bellini.", ["Franco Bellini"]),
    (
        "pl-role-noun",
        "pl",
        "Konstytucjonalista prof. Ryszard Piotrowicz wyjaśnił, że to niemożliwe.",
        ["Ryszard Piotrowicz"],
    ),
    ("pl-institution-genitive", "pl", "Nasi żołnierze wracają na Wzgórza Golan w przyszłym tygodniu.", []),
]


@pytest.mark.parametrize("case_id,language,text,people", PEOPLE_CASES_R12, ids=[c[0] for c in PEOPLE_CASES_R12])
def test_people_round12(nlp, case_id, language, text, people):
    assert _analyse(nlp, language, "", text)["people"] == people


# round 12: "Congo" alone is DR Congo in every pack, as in the English gazetteer (CLDR's Spanish "Congo"
# is the Republic of the Congo); sentences written for this test
@pytest.mark.parametrize(
    "language,text",
    [
        ("es", "Los cascos azules de Uruguay siguen en el Congo."),
        ("fr", "Les casques bleus uruguayens restent au Congo."),
        ("it", "I caschi blu uruguaiani restano in Congo."),
        ("de", "Die uruguayischen Blauhelme bleiben im Kongo."),
    ],
)
def test_congo_alone_is_dr_congo(nlp, language, text):
    assert "DR Congo" in _analyse(nlp, language, "", text)["countries"]


# round 13: a preposition cue ("gegen") whose object is an actor is against that actor, not the force;
# "warnen" needs the force in its clause (sentences written for this test)
@pytest.mark.parametrize(
    "text,cue",
    [
        ("Seit Portugal eine Offensive gegen die Hisbollah begonnen hat, geraten Blauhelme ins Kreuzfeuer.", "gegen"),
        ("Die Blauhelme bleiben im Land. Daraufhin hatten Frankreich und Belgien Serbien gewarnt.", "gewarnt"),
    ],
)
def test_no_rule_stance_against_another_actor(nlp, text, cue):
    result = _analyse(nlp, "de", "Blauhelme", text)
    mechanisms = [s["explanation"]["mechanism"] for s in result["stances"]]
    assert not any(m.startswith(f"rule: cue '{cue}'") for m in mechanisms), mechanisms


def test_against_the_force_still_opposes(nlp):
    result = _analyse(
        nlp, "de", "Friedenstruppe", "Ungarn ist gegen die Entsendung einer Friedenstruppe in die Ukraine."
    )
    assert {s["actor"]: s["stance"] for s in result["stances"]} == {"Hungary": "oppose"}
