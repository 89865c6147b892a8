"""Helpers of the fetch tests: the connection tripwire, a controllable resolver, real servers.

The tripwire is a process audit hook (``socket.connect``, ``socket.getaddrinfo``; nothing is
patched): while a ``NetLog`` is active it records each connection attempt and each system
DNS lookup, and refuses any connection outside 127.0.0.0/8 and ::1, so a guard that lets
something through fails loudly instead of sending traffic out.
"""

from __future__ import annotations

import http.server
import ipaddress
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from veracity.fetch import FetchSettings


# -- the tripwire --------------------------------------------------------------------------
@dataclass
class NetLog:
    connects: list[tuple[str, int]] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)

    def ports(self) -> set[int]:
        return {port for _, port in self.connects}


_ACTIVE: list[NetLog] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _ACTIVE:
        return
    if event == "socket.connect":
        address = args[1]
        if not isinstance(address, tuple):
            return  # AF_UNIX
        host, port = str(address[0]), int(address[1])
        for log in _ACTIVE:
            log.connects.append((host, port))
        if not ipaddress.ip_address(host.split("%", 1)[0]).is_loopback:
            raise ConnectionRefusedError(f"test tripwire: connection to non-loopback {host} refused")
    elif event == "socket.getaddrinfo":
        for log in _ACTIVE:
            log.lookups.append(str(args[0]))


sys.addaudithook(_audit)


def start_log() -> NetLog:
    log = NetLog()
    _ACTIVE.append(log)
    return log


def stop_log(log: NetLog) -> None:
    _ACTIVE.remove(log)


# -- a resolver the tests control ----------------------------------------------------------
class FakeDNS:
    """Answers from a table; an entry may be a list, or a callable of the call number (rebinding)."""

    def __init__(self, table: dict[str, list[str] | Callable[[int], list[str]]] | None = None) -> None:
        self.table: dict[str, list[str] | Callable[[int], list[str]]] = dict(table or {})
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, host: str) -> Iterable[str]:
        with self._lock:
            self.calls.append(host)
            n = self.calls.count(host)
        answer = self.table.get(host.rstrip("."))
        if answer is None:
            raise OSError(f"NXDOMAIN {host}")
        return answer(n) if callable(answer) else answer


# -- real HTTP servers ---------------------------------------------------------------------
@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    at: float


Route = Callable[[http.server.BaseHTTPRequestHandler], None]


def reply(
    handler: http.server.BaseHTTPRequestHandler,
    status: int = 200,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    headers = dict(headers or {})
    if "Transfer-Encoding" not in headers:
        headers.setdefault("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)
    handler.close_connection = True


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hang up on purpose (caps, deadlines)


class Server:
    """An HTTP(S) server on 127.0.0.1 with per-path routes; records what it was asked."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                with server._lock:
                    server.seen.append(Seen(self.path, headers, time.monotonic()))
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    reply(self, 404, b"not found")
                else:
                    route(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.scheme = "http"
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = int(self.httpd.server_address[1])
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def route(self, path: str, route: Route) -> None:
        self.routes[path] = route

    def static(self, path: str, body: bytes = b"", status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.routes[path] = lambda h: reply(h, status, body, headers)

    def hits(self, path: str) -> int:
        return sum(1 for s in self.seen if s.path == path)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Tls:
    ca_file: str
    sni: list[str | None]
    server: Server


def fast(**overrides: Any) -> FetchSettings:
    """Settings for tests: 127.0.0.1 allowed, no politeness delay, short deadlines and back-offs."""
    values: dict[str, Any] = {
        "allow_networks": ("127.0.0.1/32",),
        "min_host_delay": 0.0,
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "total_timeout": 5.0,
        "backoff_base": 0.01,
        "backoff_max": 0.05,
        "retry_after_max": 3.0,
    }
    values.update(overrides)
    return FetchSettings(**values)
