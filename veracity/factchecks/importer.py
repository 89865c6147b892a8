"""Importing ClaimReview: files, folders and URLs into the fact-check knowledge base.

Inputs, format detected per item: JSON (one document: an object or a list), JSON Lines
(one record a line, gzipped or not), HTML fact-check pages with JSON-LD, WARC archives of
such pages, and RSS/Atom feeds whose entries link to such pages (the pages are fetched).
Files are read with the ingest readers (``veracity.ingest.read``); URLs go through the safe
client (``veracity.fetch``) with its settings (``allow_networks``, caps, robots.txt).

One bad record, page or URL is reported and the batch goes on; re-importing the same
records changes nothing (``unchanged``), a changed record is ``updated``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from veracity.errors import InputError, VeracityError
from veracity.factchecks.claimreview import FactCheck, find_records, json_ld_blocks, parse_record
from veracity.factchecks.store import FactCheckStore
from veracity.fetch import Fetcher
from veracity.ingest.read import Failure, RawItem, decode_text, detect_format, expand, read_path
from veracity.settings import Settings

Progress = Callable[[int, int | None, str], None]  # (inputs done, inputs in all, current input)


@dataclass
class ImportReport:
    """Counts per outcome and the failures; ``skipped``: pages in archives/feeds with no ClaimReview."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + len(self.failures)

    def summary(self) -> str:
        c = self.counts
        return (
            f"imported={c['ingested']} updated={c['updated']} unchanged={c['unchanged']} "
            f"skipped={c['skipped']} failed={len(self.failures)}"
        )


def is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


@dataclass
class _Page:
    source: str
    body: bytes
    url: str | None
    in_batch: bool  # inside an archive or a feed: a page without ClaimReview is skipped, not failed


Found = FactCheck | Failure | str  # str: "skipped"


