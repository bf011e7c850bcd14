"""Rewrites the shipped Kibana saved objects for a name prefix other than ``peacewatch``.

``peacewatch.ndjson`` is written for the default prefix: its data views point at the aliases
``peacewatch-articles``, ``peacewatch-alerts``, ``peacewatch-deadletter`` and
``peacewatch-stances``, and every object id starts with ``peacewatch-``. For another prefix the
data view titles (the index patterns Kibana queries) must name that prefix's aliases, and the ids
change too, so that several prefixes can live side by side in one Kibana space without one
import overwriting another. References are rewritten with the ids they point at.

Usage::

    python deploy/kibana/render.py --prefix staging > /tmp/staging.ndjson
    python deploy/kibana/render.py --prefix staging --input other.ndjson --output out.ndjson
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEFAULT_PREFIX = "peacewatch"
DEFAULT_NDJSON = Path(__file__).resolve().parent / "peacewatch.ndjson"

# Elasticsearch index names: lowercase, none of \ / * ? " < > | , # : or space, and no leading
# - _ +. Kept stricter (letters, digits, - and _) because the prefix also ends up in object ids.
_PREFIX_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,200}$")


def _swap(value: str, prefix: str) -> str:
    """``peacewatch-x`` becomes ``<prefix>-x``; anything else is returned unchanged."""
    head = DEFAULT_PREFIX + "-"
    return prefix + "-" + value[len(head) :] if value.startswith(head) else value


def _render_object(obj: dict[str, Any], prefix: str) -> dict[str, Any]:
    out = dict(obj)
    if isinstance(out.get("id"), str):
        out["id"] = _swap(out["id"], prefix)
    out["references"] = [
        {**ref, "id": _swap(ref["id"], prefix)} if isinstance(ref.get("id"), str) else ref
        for ref in out.get("references") or []
    ]
    if out.get("type") == "index-pattern":
        attributes = dict(out.get("attributes") or {})
        title = attributes.get("title")
        if isinstance(title, str):
            # A data view title may list several patterns separated by commas.
            attributes["title"] = ",".join(_swap(part, prefix) for part in title.split(","))
        name = attributes.get("name")
        if isinstance(name, str) and name.startswith(DEFAULT_PREFIX + " "):
            attributes["name"] = prefix + name[len(DEFAULT_PREFIX) :]
        out["attributes"] = attributes
    return out


def render(ndjson_text: str, prefix: str) -> str:
    """Returns the saved objects in ``ndjson_text`` rewritten for ``prefix``.

    Args:
        ndjson_text: a Kibana saved objects export, one JSON object a line (blank lines are
            dropped; a trailing export summary line without ``type`` is kept as is).
        prefix: the name prefix of the indices, as in ``PEACEWATCH_PREFIX``.

    Returns:
        NDJSON text ending in a newline, with the data view titles naming ``<prefix>-...``
        aliases and every ``peacewatch-`` id (and the references to it) renamed to match.
        The default prefix returns the objects unchanged.

    Raises:
        ValueError: the prefix is not a valid index name prefix, or a line is not a JSON object.
    """
    if not _PREFIX_RE.match(prefix or ""):
        raise ValueError(
            f"invalid prefix {prefix!r}: use lowercase letters, digits, '-' and '_', starting with a letter or digit"
        )
    lines = []
    for number, line in enumerate(ndjson_text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"line {number} is not JSON: {exc}") from None
        if not isinstance(obj, dict):
            raise ValueError(f"line {number} is not a JSON object")
        if "type" in obj:
            obj = _render_object(obj, prefix)
        lines.append(json.dumps(obj, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rewrite the peacewatch Kibana objects for another prefix.")
    parser.add_argument("--prefix", required=True, help="index name prefix (PEACEWATCH_PREFIX)")
    parser.add_argument(
        "--input", type=Path, default=DEFAULT_NDJSON, help="saved objects NDJSON (default: %(default)s)"
    )
    parser.add_argument("--output", type=Path, help="where to write (default: standard output)")
    args = parser.parse_args(argv)
    try:
        text = render(args.input.read_text(encoding="utf-8"), args.prefix)
    except (OSError, ValueError) as exc:
        print(f"render.py: {exc}", file=sys.stderr)
        return 2
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
