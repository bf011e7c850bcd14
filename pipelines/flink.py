"""Running the streaming job on a Flink session cluster through Beam's Flink job server.

``peacewatch run --streaming --runner FlinkRunner --parallelism N [--flink_master HOST:PORT]``:

* the job goes to the job server (``--job_endpoint``, default the local one of ``peacewatch
  services up flink``), which submits it to ``--flink_master`` (default: the job server's own,
  the local cluster) without shipping any jar (see ``deploy/flink``);
* Python runs in the EXTERNAL environment, the worker pool beside each TaskManager
  (``--environment_config``, default ``127.0.0.1:50000``), one SDK process per busy slot;
* the run prints the Flink job id and its web UI link, then a progress line every
  ``--progress-seconds`` from the job's Beam counters (read through Flink's REST API, which is
  also where the web UI shows them: the job's vertices, tab Metrics);
* ``--idle-exit-seconds N`` cancels the Flink job through its REST API (``PATCH
  /jobs/<jid>?mode=cancel``; Beam's Python ``cancel()`` reports CANCELLED while the Flink job
  keeps running) once, for N seconds, the source kept pulling and found nothing, and every
  pulled message was acknowledged (:class:`IdleWatch`); the command then exits 0. Ctrl-C also
  cancels the job. After a crash, messages held by the dead worker come back only when their
  ack deadline runs out: give an N longer than the subscription's ack deadline (30 s) when
  nothing may be left behind.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import time
import uuid
from typing import Callable, Mapping, TextIO

from deploy.flink import rest
from schemas.errors import UserError

logger = logging.getLogger(__name__)

NAMESPACE = "peacewatch"
PROGRESS_COUNTERS = ("read", "valid", "relevant", "indexed", "dead_lettered", "alerts")
MAGIC_MASTERS = ("[auto]", "[local]", "")


def is_flink(runner: str | None) -> bool:
    return bool(runner) and (runner == "FlinkRunner" or runner.endswith(".FlinkRunner"))


@dataclasses.dataclass(frozen=True)
class FlinkTarget:
    """Where a job goes: the job server, the Flink cluster (REST) and the Python environment."""

    job_endpoint: str
    rest_url: str
    flink_master: str
    environment_type: str
    environment_config: str | None


def strip_scheme(address: str) -> str:
    return address.split("://", 1)[-1].rstrip("/")


def resolve_target(flink_master: str | None, job_endpoint: str | None, environment_type: str | None,
                   environment_config: str | None, local) -> FlinkTarget:
    """Fills in what the command line left out from the local cluster's settings (``local``)."""
    master = strip_scheme(flink_master or "")
    if master == "[local]":
        raise UserError("--flink_master [local] would start a throw-away Flink inside the job server",
                        "run 'peacewatch services up flink', or give --flink_master HOST:PORT of a cluster")
    if master in MAGIC_MASTERS:
        master = local.flink_master
    env_type = (environment_type or "EXTERNAL").upper()
    env_config = environment_config
    if env_type == "EXTERNAL" and not env_config:
        env_config = local.worker_pool_endpoint
    return FlinkTarget(job_endpoint=job_endpoint or local.job_endpoint, rest_url=f"http://{master}",
                       flink_master=master, environment_type=env_type, environment_config=env_config)


def check_reachable(target: FlinkTarget) -> dict:
    """Flink's ``/overview`` when the cluster answers; a ``UserError`` with a hint otherwise."""
    overview = rest.overview(target.rest_url)
    if overview is None:
        raise UserError(f"no Flink cluster answers at {target.rest_url}",
                        "start the local one with 'peacewatch services up flink', or give --flink_master HOST:PORT")
    return overview


def job_name(prefix: str) -> str:
    return f"peacewatch-{prefix}-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:6]}"


def runner_flags(target: FlinkTarget, name: str, parallelism: int) -> dict[str, object]:
    """The Beam options a Flink submission sets (merged over the command line's)."""
    flags: dict[str, object] = {
        "runner": "FlinkRunner", "job_endpoint": target.job_endpoint, "flink_master": target.flink_master,
        "environment_type": target.environment_type, "job_name": name, "parallelism": parallelism,
        "streaming": True,
    }
    if target.environment_config:
        flags["environment_config"] = target.environment_config
    return flags


def wait_for_job(rest_url: str, name: str, timeout: float = 180.0) -> dict:
    """Polls ``/jobs/overview`` until a job called ``name`` appears; returns its overview entry."""
    deadline = time.monotonic() + timeout
    delay = 0.2
    while time.monotonic() < deadline:
        found = rest.find_job(rest.jobs(rest_url), name)
        if found:
            return found
        time.sleep(delay)
        delay = min(delay * 1.5, 2.0)
    raise UserError(f"the job server accepted the job, but no Flink job called {name} appeared at {rest_url} "
                    f"within {timeout:.0f}s", "see the job server's log (peacewatch services status flink)")


