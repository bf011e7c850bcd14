"""Starts, checks and stops the local Flink session cluster (``peacewatch services up|status|down flink``).

Processes, all on 127.0.0.1, each detached in its own session with a 0600 pid file under
``<data_dir>/run`` and its output under ``<data_dir>/services/flink/logs``:

* ``flink-workerpool``: the Python SDK worker pool (``deploy.flink.worker_pool``);
* ``flink-jobmanager``: ``StandaloneSessionClusterEntrypoint`` (REST and web UI on ``rest_port``);
* ``flink-taskmanager-1..N``: ``TaskManagerRunner`` JVMs, one slot and 2 GB each by default;
* ``flink-jobserver``: Beam's Flink job server (``ThinJobServer``, jobs ship no jars);
* ``flink-supervisor``: restarts a TaskManager or the worker pool that died (``deploy.flink.supervisor``).

The JVMs' memory flags come from Flink's ``BashJavaUtils`` as in Flink's own scripts. The exact
command of every supervised process is written to ``run/flink-plan.json`` (0600), which the
supervisor reads; ``down`` removes it, stops the supervisor first and then everything else.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from deploy import runtime
from deploy.flink import build as flink_build
from deploy.flink import config as flink_config
from deploy.flink import rest
from deploy.services import ServiceStatus, _wait, stop_process
from peacewatch.errors import UserError
from peacewatch.settings import FlinkSettings, Settings

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def taskmanager_names(fs: FlinkSettings) -> list[str]:
    return [f"flink-taskmanager-{i}" for i in range(1, fs.taskmanagers + 1)]


def all_names(fs: FlinkSettings) -> list[str]:
    """Every process, in the order ``down`` stops them (the supervisor first)."""
    return ["flink-supervisor", "flink-jobserver", *taskmanager_names(fs), "flink-jobmanager", "flink-workerpool"]


def folders(settings: Settings) -> dict[str, Path]:
    return runtime.service_dirs(settings, "flink", ("conf", "logs", "tmp", "artifacts"))


def plan_path(settings: Settings) -> Path:
    return runtime.run_dir(settings) / "flink-plan.json"


def state_path(settings: Settings) -> Path:
    return runtime.run_dir(settings) / "flink.json"


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def launch(settings: Settings, name: str, argv: list[str], env: dict[str, str], out: Path) -> int:
    """Starts a detached process (own session), output appended to ``out``; writes its 0600 pid file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "ab") as handle:
        os.chmod(out, 0o600)
        proc = subprocess.Popen(
            argv,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=str(out.parent),
        )
    runtime.write_private(runtime.pid_path(settings, name), str(proc.pid))
    return proc.pid


_SECRET_WORDS = ("PASSWORD", "SECRET", "TOKEN", "API_KEY", "APIKEY")


def without_secrets(env: dict[str, str]) -> dict[str, str]:
    """The environment minus variables that look like secrets: the plan file records it, and no
    Flink process needs them (the job carries its own settings)."""
    return {k: v for k, v in env.items() if not any(word in k.upper() for word in _SECRET_WORDS)}


def _java_env(java_home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in without_secrets(dict(os.environ)).items()
        if not k.startswith(("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS"))
    }
    env.update({"JAVA_HOME": str(java_home), "LANG": "C.UTF-8", "MAX_LOG_FILE_NUMBER": "5"})
    return env


