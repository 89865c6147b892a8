"""Cost of assigning one article to a story at 10k and at 100k indexed articles, and memory at 100k.

Builds a realistic stream from the ECB+ texts (``$VERACITY_DATA_DIR/ecbplus_story_clusters``,
read there, never copied): each synthetic *story* is made of the sentences of two random
ECB+ documents, shuffled, with every capitalised word and number replaced by an invented
one (so that stories are distinct, as real ones are: new names, places, figures); each
*article* of a story is that text perturbed (seeded): sentences dropped and reordered,
5 % of the words replaced, sometimes a verbatim reprint. Stories have 1-12 articles
(geometric, mean about 4), published within two days of their first article; story
starts are spread over a year.

The stream is fed to one :class:`StoryIndex` (near-duplicate check included, embeddings
computed per article as in ingest: ``assign(doc_id, text, published=...)``). When the
index holds 10k articles, and again at 100k, the next ``--sample`` articles are timed one
by one; the two are printed side by side with their ratio (goal: 100k within 1.5x of 10k).
Memory: resident set size of the process after loading the model (before any article)
and at 100k articles. Then the size of the index's snapshot (what ``veracity/stories/persist.py``
saves in the database) and the time to save and load it.

    .venv/bin/python bench/stories_assign.py [--sizes 10000,100000] [--sample 1000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import re
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from veracity.stories.cluster import StoryIndex  # noqa: E402
from veracity.stories.embed import get_embedder  # noqa: E402

SYLLABLES = ["ka", "ro", "mel", "sin", "dar", "vo", "lis", "tem", "qua", "bri", "no", "zan", "pel", "ur", "gor", "thi"]
CAPITAL_OR_NUMBER = re.compile(r"\b(?:[A-Z][\w'-]+|\d[\d.,:]*)\b")


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def load_sentences(data_dir: Path) -> list[list[str]]:
    path = data_dir / "docs.jsonl"
    if not path.is_file():
        sys.exit(f"ECB+ data not found: {path} (set VERACITY_DATA_DIR)")
    with path.open(encoding="utf-8") as f:
        return [json.loads(line)["text"].split("\n") for line in f]


def invented(rng: random.Random, token: str) -> str:
    if token[0].isdigit():
        return str(rng.randint(2, 9999))
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    return word.capitalize()


def rename(text: str, rng: random.Random) -> str:
    """Every capitalised word and number replaced by an invented one, the same one each time."""
    mapping: dict[str, str] = {}

    def new(match: re.Match[str]) -> str:
        return mapping.setdefault(match.group(0), invented(rng, match.group(0)))

    return CAPITAL_OR_NUMBER.sub(new, text)


def stream(docs: list[list[str]], seed: int) -> Iterator[tuple[str, str, datetime]]:
    """(doc_id, text, published) forever, stories interleaved as they would arrive."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1)
    open_stories: list[tuple[str, list[str], datetime, int]] = []  # (id, sentences, first, left)
    n_story = n_doc = 0
    while True:
        if not open_stories or rng.random() < 0.3:
            a, b = rng.sample(docs, 2)
            sentences = a[: rng.randint(3, 8)] + b[: rng.randint(2, 5)]
            rng.shuffle(sentences)
            text = rename("\n".join(sentences), rng)
            size = min(12, 1 + int(rng.expovariate(1 / 3)))
            first = start + timedelta(days=365 * n_story / 25_000, minutes=rng.randint(0, 600))
            open_stories.append((f"s{n_story}", text.split("\n"), first, size))
            n_story += 1
        i = rng.randrange(len(open_stories))
        sid, sentences, first, left = open_stories[i]
        if left <= 1:
            open_stories.pop(i)
        else:
            open_stories[i] = (sid, sentences, first, left - 1)
        if rng.random() < 0.15:
            body = sentences  # a verbatim reprint
        else:
            body = [s for s in sentences if rng.random() > 0.2] or sentences[:1]
            if len(body) > 2:
                j = rng.randrange(1, len(body) - 1)
                body[j], body[j + 1] = body[j + 1], body[j]
            body = [" ".join(w if rng.random() > 0.05 else rng.choice(SYLLABLES) for w in s.split()) for s in body]
        published = first + timedelta(minutes=rng.randint(0, 2 * 24 * 60))
        yield f"{sid}-{n_doc}", "\n".join(body), published
        n_doc += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="index sizes at which to time (ascending)")
    parser.add_argument("--sample", type=int, default=1000, help="articles timed at each size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write the figures there too")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    data_dir = Path(os.environ.get("VERACITY_DATA_DIR", REPO.parent / "shared" / "data")) / "ecbplus_story_clusters"
    docs = load_sentences(data_dir)

    get_embedder()
    rss_start = rss_mb()
    index = StoryIndex()
    items = stream(docs, args.seed)
    figures: dict[str, dict[str, float]] = {}
    t_build = time.perf_counter()
    for size in sizes:
        fill: list[tuple[str, str, datetime | None]] = []
        while len(index) + len(fill) < size:
            doc_id, text, published = next(items)
            fill.append((doc_id, text, published))
            if len(fill) == 2000 or len(index) + len(fill) == size:
                index.assign_many(fill)  # batched embeddings: the filling is not what is measured
                fill.clear()
                print(f"  indexed {len(index)} articles, {index.n_stories} stories", file=sys.stderr, flush=True)
        times, cpu = [], []
        for _ in range(args.sample):
            doc_id, text, published = next(items)
            t0, c0 = time.perf_counter(), time.process_time()
            index.assign(doc_id, text, published=published)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        figures[str(size)] = {
            "articles": float(len(index)),
            "stories": float(index.n_stories),
            "mean_ms": 1000 * statistics.fmean(times),
            "cpu_ms": 1000 * statistics.fmean(cpu),
            "p50_ms": 1000 * statistics.median(times),
            "p95_ms": 1000 * statistics.quantiles(times, n=20)[-1],
            "rss_mb": rss_mb(),
        }
    build_s = time.perf_counter() - t_build
    # The persisted index (veracity/stories/persist.py): what a new process loads instead of replaying.
    t0 = time.perf_counter()
    state = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
    save_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pickle.loads(state)  # our own bytes
    load_s = time.perf_counter() - t0

    print(f"assignment cost per article (near-duplicate check, embedding and scoring), {args.sample} articles timed")
    print(f"{'indexed':>10} {'stories':>9} {'mean ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8} {'RSS MB':>8}")
    for label, f in figures.items():
        print(
            f"{int(label):>10} {int(f['stories']):>9} {f['mean_ms']:>9.2f} {f['p50_ms']:>8.2f} {f['p95_ms']:>8.2f} "
            f"{f['cpu_ms']:>8.2f} "
            f"{f['rss_mb']:>8.0f}"
        )
    if len(sizes) >= 2:
        lo, hi = figures[str(sizes[0])], figures[str(sizes[-1])]
        ratio = hi["mean_ms"] / lo["mean_ms"]
        verdict = "ok" if ratio <= 1.5 else "MISSED"
        p50 = hi["p50_ms"] / lo["p50_ms"]
        cpu_ratio = hi["cpu_ms"] / lo["cpu_ms"]
        print(
            f"ratio {sizes[-1]}/{sizes[0]} mean: {ratio:.2f} (p50 {p50:.2f}, CPU {cpu_ratio:.2f})"
            f"   goal <= 1.5: {verdict}"
        )
    print(f"RSS: {rss_start:.0f} MB with the model loaded, {figures[str(sizes[-1])]['rss_mb']:.0f} MB at {sizes[-1]}")
    print(
        f"snapshot at {len(index)}: {len(state) / 1e6:.0f} MB, pickled in {save_s:.1f} s, loaded in {load_s:.1f} s "
        f"(replaying instead: {len(index) * figures[str(sizes[-1])]['mean_ms'] / 1000:.0f} s)"
    )
    print(f"total time {build_s:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"rss_start_mb": rss_start, "sizes": figures}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
