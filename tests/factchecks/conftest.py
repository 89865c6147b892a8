"""Fixtures of the fact-check tests: the fetch tests' tripwire and server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fetch.conftest import net
from fetch.support import Server


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


__all__ = ["net", "server"]
