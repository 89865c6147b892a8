"""Write small WARC/1.0 archives for tests, by hand (no writer library needed).

Each record is ``WARC/1.0`` headers, a blank line, the block (an HTTP response for
``response`` records) and two CRLFs. A ``.warc.gz`` file gets one gzip member per record,
as crawlers write them, so a reader can stream it record by record.
"""

from __future__ import annotations

import gzip
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

WARC_DATE = "2024-10-14T12:00:00Z"


@dataclass(frozen=True)
class Page:
    """One HTTP response to archive."""

    url: str
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    content_encoding: str | None = None  # "gzip": the body is gzipped here, as a server would


def _record(warc_type: str, block: bytes, headers: dict[str, str]) -> bytes:
    lines = [
        "WARC/1.0",
        f"WARC-Type: {warc_type}",
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>",
        f"WARC-Date: {WARC_DATE}",
        *(f"{k}: {v}" for k, v in headers.items()),
        f"Content-Length: {len(block)}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + block + b"\r\n\r\n"


def warcinfo_record() -> bytes:
    info = b"software: veracity-tests\r\nformat: WARC File Format 1.0\r\n"
    return _record("warcinfo", info, {"Content-Type": "application/warc-fields"})


def request_record(url: str) -> bytes:
    block = f"GET / HTTP/1.1\r\nHost: {url.split('/')[2]}\r\n\r\n".encode()
    return _record("request", block, {"WARC-Target-URI": url, "Content-Type": "application/http; msgtype=request"})


def response_record(page: Page) -> bytes:
    body = gzip.compress(page.body) if page.content_encoding == "gzip" else page.body
    reason = {200: "OK", 404: "Not Found", 301: "Moved Permanently"}.get(page.status, "Status")
    head = [f"HTTP/1.1 {page.status} {reason}", f"Content-Type: {page.content_type}", f"Content-Length: {len(body)}"]
    if page.content_encoding:
        head.append(f"Content-Encoding: {page.content_encoding}")
    block = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
    return _record(
        "response", block, {"WARC-Target-URI": page.url, "Content-Type": "application/http; msgtype=response"}
    )


@dataclass(frozen=True)
class Span:
    """Where one record lies in an archive file (offsets in the file as written)."""

    warc_type: str
    start: int
    end: int


def warc_records(pages: Iterable[Page], *, with_requests: bool = True) -> list[tuple[str, bytes]]:
    """A warcinfo record, then (request and) response records for each page."""
    records = [("warcinfo", warcinfo_record())]
    for page in pages:
        if with_requests:
            records.append(("request", request_record(page.url)))
        records.append(("response", response_record(page)))
    return records


def write_warc(path: Path, pages: Iterable[Page], *, with_requests: bool = True) -> Path:
    """Write an archive of ``pages``; gzipped per record when ``path`` ends in ``.gz``."""
    write_warc_spans(path, pages, with_requests=with_requests)
    return path


def write_warc_spans(path: Path, pages: Iterable[Page], *, with_requests: bool = True) -> list[Span]:
    """Like :func:`write_warc`; returns where each record lies, to cut or corrupt the file."""
    gz = path.name.endswith(".gz")
    spans: list[Span] = []
    chunks: list[bytes] = []
    offset = 0
    for warc_type, record in warc_records(pages, with_requests=with_requests):
        data = gzip.compress(record, mtime=0) if gz else record
        spans.append(Span(warc_type, offset, offset + len(data)))
        chunks.append(data)
        offset += len(data)
    path.write_bytes(b"".join(chunks))
    return spans


def responses(spans: list[Span]) -> list[Span]:
    return [s for s in spans if s.warc_type == "response"]


def article_html(title: str, paragraphs: list[str], *, url: str, site: str = "The Test Gazette") -> bytes:
    """A minimal but complete article page with a canonical link and a site name."""
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>\n'
        f'<meta property="og:site_name" content="{site}">\n'
        f'<meta property="article:published_time" content="2024-10-14T09:00:00Z">\n'
        f'<link rel="canonical" href="{url}"></head>\n'
        f"<body><article>\n{body}</article></body></html>\n"
    ).encode()
