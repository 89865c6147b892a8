"""Verified-claim retrieval on CLEF CheckThat! 2022 Task 2 (2A tweets → Snopes, 2B debates → PolitiFact).

Reads the task's standard files from ``--data`` (``checkthat_task2``): the vclaims, the
``CT2022-Task2X-EN-<Split>_Queries.tsv`` and ``..._QRELs.tsv`` files (header lines optional).
Splits: ``train`` and ``dev`` (queries of ``Train-Dev``, qrels ``Train``/``Dev``), ``dev-test``,
``test`` (qrels ``Test_QRELs_gold``). Scores with set semantics (a relevant vclaim counted once,
repeated qrels lines ignored): MAP@5, MRR (over the returned ranking), P@1.
"""

from __future__ import annotations

import csv
import datetime
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from veracity.factchecks.retrieval import HybridIndex

TASK_DIRS = {"2a": "2022_task2a_en_tweets", "2b": "2022_task2b_en_debates"}
VCLAIM_FILES = {"2a": "vclaims.jsonl", "2b": "vclaims_meta.jsonl"}
SPLITS = ("train", "dev", "dev-test", "test")
_QUERY_FILE = {
    "train": "Train-Dev_Queries",
    "dev": "Train-Dev_Queries",
    "dev-test": "Dev-Test_Queries",
    "test": "Test_Queries",
}
_QREL_FILE = {"train": "Train_QRELs", "dev": "Dev_QRELs", "dev-test": "Dev-Test_QRELs", "test": "Test_QRELs_gold"}


class DataMissing(Exception):
    """A file the split needs is not in the data folder."""


@dataclass(frozen=True, slots=True)
class VClaim:
    id: str
    claim: str
    title: str
    date: float = math.nan  # day number (``date.toordinal()``): Snopes' article date, PolitiFact's "stated on"
    speaker: str = ""  # PolitiFact only


@dataclass(frozen=True, slots=True)
class TaskData:
    vclaims: list[VClaim]
    queries: dict[str, str]  # iclaim id -> text, only those with qrels
    qrels: dict[str, set[str]]  # iclaim id -> relevant vclaim ids


@dataclass(frozen=True, slots=True)
class Scores:
    map5: float
    mrr: float
    p1: float
    queries: int

    def line(self) -> str:
        return f"MAP@5={self.map5:.3f} MRR={self.mrr:.3f} P@1={self.p1:.3f}"


_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2}) ([A-Z][a-z]+) (\d{4})\b")  # Snopes: "26 May 2015"
_MONTH_DAY_YEAR = re.compile(r"\b([A-Z][a-z]+) (\d{1,2}), (\d{4})\b")  # PolitiFact, tweet signatures
_TWEET_DATE = re.compile(r"\(@\w+\)\s+([A-Z][a-z]+ \d{1,2}, \d{4})\s*$")  # "— Name (@handle) May 1, 2020"
_ID_DATE = re.compile(r"^(\d{8})_")  # 2B query ids: "<yyyymmdd>_<debate>_<line>"


def _day(year: str, month: str, day: str) -> float:
    try:
        return float(datetime.datetime.strptime(f"{year} {month[:3]} {day}", "%Y %b %d").date().toordinal())
    except ValueError:
        return math.nan


def parse_date(text: str) -> float:
    """Day number of the first "26 May 2015" or "May 26, 2015" in ``text``; NaN when there is none."""
    if m := _DAY_MONTH_YEAR.search(text or ""):
        return _day(m.group(3), m.group(2), m.group(1))
    if m := _MONTH_DAY_YEAR.search(text or ""):
        return _day(m.group(3), m.group(1), m.group(2))
    return math.nan


def query_date(query_id: str, text: str) -> float:
    """A query's date: the debate's (2B ids start with it) or the tweet signature's; NaN when unknown."""
    if m := _ID_DATE.match(query_id):
        d = m.group(1)
        return _day(d[:4], datetime.date(2000, int(d[4:6]), 1).strftime("%b"), d[6:])
    m = _TWEET_DATE.search(text)
    return parse_date(m.group(1)) if m else math.nan


def _find(folder: Path, task: str, stem: str) -> Path:
    wanted = f"CT2022-Task{task.upper()}-EN-{stem}.tsv".lower()
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name.lower() == wanted:
                return path
    raise DataMissing(f"{folder / wanted.replace(wanted, f'CT2022-Task{task.upper()}-EN-{stem}.tsv')} not found")


def task_folder(data: Path, task: str) -> Path:
    folder = data / TASK_DIRS[task]
    return folder if folder.is_dir() else data  # --data may name the task folder itself


def load_vclaims(folder: Path, task: str) -> list[VClaim]:
    path = folder / VCLAIM_FILES[task]
    if not path.is_file():
        raise DataMissing(f"{path} not found")
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                title = " ".join(x for x in (r.get("title"), r.get("subtitle")) if x)
                if task == "2b" and r.get("speaker"):
                    title = f"{r['speaker']}: {title}"
                date = parse_date(r.get("date") or "")
                out.append(VClaim(r["vclaim_id"], r.get("vclaim") or "", title, date, r.get("speaker") or ""))
    return out


def load_queries(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) < 2 or row[0] == "iclaim_id":
                continue
            out.setdefault(row[0].strip(), row[1])
    return out


def load_qrels(path: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) != 4 or not parts[3].lstrip("-").isdigit():
                continue  # header or blank
            if int(parts[3]) > 0:
                out.setdefault(parts[0], set()).add(parts[2])
    return out


