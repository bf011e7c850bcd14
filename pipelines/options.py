"""Pipeline options: what ``peacewatch run`` accepts beyond Beam's own flags.

``PeacewatchOptions`` holds the job's own settings and ``StreamingOptions`` how the streaming job
reads and acknowledges the subscription and when ``peacewatch run`` stops it; Beam's
``StandardOptions`` (``--runner``, ``--streaming``), ``DirectOptions`` and ``PrismRunnerOptions``
are used as they are. A local batch run uses the pure-Python runner (:func:`python_direct_runner`);
local streaming runs on Prism (see :mod:`pipelines.streaming`).
"""

from __future__ import annotations

import glob
import logging
import os
from typing import Any

from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions

logger = logging.getLogger(__name__)

DEFAULT_RUNNER = "DirectRunner"
LOCAL_RUNNERS = ("DirectRunner", "BundleBasedDirectRunner", "FnApiRunner", "PrismRunner")
PIPELINE_VERSION = "pipeline-1"


class PeacewatchOptions(PipelineOptions):
    """Options of the peacewatch job (inputs, batching, retries, alerts)."""

    @classmethod
    def _add_argparse_args(cls, parser) -> None:
        parser.add_argument(
            "--input",
            dest="inputs",
            action="append",
            default=None,
            help="JSONL file (or glob) of articles to backfill; repeatable. Without it the "
            "job reads the articles subscription (needs --streaming).",
        )
        parser.add_argument(
            "--subscription",
            default=None,
            help="full subscription path to read (default: the pipeline's articles subscription)",
        )
        parser.add_argument(
            "--batch_size",
            "--batch-size",
            dest="batch_size",
            type=int,
            default=32,
            help="articles per nlp.pipe batch (default 32)",
        )
        parser.add_argument(
            "--bulk_chunk_size",
            "--bulk-chunk-size",
            dest="bulk_chunk_size",
            type=int,
            default=500,
            help="documents per Elasticsearch bulk request (default 500)",
        )
        parser.add_argument(
            "--bulk_max_bytes",
            "--bulk-max-bytes",
            dest="bulk_max_bytes",
            type=int,
            default=10 * 1024 * 1024,
            help="byte cap of one bulk request (default 10 MiB)",
        )
        parser.add_argument(
            "--es_retry_seconds",
            "--es-retry-seconds",
            dest="es_retry_seconds",
            type=float,
            default=900.0,
            help="how long writes retry while Elasticsearch is unreachable or "
            "overloaded before the batch fails un-acknowledged (default 900)",
        )
        parser.add_argument(
            "--spacy_model",
            "--spacy-model",
            dest="spacy_model",
            default=None,
            help="spaCy package to load (default: PEACEWATCH_SPACY_MODEL or the installed one)",
        )
        parser.add_argument(
            "--nlp_processes",
            "--nlp-processes",
            dest="nlp_processes",
            type=int,
            default=None,
            help="processes that run the NLP model in parallel, each with its own copy. "
            "Default: 2 for a local run (batch with one direct-runner worker, or streaming "
            "on Prism) on a machine with at least 2 cores, else 1",
        )
        parser.add_argument(
            "--alerts",
            dest="alerts",
            action="store_true",
            default=None,
            help="match alert rules after indexing (default: on when a rules file exists)",
        )
        parser.add_argument(
            "--no-alerts", "--no_alerts", dest="alerts", action="store_false", help="do not match alert rules"
        )
        parser.add_argument("--rules", default=None, help="alert rules file (default: the alerts package's)")
        parser.add_argument(
            "--aggregates",
            dest="aggregates",
            action="store_true",
            default=True,
            help="write hourly actor/stance counts to the stances index (default)",
        )
        parser.add_argument(
            "--no-aggregates",
            "--no_aggregates",
            dest="aggregates",
            action="store_false",
            help="do not write the hourly aggregates",
        )
        parser.add_argument(
            "--progress_seconds",
            "--progress-seconds",
            dest="progress_seconds",
            type=float,
            default=10.0,
            help="seconds between progress lines on stderr; 0 turns them off",
        )

    def validate(self, validator: Any = None) -> list[str]:
        """Returns the problems of these options as sentences (empty when fine).

        ``validator`` is accepted for Beam's ``PipelineOptionsValidator`` protocol and unused.
        """
        problems: list[str] = []
        streaming = self.view_as(StandardOptions).streaming
        if self.inputs and streaming:
            problems.append("--input reads files (batch); it cannot be combined with --streaming")
        if not self.inputs and not streaming:
            problems.append("give --input FILE.jsonl for a backfill, or --streaming to read the subscription")
        for pattern in self.inputs or []:
            if "://" not in pattern and not glob.glob(pattern):
                problems.append(f"--input {pattern}: no such file")
        for name in ("batch_size", "bulk_chunk_size", "bulk_max_bytes", "nlp_processes"):
            if getattr(self, name) is not None and getattr(self, name) <= 0:
                problems.append(f"--{name.replace('_', '-')} must be positive")
        if self.es_retry_seconds < 0 or self.progress_seconds < 0:
            problems.append("--es-retry-seconds and --progress-seconds cannot be negative")
        return problems + self.view_as(StreamingOptions).validate()


