"""Text features shared by the story modules: words, named-entity-like keys, shingles.

spaCy is not available, so named entities are found by a capitalisation heuristic that
needs no model and no language data beyond a short stop-word list:

* a word is an **entity key** when the document writes it capitalised (``Klitschko``,
  ``IBF``, ``Tuesday``) and never writes its lower-case form: sentence-initial words
  (``The``, ``After``) and words of title-case headlines (``Releases Critical Patch``)
  that also occur in lower case in the body are thereby dropped, with no sentence
  splitter; stop words never count;
* a **number** (``6.5``, ``2013``, ``MS08-078``) is an entity key too: magnitudes, death
  tolls, scores, years and bulletin numbers are what tell two similar events apart.

Keys are lower-cased (``klitschko``); numbers keep their digits (``#6.5``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from veracity.text.normalize import normalize_space

__all__ = ["STOP_WORDS", "content_words", "entity_keys", "normalize_for_shingles", "shingles", "words"]

# Function words and reporting verbs that say nothing about which story an article tells.
STOP_WORDS = frozenset(
    """
    a about above after again against all almost along already also although always am among an and another any
    anyone anything are around as at be became because become been before being below between both but by can
    cannot could did do does doing done down during each either else even ever every few for from further had has
    have having he her here hers herself him himself his how however i if in into is it its itself just least less
    like made make many may me might more most much must my myself neither never no nor not now of off often on
    once one only or other others our ours ourselves out over own per perhaps rather said same say says she should
    since so some still such than that the their theirs them themselves then there these they this those though
    through thus to too toward towards under until up upon us very via was we were what whatever when where whether
    which while who whom whose why will with within without would yet you your yours yourself yourselves mr mrs ms
    told according reported report reports reuters ap associated press news yesterday today tomorrow week year
    years day days time new get got going go went says saying also just well back two three first last
    """.split()  # noqa: SIM905 - a list literal of 200 quoted words would be harder to read
)

_WORD = re.compile(r"\w+(?:[-'’.]\w+)*")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")  # 40,000 is one number, not 40 and 000
_HAS_DIGIT = re.compile(r"\d")
_PUNCT_NOT_WORD = re.compile(r"[^\w\s]")


def words(text: str) -> list[str]:
    """The word tokens of ``text`` as written (apostrophes, hyphens and inner dots kept)."""
    return _WORD.findall(_THOUSANDS.sub("", unicodedata.normalize("NFKC", text)))


def _is_number(token: str) -> bool:
    return _HAS_DIGIT.search(token) is not None


def content_words(text: str) -> Counter[str]:
    """Lower-cased words without stop words or one-letter tokens, with their counts."""
    counts: Counter[str] = Counter()
    for token in words(text):
        key = token.casefold().replace("’", "'")
        if key.endswith("'s"):
            key = key[:-2]
        if len(key) < 2 or key in STOP_WORDS:
            continue
        counts["#" + key if _is_number(key) else key] += 1
    return counts


def entity_keys(text: str, phrases: bool = False) -> Counter[str]:
    """Named-entity-like keys (capitalised words never written in lower case, numbers), counted.

    With ``phrases``, a run of such words separated by spaces only (``Pierre Thomas``) also
    counts as one key (``pierre thomas``), beside its words.
    """
    text = _THOUSANDS.sub("", unicodedata.normalize("NFKC", text))
    matches = list(_WORD.finditer(text))
    lower_seen = {m.group(0) for m in matches if m.group(0)[:1].islower()}
    counts: Counter[str] = Counter()
    run: list[str] = []
    run_end = -1
    for m in matches:
        token = m.group(0)
        key = token.casefold().replace("’", "'")
        if key.endswith("'s"):
            key = key[:-2]
        is_name = token[:1].isupper() and len(key) > 1 and key not in STOP_WORDS and key not in lower_seen
        if _is_number(key):
            counts["#" + key] += 1
        elif is_name:
            counts[key] += 1
        if phrases:
            if is_name and run and text[run_end : m.start()].strip() == "" and "\n" not in text[run_end : m.start()]:
                run.append(key)
            else:
                if len(run) > 1:
                    counts[" ".join(run)] += 1
                run = [key] if is_name else []
            run_end = m.end()
    if phrases and len(run) > 1:
        counts[" ".join(run)] += 1
    return counts


def normalize_for_shingles(text: str) -> str:
    """Case-folded, NFKC, punctuation dropped, whitespace collapsed: what copies have in common."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return normalize_space(_PUNCT_NOT_WORD.sub(" ", text))


def shingles(text: str, size: int = 3) -> set[str]:
    """The set of ``size``-word shingles of the normalised text (the whole text when shorter)."""
    tokens = normalize_for_shingles(text).split()
    if len(tokens) <= size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}
