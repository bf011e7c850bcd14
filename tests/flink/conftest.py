"""A real local Flink cluster for the tests in this folder (``make test-flink``).

The cluster runs under its own data folder (state, logs) and the machine's cache folder (the
Maven artifacts are fetched once); it is started once per session with ``peacewatch services
up flink`` and stopped with ``services down flink`` at the end, whatever happened.
"""

from __future__ import annotations

import os
import time

import pytest

from tests.helpers import run_cli


@pytest.fixture(scope="session")
def flink_env(tmp_path_factory, services) -> dict:
    data_dir = tmp_path_factory.mktemp("flink-data")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEWATCH_PREFIX")}
    env.update(
        {
            "PEACEWATCH_DATA_DIR": str(data_dir),
            "PUBSUB_EMULATOR_HOST": services.pubsub_emulator_host,
            "PEACEWATCH_ES_URL": services.es_url,
        }
    )
    return env


@pytest.fixture(scope="session")
def flink_cluster(flink_env):
    """``services up flink`` once; yields the environment the cluster was started with."""
    started = time.monotonic()
    result = run_cli("services", "up", "flink", env=flink_env, timeout=2400)
    print(result.stdout, result.stderr, f"(services up flink: {time.monotonic() - started:.1f}s)")
    try:
        assert result.returncode == 0, result.stdout + result.stderr
        yield flink_env
    finally:
        down = run_cli("services", "down", "flink", env=flink_env, timeout=300)
        print(down.stdout, down.stderr)