class CounterTotals:
    """Running totals of counters that restart from zero when Flink restarts the job's tasks.

    ``update`` gets the current attempt's counters and the job's restart count: on a new
    attempt the previous attempt's last values are kept as a base. Totals count deliveries: a
    message redelivered after a crash is read (and maybe indexed) in both attempts.
    """

    def __init__(self) -> None:
        self.base: dict[str, int] = {}
        self.last: dict[str, int] = {}
        self.attempt: int | None = None

    def update(self, snapshot: Mapping[str, int], attempt: int | None = None) -> dict[str, int]:
        if attempt is not None and self.attempt is not None and attempt != self.attempt:
            for name, value in self.last.items():
                self.base[name] = self.base.get(name, 0) + value
            self.last = {}
        if attempt is not None:
            self.attempt = attempt
        for name, value in snapshot.items():
            if value < self.last.get(name, 0):  # a restart the attempt count did not show yet
                self.base[name] = self.base.get(name, 0) + self.last[name]
            self.last[name] = value
        return self.totals()

    def totals(self) -> dict[str, int]:
        names = set(self.base) | set(self.last)
        return {name: self.base.get(name, 0) + self.last.get(name, 0) for name in names}


class IdleWatch:
    """Decides when a streaming job is idle: pulls go on, find nothing, and nothing is left un-acknowledged.

    Idle for ``idle_seconds`` means: no counter but ``liveness`` (the source's count of pull
    calls, empty ones included) moved for that long, ``liveness`` did move since (the source
    is alive and finds nothing: not a job still starting), and ``pending`` is zero. ``pending``
    is ``read - acked`` of the current task attempt (Flink's counters restart with the attempt,
    and the redelivered messages are read and acknowledged in the new one).
    """

    def __init__(self, idle_seconds: float, liveness: str = "pulls") -> None:
        self.idle_seconds = idle_seconds
        self.liveness = liveness
        self.activity: dict[str, int] | None = None
        self.pulls_then = 0
        self.since = time.monotonic()

    @staticmethod
    def pending(snapshot: Mapping[str, int]) -> int:
        if "acked" not in snapshot:
            return 0
        return max(0, snapshot.get("read", 0) - snapshot.get("acked", 0))

    def observe(self, snapshot: Mapping[str, int], now: float | None = None) -> bool:
        """Records a snapshot; True once the job has been idle for ``idle_seconds``."""
        now = time.monotonic() if now is None else now
        activity = {name: value for name, value in snapshot.items() if name != self.liveness}
        pulls = snapshot.get(self.liveness, 0)
        if activity != self.activity or self.pending(snapshot) > 0:
            self.activity = activity
            self.since = now
            self.pulls_then = pulls
            return False
        if pulls == self.pulls_then:
            return False
        return self.idle_seconds > 0 and now - self.since >= self.idle_seconds


def progress_line(totals: Mapping[str, int]) -> str:
    parts = [f"{name.replace('_', '-')}={totals.get(name, 0)}" for name in PROGRESS_COUNTERS]
    extra = [f"{name.replace('_', '-')}={value}" for name, value in sorted(totals.items())
             if name not in PROGRESS_COUNTERS and name != "pulls"]
    return " ".join(parts + extra)


def watch(rest_url: str, jid: str, progress_seconds: float, idle_exit_seconds: float, out: TextIO = sys.stderr,
          counters: Callable[[str, str], dict[str, int]] | None = None, poll_seconds: float = 1.0) -> str:
    """Prints progress until the job ends, is idle long enough (then cancels it) or Ctrl-C (cancels).

    Returns why it stopped: ``idle``, ``interrupted`` or the job's final Flink state.
    """
    read = counters or (lambda url, job: rest.user_counters(url, job, NAMESPACE))
    totals = CounterTotals()
    idle = IdleWatch(idle_exit_seconds)
    next_progress = time.monotonic() + progress_seconds if progress_seconds > 0 else float("inf")
    started = time.monotonic()
    try:
        while True:
            detail = rest.job(rest_url, jid)
            state = (detail or {}).get("state", "UNKNOWN")
            if state in rest.TERMINAL_STATES:
                print(f"peacewatch run: Flink job {jid} is {state}: {progress_line(totals.totals())}", file=out,
                      flush=True)
                return state
            snapshot = read(rest_url, jid) if state == "RUNNING" else {}
            restarts = rest.restarts(rest_url, jid) if state == "RUNNING" else None
            totals.update(snapshot, restarts)
            now = time.monotonic()
            if now >= next_progress:
                restarted = f" restarts={totals.attempt}" if totals.attempt else ""
                print(f"peacewatch run: [{now - started:.0f}s] {progress_line(totals.totals())}{restarted}", file=out,
                      flush=True)
                next_progress = now + progress_seconds
            if state == "RUNNING" and idle.observe(snapshot, now):
                print(f"peacewatch run: idle for {idle_exit_seconds:.0f}s, cancelling Flink job {jid}", file=out,
                      flush=True)
                cancel_and_wait(rest_url, jid)
                print(f"peacewatch run: stopped after {now - started:.1f}s: {progress_line(totals.totals())}",
                      file=out, flush=True)
                return "idle"
            time.sleep(poll_seconds)
    except KeyboardInterrupt:
        print(f"peacewatch run: interrupted, cancelling Flink job {jid}", file=out, flush=True)
        cancel_and_wait(rest_url, jid)
        return "interrupted"


