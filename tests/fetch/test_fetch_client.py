"""The fetcher against real servers on 127.0.0.1: what it sends, redirects, rebinding, TLS,
body caps after decompression, deadlines, conditional GET."""

from __future__ import annotations

import gzip
import http.server
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path

import brotli  # type: ignore[import-untyped]
import pytest

from veracity import __version__
from veracity.errors import ConfigError
from veracity.fetch import (
    BlockedAddress,
    Fetcher,
    FetchSettings,
    HttpStatus,
    InvalidUrl,
    NetworkError,
    RobotsDisallowed,
    Timeout,
    TooLarge,
    TooManyRedirects,
    Validators,
)
from veracity.fetch.settings import FALLBACK_CONTACT_URL, project_url

from .support import FakeDNS, NetLog, Server, Tls, fast, reply

MiB = 1024 * 1024


# -- what goes out ---------------------------------------------------------------------------
def test_get_returns_body_headers_and_validators(server: Server) -> None:
    server.static("/a", b"hello", headers={"ETag": '"v1"', "Last-Modified": "Wed, 06 Nov 2024 11:15:22 GMT"})
    result = Fetcher(fast()).get(server.url("/a"))
    assert (result.status, result.body, result.not_modified) == (200, b"hello", False)
    assert result.url == result.final_url == server.url("/a")
    assert result.headers["etag"] == '"v1"' and result.etag == '"v1"'
    assert result.validators == Validators('"v1"', "Wed, 06 Nov 2024 11:15:22 GMT")
    assert 0 < result.elapsed < 5


def test_user_agent_names_veracity_and_a_contact(server: Server) -> None:
    server.static("/a", b"x")
    Fetcher(fast()).get(server.url("/a"))
    Fetcher(fast(contact_url="https://desk.example/about-our-crawler")).get(server.url("/a"))
    agents = [s.headers["user-agent"] for s in server.seen if s.path == "/a"]
    assert agents[0] == f"veracity/{__version__} (+{project_url() or FALLBACK_CONTACT_URL})"
    assert agents[1] == f"veracity/{__version__} (+https://desk.example/about-our-crawler)"
    assert Fetcher(fast(user_agent="custom/1.0")).settings.agent() == "custom/1.0"
    env = FetchSettings.from_env({"VERACITY_CONTACT_URL": "mailto:crawler@desk.example"})
    assert env.agent().endswith("(+mailto:crawler@desk.example)") and not env.contact_is_fallback


def test_default_contact_is_the_project_page_the_package_declares(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real installed-package record, first on sys.path, as `[project.urls]` in pyproject.toml gives.
    info = tmp_path / f"veracity-{__version__}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: veracity\nVersion: {__version__}\n"
        "Project-URL: Repository, https://git.example/veracity\n"
        "Project-URL: Crawler, https://git.example/veracity/blob/main/docs/crawler.md\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert project_url() == "https://git.example/veracity/blob/main/docs/crawler.md"
    assert project_url(("homepage", "repository")) == "https://git.example/veracity"
    server.static("/a", b"x")
    Fetcher(fast()).get(server.url("/a"))
    agent = server.seen[-1].headers["user-agent"]
    assert agent == f"veracity/{__version__} (+https://git.example/veracity/blob/main/docs/crawler.md)"
    assert not fast().contact_is_fallback


def test_without_a_project_page_the_fallback_is_flagged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    info = tmp_path / f"veracity-{__version__}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: veracity\nVersion: {__version__}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert project_url() is None
    assert FetchSettings().contact() == FALLBACK_CONTACT_URL and FetchSettings().contact_is_fallback
    assert not FetchSettings(user_agent="desk-bot/1 (+https://desk.example)").contact_is_fallback


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "desk.example", "https://desk.example/a b", "https://x) evil"])
def test_a_contact_that_is_not_a_url_is_a_config_error(bad: str) -> None:
    with pytest.raises(ConfigError, match="VERACITY_CONTACT_URL"):
        FetchSettings(contact_url=bad)


def test_request_carries_host_accept_encoding_and_close(server: Server) -> None:
    server.static("/a", b"x")
    Fetcher(fast()).get(server.url("/a?x=1"))
    seen = next(s for s in server.seen if s.path == "/a?x=1")
    assert seen.headers["host"] == f"127.0.0.1:{server.port}"
    assert {"gzip", "deflate", "br"} <= {e.strip() for e in seen.headers["accept-encoding"].split(",")}
    assert seen.headers["connection"] == "close"
    assert "if-none-match" not in seen.headers


def test_error_status_raises_with_the_status(server: Server) -> None:
    with pytest.raises(HttpStatus, match="HTTP 404") as info:
        Fetcher(fast()).get(server.url("/missing"))
    assert info.value.status == 404 and info.value.url == server.url("/missing")


