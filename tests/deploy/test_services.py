"""The spine against real services: Elasticsearch, the Pub/Sub emulator, setup, the CLI."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import free_port, pull_messages, run_cli


def peacewatch(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """``peacewatch ARGS`` in a subprocess, ``env`` set on top of this process's environment."""
    return run_cli(*args, env={**os.environ, **(env or {})}, timeout=timeout)


def es_up(tmp_path: Path, port: int | None = None, **env: str) -> subprocess.CompletedProcess:
    """``services up --only elasticsearch`` on ``port`` (default: a free one), data under ``tmp_path``."""
    return peacewatch(
        "services",
        "up",
        "--only",
        "elasticsearch",
        env={
            "PEACEWATCH_ES_URL": f"http://127.0.0.1:{port or free_port()}",
            "PEACEWATCH_DATA_DIR": str(tmp_path),
            **env,
        },
    )


def test_index_and_search_real_elasticsearch(provisioned, es):
    alias = provisioned.index("articles")
    es.index(
        index=alias,
        id="a1",
        document={
            "id": "a1",
            "title": "Coalition of the willing meets",
            "countries": ["France"],
            "published": "2026-11-20T10:00:00Z",
        },
        refresh="wait_for",
    )
    hits = es.search(index=alias, query={"match": {"title": "coalition"}})["hits"]["hits"]
    assert [h["_id"] for h in hits] == ["a1"]
    mapping = es.indices.get_mapping(index=alias)
    properties = next(iter(mapping.values()))["mappings"]["properties"]
    assert properties["published"]["type"] == "date"
    assert properties["stances"]["properties"]["actor"]["type"] == "keyword"


def test_publish_and_pull_real_emulator(provisioned, publisher, subscriber):
    future = publisher.publish(provisioned.topic_path("articles"), b'{"hello": "world"}', article_id="x1")
    assert future.result(timeout=30)
    messages = pull_messages(subscriber, provisioned.subscription_path("articles"), expect=1)
    assert [(m.data, m.attributes["article_id"]) for m in messages] == [(b'{"hello": "world"}', "x1")]


def test_setup_twice_changes_nothing(settings):
    from deploy.provision import provision

    first = provision(settings)
    assert any("index template" in line for line in first) and any("topic" in line for line in first)
    assert provision(settings) == []


def test_setup_gives_the_articles_subscription_a_dead_letter_policy_even_when_it_exists(settings, subscriber):
    from deploy.provision import MAX_DELIVERY_ATTEMPTS, UNDELIVERABLE, provision

    provision(settings)
    name = settings.subscription_path("articles")
    policy = subscriber.get_subscription(request={"subscription": name}).dead_letter_policy
    assert policy.dead_letter_topic == settings.topic_path(UNDELIVERABLE)
    assert policy.max_delivery_attempts == MAX_DELIVERY_ATTEMPTS
    subscriber.get_subscription(request={"subscription": settings.subscription_path("alerts", "delivery")})
    # a subscription made before the policy existed gets it at the next setup, once
    subscriber.delete_subscription(request={"subscription": name})
    subscriber.create_subscription(request={"name": name, "topic": settings.topic_path("articles")})
    assert provision(settings) == [
        f"subscription {name}: dead-letter policy set ({MAX_DELIVERY_ATTEMPTS} attempts, then {UNDELIVERABLE})"
    ]
    assert (
        subscriber.get_subscription(request={"subscription": name}).dead_letter_policy.max_delivery_attempts
        == MAX_DELIVERY_ATTEMPTS
    )
    assert provision(settings) == []


def test_setup_cli_is_idempotent(settings):
    first = peacewatch("setup")
    assert first.returncode == 0, first.stderr
    second = peacewatch("setup")
    assert second.returncode == 0 and "nothing changed" in second.stdout


def test_status_and_env_report_healthy_services(services):
    status = peacewatch("services", "status")
    assert status.returncode == 0, status.stdout + status.stderr
    assert "ok   elasticsearch" in status.stdout and "version 9." in status.stdout
    assert "ok   pubsub" in status.stdout
    env = peacewatch("services", "env")
    lines = env.stdout.strip().splitlines()
    assert all(line.startswith("export ") for line in lines)
    exported = dict(line[len("export ") :].split("=", 1) for line in lines)
    assert exported["PUBSUB_EMULATOR_HOST"] == services.pubsub_emulator_host
    assert exported["PEACEWATCH_ES_URL"] == services.es_url
    again = peacewatch("services", "up")
    assert again.returncode == 0 and "already running" in again.stdout


