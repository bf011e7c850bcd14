"""Publishing Article messages to Pub/Sub in batches, waiting for every future.

An article counts as published only once its publish future has resolved with a message id;
callers record it in the :class:`~connectors.state.PublishedLog` after that. A crash in between
republishes the article next time, and the pipeline's idempotent writes absorb the duplicate.

Messages carry the attributes ``article_id`` (also the de-duplication key: Dataflow's
``ReadFromPubSub(id_label="article_id")`` drops redelivered copies), ``source`` and
``published``. The emulator and Google Cloud are reached the same way (``peacewatch.clients``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from google.api_core.exceptions import NotFound as NotFoundError

from connectors.state import encode_payload
from peacewatch.errors import PeacewatchError, ServiceUnavailable, UserError
from peacewatch.retry import is_transient, retry_transient
from peacewatch.settings import Settings

logger = logging.getLogger(__name__)

ID_ATTRIBUTE = "article_id"
_MAX_ATTRIBUTE = 1024  # Pub/Sub's limit on attribute values, in bytes


class Published(NamedTuple):
    """An article and the message id Pub/Sub gave it."""

    article: dict[str, Any]
    message_id: str


class PublishError(PeacewatchError):
    """Some messages of a batch failed; ``succeeded`` still went out and must be recorded.

    Attributes:
        succeeded: the articles that were published, with their message ids.
        failed: ``(article, reason)`` for each message that was not.
    """

    def __init__(self, succeeded: list[Published], failed: list[tuple[dict[str, Any], str]]) -> None:
        reasons = sorted({reason for _, reason in failed})
        super().__init__(
            f"{len(failed)} of {len(failed) + len(succeeded)} messages not published: {'; '.join(reasons)[:500]}"
        )
        self.succeeded = succeeded
        self.failed = failed


class _Unpublished(ServiceUnavailable):
    """Some messages of a batch failed for a transient reason (published again while the budget lasts)."""


def _attribute(value: Any) -> str:
    text = "" if value is None else str(value)
    encoded = text.encode("utf-8")
    return text if len(encoded) <= _MAX_ATTRIBUTE else encoded[:_MAX_ATTRIBUTE].decode("utf-8", "ignore")


def message_attributes(article: dict[str, Any]) -> dict[str, str]:
    """The attributes sent with ``article``."""
    return {
        ID_ATTRIBUTE: article["id"],
        "source": _attribute(article.get("source")),
        "published": _attribute(article.get("published")),
    }


def _missing_topic(topic_path: str) -> UserError:
    return UserError(
        f"Pub/Sub topic {topic_path} does not exist", "run `peacewatch setup` to create topics and subscriptions"
    )


class ArticlePublisher:
    """Publishes articles to a topic in client-side batches.

    Args:
        settings: where Pub/Sub is (emulator or Google Cloud).
        topic_path: the full topic path; defaults to ``settings.topic_path("articles")``.
        max_messages: batch size limit of the client library.
        max_bytes: batch byte limit (Pub/Sub accepts up to 10 MB per request).
        max_latency: seconds a partial batch waits before it is sent.
        timeout: seconds to wait for each publish future.
        retry_seconds: how long messages that failed for a transient reason are published again.
        client: an existing ``PublisherClient`` (its batch settings are then its own).
    """

    def __init__(
        self,
        settings: Settings,
        topic_path: str | None = None,
        *,
        max_messages: int = 500,
        max_bytes: int = 5 * 1024 * 1024,
        max_latency: float = 0.05,
        timeout: float = 60.0,
        retry_seconds: float = 30.0,
        client: Any = None,
    ) -> None:
        self.settings = settings
        self.topic_path = topic_path or settings.topic_path("articles")
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self.retries = 0
        self._owns_client = client is None
        if client is None:
            from google.cloud import pubsub_v1

            from peacewatch.clients import publisher_client

            batch = pubsub_v1.types.BatchSettings(
                max_messages=max_messages, max_bytes=max_bytes, max_latency=max_latency
            )
            client = publisher_client(settings, batch_settings=batch)
        self.client = client

    def check_topic(self) -> None:
        """Raises :class:`UserError` when the topic does not exist.

        A publisher-only role may not read topic metadata; that case is left to publishing.
        """
        from google.api_core import exceptions

        try:
            # One attempt: an unreachable endpoint must be reported, not retried for minutes.
            self.client.get_topic(request={"topic": self.topic_path}, retry=None, timeout=15)
        except exceptions.NotFound:
            raise _missing_topic(self.topic_path) from None
        except exceptions.PermissionDenied:
            logger.debug("cannot read topic %s metadata; continuing", self.topic_path)
        except (exceptions.GoogleAPICallError, exceptions.RetryError) as exc:
            from peacewatch.clients import pubsub_unreachable

            raise pubsub_unreachable(self.settings, self.topic_path, exc) from None

    def publish_batch(self, articles: Sequence[dict[str, Any]] | Iterable[dict[str, Any]]) -> list[Published]:
        """Publishes ``articles`` and waits until every future has resolved.

        Messages that fail for a transient reason (the emulator or Google Cloud unreachable or
        overloaded, no acknowledgement in time) are published again under the retry policy for up
        to ``retry_seconds``.

        Args:
            articles: Article dicts with ``id`` set.

        Returns:
            ``(article, message_id)`` for every article, in input order.

        Raises:
            PublishError: when some messages failed (the others are in ``succeeded``).
            UserError: when the topic does not exist.
        """
        batch = list(articles)
        succeeded: dict[int, Published] = {}
        failed: dict[int, BaseException] = {}

        def attempt() -> None:
            pending = list(failed) if failed else list(range(len(batch)))
            failed.clear()
            for position, outcome in zip(pending, self._publish_once([batch[i] for i in pending])):
                if isinstance(outcome, BaseException):
                    failed[position] = outcome
                else:
                    succeeded[position] = Published(batch[position], outcome)
            transient = [exc for exc in failed.values() if is_transient(exc)]
            if transient:
                raise _Unpublished(f"{len(transient)} messages: {self._reason(transient[0])}", len(transient))

        try:
            retry_transient(attempt, f"publishing to {self.topic_path}", self.retry_seconds, on_retry=self._count_retry)
        except _Unpublished:
            pass  # what still failed is in `failed`, reported below
        if failed and not succeeded and any(isinstance(exc, NotFoundError) for exc in failed.values()):
            raise _missing_topic(self.topic_path)
        if failed:
            raise PublishError(
                [succeeded[i] for i in sorted(succeeded)],
                [(batch[i], self._reason(exc)) for i, exc in sorted(failed.items())],
            )
        return [succeeded[i] for i in range(len(batch))]

    def _publish_once(self, articles: Sequence[dict[str, Any]]) -> list[str | BaseException]:
        """One publish of each article; per article its message id or the exception it failed with."""
        futures = [self.client.publish(self.topic_path, encode_payload(a), **message_attributes(a)) for a in articles]
        outcomes: list[str | BaseException] = []
        for future in futures:
            try:
                outcomes.append(future.result(timeout=self.timeout))
            except Exception as exc:  # the client wraps transport errors in several types; all mean "not sent"
                outcomes.append(exc)
        return outcomes

    def _reason(self, exc: BaseException) -> str:
        if isinstance(exc, NotFoundError):
            return "topic not found"
        if isinstance(exc, TimeoutError):
            return f"no acknowledgement within {self.timeout:g}s"
        return f"{type(exc).__name__}: {getattr(exc, 'message', None) or exc}"[:300]

    def _count_retry(self) -> None:
        self.retries += 1

    def close(self) -> None:
        """Flushes and stops the client (only when this object created it)."""
        if self._owns_client:
            try:
                self.client.stop()
            except Exception as exc:  # stopping twice or after a transport failure must not hide the real error
                logger.debug("publisher stop: %s", exc)

    def __enter__(self) -> ArticlePublisher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
