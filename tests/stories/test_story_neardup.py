"""Near-duplicate detection: exact reprints, light edits, different texts."""

from __future__ import annotations

import pytest

from veracity.stories.neardup import NEAR_THRESHOLD, NearDupIndex, classify

WIRE = (
    "Magnitude 6.5 earthquake shakes Northern California coast\n"
    "A strong earthquake struck off the coast of Northern California on Saturday, shaking buildings in Eureka "
    "and knocking out power to thousands of homes, officials said. The quake was centred about 33 miles west "
    "of Ferndale at a depth of 10 miles, according to the US Geological Survey. There were no immediate reports "
    "of serious injuries. Police in Eureka said several chimneys had collapsed and windows had shattered in the "
    "old town. Residents described the shaking as long and rolling. Aftershocks of magnitude 4 and above were "
    "recorded through the afternoon, and the tsunami warning centre said no tsunami was expected."
)
EDITED = (
    WIRE.replace("Magnitude 6.5 earthquake shakes", "Strong quake rattles")
    .replace("officials said", "county officials said")
    .replace("Residents described the shaking as long and rolling. ", "")
    + " The county opened two shelters for the night."
)
OTHER = (
    "Small earthquake rattles Riverside County\n"
    "A magnitude 4.7 earthquake hit near Aguanga in Riverside County on Monday morning, the US Geological Survey "
    "said. It was felt from San Diego to Los Angeles but caused no damage, according to the sheriff's department. "
    "Seismologists said the quake struck on the San Jacinto fault, one of the most active in Southern California."
)


def test_exact_reprint_is_exact_whatever_its_spacing_case_and_punctuation() -> None:
    index = NearDupIndex()
    assert index.add("wire", WIRE) == []
    reprint = WIRE.upper().replace(". ", ".\n\n").replace(",", "")
    matches = index.add("reprint", reprint)
    assert [(m.other_id, m.jaccard, m.kind) for m in matches] == [("wire", 1.0, "exact")]


def test_light_edit_is_a_near_copy_and_another_story_is_not() -> None:
    index = NearDupIndex()
    index.add("wire", WIRE)
    (match,) = index.add("edited", EDITED)
    assert match.other_id == "wire" and match.kind == "near"
    assert NEAR_THRESHOLD <= match.jaccard < 1.0
    assert index.add("other", OTHER) == []
    assert index.jaccard("wire", "other") < 0.1


def test_readding_an_id_replaces_its_text_and_remove_forgets_it() -> None:
    index = NearDupIndex()
    index.add("a", WIRE)
    index.add("b", OTHER)
    assert index.add("a", OTHER)[0].other_id == "b"  # a's new version copies b
    assert len(index) == 2
    index.remove("b")
    assert "b" not in index
    assert index.candidates(OTHER)[0].other_id == "a"
    assert index.add("empty", "  ...  ") == []


@pytest.mark.parametrize(
    ("jaccard", "kind"), [(1.0, "exact"), (0.99, "near"), (NEAR_THRESHOLD, "near"), (0.39, "none")]
)
def test_classify(jaccard: float, kind: str) -> None:
    assert classify(jaccard) == kind


def test_band_keys_found_before_and_after_the_buffer_is_merged() -> None:
    index = NearDupIndex(lsh_buffer=2)  # merged into the sorted arrays every two articles
    index.add("wire", WIRE)
    index.add("other", OTHER)  # the buffer is merged here
    index.add("third", "A text about something else entirely, with words of its own and no copy.")
    assert [m.other_id for m in index.add("edited", EDITED)] == ["wire"]
    assert [m.other_id for m in index.add("other-again", OTHER + " Updated.")] == ["other"]


def test_bands_must_fit_in_the_signature() -> None:
    with pytest.raises(ValueError, match="permutations"):
        NearDupIndex(bands=50, rows=3)
