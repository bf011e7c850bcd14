"""``peacewatch alerts``: add, list, show, remove, enable, disable, sync, test, tail, status.

Rules live in ``<data_dir>/alerts.yaml`` (``--rules FILE`` to use another file); the pipeline
reads the same file and picks up changes within seconds.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)


_RULE_NAME = "the rule's name (see 'peacewatch alerts list')"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the ``alerts`` command and its subcommands to the top-level parser."""
    alerts = subparsers.add_parser(
        "alerts",
        help="keyword, stance-change and spike alerts",
        description="Manage alert rules and follow the alerts they raise.",
    )
    sub = alerts.add_subparsers(dest="alerts_command", metavar="COMMAND", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--rules", metavar="FILE", help="rules file (default: <data_dir>/alerts.yaml)")

    def command(
        name: str, run: Callable[[argparse.Namespace], int], summary: str, description: str, **defaults: Any
    ) -> argparse.ArgumentParser:
        """One subcommand: its parser, with ``--rules``, run by ``run``."""
        parser = sub.add_parser(name, parents=[common], help=summary, description=description)
        parser.set_defaults(func=run, **defaults)
        return parser

    _register_add(command)
    _register_rule_commands(command)
    _register_test_and_tail(command)
    command(
        "status",
        run_status,
        "per-channel delivery counts and last errors",
        "The rules, each channel with the rules that deliver to it (webhook and "
        "Slack URLs masked), and per channel what was sent, failed, throttled or "
        "queued for a digest, with the last success and the last error.",
    )


def _register_rule_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    """``alerts list``, ``show``, ``remove``, ``enable``, ``disable`` and ``sync``: the rules file."""
    listing = command(
        "list",
        run_list,
        "list the rules",
        "One line per rule: on/off, name, kind, query, filters and channels.",
    )
    listing.add_argument("--json", action="store_true", help="print JSON")

    show = command(
        "show",
        run_show,
        "show one rule and its Elasticsearch query",
        "The rule as stored (webhook URLs masked), where it delivers, and the query "
        "to paste into Kibana's search bar (Lucene) to see the articles it looks at.",
    )
    show.add_argument("name", help=_RULE_NAME)

    for change in ("remove", "enable", "disable"):
        changing = command(
            change,
            run_change,
            f"{change} a rule",
            f"{change.capitalize()} a rule; the pipeline picks the change up within seconds.",
            change=change,
        )
        changing.add_argument("name", help=_RULE_NAME)

    sync = command(
        "sync",
        run_sync,
        "make the rules those of a YAML file (from version control)",
        "Replace the rules by those of FILE, all or nothing: a file with one invalid "
        "rule changes nothing and names the rule and the reason.",
    )
    sync.add_argument(
        "file",
        help="a YAML file: 'version: 1' and a 'rules:' list (name, query, kind, channels, ...; "
        "see pipelines/alerts/README.md)",
    )
    sync.add_argument("--keep-others", action="store_true", help="do not remove rules the file lacks")


def _register_add(command: Callable[..., argparse.ArgumentParser]) -> None:
    """``alerts add``: a rule from the command line."""
    add = command(
        "add",
        run_add,
        "add a rule (refused with the reason when invalid)",
        "Add a rule. The query is Lucene query-string syntax, as in Kibana's "
        'search bar: words, "phrases", "phrase"~N, wildcards * ?, AND/OR/NOT, '
        "+/-, field:value (title, text, country, actor, stance, source, ...).",
    )
    add.add_argument("name", help="the rule's name (letters, digits, - and _)")
    add.add_argument("--query", "-q", default="", help="what to look for (default: every article)")
    add.add_argument(
        "--kind",
        choices=["match", "stance-change", "spike"],
        default="match",
        help="match: every article the query finds (default); stance-change: an actor takes or "
        "changes a position; spike: mentions of --term jump above their baseline",
    )
    add.add_argument("--country", help="only articles about this country (name or code)")
    add.add_argument("--actor", help="only articles with a stance of this actor")
    add.add_argument(
        "--mission",
        help="only articles about this mission (see 'peacewatch missions'); "
        "stance-change rules: stances on this mission",
    )
    add.add_argument("--stance", choices=["support", "oppose", "undecided"], help="... and this stance")
    add.add_argument("--min-relevance", type=float, metavar="X", help="only articles at least this relevant (0-1)")
    add.add_argument("--source", help="only articles from this source")
    add.add_argument(
        "--channel",
        action="append",
        default=[],
        metavar="SPEC",
        help="webhook:URL, slack:URL (or :env:VAR / :file:PATH), email:ADDRESS, tail; index and topic are always on",
    )
    add.add_argument("--throttle", metavar="DURATION", help="at most one notification per period (30m, 1h, 1d)")
    add.add_argument("--key-by", choices=["country", "source", "actor"], help="throttle per this key")
    add.add_argument("--digest", choices=["hourly", "daily"], help="group notifications into one message per period")
    add.add_argument("--term", help="spike rules: what to count (a query)")
    add.add_argument("--spike-k", type=float, default=3.0, help="spike: standard deviations above the mean (3)")
    add.add_argument("--spike-min-count", type=int, default=5, help="spike: minimum mentions in the hour (5)")
    add.add_argument("--baseline-hours", type=int, default=24, help="spike: hours of baseline (24)")
    add.add_argument("--min-confidence", type=float, default=0.5, help="stance-change: ignore less confident stances")
    add.add_argument("--description", help="a note for the people who read the rule")
    add.add_argument("--disabled", action="store_true", help="add it disabled")
    add.add_argument("--replace", action="store_true", help="replace a rule of the same name")


def _register_test_and_tail(command: Callable[..., argparse.ArgumentParser]) -> None:
    """``alerts test`` (a rule over indexed articles) and ``alerts tail`` (the alerts as they come)."""
    test = command(
        "test",
        run_test,
        "preview what a rule would have matched among indexed articles",
        "Runs the rule over the indexed articles of the period, oldest first, without "
        "delivering anything: a match rule lists the articles with the words that "
        "matched; a stance-change rule the changes it would have raised, each with "
        "the sentence before and the sentence now.",
    )
    test.add_argument("name", help="a rule name, or with --query a label")
    test.add_argument("--query", "-q", help="try this query instead of the stored rule's")
    test.add_argument("--since", default="7d", help="how far back: 90s, 30m, 12h, 7d, 2w, 1y or a date (default 7d)")
    test.add_argument("--limit", type=int, default=20, help="print at most this many matches")
    test.add_argument("--scan-limit", type=int, default=20000, help="look at most at this many articles")

    tail = command(
        "tail",
        run_tail,
        "follow alerts as they are raised",
        "Prints the alerts of the last --since, then each new one as the pipeline "
        "raises it, until Ctrl-C (or at once with --once).",
    )
    tail.add_argument("--rule", help="only this rule's alerts")
    tail.add_argument("--since", default="1h", help="start with alerts since: 30m, 12h, 7d or a date (default 1h)")
    tail.add_argument("--interval", type=float, default=2.0, help="seconds between polls")
    tail.add_argument("--once", action="store_true", help="print what is there and stop")


def _store(args: argparse.Namespace):
    from peacewatch.settings import load_settings
    from pipelines.alerts.rules import RuleStore, default_rules_path

    return RuleStore(args.rules or default_rules_path(load_settings()))


def run_add(args: argparse.Namespace) -> int:
    from pipelines.alerts.rules import Rule
    from pipelines.filters import country_code, country_name

    if args.country:  # a country nobody knows would never match: refused; a known one by its name
        args.country = country_name(country_code(args.country))
    rule = Rule(
        name=args.name,
        query=args.query,
        kind=args.kind.replace("-", "_"),
        enabled=not args.disabled,
        country=args.country,
        actor=args.actor,
        stance=args.stance,
        mission=args.mission,
        source=args.source,
        min_relevance=args.min_relevance,
        channels=list(args.channel),
        throttle=args.throttle,
        key_by=args.key_by,
        digest=args.digest,
        term=args.term,
        spike_k=args.spike_k,
        spike_min_count=args.spike_min_count,
        spike_baseline_hours=args.baseline_hours,
        min_confidence=args.min_confidence,
        description=args.description,
    )
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
    filters = [
        f"{k}={getattr(rule, k)}"
        for k in ("country", "actor", "stance", "mission", "source", "min_relevance")
        if getattr(rule, k) is not None
    ]
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

    from pipelines.alerts.es_query import rule_query_string

    rule = _store(args).get(args.name)
    print(yaml.safe_dump(_shown(rule), sort_keys=False, allow_unicode=True).rstrip())
    print(f"delivered to: {_channels(rule)}")
    query, caveat = rule_query_string(rule)
    print(
        "in Kibana (Lucene syntax) or Elasticsearch's query_string (default operator OR, fields title, summary, "
        "text), the articles this rule looks at:"
    )
    print(f"  {query}")
    if caveat:
        print(f"  note: {caveat}")
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
    from peacewatch.settings import load_settings
    from pipelines.alerts.matcher import RuleMatcher
    from pipelines.alerts.render import make_snippet, plain_snippet
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
    query = {
        "bool": {
            "should": [{"range": {"published": {"gte": since}}}, {"range": {"indexed_at": {"gte": since}}}],
            "minimum_should_match": 1,
        }
    }
    # oldest first, as the stream sees them: a stance changes from what came before
    order = [{"published": {"order": "asc", "missing": "_last"}}, {"indexed_at": {"order": "asc"}}]
    preview = _StanceChangePreview(rule) if rule.kind == "stance_change" else None
    seen = matched = 0
    try:
        for hit in helpers.scan(
            es, index=settings.index("articles"), query={"query": query, "sort": order}, preserve_order=True, size=500
        ):
            seen += 1
            article = hit["_source"]
            article.setdefault("id", hit["_id"])
            found = matcher.match(article)
            if found and preview is not None:
                preview.add(article, args.limit)
            elif found:
                matched += 1
                if matched <= args.limit:
                    when, source = article.get("published") or "?", article.get("source") or "?"
                    print(f"{when:25s} {source:20.20s} {article.get('title')}")
                    print(f"    {plain_snippet(make_snippet(article, found[0].matched_terms))}")
            if seen >= args.scan_limit:
                print(f"(stopped after {seen} articles: raise --scan-limit to look further)")
                break
    finally:
        es.close()
    period = f"since {since[:16].replace('T', ' ')} UTC ({args.since})"
    if preview is not None:
        print(
            f"{preview.changes} stance change(s) in {preview.articles} of {seen} articles {period} "
            f"for rule {rule.name} (starting from no known stance)"
        )
        return 0
    print(f"{matched} of {seen} articles {period} match rule {rule.name}")
    return 0


class _StanceChangePreview:
    """What a stance-change rule would have raised over articles given oldest first: each change
    printed as its alert reads (actor, mission, before -> now, both evidence sentences and links)."""

    def __init__(self, rule: Any) -> None:
        self.rule = rule
        self.state: dict[str, Any] = {}
        self.articles = 0
        self.changes = 0

    def add(self, article: dict[str, Any], limit: int) -> None:
        from pipelines.alerts.render import change_lines, headline
        from pipelines.alerts.stance_change import detect_stance_changes

        self.articles += 1
        events, self.state = detect_stance_changes(
            self.state,
            article,
            actor=self.rule.actor,
            min_confidence=self.rule.min_confidence,
            mission=self.rule.mission,
        )
        for event in events:
            self.changes += 1
            if self.changes > limit:
                continue
            alert = {
                "rule": self.rule.name,
                "kind": "stance_change",
                "url": article.get("url"),
                "published": article.get("published"),
                "details": event.details(article),
            }
            print(f"{(article.get('published') or '?')[:10]}  {headline(alert)}")
            for line in change_lines(alert):
                print(f"    {line}")


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
                index=settings.index("alerts"),
                size=200,
                query={"bool": {"filter": filters}},
                sort=[{"created": "asc"}, {"id": "asc"}],
                search_after=search_after,
            )
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


