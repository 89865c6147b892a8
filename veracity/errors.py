"""The one error hierarchy of veracity; every error names the item it concerns."""

from __future__ import annotations


class VeracityError(Exception):
    """Base of every error veracity raises on purpose.

    ``item`` names what the error concerns (a path, ``path#record``, an article id, a URL)
    so batch runs can report it and go on.
    """

    def __init__(self, message: str, item: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.item = item

    def __str__(self) -> str:
        return f"{self.item}: {self.message}" if self.item else self.message


class InputError(VeracityError):
    """An input item cannot be read: corrupt, truncated, binary, empty, too large, unknown format."""


class ExtractionError(VeracityError):
    """An input was read but holds no article (no title or no body text)."""


class CardFormatError(InputError):
    """A news card does not follow the card layout."""


class FetchError(VeracityError):
    """A URL could not be fetched. ``url`` is the URL asked for (also ``item``)."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message, url)
        self.url = url


class StoreError(VeracityError):
    """The database refused an operation."""


class NotFoundError(VeracityError):
    """No stored article matches the id given."""


class AmbiguousIdError(VeracityError):
    """An id prefix matches more than one stored article."""


class ConfigError(VeracityError):
    """A setting has a value veracity cannot use."""
