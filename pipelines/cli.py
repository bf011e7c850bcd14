"""``peacewatch run``, ``peacewatch search`` and ``peacewatch reconcile``."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Any

from peacewatch.clients import elasticsearch_unreachable
from peacewatch.errors import UserError

logger = logging.getLogger(__name__)

_BEAM_OPTION_CLASSES = (
    "StandardOptions",
    "DirectOptions",
    "GoogleCloudOptions",
    "WorkerOptions",
    "SetupOptions",
    "DebugOptions",
    "FlinkRunnerOptions",
    "PortableOptions",
    "PrismRunnerOptions",
)
_NOT_OPTIONS = frozenset({"func", "command", "verbose", "es_url", "prefix"})


def _import_beam_options():
    """Imports Beam's options without its import-time warnings (optional GCP extras not installed).

    Those warnings go through the root logger, which would configure logging before the command
    line does and make ``-v`` ineffective; a temporary null handler keeps them out.
    """
    root = logging.getLogger()
    quiet = logging.NullHandler()
    added = not root.handlers
    if added:
        root.addHandler(quiet)
    try:
        import apache_beam.io.filesystems  # noqa: F401 - registers file systems (and warns) now
        from apache_beam.options import pipeline_options
    finally:
        if added:
            root.removeHandler(quiet)
    return pipeline_options


def register(subparsers: Any) -> None:
    """Adds ``run``, ``search`` and ``reconcile`` to the ``peacewatch`` command."""
    po = _import_beam_options()

    from pipelines.options import DEFAULT_RUNNER, PeacewatchOptions, StreamingOptions

    run = subparsers.add_parser(
        "run",
        help="run the pipeline: stream from Pub/Sub or backfill from files",
        description="Reads articles (the subscription with --streaming, or --input files), enriches them, "
        "indexes them in Elasticsearch and writes dead letters, stance aggregates and alerts. "
        "Any Beam pipeline option is accepted (--runner, --direct_num_workers, --project, ...).",
        conflict_handler="resolve",
    )
    PeacewatchOptions._add_argparse_args(run.add_argument_group("peacewatch options"))
    StreamingOptions._add_argparse_args(run.add_argument_group("streaming options"))
    beam_group = run.add_argument_group(
        "Beam options",
        "the runner and the mode; every other Beam pipeline option is accepted too "
        "(--direct_num_workers, --project, --flink_master, ...): 'peacewatch run --help-beam' lists them",
    )
    own = set(run._option_string_actions)
    for name in _BEAM_OPTION_CLASSES:
        getattr(po, name)._add_argparse_args(beam_group)
    _hide_beam_help(run, own)
    run.add_argument(
        "--es-url",
        "--es_url",
        dest="es_url",
        default=None,
        help="Elasticsearch URL (default: PEACEWATCH_ES_URL or the configuration)",
    )
    run.set_defaults(func=_run, runner=DEFAULT_RUNNER)

    search = subparsers.add_parser(
        "search",
        help="search the indexed articles",
        description="Full-text search over titles and texts, in the alert rules' query language (Lucene's, as "
        'in Kibana\'s search bar): words (all of them must be there), "phrases", AND/OR/NOT, '
        "wildcards, and fields such as country:FR, actor:Germany, stance:oppose, mission:gaza, "
        "title:ceasefire (see pipelines/alerts/README.md).",
    )
    search.add_argument(
        "query",
        nargs="*",
        default=[],
        help='what to look for (default: every article); quote it when it has spaces or ()"',
    )
    search.add_argument("--country", action="append", default=[], help="country name or ISO code; repeatable")
    search.add_argument(
        "--stance",
        action="append",
        default=[],
        help="support|oppose|undecided, or ACTOR:STANCE (e.g. France:support); repeatable",
    )
    search.add_argument("--since", help="published since: 90s, 30m, 12h, 7d, 2w, 1y or a date (2026-01-31)")
    search.add_argument("--until", help="published until this date or time (a date includes its whole day)")
    search.add_argument(
        "--include-undated", action="store_true", help="with --since/--until, also articles without a date of their own"
    )
    search.add_argument(
        "--mission", action="append", default=[], help="mission id (see 'peacewatch missions'); repeatable"
    )
    search.add_argument("--language", action="append", default=[], help="article language (ISO 639-1); repeatable")
    search.add_argument(
        "--sort", choices=("relevance", "date"), default="relevance", help="relevance (default) or date, newest first"
    )
    search.add_argument("--limit", type=int, default=10, help="how many articles (default 10)")
    search.add_argument("--json", action="store_true", help="one JSON document per line")
    search.set_defaults(func=_search)

    reconcile = subparsers.add_parser(
        "reconcile",
        help="find (and republish) published articles missing from the index",
        description="Compares what the connectors published (their SQLite log) with what is indexed or "
        "dead-lettered, lists what is missing and, with --republish, publishes it again (exit 1 "
        "while something is missing and not republished).",
    )
    reconcile.add_argument(
        "--since", default="7d", help="published since: 90s, 30m, 12h, 7d, 2w, 1y or a date (default 7d)"
    )
    reconcile.add_argument("--republish", action="store_true", help="publish the missing articles again")
    reconcile.add_argument("--state-db", dest="state_db", help="the connectors' SQLite log (default in the data dir)")
    reconcile.set_defaults(func=_reconcile)


_SHOWN_BEAM_OPTIONS = frozenset({"--runner", "--streaming"})


class _HelpBeamAction(argparse.Action):
    """``--help-beam``: the help with every Beam pipeline option shown, then exit."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest=dest, nargs=0, help="list every Beam pipeline option and exit")
        self.hidden: dict[argparse.Action, str | None] = {}

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        for action, text in self.hidden.items():
            action.help = text
        parser.print_help()
        parser.exit()


