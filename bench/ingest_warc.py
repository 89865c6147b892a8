"""Speed and memory of `veracity ingest` on a CC-NEWS style WARC, against bare trafilatura.

Builds a ``.warc.gz`` (one gzip member per record, WARC/1.0 ``response`` records holding
HTTP/1.1 200 ``text/html`` responses) from the 181 pages of the article extraction
benchmark, repeated until the archive's uncompressed size reaches ``--size-mb``, then
measures on the same records, in the same run, each in its own fresh child process:

* bare: fastwarc's ``ArchiveIterator`` + ``trafilatura.bare_extraction`` on each record;
* pipeline: ``veracity ingest ARCHIVE --db sqlite:///<out>/bench.db``.

Each child's wall time, CPU time and peak RSS (``wait4``) are printed as a table with the
ratio pipeline/bare (goal >= 0.8) and the pipeline's peak RSS (goal < 300 MB). See
bench/README.md for how to read it.

    .venv/bin/python bench/ingest_warc.py [--size-mb N] [--out DIR] [--limit-seconds S]
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

REPO = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
RATIO_GOAL = 0.8
RSS_GOAL_MB = 300.0
BENCH_HOST = "https://bench.example"
WARC_DATE = "2024-11-06T12:00:00Z"
HTTP_DATE = "Wed, 06 Nov 2024 12:00:00 GMT"
SUMMARY = re.compile(r"ingested=(\d+) updated=(\d+) unchanged=(\d+) failed=(\d+)")
HEAD_TAG = re.compile(rb"<head(?:\s[^>]*)?>", re.IGNORECASE)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the archive -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    """One benchmark page: its id (file name stem), HTML bytes, and where <head> ends."""

    id: str
    html: bytes
    head_end: int


@dataclass(slots=True)
class Archive:
    """The WARC written: its path, sizes, and the compressed offset where each record ends."""

    path: Path
    records: int = 0
    raw_bytes: int = 0
    gz_bytes: int = 0
    seconds: float = 0.0
    ends: list[int] = field(default_factory=list)  # ends[i]: file offset after response record i


def data_dir() -> Path:
    """``$VERACITY_DATA_DIR`` or ``../shared/data`` relative to the repository root."""
    env = os.environ.get("VERACITY_DATA_DIR")
    return Path(env).expanduser() if env else (REPO.parent / "shared" / "data").resolve()


def load_pages(root: Path) -> list[Page]:
    """The benchmark's pages, decompressed (about 31 MB), sorted by id for a stable order."""
    folder = root / "article_extraction_benchmark" / "html"
    files = sorted(folder.glob("*.html.gz"))
    if not files:
        raise SystemExit(
            f"error: no benchmark pages in {folder} (expected *.html.gz).\n"
            "Set VERACITY_DATA_DIR to the folder holding article_extraction_benchmark/."
        )
    pages = []
    for path in files:
        html = gzip.decompress(path.read_bytes())
        match = HEAD_TAG.search(html)
        pages.append(Page(path.name.removesuffix(".html.gz"), html, match.end() if match else 0))
    return pages


def _digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def _warc_record(headers: Sequence[tuple[str, str]], block: bytes) -> bytes:
    head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    return head.encode("utf-8") + f"Content-Length: {len(block)}\r\n\r\n".encode("ascii") + block + b"\r\n\r\n"


def warcinfo_record(name: str) -> bytes:
    info = (
        b"software: veracity bench/ingest_warc.py\r\n"
        b"format: WARC File Format 1.0\r\n"
        b"description: article extraction benchmark pages repeated under distinct URIs\r\n"
    )
    return _warc_record(
        [
            ("WARC-Type", "warcinfo"),
            ("WARC-Date", WARC_DATE),
            ("WARC-Filename", name),
            ("WARC-Record-ID", f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}>"),
            ("Content-Type", "application/warc-fields"),
        ],
        info,
    )


