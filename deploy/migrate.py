"""Moving an index to a new mapping version without losing a document.

An index whose mapping cannot be changed in place (articles v1 -> v2: every stance gains
``mission`` and ``commitment``, every article ``missions``; stances aggregates v1 -> v2: keyed by
mission) gets a new concrete index behind its alias (``peacewatch-articles-000002``), filled from
the old one, then the alias moves in one atomic ``_aliases`` call. Elasticsearch's ``_reindex``
cannot reshape documents here (the local distribution has no scripting and no ingest), so the
copy is a scan of the old index and a bulk into the new one, upgrading each document on the way:

* articles: ``missions`` and each stance's ``mission``/``commitment`` are derived from the article's
  own text with the missions catalogue (the same text matching the NLP uses; no re-parse), and
  the stance reports of each article are written too;
* stance aggregates: recounted per hour, actor, stance and mission from the reports.

Idempotent and resumable: documents keep their ids (a second copy overwrites), a half-filled
new index from an interrupted run is filled again, and once the alias points at an index of the
current version nothing happens. Documents the pipeline writes to the old index while the copy
runs are copied again after the alias moved (a catch-up pass on ``indexed_at``). The old index is
kept (its name is printed) until you delete it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from peacewatch.errors import UserError
from peacewatch.settings import Settings

logger = logging.getLogger(__name__)

_SUFFIX = re.compile(r"-(\d{6})$")
_TROOP_WORDS = frozenset(
    ["troop", "troops", "soldier", "soldiers", "peacekeeper", "peacekeepers", "boots", "personnel", "contingent"]
)


def write_index(es, alias: str) -> str | None:
    """The concrete index the alias writes to (``None`` when the alias does not exist)."""
    if not es.indices.exists_alias(name=alias):
        return None
    found = es.indices.get_alias(name=alias)
    for index, body in found.items():
        if body.get("aliases", {}).get(alias, {}).get("is_write_index"):
            return index
    return sorted(found)[-1]


def mapping_version(es, index: str) -> int | None:
    """The ``_meta.version`` of an index's mapping."""
    mapping = es.indices.get_mapping(index=index)[index]["mappings"]
    version = mapping.get("_meta", {}).get("version")
    return int(version) if version is not None else None


def next_index(current: str) -> str:
    match = _SUFFIX.search(current)
    number = int(match.group(1)) + 1 if match else 2
    base = current[: match.start()] if match else current
    return f"{base}-{number:06d}"


# ----- upgrading documents ------------------------------------------------------------------------


def upgrade_article(document: dict[str, Any], catalogue=None) -> dict[str, Any]:
    """An articles-v1 document with ``missions`` and each stance's ``mission`` and ``commitment``.

    Missions come from the article's text (catalogue names, aliases, keywords, host countries
    among the article's ``country_codes``): each stance gets the missions named in its evidence
    sentence, else the article's main mission, else ``other``. Commitment is read from the
    evidence (troop words with a supporting stance -> ``troops``; other support -> ``other``;
    otherwise ``none``). Fields already present are kept.
    """
    from pipelines.nlp.missions import MissionAssigner, load_catalogue

    stances = document.get("stances") or []
    if "missions" in document and all("mission" in s and "commitment" in s for s in stances):
        return document
    catalogue = catalogue or load_catalogue()
    title = document.get("title") or ""
    text = f"{title}\n\n{document.get('text') or ''}"
    sentences = [(m.start(), m.end()) for m in re.finditer(r"[^.!?\n]+[.!?]*", text)]
    hosts = []
    for entity in document.get("entities") or []:
        if entity.get("kind") == "country" and entity.get("country_code") and isinstance(entity.get("start"), int):
            offset = 0 if entity.get("where") == "title" else len(title) + 2
            hosts.append((entity["start"] + offset, entity["end"] + offset, entity["country_code"]))
    assigner = MissionAssigner(catalogue, text, sentences, hosts, len(title))
    upgraded = []
    for stance in stances:
        stance = dict(stance)
        if "mission" not in stance:
            at = text.find(stance.get("evidence") or "\0")
            missions, _ = assigner.for_sentence(at) if at >= 0 else ([assigner.dominant or "other"], "")
            stance["mission"] = missions[0]
        if "commitment" not in stance:
            words = set(re.findall(r"\w+", (stance.get("evidence") or "").lower()))
            stance["commitment"] = (
                ("troops" if words & _TROOP_WORDS else "other") if stance.get("stance") == "support" else "none"
            )
        upgraded.append(stance)
    out = dict(document, stances=upgraded)
    if "missions" not in document:
        out["missions"] = assigner.article_missions(s["mission"] for s in upgraded) if document.get("relevant") else []
    return out


# ----- copying --------------------------------------------------------------------------------------


def _bulk(es, actions: Iterable[dict[str, Any]]) -> int:
    from elasticsearch import helpers

    written, errors = 0, []
    for ok, item in helpers.streaming_bulk(
        es, actions, chunk_size=500, max_retries=3, raise_on_error=False, initial_backoff=0.5, max_backoff=5.0
    ):
        if ok:
            written += 1
        else:
            errors.append(item)
    if errors:
        raise UserError(
            f"{len(errors)} documents not copied: {str(errors[0])[:300]}",
            "run 'peacewatch setup' again: the old index is kept and copies are by id",
        )
    return written


def _copy(
    es,
    source: str,
    target: str,
    transform: Callable[[dict[str, Any]], Iterator[dict[str, Any]]],
    query: dict[str, Any] | None = None,
) -> int:
    from elasticsearch import helpers

    def actions() -> Iterator[dict[str, Any]]:
        for hit in helpers.scan(
            es, index=source, query={"query": query or {"match_all": {}}}, size=500, preserve_order=False
        ):
            yield from transform(hit)

    return _bulk(es, actions())


