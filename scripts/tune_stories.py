"""Grid search of StoryIndex parameters on the ECB+ TRAIN topics (never dev or test).

    .venv/bin/python scripts/tune_stories.py --data ../shared/data/ecbplus_story_clusters [--orders 3]

Prints mean B-cubed P/R/F1 over ``--orders`` arrival orders (seeds 0, 1, ...) and the worst order's F1 for
each setting, best last. Any other parameter is set with ``--set``, e.g. the re-clustering of a growing story:

    .venv/bin/python scripts/tune_stories.py --data ../shared/data/ecbplus_story_clusters --orders 10 \
        --weights 0/1/0 --thresholds 0.25 --set split_threshold=0.26 --set split_min=4
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np

from veracity.evaluate.stories import bcubed, cluster_incremental, load_ecbplus
from veracity.stories.cluster import StoryParams
from veracity.stories.embed import get_embedder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--orders", type=int, default=3)
    parser.add_argument("--weights", default="0.4/0.4/0.2", help="comma-separated words/entities/embedding")
    parser.add_argument("--thresholds", default="0.15,0.2,0.25,0.3")
    parser.add_argument("--merge", default="same", help="comma-separated merge thresholds, or 'same'")
    parser.add_argument("--set", action="append", default=[], help="other StoryParams field=value")
    args = parser.parse_args()
    docs = load_ecbplus(args.data, "train")  # tuning sees the training topics only
    gold = {d.doc_id: d.subtopic for d in docs}
    vectors = get_embedder().encode([d.text for d in docs])
    emb = {d.doc_id: v for d, v in zip(docs, vectors, strict=True)}
    base = StoryParams()
    for item in args.set:
        key, value = item.split("=")
        kind = type(getattr(base, key))
        base = replace(base, **{key: value.lower() in ("1", "true", "yes") if kind is bool else kind(value)})
    results = []
    weights = [tuple(float(x) for x in w.split("/")) for w in args.weights.split(",")]
    thresholds = [float(t) for t in args.thresholds.split(",")]
    merges = [None] if args.merge == "same" else [float(m) for m in args.merge.split(",")]
    for (ww, we, wm), t, m in itertools.product(weights, thresholds, merges):
        params = replace(
            base, word_weight=ww, entity_weight=we, embedding_weight=wm, threshold=t, merge_threshold=m or t
        )
        scores = np.array(
            [bcubed(cluster_incremental(docs, seed=s, params=params, embeddings=emb), gold) for s in range(args.orders)]
        )
        p, r, f = scores.mean(axis=0)
        results.append((f, p, r, f"w={ww}/{we}/{wm} t={t} m={m or t}", scores[:, 2].min()))
        print(f"{results[-1][3]:<40} P {p:.3f} R {r:.3f} F1 {f:.3f} (min {scores[:, 2].min():.3f})", flush=True)
    best = max(results)
    print(f"best: {best[3]} F1 {best[0]:.3f} P {best[1]:.3f} R {best[2]:.3f}")


if __name__ == "__main__":
    main()