def _channels_with_rules(rules: list[Any]) -> dict[str, list[str]]:
    """Each channel, by the name the delivery log uses (secret URLs masked), -> the rules delivering to it."""
    from peacewatch.errors import UserError
    from pipelines.alerts.channels import channel_name, display_channel, parse_channel

    out: dict[str, list[str]] = {}
    for rule in rules:
        for text in rule.all_channels:
            try:
                name = channel_name(parse_channel(text))
            except UserError:
                name = display_channel(text)
            out.setdefault(name, []).append(rule.name + ("" if rule.enabled else " (off)"))
    return out


def run_status(args: argparse.Namespace) -> int:
    import datetime as dt

    from peacewatch.clients import elasticsearch_client
    from peacewatch.redact import redact
    from peacewatch.settings import load_settings
    from pipelines.alerts.store import DeliveryLog

    settings = load_settings()
    store = _store(args)
    rules = store.load()
    print(f"rules: {len(rules)} ({sum(r.enabled for r in rules)} enabled) in {store.path}")
    es = elasticsearch_client(settings, max_retries=1)
    try:
        rows = {row["channel"]: row for row in DeliveryLog(es, settings.index("alert-deliveries")).stats()}
    finally:
        es.close()
    channels = _channels_with_rules(rules)
    if not channels and not rows:
        print("no channels yet: add a rule with 'peacewatch alerts add NAME --query ... --channel SPEC'")
        return 0

    def when(stamp: float | None) -> str:
        return dt.datetime.fromtimestamp(stamp, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ") if stamp else "-"

    names = list(channels) + [n for n in rows if n not in channels]
    width = max(len(redact(n)) for n in names)
    print(
        f"{'channel':{width}s} {'sent':>6s} {'failed':>6s} {'dup':>5s} {'thrott':>6s} {'queued':>6s}  "
        "last success / last error"
    )
    for name in names:
        row = rows.get(name)
        counts = (
            (
                f"{row['sent']:6d} {row['failed']:6d} {row['duplicates']:5d} {row['throttled']:6d} "
                f"{row['digest_pending']:6d}  {when(row['last_success_at'])}"
            )
            if row
            else f"{0:6d} {0:6d} {0:5d} {0:6d} {0:6d}  nothing delivered yet"
        )
        error = (
            f" / {when(row['last_error_at'])}: {redact(row['last_error'], keep_paths=False)}"
            if row and row.get("last_error")
            else ""
        )
        print(f"{redact(name):{width}s} {counts}{error}")
        print(f"{'':4s}rules: {', '.join(channels.get(name, [])) or 'none now (delivered for a rule since removed)'}")
    return 0
