"""xml_safety on its own: encodings, CDATA, and the reason given."""

from __future__ import annotations

import codecs

import pytest

from connectors.xml_safety import UnsafeXml, check_xml

BOMB = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><r>&b;</r>'


@pytest.mark.parametrize(
    "encoding, bom",
    [
        ("utf-8", b""),
        ("utf-16-le", b""),
        ("utf-16-be", b""),
        ("utf-32-le", b""),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-32-be", codecs.BOM_UTF32_BE),
    ],
)
def test_entity_declarations_found_in_every_encoding(encoding, bom) -> None:
    with pytest.raises(UnsafeXml, match="entity declaration in the DOCTYPE"):
        check_xml(bom + BOMB.encode(encoding))


def test_external_entity_is_named() -> None:
    with pytest.raises(UnsafeXml, match="external entity"):
        check_xml(b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>')


def test_plain_feeds_and_cdata_mentions_pass() -> None:
    check_xml(b'<?xml version="1.0"?><rss><channel><item><title>ok &amp; fine</title></item></channel></rss>')
    check_xml(b"<rss><item><description><![CDATA[<!ENTITY x 'y'>]]></description></item></rss>")
    check_xml(b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "rss-0.91.dtd"><rss/>')


BYPASS = (
    b'<!-- <![CDATA[ --><!DOCTYPE rss [<!ENTITY s "EXPANDED-ENTITY-TEXT">]>\n'
    b'<!-- ]]> --><rss version="2.0"><channel><title>t</title><item><title>&s;</title>'
    b"<link>http://example.org/1</link></item></channel></rss>"
)


def test_declarations_hidden_behind_comments_that_look_like_cdata_are_refused() -> None:
    import io

    import feedparser

    # What the check protects: feedparser alone expands the declared entity.
    parsed = feedparser.parse(io.BytesIO(BYPASS), sanitize_html=False, resolve_relative_uris=False)
    assert parsed.entries[0].title == "EXPANDED-ENTITY-TEXT"
    with pytest.raises(UnsafeXml, match="entity declaration in the DOCTYPE"):
        check_xml(BYPASS)
    # A real CDATA section that quotes a declaration, next to comments, is text.
    check_xml(
        b"<rss><!-- <!ENTITY in a comment> --><item><description><![CDATA[<!-- <!ENTITY x 'y'> -->]]>"
        b"</description></item></rss>"
    )


@pytest.mark.parametrize(
    "document",
    [
        b'<rss><item></rss><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',  # malformed before the declaration
        b'<?xml version="1.0" encoding="x-unknown-charset"?><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>',
        b'<rss><item><![CDATA[ unterminated <!ENTITY a "b"> ',
    ],
)
def test_documents_expat_cannot_finish_are_refused_when_they_mention_entities(document: bytes) -> None:
    with pytest.raises(UnsafeXml, match="not well-formed"):
        check_xml(document)


def test_declaration_visible_only_under_the_http_charset_is_refused() -> None:
    document = '<rss><item></rss><!DOCTYPE x [<!ENTITY a "b">]>'.encode("utf-16-le")[2:]  # no BOM, odd start
    with pytest.raises(UnsafeXml):
        check_xml(document, charset="utf-16-le")
    check_xml(b"<rss><item><title>broken &amp; fine</item></rss>")  # malformed without entities: feedparser's call
