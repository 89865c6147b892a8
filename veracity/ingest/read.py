"""Reading inputs: files, folders and stdin into raw items, format detected per item.

A reader never raises for bad input: it yields a :class:`Failure` naming the item and the
reason, and goes on with the next item (or the next file, when a whole file is unusable).
Archives (WARC) and JSON Lines are streamed record by record; single documents are capped
at ``Settings.max_input_bytes``.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import feedparser
from charset_normalizer import from_bytes
from fastwarc.warc import ArchiveIterator, WarcRecordType

from veracity.cards.parse import looks_like_card
from veracity.errors import InputError
from veracity.settings import Settings

Kind = Literal["html", "card", "record", "entry"]
Format = Literal["html", "warc", "feed", "jsonl", "card"]

GZIP_MAGIC = b"\x1f\x8b"
_EXTENSIONS: dict[str, Format] = {
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".warc": "warc",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
    ".rss": "feed", ".atom": "feed", ".xml": "feed",
    ".txt": "card", ".card": "card",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class RawItem:
    """One document read from an input, before extraction."""

    source: str
    kind: Kind
    payload: Any  # bytes (html), str (card), dict (record, entry)
    url: str | None = None
    position: int = 0  # bytes of the input consumed so far, for progress


@dataclass(frozen=True, slots=True)
class Failure:
    """An item that could not be read, and why."""

    source: str
    reason: str
    position: int = 0


Item = RawItem | Failure


def expand(paths: list[str]) -> Iterator[tuple[str, Path | None]]:
    """Files to read: each file, each folder's files recursively (sorted), ``-`` for stdin."""
    for raw in paths:
        if raw == "-":
            yield raw, None
            continue
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
                yield str(child), child
        else:
            yield raw, path


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM), else the encoding charset-normalizer detects."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise InputError("cannot detect the text encoding", source) from None
        return str(best)


def detect_format(head: bytes, name: str) -> Format:
    """The format of a document from its first bytes; the file name breaks ties."""
    if b"\x00" in head[:4096] and not head.startswith(b"WARC/"):
        raise InputError("binary file, not a supported input", name)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    lower = stripped[:2048].lower()
    if stripped.startswith(b"WARC/"):
        return "warc"
    if lower.startswith(b"<?xml") or lower.startswith(b"<rss") or lower.startswith(b"<feed"):
        if b"<html" in lower or b"<!doctype html" in lower:
            return "html"
        return "feed"
    if lower.startswith(b"<"):
        return "html"
    if stripped.startswith(b"{"):
        return "jsonl"
    if looks_like_card(stripped[:4096].decode("utf-8", "replace")):
        return "card"
    suffix = Path(name.removesuffix(".gz")).suffix.lower()
    if suffix in _EXTENSIONS and _EXTENSIONS[suffix] != "warc":
        return _EXTENSIONS[suffix]
    raise InputError("unknown format (not HTML, WARC, RSS/Atom, JSON Lines or a news card)", name)


def read_path(name: str, path: Path | None, settings: Settings) -> Iterator[Item]:
    """Every raw item of one input file (``path`` None: standard input)."""
    if path is None:
        yield from _read_stdin(settings)
        return
    try:
        with path.open("rb") as fh:
            yield from _read_stream(name, fh, path.stat().st_size, settings)
    except OSError as exc:
        yield Failure(name, f"cannot read: {exc.strerror or exc}")


def _read_stdin(settings: Settings) -> Iterator[Item]:
    # Spooled to a temporary file so stdin gets the same streaming readers as a file.
    with tempfile.TemporaryFile() as tmp:
        shutil.copyfileobj(sys.stdin.buffer, tmp)
        size = tmp.tell()
        tmp.seek(0)
        yield from _read_stream("<stdin>", tmp, size, settings)


def _read_stream(name: str, fh: BinaryIO, size: int, settings: Settings) -> Iterator[Item]:
    head = fh.read(4096)
    fh.seek(0)
    if not head.strip():
        yield Failure(name, "empty file")
        return
    gzipped = head.startswith(GZIP_MAGIC)
    if gzipped:
        try:
            inner = gzip.GzipFile(fileobj=fh).read(4096)
        except (OSError, EOFError, zlib.error) as exc:
            yield Failure(name, f"corrupt gzip: {exc}")
            return
        fh.seek(0)
        if inner.startswith(b"WARC/"):
            yield from _read_warc(name, fh, size, settings)
            return
        head = inner
    try:
        fmt = detect_format(head, name)
    except InputError as exc:
        yield Failure(name, exc.message)
        return
    if fmt == "warc":
        yield from _read_warc(name, fh, size, settings)
        return
    if fmt == "jsonl" and not gzipped:
        yield from _read_jsonl(name, fh, settings)
        return
    try:
        data = _read_capped(name, fh, gzipped, settings.max_input_bytes)
    except InputError as exc:
        yield Failure(name, exc.message, size)
        return
    if fmt == "jsonl":
        yield from _read_jsonl(name, _Lines(data), settings)
    elif fmt == "html":
        yield RawItem(name, "html", data, position=size)
    elif fmt == "card":
        try:
            yield RawItem(name, "card", decode_text(data, name), position=size)
        except InputError as exc:
            yield Failure(name, exc.message, size)
    else:
        yield from _read_feed(name, data, size)


