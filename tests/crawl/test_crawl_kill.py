"""Crash safety: ``kill -9`` during ``veracity run --once``, then again; SIGTERM stops ``veracity run`` cleanly.

A local server serves many feeds; the real command is killed part-way (once the database
holds some articles), then run to completion. Nothing may be lost or duplicated and
SQLite's ``PRAGMA integrity_check`` must pass.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawl.crawl_support import Server, Site

pytestmark = pytest.mark.slow

N_FEEDS = 40
PER_FEED = 10
ENV = {
    **os.environ,
    "VERACITY_ALLOW_NETWORKS": "127.0.0.1/32",
    "VERACITY_MIN_HOST_DELAY": "0",
    "VERACITY_MAX_RETRIES": "0",
}


def _serve_many(server: Server) -> Site:
    site = Site(server)
    for f in range(N_FEEDS):
        items = [site.add(f * PER_FEED + i) for i in range(PER_FEED)]
        body = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>'
            + "".join(f"<item><title>t</title><link>{u}</link></item>" for u in items)
            + "</channel></rss>"
        ).encode()
        server.static(f"/feed-{f}.xml", body, headers={"Content-Type": "application/rss+xml"})
    return site


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "veracity", *args]


def _count(db: Path, table: str) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.Error:
        return 0


def _setup(tmp_path: Path, server: Server) -> tuple[Path, str]:
    _serve_many(server)
    opml = tmp_path / "feeds.opml"
    outlines = "".join(f'<outline text="Feed {f}" xmlUrl="{server.url(f"/feed-{f}.xml")}"/>' for f in range(N_FEEDS))
    opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>')
    db = tmp_path / "crawl.db"
    url = f"sqlite:///{db}"
    subprocess.run(_cmd("sources", "import", str(opml), "--db", url), env=ENV, check=True, capture_output=True)
    return db, url


def _kill_when(proc: subprocess.Popen[bytes], db: Path, articles: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if _count(db, "articles") >= articles:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_kill_9_then_again_loses_and_duplicates_nothing(tmp_path: Path, server: Server) -> None:
    db, url = _setup(tmp_path, server)
    total = N_FEEDS * PER_FEED
    for stop_at in (total // 5, total // 2):
        proc = subprocess.Popen(
            _cmd("run", "--once", "--db", url), env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        _kill_when(proc, db, stop_at)
        assert proc.returncode == -signal.SIGKILL and _count(db, "articles") < total  # killed part-way
    done = subprocess.run(_cmd("run", "--once", "--db", url), env=ENV, capture_output=True, check=True)
    assert done.stdout.decode().strip().endswith("failed=0"), done.stderr.decode()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == total
        assert conn.execute("SELECT count(*) FROM versions").fetchone()[0] == total  # one version each
        assert conn.execute("SELECT count(*) FROM crawl_urls").fetchone()[0] == total
        assert conn.execute("SELECT count(*) FROM crawl_urls WHERE fetches = 0").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM crawl_urls WHERE article_id IS NULL").fetchone()[0] == 0
    again = subprocess.run(_cmd("run", "--once", "--db", url), env=ENV, capture_output=True, check=True)
    assert again.stdout.decode().strip() == "ingested=0 updated=0 unchanged=0 failed=0"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT (Ctrl-C)"])
def test_sigterm_finishes_the_write_and_exits_cleanly(signum: int, tmp_path: Path, server: Server) -> None:
    db, url = _setup(tmp_path, server)
    proc = subprocess.Popen(_cmd("run", "--db", url), env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _count(db, "articles") < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err.decode()
    assert b"ingested=" in out
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        fetched = conn.execute("SELECT count(*) FROM crawl_urls WHERE fetches > 0").fetchone()[0]
    assert fetched <= stored  # a URL is marked fetched only after its article is stored
    done = subprocess.run(_cmd("run", "--once", "--db", url), env=ENV, capture_output=True, check=True)
    assert done.stdout.decode().strip().endswith("failed=0")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == N_FEEDS * PER_FEED
