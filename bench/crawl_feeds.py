"""Speed and memory of one ``veracity run --once`` pass against bare trafilatura on the same pages.

A local server (127.0.0.1, in this process) serves N RSS feeds of 20 new articles each.
The article bodies are the 181 pages of ``article_extraction_benchmark/html`` under the
shared data folder, read from there (never copied) and cycled; each served page gets a
``<link rel="canonical">`` to its own URL first in ``<head>`` (as bench/ingest_warc.py
does), so every URL is a new article. Measured, each in its own child process, on the
same pages in the same run (CPU and peak RSS from ``wait4`` of that child only):

* crawl: ``veracity run --once`` on a fresh SQLite database that lists the N feeds
  (politeness delay 0; robots.txt, the SSRF guard and every limit on): polls the N feeds,
  fetches, extracts and stores the N x 20 articles;
* bare: ``trafilatura.bare_extraction(html, url=..., with_metadata=True)`` on the same
  N x 20 bodies (canonical link included) in feed order: no network, no storage.

    .venv/bin/python bench/crawl_feeds.py --feeds 1000      # the issue's size (about 20 min)
    .venv/bin/python bench/crawl_feeds.py --feeds 100       # a quick look (about 2 min)

``--rounds N`` measures both N times, alternating which goes first, so drift in the
machine's load falls on both; figures are totals over the rounds. ``--together`` runs the
two children at the same time instead, so that on a machine shared with other work both
meet the same load over the same minutes (they then also compete with each other). The load average is
printed around each child, and the local server's own CPU time (not charged to the crawl)
beside it. Goal: crawl articles per second >= 0.8 x bare articles per second. On a shared
machine wall times stretch unevenly; the CPU ratio (articles per CPU second) is then the
figure to trust. See bench/README.md.
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PER_FEED = 20  # the figure; --per-feed changes it
RATIO_GOAL = 0.8
HEAD_TAG = re.compile(rb"<head(?:\s[^>]*)?>", re.IGNORECASE)
SUMMARY = re.compile(r"ingested=(\d+) updated=(\d+) unchanged=(\d+) failed=(\d+)")


def data_dir() -> Path:
    return Path(os.environ.get("VERACITY_DATA_DIR", ROOT.parent / "shared" / "data"))


def load_pages() -> list[tuple[bytes, int]]:
    """The benchmark pages (sorted by file name) and where each one's ``<head>`` tag ends."""
    folder = data_dir() / "article_extraction_benchmark" / "html"
    files = sorted(folder.glob("*.html.gz"))
    if not files:
        raise SystemExit(f"error: no benchmark pages in {folder} (set VERACITY_DATA_DIR)")
    pages = []
    for path in files:
        html = gzip.decompress(path.read_bytes())
        match = HEAD_TAG.search(html)
        pages.append((html, match.end() if match else 0))
    return pages


def page(pages: list[tuple[bytes, int]], k: int, url: str) -> bytes:
    """Article ``k``: page ``k % len(pages)`` with a canonical link to ``url`` first in its head."""
    html, head_end = pages[k % len(pages)]
    return html[:head_end] + f'<link rel="canonical" href="{url}">'.encode() + html[head_end:]


def article_path(k: int, per_feed: int) -> str:
    f, j = divmod(k, per_feed)
    return f"/a/{f}/{j}"


