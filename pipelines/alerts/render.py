"""How an alert looks in each medium: snippets with highlights, plain text, HTML, Slack mrkdwn.

The alert's ``snippet`` follows Elasticsearch's highlighter convention: HTML-escaped text with
matched words wrapped in ``<em>...</em>``. :func:`snippet_parts` turns it back into
``(text, highlighted)`` pieces so each medium escapes for itself (HTML for email, ``& < >`` for
Slack mrkdwn, nothing for plain text).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote

from pipelines.alerts.analysis import tokenize

logger = logging.getLogger(__name__)

SNIPPET_CHARS = 240
_EM_RE = re.compile(r"<em>(.*?)</em>", re.DOTALL)
_ADJACENT_RE = re.compile(r"</em>(\s+)<em>")


def _highlighted_tokens(tokens: list[Any], terms: Iterable[str]) -> list[int]:
    """Indexes of the tokens to highlight: each matched word, and each matched phrase where it occurs.

    A phrase's words are highlighted where they stand together (in order; for a phrase matched with
    slop, in the shortest stretch holding them all), never elsewhere: in "coalition of the
    willing", "of" and "the" are marked inside that phrase only, not throughout the article.
    """
    words = [t.text for t in tokens]
    singles = {term for term in map(str, terms) if " " not in term.strip()}
    marked = {i for i, word in enumerate(words) if word in singles}
    for phrase in {tuple(str(term).split()) for term in terms if " " in str(term).strip()}:
        size = len(phrase)
        runs = [i for i in range(len(words) - size + 1) if tuple(words[i : i + size]) == phrase]
        for i in runs:
            marked.update(range(i, i + size))
        if not runs:
            marked.update(_shortest_stretch(words, phrase))
    return sorted(marked)


def _shortest_stretch(words: list[str], phrase: tuple[str, ...], slack: int = 10) -> list[int]:
    """The phrase's words in the shortest stretch of ``words`` that holds them all (at most ``slack``
    words longer than the phrase), or nothing."""
    wanted = set(phrase)
    best: tuple[int, int] | None = None
    for start, word in enumerate(words):
        if word not in wanted:
            continue
        missing = set(wanted)
        for end in range(start, min(len(words), start + len(phrase) + slack)):
            missing.discard(words[end])
            if not missing:
                if best is None or end - start < best[1] - best[0]:
                    best = (start, end)
                break
    return [i for i in range(best[0], best[1] + 1) if words[i] in wanted] if best else []


def merge_adjacent(snippet: str) -> str:
    """Joins highlights separated only by spaces (``<em>a</em> <em>b</em>`` -> ``<em>a b</em>``):
    a phrase reads as one highlight, whether Elasticsearch or :func:`make_snippet` marked it."""
    return _ADJACENT_RE.sub(r"\1", snippet)


def make_snippet(article: Mapping[str, Any], terms: Iterable[str], width: int = SNIPPET_CHARS) -> str:
    """Returns an escaped excerpt of the article around its first matched word, highlighted.

    Args:
        article: the enriched article (``summary``, ``text`` or ``title`` is used).
        terms: folded words or phrases (``matched_terms`` of a match); a phrase is highlighted
            where its words stand together, as one highlight.
        width: about how many characters of text to keep.
    """
    terms = [str(t) for t in terms]
    words = {w for term in terms for w in term.split()}
    candidates = [article.get(k) or "" for k in ("text", "summary", "title")]
    text = next((t for t in candidates if any(tok.text in words for tok in tokenize(t))), None)
    text = text if text is not None else next((t for t in candidates if t), "")
    tokens = list(tokenize(text))
    hits = [(tokens[i].start, tokens[i].end) for i in _highlighted_tokens(tokens, terms)]
    start = max(0, hits[0][0] - width // 3) if hits else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < hits[0][0] else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    out: list[str] = ["…" if start else ""]
    cursor = start
    for hit_start, hit_end in hits:
        if hit_start < start or hit_end > end:
            continue
        out.append(html.escape(text[cursor:hit_start], quote=False))
        out.append(f"<em>{html.escape(text[hit_start:hit_end], quote=False)}</em>")
        cursor = hit_end
    out.append(html.escape(text[cursor:end], quote=False))
    out.append("…" if end < len(text) else "")
    return merge_adjacent(" ".join("".join(out).split()))


def plain_snippet(snippet: str | None, mark: str = "*") -> str:
    """The snippet as plain text, each highlight between ``mark``s (terminal, email text part)."""
    return "".join(f"{mark}{t}{mark}" if hit else t for t, hit in snippet_parts(snippet))


def snippet_parts(snippet: str | None) -> list[tuple[str, bool]]:
    """Splits an escaped, ``<em>``-highlighted snippet into ``(plain text, highlighted)`` pieces."""
    parts: list[tuple[str, bool]] = []
    cursor = 0
    snippet = snippet or ""
    for found in _EM_RE.finditer(snippet):
        if found.start() > cursor:
            parts.append((html.unescape(snippet[cursor : found.start()]), False))
        parts.append((html.unescape(found.group(1)), True))
        cursor = found.end()
    if cursor < len(snippet):
        parts.append((html.unescape(snippet[cursor:]), False))
    return parts


def slack_escape(text: str) -> str:
    """Escapes text for Slack mrkdwn (``&``, ``<``, ``>``), so it can neither link nor mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _stances_line(alert: Mapping[str, Any]) -> str:
    return ", ".join(f"{s.get('actor')}: {s.get('stance')}" for s in alert.get("stances") or [])


