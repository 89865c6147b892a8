"""Hardened XML: sitemaps and OPML through defusedxml; a screen for feeds.

defusedxml refuses entity declarations (billion laughs, quadratic blow-up) and external
entities or DTDs (XXE) with ``DefusedXmlException``; a document that is not well-formed
raises ``ParseError``. Both become :class:`XmlProblem`.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from veracity.errors import InputError

NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
#: Characters XML 1.0 forbids (C0 controls but tab, LF, CR), removed before parsing.
_ILLEGAL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class XmlProblem(InputError):
    """An XML document that is hostile (entities, external references) or broken."""


def clean_bytes(data: bytes) -> bytes:
    """``data`` without a BOM-less UTF-8 problem's worst part: illegal control characters."""
    return _ILLEGAL.sub(b"", data)


def gunzip_capped(data: bytes, cap: int, source: str) -> bytes:
    """A gzip file's content (sitemaps are often ``.xml.gz``), at most ``cap`` bytes."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    out = io.BytesIO()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            while chunk := fh.read(64 * 1024):
                out.write(chunk)
                if out.tell() > cap:
                    raise XmlProblem(f"decompressed document larger than {cap} bytes", source)
    except (OSError, EOFError, zlib.error) as exc:
        raise XmlProblem(f"broken gzip data: {exc}", source) from exc
    return out.getvalue()


def parse(data: bytes, source: str) -> Element:
    """The root element of an XML document, parsed safely; :class:`XmlProblem` otherwise."""
    if not data.strip():
        raise XmlProblem("empty document", source)
    try:
        return SafeET.fromstring(clean_bytes(data))
    except defusedxml.DefusedXmlException as exc:
        raise XmlProblem(f"refused hostile XML ({type(exc).__name__}): {exc}", source) from exc
    except (ParseError, ValueError) as exc:
        raise XmlProblem(f"broken XML: {exc}", source) from exc


def screen(data: bytes, source: str) -> None:
    """Raise :class:`XmlProblem` for a document with entity declarations or external references.

    Broken XML passes (feedparser's lenient parser may still read it); only hostile
    constructs are refused.
    """
    try:
        SafeET.fromstring(clean_bytes(data))
    except defusedxml.DefusedXmlException as exc:
        raise XmlProblem(f"refused hostile XML ({type(exc).__name__}): {exc}", source) from exc
    except (ParseError, ValueError):
        pass


def local(tag: object) -> str:
    """A tag's name without its namespace."""
    name = tag if isinstance(tag, str) else ""
    return name.rsplit("}", 1)[-1].lower()


def namespace(tag: object) -> str:
    name = tag if isinstance(tag, str) else ""
    return name[1:].split("}", 1)[0] if name.startswith("{") else ""


@dataclass
class Sitemap:
    """What a sitemap lists: article pages (``urls``) or, for an index, other sitemaps."""

    urls: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    news: bool = False


def parse_sitemap(data: bytes, source: str, limit: int) -> Sitemap:
    """A ``urlset`` or ``sitemapindex`` (Google News extension noticed), at most ``limit`` entries."""
    root = parse(data, source)
    kind = local(root.tag)
    out = Sitemap()
    if kind not in ("urlset", "sitemapindex"):
        raise XmlProblem(f"not a sitemap (root element <{kind}>)", source)
    target = out.urls if kind == "urlset" else out.sitemaps
    for entry in root:
        if local(entry.tag) not in ("url", "sitemap"):
            continue
        loc = ""
        for child in entry:
            name = local(child.tag)
            if name == "loc":
                loc = (child.text or "").strip()
            elif namespace(child.tag) == NEWS_NS:
                out.news = True
        if loc:
            target.append(loc)
            if len(target) >= limit:
                break
    return out
