"""Cleaning applied to every input: boilerplate out, captions aside, original text kept.

Scraped bodies mix the article with page furniture (``Read Entire Article``,
``Advertisement``, share prompts) and with photo captions. ``clean_lines`` turns raw lines
into :class:`~veracity.article.Block` values: boilerplate lines are dropped, caption lines
are kept as captions where they stood, and every kept line keeps its original characters
(NBSP included); normalised forms are derived from it when needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Set

from veracity.article import Block
from veracity.text.normalize import normalize_space

_BOILERPLATE = re.compile(
    r"^(?:"
    r"read (?:the )?(?:entire|full|whole|more|original) (?:article|story)"
    r"|read more|continue reading(?: below| the main story)?|story continues(?: below)?(?: advertisement)?"
    r"|advertisement|advertising|skip advertisement|sponsored(?: content)?|ad|supported by"
    r"|scroll (?:down )?(?:for|to) (?:video|continue)|scroll down for video"
    r"|share(?: (?:this|the) (?:article|story|page|post))?"
    r"(?: on (?:facebook|twitter|x|whatsapp|linkedin|email|reddit))?"
    r"|share (?:via|by) (?:email|e-mail)|tweet|email|print|comments?|most (?:read|popular|viewed)"
    r"|(?:related|recommended)(?: (?:articles?|stories|content|coverage|links))?"
    r"|subscribe(?: now| today| here)?(?: (?:to|for) .{0,60})?"
    r"|sign up (?:for|to|now).{0,80}|click here(?: to| for) .{0,80}|follow (?:us|me) on .{0,60}"
    r"|(?:get|download) (?:the|our) .{0,30}app.{0,30}|listen to (?:this|the) (?:article|story).{0,30}"
    r"|(?:\d+ )?min(?:ute)?s? read|view (?:comments|gallery)|open in app|back to top"
    r")[\s.:!>»›|-]*$",
    re.IGNORECASE,
)

_CREDIT = re.compile(
    r"(?:^(?:photo|photograph|picture|image|credit|illustration|video)s?(?: credit)?\s*(?:by)?\s*[:|©]"
    r"|^©|\((?:photo|image|picture|credit)[^)]*\)\s*$"
    r"|(?:photo|image|picture)s?:? (?:by|courtesy of|credit) .{0,60}$"
    r"|[/|:(]\s*(?:getty images|getty|reuters|afp|ap photo|associated press|epa|shutterstock|alamy"
    r"|pa wire|pa images|bloomberg|anadolu|sipa|rex|xinhua|dpa)[\w\s./-]{0,40}\)?\s*$)",
    re.IGNORECASE,
)

# A sentence ends in these (optionally followed by closing quotes or brackets).
_FINAL = re.compile(r"[.!?…:;][\"'’”»)\]]*\s*$|[\"'’”»)\]]\s*$")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])[\"'’”»)\]]*\s+")

# Lines trafilatura writes for lists, tables and numbered steps: structure, never captions.
_STRUCTURE = re.compile(r"^(?:[-*•|]\s|\d{1,3}[.)]\s|#)")
CAPTION_MIN_WORDS = 8


def is_boilerplate(line: str) -> bool:
    """A line that is page furniture, not article text."""
    return _boilerplate(normalize_space(line))


def is_credit(line: str) -> bool:
    """A photo-credit or caption-with-credit line."""
    return _credit(normalize_space(line))


def _boilerplate(norm: str) -> bool:
    return len(norm) < 120 and bool(_BOILERPLATE.match(norm))


def _credit(norm: str) -> bool:
    return norm.count(" ") < 60 and bool(_CREDIT.search(norm))


def _restates(folded: str, paragraphs: list[str]) -> bool:
    """``folded`` is the start of a longer sentence of an earlier paragraph."""
    return any(
        s.startswith(folded) and len(s) > len(folded) + 1
        for p in paragraphs
        if folded[:12] in p
        for s in _SENTENCE_SPLIT.split(p)
    )


def clean_lines(
    lines: Iterable[str], *, unpunctuated_captions: bool = True, known_captions: Set[str] = frozenset()
) -> tuple[Block, ...]:
    """Turn raw body lines into blocks: boilerplate dropped, captions marked, text kept.

    A line is a caption when the page marked it as one (``known_captions``: normalised
    texts of ``<figcaption>`` and the like), when it is a photo-credit line, when it is a
    long unpunctuated line that restates the start of a longer earlier sentence (scraped
    photo captions restate the lead), or (``unpunctuated_captions``, for plain-text sources
    such as cards where no markup tells) when it is any long line with no sentence-final
    punctuation, as captions are written. List items, table rows and numbered steps are
    never captions. Each line is normalised once; the original characters are kept.
    """
    blocks: list[Block] = []
    paragraphs: list[str] = []  # earlier paragraphs, normalised and case-folded
    for raw in lines:
        line = raw.strip(" \t\r\n")
        norm = normalize_space(line)
        if not norm or _boilerplate(norm):
            continue
        if _STRUCTURE.match(norm):
            blocks.append(Block(line, "paragraph"))
            continue
        caption = norm in known_captions or _credit(norm)
        if not caption and norm.count(" ") >= CAPTION_MIN_WORDS - 1 and not _FINAL.search(norm):
            caption = unpunctuated_captions or _restates(norm.casefold().rstrip(" ."), paragraphs)
        if caption:
            blocks.append(Block(line, "caption"))
        else:
            blocks.append(Block(line, "paragraph"))
            paragraphs.append(norm.casefold())
    return tuple(blocks)


def split_lines(text: str) -> list[str]:
    """Split a text body into lines, keeping each line's characters."""
    return [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
