"""The one retry policy: what is transient, and how long and how often it is tried again.

A service down, overloaded or timing out is *transient*: waited out, never dead-lettered. A
request the service refuses for what it is (a mapping conflict, HTTP 4xx, SMTP 5xx) is
*permanent*: retrying cannot help. :func:`is_transient` and :func:`is_permanent` answer for every
client the project uses (Elasticsearch, Pub/Sub, HTTP, SMTP, peacewatch's own errors); an error
that says neither is unknown (neither function is true).

:func:`retry_transient` runs an action under the policy (tenacity): transient failures are
retried with exponential backoff and jitter (0.5 s doubling, at most 30 s between tries) for up to
``budget_seconds`` (or ``attempts`` tries), each retry counted and logged; anything else, or a
failure that outlasts the budget, is raised. Users: the stream source's acknowledgements, the
Elasticsearch writer, dead letters, stance aggregates, alert recording and the connectors'
publisher. Alert delivery keeps its own schedule (a breaker per channel; a failed alert's outbox
message comes back after a delay) but asks :func:`is_permanent` whether to give up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import tenacity

from peacewatch.redact import redact

logger = logging.getLogger(__name__)

T = TypeVar("T")
INITIAL_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0
JITTER_SECONDS = 0.25
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def _verdict(exc: BaseException) -> bool | None:
    """True: transient; False: permanent; None: the error does not say."""
    own = getattr(exc, "transient", None)
    if isinstance(own, bool):
        return own
    http_status = _http_status(exc)
    if http_status is not None:
        return http_status in RETRY_STATUSES or http_status >= 500
    verdict = _google_verdict(exc)
    if verdict is None:
        verdict = _smtp_verdict(exc)
    if verdict is None and isinstance(exc, (TimeoutError, ConnectionError)):
        verdict = True
    if verdict is None and _is_connection_failure(exc):
        verdict = True
    if verdict is None:
        cause = exc.__cause__ or exc.__context__
        if cause is not None and cause is not exc:
            return _verdict(cause)
    return verdict


def _http_status(exc: BaseException) -> int | None:
    """The HTTP status of an Elasticsearch API error (None for other errors)."""
    from elasticsearch import ApiError

    if isinstance(exc, ApiError):
        return int(exc.meta.status)
    return None


def _is_connection_failure(exc: BaseException) -> bool:
    """The request did not get through or got no answer (Elasticsearch transport, HTTP clients)."""
    from elastic_transport import TransportError
    from requests import ConnectionError as RequestsConnectionError
    from requests import Timeout as RequestsTimeout

    return isinstance(exc, (TransportError, RequestsConnectionError, RequestsTimeout))


def _google_verdict(exc: BaseException) -> bool | None:
    from google.api_core import exceptions as google_errors

    if isinstance(exc, google_errors.RetryError):  # the client's own retries ran out
        return True
    if isinstance(exc, google_errors.GoogleAPICallError):
        return isinstance(
            exc,
            (
                google_errors.ServiceUnavailable,
                google_errors.DeadlineExceeded,
                google_errors.InternalServerError,
                google_errors.TooManyRequests,
                google_errors.Aborted,
            ),
        )
    return None


def _smtp_verdict(exc: BaseException) -> bool | None:
    import smtplib

    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return not 500 <= exc.smtp_code < 600
    if isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return True
    return None


def is_transient(exc: BaseException) -> bool:
    """Failures that pass (a service down, overloaded or timing out): worth retrying later."""
    return _verdict(exc) is True


def is_permanent(exc: BaseException) -> bool:
    """Failures that retrying cannot fix (the request itself is refused)."""
    return _verdict(exc) is False


def retry_transient(
    action: Callable[[], T],
    what: str,
    budget_seconds: float = 900.0,
    on_retry: Callable[[], None] | None = None,
    abort: threading.Event | None = None,
    sleep: Callable[[float], None] | None = None,
    attempts: int | None = None,
) -> T:
    """Runs ``action``; retries it on transient failures for up to ``budget_seconds``.

    Args:
        action: the write to make (it must be safe to repeat).
        what: what it is, for the log.
        budget_seconds: how long transient failures are retried before the last one is raised; a
            retry whose wait would end past the budget is not made.
        on_retry: called before each retry (a counter).
        abort: when set, the next failure is raised at once (and a wait in progress ends).
        sleep: the sleeping function (tests); ``abort.wait`` when ``abort`` is given.
        attempts: at most this many tries in all (None: only the budget limits them).

    Raises:
        The last failure: a permanent or unknown one at once, a transient one once the budget,
        the attempts or ``abort`` say stop.
    """
    stop = tenacity.stop_before_delay(budget_seconds)
    if attempts is not None:
        stop = stop | tenacity.stop_after_attempt(attempts)
    if abort is not None:
        stop = stop | (lambda _state: abort.is_set())

    def before_sleep(state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        logger.warning(
            "%s failed (%s: %s); retrying in %.1fs (retry %d)",
            what,
            type(exc).__name__,
            redact(str(exc))[:200],
            state.upcoming_sleep,
            state.attempt_number,
        )
        if on_retry is not None:
            on_retry()

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception(is_transient),
        stop=stop,
        wait=tenacity.wait_exponential_jitter(
            multiplier=INITIAL_BACKOFF_SECONDS, max=MAX_BACKOFF_SECONDS, jitter=JITTER_SECONDS
        ),
        sleep=sleep or (abort.wait if abort is not None else time.sleep),
        before_sleep=before_sleep,
        reraise=True,
    )
    return retrying(action)
