"""xml_safety on its own: encodings, CDATA, and the reason given."""

from __future__ import annotations

import codecs

import pytest

from connectors.xml_safety import UnsafeXml, check_xml

BOMB = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><r>&b;</r>'


@pytest.mark.parametrize("encoding, bom", [
    ("utf-8", b""), ("utf-16-le", b""), ("utf-16-be", b""), ("utf-32-le", b""),
    ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-32-be", codecs.BOM_UTF32_BE),
])
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
