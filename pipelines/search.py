"""``peacewatch search``: the articles index from the terminal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from peacewatch.clients import elasticsearch_errors
from peacewatch.errors import UserError
from peacewatch.settings import Settings

STANCES = ("support", "oppose", "undecided")


def undated_filter() -> dict[str, Any]:
    """Articles without a publication time of their own (none, or estimated from the fetch time)."""
    return {
        "bool": {
            "should": [
                {"bool": {"must_not": {"exists": {"field": "published"}}}},
                {"term": {"published_estimated": True}},
            ],
            "minimum_should_match": 1,
        }
    }


def build_query(
    text: str | None,
    countries: Sequence[str] = (),
    stances: Sequence[str] = (),
    since: str | None = None,
    *,
    until: str | None = None,
    missions: Sequence[str] = (),
    languages: Sequence[str] = (),
    include_undated: bool = False,
) -> dict[str, Any]:
    """The Elasticsearch query: ``query_string`` on title and text plus filters.

    ``countries`` match names or codes (``France`` or ``FR``); a stance is ``support`` (any actor)
    or ``ACTOR:support`` (one actor, by name or code). ``since``/``until`` bound the publication
    time; undated articles (no date of their own) are left out of such a window unless
    ``include_undated``.
    """
    from pipelines.alerts.es_query import SEARCH_FIELDS, search_query_string
    from pipelines.filters import country_code, country_name, language_code

    must: list[dict[str, Any]] = []
    filters: list[dict[str, Any]] = []
    if text and text.strip() and text.strip() != "*":
        # parsed here (errors with the position, fields as the alert rules name them), then run as
        # Elasticsearch's query_string with every occur explicit
        must.append(
            {
                "query_string": {
                    "query": search_query_string(text),
                    "fields": list(SEARCH_FIELDS),
                    "default_operator": "OR",
                }
            }
        )
    for country in countries:
        code = country_code(country)
        filters.append(
            {
                "bool": {
                    "should": [{"term": {"country_codes": code}}, {"term": {"countries": country_name(code)}}],
                    "minimum_should_match": 1,
                }
            }
        )
    for stance in stances:
        if ":" in stance:
            actor, _, wanted = stance.rpartition(":")
            if wanted.lower() not in STANCES:
                raise UserError(
                    f"--stance {stance!r}: {wanted!r} is not one of {', '.join(STANCES)}", "e.g. --stance France:oppose"
                )
            names = {actor}  # a person or an organisation: as written
            try:  # a country by any of its names: its code and its name ("germany" -> "DE", "Germany")
                code = country_code(actor)
                names |= {code, country_name(code)}
            except UserError:
                pass
            filters.append({"terms": {"stance_pairs": sorted(f"{name}:{wanted.lower()}" for name in names)}})
        elif stance.lower() in STANCES:
            filters.append({"term": {"stances.stance": stance.lower()}})
        else:
            raise UserError(
                f"--stance {stance!r} is not one of {', '.join(STANCES)} or ACTOR:STANCE",
                "e.g. --stance support or --stance France:oppose",
            )
    if missions:
        filters.append({"terms": {"missions": list(missions)}})
    if languages:
        filters.append({"terms": {"language": [language_code(lang) for lang in languages]}})
    bounds = {k: v for k, v in (("gte", since), ("lt", until)) if v}
    if bounds:
        dated = {
            "bool": {
                "filter": [{"range": {"published": bounds}}],
                "must_not": [{"term": {"published_estimated": True}}],
            }
        }
        filters.append(
            {"bool": {"should": [dated, undated_filter()], "minimum_should_match": 1}} if include_undated else dated
        )
    return {"bool": {"must": must or [{"match_all": {}}], "filter": filters}}


# One passage of the text around what matched, HTML-escaped, with <em> marks: the alerts' snippet format.
HIGHLIGHT = {
    "fields": {"text": {"fragment_size": 200, "number_of_fragments": 1}},
    "pre_tags": ["<em>"],
    "post_tags": ["</em>"],
    "encoder": "html",
}

SORTS = {
    "relevance": ["_score", {"published": {"order": "desc", "missing": "_last"}}],
    "date": [{"published": {"order": "desc", "missing": "_last"}}, "_score"],
}


def search_articles(
    es, settings: Settings, query: dict[str, Any], limit: int = 10, sort: str = "relevance"
) -> dict[str, Any]:
    with elasticsearch_errors(
        settings, "the search", "check the query syntax (Lucene query_string)", settings.index("articles")
    ):
        return es.search(
            index=settings.index("articles"),
            query=query,
            size=limit,
            track_total_hits=True,
            sort=SORTS[sort],
            source_excludes=["text", "relevance_explanation", "entities"],
            highlight=HIGHLIGHT,
        )


def _trim(text: str | None, size: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def format_hit(source: dict[str, Any], missions: Sequence[str] = (), highlight: str | None = None) -> str:
    """An article as a few lines: date (or "date unknown"), title, source and link, the passage that
    matched (highlights between ``*``, as in the alerts), then each stance with its mission,
    commitment and evidence sentence (trimmed)."""
    from pipelines.alerts.render import merge_adjacent, plain_snippet

    undated = not source.get("published") or source.get("published_estimated")
    date = "date unknown" if undated else source["published"][:10]
    lines = [
        f"{date:<12}  {source.get('title', '').strip()}",
        f"{'':<12}  {source.get('source') or '?'}  {source.get('url', '')}",
    ]
    if highlight:
        lines.append(f"{'':<12}  {' '.join(plain_snippet(merge_adjacent(highlight)).split())}")
    for s in source.get("stances") or []:
        if missions and s.get("mission") not in missions:
            continue
        commitment = f" ({s['commitment']})" if s.get("stance") == "support" and s.get("commitment") else ""
        where = f" on {s['mission']}" if s.get("mission") else ""
        condition = f" [{_trim(s['condition'], 60)}]" if s.get("condition") else ""
        lines.append(f"{'':<12}  {s.get('actor')}: {s.get('stance')}{commitment}{where}{condition}")
        if s.get("evidence"):
            lines.append(f"{'':<12}    “{_trim(s['evidence'])}”")
    return "\n".join(lines)


def print_results(response: dict[str, Any], out: TextIO, as_json: bool = False, missions: Sequence[str] = ()) -> int:
    hits = response["hits"]["hits"]
    if as_json:
        for hit in hits:
            out.write(json.dumps(hit["_source"], ensure_ascii=False) + "\n")
        return len(hits)
    total = response["hits"]["total"]["value"]
    for hit in hits:
        passage = (hit.get("highlight") or {}).get("text") or [None]
        out.write(format_hit(hit["_source"], missions, passage[0]) + "\n\n")
    out.write(f"{len(hits)} of {total} articles\n")
    return len(hits)
