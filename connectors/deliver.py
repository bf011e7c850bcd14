"""The step ingest and replay share: drop known articles, check the contract, publish, record.

Order matters: an article is recorded in the store only after its publish future resolved, so
a crash in between republishes it (harmless) rather than losing it.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Sequence

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
    seen: set[str] | None = None,
    force: bool = False,
) -> list[dict[str, Any]]:
    """Articles not yet published (nor already taken this round), counting duplicates.

    Args:
        articles: candidates with ``id`` set.
        state: the published log.
        counts: ``new`` and ``duplicate`` are incremented.
        seen: ids taken earlier in this round (the same story in two feeds); updated.
        force: skip the published-log check (republish), still de-duplicating within the input.
    """
    seen = seen if seen is not None else set()
    known = set() if force else state.known(a["id"] for a in articles)
    fresh = []
    for article in articles:
        article_id = article["id"]
        if article_id in known or article_id in seen:
            counts.duplicate += 1
            continue
        seen.add(article_id)
        fresh.append(article)
    counts.new += len(fresh)
    return fresh


def check_contract(articles: Sequence[dict[str, Any]], counts: Counts, origin: str) -> list[dict[str, Any]]:
    """Drops (and counts) articles that break the Article contract; logs the first reason once."""
    valid = []
    first: str | None = None
    for article in articles:
        try:
            validate("article", article)
        except InvalidDocument as exc:
            counts.invalid += 1
            first = first or str(exc)
            continue
        valid.append(article)
    if first:
        logger.warning("%s: %d article(s) break the contract, e.g. %s", origin, len(articles) - len(valid), first)
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
    for start in range(0, len(articles), BATCH_SIZE):
        batch = articles[start: start + BATCH_SIZE]
        try:
            done = publisher.publish_batch(batch)
        except PublishError as exc:
            done = exc.succeeded
            counts.publish_failed += len(exc.failed)
            logger.error("publishing to %s: %s", publisher.topic_path, exc)
            ok = False
        state.record(((p.article, p.message_id) for p in done), publisher.topic_path)
        counts.published += len(done)
        if on_batch is not None:
            on_batch()
    return ok
