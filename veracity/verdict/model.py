"""The combination: an additive log-odds model over the signals, a temperature, and abstention.

Each class (Truth, Misleading, Fake) gets a score ``intercept + sum(weight * feature)``; the
probabilities are ``softmax(score / temperature)``. The parameter file (``params.json``
beside this module, written by ``scripts/fit_verdict.py``; model card in docs/verdict-model.md)
holds the weights, which ones were fitted and which are documented priors, the content
model's own coefficients, the temperature and the abstention threshold.

The label is ``Unverified`` when the evidence is thin (nothing but the text), when the best
class is below the threshold, for satire, and for a ``Fake`` or ``Misleading`` that no evidence
about the article supports (a matching fact-check, or outlet-level evidence the text leans
the same way as): a wrong ``Fake`` on honest reporting is the worst failure.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from veracity.verdict.signals import Signal, genre_of

CLASSES = ("Truth", "Misleading", "Fake")
PARAMS = Path(__file__).with_name("params.json")
EVIDENCE = ("outlet", "corroboration", "fact-check", "track-record")  # signals that count as evidence beyond text


@dataclass(frozen=True, slots=True)
class Verdict:
    """The machine's verdict on one article version, with the signals that made it."""

    label: str
    confidence: float  # calibrated probability of ``label``; for Unverified, that of the class it leans to
    probabilities: Mapping[str, float]
    evidence: Sequence[Signal]
    genre: str | None = None
    reason: str = ""
    model: str = ""
    leaning: str | None = None  # for Unverified: the class the model would have said
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "confidence": round(self.confidence, 3),
            "leaning": self.leaning,
            "genre": self.genre,
            "reason": self.reason,
            "probabilities": {c: round(p, 3) for c, p in self.probabilities.items()},
            "evidence": [s.to_json() for s in self.evidence],
            "model": self.model,
        }


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return data


def load_params(path: Path | None = None) -> dict[str, Any]:
    """The shipped parameter file (or another one, e.g. a freshly fitted file)."""
    return _load(str(path or PARAMS))


_ids: dict[int, tuple[Mapping[str, Any], str]] = {}


def model_id(params: Mapping[str, Any]) -> str:
    """A short id of a parameter set, stored with each verdict so a refit is visible in the history.

    Remembered per parameter object (the file is loaded once; hashing its 148 x 3 content
    coefficients for every article cost half a millisecond); parameter sets are not changed
    in place (refits and evaluation folds make new dicts).
    """
    hit = _ids.get(id(params))
    if hit is not None and hit[0] is params:
        return hit[1]
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:10]
    found = f"{params.get('name', 'verdict')}@{digest}"
    if len(_ids) > 64:
        _ids.clear()
    _ids[id(params)] = (params, found)  # the reference keeps the id from being reused
    return found


def scores(features: Mapping[str, float], params: Mapping[str, Any]) -> dict[str, float]:
    weights: Mapping[str, Mapping[str, float]] = params["weights"]
    out = {c: float(params["intercept"][c]) for c in CLASSES}
    for name, value in features.items():
        for c, w in weights.get(name, {}).items():
            out[c] += w * value
    return out


def softmax(values: Mapping[str, float], temperature: float = 1.0) -> dict[str, float]:
    top = max(values.values())
    exps = {c: math.exp((v - top) / temperature) for c, v in values.items()}
    total = sum(exps.values())
    return {c: e / total for c, e in exps.items()}


def _effect(signal: Signal, label: str, params: Mapping[str, Any]) -> tuple[str, float]:
    """Where a signal pushes (the class it raises most) and the log-odds it adds to ``label``."""
    weights: Mapping[str, Mapping[str, float]] = params["weights"]
    temperature = float(params["temperature"])
    push = {c: 0.0 for c in CLASSES}
    for name, value in signal.features.items():
        for c, w in weights.get(name, {}).items():
            push[c] += w * value / temperature
    mean = sum(push.values()) / len(push)
    centred = {c: v - mean for c, v in push.items()}
    top = max(centred, key=lambda c: centred[c])
    direction = top if centred[top] > 0.05 else "neutral"
    target = label if label in CLASSES else top
    return direction, centred[target]


def combine(signals: Sequence[Signal], params: Mapping[str, Any] | None = None) -> Verdict:
    """The verdict from the signals: probabilities, the label (or abstention) and each signal's share."""
    params = params or load_params()
    features: dict[str, float] = {}
    for s in signals:
        features.update(s.features)
    probs = softmax(scores(features, params), float(params["temperature"]))
    best = max(probs, key=lambda c: probs[c])
    genre = next((g for g in (genre_of(s) for s in signals) if g), None)
    evidence_present = [s.name for s in signals if s.present and s.name in EVIDENCE]
    label, reason = best, ""
    content = next((s for s in signals if s.name == "content"), None)
    leaning = content.details.get("probabilities", {}) if content else {}
    content_negative = bool(leaning) and max(leaning, key=lambda c: leaning[c]) != "Truth"
    rated = [r.get("reliability") for s in signals if s.name == "outlet" for r in s.details.get("ratings", [])]
    rated_values = [float(v) for v in rated if v is not None]
    outlet_against = bool(rated_values) and sum(rated_values) / len(rated_values) < 0.3 and max(rated_values) < 0.5
    article_against = features.get("fc_false", 0.0) > 0 or features.get("fc_mixed", 0.0) > 0
    # Misleading and Fake need evidence about the article: a matching fact-check, or outlet-level
    # evidence (rating sets agreeing it is unreliable, a bad track record) that the text leans toward too.
    negative_support = article_against or ((outlet_against or features.get("track", 0.0) < -0.1) and content_negative)
    if genre == "satire":
        label, reason = "Unverified", "satire is labelled as such, not judged as news"
    elif not evidence_present:
        label, reason = (
            "Unverified",
            "thin evidence: nothing beyond the text itself (no rating, corroboration or fact-check)",
        )
    elif probs[best] < float(params["abstain_below"]):
        label, reason = "Unverified", f"no label reaches the confidence threshold {params['abstain_below']:.2f}"
    elif best in ("Fake", "Misleading") and not negative_support:
        label, reason = (
            "Unverified",
            f"no evidence about the article itself supports {best}: an article is not judged by its outlet alone",
        )
    elif best == "Fake" and genre == "opinion" and features.get("fc_false", 0.0) <= 0:
        label, reason = "Unverified", "opinion: only a matching fact-check can make it Fake"
    evidence = []
    for s in signals:
        direction, weight = _effect(s, label, params)
        evidence.append(s.with_effect(direction, weight))
    evidence.sort(key=lambda s: (not s.present, -abs(s.weight)))
    return Verdict(
        label=label,
        confidence=probs[best],
        probabilities=probs,
        evidence=evidence,
        genre=genre,
        reason=reason,
        model=model_id(params),
        leaning=best if label == "Unverified" else None,
    )
