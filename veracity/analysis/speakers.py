"""Who a speaker mention refers to: a named entity of the article, where the rules can tell.

Rules, tried in order on the head word of the speaker's noun phrase:

1. the head is part of a PERSON/ORG/GPE mention, a name stands beside it (``spokesperson
   Dmitry Peskov``, ``Dan Gerstein, director of …``), or it is a proper noun that is the
   surname of a person named in the article: that entity;
2. a personal pronoun (``he``, ``she``): the latest earlier candidate within three
   sentences, where candidates are the persons who were the subject of a sentence and the
   speakers of the quotes before; else the speaker of the latest quote within two
   paragraphs; else the latest person named. Mentions inside quotation marks are not
   candidates, and a candidate whose gender is known (``Mr``, ``Ms``, ``spokeswoman``) must
   agree with the pronoun;
3. a short definite role noun (``the spokesperson``, ``the senator``): the latest person
   introduced with that role (``Kremlin spokesman Dmitry Peskov``), else as for a pronoun.
   A longer description (``the influential head of Russia's wealth fund``) introduces
   someone new and is left unresolved unless a person was introduced with it;
4. ``they``: the latest organisation named within two sentences;
5. anything else (``sources``, ``a source``, ``critics``): unresolved.

This is the simple coreference the issue asks for, not a trained coreference model: spaCy's
small English pipeline has none, and the neural ones (coreferee, fastcoref) need models that
do not install offline here.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any

from veracity.analysis.cues import GROUP_PRONOUNS, PERSONAL_PRONOUNS, ROLES, quoted_spans
from veracity.analysis.entities import Entity

MALE = frozenset(["mr", "sir", "lord", "king", "prince", "spokesman", "congressman", "chairman", "he", "him", "his"])
FEMALE = frozenset(
    [
        "ms",
        "mrs",
        "miss",
        "dame",
        "lady",
        "queen",
        "princess",
        "spokeswoman",
        "congresswoman",
        "chairwoman",
        "she",
        "her",
    ]
)
DEFINITE = frozenset(["the", "this", "that"])


@dataclass(frozen=True, slots=True)
class Resolved:
    entity: str
    label: str


def _gender(word: str) -> str | None:
    word = word.casefold().strip(".")
    return "m" if word in MALE else "f" if word in FEMALE else None


class Resolver:
    """Resolves speaker mentions of one parsed document, in text order, against its entities."""

    def __init__(self, doc: Any, entities: list[Entity]) -> None:
        self.doc = doc
        self.entities = sorted(entities, key=lambda e: e.start)
        self.starts = [e.start for e in self.entities]
        self.sent_starts = [sent.start for sent in doc.sents]
        self.paragraph_starts = [0] + [i + 1 for i, ch in enumerate(doc.text) if ch == "\n"]
        self.quoted = quoted_spans(doc.text)
        self.speakers: list[tuple[int, Resolved]] = []  # (offset of the cue, who) of quotes so far
        self.by_token: dict[int, Entity] = {}
        self.genders: dict[str, str] = {}
        self.surnames: dict[str, Entity] = {}
        for e in self.entities:
            span = doc.char_span(e.start, e.end, alignment_mode="expand")
            if span is None:
                continue
            for tok in span:
                self.by_token[tok.i] = e
            if e.label == "PERSON":
                self.surnames.setdefault(e.canonical.split()[-1].casefold(), e)
                for tok in [*doc[max(span.start - 2, 0) : span.start], span[0]]:
                    gender = _gender(tok.text)
                    if gender:
                        self.genders.setdefault(e.canonical, gender)

    def note(self, offset: int, resolved: Resolved | None) -> None:
        """Remember who spoke at ``offset`` (call in text order): later pronouns may refer to them."""
        if resolved is not None:
            self.speakers.append((offset, resolved))

    def resolve(self, head: Any) -> Resolved | None:
        """The entity that the speaker phrase headed by ``head`` refers to, or None."""
        own = self._named(head)
        if own is not None:
            return Resolved(own.canonical, own.label)
        word = head.text.casefold()
        if word in PERSONAL_PRONOUNS:
            return self._recent_person(head, _gender(word))
        if word in ROLES or (word.endswith("s") and word[:-1] in ROLES):
            introduced = self._introduced_as(head)
            if introduced is not None:
                return Resolved(introduced.canonical, introduced.label)
            short = len(list(head.subtree)) <= 3
            definite = any(c.dep_ == "det" and c.text.casefold() in DEFINITE for c in head.children)
            if word in ROLES and short and definite:
                return self._recent_person(head, _gender(word))
            return None
        if word in GROUP_PRONOUNS:
            return self._recent_entity(head, {"ORG"}, sentences=2, subject_only=False)
        return None

    def _named(self, head: Any) -> Entity | None:
        own = self.entity_at(head)
        if own is not None:
            return own
        for child in head.children:  # spokesperson Dmitry Peskov / Gerstein, director of …
            if child.dep_ in ("appos", "compound"):
                ent = self.entity_at(child)
                if ent is not None and ent.label == "PERSON":
                    return ent
        if head.dep_ == "appos":
            return self.entity_at(head.head)
        if head.tag_.startswith("NN") and head.text[:1].isupper():
            return self.surnames.get(head.text.casefold())
        return None

    def entity_at(self, token: Any) -> Entity | None:
        return self.by_token.get(token.i)

    def _introduced_as(self, head: Any) -> Entity | None:
        """The latest earlier PERSON with the role word in front of it or in apposition to it."""
        role = head.text.casefold().rstrip("s")
        for ent in reversed(self.entities[: bisect_left(self.starts, head.idx)]):
            if ent.label != "PERSON":
                continue
            span = self.doc.char_span(ent.start, ent.end, alignment_mode="expand")
            if span is None:
                continue
            near = list(self.doc[max(span.start - 3, 0) : span.start])
            near += [t for t in span.root.children if t.dep_ == "appos"] + [span.root.head]
            if any(t.text.casefold().rstrip("s") == role for t in near):
                return ent
        return None

    def _window_start(self, head: Any, sentences: int) -> int:
        idx = max(bisect_right(self.sent_starts, head.i) - 1, 0)
        return int(self.doc[self.sent_starts[max(idx - sentences + 1, 0)]].idx)

    def _in_quote(self, offset: int) -> bool:
        return any(s <= offset < e for s, e in self.quoted)

    def _agrees(self, name: str, gender: str | None) -> bool:
        known = self.genders.get(name)
        return gender is None or known is None or known == gender

    def _recent_person(self, head: Any, gender: str | None) -> Resolved | None:
        inside = self._in_quote(head.idx)
        candidates: list[tuple[int, Resolved]] = [
            (offset, who) for offset, who in self.speakers if offset < head.idx and who.label == "PERSON"
        ]
        for ent in self.entities[: bisect_left(self.starts, head.idx)]:
            if ent.label == "PERSON" and (inside or not self._in_quote(ent.start)) and self._is_subject(ent):
                candidates.append((ent.start, Resolved(ent.canonical, ent.label)))
        candidates = [c for c in candidates if self._agrees(c[1].entity, gender)]
        candidates.sort(key=lambda c: c[0])
        window = self._window_start(head, 3)
        recent = [c for c in candidates if c[0] >= window]
        if recent:
            return recent[-1][1]
        here = bisect_right(self.paragraph_starts, head.idx)
        for offset, who in reversed(self.speakers):
            near = offset < head.idx and here - bisect_right(self.paragraph_starts, offset) <= 4
            if near and who.label == "PERSON" and self._agrees(who.entity, gender):
                return who
        for ent in reversed(self.entities[: bisect_left(self.starts, head.idx)]):
            if ent.label == "PERSON" and not self._in_quote(ent.start) and self._agrees(ent.canonical, gender):
                return Resolved(ent.canonical, ent.label)
        return None

    def _recent_entity(self, head: Any, labels: set[str], sentences: int, subject_only: bool) -> Resolved | None:
        window = self._window_start(head, sentences)
        for ent in reversed(self.entities[: bisect_left(self.starts, head.idx)]):
            if ent.start < window:
                break
            if ent.label in labels and (not subject_only or self._is_subject(ent)):
                return Resolved(ent.canonical, ent.label)
        return None

    def _is_subject(self, ent: Entity) -> bool:
        span = self.doc.char_span(ent.start, ent.end, alignment_mode="expand")
        if span is None:
            return False
        tok = span.root
        while tok.dep_ in ("compound", "appos", "conj") and tok.head is not tok:
            tok = tok.head
        return tok.dep_ in ("nsubj", "nsubjpass")
