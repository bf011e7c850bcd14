"""Text every producer and consumer can trust: no control characters, no lone surrogates.

NUL and the other C0/C1 control characters (tab and newline excepted; a carriage return becomes a
newline) break terminals, logs, Kibana and some Elasticsearch analyzers; a lone UTF-16 surrogate
(``"\\ud800"`` in JSON) cannot even be encoded as UTF-8. Connectors strip them before publishing
and the pipeline again before indexing (its input may come from any producer).
"""

from __future__ import annotations

import re
from typing import Any

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_CARRIAGE = re.compile("\r\n?")


def strip_controls(text: str) -> str:
    """``text`` without control characters (``\\t`` and ``\\n`` kept, ``\\r`` -> ``\\n``) and lone surrogates."""
    if text.isprintable():  # the common case, at C speed
        return text
    if "\r" in text:
        text = _CARRIAGE.sub("\n", text)
    return _CONTROLS.sub("", text)


def scrub(value: Any) -> Any:
    """Strips control characters from every string in ``value`` (dicts and lists included), in place
    for containers; returns the cleaned value."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (str, dict, list)):
                value[key] = scrub(item)
        return value
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, (str, dict, list)):
                value[index] = scrub(item)
        return value
    return value
