"""Check-worthiness on CLEF-2019 CheckThat! Task 1 (English debates and speeches), its own metric.

Each test document (7 debates and speeches) is ranked by score; the task's official measure
is MAP: the average precision of each document's ranking (gold = sentences fact-checked by
factcheck.org), averaged over documents. Ties keep the documents' line order, as the task's
scorer does. Published (primary runs, test): Copenhagen 0.1660 (best), TheEarthIsFlat 0.1597,
IPIPAN 0.1332.

Baselines in the same run: random order (mean of 20 seeds), and the task's n-gram baseline
in spirit: TF-IDF word 1-2-grams and a logistic regression trained on the train split.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from veracity.analysis import nlp
from veracity.analysis.checkworthy import model, sentence_features

CLEF_FILE = Path("clef2019_task1_en") / "ct19_task1_en.jsonl"
PUBLISHED = "published (test, primary runs): Copenhagen 0.166 (best), TheEarthIsFlat 0.160, IPIPAN 0.133"


@dataclass(frozen=True, slots=True)
class Line:
    debate: str
    line_number: int
    speaker: str
    text: str
    label: int


def load_lines(data: Path, split: str) -> list[Line]:
    """The CLEF-2019 lines of ``split`` (train or test), in document and line order."""
    path = data / CLEF_FILE
    if split not in ("train", "test"):
        raise ValueError(f"unknown split {split!r}: use train or test")
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found (see the data set's README)")
    out = []
    with path.open(encoding="utf-8") as fh:
        for raw in fh:
            row = json.loads(raw)
            if row["split"] == split:
                out.append(Line(row["debate"], int(row["line_number"]), row["speaker"], row["text"], int(row["label"])))
    return sorted(out, key=lambda x: (x.debate, x.line_number))


def features_of(texts: Iterable[str], batch_size: int = 256) -> list[list[str]]:
    """The check-worthiness features of each text, parsed as one sentence each."""
    return [sentence_features(doc) for doc in nlp.parse(texts, batch_size=batch_size)]


def average_precision(labels_in_rank_order: Sequence[int]) -> float:
    """Average precision of one ranking (0 when it holds no positive)."""
    hits, total = 0, 0.0
    for k, label in enumerate(labels_in_rank_order, 1):
        if label:
            hits += 1
            total += hits / k
    return total / hits if hits else 0.0


def mean_average_precision(lines: Sequence[Line], scores: Sequence[float]) -> tuple[float, dict[str, float]]:
    """MAP over documents and each document's AP; ties keep line order."""
    by_doc: dict[str, list[tuple[float, int, int]]] = defaultdict(list)
    for line, score in zip(lines, scores, strict=True):
        by_doc[line.debate].append((score, line.line_number, line.label))
    per_doc = {}
    for debate, rows in sorted(by_doc.items()):
        ranked = sorted(rows, key=lambda r: (-r[0], r[1]))
        per_doc[debate] = average_precision([r[2] for r in ranked])
    return sum(per_doc.values()) / len(per_doc), per_doc


def random_map(lines: Sequence[Line], seeds: int = 20) -> float:
    values = []
    for seed in range(seeds):
        rng = random.Random(seed)
        values.append(mean_average_precision(lines, [rng.random() for _ in lines])[0])
    return sum(values) / len(values)


def ngram_baseline(train: Sequence[Line], test: Sequence[Line]) -> list[float]:
    """TF-IDF word 1-2-grams + logistic regression, fitted on ``train`` in this run."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x = vectorizer.fit_transform([t.text for t in train])
    clf = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
    clf.fit(x, [t.label for t in train])
    return [float(p) for p in clf.predict_proba(vectorizer.transform([t.text for t in test]))[:, 1]]


def evaluate_checkworthiness(
    data: Path, baseline: bool = True, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """veracity's shipped model on the CLEF-2019 test set, beside the baselines; MAP per system."""
    test = load_lines(data, "test")
    if progress:
        progress("parsing the test sentences")
    m = model()
    scores = [m.score(f) for f in features_of(t.text for t in test)]
    veracity_map, per_doc = mean_average_precision(test, scores)
    result: dict[str, Any] = {
        "documents": len(per_doc),
        "sentences": len(test),
        "positives": sum(t.label for t in test),
        "systems": {"veracity": {"map": veracity_map, "per_document": per_doc}},
    }
    if baseline:
        if progress:
            progress("fitting the n-gram baseline")
        train = load_lines(data, "train")
        ngram_map, ngram_docs = mean_average_precision(test, ngram_baseline(train, test))
        result["systems"]["tf-idf n-grams + LR (baseline)"] = {"map": ngram_map, "per_document": ngram_docs}
        result["systems"]["random (baseline)"] = {"map": random_map(test), "per_document": {}}
    return result


def format_report(result: dict[str, Any]) -> list[str]:
    lines = [
        f"CLEF-2019 Task 1 test: {result['documents']} documents, {result['sentences']} sentences, "
        f"{result['positives']} check-worthy",
        f"{'system':34} {'MAP':>6}",
    ]
    for name, s in result["systems"].items():
        lines.append(f"{name:34} {s['map']:6.4f}")
    lines.append(PUBLISHED)
    return lines
