"""``peacewatch run --streaming``: submits the one streaming pipeline and watches it until it should stop.

Locally the job runs on Prism, Beam's runner behind the ``DirectRunner`` for streaming, built
once per machine (``deploy/prism.py``) and passed with ``--prism_location``; its Python worker
runs in this process (``LOOPBACK``). With ``--runner`` another runner gets the same graph: on
``FlinkRunner`` it goes through Beam's Flink job server, Python runs in the worker pool beside each
TaskManager, and counters and cancel go through Flink's REST API (:mod:`pipelines.flink`).
This module then:

* prints which runner runs the job and how long it took to start;
* reads the job's Beam metrics every second and prints the counters (read, valid, relevant,
  indexed, dead-lettered, alerts, pending) with p50/p95 latency every ``--progress-seconds``;
* stops the job through the runner's API (``cancel``) when asked to (SIGINT, SIGTERM), when
  ``--max-messages`` were processed, or when it has been idle for ``--idle-exit-seconds``: nothing
  pulled and nothing pending (held, un-acknowledged, being retried) on the articles and on the
  alert outbox; then it exits 0.

A Prism started for the run is stopped with it, and dies with the process in any case (see
``deploy/prism.py``). Messages still in flight when the job stops are not acknowledged: Pub/Sub
delivers them again to the next run, whose writes by id make that harmless.
"""

from __future__ import annotations

import dataclasses
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from peacewatch.errors import UserError
from peacewatch.settings import Settings
from pipelines import latency
from pipelines.deliver_alerts import delivery_subscription
from pipelines.match_alerts import alerts_wanted
from pipelines.nlp.language_counts import format_language_counts
from pipelines.options import PeacewatchOptions, StreamingOptions, nlp_processes, runner_name
from pipelines.pipeline import build_pipeline, close_worker_resources, counters_of, query_metrics

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
PRISM_RUNNERS = ("DirectRunner", "PrismRunner")
SUMMARY = ("read", "valid", "relevant", "indexed", "dead_lettered", "alerts")


# ---- what the counters say -------------------------------------------------------------------------
def pending_articles(c: dict[str, int]) -> int:
    return c.get("pulled", 0) - c.get("acked", 0) - c.get("released", 0)


def pending_alerts(c: dict[str, int]) -> int:
    return c.get("alert_messages_pulled", 0) - c.get("alert_messages_acked", 0) - c.get("alert_messages_released", 0)


def activity(c: dict[str, int]) -> tuple[int, ...]:
    """Counters that move when anything happens: a pull, a retry, a poll finding messages held."""
    return tuple(
        c.get(name, 0)
        for name in (
            "pulled",
            "alert_messages_pulled",
            "polls_busy",
            "alert_messages_polls_busy",
            "index_retries",
            "service_retries",
            "acked",
            "alert_messages_acked",
        )
    )


def idle_polls(c: dict[str, int], alerts: bool) -> tuple[int, int]:
    return c.get("polls_idle", 0), c.get("alert_messages_polls_idle", 0) if alerts else 0


def progress_line(c: dict[str, int], recent: dict[str, int] | None = None) -> str:
    """``read=… valid=… relevant=… indexed=… dead-lettered=… alerts=…`` (+ pending, latency)."""
    text = " ".join(f"{name.replace('_', '-')}={c.get(name, 0)}" for name in SUMMARY)
    pending = pending_articles(c)
    if pending:
        text += f" pending={pending}"
    if c.get("alert_messages_pulled"):
        text += f" alerts-delivered={c.get('alerts_delivered', 0)}"
    if c.get("poison"):
        text += f" poison={c['poison']}"
    estimate = latency.percentiles(recent if recent is not None else c)
    if estimate:
        text += f" latency-ms p50={estimate[0]:.0f} p95={estimate[1]:.0f}"
    return text


@dataclasses.dataclass
class StopRules:
    """When the watcher stops the job.

    Attributes:
        max_messages: stop once this many articles are acknowledged and the alert outbox is settled (0: never).
        idle_seconds: stop after this long with nothing pulled and nothing pending (0: never).
        alerts: whether the job has the alert branch (its outbox counts as pending too).
    """

    max_messages: int = 0
    idle_seconds: float = 0.0
    alerts: bool = False


