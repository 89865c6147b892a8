"""Fixtures of the fetch tests: real servers on 127.0.0.1, a fake resolver, the tripwire (see support.py)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from .support import FakeDNS, NetLog, Server, Tls, start_log, stop_log


@pytest.fixture(autouse=True)
def net() -> Iterator[NetLog]:
    """Every connection attempt and system DNS lookup of the test; non-loopback connections refused."""
    log = start_log()
    try:
        yield log
    finally:
        stop_log(log)


@pytest.fixture
def dns() -> FakeDNS:
    return FakeDNS()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


@pytest.fixture
def other_server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls(ca: trustme.CA, tmp_path: Path) -> Iterator[Tls]:
    """An HTTPS server with a certificate for news.test only, recording the SNI names it is sent."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("news.test").configure_cert(context)
    sni: list[str | None] = []

    def record_sni(_sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        sni.append(name)

    context.sni_callback = record_sni
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    s = Server(tls=context)
    yield Tls(str(ca_file), sni, s)
    s.close()
