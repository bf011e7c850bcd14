"""Settings and configuration files of the local Flink session cluster (pure functions).

Everything here is computed, not started: the ports and sizes (``FlinkSettings``, from
``PEACEWATCH_FLINK_*`` variables), Flink's ``config.yaml``, the JVM command lines of the
JobManager, the TaskManagers and the Beam job server, and the parsing of ``BashJavaUtils``
output (what Flink's own ``jobmanager.sh``/``taskmanager.sh`` use to turn the memory settings
into ``-Xmx``/``-Xms``/... flags and dynamic properties).
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Mapping

import yaml

from schemas.errors import UserError

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

_MEMORY = re.compile(r"^\d+(b|k|kb|m|mb|g|gb)$", re.IGNORECASE)
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclasses.dataclass(frozen=True)
class FlinkSettings:
    """Ports, sizes and counts of the local cluster (``PEACEWATCH_FLINK_*`` environment variables)."""

    host: str = "127.0.0.1"
    rest_port: int = 8081
    rpc_port: int = 6123
    job_port: int = 8099
    worker_pool_port: int = 50000
    taskmanagers: int = 2
    slots: int = 1
    taskmanager_memory: str = "2048m"
    jobmanager_memory: str = "1280m"
    job_server_heap: str = "768m"
    restart_attempts: int = 1000
    restart_delay_seconds: int = 3
    max_bundle_size: int = 1

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "FlinkSettings":
        """Reads the ``PEACEWATCH_FLINK_*`` overrides; a bad value is a ``UserError``."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for field in dataclasses.fields(cls):
            key = f"PEACEWATCH_FLINK_{field.name.upper()}"
            raw = env.get(key)
            if raw is None or raw == "":
                continue
            if field.type in ("int", int):
                try:
                    number = int(raw)
                except ValueError:
                    raise UserError(f"{key}={raw!r} is not a whole number", f"unset {key} or give a number") from None
                values[field.name] = number
            else:
                values[field.name] = raw.strip()
        settings = cls(**values)
        problems = settings.problems()
        if problems:
            raise UserError("; ".join(problems), "fix or unset the PEACEWATCH_FLINK_* variables")
        return settings

    def problems(self) -> list[str]:
        out = []
        if self.host not in _LOOPBACK:
            out.append(f"PEACEWATCH_FLINK_HOST={self.host}: the local cluster binds to loopback only "
                       "(see deploy/README.md for a multi-host deployment)")
        ports = {"rest_port": self.rest_port, "rpc_port": self.rpc_port, "job_port": self.job_port,
                 "worker_pool_port": self.worker_pool_port}
        for name, port in ports.items():
            if not 1024 <= port <= 65533:
                out.append(f"PEACEWATCH_FLINK_{name.upper()}={port}: expected a port between 1024 and 65533")
        if len(set(self.ports().values())) != len(self.ports()):
            out.append(f"the Flink ports overlap: {self.ports()}")
        if not 1 <= self.taskmanagers <= 16:
            out.append("PEACEWATCH_FLINK_TASKMANAGERS must be between 1 and 16")
        if not 1 <= self.slots <= 64:
            out.append("PEACEWATCH_FLINK_SLOTS must be between 1 and 64")
        for name in ("taskmanager_memory", "jobmanager_memory", "job_server_heap"):
            if not _MEMORY.match(getattr(self, name)):
                out.append(f"PEACEWATCH_FLINK_{name.upper()}={getattr(self, name)!r}: expected a size like 2048m or 2g")
        if self.max_bundle_size < 1:
            out.append("PEACEWATCH_FLINK_MAX_BUNDLE_SIZE must be at least 1")
        if self.restart_attempts < 1 or self.restart_delay_seconds < 0:
            out.append("PEACEWATCH_FLINK_RESTART_ATTEMPTS must be >= 1 and PEACEWATCH_FLINK_RESTART_DELAY_SECONDS >= 0")
        return out

    def ports(self) -> dict[str, int]:
        """Every fixed port of the cluster (job and artifact service consecutive, like Beam's 8099/8098)."""
        return {"rest": self.rest_port, "rpc": self.rpc_port, "blob": self.rpc_port + 1, "job": self.job_port,
                "artifact": self.job_port - 1, "worker_pool": self.worker_pool_port}

    @property
    def rest_url(self) -> str:
        return f"http://{self.host}:{self.rest_port}"

    @property
    def flink_master(self) -> str:
        return f"{self.host}:{self.rest_port}"

    @property
    def job_endpoint(self) -> str:
        return f"{self.host}:{self.job_port}"

    @property
    def worker_pool_endpoint(self) -> str:
        return f"{self.host}:{self.worker_pool_port}"


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
    results = [line[len(BASH_JAVA_UTILS_PREFIX):].strip() for line in output.splitlines()
               if line.startswith(BASH_JAVA_UTILS_PREFIX)]
    if len(results) < expected:
        tail = " | ".join(output.strip().splitlines()[-3:])[:400]
        raise UserError(f"Flink's BashJavaUtils gave {len(results)} result line(s), expected {expected}: {tail}",
                        "check the memory settings (PEACEWATCH_FLINK_*_MEMORY)")
    return results[-expected:]


def split_dynamic_properties(line: str) -> list[str]:
    """``-D a=1 -D b=2`` -> ``['-D', 'a=1', '-D', 'b=2']`` (values never contain spaces here)."""
    return line.split()


def log_options(log_file: Path, conf_dir: Path) -> list[str]:
    return [f"-Dlog.file={log_file}", f"-Dlog4j.configurationFile=file:{conf_dir / 'log4j.properties'}",
            f"-Dlog4j2.configurationFile=file:{conf_dir / 'log4j.properties'}"]


def jobmanager_command(java: Path, classpath: str, conf_dir: Path, log_file: Path, memory: list[str]) -> list[str]:
    """The JobManager's command line: ``memory`` is BashJavaUtils' [JVM flags, dynamic properties]."""
    jvm, dynamic = memory
    return [str(java), *jvm.split(), *JAVA_17_OPTIONS, *log_options(log_file, conf_dir), "-classpath", classpath,
            JOBMANAGER_MAIN, "--configDir", str(conf_dir), *split_dynamic_properties(dynamic)]


def taskmanager_command(java: Path, classpath: str, conf_dir: Path, log_file: Path, memory: list[str],
                        resource_id: str) -> list[str]:
    jvm, dynamic = memory
    return [str(java), *jvm.split(), *JAVA_17_OPTIONS, *log_options(log_file, conf_dir), "-classpath", classpath,
            TASKMANAGER_MAIN, "--configDir", str(conf_dir), *split_dynamic_properties(dynamic),
            "-D", f"taskmanager.resource-id={resource_id}"]


def job_server_command(java: Path, classpath: str, conf_dir: Path, log_file: Path, settings: FlinkSettings,
                       artifacts_dir: Path) -> list[str]:
    ports = settings.ports()
    return [str(java), f"-Xmx{settings.job_server_heap}", *JAVA_17_OPTIONS, *log_options(log_file, conf_dir),
            "-Dpeacewatch.flink.filesToStage=", f"-Dpeacewatch.flink.maxBundleSize={settings.max_bundle_size}",
            "-classpath", classpath, JOB_SERVER_MAIN,
            "--job-host", settings.host, "--job-port", str(ports["job"]), "--artifact-port", str(ports["artifact"]),
            "--expansion-port", "-1", "--flink-master", settings.flink_master,
            "--artifacts-dir", str(artifacts_dir), "--clean-artifacts-per-job", "true"]
