"""Story quality on ECB+: incremental clustering against gold same-story labels, and near-duplicates.

ECB+ (``../shared/data/ecbplus_story_clusters``, CC BY 3.0, Cybulska & Vossen 2014) holds
news articles from many outlets in topics of two *sub-topics*: two different events that
share actors by design (two Klitschko title defences, two Microsoft emergency patches).
A sub-topic is one story. The test topics (36-45) are held out; ``docs.jsonl`` has the
train and dev topics (``split_cv15``).

* :func:`evaluate_ecbplus`: feeds a split's documents to :class:`StoryIndex` one by one in
  a fixed random order (seeded; no topic label used; ECB+ documents have no publication
  date, so the time window never applies) and scores the result against ``subtopic`` with
  B-cubed precision/recall/F1 and the adjusted Rand index, beside a TF-IDF
  (sublinear, English stop words) + average-linkage agglomerative baseline (cosine
  distance threshold 0.80, the data set README's setting) that sees all documents at once.
  Other orders (``orders``) give the spread due to arrival order.
* :func:`evaluate_neardup`: builds copy pairs from a split: for each document an *exact
  reprint* (re-wrapped lines, changed case, typographic quotes) and a *light edit*
  (seeded: one headline word changed, one sentence added, one dropped from articles of
  six lines or more, 3 % of the words replaced); every pair of distinct originals is a
  non-copy (among them, the reports of one story from different outlets, and different
  stories of one topic). All of them go into one :class:`NearDupIndex`; recall is over
  the constructed copy pairs, precision over the reported pairs that are either
  constructed copies or pairs of different stories (two reports of one story may be a
  real wire copy, and ECB+ holds some: those are counted apart).

    python -m veracity.evaluate.stories --data ../shared/data/ecbplus_story_clusters [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from veracity.stories.cluster import StoryIndex, StoryParams
from veracity.stories.embed import get_embedder
from veracity.stories.neardup import NearDupIndex

__all__ = [
    "EcbDoc",
    "adjusted_rand",
    "bcubed",
    "cluster_baseline",
    "cluster_incremental",
    "evaluate_ecbplus",
    "evaluate_neardup",
    "light_edit",
    "load_ecbplus",
    "main",
    "reprint",
]

BASELINE_THRESHOLD = 0.80
SPLITS = ("train", "dev")


@dataclass(frozen=True, slots=True)
class EcbDoc:
    doc_id: str
    topic: int
    subtopic: str
    text: str


def load_ecbplus(data_dir: Path | str, split: str = "dev") -> list[EcbDoc]:
    """The documents of ``split`` ("train", "dev" or "all"), in file order."""
    path = Path(data_dir) / "docs.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"ECB+ story clusters not found: {path}")
    docs = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if split == "all" or rec["split_cv15"] == split:
                docs.append(EcbDoc(rec["doc_id"], int(rec["topic"]), rec["subtopic"], rec["text"]))
    if not docs:
        raise ValueError(f"no ECB+ documents in split {split!r} of {path}")
    return docs


# -- metrics ---------------------------------------------------------------------------


def bcubed(predicted: Mapping[str, str], gold: Mapping[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering (item -> cluster) against gold (item -> class)."""
    items = list(gold)
    by_pred: dict[str, set[str]] = defaultdict(set)
    by_gold: dict[str, set[str]] = defaultdict(set)
    for item in items:
        by_pred[predicted[item]].add(item)
        by_gold[gold[item]].add(item)
    p = r = 0.0
    for item in items:
        pc, gc = by_pred[predicted[item]], by_gold[gold[item]]
        overlap = len(pc & gc)
        p += overlap / len(pc)
        r += overlap / len(gc)
    p, r = p / len(items), r / len(items)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def adjusted_rand(predicted: Mapping[str, str], gold: Mapping[str, str]) -> float:
    """Adjusted Rand index (Hubert & Arabie), as scikit-learn's ``adjusted_rand_score``."""
    items = list(gold)
    pairs = Counter((predicted[i], gold[i]) for i in items)
    a = Counter(predicted[i] for i in items)
    b = Counter(gold[i] for i in items)

    def comb2(n: int) -> float:
        return n * (n - 1) / 2

    index = sum(comb2(n) for n in pairs.values())
    sum_a = sum(comb2(n) for n in a.values())
    sum_b = sum(comb2(n) for n in b.values())
    expected = sum_a * sum_b / comb2(len(items)) if len(items) > 1 else 0.0
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def _scores(predicted: Mapping[str, str], gold: Mapping[str, str]) -> dict[str, float]:
    p, r, f = bcubed(predicted, gold)
    return {
        "b3_precision": round(p, 4),
        "b3_recall": round(r, 4),
        "b3_f1": round(f, 4),
        "ari": round(adjusted_rand(predicted, gold), 4),
        "clusters": len(set(predicted.values())),
    }


