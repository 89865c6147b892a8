"""Entity keys, content words and shingles of veracity.stories.text."""

from __future__ import annotations

from veracity.stories.text import content_words, entity_keys, shingles


def test_entity_keys_keep_names_and_numbers_drop_sentence_starts_and_title_case() -> None:
    text = (
        "Microsoft Releases Emergency Patch For Internet Explorer\n"
        "Microsoft issued an emergency patch on Wednesday. The flaw, which bulletin MS08-078 fixes, "
        "hit 6.5 percent of users. After the release, Microsoft's shares rose."
    )
    keys = entity_keys(text)
    assert keys["microsoft"] == 3
    assert {"internet", "explorer", "wednesday", "#ms08-078", "#6.5"} <= set(keys)
    # written in lower case somewhere, or stop words: not entities
    assert not {"patch", "emergency", "the", "after", "for"} & set(keys)


def test_content_words_drop_stop_words_and_possessives() -> None:
    words = content_words("The Saints' coach said the team's running back is out.")
    assert words["saints"] == 1 and words["team"] == 1
    assert "the" not in words and "said" not in words


def test_shingles_ignore_case_punctuation_and_spacing() -> None:
    assert shingles("A quake hit, Tuesday!") == shingles("a  QUAKE hit tuesday")
    assert shingles("one two") == {"one two"}
    assert shingles("   ") == set()


def test_thousands_separators_keep_a_number_whole() -> None:
    keys = entity_keys("The Trust spent £40,000 on 1,250,000 leaflets in 2019, 3,4 and 12,34.")
    assert {"#40000", "#1250000", "#2019"} <= set(keys)
    assert "#000" not in keys and "#250" not in keys
