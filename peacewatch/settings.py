"""Every setting peacewatch reads from outside: one pydantic-settings model per concern.

:class:`Settings` says where everything is (endpoints, credentials, names of topics and indices,
local folders). It comes from, in increasing priority: built-in defaults, an optional
``peacewatch.yaml`` (the path in ``PEACEWATCH_CONFIG``, else ``./peacewatch.yaml``, else the
per-user config folder), environment variables, secrets in files named by ``*_FILE`` variables,
and command-line overrides. Three sections are read from the environment where they are used:
:class:`SmtpSettings` (``PEACEWATCH_SMTP_*``, where alerts are delivered), :class:`ServiceSettings`
(the local service launchers) and :class:`FlinkSettings` (``PEACEWATCH_FLINK_*``, the local Flink
cluster). Nothing else in the project reads the environment for its configuration.

Secrets (API keys, passwords) are read only from the environment or from files named there, never
from the YAML file; they never appear in ``repr`` and are registered with
:func:`peacewatch.redact.register_secret`, so they are masked in every log line and error. A
value that does not parse is a :class:`~peacewatch.errors.UserError` naming the variable (or
file) and the setting.
"""

from __future__ import annotations

import contextvars
import json
import os
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from peacewatch.errors import UserError
from peacewatch.redact import redact_url, register_secret

DEFAULT_ES_URL = "http://127.0.0.1:9200"
DEFAULT_EMULATOR_HOST = "127.0.0.1:8085"
DEFAULT_PROJECT = "peacewatch-local"
TOPICS = ("articles", "alerts", "deadletter")
INDICES = ("articles", "alerts", "deadletter", "stances", "reports")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_MAX_SECRET_FILE = 64 * 1024  # a key or a password, not a document
_ROOT_DIRS = {
    "XDG_DATA_HOME": "/var/lib/peacewatch",
    "XDG_CACHE_HOME": "/var/cache/peacewatch",
    "XDG_CONFIG_HOME": "/etc/peacewatch",
}

# The environment a settings object is being built from (``os.environ`` unless a caller gives one).
_ENVIRON: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar("peacewatch_environ", default=None)
S = TypeVar("S", bound="_SettingsBase")


def _environ() -> Mapping[str, str]:
    given = _ENVIRON.get()
    return os.environ if given is None else given


@contextmanager
def _reading(environ: Mapping[str, str] | None) -> Iterator[Mapping[str, str]]:
    token = _ENVIRON.set(dict(os.environ if environ is None else environ))
    try:
        yield _environ()
    finally:
        _ENVIRON.reset(token)


def _user_dir(xdg_var: str, fallback: str) -> Path:
    """The per-user folder; for root the system one, which unprivileged services can reach."""
    base = _environ().get(xdg_var)
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


# ---- sources -----------------------------------------------------------------------------------
def _env_names(name: str, field: FieldInfo, prefix: str = "") -> list[str]:
    """The environment variables of a field, in order of preference (its validation aliases)."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [str(choice) for choice in alias.choices]
    return [str(alias)] if alias else [f"{prefix}{name}".upper()]


def _input_key(settings_cls: type[BaseSettings], name: str) -> str:
    """The key a source gives a field's value under: its first alias, as the environment source does."""
    alias = settings_cls.model_fields[name].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return str(alias) if alias else name


def _field_name(settings_cls: type[BaseSettings], key: str) -> str:
    """The field a validation error's key (a field name or an alias) is about."""
    for name, field in settings_cls.model_fields.items():
        if key == name or key in _env_names(name, field):
            return name
    return key


