"""Restarts supervised Flink processes (TaskManagers, the worker pool) that die.

A small detached process started by ``peacewatch services up flink`` (pid file
``run/flink-supervisor.pid``). Every ``--interval`` seconds it checks the pid file of each name
given with ``--names``; a dead one is started again with the exact command recorded in the plan
file (``run/flink-plan.json``, written by ``up``), with a growing delay when it keeps dying
(1 s doubling to 60 s, back to 1 s after 5 minutes up). It exits when the plan file disappears
(``services down flink`` removes it first) or on SIGTERM, and never stops what it started: a
TaskManager outlives a killed supervisor, and the next ``services up flink`` starts a new one.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from deploy import runtime

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class Backoff:
    """Delay before the next restart of one process."""

    delay: float = 0.0
    started_at: float = 0.0

    def after_start(self, now: float) -> None:
        self.started_at = now

    def on_death(self, now: float) -> float:
        """Returns how long to wait before restarting a process that just died."""
        if now - self.started_at >= 300:
            self.delay = 0.0
        self.delay = 1.0 if self.delay == 0 else min(self.delay * 2, 60.0)
        return self.delay


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def reap() -> None:
    """Collects exited children (restarted processes are ours) so they do not linger as zombies."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def start(spec: dict, pid_file: Path) -> int:
    out = Path(spec["out"])
    with open(out, "ab") as handle:
        proc = subprocess.Popen(
            spec["argv"],
            env=spec["env"],
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=str(out.parent),
        )
    runtime.write_private(pid_file, str(proc.pid))
    return proc.pid


def supervise(plan_file: Path, run_dir: Path, names: list[str], interval: float, stop: threading.Event) -> None:
    backoff = {name: Backoff(started_at=time.monotonic()) for name in names}
    due: dict[str, float] = {}
    while not stop.is_set():
        reap()
        try:
            plan = json.loads(plan_file.read_text())
        except FileNotFoundError:
            logger.info("plan file %s removed: exiting", plan_file)
            return
        except (OSError, ValueError) as exc:
            logger.warning("cannot read %s (%s); retrying", plan_file, exc)
            stop.wait(interval)
            continue
        now = time.monotonic()
        for name in names:
            pid_file = run_dir / f"{name}.pid"
            pid = read_pid(pid_file)
            if pid is not None and runtime.alive(pid):
                due.pop(name, None)
                continue
            if name not in due:
                wait = backoff[name].on_death(now)
                due[name] = now + wait
                logger.warning("%s (pid %s) is not running; restarting in %.0f s", name, pid, wait)
            if now >= due[name] and name in plan:
                new_pid = start(plan[name], pid_file)
                backoff[name].after_start(now)
                due.pop(name, None)
                logger.warning("restarted %s: pid %d", name, new_pid)
        stop.wait(interval)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Restarts peacewatch's Flink TaskManagers and worker pool")
    parser.add_argument("--plan", type=Path, required=True)
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--names", nargs="+", required=True)
    parser.add_argument("--interval", type=float, default=2.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s supervisor: %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    logger.info("supervising %s every %.1f s", ", ".join(args.names), args.interval)
    supervise(args.plan, args.run_dir, args.names, args.interval, stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
