"""Regular expressions and wildcards of alert rules, compiled so that matching takes linear time.

A rule's ``/regex/`` runs on RE2 (``google-re2``): an automaton, not a backtracking engine, so
``/(a+)+b/`` on a word of 40 a's costs microseconds instead of hours. What RE2 cannot run in
linear time (back-references such as ``\\1``, look-arounds such as ``(?=x)``) it refuses, and so
do we, with the reason, when the rule is added, synced or loaded. Patterns are also capped in
length and in the memory RE2 may use for them.

Wildcard words (``ukr*``, ``z?lenskyy``) with at most one ``*`` cannot backtrack more than
linearly in Python's ``re`` (faster per call for short words); from two ``*`` on
(``*a*a*a*b``, polynomial for a backtracking engine) they go to RE2 too.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from peacewatch.errors import PeacewatchError

MAX_PATTERN_LENGTH = 1000  # characters of one /regex/
MAX_PATTERN_MEMORY = 8 << 20  # bytes RE2 may use to compile one pattern (its own default)


class Matcher(Protocol):
    def fullmatch(self, text: str) -> Any: ...


class UnsafePattern(PeacewatchError, ValueError):
    """The pattern cannot be matched in bounded time; ``reason`` says why and ``hint`` what to do."""

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


_HINT = (
    "regular expressions run on RE2, in linear time: no back-references (\\1) and no look-arounds "
    "((?=, (?!, (?<=, (?<!); see pipelines/alerts/README.md"
)


def _options() -> Any:
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would print each refused pattern on stderr
    options.never_capture = True  # groups only group; nothing is extracted
    options.max_mem = MAX_PATTERN_MEMORY
    return options


def _explain(message: str, pattern: str) -> str:
    if "(?P=" in pattern and message.startswith("invalid perl operator: (?P"):
        return "named back-references are not supported ((?P=name))"
    if message.startswith("invalid escape sequence: \\") and message[-1:].isdigit():
        return f"back-references are not supported ({message.split(': ', 1)[1]})"
    if (
        message.startswith("invalid perl operator: (?=")
        or message.startswith("invalid perl operator: (?!")
        or message.startswith("invalid perl operator: (?<")
    ):
        return f"look-arounds are not supported ({message.split(': ', 1)[1]})"
    if "pattern too large" in message:
        return f"the pattern is too large for the matcher's memory limit ({MAX_PATTERN_MEMORY >> 20} MB)"
    return message


def fold_pattern(pattern: str, fold: Any) -> str:
    """Applies ``fold`` (lower-case, accents off) to the literal parts of ``pattern``, never to
    escapes or group syntax: ``\\D`` must not become ``\\d``, nor ``(?P<name>`` become ``(?p<name>``."""
    parts = re.split(r"(\\(?:[pP]\{[^}]*\}|.)|\(\?P)", pattern)
    return "".join(part if part.startswith(("\\", "(?P")) else fold(part) for part in parts)


def compile_regexp(pattern: str) -> Matcher:
    """Compiles a rule's ``/regex/`` body (already folded) with RE2.

    Raises:
        UnsafePattern: too long, or using what RE2 refuses (back-references, look-arounds,
            repetitions over 1000, an invalid syntax), with the reason.
    """
    import re2

    if len(pattern) > MAX_PATTERN_LENGTH:
        raise UnsafePattern(
            f"the regular expression is {len(pattern)} characters long, over {MAX_PATTERN_LENGTH}",
            "split it into several rules or use words and wildcards",
        )
    try:
        return re2.compile(pattern, _options())
    except re2.error as exc:
        message = exc.args[0] if exc.args else str(exc)
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        raise UnsafePattern(f"invalid regular expression: {_explain(str(message), pattern)}", _HINT) from None


def compile_wildcard(regex: str, stars: int) -> Matcher:
    """Compiles a wildcard translated to ``regex`` (``.*`` per ``*``, ``.`` per ``?``).

    Python's ``re`` for at most one ``*`` (linear), RE2 from two on.
    """
    if stars <= 1:
        return re.compile(regex, re.DOTALL)
    return compile_regexp("(?s)" + regex)