# -- clustering --------------------------------------------------------------------------


def arrival_order(docs: Sequence[EcbDoc], seed: int) -> list[EcbDoc]:
    """The documents shuffled by ``random.Random(seed)``: the fixed random order of arrival."""
    order = list(docs)
    random.Random(seed).shuffle(order)
    return order


def cluster_incremental(
    docs: Sequence[EcbDoc],
    *,
    seed: int = 0,
    params: StoryParams | None = None,
    embeddings: Mapping[str, np.ndarray[Any, Any]] | None = None,
) -> dict[str, str]:
    """doc_id -> story id, from :class:`StoryIndex` fed the documents one at a time in seeded order."""
    index = StoryIndex(params)
    if embeddings is None:
        vectors = get_embedder().encode([d.text for d in docs])
        embeddings = {d.doc_id: v for d, v in zip(docs, vectors, strict=True)}
    for doc in arrival_order(docs, seed):
        index.assign(doc.doc_id, doc.text, published=None, embedding=embeddings[doc.doc_id])
    return index.labels()


def cluster_baseline(docs: Sequence[EcbDoc], threshold: float = BASELINE_THRESHOLD) -> dict[str, str]:
    """TF-IDF (sublinear, English stop words) + average-linkage agglomerative clustering, all at once."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform([d.text for d in docs])
    model = AgglomerativeClustering(n_clusters=None, distance_threshold=threshold, metric="cosine", linkage="average")
    labels = model.fit_predict(matrix.toarray())
    return {d.doc_id: f"c{label}" for d, label in zip(docs, labels, strict=True)}


def evaluate_ecbplus(
    data_dir: Path | str,
    split: str = "dev",
    *,
    seed: int = 0,
    orders: int = 10,
    params: StoryParams | None = None,
    baseline: bool = True,
) -> dict[str, Any]:
    """B-cubed P/R/F1 and ARI of incremental clustering (order ``seed``) and of the baseline on ``split``.

    ``orders`` more arrival orders (seeds ``seed+1`` ...) give the mean and range of F1.
    """
    docs = load_ecbplus(data_dir, split)
    gold = {d.doc_id: d.subtopic for d in docs}
    t0 = time.perf_counter()
    vectors = get_embedder().encode([d.text for d in docs])
    embed_s = time.perf_counter() - t0
    embeddings = {d.doc_id: v for d, v in zip(docs, vectors, strict=True)}
    t0 = time.perf_counter()
    predicted = cluster_incremental(docs, seed=seed, params=params, embeddings=embeddings)
    assign_s = time.perf_counter() - t0
    result: dict[str, Any] = {
        "split": split,
        "documents": len(docs),
        "topics": len({d.topic for d in docs}),
        "gold_stories": len(set(gold.values())),
        "order_seed": seed,
        "incremental": _scores(predicted, gold),
        "ms_per_doc": {"embed": round(1000 * embed_s / len(docs), 2), "assign": round(1000 * assign_s / len(docs), 2)},
    }
    if orders:
        f1s = [
            bcubed(cluster_incremental(docs, seed=s, params=params, embeddings=embeddings), gold)[2]
            for s in range(seed + 1, seed + 1 + orders)
        ]
        result["incremental_orders"] = {
            "seeds": [seed + 1, seed + orders],
            "b3_f1_mean": round(float(np.mean(f1s)), 4),
            "b3_f1_min": round(min(f1s), 4),
            "b3_f1_max": round(max(f1s), 4),
        }
    if baseline:
        result["baseline"] = {"threshold": BASELINE_THRESHOLD, **_scores(cluster_baseline(docs), gold)}
    return result


# -- near-duplicates ---------------------------------------------------------------------

_QUOTES = str.maketrans({'"': "”", "'": "’"})
_FILLER = [
    "This article has been updated.",
    "Copyright 2013 The Associated Press. All rights reserved.",
    "Follow us on Twitter for the latest news.",
    "The report could not be independently verified.",
]
_SWAPS = ["said", "told", "noted", "added", "stated", "reportedly", "officials", "people", "local", "early"]


def reprint(text: str) -> str:
    """An exact reprint: the same words re-wrapped, headline upper-cased, typographic quotes."""
    lines = text.split("\n")
    lines[0] = lines[0].upper()
    body = " ".join(lines[1:]).translate(_QUOTES)
    return lines[0] + "\n\n" + re.sub(r"\s+", "  ", body)


def light_edit(text: str, rng: random.Random, replace: float = 0.03) -> str:
    """A light edit: one headline word changed, one sentence added, one dropped (from six lines up), ``replace``
    of the words swapped for others."""
    lines = [line for line in text.split("\n") if line.strip()]
    head = lines[0].split()
    head[rng.randrange(len(head))] = rng.choice(_SWAPS)
    lines[0] = " ".join(head)
    if len(lines) >= 6:
        del lines[rng.randrange(2, len(lines))]
    lines.insert(rng.randrange(1, len(lines) + 1), rng.choice(_FILLER))
    out = []
    for line in lines:
        tokens = line.split()
        out.append(" ".join(rng.choice(_SWAPS) if rng.random() < replace else t for t in tokens))
    return "\n".join(out)


def evaluate_neardup(data_dir: Path | str, split: str = "dev", *, seed: int = 0) -> dict[str, Any]:
    """Precision/recall of :class:`NearDupIndex` on constructed copies and real non-copies of ``split``."""
    docs = load_ecbplus(data_dir, split)
    rng = random.Random(seed)
    items: list[tuple[str, str, str]] = []  # (id, origin id, text)
    for d in docs:
        items.append((d.doc_id, d.doc_id, d.text))
    for d in docs:
        items.append((d.doc_id + "#reprint", d.doc_id, reprint(d.text)))
        items.append((d.doc_id + "#edit", d.doc_id, light_edit(d.text, rng)))
    arrival = items[: len(docs)] + rng.sample(items[len(docs) :], len(items) - len(docs))
    origin = {i: o for i, o, _ in items}
    subtopic = {d.doc_id: d.subtopic for d in docs}
    topic = {d.doc_id: d.topic for d in docs}

    def truth(a: str, b: str) -> str:
        if origin[a] != origin[b]:
            return "none"
        return "near" if a.endswith("#edit") or b.endswith("#edit") else "exact"

    index = NearDupIndex()
    reported: dict[tuple[str, str], str] = {}
    t0 = time.perf_counter()
    for doc_id, _, text in arrival:
        for m in index.add(doc_id, text):
            reported[(m.other_id, doc_id)] = m.kind
    add_ms = 1000 * (time.perf_counter() - t0) / len(arrival)
    positives = {(a, b) for a, _, _ in items for b, _, _ in items if a < b and origin[a] == origin[b]}
    found = {(a, b) if a < b else (b, a) for a, b in reported}
    tp = len(found & positives)
    # Copies of different stories are known non-copies; two reports of one story may be a real wire
    # copy (ECB+ holds some), so those pairs are counted apart and left out of precision.
    false = {(a, b) for a, b in found - positives if subtopic[origin[a]] != subtopic[origin[b]]}
    same_story = len(found - positives) - len(false)
    fp_kinds = Counter("same topic" if topic[origin[a]] == topic[origin[b]] else "other topic" for a, b in false)
    kind_ok = sum(1 for (a, b), k in reported.items() if tuple(sorted((a, b))) in positives and k == truth(a, b))
    by_truth: dict[str, list[int]] = {"exact": [0, 0], "near": [0, 0]}
    for a, b in positives:
        t = truth(a, b)
        by_truth[t][1] += 1
        by_truth[t][0] += (a, b) in found
    n_docs = len(docs)
    return {
        "split": split,
        "articles": len(arrival),
        "copy_pairs": len(positives),
        "non_copy_pairs": len(arrival) * (len(arrival) - 1) // 2 - len(positives),
        "original_pairs": n_docs * (n_docs - 1) // 2,
        "reported": len(found),
        "reported_same_story": same_story,
        "precision": round(tp / (tp + len(false)), 4) if tp + len(false) else 1.0,
        "recall": round(tp / len(positives), 4) if positives else 1.0,
        "recall_exact": round(by_truth["exact"][0] / by_truth["exact"][1], 4),
        "recall_near": round(by_truth["near"][0] / by_truth["near"][1], 4),
        "kind_accuracy": round(kind_ok / tp, 4) if tp else 1.0,
        "false_positives": dict(fp_kinds),
        "ms_per_add": round(add_ms, 2),
    }


# -- command -----------------------------------------------------------------------------


def format_report(result: Mapping[str, Any], near: Mapping[str, Any]) -> Iterable[str]:
    yield (
        f"ECB+ {result['split']}: {result['documents']} documents, {result['topics']} topics, "
        f"{result['gold_stories']} gold stories (sub-topics)"
    )
    yield f"{'method':<34} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} {'ARI':>6} {'clusters':>8}"
    rows = [(f"incremental StoryIndex (order {result['order_seed']})", result["incremental"])]
    if "baseline" in result:
        rows.append((f"TF-IDF + average linkage @{result['baseline']['threshold']:.2f}", result["baseline"]))
    for name, s in rows:
        yield (
            f"{name:<34} {s['b3_precision']:>6.3f} {s['b3_recall']:>6.3f} {s['b3_f1']:>6.3f} "
            f"{s['ari']:>6.3f} {s['clusters']:>8}"
        )
    if "incremental_orders" in result:
        o = result["incremental_orders"]
        yield (
            f"incremental, orders {o['seeds'][0]}-{o['seeds'][1]}: B3 F1 mean {o['b3_f1_mean']:.3f} "
            f"(min {o['b3_f1_min']:.3f}, max {o['b3_f1_max']:.3f})"
        )
    ms = result["ms_per_doc"]
    yield f"time per document: embed {ms['embed']} ms, assign {ms['assign']} ms"
    yield ""
    yield (
        f"near-duplicates ({near['split']}): {near['articles']} articles, {near['copy_pairs']} copy pairs, "
        f"{near['non_copy_pairs']} non-copy pairs"
    )
    yield (
        f"precision {near['precision']:.3f}  recall {near['recall']:.3f} (exact {near['recall_exact']:.3f}, "
        f"near {near['recall_near']:.3f})  kind accuracy {near['kind_accuracy']:.3f}  "
        f"false positives {sum(near['false_positives'].values())}  {near['ms_per_add']} ms/article"
    )
    yield (
        f"pairs of two reports of one story found as copies (wire copies in ECB+ or errors; not in precision): "
        f"{near['reported_same_story']}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m veracity.evaluate.stories", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the ecbplus_story_clusters folder")
    parser.add_argument("--split", default="dev", choices=SPLITS)
    parser.add_argument("--seed", type=int, default=0, help="the arrival order")
    parser.add_argument("--orders", type=int, default=10, help="more arrival orders for the spread (0: none)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        result = evaluate_ecbplus(args.data, args.split, seed=args.seed, orders=args.orders)
        near = evaluate_neardup(args.data, args.split, seed=args.seed)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"clustering": result, "neardup": near}, indent=2))
    else:
        print("\n".join(format_report(result, near)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
