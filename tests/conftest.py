"""Session-wide real services and per-test isolation (see tests/FIXTURES.md).

The session starts the local Elasticsearch and Pub/Sub emulator when they are not running and
reuses them when they are; it stops only what it started. Every test that asks for
``settings`` gets its own name prefix, so topics and indices never leak between tests.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# tests/flink starts a Flink cluster and runs jobs on it (minutes): `make test-flink` runs it
collect_ignore = [] if os.environ.get("PEACEWATCH_TEST_FLINK") == "1" else ["flink"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.helpers import SHARED_EVAL, delete_prefixed  # noqa: E402  (the repository root is on sys.path first)

SESSION_MARK = "PEACEWATCH_TEST_SESSION"
# Fixtures that reach the real Elasticsearch and Pub/Sub emulator: a test using one is `integration`.
SERVICE_FIXTURES = frozenset({"services", "settings", "es", "provisioned", "publisher", "subscriber"})


# Tests without services that take seconds each (child processes, the command in a subprocess, the
# spaCy model loaded in several processes, fuzzing): part of `make test`, not of `make test-fast`.
SLOW_TESTS = (
    "tests/deploy/test_services.py",
    "tests/test_cli_errors.py",
    "tests/test_fuzz.py",
    "tests/pipelines/test_pipeline_parallel.py",
    "tests/pipelines/test_pipeline_enrich.py",
    "tests/test_security.py::test_commands_never_print_the_elasticsearch_password",
    "tests/pipelines/test_pipeline_parse.py::test_parse_articles_splits_valid_and_dead_letters",
    "tests/deploy/test_flink_supervisor.py::test_dead_process_is_restarted",
    "tests/pipelines/nlp/test_nlp_lang_packs.py::test_cli_prints_route_and_language_counts",
    "tests/pipelines/nlp/test_nlp_missions.py::test_a_bad_missions_file_stops_analyze_at_start",
    "tests/pipelines/nlp/test_nlp_analyze.py::test_cli_skips_bad_lines",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks the tests that need the services `integration` and the long ones `slow` (``make
    test-fast`` leaves both out)."""
    for item in items:
        if SERVICE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)
        if item.nodeid.startswith(SLOW_TESTS):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def no_prism_left_behind():
    """Every process the tests start inherits a session mark; at the end no Prism may carry it."""
    import signal
    import time

    from tests.pipelines.support import processes_marked

    os.environ[SESSION_MARK] = uuid.uuid4().hex
    yield
    deadline = time.monotonic() + 15  # a Prism stopping at the end of the last run gets a moment
    left = processes_marked(SESSION_MARK, os.environ[SESSION_MARK], "prism")
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = processes_marked(SESSION_MARK, os.environ[SESSION_MARK], "prism")
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"Prism processes left behind by the tests: {left}"


@pytest.fixture(scope="session")
def services():
    """Real local Elasticsearch and Pub/Sub emulator, started once per session when needed."""
    from deploy import services as svc
    from peacewatch.settings import DEFAULT_EMULATOR_HOST, load_settings

    environ = {k: v for k, v in os.environ.items() if not k.startswith("PEACEWATCH_PREFIX")}
    base = load_settings(environ)
    if not base.uses_local_elasticsearch:
        pytest.fail(f"tests need the local Elasticsearch; PEACEWATCH_ES_URL points at {base.es_url}")
    if not base.pubsub_emulator_host:
        base = load_settings(environ, pubsub_emulator_host=DEFAULT_EMULATOR_HOST)
    started = []
    if not svc.es_running(base):
        started.append("elasticsearch")
    if not svc.pubsub_running(base):
        started.append("pubsub")
    for line in svc.up(base):
        print(line)
    os.environ["PUBSUB_EMULATOR_HOST"] = base.pubsub_emulator_host
    os.environ["PUBSUB_PROJECT_ID"] = base.pubsub_project
    os.environ["PEACEWATCH_ES_URL"] = base.es_url
    yield base
    if os.environ.get("PEACEWATCH_KEEP_SERVICES") != "1":
        for name in started:
            svc.stop_process(base, name)


@pytest.fixture
def settings(services, tmp_path, monkeypatch):
    """Settings with a unique prefix and data folder; their indices are deleted afterwards."""
    from peacewatch.settings import load_settings

    prefix = f"pwt-{uuid.uuid4().hex[:10]}"
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    monkeypatch.setenv("PEACEWATCH_PREFIX", prefix)
    monkeypatch.setenv("PEACEWATCH_DATA_DIR", str(data_dir))
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", services.pubsub_emulator_host)
    current = load_settings()
    yield current
    from peacewatch.clients import elasticsearch_client

    es = elasticsearch_client(current)
    try:
        delete_prefixed(es, prefix)
    finally:
        es.close()


@pytest.fixture
def es(settings):
    from peacewatch.clients import elasticsearch_client

    client = elasticsearch_client(settings)
    yield client
    client.close()


@pytest.fixture
def provisioned(settings):
    from deploy.provision import provision

    provision(settings)
    return settings


@pytest.fixture
def publisher(settings):
    from peacewatch.clients import publisher_client

    client = publisher_client(settings)
    yield client
    client.stop()


@pytest.fixture
def subscriber(settings):
    from peacewatch.clients import subscriber_client

    client = subscriber_client(settings)
    yield client
    client.close()


@pytest.fixture(scope="session")
def shared_eval() -> Path:
    """The shared evaluation folder beside the repo; tests that need it skip when it is absent."""
    if not (SHARED_EVAL / "dev.jsonl").exists():
        pytest.skip(f"{SHARED_EVAL} is absent")
    return SHARED_EVAL
