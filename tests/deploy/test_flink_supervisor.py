"""The Flink supervisor restarts a dead process from its recorded command (real processes)."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time

from deploy import runtime
from deploy.flink import supervisor


def test_backoff_grows_and_resets_after_a_long_run():
    backoff = supervisor.Backoff(started_at=0)
    assert [backoff.on_death(now) for now in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    backoff.after_start(10)
    assert backoff.on_death(400) == 1.0, "up for 5 minutes: the next restart is quick again"
    for now in range(410, 430):  # restarted, dead again a second later, twenty times
        backoff.after_start(now)
        backoff.on_death(now + 1)
    assert backoff.delay == 60.0


def _wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_dead_process_is_restarted_and_the_supervisor_leaves_with_its_plan(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    out = tmp_path / "sleeper.out"
    plan = {
        "sleeper": {
            "argv": [sys.executable, "-c", "import time; time.sleep(60)"],
            "env": dict(os.environ),
            "out": str(out),
        }
    }
    plan_file = run_dir / "plan.json"
    plan_file.write_text(json.dumps(plan))
    pid_file = run_dir / "sleeper.pid"
    pid_file.write_text("999999999")  # no such process
    stop = threading.Event()
    thread = threading.Thread(target=supervisor.supervise, args=(plan_file, run_dir, ["sleeper"], 0.1, stop))
    thread.start()
    started = []
    try:
        first = _wait_for(
            lambda: (lambda p: p if p and p != 999999999 and runtime.alive(p) else None)(supervisor.read_pid(pid_file))
        )
        started.append(first)
        assert pid_file.stat().st_mode & 0o777 == 0o600
        os.kill(first, signal.SIGKILL)
        second = _wait_for(
            lambda: (lambda p: p if p and p != first and runtime.alive(p) else None)(supervisor.read_pid(pid_file))
        )
        started.append(second)
        plan_file.unlink()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the supervisor exits once the plan file is gone"
        assert runtime.alive(second), "and leaves what it started running (services down stops it)"
    finally:
        stop.set()
        thread.join(timeout=10)
        for pid in started:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
