"""URL and whitespace normalisation used for identity."""

from __future__ import annotations

import pytest

from veracity.text.normalize import domain_of, normalize_space, normalize_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://WWW.Example.COM/News/Story-1?utm_source=x&utm_medium=y#comments", "https://example.com/News/Story-1"),
        ("http://example.com/a/", "https://example.com/a"),
        ("https://example.com:443/a?b=2&a=1&fbclid=zz", "https://example.com/a?a=1&b=2"),
        ("https://example.com:8080/a?p=123", "https://example.com:8080/a?p=123"),
        ("example.com/a", "https://example.com/a"),
        ("u:zebra", "https://u/"),  # a malformed port must not crash identity
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_normalize_space() -> None:
    assert normalize_space("  a\u00a0 b\tc\n\u200bd ") == "a b c d"


def test_domain_of() -> None:
    assert domain_of("https://www.BBC.co.uk/news") == "bbc.co.uk"
    assert domain_of(None) is None
