"""Where alerts go: webhook, Slack, email, the terminal, the ``alerts`` index and topic.

Channel specs as users write them::

    webhook:https://example.org/hook     generic JSON (the alert document)
    webhook:env:MY_HOOK_URL              the URL is read from an environment variable ...
    slack:file:/run/secrets/slack_url    ... or from a file (secrets stay out of the rules file)
    email:desk@example.org,ops@example.org
    tail                                 shown by `peacewatch alerts tail` (reads the index)
    index, topic                         always on

URLs are resolved when the dispatcher sets up, never logged (channels are named by their
:attr:`Channel.name`, which shows only scheme and host). Webhook and SMTP calls have timeouts.
SMTP settings come from ``PEACEWATCH_SMTP_HOST``, ``_PORT``, ``_USER``, ``_PASSWORD`` or
``_PASSWORD_FILE``, ``_STARTTLS``, ``_SSL``, ``_FROM``, ``_TIMEOUT``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from peacewatch.errors import PeacewatchError, UserError
from peacewatch.redact import origin, register_secret
from peacewatch.settings import SmtpSettings, environ_value
from pipelines.alerts import render

logger = logging.getLogger(__name__)

HTTP_TIMEOUT = (5.0, 10.0)  # connect, read
_EMAIL_RE = re.compile(r"^[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>]+$|^[^@\s,<>]+@localhost$")


CHANNEL_KINDS = ("webhook", "slack", "email", "tail", "index", "topic")
ALWAYS_ON_CHANNELS = ("index", "topic")


class DuplicateAlert(PeacewatchError):
    """The channel already has this alert (the index refused a second create)."""


class ChannelError(PeacewatchError):
    """A send failed. ``permanent`` failures (the receiver refuses the request itself: HTTP 4xx
    other than 408 and 429) are not retried; the others are, later."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.transient = not permanent


@dataclass(frozen=True)
class ChannelSpec:
    """A parsed channel spec: ``kind`` and the target (URL source, addresses) as written."""

    kind: str
    target: str = ""

    @property
    def spec(self) -> str:
        return f"{self.kind}:{self.target}" if self.target else self.kind


def parse_channel(spec: str, where: str = "channel", *, check_secrets: bool = False) -> ChannelSpec:
    """Parses and checks a channel spec; webhook and Slack targets must be http(s) URLs.

    Args:
        spec: as the user wrote it.
        where: names the rule in errors.
        check_secrets: also read an ``env:``/``file:`` target that is available here and check
            that it holds an http(s) URL (``alerts add`` and ``sync``; the pipeline checks it
            when it builds the channel).

    Raises:
        UserError: naming the spec and what is wrong with it.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise UserError(f"{where}: empty channel", f"channels: {', '.join(CHANNEL_KINDS)}")
    kind, _, target = spec.strip().partition(":")
    kind = kind.lower()
    if kind not in CHANNEL_KINDS:
        raise UserError(f"{where}: unknown channel {spec!r}", f"channels: {', '.join(CHANNEL_KINDS)}")
    if kind in ("tail", "index", "topic"):
        if target:
            raise UserError(f"{where}: channel {kind} takes no target, got {spec!r}")
        return ChannelSpec(kind)
    if not target:
        raise UserError(
            f"{where}: channel {kind} needs a target",
            f"e.g. {kind}:{'desk@example.org' if kind == 'email' else 'https://…'}",
        )
    if kind == "email":
        for address in target.split(","):
            if not _EMAIL_RE.match(address.strip()):
                raise UserError(f"{where}: {address.strip()!r} is not an email address")
        return ChannelSpec(kind, ",".join(a.strip() for a in target.split(",")))
    if target.startswith(("env:", "file:")):
        if not target.split(":", 1)[1]:
            raise UserError(f"{where}: {spec!r} names no variable or file")
        if target.startswith("file:") and target[5:].startswith("//"):
            raise UserError(
                f"{where}: {kind} target {target!r} is a file: URL; only http(s) URLs are delivered to",
                f"to read the URL from a file, write {kind}:file:/path/to/file",
            )
        if check_secrets:
            check_present_secret(kind, target, where)
        return ChannelSpec(kind, target)
    check_url(kind, target, where)
    return ChannelSpec(kind, target)


def check_url(kind: str, url: str, where: str = "channel") -> None:
    """Raises :class:`UserError` unless ``url`` is an http(s) URL with a host (never echoing it)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() for c in url)
    ):
        raise UserError(
            f"{where}: {kind} target must be an http(s) URL, env:VARIABLE or file:PATH",
            "webhooks and Slack are only delivered to http:// or https:// URLs",
        )


