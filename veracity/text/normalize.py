"""Normalisation of whitespace and URLs, used for identity, hashing and search."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SPACE = re.compile(r"\s+")  # \s covers NBSP, thin spaces and other Unicode spaces in str regexes
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")

# Query parameters that only track the reader. courlan's strict cleaning drops a fixed set
# too, but it also rewrites paths and drops parameters news sites need (``?p=123``), so the
# list is kept here.
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi"
    r"|mkt_tok|ocid|cmpid|cmp|smid|smtyp|ncid|ns_\w+|at_\w+|sr_share|share|ref|ref_src|referrer"
    r"|src|CMP|icid|itm_\w+|taid|trk|spm|__twitter_impression|s_cid|xtor|wt_mc|WT\.\w+)$",
    re.IGNORECASE,
)


def normalize_space(text: str) -> str:
    """Collapse every run of whitespace (NBSP included) to one space; NFC; trim."""
    text = unicodedata.normalize("NFC", _ZERO_WIDTH.sub("", text))
    return _SPACE.sub(" ", text).strip()


def normalize_url(url: str) -> str:
    """Canonical form of an article URL, for identity.

    Lower-cases scheme and host, drops default ports, fragments, tracking parameters and a
    trailing ``?``; sorts the remaining query parameters; keeps the path as written.
    """
    url = url.strip()
    parts = urlsplit(url if "://" in url else "http://" + url)
    scheme = (parts.scheme or "http").lower()
    if scheme == "http":
        scheme = "https"  # the same article is served on both; identity must not split on it
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    try:
        port = parts.port
    except ValueError:  # a malformed port ("host:abc"): keep what was written
        port = None
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def domain_of(url: str | None) -> str | None:
    """The host of a URL without ``www.``, lower-cased; None when there is none."""
    if not url:
        return None
    host = (urlsplit(url if "://" in url else "http://" + url).hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    return host or None
