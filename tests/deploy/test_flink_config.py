"""The local Flink cluster's configuration, command lines and build file (no cluster needed)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from deploy.flink import build, config
from peacewatch.errors import UserError
from peacewatch.settings import FlinkSettings

JM_OUTPUT = """\
INFO  [] - Loading configuration property: jobmanager.memory.process.size, 1280m
BASH_JAVA_UTILS_EXEC_RESULT:-Xmx738197504 -Xms738197504 -XX:MaxMetaspaceSize=268435456
BASH_JAVA_UTILS_EXEC_RESULT:-D jobmanager.memory.off-heap.size=134217728b -D jobmanager.memory.heap.size=738197504b
"""


def test_defaults_are_loopback_two_taskmanagers_of_two_gigabytes():
    settings = FlinkSettings.load({})
    assert settings.host == "127.0.0.1" and settings.taskmanagers == 2 and settings.slots == 1
    assert settings.taskmanager_memory == "2048m"
    assert settings.rest_url == "http://127.0.0.1:8081" and settings.job_endpoint == "127.0.0.1:8099"
    assert settings.worker_pool_endpoint == "127.0.0.1:50000"


def test_environment_overrides_and_bad_values():
    settings = FlinkSettings.load({"PEACEWATCH_FLINK_REST_PORT": "18081", "PEACEWATCH_FLINK_TASKMANAGERS": "3"})
    assert settings.rest_port == 18081 and settings.taskmanagers == 3
    for env, words in [
        ({"PEACEWATCH_FLINK_REST_PORT": "eighty"}, "whole number"),
        ({"PEACEWATCH_FLINK_HOST": "0.0.0.0"}, "loopback"),
        ({"PEACEWATCH_FLINK_TASKMANAGER_MEMORY": "lots"}, "size"),
        ({"PEACEWATCH_FLINK_JOB_PORT": "8081"}, "overlap"),
        ({"PEACEWATCH_FLINK_TASKMANAGERS": "0"}, "between 1 and 16"),
    ]:
        with pytest.raises(UserError) as info:
            FlinkSettings.load(env)
        assert words in info.value.message


def test_cluster_config_binds_loopback_and_restarts_generously(tmp_path):
    rendered = config.render_config(config.cluster_config(FlinkSettings.load({}), tmp_path))
    conf = yaml.safe_load(rendered)
    for key in (
        "jobmanager.rpc.address",
        "jobmanager.bind-host",
        "taskmanager.host",
        "taskmanager.bind-host",
        "rest.address",
        "rest.bind-address",
    ):
        assert conf[key] == "127.0.0.1", key
    assert conf["rest.port"] == 8081 and conf["taskmanager.numberOfTaskSlots"] == 1
    assert conf["taskmanager.memory.process.size"] == "2048m"
    assert conf["restart-strategy.type"] == "fixed-delay"
    assert conf["restart-strategy.fixed-delay.attempts"] >= 100
    assert not any(key.startswith("heartbeat.") for key in conf), "Flink's default heartbeat"
    assert conf["web.submit.enable"] is False
    assert conf["classloader.resolve-order"] == "parent-first"
    assert conf["io.tmp.dirs"] == str(tmp_path)


def test_bash_java_utils_results_become_command_lines(tmp_path):
    memory = config.parse_bash_java_utils(JM_OUTPUT)
    assert memory[0].startswith("-Xmx738197504")
    jm = config.jobmanager_command(Path("/jdk/bin/java"), "a.jar:b.jar", tmp_path, tmp_path / "jm.log", memory)
    assert jm[0] == "/jdk/bin/java" and "-Xmx738197504" in jm and config.JOBMANAGER_MAIN in jm
    assert jm[-4:] == [
        "-D",
        "jobmanager.memory.off-heap.size=134217728b",
        "-D",
        "jobmanager.memory.heap.size=738197504b",
    ]
    assert f"-Dlog.file={tmp_path / 'jm.log'}" in jm
    tm = config.taskmanager_command(Path("java"), "cp", tmp_path, tmp_path / "tm.log", memory, "peacewatch-tm-2")
    assert tm[-2:] == ["-D", "taskmanager.resource-id=peacewatch-tm-2"] and config.TASKMANAGER_MAIN in tm
    js = config.job_server_command(Path("java"), "cp", tmp_path, tmp_path / "js.log", FlinkSettings.load({}), tmp_path)
    assert js[js.index("--job-host") + 1] == "127.0.0.1" and js[js.index("--flink-master") + 1] == "127.0.0.1:8081"
    assert js[js.index("--expansion-port") + 1] == "-1" and "-Dpeacewatch.flink.filesToStage=" in js


def test_bash_java_utils_without_results_is_a_clear_error():
    with pytest.raises(UserError) as info:
        config.parse_bash_java_utils("Exception in thread main: bad memory\n")
    assert "BashJavaUtils" in info.value.message and "bad memory" in info.value.message


def test_build_file_pins_every_version_and_builds_outside_the_source_tree():
    versions = build.pinned_versions()
    assert versions["beam.version"] == "2.70.0" and versions["flink.version"] == "1.19.0"
    assert versions["beam.jobservice.version"] == "2.65.0"
    root = ET.parse(build.POM).getroot()
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    for dep in root.iterfind(".//m:dependency", ns):
        assert dep.find("m:version", ns) is not None, ET.tostring(dep)
    for plugin in root.iterfind(".//m:plugin", ns):
        assert plugin.find("m:version", ns) is not None, ET.tostring(plugin)
    assert root.find("m:build/m:directory", ns).text == "${peacewatch.build.dir}"
    assert len(build.build_hash()) == 12


def test_build_home_changes_with_the_build_file(tmp_path, monkeypatch):
    from peacewatch.settings import load_settings

    monkeypatch.setenv("PEACEWATCH_CACHE_DIR", str(tmp_path))
    settings = load_settings()
    first = build.build_home(settings)
    assert first.parent == tmp_path and "beam-2.70.0" in first.name
    assert build.resolved(settings) is None
    monkeypatch.setattr(build, "build_hash", lambda: "000000000000")
    assert build.build_home(settings) != first


def test_recorded_environment_has_no_secrets(monkeypatch):
    from deploy.flink import cluster

    monkeypatch.setenv("PEACEWATCH_ES_PASSWORD", "hunter2")
    monkeypatch.setenv("PEACEWATCH_ES_API_KEY", "abc")
    env = cluster.python_env()
    assert "PEACEWATCH_ES_PASSWORD" not in env and "PEACEWATCH_ES_API_KEY" not in env
    assert env["PATH"].split(":")[0].endswith("bin") and "PYTHONPATH" in env
