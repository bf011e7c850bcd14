"""The feed list (``feeds.yaml``): which feeds to poll, how often, and with which options.

Every entry is checked when the file is loaded, so a typo fails at start-up with the entry and
the reason instead of silently polling nothing.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from peacewatch.errors import UserError

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 300.0  # seconds; polite for news feeds that update every few minutes
MIN_INTERVAL = 30.0
MAX_INTERVAL = 7 * 24 * 3600.0
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, None: 1}
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
_KNOWN_KEYS = frozenset(
    {"name", "url", "interval", "language", "tags", "full_text", "allow_file", "allow_private", "timezone", "enabled"}
)


@dataclasses.dataclass(frozen=True)
class FeedConfig:
    """One configured feed.

    Attributes:
        name: human name, used as the article ``source`` and in logs.
        url: http(s) URL of the feed, or a local path / ``file:`` URL when ``allow_file``.
        interval: seconds between polls (before jitter).
        language: ISO 639-1 code forced on every article; ``None`` keeps the feed's own.
        tags: tags added to every article from this feed.
        full_text: fetch article pages when the feed only carries summaries.
        allow_file: permit a local file as the feed source.
        allow_private: let links from this feed's content (full-text pages) reach loopback,
            private and link-local addresses; off by default (SSRF guard).
        timezone: IANA zone (``Asia/Shanghai``) for dates the feed writes without an offset;
            ``None`` takes them as UTC (and counts a warning).
    """

    name: str
    url: str
    interval: float = DEFAULT_INTERVAL
    language: str | None = None
    tags: tuple[str, ...] = ()
    full_text: bool = False
    allow_file: bool = False
    allow_private: bool = False
    timezone: str | None = None

    @property
    def is_file(self) -> bool:
        """True when the feed is read from the local file system."""
        return urlsplit(self.url).scheme in ("", "file")


def parse_interval(value: Any) -> float:
    """Turns ``300``, ``"90s"``, ``"5m"``, ``"1h"`` or ``"1d"`` into seconds.

    Raises:
        ValueError: when the value is not a duration within the allowed range.
    """
    if isinstance(value, bool):
        raise ValueError(f"interval must be a duration like 5m, not {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _INTERVAL.match(str(value))
        if not match:
            raise ValueError(f"interval must be a duration like 90s, 5m, 1h or 1d, not {value!r}")
        unit = match.group(2).lower() if match.group(2) else None
        seconds = float(match.group(1)) * _UNITS[unit]
    if not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        raise ValueError(f"interval must be between {MIN_INTERVAL:.0f}s and 7d, not {value!r}")
    return seconds


def check_timezone(value: Any) -> str:
    """Returns ``value`` when it names an IANA time zone (``Europe/Paris``, ``UTC``).

    Raises:
        ValueError: naming the value.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"timezone must be an IANA name like Asia/Shanghai, not {value!r}")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"timezone {value!r} is not an IANA time zone name (e.g. Asia/Shanghai, Europe/Paris)"
        ) from None
    return value


def _check_bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false, not {value!r}")
    return value


def feed_from_mapping(entry: Any, *, min_interval: float = MIN_INTERVAL) -> FeedConfig | None:
    """Builds a :class:`FeedConfig` from one ``feeds:`` entry.

    Returns:
        The feed, or ``None`` when the entry says ``enabled: false``.

    Raises:
        ValueError: naming the offending key.
    """
    if not isinstance(entry, dict):
        raise ValueError(f"expected a mapping with name and url, got {type(entry).__name__}")
    unknown = sorted(str(k) for k in entry if k not in _KNOWN_KEYS)
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(_KNOWN_KEYS))}")
    name, url = entry.get("name"), entry.get("url")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("name is required and must be a non-empty string")
    if not isinstance(url, str) or not url.strip():
        raise ValueError("url is required and must be a non-empty string")
    url = url.strip()
    allow_file = _check_bool("allow_file", entry.get("allow_file", False))
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("", "file"):
        if not allow_file:
            raise ValueError(f"url {url!r} is a local file; set allow_file: true to read it")
    elif scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ValueError(f"url {url!r} must be an http(s) URL")
    if "{query}" in url:
        raise ValueError("url still has the {query} placeholder; put a search term in it")
    interval = DEFAULT_INTERVAL
    if "interval" in entry:
        interval = parse_interval(entry["interval"])
    interval = max(interval, min_interval)
    language = entry.get("language")
    if language is not None and (not isinstance(language, str) or not _LANGUAGE.match(language)):
        raise ValueError(f"language must be a code like en or pt-BR, not {language!r}")
    tags = entry.get("tags", [])
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise ValueError("tags must be a list of non-empty strings")
    zone = entry.get("timezone")
    if zone is not None:
        check_timezone(zone)
    if not _check_bool("enabled", entry.get("enabled", True)):
        return None
    return FeedConfig(
        name=name.strip(),
        url=url,
        interval=interval,
        language=language.split("-")[0].split("_")[0].lower() if language else None,
        tags=tuple(t.strip() for t in tags),
        full_text=_check_bool("full_text", entry.get("full_text", False)),
        allow_file=allow_file,
        allow_private=_check_bool("allow_private", entry.get("allow_private", False)),
        timezone=zone,
    )


def feeds_from_data(data: Any, origin: str = "feeds.yaml", *, min_interval: float = MIN_INTERVAL) -> list[FeedConfig]:
    """Checks a decoded feeds file and returns its enabled feeds.

    Raises:
        UserError: naming the entry (index and name) and the reason.
    """
    if not isinstance(data, dict) or not isinstance(data.get("feeds"), list):
        raise UserError(f"{origin}: expected a top-level 'feeds:' list", "see connectors/feeds.yaml for an example")
    extra = sorted(str(k) for k in data if k != "feeds")
    if extra:
        raise UserError(f"{origin}: unknown top-level key(s) {', '.join(extra)}", "only 'feeds:' is allowed")
    feeds: list[FeedConfig] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(data["feeds"]):
        label = f"feeds[{index}]"
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            label += f" ({entry['name']})"
        try:
            feed = feed_from_mapping(entry, min_interval=min_interval)
        except ValueError as exc:
            raise UserError(f"{origin}: {label}: {exc}", "fix or remove this entry") from None
        if feed is None:
            continue
        if feed.url in seen:
            raise UserError(f"{origin}: {label}: url duplicates feeds[{seen[feed.url]}]", "remove one of them")
        seen[feed.url] = index
        feeds.append(feed)
    if not feeds:
        raise UserError(f"{origin}: no enabled feeds", "add at least one entry under 'feeds:'")
    return feeds


def load_feeds(path: str | Path, *, min_interval: float = MIN_INTERVAL) -> list[FeedConfig]:
    """Reads and checks ``feeds.yaml``.

    Args:
        path: the YAML file.
        min_interval: lower bound on poll intervals (tests lower it).

    Raises:
        UserError: when the file is missing, not YAML, or an entry is invalid.
    """
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"feeds file {path} does not exist", "pass --feeds PATH (see connectors/feeds.yaml)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read feeds file {path}: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}", "fix the YAML syntax") from None
    return feeds_from_data(data, str(path), min_interval=min_interval)


def describe(feeds: Iterable[FeedConfig]) -> str:
    """One line naming how many feeds there are and their shortest interval."""
    feeds = list(feeds)
    shortest = min((f.interval for f in feeds), default=DEFAULT_INTERVAL)
    return f"{len(feeds)} feed(s), shortest interval {shortest:.0f}s"
