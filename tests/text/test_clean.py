"""Cleaning: boilerplate out, captions aside, original characters kept."""

from __future__ import annotations

from veracity.text.clean import clean_lines, is_boilerplate, is_credit


def kinds(lines: list[str], **kw: object) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in clean_lines(lines, **kw)]  # type: ignore[arg-type]


def test_boilerplate_lines_are_dropped() -> None:
    for line in ["Read Entire Article", "Advertisement", "ADVERTISEMENT", "Share this article", "Subscribe now",
                 "Sign up for our newsletter", "Continue reading below", "Scroll down for video"]:  # fmt: skip
        assert is_boilerplate(line), line
    assert not is_boilerplate("Advertisement revenue at the paper fell by a third last year, its owner said.")


def test_photo_credit_lines_are_captions() -> None:
    assert is_credit("Photo: Jane Doe/Reuters")
    assert is_credit("The minister arrives in Brussels (Getty Images)")
    assert is_credit("© Reuters")
    assert not is_credit("Reuters reported that the minister arrived in Brussels on Monday.")


def test_a_line_restating_an_earlier_sentence_is_a_caption() -> None:
    lines = [
        "The mayor opened the new bridge over the river on Monday, ending two years of works.",
        "",
        "The mayor opened the new bridge over the river on Monday",
        "Traffic was heavy all afternoon.",
    ]
    assert kinds(lines, unpunctuated_captions=False) == [
        ("paragraph", lines[0]),
        ("caption", lines[2]),
        ("paragraph", lines[3]),
    ]


def test_an_exact_repeat_is_not_a_caption() -> None:
    line = "What inspired you to start writing about food and cooking at home?"
    assert [k for k, _ in kinds([line, line], unpunctuated_captions=False)] == ["paragraph", "paragraph"]


def test_unpunctuated_long_lines_are_captions_only_when_asked() -> None:
    line = "Crowds gather outside the station as the first train arrives in the morning"
    assert kinds([line]) == [("caption", line)]
    assert kinds([line], unpunctuated_captions=False) == [("paragraph", line)]
    assert kinds(["Short heading"]) == [("paragraph", "Short heading")]


def test_list_items_and_table_rows_are_never_captions() -> None:
    for line in [
        "- Adjustable fit with comfort-cushioned ear cups made for everyday use",
        "| 20 | Chris Example | 729 | 0 | 0 | 0 | 4 |",
        "8. If you have a mortgage, consider paying it off",
    ]:
        assert kinds([line]) == [("paragraph", line)]


def test_known_captions_from_markup() -> None:
    line = "The harbour at dawn."
    assert kinds([line], known_captions=frozenset({line})) == [("caption", line)]


def test_original_characters_are_kept() -> None:
    line = "Zelensky was quick to congratulate Trump,\u00a0 saying so on X.\u00a0"
    assert kinds([line + "\r"]) == [("paragraph", line)]
