"""Killing an ingest run and running it again gives the database a single clean run gives.

A crawl of 300 article pages (a gzipped WARC written here) is ingested by the real
command, SIGKILLed twice part-way (once the database holds some articles), then run to
completion. Every row of ``articles`` and ``versions`` (``seen_at`` aside: it is the wall
clock) must equal those of one uninterrupted run into another database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from ingest_helpers import assert_whole, canonical_dump, run_cli, summary_line, veracity_command
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from warc_util import Page, article_html, write_warc

from conftest import pg_schema
from veracity.store.sql import engine_for

pytestmark = pytest.mark.slow

N_ARTICLES = 300


def _crawl(path: Path) -> Path:
    pages = []
    for i in range(N_ARTICLES):
        url = f"https://gazette.example/news/{i:04d}-council-notes"
        paragraphs = [
            f"Item {i} of the council's weekly notes: the planning committee considered application {1000 + i}.",
            f"Councillors heard that the proposal would add {i % 17 + 2} homes on land behind the old creamery.",
            "A decision is expected at the next full meeting of the council, which is open to the public.",
        ]
        pages.append(
            Page(url, article_html(f"Council notes {i}: planning application {1000 + i}", paragraphs, url=url))
        )
    return write_warc(path, pages)


def _rows(url: str) -> int:
    """Articles stored so far (0 while the database or its tables do not exist yet)."""
    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM articles")).scalar_one())
    except SQLAlchemyError:
        return 0
    finally:
        engine.dispose()


def _ingest_and_kill(archive: Path, url: str, at_least: int) -> None:
    """Start ``veracity ingest``; SIGKILL it once ``at_least`` articles are stored."""
    proc = subprocess.Popen(
        [*veracity_command(), "ingest", str(archive), "--db", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while _rows(url) < at_least:
            assert proc.poll() is None, "ingest ended before it could be killed: make the crawl bigger"
            assert time.monotonic() < deadline, "ingest stored too few articles in time"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:  # a failed assertion above: do not leave our child running
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    stored = _rows(url)
    assert at_least <= stored < N_ARTICLES, f"killed with {stored} articles stored"


def _kill_and_resume_equals_one_run(archive: Path, killed_url: str, clean_url: str) -> None:
    _ingest_and_kill(archive, killed_url, at_least=20)
    _ingest_and_kill(archive, killed_url, at_least=_rows(killed_url) + 60)
    resumed = run_cli("ingest", str(archive), "--db", killed_url, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    ingested, updated, unchanged, failed = (int(p.split("=")[1]) for p in summary_line(resumed).split())
    assert (updated, failed) == (0, 0)
    assert ingested + unchanged == N_ARTICLES and unchanged >= 80

    clean = run_cli("ingest", str(archive), "--db", clean_url, timeout=600)
    assert summary_line(clean) == f"ingested={N_ARTICLES} updated=0 unchanged=0 failed=0", clean.stderr

    assert_whole(killed_url)
    assert_whole(clean_url)
    after_kills, one_run = canonical_dump(killed_url), canonical_dump(clean_url)
    assert len(after_kills["articles"]) == len(after_kills["versions"]) == N_ARTICLES
    assert after_kills == one_run


def test_killed_ingest_resumes_to_the_same_database_sqlite(tmp_path: Path) -> None:
    archive = _crawl(tmp_path / "crawl.warc.gz")
    _kill_and_resume_equals_one_run(
        archive, f"sqlite:///{tmp_path / 'killed.db'}", f"sqlite:///{tmp_path / 'clean.db'}"
    )


@pytest.mark.postgres
def test_killed_ingest_resumes_to_the_same_database_postgresql(tmp_path: Path, pg_url: str) -> None:
    archive = _crawl(tmp_path / "crawl.warc.gz")
    with pg_schema() as clean_url:
        _kill_and_resume_equals_one_run(archive, pg_url, clean_url)
