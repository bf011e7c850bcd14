"""Settings: sources, precedence, checks and secrets; the sections; one reader of the environment."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from peacewatch.errors import UserError
from peacewatch.settings import ServiceSettings, SmtpSettings, load_settings


def test_defaults_are_local(tmp_path):
    settings = load_settings({"PEACEWATCH_DATA_DIR": str(tmp_path)})
    assert settings.es_url == "http://127.0.0.1:9200"
    assert settings.uses_local_elasticsearch
    assert settings.index("articles") == "peacewatch-articles"
    assert settings.topic_path("articles") == "projects/peacewatch-local/topics/peacewatch-articles"
    assert (
        settings.subscription_path("articles") == "projects/peacewatch-local/subscriptions/peacewatch-articles-pipeline"
    )


def test_prefix_and_project_from_environment(tmp_path):
    settings = load_settings(
        {"PEACEWATCH_PREFIX": "news", "GOOGLE_CLOUD_PROJECT": "acme", "PEACEWATCH_DATA_DIR": str(tmp_path)}
    )
    assert settings.index("alerts") == "news-alerts"
    assert settings.pubsub_project == "acme"
    assert load_settings({"PUBSUB_PROJECT_ID": "p1", "GOOGLE_CLOUD_PROJECT": "p2"}).pubsub_project == "p1"


def test_secrets_never_in_repr_or_redacted(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("s3cr3t-key\n")
    settings = load_settings(
        {"PEACEWATCH_ES_URL": "https://es.example.net:9243", "PEACEWATCH_ES_API_KEY_FILE": str(key_file)}
    )
    assert settings.es_api_key == "s3cr3t-key"
    assert "s3cr3t" not in repr(settings)
    assert settings.redacted()["es_api_key"] == "***"
    assert "s3cr3t" not in str(settings.env_exports())
    assert not settings.uses_local_elasticsearch


def test_yaml_file_is_read_and_checked(tmp_path):
    config = tmp_path / "peacewatch.yaml"
    config.write_text("es_url: http://127.0.0.1:9201\nprefix: team\n")
    settings = load_settings({"PEACEWATCH_CONFIG": str(config)})
    assert (settings.es_url, settings.prefix) == ("http://127.0.0.1:9201", "team")
    # the environment wins over the file
    assert load_settings({"PEACEWATCH_CONFIG": str(config), "PEACEWATCH_PREFIX": "env"}).prefix == "env"


@pytest.mark.parametrize(
    "content,needle",
    [
        ("es_url: [1, 2\n", "cannot read configuration"),
        ("- just\n- a list\n", "mapping"),
        ("colour: blue\n", "unknown setting(s) colour"),
        ("es_api_key: abc\n", "secrets do not belong"),
        ("es_timeout: -3\n", "must be positive"),
        ("es_verify_certs: maybe\n", "true or false"),
    ],
)
def test_bad_yaml_is_refused_with_a_reason(tmp_path, content, needle):
    config = tmp_path / "peacewatch.yaml"
    config.write_text(content)
    with pytest.raises(UserError) as caught:
        load_settings({"PEACEWATCH_CONFIG": str(config)})
    assert needle in caught.value.message


@pytest.mark.parametrize(
    "environ,needle",
    [
        ({"PEACEWATCH_ES_URL": "ftp://x"}, "not an http(s) URL"),
        ({"PEACEWATCH_ES_URL": "http://127.0.0.1:99999"}, "invalid port"),
        ({"PUBSUB_EMULATOR_HOST": "localhost"}, "HOST:PORT"),
        ({"PEACEWATCH_ES_USERNAME": "elastic"}, "without a password"),
        ({"PEACEWATCH_PREFIX": "Bad Prefix"}, "lower-case"),
        ({"PEACEWATCH_CONFIG": "/nonexistent/pw.yaml"}, "does not exist"),
        ({"PEACEWATCH_ES_CA_CERTS": "/nonexistent/ca.pem"}, "does not exist"),
    ],
)
def test_bad_environment_is_refused(environ, needle):
    with pytest.raises(UserError) as caught:
        load_settings(environ)
    assert needle in caught.value.message


def test_local_services_state_supplies_the_emulator(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "services.json").write_text('{"pubsub_emulator_host": "127.0.0.1:8123"}')
    assert load_settings({"PEACEWATCH_DATA_DIR": str(tmp_path)}).pubsub_emulator_host == "127.0.0.1:8123"
    # an explicit empty PUBSUB_EMULATOR_HOST means Google Cloud
    assert (
        load_settings({"PEACEWATCH_DATA_DIR": str(tmp_path), "PUBSUB_EMULATOR_HOST": ""}).pubsub_emulator_host is None
    )


def test_the_secret_file_wins_and_is_masked_in_errors(tmp_path):
    from peacewatch.redact import redact

    key_file = tmp_path / "key"
    key_file.write_text("file-key-123456\n")
    settings = load_settings({"PEACEWATCH_ES_API_KEY": "env-key-123456", "PEACEWATCH_ES_API_KEY_FILE": str(key_file)})
    assert settings.es_api_key == "file-key-123456"
    assert redact("refused key file-key-123456") == "refused key ***"
    with pytest.raises(UserError) as caught:
        load_settings({"PEACEWATCH_ES_PASSWORD_FILE": str(tmp_path / "missing")})
    assert "PEACEWATCH_ES_PASSWORD_FILE: cannot read" in caught.value.message


def test_command_line_overrides_win_and_none_is_ignored(tmp_path):
    environ = {"PEACEWATCH_ES_URL": "http://127.0.0.1:9201", "PEACEWATCH_DATA_DIR": str(tmp_path)}
    assert load_settings(environ, es_url="http://127.0.0.1:9202").es_url == "http://127.0.0.1:9202"
    assert load_settings(environ, es_url=None).es_url == "http://127.0.0.1:9201"


def test_smtp_section_reads_its_variables_and_password_file(tmp_path):
    password = tmp_path / "smtp"
    password.write_text("mail-secret-99\n")
    smtp = SmtpSettings.load(
        {
            "PEACEWATCH_SMTP_HOST": "mail.example.org",
            "PEACEWATCH_SMTP_STARTTLS": "yes",
            "PEACEWATCH_SMTP_USER": "desk",
            "PEACEWATCH_SMTP_PASSWORD_FILE": str(password),
            "PEACEWATCH_SMTP_FROM": "alerts@example.org",
        }
    )
    assert (smtp.host, smtp.server_port, smtp.user, smtp.password, smtp.sender) == (
        "mail.example.org",
        587,
        "desk",
        "mail-secret-99",
        "alerts@example.org",
    )
    assert "mail-secret" not in repr(smtp)
    assert SmtpSettings.load({"PEACEWATCH_SMTP_HOST": "h", "PEACEWATCH_SMTP_SSL": "1"}).server_port == 465
    with pytest.raises(UserError) as caught:
        SmtpSettings.load({}).required()
    assert "PEACEWATCH_SMTP_HOST is not set" in caught.value.message
    with pytest.raises(UserError) as caught:
        SmtpSettings.load({"PEACEWATCH_SMTP_PORT": "twenty-five"})
    assert caught.value.message == "PEACEWATCH_SMTP_PORT: port must be a whole number, not 'twenty-five'"


def test_service_section_defaults_and_choices():
    service = ServiceSettings.load({})
    assert (service.es_version, service.es_heap, service.start_timeout, service.pubsub_emulator) == (
        "9.2.0",
        "1g",
        180.0,
        "auto",
    )
    assert ServiceSettings.load({"PEACEWATCH_JAVA_HOME": "/opt/jdk", "JAVA_HOME": "/usr/lib/jvm/x"}).java_home == Path(
        "/opt/jdk"
    )
    with pytest.raises(UserError) as caught:
        ServiceSettings.load({"PEACEWATCH_PUBSUB_EMULATOR": "docker"})
    assert caught.value.message.startswith("PEACEWATCH_PUBSUB_EMULATOR: pubsub_emulator ")
    assert "'auto', 'gcloud' or 'pstest'" in caught.value.message


def test_the_emulator_is_reached_without_writing_the_environment(monkeypatch, tmp_path):
    from peacewatch.clients import publisher_client, subscriber_client

    monkeypatch.delenv("PUBSUB_EMULATOR_HOST", raising=False)
    settings = load_settings({"PEACEWATCH_DATA_DIR": str(tmp_path), "PUBSUB_EMULATOR_HOST": "127.0.0.1:1"})
    publisher, subscriber = publisher_client(settings), subscriber_client(settings)
    try:
        assert "PUBSUB_EMULATOR_HOST" not in os.environ
        assert publisher._transport._host.startswith("127.0.0.1:1")
    finally:
        publisher.stop()
        subscriber.close()


def test_only_the_settings_module_reads_the_environment():
    """Configuration comes through peacewatch.settings; the rest may only pass the environment on to
    the programs it starts (``{**os.environ, ...}``, its PATH)."""
    root = Path(__file__).resolve().parents[2]
    reads = re.compile(r"os\.environ\.get\((?!['\"]PATH['\"])|os\.environ\[|os\.getenv\(")
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for folder in ("peacewatch", "pipelines", "connectors", "deploy", "schemas")
        for path in sorted((root / folder).rglob("*.py"))
        if path.name != "settings.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if reads.search(line)
    ]
    assert offenders == []


def test_settings_are_built_again_when_what_they_come_from_changes(tmp_path):
    config = tmp_path / "peacewatch.yaml"
    config.write_text("prefix: first\n")
    environ = {"PEACEWATCH_CONFIG": str(config), "PEACEWATCH_DATA_DIR": str(tmp_path)}
    assert load_settings(environ) is load_settings(dict(environ))  # the same inputs: built once
    config.write_text("prefix: second-one\n")
    assert load_settings(environ).prefix == "second-one"
    assert load_settings({**environ, "PEACEWATCH_PREFIX": "third"}).prefix == "third"
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "services.json").write_text('{"pubsub_emulator_host": "127.0.0.1:8124"}')
    assert load_settings(environ).pubsub_emulator_host == "127.0.0.1:8124"
