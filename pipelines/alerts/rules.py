"""Alert rules: the :class:`Rule` record, its validation, and the YAML file that keeps them.

The rules file (default ``<data_dir>/alerts.yaml``, contract ``schemas/json/alert_rule.v1.json``)
looks like::

    version: 1
    rules:
      - name: ceasefire-fr
        query: 'ceasefire OR "peace force"~3'
        country: France
        channels: [webhook:env:PEACEWATCH_WEBHOOK_URL, email:desk@example.org]
        throttle: 1h

It is written atomically (temporary file + rename), so pipeline workers that reload it when its
modification time changes (:class:`RuleFileWatcher`) never read half a file.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peacewatch.durations import parse_duration
from peacewatch.errors import UserError
from peacewatch.files import private_dir, write_private_text
from pipelines.alerts.channels import ALWAYS_ON_CHANNELS, parse_channel

logger = logging.getLogger(__name__)

KINDS = ("match", "stance_change", "spike")
STANCES = ("support", "oppose", "undecided")
DIGESTS = ("hourly", "daily")
KEY_BY = ("country", "source", "actor")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


@dataclass
class Rule:
    """One alert rule.

    Attributes:
        name: unique, lower-case letters, digits, ``-``, ``_`` and ``.``.
        query: Lucene query string; empty means every article (``*:*``).
        kind: ``match`` (an alert per matching article), ``stance_change`` or ``spike``.
        enabled: disabled rules are kept but never matched.
        country, actor, stance, source: filters; ``actor`` and ``stance`` must hold in the same
            stance of the article.
        mission: a missions catalogue id: the article is about it (with ``actor``/``stance``: the
            same stance is on it); a stance-change rule follows stances on this mission only.
        min_relevance: the article's relevance must be at least this.
        channels: channel specs (``webhook:URL``, ``slack:URL``, ``email:ADDRESS``, ``tail``);
            ``index`` and ``topic`` are always on.
        throttle: at most one notification per this duration (``1h``) per rule and key.
        key_by: what the throttle key is: ``country``, ``source`` or ``actor``.
        digest: ``hourly`` or ``daily``: notifications are grouped into one message per period.
        term: for spike rules, what is counted (a query; defaults to ``query``).
        spike_k, spike_min_count, spike_baseline_hours: the spike statistic (see ``spikes.py``).
        min_confidence: for stance-change rules, ignore stances less confident than this.
        description: free text.
    """

    name: str
    query: str = ""
    kind: str = "match"
    enabled: bool = True
    country: str | None = None
    actor: str | None = None
    stance: str | None = None
    mission: str | None = None
    source: str | None = None
    min_relevance: float | None = None
    channels: list[str] = field(default_factory=list)
    throttle: str | None = None
    key_by: str | None = None
    digest: str | None = None
    term: str | None = None
    spike_k: float = 3.0
    spike_min_count: int = 5
    spike_baseline_hours: int = 24
    min_confidence: float = 0.5
    description: str | None = None

    @property
    def effective_query(self) -> str:
        """The query that decides whether an article is counted or alerted on."""
        if self.kind == "spike" and self.term:
            return self.term
        return self.query.strip() or "*:*"

    @property
    def all_channels(self) -> list[str]:
        """The configured channels plus the always-on ``index`` and ``topic``, without repeats."""
        out = list(ALWAYS_ON_CHANNELS)
        for spec in self.channels:
            if spec not in out:
                out.append(spec)
        return out

    @property
    def throttle_seconds(self) -> int | None:
        return parse_duration(self.throttle, "throttle")

    def to_dict(self) -> dict[str, Any]:
        """The rule as it is written in the rules file: defaults and empty values left out."""
        defaults = Rule(name=self.name)
        out: dict[str, Any] = {"name": self.name}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name != "name" and value != getattr(defaults, f.name) and value not in (None, "", []):
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "rule") -> Rule:
        """Builds a rule from a mapping, naming ``where`` in errors about unknown keys or types."""
        if not isinstance(data, Mapping):
            raise UserError(f"{where}: expected a mapping of rule settings, got {type(data).__name__}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise UserError(f"{where}: unknown key(s) {', '.join(unknown)}", f"known keys: {', '.join(sorted(known))}")
        values = dict(data)
        if "kind" in values and isinstance(values["kind"], str):
            values["kind"] = values["kind"].replace("-", "_")
        if isinstance(values.get("channels"), str):
            values["channels"] = [values["channels"]]
        try:
            return cls(**values)
        except TypeError as exc:
            raise UserError(f"{where}: {exc}") from None


def validate_rule(rule: Rule, *, check_secrets: bool = False) -> None:
    """Checks a rule completely, so that nothing about it can fail in the stream.

    Args:
        rule: the rule.
        check_secrets: read the ``env:``/``file:`` channel targets available here and check that
            they hold http(s) URLs (``add`` and ``sync``).

    Raises:
        UserError: naming the rule and the problem; for query errors a
            :class:`~pipelines.alerts.query.QuerySyntaxError` with the position.
    """
    where = f"rule {rule.name!r}"
    _check_shape(rule, where)
    _check_queries(rule, where)
    if rule.mission is not None:
        from pipelines.nlp.missions import load_catalogue

        try:
            load_catalogue().check_id(rule.mission)
        except UserError as exc:
            raise UserError(f"{where}: {exc.message}", exc.hint) from None
    _check_choices(rule, where)
    if not isinstance(rule.channels, list):
        raise UserError(f"{where}: channels must be a list")
    for spec in rule.channels:
        parse_channel(spec, where, check_secrets=check_secrets)


def _check_shape(rule: Rule, where: str) -> None:
    """The name, and the type of every field."""
    if not isinstance(rule.name, str) or not NAME_RE.match(rule.name):
        raise UserError(
            f"rule name {rule.name!r} is not valid",
            "use lower-case letters, digits, '-', '_' or '.', at most 64 characters",
        )
    for name in (
        "query",
        "country",
        "actor",
        "stance",
        "mission",
        "source",
        "throttle",
        "key_by",
        "digest",
        "term",
        "description",
    ):
        value = getattr(rule, name)
        if value is not None and not isinstance(value, str):
            raise UserError(f"{where}: {name} must be text, not {type(value).__name__}")
    if not isinstance(rule.enabled, bool):
        raise UserError(f"{where}: enabled must be true or false")
    if rule.kind not in KINDS:
        raise UserError(f"{where}: kind {rule.kind!r} is not one of {', '.join(KINDS)}")
    for name in ("spike_k", "min_confidence"):
        if not isinstance(getattr(rule, name), (int, float)) or getattr(rule, name) < 0:
            raise UserError(f"{where}: {name} must be a non-negative number")
    for name in ("spike_min_count", "spike_baseline_hours"):
        if not isinstance(getattr(rule, name), int) or getattr(rule, name) < 1:
            raise UserError(f"{where}: {name} must be a whole number of at least 1")


def _check_queries(rule: Rule, where: str) -> None:
    """The query and the spike term parse (a syntax error keeps its position)."""
    from pipelines.alerts.query import QuerySyntaxError, parse

    for text, label in ((rule.effective_query, "query"), (rule.term, "term")):
        if text is None or (label == "term" and not text):
            continue
        try:
            parse(text)
        except QuerySyntaxError as exc:
            raise QuerySyntaxError(f"{where}: {label}: {exc.message}", exc.hint, exc.position, exc.query) from None
    if rule.kind == "spike" and not (rule.term or rule.query.strip()):
        raise UserError(f"{where}: a spike rule needs --term (what to count)", "e.g. --term 'ceasefire'")


def _check_choices(rule: Rule, where: str) -> None:
    """Values that must be one of a few: stance, relevance, digest, key, throttle."""
    if rule.stance is not None and rule.stance not in STANCES:
        raise UserError(f"{where}: stance {rule.stance!r} is not one of {', '.join(STANCES)}")
    if rule.min_relevance is not None and not (
        isinstance(rule.min_relevance, (int, float)) and 0 <= rule.min_relevance <= 1
    ):
        raise UserError(f"{where}: min_relevance must be a number between 0 and 1")
    if rule.digest is not None and rule.digest not in DIGESTS:
        raise UserError(f"{where}: digest {rule.digest!r} is not one of {', '.join(DIGESTS)}")
    if rule.key_by is not None and rule.key_by not in KEY_BY:
        raise UserError(f"{where}: key_by {rule.key_by!r} is not one of {', '.join(KEY_BY)}")
    throttle = parse_duration(rule.throttle, f"{where}: throttle")
    if throttle is not None and throttle <= 0:
        raise UserError(f"{where}: throttle must be positive")


class RuleStore:
    """The rules file: read, changed and written atomically.

    Args:
        path: the YAML file; it need not exist yet.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def load(self) -> list[Rule]:
        """Returns every rule in the file (validated), or an empty list when there is no file."""
        if not self.path.exists():
            return []
        return load_rules_file(self.path)

    def get(self, name: str) -> Rule:
        """Returns the rule called ``name``.

        Raises:
            UserError: when there is none.
        """
        for rule in self.load():
            if rule.name == name:
                return rule
        raise UserError(f"no rule called {name!r} in {self.path}", "see `peacewatch alerts list`")

    def add(self, rule: Rule, replace: bool = False) -> None:
        """Validates and adds ``rule``; with ``replace`` an existing rule of that name is replaced."""
        validate_rule(rule, check_secrets=True)
        rules = self.load()
        names = [r.name for r in rules]
        if rule.name in names:
            if not replace:
                raise UserError(
                    f"a rule called {rule.name!r} already exists", "choose another name, or remove it first"
                )
            rules[names.index(rule.name)] = rule
        else:
            rules.append(rule)
        self._write(rules)

    def remove(self, name: str) -> None:
        """Removes the rule called ``name`` (UserError when there is none).

        The other entries are kept as they are written, unvalidated: a rule refused at load (a
        bad channel stored by an older version) can itself be removed this way.
        """
        import yaml

        entries = _raw_entries(self.path)
        kept = [e for e in entries if not (isinstance(e, Mapping) and e.get("name") == name)]
        if len(kept) == len(entries):
            raise UserError(f"no rule called {name!r} in {self.path}", "see `peacewatch alerts list`")
        private_dir(self.path.parent)
        write_private_text(
            self.path, yaml.safe_dump({"version": 1, "rules": kept}, sort_keys=False, allow_unicode=True)
        )

    def set_enabled(self, name: str, enabled: bool) -> None:
        """Enables or disables the rule called ``name``."""
        rules = self.load()
        for rule in rules:
            if rule.name == name:
                rule.enabled = enabled
                self._write(rules)
                return
        raise UserError(f"no rule called {name!r} in {self.path}", "see `peacewatch alerts list`")

    def sync(self, file: str | os.PathLike[str], prune: bool = True) -> dict[str, list[str]]:
        """Makes the store hold the rules of ``file`` (a rules file kept in version control).

        Every rule of ``file`` is validated before anything is written, so a bad file changes
        nothing.

        Args:
            file: a YAML rules file.
            prune: remove rules that ``file`` does not have.

        Returns:
            The names ``added``, ``changed``, ``removed`` and ``unchanged``.
        """
        wanted = load_rules_file(Path(file), check_secrets=True)
        current = {r.name: r for r in self.load()}
        report: dict[str, list[str]] = {"added": [], "changed": [], "removed": [], "unchanged": []}
        for rule in wanted:
            old = current.get(rule.name)
            key = "added" if old is None else "unchanged" if old == rule else "changed"
            report[key].append(rule.name)
        kept = [] if prune else [r for n, r in current.items() if n not in {w.name for w in wanted}]
        if prune:
            report["removed"] = sorted(set(current) - {r.name for r in wanted})
        self._write(kept + wanted)
        return report

    def _write(self, rules: list[Rule]) -> None:
        import yaml

        private_dir(self.path.parent)
        body = {"version": 1, "rules": [r.to_dict() for r in rules]}
        text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True)
        write_private_text(self.path, text)  # atomic: workers never read half a file


