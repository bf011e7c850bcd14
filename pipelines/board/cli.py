"""``peacewatch board`` and ``peacewatch missions``."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from peacewatch.errors import UserError

logger = logging.getLogger(__name__)

FORMATS = ("table", "json", "csv", "html")
ACTOR_TYPES = ("country", "organisation", "coalition", "person")


def register(subparsers: Any) -> None:
    """Adds ``board`` and ``missions`` to a ``peacewatch`` argument parser."""
    board = subparsers.add_parser(
        "board",
        help="who backs, refuses and hesitates about one mission, since when, on what evidence",
        description="One row per actor: troop backers, other backers, undecided, opposed; current stance "
        "(its latest dated report), since when, the previous stance, counts and the strongest evidence.",
    )
    board.add_argument("--mission", required=True, help="mission id (see 'peacewatch missions'), e.g. ukraine")
    board.add_argument("--since", default="30d", help="reports since: 30d, 12h, 2w or a date (default 30d)")
    board.add_argument("--until", help="reports until this date or time (a date includes its whole day)")
    board.add_argument("--actor-type", choices=ACTOR_TYPES, help="only actors of this type")
    board.add_argument("--language", help="only reports from articles in this language (ISO 639-1, e.g. en)")
    board.add_argument("--format", choices=FORMATS, default="table", help="output format (default table)")
    board.add_argument("--output", help="write to this file instead of standard output")
    board.set_defaults(func=run_board)
    missions = subparsers.add_parser(
        "missions",
        help="the missions catalogue with article and stance counts",
        description="Every mission the analysis knows, with how many articles and stance reports are indexed for each.",
    )
    missions.add_argument("--since", help="count reports since: 30d or a date (default: all)")
    missions.add_argument("--json", action="store_true", help="one JSON object per mission")
    missions.set_defaults(func=run_missions)


def _open_output(path: str | None):
    if not path:
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}", "choose a writable --output path") from None


def run_board(args: argparse.Namespace) -> int:
    from peacewatch.clients import elasticsearch_client
    from peacewatch.durations import parse_since, parse_until
    from peacewatch.settings import load_settings
    from pipelines.filters import language_code, mission_id
    from pipelines.nlp.missions import load_catalogue

    from .query import build_board, timeline_reports
    from .render import write_csv, write_html, write_json, write_table

    settings = load_settings()
    catalogue = load_catalogue(settings.missions_file)
    mission = mission_id(catalogue, args.mission)
    if args.language:
        args.language = language_code(args.language)
    since = parse_since(args.since)
    until = parse_until(args.until)
    if since and until and since >= until:
        raise UserError(f"--since {args.since} is not before --until {args.until}", "swap them")
    es = elasticsearch_client(settings, max_retries=1)
    try:
        board = build_board(
            es,
            settings,
            mission,
            catalogue.missions[mission].name,
            since=since,
            until=until,
            actor_type=args.actor_type,
            language=args.language,
        )
        reports = (
            timeline_reports(es, settings, board, args.actor_type, args.language)
            if args.format == "html" and board.rows
            else []
        )
    finally:
        es.close()
    if not board.rows:
        window = f"between {since[:10] if since else 'the beginning'} and {until[:10] if until else 'now'}"
        print(
            f"peacewatch board: no stance reports on {mission} {window}"
            + (f" (actor type {args.actor_type})" if args.actor_type else "")
            + (f" (language {args.language})" if args.language else "")
            + ": no analysed article in that window names a stance on it",
            file=sys.stderr,
        )
        print("  hint: 'peacewatch missions' shows which missions have articles; widen --since", file=sys.stderr)
        if args.format == "json":
            print("[]")
        return 1
    out = _open_output(args.output)
    try:
        {"table": write_table, "json": write_json, "csv": write_csv}.get(
            args.format, lambda b, o: write_html(b, reports, o)
        )(board, out)
    finally:
        if out is not sys.stdout:
            out.close()
    if args.output:
        print(f"peacewatch board: {len(board.rows)} actors written to {args.output}", file=sys.stderr)
    return 0


def mission_counts(es, settings, since: str | None = None) -> dict[str, dict[str, int]]:
    """Per mission: ``articles`` (analysed articles about it) and ``reports`` (stance reports)."""
    from pipelines.reports import in_window

    reports = es.search(
        index=settings.index("reports"),
        size=0,
        query=in_window(since, None),
        aggs={
            "m": {
                "terms": {"field": "mission", "size": 500},
                "aggs": {"a": {"cardinality": {"field": "article_id"}}, "s": {"terms": {"field": "stance", "size": 3}}},
            }
        },
    )
    article_query: dict[str, Any] = {"range": {"published": {"gte": since}}} if since else {"match_all": {}}
    articles = es.search(
        index=settings.index("articles"),
        size=0,
        query=article_query,
        aggs={"m": {"terms": {"field": "missions", "size": 500}}},
    )
    out: dict[str, dict[str, int]] = {}
    for b in articles["aggregations"]["m"]["buckets"]:
        out.setdefault(b["key"], {})["articles"] = b["doc_count"]
    for b in reports["aggregations"]["m"]["buckets"]:
        row = out.setdefault(b["key"], {})
        row["reports"] = b["doc_count"]
        row["articles_with_stances"] = int(b["a"]["value"])
        for s in b["s"]["buckets"]:
            row[s["key"]] = s["doc_count"]
    return out


def run_missions(args: argparse.Namespace) -> int:
    import json

    from peacewatch.clients import elasticsearch_client, elasticsearch_errors
    from peacewatch.durations import parse_since
    from peacewatch.settings import load_settings
    from pipelines.nlp.missions import load_catalogue

    settings = load_settings()
    catalogue = load_catalogue(settings.missions_file)
    since = parse_since(args.since)
    es = elasticsearch_client(settings, max_retries=1)
    try:
        with elasticsearch_errors(settings, "the query", "run 'peacewatch setup'"):
            counts = mission_counts(es, settings, since)
    finally:
        es.close()
    rows = []
    for mission_id in catalogue.ids:
        m = catalogue.missions[mission_id]
        c = counts.get(mission_id, {})
        rows.append(
            {
                "id": mission_id,
                "name": m.name,
                "aliases": list(m.aliases)[:6],
                "hosts": list(m.hosts),
                "from": m.start,
                "to": m.end,
                "articles": c.get("articles", 0),
                "stances": c.get("reports", 0),
                "support": c.get("support", 0),
                "oppose": c.get("oppose", 0),
                "undecided": c.get("undecided", 0),
            }
        )
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    width = max(len(r["id"]) for r in rows)
    print(f"{'mission'.ljust(width)}  articles  stances  support/oppose/undecided  name")
    for r in rows:
        split = f"{r['support']}/{r['oppose']}/{r['undecided']}"
        print(f"{r['id'].ljust(width)}  {r['articles']:>8}  {r['stances']:>7}  {split:<24}  {r['name']}")
    print("\nBoard of one mission: peacewatch board --mission ID   (add missions: the missions_file setting)")
    return 0
