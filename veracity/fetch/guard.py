"""The SSRF guard: which URLs may be fetched, and at which addresses.

``check_url`` parses a URL the way the fetcher will use it, resolves its host once and
checks every address. The fetcher then connects to one of exactly those addresses (the
host name only goes into the Host header and TLS SNI), so there is no second lookup an
attacker's DNS could answer differently (rebinding). Use ``check_url`` as well on URLs
found inside content (images, enclosures) before handing them on.

Written here rather than taken from a library: no maintained library does the whole
check (urllib3 and httpx resolve inside ``connect``, too late to check; the WHATWG-style
IPv4 literal forms that browsers and ``inet_aton`` accept are not parsed by ``ipaddress``).
The classification itself is ``ipaddress``'s, plus the ranges it does not flag.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from veracity.fetch.errors import BlockedAddress, InvalidUrl, NetworkError, Timeout
from veracity.fetch.settings import FetchSettings, IPNetwork

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Resolves a host name to IP address strings. The default is ``SystemResolver``; tests
#: pass their own to simulate DNS answers.
Resolver = Callable[[str], Iterable[str]]

DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_RE = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*")
_HEX_RE = re.compile(r"0x[0-9a-f]*")
# Kept as they are in paths and queries; everything else (space, non-ASCII, "<>{}|\^`) is %-encoded.
_SAFE_CHARS = "!#$%&'()*+,/:;=?@[]~"
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_LOCALHOST_ADDRESSES = ("127.0.0.1", "::1")


@dataclass(frozen=True, slots=True)
class CheckedUrl:
    """A URL that passed the guard, with the addresses the fetcher may connect to."""

    url: str
    """The URL as it will be requested: normalised host, default port dropped, no fragment."""
    scheme: str
    host: str
    """ASCII host name in lower case without trailing dot, or the IP address (IPv6 unbracketed)."""
    port: int
    target: str
    """Path and query, as sent on the request line."""
    addresses: tuple[str, ...]
    """Every address the host resolved to; all of them passed the check."""

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.netloc}"

    @property
    def is_ip_literal(self) -> bool:
        return _ip_or_none(self.host) is not None


class SystemResolver:
    """``getaddrinfo`` bounded by ``timeout`` seconds (the C call has no timeout of its own).

    A lookup that times out keeps its worker thread until the system resolver gives up;
    the pool is small and shared, so a flood of hanging lookups queues rather than piles up.
    """

    _pool: ThreadPoolExecutor | None = None
    _pool_lock = threading.Lock()

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout

    @classmethod
    def _executor(cls) -> ThreadPoolExecutor:
        with cls._pool_lock:
            if cls._pool is None:
                cls._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="veracity-dns")
            return cls._pool

    def __call__(self, host: str) -> list[str]:
        future = self._executor().submit(socket.getaddrinfo, host, None, 0, socket.SOCK_STREAM)
        infos = future.result(timeout=self.timeout)  # TimeoutError past the deadline
        return [str(info[4][0]) for info in infos if info[0] in (socket.AF_INET, socket.AF_INET6)]


def address_problem(address: IPAddress) -> str | None:
    """Why ``address`` is not a public address, or None when it is."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            inner = address_problem(address.ipv4_mapped)
            return inner and f"IPv4-mapped {inner}"
        embedded: list[ipaddress.IPv4Address] = []
        if any(address in net for net in _NAT64):
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if address.sixtofour is not None:
            embedded.append(address.sixtofour)
        if address.teredo is not None:
            embedded.extend(address.teredo)
        for inner_address in embedded:
            inner = address_problem(inner_address)
            if inner:
                return f"embeds {inner_address}, {inner}"
    checks: tuple[tuple[bool, str], ...] = (
        (address.is_loopback, "loopback"),
        (address.is_unspecified, "unspecified"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (isinstance(address, ipaddress.IPv4Address) and address in _CGNAT, "shared address space, CGNAT"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
        (isinstance(address, ipaddress.IPv6Address) and address.is_site_local, "site-local"),
        (not address.is_global, "not globally routable"),
    )
    return next((reason for flagged, reason in checks if flagged), None)


def _ip_or_none(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _ipv4_number(part: str, url: str) -> int:
    """One part of an IPv4 literal: decimal, octal (leading 0) or hex (0x), as WHATWG and inet_aton read it."""
    try:
        if _HEX_RE.fullmatch(part):
            return int(part[2:] or "0", 16)
        if len(part) > 1 and part.startswith("0"):
            return int(part[1:], 8)
        if part.isdigit():
            return int(part, 10)
    except ValueError:
        pass
    raise InvalidUrl(f"malformed IPv4 address part {part!r}", url)


def parse_ipv4_literal(host: str, url: str = "") -> ipaddress.IPv4Address | None:
    """The IPv4 address a host written as a number stands for (``2130706433``, ``0x7f.1``,
    ``0177.0.0.1``, ``127.1``), None for a host name. WHATWG URL Standard's IPv4 parser:
    a host whose last label is a number is an address, or invalid."""
    parts = host.split(".")
    last = parts[-1]
    if not (last.isdigit() or _HEX_RE.fullmatch(last)):
        return None
    if len(parts) > 4:
        raise InvalidUrl(f"host {host!r} ends in a number but is not an IPv4 address", url)
    numbers = [_ipv4_number(part, url) for part in parts]
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise InvalidUrl(f"IPv4 address {host!r} out of range", url)
    value = numbers[-1] + sum(n << (8 * (3 - i)) for i, n in enumerate(numbers[:-1]))
    return ipaddress.IPv4Address(value)


@dataclass(frozen=True, slots=True)
class _Parsed:
    scheme: str
    host: str
    lookup: str  # what is given to the resolver (keeps a trailing dot: no search domains)
    port: int
    target: str
    literal: IPAddress | None


class Guard:
    """Parses, resolves and checks URLs against ``settings``; thread-safe (no mutable state)."""

    def __init__(self, settings: FetchSettings, resolver: Resolver | None = None) -> None:
        self.settings = settings
        self.resolver: Resolver = resolver or SystemResolver(settings.connect_timeout)
        self.networks: tuple[IPNetwork, ...] = settings.networks()

    def parse(self, url: str) -> _Parsed:
        """Syntax only: scheme, length, host form, port. Raises ``InvalidUrl`` or ``BlockedAddress``."""
        text = url.strip()
        if len(text) > self.settings.max_url_length:
            raise InvalidUrl(f"URL longer than {self.settings.max_url_length} characters", url)
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
            raise InvalidUrl("control character in URL", url)
        try:
            parts = urlsplit(text)
            port_given = parts.port
        except ValueError as exc:
            raise InvalidUrl(f"malformed URL: {exc}", url) from None
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS:
            raise InvalidUrl(f"scheme {scheme or '(none)'!r} is not allowed: only http and https", url)
        if "@" in parts.netloc:
            raise InvalidUrl("credentials in URL", url)
        if port_given == 0:
            raise InvalidUrl("port 0", url)
        port = port_given or DEFAULT_PORTS[scheme]
        raw_host = parts.hostname or ""
        literal: IPAddress | None
        if parts.netloc.startswith("["):
            if "%" in raw_host:
                raise InvalidUrl("IPv6 zone identifiers are not allowed", url)
            literal = _ip_or_none(raw_host)
            if literal is None:
                raise InvalidUrl(f"malformed IPv6 address {raw_host!r}", url)
            host = lookup = str(literal)
        else:
            try:
                lookup = raw_host.encode("idna").decode("ascii").lower() if not raw_host.isascii() else raw_host
            except UnicodeError:
                raise InvalidUrl(f"host {raw_host!r} is not a valid domain name", url) from None
            host = lookup[:-1] if lookup.endswith(".") else lookup
            if len(host) > 253 or not _HOST_RE.fullmatch(host):
                raise InvalidUrl(f"host {raw_host!r} is not a valid domain name", url)
            literal = parse_ipv4_literal(host, url)
            if literal is not None:
                host = lookup = str(literal)
        path = quote(parts.path, safe=_SAFE_CHARS) or "/"
        query = quote(parts.query, safe=_SAFE_CHARS)
        target = f"{path}?{query}" if query or text.split("#", 1)[0].endswith("?") else path
        return _Parsed(scheme, host, lookup, port, target, literal)

    def check(self, url: str) -> CheckedUrl:
        """Parse ``url``, resolve its host once and check every address; raise if any is not public."""
        parsed = self.parse(url)
        addresses: list[str] = []
        if parsed.host == "localhost" or parsed.host.endswith(".localhost"):
            # RFC 6761: never asked of DNS. Our own answer, so the allowed one of the two will do.
            blocked: BlockedAddress | None = None
            for answer in _LOCALHOST_ADDRESSES:
                try:
                    addresses.append(self._check_address(answer, parsed.host, url))
                except BlockedAddress as exc:
                    blocked = blocked or exc
            if not addresses and blocked is not None:
                raise blocked
        else:
            answers = [str(parsed.literal)] if parsed.literal is not None else self._resolve(parsed.lookup, url)
            for answer in answers:  # every answer must pass: one bad address blocks the host
                address = self._check_address(answer, parsed.host, url)
                if address not in addresses:
                    addresses.append(address)
        host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
        netloc = host if parsed.port == DEFAULT_PORTS[parsed.scheme] else f"{host}:{parsed.port}"
        return CheckedUrl(
            url=f"{parsed.scheme}://{netloc}{parsed.target}",
            scheme=parsed.scheme,
            host=parsed.host,
            port=parsed.port,
            target=parsed.target,
            addresses=tuple(addresses),
        )

    def _resolve(self, host: str, url: str) -> list[str]:
        try:
            answers = [str(a) for a in self.resolver(host)]
        except TimeoutError:
            raise Timeout(f"resolving {host} took more than {self.settings.connect_timeout:g} s", url) from None
        except (OSError, UnicodeError) as exc:
            raise NetworkError(f"cannot resolve {host}: {exc}", url) from None
        if not answers:
            raise NetworkError(f"cannot resolve {host}: no address", url)
        return answers

    def _check_address(self, answer: str, host: str, url: str) -> str:
        """The address to connect to for one resolver answer, or ``BlockedAddress``."""
        address = _ip_or_none(answer.split("%", 1)[0])
        if address is None:
            raise NetworkError(f"resolver gave {answer!r} for {host}, not an IP address", url)
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            problem = address_problem(address)
            address = address.ipv4_mapped
        else:
            problem = address_problem(address)
        if problem is None or any(address in net for net in self.networks):
            return str(address)
        where = "" if answer == host else f" (from {host})"
        raise BlockedAddress(f"address {answer}{where} is not public: {problem}", url, str(address), problem)


def check_url(url: str, settings: FetchSettings | None = None, resolver: Resolver | None = None) -> CheckedUrl:
    """Apply the fetcher's guard to ``url`` (e.g. an image or enclosure found in content).

    Raises ``InvalidUrl``, ``BlockedAddress``, ``Timeout`` or ``NetworkError`` (no address).
    ``settings`` defaults to ``FetchSettings.from_env()``.
    """
    return Guard(settings or FetchSettings.from_env(), resolver).check(url)
