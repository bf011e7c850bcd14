"""Rendering for each medium: snippets, escaping, links; channel specs and secret hygiene."""

from __future__ import annotations

import pytest

from peacewatch.errors import UserError
from peacewatch.redact import origin
from peacewatch.settings import Settings
from pipelines.alerts.channels import ChannelSpec, channel_name, parse_channel, resolve_secret
from pipelines.alerts.delivery import _safe_error, kibana_discover_url
from pipelines.alerts.render import as_html, as_slack, as_text, make_snippet, snippet_parts

ALERT = {
    "id": "x",
    "rule": "r",
    "kind": "match",
    "title": "A <b>bold</b> & risky | title",
    "url": "https://news.example/a?q=1|2>3",
    "source": "Wire",
    "published": "2026-11-20T10:00:00Z",
    "snippet": "say &lt;!here&gt; <em>peace</em> &amp; *more*",
    "stances": [{"actor": "France", "stance": "support"}],
    "kibana_url": "https://kibana.example/app/discover#/?x=1",
}


def test_snippet_windows_around_the_first_match_and_escapes():
    text = "word " * 200 + "the <peace> force arrived " + "tail " * 100
    snippet = make_snippet({"text": text}, ["peace force"])
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "&lt;<em>peace</em>&gt; <em>force</em>" in snippet
    assert len(snippet) < 400
    assert snippet_parts("a <em>b</em> &amp; c") == [("a ", False), ("b", True), (" & c", False)]


def test_slack_payload_cannot_mention_or_break_links():
    body = as_slack(ALERT)["blocks"][0]["text"]["text"]
    assert "<!here>" not in body and "&lt;!here&gt;" in body
    assert "<https://news.example/a?q=1%7C2%3E3|" in body  # the URL cannot end the link early
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; risky ¦ title" in body


def test_html_and_text_renderings():
    html = as_html(ALERT)
    assert "<b>" not in html and "&lt;b&gt;bold" in html and "<mark>peace</mark>" in html
    assert 'href="https://news.example/a?q=1|2&gt;3"' in html
    assert "javascript:" not in as_html({**ALERT, "url": "javascript:alert(1)"})
    text = as_text(ALERT)
    assert "*peace*" in text and "<!here>" in text  # plain text is not escaped


def test_channel_specs():
    assert parse_channel("tail") == ChannelSpec("tail")
    assert parse_channel("email:a@example.org, b@example.org").target == "a@example.org,b@example.org"
    assert parse_channel("slack:env:SLACK_URL").target == "env:SLACK_URL"
    for bad in ("tail:x", "webhook:", "webhook:ftp://x", "sms:123", "email:nobody"):
        with pytest.raises(UserError):
            parse_channel(bad)
    name = channel_name(parse_channel("webhook:https://hooks.example/T0/secret"))
    assert name.startswith("webhook:https://hooks.example/…#") and "secret" not in name
    assert origin("http://127.0.0.1:8080/secret") == "http://127.0.0.1:8080/…"


def test_secrets_from_env_and_files(tmp_path, monkeypatch):
    monkeypatch.setenv("HOOK", "https://hooks.example/secret\n")
    assert resolve_secret("env:HOOK") == "https://hooks.example/secret"
    (tmp_path / "hook").write_text("https://hooks.example/other\n")
    assert resolve_secret(f"file:{tmp_path / 'hook'}") == "https://hooks.example/other"
    with pytest.raises(UserError):
        resolve_secret("env:NOT_SET_ANYWHERE_123")


def test_errors_never_carry_urls():
    error = ConnectionError(
        "HTTPConnectionPool(host='h', port=1): Max retries exceeded with url: /T0/secret "
        "(https://hooks.example/T0/secret)"
    )
    assert "secret" not in _safe_error(error)


def test_kibana_link_filters_on_the_article():
    url = kibana_discover_url(Settings(kibana_url="http://kibana:5601/"), "abc123")
    assert url.startswith("http://kibana:5601/app/discover#/?_g=")
    assert "dataViewId:%27peacewatch-articles%27" in url and "abc123" in url
    assert kibana_discover_url(Settings(), None) is None