def cancel_and_wait(rest_url: str, jid: str, timeout: float = 60.0) -> str:
    """Cancels through the REST API and waits for a final state; returns it."""
    rest.cancel(rest_url, jid)
    deadline = time.monotonic() + timeout
    state = "CANCELLING"
    while time.monotonic() < deadline:
        state = (rest.job(rest_url, jid) or {}).get("state", state)
        if state in rest.TERMINAL_STATES:
            return state
        time.sleep(0.5)
    raise UserError(f"Flink job {jid} did not stop within {timeout:.0f}s of being cancelled (state {state})",
                    f"cancel it in the web UI: {rest.web_ui_link(rest_url, jid)}")


def _option(options, name: str, default):
    value = options.get_all_options(retain_unknown_options=True).get(name)
    return default if value is None else value


def run(settings, options, build: Callable, out: TextIO = sys.stderr) -> int:
    """Submits the streaming job built by ``build(pipeline, options, settings)`` and watches it.

    Returns the command's exit code: 0 when it was idle (and cancelled), interrupted (and
    cancelled), finished or cancelled from outside; 1 when Flink reports it FAILED.
    """
    import socket

    import apache_beam as beam
    from apache_beam.options.pipeline_options import FlinkRunnerOptions, PipelineOptions, PortableOptions

    from deploy.flink.config import FlinkSettings

    flink_options = options.view_as(FlinkRunnerOptions)
    portable = options.view_as(PortableOptions)
    target = resolve_target(flink_options.flink_master, portable.job_endpoint, portable.environment_type,
                            portable.environment_config, FlinkSettings.from_env())
    overview = check_reachable(target)
    host, _, port = target.job_endpoint.rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=2).close()
    except (OSError, ValueError):
        raise UserError(f"no Beam job server answers at {target.job_endpoint}",
                        "start the local one with 'peacewatch services up flink', or give --job_endpoint HOST:PORT")
    parallelism = flink_options.parallelism if flink_options.parallelism and flink_options.parallelism > 0 else int(
        overview.get("slots-total") or 1)
    if parallelism > int(overview.get("slots-total") or 0):
        raise UserError(f"--parallelism {parallelism} needs {parallelism} task slots; the cluster at "
                        f"{target.rest_url} has {overview.get('slots-total')}",
                        "lower --parallelism or add TaskManagers (PEACEWATCH_FLINK_TASKMANAGERS)")
    name = job_name(settings.prefix)
    values = options.get_all_options(drop_default=True, retain_unknown_options=True)
    values.update(runner_flags(target, name, parallelism))
    job_options = PipelineOptions(flags=[], **values)
    print(f"peacewatch run: starting on FlinkRunner (streaming) at {target.rest_url}, parallelism {parallelism}, "
          f"Python in {target.environment_type} workers ({target.environment_config or 'default'}), "
          f"job server {target.job_endpoint}", file=out, flush=True)
    started = time.monotonic()
    pipeline = beam.Pipeline(options=job_options)
    build(pipeline, job_options, settings)
    pipeline.run()
    job = wait_for_job(target.rest_url, name)
    jid = job["jid"]
    print(f"peacewatch run: Flink job {jid} ({name}) submitted in {time.monotonic() - started:.1f}s; "
          f"web UI: {rest.web_ui_link(target.rest_url, jid)}", file=out, flush=True)
    reason = watch(target.rest_url, jid, float(_option(options, "progress_seconds", 10.0)),
                   float(_option(options, "idle_exit_seconds", 0.0)), out=out)
    return 1 if reason == "FAILED" else 0
