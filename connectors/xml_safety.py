"""Refuses XML that could make a parser expand entities or read other resources.

Runs on the raw bytes *before* feedparser. The document goes through defusedxml's parser (expat
with entity declarations and external references forbidden), which reads comments, CDATA
sections and the DOCTYPE exactly as an XML parser does: an entity declaration hidden behind a
comment that looks like a CDATA opener (``<!-- <![CDATA[ -->``) is still a declaration and is
refused, while ``<!ENTITY`` written inside a real CDATA section is text and passes. A "billion
laughs" document is refused at its first declaration, before anything is expanded.

Real feeds need no entity declarations; the public DOCTYPE of RSS 0.91 (an external DTD that is
never fetched) stays allowed.

A document expat cannot read to the end (malformed, or in an encoding expat does not know)
would be handed to feedparser's lenient parser, which sees structure differently: for those,
``<!ENTITY`` anywhere (in the bytes, or in the text decoded with the declared or HTTP charset)
is refused, even inside what looks like CDATA.
"""

from __future__ import annotations

import codecs
import re
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from peacewatch.errors import PeacewatchError

_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_ENTITY_TEXT = re.compile(r"<!ENTITY", re.IGNORECASE)
_DECLARED = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_XML_ENCODING = re.compile(rb"""(?<=<\?xml)([^>]*?)\s+encoding\s*=\s*["'][^"']*["']""")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class UnsafeXml(PeacewatchError, ValueError):
    """The document declares entities; ``reason`` says which construct was found."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Discard:
    """A parser target with no callbacks: the parse only checks, it builds nothing."""


def _ascii_view(data: bytes) -> bytes:
    """The document re-encoded so that markup is ASCII bytes, whatever its encoding."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace").encode("utf-8", "replace")
    head = data[:4]
    # UTF-16/32 without a BOM: '<' next to NUL bytes (XML 1.0 appendix F).
    if head in (b"\x00\x00\x00<", b"<\x00\x00\x00"):
        return data.decode("utf-32-be" if head[0] == 0 else "utf-32-le", "replace").encode("utf-8", "replace")
    if head[:2] in (b"\x00<", b"<\x00"):
        return data.decode("utf-16-be" if head[0] == 0 else "utf-16-le", "replace").encode("utf-8", "replace")
    return data  # every other encoding a feed may use is ASCII-compatible for markup


def _expat_readable(data: bytes) -> bytes:
    """UTF-32 (which expat does not read) as UTF-8 with the declared encoding dropped; the rest as is."""
    head = data[:4]
    if head in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, b"\x00\x00\x00<", b"<\x00\x00\x00"):
        return _XML_ENCODING.sub(rb"\1", _ascii_view(data), count=1)
    return data


def _refusal(exc: DefusedXmlException) -> UnsafeXml:
    if isinstance(exc, ExternalReferenceForbidden) or getattr(exc, "sysid", None) or getattr(exc, "pubid", None):
        kind = "external entity"
    else:
        kind = "entity declaration in the DOCTYPE"
    name = getattr(exc, "name", None)
    shown = f" ({name!r})" if name else ""
    return UnsafeXml(f"refused: {kind}{shown}; feeds must not declare entities")


def _declares_anywhere(data: bytes, charset: str | None) -> bool:
    """``<!ENTITY`` anywhere in the bytes or in their text under the declared or HTTP charset."""
    if _ENTITY.search(_ascii_view(data)):
        return True
    declared = _DECLARED.match(data[:512])
    for encoding in {declared.group(1).decode("ascii") if declared else None, charset} - {None}:
        try:
            text = data.decode(encoding, "replace")  # type: ignore[arg-type]
        except LookupError:
            continue
        if _ENTITY_TEXT.search(text):
            return True
    return False


def check_xml(data: bytes, charset: str | None = None) -> None:
    """Raises :class:`UnsafeXml` when ``data`` declares entities or references external ones.

    Args:
        data: the feed exactly as received (after HTTP decompression).
        charset: the charset of the HTTP ``Content-Type``, if any (feedparser honours it).

    Raises:
        UnsafeXml: with a reason naming the construct (entity declaration, external entity).
    """
    parser = DefusedXMLParser(target=_Discard(), forbid_dtd=False, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(_expat_readable(data))
        parser.close()
        return
    except DefusedXmlException as exc:
        raise _refusal(exc) from None
    except (ParseError, ValueError, LookupError):
        pass  # not well-formed (or an encoding expat does not read): feedparser will parse it leniently
    if _declares_anywhere(data, charset):
        raise UnsafeXml(
            "refused: entity declaration in a document that is not well-formed XML; feeds must not declare entities"
        )


__all__ = ["EntitiesForbidden", "UnsafeXml", "check_xml"]
