"""Receivers the alert tests deliver to: a webhook server and an SMTP server, both on loopback."""

from __future__ import annotations

import pytest

from tests.pipelines.alerts.servers import HttpReceiver, SmtpSink


@pytest.fixture
def receiver():
    """A real HTTP server on 127.0.0.1 that records what webhooks post to it."""
    with HttpReceiver() as server:
        yield server


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server on 127.0.0.1, configured as the alerts' mail server through the environment."""
    with SmtpSink() as sink:
        monkeypatch.setenv("PEACEWATCH_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("PEACEWATCH_SMTP_PORT", str(sink.port))
        monkeypatch.setenv("PEACEWATCH_SMTP_FROM", "alerts@peacewatch.test")
        for name in ("USER", "PASSWORD", "PASSWORD_FILE", "STARTTLS", "SSL"):
            monkeypatch.delenv(f"PEACEWATCH_SMTP_{name}", raising=False)
        yield sink
