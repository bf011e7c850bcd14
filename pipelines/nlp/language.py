"""Offline language identification from stop-word profiles (no model download, no dependency).

Good enough to route news articles: English is analysed, other languages are reported with
their code. Scripts (Cyrillic, Arabic, CJK...) are recognised first, then Latin-script languages
by the share of their most frequent function words.
"""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

_STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of to in is that for on with as by was are it "
        "from has have be at said will not this which his their an would who",
        "de": "der die und das ist nicht zu den von mit sich des auf für "
        "ein eine im dem auch es wird werden hat sind nach bei über wie",
        "fr": "le la les et des du un une est dans pour que qui sur pas par au "
        "aux avec ce se ont sont il elle été plus selon l d n qu à ne",
        "es": "el la los las y de del que en un una es por con "
        "para se no al su sus como más ha fue según pero sobre este",
        "it": "il la le gli e di del della che in un una è per "
        "con non si al dei delle sono ha anche come più alla nel dell all",
        "pt": "o a os as e de do da dos das que em um uma é para com não se no na por ao mais foi como pelo pela",
        "nl": "de het een en van in is dat op te met voor niet zijn er aan ook als bij door wordt worden heeft maar",
        "pl": "i w na nie z się do że to jest o jak przez po za od dla jego ale czy być także oraz już może",
        "sv": "och i att det som en på är av för med till den inte har de om ett var men också från kan",
        "da": "og i at det som en på er af for med til den ikke har de om et var men også fra kan",
        "no": "og i at det som en på er av for med til den ikke har de om et var men også fra kan",
        "fi": "ja on ei se että hän oli ovat mutta myös kun tai joka sekä jo vain ole olla",
        "tr": "ve bir bu da de için ile olarak çok daha gibi olan en ama ne kadar sonra göre",
        "ro": "și în de la cu pe să nu a o un care din pentru este mai se că au fost",
        "cs": "a v se na je že to s z do o k jsou by jako ale pro i také podle který",
        "hr": "i u je na da se za od su s što kao a iz ali koji bi o",
        "hu": "a az és hogy nem is egy meg ez de van volt csak már mint kell",
        "id": "yang dan di ini itu dengan untuk dari dalam tidak akan pada juga ke ada oleh",
    }.items()
}

_SCRIPTS: list[tuple[str, re.Pattern[str]]] = [
    ("uk", re.compile(r"[іїєґІЇЄҐ]")),
    ("ru", re.compile(r"[а-яА-ЯёЁ]")),
    ("ar", re.compile(r"[\u0600-\u06FF]")),
    ("he", re.compile(r"[\u0590-\u05FF]")),
    ("el", re.compile(r"[\u0370-\u03FF]")),
    ("zh", re.compile(r"[\u4E00-\u9FFF]")),
    ("ja", re.compile(r"[\u3040-\u30FF]")),
    ("ko", re.compile(r"[\uAC00-\uD7AF]")),
]
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Letters that only some Latin-script languages use: each counts like a function word for them
# (short texts have few function words; "ł", "ż", "ß" settle them).
_LETTERS: dict[str, frozenset[str]] = {
    "pl": frozenset("ąęłńśźż"),
    "de": frozenset("äöüß"),
    "fr": frozenset("œçèêëîïûù"),
    "es": frozenset("ñ¿¡"),
    "pt": frozenset("ãõ"),
    "it": frozenset("ìò"),
    "cs": frozenset("ěřůťď"),
    "ro": frozenset("șțăâ"),
    "tr": frozenset("ğış"),
    "hu": frozenset("őű"),
    "da": frozenset("æø"),
    "no": frozenset("æø"),
    "sv": frozenset("å"),
}
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")


def detect_language(text: str, *, max_chars: int = 3000) -> str | None:
    """Guess the ISO 639-1 code of ``text``.

    Args:
        text: the text (title and body).
        max_chars: only this many leading characters are inspected.

    Returns:
        A language code, or None when the text has too few words to tell.
    """
    sample = text[:max_chars]
    letters = sum(1 for c in sample if c.isalpha())
    if not letters:
        return None
    for lang, pattern in _SCRIPTS:
        hits = len(pattern.findall(sample))
        if hits / letters > 0.3:
            if lang == "ru" and _SCRIPTS[0][1].search(sample):
                return "uk"
            return lang
    # the English possessive "'s" would count as the Czech/Slovak "s" ("Sudan's army-led government")
    words = [w.casefold() for w in _WORD.findall(_POSSESSIVE.sub("", sample))]
    if len(words) < 3:
        return None
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
    lowered = sample.casefold()
    for lang, letters_of in _LETTERS.items():
        scores[lang] += min(sum(1 for c in lowered if c in letters_of), len(words) // 2)
    best = max(scores, key=lambda lang: (scores[lang], lang == "en"))
    if scores[best] == 0:
        return None
    return best


SHORT_TEXT_WORDS = 60  # below this, a declared language outweighs the stop-word guess


def resolve_language(text: str, declared: str | None) -> str | None:
    """The language to analyse ``text`` in: the detected one, except that a declared language
    (the feed's) wins on short texts, where a few shared function words decide the guess.

    Args:
        text: title and body.
        declared: the language the source declares (ISO 639-1), if any.

    Returns:
        A language code, or None when there is nothing to tell it from.
    """
    detected = detect_language(text)
    declared = (declared or "").split("-")[0].lower() or None
    if detected and declared and detected != declared and len(_WORD.findall(text[:3000])) < SHORT_TEXT_WORDS:
        return declared
    return detected or declared
