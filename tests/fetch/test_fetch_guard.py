"""The SSRF guard: schemes, IP literals in every spelling, non-public ranges, DNS answers,
the allow-list; blocked before any connection is attempted."""

from __future__ import annotations

import ipaddress

import pytest

from veracity.errors import ConfigError
from veracity.fetch import (
    BlockedAddress,
    Fetcher,
    FetchSettings,
    InvalidUrl,
    NetworkError,
    SystemResolver,
    address_problem,
    check_url,
)
from veracity.fetch.guard import parse_ipv4_literal

from .support import FakeDNS, NetLog, Server, fast

NOT_PUBLIC = [
    # loopback, every spelling
    "http://127.0.0.1/",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://017700000001/",
    "http://0x7F.0.0.1./",
    "http://localhost/",
    "http://localhost./",
    "http://LOCALHOST:8080/x",
    "http://www.localhost/",
    "http://[::1]/",
    "http://[0:0:0:0:0:0:0:1]/",
    # IPv4-mapped and embedding IPv6
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::a00:1]/",
    "http://[2002:a00:1::]/",
    # private, link-local (cloud metadata), CGNAT, unspecified, multicast, reserved, broadcast
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "https://169.254.169.254/",
    "http://100.64.0.1/",
    "http://100.127.255.254/",
    "http://0.0.0.0/",
    "http://0/",
    "http://224.0.0.1/",
    "http://239.255.255.250/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://198.18.0.1/",
    "http://192.0.2.1/",
    "http://[::]/",
    "http://[fd00::1]/",
    "http://[fc00::1]/",
    "http://[fe80::1]/",
    "http://[fec0::1]/",
    "http://[ff02::1]/",
]


@pytest.mark.parametrize("url", NOT_PUBLIC)
def test_non_public_literals_are_blocked_without_dns(url: str, dns: FakeDNS, net: NetLog) -> None:
    with pytest.raises(BlockedAddress, match="is not public"):
        check_url(url, FetchSettings(), dns)
    assert dns.calls == []  # literals and localhost names never reach a resolver
    assert net.connects == [] and net.lookups == []


@pytest.mark.parametrize(
    ("literal", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("0x0a.0x00.0x00.0x01", "10.0.0.1"),
        ("3232235777", "192.168.1.1"),
        ("0", "0.0.0.0"),
        ("0x", "0.0.0.0"),
        ("8.8.8.8", "8.8.8.8"),
    ],
)
def test_ipv4_literals_are_read_like_browsers(literal: str, address: str) -> None:
    assert parse_ipv4_literal(literal) == ipaddress.IPv4Address(address)


@pytest.mark.parametrize("host", ["example.com", "news.test", "a1.b2", "0x.example", "1.2.3.example"])
def test_names_are_not_literals(host: str) -> None:
    assert parse_ipv4_literal(host) is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file",
        "file:///etc/passwd",
        "gopher://example.com/",
        "javascript:alert(1)",
        "data:text/html,hi",
        "//example.com/no-scheme",
        "example.com/no-scheme",
        "http:///no-host",
        "http://user:pass@example.com/",
        "http://example.com@127.0.0.1/",
        "http://example.com\\@127.0.0.1/",
        "http://exa mple.com/",
        "http://example.com/\r\nX-Injected: 1",
        "http://example.com/\x00",
        "http://1.2.3.4.5/",
        "http://256.0.0.1/",
        "http://0x100000000/",
        "http://08.0.0.1/",
        "http://example.123/",
        "http://[::1%25eth0]/",
        "http://[not-v6]/",
        "http://example.com:99999/",
        "http://example.com:0/",
        "http://%31%32%37.0.0.1/",
        "http://" + "a" * 64 + ".example/",
    ],
)
def test_malformed_or_other_schemes_are_invalid(url: str, dns: FakeDNS, net: NetLog) -> None:
    with pytest.raises(InvalidUrl):
        check_url(url, FetchSettings(), dns)
    assert dns.calls == [] and net.connects == []


