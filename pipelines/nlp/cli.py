"""``peacewatch analyze``: run the NLP analysis over a JSON-lines file of articles."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from typing import IO, TextIO

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``analyze`` subcommand to a ``peacewatch`` argument parser."""
    parser = subparsers.add_parser(
        "analyze",
        help="relevance, entities and stances for articles in a JSON-lines file",
        description="Analyse news articles (JSON lines with id, url, title, published, text).",
    )
    parser.add_argument("--input", required=True, help="input JSONL file, or - for stdin")
    parser.add_argument("--output", default="-", help="output JSONL file (default: stdout)")
    parser.add_argument(
        "--explain", action="store_true", help="add explanations to the output and print a readable summary to stderr"
    )
    parser.add_argument("--model", default=None, help="spaCy model package (default: auto)")
    parser.add_argument("--batch-size", type=int, default=32, help="nlp.pipe batch size")
    parser.set_defaults(func=run_analyze)


def _open(path: str, mode: str) -> IO[str]:
    if path == "-":
        return sys.stdin if "r" in mode else sys.stdout
    return open(path, mode, encoding="utf-8")


def _read_articles(handle: TextIO, counters: dict[str, int]) -> Iterator[dict]:
    for number, line in enumerate(handle, 1):
        if not line.strip():
            continue
        try:
            article = json.loads(line)
        except json.JSONDecodeError as exc:
            print(f"line {number}: skipped, not JSON ({exc.msg})", file=sys.stderr)
            counters["skipped"] += 1
            continue
        if not isinstance(article, dict) or not isinstance(article.get("text"), str):
            print(f"line {number}: skipped, no 'text' string", file=sys.stderr)
            counters["skipped"] += 1
            continue
        article.setdefault("id", f"line-{number}")
        counters["read"] += 1
        yield article


def _explain_line(result: dict) -> str:
    from .lang_route import route_name

    route = route_name(result.get("language")) if result.get("analysed") else None
    lines = [
        f"[{result['id']}] relevant={result['relevant']} score={result['relevance']} "
        f"language={result['language']} route={route or 'none'} topics={result['topics']}"
    ]
    if result.get("not_analysed_reason"):
        lines.append(f"  not analysed: {result['not_analysed_reason']}")
    if result.get("relevance_classifier") is not None:
        vetoed = any(m["term"] == "(trained classifier veto)" for m in result["relevance_explanation"])
        lines.append(f"  trained classifier p={result['relevance_classifier']}" + (" (veto)" if vetoed else ""))
    for match in result["relevance_explanation"][:6]:
        where = ", ".join(f"{p['where']}@{p['start']}" for p in match.get("positions", [])[:3])
        lines.append(f"  term {match['term']!r} x{match['count']} (w={match['weight']}) at {where}")
    for stance in result["stances"]:
        exp = stance.get("explanation", {})
        lines.append(
            f"  {stance['actor']}: {stance['stance']} ({stance['confidence']}) cue={stance['cue']!r} "
            f"via {exp.get('actor_resolution', '')}"
            + (f" condition={stance['condition']!r}" if stance.get("condition") else "")
        )
        if exp.get("mechanism"):
            lines.append(f"    {exp['mechanism']}")
        lines.append(f'    "{stance["evidence"][:200]}"')
    return "\n".join(lines)


def run_analyze(args: argparse.Namespace) -> int:
    """Run the analysis; returns the process exit code."""
    from peacewatch.errors import UserError

    from .analyze import analyze_articles
    from .language_counts import count_languages, format_language_counts
    from .missions import load_catalogue
    from .model import load_nlp

    load_catalogue()  # a bad missions file stops here, naming the entry

    counters = {"read": 0, "skipped": 0}
    progress = sys.stderr.isatty()
    try:
        source = _open(args.input, "r")
    except OSError as exc:
        raise UserError(
            f"cannot read {args.input}: {exc.strerror}", "pass --input FILE.jsonl (or - for stdin)"
        ) from None
    try:
        nlp = load_nlp(args.model)
    except RuntimeError as exc:
        source.close()
        raise UserError(str(exc), "make install, or set PEACEWATCH_SPACY_MODEL / --model") from None
    written = 0
    languages = count_languages([])
    with source, _open(args.output, "w") as sink:
        for result in analyze_articles(
            nlp, _read_articles(source, counters), batch_size=args.batch_size, explain=args.explain
        ):
            sink.write(json.dumps(result, ensure_ascii=False) + "\n")
            written += 1
            languages.update(count_languages([result]))
            if args.explain:
                print(_explain_line(result), file=sys.stderr)
            if progress and written % 100 == 0:
                print(f"\ranalysed {written} articles", end="", file=sys.stderr)
    if progress:
        print(file=sys.stderr)
    print(f"analysed {written} articles, skipped {counters['skipped']} bad lines", file=sys.stderr)
    print(f"languages: {format_language_counts(languages)}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point (``python -m pipelines.nlp.cli analyze ...``)."""
    parser = argparse.ArgumentParser(prog="peacewatch")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