class Watcher:
    """Decides, from successive counter snapshots, when the job is done or idle (pure; tests call it)."""

    def __init__(self, rules: StopRules, clock: Callable[[], float] = time.monotonic) -> None:
        self.rules = rules
        self.clock = clock
        self._idle_since: float | None = None
        self._idle_start_polls: tuple[int, int] | None = None
        self._last_activity: tuple[int, ...] | None = None

    def settled(self, c: dict[str, int]) -> bool:
        """Nothing in flight, and every alert recorded by this run handed to delivery.

        ``recovering`` (set by a runner that restarted the job's tasks, see :mod:`pipelines.flink`)
        means messages held by the failed attempt have not come back yet: not settled.
        """
        if pending_articles(c) or pending_alerts(c) or c.get("recovering"):
            return False
        if not self.rules.alerts:
            return True
        return c.get("alert_messages_acked", 0) + c.get("alert_messages_released", 0) >= c.get("alerts_published", 0)

    def reason_to_stop(self, c: dict[str, int]) -> str | None:
        now = self.clock()
        if self.rules.max_messages and c.get("acked", 0) >= self.rules.max_messages and self.settled(c):
            return f"{c.get('acked', 0)} messages processed (--max-messages {self.rules.max_messages})"
        if not self.rules.idle_seconds:
            return None
        moved = activity(c) != self._last_activity
        self._last_activity = activity(c)
        if moved or not self.settled(c):
            self._idle_since, self._idle_start_polls = None, None
            return None
        if self._idle_since is None:
            self._idle_since, self._idle_start_polls = now, idle_polls(c, self.rules.alerts)
            return None
        # Idle polls must keep coming: they prove that the sources run and find nothing.
        polls, start = idle_polls(c, self.rules.alerts), self._idle_start_polls or (0, 0)
        fresh = polls[0] > start[0] and (not self.rules.alerts or polls[1] > start[1])
        if fresh and now - self._idle_since >= self.rules.idle_seconds:
            return f"idle for {now - self._idle_since:.0f}s (--idle-exit-seconds {self.rules.idle_seconds:g})"
        return None


# ---- running it ------------------------------------------------------------------------------------
@dataclasses.dataclass
class _RunnerHandle:
    """The runner object to submit with, what to call it, and how to stop what it started.

    A runner whose jobs Beam's Python API cannot watch or stop (Flink) also brings ``submitted``
    (called once the job runs), ``counters`` (the job's counters now) and ``cancel`` (stop the job).
    """

    runner: Any
    label: str
    stop: Callable[[], None] = lambda: None
    submitted: Callable[[Any], None] | None = None
    counters: Callable[[Any], dict[str, int]] | None = None
    cancel: Callable[[Any], None] | None = None


def _prism_runner(settings: Settings, options: PipelineOptions) -> _RunnerHandle:
    from apache_beam.options.pipeline_options import DebugOptions, PrismRunnerOptions
    from apache_beam.runners.portability.prism_runner import PrismRunner

    from deploy.prism import ensure_prism

    prism = options.view_as(PrismRunnerOptions)
    if not prism.prism_location:
        prism.prism_location = str(ensure_prism(settings))
    prism.prism_log_level = prism.prism_log_level if prism.prism_log_level != "info" else "warn"
    debug = options.view_as(DebugOptions)
    # A job server of its own (not Beam's process-wide one), stopped when the run ends.
    debug.add_experiment("disable_prism_server_singleton")
    servers: list[Any] = []

    class _OwnPrismRunner(PrismRunner):
        def default_job_server(self, opts):
            server = super().default_job_server(opts)
            servers.append(server)
            return server

    def stop() -> None:
        for server in servers:
            try:
                server.stop()
            except Exception as exc:
                logger.debug("stopping Prism: %s", exc)

    options.view_as(StandardOptions).runner = "PrismRunner"
    return _RunnerHandle(
        _OwnPrismRunner(), f"PrismRunner (Beam's DirectRunner for streaming; {prism.prism_location})", stop
    )


def _flink_runner(settings: Settings, options: PipelineOptions, out: TextIO) -> _RunnerHandle:
    """Flink through Beam's Flink job server; counters and cancel through Flink's REST API."""
    from pipelines import flink
    from pipelines.pipeline import COUNTERS

    job = flink.prepare(settings, options, out)
    return _RunnerHandle(
        "FlinkRunner",
        f"FlinkRunner ({job.target.rest_url})",
        submitted=lambda result: flink.announce(job, out),
        counters=lambda result: flink.counters(job, COUNTERS, out),
        cancel=lambda result: flink.cancel(job),
    )


def runner_for(settings: Settings, options: PipelineOptions, out: TextIO | None = None) -> _RunnerHandle:
    """Prism for ``DirectRunner``/``PrismRunner`` (the default), Flink's job server for ``FlinkRunner``,
    else the named runner."""
    from pipelines.flink import is_flink

    name = runner_name(options)
    if name in PRISM_RUNNERS or name.endswith(".DirectRunner"):
        return _prism_runner(settings, options)
    if is_flink(name):
        return _flink_runner(settings, options, out or sys.stderr)
    return _RunnerHandle(name, name)