def python_env() -> dict[str, str]:
    """The worker pool's environment: this virtualenv first on PATH, the project importable."""
    env = without_secrets(dict(os.environ))
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "/usr/bin:/bin")
    env["PYTHONPATH"] = str(PROJECT_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def memory_params(java: Path, build: flink_build.Build, conf: Path, which: str, env: dict[str, str]) -> list[str]:
    """Runs ``BashJavaUtils GET_JM_RESOURCE_PARAMS|GET_TM_RESOURCE_PARAMS --configDir conf``."""
    try:
        result = subprocess.run(
            [
                str(java),
                "-classpath",
                build.classpath(),
                flink_config.BASH_JAVA_UTILS_MAIN,
                which,
                "--configDir",
                str(conf),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
    except subprocess.TimeoutExpired:
        raise UserError(f"Flink's BashJavaUtils {which} did not answer within 120 s") from None
    return flink_config.parse_bash_java_utils(result.stdout + "\n" + result.stderr)


def make_plan(settings: Settings, fs: FlinkSettings, build: flink_build.Build, java_home: Path) -> dict[str, dict]:
    """Writes the configuration and returns the command of every process (pure of side effects but files)."""
    dirs = folders(settings)
    conf, logs = dirs["conf"], dirs["logs"]
    (dirs["tmp"] / "web").mkdir(parents=True, exist_ok=True)
    (conf / "config.yaml").write_text(flink_config.render_config(flink_config.cluster_config(fs, dirs["tmp"])))
    (conf / "log4j.properties").write_text(flink_build.LOG4J.read_text())
    java = java_home / "bin" / "java"
    jenv = _java_env(java_home)
    classpath = build.classpath()
    jm_memory = memory_params(java, build, conf, "GET_JM_RESOURCE_PARAMS", jenv)
    tm_memory = memory_params(java, build, conf, "GET_TM_RESOURCE_PARAMS", jenv)
    plan = {
        "flink-workerpool": {
            "argv": [
                sys.executable,
                "-m",
                "deploy.flink.worker_pool",
                "--host",
                fs.host,
                "--port",
                str(fs.worker_pool_port),
                "--log-dir",
                str(logs / "sdk-workers"),
            ],
            "env": python_env(),
            "out": str(logs / "worker-pool.log"),
        },
        "flink-jobmanager": {
            "argv": flink_config.jobmanager_command(java, classpath, conf, logs / "jobmanager.log", jm_memory),
            "env": jenv,
            "out": str(logs / "jobmanager.out"),
        },
        "flink-jobserver": {
            "argv": flink_config.job_server_command(
                java, classpath, conf, logs / "jobserver.log", fs, dirs["artifacts"]
            ),
            "env": jenv,
            "out": str(logs / "jobserver.out"),
        },
    }
    for index, name in enumerate(taskmanager_names(fs), start=1):
        plan[name] = {
            "argv": flink_config.taskmanager_command(
                java, classpath, conf, logs / f"taskmanager-{index}.log", tm_memory, f"peacewatch-tm-{index}"
            ),
            "env": jenv,
            "out": str(logs / f"taskmanager-{index}.out"),
        }
    return plan


def _start(settings: Settings, name: str, plan: dict[str, dict]) -> int:
    spec = plan[name]
    return launch(settings, name, spec["argv"], spec["env"], Path(spec["out"]))


def _wait_ready(what: str, predicate, settings: Settings, name: str, log: Path) -> None:
    def check() -> bool:
        if runtime.read_pid(settings, name) is None:
            raise UserError(f"{what} exited during start-up: {runtime.last_error(log)}", f"see {log}")
        return predicate()

    _wait(check, FlinkSettings.load().start_timeout, what, log=log)


def _check_ports_free(fs: FlinkSettings, settings: Settings) -> None:
    owners = {
        "rest": "flink-jobmanager",
        "rpc": "flink-jobmanager",
        "blob": "flink-jobmanager",
        "job": "flink-jobserver",
        "artifact": "flink-jobserver",
        "worker_pool": "flink-workerpool",
    }
    variables = {"rest": "REST_PORT", "rpc": "RPC_PORT", "blob": "RPC_PORT", "job": "JOB_PORT", "artifact": "JOB_PORT"}
    for key, port in fs.ports().items():
        if runtime.read_pid(settings, owners[key]) is None and _port_open(fs.host, port):
            raise UserError(
                f"port {port} ({key}) on {fs.host} is taken by a program that is not this Flink cluster",
                f"stop it, or move the cluster with PEACEWATCH_FLINK_{variables.get(key, 'WORKER_POOL_PORT')}",
            )


def up(settings: Settings) -> list[str]:
    """Starts whatever is not running; a second ``up`` only restarts what died."""
    fs = FlinkSettings.load()
    started = time.monotonic()
    build = flink_build.ensure_built(settings)
    java_home = runtime.find_java_home(minimum=11, preferred=17)
    _check_ports_free(fs, settings)
    plan = make_plan(settings, fs, build, java_home)
    runtime.write_private(plan_path(settings), json.dumps(plan))
    runtime.write_private(
        state_path(settings),
        json.dumps(
            {
                "rest_url": fs.rest_url,
                "flink_master": fs.flink_master,
                "job_endpoint": fs.job_endpoint,
                "worker_pool": fs.worker_pool_endpoint,
                "taskmanagers": fs.taskmanagers,
                "build": str(build.home),
            }
        ),
    )
    logs = folders(settings)["logs"]
    out: list[str] = []

    def ensure(name: str, what: str, ready, log: Path) -> None:
        pid = runtime.read_pid(settings, name)
        if pid is not None:
            out.append(f"{what} already running (pid {pid})")
            return
        pid = _start(settings, name, plan)
        _wait_ready(what, ready, settings, name, log)
        out.append(f"{what} started (pid {pid})")

    ensure(
        "flink-workerpool",
        f"Python worker pool on {fs.worker_pool_endpoint}",
        lambda: _port_open(fs.host, fs.worker_pool_port),
        logs / "worker-pool.log",
    )
    ensure(
        "flink-jobmanager",
        f"Flink JobManager, web UI {fs.rest_url}",
        lambda: rest.overview(fs.rest_url) is not None,
        logs / "jobmanager.log",
    )
    pending = []
    for name in taskmanager_names(fs):
        pid = runtime.read_pid(settings, name)
        if pid is None:
            pending.append((name, _start(settings, name, plan)))
        else:
            out.append(f"Flink {name.removeprefix('flink-')} already running (pid {pid})")
    if pending:
        _wait(
            lambda: _registered(fs) >= fs.taskmanagers,
            fs.start_timeout,
            f"{fs.taskmanagers} Flink TaskManagers",
            log=logs / "taskmanager-1.log",
        )
        out.extend(f"Flink {name.removeprefix('flink-')} started (pid {pid})" for name, pid in pending)
    ensure(
        "flink-jobserver",
        f"Beam Flink job server on {fs.job_endpoint}",
        lambda: _port_open(fs.host, fs.job_port),
        logs / "jobserver.log",
    )
    pid = runtime.read_pid(settings, "flink-supervisor")
    if pid is None:
        argv = [
            sys.executable,
            "-m",
            "deploy.flink.supervisor",
            "--plan",
            str(plan_path(settings)),
            "--run-dir",
            str(runtime.run_dir(settings)),
            "--names",
            *taskmanager_names(fs),
            "flink-workerpool",
        ]
        pid = launch(settings, "flink-supervisor", argv, python_env(), logs / "supervisor.log")
        out.append(f"supervisor started (pid {pid}): restarts a TaskManager or the worker pool that dies")
    else:
        out.append(f"supervisor already running (pid {pid})")
    overview = rest.overview(fs.rest_url) or {}
    out.append(
        f"Flink up in {time.monotonic() - started:.1f}s: {overview.get('taskmanagers', 0)} TaskManagers, "
        f"{overview.get('slots-total', 0)} slots; submit with: peacewatch run --streaming --runner FlinkRunner "
        f"--parallelism {overview.get('slots-total', fs.taskmanagers)}"
    )
    return out


def _registered(fs: FlinkSettings) -> int:
    return int((rest.overview(fs.rest_url) or {}).get("taskmanagers", 0))


def down(settings: Settings) -> list[str]:
    """Stops every Flink process we started (supervisor first), waits until none is left."""
    fs = FlinkSettings.load()
    plan_path(settings).unlink(missing_ok=True)
    names = all_names(fs)
    # TaskManagers named in an older plan (e.g. started with more TaskManagers) are stopped too
    for pid_file in sorted(runtime.run_dir(settings).glob("flink-taskmanager-*.pid")):
        if pid_file.stem not in names:
            names.insert(1, pid_file.stem)
    out = [stop_process(settings, name, timeout=30) for name in names]
    state_path(settings).unlink(missing_ok=True)
    return out


def status(settings: Settings) -> list[ServiceStatus]:
    """One line per process, plus Flink's REST health and slots."""
    fs = FlinkSettings.load()
    result = []
    overview = rest.overview(fs.rest_url)
    tms = {tm.get("id"): tm for tm in (rest.taskmanagers(fs.rest_url) or [])}
    for name in ["flink-jobmanager", *taskmanager_names(fs), "flink-jobserver", "flink-workerpool", "flink-supervisor"]:
        pid = runtime.read_pid(settings, name)
        detail = f"pid {pid}" if pid else "not running"
        healthy = pid is not None
        if name == "flink-jobmanager":
            healthy = healthy and overview is not None
            detail += f", REST {fs.rest_url} " + ("answering" if overview else "not answering")
        elif name.startswith("flink-taskmanager-"):
            tm = tms.get(f"peacewatch-tm-{name.rsplit('-', 1)[1]}")
            healthy = healthy and tm is not None
            detail += (
                f", registered, slots {tm.get('freeSlots')}/{tm.get('slotsNumber')} free" if tm else ", not registered"
            )
        elif name == "flink-jobserver":
            ok = _port_open(fs.host, fs.job_port)
            healthy = healthy and ok
            detail += f", {fs.job_endpoint} " + ("listening" if ok else "not listening")
        elif name == "flink-workerpool":
            ok = _port_open(fs.host, fs.worker_pool_port)
            healthy = healthy and ok
            detail += f", {fs.worker_pool_endpoint} " + ("listening" if ok else "not listening")
        result.append(ServiceStatus(name, healthy, detail, pid is not None, pid))
    if overview is not None:
        result.append(
            ServiceStatus(
                "flink-slots",
                overview.get("slots-total", 0) > 0,
                f"{overview.get('taskmanagers')} TaskManagers, "
                f"{overview.get('slots-available')}/{overview.get('slots-total')} "
                f"slots free, {overview.get('jobs-running')} job(s) running (Flink {overview.get('flink-version')})",
                True,
            )
        )
    return result


def running(settings: Settings) -> bool:
    """True when any Flink process we started is alive."""
    fs = FlinkSettings.load()
    return any(runtime.read_pid(settings, name) for name in all_names(fs))
