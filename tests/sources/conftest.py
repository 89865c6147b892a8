"""Fixtures of the sources tests: the same connection tripwire and 127.0.0.1 site as the crawl tests."""

from crawl.conftest import net, server, site

__all__ = ["net", "server", "site"]
