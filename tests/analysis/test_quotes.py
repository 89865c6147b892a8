"""Quotes: quotation marks, cue verbs, speakers resolved to entities, on the seed card and small texts."""

from __future__ import annotations

import pytest

from conftest import SEED_CARD
from veracity.analysis.cues import forms, quoted_spans
from veracity.analysis.entities import extract_entities
from veracity.analysis.nlp import parse
from veracity.analysis.quotes import Quote, extract_quotes
from veracity.cards.parse import parse_card


def quotes_of(text: str) -> list[Quote]:
    doc = next(parse([text]))
    return extract_quotes(doc, extract_entities(doc))


@pytest.fixture(scope="module")
def seed() -> tuple[str, list[Quote]]:
    body = parse_card(SEED_CARD.read_text(encoding="utf-8")).body
    return body, quotes_of(body)


def find(quotes: list[Quote], start_of_content: str) -> Quote:
    hits = [q for q in quotes if q.content.lstrip("'‘“\"").startswith(start_of_content)]
    assert hits, f"no quote starting {start_of_content!r} in {[q.content[:40] for q in quotes]}"
    return hits[0]


def test_reported_speech_has_speaker_cue_and_spans(seed: tuple[str, list[Quote]]) -> None:
    body, quotes = seed
    q = find(quotes, "relations between the two countries were at a historic low")
    assert q.kind == "indirect"
    assert q.speaker == "The dictator's spokesperson Dmitry Peskov"
    assert (q.speaker_entity, q.speaker_label) == ("Dmitry Peskov", "PERSON")
    assert q.cue == "said"
    for text, start, end in ((q.content, q.content_start, q.content_end), (q.cue, q.cue_start, q.cue_end)):
        assert start is not None and end is not None
        assert body[start:end] == text
    later = find(quotes, "the US was capable of changing")
    assert (later.speaker, later.speaker_entity) == ("Peskov", "Dmitry Peskov")


def test_he_said_after_peskov_is_peskov(seed: tuple[str, list[Quote]]) -> None:
    _, quotes = seed
    q = find(quotes, "Moscow is watching events closely")
    assert (q.speaker, q.speaker_entity, q.cue) == ("he", "Dmitry Peskov", "said")


def test_direct_quote_with_pronoun_speaker(seed: tuple[str, list[Quote]]) -> None:
    _, quotes = seed
    q = find(quotes, "We rely on continued strong bipartisan support")
    assert q.kind == "direct"
    assert (q.cue, q.speaker_entity) == ("wrote", "Volodymyr Zelensky")
    assert q.content.startswith("'") and q.content.endswith(",'")


def test_a_quotation_continued_in_the_next_paragraph_keeps_its_speaker(seed: tuple[str, list[Quote]]) -> None:
    _, quotes = seed
    q = find(quotes, "But he was removed from the race")
    assert q.cue is None and q.kind == "direct"
    assert q.speaker_entity == "Vladimir Putin"


def test_the_spokesperson_is_the_person_introduced_as_spokesperson() -> None:
    text = (
        "Kremlin spokesman Dmitry Peskov spoke to reporters on Monday. Later, Vladimir Putin met the governor. "
        "The spokesman said the talks had failed."
    )
    q = find(quotes_of(text), "the talks had failed")
    assert (q.speaker, q.speaker_entity) == ("The spokesman", "Dmitry Peskov")


def test_according_to_and_passive_without_agent() -> None:
    quotes = quotes_of(
        "Prices rose by 5 percent last year, according to the Federal Reserve. It was reported that he left."
    )
    q = find(quotes, "Prices rose by 5 percent")
    assert (q.cue, q.speaker_entity, q.speaker_label) == ("according to", "Federal Reserve", "ORG")
    passive = find(quotes, "that he left")
    assert passive.speaker is None and passive.speaker_entity is None


def test_scare_quotes_are_not_quotes() -> None:
    assert quotes_of("The US remains an 'unfriendly state' for Moscow. The weather was 'fine'.") == []


def test_quoted_spans() -> None:
    text = "He said 'we'll see', then: “It is over.” 'Our 'favorite,' was Biden,' he said.\n'Open and never closed"
    spans = [text[s:e] for s, e in quoted_spans(text)]
    assert spans == ["'we'll see'", "“It is over.”", "'Our 'favorite,' was Biden,'", "'Open and never closed"]
    assert quoted_spans("Russia's and the Americans' views") == []


def test_cue_forms() -> None:
    assert {"said", "says", "saying"} <= forms("say")
    assert {"admitted", "denied", "argues"} <= forms("admit") | forms("deny") | forms("argue")