class Site:
    """N feeds of 20 articles each on 127.0.0.1; article k is benchmark page k % 181."""

    def __init__(self, pages: list[tuple[bytes, int]], feeds: int, per_feed: int = PER_FEED) -> None:
        self.pages = pages
        self.feeds = feeds
        self.per_feed = per_feed
        self.requests = 0
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.requests += 1
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

    def answer(self, path: str) -> tuple[bytes, str, int]:
        if path.startswith("/feed-"):
            f = int(path[6:].split(".")[0])
            items = "".join(
                f"<item><title>Story {f}-{j}</title><link>{self.url(f'/a/{f}/{j}')}</link><guid>{f}-{j}</guid></item>"
                for j in range(self.per_feed)
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {f}</title>{items}</channel></rss>'
            return body.encode(), "application/rss+xml", 200
        if path.startswith("/a/"):
            _, _, f, j = path.split("/")
            return page(self.pages, int(f) * self.per_feed + int(j), self.url(path)), "text/html; charset=utf-8", 200
        return b"not found", "text/plain", 404


def bare_child(origin: str, feeds: int, per_feed: int) -> int:
    """Child: bare trafilatura on the same bodies, in feed order."""
    from trafilatura import bare_extraction

    pages = load_pages()
    articles = 0
    n = feeds * per_feed
    for k in range(n):
        url = origin + article_path(k, per_feed)
        doc = bare_extraction(page(pages, k, url), url=url, with_metadata=True)
        articles += bool(getattr(doc, "text", None))
    print(json.dumps({"records": n, "articles": articles}))
    return 0


def loadavg() -> float:
    return os.getloadavg()[0]


def measure(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``cmd``; its wall time, CPU time and peak RSS (``wait4`` rusage of that child only)."""
    load_before = loadavg()
    server_cpu = time.process_time()  # this process only serves pages (and waits) while the child runs
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if code not in (0, 1):
        raise SystemExit(f"error: {' '.join(cmd)} failed ({code}): {stderr[-2000:]}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "server_cpu": time.process_time() - server_cpu,
        "load": (load_before, loadavg()),
        "stdout": stdout,
        "stderr": stderr,
    }


def run_crawl(site: Site, feeds: int, workers: int, env: dict[str, str]) -> dict[str, Any]:
    """A fresh database listing the feeds (not timed), then one timed ``veracity run --once``."""
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'bench.db'}"
        opml = Path(tmp) / "feeds.opml"
        outlines = "".join(f'<outline text="Feed {f}" xmlUrl="{site.url(f"/feed-{f}.xml")}"/>' for f in range(feeds))
        opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>')
        veracity = [sys.executable, "-m", "veracity"]
        listing = [*veracity, "sources", "import", str(opml), "--db", db]
        subprocess.run(listing, env=env, check=True, capture_output=True)
        result = measure([*veracity, "run", "--once", "--workers", str(workers), "--db", db], env)
    lines = result["stdout"].strip().splitlines()
    match = SUMMARY.search(lines[-1]) if lines else None
    if match is None:
        raise SystemExit(f"error: no summary line from veracity run: {result['stderr'][-2000:]}")
    ingested, updated, unchanged, failed = (int(g) for g in match.groups())
    result.update(summary=match.group(0), articles=ingested + updated + unchanged, failed=failed)
    return result


def run_bare(site: Site, feeds: int, _workers: int, env: dict[str, str]) -> dict[str, Any]:
    cmd = [
        sys.executable,
        __file__,
        "--feeds",
        str(feeds),
        "--per-feed",
        str(site.per_feed),
        "--bare-child",
        site.url(""),
    ]
    result = measure(cmd, env)
    result["articles"] = json.loads(result["stdout"].strip().splitlines()[-1])["articles"]
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000, help="feeds served, 20 articles each (1000)")
    parser.add_argument("--per-feed", type=int, default=PER_FEED, help="new articles in each feed (20)")
    parser.add_argument("--workers", type=int, default=4, help="veracity run --workers (4)")
    parser.add_argument("--rounds", type=int, default=1, help="measure both this many times, alternating (1)")
    parser.add_argument(
        "--together",
        action="store_true",
        help="run crawl and bare at the same time (a shared machine: both meet the same load)",
    )
    parser.add_argument(
        "--stages",
        default="none",
        help="after-ingest stages the crawl runs (VERACITY_STAGES; default none: the crawler against bare "
        "extraction, as the issue asks; 'stories,analysis,factchecks,verdict' for the whole pipeline)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--bare-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_child:
        return bare_child(args.bare_child, args.feeds, args.per_feed)

    pages = load_pages()
    site = Site(pages, args.feeds, args.per_feed)
    n = args.feeds * args.per_feed
    env = {
        **os.environ,
        "VERACITY_ALLOW_NETWORKS": "127.0.0.1/32",
        "VERACITY_MIN_HOST_DELAY": "0",
        "VERACITY_MAX_PER_HOST": str(max(2, args.workers)),
        "VERACITY_MAX_ITEMS_PER_FEED": str(args.per_feed),
        "VERACITY_STAGES": args.stages,
    }
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True
    ).stdout.strip()
    imported = subprocess.run(
        [sys.executable, "-c", "import veracity; print(veracity.__file__)"], env=env, capture_output=True, text=True
    ).stdout.strip()
    print(
        f"pages: {len(pages)} benchmark pages cycled over {n} URLs ({args.feeds} feeds x {args.per_feed}); "
        f"{os.cpu_count()} CPUs; the crawl imports {imported} (bench at {commit or 'unknown commit'})",
        flush=True,
    )
    runs: dict[str, list[dict[str, Any]]] = {"crawl": [], "bare": []}
    for r in range(args.rounds):
        if args.together:
            print(f"[{time.strftime('%H:%M:%S')}] round {r + 1}: crawl and bare together ...", file=sys.stderr)
            with ThreadPoolExecutor(2) as pool:
                bare_future = pool.submit(run_bare, site, args.feeds, args.workers, env)
                crawl_m = run_crawl(site, args.feeds, args.workers, env)
                measured = [("crawl", crawl_m), ("bare", bare_future.result())]
        else:
            order = ("crawl", "bare") if r % 2 == 0 else ("bare", "crawl")
            measured = []
            for name in order:
                print(f"[{time.strftime('%H:%M:%S')}] round {r + 1}: {name} ...", file=sys.stderr, flush=True)
                fn = run_crawl if name == "crawl" else run_bare
                measured.append((name, fn(site, args.feeds, args.workers, env)))
        for name, m in measured:
            runs[name].append(m)
            print(
                f"  round {r + 1} {name:<5} wall {m['wall']:7.1f} s  cpu {m['cpu']:7.1f} s  "
                f"load {m['load'][0]:.1f} -> {m['load'][1]:.1f}"
                + (f"  server cpu {m['server_cpu']:.1f} s  {m['summary']}" if name == "crawl" else ""),
                flush=True,
            )
    site.httpd.shutdown()

    total = {name: _total(ms) for name, ms in runs.items()}
    pages_n = n * args.rounds
    print(
        f"\n{'run':<30} {'pages':>7} {'articles':>9} {'wall s':>8} {'cpu s':>8} {'articles/s':>10} "
        f"{'CPU ms/article':>14} {'peak MB':>8}"
    )
    for name, label in (("crawl", "crawl (veracity run --once)"), ("bare", "bare trafilatura")):
        t = total[name]
        print(
            f"{label:<30} {pages_n:>7} {t['articles']:>9} {t['wall']:>8.1f} {t['cpu']:>8.1f} "
            f"{t['articles'] / t['wall']:>10.2f} {1000 * t['cpu'] / max(t['articles'], 1):>14.1f} "
            f"{t['peak_rss_mb']:>8.0f}"
        )
    crawl, bare = total["crawl"], total["bare"]
    wall_ratio = (crawl["articles"] / crawl["wall"]) / (bare["articles"] / bare["wall"])
    cpu_ratio = (crawl["articles"] / crawl["cpu"]) / (bare["articles"] / bare["cpu"])
    mark = "ok" if wall_ratio >= RATIO_GOAL else "MISSED"
    print(f"ratio crawl/bare, articles/s (wall): {wall_ratio:.2f}   goal >= {RATIO_GOAL}: {mark}")
    print(f"ratio crawl/bare, articles per CPU second: {cpu_ratio:.2f}")
    if args.together:
        print("(crawl and bare ran at the same time, sharing the machine: compare the CPU ratio first)")
    print(
        f"local server (this process, not charged to the crawl): {crawl['server_cpu']:.1f} s CPU, "
        f"{1000 * crawl['server_cpu'] / max(crawl['articles'], 1):.1f} ms an article"
    )
    if args.json:
        figures = {
            "feeds": args.feeds,
            "per_feed": args.per_feed,
            "rounds": args.rounds,
            "workers": args.workers,
            "together": args.together,
            "wall_ratio": wall_ratio,
            "cpu_ratio": cpu_ratio,
            "runs": {k: [_figures(m) for m in ms] for k, ms in runs.items()},
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


def _figures(m: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in m.items() if k not in ("stdout", "stderr")}


def _total(ms: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "wall": sum(m["wall"] for m in ms),
        "cpu": sum(m["cpu"] for m in ms),
        "articles": sum(m["articles"] for m in ms),
        "peak_rss_mb": max(m["peak_rss_mb"] for m in ms),
        "server_cpu": sum(m["server_cpu"] for m in ms),
    }


if __name__ == "__main__":
    raise SystemExit(main())
