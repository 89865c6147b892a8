"""Rating normalisation: every publisher's verdict mapped onto one five-step scale.

The scale (documented in docs/factchecks.md) is ``false`` 0.0, ``mostly-false`` 0.25,
``mixed`` 0.5, ``mostly-true`` 0.75, ``true`` 1.0, and ``not-rateable`` (no number) for
verdicts that do not say how true a claim is (satire, unproven, flip-flops, outdated).

Order of evidence: the rating's text (``alternateName``, else a textual ``ratingValue``)
looked up as a known publisher word; then a numeric ``ratingValue`` placed between
``worstRating`` and ``bestRating`` (schema.org defaults 1 and 5); then the free-text keyword
table; else ``not-rateable``. The original rating is always kept beside the normalised one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SCALE: dict[str, float | None] = {
    "false": 0.0,
    "mostly-false": 0.25,
    "mixed": 0.5,
    "mostly-true": 0.75,
    "true": 1.0,
    "not-rateable": None,
}
LABELS = tuple(SCALE)

# Publisher words, compared after lower-casing and squeezing punctuation to single spaces.
# PolitiFact's Truth-O-Meter (six steps) and Flip-O-Meter, Snopes' ratings, and common
# words of other IFCN signatories (Full Fact, AFP, Reuters, FactCheck.org, Lead Stories).
KNOWN: dict[str, str] = {
    # PolitiFact
    "true": "true",
    "mostly true": "mostly-true",
    "half true": "mixed",
    "barely true": "mostly-false",
    "mostly false": "mostly-false",
    "false": "false",
    "pants on fire": "false",
    "pants fire": "false",
    "full flop": "not-rateable",
    "half flip": "not-rateable",
    "no flip": "not-rateable",
    # Snopes
    "mixture": "mixed",
    "mixed": "mixed",
    "unproven": "not-rateable",
    "unfounded": "false",
    "miscaptioned": "false",
    "misattributed": "false",
    "correct attribution": "true",
    "incorrect attribution": "false",
    "satire": "not-rateable",
    "labeled satire": "not-rateable",
    "originated as satire": "not-rateable",
    "outdated": "not-rateable",
    "legend": "not-rateable",
    "lost legend": "not-rateable",
    "research in progress": "not-rateable",
    "scam": "false",
    "fake": "false",
    "legit": "true",
    "recall": "true",
    # Others
    "correct": "true",
    "accurate": "true",
    "incorrect": "false",
    "inaccurate": "false",
    "misleading": "mostly-false",
    "partly false": "mostly-false",
    "partly true": "mixed",
    "partially true": "mixed",
    "partially false": "mostly-false",
    "half truth": "mixed",
    "missing context": "mixed",
    "needs context": "mixed",
    "lacks context": "mixed",
    "exaggerated": "mostly-false",
    "altered": "false",
    "altered photo": "false",
    "no evidence": "false",
    "unsupported": "false",
    "baseless": "false",
    "hoax": "false",
    "fabricated": "false",
}

# Free text: the first pattern that occurs decides. Longer, negated and qualified phrases
# come before the bare words they contain ("not true" before "true", "mostly false" before "false").
KEYWORDS: tuple[tuple[str, str], ...] = (
    (r"pants on fire", "false"),
    (r"mostly false|barely true|largely false|mainly false", "mostly-false"),
    (r"mostly true|largely true|mainly true", "mostly-true"),
    (r"half[- ]true|half truth|mixture|mixed", "mixed"),
    (r"partly false|partially false|misleading|exaggerat|distort|out of context|cherry", "mostly-false"),
    (r"partly true|partially true|needs context|missing context|lacks context|in part", "mixed"),
    (r"satire|satirical|parody|joke|unproven|unverified|cannot be verified|too early|outdated|opinion", "not-rateable"),
    (
        r"not true|untrue|not correct|incorrect|inaccurate|\bfalse|\bfake|hoax|fabricat|baseless|no evidence"
        r"|debunk|wrong|bogus|myth|scam|doctored|altered|manipulated|misattribut|miscaption|not real",
        "false",
    ),
    (r"\btrue|\bcorrect|\baccurate|\bverified|\bconfirmed|\blegit|\bgenuine|\bauthentic|\breal\b", "true"),
)
_COMPILED = tuple((re.compile(p), label) for p, label in KEYWORDS)


@dataclass(frozen=True, slots=True)
class Rating:
    """A normalised rating: ``label`` on the scale, its ``score`` (None: not rateable), the original text."""

    label: str
    score: float | None
    original: str

    @property
    def rateable(self) -> bool:
        return self.score is not None


def _squeeze(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def from_number(value: float, best: float = 5.0, worst: float = 1.0) -> str | None:
    """The step nearest to ``value`` placed between ``worst`` (false) and ``best`` (true)."""
    if best == worst or not min(best, worst) <= value <= max(best, worst):
        return None
    position = (value - worst) / (best - worst)
    return LABELS[min(4, int(position * 4 + 0.5))]


def from_text(text: str) -> str | None:
    """A known publisher word, else the keyword table; None when nothing fits."""
    squeezed = _squeeze(text)
    if not squeezed:
        return None
    if squeezed in KNOWN:
        return KNOWN[squeezed]
    for pattern, label in _COMPILED:
        if pattern.search(squeezed):
            return label
    return None


def normalise(
    alternate_name: str | None = None,
    rating_value: object = None,
    best_rating: object = None,
    worst_rating: object = None,
) -> Rating:
    """Normalise one schema.org ``Rating`` (``reviewRating``) to the scale, keeping the original."""
    number = _number(rating_value)
    text = (alternate_name or "").strip() or ("" if number is not None else str(rating_value or "").strip())
    original = text or (str(rating_value) if rating_value is not None else "")
    known = KNOWN.get(_squeeze(text)) if text else None
    label = known
    if label is None and number is not None:
        best = _number(best_rating)
        worst = _number(worst_rating)
        label = from_number(number, 5.0 if best is None else best, 1.0 if worst is None else worst)
        if best is not None or worst is not None:
            original = (
                f"{original} ({number:g} of {worst if worst is not None else 1:g}..{best if best is not None else 5:g})"
            )
    if label is None and text:
        label = from_text(text)
    label = label or "not-rateable"
    return Rating(label, SCALE[label], original)