def cancel(result: Any, options: PipelineOptions, handle: _RunnerHandle | None = None) -> None:
    """Stops the job through its runner's API (Flink: its REST API, see :mod:`pipelines.flink`)."""
    if handle is not None and handle.cancel is not None:
        handle.cancel(result)
    try:
        result.cancel()
    except Exception as exc:
        logger.debug("cancel: %s", exc)


def _state(result: Any) -> str:
    try:
        return str(result.state)
    except Exception:
        return "UNKNOWN"


def run_streaming(
    settings: Settings,
    options: PipelineOptions,
    *,
    stop: threading.Event | None = None,
    out: TextIO | None = None,
    install_signals: bool = True,
) -> int:
    """Runs the streaming pipeline until it is stopped; returns the exit code (0 on a clean stop)."""
    import apache_beam as beam

    out = out or sys.stderr
    stop = stop or threading.Event()
    stream_opts = options.view_as(StreamingOptions)
    subscription, alerts = _check_subscriptions(settings, options.view_as(PeacewatchOptions))
    handle = runner_for(settings, options, out)
    processes = nlp_processes(options)
    print(
        f"peacewatch run: starting on {handle.label}; NLP in {processes} process{'es' if processes > 1 else ''}",
        file=out,
        flush=True,
    )
    previous_handlers = _stop_on_signals(stop, out) if install_signals else {}
    started = time.monotonic()
    result = None
    settle: Callable[[], None] | None = None
    restore: dict[str, int] = {}
    server_log = logging.getLogger("apache_beam.utils.subprocess_server")
    restore[server_log.name] = server_log.level
    server_log.setLevel(max(server_log.getEffectiveLevel(), logging.ERROR))  # "Really starting service ..."
    try:
        pipeline = beam.Pipeline(runner=handle.runner, options=options)
        build_pipeline(pipeline, options, settings)
        result = pipeline.run()
        print(
            f"peacewatch run: job {_state(result)} after {time.monotonic() - started:.1f}s (runner start-up and "
            "submission)",
            file=out,
            flush=True,
        )
        if handle.submitted is not None:
            handle.submitted(result)
        read_counters = handle.counters or (lambda r: counters_of(r, query_metrics(r)))
        code, seen = _watch(
            result,
            options,
            StopRules(stream_opts.max_messages, stream_opts.idle_exit_seconds, alerts),
            stop,
            out,
            started,
            subscription,
            read_counters,
        )
        try:
            counters = read_counters(result)
        except Exception as exc:
            logger.debug("final metrics: %s", exc)
            counters = seen
        restore.update(_quiet_shutdown())
        settle = _worker_disconnects_ignored()
        cancel(result, options, handle)
        print(
            f"peacewatch run: stopped after {time.monotonic() - started:.1f}s: {progress_line(counters)}",
            file=out,
            flush=True,
        )
        print(f"peacewatch run: languages: {format_language_counts(counters)}", file=out, flush=True)
        return code
    finally:
        if result is not None and not _terminal(_state(result)):
            cancel(result, options, handle)
        restore.update({k: v for k, v in _quiet_shutdown().items() if k not in restore})
        settle = settle or _worker_disconnects_ignored()
        handle.stop()
        for signum, handler in previous_handlers.items():
            signal.signal(signum, handler)
        settle()
        close_worker_resources()
        for name, level in restore.items():
            logging.getLogger(name).setLevel(level)


def _check_subscriptions(settings: Settings, opts: PeacewatchOptions) -> tuple[str, bool]:
    """The articles subscription and whether the alert branch runs; both subscriptions checked."""
    subscription = opts.subscription or settings.subscription_path("articles")
    _check_subscription(settings, subscription)
    alerts = alerts_wanted(settings, opts.alerts, opts.rules)
    if alerts:
        _check_subscription(settings, delivery_subscription(settings))
    return subscription, alerts


