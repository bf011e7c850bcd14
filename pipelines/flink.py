"""Running the streaming job on a Flink session cluster through Beam's Flink job server.

``peacewatch run --streaming --runner FlinkRunner --parallelism N [--flink_master HOST:PORT]``
runs the one streaming pipeline (:mod:`pipelines.streaming` builds and watches it on every
runner); this module is what differs on Flink (:func:`prepare`):

* the job goes to the job server (``--job_endpoint``, default the local one of ``peacewatch
  services up flink``), which submits it to ``--flink_master`` (default: the job server's own,
  the local cluster) without shipping any jar (see ``deploy/flink``);
* Python runs in the EXTERNAL environment, the worker pool beside each TaskManager
  (``--environment_config``, default ``127.0.0.1:50000``), one SDK process per busy slot;
* once submitted, the run prints the Flink job id and its web UI link;
* the counters come from Flink's REST API (the job server reports Beam metrics only when a job
  ends), where the web UI shows them too (a vertex, tab Metrics: ``<step>.peacewatch_<name>``);
  they are those of the current task attempt, and the run says when Flink restarted the tasks;
* after such a restart the job is not idle (``recovering``) until the failed attempt's messages
  had time to come back (their lease, ``--ack-lease-seconds``, plus 10 s), so that
  ``--idle-exit-seconds`` drains them too;
* the job is cancelled through Flink's REST API (``PATCH /jobs/<jid>?mode=cancel``): Beam's
  Python ``cancel()`` reports CANCELLED while the Flink job keeps running.
"""

from __future__ import annotations

import dataclasses
import logging
import socket
import sys
import time
import uuid
from typing import Any, TextIO

from deploy.flink import rest
from peacewatch.errors import UserError

logger = logging.getLogger(__name__)

NAMESPACE = "peacewatch"
MAGIC_MASTERS = ("[auto]", "[local]", "")
FLINK_PULL_MAX_MESSAGES = 20


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


def resolve_target(
    flink_master: str | None,
    job_endpoint: str | None,
    environment_type: str | None,
    environment_config: str | None,
    local,
) -> FlinkTarget:
    """Fills in what the command line left out from the local cluster's settings (``local``)."""
    master = strip_scheme(flink_master or "")
    if master == "[local]":
        raise UserError(
            "--flink_master [local] would start a throw-away Flink inside the job server",
            "run 'peacewatch services up flink', or give --flink_master HOST:PORT of a cluster",
        )
    if master in MAGIC_MASTERS:
        master = local.flink_master
    env_type = (environment_type or "EXTERNAL").upper()
    env_config = environment_config
    if env_type == "EXTERNAL" and not env_config:
        env_config = local.worker_pool_endpoint
    return FlinkTarget(
        job_endpoint=job_endpoint or local.job_endpoint,
        rest_url=f"http://{master}",
        flink_master=master,
        environment_type=env_type,
        environment_config=env_config,
    )


def check_reachable(target: FlinkTarget) -> dict:
    """Flink's ``/overview`` when the cluster answers; a ``UserError`` with a hint otherwise."""
    overview = rest.overview(target.rest_url)
    if overview is None:
        raise UserError(
            f"no Flink cluster answers at {target.rest_url}",
            "start the local one with 'peacewatch services up flink', or give --flink_master HOST:PORT",
        )
    return overview


def job_name(prefix: str) -> str:
    return f"peacewatch-{prefix}-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:6]}"


