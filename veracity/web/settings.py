"""Settings of the web desk, a section of the one ``Settings`` object (``Settings.web``).

Each field is read from ``VERACITY_<FIELD>`` like every other setting.
"""

from __future__ import annotations

from dataclasses import dataclass

from veracity.errors import ConfigError


@dataclass(frozen=True, slots=True)
class WebSettings:
    """How ``veracity serve`` behaves.

    Attributes:
        page_size: cards on one page of the feed, and the API's default page size (20).
            Environment: ``VERACITY_PAGE_SIZE``.
        max_page_size: the largest ``per_page`` the API accepts (100).
        search_cap: search results ranked at most; filters and pages apply within them (1000).
        api_rate_per_minute: requests to ``/api/`` one client address may make a
            minute before getting 429 with Retry-After; 0 turns the limit off (600).
        login_rate_per_minute: sign-in attempts one address may make a minute (10).
        session_hours: how long a sign-in lasts (12).
        secure_cookies: mark cookies ``Secure`` (HTTPS only); turn on behind TLS (off).
            Environment: ``VERACITY_SECURE_COOKIES``.
        facet_ttl: seconds the filter choices (outlets, sections, languages) and the outlets' article
            counts are cached (60).
        review_below: a machine verdict less confident than this waits in the review queue
            (after the disputed ones) (0.6). Environment: ``VERACITY_REVIEW_BELOW``.
    """

    page_size: int = 20
    max_page_size: int = 100
    search_cap: int = 1000
    api_rate_per_minute: int = 600
    login_rate_per_minute: int = 10
    session_hours: float = 12.0
    secure_cookies: bool = False
    facet_ttl: float = 60.0
    review_below: float = 0.6

    def __post_init__(self) -> None:
        if not 1 <= self.page_size <= self.max_page_size:
            raise ConfigError("need 1 <= page_size <= max_page_size", "page_size")
        if self.api_rate_per_minute < 0 or self.login_rate_per_minute < 0:
            raise ConfigError("rate limits are 0 (off) or more", "api_rate_per_minute")
        if not 0 <= self.review_below <= 1:
            raise ConfigError("review_below is a confidence between 0 and 1", "review_below")
