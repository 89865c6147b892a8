"""Fit the verdict's parameter file from labelled data and print its out-of-fold figures.

    python scripts/fit_verdict.py --data ../shared/data [--out veracity/verdict/params.json]

Fits the content model (style and headline features + the static embedding of the text,
logistic regression) on CheckThat! Task 3 English
train, FakeNewsAMT + Celebrity and FakeNewsNet PolitiFact (only their non-held-out parts),
chooses its temperature on 5-fold grouped out-of-fold predictions, and writes the file with the
documented priors for the other signals (see docs/verdict-model.md). With ``--reviews
DB_URL`` the combination's weights are also fitted from the reviewers' verdicts in that
store, shrunk toward the priors (``fit_combination``). Deterministic.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from veracity.evaluate.verdict_data import load_amt, load_checkthat, load_politifact
from veracity.store.sql import open_store
from veracity.verdict.fit import (
    build_params,
    content_matrix,
    content_weights,
    fit_combination,
    fit_content,
    fit_temperature,
    raw_logits,
    reviewed_examples,
)
from veracity.verdict.model import PARAMS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=PARAMS)
    parser.add_argument("--reviews", metavar="DB_URL", help="Also fit the combination from this store's reviews.")
    args = parser.parse_args()
    sets = {"checkthat_task3_train": load_checkthat(args.data), "fakenews_amt_celebrity": load_amt(args.data),
            "fakenewsnet_politifact_v1": load_politifact(args.data)}  # fmt: skip
    docs = [d for rows in sets.values() for d in rows if d.label != "Unverified"]
    x = content_matrix([(d.title, d.body) for d in docs])
    labels = [d.label for d in docs]
    groups = [d.group for d in docs]
    oof = np.zeros((len(docs), 3))
    classes: list[str] = []
    for train, test in GroupKFold(n_splits=5).split(x, labels, groups):
        block = fit_content(x[train], [labels[i] for i in train])
        classes = block["classes"]
        oof[test] = raw_logits(x[test], block)
    truth = np.array([classes.index(label) for label in labels])
    temperature = fit_temperature(oof, truth)
    accuracy = float((oof.argmax(axis=1) == truth).mean())
    content = fit_content(x, labels)
    content["temperature"] = round(temperature, 4)
    damping = content_weights(x, content)
    counts = {name: len([d for d in rows if d.label != "Unverified"]) for name, rows in sets.items()}
    params = build_params(
        content,
        name="verdict-v2",
        data={"sets": counts, "rows": len(docs), "oof_accuracy_content": round(accuracy, 4),
              "temperature_from": "5-fold grouped out-of-fold predictions", "weights": "see weight_source"},
        content_weight=damping,
    )  # fmt: skip
    if args.reviews:
        engine = open_store(args.reviews).engine
        features, labels = reviewed_examples(engine)
        params = fit_combination(features, labels, params)
        print(f"combination: {len(labels)} reviewed verdicts blended with the priors")
    args.out.write_text(json.dumps(params, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(docs)} rows {counts}")
    print(f"content model out-of-fold accuracy {accuracy:.3f}, temperature {temperature:.2f}, weights {damping}")


if __name__ == "__main__":
    main()
