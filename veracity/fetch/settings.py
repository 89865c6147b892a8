"""Settings of the fetch package, read like ``veracity.settings.Settings``.

A section of the one ``Settings`` object (``Settings.fetch``); each field is read from
``VERACITY_<FIELD>`` like every other setting.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from veracity.envconfig import from_env
from veracity.errors import ConfigError

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Labels of the package's ``[project.urls]`` (pyproject.toml) tried, in order, for the default contact.
CONTACT_URL_LABELS = ("crawler", "homepage", "documentation", "repository", "source")
#: Used only when neither ``contact_url`` nor the package's ``[project.urls]`` gives a page: an
#: address that cannot resolve, so a site owner is not sent somewhere wrong (``veracity run`` and
#: ``veracity fetch`` warn when it is in use).
FALLBACK_CONTACT_URL = "https://veracity.invalid/crawler"


def project_url(labels: tuple[str, ...] = CONTACT_URL_LABELS) -> str | None:
    """The first ``Project-URL`` of the installed veracity package with one of ``labels``, or None."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        entries = metadata("veracity").get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    found: dict[str, str] = {}
    for entry in entries:
        label, _, url = entry.partition(",")
        url = url.strip()
        if url.startswith(("https://", "http://")):
            found.setdefault(label.strip().lower(), url)
    return next((found[label] for label in labels if label in found), None)


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """How veracity talks to the web.

    Attributes:
        allow_networks: addresses or CIDR ranges that may be fetched although they are not
            public (loopback, private, link-local...), for tests and intranets. Empty by
            default: only public addresses. Environment: ``VERACITY_ALLOW_NETWORKS``,
            comma-separated, e.g. ``127.0.0.1/32,::1``.
        contact_url: where site owners learn who crawls them and how to reach the operator;
            goes into the User-Agent as ``(+URL)``. Empty (the default) means the project's own
            page: the first of the ``crawler``, ``homepage``, ``documentation``, ``repository``,
            ``source`` entries of ``[project.urls]`` in pyproject.toml, as installed; when there is
            none, ``FALLBACK_CONTACT_URL``. A deployment crawling on its own behalf should name
            itself. Environment: ``VERACITY_CONTACT_URL``. See docs/crawler.md.
        user_agent: the whole User-Agent header; empty means
            ``veracity/VERSION (+contact_url)``. Environment: ``VERACITY_USER_AGENT``.
        robots_agent: the product token matched against robots.txt ``User-agent`` lines.
        max_body_bytes: largest response body, counted after decompression (10 MiB).
        max_url_length: longest URL accepted, in characters (2048, the sitemaps limit).
        max_redirects: redirect hops followed at most (10).
        connect_timeout: seconds to resolve a host and open a connection (incl. TLS) (10).
        read_timeout: seconds without any byte from the server (20).
        total_timeout: seconds for a whole ``get``: redirects, retries and back-off included,
            waiting for a politeness slot excluded (60). A server that trickles bytes is cut off.
        max_per_host: requests in flight to one host at once (2).
        min_host_delay: seconds between the starts of two requests to one host (1.0).
        max_crawl_delay: a robots.txt ``Crawl-delay`` above this is capped to it (60).
        robots_ttl: seconds a fetched robots.txt is trusted (86400, RFC 9309).
        robots_error_ttl: seconds a robots.txt that failed (5xx, timeout) keeps its host
            disallowed before it is asked again (300).
        robots_max_bytes: robots.txt bytes parsed; the rest is ignored (512 KiB, RFC 9309).
        max_retries: retries of a GET on 408/429/500/502/503/504 (3).
        backoff_base: first back-off in seconds; doubled each retry, full jitter (0.5).
        backoff_max: longest single back-off in seconds (30).
        retry_after_max: longest ``Retry-After`` waited for; a longer one fails at once with
            ``HttpStatus.retry_after`` set, for a scheduler to come back later (120).
        ca_file: PEM file of trusted CAs instead of the system store (tests, intranets).
    """

    allow_networks: tuple[str, ...] = ()
    contact_url: str = ""
    user_agent: str = ""
    robots_agent: str = "veracity"
    max_body_bytes: int = 10 * 1024 * 1024
    max_url_length: int = 2048
    max_redirects: int = 10
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_per_host: int = 2
    min_host_delay: float = 1.0
    max_crawl_delay: float = 60.0
    robots_ttl: float = 86400.0
    robots_error_ttl: float = 300.0
    robots_max_bytes: int = 512 * 1024
    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    retry_after_max: float = 120.0
    ca_file: str | None = None

    def __post_init__(self) -> None:
        self.networks()  # fail early on a bad allow-list
        if self.max_per_host < 1:
            raise ConfigError("must be at least 1", "max_per_host")
        contact = self.contact_url.strip()
        if contact and (
            not contact.startswith(("https://", "http://", "mailto:")) or any(c in contact for c in "() \r\n")
        ):
            raise ConfigError(f"not an http(s) or mailto: URL: {contact!r}", "VERACITY_CONTACT_URL")

    @property
    def contact_is_fallback(self) -> bool:
        """Whether the User-Agent names only ``FALLBACK_CONTACT_URL`` (nobody a site owner can reach)."""
        return not self.user_agent and self.contact() == FALLBACK_CONTACT_URL

    def networks(self) -> tuple[IPNetwork, ...]:
        """``allow_networks`` parsed (a bare address is a /32 or /128)."""
        out: list[IPNetwork] = []
        for raw in self.allow_networks:
            try:
                out.append(ipaddress.ip_network(raw.strip(), strict=False))
            except ValueError:
                raise ConfigError(f"not an address or CIDR range: {raw!r}", "VERACITY_ALLOW_NETWORKS") from None
        return tuple(out)

    def contact(self) -> str:
        """The contact URL in effect: ``contact_url``, else the project's page, else the fallback."""
        return self.contact_url.strip() or project_url() or FALLBACK_CONTACT_URL

    def agent(self) -> str:
        """The User-Agent header sent with every request."""
        if self.user_agent:
            return self.user_agent
        from veracity import __version__

        return f"{self.robots_agent}/{__version__} (+{self.contact()})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> FetchSettings:
        """Defaults, then ``VERACITY_<FIELD>`` variables, then non-None ``overrides``."""
        return from_env(cls, environ, overrides)