def test_unreachable_host_is_disallowed_for_now_saying_why() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now; robots.txt cannot be read, so nothing may be fetched
    with pytest.raises(RobotsDisallowed, match=r"robots\.txt unavailable \(NetworkError: cannot connect") as info:
        Fetcher(fast()).get(f"http://127.0.0.1:{port}/")
    assert isinstance(info.value.cause, NetworkError) and "Connection refused" in info.value.cause.message


def test_a_dropped_connection_is_a_network_error(server: Server) -> None:
    def drop(h: http.server.BaseHTTPRequestHandler) -> None:
        h.close_connection = True  # closes without a word

    server.route("/drop", drop)
    with pytest.raises(NetworkError, match="RemoteDisconnected"):
        Fetcher(fast()).get(server.url("/drop"))


# -- redirects -------------------------------------------------------------------------------
def _chain(server: Server, length: int) -> None:
    for i in range(length, 0, -1):
        server.static(f"/r{i}", status=302, headers={"Location": f"/r{i - 1}"})
    server.static("/r0", b"end")


def test_ten_redirects_are_followed_eleven_are_not(server: Server) -> None:
    _chain(server, 11)
    result = Fetcher(fast()).get(server.url("/r10"))
    assert result.body == b"end" and result.final_url == server.url("/r0")
    with pytest.raises(TooManyRedirects, match="more than 10"):
        Fetcher(fast()).get(server.url("/r11"))
    with pytest.raises(TooManyRedirects):
        Fetcher(fast(max_redirects=2)).get(server.url("/r3"))


def test_each_hop_is_checked_again_across_hosts(server: Server, other_server: Server, dns: FakeDNS) -> None:
    dns.table["a.test"] = ["127.0.0.1"]
    dns.table["b.test"] = ["127.0.0.1"]
    server.static("/start", status=301, headers={"Location": other_server.url("/next", host="b.test")})
    other_server.static("/next", status=307, headers={"Location": "../final?q=1"})
    other_server.static("/final", b"done")
    result = Fetcher(fast(), resolver=dns).get(server.url("/start", host="a.test"))
    assert result.body == b"done" and result.final_url == other_server.url("/final?q=1", host="b.test")
    assert dns.calls.count("a.test") >= 1 and dns.calls.count("b.test") >= 1
    assert other_server.seen[-1].headers["host"] == f"b.test:{other_server.port}"


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://[::ffff:10.0.0.1]/",
        "http://internal.test/",
    ],
)
def test_redirect_to_a_non_public_address_is_blocked_before_connecting(
    location: str, server: Server, dns: FakeDNS, net: NetLog
) -> None:
    dns.table["internal.test"] = ["192.168.1.20"]
    server.static("/go", status=302, headers={"Location": location})
    with pytest.raises(BlockedAddress, match="not public") as info:
        Fetcher(fast(), resolver=dns).get(server.url("/go"))
    assert "after 1 redirect from" in str(info.value)
    assert {host for host, _ in net.connects} == {"127.0.0.1"} and net.ports() == {server.port}


def test_allow_list_applies_to_what_a_literal_means(server: Server) -> None:
    server.static("/go", status=302, headers={"Location": f"http://0x7f.1:{server.port}/there"})
    server.static("/there", b"127.0.0.1 is allowed, however it is written")
    result = Fetcher(fast()).get(server.url("/go"))
    assert result.final_url == server.url("/there") and result.body.startswith(b"127.0.0.1")


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://example.com/", "gopher://x/", "javascript:x()"])
def test_redirect_to_another_scheme_is_refused(location: str, server: Server, net: NetLog) -> None:
    server.static("/go", status=302, headers={"Location": location})
    with pytest.raises(InvalidUrl, match="only http and https"):
        Fetcher(fast()).get(server.url("/go"))
    assert net.ports() == {server.port}


# -- the checked address is the one connected to (no rebinding) ------------------------------
def test_connection_goes_to_the_checked_address_with_the_name_kept(server: Server, dns: FakeDNS, net: NetLog) -> None:
    answers = iter([["127.0.0.1"], ["127.0.0.1"]])
    dns.table["news.test"] = lambda n: next(answers, ["10.9.8.7"])  # rebinds after two answers
    server.static("/story", b"story")
    fetcher = Fetcher(fast(), resolver=dns)
    result = fetcher.get(server.url("/story", host="news.test"))
    assert result.body == b"story"
    assert server.seen[-1].headers["host"] == f"news.test:{server.port}"
    assert dns.calls == ["news.test", "news.test"]  # once for the page, once for robots.txt
    assert "news.test" not in net.lookups  # the HTTP library never resolved the name itself
    assert {host for host, _ in net.connects} == {"127.0.0.1"}
    before = len(net.connects)
    with pytest.raises(BlockedAddress, match=r"10\.9\.8\.7 \(from news\.test\) is not public"):
        fetcher.get(server.url("/story", host="news.test"))
    assert len(net.connects) == before  # the rebound answer was never connected to


