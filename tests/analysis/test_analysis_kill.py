"""Killing ``veracity analyse`` part-way and running it again gives what one clean run gives.

Articles are stored, ``veracity analyse`` is SIGKILLed once some analyses are stored, then
run again to completion. Every article must then have exactly one analysis, and every
stored row must equal those of an uninterrupted run into another database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from veracity.analysis.store import CHILDREN, analyses
from veracity.article import Article, Block, Outlet
from veracity.store.sql import engine_for, open_store

pytestmark = pytest.mark.slow

N_ARTICLES = 60


def _articles() -> list[Article]:
    out = []
    for i in range(N_ARTICLES):
        body = (
            f"Councillor Jane Doe said the committee approved application {1000 + i} on Monday. "
            f"'This is a shocking decision for the town,' said John Smith, who leads the residents' group. "
            f"He added that {i % 17 + 2} homes would be built behind the old creamery by 2026."
        )
        out.append(Article(f"Council notes {i}", (Block(body),), Outlet("Gazette", "gazette.example")))
    return out


def _database(path: Path) -> str:
    url = f"sqlite:///{path}"
    store = open_store(url)
    for article in _articles():
        store.upsert(article)
    store.close()
    return url


def _analysed(url: str) -> int:
    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM analyses")).scalar_one())
    except SQLAlchemyError:
        return 0
    finally:
        engine.dispose()


def _analyse(url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "VERACITY_ANALYSIS_BATCH_SIZE": "2"}
    return subprocess.Popen(
        [sys.executable, "-m", "veracity", "analyse", "--db", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def _dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = engine_for(url)
    with engine.connect() as conn:
        out = {t.name: sorted(tuple(r) for r in conn.execute(select(t))) for t in CHILDREN}
        out["analyses"] = sorted((r.article_id, r.content_hash) for r in conn.execute(select(analyses)))
    engine.dispose()
    return out


def test_kill_and_rerun_equals_one_clean_run(tmp_path: Path) -> None:
    killed = _database(tmp_path / "killed.db")
    proc = _analyse(killed)
    deadline = time.monotonic() + 300
    while _analysed(killed) < 4 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < _analysed(killed) < N_ARTICLES
    rerun = _analyse(killed)
    out, errs = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, errs
    assert out.decode().strip().splitlines()[-1].endswith("failed=0")

    clean = _database(tmp_path / "clean.db")
    done = _analyse(clean)
    done.communicate(timeout=600)
    assert _analysed(killed) == _analysed(clean) == N_ARTICLES
    assert _dump(killed) == _dump(clean)
