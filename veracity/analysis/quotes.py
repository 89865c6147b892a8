"""Quotes: direct quotations and reported speech, with cue verb, speaker and spans.

Rule-based over spaCy's dependency parse; the rules (docs/analysis.md has them with
examples):

1. **Cue.** A verb (``VB*`` tag) of saying, reporting or believing from the lexicon in
   :mod:`veracity.analysis.cues` (``said``, ``told``, ``argued``, ``believes``), or the phrase
   ``according to``. A cue inside quotation marks belongs to the quotation, not to the article.
2. **Content.** The cue's clausal complement (``ccomp``/``xcomp`` subtree: ``Peskov said
   [relations … were at a historic low]``); when the cue has none, the clause the cue hangs
   from (``Moscow is watching …, he said`` / ``… according to the Kremlin``), else a quoted
   passage next to the cue in the same sentence. Content that touches a quoted passage
   grows to the whole passage.
3. **Speaker.** The cue's subject (``nsubj``), the ``by`` agent of a passive cue, the object
   of ``according to``; a cue without one (``…, saying``, ``and added``) takes the subject of
   the verb it depends on; a relative pronoun (``who said``) takes the noun it refers to.
   A passive cue without agent (``it was reported``) has no speaker.
4. **Kind.** ``direct`` when the content is a quoted passage, ``mixed`` when part of it is,
   ``indirect`` (reported speech) otherwise.
5. **Continued quotations.** A quoted passage of six words or more that opens a sentence
   and no cue claims takes the speaker of the nearest quotation in the same or a
   neighbouring paragraph (cue empty): the paragraph of a speech that goes on.

Speakers are resolved to entities by :mod:`veracity.analysis.speakers`.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace
from typing import Any

from veracity.analysis.cues import CUE_FORMS, quoted_spans
from veracity.analysis.entities import Entity
from veracity.analysis.speakers import Resolver

CONTENT_DEPS = ("ccomp", "xcomp")
CLIMB_DEPS = ("advcl", "conj", "xcomp", "pcomp", "acl")
RELATIVE = frozenset(["who", "that", "which", "whom"])
MIN_CONTINUED_WORDS = 6
MAX_GAP_WORDS = 2
MIN_OBJECT_CLAUSE = 4
# Verbs that take a clause: a long direct object after them is a misparsed clause.
CLAUSE_VERBS = frozenset(
    ["say", "claim", "argue", "insist", "state", "believe", "think", "write", "tweet", "add", "note", "warn", "suggest"]
)
TRIM = " \t\n\r\u00a0.,;:—–-"


@dataclass(frozen=True, slots=True)
class Quote:
    """One attribution. Offsets index the analysed text; a missing part is None.

    ``speaker`` is the mention as written (``he``, ``the spokesperson``), ``speaker_entity``
    the article's name for who that is (``Dmitry Peskov``) when it could be resolved, with
    its entity label.
    """

    kind: str  # direct | mixed | indirect
    content: str
    content_start: int
    content_end: int
    cue: str | None
    cue_start: int | None
    cue_end: int | None
    speaker: str | None
    speaker_start: int | None
    speaker_end: int | None
    speaker_entity: str | None
    speaker_label: str | None


class _Passages:
    """The quoted passages of a text, looked up by offset."""

    def __init__(self, text: str) -> None:
        self.spans = quoted_spans(text)
        self.starts = [s for s, _ in self.spans]

    def at(self, offset: int) -> tuple[int, int] | None:
        k = bisect_right(self.starts, offset) - 1
        if k >= 0 and self.spans[k][0] <= offset < self.spans[k][1]:
            return self.spans[k]
        return None

    def overlapping(self, start: int, end: int) -> list[tuple[int, int]]:
        return [(s, e) for s, e in self.spans if s < end and start < e]


def _char_span(tokens: list[Any], text: str, avoid: int | None = None) -> tuple[int, int] | None:
    """The offsets covering ``tokens``, trimmed of spaces and edge punctuation (quote marks kept).

    With ``avoid`` (a token index, the cue), only the longest unbroken run of tokens on one
    side of it is kept, so a clause that the cue interrupts is not read across the cue.
    """
    if not tokens:
        return None
    if avoid is not None:
        runs: list[list[Any]] = []
        for tok in sorted(tokens, key=lambda t: t.i):
            if runs and runs[-1][-1].i == tok.i - 1 and not (runs[-1][-1].i < avoid < tok.i):
                runs[-1].append(tok)
            else:
                runs.append([tok])
        tokens = max(runs, key=lambda r: sum(1 for t in r if not (t.is_punct or t.is_space)))
    start = min(t.idx for t in tokens)
    end = max(t.idx + len(t.text) for t in tokens)
    while start < end and text[start] in TRIM:
        start += 1
    while end > start and text[end - 1] in TRIM:
        end -= 1
    return (start, end) if end > start else None


def _cue(tok: Any) -> list[Any] | None:
    """The cue tokens when ``tok`` starts a cue, else None."""
    word = tok.text.casefold()
    if word == "according" and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].text.casefold() == "to":
        return [tok, tok.doc[tok.i + 1]]
    if tok.tag_.startswith("VB") and word in CUE_FORMS and tok.dep_ not in ("amod", "compound"):
        return [tok] + [c for c in tok.children if c.dep_ == "prt"]
    return None


def _subtree_without(root: Any, *excluded: Any) -> list[Any]:
    skip = {t.i for ex in excluded for t in ex.subtree}
    return [t for t in root.subtree if t.i not in skip]


def _speaker_head(cue: Any) -> Any | None:
    """The head word of who the cue attributes to (rule 3), or None."""
    if cue.text.casefold() == "according":
        to = cue.doc[cue.i + 1]
        return next((c for c in to.children if c.dep_ == "pobj"), None)
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in cue.children):
        agent = next((c for c in cue.children if c.dep_ == "agent"), None)
        return next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
    verb = cue
    for _ in range(3):
        subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if subj is not None:
            if subj.text.casefold() in RELATIVE and verb.dep_ == "relcl":
                return verb.head
            return subj
        if verb.dep_ not in CLIMB_DEPS or verb.head is verb:
            return None
        verb = verb.head
    return None


def _speaker_tokens(head: Any, cue: Any) -> list[Any]:
    """The speaker's noun phrase: the head's subtree less anything of the cue's own clause."""
    if cue in head.subtree:  # "Dmitriev, who said …": the noun before its relative clause
        return [t for t in head.subtree if t.i < cue.i and not any(a is cue for a in t.ancestors)]
    return list(head.subtree)