def response_record(page: Page, rep: int, warcinfo_id: str) -> bytes:
    """A CC-NEWS style response record for one repetition of one page.

    The page gets ``<link rel="canonical">`` pointing at its own target URI, first in
    <head>: veracity identifies an article by its canonical URL, and 163 of the 181 pages
    declare one, so without this every repetition after the first would be "unchanged"
    (no row written) instead of a new article.
    """
    uri = f"{BENCH_HOST}/{page.id}/{rep}"
    link = f'<link rel="canonical" href="{uri}">'.encode("ascii")
    body = page.html[: page.head_end] + link + page.html[page.head_end :]
    http_head = (
        "HTTP/1.1 200 OK\r\n"
        f"Date: {HTTP_DATE}\r\n"
        "Server: bench\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    ).encode("ascii")
    block = http_head + body
    return _warc_record(
        [
            ("WARC-Type", "response"),
            ("WARC-Date", WARC_DATE),
            ("WARC-Record-ID", f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, uri)}>"),
            ("Content-Type", "application/http; msgtype=response"),
            ("WARC-Warcinfo-ID", warcinfo_id),
            ("WARC-IP-Address", "192.0.2.1"),
            ("WARC-Target-URI", uri),
            ("WARC-Payload-Digest", _digest(body)),
            ("WARC-Block-Digest", _digest(block)),
            ("WARC-Identified-Payload-Type", "text/html"),
        ],
        block,
    )


def build_archive(pages: list[Page], path: Path, size_mb: float, level: int = 6) -> Archive:
    """Write the WARC record by record (one gzip member each) until ``size_mb`` uncompressed."""
    target = int(size_mb * MB)
    archive = Archive(path)
    start = time.perf_counter()
    with path.open("wb") as out:
        info = warcinfo_record(path.name)
        warcinfo_id = f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, path.name)}>"
        archive.raw_bytes += len(info)
        out.write(gzip.compress(info, compresslevel=level, mtime=0))
        rep = 0
        while archive.raw_bytes < target:
            for page in pages:
                record = response_record(page, rep, warcinfo_id)
                archive.raw_bytes += len(record)
                out.write(gzip.compress(record, compresslevel=level, mtime=0))
                archive.records += 1
                archive.ends.append(out.tell())
                if archive.raw_bytes >= target:
                    break
            rep += 1
    archive.gz_bytes = path.stat().st_size
    archive.seconds = time.perf_counter() - start
    return archive


def copy_prefix(src: Path, dst: Path, length: int) -> None:
    """The first ``length`` bytes of ``src`` into ``dst``, streamed (a valid WARC: records end there)."""
    with src.open("rb") as fin, dst.open("wb") as fout:
        left = length
        while left:
            chunk = fin.read(min(left, 1 << 20))
            if not chunk:
                break
            fout.write(chunk)
            left -= len(chunk)


# -- the bare loop (runs in a child process) -------------------------------------------


