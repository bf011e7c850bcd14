"""Local services the project starts itself: Elasticsearch 9 and a Pub/Sub emulator (and Prism, built).

Elasticsearch is Maven Central's ``integ-test-zip`` distribution, fetched once per machine with
``mvn`` and unpacked into the cache folder, run on a JDK >= 21 bound to 127.0.0.1 with a bounded
heap. Pub/Sub is the official gcloud emulator when gcloud has it, else Google's ``pstest`` fake
built with Go from ``deploy/pstest``. Both are detached processes with pid files under
``<data_dir>/run``, so ``up`` and ``down`` work from any shell, and ``up`` twice is a no-op.
``up`` also builds Prism, the local streaming runner (``deploy/prism.py``), when it is missing.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

from deploy import runtime
from peacewatch.errors import UserError
from peacewatch.files import open_private, write_private_text
from peacewatch.settings import DEFAULT_EMULATOR_HOST, ServiceSettings, Settings

logger = logging.getLogger(__name__)

ES_ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
PSTEST_DIR = Path(__file__).resolve().parent / "pstest"
ROOT_PLUGIN_DIR = Path(__file__).resolve().parent / "es-root-plugin"
ROOT_PLUGIN = "peacewatch-root"


@dataclasses.dataclass
class ServiceStatus:
    name: str
    healthy: bool
    detail: str
    managed: bool  # started by us (pid file) rather than found running
    pid: int | None = None  # the process we started
    external: bool = False  # a remote service this machine does not run (a cluster URL, Google Cloud)

    @property
    def origin(self) -> str:
        """What runs where, in words: started here, found running, external, or stopped (and what to do)."""
        if self.external:
            return "external: not run from here" if self.healthy else "external and not answering: check its URL"
        if self.managed:
            return (
                f"running, started by peacewatch, pid {self.pid}"
                if self.healthy
                else f"started by peacewatch (pid {self.pid}) but not healthy: see the log in the data folder"
            )
        if self.healthy:
            return "running, started outside peacewatch: 'services down' leaves it alone"
        return "stopped: 'peacewatch services up' starts it"


# ---------------------------------------------------------------------------------------------
# small helpers


def _port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _http_json(url: str, timeout: float = 2.0) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.loads(response.read(1_000_000))
    except (OSError, ValueError, urllib.error.URLError):
        return None


def _wait(
    predicate: Callable[[], bool],
    timeout: float,
    what: str,
    proc: subprocess.Popen | None = None,
    log: Path | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    delay = 0.2
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc is not None and proc.poll() is not None and proc.returncode != 0:
            break
        time.sleep(delay)
        delay = min(delay * 1.5, 2.0)
    tail = runtime.log_tail(log) if log else ""
    raise UserError(
        f"{what} did not become ready within {timeout:.0f}s" + (f"; last log lines:\n{tail}" if tail else ""),
        f"see {log}" if log else None,
    )


# ---------------------------------------------------------------------------------------------
# Elasticsearch


def es_home(settings: Settings) -> Path:
    return runtime.cache_dir(settings) / f"elasticsearch-{ServiceSettings.load().es_version}"


def fetch_elasticsearch(settings: Settings) -> Path:
    """Returns the unpacked Elasticsearch folder, fetching it with Maven the first time."""
    home = es_home(settings)
    if (home / "bin" / "elasticsearch").exists():
        return home
    service = ServiceSettings.load()
    version = service.es_version
    mvn = shutil.which("mvn")
    if not mvn:
        raise UserError(
            "Maven (mvn) is needed once to fetch Elasticsearch and was not found",
            "install Maven (apt-get install maven) or point PEACEWATCH_ES_URL at a running cluster",
        )
    artifact = ES_ARTIFACT.format(version=version)
    logger.info("fetching Elasticsearch %s with Maven (once per machine)", version)
    print(f"Fetching Elasticsearch {version} with Maven (once per machine)...", flush=True)
    repo = service.m2_repo
    result = subprocess.run(
        [
            mvn,
            "-q",
            "-B",
            f"-Dmaven.repo.local={repo}",
            "dependency:get",
            f"-Dartifact={artifact}",
            "-Dtransitive=false",
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    zip_path = (
        repo / "org/elasticsearch/distribution/integ-test-zip/elasticsearch" / version / f"elasticsearch-{version}.zip"
    )
    if result.returncode != 0 or not zip_path.exists():
        lines = [line for line in (result.stdout + result.stderr).splitlines() if "ERROR" in line]
        reason = lines[0].replace("[ERROR]", "").strip()[:300] if lines else f"mvn exited {result.returncode}"
        raise UserError(
            f"could not fetch {artifact}: {reason}",
            "check that Maven Central is reachable (mvn settings, proxy) and retry",
        )
    staging = home.with_name(home.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(staging)
    inner = staging / f"elasticsearch-{version}"
    for path in (inner / "bin").iterdir():
        path.chmod(0o755)
    for path in (inner / "jdk" / "bin",):
        if path.exists():
            for exe in path.iterdir():
                exe.chmod(0o755)
    inner.rename(home)
    shutil.rmtree(staging, ignore_errors=True)
    return home


def install_root_plugin(settings: Settings, home: Path, java_home: Path) -> str | None:
    """Adds the ``GET /`` endpoint the minimal distribution lacks (``deploy/es-root-plugin``).

    Built once with Maven into the cache. Failure is not fatal: the node works without it, only
    ``curl 127.0.0.1:9200`` answers 405 instead of the version. Returns a warning or ``None``.
    """
    target = home / "plugins" / ROOT_PLUGIN
    if (target / "plugin-descriptor.properties").exists():
        return None
    out = runtime.cache_dir(settings) / "plugins"
    zip_path = out / f"{ROOT_PLUGIN}-{ServiceSettings.load().es_version}.zip"
    if not zip_path.exists():
        print("Building the peacewatch-root Elasticsearch plugin with Maven (once per machine)...", flush=True)
        env = (
            {**os.environ, "JAVA_HOME": str(java_home)} if (java_home / "bin" / "javac").exists() else dict(os.environ)
        )
        try:
            result = subprocess.run(
                ["bash", str(ROOT_PLUGIN_DIR / "build.sh"), str(out)],
                capture_output=True,
                text=True,
                timeout=900,
                env=env,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"could not build the {ROOT_PLUGIN} plugin ({exc}); GET / will answer 405"
        if result.returncode != 0 or not zip_path.exists():
            reason = (result.stderr.strip().splitlines() or ["build failed"])[-1][:200]
            return f"could not build the {ROOT_PLUGIN} plugin ({reason}); GET / will answer 405"
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(staging)
    staging.rename(target)
    return None


def es_running(settings: Settings) -> dict | None:
    """Returns cluster health when an Elasticsearch answers at the configured URL."""
    health = _http_json(settings.es_url.rstrip("/") + "/_cluster/health", timeout=2)
    return health if health and "cluster_name" in health else None


def es_version(settings: Settings) -> str | None:
    nodes = _http_json(settings.es_url.rstrip("/") + "/_nodes/_local?filter_path=nodes.*.version")
    versions = [n.get("version") for n in (nodes or {}).get("nodes", {}).values()]
    return versions[0] if versions else None


def start_elasticsearch(settings: Settings) -> str:
    """Starts the local Elasticsearch unless it already answers; returns what happened."""
    if not settings.uses_local_elasticsearch:
        return f"Elasticsearch is external ({settings.es_url_safe}); nothing started"
    port = settings.es_port
    pid = runtime.read_pid(settings, "elasticsearch")
    if es_running(settings):
        return f"Elasticsearch already running on 127.0.0.1:{port}" + (
            f" (pid {pid})" if pid else " (not started by peacewatch)"
        )
    if pid is None and _port_open("127.0.0.1", port):
        raise UserError(
            f"port {port} is taken by a program that is not Elasticsearch",
            "stop it, or choose another port with PEACEWATCH_ES_URL=http://127.0.0.1:PORT",
        )
    if pid is not None:
        raise UserError(
            f"Elasticsearch (pid {pid}) is running but does not answer on port {port}",
            "wait a little, or run 'peacewatch services down' and 'up' again",
        )
    service = ServiceSettings.load()
    java_home = runtime.find_java_home(minimum=21)
    home = fetch_elasticsearch(settings)
    warning = install_root_plugin(settings, home, java_home)
    if warning:
        logger.warning(warning)
        print(f"warning: {warning}", flush=True)
    folders = runtime.service_dirs(settings, "elasticsearch", ("data", "logs", "config", "tmp"))
    if not (folders["config"] / "jvm.options").exists():
        shutil.copytree(home / "config", folders["config"], dirs_exist_ok=True)
    user = runtime.service_user()
    runtime.hand_over(folders.values(), user)
    log = folders["logs"] / "launcher.log"
    print(
        f"Starting Elasticsearch {service.es_version} on 127.0.0.1:{port} (heap {service.es_heap}, data in "
        f"{folders['data']})...",
        flush=True,
    )
    with open_private(log, "ab") as out:
        try:
            result = subprocess.run(
                _es_command(home, folders, port),
                env=_es_environment(java_home, folders, service),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=service.start_timeout,
                **runtime.drop_privileges(user),
            )
        except subprocess.TimeoutExpired:
            raise UserError(f"Elasticsearch did not start within {service.start_timeout:.0f}s", f"see {log}") from None
    if result.returncode != 0:
        raise UserError(
            f"Elasticsearch failed to start (exit {result.returncode}): {runtime.last_error(log)}",
            f"see {log} and {folders['logs']}/peacewatch.log",
        )
    es_pid = (folders["data"] / "es.pid").read_text().strip()
    write_private_text(runtime.pid_path(settings, "elasticsearch"), es_pid)
    _wait(
        lambda: (es_running(settings) or {}).get("status") in ("green", "yellow"),
        service.start_timeout,
        "Elasticsearch",
        log=log,
    )
    return f"Elasticsearch {service.es_version} started on 127.0.0.1:{port} (pid {es_pid})"


def _es_command(home: Path, folders: dict[str, Path], port: int) -> list[str]:
    """Elasticsearch as a daemon on loopback, single node, security off (loopback only), our folders."""
    return [
        str(home / "bin" / "elasticsearch"),
        "-d",
        "-p",
        str(folders["data"] / "es.pid"),
        "-E",
        "network.host=127.0.0.1",
        "-E",
        f"http.port={port}",
        "-E",
        f"transport.port={port + 100}",
        "-E",
        "discovery.type=single-node",
        "-E",
        "xpack.security.enabled=false",
        "-E",
        f"path.data={folders['data']}",
        "-E",
        f"path.logs={folders['logs']}",
        "-E",
        "cluster.name=peacewatch",
        "-E",
        "cluster.routing.allocation.disk.threshold_enabled=false",
        "-E",
        "action.auto_create_index=true",
    ]


def _es_environment(java_home: Path, folders: dict[str, Path], service: ServiceSettings) -> dict[str, str]:
    """A clean environment for the node: none of ours (no secrets), the JDK, heap and folders."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "ES_JAVA_HOME": str(java_home),
        "ES_JAVA_OPTS": f"-Xms{service.es_heap} -Xmx{service.es_heap}",
        "ES_PATH_CONF": str(folders["config"]),
        "ES_TMPDIR": str(folders["tmp"]),
        "HOME": str(folders["tmp"]),
        "LANG": "C.UTF-8",
    }