class StreamingOptions(PipelineOptions):
    """How the streaming job reads the subscription, acknowledges, and when ``peacewatch run`` stops it."""

    @classmethod
    def _add_argparse_args(cls, parser) -> None:
        parser.add_argument(
            "--ack_lease_seconds",
            "--ack-lease-seconds",
            dest="ack_lease_seconds",
            type=int,
            default=30,
            help="ack deadline of pulled messages, extended while they are processed; "
            "after a crash they come back this soon (default 30)",
        )
        parser.add_argument(
            "--pull_shards",
            "--pull-shards",
            dest="pull_shards",
            type=int,
            default=2,
            help="parallel pulls per tick; at least the number of workers (default 2)",
        )
        parser.add_argument(
            "--pull_interval_ms",
            "--pull-interval-ms",
            dest="pull_interval_ms",
            type=int,
            default=250,
            help="time between pulls of each shard (default 250 ms)",
        )
        parser.add_argument(
            "--pull_max_messages",
            "--pull-max-messages",
            dest="pull_max_messages",
            type=int,
            default=100,
            help="messages per pull at most (default 100)",
        )
        parser.add_argument(
            "--max_outstanding_messages",
            "--max-outstanding-messages",
            dest="max_outstanding_messages",
            type=int,
            default=1000,
            help="flow control: messages held (pulled, not yet acknowledged) per worker process at most (default 1000)",
        )
        parser.add_argument(
            "--max_delivery_attempts",
            "--max-delivery-attempts",
            dest="max_delivery_attempts",
            type=int,
            default=5,
            help="a message delivered more often than this (a crash or hang each time) goes to "
            "the dead letters as stage 'poison' and is acknowledged (default 5; 0: never)",
        )
        parser.add_argument(
            "--alert_match_seconds",
            "--alert-match-seconds",
            dest="alert_match_seconds",
            type=float,
            default=10.0,
            help="time budget of alert matching per article; an article that overruns it is "
            "dead-lettered (stage 'alert-match') instead of stalling the stream (default 10)",
        )
        parser.add_argument(
            "--max_messages",
            "--max-messages",
            dest="max_messages",
            type=int,
            default=0,
            help="streaming: stop once this many messages were processed and acknowledged and "
            "their alerts handed to delivery (0 = run until interrupted)",
        )
        parser.add_argument(
            "--idle_exit_seconds",
            "--idle-exit-seconds",
            dest="idle_exit_seconds",
            type=float,
            default=0.0,
            help="streaming: stop once nothing was pulled and nothing was pending "
            "(in flight, being retried) for this long (0 = never)",
        )

    def validate(self, validator: Any = None) -> list[str]:
        """Returns the problems of these options as sentences (empty when fine)."""
        problems = []
        for name in (
            "pull_shards",
            "pull_interval_ms",
            "pull_max_messages",
            "max_outstanding_messages",
            "alert_match_seconds",
        ):
            if getattr(self, name) <= 0:
                problems.append(f"--{name.replace('_', '-')} must be positive")
        if not 10 <= self.ack_lease_seconds <= 600:
            problems.append("--ack-lease-seconds must be between 10 and 600 (Pub/Sub's limits)")
        if min(self.max_messages, self.idle_exit_seconds, self.max_delivery_attempts) < 0:
            problems.append("--max-messages, --idle-exit-seconds and --max-delivery-attempts cannot be negative")
        return problems


def runner_name(options: PipelineOptions) -> str:
    return options.view_as(StandardOptions).runner or DEFAULT_RUNNER


def is_local(options: PipelineOptions) -> bool:
    """True when the job runs in this process (the Python direct runner)."""
    name = runner_name(options)
    return name in LOCAL_RUNNERS or name.endswith(".DirectRunner")


def nlp_processes(options: PipelineOptions) -> int:
    """How many processes run the NLP model: ``--nlp-processes`` when given, else the default.

    The default is 2 for a local run when the machine has at least 2 cores: a batch run on one
    direct-runner worker, or streaming on Prism (whose Python worker is one process). One
    in-process model would keep a single core busy. Several direct-runner workers (each would
    start its own processes) and distributed runners (their workers scale out instead) keep 1.
    """
    given = options.view_as(PeacewatchOptions).nlp_processes
    if given is not None:
        return given
    if not is_local(options) or (os.cpu_count() or 1) < 2:
        return 1
    if options.view_as(StandardOptions).streaming:
        return 2
    direct = options.view_as(DirectOptions)
    one_worker = direct.direct_num_workers == 1 or direct.direct_running_mode == "in_memory"
    return 2 if one_worker else 1


def python_direct_runner(streaming: bool = False) -> Any:
    """The pure-Python direct runner: ``FnApiRunner`` for batch, the bundle-based one for streaming.

    Beam's ``DirectRunner`` switches to Prism when it can, which downloads a binary; this project
    runs offline, so it names the Python runners directly.
    """
    if streaming:
        from apache_beam.runners.direct.direct_runner import BundleBasedDirectRunner

        return BundleBasedDirectRunner()
    from apache_beam.runners.portability.fn_api_runner import FnApiRunner

    return FnApiRunner()