def test_url_length_is_capped(dns: FakeDNS) -> None:
    dns.table["news.example"] = ["93.184.215.14"]
    settings = FetchSettings(max_url_length=100)
    check_url("http://news.example/" + "a" * 80, settings, dns)
    with pytest.raises(InvalidUrl, match="longer than 100"):
        check_url("http://news.example/" + "a" * 81, settings, dns)
    with pytest.raises(InvalidUrl, match="longer than 2048"):
        check_url("http://news.example/" + "a" * 3000, FetchSettings(), dns)


@pytest.mark.parametrize(
    "answers",
    [
        ["10.0.0.7"],
        ["127.0.0.1"],
        ["169.254.169.254"],
        ["100.64.1.1"],
        ["::1"],
        ["fd12:3456::1"],
        ["fe80::1%2"],
        ["::ffff:10.0.0.1"],
        ["224.0.0.251"],
        ["0.0.0.0"],
        ["93.184.215.14", "10.0.0.7"],  # one bad answer blocks the host, whichever comes first
        ["2606:2800:220:1::1", "::1"],
    ],
)
def test_every_resolved_address_is_checked(answers: list[str], dns: FakeDNS, net: NetLog) -> None:
    dns.table["evil.example"] = answers
    with pytest.raises(BlockedAddress, match=r"\(from evil\.example\) is not public"):
        check_url("http://evil.example/", FetchSettings(), dns)
    assert dns.calls == ["evil.example"] and net.connects == []


def test_public_addresses_pass_with_the_url_normalised(dns: FakeDNS, net: NetLog) -> None:
    dns.table["news.example"] = ["93.184.215.14", "2606:2800:220:1::1", "93.184.215.14"]
    checked = check_url("HTTPS://News.Example.:443/a b/ü?q=1 2#frag", FetchSettings(), dns)
    assert checked.url == "https://news.example/a%20b/%C3%BC?q=1%202"
    assert (checked.scheme, checked.host, checked.port) == ("https", "news.example", 443)
    assert checked.target == "/a%20b/%C3%BC?q=1%202"
    assert checked.addresses == ("93.184.215.14", "2606:2800:220:1::1")
    assert dns.calls == ["news.example."]  # the trailing dot is kept for the lookup: no search domains
    assert net.connects == []


def test_international_names_are_idna_encoded(dns: FakeDNS) -> None:
    dns.table["xn--bcher-kva.example"] = ["93.184.215.14"]
    assert check_url("http://bücher.example/", FetchSettings(), dns).host == "xn--bcher-kva.example"


def test_resolver_failures_are_network_errors(dns: FakeDNS) -> None:
    with pytest.raises(NetworkError, match="cannot resolve"):
        check_url("http://nowhere.example/", FetchSettings(), dns)
    dns.table["empty.example"] = []
    with pytest.raises(NetworkError, match="no address"):
        check_url("http://empty.example/", FetchSettings(), dns)
    dns.table["junk.example"] = ["not-an-ip"]
    with pytest.raises(NetworkError, match="not an IP address"):
        check_url("http://junk.example/", FetchSettings(), dns)


def test_allow_list_opens_only_what_it_names(dns: FakeDNS) -> None:
    settings = FetchSettings(allow_networks=("127.0.0.1/32", "10.20.0.0/16", "fd00::/8"))
    assert check_url("http://127.0.0.1:8080/", settings, dns).addresses == ("127.0.0.1",)
    assert check_url("http://2130706433/", settings, dns).addresses == ("127.0.0.1",)
    assert check_url("http://[::ffff:127.0.0.1]/", settings, dns).addresses == ("127.0.0.1",)
    assert check_url("http://[fd00::5]/", settings, dns).addresses == ("fd00::5",)
    assert check_url("http://localhost:8080/", settings, dns).addresses == ("127.0.0.1",)  # not ::1
    dns.table["intranet.example"] = ["10.20.3.4"]
    assert check_url("http://intranet.example/", settings, dns).addresses == ("10.20.3.4",)
    for url in ["http://127.0.0.2/", "http://10.21.0.1/", "http://[::1]/", "http://169.254.169.254/"]:
        with pytest.raises(BlockedAddress):
            check_url(url, settings, dns)