# ---------------------------------------------------------------------------------------------
# Pub/Sub emulator


def emulator_host(settings: Settings) -> str:
    return settings.pubsub_emulator_host or DEFAULT_EMULATOR_HOST


def pubsub_running(settings: Settings) -> bool:
    host, _, port = emulator_host(settings).rpartition(":")
    return _port_open(host, int(port))


def emulator_kind() -> str:
    """``gcloud`` when the official emulator is installed, else ``pstest`` (overridable)."""
    choice = ServiceSettings.load().pubsub_emulator
    if choice != "auto":
        return choice
    gcloud = shutil.which("gcloud")
    if gcloud:
        sdk = Path(gcloud).resolve().parent.parent
        if (sdk / "platform" / "pubsub-emulator").is_dir() and runtime.find_java_home(minimum=11, required=False):
            return "gcloud"
    return "pstest"


def build_pstest(settings: Settings) -> Path:
    """Builds the pstest emulator with Go into the cache, once."""
    binary = runtime.cache_dir(settings) / "bin" / "pstest-emulator"
    source_stamp = max(p.stat().st_mtime for p in PSTEST_DIR.iterdir())
    if binary.exists() and binary.stat().st_mtime >= source_stamp:
        return binary
    go = shutil.which("go")
    if not go:
        raise UserError(
            "Go is needed once to build the Pub/Sub emulator (pstest) and was not found",
            "install Go, or install the gcloud Pub/Sub emulator, or set PUBSUB_EMULATOR_HOST",
        )
    binary.parent.mkdir(parents=True, exist_ok=True)
    print("Building the Pub/Sub emulator (pstest) with Go (once per machine)...", flush=True)
    result = subprocess.run(
        [go, "build", "-o", str(binary), "."],
        cwd=PSTEST_DIR,
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "CGO_ENABLED": "0"},
    )
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["go build failed"])[-1][:300]
        raise UserError(
            f"could not build the pstest emulator: {reason}", "check that the Go module proxy is reachable, then retry"
        )
    return binary


