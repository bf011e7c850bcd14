"""Refuses XML that could make a parser expand entities or read other resources.

Runs on the raw bytes *before* feedparser: a ``<!DOCTYPE`` with an internal subset declaring
entities is the whole mechanism of "billion laughs" (exponential expansion) and of external
entities (``SYSTEM "file:///etc/passwd"``). Real feeds do not need either; the public DOCTYPE
of RSS 0.91 (an external DTD reference without entity declarations) stays allowed because
feedparser never fetches it.
"""

from __future__ import annotations

import codecs
import re

_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.DOTALL)
_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class UnsafeXml(ValueError):
    """The document declares entities; ``reason`` says which construct was found."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __reduce__(self):
        return (type(self), (self.reason,))


def _ascii_view(data: bytes) -> bytes:
    """The document re-encoded so that markup is ASCII bytes, whatever its encoding."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, "replace").encode("utf-8", "replace")
    head = data[:4]
    # UTF-16/32 without a BOM: '<' next to NUL bytes (XML 1.0 appendix F).
    if head in (b"\x00\x00\x00<", b"<\x00\x00\x00"):
        return data.decode("utf-32-be" if head[0] == 0 else "utf-32-le", "replace").encode("utf-8", "replace")
    if head[:2] in (b"\x00<", b"<\x00"):
        return data.decode("utf-16-be" if head[0] == 0 else "utf-16-le", "replace").encode("utf-8", "replace")
    return data  # every other encoding a feed may use is ASCII-compatible for markup


def check_xml(data: bytes) -> None:
    """Raises :class:`UnsafeXml` when ``data`` declares entities.

    The common case (no ``<!ENTITY`` anywhere) is a single C-speed byte search.

    Args:
        data: the feed exactly as received (after HTTP decompression).

    Raises:
        UnsafeXml: with a reason naming the construct (entity declaration, external entity).
    """
    view = _ascii_view(data)
    if not _ENTITY.search(view):
        return
    if b"<![CDATA[" in view:
        view = _CDATA.sub(b"", view)  # an article about XML may quote <!ENTITY inside CDATA
        match = _ENTITY.search(view)
        if not match:
            return
    match = _ENTITY.search(view)
    assert match is not None
    declaration = view[match.start(): match.start() + 300]
    end = declaration.find(b">")
    declaration = declaration[: end + 1 if end >= 0 else None]
    if re.search(rb"\b(SYSTEM|PUBLIC)\b", declaration, re.IGNORECASE):
        kind = "external entity"
    elif declaration[8:].lstrip().startswith(b"%"):
        kind = "parameter entity"
    else:
        kind = "entity declaration"
    where = "in the DOCTYPE" if _DOCTYPE_SUBSET.search(view[: match.start()]) else "in the document"
    shown = declaration[:80].decode("utf-8", "replace")
    raise UnsafeXml(f"refused: {kind} {where} ({shown!r}); feeds must not declare entities")
