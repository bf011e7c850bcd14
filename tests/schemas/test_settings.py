from __future__ import annotations

import pytest

from schemas.errors import UserError
from schemas.settings import load_settings


def test_defaults_are_local(tmp_path):
    settings = load_settings({"PEACEWATCH_DATA_DIR": str(tmp_path)})
    assert settings.es_url == "http://127.0.0.1:9200"
    assert settings.uses_local_elasticsearch
    assert settings.index("articles") == "peacewatch-articles"
    assert settings.topic_path("articles") == "projects/peacewatch-local/topics/peacewatch-articles"
    assert settings.subscription_path("articles") == "projects/peacewatch-local/subscriptions/peacewatch-articles-pipeline"


def test_prefix_and_project_from_environment(tmp_path):
    settings = load_settings({"PEACEWATCH_PREFIX": "news", "GOOGLE_CLOUD_PROJECT": "acme", "PEACEWATCH_DATA_DIR": str(tmp_path)})
    assert settings.index("alerts") == "news-alerts"
    assert settings.pubsub_project == "acme"
    assert load_settings({"PUBSUB_PROJECT_ID": "p1", "GOOGLE_CLOUD_PROJECT": "p2"}).pubsub_project == "p1"


def test_secrets_never_in_repr_or_redacted(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("s3cr3t-key\n")
    settings = load_settings({"PEACEWATCH_ES_URL": "https://es.example.net:9243", "PEACEWATCH_ES_API_KEY_FILE": str(key_file)})
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


@pytest.mark.parametrize("content,needle", [
    ("es_url: [1, 2\n", "cannot read configuration"),
    ("- just\n- a list\n", "mapping"),
    ("colour: blue\n", "unknown setting(s) colour"),
    ("es_api_key: abc\n", "secrets do not belong"),
    ("es_timeout: -3\n", "must be positive"),
    ("es_verify_certs: maybe\n", "true or false"),
])
def test_bad_yaml_is_refused_with_a_reason(tmp_path, content, needle):
    config = tmp_path / "peacewatch.yaml"
    config.write_text(content)
    with pytest.raises(UserError) as caught:
        load_settings({"PEACEWATCH_CONFIG": str(config)})
    assert needle in caught.value.message


@pytest.mark.parametrize("environ,needle", [
    ({"PEACEWATCH_ES_URL": "ftp://x"}, "not an http(s) URL"),
    ({"PEACEWATCH_ES_URL": "http://127.0.0.1:99999"}, "invalid port"),
    ({"PUBSUB_EMULATOR_HOST": "localhost"}, "HOST:PORT"),
    ({"PEACEWATCH_ES_USERNAME": "elastic"}, "without a password"),
    ({"PEACEWATCH_PREFIX": "Bad Prefix"}, "lower-case"),
    ({"PEACEWATCH_CONFIG": "/nonexistent/pw.yaml"}, "does not exist"),
    ({"PEACEWATCH_ES_CA_CERTS": "/nonexistent/ca.pem"}, "does not exist"),
])
def test_bad_environment_is_refused(environ, needle):
    with pytest.raises(UserError) as caught:
        load_settings(environ)
    assert needle in caught.value.message


def test_local_services_state_supplies_the_emulator(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "services.json").write_text('{"pubsub_emulator_host": "127.0.0.1:8123"}')
    assert load_settings({"PEACEWATCH_DATA_DIR": str(tmp_path)}).pubsub_emulator_host == "127.0.0.1:8123"
    # an explicit empty PUBSUB_EMULATOR_HOST means Google Cloud
    assert load_settings({"PEACEWATCH_DATA_DIR": str(tmp_path), "PUBSUB_EMULATOR_HOST": ""}).pubsub_emulator_host is None