def start_pubsub(settings: Settings) -> str:
    """Starts the Pub/Sub emulator unless one already listens; returns what happened."""
    host = emulator_host(settings)
    name, _, port = host.rpartition(":")
    if name not in ("127.0.0.1", "localhost", "::1"):
        return f"Pub/Sub emulator is external ({host}); nothing started"
    pid = runtime.read_pid(settings, "pubsub")
    if pubsub_running(settings):
        return f"Pub/Sub emulator already running on {host}" + (
            f" (pid {pid})" if pid else " (not started by peacewatch)"
        )
    if pid is not None:
        raise UserError(
            f"Pub/Sub emulator (pid {pid}) is running but not listening on {host}",
            "run 'peacewatch services down' and 'up' again",
        )
    kind = emulator_kind()
    folders = runtime.service_dirs(settings, "pubsub", ("data", "logs"))
    log = folders["logs"] / "emulator.log"
    if kind == "gcloud":
        java_home = runtime.find_java_home(minimum=11)
        args = [
            shutil.which("gcloud") or "gcloud",
            "beta",
            "emulators",
            "pubsub",
            "start",
            f"--host-port=127.0.0.1:{port}",
            f"--data-dir={folders['data']}",
            "--quiet",
        ]
        env = {
            **os.environ,
            "JAVA_HOME": str(java_home),
            "PATH": f"{java_home}/bin:{os.environ.get('PATH', '')}",
            "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
            "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "1",
        }
    else:
        args = [str(build_pstest(settings)), "--host", "127.0.0.1", "--port", port]
        env = dict(os.environ)
    print(f"Starting the Pub/Sub emulator ({kind}) on 127.0.0.1:{port}...", flush=True)
    with open_private(log, "ab") as out:
        proc = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    write_private_text(runtime.pid_path(settings, "pubsub"), str(proc.pid))
    try:
        _wait(
            lambda: pubsub_running(settings),
            ServiceSettings.load().start_timeout,
            f"Pub/Sub emulator ({kind})",
            proc=proc,
            log=log,
        )
    except UserError:
        stop_process(settings, "pubsub")
        raise
    return f"Pub/Sub emulator ({kind}) started on 127.0.0.1:{port} (pid {proc.pid})"


