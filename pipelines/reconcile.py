"""``peacewatch reconcile``: what the connectors published against what the index holds.

The connectors record every published article in their SQLite log
(:class:`connectors.state.PublishedLog`). Any id there but not in the articles index (nor in the
dead-letter index) was lost between Pub/Sub and Elasticsearch; ``--republish`` publishes those
articles again, and the pipeline's idempotent writes make that safe to repeat.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from peacewatch.errors import UserError
from peacewatch.settings import Settings

logger = logging.getLogger(__name__)
_MGET_CHUNK = 1000


@dataclasses.dataclass
class ReconcileReport:
    published: int
    indexed: int
    dead_lettered: int
    missing: list[str]
    republished: int = 0


def indexed_ids(es, index: str, ids: Sequence[str], field: str | None = None) -> set[str]:
    """Which of ``ids`` exist in ``index``: by ``_id`` (mget), or by a keyword ``field`` (terms)."""
    found: set[str] = set()
    for start in range(0, len(ids), _MGET_CHUNK):
        chunk = list(ids[start : start + _MGET_CHUNK])
        if field is None:
            response = es.mget(index=index, ids=chunk, source=False)
            found.update(doc["_id"] for doc in response["docs"] if doc.get("found"))
        else:
            response = es.search(index=index, size=len(chunk), query={"terms": {field: chunk}}, source=[field])
            found.update(hit["_source"][field] for hit in response["hits"]["hits"])
    return found


def reconcile(
    settings: Settings, es, log, since: Any, republish: bool = False, publisher: Any = None
) -> ReconcileReport:
    """Compares the published log since ``since`` with the index; optionally republishes the gap."""
    records = list(log.published_since(since))
    ids = [r.article_id for r in records]
    present = indexed_ids(es, settings.index("articles"), ids)
    absent = [i for i in ids if i not in present]
    dead = indexed_ids(es, settings.index("deadletter"), absent, field="article_id") if absent else set()
    missing = [i for i in absent if i not in dead]
    report = ReconcileReport(len(ids), len(present), len(dead), missing)
    if republish and missing:
        articles = [a for a in (log.get_payload(i) for i in missing) if a is not None]
        publisher.publish_batch(articles)
        report.republished = len(articles)
    return report


def open_log(settings: Settings, path: str | None = None):
    from connectors.state import PublishedLog, default_state_path

    where = Path(path) if path else default_state_path(settings)
    if not where.exists():
        raise UserError(f"no published log at {where}", "run 'peacewatch ingest' first, or pass --state-db PATH")
    return PublishedLog(where)


def format_report(report: ReconcileReport, limit: int = 20) -> Iterable[str]:
    yield (
        f"published {report.published}, indexed {report.indexed}, dead-lettered {report.dead_lettered}, "
        f"missing {len(report.missing)}"
    )
    for article_id in report.missing[:limit]:
        yield f"  missing {article_id}"
    if len(report.missing) > limit:
        yield f"  ... and {len(report.missing) - limit} more"
    if report.republished:
        yield f"republished {report.republished}"