def load_split(data: Path, task: str, split: str) -> TaskData:
    """The vclaims and the split's queries with their qrels; ``DataMissing`` names an absent file."""
    if task not in TASK_DIRS:
        raise ValueError(f"unknown task {task!r} (2a or 2b)")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} ({', '.join(SPLITS)})")
    folder = task_folder(data, task)
    qrels = load_qrels(_find(folder, task, _QREL_FILE[split]))
    queries = load_queries(_find(folder, task, _QUERY_FILE[split]))
    missing = [q for q in qrels if q not in queries]
    if missing:
        raise DataMissing(f"{len(missing)} qrels queries have no text in the queries file, e.g. {missing[0]}")
    return TaskData(load_vclaims(folder, task), {q: queries[q] for q in qrels}, qrels)


def score(rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]]) -> Scores:
    """MAP@5, MRR and P@1 of ``rankings`` (query id -> vclaim ids, best first) against ``qrels``."""
    aps, rrs, p1s = [], [], []
    for query, relevant in qrels.items():
        ranking = list(dict.fromkeys(rankings.get(query, ())))
        hits, precision_sum = 0, 0.0
        for k, doc in enumerate(ranking[:5], 1):
            if doc in relevant:
                hits += 1
                precision_sum += hits / k
        aps.append(precision_sum / min(len(relevant), 5))
        first = next((k for k, doc in enumerate(ranking, 1) if doc in relevant), None)
        rrs.append(1.0 / first if first else 0.0)
        p1s.append(1.0 if ranking[:1] and ranking[0] in relevant else 0.0)
    n = len(qrels) or 1
    return Scores(sum(aps) / n, sum(rrs) / n, sum(p1s) / n, len(qrels))


def bm25_baseline(data: TaskData, depth: int = 100) -> dict[str, list[str]]:
    """Plain BM25 (``bm25s``, Lucene formula, k1 1.2, b 0.75, English stop words) over vclaim + title."""
    import bm25s

    corpus = [f"{v.claim} {v.title}" for v in data.vclaims]
    index = bm25s.BM25(k1=1.2, b=0.75)
    index.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)
    ids = list(data.queries)
    tokens = bm25s.tokenize([data.queries[q] for q in ids], stopwords="en", show_progress=False)
    docs, _ = index.retrieve(tokens, k=min(depth, len(corpus)), show_progress=False)
    return {q: [data.vclaims[int(d)].id for d in row] for q, row in zip(ids, docs, strict=True)}


def speaker_prior(vclaims: Sequence[VClaim]) -> np.ndarray:
    """Per vclaim, how often its speaker is fact-checked in the collection: log count over log max (0 to 1).

    Read from the vclaims alone (no qrels): the politicians fact-checked most are the ones who
    speak in the debates.
    """
    counts: dict[str, int] = {}
    for v in vclaims:
        if v.speaker:
            counts[v.speaker] = counts.get(v.speaker, 0) + 1
    top = math.log1p(max(counts.values(), default=0)) or 1.0
    return np.asarray([math.log1p(counts.get(v.speaker, 0)) / top for v in vclaims], dtype=np.float64)


def build_index(
    data: TaskData, task: str, encoder_name: str, cache: Path | None = None, context: bool = False
) -> HybridIndex:
    """The matcher's index over the task's vclaims, with their dates and speaker prior.

    ``context`` (2B): the vclaims stated within a day of the debate are candidates too.

    ``cache``: a folder where the vclaim embeddings are kept between runs (``<task>-<encoder>-claim.npy``,
    ``...-title.npy``), since embedding 14-19k vclaims with the transformer takes minutes on a CPU.
    """
    from veracity.factchecks.retrieval import HybridIndex, get_encoder

    encoder = get_encoder(encoder_name)
    vectors: dict[str, Any] = {}
    if encoder is not None and cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        for part in ("claim", "title"):
            path = cache / f"{task}-{encoder_name}-{part}.npy"
            if not path.exists():
                np.save(path, encoder.encode([v.claim if part == "claim" else v.title for v in data.vclaims]))
            vectors[f"{part}_vectors"] = np.load(path)
    return HybridIndex(
        [v.claim for v in data.vclaims],
        [v.title for v in data.vclaims],
        encoder,
        dates=np.asarray([v.date for v in data.vclaims], dtype=np.float64),
        prior=speaker_prior(data.vclaims),
        near_days=1 if context and task == "2b" else -1,
        **vectors,
    )


def query_dates(data: TaskData) -> list[float]:
    return [query_date(q, text) for q, text in data.queries.items()]


def hybrid(
    data: TaskData,
    encoder_name: str,
    depth: int = 30,
    on_progress: Callable[[int], None] | None = None,
    cache: Path | None = None,
    task: str = "",
    context: bool = False,
) -> dict[str, list[str]]:
    """veracity's matcher (``HybridIndex`` + the shipped re-ranker) ranking the candidates of each query.

    ``context``: use the task's re-ranker (``<encoder>-<task>`` in ranker.json), which also reads the
    dates (the debate's or tweet's against the fact-check's) and the speaker prior; without it, the
    encoder's generic re-ranker, the one ingest uses. ``cache``: see ``build_index``.
    """
    from veracity.factchecks.retrieval import Ranker

    index = build_index(data, task, encoder_name, cache, context)
    ranker = Ranker.load(f"{encoder_name}-{task}" if context else encoder_name)
    ids = list(data.queries)
    dates = query_dates(data)
    out: dict[str, list[str]] = {}
    for start in range(0, len(ids), 64):
        batch = ids[start : start + 64]
        hits_per_query = index.search(
            [data.queries[q] for q in batch], ranker, limit=depth, depth=depth, query_dates=dates[start : start + 64]
        )
        for q, hits in zip(batch, hits_per_query, strict=True):
            out[q] = [data.vclaims[h.doc].id for h in hits]
        if on_progress:
            on_progress(len(batch))
    return out
