"""Fixtures of the crawl tests: the connection tripwire and a site on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crawl.crawl_support import Server, Site
from fetch.conftest import net


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


@pytest.fixture
def site(server: Server) -> Site:
    return Site(server)


__all__ = ["net", "server", "site"]  # net: the fetch tests' autouse tripwire, reused
