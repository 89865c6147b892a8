"""Verdict quality on public data: ``veracity evaluate verdicts --data ../shared/data``.

On these sets the only signals are the text and, for some, the outlet; there are no
fact-check matches, corroboration or track record. Four systems are scored, every model
re-fitted inside each training fold (never on what is reported):

* ``verdict``: the verdict as shipped, with the content model re-fitted per fold: its label
  after abstention (text alone is thin evidence, so it answers ``Unverified``), with coverage;
* ``content``: the content model forced to answer (argmax, no abstention), the weak text signal;
* ``style``: verdict-v1's content model (the 15 style features alone), forced to answer: the baseline;
* ``tfidf``: TF-IDF (1-2 grams) + style features + logistic regression fitted per fold, the
  ceiling of what the text can give on the set's own distribution (not shipped: it learns the
  set's topics, which is the shortcut the issue warns of).

Splits: CheckThat! Task 3 train, 5 folds grouped so duplicates stay together; FakeNewsAMT +
Celebrity, 5 folds grouped by pair; FakeNewsNet PolitiFact, 5 folds grouped by site. Outlet
ratings versus Baly et al.: the 5 official folds, reliability cut-points fitted on the train
folds. Calibration: expected calibration error of the content model's confidence, its
temperature fitted on a grouped fifth of each training fold. Real reporting: the shipped
verdict over ECB+ train+dev documents with the rating sets of the data folder. Transfer
across sets: :mod:`veracity.evaluate.content_transfer`.

With ``kb_cache`` (the CLI's ``--kb``, default on) the same sets are also judged with fact-check
matches against the PolitiFact ClaimReview set: :mod:`veracity.evaluate.verdict_evidence`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold, GroupShuffleSplit

from veracity.evaluate.content_transfer import TRANSFER_SYSTEMS, transfer
from veracity.evaluate.verdict_data import Doc, load_amt, load_checkthat, load_ecbplus, load_politifact
from veracity.ratings.formats import outlet_domain, read_ratings
from veracity.ratings.store import OutletRating
from veracity.verdict import signals as sig
from veracity.verdict.content import FEATURES, content_features, content_signal
from veracity.verdict.fit import (
    STYLE_C,
    content_matrix,
    content_probabilities,
    feature_matrix,
    fit_content,
    fit_temperature,
    raw_logits,
)
from veracity.verdict.model import CLASSES, combine, load_params

Ratings = dict[str, list[OutletRating]]
SYSTEMS = ("verdict", "content", "style", "tfidf")
RATING_FILES = (
    ("wikipedia-rsp", "wikipedia_perennial_sources/perennial-sources.csv"),
    ("lin2023", "domain_quality_ratings/domain_pc1.csv"),
)


def load_rating_sets(data: Path, files: Sequence[tuple[str, str]] = RATING_FILES) -> Ratings:
    """The rating sets of the data folder, in memory: domain -> every set's rating."""
    out: Ratings = {}
    for fmt, rel in files:
        path = data / rel
        if not path.is_file():
            continue
        for r in read_ratings(path, fmt):
            out.setdefault(r.domain, []).append(OutletRating(fmt, r.domain, r.value, r.reliability, r.satire))
    return out


def verdict_for(
    doc: Doc, params: dict[str, Any], ratings: Ratings, matches: Sequence[sig.MatchLike] = ()
) -> tuple[str, float, str | None]:
    """The shipped combination over what a data set offers: text, the outlet when known, fact-check matches if given."""
    v = combine(signals_for(doc, params, ratings, matches), params)
    return v.label, v.confidence, v.leaning


def signals_for(
    doc: Doc, params: dict[str, Any], ratings: Ratings, matches: Sequence[sig.MatchLike] = ()
) -> list[sig.Signal]:
    own = ratings.get(doc.domain or "", []) if doc.domain else []
    return [
        sig.factchecks(matches),
        sig.outlet_reliability(doc.domain, own),
        sig.corroboration(None, {}),
        sig.track_record(sig.TrackRecord(doc.domain)),
        content_signal(doc.title, doc.body, params["content"]),
        sig.genre(outlet_kind=None, ratings=own, section=None, url=doc.url, title=doc.title),
    ]


def tfidf_model(train: list[Doc], xs_train: np.ndarray) -> Callable[[list[Doc], np.ndarray], tuple[list[str], Any]]:
    """The tfidf system fitted on ``train``: a function (docs, style features) -> (classes, probabilities)."""
    from scipy.sparse import csr_matrix, hstack  # type: ignore[import-untyped]
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_features=100_000)
    a = vec.fit_transform([d.title + "\n" + d.body for d in train])
    mean, scale = xs_train.mean(axis=0), xs_train.std(axis=0) + 1e-9
    sa = csr_matrix(np.clip((xs_train - mean) / scale, -4, 4) * 0.3)
    model = LogisticRegression(C=10.0, class_weight="balanced", max_iter=3000)
    model.fit(hstack([a, sa]).tocsr(), [d.label for d in train])

    def predict(test: list[Doc], xs_test: np.ndarray) -> tuple[list[str], Any]:
        b = vec.transform([d.title + "\n" + d.body for d in test])
        sb = csr_matrix(np.clip((xs_test - mean) / scale, -4, 4) * 0.3)
        return [str(c) for c in model.classes_], model.predict_proba(hstack([b, sb]).tocsr())

    return predict