def _raw_entries(path: Path) -> list[Any]:
    """The rule entries of a rules file as written (no validation); [] when there is no file."""
    import yaml

    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"{path}: cannot read rules: {str(exc).splitlines()[0]}", "fix the YAML syntax") from None
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and isinstance(data.get("rules") or [], list):
        return list(data.get("rules") or [])
    raise UserError(f"{path}: expected 'version: 1' and a list under 'rules'")


def load_rules_file(path: Path, *, check_secrets: bool = False) -> list[Rule]:
    """Reads and validates a rules file (``check_secrets``: see :func:`validate_rule`).

    Raises:
        UserError: naming the file, the rule and the problem.
    """
    import yaml

    from pipelines.alerts.query import QuerySyntaxError

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(
            f"{path}: cannot read rules: {exc.strerror}",
            "pass the path of a rules YAML file ('version: 1' and a 'rules:' list)",
        ) from None
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}", "fix the YAML syntax") from None
    if data is None:
        return []
    if isinstance(data, list):
        data = {"version": 1, "rules": data}
    if not isinstance(data, dict) or not isinstance(data.get("rules", []), list):
        raise UserError(f"{path}: expected 'version: 1' and a list under 'rules'")
    if data.get("version", 1) != 1:
        raise UserError(f"{path}: rules file version {data.get('version')!r} is not supported (expected 1)")
    rules: list[Rule] = []
    seen: set[str] = set()
    for number, item in enumerate(data.get("rules") or []):
        where = f"{path}: rules[{number}]"
        rule = Rule.from_dict(item, where)
        try:
            validate_rule(rule, check_secrets=check_secrets)
        except QuerySyntaxError as exc:
            raise QuerySyntaxError(f"{path}: {exc.message}", exc.hint, exc.position, exc.query) from None
        except UserError as exc:
            hint = f"{exc.hint or 'fix it'}; or remove the rule with `peacewatch alerts remove {rule.name}`"
            raise UserError(f"{path}: {exc.message}", hint) from None
        if rule.name in seen:
            raise UserError(f"{where}: the name {rule.name!r} is used twice")
        seen.add(rule.name)
        rules.append(rule)
    return rules