def check_present_secret(kind: str, target: str, where: str) -> None:
    """At ``add``/``sync``: when the variable or file of ``target`` is readable here, its value
    must be an http(s) URL (a missing one may exist where the pipeline runs; it is checked there)."""
    try:
        url = resolve_secret(target)
    except UserError:
        return
    try:
        check_url(kind, url, where)
    except UserError:
        raise UserError(
            f"{where}: {target} does not hold an http(s) URL",
            "webhooks and Slack are only delivered to http:// or https:// URLs; the value is not shown",
        ) from None


_MAX_SECRET_FILE = 8192  # a URL, not a document: a larger file is not read


def resolve_secret(target: str) -> str:
    """Reads a URL given as ``env:NAME`` or ``file:PATH``; a plain URL is returned as is.

    The value is registered with :func:`peacewatch.redact.register_secret`, so it is masked in
    every error, log line and dead letter.
    """
    if target.startswith("env:"):
        name = target[4:]
        value = environ_value(name)
        if not value:
            raise UserError(f"environment variable {name} is not set", "set it where the pipeline runs")
        value = value.strip()
    elif target.startswith("file:"):
        try:
            with open(target[5:], "rb") as handle:
                raw = handle.read(_MAX_SECRET_FILE + 1)
        except OSError as exc:
            raise UserError(f"cannot read {target[5:]}: {exc.strerror}") from None
        if len(raw) > _MAX_SECRET_FILE:
            raise UserError(f"{target[5:]} is larger than {_MAX_SECRET_FILE} bytes; it should hold one URL")
        value = raw.decode("utf-8", "replace").strip()
    else:
        value = target
    register_secret(value)
    try:  # logs may show the path alone ("POST /services/T0/B0/secret HTTP/1.1")
        parts = urlsplit(value)
        register_secret(parts.path + (f"?{parts.query}" if parts.query else ""))
    except ValueError:
        pass
    return value