def _one_line_error(result: subprocess.CompletedProcess, needle: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert needle in result.stderr.splitlines()[0], result.stderr
    assert "hint:" in result.stderr


def test_setup_with_wrong_port_says_what_to_do(tmp_path):
    result = peacewatch(
        "setup", env={"PEACEWATCH_ES_URL": f"http://127.0.0.1:{free_port()}", "PEACEWATCH_DATA_DIR": str(tmp_path)}
    )
    _one_line_error(result, "does not answer")


def test_unreachable_remote_elasticsearch(tmp_path):
    result = peacewatch(
        "setup",
        "--skip-pubsub",
        env={
            "PEACEWATCH_ES_URL": f"http://127.0.0.2:{free_port()}",
            "PEACEWATCH_ES_API_KEY": "k",
            "PEACEWATCH_DATA_DIR": str(tmp_path),
        },
    )
    _one_line_error(result, "cannot reach Elasticsearch at http://127.0.0.2:")
    url = result.stderr.splitlines()[0].split(" at ", 1)[1].rsplit(": ", 1)[0]
    assert "k" not in url  # the API key is nowhere near the URL shown
    assert "check PEACEWATCH_ES_URL" in result.stderr  # a remote cluster: nothing to start here


def test_port_taken_by_something_else(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = es_up(tmp_path, port)
    _one_line_error(result, f"port {port} is taken")


def test_missing_java(tmp_path):
    result = es_up(tmp_path, PEACEWATCH_JAVA_HOME=str(tmp_path / "no-jdk"))
    _one_line_error(result, "Java 21 or newer is needed")


def test_missing_maven_for_first_download(tmp_path):
    result = es_up(tmp_path, PEACEWATCH_CACHE_DIR=str(tmp_path / "cache"), PATH=str(tmp_path))
    _one_line_error(result, "Maven (mvn) is needed")


def test_failed_first_download(tmp_path):
    result = es_up(tmp_path, PEACEWATCH_CACHE_DIR=str(tmp_path / "cache"), PEACEWATCH_ES_VERSION="9.0.0-nonexistent")
    _one_line_error(result, "could not fetch")


def test_bad_configuration_file(tmp_path):
    config = tmp_path / "pw.yaml"
    config.write_text("es_url: [oops\n")
    result = peacewatch("services", "status", env={"PEACEWATCH_CONFIG": str(config)})
    _one_line_error(result, "cannot read configuration")


@pytest.mark.slow
def test_up_status_down_leaves_no_process(services, tmp_path):
    """A second, private pair of services on other ports: up, status, down, nothing left."""
    # Not under tmp_path: when tests run as root the service runs as an unprivileged user, which
    # cannot enter pytest's private temporary folder.
    data = Path(tempfile.mkdtemp(prefix="peacewatch-services-"))
    data.chmod(0o755)
    env = {
        "PEACEWATCH_ES_URL": f"http://127.0.0.1:{free_port()}",
        "PUBSUB_EMULATOR_HOST": f"127.0.0.1:{free_port()}",
        "PEACEWATCH_DATA_DIR": str(data),
        "PEACEWATCH_ES_HEAP": "384m",
    }
    up = peacewatch("services", "up", env=env)
    assert up.returncode == 0, up.stdout + up.stderr
    pids = [int(p.read_text()) for p in (data / "run").glob("*.pid")]
    assert len(pids) == 2
    status = peacewatch("services", "status", env=env)
    assert status.returncode == 0 and status.stdout.count("ok  ") == 2, status.stdout
    assert status.stdout.count("(running, started by peacewatch, pid ") == 2, status.stdout
    with urllib.request.urlopen(env["PEACEWATCH_ES_URL"], timeout=10) as response:  # what `curl URL` shows
        assert json.loads(response.read())["version"]["number"].startswith("9.")
    down = peacewatch("services", "down", env=env)
    assert down.returncode == 0, down.stderr
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split(") ")[1][:1]
    leftovers = subprocess.run(["pgrep", "-f", str(data)], capture_output=True, text=True).stdout.split()
    assert leftovers == []
    after = peacewatch("services", "status", env=env)
    assert after.returncode == 1 and "DOWN" in after.stdout
    shutil.rmtree(data, ignore_errors=True)


def test_doctor_reports_every_dependency(services):
    result = peacewatch("doctor")
    assert "Traceback" not in result.stderr
    for name in (
        "apache-beam",
        "spaCy model",
        "Java >= 21",
        "Maven",
        "Pub/Sub emulator",
        "Prism (local streaming)",
        "Flink (optional)",
        "elasticsearch",
        "pubsub",
    ):
        assert name in result.stdout, result.stdout
    assert result.returncode == 0 and result.stdout.rstrip().endswith("all good"), result.stdout


def test_doctor_says_what_to_do_when_a_service_is_down(tmp_path):
    result = peacewatch(
        "doctor", env={"PEACEWATCH_ES_URL": f"http://127.0.0.1:{free_port()}", "PEACEWATCH_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 1
    assert "FAIL elasticsearch" in result.stdout and "-> peacewatch services up" in result.stdout


def test_doctor_says_how_to_get_prism_when_it_is_not_built(tmp_path):
    result = peacewatch("doctor", env={"PEACEWATCH_CACHE_DIR": str(tmp_path)})
    assert "FAIL Prism (local streaming)" in result.stdout and "not built" in result.stdout
    assert "-> peacewatch services up (builds it with Go, once per machine)" in result.stdout


@pytest.mark.parametrize("kind", ["pstest", "gcloud"])
def test_each_emulator_serves_the_pubsub_client(kind, tmp_path, monkeypatch):
    """Both emulators the project can start: up, a real publish and pull, down."""
    from deploy.services import emulator_kind

    monkeypatch.delenv("PEACEWATCH_PUBSUB_EMULATOR", raising=False)
    if kind == "gcloud" and emulator_kind() != "gcloud":
        pytest.skip("the gcloud Pub/Sub emulator is not installed here")
    from peacewatch.clients import publisher_client, subscriber_client
    from peacewatch.settings import load_settings

    host = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", host)  # the client library reads it; restored afterwards
    env = {"PUBSUB_EMULATOR_HOST": host, "PEACEWATCH_DATA_DIR": str(tmp_path), "PEACEWATCH_PUBSUB_EMULATOR": kind}
    up = peacewatch("services", "up", "--only", "pubsub", env=env)
    assert up.returncode == 0 and f"({kind})" in up.stdout, up.stdout + up.stderr
    try:
        settings = load_settings({**os.environ, **env})
        publisher, subscriber = publisher_client(settings), subscriber_client(settings)
        topic, subscription = settings.topic_path("articles"), settings.subscription_path("articles")
        publisher.create_topic(request={"name": topic})
        subscriber.create_subscription(request={"name": subscription, "topic": topic})
        publisher.publish(topic, b"hello", article_id="a").result(timeout=30)
        [message] = pull_messages(subscriber, subscription, expect=1)
        assert (message.data, message.attributes["article_id"]) == (b"hello", "a")
        subscriber.close()
    finally:
        down = peacewatch("services", "down", "--only", "pubsub", env=env)
    assert down.returncode == 0 and "stopped" in down.stdout
    with pytest.raises(OSError):
        socket.create_connection(tuple(host.split(":")), timeout=1).close()


def test_status_says_what_runs_what_is_external_and_what_is_stopped(tmp_path):
    """Each state in words: stopped, started outside peacewatch, external (started by peacewatch: the
    test above)."""
    import http.server
    import threading

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # an Elasticsearch-like health answer, from a process peacewatch did not start
            body = json.dumps({"cluster_name": "elsewhere", "status": "green"}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        cases = {
            "stopped": (
                {"PEACEWATCH_ES_URL": f"http://127.0.0.1:{free_port()}"},
                "not answering (stopped: 'peacewatch services up' starts it)",
            ),
            "outside": (
                {"PEACEWATCH_ES_URL": f"http://127.0.0.1:{server.server_port}"},
                "(running, started outside peacewatch: 'services down' leaves it alone)",
            ),
            "external": (
                {"PEACEWATCH_ES_URL": f"http://127.0.0.2:{free_port()}", "PEACEWATCH_ES_API_KEY": "k"},
                "(external and not answering: check its URL)",
            ),
        }
        for name, (env, expected) in cases.items():
            env = {**env, "PEACEWATCH_DATA_DIR": str(tmp_path), "PUBSUB_EMULATOR_HOST": f"127.0.0.1:{free_port()}"}
            result = peacewatch("services", "status", env=env)
            es_line = next(line for line in result.stdout.splitlines() if " elasticsearch " in line)
            assert es_line.endswith(expected), (name, result.stdout)
            assert "pubsub" in result.stdout and "(stopped: 'peacewatch services up' starts it)" in result.stdout
            assert "external or not running" not in result.stdout
    finally:
        server.shutdown()
        server.server_close()
