"""``peacewatch search``: the articles index from the terminal."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Sequence, TextIO

from schemas.errors import UserError
from schemas.settings import Settings

STANCES = ("support", "oppose", "undecided")
_RELATIVE = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str | None, now: datetime | None = None) -> str | None:
    """``7d``, ``12h``, ``30m``, ``2w`` or an ISO date/time -> an ISO timestamp in UTC.

    Raises:
        UserError: when ``text`` is neither.
    """
    if not text:
        return None
    now = now or datetime.now(timezone.utc)
    match = _RELATIVE.match(text.strip().lower())
    if match:
        moment = now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    else:
        try:
            moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise UserError(f"--since {text!r} is neither a duration nor a date",
                            "use e.g. 7d, 12h, 30m or 2026-01-31") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def build_query(text: str | None, countries: Sequence[str] = (), stances: Sequence[str] = (),
                since: str | None = None) -> dict[str, Any]:
    """The Elasticsearch query: ``query_string`` on title and text plus filters.

    ``countries`` match names or codes (``France`` or ``FR``); a stance is ``support`` (any actor)
    or ``ACTOR:support`` (one actor, by name or code).
    """
    must: list[dict[str, Any]] = []
    filters: list[dict[str, Any]] = []
    if text and text.strip() and text.strip() != "*":
        must.append({"query_string": {"query": text, "fields": ["title^2", "text"], "default_operator": "AND"}})
    for country in countries:
        filters.append({"bool": {"should": [{"term": {"country_codes": country.upper()}},
                                            {"term": {"countries": country}},
                                            {"term": {"countries": country.title()}}], "minimum_should_match": 1}})
    for stance in stances:
        if ":" in stance:
            filters.append({"term": {"stance_pairs": stance}})
        elif stance.lower() in STANCES:
            filters.append({"term": {"stances.stance": stance.lower()}})
        else:
            raise UserError(f"--stance {stance!r} is not one of {', '.join(STANCES)} or ACTOR:STANCE",
                            "e.g. --stance support or --stance France:oppose")
    if since:
        filters.append({"range": {"published": {"gte": since}}})
    return {"bool": {"must": must or [{"match_all": {}}], "filter": filters}}


def search_articles(es, settings: Settings, query: dict[str, Any], limit: int = 10) -> dict[str, Any]:
    from elasticsearch import ApiError, NotFoundError, TransportError

    try:
        return es.search(index=settings.index("articles"), query=query, size=limit, track_total_hits=True,
                         sort=["_score", {"published": {"order": "desc", "missing": "_last"}}],
                         source_excludes=["text", "relevance_explanation", "entities"])
    except NotFoundError:
        raise UserError(f"index {settings.index('articles')} does not exist", "run 'peacewatch setup'") from None
    except ApiError as exc:
        raise UserError(f"Elasticsearch refused the search: {exc.message}"[:300],
                        "check the query syntax (Lucene query_string)") from None
    except TransportError as exc:
        raise UserError(f"cannot reach Elasticsearch at {settings.es_url_safe}: {exc}"[:300],
                        "start it with 'peacewatch services up'") from None


def format_hit(source: dict[str, Any]) -> str:
    stances = ", ".join(f"{s.get('actor')}:{s.get('stance')}" for s in source.get("stances") or [])
    date = (source.get("published") or "")[:10] or "----------"
    lines = [f"{date}  {source.get('title', '').strip()}",
             f"            {source.get('source') or '?'}  {source.get('url', '')}"]
    if stances:
        lines.append(f"            stances: {stances}")
    return "\n".join(lines)


def print_results(response: dict[str, Any], out: TextIO, as_json: bool = False) -> int:
    hits = response["hits"]["hits"]
    if as_json:
        for hit in hits:
            out.write(json.dumps(hit["_source"], ensure_ascii=False) + "\n")
        return len(hits)
    total = response["hits"]["total"]["value"]
    for hit in hits:
        out.write(format_hit(hit["_source"]) + "\n")
    out.write(f"{len(hits)} of {total} articles\n")
    return len(hits)