def iter_responses(fh: BinaryIO) -> Iterator[tuple[str | None, bytes]]:
    """(target URI, HTTP body) of each response record, streamed with fastwarc 2.x."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    for record in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=True):
        yield record.headers.get("WARC-Target-URI"), record.reader.read()


def bare_child(archive: Path, limit_seconds: float | None) -> int:
    """Extract every record with bare trafilatura; print one JSON line with the counts."""
    from trafilatura import bare_extraction

    records = articles = errors = 0
    start = time.perf_counter()
    last_report = start
    with archive.open("rb") as fh:
        for uri, html in iter_responses(fh):
            records += 1
            try:
                doc = bare_extraction(html, url=uri, with_metadata=True)
            except Exception:
                errors += 1
            else:
                articles += bool(getattr(doc, "text", None))
            now = time.perf_counter()
            if now - last_report >= 60:
                log(f"bare: {records} records in {now - start:.0f} s")
                last_report = now
            if limit_seconds is not None and now - start >= limit_seconds:
                break
    loop = time.perf_counter() - start
    print(json.dumps({"records": records, "articles": articles, "errors": errors, "loop_seconds": loop}))
    return 0


# -- measuring a child process ---------------------------------------------------------


@dataclass(slots=True)
class Run:
    """One measured child process."""

    name: str
    records: int = 0
    articles: int = 0
    failed: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    peak_rss_mb: float = 0.0
    rss_first_quarter_mb: float = 0.0  # largest RSS sampled in the first quarter of the run
    rss_last_quarter_mb: float = 0.0  # ... and in the last quarter
    returncode: int = 0

    @property
    def records_per_s(self) -> float:
        return self.records / self.wall if self.wall else 0.0

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.wall if self.wall else 0.0

    @property
    def cpu_per_record_ms(self) -> float:
        return 1000 * self.cpu / self.records if self.records else 0.0


def _vm_rss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def measure(
    name: str, cmd: list[str], stdout: Path, stderr: Path, env: dict[str, str] | None = None
) -> tuple[Run, str]:
    """Run ``cmd`` to its end: wall and CPU time and peak RSS of that child alone (wait4).

    RSS is also sampled every 0.2 s, so growth within a run (a leak) shows as a last-quarter
    figure above the first-quarter one, whatever the peak.
    """
    samples: list[tuple[float, int]] = []
    done = threading.Event()
    with stdout.open("wb") as out, stderr.open("wb") as errf:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=errf, cwd=stdout.parent, env={**os.environ, **(env or {})})

        def sample() -> None:
            while not done.wait(0.2):
                kb = _vm_rss_kb(proc.pid)
                if kb:
                    samples.append((time.perf_counter() - start, kb))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    run = Run(name, wall=wall, cpu=usage.ru_utime + usage.ru_stime, returncode=proc.returncode)
    run.peak_rss_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    first = [kb for t, kb in samples if t <= wall / 4]
    last = [kb for t, kb in samples if t >= wall * 3 / 4]
    run.rss_first_quarter_mb = max(first, default=0) / 1024
    run.rss_last_quarter_mb = max(last, default=0) / 1024
    return run, stdout.read_text(encoding="utf-8", errors="replace")


def veracity_command() -> list[str]:
    script = Path(sys.executable).with_name("veracity")
    return [str(script)] if script.exists() else [sys.executable, "-m", "veracity"]


def code_under_test(work: Path) -> str:
    """Which veracity the pipeline child imports (PYTHONPATH can point at another checkout), and its commit."""
    found = subprocess.run(
        [sys.executable, "-c", "import veracity; print(veracity.__file__)"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    package = Path(found.stdout.strip() or "?").parent
    git = subprocess.run(
        ["git", "-C", str(package), "describe", "--always", "--dirty"], capture_output=True, text=True, check=False
    )
    return f"{package} ({'git ' + git.stdout.strip() if git.returncode == 0 else 'not a git checkout'})"


def run_bare(archive: Path, work: Path, limit_seconds: float | None) -> Run:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--bare-child", str(archive)]
    if limit_seconds is not None:
        cmd += ["--limit-seconds", str(limit_seconds)]
    run, out = measure("bare", cmd, work / "bare.out", work / "bare.err")
    if run.returncode != 0:
        raise SystemExit(f"error: the bare loop failed (exit {run.returncode}); see {work / 'bare.err'}")
    result = json.loads(out.strip().splitlines()[-1])
    run.records, run.articles, run.failed = result["records"], result["articles"], result["errors"]
    return run


def run_pipeline(archive: Path, work: Path, records: int, stages: str) -> Run:
    db = work / "bench.db"
    for leftover in (db, db.with_name("bench.db-wal"), db.with_name("bench.db-shm")):
        leftover.unlink(missing_ok=True)  # a fresh database each time: every record is new
    cmd = [*veracity_command(), "ingest", str(archive), "--db", f"sqlite:///{db}"]
    run, out = measure("pipeline", cmd, work / "pipeline.out", work / "pipeline.err", {"VERACITY_STAGES": stages})
    match = SUMMARY.search(out)
    if match is None:
        raise SystemExit(
            f"error: `veracity ingest` printed no summary line (exit {run.returncode}); see {work / 'pipeline.err'}"
        )
    ingested, updated, unchanged, failed = (int(g) for g in match.groups())
    run.articles = ingested + updated + unchanged
    run.failed = failed
    run.records = records
    if run.articles + failed != records:
        log(f"warning: the pipeline accounted for {run.articles + failed} items, the archive holds {records} records")
    if unchanged or updated:
        log(f"warning: {updated} updated and {unchanged} unchanged: records were not all new articles")
    return run


# -- report ----------------------------------------------------------------------------


def table(archive: Archive, runs: list[Run], code: str) -> str:
    cols = (
        ("run", 9, "{}"),
        ("records", 8, "{}"),
        ("articles", 9, "{}"),
        ("failed", 7, "{}"),
        ("wall s", 8, "{:.1f}"),
        ("cpu s", 8, "{:.1f}"),
        ("records/s", 10, "{:.2f}"),
        ("articles/s", 11, "{:.2f}"),
        ("cpu ms/rec", 11, "{:.1f}"),
        ("peak RSS MB", 12, "{:.0f}"),
        ("RSS Q1/Q4 MB", 14, "{}"),
    )
    lines = [
        f"archive: {archive.path}",
        f"  {archive.records} response records, {archive.raw_bytes / MB:.1f} MB uncompressed, "
        f"{archive.gz_bytes / MB:.1f} MB gzipped, written in {archive.seconds:.1f} s",
        f"pipeline: veracity from {code}; python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} (cpu s well below wall s means the machine was shared)",
        "",
        "  ".join(f"{h:>{w}}" for h, w, _ in cols),
    ]
    for r in runs:
        values = (
            r.name,
            r.records,
            r.articles,
            r.failed,
            r.wall,
            r.cpu,
            r.records_per_s,
            r.articles_per_s,
            r.cpu_per_record_ms,
            r.peak_rss_mb,
            f"{r.rss_first_quarter_mb:.0f}/{r.rss_last_quarter_mb:.0f}",
        )
        lines.append("  ".join(f"{fmt.format(v):>{w}}" for (_, w, fmt), v in zip(cols, values, strict=True)))
    return "\n".join(lines)


def verdict(bare: list[Run], pipe: list[Run]) -> tuple[str, dict[str, float]]:
    def total(runs: list[Run], attr: str) -> float:
        return float(sum(getattr(r, attr) for r in runs))

    ratio_wall = (total(pipe, "records") / total(pipe, "wall")) / (total(bare, "records") / total(bare, "wall"))
    ratio_cpu = total(bare, "cpu") / total(pipe, "cpu") * total(pipe, "records") / total(bare, "records")
    b_art, p_art = total(bare, "articles") / total(bare, "wall"), total(pipe, "articles") / total(pipe, "wall")
    ratio_articles = p_art / b_art if b_art else 0.0
    peak = max(r.peak_rss_mb for r in pipe)

    def mark(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    text = "\n".join(
        [
            f"ratio pipeline/bare, records/s (wall): {ratio_wall:.2f}   "
            f"goal >= {RATIO_GOAL}: {mark(ratio_wall >= RATIO_GOAL)}",
            f"ratio pipeline/bare, records per CPU second: {ratio_cpu:.2f}",
            f"ratio pipeline/bare, articles/s (wall): {ratio_articles:.2f}",
            f"pipeline peak RSS: {peak:.0f} MB   goal < {RSS_GOAL_MB:.0f} MB: {mark(peak < RSS_GOAL_MB)}",
            f"bare peak RSS (reference): {max(r.peak_rss_mb for r in bare):.0f} MB",
        ]
    )
    figures = {"ratio_wall": ratio_wall, "ratio_cpu": ratio_cpu, "ratio_articles": ratio_articles, "peak_rss_mb": peak}
    return text, figures


# -- main ------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Ingest speed and memory of veracity on a CC-NEWS style WARC, against bare trafilatura.",
    )
    parser.add_argument(
        "--size-mb", type=float, default=1024, help="uncompressed archive size in MB (2^20 bytes); default 1024"
    )
    parser.add_argument("--out", type=Path, help="folder for the archive, database and logs (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (always kept with --out)")
    parser.add_argument(
        "--limit-seconds",
        type=float,
        help="stop the bare loop after this many seconds; the pipeline then ingests exactly the records "
        "the bare loop got through (a prefix of the archive), so a run lasts about twice this (smoke runs)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure bare and pipeline this many times each, order alternating (bare first, then "
        "pipeline first, ...); figures are totals over the rounds (default 1)",
    )
    parser.add_argument("--gzip-level", type=int, default=6, help="gzip level of the archive records (default 6)")
    parser.add_argument(
        "--stages",
        default="none",
        help="after-ingest stages `veracity ingest` runs (VERACITY_STAGES; default none: ingest alone against "
        "bare extraction; 'stories,analysis,factchecks,verdict' for the whole pipeline)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--bare-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.size_mb <= 0 or args.rounds < 1 or (args.limit_seconds is not None and args.limit_seconds <= 0):
        parser.error("--size-mb, --rounds and --limit-seconds must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.bare_child is not None:
        return bare_child(args.bare_child, args.limit_seconds)

    root = data_dir()
    if not root.is_dir():
        raise SystemExit(
            f"error: data folder {root} not found. It holds article_extraction_benchmark/html/*.html.gz; "
            "set VERACITY_DATA_DIR to point at it."
        )
    pages = load_pages(root)
    temp = args.out is None
    work = Path(tempfile.mkdtemp(prefix="veracity-bench-")) if temp else args.out.resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        size_label = f"{args.size_mb:g}".replace(".", "_")
        log(f"writing a {args.size_mb:g} MB archive from {len(pages)} pages of {root} into {work}")
        archive = build_archive(pages, work / f"bench-{size_label}mb.warc.gz", args.size_mb, args.gzip_level)
        log(f"archive: {archive.records} records, {archive.gz_bytes / MB:.1f} MB gzipped, {archive.seconds:.1f} s")

        bare_runs: list[Run] = []
        pipe_runs: list[Run] = []
        target = archive.path
        records = archive.records
        for round_no in range(args.rounds):
            order = ("bare", "pipeline") if round_no % 2 == 0 else ("pipeline", "bare")
            for which in order:
                if which == "bare":
                    log(f"round {round_no + 1}: bare trafilatura on {records} records")
                    limit = args.limit_seconds if not bare_runs else None  # later rounds: the same records
                    run = run_bare(target, work, limit)
                    bare_runs.append(run)
                    if run.records < records:  # --limit-seconds cut it short: the pipeline gets the same prefix
                        records = run.records
                        target = work / "bench-prefix.warc.gz"
                        copy_prefix(archive.path, target, archive.ends[records - 1])
                        log(f"time limit: {records} records, the pipeline ingests {target.name}")
                    log(f"bare: {run.wall:.1f} s, {run.records_per_s:.2f} records/s, {run.peak_rss_mb:.0f} MB")
                else:
                    log(f"round {round_no + 1}: veracity ingest on {records} records")
                    run = run_pipeline(target, work, records, args.stages)
                    pipe_runs.append(run)
                    log(f"pipeline: {run.wall:.1f} s, {run.records_per_s:.2f} records/s, {run.peak_rss_mb:.0f} MB")
        code = code_under_test(work)
        print(table(archive, bare_runs + pipe_runs, code))
        print()
        text, figures = verdict(bare_runs, pipe_runs)
        print(text)
        if args.json:
            payload: dict[str, Any] = {
                "archive": {k: v for k, v in asdict(archive).items() if k != "ends"} | {"path": str(archive.path)},
                "runs": [asdict(r) | {"records_per_s": r.records_per_s} for r in bare_runs + pipe_runs],
                "veracity": code,
                **figures,
            }
            args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    finally:
        if temp and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        elif temp:
            log(f"kept {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
