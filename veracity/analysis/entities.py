"""Named entities of an article: people, organisations and places, with character offsets.

spaCy's small English model finds the mentions. Three cheap repairs follow, because the
small model is inconsistent inside one article (``Trump`` as PERSON in one sentence, ORG
in the next) and because paragraphs are joined by blank lines:

* a mention that runs over a paragraph break is cut at the break into its pieces;
* one name, one label: every mention of the same surface text gets the label most of its
  mentions got, where a surname of a multi-word PERSON counts as a PERSON vote twice;
* each mention gets a ``canonical`` name: for a person the longest PERSON name in the
  article that ends with the same word (``Peskov`` and ``Mr Peskov`` -> ``Dmitry Peskov``),
  for the others the mention without a leading ``the``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

KEPT = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "GPE", "LOC": "LOC"}
TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "sir",
        "dame",
        "lord",
        "lady",
        "president",
        "senator",
        "sen",
        "rep",
        "gov",
        "prof",
    ]
)
_WORD = re.compile(r"[\w'’.-]+")


@dataclass(frozen=True, slots=True)
class Entity:
    """A mention of a person (PERSON), organisation (ORG), country/city (GPE) or other place (LOC).

    ``start``/``end`` are character offsets into the analysed text (the article body).
    """

    text: str
    label: str
    start: int
    end: int
    canonical: str


def _pieces(text: str, start: int) -> list[tuple[str, int, int]]:
    """``text`` (at ``start``) cut at line breaks into stripped, non-empty pieces."""
    out = []
    offset = 0
    for part in text.split("\n"):
        stripped = part.strip()
        if stripped:
            s = start + offset + part.index(stripped)
            out.append((stripped, s, s + len(stripped)))
        offset += len(part) + 1
    return out


def _words(text: str) -> list[str]:
    return [w.strip(".'’").casefold() for w in _WORD.findall(text)]


def _key(text: str) -> str:
    """A mention's identity for label voting: words, possessive and case dropped."""
    text = re.sub(r"['’]s?$", "", text.strip())
    return " ".join(_words(text))


def extract_entities(doc: Any) -> list[Entity]:
    """The PERSON/ORG/GPE/LOC mentions of a parsed ``doc``, in text order."""
    raw: list[tuple[str, str, int, int]] = []
    for ent in doc.ents:
        label = KEPT.get(ent.label_)
        if label is None:
            continue
        for text, start, end in _pieces(ent.text, ent.start_char):
            if any(c.isalpha() for c in text):
                raw.append((text, label, start, end))
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for text, label, _, _ in raw:
        votes[_key(text)][label] += 1
    for text, label, _, _ in raw:
        words = _key(text).split()
        if label == "PERSON" and len(words) > 1 and words[-1] in votes:
            votes[words[-1]]["PERSON"] += 2
    relabelled = [(t, votes[_key(t)].most_common(1)[0][0], s, e) for t, _, s, e in raw]
    return [Entity(t, lab, s, e, canonical_name(t, lab, relabelled)) for t, lab, s, e in relabelled]


def _bare(text: str) -> str:
    """A person's name without a possessive ending and without leading titles (``Mr``, ``President``)."""
    name = re.sub(r"['’]s$", "", text.strip())
    parts = name.split()
    while len(parts) > 1 and parts[0].strip(".").casefold() in TITLES:
        parts.pop(0)
    return " ".join(parts)


def canonical_name(text: str, label: str, mentions: list[tuple[str, str, int, int]]) -> str:
    """The name a mention goes by in this article (see the module docstring)."""
    if label != "PERSON":
        name = re.sub(r"['’]s$", "", text.strip())
        return name[4:] if name[:4].lower() == "the " else name
    best = _bare(text)
    words = _key(best).split()
    if not words:
        return text
    for other, other_label, _, _ in mentions:
        if other_label != "PERSON":
            continue
        candidate = _bare(other)
        other_words = _key(candidate).split()
        if other_words and other_words[-1] == words[-1] and len(other_words) > len(_key(best).split()):
            best = candidate
    return best