# ---------------------------------------------------------------------------------------------
# both


def stop_process(settings: Settings, name: str, timeout: float = 60) -> str:
    """Stops a service we started (its whole process group) and removes its pid file."""
    pid = runtime.read_pid(settings, name)
    path = runtime.pid_path(settings, name)
    if pid is None:
        path.unlink(missing_ok=True)
        return f"{name}: not running (no live pid file)"
    for sig in (signal.SIGTERM, signal.SIGKILL):
        runtime.signal_tree(pid, sig)
        deadline = time.monotonic() + (timeout if sig == signal.SIGTERM else 10)
        while time.monotonic() < deadline and runtime.alive(pid):
            time.sleep(0.2)
        if not runtime.alive(pid):
            break
    path.unlink(missing_ok=True)
    return f"{name}: stopped (pid {pid})"


def up(settings: Settings, only: str | None = None) -> list[str]:
    from deploy import prism

    out = []
    if only in (None, "elasticsearch"):
        out.append(start_elasticsearch(settings))
    if only in (None, "pubsub"):
        out.append(start_pubsub(settings))
    if only in (None, "prism"):  # not a service: the local streaming runner, built once per machine
        out.append(prism.build(settings))
    runtime.write_state(settings, {"pubsub_emulator_host": emulator_host(settings), "es_url": settings.es_url_safe})
    return out


def down(settings: Settings, only: str | None = None) -> list[str]:
    names = [n for n in ("pubsub", "elasticsearch") if only in (None, n)]
    out = [stop_process(settings, name) for name in names]
    if only is None:
        runtime.write_state(settings, None)
    return out


def status(settings: Settings) -> list[ServiceStatus]:
    health = es_running(settings)
    es_pid = runtime.read_pid(settings, "elasticsearch")
    if health:
        detail = f"{settings.es_url_safe} version {es_version(settings) or '?'} status {health.get('status')}"
    else:
        detail = f"{settings.es_url_safe} not answering"
    if es_pid is not None and runtime.listens_on(es_pid, settings.es_port) is False:
        es_pid = None  # ours serves another port: the one asked about is not ours
    result = [
        ServiceStatus(
            "elasticsearch",
            bool(health) and health.get("status") != "red",
            detail,
            es_pid is not None,
            es_pid,
            external=not settings.uses_local_elasticsearch,
        )
    ]
    host = emulator_host(settings)
    ok = pubsub_running(settings)
    pubsub_pid = runtime.read_pid(settings, "pubsub")
    if pubsub_pid is not None and runtime.listens_on(pubsub_pid, int(host.rpartition(":")[2])) is False:
        pubsub_pid = None
    result.append(
        ServiceStatus(
            "pubsub",
            ok,
            f"{host} {'listening' if ok else 'not listening'}",
            pubsub_pid is not None,
            pubsub_pid,
            external=host.rpartition(":")[0] not in ("127.0.0.1", "localhost", "[::1]"),
        )
    )
    return result
