"""``peacewatch ingest`` and ``peacewatch replay``: argument parsing only; the work is elsewhere."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

DEFAULT_FEEDS = Path(__file__).with_name("feeds.yaml")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the ``ingest`` and ``replay`` subcommands."""
    ingest = subparsers.add_parser(
        "ingest",
        help="poll news feeds and publish new articles",
        description="Poll every configured feed on its interval and publish each new article once.",
    )
    ingest.add_argument(
        "--feeds",
        default=str(DEFAULT_FEEDS),
        metavar="PATH",
        help="feeds file with a top-level 'feeds:' list (default: the bundled connectors/feeds.yaml)",
    )
    ingest.add_argument("--once", action="store_true", help="poll every feed once, print a summary and exit")
    ingest.add_argument(
        "--state-db", metavar="PATH", help="de-duplication store (default <data_dir>/connectors.sqlite3)"
    )
    ingest.add_argument("--workers", type=_positive_int, default=16, help="concurrent feed fetches (default 16)")
    ingest.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="more logging; with --once also a line of counts per feed",
    )
    ingest.set_defaults(func=run_ingest)

    replay = subparsers.add_parser(
        "replay",
        help="publish articles from a JSON Lines archive",
        description="Publish articles from a JSON Lines file with the same normalisation and de-duplication as feeds.",
    )
    replay.add_argument("file", metavar="FILE.jsonl", help="one article per line (.jsonl or .jsonl.gz, - for stdin)")
    replay.add_argument("--rate", type=_positive_float, metavar="N", help="at most N articles per second")
    replay.add_argument(
        "--state-db", metavar="PATH", help="de-duplication store (default <data_dir>/connectors.sqlite3)"
    )
    replay.add_argument("--force", action="store_true", help="republish articles already recorded as published")
    replay.set_defaults(func=run_replay)


def _positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    """An argparse type: a positive whole number (``int``) or number (``float``)."""
    noun = "a whole number" if kind is int else "a number"

    def convert(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {noun}, not {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, not {text}")
        return value

    return convert


_positive_int = _positive(int)
_positive_float = _positive(float)


def _configure_logging() -> None:
    from peacewatch.redact import install_log_redaction

    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
    install_log_redaction()


def run_ingest(args: argparse.Namespace) -> int:
    """Runs ``peacewatch ingest``; returns 0, or 1 when nothing could be polled or published."""
    import threading

    from connectors.feeds_config import describe, load_feeds
    from connectors.ingest import ingest
    from peacewatch.settings import load_settings

    _configure_logging()
    feeds = load_feeds(args.feeds)
    settings = load_settings()
    logger.info(
        "ingest: %s, state in %s", describe(feeds), args.state_db or Path(settings.data_dir) / "connectors.sqlite3"
    )
    stop = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    per_feed: dict = {}
    try:
        counts = ingest(
            feeds,
            settings,
            once=args.once,
            state_db=args.state_db,
            workers=args.workers,
            stop_event=stop,
            per_feed=per_feed,
        )
    except KeyboardInterrupt:
        print("ingest: interrupted", file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if getattr(args, "verbose", 0) and per_feed:
        from connectors.progress import per_feed_table

        print("\n".join(per_feed_table(per_feed)), file=sys.stderr)
    failed_everywhere = counts.feeds_polled and counts.feeds_failed == counts.feeds_polled
    return 1 if counts.publish_failed or failed_everywhere else 0


def run_replay(args: argparse.Namespace) -> int:
    """Runs ``peacewatch replay``; returns 0, or 1 when some articles could not be published."""
    from connectors.replay import replay
    from peacewatch.settings import load_settings

    _configure_logging()
    settings = load_settings()
    try:
        counts = replay(args.file, settings, rate=args.rate, state_db=args.state_db, force=args.force)
    except KeyboardInterrupt:
        print("replay: interrupted", file=sys.stderr)
        return 130
    return 1 if counts.publish_failed else 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m connectors.cli``) until the ``peacewatch`` command wires ``register``."""
    from peacewatch.errors import UserError
    from peacewatch.redact import redact

    parser = argparse.ArgumentParser(prog="peacewatch")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:
        print(f"error: {redact(exc.message)}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {redact(exc.hint)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
