"""Canonical URLs and the deterministic article ids derived from them.

Every producer (feed connectors, replays, other systems) names an article by the id of its
canonical URL, so the same story reached twice, through two feeds or a retried publish, is one
document in the index and one row in the de-duplication store.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that identify a campaign or a click, never the article itself.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_ga",
        "_gl",
        "ref",
        "ref_src",
        "ref_url",
        "cmpid",
        "ocid",
        "ito",
        "ns_mchannel",
        "ns_source",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "CMP",
        "rss",
        "taid",
        "mbid",
        "smid",
        "partner",
        "sr_share",
        "xtor",
        "spm",
        "share",
        # publishers' own campaign and referral markers
        "maca",
        "traffic_source",
        "intcmp",
        "int_cmp",
        "s_cid",
        "wt.mc_id",
        "wt_mc",
        "soc_src",
        "soc_trk",
        "cmp",
        "cmp_id",
        "campaign_id",
        "tracking_id",
        "trk",
        "trkcampaign",
        "icid",
        "ncid",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "fb_action_ids",
        "fb_action_types",
        "fb_ref",
        "fb_source",
        "twclid",
        "ttclid",
        "li_fat_id",
        "rb_clickid",
        "s_kwcid",
        "ef_id",
        "ved",
        "usg",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "at_", "ns_")
_DEFAULT_PORTS = {"http": "80", "https": "443"}
ID_LENGTH = 32


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or name in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Returns the canonical form of an article URL.

    Scheme and host are lower-cased, default ports, fragments, tracking parameters (utm_*,
    fbclid, ...) and empty query strings are dropped, the remaining query parameters are sorted,
    and percent-escapes are normalised. Non-HTTP identifiers (``urn:``, ``tag:``, ``seed:``) are
    returned stripped but otherwise unchanged.

    Args:
        url: an absolute URL or another stable identifier.

    Returns:
        The canonical string.

    Raises:
        ValueError: when ``url`` is empty or not a string.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError("url: expected a non-empty string")
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return url
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii") if host and not host.isascii() else host
    except UnicodeError:
        pass
    port = parts.port if parts.port is not None else None
    netloc = host
    if port is not None and str(port) != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    path = quote(unquote(parts.path or "/"), safe="/:@!$&'()*+,;=-._~%")
    path = re.sub(r"/{2,}", "/", path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    query.sort()
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def article_id(url: str) -> str:
    """Returns the deterministic id of the article at ``url``: a hash of its canonical URL."""
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:ID_LENGTH]
