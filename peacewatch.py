"""The ``peacewatch`` command: a thin dispatcher over each package's own commands.

Each package registers its subcommands (``register(subparsers)``); a subcommand returns an exit
code. Problems the user can fix arrive as :class:`schemas.errors.UserError` and are printed as
one line and a hint, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

__version__ = "0.1.0"

COMMAND_MODULES = (
    "deploy.cli",          # services, setup, doctor
    "connectors.cli",      # ingest, replay
    "pipelines.cli",       # run, search, reconcile
    "pipelines.nlp.cli",   # analyze
    "pipelines.board.cli",  # board, missions
    "pipelines.alerts.cli",  # alerts ...
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
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue  # a package not installed in this build
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    from schemas.errors import UserError
    from schemas.redact import install_log_redaction, redact

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
