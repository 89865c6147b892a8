"""Bad input never stops a batch: each failure is reported with its reason, the rest is
ingested, and nothing half-written stays in the database.

Each test ingests a batch of good items around one bad one (``_batch``) and checks the
three things. Inputs that are only *unusual* (non-UTF-8, mislabelled encodings) must
succeed with the right text.
"""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pytest
from ingest_helpers import (
    ENCODINGS,
    FERRY,
    FERRY_TITLE,
    NAV_ONLY,
    ORCHARD,
    RECORDS,
    RSS,
    SEED_CARD,
    assert_whole,
    by_title,
    counts,
    ingest,
    reasons,
    veracity_command,
)
from typer.testing import CliRunner
from warc_util import Page, article_html, responses, write_warc_spans

from veracity.cli.main import app
from veracity.ingest.pipeline import IngestReport
from veracity.settings import Settings
from veracity.store import SqlStore

RSS_TITLES = [
    "Lifeboat crew rescues kayakers caught by the ebb tide",
    "Harbour car park charges to rise in January",
    "Fish market marks 150 years with open day",
]
GOOD_TITLES = [FERRY_TITLE, *RSS_TITLES]


def _batch(store: SqlStore, *bad: Path | str, settings: Settings | None = None) -> IngestReport:
    """Ingest a good page, the bad input(s), then a good feed."""
    return ingest(store, FERRY, *bad, RSS, settings=settings)


def _one_failure(report: IngestReport) -> tuple[str, str]:
    assert len(report.failures) == 1, reasons(report)
    return report.failures[0].source, report.failures[0].reason


def _rest_ingested(store: SqlStore, report: IngestReport, *extra_titles: str) -> None:
    """The good items (and ``extra_titles``) are stored whole; nothing else is."""
    assert report.counts["ingested"] == len(GOOD_TITLES) + len(extra_titles), reasons(report)
    assert_whole(store, [*GOOD_TITLES, *extra_titles])


def _story(i: int) -> Page:
    url = f"https://gazette.example/news/story-{i}"
    paragraphs = [
        f"Story {i}: the parish council met on Tuesday to discuss the state of the footpath along the river.",
        "Residents asked for the stiles to be replaced with gates so that the path can be used with pushchairs.",
    ]
    return Page(url, article_html(f"Parish council hears footpath plea number {i}", paragraphs, url=url))


def _story_titles(n: int) -> list[str]:
    return [f"Parish council hears footpath plea number {i}" for i in range(n)]


# -- gzip ---------------------------------------------------------------------------------