def _tfidf_fold(train: list[Doc], test: list[Doc], xs_train: np.ndarray, xs_test: np.ndarray) -> list[str]:
    names, probs = tfidf_model(train, xs_train)(test, xs_test)
    return [names[int(p.argmax())] for p in probs]


def inner_split(docs: list[Doc], train_idx: Sequence[int]) -> tuple[list[int], list[int]]:
    """A training fold's labelled rows cut into fitting rows and a grouped fifth for the temperature."""
    groups = [d.group for d in docs]
    fit_rows = [i for i in train_idx if docs[i].label in CLASSES]
    inner_fit, inner_cal = next(
        GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0).split(
            fit_rows, groups=[groups[i] for i in fit_rows]
        )
    )
    return [fit_rows[i] for i in inner_fit], [fit_rows[i] for i in inner_cal]


def fold_content(docs: list[Doc], x: np.ndarray, train_idx: Sequence[int]) -> dict[str, Any]:
    """The content model (``x``: ``content_matrix`` rows) fitted on a training fold, temperature on a fifth."""
    fit_ids, cal_ids = inner_split(docs, train_idx)
    block = fit_content(x[fit_ids], [docs[i].label for i in fit_ids])
    classes = block["classes"]
    cal_truth = np.array([classes.index(docs[i].label) if docs[i].label in classes else 0 for i in cal_ids])
    block["temperature"] = fit_temperature(raw_logits(x[cal_ids], block), cal_truth)
    return block


def cross_validate(docs: list[Doc], ratings: Ratings, folds: int = 5) -> dict[str, Any]:
    """Out-of-fold predictions of the four systems, and the content model's calibrated confidence."""
    params = dict(load_params())
    xs = feature_matrix([(d.title, d.body) for d in docs])
    x = content_matrix([(d.title, d.body) for d in docs])
    groups = [d.group for d in docs]
    pred: dict[str, list[str]] = {name: [""] * len(docs) for name in SYSTEMS}
    conf = np.zeros(len(docs))
    verdict_conf = np.zeros(len(docs))
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(x, groups=groups):
        train = [docs[i] for i in train_idx]
        block = fold_content(docs, x, train_idx)
        names, probs = content_probabilities(x[test_idx], block)
        fold_params = {**params, "content": block}
        fit_ids, _ = inner_split(docs, train_idx)
        style = fit_content(xs[fit_ids], [docs[i].label for i in fit_ids], STYLE_C, FEATURES)
        style_names, style_probs = content_probabilities(xs[test_idx], style)
        for row, i in enumerate(test_idx):
            pred["content"][i] = names[int(probs[row].argmax())]
            pred["style"][i] = style_names[int(style_probs[row].argmax())]
            conf[i] = float(probs[row].max())
            label, confidence, _ = verdict_for(docs[i], fold_params, ratings)
            pred["verdict"][i] = label
            verdict_conf[i] = confidence
        for i, label in zip(
            test_idx, _tfidf_fold(train, [docs[i] for i in test_idx], xs[train_idx], xs[test_idx]), strict=True
        ):
            pred["tfidf"][i] = label
    return {"pred": pred, "confidence": conf, "verdict_confidence": verdict_conf}


