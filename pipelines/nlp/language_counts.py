"""Per-language counts of analysed and skipped articles, for run summaries.

Results are counted under ``lang_analysed_<code>`` and ``lang_skipped_<code>`` (``none`` when the
language is unknown, i.e. there was no text): plain strings, so the same keys serve a
``collections.Counter`` in ``peacewatch analyze`` and Beam counters in ``peacewatch run``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping

logger = logging.getLogger(__name__)

ANALYSED_PREFIX = "lang_analysed_"
SKIPPED_PREFIX = "lang_skipped_"


def language_key(result: Mapping) -> str:
    """The counter key of one analysis result."""
    code = result.get("language") or "none"
    return (ANALYSED_PREFIX if result.get("analysed") else SKIPPED_PREFIX) + str(code)


def count_languages(results: Iterable[Mapping]) -> Counter:
    """Counter of :func:`language_key` over results."""
    return Counter(language_key(r) for r in results)


def format_language_counts(counts: Mapping[str, int]) -> str:
    """One line: ``analysed 12 (en 7, fr 3, de 2); skipped 3 (nl 2: language not analysed; 1 without text)``."""
    analysed = {k[len(ANALYSED_PREFIX) :]: v for k, v in counts.items() if k.startswith(ANALYSED_PREFIX) and v}
    skipped = {k[len(SKIPPED_PREFIX) :]: v for k, v in counts.items() if k.startswith(SKIPPED_PREFIX) and v}

    def listing(values: dict[str, int]) -> str:
        return ", ".join(f"{code} {n}" for code, n in sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))

    line = f"analysed {sum(analysed.values())}" + (f" ({listing(analysed)})" if analysed else "")
    reasons = []
    no_text = skipped.pop("none", 0)
    if skipped:
        reasons.append(f"{listing(skipped)}: language not analysed")
    if no_text:
        reasons.append(f"{no_text} without text")
    total = sum(skipped.values()) + no_text
    return line + f"; skipped {total}" + (f" ({'; '.join(reasons)})" if reasons else "")
