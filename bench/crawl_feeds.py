"""Speed and memory of one ``veracity run --once`` pass against bare trafilatura on the same pages.

A local server (127.0.0.1, this process) serves N RSS feeds of 20 new articles each; the
article bodies are the pages of ``article_extraction_benchmark/html`` under the shared data
folder, read from there (never copied), cycled, with their ``rel=canonical`` / ``og:url``
tags removed in memory so that every served URL is its own article. Measured, each in a
child process (CPU and peak RSS from ``getrusage`` of the child):

* crawl: ``veracity run --once`` into a fresh SQLite database (politeness delay 0, the
  fetcher's robots.txt, SSRF guard, limits all on): polls the N feeds, fetches, extracts
  and stores the N*20 articles;
* bare: ``trafilatura.bare_extraction(html, url=..., with_metadata=True)`` on the same
  N*20 bodies in the same order, no network, no storage.

    .venv/bin/python bench/crawl_feeds.py --feeds 1000      # the issue's size
    .venv/bin/python bench/crawl_feeds.py --feeds 50        # a quick look

Goal: crawl articles/s >= 0.8 x bare articles/s (the crawler is bound by extraction).
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PER_FEED = 20
_CANONICAL = re.compile(rb"<link[^>]+rel=[\"']?canonical[^>]*>|<meta[^>]+og:url[^>]*>", re.I)


def data_dir() -> Path:
    return Path(os.environ.get("VERACITY_DATA_DIR", ROOT.parent / "shared" / "data"))


def load_pages() -> list[bytes]:
    folder = data_dir() / "article_extraction_benchmark" / "html"
    files = sorted(folder.glob("*.html.gz"))
    if not files:
        raise SystemExit(f"error: no benchmark pages in {folder} (set VERACITY_DATA_DIR)")
    return [_CANONICAL.sub(b"", gzip.decompress(p.read_bytes())) for p in files]


class Site:
    """N feeds of 20 articles each; article k is page k % len(pages)."""

    def __init__(self, pages: list[bytes], feeds: int) -> None:
        self.pages = pages
        self.feeds = feeds
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                body, ctype, status = site.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Quiet(http.server.ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass

        self.httpd = Quiet(("127.0.0.1", 0), Handler)
        self.port = int(self.httpd.server_address[1])
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def article(self, k: int) -> bytes:
        return self.pages[k % len(self.pages)]

    def answer(self, path: str) -> tuple[bytes, str, int]:
        if path.startswith("/feed-"):
            f = int(path[6:].split(".")[0])
            items = "".join(
                f"<item><title>Story {f}-{j}</title><link>{self.url(f'/a/{f}/{j}')}</link><guid>{f}-{j}</guid></item>"
                for j in range(PER_FEED)
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {f}</title>{items}</channel></rss>'
            return body.encode(), "application/rss+xml", 200
        if path.startswith("/a/"):
            _, _, f, j = path.split("/")
            return self.article(int(f) * PER_FEED + int(j)), "text/html; charset=utf-8", 200
        return b"not found", "text/plain", 404


def bare_child(bodies_from: str, feeds: int) -> int:
    """Child: bare trafilatura on the same bodies, in the same order."""
    from trafilatura import bare_extraction

    pages = load_pages()
    articles = 0
    n = feeds * PER_FEED
    for k in range(n):
        f, j = divmod(k, PER_FEED)
        html = pages[k % len(pages)]
        doc = bare_extraction(html, url=f"{bodies_from}/a/{f}/{j}", with_metadata=True)
        articles += bool(getattr(doc, "text", None))
    print(json.dumps({"records": n, "articles": articles}))
    return 0


def measure(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``cmd``; its wall time, CPU time and peak RSS (``wait4`` rusage of that child only)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"error: {' '.join(cmd)} failed ({proc.returncode}): {stderr[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return {"wall": wall, "cpu": cpu, "peak_rss_mb": usage.ru_maxrss / 1024, "stdout": stdout, "stderr": stderr}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000, help="feeds served, 20 articles each (1000)")
    parser.add_argument("--workers", type=int, default=4, help="veracity run --workers (4)")
    parser.add_argument("--bare-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_child:
        return bare_child(args.bare_child, args.feeds)

    pages = load_pages()
    site = Site(pages, args.feeds)
    n = args.feeds * PER_FEED
    env = {
        **os.environ,
        "VERACITY_ALLOW_NETWORKS": "127.0.0.1/32",
        "VERACITY_MIN_HOST_DELAY": "0",
        "VERACITY_MAX_PER_HOST": str(max(2, args.workers)),
        "VERACITY_MAX_ITEMS_PER_FEED": str(PER_FEED),
    }
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'bench.db'}"
        opml = Path(tmp) / "feeds.opml"
        outlines = "".join(
            f'<outline text="Feed {f}" xmlUrl="{site.url(f"/feed-{f}.xml")}"/>' for f in range(args.feeds)
        )
        opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>')
        veracity = [sys.executable, "-m", "veracity"]
        subprocess.run(
            [*veracity, "sources", "import", str(opml), "--db", db], env=env, check=True, capture_output=True
        )
        print(f"crawl: veracity run --once over {args.feeds} feeds, {n} articles ...", file=sys.stderr)
        crawl = measure([*veracity, "run", "--once", "--workers", str(args.workers), "--db", db], env)
    print(f"bare: trafilatura.bare_extraction on the same {n} pages ...", file=sys.stderr)
    bare = measure([sys.executable, __file__, "--feeds", str(args.feeds), "--bare-child", site.url("")], env)
    site.httpd.shutdown()

    summary = crawl["stdout"].strip().splitlines()[-1] if crawl["stdout"].strip() else ""
    counts = dict(part.split("=") for part in summary.split())
    stored = int(counts.get("ingested", 0)) + int(counts.get("updated", 0)) + int(counts.get("unchanged", 0))
    bare_info = json.loads(bare["stdout"].strip().splitlines()[-1])
    rows = [
        ("crawl (veracity run --once)", n, stored, crawl),
        ("bare trafilatura", n, bare_info["articles"], bare),
    ]
    print(f"pages: {len(pages)} benchmark pages cycled over {n} URLs ({args.feeds} feeds x {PER_FEED})")
    print(f"crawl summary: {summary}")
    print(f"{'run':<30} {'pages':>7} {'articles':>9} {'wall s':>8} {'pages/s':>8} {'CPU ms/page':>12} {'peak MB':>8}")
    for name, pages_n, arts, m in rows:
        print(
            f"{name:<30} {pages_n:>7} {arts:>9} {m['wall']:>8.1f} {pages_n / m['wall']:>8.1f} "
            f"{1000 * m['cpu'] / pages_n:>12.1f} {m['peak_rss_mb']:>8.0f}"
        )
    ratio = (n / crawl["wall"]) / (n / bare["wall"])
    cpu_ratio = bare["cpu"] / crawl["cpu"]
    print(f"throughput crawl/bare: {ratio:.2f} (goal >= 0.8)   CPU efficiency bare/crawl: {cpu_ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