def _content_tokens(cue: Any, passages: _Passages, speaker: list[Any]) -> tuple[list[Any], bool]:
    """What was said (rule 2), and whether it was read from the parse (False: a nearby passage)."""
    if cue.text.casefold() == "according":
        clause = cue.head if cue.head is not cue else cue
        return _subtree_without(clause, cue), True
    comps = [c for c in cue.children if c.dep_ in CONTENT_DEPS]
    if comps:
        return [t for c in comps for t in c.subtree], True
    if cue.dep_ == "parataxis" and cue.head is not cue:
        return _subtree_without(cue.head, cue), True
    quoted = [c for c in cue.children if c.dep_ in ("dobj", "attr", "npadvmod") and passages.at(c.idx)]
    if quoted:
        return list(quoted[0].subtree), True
    objects = [c for c in cue.children if c.dep_ == "dobj" and len(list(c.subtree)) >= MIN_OBJECT_CLAUSE]
    if objects and CUE_FORMS[cue.text.casefold()] in CLAUSE_VERBS:  # "says the movement … appeals to …"
        return list(objects[0].subtree), True
    # A passage right before or after the speaker and cue ("'…,' he told the audience"; "He said: '…'").
    sent = cue.sent
    own = {t.i for t in speaker} | {cue.i}
    lo, hi = min(own), max(own)
    for start, end in passages.overlapping(sent.start_char, sent.end_char):
        between = [t for t in sent if (end <= t.idx < cue.doc[lo].idx) or (cue.doc[hi].idx < t.idx < start)]
        if sum(1 for t in between if not (t.is_punct or t.is_space)) <= MAX_GAP_WORDS:
            return [t for t in sent if start <= t.idx < end], False
    if sent.text.rstrip().endswith(":") and sent.end < len(cue.doc):  # He said:\n\n"…"
        following = passages.at(cue.doc[sent.end].idx) if not cue.doc[sent.end].is_space else None
        if following is None and sent.end + 1 < len(cue.doc):
            following = passages.at(cue.doc[sent.end + 1].idx)
        if following is not None:
            return [t for t in cue.doc[sent.end :] if following[0] <= t.idx < following[1]], False
    return [], False


