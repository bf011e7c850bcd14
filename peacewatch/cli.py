"""The ``peacewatch`` command: a thin dispatcher over each package's own commands.

Each package registers its subcommands (``register(subparsers)``); a subcommand returns an exit
code. Problems the user can fix arrive as :class:`peacewatch.errors.UserError` and are printed as
one line and a hint, never a traceback. Every package is a hard dependency of the command: they
are imported plainly (each defers its heavy imports to the command that needs them).
"""

from __future__ import annotations

import argparse
import difflib
import logging
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from connectors import cli as connectors_cli
from deploy import cli as deploy_cli
from peacewatch import __version__
from peacewatch.clients import elasticsearch_unreachable, pubsub_unreachable
from peacewatch.errors import UserError
from peacewatch.redact import install_log_redaction, redact
from peacewatch.settings import load_settings
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


# Shown under each command's --help (and each one parses: tests/test_cli_usage.py).
EXAMPLES: dict[str, tuple[str, ...]] = {
    "services": (
        "peacewatch services up",
        "peacewatch services status",
        'eval "$(peacewatch services env)"',
        "peacewatch services up flink",
        "peacewatch services down",
    ),
    "setup": ("peacewatch setup", "peacewatch setup --skip-pubsub"),
    "doctor": ("peacewatch doctor",),
    "ingest": ("peacewatch ingest --once -v", "peacewatch ingest --feeds connectors/feeds.yaml"),
    "replay": (
        "peacewatch replay deploy/sample/articles.jsonl --force",
        "peacewatch replay archive.jsonl.gz --rate 10",
    ),
    "run": (
        "peacewatch run --streaming",
        "peacewatch run --streaming --idle-exit-seconds 10",
        "peacewatch run --input archive.jsonl",
        "peacewatch run --streaming --runner FlinkRunner --flink_master 127.0.0.1:8081",
    ),
    "search": (
        "peacewatch search 'coalition AND troops' --country FR --stance support --since 7d",
        "peacewatch search '\"peacekeeping force\"' --mission gaza --sort date --language en",
        "peacewatch search 'actor:Germany AND stance:oppose' --since 2026-01-01 --until 2026-03-31",
    ),
    "reconcile": ("peacewatch reconcile --since 7d", "peacewatch reconcile --since 7d --republish"),
    "analyze": (
        "peacewatch analyze --input articles.jsonl --output out.jsonl",
        "peacewatch analyze --input articles.jsonl --explain",
    ),
    "board": (
        "peacewatch board --mission ukraine",
        "peacewatch board --mission gaza --since 1y --actor-type country",
        "peacewatch board --mission ukraine --format html --output board.html",
    ),
    "missions": ("peacewatch missions", "peacewatch missions --since 30d --json"),
    "alerts": (
        "peacewatch alerts add ceasefire --query 'ceasefire AND country:Ukraine' --channel tail",
        "peacewatch alerts list",
        "peacewatch alerts tail",
    ),
    "alerts add": (
        "peacewatch alerts add moves --kind stance-change --mission ukraine --channel email:desk@example.org",
        "peacewatch alerts add uk-troops --query '\"British troops\" OR title:Starmer' --stance oppose "
        "--channel slack:env:SLACK_URL --throttle 1h",
        "peacewatch alerts add surge --kind spike --term peacekeepers --channel tail",
    ),
    "alerts list": ("peacewatch alerts list", "peacewatch alerts list --json"),
    "alerts show": ("peacewatch alerts show moves",),
    "alerts remove": ("peacewatch alerts remove moves",),
    "alerts enable": ("peacewatch alerts enable moves",),
    "alerts disable": ("peacewatch alerts disable moves",),
    "alerts sync": ("peacewatch alerts sync rules.yaml", "peacewatch alerts sync rules.yaml --keep-others"),
    "alerts test": ("peacewatch alerts test moves --since 30d", "peacewatch alerts test try --query 'troops AND Gaza'"),
    "alerts tail": ("peacewatch alerts tail", "peacewatch alerts tail --rule moves --since 1d --once"),
    "alerts status": ("peacewatch alerts status",),
}


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, except that indented lines (the examples) are kept as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(
            indent + line
            if not line.strip() or line.startswith("  ")
            else super(HelpFormatter, self)._fill_text(line, width, indent)
            for line in text.split("\n")
        )


class CommandParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose mistakes are reported by the (sub)command they belong to.

    Plain argparse hands a subcommand's unknown options back to the top level, which prints the
    top-level usage; here the subcommand itself refuses them, with its own usage and the nearest
    option it does know (``--stances`` -> "did you mean --stance?"). Exit code 2, as argparse.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def parse_known_args(
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if not any(isinstance(a, argparse._SubParsersAction) for a in self._actions):
            # a command's own arguments: a misspelt option is the mistake to report, before
            # "the following arguments are required" about the option it was meant to be
            unknown = []
            for arg in sys.argv[1:] if args is None else args:
                if arg == "--":
                    break
                found = self._parse_optional(arg)
                if found and found[0] is None:
                    unknown.append(arg)
            if unknown:
                self.error(f"unrecognized arguments: {' '.join(unknown)}{self._suggestion(unknown)}")
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}{self._suggestion(extras)}")
        return namespace, extras

    def _suggestion(self, extras: list[str]) -> str:
        known = [o for o in self._option_string_actions if o.startswith("--")]
        for extra in extras:
            if extra.startswith("-"):
                close = difflib.get_close_matches(extra.split("=", 1)[0], known, n=1, cutoff=0.6)
                if close:
                    return f" (did you mean {close[0]}?)"
        takes_one_word = any(not a.option_strings and a.nargs in (None, "?") for a in self._actions)
        if takes_one_word and any(not e.startswith("-") for e in extras):
            return " (quote a value that has spaces)"
        return ""

    def error(self, message: str) -> NoReturn:
        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if choice:
            options = re.findall(r"'([^']*)'", choice.group(2))
            close = difflib.get_close_matches(choice.group(1), options, n=1, cutoff=0.5)
            if close:
                message += f" (did you mean {close[0]}?)"
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n  hint: '{self.prog} --help' lists the options, with examples\n")


def subcommands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """Yields ``(path, parser)`` for every (nested) subcommand: ``("alerts", "add")`` and its parser."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from subcommands(sub, (*path, name))


def _complete_help(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> None:
    """Gives every subcommand a description (its one-line help when it has none) and its examples."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                if not sub.description and helps.get(name):
                    sub.description = helps[name][:1].upper() + helps[name][1:] + "."
                examples = EXAMPLES.get(" ".join((*path, name)))
                if examples:
                    sub.epilog = "examples:\n" + "\n".join(f"  {line}" for line in examples)
                _complete_help(sub, (*path, name))


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="peacewatch",
        description="Follow who backs, refuses or hesitates about a peacekeeping force, as the news unfolds.",
        epilog="Start here: 'peacewatch services up', then 'peacewatch setup'. Each command has --help.",
    )
    parser.add_argument("--version", action="version", version=f"peacewatch {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    _complete_help(parser)
    return parser


def service_error(exc: BaseException) -> UserError | None:
    """The :class:`~peacewatch.errors.UserError` for a service that could not be reached, else None.

    Commands turn the failures they expect into one line and a hint themselves; this is the net
    under all of them, so that no command shows a traceback because Elasticsearch or Pub/Sub is
    down or refuses the credentials.
    """
    module = type(exc).__module__ or ""
    if module.startswith(("elastic_transport", "elasticsearch")):
        from elastic_transport import TransportError
        from elasticsearch import ApiError

        settings = load_settings()
        if isinstance(exc, TransportError):
            return elasticsearch_unreachable(settings, exc)
        if isinstance(exc, ApiError):
            status = getattr(exc, "status_code", None) or getattr(getattr(exc, "meta", None), "status", None)
            if status in (401, 403):
                return UserError(
                    f"Elasticsearch at {settings.es_url_safe} refused the credentials ({status})",
                    "check PEACEWATCH_ES_API_KEY or PEACEWATCH_ES_USERNAME/PASSWORD",
                )
            if status == 404:
                return UserError(
                    f"Elasticsearch at {settings.es_url_safe}: {exc.message}"[:300],
                    "run 'peacewatch setup' to create the indices",
                )
            return UserError(
                f"Elasticsearch at {settings.es_url_safe} refused the request: {exc.message}"[:300],
                "run 'peacewatch doctor' to check the set-up",
            )
    if module.startswith("google.auth"):
        return UserError(
            f"no Google Cloud credentials for Pub/Sub: {str(exc).splitlines()[0][:160]}",
            'for the local emulator: eval "$(peacewatch services env)" (sets PUBSUB_EMULATOR_HOST); '
            "for Google Cloud: gcloud auth application-default login",
        )
    if module.startswith(("google.api_core", "grpc")):
        return pubsub_unreachable(load_settings(), "Pub/Sub", exc)
    return None


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
    name = " ".join(filter(None, (args.command, getattr(args, "alerts_command", None))))
    try:
        try:
            return int(args.func(args) or 0)
        except Exception as exc:
            error = service_error(exc)
            if error is None:
                raise
            raise error from exc
    except UserError as exc:
        print(f"peacewatch {name}: error: {redact(exc.message)}", file=sys.stderr)
        print(
            f"  hint: {redact(exc.hint or f'peacewatch {name} --help shows the options, with examples')}",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print(f"peacewatch {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