class Channel:
    """A destination. ``send`` raises on failure (the dispatcher retries and records it)."""

    kind = "channel"
    notifies = True  # index and topic are records, not notifications: never throttled

    def __init__(self, name: str) -> None:
        self.name = name

    def send(self, alert: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def send_digest(self, rule: str, alerts: list[Mapping[str, Any]], period: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Releases connections."""


class WebhookChannel(Channel):
    """POSTs the alert document as JSON."""

    kind = "webhook"

    def __init__(self, name: str, url: str, session: Any, timeout: tuple[float, float] = HTTP_TIMEOUT) -> None:
        super().__init__(name)
        self._url = url
        self.session = session
        self.timeout = timeout

    def _post(self, payload: Mapping[str, Any], key: str | None = None) -> None:
        # The idempotency key lets a receiver drop a second copy: one is only ever sent when the
        # sender died between the receiver's answer and recording it.
        headers = {"Idempotency-Key": key} if key else None
        response = self.session.post(self._url, json=payload, timeout=self.timeout, headers=headers)
        code = response.status_code
        if code >= 300:
            raise ChannelError(
                f"{self.name} answered HTTP {code}", permanent=400 <= code < 500 and code not in (408, 429)
            )

    def send(self, alert: Mapping[str, Any]) -> None:
        self._post(alert, str(alert.get("id") or "") or None)

    def send_digest(self, rule: str, alerts: list[Mapping[str, Any]], period: str) -> None:
        self._post({"kind": "digest", "rule": rule, "period": period, "count": len(alerts), "alerts": alerts})

    def close(self) -> None:
        self.session.close()


class SlackChannel(WebhookChannel):
    """POSTs a Slack incoming-webhook payload (mrkdwn escaped)."""

    kind = "slack"

    def send(self, alert: Mapping[str, Any]) -> None:
        self._post(render.as_slack(alert), str(alert.get("id") or "") or None)

    def send_digest(self, rule: str, alerts: list[Mapping[str, Any]], period: str) -> None:
        self._post(render.digest_slack(rule, alerts, period))


class EmailChannel(Channel):
    """Sends a multipart (text + escaped HTML) email per alert or digest, one connection per message."""

    kind = "email"

    def __init__(self, name: str, recipients: list[str], config: SmtpSettings) -> None:
        super().__init__(name)
        self.recipients = recipients
        self.config = config

    def _deliver(self, subject: str, text: str, html_body: str, message_id: str | None = None) -> None:
        import smtplib
        import ssl as ssl_module
        from email.utils import make_msgid

        message = EmailMessage()
        message["Subject"] = " ".join(subject.split())[:200]
        message["From"] = self.config.sender
        message["To"] = ", ".join(self.recipients)
        message["Message-ID"] = make_msgid(idstring=message_id) if message_id else make_msgid()
        message.set_content(text)
        message.add_alternative(f"<html><body>{html_body}</body></html>", subtype="html")
        cfg = self.config
        context = ssl_module.create_default_context()
        smtp_class = smtplib.SMTP_SSL if cfg.ssl else smtplib.SMTP
        kwargs: dict[str, Any] = {"timeout": cfg.timeout}
        if cfg.ssl:
            kwargs["context"] = context
        with smtp_class(cfg.host, cfg.server_port, **kwargs) as smtp:
            if cfg.starttls:
                smtp.starttls(context=context)
            if cfg.user:
                smtp.login(cfg.user, cfg.password or "")
            smtp.send_message(message)

    def send(self, alert: Mapping[str, Any]) -> None:
        self._deliver(render.headline(alert), render.as_text(alert), render.as_html(alert), str(alert.get("id")))

    def send_digest(self, rule: str, alerts: list[Mapping[str, Any]], period: str) -> None:
        self._deliver(
            f"[{rule}] {len(alerts)} alert(s), {period}",
            render.digest_text(rule, alerts, period),
            render.digest_html(rule, alerts, period),
        )


class IndexChannel(Channel):
    """Creates the alert in the ``alerts`` index with ``op_type=create`` under its deterministic id."""

    kind = "index"
    notifies = False

    def __init__(self, name: str, es: Any, index: str) -> None:
        super().__init__(name)
        self.es = es
        self.index = index

    def send(self, alert: Mapping[str, Any]) -> None:
        from elasticsearch import ConflictError

        try:
            self.es.create(index=self.index, id=alert["id"], document=dict(alert))
        except ConflictError:
            raise DuplicateAlert(alert["id"]) from None


class TopicChannel(Channel):
    """Publishes the alert as JSON to the ``alerts`` topic (attributes: rule, kind, alert_id)."""

    kind = "topic"
    notifies = False

    def __init__(self, name: str, publisher: Any, topic_path: str, timeout: float = 30.0) -> None:
        super().__init__(name)
        self.publisher = publisher
        self.topic_path = topic_path
        self.timeout = timeout

    def send(self, alert: Mapping[str, Any]) -> None:
        data = json.dumps(alert, ensure_ascii=False, sort_keys=True).encode("utf-8")
        future = self.publisher.publish(
            self.topic_path,
            data,
            rule=str(alert.get("rule")),
            kind=str(alert.get("kind")),
            alert_id=str(alert.get("id")),
        )
        future.result(timeout=self.timeout)


class TailChannel(Channel):
    """Nothing to send: ``peacewatch alerts tail`` follows the alerts index."""

    kind = "tail"
    notifies = False

    def send(self, alert: Mapping[str, Any]) -> None:
        return None


def build_channel(spec: ChannelSpec, clients: Mapping[str, Any]) -> Channel:
    """Builds a channel from a spec, reading secrets now. ``clients`` holds ``es``, ``publisher``,
    ``http`` (a requests Session factory), ``alerts_index``, ``alerts_topic``, ``smtp``."""
    if spec.kind == "index":
        return IndexChannel("index", clients["es"], clients["alerts_index"])
    if spec.kind == "topic":
        return TopicChannel("topic", clients["publisher"], clients["alerts_topic"])
    if spec.kind == "tail":
        return TailChannel("tail")
    if spec.kind == "email":
        return EmailChannel(channel_name(spec), spec.target.split(","), clients["smtp"]().required())
    url = resolve_secret(spec.target)
    check_url(spec.kind, url, channel_name(spec))  # a stored rule's env/file value is checked here too
    cls = SlackChannel if spec.kind == "slack" else WebhookChannel
    return cls(channel_name(spec), url, clients["http"]())


def channel_name(spec: ChannelSpec) -> str:
    """A stable name for status and the delivery log that never shows a secret URL."""
    if spec.kind not in ("webhook", "slack") or spec.target.startswith(("env:", "file:")):
        return spec.spec
    digest = hashlib.sha256(spec.target.encode("utf-8")).hexdigest()[:8]
    return f"{spec.kind}:{origin(spec.target)}#{digest}"


def display_channel(spec: str) -> str:
    """A channel spec fit for printing (``alerts list/show``, alert documents): literal webhook
    and Slack URLs become their :func:`channel_name`; ``env:``/``file:`` specs and the rest stay."""
    try:
        return channel_name(parse_channel(spec)) if spec.partition(":")[0].lower() in ("webhook", "slack") else spec
    except UserError:
        kind = spec.partition(":")[0] if isinstance(spec, str) else "channel"
        return f"{kind}:(invalid)"