def runner_flags(target: FlinkTarget, name: str, parallelism: int) -> dict[str, object]:
    """The Beam options a Flink submission sets (merged over the command line's)."""
    flags: dict[str, object] = {
        "runner": "FlinkRunner",
        "job_endpoint": target.job_endpoint,
        "flink_master": target.flink_master,
        "environment_type": target.environment_type,
        "job_name": name,
        "parallelism": parallelism,
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
    raise UserError(
        f"the job server accepted the job, but no Flink job called {name} appeared at {rest_url} within {timeout:.0f}s",
        "see the job server's log (peacewatch services status flink)",
    )


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
    raise UserError(
        f"Flink job {jid} did not stop within {timeout:.0f}s of being cancelled (state {state})",
        f"cancel it in the web UI: {rest.web_ui_link(rest_url, jid)}",
    )


@dataclasses.dataclass
class FlinkJob:
    """What the run knows of its Flink job once submitted."""

    target: FlinkTarget
    name: str
    lease_seconds: float = 30.0
    jid: str | None = None
    restarts: int = 0
    recovering_until: float = 0.0


def prepare(settings, options, out: TextIO = sys.stderr) -> FlinkJob:
    """Checks the cluster and the job server and sets the options of a Flink submission in place.

    Raises:
        UserError: no cluster or job server answers, or the parallelism exceeds the slots.
    """
    from apache_beam.options.pipeline_options import (
        FlinkRunnerOptions,
        GoogleCloudOptions,
        PortableOptions,
        StandardOptions,
    )

    from peacewatch.settings import FlinkSettings
    from pipelines.options import StreamingOptions

    flink_options = options.view_as(FlinkRunnerOptions)
    portable = options.view_as(PortableOptions)
    target = resolve_target(
        flink_options.flink_master,
        portable.job_endpoint,
        portable.environment_type,
        portable.environment_config,
        FlinkSettings.load(),
    )
    overview = check_reachable(target)
    host, _, port = target.job_endpoint.rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=2).close()
    except (OSError, ValueError):
        raise UserError(
            f"no Beam job server answers at {target.job_endpoint}",
            "start the local one with 'peacewatch services up flink', or give --job_endpoint HOST:PORT",
        ) from None
    slots = int(overview.get("slots-total") or 0)
    parallelism = (
        flink_options.parallelism if flink_options.parallelism and flink_options.parallelism > 0 else max(slots, 1)
    )
    if parallelism > slots:
        raise UserError(
            f"--parallelism {parallelism} needs {parallelism} task slots; the cluster at {target.rest_url} has {slots}",
            "lower --parallelism or add TaskManagers (PEACEWATCH_FLINK_TASKMANAGERS)",
        )
    name = job_name(settings.prefix)
    for key, value in runner_flags(target, name, parallelism).items():
        view = {
            "runner": StandardOptions,
            "streaming": StandardOptions,
            "job_endpoint": PortableOptions,
            "environment_type": PortableOptions,
            "environment_config": PortableOptions,
            "job_name": GoogleCloudOptions,
        }.get(key, FlinkRunnerOptions)
        setattr(options.view_as(view), key, value)
    stream = options.view_as(StreamingOptions)
    stream.pull_shards = max(stream.pull_shards, parallelism)  # every slot pulls
    if "pull_max_messages" not in options.get_all_options(drop_default=True):
        # a pull and its processing make one bundle here (the job server's default: one tick per
        # bundle), and counters reach Flink's REST API when a bundle ends: small pulls keep the
        # progress lines and the idle check current
        stream.pull_max_messages = FLINK_PULL_MAX_MESSAGES
    print(
        f"peacewatch run: Flink at {target.rest_url} ({slots} slots), parallelism {parallelism}, Python in "
        f"{target.environment_type} workers ({target.environment_config or 'default'}), job server "
        f"{target.job_endpoint}",
        file=out,
        flush=True,
    )
    return FlinkJob(target, name, lease_seconds=float(stream.ack_lease_seconds))


def announce(job: FlinkJob, out: TextIO = sys.stderr, timeout: float = 180.0) -> str:
    """Finds the submitted job in Flink by its name and prints its id and web UI link."""
    found = wait_for_job(job.target.rest_url, job.name, timeout)
    job.jid = found["jid"]
    print(
        f"peacewatch run: Flink job {job.jid} ({job.name}); web UI: {rest.web_ui_link(job.target.rest_url, job.jid)}",
        file=out,
        flush=True,
    )
    return job.jid


def counters(job: FlinkJob, names: Any = (), out: TextIO = sys.stderr) -> dict[str, int]:
    """The job's ``peacewatch`` counters of the current task attempt, from Flink's REST API."""
    out_counters = {name: 0 for name in names}
    if not job.jid:
        return out_counters
    restarts = rest.restarts(job.target.rest_url, job.jid)
    now = time.monotonic()
    if restarts and restarts > job.restarts:
        job.restarts = restarts
        # what the failed attempt held comes back when its lease runs out (no one extends it now)
        job.recovering_until = now + job.lease_seconds + 10
        print(
            f"peacewatch run: Flink restarted the job's tasks (restart {restarts}); the counters start again "
            "with the new attempt, un-acknowledged messages are delivered again",
            file=out,
            flush=True,
        )
    out_counters.update(rest.user_counters(job.target.rest_url, job.jid, NAMESPACE))
    out_counters["recovering"] = int(now < job.recovering_until)
    return out_counters


def cancel(job: FlinkJob) -> None:
    """Cancels the Flink job through the REST API and waits until it has stopped."""
    if job.jid is None:
        found = rest.find_job(rest.jobs(job.target.rest_url), job.name)
        job.jid = found["jid"] if found else None
    if job.jid is None:
        return
    state = (rest.job(job.target.rest_url, job.jid) or {}).get("state")
    if state in rest.TERMINAL_STATES:
        return
    cancel_and_wait(job.target.rest_url, job.jid)