class Importer:
    """Reads inputs and stores their fact-checks; one instance per command."""

    def __init__(self, store: FactCheckStore, settings: Settings, fetcher: Fetcher | None = None) -> None:
        self.store = store
        self.settings = settings
        self._fetcher = fetcher

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            self._fetcher = Fetcher(self.settings.fetch)
        return self._fetcher

    def run(self, inputs: list[str], on_progress: Progress | None = None) -> ImportReport:
        report = ImportReport()
        targets: list[tuple[str, Path | None]] = []
        for raw in inputs:
            if is_url(raw):
                targets.append((raw, None))
            elif raw != "-" and not Path(raw).exists():
                report.failures.append(Failure(raw, "no such file or folder"))
            else:
                targets.extend(expand([raw]))
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        for number, (name, path) in enumerate(targets):
            if on_progress:
                on_progress(number, len(targets), name)
            found = self._from_url(name) if is_url(name) else self._from_file(name, path)
            for item in found:
                if isinstance(item, Failure):
                    report.failures.append(item)
                elif isinstance(item, str):
                    report.counts[item] += 1
                else:
                    try:
                        report.counts[self.store.upsert(item, now)] += 1
                    except Exception as exc:  # a database refusal names the record and the batch goes on
                        report.failures.append(Failure(item.source, f"not stored: {exc}"))
        if on_progress:
            on_progress(len(targets), len(targets), "")
        return report

    # -- inputs -------------------------------------------------------------------------------

    def _from_file(self, name: str, path: Path | None) -> Iterator[Found]:
        whole = self._whole_json(name, path)
        if whole is not None:
            yield from whole
            return
        for item in read_path(name, path, self.settings):
            yield from self._from_item(item)

    def _whole_json(self, name: str, path: Path | None) -> list[Found] | None:
        """A file that is one JSON document (not JSON Lines); None: let the ingest readers read it."""
        if path is None:
            return None
        try:
            with path.open("rb") as fh:
                head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
                if not head.startswith((b"[", b"{")):
                    return None
                fh.seek(0)
                first = fh.readline()
                if head.startswith(b"{") and _is_json_object(first):
                    return None  # JSON Lines
                fh.seek(0)
                data = fh.read(self.settings.max_input_bytes + 1)
        except OSError as exc:
            return [Failure(name, f"cannot read: {exc.strerror or exc}")]
        if len(data) > self.settings.max_input_bytes:
            cap = self.settings.max_input_bytes
            return [Failure(name, f"larger than the size cap of {cap} bytes (max_input_bytes); use JSON Lines")]
        return list(self._from_json_bytes(name, data, None))

    def _from_item(self, item: RawItem | Failure) -> Iterator[Found]:
        if isinstance(item, Failure):
            yield item
        elif item.kind == "record":
            yield from self._from_json(item.source, item.payload, None, in_batch=False)
        elif item.kind == "html":
            in_batch = "#" in item.source or item.url is not None
            yield from self._from_page(_Page(item.source, item.payload, item.url, in_batch))
        elif item.kind == "entry":
            link = item.url
            if not link:
                yield Failure(item.source, "feed entry without a link")
            else:
                yield from self._fetch_page(link, item.source, in_batch=True)
        else:
            yield Failure(item.source, "not ClaimReview: a news card")

    def _from_url(self, url: str) -> Iterator[Found]:
        try:
            result = self.fetcher.get(url)
        except VeracityError as exc:
            yield Failure(url, exc.message)
            return
        body = result.body
        head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        kind = result.headers.get("content-type", "").lower()
        if head.startswith((b"[", b"{")) or "json" in kind:
            yield from self._from_json_bytes(url, body, result.final_url)
            return
        try:
            fmt = detect_format(body[:4096], url)
        except InputError as exc:
            yield Failure(url, exc.message)
            return
        if fmt == "feed":
            import feedparser  # the ingest reader's parser, for a feed held in memory

            parsed = feedparser.parse(body)
            if not parsed.entries:
                yield Failure(url, "feed has no entries")
            for number, entry in enumerate(parsed.entries, 1):
                link = entry.get("link")
                if not link:
                    yield Failure(f"{url}#{number}", "feed entry without a link")
                else:
                    yield from self._fetch_page(link, f"{url}#{number}", in_batch=True)
        elif fmt == "html":
            yield from self._from_page(_Page(url, body, result.final_url, in_batch=False))
        else:
            yield Failure(url, f"not a ClaimReview source ({fmt})")

    def _fetch_page(self, url: str, source: str, in_batch: bool) -> Iterator[Found]:
        try:
            result = self.fetcher.get(url)
        except VeracityError as exc:
            yield Failure(f"{source}: {url}", exc.message)
            return
        yield from self._from_page(_Page(url, result.body, result.final_url, in_batch))

    # -- documents ----------------------------------------------------------------------------

    def _from_json_bytes(self, source: str, data: bytes, page_url: str | None) -> Iterator[Found]:
        try:
            doc = json.loads(decode_text(data, source))
        except (json.JSONDecodeError, InputError) as exc:
            yield Failure(source, f"not JSON: {exc}")
            return
        yield from self._from_json(source, doc, page_url, in_batch=False)

    def _from_json(self, source: str, doc: Any, page_url: str | None, in_batch: bool) -> Iterator[Found]:
        records = list(find_records(doc))
        if not records:
            yield "skipped" if in_batch else Failure(source, "no ClaimReview record (schema.org @type ClaimReview)")
            return
        for number, record in enumerate(records, 1):
            where = source if len(records) == 1 else f"{source}[{number}]"
            try:
                yield from parse_record(record, where, page_url)
            except InputError as exc:
                yield Failure(where, exc.message)

    def _from_page(self, page: _Page) -> Iterator[Found]:
        if len(page.body) > self.settings.max_input_bytes:
            yield Failure(page.source, "page larger than the size cap (max_input_bytes)")
            return
        docs: list[Any] = []
        try:
            for block in json_ld_blocks(page.body, page.source):
                if isinstance(block, InputError):
                    yield Failure(block.item or page.source, block.message)
                else:
                    docs.append(block)
        except InputError as exc:
            yield Failure(page.source, exc.message)
            return
        yield from self._from_json(page.source, docs, page.url, in_batch=page.in_batch)


def _is_json_object(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
