"""Publishing Article messages to Pub/Sub in batches, waiting for every future.

An article counts as published only once its publish future has resolved with a message id;
callers record it in the :class:`~connectors.state.PublishedLog` after that. A crash in between
republishes the article next time, and the pipeline's idempotent writes absorb the duplicate.

Messages carry the attributes ``article_id`` (also the de-duplication key: Dataflow's
``ReadFromPubSub(id_label="article_id")`` drops redelivered copies), ``source`` and
``published``. The emulator and Google Cloud are reached the same way (``schemas.clients``).
"""

from __future__ import annotations

import logging
from typing import Any, Iterable, NamedTuple, Sequence

from connectors.state import encode_payload
from schemas.errors import UserError
from schemas.settings import Settings

logger = logging.getLogger(__name__)

ID_ATTRIBUTE = "article_id"
_MAX_ATTRIBUTE = 1024  # Pub/Sub's limit on attribute values, in bytes


class Published(NamedTuple):
    """An article and the message id Pub/Sub gave it."""

    article: dict[str, Any]
    message_id: str


class PublishError(Exception):
    """Some messages of a batch failed; ``succeeded`` still went out and must be recorded.

    Attributes:
        succeeded: the articles that were published, with their message ids.
        failed: ``(article, reason)`` for each message that was not.
    """

    def __init__(self, succeeded: list[Published], failed: list[tuple[dict[str, Any], str]]) -> None:
        reasons = sorted({reason for _, reason in failed})
        super().__init__(f"{len(failed)} of {len(failed) + len(succeeded)} messages not published: {'; '.join(reasons)[:500]}")
        self.succeeded = succeeded
        self.failed = failed


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
    return UserError(f"Pub/Sub topic {topic_path} does not exist", "run `peacewatch setup` to create topics and subscriptions")


class ArticlePublisher:
    """Publishes articles to a topic in client-side batches.

    Args:
        settings: where Pub/Sub is (emulator or Google Cloud).
        topic_path: the full topic path; defaults to ``settings.topic_path("articles")``.
        max_messages: batch size limit of the client library.
        max_bytes: batch byte limit (Pub/Sub accepts up to 10 MB per request).
        max_latency: seconds a partial batch waits before it is sent.
        timeout: seconds to wait for each publish future.
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
        client: Any = None,
    ) -> None:
        self.settings = settings
        self.topic_path = topic_path or settings.topic_path("articles")
        self.timeout = timeout
        self._owns_client = client is None
        if client is None:
            from google.cloud import pubsub_v1

            from schemas.clients import publisher_client

            batch = pubsub_v1.types.BatchSettings(max_messages=max_messages, max_bytes=max_bytes, max_latency=max_latency)
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
            from schemas.clients import pubsub_unreachable

            raise pubsub_unreachable(self.settings, self.topic_path, exc) from None

    def publish_batch(self, articles: Sequence[dict[str, Any]] | Iterable[dict[str, Any]]) -> list[Published]:
        """Publishes ``articles`` and waits until every future has resolved.

        Args:
            articles: Article dicts with ``id`` set.

        Returns:
            ``(article, message_id)`` for every article, in input order.

        Raises:
            PublishError: when some messages failed (the others are in ``succeeded``).
            UserError: when the topic does not exist.
        """
        from google.api_core import exceptions

        pending = []
        for article in articles:
            future = self.client.publish(self.topic_path, encode_payload(article), **message_attributes(article))
            pending.append((article, future))
        succeeded: list[Published] = []
        failed: list[tuple[dict[str, Any], str]] = []
        missing = False
        for article, future in pending:
            try:
                succeeded.append(Published(article, future.result(timeout=self.timeout)))
            except exceptions.NotFound:
                missing = True
                failed.append((article, "topic not found"))
            except TimeoutError:
                failed.append((article, f"no acknowledgement within {self.timeout:g}s"))
            except exceptions.GoogleAPICallError as exc:
                failed.append((article, f"{type(exc).__name__}: {exc.message or exc}"[:300]))
            except Exception as exc:  # the client wraps transport errors in several types; all mean "not sent"
                failed.append((article, f"{type(exc).__name__}: {exc}"[:300]))
        if missing and not succeeded:
            raise _missing_topic(self.topic_path)
        if failed:
            raise PublishError(succeeded, failed)
        return succeeded

    def close(self) -> None:
        """Flushes and stops the client (only when this object created it)."""
        if self._owns_client:
            try:
                self.client.stop()
            except Exception as exc:  # stopping twice or after a transport failure must not hide the real error
                logger.debug("publisher stop: %s", exc)

    def __enter__(self) -> "ArticlePublisher":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
