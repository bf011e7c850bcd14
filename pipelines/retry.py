"""Retrying what passes: a service down, overloaded or timing out is waited out, never dead-lettered.

In a streaming job a step that raises fails its bundle, and on Prism a failed bundle ends the
job. Every write a streaming step makes (dead letters, stance aggregates, alert records) therefore
goes through :func:`retry_transient`: transient failures are retried with capped exponential
backoff for up to ``budget_seconds`` (the same budget as the article writer, 15 minutes by default);
anything else, or a failure that outlasts the budget, is raised. Nothing is acknowledged before
the write succeeded, so a raise only means a redelivery later.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
MAX_BACKOFF_SECONDS = 30.0


def is_transient(exc: BaseException) -> bool:
    """Failures that pass (a service down, overloaded or timing out): worth retrying later."""
    from elastic_transport import TransportError
    from elasticsearch import ApiError
    from google.api_core import exceptions as google_errors

    from pipelines.write_es import ElasticsearchUnavailable

    if isinstance(exc, (ElasticsearchUnavailable, TransportError, google_errors.RetryError, TimeoutError,
                        ConnectionError)):
        return True
    if isinstance(exc, ApiError):
        return exc.meta.status in (408, 429) or exc.meta.status >= 500
    if isinstance(exc, google_errors.GoogleAPICallError):
        return isinstance(exc, (google_errors.ServiceUnavailable, google_errors.DeadlineExceeded,
                                google_errors.InternalServerError, google_errors.TooManyRequests,
                                google_errors.Aborted))
    cause = exc.__cause__ or exc.__context__
    return cause is not None and cause is not exc and is_transient(cause)


def retry_transient(action: Callable[[], T], what: str, budget_seconds: float = 900.0,
                    on_retry: Callable[[], None] | None = None, abort: threading.Event | None = None,
                    sleep: Callable[[float], None] = time.sleep) -> T:
    """Runs ``action``; retries it on transient failures for up to ``budget_seconds``.

    Args:
        action: the write to make.
        what: what it is, for the log.
        budget_seconds: how long transient failures are retried before the last one is raised.
        on_retry: called before each retry (a counter).
        abort: when set, the next failure is raised at once.
        sleep: the sleeping function (tests).
    """
    deadline = time.monotonic() + budget_seconds
    backoff = 0.5
    while True:
        try:
            return action()
        except Exception as exc:
            if not is_transient(exc) or time.monotonic() + backoff > deadline or (abort is not None and abort.is_set()):
                raise
            logger.warning("%s failed (%s: %s); retrying in %.1fs", what, type(exc).__name__, str(exc)[:200], backoff)
            if on_retry is not None:
                on_retry()
            sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
