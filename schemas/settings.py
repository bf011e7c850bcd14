"""Where everything is: endpoints, credentials, names of topics and indices, local folders.

Settings come from, in increasing priority: built-in defaults, an optional ``peacewatch.yaml``
(the path in ``PEACEWATCH_CONFIG``, else ``./peacewatch.yaml``, else the per-user config folder),
and environment variables. Secrets (API keys, passwords) are only ever read from the
environment or from files named in it and never appear in ``repr`` or logs.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from schemas.errors import UserError
from schemas.redact import redact_url, register_secret

DEFAULT_ES_URL = "http://127.0.0.1:9200"
DEFAULT_EMULATOR_HOST = "127.0.0.1:8085"
DEFAULT_PROJECT = "peacewatch-local"
TOPICS = ("articles", "alerts", "deadletter")
INDICES = ("articles", "alerts", "deadletter", "stances", "reports")

# (yaml key, environment variable, type) for each setting that may come from outside.
_SOURCES: tuple[tuple[str, str, type], ...] = (
    ("es_url", "PEACEWATCH_ES_URL", str),
    ("es_api_key", "PEACEWATCH_ES_API_KEY", str),
    ("es_username", "PEACEWATCH_ES_USERNAME", str),
    ("es_password", "PEACEWATCH_ES_PASSWORD", str),
    ("es_ca_certs", "PEACEWATCH_ES_CA_CERTS", str),
    ("es_verify_certs", "PEACEWATCH_ES_VERIFY_CERTS", bool),
    ("es_timeout", "PEACEWATCH_ES_TIMEOUT", float),
    ("prefix", "PEACEWATCH_PREFIX", str),
    ("pubsub_project", "PUBSUB_PROJECT_ID", str),
    ("pubsub_emulator_host", "PUBSUB_EMULATOR_HOST", str),
    ("subscription_suffix", "PEACEWATCH_SUBSCRIPTION_SUFFIX", str),
    ("data_dir", "PEACEWATCH_DATA_DIR", str),
    ("cache_dir", "PEACEWATCH_CACHE_DIR", str),
    ("spacy_model", "PEACEWATCH_SPACY_MODEL", str),
    ("kibana_url", "PEACEWATCH_KIBANA_URL", str),
    ("missions_file", "PEACEWATCH_MISSIONS_FILE", str),
)
_SECRET_FILES = {"es_api_key": "PEACEWATCH_ES_API_KEY_FILE", "es_password": "PEACEWATCH_ES_PASSWORD_FILE"}
_SECRETS = frozenset({"es_api_key", "es_password"})


_ROOT_DIRS = {"XDG_DATA_HOME": "/var/lib/peacewatch", "XDG_CACHE_HOME": "/var/cache/peacewatch",
              "XDG_CONFIG_HOME": "/etc/peacewatch"}


def _user_dir(xdg_var: str, fallback: str) -> Path:
    """The per-user folder; for root the system one, which unprivileged services can reach."""
    base = os.environ.get(xdg_var)
    if base:
        return Path(base) / "peacewatch"
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path(_ROOT_DIRS[xdg_var])
    return Path.home() / fallback / "peacewatch"


def state_path(data_dir: str | Path) -> Path:
    """Where ``peacewatch services up`` records the endpoints of the services it started."""
    return Path(data_dir) / "run" / "services.json"


def _local_services(data_dir: str) -> dict[str, Any]:
    try:
        state = json.loads(state_path(data_dir).read_text())
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


@dataclasses.dataclass(frozen=True)
class Settings:
    """Resolved configuration. Build it with :func:`load_settings`."""

    es_url: str = DEFAULT_ES_URL
    es_api_key: str | None = dataclasses.field(default=None, repr=False)
    es_username: str | None = None
    es_password: str | None = dataclasses.field(default=None, repr=False)
    es_ca_certs: str | None = None
    es_verify_certs: bool = True
    es_timeout: float = 30.0
    prefix: str = "peacewatch"
    pubsub_project: str = DEFAULT_PROJECT
    pubsub_emulator_host: str | None = None
    subscription_suffix: str = "pipeline"
    data_dir: str = dataclasses.field(default_factory=lambda: str(_user_dir("XDG_DATA_HOME", ".local/share")))
    cache_dir: str = dataclasses.field(default_factory=lambda: str(_user_dir("XDG_CACHE_HOME", ".cache")))
    spacy_model: str | None = None
    kibana_url: str = "http://127.0.0.1:5601"
    missions_file: str | None = None  # extra or overriding missions (pipelines/nlp/data/missions.yaml format)

    # ---- names -------------------------------------------------------------------------
    def index(self, name: str) -> str:
        """The alias of one of :data:`INDICES` (``peacewatch-articles`` by default)."""
        return f"{self.prefix}-{name}"

    def topic(self, name: str) -> str:
        """The topic id of one of :data:`TOPICS` under the configured prefix."""
        return f"{self.prefix}-{name}"

    def topic_path(self, name: str) -> str:
        return f"projects/{self.pubsub_project}/topics/{self.topic(name)}"

    def subscription(self, name: str, suffix: str | None = None) -> str:
        """The subscription id that reads topic ``name`` for a consumer (``suffix``)."""
        return f"{self.topic(name)}-{suffix or self.subscription_suffix}"

    def subscription_path(self, name: str, suffix: str | None = None) -> str:
        return f"projects/{self.pubsub_project}/subscriptions/{self.subscription(name, suffix)}"

    # ---- where things are --------------------------------------------------------------
    @property
    def uses_local_elasticsearch(self) -> bool:
        """True when Elasticsearch is the local one the project starts (loopback, no credentials)."""
        host = urlsplit(self.es_url).hostname or ""
        return host in ("127.0.0.1", "localhost", "::1") and not (self.es_api_key or self.es_username)

    @property
    def uses_emulator(self) -> bool:
        return bool(self.pubsub_emulator_host)

    @property
    def es_port(self) -> int:
        return urlsplit(self.es_url).port or 9200

    @property
    def es_url_safe(self) -> str:
        """The Elasticsearch URL fit for printing (user-info and tokens masked)."""
        return redact_url(self.es_url)

    def redacted(self) -> dict[str, Any]:
        """The settings as a dict fit for printing: secrets replaced by ``'***'`` or ``None``."""
        out = dataclasses.asdict(self)
        for key in _SECRETS:
            out[key] = "***" if out[key] else None
        out["es_url"] = self.es_url_safe
        return out

    def env_exports(self) -> dict[str, str]:
        """The environment a shell needs to reach these services (no secrets).

        An Elasticsearch URL that carries credentials or tokens is left out: it is never printed.
        """
        env = {"PUBSUB_PROJECT_ID": self.pubsub_project}
        if self.es_url_safe == self.es_url:
            env["PEACEWATCH_ES_URL"] = self.es_url
        if self.pubsub_emulator_host:
            env["PUBSUB_EMULATOR_HOST"] = self.pubsub_emulator_host
        if self.prefix != "peacewatch":
            env["PEACEWATCH_PREFIX"] = self.prefix
        return env


def _coerce(key: str, value: Any, kind: type, origin: str) -> Any:
    if value is None or value == "":
        return None
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise UserError(f"{origin}: {key} must be true or false, not {value!r}")
    if kind is float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise UserError(f"{origin}: {key} must be a number, not {value!r}") from None
        if number <= 0:
            raise UserError(f"{origin}: {key} must be positive, not {value!r}")
        return number
    if not isinstance(value, (str, int, float)):
        raise UserError(f"{origin}: {key} must be a string, not {type(value).__name__}")
    return str(value)


def _config_path(environ: Mapping[str, str]) -> Path | None:
    explicit = environ.get("PEACEWATCH_CONFIG")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise UserError(f"PEACEWATCH_CONFIG names {path}, which does not exist",
                            "create it or unset PEACEWATCH_CONFIG")
        return path
    for candidate in (Path("peacewatch.yaml"), _user_dir("XDG_CONFIG_HOME", ".config") / "peacewatch.yaml"):
        if candidate.is_file():
            return candidate
    return None


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UserError(f"{path}: cannot read configuration: {exc}".splitlines()[0],
                        "fix the YAML syntax") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping of settings at the top level")
    known = {key for key, _, _ in _SOURCES} - _SECRETS
    unknown = sorted(set(data) - known)
    if any(key in _SECRETS for key in data):
        raise UserError(f"{path}: secrets do not belong in the configuration file",
                        "set PEACEWATCH_ES_API_KEY / PEACEWATCH_ES_PASSWORD (or their *_FILE variants)")
    if unknown:
        raise UserError(f"{path}: unknown setting(s) {', '.join(unknown)}",
                        f"known settings: {', '.join(sorted(known))}")
    return data


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Resolves settings from defaults, ``peacewatch.yaml`` and the environment.

    Args:
        environ: the environment to read (``os.environ`` by default).
        **overrides: values that win over every other source (command-line flags).

    Raises:
        UserError: naming the setting and its source when a value is invalid.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = _config_path(environ)
    if path is not None:
        kinds = {key: kind for key, _, kind in _SOURCES}
        for key, value in _read_yaml(path).items():
            values[key] = _coerce(key, value, kinds[key], str(path))
    for key, env_name, kind in _SOURCES:
        if env_name in environ:
            values[key] = _coerce(key, environ[env_name], kind, env_name)
    if "pubsub_project" not in values and environ.get("GOOGLE_CLOUD_PROJECT"):
        values["pubsub_project"] = environ["GOOGLE_CLOUD_PROJECT"]
    for key, env_name in _SECRET_FILES.items():
        if environ.get(env_name):
            try:
                values[key] = Path(environ[env_name]).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise UserError(f"{env_name}: cannot read {environ[env_name]}: {exc.strerror}") from None
    values.update({k: v for k, v in overrides.items() if v is not None})
    if "pubsub_emulator_host" not in values and "PUBSUB_EMULATOR_HOST" not in environ:
        # After `peacewatch services up`, commands reach the local emulator without `eval`.
        # An empty PUBSUB_EMULATOR_HOST opts out and means Google Cloud.
        data_dir = values.get("data_dir") or Settings.__dataclass_fields__["data_dir"].default_factory()
        host = _local_services(str(data_dir)).get("pubsub_emulator_host")
        if host:
            values["pubsub_emulator_host"] = host
    values = {k: v for k, v in values.items() if v is not None}
    settings = Settings(**values)
    for key in _SECRETS:  # masked wherever they might appear (errors, logs)
        register_secret(getattr(settings, key))
    register_secret(urlsplit(settings.es_url).password)
    _check(settings)
    return settings


def _check(settings: Settings) -> None:
    parts = urlsplit(settings.es_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(f"Elasticsearch URL {settings.es_url_safe!r} is not an http(s) URL",
                        "set PEACEWATCH_ES_URL, e.g. http://127.0.0.1:9200")
    try:
        parts.port
    except ValueError:
        raise UserError(f"Elasticsearch URL {settings.es_url_safe!r} has an invalid port") from None
    if settings.es_username and not settings.es_password:
        raise UserError("PEACEWATCH_ES_USERNAME is set without a password",
                        "set PEACEWATCH_ES_PASSWORD or PEACEWATCH_ES_PASSWORD_FILE")
    if settings.es_ca_certs and not Path(settings.es_ca_certs).is_file():
        raise UserError(f"CA certificate file {settings.es_ca_certs} does not exist")
    host = settings.pubsub_emulator_host
    if host:
        name, _, port = host.rpartition(":")
        if not name or not port.isdigit() or not 0 < int(port) < 65536:
            raise UserError(f"PUBSUB_EMULATOR_HOST={host!r} is not HOST:PORT", "e.g. 127.0.0.1:8085")
    if not settings.prefix or not all(c.isalnum() or c in "-_" for c in settings.prefix) or settings.prefix != settings.prefix.lower():
        raise UserError(f"prefix {settings.prefix!r} must be lower-case letters, digits, '-' or '_'")