def default_rules_path(settings: Any) -> Path:
    """``<data_dir>/alerts.yaml``."""
    return Path(settings.data_dir) / "alerts.yaml"


class RuleFileWatcher:
    """Gives the current rules, re-reading the file when its modification time changes.

    Pipeline workers call :meth:`current` per bundle; the file is stat-ed at most every
    ``interval`` seconds. When a new version is invalid the previous rules stay in force and the
    problem is logged once (a half-edited file must not stop the stream).

    Args:
        path: the rules file.
        interval: seconds between checks of the modification time.
        clock: for tests.
    """

    def __init__(
        self, path: str | os.PathLike[str], interval: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.path = Path(path)
        self.interval = interval
        self.clock = clock
        self._checked = float("-inf")
        self._stamp: tuple[int, int] | None = None
        self._rules: list[Rule] = []
        self.version = 0
        self.last_error: str | None = None

    def current(self) -> list[Rule]:
        """Returns the rules in force; ``version`` increases each time they change."""
        now = self.clock()
        if now - self._checked < self.interval:
            return self._rules
        self._checked = now
        try:
            stat = self.path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp == self._stamp and self.version:
            return self._rules
        try:
            rules = RuleStore(self.path).load()
        except UserError as exc:
            if str(exc) != self.last_error:
                logger.error("alert rules not reloaded, keeping the previous ones: %s", exc)
            self.last_error = str(exc)
            return self._rules
        self._stamp = stamp
        self._rules = rules
        self.version += 1
        self.last_error = None
        return rules


def enabled(rules: Iterable[Rule]) -> list[Rule]:
    """The enabled rules."""
    return [r for r in rules if r.enabled]
