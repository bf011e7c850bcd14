"""Text analysis shared by rules and articles: Elasticsearch's ``standard`` analyzer, then folding.

The tokenizer follows the Unicode word-break rules that Lucene's ``StandardTokenizer`` implements
(UAX #29) closely enough for news text: letters and digits join, ``.`` and ``'`` join letters to
letters (``U.S.`` -> ``u.s``, ``don't``), ``.`` and ``,`` join digits to digits (``1,000``,
``3.5``), ``:`` joins letters (``foo:bar``), ``_`` joins anything, every Han ideograph and
Hiragana character is a token of its own, everything else separates. Tokens are lower-cased like
the ``lowercase`` filter.

Accents: unlike the plain ``standard`` analyzer we *fold* accents on both sides (what ES's
``asciifolding`` filter would do), so ``Zelenskyy`` matches ``Zelénskyy`` and ``etat`` matches
``État``. This is the one documented difference from a stock ``query_string`` on a ``standard``
field.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

logger = logging.getLogger(__name__)

_IDEOGRAPHIC = "\u3040-\u309f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_MID_LETTER = ":\u00b7\u0387\u05f4\u2027\ufe13\ufe55\uff1a"
_MID_NUM_LET = ".'\u2018\u2019\u2024\ufe52\uff07\uff0e"
_MID_NUM = ",;\u037e\u0589\u060c\u060d\u066c\u07f8\u2044\ufe10\ufe14\ufe50\ufe54\uff0c\uff1b"
_CORE = rf"[^\W{_IDEOGRAPHIC}]"  # letters, digits, underscore; not ideographs
_LETTER = rf"[^\W\d_{_IDEOGRAPHIC}]"
_JOIN = (
    rf"(?:(?<={_LETTER})[{_MID_LETTER}{_MID_NUM_LET}](?={_LETTER})"
    rf"|(?<=\d)[{_MID_NUM}{_MID_NUM_LET}](?=\d))"
)
TOKEN_RE = re.compile(rf"[{_IDEOGRAPHIC}]|{_CORE}+(?:{_JOIN}{_CORE}+)*")
MAX_TOKEN_LENGTH = 255
POSITION_GAP = 100  # Elasticsearch's position_increment_gap between values of an array

# Letters NFKD does not decompose but asciifolding does.
_FOLD_EXTRA = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "ø": "o",
        "œ": "oe",
        "đ": "d",
        "ð": "d",
        "ł": "l",
        "þ": "th",
        "ı": "i",
        "ħ": "h",
        "ŋ": "n",
        "ſ": "s",
        "ŧ": "t",
        "’": "'",
        "‘": "'",
    }
)


class Token(NamedTuple):
    """One token: its folded text, its position, and where it is in the original string."""

    text: str
    position: int
    start: int
    end: int


@functools.lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower-cases and removes accents (``État`` -> ``etat``), like ``lowercase`` + ``asciifolding``."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered.translate(_FOLD_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokenize(text: str, first_position: int = 0) -> Iterator[Token]:
    """Yields the folded tokens of ``text`` with positions and character offsets.

    Args:
        text: any string.
        first_position: the position of the first token (arrays leave gaps between values).
    """
    position = first_position
    for found in TOKEN_RE.finditer(text):
        word = found.group()
        if len(word) > MAX_TOKEN_LENGTH or not word.strip("_"):
            continue
        yield Token(fold(word), position, found.start(), found.end())
        position += 1


def analyze(text: str) -> list[str]:
    """Returns the folded tokens of ``text`` (what a query term or phrase becomes)."""
    return [token.text for token in tokenize(text)]