def extract_quotes(doc: Any, entities: list[Entity]) -> list[Quote]:
    """Every quote of a parsed ``doc`` in text order (see the module docstring for the rules)."""
    text = doc.text
    passages = _Passages(text)
    resolver = Resolver(doc, entities)
    quotes: list[Quote] = []
    for tok in doc:
        cue_tokens = _cue(tok)
        if cue_tokens is None or passages.at(tok.idx):
            continue
        head = _speaker_head(tok)
        speaker_tokens = _speaker_tokens(head, tok) if head is not None else []
        content_tokens, parsed = _content_tokens(tok, passages, speaker_tokens)
        span = _char_span(content_tokens, text, avoid=tok.i)
        if span is None:
            continue
        start, end = span
        touching = passages.overlapping(start, end)
        if touching:
            start, end = min(start, touching[0][0]), max(end, touching[-1][1])
        if start <= tok.idx < end:
            continue  # the cue would sit inside its own content: a parse we cannot read
        kind = "indirect"
        if touching:
            inside = sum(min(e, end) - max(s, start) for s, e in touching)
            kind = "direct" if inside >= 0.9 * (end - start) else "mixed"
        if not parsed and any(q.content_start < end and start < q.content_end for q in quotes):
            continue  # that passage is already someone's quote
        speaker = _char_span(speaker_tokens, text)
        resolved = resolver.resolve(head) if head is not None else None
        resolver.note(tok.idx, resolved)
        cue_start, cue_end = cue_tokens[0].idx, max(t.idx + len(t.text) for t in cue_tokens)
        quotes.append(
            Quote(
                kind=kind,
                content=text[start:end],
                content_start=start,
                content_end=end,
                cue=text[cue_start:cue_end],
                cue_start=cue_start,
                cue_end=cue_end,
                speaker=text[speaker[0] : speaker[1]] if speaker else None,
                speaker_start=speaker[0] if speaker else None,
                speaker_end=speaker[1] if speaker else None,
                speaker_entity=resolved.entity if resolved else None,
                speaker_label=resolved.label if resolved else None,
            )
        )
    quotes += _continued(doc, passages, quotes)
    return sorted(quotes, key=lambda q: (q.content_start, q.content_end))


def _continued(doc: Any, passages: _Passages, quotes: list[Quote]) -> list[Quote]:
    """Rule 5: cue-less quoted passages that continue a nearby speaker's quotation."""
    text = doc.text
    paragraph_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    sentence_starts = {s.start_char for s in doc.sents}
    attributed = [q for q in quotes if q.kind != "indirect" and q.speaker is not None]
    out: list[Quote] = []
    for start, end in passages.spans:
        if any(q.content_start < end and start < q.content_end for q in quotes):
            continue
        if start not in sentence_starts and text[start + 1 : start + 2].islower():
            continue
        if len(text[start:end].split()) < MIN_CONTINUED_WORDS:
            continue
        here = bisect_right(paragraph_starts, start)
        near = [q for q in attributed if abs(bisect_right(paragraph_starts, q.content_start) - here) <= 2]
        if not near:
            continue
        source = min(near, key=lambda q: min(abs(q.content_start - end), abs(start - q.content_end)))
        out.append(
            replace(
                source,
                kind="direct",
                content=text[start:end],
                content_start=start,
                content_end=end,
                cue=None,
                cue_start=None,
                cue_end=None,
            )
        )
    return out
