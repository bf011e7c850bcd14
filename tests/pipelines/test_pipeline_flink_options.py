"""How ``run --runner FlinkRunner`` fills in its target, watches counters and decides it is idle."""

from __future__ import annotations

import pytest

from deploy.flink.config import FlinkSettings
from pipelines import flink
from schemas.errors import UserError

LOCAL = FlinkSettings()


def test_target_defaults_to_the_local_cluster_and_worker_pool():
    target = flink.resolve_target("[auto]", None, None, None, LOCAL)
    assert target.flink_master == "127.0.0.1:8081" and target.rest_url == "http://127.0.0.1:8081"
    assert target.job_endpoint == "127.0.0.1:8099"
    assert (target.environment_type, target.environment_config) == ("EXTERNAL", "127.0.0.1:50000")


def test_target_of_a_remote_cluster():
    target = flink.resolve_target("http://flink.internal:8081/", "jobs.internal:8099", "external", "localhost:50000", LOCAL)
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


def test_counter_totals_survive_a_task_restart():
    totals = flink.CounterTotals()
    totals.update({"read": 10, "indexed": 8})
    totals.update({"read": 25, "indexed": 20})
    assert totals.update({"read": 3, "indexed": 1}) == {"read": 28, "indexed": 21}
    by_attempt = flink.CounterTotals()
    by_attempt.update({"read": 40, "indexed": 30}, attempt=0)
    assert by_attempt.update({"read": 45, "indexed": 41}, attempt=1) == {"read": 85, "indexed": 71}
    assert by_attempt.update({"read": 50, "indexed": 50}, attempt=1) == {"read": 90, "indexed": 80}


def test_idle_needs_pulls_that_find_nothing_and_nothing_pending():
    watch = flink.IdleWatch(10)
    assert not watch.observe({"pulls": 1, "read": 5, "acked": 5}, now=0)
    assert not watch.observe({"pulls": 4, "read": 5, "acked": 5}, now=9)
    assert watch.observe({"pulls": 9, "read": 5, "acked": 5}, now=10)
    starting = flink.IdleWatch(10)
    for second in range(0, 60, 5):
        assert not starting.observe({}, now=second), "a job whose source has not pulled yet is starting, not idle"
    stuck = flink.IdleWatch(10)
    for second in range(0, 60, 5):
        assert not stuck.observe({"pulls": 3, "read": 5, "acked": 5}, now=second), "no pull went through"
    pending = flink.IdleWatch(10)
    for second in range(0, 60, 5):
        assert not pending.observe({"pulls": second, "read": 7, "acked": 5}, now=second), "un-acknowledged"
    moving = flink.IdleWatch(10)
    for second in range(0, 60, 5):
        assert not moving.observe({"pulls": second, "read": second, "acked": second}, now=second)
    assert not flink.IdleWatch(0).observe({"pulls": 1}, now=1000)


def test_progress_line_has_the_usual_counters_first():
    line = flink.progress_line({"read": 3, "indexed": 2, "acked": 2, "pulls": 40})
    assert line == "read=3 valid=0 relevant=0 indexed=2 dead-lettered=0 alerts=0 acked=2"