def headline(alert: Mapping[str, Any]) -> str:
    """One line that says what happened."""
    kind = alert.get("kind")
    if kind == "stance_change":
        d = alert.get("details") or {}
        before = d.get("previous") or "no position"
        on = f" on {d['mission']}" if d.get("mission") else ""
        return f"[{alert['rule']}] {d.get('actor')}{on}: {before} → {d.get('current')}"
    if kind == "spike":
        d = alert.get("details") or {}
        return f"[{alert['rule']}] spike: {d.get('count')} mentions in the hour (baseline {d.get('mean', 0):.1f})"
    return f"[{alert['rule']}] {alert.get('title')}"


def _is_change(alert: Mapping[str, Any]) -> bool:
    return alert.get("kind") == "stance_change"


def _evidence(alert: Mapping[str, Any]) -> list[tuple[str, str, str | None, str | None, Any]]:
    """A stance change's two sides: ``(label, stance, date, sentence, link)``, before then now.

    A first position has no "before". Both sentences are the alert's point, so every medium
    shows them (and their links) instead of the snippet.
    """
    d = alert.get("details") or {}
    if not _is_change(alert):
        return []
    out = []
    if d.get("previous_evidence"):
        out.append(
            ("before", d.get("previous"), d.get("previous_published"), d["previous_evidence"], d.get("previous_url"))
        )
    if d.get("evidence"):
        out.append(("now", d.get("current"), alert.get("published"), d["evidence"], d.get("url") or alert.get("url")))
    return out


def _label(side: str, stance: Any, date: Any) -> str:
    return f"{side} ({stance}{', ' + str(date)[:10] if date else ''})"


def change_lines(alert: Mapping[str, Any]) -> list[str]:
    """A stance change's evidence as text: the sentence before and the sentence now, with their links."""
    return [
        f'{_label(side, stance, date)}: "{sentence}"' + (f" {url}" if url else "")
        for side, stance, date, sentence, url in _evidence(alert)
    ]


def as_text(alert: Mapping[str, Any]) -> str:
    """The alert as plain text (terminal, email text part)."""
    lines = [headline(alert)]
    meta = " | ".join(str(x) for x in (alert.get("source"), alert.get("published")) if x)
    if meta:
        lines.append(meta)
    if alert.get("snippet") and not _is_change(alert):
        lines.append(plain_snippet(alert["snippet"]))
    if alert.get("stances") and not _is_change(alert):
        lines.append(f"stances: {_stances_line(alert)}")
    lines.extend(change_lines(alert))
    for label, key in (("article", "url"), ("kibana", "kibana_url")):
        if alert.get(key):
            lines.append(f"{label}: {alert[key]}")
    return "\n".join(lines)