def _stop_on_signals(stop: threading.Event, out: TextIO) -> dict[int, Any]:
    """SIGINT and SIGTERM set ``stop`` (a second one stops at once); returns the handlers they replace."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def _on_signal(signum: int, _frame: Any) -> None:
        if stop.is_set():  # a second Ctrl-C: stop now
            raise KeyboardInterrupt
        print(f"peacewatch run: {signal.Signals(signum).name} received, stopping the job", file=out, flush=True)
        stop.set()

    return {signum: signal.signal(signum, _on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}


_SHUTDOWN_LOGGERS = ("apache_beam", "PrismRunner", "PrismJobServer", "pipelines.io_pubsub")


def _quiet_shutdown() -> dict[str, int]:
    """Cancelling stops bundles mid-flight: the worker threads then log errors that mean nothing.

    Returns the levels to restore once the job has stopped.
    """
    levels = {}
    for name in _SHUTDOWN_LOGGERS:
        levels[name] = logging.getLogger(name).level
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return levels


_WORKER_THREADS = ("run_worker", "read_grpc_client_inputs", "read_state", "DataChannel")


class _ShutdownStderr:
    """Stands in for stderr while the job stops: Beam's worker prints the traceback of each bundle
    the cancellation interrupts (``sdk_worker._execute``); those are dropped, the rest passes."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._dropped = False

    def write(self, text: str) -> int:
        if text.startswith("Traceback") and "apache_beam/runners/worker/" in text:
            self._dropped = True
            return len(text)
        if self._dropped and text == "\n":  # print()'s own newline after the dropped text
            self._dropped = False
            return len(text)
        self._dropped = False
        return self.stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _worker_disconnects_ignored() -> Callable[[], None]:
    """While the job stops, the in-process worker's threads lose their connection to the runner and
    end with a gRPC error, and interrupted bundles print tracebacks: expected, not worth showing.
    Returns the function that waits for those threads (a few seconds at most) and puts the
    previous hooks back."""
    import grpc

    previous = threading.excepthook
    previous_stderr = sys.stderr
    sys.stderr = _ShutdownStderr(previous_stderr)

    def hook(args: Any) -> None:
        name = getattr(args.thread, "name", "") or ""
        if args.exc_type is not None and issubclass(args.exc_type, grpc.RpcError) and name.startswith(_WORKER_THREADS):
            return
        previous(args)

    threading.excepthook = hook

    def settle(timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        for thread in threading.enumerate():
            if thread is not threading.current_thread() and thread.name.startswith(_WORKER_THREADS):
                thread.join(max(deadline - time.monotonic(), 0))
        threading.excepthook = previous
        sys.stderr = previous_stderr

    return settle


def _terminal(state: str) -> bool:
    return any(word in state for word in ("DONE", "FAILED", "CANCELLED", "STOPPED", "DRAINED", "UPDATED"))


def _watch(
    result: Any,
    options: PipelineOptions,
    rules: StopRules,
    stop: threading.Event,
    out: TextIO,
    started: float,
    subscription: str,
    read_counters: Callable[[Any], dict[str, int]],
) -> tuple[int, dict[str, int]]:
    """Prints progress until the job should stop; returns the exit code and the last counters read."""
    progress_seconds = options.view_as(PeacewatchOptions).progress_seconds
    watcher = Watcher(rules)
    announced = False
    next_progress = time.monotonic() + progress_seconds
    last_buckets: dict[str, int] = {}
    counters: dict[str, int] = {}
    while not stop.wait(POLL_SECONDS):
        state = _state(result)
        if _terminal(state):
            why = ""
            if "DONE" not in state and hasattr(result, "_last_error_message"):
                why = ": " + str(result._last_error_message()).strip().splitlines()[-1][:500]
            print(
                f"peacewatch run: the job ended on its own: {state}{why}; what was not acknowledged comes back "
                "at the next run",
                file=out,
                flush=True,
            )
            return (0 if "DONE" in state else 1), counters
        try:
            counters = read_counters(result)
        except Exception as exc:
            logger.debug("metrics: %s", exc)
            continue
        if not announced and (sum(idle_polls(counters, False)) or counters.get("pulled") or counters.get("polls_busy")):
            announced = True
            print(
                f"peacewatch run: first pull after {time.monotonic() - started:.1f}s (workers set up); streaming "
                f"from {subscription}",
                file=out,
                flush=True,
            )
        reason = watcher.reason_to_stop(counters)
        if progress_seconds and time.monotonic() >= next_progress:
            buckets = {name: counters.get(name, 0) for name in latency.bucket_names()}
            recent = {name: buckets[name] - last_buckets.get(name, 0) for name in buckets}
            last_buckets = buckets
            print(f"peacewatch run: {progress_line(counters, recent)}", file=out, flush=True)
            next_progress = time.monotonic() + progress_seconds
        if reason:
            print(f"peacewatch run: stopping: {reason}", file=out, flush=True)
            return 0, counters
    return 0, counters


def _check_subscription(settings: Settings, subscription: str) -> None:
    """Fails fast, in one line, when the subscription is missing or Pub/Sub cannot be reached."""
    from google.api_core import exceptions

    from peacewatch.clients import pubsub_unreachable, subscriber_client

    subscriber = subscriber_client(settings)
    try:
        subscriber.get_subscription(request={"subscription": subscription}, retry=None, timeout=15)
    except exceptions.NotFound:
        raise UserError(f"subscription {subscription} does not exist", "run 'peacewatch setup'") from None
    except exceptions.PermissionDenied:
        logger.debug("cannot read subscription %s metadata; continuing", subscription)
    except (exceptions.GoogleAPICallError, exceptions.RetryError) as exc:
        raise pubsub_unreachable(settings, subscription, exc) from None
    finally:
        subscriber.close()
