"""Replaying a JSON Lines archive of articles onto the articles topic.

Each line is one Article-like object (at least ``url`` and a title or text). Lines go through
the same normalisation as feed entries (canonical URL and id, clean text, UTC dates) and the same
de-duplication store, so replaying an archive twice publishes nothing the second time unless
``force`` is given. Bad lines are reported with their line number and counted; they never stop
the replay.
"""

from __future__ import annotations

import gzip
import itertools
import json
import logging
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from connectors.deliver import BATCH_SIZE, check_contract, publish_and_record, select_new
from connectors.progress import Counts, Progress
from connectors.publish import ArticlePublisher
from connectors.records import BadLine, record_to_article
from connectors.state import PublishedLog, default_state_path
from peacewatch.errors import UserError
from schemas.validation import MAX_PAYLOAD_BYTES

if TYPE_CHECKING:
    from peacewatch.settings import Settings

logger = logging.getLogger(__name__)

MAX_LINE_BYTES = MAX_PAYLOAD_BYTES  # a longer text is cut to the contract's cap and flagged, not dropped
_REPORTED_LINES = 20  # bad lines logged one by one; the rest are only counted


def _open(path: Path) -> IO[bytes]:
    if str(path) == "-":
        import sys

        return sys.stdin.buffer
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise UserError(f"archive {path} does not exist", "pass a JSON Lines file (one article per line)") from None
    except OSError as exc:
        raise UserError(f"cannot read archive {path}: {exc.strerror}") from None
    if path.suffix == ".gz":
        return gzip.open(handle, "rb")  # type: ignore[return-value]
    return handle


def read_articles(path: Path, counts: Counts, fetched_at: datetime) -> Iterator[dict[str, Any]]:
    """Yields normalised articles from ``path``; bad lines are logged (line number) and counted."""
    handle = _open(path)
    reported = 0
    try:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                if len(raw) > MAX_LINE_BYTES:
                    raise BadLine(f"line is {len(raw):,} bytes, over the {MAX_LINE_BYTES:,} byte limit")
                try:
                    record = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    raise BadLine(f"not JSON: {getattr(exc, 'msg', exc)}") from None
                if not isinstance(record, dict):
                    raise BadLine(f"expected a JSON object, got {type(record).__name__}")
                yield record_to_article(record, fetched_at)
            except BadLine as exc:
                counts.invalid += 1
                reported += 1
                if reported <= _REPORTED_LINES:
                    logger.warning("%s:%d: %s", path, number, exc)
                elif reported == _REPORTED_LINES + 1:
                    logger.warning("%s: more bad lines; counting them without details", path)
    except (OSError, EOFError) as exc:  # a truncated .gz or a read error ends the replay with a reason
        raise UserError(f"cannot read archive {path}: {exc}") from None
    finally:
        if str(path) != "-":
            handle.close()


def replay(
    path: str | Path,
    settings: Settings,
    *,
    rate: float | None = None,
    state_db: str | Path | None = None,
    force: bool = False,
    publisher: ArticlePublisher | None = None,
    progress: Progress | None = None,
) -> Counts:
    """Publishes the articles of a JSON Lines archive.

    Args:
        path: the archive (``.jsonl`` or ``.jsonl.gz``; ``-`` for stdin).
        settings: ``peacewatch.settings.Settings``.
        rate: at most this many articles per second (``None``: as fast as possible).
        state_db: the de-duplication store (default ``<data_dir>/connectors.sqlite3``).
        force: republish articles already recorded as published.
        publisher: an existing publisher (its topic is used).
        progress: where counts are shown.

    Returns:
        The counts (``invalid`` counts bad lines).

    Raises:
        UserError: missing archive or topic.
    """
    if rate is not None and rate <= 0:
        raise UserError(f"--rate must be positive, not {rate}")
    path = Path(path)
    if str(path) != "-" and not path.is_file():
        raise UserError(f"archive {path} does not exist", "pass a JSON Lines file (one article per line)")
    progress = progress or Progress("replay", feeds=False)
    counts = Counts()
    started = time.monotonic()
    own_publisher = publisher is None
    state = PublishedLog(state_db or default_state_path(settings))
    publisher = publisher or ArticlePublisher(settings)
    batch_size = BATCH_SIZE if rate is None else max(1, min(BATCH_SIZE, int(rate)))
    try:
        publisher.check_topic()
        articles = read_articles(path, counts, datetime.now(timezone.utc))
        for batch in iter(lambda: list(itertools.islice(articles, batch_size)), []):
            fresh = check_contract(select_new(batch, state, counts, force=force), counts, str(path), state)
            publish_and_record(fresh, publisher, state, counts)
            if rate is not None:
                ahead = counts.published / rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)  # rate limit for demos and gentle backfills
            counts.elapsed = time.monotonic() - started
            progress.update(counts)
    finally:
        counts.elapsed = time.monotonic() - started
        if own_publisher:
            publisher.close()
        state.close()
    progress.finish(counts)
    return counts