def _hide_beam_help(run: argparse.ArgumentParser, own: set[str]) -> None:
    """Keeps Beam's few hundred options out of ``run --help`` (they still parse); ``--help-beam`` shows them."""
    help_beam = run.add_argument("--help-beam", action=_HelpBeamAction)
    for action in run._actions:
        names = set(action.option_strings)
        if "--runner" in names:
            action.help = (
                "where the job runs: locally by default (Prism with --streaming, the Python direct "
                "runner for --input), or FlinkRunner, DataflowRunner, ..."
            )
        if "--streaming" in names:
            action.help = "read the articles subscription until stopped (without it: a backfill of --input files)"
        if not names or names & own or names & _SHOWN_BEAM_OPTIONS or action is help_beam:
            continue
        help_beam.hidden[action] = action.help
        action.help = argparse.SUPPRESS


def options_from_args(args: argparse.Namespace):
    """The ``PipelineOptions`` of a parsed ``peacewatch run`` command line."""
    from apache_beam.options.pipeline_options import PipelineOptions

    values = {k: v for k, v in vars(args).items() if v is not None and k not in _NOT_OPTIONS}
    return PipelineOptions(flags=[], **values)


def _settings(args: argparse.Namespace):
    from peacewatch.settings import load_settings

    return load_settings(es_url=getattr(args, "es_url", None))


def _check_index(settings) -> None:
    from elastic_transport import TransportError

    from deploy.migrate import mapping_version, write_index
    from deploy.provision import index_template
    from peacewatch.clients import elasticsearch_client

    es = elasticsearch_client(settings, max_retries=1)
    try:
        for name in ("articles", "reports"):
            if not es.indices.exists_alias(name=settings.index(name)):
                raise UserError(
                    f"index alias {settings.index(name)} does not exist in {settings.es_url_safe}",
                    "run 'peacewatch setup' first",
                )
        in_use = mapping_version(es, write_index(es, settings.index("articles")))
        if in_use is not None and in_use < index_template("articles")["_meta"]["version"]:
            raise UserError(
                f"{settings.index('articles')} has mapping version {in_use}, older than this version of peacewatch",
                "run 'peacewatch setup' to move it to the new version (nothing is lost)",
            )
    except TransportError as exc:
        raise elasticsearch_unreachable(settings, exc) from None
    finally:
        es.close()


