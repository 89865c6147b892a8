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
    """Files to read: each file, each folder's files recursively (sorted), ``-`` for stdin.

    In folders, hidden files and Markdown files (a README beside the inputs: never an
    input format) are passed over; named on the command line, every file is read.
    """
    for raw in paths:
        if raw == "-":
            yield raw, None
            continue
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file() and not _passed_over(p)):
                yield str(child), child
        else:
            yield raw, path


def _passed_over(path: Path) -> bool:
    return path.name.startswith(".") or path.suffix.lower() == ".md"


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
        # A decompressor object, not GzipFile: it returns what a truncated stream holds
        # instead of raising, so a short truncated file is reported as truncated, not corrupt.
        unzip = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            inner = unzip.decompress(fh.read(65536), 4096)
        except zlib.error as exc:
            yield Failure(name, f"corrupt gzip: {exc}")
            return
        fh.seek(0)
        if not inner:
            yield Failure(name, "empty file" if unzip.eof else "truncated gzip file")
            return
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
    if fmt == "jsonl":  # streamed, gzipped or not: the cap is per line
        yield from _read_jsonl(name, gzip.GzipFile(fileobj=fh) if gzipped else fh, settings)
        return
    try:
        data = _read_capped(name, fh, gzipped, settings.max_input_bytes)
    except InputError as exc:
        yield Failure(name, exc.message, size)
        return
    if fmt == "html":
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


def _read_jsonl(name: str, lines: BinaryIO | gzip.GzipFile, settings: Settings) -> Iterator[Item]:
    position = 0
    number = 0
    while True:
        try:
            line = lines.readline()
        except EOFError:
            yield Failure(f"{name}:{number + 1}", "truncated gzip file", position)
            return
        except (OSError, zlib.error) as exc:
            yield Failure(f"{name}:{number + 1}", f"corrupt gzip: {exc}", position)
            return
        if not line:
            return
        number += 1
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
    Records of every type are walked (only responses are kept) so that a cut inside a
    request or metadata record is seen too; a record whose headers were cut short comes
    back from fastwarc without a Content-Length, and a record cut before fastwarc could
    start it is not returned at all, which :func:`_cut_after` finds.
    """
    count = 0
    last = (0, -1)  # stream position and Content-Length of the last record begun
    cap = settings.max_input_bytes
    records = ArchiveIterator(fh, parse_http=False)
    try:
        for record in records:
            is_response = record.record_type == WarcRecordType.response
            if is_response:
                count += 1
            source = f"{name}#{count}" if is_response else f"{name}#{count + 1}"
            position = record.stream_pos
            if not (record.headers.get("Content-Length") or "").strip().isdigit():
                yield Failure(source, "truncated or corrupt archive: a record has no valid Content-Length", size)
                return
            last = (position, record.content_length)
            if record.headers.get("WARC-Type") is None:
                record.reader.consume()
                yield Failure(source, "corrupt archive: a record has no WARC-Type header", position)
                continue
            if not is_response or record.content_length > cap:
                consumed = record.reader.consume()
                if consumed < record.content_length:
                    yield Failure(
                        source, f"truncated archive: record has {consumed} of {record.content_length} bytes", size
                    )
                    return
                if is_response:
                    yield Failure(source, f"record larger than the size cap of {cap} bytes", position)
                continue
            uri = record.headers.get("WARC-Target-URI") or None
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
        return
    if _cut_after(fh, *last):
        yield Failure(f"{name}#{count + 1}", f"truncated archive: an incomplete record follows record {count}", size)


def _cut_after(fh: BinaryIO, position: int, length: int) -> bool:
    """True when bytes that are no whole record follow the record at ``position``.

    ``length`` is that record's Content-Length (-1: no record was read, look from the
    start). Gzipped archives: the record's gzip member must end, and nothing may follow it;
    an archive gzipped as one stream has no member per record and is left to fastwarc.
    """
    fh.seek(0)
    gzipped = fh.read(2) == GZIP_MAGIC
    fh.seek(position)
    if gzipped:
        if fh.read(2) != GZIP_MAGIC:
            return False
        fh.seek(position)
        unzip = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            while length >= 0 and not unzip.eof and (data := fh.read(65536)):
                while data and not unzip.eof:
                    unzip.decompress(data, 1 << 20)
                    data = unzip.unconsumed_tail
        except zlib.error:
            return True
        return (length >= 0 and not unzip.eof) or bool(unzip.unused_data.strip() or fh.read(64).strip())
    fh.seek(position)
    if length >= 0:
        head = fh.read(64 * 1024)
        end = head.find(b"\r\n\r\n")
        if end < 0:
            return True
        fh.seek(position + end + 4 + length)
    return bool(fh.read(64).strip())


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
