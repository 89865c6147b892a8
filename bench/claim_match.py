"""Claims matched per second against a 20,000-item fact-check knowledge base, and the index build cost.

The knowledge base is built at run time from the CheckThat! 2022 verified claims in
``$VERACITY_DATA_DIR/checkthat_task2`` (PolitiFact and Snopes, read there, never copied):
the first ``--size`` records (PolitiFact first, then Snopes), each a ``FactCheck`` with its
claim and headline. The claims to match are what an article offers: ``--claims`` sentences,
half of them tweets and debate sentences from the task's train queries (most with a
fact-check in the base), half knowledge-base claims perturbed (seeded: 30 % of the words
dropped, the rest shuffled in windows of three) so they match loosely.

Timed, each in the same run: building veracity's matcher (BM25 index, embeddings of every
claim and headline, the re-ranker loaded) and matching all claims with ``Matcher.search``
(top 3, threshold applied, as the ingest stage does), beside the baseline: plain BM25
(``bm25s`` index build, top-3 retrieval for the same claims). Goal: >= 200 claims/s after indexing.
Wall-clock and CPU-time rates are both printed: on a shared machine the CPU-time rate is the
stable one (the load average is printed too).

    .venv/bin/python bench/claim_match.py [--size 20000] [--claims 2000] [--encoder static] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from veracity.factchecks.claimreview import FactCheck, fact_check_id  # noqa: E402
from veracity.factchecks.match import Matcher  # noqa: E402
from veracity.factchecks.rating import normalise  # noqa: E402
from veracity.factchecks.settings import FactCheckSettings  # noqa: E402

DATA = Path(os.environ.get("VERACITY_DATA_DIR", REPO.parent / "shared" / "data")) / "checkthat_task2"
SOURCES = [
    ("2022_task2b_en_debates/vclaims_meta.jsonl", "PolitiFact", "truth_label"),
    ("2022_task2a_en_tweets/vclaims.jsonl", "Snopes", None),
]
QUERIES = [
    "2022_task2b_en_debates/CT2022-Task2B-EN-Train-Dev_Queries.tsv",
    "2022_task2a_en_tweets/CT2022-Task2A-EN-Train-Dev_Queries.tsv",
]


def knowledge_base(size: int) -> list[FactCheck]:
    items: list[FactCheck] = []
    for name, publisher, label in SOURCES:
        path = DATA / name
        if not path.is_file():
            sys.exit(f"CheckThat! data not found: {path} (set VERACITY_DATA_DIR)")
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if len(items) >= size:
                    return items
                r = json.loads(line)
                claim = r.get("vclaim") or r.get("title") or ""
                items.append(
                    FactCheck(
                        id=fact_check_id(r["vclaim_id"], claim, publisher),
                        claim=claim,
                        review_url=r.get("url") or r.get("page_url"),
                        publisher=publisher,
                        publisher_site=None,
                        title=r.get("title"),
                        claimant=r.get("speaker"),
                        claim_date=None,
                        review_date=None,
                        rating=normalise(r.get(label) if label else None),
                        language="en",
                        source=name,
                        raw="{}",
                    )
                )
    return items


def claims(kb: list[FactCheck], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    real: list[str] = []
    for name in QUERIES:
        path = DATA / name
        if path.is_file():
            real.extend(line.split("\t", 1)[1].strip() for line in path.open(encoding="utf-8") if "\t" in line)
    rng.shuffle(real)
    out = real[: count // 2]
    while len(out) < count:
        words = [w for w in rng.choice(kb).claim.split() if rng.random() > 0.3]
        for i in range(0, len(words) - 2, 3):
            window = words[i : i + 3]
            rng.shuffle(window)
            words[i : i + 3] = window
        out.append(" ".join(words) or "empty")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--claims", type=int, default=2000)
    parser.add_argument("--encoder", default="static", choices=["static", "minilm", "none"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    kb = knowledge_base(args.size)
    queries = claims(kb, args.claims, args.seed)
    print(f"knowledge base: {len(kb)} fact-checks; {len(queries)} claims to match; encoder {args.encoder}")

    import bm25s

    started, cpu = time.perf_counter(), time.process_time()
    baseline = bm25s.BM25(k1=1.2, b=0.75)
    baseline.index(
        bm25s.tokenize([f"{f.claim} {f.title or ''}" for f in kb], stopwords="en", show_progress=False),
        show_progress=False,
    )
    base_build, base_build_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    for query in queries:  # one claim at a time, as an article's claims arrive
        baseline.retrieve(bm25s.tokenize([query], stopwords="en", show_progress=False), k=3, show_progress=False)
    base_rate = len(queries) / (time.perf_counter() - started)
    base_rate_cpu = len(queries) / (time.process_time() - cpu)

    settings = FactCheckSettings(match_encoder=args.encoder)
    started, cpu = time.perf_counter(), time.process_time()
    matcher = Matcher(kb, settings)
    build, build_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    matched = 0
    for start in range(0, len(queries), 25):  # an article's worth of claims per call, as the stage does
        matched += sum(1 for found in matcher.search(queries[start : start + 25]) if found)
    rate = len(queries) / (time.perf_counter() - started)
    rate_cpu = len(queries) / (time.process_time() - cpu)

    print(f"{'system':30} {'build s':>8} {'build CPU s':>11} {'claims/s':>9} {'claims/CPU s':>12}")
    print(
        f"{'BM25 (bm25s, baseline)':30} {base_build:8.2f} {base_build_cpu:11.2f} {base_rate:9.1f} {base_rate_cpu:12.1f}"
    )
    name = f"veracity matcher ({args.encoder})"
    print(f"{name:30} {build:8.2f} {build_cpu:11.2f} {rate:9.1f} {rate_cpu:12.1f}")
    print(f"claims with a match above the threshold: {matched}/{len(queries)}")
    verdict = "met" if rate >= 200 else "NOT met"
    print(f"ratio veracity/baseline claims/s: {rate / base_rate:.2f} (per CPU second {rate_cpu / base_rate_cpu:.2f})")
    load = os.getloadavg()[0]
    print(f"goal >= 200 claims/s (wall clock): {verdict}; load average now {load:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
