"""Fixtures of the sources tests: the connection tripwire and a site on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crawl.crawl_support import Server, Site
from fetch.support import NetLog, start_log, stop_log


@pytest.fixture(autouse=True)
def net() -> Iterator[NetLog]:
    log = start_log()
    try:
        yield log
    finally:
        stop_log(log)


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


@pytest.fixture
def site(server: Server) -> Site:
    return Site(server)
