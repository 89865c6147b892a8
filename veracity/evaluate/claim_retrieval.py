"""Verified-claim retrieval on CLEF CheckThat! 2022 Task 2 (2A tweets → Snopes, 2B debates → PolitiFact).

Reads the task's standard files from ``--data`` (``checkthat_task2``): the vclaims, the
``CT2022-Task2X-EN-<Split>_Queries.tsv`` and ``..._QRELs.tsv`` files (header lines optional).
Splits: ``train`` and ``dev`` (queries of ``Train-Dev``, qrels ``Train``/``Dev``), ``dev-test``,
``test`` (qrels ``Test_QRELs_gold``). Scores with set semantics (a relevant vclaim counted once,
repeated qrels lines ignored): MAP@5, MRR (over the returned ranking), P@1.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

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
                out.append(VClaim(r["vclaim_id"], r.get("vclaim") or "", title))
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


def hybrid(
    data: TaskData,
    encoder_name: str,
    depth: int = 30,
    on_progress: Callable[[int], None] | None = None,
    cache: Path | None = None,
    task: str = "",
) -> dict[str, list[str]]:
    """veracity's matcher (``HybridIndex`` + the shipped re-ranker) ranking every vclaim for each query.

    ``cache``: a folder where the vclaim embeddings are kept between runs (``<task>-<encoder>-claim.npy``,
    ``...-title.npy``), since embedding 14-19k vclaims with the transformer takes minutes on a CPU.
    """
    from veracity.factchecks.retrieval import HybridIndex, Ranker, get_encoder

    encoder = get_encoder(encoder_name)
    vectors: dict[str, Any] = {}
    if encoder is not None and cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        for part in ("claim", "title"):
            path = cache / f"{task}-{encoder_name}-{part}.npy"
            if not path.exists():
                np.save(path, encoder.encode([v.claim if part == "claim" else v.title for v in data.vclaims]))
            vectors[f"{part}_vectors"] = np.load(path)
    index = HybridIndex([v.claim for v in data.vclaims], [v.title for v in data.vclaims], encoder, **vectors)
    ranker = Ranker.load(encoder_name)
    ids = list(data.queries)
    out: dict[str, list[str]] = {}
    for start in range(0, len(ids), 64):
        batch = ids[start : start + 64]
        for q, hits in zip(
            batch, index.search([data.queries[q] for q in batch], ranker, limit=depth, depth=depth), strict=True
        ):
            out[q] = [data.vclaims[h.doc].id for h in hits]
        if on_progress:
            on_progress(len(batch))
    return out
