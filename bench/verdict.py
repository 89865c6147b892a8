"""Verdict cost per article beside extraction cost, and re-judging after a new fact-check arrives.

1. Extraction: ``extract_html`` over the article extraction benchmark's pages
   (``$VERACITY_DATA_DIR/article_extraction_benchmark``), time per page: the baseline.
2. Verdict: a SQLite store of ``--articles`` articles (default 10,000; texts from ECB+
   ``$VERACITY_DATA_DIR/ecbplus_story_clusters``, spread over 200 outlets, half of them rated),
   judged once (``veracity judge``: every signal gathered, combined, stored); time per article.
3. A new fact-check arrives that matches ``--matched`` articles (default 5): the fact-check
   part's provider starts returning it for those ids, and ``rejudge_affected`` is called with
   them (it also re-judges the other articles of their outlets, whose track record changed).
   Printed: how many articles were read and re-judged, how many verdicts changed, the time;
   beside it the time of re-judging everything, and how many more verdicts that changed
   (0: the targeted call missed nothing).

    .venv/bin/python bench/verdict.py [--articles 10000] [--matched 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402

from veracity.article import Article, Block, Outlet  # noqa: E402
from veracity.errors import VeracityError  # noqa: E402
from veracity.extract.html import extract_html  # noqa: E402
from veracity.ratings import RatingStore  # noqa: E402
from veracity.ratings.formats import Rating  # noqa: E402
from veracity.settings import Settings  # noqa: E402
from veracity.store.sql import open_store  # noqa: E402
from veracity.verdict import inputs  # noqa: E402
from veracity.verdict.judge import judge, rejudge_affected  # noqa: E402
from veracity.verdict.store import verdicts  # noqa: E402

DATA = Path(os.environ.get("VERACITY_DATA_DIR", REPO.parent / "shared" / "data"))
MATCHES: dict[str, list[Any]] = {}
READ: list[str] = []


@dataclass
class Match:
    score: float
    rating: str
    rating_value: float | None
    publisher: str = "Bench Checks"
    url: str = "https://factcheck.example/1"
    published_after_article: bool = True


def matches_for_article(store: Any, article_id: str) -> list[Any]:
    """The fact-check part's provider as the bench plays it: records every article it is asked about."""
    READ.append(article_id)
    return MATCHES.get(article_id, [])


def clocks() -> tuple[float, float]:
    """(wall, CPU of this process) now: the machine may be shared, so both are reported."""
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = clocks()
    return wall - start[0], cpu - start[1]


def extraction_cost(limit: int) -> tuple[tuple[float, float], int]:
    folder = DATA / "article_extraction_benchmark" / "html"
    pages = sorted(folder.glob("*.html.gz"))[:limit]
    if not pages:
        sys.exit(f"extraction benchmark not found: {folder} (set VERACITY_DATA_DIR)")
    raw = [gzip.decompress(p.read_bytes()) for p in pages]
    settings = Settings()
    start = clocks()
    for i, html in enumerate(raw):
        with contextlib.suppress(VeracityError):  # a page without an article still cost its extraction
            extract_html(html, f"https://bench.example/{i}", settings)
    wall, cpu = since(start)
    return (wall / len(raw), cpu / len(raw)), len(raw)


def build_store(url: str, n: int, seed: int) -> list[str]:
    path = DATA / "ecbplus_story_clusters" / "docs.jsonl"
    if not path.is_file():
        sys.exit(f"ECB+ not found: {path} (set VERACITY_DATA_DIR)")
    docs = [json.loads(line)["text"].split("\n") for line in path.open(encoding="utf-8")]
    rng = random.Random(seed)
    store = open_store(url)
    ids = []
    start = datetime(2024, 1, 1)
    for i in range(n):
        lines = docs[i % len(docs)]
        domain = f"outlet{rng.randrange(200)}.example"
        a = Article(
            title=f"{lines[0][:120]} ({i})",
            blocks=tuple(Block(t) for t in lines[1:] or lines),
            outlet=Outlet(domain, domain),
            url=f"https://{domain}/news/{i}",
            published=start + timedelta(minutes=i),
        )
        store.upsert(a)
        ids.append(a.id)
    ratings = [Rating(f"outlet{k}.example", f"{k / 200:.2f}", k / 200) for k in range(0, 200, 2)]
    RatingStore(store.engine).import_set("bench", "csv", "bench", ratings, start)
    store.close()
    return ids


def count_rows(store: Any) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(verdicts)).scalar_one())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--matched", type=int, default=5)
    parser.add_argument("--pages", type=int, default=181, help="extraction benchmark pages timed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    inputs.PROVIDERS["factchecks"] = ("__main__", "matches_for_article")

    (page_wall, page_cpu), pages = extraction_cost(args.pages)
    print(f"extraction: {page_cpu * 1000:.1f} ms CPU ({page_wall * 1000:.1f} ms wall) per page ({pages} pages)")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        t0 = time.perf_counter()
        ids = build_store(url, args.articles, args.seed)
        print(f"store: {len(ids)} articles in {time.perf_counter() - t0:.1f} s")
        store = open_store(url)
        settings = Settings()
        t0 = clocks()
        result = judge(store, settings, ids)
        wall, cpu = since(t0)
        art_wall, art_cpu = wall / len(ids), cpu / len(ids)
        print(
            f"verdict: {art_cpu * 1000:.2f} ms CPU ({art_wall * 1000:.2f} ms wall) per article ({result.done} judged,"
            f" {len(result.failures)} failed); {art_cpu / page_cpu:.2f}x extraction's CPU per page"
        )
        rng = random.Random(args.seed)
        matched = rng.sample(ids, args.matched)
        for aid in matched:
            MATCHES[aid] = [Match(0.9, "false", 0.0)]
        READ.clear()
        before = count_rows(store)
        t0 = time.perf_counter()
        targeted = rejudge_affected(store, settings, article_ids=matched)
        targeted_s = time.perf_counter() - t0
        touched, changed = len(set(READ)), count_rows(store) - before
        print(
            f"new fact-check matching {len(matched)} of {len(ids)} articles: rejudge_affected read {touched}"
            f" ({len(matched)} matched + {touched - len(matched)} other articles of their outlets, whose track"
            f" record changed), re-judged {targeted.done}, {changed} verdicts changed, in {targeted_s * 1000:.0f} ms"
        )
        READ.clear()
        t0 = time.perf_counter()
        judge(store, settings, ids)
        everything = time.perf_counter() - t0
        print(
            f"re-judging all {len(ids)} instead: {everything:.1f} s ({len(set(READ))} read, "
            f"{count_rows(store) - before - changed} more changed); targeted is {everything / targeted_s:.0f}x faster"
        )
        store.close()
    figures = {
        "extraction_cpu_ms_per_page": page_cpu * 1000,
        "extraction_wall_ms_per_page": page_wall * 1000,
        "verdict_cpu_ms_per_article": art_cpu * 1000,
        "verdict_wall_ms_per_article": art_wall * 1000,
        "verdict_vs_extraction_cpu": art_cpu / page_cpu,
        "articles": len(ids),
        "matched": len(matched),
        "rejudge_read": touched,
        "rejudge_changed": changed,
        "rejudge_ms": targeted_s * 1000,
        "rejudge_all_s": everything,
    }
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