def _read_capped(name: str, fh: BinaryIO, gzipped: bool, cap: int) -> bytes:
    reader: BinaryIO = gzip.GzipFile(fileobj=fh) if gzipped else fh  # type: ignore[assignment]
    try:
        data = reader.read(cap + 1)
    except EOFError:
        raise InputError("truncated gzip file", name) from None
    except (OSError, zlib.error) as exc:
        raise InputError(f"corrupt gzip: {exc}", name) from None
    if len(data) > cap:
        raise InputError(f"larger than the size cap of {cap} bytes (max_input_bytes)", name)
    return data


class _Lines:
    """Iterate the lines of bytes already in memory like a file."""

    def __init__(self, data: bytes) -> None:
        self._lines = data.splitlines(keepends=True)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._lines)


def _read_jsonl(name: str, lines: Any, settings: Settings) -> Iterator[Item]:
    position = 0
    for number, line in enumerate(lines, 1):
        position += len(line)
        source = f"{name}:{number}"
        if not line.strip():
            continue
        if len(line) > settings.max_input_bytes:
            yield Failure(source, f"line larger than the size cap of {settings.max_input_bytes} bytes", position)
            continue
        try:
            record = json.loads(decode_text(line, source))
        except (json.JSONDecodeError, InputError) as exc:
            yield Failure(source, f"not JSON: {exc}", position)
            continue
        if not isinstance(record, dict):
            yield Failure(source, "a JSON Lines record must be an object", position)
            continue
        yield RawItem(source, "record", record, url=record.get("url"), position=position)


def _read_feed(name: str, data: bytes, size: int) -> Iterator[Item]:
    parsed = feedparser.parse(data)
    problem = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(problem, feedparser.CharacterEncodingOverride):
        yield Failure(name, f"broken feed XML: {problem}", size)
        return
    if not parsed.entries:
        yield Failure(name, "feed has no entries", size)
        return
    feed = {"title": parsed.feed.get("title"), "link": parsed.feed.get("link"), "language": parsed.feed.get("language")}
    for number, entry in enumerate(parsed.entries, 1):
        yield RawItem(f"{name}#{number}", "entry", {"entry": entry, "feed": feed}, url=entry.get("link"), position=size)


def _read_warc(name: str, fh: BinaryIO, size: int, settings: Settings) -> Iterator[Item]:
    """HTML responses of a WARC, one record at a time.

    Blocks are read whole (capped) and split into HTTP head and body here rather than by
    fastwarc's HTTP parser, because comparing the block's length with its Content-Length
    is how a truncated archive shows itself: fastwarc ends quietly on a short record.
    """
    count = 0
    records = ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=False)
    try:
        for record in records:
            count += 1
            uri = record.headers.get("WARC-Target-URI") or None
            source = f"{name}#{count}"
            position = record.stream_pos
            if record.content_length > settings.max_input_bytes:
                yield Failure(source, f"record larger than the size cap of {settings.max_input_bytes} bytes", position)
                continue
            block = record.reader.read()
            if len(block) < record.content_length:
                yield Failure(
                    source, f"truncated archive: record has {len(block)} of {record.content_length} bytes", size
                )
                return
            item = _http_response(source, block, uri, position)
            if item is not None:
                yield item
    except (OSError, ValueError) as exc:
        yield Failure(f"{name}#{count + 1}", f"corrupt archive after {count} records: {exc}", size)


def _http_response(source: str, block: bytes, uri: str | None, position: int) -> Item | None:
    head, sep, body = block.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = block.partition(b"\n\n")
    lines = head.decode("latin-1").splitlines()
    if not lines or not lines[0].startswith("HTTP/"):
        return Failure(source, "record is not an HTTP response", position)
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    status = lines[0].split(" ")[1] if len(lines[0].split(" ")) > 1 else ""
    if "html" not in headers.get("content-type", "html").lower() or status != "200":
        return None  # not an article page: skipped, not a failure
    if "gzip" in headers.get("content-encoding", "").lower():
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError, zlib.error):
            return Failure(source, "corrupt gzip content encoding", position)
    return RawItem(source, "html", body, url=uri, position=position)
