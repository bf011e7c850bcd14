"""The ``peacewatch`` command: a thin dispatcher over each package's own commands.

Each package registers its subcommands (``register(subparsers)``); a subcommand returns an exit
code. Problems the user can fix arrive as :class:`peacewatch.errors.UserError` and are printed as
one line and a hint, never a traceback. Every package is a hard dependency of the command: they
are imported plainly (each defers its heavy imports to the command that needs them).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from connectors import cli as connectors_cli
from deploy import cli as deploy_cli
from peacewatch import __version__
from peacewatch.errors import UserError
from peacewatch.redact import install_log_redaction, redact
from pipelines import cli as pipelines_cli
from pipelines.alerts import cli as alerts_cli
from pipelines.board import cli as board_cli
from pipelines.nlp import cli as nlp_cli

COMMAND_MODULES = (
    deploy_cli,  # services, setup, doctor
    connectors_cli,  # ingest, replay
    pipelines_cli,  # run, search, reconcile
    nlp_cli,  # analyze
    board_cli,  # board, missions
    alerts_cli,  # alerts ...
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="peacewatch",
        description="Follow who backs, refuses or hesitates about a peacekeeping force, as the news unfolds.",
        epilog="Start here: 'peacewatch services up', then 'peacewatch setup'. Each command has --help.",
    )
    parser.add_argument("--version", action="version", version=f"peacewatch {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs one ``peacewatch`` command line; returns its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    install_log_redaction()  # URLs and errors in every log line lose their secrets
    if args.verbose < 2:
        # Client libraries log every retried connection with a traceback; our errors say it once.
        for noisy in ("elastic_transport", "elasticsearch", "urllib3", "google", "grpc"):
            logging.getLogger(noisy).setLevel(logging.ERROR)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"peacewatch {args.command}: error: {redact(exc.message)}", file=sys.stderr)
        if exc.hint:
            print(f"  hint: {redact(exc.hint)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"peacewatch {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
