"""The one ``Article`` type that flows through every stage.

An article is immutable: stages return new values (``dataclasses.replace``). Its body is a
sequence of blocks, paragraphs and photo captions in the order they stood, with the
original text kept; normalised forms are derived for identity, hashing and search.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from veracity.text.normalize import normalize_space, normalize_url

BlockKind = Literal["paragraph", "caption"]
LABELS = ("Truth", "Misleading", "Fake", "Unverified")


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph or caption of an article body, as its source wrote it."""

    text: str
    kind: BlockKind = "paragraph"


@dataclass(frozen=True, slots=True)
class Outlet:
    """Who published an article: a display name and, when known, its web domain."""

    name: str
    domain: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """A news article as read from one source at one time.

    ``published`` and ``modified`` are what the source says (UTC, naive); ``source`` names
    where it was read from (a path, ``path#record``, a URL) for error reports.
    """

    title: str
    blocks: tuple[Block, ...]
    outlet: Outlet
    url: str | None = None
    canonical_url: str | None = None
    section: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    published: datetime | None = None
    modified: datetime | None = None
    label: str | None = None
    source: str = ""

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "paragraph"]

    @property
    def captions(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "caption"]

    @property
    def body(self) -> str:
        """Paragraphs joined by blank lines, captions left out."""
        return "\n\n".join(self.paragraphs)

    @property
    def key(self) -> str:
        """Identity: the normalised canonical URL, else outlet and title."""
        url = self.canonical_url or self.url
        if url:
            return "url:" + normalize_url(url)
        outlet = normalize_space(self.outlet.domain or self.outlet.name).casefold()
        return "title:" + outlet + "|" + normalize_space(self.title).casefold()

    @property
    def id(self) -> str:
        """A short stable id derived from the key: the same on every backend and engine."""
        return article_id(self.key)

    @property
    def content_hash(self) -> str:
        """What makes a new version: the title and the body paragraphs, whitespace-normalised."""
        return self.hash_and_search_text()[0]

    @property
    def search_text(self) -> str:
        """Title, paragraphs and captions with whitespace (NBSP included) normalised."""
        return self.hash_and_search_text()[1]

    def hash_and_search_text(self) -> tuple[str, str]:
        """``(content_hash, search_text)``, normalising each block once (the store writes both)."""
        title = normalize_space(self.title)
        texts = [normalize_space(b.text) for b in self.blocks]
        paragraphs = (t for t, b in zip(texts, self.blocks, strict=True) if b.kind == "paragraph")
        digest = hashlib.sha256((title + "\n" + "\n".join(paragraphs)).encode("utf-8")).hexdigest()
        return digest, "\n".join([title, *texts])


def article_id(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
