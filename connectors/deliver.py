"""The step ingest and replay share: drop known articles, check the contract, publish, record.

Order matters: an article is recorded in the store only after its publish future resolved, so
a crash in between republishes it (harmless) rather than losing it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from connectors.progress import Counts
from connectors.publish import ArticlePublisher, PublishError
from connectors.state import PublishedLog
from schemas.validation import InvalidDocument, validate

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


def select_new(
    articles: Sequence[dict[str, Any]],
    state: PublishedLog,
    counts: Counts,
    *,
    force: bool = False,
) -> list[dict[str, Any]]:
    """Claims the articles to publish (new or changed), counting new, changed and duplicates.

    Claims are atomic across processes on one store (see :meth:`PublishedLog.claim`); each
    fresh article must end in :func:`publish_and_record` or be released.

    Args:
        articles: candidates with ``id`` set.
        state: the published log.
        counts: ``new``, ``changed`` and ``duplicate`` are incremented.
        force: republish articles already published with the same content (reconcile, demos).
    """
    claimed = state.claim(articles, force=force)
    counts.new += len(claimed.fresh) - claimed.changed
    counts.changed += claimed.changed
    counts.duplicate += claimed.duplicate
    return claimed.fresh


def check_contract(
    articles: Sequence[dict[str, Any]], counts: Counts, origin: str, state: PublishedLog | None = None
) -> list[dict[str, Any]]:
    """Drops (and counts) articles that break the Article contract; logs the first reason once.

    With ``state``, the claims on the dropped articles are released.
    """
    valid = []
    first: str | None = None
    dropped: list[str] = []
    for article in articles:
        try:
            validate("article", article)
        except InvalidDocument as exc:
            counts.invalid += 1
            first = first or str(exc)
            dropped.append(article["id"])
            continue
        valid.append(article)
    if first:
        logger.warning("%s: %d article(s) break the contract, e.g. %s", origin, len(articles) - len(valid), first)
    if state is not None and dropped:
        state.release(dropped)
    return valid


def publish_and_record(
    articles: Sequence[dict[str, Any]],
    publisher: ArticlePublisher,
    state: PublishedLog,
    counts: Counts,
    *,
    on_batch: Callable[[], None] | None = None,
) -> bool:
    """Publishes in batches and records what went out.

    Returns:
        True when every article was published; False when some failed (they are not recorded,
        so a later poll or replay sends them again).

    Raises:
        UserError: the topic does not exist.
    """
    ok = True
    recorded: set[str] = set()
    try:
        for start in range(0, len(articles), BATCH_SIZE):
            batch = articles[start : start + BATCH_SIZE]
            try:
                done = publisher.publish_batch(batch)
            except PublishError as exc:
                done = exc.succeeded
                counts.publish_failed += len(exc.failed)
                logger.error("publishing to %s: %s", publisher.topic_path, exc)
                ok = False
            state.record(((p.article, p.message_id) for p in done), publisher.topic_path)
            recorded.update(p.article["id"] for p in done)
            counts.published += len(done)
            if on_batch is not None:
                on_batch()
    finally:
        # What did not go out is not held: the next poll (or another process) may try it again.
        state.release(a["id"] for a in articles if a["id"] not in recorded)
    return ok