def test_allow_networks_from_the_environment() -> None:
    settings = FetchSettings.from_env({"VERACITY_ALLOW_NETWORKS": "127.0.0.1/32, ::1 ,10.0.0.0/8"})
    assert settings.allow_networks == ("127.0.0.1/32", "::1", "10.0.0.0/8")
    assert [str(n) for n in settings.networks()] == ["127.0.0.1/32", "::1/128", "10.0.0.0/8"]
    assert FetchSettings.from_env({}).allow_networks == ()
    with pytest.raises(ConfigError):
        FetchSettings.from_env({"VERACITY_ALLOW_NETWORKS": "127.0.0.1/33"})
    with pytest.raises(ConfigError):
        FetchSettings.from_env({"VERACITY_TOTAL_TIMEOUT": "soon"})
    assert FetchSettings.from_env({"VERACITY_TOTAL_TIMEOUT": "2.5"}).total_timeout == 2.5


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "CGNAT"),
        ("10.0.0.1", "private"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
        ("fe80::1", "link-local"),
        ("fd00::1", "private"),
        ("2002:7f00:1::", "embeds 127.0.0.1"),
        ("64:ff9b::7f00:1", "embeds 127.0.0.1"),
    ],
)
def test_reasons_name_the_range(address: str, reason: str) -> None:
    problem = address_problem(ipaddress.ip_address(address))
    assert problem is not None and reason in problem


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:2800:220:1::1", "1.1.1.1"])
def test_public_addresses_have_no_problem(address: str) -> None:
    assert address_problem(ipaddress.ip_address(address)) is None


def test_fetching_loopback_without_allow_list_says_not_public(server: Server, net: NetLog) -> None:
    server.static("/page", b"secret")
    fetcher = Fetcher(fast(allow_networks=()))
    with pytest.raises(BlockedAddress, match=r"127\.0\.0\.1 is not public: loopback") as info:
        fetcher.get(server.url("/page"))
    assert info.value.url == server.url("/page") and info.value.item == server.url("/page")
    assert server.seen == [] and net.connects == []


@pytest.mark.parametrize("answer", ["10.0.0.7", "169.254.169.254", "100.64.0.9", "fd00::7", "::ffff:192.168.0.1"])
def test_fetch_to_a_name_resolving_to_a_private_address_never_connects(answer: str, dns: FakeDNS, net: NetLog) -> None:
    dns.table["internal.example"] = [answer]
    with pytest.raises(BlockedAddress, match="not public"):
        Fetcher(fast(), resolver=dns).get("http://internal.example/admin")
    assert net.connects == []  # not even robots.txt was asked for


def test_check_url_on_the_fetcher_uses_its_settings_and_resolver(dns: FakeDNS) -> None:
    dns.table["cdn.example"] = ["93.184.215.14"]
    dns.table["img.internal"] = ["192.168.0.10"]
    fetcher = Fetcher(fast(), resolver=dns)
    assert fetcher.check_url("https://cdn.example/a.jpg").addresses == ("93.184.215.14",)
    with pytest.raises(BlockedAddress):
        fetcher.check_url("https://img.internal/a.jpg")
    with pytest.raises(InvalidUrl):
        fetcher.check_url("file:///etc/passwd")


def test_system_resolver_reads_the_hosts_file() -> None:
    assert "127.0.0.1" in SystemResolver(2.0)("localhost")  # /etc/hosts: no DNS traffic


def test_localhost_by_name_with_the_allow_list(server: Server, net: NetLog) -> None:
    server.static("/p", b"via localhost")
    result = Fetcher(fast()).get(f"http://localhost:{server.port}/p")
    assert result.body == b"via localhost" and server.seen[-1].headers["host"] == f"localhost:{server.port}"
    assert "localhost" not in net.lookups and {h for h, _ in net.connects} == {"127.0.0.1"}