def scores(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    decided = [i for i, p in enumerate(pred) if p != "Unverified"]
    return {
        "macro_f1": float(f1_score(gold, pred, labels=list(labels), average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(gold, pred)),
        "coverage": len(decided) / max(len(pred), 1),
        "accuracy_decided": float(np.mean([gold[i] == pred[i] for i in decided])) if decided else float("nan"),
        "fake_f1": float(f1_score(gold, pred, labels=["Fake"], average="macro", zero_division=0)),
    }


def ece(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> tuple[float, list[tuple[float, float, int]]]:
    """Expected calibration error (equal-width bins) and the diagram's points (mean confidence, accuracy, count)."""
    edges = np.linspace(0, 1, bins + 1)
    total, points = 0.0, []
    for lo, hi in pairwise(edges):
        mask = (confidence > lo) & (confidence <= hi)
        if mask.any():
            c, a = float(confidence[mask].mean()), float(correct[mask].mean())
            total += mask.sum() / len(confidence) * abs(c - a)
            points.append((c, a, int(mask.sum())))
    return float(total), points


def outlet_agreement(data: Path, ratings: Ratings) -> dict[str, Any]:
    """Each rating set against Baly et al.'s MBFC factuality (high/mixed/low) on the 5 official folds.

    A set's reliability is cut into three levels at two thresholds fitted on the train folds'
    media (those the set rates) and scored on the test fold; coverage is the share rated.
    """
    out: dict[str, Any] = {}
    for version in ("emnlp18", "acl2020"):
        folder = data / "news_media_reliability" / version
        if not folder.is_dir():
            continue
        gold = {r.domain: r.value.split()[0].split("=")[1] for r in read_ratings(folder / "corpus.tsv", "mbfc-baly")}
        ids: dict[str, str | None] = {}
        for line in (folder / "corpus.tsv").read_text(encoding="utf-8").splitlines()[1:]:
            cells = line.split("\t")
            ids[cells[1]] = outlet_domain(cells[0])
        splits = json.loads((folder / "splits.json").read_text(encoding="utf-8"))
        for set_name in sorted({r.set_name for rs in ratings.values() for r in rs}):
            rel = {d: next((r.reliability for r in rs if r.set_name == set_name), None) for d, rs in ratings.items()}
            golds: list[str] = []
            preds: list[str] = []
            rated_total = 0
            media_total = 0
            for fold in splits.values():
                train = _fold_rows(fold["train"], ids, rel, gold)
                test = _fold_rows(fold["test"], ids, rel, gold)
                media_total += len(fold["test"])
                rated_total += len(test)
                lo, hi = _cutpoints(train)
                golds += [g for _, g in test]
                preds += ["low" if v < lo else "mixed" if v < hi else "high" for v, _ in test]
            out[f"{set_name} vs {version}"] = {
                "coverage": rated_total / max(media_total, 1),
                "accuracy": float(accuracy_score(golds, preds)) if golds else float("nan"),
                "macro_f1": float(f1_score(golds, preds, average="macro", zero_division=0)) if golds else float("nan"),
                "rated": rated_total,
            }
    return out


def _fold_rows(
    names: list[str], ids: dict[str, str | None], rel: dict[str, float | None], gold: dict[str, str]
) -> list[tuple[float, str]]:
    """(reliability, gold factuality) of the media of a fold that the rating set rates."""
    found = []
    for n in names:
        d = ids.get(n)
        value = rel.get(d or "")
        if d in gold and value is not None:
            found.append((value, gold[d]))
    return found


def _cutpoints(rows: list[tuple[float, str]]) -> tuple[float, float]:
    grid = sorted({round(v, 3) for v, _ in rows} | {0.0, 1.01})
    best, best_acc = (0.4, 0.7), -1.0
    values = np.array([v for v, _ in rows])
    labels = np.array([g for _, g in rows])
    for i, lo in enumerate(grid):
        for hi in grid[i:]:
            pred = np.where(values < lo, "low", np.where(values < hi, "mixed", "high"))
            acc = float((pred == labels).mean()) if len(rows) else 0.0
            if acc > best_acc:
                best, best_acc = (lo, hi), acc
    return best


def real_reporting(data: Path, ratings: Ratings) -> dict[str, Any]:
    """The shipped verdict on ECB+ documents (real reporting from many outlets): how often it says Fake."""
    params = dict(load_params())
    docs = load_ecbplus(data)
    labels = [verdict_for(d, params, ratings)[0] for d in docs]
    block = params["content"]
    rows = [content_features(d.title, d.body, block) for d in docs]
    x = np.array([[r.get(f, 0.0) for f in block["features"]] for r in rows])
    names, probs = content_probabilities(x, block)
    forced = [names[int(p.argmax())] for p in probs]
    return {
        "documents": len(docs),
        "with_outlet_rating": sum(1 for d in docs if d.domain and ratings.get(d.domain)),
        "fake_rate": labels.count("Fake") / len(docs),
        "labels": {k: labels.count(k) for k in ("Truth", "Misleading", "Fake", "Unverified")},
        "content_forced_fake_rate": forced.count("Fake") / len(docs),
    }


def evaluate(
    data: Path,
    plot: Path | None = None,
    progress: Callable[[str], None] | None = None,
    kb_cache: Path | None = None,
) -> dict[str, Any]:
    """Every figure of the verdict's evaluation (see the module docstring); with ``kb_cache``, the
    runs with the fact-check knowledge base too (``veracity.evaluate.verdict_evidence``, cached there)."""
    say = progress or (lambda _m: None)
    if plot is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError as exc:
            raise ValueError("--plot needs matplotlib (pip install 'veracity[dev]' or matplotlib)") from exc
    ratings = load_rating_sets(data)
    results: dict[str, Any] = {}
    pooled_conf: list[np.ndarray] = []
    pooled_correct: list[np.ndarray] = []
    sets = {
        "checkthat": (load_checkthat, ("Truth", "Misleading", "Fake", "Unverified")),
        "amt_celebrity": (load_amt, ("Truth", "Fake")),
        "politifact_by_site": (load_politifact, ("Truth", "Fake")),
    }
    loaded: dict[str, tuple[list[Doc], tuple[str, ...]]] = {}
    for name, (loader, labels) in sets.items():
        say(name)
        docs = loader(data)
        loaded[name] = (docs, labels)
        cv = cross_validate(docs, ratings)
        gold = [d.label for d in docs]
        results[name] = {system: scores(gold, p, labels) for system, p in cv["pred"].items()}
        results[name]["n"] = len(docs)
        decided = [i for i, p in enumerate(cv["pred"]["verdict"]) if p != "Unverified"]
        results[name]["verdict"]["mean_confidence_decided"] = (
            float(np.mean(cv["verdict_confidence"][decided])) if decided else float("nan")
        )
        keep = np.array([d.label in CLASSES for d in docs])
        correct = np.array([g == p for g, p in zip(gold, cv["pred"]["content"], strict=True)])
        pooled_conf.append(cv["confidence"][keep])
        pooled_correct.append(correct[keep])
    conf, correct = np.concatenate(pooled_conf), np.concatenate(pooled_correct)
    value, points = ece(conf, correct)
    results["calibration"] = {"ece_content": value, "n": len(conf), "points": points}
    if plot is not None:
        _diagram(points, value, plot)
        results["calibration"]["plot"] = str(plot)
    say("transfer")
    results["transfer"] = transfer(loaded, scores)
    say("outlets")
    results["outlets_vs_baly"] = outlet_agreement(data, ratings)
    say("ecbplus")
    results["real_reporting"] = real_reporting(data, ratings)
    if kb_cache is not None:
        from veracity.evaluate.verdict_evidence import evaluate_kb

        results["with_kb"] = evaluate_kb(data, ratings, kb_cache, say)
    return results


def _diagram(points: list[tuple[float, float, int]], value: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=f"content model (ECE {value:.3f})")
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left")
    ax.set_title("Verdict content model: reliability diagram")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)


PUBLISHED = {
    "checkthat": "published: CheckThat! 2022 Task 3 EN best macro-F1 0.339 (official test); goal >= 0.50",
    "amt_celebrity": "published: Perez-Rosas et al. 2018 linear SVM accuracy ~0.74 (AMT), ~0.76 (Celebrity);"
    " goal >= 0.85",
    "politifact_by_site": "published: dEFEND F1 0.928 / accuracy 0.904 (random split, with user comments)",
}


def format_report(r: dict[str, Any]) -> list[str]:
    lines = [f"{'data set / system':34} {'macro-F1':>8} {'accuracy':>8} {'coverage':>8} {'acc@decided':>11}"]
    for name in ("checkthat", "amt_celebrity", "politifact_by_site"):
        lines.append(f"{name} (n={r[name]['n']})")
        for system in SYSTEMS:
            s = r[name][system]
            lines.append(
                f"  {system:32} {s['macro_f1']:8.3f} {s['accuracy']:8.3f} {s['coverage']:8.3f}"
                f" {s['accuracy_decided']:11.3f}"
            )
        lines.append(f"  {PUBLISHED[name]}")
    lines.append("transfer (fitted on the other two sets, scored on this one):")
    for name in ("checkthat", "amt_celebrity", "politifact_by_site"):
        for system in TRANSFER_SYSTEMS:
            s = r["transfer"][name][system]
            lines.append(f"  {name + ' / ' + system:32} {s['macro_f1']:8.3f} {s['accuracy']:8.3f}")
    cal = r["calibration"]
    lines.append(
        f"calibration: content-model ECE {cal['ece_content']:.3f} over {cal['n']} out-of-fold predictions"
        " (goal <= 0.05)"
    )
    lines.append("outlet ratings vs Baly et al. MBFC factuality (5 official folds, cut-points fitted on train folds):")
    for name, s in r["outlets_vs_baly"].items():
        lines.append(
            f"  {name:32} accuracy {s['accuracy']:.3f} macro-F1 {s['macro_f1']:.3f} coverage {s['coverage']:.3f}"
        )
    rr = r["real_reporting"]
    lines.append(
        f"real reporting (ECB+ train+dev, n={rr['documents']}): Fake rate {rr['fake_rate']:.4f} (goal <= 0.01); "
        f"labels {rr['labels']}; content model forced: Fake rate {rr['content_forced_fake_rate']:.3f}"
    )
    if "with_kb" in r:
        from veracity.evaluate.verdict_evidence import format_kb_report

        lines += format_kb_report(r["with_kb"])
    return lines