class _EnvSource(EnvSettingsSource):
    """Environment variables, from the mapping the settings are being built from."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name.lower(): value for name, value in _environ().items() if value != ""}


class _SecretFileSource(PydanticBaseSettingsSource):
    """Secrets from the files named by ``<VARIABLE>_FILE`` (Docker and Kubernetes secrets)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads every secret field at once

    def __call__(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        environ = _environ()
        for name in getattr(self.settings_cls, "_secrets", ()):
            prefix = self.settings_cls.model_config.get("env_prefix", "")
            variable = f"{_env_names(name, self.settings_cls.model_fields[name], prefix)[0]}_FILE"
            path = environ.get(variable)
            if not path:
                continue
            try:
                with open(path, "rb") as handle:
                    raw = handle.read(_MAX_SECRET_FILE + 1)
            except OSError as exc:
                raise UserError(
                    f"{variable}: cannot read {path}: {exc.strerror}", f"make the file readable or unset {variable}"
                ) from None
            if len(raw) > _MAX_SECRET_FILE:
                raise UserError(
                    f"{variable}: {path} is larger than {_MAX_SECRET_FILE} bytes; it should hold one secret"
                )
            out[_input_key(self.settings_cls, name)] = raw.decode("utf-8", "replace").strip()
        return out


class _YamlSource(PydanticBaseSettingsSource):
    """The optional configuration file (core settings only; never secrets)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads the file at once

    def __call__(self) -> dict[str, Any]:
        path = _config_path(_environ())
        if path is None:
            return {}
        return _read_yaml(path, self.settings_cls)


def _config_path(environ: Mapping[str, str]) -> Path | None:
    explicit = environ.get("PEACEWATCH_CONFIG")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise UserError(
                f"PEACEWATCH_CONFIG names {path}, which does not exist", "create it or unset PEACEWATCH_CONFIG"
            )
        return path
    for candidate in (Path("peacewatch.yaml"), _user_dir("XDG_CONFIG_HOME", ".config") / "peacewatch.yaml"):
        if candidate.is_file():
            return candidate
    return None


def _read_yaml(path: Path, settings_cls: type[BaseSettings]) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UserError(f"{path}: cannot read configuration: {exc}".splitlines()[0], "fix the YAML syntax") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping of settings at the top level")
    secrets = set(getattr(settings_cls, "_secrets", ()))
    if secrets & set(data):
        raise UserError(
            f"{path}: secrets do not belong in the configuration file",
            "set PEACEWATCH_ES_API_KEY / PEACEWATCH_ES_PASSWORD (or their *_FILE variants)",
        )
    known = set(settings_cls.model_fields) - secrets
    unknown = sorted(set(data) - known, key=str)
    if unknown:
        raise UserError(
            f"{path}: unknown setting(s) {', '.join(map(str, unknown))}", f"known settings: {', '.join(sorted(known))}"
        )
    return {_input_key(settings_cls, key): value for key, value in data.items() if value is not None and value != ""}


# ---- the base of every settings class -------------------------------------------------------------
_PROBLEMS = {
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "greater_than": "must be positive",
    "string_type": "must be a string",
}


class _SettingsBase(BaseSettings):
    """Sources, precedence and errors shared by every settings class."""

    model_config = SettingsConfigDict(frozen=True, case_sensitive=False, populate_by_name=True, extra="ignore")
    _secrets: ClassVar[tuple[str, ...]] = ()  # fields read from VAR or VAR_FILE only, never printed
    _yaml: ClassVar[bool] = False  # whether peacewatch.yaml may set these

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [
            init_settings,
            _SecretFileSource(settings_cls),
            _EnvSource(settings_cls),
        ]
        if cls._yaml:
            sources.append(_YamlSource(settings_cls))
        return tuple(sources)

    @classmethod
    def load(cls: type[S], environ: Mapping[str, str] | None = None, **overrides: Any) -> S:
        """Builds the settings from ``environ`` (``os.environ`` by default) and ``overrides``.

        Raises:
            UserError: naming the variable (or file) and the setting when a value is invalid.
        """
        overrides = {k: v for k, v in overrides.items() if v is not None}
        with _reading(environ) as env:
            try:
                settings = cls(**overrides)
            except ValidationError as exc:
                raise _user_error(cls, exc, env, overrides) from None
        for name in cls._secrets:  # masked wherever they might appear (errors, logs)
            register_secret(getattr(settings, name))
        settings.check()
        return settings

    def check(self) -> None:
        """Raises :class:`UserError` when settings contradict each other (after parsing)."""

    def redacted(self) -> dict[str, Any]:
        """The settings as a dict fit for printing: secrets replaced by ``'***'`` or ``None``."""
        out = self.model_dump()
        for name in self._secrets:
            out[name] = "***" if out[name] else None
        return out


def _origin(cls: type[BaseSettings], name: str, env: Mapping[str, str], overrides: Mapping[str, Any]) -> str:
    if name in overrides:
        return "command line"
    field = cls.model_fields.get(name)
    prefix = cls.model_config.get("env_prefix", "")
    for variable in _env_names(name, field, prefix) if field is not None else ():
        if env.get(f"{variable}_FILE") and name in getattr(cls, "_secrets", ()):
            return f"{variable}_FILE"
        if env.get(variable):
            return variable
    path = _config_path(env) if getattr(cls, "_yaml", False) else None
    return str(path) if path else name


def _user_error(
    cls: type[BaseSettings], exc: ValidationError, env: Mapping[str, str], overrides: Mapping[str, Any]
) -> UserError:
    error = exc.errors()[0]
    name = _field_name(cls, str(error["loc"][0])) if error["loc"] else "setting"
    origin = _origin(cls, name, env, overrides)
    problem = _PROBLEMS.get(error["type"], str(error["msg"]).removeprefix("Value error, "))
    shown = "" if name in getattr(cls, "_secrets", ()) else f", not {error.get('input')!r}"
    where = origin if origin == name else f"{origin}: {name}"
    hint = None if origin == name else f"fix {origin}" if os.sep in origin else f"fix or unset {origin}"
    return UserError(f"{where} {problem}{shown}", hint)


# ---- where everything is ------------------------------------------------------------------------
class Settings(_SettingsBase):
    """Where everything is. Build it with :func:`load_settings`."""

    _secrets: ClassVar[tuple[str, ...]] = ("es_api_key", "es_password")
    _yaml: ClassVar[bool] = True

    es_url: str = Field(DEFAULT_ES_URL, validation_alias="PEACEWATCH_ES_URL")
    es_api_key: str | None = Field(None, repr=False, validation_alias="PEACEWATCH_ES_API_KEY")
    es_username: str | None = Field(None, validation_alias="PEACEWATCH_ES_USERNAME")
    es_password: str | None = Field(None, repr=False, validation_alias="PEACEWATCH_ES_PASSWORD")
    es_ca_certs: str | None = Field(None, validation_alias="PEACEWATCH_ES_CA_CERTS")
    es_verify_certs: bool = Field(True, validation_alias="PEACEWATCH_ES_VERIFY_CERTS")
    es_timeout: float = Field(30.0, gt=0, validation_alias="PEACEWATCH_ES_TIMEOUT")
    prefix: str = Field("peacewatch", validation_alias="PEACEWATCH_PREFIX")
    pubsub_project: str = Field(
        DEFAULT_PROJECT, validation_alias=AliasChoices("PUBSUB_PROJECT_ID", "GOOGLE_CLOUD_PROJECT")
    )
    pubsub_emulator_host: str | None = Field(None, validation_alias="PUBSUB_EMULATOR_HOST")
    subscription_suffix: str = Field("pipeline", validation_alias="PEACEWATCH_SUBSCRIPTION_SUFFIX")
    data_dir: str = Field(
        default_factory=lambda: str(_user_dir("XDG_DATA_HOME", ".local/share")), validation_alias="PEACEWATCH_DATA_DIR"
    )
    cache_dir: str = Field(
        default_factory=lambda: str(_user_dir("XDG_CACHE_HOME", ".cache")), validation_alias="PEACEWATCH_CACHE_DIR"
    )
    spacy_model: str | None = Field(None, validation_alias="PEACEWATCH_SPACY_MODEL")
    kibana_url: str = Field("http://127.0.0.1:5601", validation_alias="PEACEWATCH_KIBANA_URL")
    # extra or overriding missions (pipelines/nlp/data/missions.yaml format)
    missions_file: str | None = Field(None, validation_alias="PEACEWATCH_MISSIONS_FILE")
    # the trained actor filter of the NLP (pipelines/nlp/actor_filter.py); off for experiments
    actor_filter: bool = Field(True, validation_alias="PEACEWATCH_ACTOR_FILTER")
    # the trained positions models of the NLP (pipelines/nlp/positions.py, clause_positions.py); off for experiments
    positions: bool = Field(True, validation_alias="PEACEWATCH_POSITIONS")

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
        return host in _LOOPBACK and not (self.es_api_key or self.es_username)

    @property
    def es_port(self) -> int:
        return urlsplit(self.es_url).port or 9200

    @property
    def es_url_safe(self) -> str:
        """The Elasticsearch URL fit for printing (user-info and tokens masked)."""
        return redact_url(self.es_url)

    def redacted(self) -> dict[str, Any]:
        out = super().redacted()
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

    def check(self) -> None:
        parts = urlsplit(self.es_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UserError(
                f"Elasticsearch URL {self.es_url_safe!r} is not an http(s) URL",
                "set PEACEWATCH_ES_URL, e.g. http://127.0.0.1:9200",
            )
        try:
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise UserError(f"Elasticsearch URL {self.es_url_safe!r} has an invalid port") from None
        if self.es_username and not self.es_password:
            raise UserError(
                "PEACEWATCH_ES_USERNAME is set without a password",
                "set PEACEWATCH_ES_PASSWORD or PEACEWATCH_ES_PASSWORD_FILE",
            )
        if self.es_ca_certs and not Path(self.es_ca_certs).is_file():
            raise UserError(f"CA certificate file {self.es_ca_certs} does not exist")
        host = self.pubsub_emulator_host
        if host:
            name, _, port = host.rpartition(":")
            if not name or not port.isdigit() or not 0 < int(port) < 65536:
                raise UserError(f"PUBSUB_EMULATOR_HOST={host!r} is not HOST:PORT", "e.g. 127.0.0.1:8085")
        if not re.fullmatch(r"[a-z0-9_-]+", self.prefix):
            raise UserError(f"prefix {self.prefix!r} must be lower-case letters, digits, '-' or '_'")


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Resolves :class:`Settings` from defaults, ``peacewatch.yaml``, the environment and ``overrides``.

    Args:
        environ: the environment to read (``os.environ`` by default).
        **overrides: values that win over every other source (command-line flags); None is ignored.

    Raises:
        UserError: naming the setting and its source when a value is invalid.
    """
    env = os.environ if environ is None else environ
    overrides = {k: v for k, v in overrides.items() if v is not None}
    key = _fingerprint(env, overrides)
    settings = _LOADED.get(key)
    if settings is None:
        settings = _build_settings(env, overrides)
        with _LOADED_LOCK:
            if len(_LOADED) >= 64:
                _LOADED.clear()
            _LOADED[key] = settings
    return settings


# Settings already built, by everything they were built from: the NLP asks for the missions file
# once per article, and building settings costs milliseconds.
_LOADED: dict[tuple[Any, ...], Settings] = {}
_LOADED_LOCK = threading.Lock()
_INPUTS = re.compile(r"^(?:PEACEWATCH_|PUBSUB_|GOOGLE_CLOUD_PROJECT$|XDG_|HOME$)")


def _fingerprint(env: Mapping[str, str], overrides: Mapping[str, Any]) -> tuple[Any, ...]:
    """What a :class:`Settings` depends on: the variables it reads, the overrides, the working folder
    (``./peacewatch.yaml``) and the files it reads as they are now (path, modification time, size)."""
    variables = tuple(sorted((k, v) for k, v in env.items() if _INPUTS.match(k)))
    with _reading(env):
        files = [
            Path("peacewatch.yaml").absolute(),
            _user_dir("XDG_CONFIG_HOME", ".config") / "peacewatch.yaml",
            state_path(
                overrides.get("data_dir")
                or env.get("PEACEWATCH_DATA_DIR")
                or _user_dir("XDG_DATA_HOME", ".local/share")
            ),
        ]
    files += [Path(value) for name, value in variables if name in ("PEACEWATCH_CONFIG",) or name.endswith("_FILE")]
    return variables, tuple(sorted(overrides.items(), key=lambda item: item[0])), tuple(map(_stamp, files))


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        info = path.stat()
    except OSError:
        return str(path), -1, -1
    return str(path), info.st_mtime_ns, info.st_size


def _build_settings(env: Mapping[str, str], overrides: dict[str, Any]) -> Settings:
    if "pubsub_emulator_host" not in overrides and "PUBSUB_EMULATOR_HOST" not in env:
        # After `peacewatch services up`, commands reach the local emulator without `eval`.
        # An empty PUBSUB_EMULATOR_HOST opts out and means Google Cloud.
        with _reading(env):
            data_dir = (
                overrides.get("data_dir")
                or env.get("PEACEWATCH_DATA_DIR")
                or _yaml_value(env, "data_dir")
                or str(_user_dir("XDG_DATA_HOME", ".local/share"))
            )
        if _yaml_value(env, "pubsub_emulator_host") is None:
            overrides = {
                **overrides,
                "pubsub_emulator_host": _local_services(str(data_dir)).get("pubsub_emulator_host"),
            }
    settings = Settings.load(env, **overrides)
    register_secret(urlsplit(settings.es_url).password)
    return settings


def _yaml_value(environ: Mapping[str, str], key: str) -> Any:
    with _reading(environ) as env:
        path = _config_path(env)
        return _read_yaml(path, Settings).get(key) if path is not None else None


# ---- sections read where they are used ------------------------------------------------------------
class SmtpSettings(_SettingsBase):
    """How to reach the mail server of the email channel (``PEACEWATCH_SMTP_*``, read where alerts
    are delivered)."""

    model_config = SettingsConfigDict(env_prefix="PEACEWATCH_SMTP_")
    _secrets: ClassVar[tuple[str, ...]] = ("password",)

    host: str | None = None
    port: int = Field(0, ge=0, lt=65536)
    user: str | None = None
    password: str | None = Field(None, repr=False)
    starttls: bool = False
    ssl: bool = False
    sender: str = Field("peacewatch@localhost", validation_alias="PEACEWATCH_SMTP_FROM")
    timeout: float = Field(10.0, gt=0)

    @property
    def server_port(self) -> int:
        """The port to connect to: the configured one, else 465 (SSL), 587 (STARTTLS) or 25."""
        return self.port or (465 if self.ssl else 587 if self.starttls else 25)

    def required(self) -> SmtpSettings:
        """These settings, when a mail server is configured.

        Raises:
            UserError: ``PEACEWATCH_SMTP_HOST`` is not set.
        """
        if not self.host:
            raise UserError(
                "email channel configured but PEACEWATCH_SMTP_HOST is not set",
                "set PEACEWATCH_SMTP_HOST (and _PORT, _USER, _PASSWORD_FILE, _STARTTLS, _FROM)",
            )
        return self


class ServiceSettings(_SettingsBase):
    """How ``peacewatch services up`` runs the local services (``deploy/``)."""

    es_version: str = Field("9.2.0", validation_alias="PEACEWATCH_ES_VERSION")
    es_heap: str = Field("1g", pattern=r"^\d+[kmgKMG]?$", validation_alias="PEACEWATCH_ES_HEAP")
    start_timeout: float = Field(180.0, gt=0, validation_alias="PEACEWATCH_START_TIMEOUT")
    m2_repo: Path = Field(
        default_factory=lambda: Path.home() / ".m2" / "repository", validation_alias="PEACEWATCH_M2_REPO"
    )
    pubsub_emulator: Literal["auto", "gcloud", "pstest"] = Field("auto", validation_alias="PEACEWATCH_PUBSUB_EMULATOR")
    # JDKs, in the order they are tried: ours, Elasticsearch's own variable, the system's
    java_home: Path | None = Field(None, validation_alias="PEACEWATCH_JAVA_HOME")
    es_java_home: Path | None = Field(None, validation_alias="ES_JAVA_HOME")
    system_java_home: Path | None = Field(None, validation_alias="JAVA_HOME")
    service_user: str = Field("nobody", validation_alias="PEACEWATCH_SERVICE_USER")


_MEMORY = re.compile(r"^\d+(b|k|kb|m|mb|g|gb)$", re.IGNORECASE)


class FlinkSettings(_SettingsBase):
    """Ports, sizes and counts of the local Flink cluster (``PEACEWATCH_FLINK_*``)."""

    model_config = SettingsConfigDict(env_prefix="PEACEWATCH_FLINK_")

    host: str = "127.0.0.1"
    rest_port: int = 8081
    rpc_port: int = 6123
    job_port: int = 8099
    worker_pool_port: int = 50000
    taskmanagers: int = 2
    slots: int = 1
    taskmanager_memory: str = "2048m"
    jobmanager_memory: str = "1280m"
    job_server_heap: str = "768m"
    restart_attempts: int = 1000
    restart_delay_seconds: int = 3
    max_bundle_size: int = 1
    start_timeout: float = Field(180.0, gt=0)

    def check(self) -> None:
        problems = self.problems()
        if problems:
            raise UserError("; ".join(problems), "fix or unset the PEACEWATCH_FLINK_* variables")

    def problems(self) -> list[str]:
        out = []
        if self.host not in _LOOPBACK:
            out.append(
                f"PEACEWATCH_FLINK_HOST={self.host}: the local cluster binds to loopback only "
                "(see deploy/README.md for a multi-host deployment)"
            )
        ports = {
            "rest_port": self.rest_port,
            "rpc_port": self.rpc_port,
            "job_port": self.job_port,
            "worker_pool_port": self.worker_pool_port,
        }
        for name, port in ports.items():
            if not 1024 <= port <= 65533:
                out.append(f"PEACEWATCH_FLINK_{name.upper()}={port}: expected a port between 1024 and 65533")
        if len(set(self.ports().values())) != len(self.ports()):
            out.append(f"the Flink ports overlap: {self.ports()}")
        if not 1 <= self.taskmanagers <= 16:
            out.append("PEACEWATCH_FLINK_TASKMANAGERS must be between 1 and 16")
        if not 1 <= self.slots <= 64:
            out.append("PEACEWATCH_FLINK_SLOTS must be between 1 and 64")
        for name in ("taskmanager_memory", "jobmanager_memory", "job_server_heap"):
            if not _MEMORY.match(getattr(self, name)):
                out.append(f"PEACEWATCH_FLINK_{name.upper()}={getattr(self, name)!r}: expected a size like 2048m or 2g")
        if self.max_bundle_size < 1:
            out.append("PEACEWATCH_FLINK_MAX_BUNDLE_SIZE must be at least 1")
        if self.restart_attempts < 1 or self.restart_delay_seconds < 0:
            out.append("PEACEWATCH_FLINK_RESTART_ATTEMPTS must be >= 1 and PEACEWATCH_FLINK_RESTART_DELAY_SECONDS >= 0")
        return out

    def ports(self) -> dict[str, int]:
        """Every fixed port of the cluster (job and artifact service consecutive, like Beam's 8099/8098)."""
        return {
            "rest": self.rest_port,
            "rpc": self.rpc_port,
            "blob": self.rpc_port + 1,
            "job": self.job_port,
            "artifact": self.job_port - 1,
            "worker_pool": self.worker_pool_port,
        }

    @property
    def rest_url(self) -> str:
        return f"http://{self.host}:{self.rest_port}"

    @property
    def flink_master(self) -> str:
        return f"{self.host}:{self.rest_port}"

    @property
    def job_endpoint(self) -> str:
        return f"{self.host}:{self.job_port}"

    @property
    def worker_pool_endpoint(self) -> str:
        return f"{self.host}:{self.worker_pool_port}"


def environ_value(name: str) -> str | None:
    """A variable the user named in their own configuration (a channel's ``env:NAME`` URL)."""
    return _environ().get(name)