def _run(args: argparse.Namespace) -> int:
    from apache_beam.options.pipeline_options import StandardOptions

    from pipelines.options import PeacewatchOptions

    options = options_from_args(args)
    opts = options.view_as(PeacewatchOptions)
    problems = opts.validate()
    if problems:
        raise UserError("; ".join(problems), "see 'peacewatch run --help'")
    settings = _settings(args)
    from pipelines.nlp.missions import load_catalogue

    load_catalogue(settings.missions_file)  # a bad missions file stops here, naming the entry
    _check_index(settings)
    if options.view_as(StandardOptions).streaming:
        from pipelines.streaming import run_streaming

        return run_streaming(settings, options)
    return _run_beam(settings, options)


def _run_beam(settings, options) -> int:
    """A backfill (``--input``): batch, on the Python runner locally."""
    import apache_beam as beam

    from pipelines.options import is_local, nlp_processes, python_direct_runner, runner_name
    from pipelines.pipeline import build_pipeline, close_worker_resources, counters_of, latency_of

    runner = python_direct_runner() if is_local(options) else runner_name(options)
    label = type(runner).__name__ if not isinstance(runner, str) else runner
    processes = nlp_processes(options)
    print(
        f"peacewatch run: starting on {label} (batch); NLP in {processes} process{'es' if processes > 1 else ''}",
        file=sys.stderr,
        flush=True,
    )
    started = time.monotonic()
    pipeline = beam.Pipeline(runner=runner, options=options)
    build_pipeline(pipeline, options, settings)
    try:
        result = pipeline.run()
        result.wait_until_finish()
    finally:
        close_worker_resources()
    counters = counters_of(result)
    line = " ".join(
        f"{k.replace('_', '-')}={counters.get(k, 0)}"
        for k in ("read", "valid", "relevant", "indexed", "dead_lettered", "alerts")
    )
    print(f"peacewatch run: done in {time.monotonic() - started:.1f}s: {line}", file=sys.stderr, flush=True)
    from pipelines.nlp.language_counts import format_language_counts

    print(f"peacewatch run: languages: {format_language_counts(counters)}", file=sys.stderr, flush=True)
    latency = latency_of(result)
    if latency:
        print(f"peacewatch run: latency-ms mean={latency['mean']:.0f} max={latency['max']}", file=sys.stderr)
    return 0


def _search(args: argparse.Namespace) -> int:
    from peacewatch.clients import elasticsearch_client
    from peacewatch.durations import parse_since, parse_until
    from pipelines.nlp.missions import load_catalogue
    from pipelines.search import build_query, print_results, search_articles

    if args.limit <= 0:
        raise UserError(f"--limit {args.limit}: must be positive", "e.g. --limit 20")
    settings = _settings(args)
    missions = []
    if args.mission:
        from pipelines.filters import mission_id

        catalogue = load_catalogue(settings.missions_file)
        missions = [mission_id(catalogue, m) for m in args.mission]
    query = build_query(
        " ".join(args.query) or "*",
        args.country,
        args.stance,
        parse_since(args.since),
        until=parse_until(args.until),
        missions=missions,
        languages=args.language,
        include_undated=args.include_undated,
    )
    es = elasticsearch_client(settings, max_retries=1)
    try:
        response = search_articles(es, settings, query, args.limit, args.sort)
    finally:
        es.close()
    print_results(response, sys.stdout, args.json, missions)
    return 0


def _reconcile(args: argparse.Namespace) -> int:
    from elastic_transport import TransportError

    from peacewatch.clients import elasticsearch_client
    from peacewatch.durations import parse_since
    from pipelines.reconcile import format_report, open_log, reconcile

    settings = _settings(args)
    since = parse_since(args.since)
    log = open_log(settings, args.state_db)
    es = elasticsearch_client(settings, max_retries=1)
    publisher = None
    try:
        if args.republish:
            from connectors.publish import ArticlePublisher

            publisher = ArticlePublisher(settings)
        report = reconcile(settings, es, log, since, args.republish, publisher)
    except TransportError as exc:
        raise elasticsearch_unreachable(settings, exc) from None
    finally:
        es.close()
        log.close()
        if publisher is not None:
            publisher.close()
    for line in format_report(report):
        print(line)
    return 0 if not report.missing or args.republish else 1
