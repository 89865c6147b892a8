"""Settling a fetched page's encoding before extraction: BOM, header, <meta>, the usual mislabels."""

from __future__ import annotations

import pytest

from veracity.fetch.charset import declared, html_text

TEXT = "<html><head>{meta}<title>Caf\u00e9 \u2013 r\u00e9union</title></head><body><p>\u00e9t\u00e9</p></body></html>"


def _page(meta: str = "", encoding: str = "cp1252") -> bytes:
    return TEXT.format(meta=meta).encode(encoding)


def test_valid_utf8_is_left_to_extraction() -> None:
    body = _page('<meta charset="windows-1252">', "utf-8")
    assert html_text(body, "text/html; charset=iso-8859-1") is body


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (_page(), "text/html; charset=windows-1252"),
        (_page(), "text/html; charset=ISO-8859-1"),  # latin-1 means windows-1252, as in browsers
        (_page('<meta charset="windows-1252">'), None),
        (_page('<meta http-equiv="Content-Type" content="text/html; charset=latin1">'), ""),
        (_page("<!-- " + "x" * 3000 + ' --><meta charset="cp1252">'), None),  # after the first 1024 bytes
        (_page(), "text/html; charset=utf-8"),  # declared UTF-8, is windows-1252
        (_page('<meta charset="utf-8">'), "text/html"),
        (_page('<meta charset="nonsense">'), "text/html; charset=utf-8"),
    ],
)
def test_declared_or_mislabelled_windows_1252_is_read_right(body: bytes, content_type: str | None) -> None:
    text = html_text(body, content_type)
    assert isinstance(text, str) and "Caf\u00e9 \u2013 r\u00e9union" in text


def test_header_comes_before_meta_and_a_wrong_one_is_skipped() -> None:
    body = _page('<meta charset="koi8-r">', "cp1252")
    assert declared(body, "text/html; charset=windows-1252") == ["cp1252", "koi8-r"]
    cyrillic = (
        "<html><head><meta charset='windows-1251'></head><body>\u041f\u0440\u0438\u0432\u0435\u0442</body></html>"
    )
    assert "\u041f\u0440\u0438\u0432\u0435\u0442" in str(html_text(cyrillic.encode("cp1251"), "text/html"))


def test_utf16_bom_wins() -> None:
    body = b"\xff\xfe" + TEXT.format(meta='<meta charset="windows-1252">').encode("utf-16-le")
    assert "Caf\u00e9 \u2013 r\u00e9union" in str(html_text(body, "text/html; charset=iso-8859-1"))


def test_undeclared_bytes_go_on_unchanged_and_xml_declarations_are_dropped() -> None:
    body = _page()
    assert html_text(body, None) is body  # extraction guesses
    xhtml = b'<?xml version="1.0" encoding="iso-8859-1"?>' + _page()
    text = html_text(xhtml, None)
    assert isinstance(text, str) and text.startswith("<html>")
