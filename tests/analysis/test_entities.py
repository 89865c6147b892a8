"""Named entities on the seed card and on small texts: labels, offsets, canonical names."""

from __future__ import annotations

from conftest import SEED_CARD
from veracity.analysis.entities import canonical_name, extract_entities
from veracity.analysis.nlp import parse
from veracity.cards.parse import parse_card


def seed_body() -> str:
    return parse_card(SEED_CARD.read_text(encoding="utf-8")).body


def test_seed_card_people_places_and_organisations_with_offsets() -> None:
    body = seed_body()
    entities = extract_entities(next(parse([body])))
    for e in entities:
        assert body[e.start : e.end] == e.text
        assert e.label in {"PERSON", "ORG", "GPE", "LOC"}
    found = {(e.text, e.label) for e in entities}
    assert ("Dmitry Peskov", "PERSON") in found
    assert ("Kremlin", "ORG") in found
    assert ("Moscow", "GPE") in found
    assert ("Volodymyr Zelensky", "PERSON") in found


def test_surnames_take_the_full_name_and_one_name_keeps_one_label() -> None:
    entities = extract_entities(next(parse([seed_body()])))
    peskov = [e for e in entities if e.text == "Peskov"]
    assert peskov and all(e.canonical == "Dmitry Peskov" for e in peskov)
    assert {e.canonical for e in entities if e.text == "Ms Harris"} == {"Kamala Harris"}
    # The small model calls "Trump" an ORG in some sentences; the article-wide vote repairs it.
    assert {e.label for e in entities if e.text == "Trump"} == {"PERSON"}


def test_a_mention_across_a_paragraph_break_is_cut_in_two() -> None:
    text = "Talks ended with no deal, officials said of Trump\n\nTrump declared victory in Palm Beach."
    for e in extract_entities(next(parse([text]))):
        assert "\n" not in e.text
        assert text[e.start : e.end] == e.text


def test_canonical_names() -> None:
    mentions = [("President Joe Biden", "PERSON", 0, 19), ("Biden", "PERSON", 30, 35), ("the Kremlin", "ORG", 40, 51)]
    assert canonical_name("Biden", "PERSON", mentions) == "Joe Biden"
    assert canonical_name("Mr Biden's", "PERSON", mentions) == "Joe Biden"
    assert canonical_name("the Kremlin", "ORG", mentions) == "Kremlin"
    assert canonical_name("Jill Biden", "PERSON", mentions) == "Jill Biden"
