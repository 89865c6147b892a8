"""Errors of the fetch package: every one is a ``FetchError`` (a ``VeracityError``) whose ``item`` is the URL."""

from __future__ import annotations

from veracity.errors import FetchError

__all__ = [
    "BlockedAddress",
    "FetchError",
    "HttpStatus",
    "InvalidUrl",
    "NetworkError",
    "RobotsDisallowed",
    "Timeout",
    "TooLarge",
    "TooManyRedirects",
]


class InvalidUrl(FetchError):
    """Not a URL veracity fetches: not http(s), too long, malformed, credentials, https→http redirect."""


class BlockedAddress(FetchError):
    """The host is, or resolves to, an address that is not public (and not in ``allow_networks``)."""

    def __init__(self, message: str, url: str, address: str, reason: str) -> None:
        super().__init__(message, url)
        self.address = address
        self.reason = reason


class RobotsDisallowed(FetchError):
    """robots.txt forbids the URL, or could not be read (429, 5xx, timeout, network error):
    disallowed for now. ``cause`` is the error that kept robots.txt from being read, if any."""

    def __init__(self, message: str, url: str, cause: FetchError | None = None) -> None:
        super().__init__(message, url)
        self.cause = cause


class TooManyRedirects(FetchError):
    """More redirect hops than ``max_redirects``."""


class TooLarge(FetchError):
    """The body, counted after decompression, exceeds ``max_body_bytes``."""


class Timeout(FetchError):
    """Connect, per-read or total deadline exceeded."""


class NetworkError(FetchError):
    """No answer or a broken one: DNS failure, refused or reset connection, TLS failure,
    malformed or truncated response, undecodable content encoding."""


class HttpStatus(FetchError):
    """The server answered with an error status (after any retries).

    ``retry_after`` is the server's ``Retry-After`` in seconds when it sent one.
    """

    def __init__(self, message: str, url: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(message, url)
        self.status = status
        self.retry_after = retry_after