def _prepare(es, name: str, new: str) -> None:
    """Creates ``new`` (the template applies), or brings a left-over one to the template's mapping."""
    from deploy.provision import index_template

    if not es.indices.exists(index=new):
        es.indices.create(index=new)
        return
    mappings = index_template(name)["mappings"]
    es.indices.put_mapping(
        index=new, properties=mappings["properties"], meta=mappings.get("_meta"), dynamic=mappings.get("dynamic")
    )


def _swap(es, alias: str, old: str, new: str) -> None:
    es.indices.update_aliases(
        actions=[
            {"remove": {"index": old, "alias": alias}},
            {"add": {"index": new, "alias": alias, "is_write_index": True}},
        ]
    )


def migrate_articles(es, settings: Settings, old: str, new: str) -> list[str]:
    """Copies articles into ``new`` with missions, writes their stance reports, moves the alias."""
    from pipelines.nlp.missions import load_catalogue
    from pipelines.reports import report_documents

    catalogue = load_catalogue()
    reports = settings.index("reports")

    def transform(hit: dict[str, Any]) -> Iterator[dict[str, Any]]:
        document = upgrade_article(hit["_source"], catalogue)
        yield {"_index": new, "_id": hit["_id"], "_source": document}
        for report in report_documents(dict(document, id=document.get("id") or hit["_id"])):
            yield {"_index": reports, "_id": report["id"], "_source": report}

    started = datetime.now(timezone.utc) - timedelta(minutes=1)
    _prepare(es, "articles", new)
    copied = _copy(es, old, new, transform)
    _swap(es, settings.index("articles"), old, new)
    es.indices.refresh(index=old)
    late = _copy(es, old, new, transform, {"range": {"indexed_at": {"gte": started.isoformat()}}})
    es.indices.refresh(index=[new, reports])
    before = es.count(index=old)["count"]
    after = es.count(index=new)["count"]
    if after < before:
        raise UserError(
            f"{new} holds {after} articles, {old} {before}: not all were copied",
            f"run 'peacewatch setup' again: {old} is kept and copies are by id",
        )
    return [
        f"articles moved from {old} to {new} ({before} documents, {copied + late} written with their stance reports); "
        f"{old} is kept: delete it when you no longer need it"
    ]


def migrate_stances(es, settings: Settings, old: str, new: str) -> list[str]:
    """Recounts the hourly aggregates per mission from the reports into ``new``, moves the alias."""
    from elasticsearch import helpers

    from pipelines.aggregate import StanceKey, aggregate_document, event_time, window_start

    es.indices.refresh(index=settings.index("reports"))
    windows: dict[tuple[datetime, StanceKey], set[str]] = {}
    for hit in helpers.scan(es, index=settings.index("reports"), query={"query": {"match_all": {}}}, size=1000):
        r = hit["_source"]
        moment = event_time({"published": r.get("date") or r.get("seen"), "fetched": r.get("seen")})
        key = StanceKey(r["actor"], r.get("actor_type"), r.get("actor_code"), r["stance"], r.get("mission") or "other")
        windows.setdefault((window_start(moment), key), set()).add(r["article_id"])
    _prepare(es, "stances", new)
    docs = [aggregate_document(start, key, ids) for (start, key), ids in windows.items()]
    for doc, ((_, _), ids) in zip(docs, windows.items()):
        doc["count"] = len(ids)
    written = _bulk(es, ({"_index": new, "_id": d["id"], "_source": d} for d in docs))
    _swap(es, settings.index("stances"), old, new)
    return [
        f"stance aggregates recounted per mission into {new} ({written} hourly documents); "
        f"{old} (without missions) is kept: delete it when you no longer need it"
    ]


MIGRATIONS: dict[str, Callable[..., list[str]]] = {"articles": migrate_articles, "stances": migrate_stances}
# From these mapping versions on, a newer mapping only adds sub-fields: the index is updated in
# place (put mapping, then every document written again), not copied. articles 2 -> 3: ``.text``;
# 3 -> 4: ``relevance_classifier``.
IN_PLACE_FROM: dict[str, int] = {"articles": 2}


def rewrite_in_place(es, index: str) -> int:
    """Writes every document of ``index`` again, unchanged, so that sub-fields added to its mapping fill.

    Each write is conditional on the document being the one read (``if_seq_no``): one the pipeline
    rewrote meanwhile already has the new sub-fields, and its conflict is expected, not an error.
    Returns how many documents were written.
    """
    from elasticsearch import helpers

    def actions() -> Iterator[dict[str, Any]]:
        for hit in helpers.scan(
            es,
            index=index,
            query={"query": {"match_all": {}}},
            size=500,
            preserve_order=False,
            seq_no_primary_term=True,
        ):
            yield {
                "_index": index,
                "_id": hit["_id"],
                "_source": hit["_source"],
                "if_seq_no": hit["_seq_no"],
                "if_primary_term": hit["_primary_term"],
            }

    written, errors = 0, []
    for ok, item in helpers.streaming_bulk(
        es, actions(), chunk_size=500, max_retries=3, raise_on_error=False, initial_backoff=0.5, max_backoff=5.0
    ):
        if ok:
            written += 1
        elif next(iter(item.values()), {}).get("status") != 409:
            errors.append(item)
    if errors:
        raise UserError(
            f"{len(errors)} documents of {index} not rewritten: {str(errors[0])[:300]}",
            "run 'peacewatch setup' again: rewrites are by id",
        )
    es.indices.refresh(index=index)
    return written
