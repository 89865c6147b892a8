"""Article-body extraction metric of the Zyte article-extraction-benchmark.

Re-implements the scoring of upstream ``evaluate.py``: ``\\w+`` tokens, 4-gram
shingles, per-item normalised multiset TP/FP/FN, macro-averaged precision and
recall, F1 of the means, exact-token accuracy, bootstrap std of F1.
"""

from __future__ import annotations

import gzip
import json
import logging
import random
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ExtractionScores",
    "evaluate_extraction",
    "iter_pages",
    "load_system_output",
    "load_truth",
    "match_counts",
    "score_extraction",
    "shingles",
    "tokenize",
]

logger = logging.getLogger(__name__)

NGRAM = 4
_TOKEN_RE = re.compile(r"\w+", re.UNICODE)

Counts = tuple[float, float, float]


@dataclass(frozen=True)
class ExtractionScores:
    """Benchmark scores; ``f1_std`` is the bootstrap standard deviation of F1."""

    precision: float
    recall: float
    f1: float
    accuracy: float
    n: int
    f1_std: float


def tokenize(text: str | None) -> list[str]:
    """Split ``text`` into unicode ``\\w+`` tokens (case preserved)."""
    return _TOKEN_RE.findall(text or "")


def shingles(text: str | None, n: int = NGRAM) -> Counter[tuple[str, ...]]:
    """Multiset of token n-grams; a text shorter than ``n`` tokens is one shingle."""
    tokens = tokenize(text)
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def match_counts(true: str | None, pred: str | None) -> Counts:
    """Shingle TP/FP/FN for one item, normalised to sum to 1 (all 0 if both empty)."""
    gold, guess = shingles(true), shingles(pred)
    tp = sum((gold & guess).values())
    fp = sum((guess - gold).values())
    fn = sum((gold - guess).values())
    total = tp + fp + fn
    if total == 0:
        return (0.0, 0.0, 0.0)
    return (tp / total, fp / total, fn / total)


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def _prf(counts: Sequence[Counts]) -> tuple[float, float, float]:
    """Mean precision (items with predictions), mean recall (items with truth), F1."""
    precision = _mean([tp / (tp + fp) for tp, fp, _ in counts if tp + fp > 0])
    recall = _mean([tp / (tp + fn) for tp, _, fn in counts if tp + fn > 0])
    denom = precision + recall
    f1 = 2 * precision * recall / denom if denom > 0 else 0.0
    return precision, recall, f1


def score_extraction(
    predictions: Mapping[str, str],
    truth: Mapping[str, str],
    bootstrap: int = 1000,
    seed: int = 0,
) -> ExtractionScores:
    """Score predicted bodies against true bodies (both keyed by item id).

    Items missing from ``predictions`` count as empty predictions; ids that are
    not in ``truth`` raise ``ValueError``.
    """
    unknown = set(predictions) - set(truth)
    if unknown:
        raise ValueError(f"{len(unknown)} predicted ids not in ground truth, e.g. {min(unknown)!r}")
    if not truth:
        raise ValueError("ground truth is empty")
    ids = sorted(truth)
    counts = [match_counts(truth[i], predictions.get(i, "")) for i in ids]
    exact = [float(tokenize(truth[i]) == tokenize(predictions.get(i, ""))) for i in ids]
    precision, recall, f1 = _prf(counts)

    rng = random.Random(seed)
    n = len(ids)
    samples = [_prf([counts[rng.randrange(n)] for _ in range(n)])[2] for _ in range(bootstrap)]
    f1_std = statistics.stdev(samples) if len(samples) > 1 else 0.0
    return ExtractionScores(
        precision=precision,
        recall=recall,
        f1=f1,
        accuracy=_mean(exact),
        n=n,
        f1_std=f1_std,
    )


def _require(path: Path, what: str) -> None:
    if not path.exists():
        raise FileNotFoundError(f"{what} not found: {path}")


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def load_truth(data_dir: Path) -> dict[str, tuple[str, str]]:
    """Read ``ground-truth.json``: item id -> (url, article body)."""
    data_dir = Path(data_dir)
    _require(data_dir, "article-extraction benchmark folder")
    path = data_dir / "ground-truth.json"
    _require(path, "benchmark ground truth")
    raw: dict[str, dict[str, Any]] = _read_json(path)
    return {key: (str(item.get("url") or ""), str(item.get("articleBody") or "")) for key, item in raw.items()}


def iter_pages(data_dir: Path) -> Iterator[tuple[str, str, bytes]]:
    """Yield (item id, url, decompressed HTML bytes) in sorted id order."""
    data_dir = Path(data_dir)
    truth = load_truth(data_dir)
    for key in sorted(truth):
        path = data_dir / "html" / f"{key}.html.gz"
        _require(path, "benchmark HTML page")
        yield key, truth[key][0], gzip.decompress(path.read_bytes())


def load_system_output(data_dir: Path, system: str) -> dict[str, str]:
    """Read ``output/<system>.json`` (bare or ``{"version", "output"}``): id -> body."""
    data_dir = Path(data_dir)
    _require(data_dir, "article-extraction benchmark folder")
    path = data_dir / "output" / f"{system}.json"
    if not path.exists():
        known = sorted(p.stem for p in path.parent.glob("*.json"))
        raise FileNotFoundError(f"system output not found: {path} (available: {known})")
    raw: dict[str, Any] = _read_json(path)
    if "output" in raw and set(raw) <= {"output", "version"}:
        raw = raw["output"]
    result: dict[str, str] = {}
    for key, item in raw.items():
        body = item.get("articleBody") if isinstance(item, dict) else item
        result[key] = body if isinstance(body, str) else ""
    return result


def evaluate_extraction(
    data_dir: Path,
    extract: Callable[[bytes, str], str],
    on_item: Callable[[], None] | None = None,
    *,
    errors: dict[str, str] | None = None,
) -> tuple[ExtractionScores, dict[str, str]]:
    """Run ``extract(html, url)`` on every page and score it.

    An exception from ``extract`` counts as an empty prediction; it is logged
    and, if ``errors`` is given, recorded there as id -> ``repr(exception)``.
    """
    data_dir = Path(data_dir)
    truth = load_truth(data_dir)
    predictions: dict[str, str] = {}
    failed: dict[str, str] = {}
    for key, url, html in iter_pages(data_dir):
        try:
            predictions[key] = extract(html, url) or ""
        except Exception as exc:
            predictions[key] = ""
            failed[key] = repr(exc)
        if on_item is not None:
            on_item()
    if failed:
        logger.warning("extractor failed on %d of %d pages", len(failed), len(truth))
        if errors is not None:
            errors.update(failed)
    scores = score_extraction(predictions, {k: body for k, (_, body) in truth.items()})
    return scores, predictions
