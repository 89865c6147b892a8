"""Loaded language: emotive or pejorative wording a neutral report would not use.

The words come from the lexicon ``lexicon/loaded_terms.tsv`` (authored for veracity; its
sources and categories are in docs/analysis.md), matched case-insensitively as whole tokens
or phrases with spaCy's ``PhraseMatcher``. Each flagged term says whether it stands inside a
quotation: a quoted speaker's words are theirs, the rest is the outlet's own voice.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import resources
from typing import Any

from veracity.analysis.cues import quoted_spans
from veracity.analysis.nlp import load

LEXICON = "loaded_terms.tsv"

_lock = threading.Lock()
_matcher: Any = None
_categories: dict[str, str] = {}


@dataclass(frozen=True, slots=True)
class LoadedTerm:
    """A flagged word or phrase; ``start``/``end`` index the analysed text."""

    term: str
    category: str
    start: int
    end: int
    quoted: bool


def read_lexicon() -> dict[str, str]:
    """Every form of the lexicon (lower case) -> its category."""
    text = resources.files("veracity.analysis").joinpath("lexicon", LEXICON).read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        forms, category = line.split("\t")[:2]
        for form in forms.split("|"):
            out[form.strip().casefold()] = category.strip()
    return out


def _get_matcher() -> Any:
    global _matcher
    with _lock:
        if _matcher is None:
            from spacy.matcher import PhraseMatcher

            nlp = load()
            matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
            lexicon = read_lexicon()
            for category in sorted(set(lexicon.values())):
                forms = [f for f, c in lexicon.items() if c == category]
                matcher.add(category, list(nlp.tokenizer.pipe(forms)))
            _categories.update(lexicon)
            _matcher = matcher
        return _matcher


def find_loaded_terms(doc: Any) -> list[LoadedTerm]:
    """The lexicon's terms in a parsed ``doc``, in text order, longest match where two overlap."""
    matcher = _get_matcher()
    spans = matcher(doc, as_spans=True)
    passages = quoted_spans(doc.text)
    out: list[LoadedTerm] = []
    taken: set[int] = set()
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if taken & set(range(span.start, span.end)):
            continue
        taken |= set(range(span.start, span.end))
        start, end = span.start_char, span.end_char
        quoted = any(s <= start and end <= e for s, e in passages)
        out.append(LoadedTerm(span.text, doc.vocab.strings[span.label], start, end, quoted))
    return sorted(out, key=lambda t: t.start)