def test_tls_uses_the_host_name_for_sni_and_certificate(tls: Tls, dns: FakeDNS, net: NetLog) -> None:
    dns.table["news.test"] = ["127.0.0.1"]
    dns.table["evil.test"] = ["127.0.0.1"]
    tls.server.static("/secure", b"over tls")
    fetcher = Fetcher(fast(ca_file=tls.ca_file), resolver=dns)
    result = fetcher.get(tls.server.url("/secure", host="news.test"))
    assert result.body == b"over tls" and result.final_url == tls.server.url("/secure", host="news.test")
    assert set(tls.sni) == {"news.test"}
    assert tls.server.seen[-1].headers["host"] == f"news.test:{tls.server.port}"
    assert "news.test" not in net.lookups and {h for h, _ in net.connects} == {"127.0.0.1"}
    # Another name on the same address: the certificate is for news.test only. robots.txt is the
    # first thing asked of a new origin, so that is where the failure shows.
    with pytest.raises(RobotsDisallowed) as info:
        fetcher.get(tls.server.url("/secure", host="evil.test"))
    assert isinstance(info.value.cause, NetworkError) and "not valid for 'evil.test'" in str(info.value.cause)
    with pytest.raises(RobotsDisallowed) as info:  # a CA the fetcher does not trust
        Fetcher(fast(), resolver=dns).get(tls.server.url("/secure", host="news.test"))
    assert isinstance(info.value.cause, NetworkError) and "CERTIFICATE_VERIFY_FAILED" in str(info.value.cause)
    assert tls.server.hits("/secure") == 1


def test_https_to_http_redirect_is_refused(tls: Tls, server: Server, dns: FakeDNS) -> None:
    dns.table["news.test"] = ["127.0.0.1"]
    tls.server.static("/down", status=301, headers={"Location": server.url("/plain")})
    server.static("/plain", b"plain")
    with pytest.raises(InvalidUrl, match="https to http"):
        Fetcher(fast(ca_file=tls.ca_file), resolver=dns).get(tls.server.url("/down", host="news.test"))
    assert server.hits("/plain") == 0


# -- body caps, after decompression ----------------------------------------------------------
def _chunked(
    body: bytes, chunk: int = 64 * 1024, headers: dict[str, str] | None = None
) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        try:
            for i in range(0, len(body), chunk):
                part = body[i : i + chunk]
                h.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            h.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass
        h.close_connection = True

    return route


