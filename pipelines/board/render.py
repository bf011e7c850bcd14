"""The board as a table, JSON, CSV or a self-contained HTML page.

The HTML page has no external resource: the timeline and the counts are drawn by matplotlib as
inline SVG (each report's mark is an SVG link to its article), the page itself is a Jinja2
template with autoescaping. matplotlib because it is the long-kept standard, renders offline with
no JavaScript and writes links into SVG marks (``set_urls``); a plotly page would carry ~3.5 MB of
inlined JavaScript for the same picture.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from typing import Any, TextIO

from .query import STANCES, Board, BoardRow

JSON_KEYS = (
    "actor",
    "actor_type",
    "stance",
    "commitment",
    "condition",
    "since",
    "previous",
    "changed",
    "counts",
    "articles",
    "evidence",
    "source",
    "date",
    "url",
    "undated",
    "actor_code",
    "latest",
)
COLOURS = {"support": "#1a9850", "oppose": "#d73027", "undecided": "#f39c12"}
_TRIM = 110


def safe_url(url: str | None) -> str | None:
    """Only http(s) links reach the page (no ``javascript:`` or ``data:`` URLs)."""
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None


def _day(value: str | None) -> str:
    return value[:10] if value else ""


def _trim(text: str | None, size: int = _TRIM) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _window(board: Board) -> str:
    start = _day(board.since) or "the beginning"
    end = _day(board.until) or "now"
    return f"{start} to {end}"


def _stance_cell(row: BoardRow) -> str:
    label = row.stance
    if row.stance == "support":
        label += f" ({row.commitment})" if row.commitment in ("troops", "other") else ""
    return label + (" [undated]" if row.undated else "")


def as_json(board: Board) -> list[dict[str, Any]]:
    """The rows as the JSON list ``--format json`` prints."""
    return [{k: row.as_dict()[k] for k in JSON_KEYS} for row in board.rows]


def write_json(board: Board, out: TextIO) -> None:
    json.dump(as_json(board), out, ensure_ascii=False, indent=2)
    out.write("\n")


#: The CSV columns: the JSON keys, with ``counts`` spread over one column per stance and the keys
#: that only machines read (``actor_code``, ``latest``) left out.
CSV_KEYS = tuple(
    column
    for key in JSON_KEYS
    if key not in ("actor_code", "latest")
    for column in (STANCES if key == "counts" else (key,))
)


def _csv_value(row: dict[str, Any], column: str) -> object:
    if column in STANCES:
        return row["counts"][column]
    if column == "undated":
        return "yes" if row["undated"] else ""
    value = row[column]
    return "" if value is None else value


def write_csv(board: Board, out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_KEYS)
    for r in board.rows:
        row = r.as_dict()
        writer.writerow([_csv_value(row, column) for column in CSV_KEYS])


def write_table(board: Board, out: TextIO) -> None:
    """A plain-text board: one line per actor and its evidence underneath."""
    counts = board.counts()
    out.write(
        f"{board.mission_name} ({board.mission}), {_window(board)}: {len(board.rows)} actors, "
        f"{board.articles} articles, {board.reports} reports — "
        + ", ".join(f"{n} {s}" for s, n in counts.items())
        + "\n\n"
    )
    header = ("actor", "stance", "since", "previous", "s/o/u", "art.", "condition")
    rows = []
    for r in board.rows:
        previous = f"{r.previous} until {_day(r.changed)}" if r.previous else ""
        since = _day(r.since) or ("date unknown" if r.undated else "")
        rows.append(
            (
                r.actor,
                _stance_cell(r),
                since,
                previous,
                f"{r.counts['support']}/{r.counts['oppose']}/{r.counts['undecided']}",
                str(r.articles),
                _trim(r.condition, 40),
            )
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    out.write(line.rstrip() + "\n" + "  ".join("-" * w for w in widths) + "\n")
    for r, cells in zip(board.rows, rows):
        out.write("  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip() + "\n")
        if r.evidence:
            where = ", ".join(x for x in (r.source, _day(r.date) or "date unknown") if x)
            out.write(f"    “{_trim(r.evidence)}” ({where})\n")
            if r.url:
                out.write(f"    {r.url}\n")


# ----- HTML -------------------------------------------------------------------------------------


def _moment(report: dict[str, Any]) -> datetime | None:
    value = report.get("date") if report.get("dated") else report.get("seen")
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def timeline_svg(board: Board, reports: list[dict[str, Any]]) -> str:
    """One row per actor, time across, colour = stance, one linked mark per report (inline SVG)."""
    import matplotlib
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: small, selectable
    matplotlib.rcParams["svg.hashsalt"] = "peacewatch"  # same data, same bytes
    actors = [r.actor for r in board.rows]
    position = {a: len(actors) - 1 - i for i, a in enumerate(actors)}
    figure = Figure(figsize=(10, max(2.0, 0.32 * len(actors) + 1.2)))
    axes = figure.add_subplot()
    for stance in STANCES:
        for dated in (True, False):
            points = [
                (m, position[r["actor"]], r)
                for r in reports
                if r["stance"] == stance
                and r["actor"] in position
                and bool(r.get("dated")) == dated
                and (m := _moment(r)) is not None
            ]
            if not points:
                continue
            # undated reports (placed when their article was seen) are hollow marks
            marks = axes.scatter(
                [p[0] for p in points],
                [p[1] for p in points],
                s=48,
                c=COLOURS[stance] if dated else "white",
                marker="o",
                label=stance if dated else f"{stance} (undated, placed when seen)",
                edgecolors="white" if dated else COLOURS[stance],
                linewidths=0.6 if dated else 1.6,
                zorder=3,
            )
            marks.set_urls([safe_url(p[2].get("url")) for p in points])
            marks.set_gid(f"marks-{stance}{'' if dated else '-undated'}")
    axes.set_yticks(range(len(actors)), labels=list(reversed(actors)))
    axes.set_ylim(-0.7, len(actors) - 0.3)
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.grid(axis="x", alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    axes.set_title(f"Stance reports on {board.mission_name} over time (one mark per report; click to open)")
    figure.tight_layout()
    return _svg(figure)


def counts_svg(board: Board) -> str:
    """Reports per stance (all actors) as a horizontal bar chart (inline SVG)."""
    import matplotlib
    from matplotlib.figure import Figure

    matplotlib.rcParams["svg.fonttype"] = "none"
    totals = {s: sum(r.counts[s] for r in board.rows) for s in STANCES}
    figure = Figure(figsize=(6, 1.6))
    axes = figure.add_subplot()
    bars = axes.barh(list(STANCES), [totals[s] for s in STANCES], color=[COLOURS[s] for s in STANCES])
    axes.bar_label(bars, padding=3)
    axes.invert_yaxis()
    axes.set_title("Reports per stance")
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _svg(figure)


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Stance board: {{ board.mission_name }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
.support { color: #1a9850; font-weight: 600; } .oppose { color: #d73027; font-weight: 600; }
.undecided { color: #c27c0e; font-weight: 600; }
.evidence { color: #444; font-size: 13px; } .muted { color: #888; }
figure { margin: 1em 0; } svg { max-width: 100%; height: auto; }
</style></head>
<body>
<h1>Stance board: {{ board.mission_name }} <span class="muted">({{ board.mission }})</span></h1>
<p>{{ window }} · {{ board.rows|length }} actors · {{ board.articles }} articles · {{ board.reports }} reports ·
{% for stance, n in counts.items() %}<span class="{{ stance }}">{{ n }} {{ stance }}</span>
{%- if not loop.last %}, {% endif %}{% endfor %}</p>
<table id="board">
<thead><tr><th>actor</th><th>stance</th><th>commitment</th><th>condition</th><th>since</th><th>previous</th>
<th>support / oppose / undecided</th><th>articles</th><th>strongest evidence</th></tr></thead>
<tbody>
{% for r in board.rows %}<tr class="row" data-actor="{{ r.actor }}" data-stance="{{ r.stance }}">
<td>{{ r.actor }}<br><span class="muted">{{ r.actor_type or "" }}</span></td>
<td class="{{ r.stance }}">{{ r.stance }}{% if r.undated %} <span class="muted">(undated)</span>{% endif %}</td>
<td>{{ r.commitment }}</td><td>{{ r.condition or "" }}</td>
<td>{{ (r.since or "")[:10] or ("date unknown" if r.undated else "") }}</td>
<td>{% if r.previous %}{{ r.previous }} until {{ (r.changed or "")[:10] }}{% endif %}</td>
<td>{{ r.counts.support }} / {{ r.counts.oppose }} / {{ r.counts.undecided }}</td><td>{{ r.articles }}</td>
<td class="evidence">“{{ r.evidence or "" }}”<br>
{%- if r.source %}{{ r.source }}, {% endif %}{{ (r.date or "")[:10] or "date unknown" }}
{% if safe_url(r.url) %}· <a href="{{ safe_url(r.url) }}">article</a>{% endif %}</td></tr>
{% endfor %}</tbody></table>
<figure id="timeline">{{ timeline|safe }}</figure>
<figure id="counts">{{ counts_chart|safe }}</figure>
<p class="muted">Generated by peacewatch board on {{ generated }}.
Undated reports are placed at the time their article was first seen.</p>
</body></html>
"""


def write_html(board: Board, reports: list[dict[str, Any]], out: TextIO) -> None:
    """The self-contained page: table, timeline (linked marks), counts per stance."""
    from jinja2 import Environment

    template = Environment(autoescape=True).from_string(_PAGE)
    out.write(
        template.render(
            board=board,
            window=_window(board),
            safe_url=safe_url,
            counts=board.counts(),
            timeline=timeline_svg(board, reports),
            counts_chart=counts_svg(board),
            generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        )
    )
