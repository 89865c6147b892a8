"""The boundary to the web: a safe, polite HTTP client.

    fetcher = Fetcher(FetchSettings.from_env())
    result = fetcher.get(url)                        # FetchResult, or a FetchError subclass
    again = fetcher.get(url, result.validators)      # conditional: again.not_modified on 304
    fetcher.check_url(image_url)                     # the SSRF guard alone, for URLs in content

Safety: only http(s); every host resolved once and every address checked (not public =>
``BlockedAddress`` unless in ``allow_networks``); the connection goes to a checked address
with the host name kept for Host and TLS SNI; each redirect hop checked again, at most
``max_redirects``, never https -> http. Limits: body cap after decompression, connect,
per-read and total deadlines, URL length. Politeness: robots.txt (Protego), a shared
``HostLimiter`` (concurrency and delay per host, Crawl-delay, Retry-After), bounded
retries with jittered back-off for idempotent requests, a User-Agent with a contact URL.
"""

from veracity.fetch.client import Fetcher, FetchResult, Validators, parse_retry_after
from veracity.fetch.errors import (
    BlockedAddress,
    FetchError,
    HttpStatus,
    InvalidUrl,
    NetworkError,
    RobotsDisallowed,
    Timeout,
    TooLarge,
    TooManyRedirects,
)
from veracity.fetch.guard import CheckedUrl, Resolver, SystemResolver, address_problem, check_url
from veracity.fetch.limiter import HostLimiter
from veracity.fetch.settings import FetchSettings

__all__ = [
    "BlockedAddress",
    "CheckedUrl",
    "FetchError",
    "FetchResult",
    "FetchSettings",
    "Fetcher",
    "HostLimiter",
    "HttpStatus",
    "InvalidUrl",
    "NetworkError",
    "Resolver",
    "RobotsDisallowed",
    "SystemResolver",
    "Timeout",
    "TooLarge",
    "TooManyRedirects",
    "Validators",
    "address_problem",
    "check_url",
    "parse_retry_after",
]
