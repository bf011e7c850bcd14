"""Small helpers for integration tests: waiting on real services without sleeping blindly."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The shared evaluation folder (``../shared/eval`` beside the checkout); ``PEACEWATCH_EVAL_DIR``
#: names it when the checkout is elsewhere (a git worktree). Tests that read it skip when it is absent.
SHARED_EVAL = Path(
    os.environ.get("PEACEWATCH_EVAL_DIR") or Path(__file__).resolve().parents[1].parent / "shared" / "eval"
).resolve()


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
        response = subscriber.pull(
            request={"subscription": subscription_path, "max_messages": 100},
            timeout=max(1.0, min(10.0, deadline - time.monotonic())),
        )
        messages = list(response.received_messages)
        if ack and messages:
            subscriber.acknowledge(request={"subscription": subscription_path, "ack_ids": [m.ack_id for m in messages]})
        received.extend(m.message for m in messages)
    return received


def drain(subscriber, subscription_path: str, quiet: float = 2.0) -> list[Any]:
    """Pulls until the subscription has been empty for ``quiet`` seconds."""
    received: list[Any] = []
    quiet_until = time.monotonic() + quiet
    while time.monotonic() < quiet_until:
        response = subscriber.pull(request={"subscription": subscription_path, "max_messages": 100}, timeout=quiet)
        messages = list(response.received_messages)
        if messages:
            subscriber.acknowledge(request={"subscription": subscription_path, "ack_ids": [m.ack_id for m in messages]})
            received.extend(m.message for m in messages)
            quiet_until = time.monotonic() + quiet
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
