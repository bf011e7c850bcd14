"""The one retry policy and the one definition of "transient" (pure logic: the waits are recorded, not slept)."""

from __future__ import annotations

import pickle
import smtplib
import threading

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elastic_transport import ConnectionError as EsConnectionError
from elasticsearch import ApiError
from google.api_core import exceptions

from peacewatch.errors import PeacewatchError, ServiceUnavailable, UserError
from peacewatch.retry import MAX_BACKOFF_SECONDS, is_permanent, is_transient, retry_transient
from pipelines.alerts.channels import ChannelError
from pipelines.write_es import ElasticsearchUnavailable


def api_error(status: int) -> ApiError:
    meta = ApiResponseMeta(
        status=status,
        http_version="1.1",
        headers=HttpHeaders(),
        duration=0.0,
        node=NodeConfig("http", "localhost", 9200),
    )
    return ApiError(f"HTTP {status}", meta, {})


@pytest.mark.parametrize(
    "exc",
    [
        ElasticsearchUnavailable("down", 3),
        EsConnectionError("refused"),
        api_error(503),
        api_error(429),
        api_error(408),
        exceptions.ServiceUnavailable("x"),
        exceptions.DeadlineExceeded("x"),
        exceptions.RetryError("x", None),
        TimeoutError(),
        ConnectionRefusedError(),
        ChannelError("HTTP 503"),
        smtplib.SMTPServerDisconnected(),
        smtplib.SMTPResponseException(451, b"try later"),
    ],
)
def test_transient(exc):
    assert is_transient(exc) and not is_permanent(exc)


@pytest.mark.parametrize(
    "exc",
    [
        api_error(400),
        api_error(404),
        exceptions.NotFound("x"),
        exceptions.PermissionDenied("x"),
        ChannelError("HTTP 410", permanent=True),
        smtplib.SMTPResponseException(550, b"no such user"),
        smtplib.SMTPRecipientsRefused({}),
    ],
)
def test_permanent(exc):
    assert is_permanent(exc) and not is_transient(exc)


def test_an_unknown_error_is_neither_and_a_cause_decides():
    assert not is_transient(ValueError("a bug")) and not is_permanent(ValueError("a bug"))
    try:
        try:
            raise TimeoutError("slow")
        except TimeoutError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert is_transient(outer)


class Flaky:
    def __init__(self, failures: list[BaseException]) -> None:
        self.failures = list(failures)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "done"


def test_transient_failures_are_retried_with_growing_capped_jittered_waits_and_counted():
    waits: list[float] = []
    retries = []
    action = Flaky([TimeoutError()] * 8)
    assert retry_transient(action, "test", 3600, on_retry=lambda: retries.append(1), sleep=waits.append) == "done"
    assert action.calls == 9 and len(retries) == 8 and len(waits) == 8
    assert 0.5 <= waits[0] <= 0.75 and waits[1] >= 1.0 and all(w <= MAX_BACKOFF_SECONDS for w in waits)
    assert waits[-1] == MAX_BACKOFF_SECONDS  # 0.5 * 2**7 = 64 s, capped
    assert len(set(waits[:4])) == 4


def test_permanent_and_unknown_failures_are_raised_at_once():
    for exc in (api_error(400), ValueError("bug")):
        action = Flaky([exc])
        with pytest.raises(type(exc)):
            retry_transient(action, "test", 3600, sleep=lambda s: None)
        assert action.calls == 1


def test_the_budget_attempts_and_abort_end_the_retries_with_the_last_failure():
    clock = []
    action = Flaky([TimeoutError()] * 100)
    with pytest.raises(TimeoutError):
        retry_transient(action, "test", 0, sleep=clock.append)
    assert action.calls == 1 and not clock  # no budget: one try
    action = Flaky([TimeoutError()] * 100)
    with pytest.raises(TimeoutError):
        retry_transient(action, "test", 3600, sleep=lambda s: None, attempts=3)
    assert action.calls == 3
    stop = threading.Event()
    stop.set()
    action = Flaky([TimeoutError()] * 100)
    with pytest.raises(TimeoutError):
        retry_transient(action, "test", 3600, abort=stop)
    assert action.calls == 1


class Rich(PeacewatchError, ValueError):
    def __init__(self, reason: str, field: str | None = None, *, count: int = 0) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.reason, self.field, self.count = reason, field, count


@pytest.mark.parametrize(
    "exc",
    [
        UserError("bad", "fix it"),
        ServiceUnavailable("es down", 4),
        ElasticsearchUnavailable("down", 2),
        ChannelError("HTTP 410", permanent=True),
        Rich("must be a string", "stances[0].actor", count=3),
    ],
)
def test_every_error_pickles_with_its_attributes(exc):
    copy = pickle.loads(pickle.dumps(exc))
    assert type(copy) is type(exc) and str(copy) == str(exc)
    assert {k: v for k, v in vars(copy).items()} == {k: v for k, v in vars(exc).items()}
