"""Readers for the rating-set formats ``veracity ratings import`` accepts.

Every reader yields :class:`Rating` values: the outlet's domain (registered domain, ``www.``
stripped, the key outlets match on), the set's original value as written, a normalised
reliability in [0, 1] (None when the set says nothing about reliability) and whether the
set calls the outlet satire. One bad row is reported and skipped; the rest are read.

Formats (see docs/verdict-model.md for the mapping to reliability):

* ``wikipedia-rsp``: Wikipedia's perennial-sources table as CSV (``status`` a JSON list,
  ``urls`` a JSON list of domains, ``info`` the summary text).
* ``lin2023``: Lin et al. 2023 domain quality, CSV with ``domain`` and ``pc1`` (0..1).
* ``mbfc-baly``: Baly et al.'s MBFC labels, TSV with ``source_url``, ``fact`` (high / mixed / low), ``bias``.
* ``csv``: a plain CSV with ``domain`` and ``rating`` (a number 0..1 or one of the words in
  :data:`WORDS`), optionally ``reliability`` (0..1, overrides) and ``kind`` (``satire``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tld import get_fld

from veracity.errors import InputError
from veracity.text.normalize import domain_of

FORMATS = ("wikipedia-rsp", "lin2023", "mbfc-baly", "csv")

# Wikipedia RSP statuses -> reliability. "Deprecated" and "Blacklisted" are the community's
# strongest "do not use"; "No consensus" sits in the middle.
RSP = {
    "generally reliable": 0.9,
    "no consensus": 0.5,
    "generally unreliable": 0.2,
    "deprecated": 0.05,
    "blacklisted": 0.05,
}
# MBFC factuality (as Baly et al. collapsed it) -> reliability.
MBFC = {"very high": 0.95, "high": 0.85, "mostly factual": 0.7, "mixed": 0.45, "low": 0.15, "very low": 0.05}
# Words a plain CSV may use instead of a number.
WORDS = {**RSP, **MBFC, "reliable": 0.85, "unreliable": 0.2, "satire": None, "unknown": None}


@dataclass(frozen=True, slots=True)
class Rating:
    """One outlet's rating in one set."""

    domain: str
    value: str
    reliability: float | None
    satire: bool = False


def outlet_domain(value: str | None) -> str | None:
    """The key outlets match on: the registered domain (``news.bbc.co.uk`` -> ``bbc.co.uk``), lower-case.

    A bare domain with a path (``theguardian.com/observer``, as rating sets write a section)
    keeps it, so it never stands in for the whole domain; a full URL (``https://…/page``)
    names its site. Hosts without a public suffix (``localhost``, IPs) are kept as they are.
    """
    if not value or not value.strip():
        return None
    text = value.strip().lower()
    host = domain_of(text)
    if host is None:
        return None
    path = "" if "://" in text or "/" not in text else text.split("/", 1)[1].strip("/")
    registered = get_fld(host, fix_protocol=True, fail_silently=True) or host
    return f"{registered}/{path}" if path else registered


def read_ratings(path: Path, fmt: str, errors: list[tuple[str, str]] | None = None) -> list[Rating]:
    """All ratings in a file; rows that cannot be read go to ``errors`` as (row, reason)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown rating format {fmt!r} (use one of {', '.join(FORMATS)})", str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the rating file: {exc}", str(path)) from exc
    reader = {"wikipedia-rsp": _wikipedia, "lin2023": _lin, "mbfc-baly": _mbfc, "csv": _plain}[fmt]
    sink = errors if errors is not None else []
    out: dict[str, Rating] = {}
    for item in reader(text, path, sink):
        out.setdefault(item.domain, item)  # the first row for a domain wins; later ones are duplicates
    if not out:
        raise InputError(f"no ratings found in the file (is it in the {fmt} format?)", str(path))
    return list(out.values())


def _rows(text: str, path: Path, need: tuple[str, ...], delimiter: str = ",") -> Iterator[tuple[int, dict[str, str]]]:
    csv.field_size_limit(10**8)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    fields = {f.strip() for f in reader.fieldnames or []}
    missing = [n for n in need if n not in fields]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; found {', '.join(sorted(fields)) or 'none'}", str(path)
        )
    for number, row in enumerate(reader, start=2):
        yield number, {(k or "").strip(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}


def _wikipedia(text: str, path: Path, errors: list[tuple[str, str]]) -> Iterator[Rating]:
    for number, row in _rows(text, path, ("name", "status", "urls")):
        try:
            statuses = [s for s in json.loads(row["status"]) if isinstance(s, str)]
            urls = [u for u in json.loads(row["urls"] or "[]") if isinstance(u, str)]
        except (json.JSONDecodeError, TypeError) as exc:
            errors.append((f"{path}:{number}", f"status/urls are not JSON lists: {exc}"))
            continue
        known = [RSP[s.lower()] for s in statuses if s.lower() in RSP]
        reliability = min(known) if known else None  # "Blacklisted; Generally unreliable" -> the stronger warning
        satire = "satir" in row.get("info", "").lower()[:300]
        value = "; ".join(statuses) or "unrated"
        if not urls:
            errors.append((f"{path}:{number}", f"{row['name']!r} lists no domain"))
        for url in urls:
            domain = outlet_domain(url)
            if domain:
                yield Rating(domain, value, reliability, satire)


def _lin(text: str, path: Path, errors: list[tuple[str, str]]) -> Iterator[Rating]:
    for number, row in _rows(text, path, ("domain", "pc1")):
        domain = outlet_domain(row["domain"])
        score = _number(row["pc1"])
        if domain is None or score is None or not 0 <= score <= 1:
            errors.append((f"{path}:{number}", f"need a domain and pc1 in [0, 1]: {row['domain']!r} {row['pc1']!r}"))
            continue
        yield Rating(domain, row["pc1"], round(score, 4))


def _mbfc(text: str, path: Path, errors: list[tuple[str, str]]) -> Iterator[Rating]:
    for number, row in _rows(text, path, ("source_url", "fact"), delimiter="\t"):
        domain = outlet_domain(row["source_url"])
        fact = row["fact"].lower()
        if domain is None or fact not in MBFC:
            errors.append((f"{path}:{number}", f"need a source_url and fact in high/mixed/low: {row['source_url']!r}"))
            continue
        bias = row.get("bias", "")
        yield Rating(domain, f"fact={fact}" + (f" bias={bias}" if bias else ""), MBFC[fact], bias.lower() == "satire")


def _plain(text: str, path: Path, errors: list[tuple[str, str]]) -> Iterator[Rating]:
    for number, row in _rows(text, path, ("domain", "rating")):
        domain = outlet_domain(row["domain"])
        rating = row["rating"]
        reliability = _number(row.get("reliability", "")) if row.get("reliability") else None
        if reliability is None:
            reliability = _number(rating)
        if reliability is None and rating.lower() in WORDS:
            reliability = WORDS[rating.lower()]
        satire = row.get("kind", "").lower() == "satire" or rating.lower() == "satire"
        known_word = rating.lower() in WORDS
        if (
            domain is None
            or (reliability is None and not known_word)
            or (reliability is not None and not 0 <= reliability <= 1)
        ):
            errors.append((f"{path}:{number}", f"need a domain and a rating (0..1 or a known word): {row!r}"))
            continue
        yield Rating(domain, rating, reliability, satire)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
