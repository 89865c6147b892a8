"""News cards: the text form of an article (see ``tests/fixtures/news-card.txt``)."""

from veracity.cards.format import format_card, relative_time
from veracity.cards.parse import parse_card

__all__ = ["format_card", "parse_card", "relative_time"]
