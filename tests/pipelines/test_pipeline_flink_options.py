"""How ``run --runner FlinkRunner`` fills in its target, watches counters and decides it is idle."""

from __future__ import annotations

import pytest

from deploy.flink.config import FlinkSettings
from peacewatch.errors import UserError
from pipelines import flink

LOCAL = FlinkSettings()


def test_target_defaults_to_the_local_cluster_and_worker_pool():
    target = flink.resolve_target("[auto]", None, None, None, LOCAL)
    assert target.flink_master == "127.0.0.1:8081" and target.rest_url == "http://127.0.0.1:8081"
    assert target.job_endpoint == "127.0.0.1:8099"
    assert (target.environment_type, target.environment_config) == ("EXTERNAL", "127.0.0.1:50000")


def test_target_of_a_remote_cluster():
    target = flink.resolve_target(
        "http://flink.internal:8081/", "jobs.internal:8099", "external", "localhost:50000", LOCAL
    )
    assert target.flink_master == "flink.internal:8081" and target.rest_url == "http://flink.internal:8081"
    assert target.job_endpoint == "jobs.internal:8099" and target.environment_config == "localhost:50000"
    loopback = flink.resolve_target(None, None, "LOOPBACK", None, LOCAL)
    assert loopback.environment_type == "LOOPBACK" and loopback.environment_config is None


def test_local_mini_cluster_is_refused():
    with pytest.raises(UserError, match="throw-away"):
        flink.resolve_target("[local]", None, None, None, LOCAL)


def test_runner_flags_name_the_job_and_keep_it_thin():
    target = flink.resolve_target(None, None, None, None, LOCAL)
    flags = flink.runner_flags(target, "peacewatch-x", 2)
    assert flags["runner"] == "FlinkRunner" and flags["parallelism"] == 2 and flags["streaming"] is True
    assert flags["job_name"] == "peacewatch-x" and flags["environment_config"] == "127.0.0.1:50000"
    assert flink.job_name("pw").startswith("peacewatch-pw-")
    assert flink.job_name("pw") != flink.job_name("pw")


def test_no_flink_cluster_is_one_line_and_a_hint(provisioned, tmp_path):
    import os

    from tests.helpers import free_port, run_cli

    port = free_port()
    env = {**os.environ, "PEACEWATCH_FLINK_REST_PORT": str(port), "PEACEWATCH_DATA_DIR": str(tmp_path)}
    result = run_cli("run", "--streaming", "--runner", "FlinkRunner", "--parallelism", "2", env=env, timeout=120)
    assert result.returncode == 2, result.stderr
    assert f"no Flink cluster answers at http://127.0.0.1:{port}" in result.stderr
    assert "peacewatch services up flink" in result.stderr and "Traceback" not in result.stderr


def test_a_job_recovering_from_a_task_restart_is_not_settled():
    from pipelines.streaming import StopRules, Watcher

    watcher = Watcher(StopRules(idle_seconds=5))
    assert watcher.settled({"pulled": 4, "acked": 4})
    assert not watcher.settled({"pulled": 4, "acked": 4, "recovering": 1})
