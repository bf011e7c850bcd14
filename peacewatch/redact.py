"""The one redaction helper: secrets never reach a terminal, a log, a dead letter or a status line.

Everything printed, logged or written that may carry a URL or an error message goes through
:func:`redact` (free text) or :func:`redact_url` (one URL). What is removed:

* user-info in URLs (``https://user:pass@host`` -> ``https://***@host``);
* values of query parameters and ``key=value`` / ``key: value`` pairs whose name says secret
  (``token``, ``key``, ``api_key``, ``sig``, ``signature``, ``secret``, ``password``, ``auth``,
  ``credential``, ``session``, ...), and ``Authorization``-style headers (``Bearer``, ``Basic``,
  ``ApiKey``);
* tokens in URL paths: everything after a known webhook prefix (Slack ``/services/``, Discord
  ``/api/webhooks/``, ...) and any path segment that looks like a credential (16+ characters
  mixing letters and digits, or 32+ hex digits);
* every value registered with :func:`register_secret` (API keys, passwords and webhook URLs
  read from the environment or from files), wherever it appears.

:func:`origin` keeps only the scheme, host and port (how channels are named). Logging goes
through :class:`RedactingFilter`, installed on the root handlers by :func:`install_log_redaction`.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from urllib.parse import urlsplit

MASK = "***"
_MIN_SECRET = 6  # shorter registered values would mask ordinary words

_SECRET_NAMES = (
    r"(?:(?:proxy-)?authorization|cookie|[a-z0-9_.-]*(?:token|secret|passw(?:or)?d|passwd|pwd|api[_-]?key|apikey|access[_-]?key|"
    r"private[_-]?key|client[_-]?secret|credential|signature|session(?:id)?|auth))|key|sig|"
    r"x-amz-[a-z-]+|x-goog-[a-z-]+"
)
# name=value in query strings and prose, name: value in headers and dicts, "name": "value" in JSON.
_PAIR = re.compile(
    rf"""(?P<name>["']?\b(?:{_SECRET_NAMES})\b["']?)(?P<sep>\s*[=:]\s*)(?P<quote>["']?)(?P<value>[^\s&"',;)}}\]]+)""",
    re.IGNORECASE,
)
_AUTH_HEADER = re.compile(
    r"\b(?P<scheme>Bearer|Basic|ApiKey|Token|Digest)\s+(?P<value>[A-Za-z0-9._~+/=-]{6,})", re.IGNORECASE
)
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s<>\"'`]+", re.IGNORECASE)
# "url: /services/T0/B0/secret" (urllib3 errors), "POST /services/... HTTP/1.1" (urllib3 debug
# logs) and bare absolute paths after "url" or "path".
_BARE_PATH = re.compile(
    r"(?P<lead>\b(?:url|path)[:=]\s*|\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) )"
    r"(?P<path>/[^\s'\"]*)",
    re.IGNORECASE,
)
_USERINFO = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<info>[^/\s]*)@", re.IGNORECASE)
# Path prefixes after which everything is a credential (incoming-webhook URLs).
_HOOK_PREFIXES = re.compile(
    r"(?P<prefix>/services/|/api/webhooks/|/webhookb2/|/hooks/|/webhook/|/webhooks/|/triggers/|/workflows/)"
    r"(?P<rest>[^?#\s]+)",
    re.IGNORECASE,
)
_HEX_OR_UUID = re.compile(r"^[0-9a-fA-F]{32,}$|^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_TOKENISH = re.compile(r"^[A-Za-z0-9_~.%-]{16,}$")

_registered: set[str] = set()
_registered_lock = threading.Lock()
_registered_re: re.Pattern[str] | None = None


def register_secret(value: str | None) -> None:
    """Remembers a secret value so that :func:`redact` masks it wherever it appears.

    Values shorter than 6 characters are ignored (they would mask ordinary words).
    """
    global _registered_re
    if not value or not isinstance(value, str) or len(value.strip()) < _MIN_SECRET:
        return
    value = value.strip()
    with _registered_lock:
        if value in _registered:
            return
        _registered.add(value)
        ordered = sorted(_registered, key=len, reverse=True)
        _registered_re = re.compile("|".join(re.escape(v) for v in ordered))


def _redact_path(path: str) -> str:
    if "?" in path:
        path, _, query = path.partition("?")
        return _redact_path(path) + "?" + _PAIR.sub(_mask_pair, query)
    hook = _HOOK_PREFIXES.search(path)
    if hook:
        path = path[: hook.start("rest")] + MASK + path[hook.end("rest") :]
    return "/".join(MASK if _looks_like_token(part) else part for part in path.split("/"))


def _looks_like_token(segment: str) -> bool:
    """A path segment that is a credential rather than a name: hex digests, UUIDs, and long
    runs mixing digits with letters in both cases (or with no hyphen at all). Article slugs
    (lower-case words joined by hyphens) stay readable."""
    if _HEX_OR_UUID.match(segment):
        return True
    if not _TOKENISH.match(segment) or not any(c.isdigit() for c in segment) or not any(c.isalpha() for c in segment):
        return False
    mixed_case = any(c.isupper() for c in segment) and any(c.islower() for c in segment)
    return mixed_case or ("-" not in segment and len(segment) >= 20)


def redact_url(url: str) -> str:
    """One URL with its user-info, secret query values and token-like path segments masked.

    Scheme, host, port and ordinary path segments and parameters stay, so the URL still says
    where it points. Text that is not a URL is returned through :func:`redact`.
    """
    if not isinstance(url, str):
        return url
    match = _USERINFO.match(url)
    if match:
        url = f"{match.group('scheme')}{MASK}@{url[match.end() :]}"
    try:
        parts = urlsplit(url)
    except ValueError:
        return _redact_text(url)
    if not parts.scheme or not parts.netloc:
        return _redact_text(url)
    path = _redact_path(parts.path)
    query = _PAIR.sub(_mask_pair, parts.query) if parts.query else ""
    fragment = _PAIR.sub(_mask_pair, parts.fragment) if parts.fragment else ""
    out = f"{parts.scheme}://{parts.netloc}{path}"
    if query:
        out += f"?{query}"
    if fragment:
        out += f"#{fragment}"
    return _mask_registered(out)


def _mask_pair(match: re.Match[str]) -> str:
    return f"{match.group('name')}{match.group('sep')}{match.group('quote')}{MASK}"


def _mask_registered(text: str) -> str:
    pattern = _registered_re
    return pattern.sub(MASK, text) if pattern is not None else text


def _redact_text(text: str, keep_paths: bool = True) -> str:
    text = _mask_registered(text)
    if keep_paths:
        text = _BARE_PATH.sub(lambda m: m.group("lead") + _redact_path(m.group("path")), text)
    else:
        text = _BARE_PATH.sub(lambda m: m.group("lead") + "…", text)
    text = _AUTH_HEADER.sub(lambda m: f"{m.group('scheme')} {MASK}", text)
    return _PAIR.sub(_mask_pair, text)


def redact(text: object, *, keep_paths: bool = True) -> str:
    """Free text (an error, a log line, a status field) with every secret in it masked.

    Args:
        text: anything; non-strings are converted with ``str``.
        keep_paths: False reduces every URL to its :func:`origin` (scheme, host, port) and
            drops bare ``url: /path`` paths: for errors about webhooks, whose whole path is
            the secret.

    Returns:
        The text with URLs passed through :func:`redact_url` (or :func:`origin`) and secret
        pairs, authorization headers and registered secrets masked.
    """
    if text is None:
        return ""
    text = str(text)
    text = _mask_registered(text)
    if "://" in text:
        text = _URL.sub(lambda m: redact_url(m.group()) if keep_paths else origin(m.group()), text)
    return _redact_text(text, keep_paths)


def origin(url: str) -> str:
    """Only where a URL points: ``https://hooks.example.org/T0/B0/secret`` -> ``https://hooks.example.org/…``."""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return MASK
    if not parts.scheme or not parts.hostname:
        return MASK
    return f"{parts.scheme}://{parts.hostname}{port}/…"


class RedactingFilter(logging.Filter):
    """Renders each record's message (and traceback) once, redacted, before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logging's own error to report
            return True
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install_log_redaction(handlers: Iterable[logging.Handler] | None = None) -> None:
    """Adds the redacting filter to ``handlers`` (the root logger's by default), once each."""
    for handler in handlers if handlers is not None else logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
