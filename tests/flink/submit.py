"""Submits :mod:`tests.flink.pull_pipeline` to Flink the way ``peacewatch run --runner FlinkRunner`` does.

``python -m tests.flink.submit --subscription S --index I [--parallelism N] [--rounds R]
[--idle-exit-seconds N] [--progress-seconds N]``; settings (Elasticsearch, emulator, prefix)
come from the environment like every peacewatch command. Exit code as ``peacewatch run``.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscription", required=True, help="full subscription path")
    parser.add_argument("--index", required=True)
    parser.add_argument("--parallelism", type=int, default=2)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--max-messages", type=int, default=20, help="messages per pull")
    parser.add_argument("--rounds", type=int, default=20000, help="SHA-256 rounds per article (CPU per article)")
    parser.add_argument("--idle-exit-seconds", type=float, default=0.0)
    parser.add_argument("--progress-seconds", type=float, default=5.0)
    args = parser.parse_args(argv)

    from apache_beam.options.pipeline_options import PipelineOptions

    from pipelines import flink
    from schemas.errors import UserError
    from schemas.settings import load_settings
    from tests.flink.pull_pipeline import build

    settings = load_settings()
    options = PipelineOptions(flags=[], runner="FlinkRunner", streaming=True, parallelism=args.parallelism,
                              idle_exit_seconds=args.idle_exit_seconds, progress_seconds=args.progress_seconds)
    try:
        return flink.run(settings, options, build(settings, args.subscription, args.index, args.shards, args.rounds,
                                                    max_messages=args.max_messages))
    except UserError as exc:
        print(f"error: {exc.message}" + (f"\n  hint: {exc.hint}" if exc.hint else ""), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