def _gzip_bomb(size: int) -> bytes:
    member = gzip.compress(b"\0" * MiB, 9)
    return member * (size // MiB)  # concatenated gzip members: ~1 KB per MiB


def _deflate_bomb(size: int) -> bytes:
    c = zlib.compressobj(9)
    zeros = b"\0" * MiB
    return b"".join(c.compress(zeros) for _ in range(size // MiB)) + c.flush()


def _br_bomb(size: int) -> bytes:
    c = brotli.Compressor(quality=5)
    zeros = b"\0" * MiB
    out: bytes = b"".join(c.process(zeros) for _ in range(size // MiB)) + c.finish()
    return out


@pytest.mark.parametrize(
    ("encoding", "make", "size"),
    [("gzip", _gzip_bomb, 1024 * MiB), ("deflate", _deflate_bomb, 64 * MiB), ("br", _br_bomb, 1024 * MiB)],
)
def test_compression_bombs_stop_at_the_cap(
    encoding: str, make: Callable[[int], bytes], size: int, server: Server
) -> None:
    bomb = make(size)
    assert len(bomb) < size // 100
    server.route("/bomb", _chunked(bomb, headers={"Content-Encoding": encoding}))  # no length announced
    fetcher = Fetcher(fast(max_body_bytes=MiB))
    tracemalloc.start()
    try:
        started = time.monotonic()
        with pytest.raises(TooLarge, match="after decoding"):
            fetcher.get(server.url("/bomb"))
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * MiB, f"{peak / MiB:.1f} MiB held while decoding a {size // MiB} MiB bomb"
    assert elapsed < 3


def test_small_compressed_body_is_decoded(server: Server) -> None:
    server.static("/gz", gzip.compress(b"<p>hi</p>"), headers={"Content-Encoding": "gzip"})
    assert Fetcher(fast()).get(server.url("/gz")).body == b"<p>hi</p>"


def test_announced_length_over_the_cap_fails_before_reading(server: Server) -> None:
    server.static("/big", b"x" * (2 * MiB))
    with pytest.raises(TooLarge, match="announced"):
        Fetcher(fast(max_body_bytes=MiB)).get(server.url("/big"))


def test_unannounced_body_is_cut_at_the_cap(server: Server) -> None:
    server.route("/stream", _chunked(b"y" * (3 * MiB)))
    server.route("/exact", _chunked(b"z" * MiB))
    fetcher = Fetcher(fast(max_body_bytes=MiB))
    with pytest.raises(TooLarge, match=f"larger than {MiB} bytes"):
        fetcher.get(server.url("/stream"))
    assert len(fetcher.get(server.url("/exact")).body) == MiB


# -- deadlines -------------------------------------------------------------------------------
def _trickle(head: bytes, body: bytes, gap: float) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        h.wfile.write(head)
        h.wfile.flush()
        stop = time.monotonic() + 5
        try:
            for byte in body:
                if time.monotonic() > stop:
                    break
                h.wfile.write(bytes([byte]))
                h.wfile.flush()
                time.sleep(gap)
        except OSError:
            pass
        h.close_connection = True

    return route


def test_a_trickled_body_is_cut_off_by_the_total_deadline(server: Server) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
    server.route("/slow", _trickle(head, b"a" * 1000, 0.02))
    started = time.monotonic()
    with pytest.raises(Timeout, match=r"total deadline of 0\.6 s"):
        Fetcher(fast(read_timeout=2.0, total_timeout=0.6)).get(server.url("/slow"))
    assert 0.5 < time.monotonic() - started < 1.5  # well before the 2 s per-read timeout could fire


def test_trickled_headers_are_cut_off_too(server: Server) -> None:
    server.route("/slowhead", _trickle(b"HTTP/1.1 200 OK\r\n", b"X-Slow: " + b"z" * 500 + b"\r\n\r\n", 0.02))
    started = time.monotonic()
    with pytest.raises(Timeout, match="total deadline"):
        Fetcher(fast(read_timeout=2.0, total_timeout=0.5)).get(server.url("/slowhead"))
    assert time.monotonic() - started < 1.5


def test_silence_trips_the_per_read_timeout(server: Server) -> None:
    def stall(h: http.server.BaseHTTPRequestHandler) -> None:
        h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        h.wfile.flush()
        time.sleep(1.5)
        h.close_connection = True

    server.route("/stall", stall)
    started = time.monotonic()
    with pytest.raises(Timeout, match=r"no data for 0\.3 s"):
        Fetcher(fast(read_timeout=0.3, total_timeout=5)).get(server.url("/stall"))
    assert time.monotonic() - started < 1.2


def test_connect_timeout() -> None:
    """A server that answers robots.txt and one page, then stops accepting: its queue fills up."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]

    def serve_two() -> None:
        for answer in (b"404 Not Found", b"200 OK"):
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 " + answer + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    thread = threading.Thread(target=serve_two, daemon=True)
    thread.start()
    fetcher = Fetcher(fast(connect_timeout=0.3))
    try:
        assert fetcher.get(f"http://127.0.0.1:{port}/first").status == 200  # robots.txt now cached
        thread.join(2)
        filler = socket.create_connection(("127.0.0.1", port), timeout=1)  # takes the one queue place
        started = time.monotonic()
        with pytest.raises(Timeout, match=r"connecting to 127\.0\.0\.1 took more than 0\.3 s"):
            fetcher.get(f"http://127.0.0.1:{port}/second")
        assert time.monotonic() - started < 1.5
        filler.close()
    finally:
        listener.close()


# -- conditional GET -------------------------------------------------------------------------
def test_conditional_get_returns_not_modified_without_a_body(server: Server) -> None:
    def page(h: http.server.BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"v1"' or h.headers.get("If-Modified-Since") == "Wed, 06 Nov 2024":
            # a 304 never has a body; this one even claims a broken gzip one, which must not be parsed
            reply(h, 304, headers={"ETag": '"v1"', "Content-Encoding": "gzip"})
        else:
            reply(h, 200, b"<html>v1</html>", {"ETag": '"v1"', "Last-Modified": "Wed, 06 Nov 2024"})

    server.route("/feed", page)
    fetcher = Fetcher(fast())
    first = fetcher.get(server.url("/feed"))
    assert first.body == b"<html>v1</html>" and not first.not_modified
    again = fetcher.get(server.url("/feed"), first.validators)
    assert again.not_modified and again.status == 304 and again.body == b""
    assert again.etag == '"v1"' and again.last_modified == "Wed, 06 Nov 2024"  # carried over
    sent = [s.headers for s in server.seen if s.path == "/feed"]
    assert "if-none-match" not in sent[0]
    assert sent[1]["if-none-match"] == '"v1"' and sent[1]["if-modified-since"] == "Wed, 06 Nov 2024"
    by_date = fetcher.get(server.url("/feed"), Validators(last_modified="Wed, 06 Nov 2024"))
    assert by_date.not_modified and "if-none-match" not in server.seen[-1].headers