def test_truncated_gzip(store: SqlStore, tmp_path: Path) -> None:
    bad = tmp_path / "orchard.html.gz"
    packed = gzip.compress(ORCHARD.read_bytes())
    bad.write_bytes(packed[: len(packed) // 2])
    report = _batch(store, bad)
    assert _one_failure(report) == (str(bad), "truncated gzip file")
    _rest_ingested(store, report)


def test_corrupt_gzip(store: SqlStore, tmp_path: Path) -> None:
    bad = tmp_path / "orchard.html.gz"
    packed = bytearray(gzip.compress(ORCHARD.read_bytes()))
    packed[40:80] = b"\xff" * 40  # inside the deflate data, after the 10-byte header
    bad.write_bytes(bytes(packed))
    report = _batch(store, bad)
    source, reason = _one_failure(report)
    assert source == str(bad)
    assert reason.startswith("corrupt gzip: ")
    _rest_ingested(store, report)


def _jsonl_stories(n: int) -> bytes:
    records = [
        {
            "url": f"https://gazette.example/notes/{i}",
            "title": f"Allotment society notes, week {i}",
            "text": f"Week {i}: the allotment society reminds members that water butts must be covered before winter.",
            "published": "2024-10-14T09:00:00Z",
        }
        for i in range(n)
    ]
    return "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")


def test_truncated_gzipped_jsonl_keeps_the_whole_lines(store: SqlStore, tmp_path: Path) -> None:
    bad = tmp_path / "notes.jsonl.gz"
    packed = gzip.compress(_jsonl_stories(60), mtime=0)
    bad.write_bytes(packed[: len(packed) * 2 // 3])
    report = _batch(store, bad)
    source, reason = _one_failure(report)
    kept = report.counts["ingested"] - len(GOOD_TITLES)
    assert 10 < kept < 60
    assert (source, reason) == (f"{bad}:{kept + 1}", "truncated gzip file")
    _rest_ingested(store, report, *(f"Allotment society notes, week {i}" for i in range(kept)))


# -- WARC ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_truncated_warc(store: SqlStore, tmp_path: Path, name: str) -> None:
    archive = tmp_path / name
    spans = write_warc_spans(archive, [_story(i) for i in range(5)])
    fourth = responses(spans)[3]
    data = archive.read_bytes()
    archive.write_bytes(data[: (fourth.start + fourth.end) // 2])  # cut inside the 4th response
    report = _batch(store, archive)
    source, reason = _one_failure(report)
    assert source == f"{archive}#4"
    assert reason.startswith("truncated archive: record has "), reason
    _rest_ingested(store, report, *_story_titles(3))  # the records before the cut are kept


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_truncated_at_the_start_of_a_record(store: SqlStore, tmp_path: Path, name: str) -> None:
    """Cut a few bytes into a record (its WARC headers, or its gzip member's first bytes):
    fastwarc returns nothing for it and ends quietly; the reader must still say so."""
    full = tmp_path / name
    spans = write_warc_spans(full, [_story(i) for i in range(4)], with_requests=False)
    third = responses(spans)[2]
    cuts = []
    for into in (3, 30):
        cut = tmp_path / f"cut-{into}-{name}"
        cut.write_bytes(full.read_bytes()[: third.start + into])
        cuts.append(cut)
    report = _batch(store, *cuts)
    got = reasons(report)
    assert sorted(got) == sorted(f"{cut}#3" for cut in cuts)
    # A cut inside "WARC/1.0" is, to fastwarc, a bad header: "corrupt archive" says it too.
    assert all(r.startswith(("truncated", "corrupt archive after 2 records")) for r in got.values()), got
    assert counts(report)["unchanged"] == 2  # the second cut file holds the same two stories
    _rest_ingested(store, report, *_story_titles(2))


def test_corrupt_warc_headers(store: SqlStore, tmp_path: Path) -> None:
    archive = tmp_path / "crawl.warc"
    spans = write_warc_spans(archive, [_story(i) for i in range(4)], with_requests=False)
    third = responses(spans)[2]
    data = bytearray(archive.read_bytes())
    data[third.start : third.start + 8] = b"GARBAGE!"  # the "WARC/1.0" line of the 3rd response
    archive.write_bytes(bytes(data))
    report = _batch(store, archive)
    source, reason = _one_failure(report)
    assert source == f"{archive}#3"
    assert reason.startswith("corrupt archive after 2 records: "), reason
    _rest_ingested(store, report, *_story_titles(2))


def test_corrupt_gzipped_warc(store: SqlStore, tmp_path: Path) -> None:
    archive = tmp_path / "crawl.warc.gz"
    spans = write_warc_spans(archive, [_story(i) for i in range(4)], with_requests=False)
    third = responses(spans)[2]
    data = bytearray(archive.read_bytes())
    data[third.start + 20 : third.start + 60] = b"\x00" * 40  # inside the 3rd member's deflate data
    archive.write_bytes(bytes(data))
    report = _batch(store, archive)
    source, reason = _one_failure(report)
    assert source == f"{archive}#3"
    assert reason.startswith("corrupt archive after 2 records: "), reason
    _rest_ingested(store, report, *_story_titles(2))


# -- encodings: these succeed -------------------------------------------------------------


def test_non_utf8_pages_are_read_in_their_declared_encoding(store: SqlStore) -> None:
    report = _batch(store, ENCODINGS / "cp1252.html", ENCODINGS / "latin1.html")
    assert counts(report)["failed"] == 0, reasons(report)
    fr_title = "Le café de la gare rouvre après dix-huit mois de travaux"
    es_title = "La biblioteca municipal amplía su horario en verano"
    _rest_ingested(store, report, fr_title, es_title)
    stored = by_title(store)
    fr = stored[fr_title].article
    assert fr.outlet.name == "L’Écho du Canton"  # ’ is 0x92 in windows-1252
    assert fr.language == "fr"
    assert fr.paragraphs[0].startswith("Le café de la gare de Saint-Aubin-des-Prés a rouvert")
    assert "240 000 €" in fr.body  # € is 0x80 in windows-1252
    assert "d’œuvres" in fr.body  # œ is 0x9c
    assert "« Nous avons gardé le comptoir en zinc" in fr.body
    es = stored[es_title].article
    assert es.outlet.name == "Crónica de Villanueva"
    assert "Begoña Ibáñez, explicó" in es.body
    assert "\ufffd" not in fr.body + es.body


def test_mislabelled_encodings_are_read_correctly(store: SqlStore) -> None:
    report = _batch(store, ENCODINGS / "mislabelled-utf8.html", ENCODINGS / "mislabelled-latin1.html")
    assert counts(report)["failed"] == 0, reasons(report)
    de_title = "Neue Fährverbindung über den Stausee startet im Mai"  # says UTF-8, is windows-1252
    pt_title = "Padaria do bairro ganha prémio regional de pão de fermentação lenta"  # says latin-1, is UTF-8
    _rest_ingested(store, report, de_title, pt_title)
    stored = by_title(store)
    de = stored[de_title].article
    assert "kostet für Erwachsene 3,50 €" in de.body
    assert "Bürgermeisterin Jutta Weißgerber sprach von einem „großen Gewinn" in de.body
    pt = stored[pt_title].article
    assert pt.outlet.name == "Gazeta do Bairro"
    assert "no bairro de São João, venceu este sábado o prémio" in pt.body
    assert "Ã" not in pt.body  # no UTF-8 read as latin-1 ("prÃ©mio")
    assert "\ufffd" not in de.body + pt.body


# -- files that are no input --------------------------------------------------------------


def test_binary_file(store: SqlStore, tmp_path: Path) -> None:
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8)
    report = _batch(store, bad)
    assert _one_failure(report) == (str(bad), "binary file, not a supported input")
    _rest_ingested(store, report)


def test_empty_file(store: SqlStore, tmp_path: Path) -> None:
    empty, blank = tmp_path / "empty.html", tmp_path / "blank.txt"
    empty.write_bytes(b"")
    blank.write_bytes(b" \n\t\r\n")
    report = _batch(store, empty, blank)
    assert reasons(report) == {str(empty): "empty file", str(blank): "empty file"}
    _rest_ingested(store, report)


def test_html_with_no_article(store: SqlStore) -> None:
    report = _batch(store, NAV_ONLY)
    source, reason = _one_failure(report)
    assert source == str(NAV_ONLY)
    assert "no article" in reason, reason
    _rest_ingested(store, report)


def test_card_with_missing_lines(store: SqlStore, tmp_path: Path) -> None:
    lines = SEED_CARD.read_text(encoding="utf-8").split("\n")
    cases = {
        "only-3-lines": (lines[:3], "a card needs at least 5 lines, this one has 3"),
        "no-byline": (lines[:2] + lines[3:], "line 3 is not a byline"),
        "no-label": (lines[:3] + lines[4:], "line 4 must be a verdict label"),
        "no-read-more": (lines[:-1], "the card must end with 'Read Entire Article'"),
    }
    for name, (card, _) in cases.items():
        (tmp_path / f"{name}.txt").write_text("\n".join(card), encoding="utf-8")
    report = _batch(store, *(tmp_path / f"{name}.txt" for name in cases))
    got = reasons(report)
    assert sorted(got) == sorted(str(tmp_path / f"{name}.txt") for name in cases)
    for name, (_, reason) in cases.items():
        assert got[str(tmp_path / f"{name}.txt")].startswith(reason), got
    _rest_ingested(store, report)


def test_feed_with_broken_xml(store: SqlStore, tmp_path: Path) -> None:
    rss, atom = tmp_path / "cut.rss", tmp_path / "unclosed.atom"
    xml = RSS.read_bytes()
    rss.write_bytes(xml[: len(xml) * 2 // 3])  # cut off mid-item
    atom.write_bytes(
        b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        b"<title>Broken</title><entry><title>Unclosed entry<title><content>Text</content></entry></feed>"
    )
    report = _batch(store, rss, atom)
    got = reasons(report)
    assert sorted(got) == sorted([str(rss), str(atom)])
    assert all(reason.startswith("broken feed XML: ") for reason in got.values()), got
    _rest_ingested(store, report)


def test_jsonl_line_that_is_not_json(store: SqlStore, tmp_path: Path) -> None:
    good = RECORDS.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "records.jsonl"
    bad.write_text(
        "\n".join([good[0], '{"title": "Half a record", "text": "cut', good[1], "", "[1, 2, 3]", good[2]]) + "\n",
        encoding="utf-8",
    )
    report = _batch(store, bad)
    assert reasons(report) == {
        f"{bad}:2": reasons(report)[f"{bad}:2"],
        f"{bad}:5": "a JSON Lines record must be an object",
    }
    assert reasons(report)[f"{bad}:2"].startswith("not JSON: ")
    _rest_ingested(
        store,
        report,
        "Night buses return to the coast road",
        "Heron colony doubles in size at the old gravel pits",
        "Town hall clock stops after lightning strike",
    )
    heron = by_title(store)["Heron colony doubles in size at the old gravel pits"].article
    assert heron.source == f"{bad}:3"  # line numbers count every line, blank and bad ones too


# -- limits and paths ---------------------------------------------------------------------

_CAP = 8 * 1024  # above every good fixture of the batch


def _big_page() -> bytes:
    paragraphs = [f"Paragraph {i} of a very long report on the harbour dredging programme." for i in range(200)]
    return article_html("A very long report", paragraphs, url="https://gazette.example/long-report")


def test_html_file_over_the_size_cap(store: SqlStore, tmp_path: Path) -> None:
    bad = tmp_path / "long.html"
    bad.write_bytes(_big_page())
    assert bad.stat().st_size > _CAP
    report = _batch(store, bad, settings=Settings(max_input_bytes=_CAP))
    assert _one_failure(report) == (str(bad), f"larger than the size cap of {_CAP} bytes (max_input_bytes)")
    _rest_ingested(store, report)


def test_gzipped_html_over_the_size_cap(store: SqlStore, tmp_path: Path) -> None:
    """The cap applies to the decompressed size: a small gzip must not expand past it."""
    bad = tmp_path / "long.html.gz"
    bad.write_bytes(gzip.compress(_big_page()))
    assert bad.stat().st_size < _CAP
    report = _batch(store, bad, settings=Settings(max_input_bytes=_CAP))
    assert _one_failure(report) == (str(bad), f"larger than the size cap of {_CAP} bytes (max_input_bytes)")
    _rest_ingested(store, report)


def test_jsonl_line_over_the_size_cap(store: SqlStore, tmp_path: Path) -> None:
    bad = tmp_path / "records.jsonl"
    big = {"title": "A very long record", "text": "The harbour dredging programme. " * 400}
    bad.write_text(RECORDS.read_text(encoding="utf-8") + json.dumps(big) + "\n", encoding="utf-8")
    report = _batch(store, bad, settings=Settings(max_input_bytes=_CAP))
    assert _one_failure(report) == (f"{bad}:4", f"line larger than the size cap of {_CAP} bytes")
    _rest_ingested(
        store,
        report,
        "Night buses return to the coast road",
        "Heron colony doubles in size at the old gravel pits",
        "Town hall clock stops after lightning strike",
    )


def test_gzipped_jsonl_is_capped_per_line_not_per_file(store: SqlStore, tmp_path: Path) -> None:
    records = tmp_path / "notes.jsonl.gz"
    lines = _jsonl_stories(100)
    assert len(lines) > _CAP  # the file is over the cap, each line far below it
    records.write_bytes(gzip.compress(lines))
    report = _batch(store, records, settings=Settings(max_input_bytes=_CAP))
    assert counts(report)["failed"] == 0, reasons(report)
    _rest_ingested(store, report, *(f"Allotment society notes, week {i}" for i in range(100)))


def test_warc_record_over_the_size_cap(store: SqlStore, tmp_path: Path) -> None:
    archive = tmp_path / "crawl.warc.gz"
    big = Page("https://gazette.example/long-report", _big_page())
    write_warc_spans(archive, [_story(0), big, _story(1)])
    report = _batch(store, archive, settings=Settings(max_input_bytes=_CAP))
    source, reason = _one_failure(report)
    assert (source, reason) == (f"{archive}#2", f"record larger than the size cap of {_CAP} bytes")
    _rest_ingested(store, report, *_story_titles(2))


def test_path_that_does_not_exist(store: SqlStore, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "page.html"
    report = _batch(store, missing)
    assert _one_failure(report) == (str(missing), "no such file or folder")
    _rest_ingested(store, report)


# -- exit status through the command line -------------------------------------------------


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI with stderr merged into stdout, so the order of lines can be checked."""
    return subprocess.run(
        [*veracity_command(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_exit_status_1_when_every_item_failed(tmp_path: Path) -> None:
    """Nothing reaches the database here, so SQLite alone is enough."""
    (tmp_path / "empty.html").write_bytes(b"")
    db_url = f"sqlite:///{tmp_path / 'exit.db'}"
    result = _cli(tmp_path, "ingest", "empty.html", "missing.html", "--db", db_url)
    assert result.returncode == 1, result.stdout
    lines = result.stdout.strip().splitlines()
    assert lines == [
        "failed: empty.html: empty file",
        "failed: missing.html: no such file or folder",
        "ingested=0 updated=0 unchanged=0 failed=2",
    ]


def test_exit_status_0_when_some_items_failed(db_url: str, tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_bytes(b"")
    result = _cli(tmp_path, "ingest", str(FERRY), "empty.html", str(RSS), "--db", db_url)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.strip().splitlines()
    assert lines == ["failed: empty.html: empty file", "ingested=4 updated=0 unchanged=0 failed=1"]


@pytest.mark.parametrize(
    "args", [["ingest"], ["ingest", "x.html", "--max-input-bytes", "lots"]], ids=["no-path", "bad-option"]
)
def test_exit_status_2_on_misuse(tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "misuse.db"
    result = CliRunner().invoke(app, [*args, "--db", f"sqlite:///{db}"])  # in-process: nothing to store
    assert result.exit_code == 2, result.output
    assert not db.exists()
