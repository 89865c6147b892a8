"""Latency of the web desk at 100,000 articles: p50/p95 of the home page, a filtered page, a search and
an article page, under concurrent load from a second process on loopback; SQLite and PostgreSQL.

    python bench/web.py                                   # 100,000 articles, SQLite then PostgreSQL
    python bench/web.py --articles 20000 --backends sqlite --requests 200
    python bench/web.py --backends postgresql --pg-schema bench_web_kept            # fill once, keep
    python bench/web.py --backends postgresql --pg-schema bench_web_kept --reuse    # measure it again

The database is filled in bulk with generated articles (realistic sizes: 8-14 word titles, 5-12
paragraphs, captions, 150 outlets, 12 sections, 5 languages, a tenth with two versions, labels
on a third, a machine verdict on half of them and a reviewer's on one in fifty), straight into the
store's tables and search index. Then ``veracity serve`` runs in
its own process and this process sends requests from ``--concurrency`` threads over keep-alive
connections. Each page's latency is also given as a ratio to ``/healthz`` (the app doing no
work) measured in the same run. Goal: p95 < 100 ms for every page.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from veracity.article import Article, Block, Outlet  # noqa: E402
from veracity.store.schema import articles, versions  # noqa: E402
from veracity.store.sql import open_store  # noqa: E402
from veracity.verdict.store import verdicts  # noqa: E402

PG_URL = os.environ.get("VERACITY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SYLLABLES = "ka lo mi ra te su no vi da pe ro ta li ne ma so ku re ti na ba go fe hu".split()  # noqa: SIM905
COMMON = (  # noqa: SIM905
    "the of and to in a is that for on with as was by said at from it an be has have are this "
    "government minister election president police court report people city year week new after over"
).split()
SECTIONS = ["World", "Politics", "Business", "Sport", "Health", "Science", "Local", "Opinion", "Technology",
            "Culture", "Climate", "Education"]  # fmt: skip


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return COMMON + sorted(words)


def sentence(rng: random.Random, vocab: list[str], n: int) -> str:
    # Zipf-like: a few words very often, most rarely, like news text.
    words = [vocab[min(int(rng.paretovariate(1.1)) - 1, len(vocab) - 1)] for _ in range(n)]
    return " ".join(words).capitalize() + "."


def generate(rng: random.Random, vocab: list[str], i: int, start: datetime) -> Article:
    outlet_no = int(rng.paretovariate(1.2)) % 150
    blocks = [Block(" ".join(sentence(rng, vocab, rng.randint(8, 20)) for _ in range(rng.randint(2, 4))))]
    for _ in range(rng.randint(4, 11)):
        blocks.append(Block(" ".join(sentence(rng, vocab, rng.randint(8, 20)) for _ in range(rng.randint(1, 4)))))
    if rng.random() < 0.5:
        blocks.insert(rng.randint(1, len(blocks)), Block(sentence(rng, vocab, rng.randint(6, 14)), "caption"))
    published = start + timedelta(seconds=rng.randint(0, 365 * 86400))
    return Article(
        title=sentence(rng, vocab, rng.randint(8, 14))[:-1],
        blocks=tuple(blocks),
        outlet=Outlet(f"Outlet {outlet_no}", f"outlet{outlet_no}.example"),
        url=f"https://outlet{outlet_no}.example/news/{i}",
        section=rng.choice(SECTIONS),
        authors=(f"Writer {rng.randint(1, 900)}",),
        language=rng.choices(["en", "fr", "de", "es", "it"], [70, 10, 8, 8, 4])[0],
        published=published,
        modified=published + timedelta(hours=rng.randint(0, 48)),
        label=rng.choices([None, "Truth", "Misleading", "Fake"], [66, 20, 8, 6])[0],
        source="bench",
    )


def fill(url: str, n: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """``n`` generated articles stored in bulk; returns their ids and the vocabulary."""
    store = open_store(url)
    engine = store.engine
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    start = datetime(2024, 1, 1)
    ids: list[str] = []
    t0 = time.perf_counter()
    batch = 2000
    with engine.begin() as conn:
        for lo in range(0, n, batch):
            arts, vers, fts, verd = [], [], [], []
            for i in range(lo, min(n, lo + batch)):
                a = generate(rng, vocab, i, start)
                two = rng.random() < 0.1
                common = {
                    "url": a.url, "canonical_url": None, "title": a.title, "outlet_name": a.outlet.name,
                    "outlet_domain": a.outlet.domain, "section": a.section, "authors": json.dumps(list(a.authors)),
                    "language": a.language, "label": a.label,
                }  # fmt: skip
                arts.append({
                    "id": a.id, "key": a.key, "created_at": a.published, "updated_at": a.modified,
                    "version_count": 2 if two else 1, "content_hash": a.content_hash, **common,
                })  # fmt: skip
                blocks = json.dumps([[b.kind, b.text] for b in a.blocks])
                for number in (1, 2) if two else (1,):
                    body = (
                        blocks if number == (2 if two else 1) else json.dumps([[b.kind, b.text] for b in a.blocks[1:]])
                    )
                    vers.append({
                        "article_id": a.id, "number": number, "content_hash": a.content_hash, "blocks": body,
                        "published_at": a.published, "modified_at": a.modified, "seen_at": a.modified,
                        "source": "bench", **common,
                    })  # fmt: skip
                fts.append({"rowid": int(a.id, 16), "id": a.id, "title": a.title, "body": a.search_text})
                for source, share in (("machine", 0.5), ("reviewer", 0.02)):
                    if rng.random() < share:
                        verd.append({
                            "article_id": a.id, "version": 1, "source": source, "evidence": "{}",
                            "inputs_hash": "bench",
                            "label": rng.choices(["Unverified", "Truth", "Misleading", "Fake"], [50, 35, 10, 5])[0],
                            "confidence": round(rng.random(), 3), "model": "bench", "created_at": a.modified,
                            "outlet_domain": a.outlet.domain, "article_evidence": False,
                        })  # fmt: skip
                ids.append(a.id)
            conn.execute(insert(articles), arts)
            conn.execute(insert(versions), vers)
            if verd:
                conn.execute(insert(verdicts), verd)
            if store.dialect == "postgresql":
                conn.execute(
                    text(
                        "UPDATE articles SET search_vector = setweight(to_tsvector('simple', :title), 'A')"
                        " || setweight(to_tsvector('simple', :body), 'B') WHERE id = :id"
                    ),
                    fts,
                )
            else:
                conn.execute(
                    text("INSERT INTO article_search (rowid, title, body) VALUES (:rowid, :title, :body)"), fts
                )
            print(f"\r  stored {len(ids):,} articles in {time.perf_counter() - t0:.0f} s", end="", flush=True)
    if store.dialect == "postgresql":
        vacuum(engine)
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    print()
    store.close()
    return ids, vocab


def vacuum(engine: Any, tries: int = 10) -> None:
    """VACUUM ANALYZE as autovacuum would soon after a bulk load: index-only scans need the visibility map.

    The fill's UPDATEs leave a dead version of every article; while another session on the
    server holds an older snapshot, VACUUM cannot remove them nor mark the pages all-visible,
    so it is repeated (as autovacuum would be) until most pages are.
    """
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for attempt in range(tries):
            for table in ("articles", "versions", "verdicts"):
                conn.execute(text(f"VACUUM ANALYZE {table}"))
            pages, visible = conn.execute(
                text("SELECT relpages, relallvisible FROM pg_class WHERE oid = 'articles'::regclass")
            ).one()
            if visible >= 0.9 * pages or attempt == tries - 1:
                print(f"  vacuumed: {visible:,} of {pages:,} article pages all-visible")
                return
            time.sleep(3)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(url: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "VERACITY_API_RATE_PER_MINUTE": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "veracity", "serve", "--port", str(port), "--db", url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(600):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            if proc.poll() is not None:
                why = proc.stderr.read().decode() if proc.stderr else ""
                raise RuntimeError(f"veracity serve exited: {why}") from None
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("veracity serve did not start")


def load(port: int, paths: list[str], concurrency: int) -> list[float]:
    """Request every path once, from ``concurrency`` threads with keep-alive; latencies in ms."""
    todo = list(paths)
    lock = threading.Lock()
    out: list[float] = []
    errors: list[str] = []

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not todo:
                    break
                path = todo.pop()
            t0 = time.perf_counter()
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                out.append(ms)
                if resp.status != 200:
                    errors.append(f"{resp.status} {path}")
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, e.g. {errors[:3]}")
    return out


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def stored(url: str) -> tuple[list[str], list[str]]:
    """The ids of an already filled database (``--reuse``) and the vocabulary it was made with."""
    engine = create_engine(url)
    with engine.connect() as conn:
        ids = [str(r.id) for r in conn.execute(text("SELECT id FROM articles ORDER BY id"))]
    engine.dispose()
    return ids, vocabulary(random.Random(7))


def bench(url: str, n: int, requests: int, concurrency: int, reuse: bool = False) -> dict[str, Any]:
    if reuse:
        ids, vocab = stored(url)
        print(f"reusing {url.split('?')[0]}: {len(ids):,} articles")
    else:
        print(f"filling {url.split('?')[0]} with {n:,} articles")
        ids, vocab = fill(url, n)
    rng = random.Random(11)
    proc, port = serve(url)
    try:
        common = ["government", "minister election", "police court", "report", "people city"]
        rare = vocab[200:2000]  # words in a few hundred articles, like names
        outlets = [f"Outlet {i}" for i in (1, 3, 7, 20, 60)]
        one = [
            "label=Fake",
            "label=Truth",
            "label=Unverified",
            "section=Sport",
            "language=it",
            f"outlet={rng.choice(outlets).replace(' ', '+')}",
            "since=2024-06-01&until=2024-06-30",
        ]
        pages = {
            "healthz (baseline)": ["/healthz"] * requests,
            "home": ["/"] + [f"/?page={rng.randint(1, 5)}" for _ in range(requests - 1)],
            "filtered, one filter": [f"/?{rng.choice(one)}" for _ in range(requests)],
            "filtered, three": [
                f"/?label={rng.choice(['Truth', 'Fake', 'Misleading'])}&outlet={rng.choice(outlets).replace(' ', '+')}"
                f"&section={rng.choice(['World', 'Politics', 'Sport'])}"
                for _ in range(requests)
            ],
            "search, rarer words": [f"/?q={rng.choice(rare)}" for _ in range(requests)],
            "search, common words": [f"/?q={rng.choice(common).replace(' ', '+')}" for _ in range(requests)],
            "article": [f"/articles/{rng.choice(ids)}" for _ in range(requests)],
        }
        load(port, ["/", "/?q=report", f"/articles/{ids[0]}"] * 3, concurrency)  # warm up
        results: dict[str, Any] = {}
        base_p50 = 0.0
        for name, paths in pages.items():
            t0 = time.perf_counter()
            lat = load(port, paths, concurrency)
            wall = time.perf_counter() - t0
            p50, p95 = pct(lat, 50), pct(lat, 95)
            if not base_p50:
                base_p50 = p50
            results[name] = {"p50_ms": round(p50, 1), "p95_ms": round(p95, 1), "rps": round(len(lat) / wall, 1)}
            print(
                f"  {name:<22} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {len(lat) / wall:6.1f} req/s"
                f"  p50 x{p50 / base_p50:5.1f} of baseline  {'OK' if p95 < 100 else 'over the 100 ms goal'}"
            )
        results.update(in_process(url))
        return results
    finally:
        proc.terminate()
        proc.wait(20)


def in_process(url: str, rounds: int = 5) -> dict[str, Any]:
    """Median ms of the reviewer-only queue and an outlet's track record, read in this process.

    The queue page needs a sign-in, so it is timed here; the baseline is a page of the feed's
    newest cards read from the store in the same run.
    """
    from veracity.web import parts

    store = open_store(url)
    try:
        checks: dict[str, Callable[[], object]] = {
            "feed page from the store (baseline)": lambda: store.latest(limit=20),
            "review queue (20)": lambda: parts.review_queue(store, 20),
            "track record, biggest outlet": lambda: parts.track_record(store, "outlet1.example"),
        }
        out: dict[str, Any] = {}
        base = 0.0
        for name, check in checks.items():
            times: list[float] = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                check()
                times.append((time.perf_counter() - t0) * 1000)
            ms = statistics.median(times)
            base = base or ms
            out[name] = {"median_ms": round(ms, 1)}
            print(f"  {name:<38} median {ms:7.1f} ms  x{ms / base:5.1f} of baseline")
        return out
    finally:
        store.close()


def bench_postgresql(n: int, requests: int, concurrency: int, keep: str | None, reuse: bool) -> dict[str, Any]:
    """The bench in a PostgreSQL schema: a temporary one, or ``keep`` (filled once, measured again with ``reuse``)."""
    schema = keep or "bench_web_" + uuid.uuid4().hex[:8]
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    try:
        with admin.begin() as conn:
            if keep and not reuse:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            filled = bool(
                conn.execute(
                    text("SELECT 1 FROM information_schema.tables WHERE table_schema = :s AND table_name = 'articles'"),
                    {"s": schema},
                ).first()
            )
        return bench(url, n, requests, concurrency, reuse and filled)
    finally:
        if not keep:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="requests per page kind")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--out", type=Path, help="keep the SQLite database here")
    parser.add_argument("--reuse", action="store_true", help="measure the SQLite database kept in --out again")
    parser.add_argument(
        "--pg-schema",
        help="fill this PostgreSQL schema and keep it (default: a temporary one, dropped after); "
        "with --reuse, measure it again when it holds articles",
    )
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    figures: dict[str, Any] = {"articles": args.articles, "concurrency": args.concurrency}
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.out or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for backend in args.backends.split(","):
            if backend == "sqlite":
                db = folder / "bench-web.db"
                reuse = args.reuse and db.exists()
                for suffix in ("", "-wal", "-shm") if not reuse else ():
                    Path(str(db) + suffix).unlink(missing_ok=True)
                figures["sqlite"] = bench(f"sqlite:///{db}", args.articles, args.requests, args.concurrency, reuse)
            elif backend == "postgresql":
                figures["postgresql"] = bench_postgresql(args.articles, args.requests, args.concurrency,
                                                         args.pg_schema, args.reuse)  # fmt: skip
            else:
                parser.error(f"unknown backend {backend}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