def as_html(alert: Mapping[str, Any]) -> str:
    """The alert as an HTML fragment; every value is escaped, URLs only as ``href``s of http(s) links."""

    def esc(value: Any) -> str:
        return html.escape(str(value), quote=True)

    def link(url: Any, label: str) -> str:
        if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
            return esc(label)
        return f'<a href="{esc(url)}">{esc(label)}</a>'

    change = _is_change(alert)
    snippet = "".join(f"<mark>{esc(t)}</mark>" if hit else esc(t) for t, hit in snippet_parts(alert.get("snippet")))
    meta = " · ".join(esc(x) for x in (alert.get("source"), alert.get("published")) if x)
    parts = [
        f"<h3>{esc(headline(alert))}</h3>",
        f"<p>{meta}</p>" if meta else "",
        f"<p>{snippet}</p>" if snippet and not change else "",
        f"<p>Stances: {esc(_stances_line(alert))}</p>" if alert.get("stances") and not change else "",
        *_change_html(alert, esc, link),
        f"<p>{link(alert.get('url'), 'Open article')} · {link(alert.get('kibana_url'), 'Open in Kibana')}</p>",
    ]
    return "".join(p for p in parts if p)


def _change_html(alert: Mapping[str, Any], esc: Callable[[Any], str], link: Callable[[Any, str], str]) -> list[str]:
    return [
        f"<p>{esc(_label(side, stance, date).capitalize())}: “{esc(sentence)}” {link(url, 'article')}</p>"
        for side, stance, date, sentence, url in _evidence(alert)
    ]


def _slack_link(url: Any, label: str) -> str:
    if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
        return slack_escape(label)
    safe_url = url.replace("|", quote("|")).replace(">", quote(">")).replace("<", quote("<"))
    return f"<{safe_url}|{slack_escape(label).replace('|', '¦')}>"


def as_slack(alert: Mapping[str, Any]) -> dict[str, Any]:
    """A Slack incoming-webhook payload (``text`` fallback plus ``blocks``), mrkdwn escaped."""
    snippet = "".join(
        f"*{slack_escape(t).replace('*', '∗')}*" if hit else slack_escape(t)
        for t, hit in snippet_parts(alert.get("snippet"))
    )
    title = _slack_link(alert.get("url"), headline(alert))
    lines = [f"*{title}*"]
    meta = " | ".join(slack_escape(str(x)) for x in (alert.get("source"), alert.get("published")) if x)
    if meta:
        lines.append(meta)
    change = _is_change(alert)
    if snippet and not change:
        lines.append(f">{snippet}")
    if alert.get("stances") and not change:
        lines.append(f"Stances: {slack_escape(_stances_line(alert))}")
    for side, stance, date, sentence, url in _evidence(alert):
        lines.append(
            f"{slack_escape(_label(side, stance, date).capitalize())}: “{slack_escape(str(sentence))}” "
            f"{_slack_link(url, 'article')}"
        )
    if alert.get("kibana_url"):
        lines.append(_slack_link(alert["kibana_url"], "Open in Kibana"))
    body = "\n".join(lines)
    return {
        "text": slack_escape(headline(alert)),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": body[:2900]}}],
    }


def digest_text(rule: str, alerts: list[Mapping[str, Any]], period: str) -> str:
    """A digest's plain text: one short paragraph per alert."""
    head = f"{len(alerts)} alert(s) for rule {rule} ({period})"
    return "\n\n".join([head] + [as_text(a) for a in alerts])


def digest_html(rule: str, alerts: list[Mapping[str, Any]], period: str) -> str:
    head = html.escape(f"{len(alerts)} alert(s) for rule {rule} ({period})")
    return f"<h2>{head}</h2>" + "<hr>".join(as_html(a) for a in alerts)


def digest_slack(rule: str, alerts: list[Mapping[str, Any]], period: str) -> dict[str, Any]:
    head = slack_escape(f"{len(alerts)} alert(s) for rule {rule} ({period})")
    items = []
    for a in alerts[:40]:
        items.append(f"• {_slack_link(a.get('url'), headline(a))}")
        items.extend(
            f"    {slack_escape(_label(side, stance, date))}: “{slack_escape(str(sentence))}” "
            f"{_slack_link(url, 'article')}"
            for side, stance, date, sentence, url in _evidence(a)
        )
    if len(alerts) > 40:
        items.append(f"… and {len(alerts) - 40} more")
    return {
        "text": head,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{head}*\n" + "\n".join(items)[:2900]}}],
    }
