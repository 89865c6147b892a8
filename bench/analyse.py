"""Cost of analysing an article beside the cost of extracting it, on the same pages.

Takes the 181 pages of the article extraction benchmark (as bench/ingest_warc.py does) and
measures, in this process, with CPU time (``time.process_time``) and wall time:

* bare extraction: ``trafilatura.bare_extraction`` on each page (the baseline);
* analysis: veracity's analysis (spaCy parse, entities, quotes, check-worthiness, loaded
  terms) of each page's extracted body, in batches as ``veracity analyse`` runs it.

Loading the spaCy model and the check-worthiness weights happens once, before timing, and
is printed on its own line. The ratio analysis/extraction per page is printed last: how
many times the cost of extraction the analysis adds (lower is better).

    .venv/bin/python bench/analyse.py [--repeat N] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def data_dir() -> Path:
    """``$VERACITY_DATA_DIR`` or ``../shared/data`` relative to the repository root."""
    env = os.environ.get("VERACITY_DATA_DIR")
    return Path(env).expanduser() if env else (REPO.parent / "shared" / "data").resolve()


def load_pages(root: Path, limit: int | None) -> list[bytes]:
    folder = root / "article_extraction_benchmark" / "html"
    files = sorted(folder.glob("*.html.gz"))
    if not files:
        raise SystemExit(
            f"error: no benchmark pages in {folder} (expected *.html.gz).\n"
            "Set VERACITY_DATA_DIR to the folder holding article_extraction_benchmark/."
        )
    return [gzip.decompress(p.read_bytes()) for p in files[:limit]]


def timed(fn: object, *args: object) -> tuple[object, float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn(*args)  # type: ignore[operator]
    return out, time.process_time() - cpu, time.perf_counter() - wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="Measure each side this many times; the best counts.")
    parser.add_argument("--limit", type=int, default=None, help="Only the first N pages.")
    args = parser.parse_args(argv)

    import trafilatura

    from veracity.analysis.checkworthy import model
    from veracity.analysis.loaded import find_loaded_terms
    from veracity.analysis.nlp import parse
    from veracity.analysis.pipeline import analyse_texts
    from veracity.settings import Settings

    pages = load_pages(data_dir(), args.limit)
    settings = Settings().analysis

    def extract_all() -> list[str]:
        out = []
        for html in pages:
            doc = trafilatura.bare_extraction(html, with_metadata=False)
            out.append((doc.text if doc is not None and doc.text else "") or "")
        return out

    def analyse_all(texts: list[str]) -> int:
        return sum(1 for _ in analyse_texts(texts, settings))

    _, load_cpu, load_wall = timed(lambda: (model(), find_loaded_terms(next(parse(["Warm up."])))))
    bodies = [b for b in extract_all() if b]
    words = sum(len(b.split()) for b in bodies)
    extraction = [timed(extract_all)[1:] for _ in range(args.repeat)]
    analysis = [timed(analyse_all, bodies)[1:] for _ in range(args.repeat)]
    ext_cpu, ext_wall = min(c for c, _ in extraction), min(w for _, w in extraction)
    ana_cpu, ana_wall = min(c for c, _ in analysis), min(w for _, w in analysis)
    n = len(pages)
    print(f"pages: {n} ({len(bodies)} with a body, {words / max(len(bodies), 1):.0f} words a body on average)")
    print(f"model load (once per process): {load_cpu:.2f} s CPU, {load_wall:.2f} s wall")
    print(f"{'per page':28} {'CPU ms':>8} {'wall ms':>8}")
    print(f"{'bare extraction (trafilatura)':28} {1000 * ext_cpu / n:8.1f} {1000 * ext_wall / n:8.1f}")
    print(f"{'analysis (veracity)':28} {1000 * ana_cpu / n:8.1f} {1000 * ana_wall / n:8.1f}")
    spread = statistics.pstdev([c for c, _ in analysis]) / ana_cpu if ana_cpu else 0.0
    print(f"analysis throughput: {words / ana_wall:.0f} words/s wall (CPU spread over repeats {spread:.1%})")
    print(f"ratio analysis/extraction per page: CPU {ana_cpu / ext_cpu:.2f}  wall {ana_wall / ext_wall:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
