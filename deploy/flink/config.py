"""Settings and configuration files of the local Flink session cluster (pure functions).

Everything here is computed, not started: the ports and sizes (``FlinkSettings``, from
``PEACEWATCH_FLINK_*`` variables), Flink's ``config.yaml``, the JVM command lines of the
JobManager, the TaskManagers and the Beam job server, and the parsing of ``BashJavaUtils``
output (what Flink's own ``jobmanager.sh``/``taskmanager.sh`` use to turn the memory settings
into ``-Xmx``/``-Xms``/... flags and dynamic properties).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

from peacewatch.errors import UserError
from peacewatch.settings import FlinkSettings

JOBMANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint"
TASKMANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner"
BASH_JAVA_UTILS_MAIN = "org.apache.flink.runtime.util.bash.BashJavaUtils"
JOB_SERVER_MAIN = "org.peacewatch.flink.ThinJobServer"
BASH_JAVA_UTILS_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:"

# Flink 1.19's default env.java.opts.all: the JDK internals Flink and Kryo reach on Java 17.
JAVA_17_OPTIONS = (
    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.net=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.text=ALL-UNNAMED",
    "--add-opens=java.base/java.time=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
)


def cluster_config(settings: FlinkSettings, tmp_dir: Path) -> dict[str, object]:
    """Flink's configuration for the local session cluster, as flat ``config.yaml`` keys."""
    host = settings.host
    return {
        "jobmanager.rpc.address": host,
        "jobmanager.rpc.port": settings.rpc_port,
        "jobmanager.bind-host": host,
        "jobmanager.memory.process.size": settings.jobmanager_memory,
        "blob.server.port": str(settings.rpc_port + 1),
        "taskmanager.host": host,
        "taskmanager.bind-host": host,
        "taskmanager.numberOfTaskSlots": settings.slots,
        "taskmanager.memory.process.size": settings.taskmanager_memory,
        # Beam's portable operators keep their state on the heap; managed memory (for RocksDB and
        # batch sorting) would only take it away from the heap.
        "taskmanager.memory.managed.fraction": 0.1,
        "rest.address": host,
        "rest.bind-address": host,
        "rest.port": settings.rest_port,
        # no jar upload through the web UI or REST: jobs come through the Beam job server
        "web.submit.enable": False,
        # the REST API (and the web UI) refresh task metrics every 2 s instead of 10 s
        "metrics.fetcher.update-interval": 2000,
        "parallelism.default": 1,
        "restart-strategy.type": "fixed-delay",
        "restart-strategy.fixed-delay.attempts": settings.restart_attempts,
        "restart-strategy.fixed-delay.delay": f"{settings.restart_delay_seconds} s",
        # every class a job needs is on the cluster's classpath (the job server ships no jar)
        "classloader.resolve-order": "parent-first",
        "classloader.check-leaked-classloader": False,
        "io.tmp.dirs": str(tmp_dir),
        "web.tmpdir": str(tmp_dir / "web"),
        "blob.storage.directory": str(tmp_dir / "blobs"),
        "env.java.opts.all": " ".join(JAVA_17_OPTIONS),
    }


def render_config(config: Mapping[str, object]) -> str:
    """``config.yaml`` text (Flink 1.19 reads it as standard YAML; flat keys are allowed)."""
    header = "# Written by 'peacewatch services up flink' (deploy/flink/config.py); edits are overwritten.\n"
    return header + yaml.safe_dump(dict(config), sort_keys=True, default_flow_style=False)


def parse_bash_java_utils(output: str, expected: int = 2) -> list[str]:
    """The last ``expected`` result lines of a ``BashJavaUtils`` run, without their prefix.

    Flink's scripts do the same (``extractExecutionResults``): the tool logs freely and marks its
    results; the first is the JVM flags, the second the dynamic ``-D key=value`` properties.
    """
    results = [
        line[len(BASH_JAVA_UTILS_PREFIX) :].strip()
        for line in output.splitlines()
        if line.startswith(BASH_JAVA_UTILS_PREFIX)
    ]
    if len(results) < expected:
        tail = " | ".join(output.strip().splitlines()[-3:])[:400]
        raise UserError(
            f"Flink's BashJavaUtils gave {len(results)} result line(s), expected {expected}: {tail}",
            "check the memory settings (PEACEWATCH_FLINK_*_MEMORY)",
        )
    return results[-expected:]


def split_dynamic_properties(line: str) -> list[str]:
    """``-D a=1 -D b=2`` -> ``['-D', 'a=1', '-D', 'b=2']`` (values never contain spaces here)."""
    return line.split()


def log_options(log_file: Path, conf_dir: Path) -> list[str]:
    return [
        f"-Dlog.file={log_file}",
        f"-Dlog4j.configurationFile=file:{conf_dir / 'log4j.properties'}",
        f"-Dlog4j2.configurationFile=file:{conf_dir / 'log4j.properties'}",
    ]


def jobmanager_command(java: Path, classpath: str, conf_dir: Path, log_file: Path, memory: list[str]) -> list[str]:
    """The JobManager's command line: ``memory`` is BashJavaUtils' [JVM flags, dynamic properties]."""
    jvm, dynamic = memory
    return [
        str(java),
        *jvm.split(),
        *JAVA_17_OPTIONS,
        *log_options(log_file, conf_dir),
        "-classpath",
        classpath,
        JOBMANAGER_MAIN,
        "--configDir",
        str(conf_dir),
        *split_dynamic_properties(dynamic),
    ]


def taskmanager_command(
    java: Path, classpath: str, conf_dir: Path, log_file: Path, memory: list[str], resource_id: str
) -> list[str]:
    jvm, dynamic = memory
    return [
        str(java),
        *jvm.split(),
        *JAVA_17_OPTIONS,
        *log_options(log_file, conf_dir),
        "-classpath",
        classpath,
        TASKMANAGER_MAIN,
        "--configDir",
        str(conf_dir),
        *split_dynamic_properties(dynamic),
        "-D",
        f"taskmanager.resource-id={resource_id}",
    ]


def job_server_command(
    java: Path, classpath: str, conf_dir: Path, log_file: Path, settings: FlinkSettings, artifacts_dir: Path
) -> list[str]:
    ports = settings.ports()
    return [
        str(java),
        f"-Xmx{settings.job_server_heap}",
        *JAVA_17_OPTIONS,
        *log_options(log_file, conf_dir),
        "-Dpeacewatch.flink.filesToStage=",
        f"-Dpeacewatch.flink.maxBundleSize={settings.max_bundle_size}",
        "-classpath",
        classpath,
        JOB_SERVER_MAIN,
        "--job-host",
        settings.host,
        "--job-port",
        str(ports["job"]),
        "--artifact-port",
        str(ports["artifact"]),
        "--expansion-port",
        "-1",
        "--flink-master",
        settings.flink_master,
        "--artifacts-dir",
        str(artifacts_dir),
        "--clean-artifacts-per-job",
        "true",
    ]
