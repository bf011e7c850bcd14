"""``peacewatch alerts``: add, list, show, remove, enable, disable, sync, test, tail, status.

Rules live in ``<data_dir>/alerts.yaml`` (``--rules FILE`` to use another file); the pipeline
reads the same file and picks up changes within seconds.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the ``alerts`` command and its subcommands to the top-level parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--rules", metavar="FILE", help="rules file (default: <data_dir>/alerts.yaml)")

    alerts = subparsers.add_parser("alerts", help="keyword, stance-change and spike alerts",
                                   description="Manage alert rules and follow the alerts they raise.")
    sub = alerts.add_subparsers(dest="alerts_command", metavar="COMMAND", required=True)

    add = sub.add_parser("add", parents=[common], help="add a rule (refused with the reason when invalid)",
                         description="Add a rule. The query is Lucene query-string syntax, as in Kibana's "
                                     "search bar: words, \"phrases\", \"phrase\"~N, wildcards * ?, AND/OR/NOT, "
                                     "+/-, field:value (title, text, country, actor, stance, source, ...).")
    add.add_argument("name")
    add.add_argument("--query", "-q", default="", help="what to look for (default: every article)")
    add.add_argument("--kind", choices=["match", "stance-change", "spike"], default="match")
    add.add_argument("--country", help="only articles about this country (name or code)")
    add.add_argument("--actor", help="only articles with a stance of this actor")
    add.add_argument("--mission", help="only articles about this mission (see 'peacewatch missions'); "
                                       "stance-change rules: stances on this mission")
    add.add_argument("--stance", choices=["support", "oppose", "undecided"], help="... and this stance")
    add.add_argument("--min-relevance", type=float, metavar="X", help="only articles at least this relevant (0-1)")
    add.add_argument("--source", help="only articles from this source")
    add.add_argument("--channel", action="append", default=[], metavar="SPEC",
                     help="webhook:URL, slack:URL (or :env:VAR / :file:PATH), email:ADDRESS, tail; "
                          "index and topic are always on")
    add.add_argument("--throttle", metavar="DURATION", help="at most one notification per period (30m, 1h, 1d)")
    add.add_argument("--key-by", choices=["country", "source", "actor"], help="throttle per this key")
    add.add_argument("--digest", choices=["hourly", "daily"], help="group notifications into one message per period")
    add.add_argument("--term", help="spike rules: what to count (a query)")
    add.add_argument("--spike-k", type=float, default=3.0, help="spike: standard deviations above the mean (3)")
    add.add_argument("--spike-min-count", type=int, default=5, help="spike: minimum mentions in the hour (5)")
    add.add_argument("--baseline-hours", type=int, default=24, help="spike: hours of baseline (24)")
    add.add_argument("--min-confidence", type=float, default=0.5, help="stance-change: ignore less confident stances")
    add.add_argument("--description")
    add.add_argument("--disabled", action="store_true", help="add it disabled")
    add.add_argument("--replace", action="store_true", help="replace a rule of the same name")
    add.set_defaults(func=run_add)

    listing = sub.add_parser("list", parents=[common], help="list the rules")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)

    show = sub.add_parser("show", parents=[common], help="show one rule and its Elasticsearch query")
    show.add_argument("name")
    show.set_defaults(func=run_show)

    for command, helptext in (("remove", "remove a rule"), ("enable", "enable a rule"), ("disable", "disable a rule")):
        parser = sub.add_parser(command, parents=[common], help=helptext)
        parser.add_argument("name")
        parser.set_defaults(func=run_change, change=command)

    sync = sub.add_parser("sync", parents=[common], help="make the rules those of a YAML file (from version control)")
    sync.add_argument("file")
    sync.add_argument("--keep-others", action="store_true", help="do not remove rules the file lacks")
    sync.set_defaults(func=run_sync)

    test = sub.add_parser("test", parents=[common], help="preview what a rule would have matched among indexed articles")
    test.add_argument("name", help="a rule name, or with --query a label")
    test.add_argument("--query", "-q", help="try this query instead of the stored rule's")
    test.add_argument("--since", default="7d", help="how far back: 90s, 30m, 12h, 7d, 2w, 1y or a date (default 7d)")
    test.add_argument("--limit", type=int, default=20, help="print at most this many matches")
    test.add_argument("--scan-limit", type=int, default=20000, help="look at most at this many articles")
    test.set_defaults(func=run_test)

    tail = sub.add_parser("tail", parents=[common], help="follow alerts as they are raised")
    tail.add_argument("--rule", help="only this rule's alerts")
    tail.add_argument("--since", default="1h", help="start with alerts since: 30m, 12h, 7d or a date (default 1h)")
    tail.add_argument("--interval", type=float, default=2.0, help="seconds between polls")
    tail.add_argument("--once", action="store_true", help="print what is there and stop")
    tail.set_defaults(func=run_tail)

    status = sub.add_parser("status", parents=[common], help="per-channel delivery counts and last errors")
    status.set_defaults(func=run_status)


def _store(args: argparse.Namespace):
    from peacewatch.settings import load_settings
    from pipelines.alerts.rules import RuleStore, default_rules_path

    return RuleStore(args.rules or default_rules_path(load_settings()))


def run_add(args: argparse.Namespace) -> int:
    from pipelines.alerts.rules import Rule

    rule = Rule(name=args.name, query=args.query, kind=args.kind.replace("-", "_"), enabled=not args.disabled,
                country=args.country, actor=args.actor, stance=args.stance, mission=args.mission, source=args.source,
                min_relevance=args.min_relevance, channels=list(args.channel), throttle=args.throttle,
                key_by=args.key_by, digest=args.digest, term=args.term, spike_k=args.spike_k,
                spike_min_count=args.spike_min_count, spike_baseline_hours=args.baseline_hours,
                min_confidence=args.min_confidence, description=args.description)
    store = _store(args)
    store.add(rule, replace=args.replace)
    print(f"rule {rule.name} {'replaced' if args.replace else 'added'} in {store.path}")
    return 0


def _shown(rule: Any) -> dict[str, Any]:
    """The rule as printed: literal webhook and Slack URLs reduced to host and hash (they carry tokens)."""
    from pipelines.alerts.channels import display_channel

    out = rule.to_dict() | {"enabled": rule.enabled}
    if out.get("channels"):
        out["channels"] = [display_channel(c) for c in out["channels"]]
    return out


def _channels(rule: Any) -> str:
    from pipelines.alerts.channels import display_channel

    return ", ".join(display_channel(c) for c in rule.all_channels)


def _summary(rule: Any) -> str:
    filters = [f"{k}={getattr(rule, k)}" for k in ("country", "actor", "stance", "mission", "source", "min_relevance")
               if getattr(rule, k) is not None]
    extra = [f"throttle {rule.throttle}" if rule.throttle else "", f"{rule.digest} digest" if rule.digest else ""]
    parts = [rule.kind, repr(rule.effective_query)] + filters + [e for e in extra if e]
    return f"{'on ' if rule.enabled else 'off'} {rule.name:24s} {' '.join(parts)}  -> {_channels(rule)}"


def run_list(args: argparse.Namespace) -> int:
    import json

    rules = _store(args).load()
    if args.json:
        print(json.dumps([_shown(r) for r in rules], indent=2, ensure_ascii=False))
        return 0
    if not rules:
        print("no rules yet: peacewatch alerts add NAME --query '...'")
    for rule in rules:
        print(_summary(rule))
    return 0


def run_show(args: argparse.Namespace) -> int:
    import yaml

    from pipelines.alerts.matcher import rule_query
    from pipelines.alerts.query import parse, to_query_string

    rule = _store(args).get(args.name)
    print(yaml.safe_dump(_shown(rule), sort_keys=False, allow_unicode=True).rstrip())
    print(f"delivered to: {_channels(rule)}")
    try:
        print(f"elasticsearch query_string: {to_query_string(rule_query(rule))}")
    except ValueError:
        print(f"elasticsearch query_string (without the same-stance filter): {to_query_string(parse(rule.effective_query))}")
    return 0


def run_change(args: argparse.Namespace) -> int:
    store = _store(args)
    if args.change == "remove":
        store.remove(args.name)
    else:
        store.set_enabled(args.name, args.change == "enable")
    print(f"rule {args.name} {args.change}d")
    return 0


def run_sync(args: argparse.Namespace) -> int:
    store = _store(args)
    report = store.sync(args.file, prune=not args.keep_others)
    for key in ("added", "changed", "removed", "unchanged"):
        if report[key]:
            print(f"{key}: {', '.join(report[key])}")
    print(f"{store.path} now holds the rules of {args.file}")
    return 0


def run_test(args: argparse.Namespace) -> int:
    from elasticsearch import helpers

    from peacewatch.clients import elasticsearch_client
    from peacewatch.durations import parse_since
    from peacewatch.errors import UserError
    from peacewatch.settings import load_settings
    from pipelines.alerts.matcher import RuleMatcher
    from pipelines.alerts.render import make_snippet, snippet_parts
    from pipelines.alerts.rules import KINDS, Rule, validate_rule

    settings = load_settings()
    if args.query is not None:
        rule = Rule(name="preview", query=args.query)
        validate_rule(rule)
    else:
        rule = _store(args).get(args.name)
    rule.enabled = True
    since = parse_since(args.since)
    matcher = RuleMatcher([rule], kinds=KINDS)  # for stance/spike rules: the articles they would look at
    es = elasticsearch_client(settings)
    query = {"bool": {"should": [{"range": {"published": {"gte": since}}},
                                 {"range": {"indexed_at": {"gte": since}}}], "minimum_should_match": 1}}
    seen = matched = 0
    try:
        for hit in helpers.scan(es, index=settings.index("articles"), query={"query": query}, size=500):
            seen += 1
            article = hit["_source"]
            article.setdefault("id", hit["_id"])
            found = matcher.match(article)
            if found:
                matched += 1
                if matched <= args.limit:
                    snippet = "".join(f"[{t}]" if h else t for t, h in snippet_parts(make_snippet(article, found[0].matched_terms)))
                    print(f"{article.get('published') or '?':25s} {article.get('source') or '?':20.20s} {article.get('title')}")
                    print(f"    {snippet}")
            if seen >= args.scan_limit:
                print(f"(stopped after {seen} articles: raise --scan-limit to look further)")
                break
    except Exception as exc:
        from elasticsearch import ApiError, TransportError

        if isinstance(exc, (ApiError, TransportError)):
            raise UserError(f"cannot read {settings.index('articles')}: {str(exc).splitlines()[0][:300]}",
                            "is Elasticsearch up and set up? peacewatch services up && peacewatch setup") from None
        raise
    finally:
        es.close()
    print(f"{matched} of {seen} articles since {since[:16].replace('T', ' ')} UTC ({args.since}) match rule {rule.name}")
    return 0


def run_tail(args: argparse.Namespace) -> int:
    import time

    from peacewatch.clients import elasticsearch_client
    from peacewatch.durations import parse_since
    from peacewatch.settings import load_settings
    from pipelines.alerts.render import as_text

    settings = load_settings()
    es = elasticsearch_client(settings)
    since = parse_since(args.since or "1h")
    search_after: list[Any] | None = None
    filters: list[dict[str, Any]] = [{"range": {"created": {"gte": since}}}]
    if args.rule:
        filters.append({"term": {"rule": args.rule}})
    try:
        while True:
            response = es.options(ignore_status=404).search(
                index=settings.index("alerts"), size=200, query={"bool": {"filter": filters}},
                sort=[{"created": "asc"}, {"id": "asc"}], search_after=search_after)
            hits = response.get("hits", {}).get("hits", [])
            for hit in hits:
                print(as_text(hit["_source"]))
                print("-" * 60, flush=True)
                search_after = hit["sort"]
            if args.once and len(hits) < 200:
                return 0
            if not hits:
                time.sleep(args.interval)
    except KeyboardInterrupt:
        return 0
    finally:
        es.close()


def run_status(args: argparse.Namespace) -> int:
    import datetime as dt

    from peacewatch.clients import elasticsearch_client
    from peacewatch.redact import redact
    from peacewatch.settings import load_settings
    from pipelines.alerts.store import DeliveryLog

    settings = load_settings()
    rules = _store(args).load()
    print(f"rules: {len(rules)} ({sum(r.enabled for r in rules)} enabled) in {_store(args).path}")
    es = elasticsearch_client(settings, max_retries=1)
    try:
        rows = DeliveryLog(es, settings.index("alert-deliveries")).stats()
    finally:
        es.close()
    if not rows:
        print("no deliveries yet (the pipeline has not delivered an alert)")
        return 0

    def when(stamp: float | None) -> str:
        return dt.datetime.fromtimestamp(stamp, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ") if stamp else "-"

    print(f"{'channel':44s} {'sent':>6s} {'failed':>6s} {'dup':>5s} {'thrott':>6s} {'queued':>6s}  last success / last error")
    for row in rows:
        print(f"{row['channel'][:44]:44s} {row['sent']:6d} {row['failed']:6d} {row['duplicates']:5d} "
              f"{row['throttled']:6d} {row['digest_pending']:6d}  {when(row['last_success_at'])}"
              + (f" / {when(row['last_error_at'])}: {redact(row['last_error'], keep_paths=False)}"
                 if row["last_error"] else ""))
    return 0
