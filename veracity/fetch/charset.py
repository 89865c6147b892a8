"""Which text a fetched HTML page is: its bytes decoded as the page and server say, when they agree.

Extraction (trafilatura) reads bytes by trying UTF-8 and then guessing, without looking at
the ``Content-Type`` header or ``<meta charset>``; on a short page in windows-1252 its guess
can be a Baltic or Cyrillic code page. ``html_text`` decides before it:

1. bytes that are valid UTF-8 are left as they are (extraction reads them as UTF-8);
2. a UTF-16 byte order mark wins;
3. otherwise the encodings declared by the header, then an XML prolog, then ``<meta>``
   anywhere in the first 64 KiB (not only the first 1024 bytes), are tried strictly, in that order; ``latin-1``,
   ``iso-8859-1`` and ``ascii`` mean windows-1252, as in browsers;
4. a page declared UTF-8 that is not (the common mislabelling) is read as windows-1252
   when it decodes as such;
5. else the bytes go on unchanged, for extraction's own guess.

Written here rather than taken from w3lib (Scrapy's ``html_to_unicode``): that trusts the
header's encoding and decodes with replacement characters, so a page mislabelled UTF-8
would come out with U+FFFD where its accented letters were.
"""

from __future__ import annotations

import codecs
import re

_META_SCAN = 64 * 1024
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"<meta\s[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)",
    re.IGNORECASE,
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_PROLOG_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)")
#: Labels browsers read as windows-1252 (WHATWG Encoding Standard).
_AS_WINDOWS_1252 = {"latin1", "iso8859_1", "ascii", "cp1252"}


def _codec(label: str) -> str | None:
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if name.replace("-", "_") in _AS_WINDOWS_1252 else name


def declared(body: bytes, content_type: str | None) -> list[str]:
    """Codec names the header, an XML prolog and ``<meta>`` tags declare, in that order, without repeats."""
    labels: list[str] = []
    if content_type:
        labels += _HEADER_CHARSET.findall(content_type)
    labels += [m.decode("ascii", "ignore") for m in _PROLOG_ENCODING.findall(body[:1024])]
    labels += [m.decode("ascii", "ignore") for m in _META_CHARSET.findall(body[:_META_SCAN])]
    out: list[str] = []
    for label in labels:
        name = _codec(label)
        if name and name not in out:
            out.append(name)
    return out


def html_text(body: bytes, content_type: str | None = None) -> bytes | str:
    """The page as text when its encoding can be settled here; else the bytes unchanged.

    Text comes without an XML declaration (an XHTML page's ``encoding=`` no longer applies).
    """
    text = _decoded(body, content_type)
    return text if isinstance(text, bytes) else _XML_DECLARATION.sub("", text, count=1)


def _decoded(body: bytes, content_type: str | None) -> bytes | str:
    try:
        body.decode("utf-8")
        return body
    except UnicodeDecodeError:
        pass
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, "replace")
    names = declared(body, content_type)
    for name in names:
        if name in ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32"):
            continue  # not valid UTF-8 (tested above); UTF-16 without a BOM is not a real page
        try:
            return body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    if "utf-8" in names:
        try:
            return body.decode("cp1252")
        except UnicodeDecodeError:
            pass
    return body
