"""Small helpers for integration tests and benchmarks: the command in a subprocess, free ports,
waiting on real services without sleeping blindly, and cleaning up a test's indices."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: The shared evaluation folder (``../shared/eval`` beside the checkout); ``PEACEWATCH_EVAL_DIR``
#: names it when the checkout is elsewhere (a git worktree). Tests that read it skip when it is absent.
SHARED_EVAL = Path(os.environ.get("PEACEWATCH_EVAL_DIR") or ROOT.parent / "shared" / "eval").resolve()


#: How long one pull may take. Each pull answers at once (``return_immediately``), so this only
#: bounds an emulator that stalls (a garbage-collection pause, a loaded machine). A long-poll pull is
#: not used: the emulator holds an empty one until about 1 s before the call's own timeout, so a stall
#: of just over a second ended such a pull in DeadlineExceeded, which the client does not retry.
PULL_CALL_TIMEOUT = 60.0
#: Seconds between two pulls that found nothing.
PULL_INTERVAL = 0.1


def _pull_once(subscriber, subscription_path: str, ack: bool) -> list[Any]:
    """One pull that answers at once with what is there (up to 100 messages), acknowledged if ``ack``."""
    response = subscriber.pull(
        request={"subscription": subscription_path, "max_messages": 100, "return_immediately": True},
        timeout=PULL_CALL_TIMEOUT,
    )
    messages = list(response.received_messages)
    if ack and messages:
        subscriber.acknowledge(request={"subscription": subscription_path, "ack_ids": [m.ack_id for m in messages]})
    return [m.message for m in messages]


def pull_messages(
    subscriber, subscription_path: str, expect: int, timeout: float = 30.0, ack: bool = True
) -> list[Any]:
    """Pulls until ``expect`` messages arrived or ``timeout`` passed; returns what arrived.

    Pulls a little longer after reaching ``expect`` is not done: callers that must prove that
    nothing *more* arrives call :func:`drain` afterwards.
    """
    received: list[Any] = []
    deadline = time.monotonic() + timeout
    while len(received) < expect and time.monotonic() < deadline:
        messages = _pull_once(subscriber, subscription_path, ack)
        received.extend(messages)
        if not messages:
            time.sleep(PULL_INTERVAL)
    return received


def drain(subscriber, subscription_path: str, quiet: float = 2.0) -> list[Any]:
    """Pulls until the subscription has been empty for ``quiet`` seconds."""
    received: list[Any] = []
    quiet_until = time.monotonic() + quiet
    while time.monotonic() < quiet_until:
        messages = _pull_once(subscriber, subscription_path, ack=True)
        if messages:
            received.extend(messages)
            quiet_until = time.monotonic() + quiet
        else:
            time.sleep(PULL_INTERVAL)
    return received


def decode(message) -> dict:
    return json.loads(message.data.decode("utf-8"))


def wait_until(predicate: Callable[[], Any], timeout: float = 60.0, interval: float = 0.25, what: str = "condition"):
    """Polls ``predicate`` until it returns something truthy; fails the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def cli_command(*args: str, module: str = "peacewatch.cli") -> list[str]:
    """``python -m peacewatch.cli ARGS`` with this interpreter: the command as a user runs it.

    ``module`` is what ``python -m`` runs instead: ``peacewatch`` (its ``__main__``), or a test's own
    wrapper around the command.
    """
    return [sys.executable, "-m", module, *args]


def run_cli(
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
    cwd: str | Path = ROOT,
    module: str = "peacewatch.cli",
) -> subprocess.CompletedProcess:
    """Runs ``peacewatch ARGS`` in a subprocess; output captured as text.

    Args:
        args: the command line after ``peacewatch``.
        env: the whole environment of the command (default: this process's).
        timeout: seconds before the run is killed and ``TimeoutExpired`` raised.
        cwd: the folder it runs in (default: the repository root).
        module: what ``python -m`` runs (see :func:`cli_command`).
    """
    command = cli_command(*args, module=module)
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout, cwd=cwd)


def run_python(code: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Runs ``code`` in a fresh interpreter (``python -c``) from the repository root; output captured
    as text. ``timeout`` (seconds) guards against a hang; it raises ``TimeoutExpired``."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listened on a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def delete_prefixed(es, prefix: str) -> None:
    """Deletes the indices and index templates named ``<prefix>-*`` (what a test or bench created)."""
    names = list(es.options(ignore_status=404).indices.get(index=f"{prefix}-*", expand_wildcards="all"))
    names = [n for n in names if n.startswith(prefix)]
    if names:
        es.options(ignore_status=404).indices.delete(index=",".join(names))
    es.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-*")
