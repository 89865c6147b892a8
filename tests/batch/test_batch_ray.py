"""The Ray engine on a local cluster (``ray.init(num_cpus=2)``) against the local engine.

The same input through ``--engine local`` and ``--engine ray`` must give the same database
(articles, versions and the memberships of an order-dependent enrich stage), on the real
PostgreSQL server and on SQLite; a worker or the enrich actor SIGKILLed mid-run must not
change that. One cluster for the module: starting Ray costs seconds.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import batch.support
from batch.support import assert_same_dump, big_archive, make_inputs, member_stage, ray_processes
from conftest import pg_schema
from crawl.crawl_support import Server, Site, crawl_settings
from ingest.ingest_helpers import ROOT, assert_whole, canonical_dump, veracity_command
from veracity.batch.run import run_batch
from veracity.batch.settings import BatchSettings
from veracity.batch.stages import BatchReport
from veracity.crawl.run import Crawler
from veracity.enrich import stages
from veracity.settings import Settings
from veracity.store.sources import FeedInfo, OutletInfo, SourceStore
from veracity.store.sql import open_store

ray = pytest.importorskip("ray")

pytestmark = pytest.mark.slow

SEEN = datetime(2024, 11, 6, 12, 0, 0)


@pytest.fixture(scope="module", autouse=True)
def cluster() -> Iterator[None]:
    ray.cloudpickle.register_pickle_by_value(batch.support)  # the test stage, for the enrich actor
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=96 * 1024 * 1024, logging_level="warning")
    yield
    ray.shutdown()


def batch_run(paths: list[str], url: str, engine: str, **batch_options: Any) -> BatchReport:
    options: dict[str, Any] = {"chunk_records": 4, "in_flight": 16} | batch_options
    settings = Settings(database_url=url, batch=BatchSettings(engine=engine, **options))
    store = open_store(url)
    try:
        return run_batch(paths, store, settings, seen_at=SEEN, stages=[*stages(), member_stage])
    finally:
        store.close()


def same_as_local(paths: list[str], ray_url: str, local_url: str, **batch_options: Any) -> BatchReport:
    on_ray = batch_run(paths, ray_url, "ray", **batch_options)
    local = batch_run(paths, local_url, "local", **batch_options)
    assert on_ray.summary() == local.summary()
    assert on_ray.stage_line() == local.stage_line()
    assert [f.source for f in on_ray.failures] == [f.source for f in local.failures]
    assert_whole(ray_url)
    assert_same_dump(ray_url, local_url)
    return on_ray


def test_ray_equals_local_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    """Versions of one article in neighbouring chunks, stored by parallel tasks, land in input order."""
    with pg_schema() as local_url:
        report = same_as_local(make_inputs(tmp_path), pg_url, local_url)
    assert report.summary() == "ingested=25 updated=43 unchanged=3 failed=5"
    assert report.enriched["members"] == [67, 0] and report.enriched["stories"][1] == 0


def test_ray_equals_local_on_sqlite(tmp_path: Path) -> None:
    paths = make_inputs(tmp_path)
    same_as_local(paths, f"sqlite:///{tmp_path / 'ray.db'}", f"sqlite:///{tmp_path / 'local.db'}", chunk_records=3)


def _kill_during(run: threading.Thread, titles: list[str], url: str) -> list[str]:
    """SIGKILL one Ray worker running each of ``titles`` (in turn) while ``run`` goes on; the titles killed."""
    killed: list[str] = []
    deadline = time.monotonic() + 120
    for title in titles:
        while run.is_alive() and time.monotonic() < deadline:
            pids = ray_processes(title)
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(title)
                time.sleep(0.5)
                break
            time.sleep(0.005)
    return killed


@pytest.mark.postgres
def test_workers_killed_mid_task_are_retried_without_duplicates(tmp_path: Path, pg_url: str) -> None:
    archive = [str(big_archive(tmp_path / "big.warc.gz", 240))]
    result: list[BatchReport] = []
    run = threading.Thread(target=lambda: result.append(batch_run(archive, pg_url, "ray", chunk_records=16)))
    run.start()
    killed = _kill_during(run, ["_store", "_extract", "Enricher", "_store"], pg_url)
    run.join(300)
    assert not run.is_alive()
    assert killed == ["_store", "_extract", "Enricher", "_store"], "the run ended before every kill: make it longer"
    with pg_schema() as local_url:
        local = batch_run(archive, local_url, "local", chunk_records=16)
        assert result[0].summary() == local.summary() == "ingested=240 updated=24 unchanged=0 failed=0"
        # Enrich counts are left out: a retried actor call counts what the retry did (stories: none)
        counts = [(r.read, r.extracted, r.stored, len(r.failures)) for r in (result[0], local)]
        assert counts[0] == counts[1]
        assert_whole(pg_url)
        assert_same_dump(pg_url, local_url)


def test_progress_is_reported_per_chunk(tmp_path: Path) -> None:
    seen: list[tuple[int, int, int]] = []
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'p.db'}", batch=BatchSettings(engine="ray", chunk_records=8)
    )
    store = open_store(settings.database_url)
    report = run_batch(
        make_inputs(tmp_path), store, settings, on_progress=lambda r: seen.append((r.read, r.extracted, r.stored))
    )
    store.close()
    assert seen[-1] == (report.read, report.extracted, report.stored) == (76, 71, 71)
    assert len(seen) > 5 and seen == sorted(seen)


def test_cli_batch_joins_a_running_cluster_by_address(tmp_path: Path, pg_url: str) -> None:
    address = ray.get_runtime_context().gcs_address
    paths = make_inputs(tmp_path)
    cmd = [*veracity_command(), "batch", *paths, "--engine", "ray", "--address", address, "--db", pg_url]
    cmd += ["--now", "2024-11-06T12:00:00"]
    done = subprocess.run(cmd, capture_output=True, timeout=300, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().strip().splitlines()[-1] == "ingested=25 updated=43 unchanged=3 failed=5"
    assert "read=76 extracted=71 stored=71 failed=5" in done.stderr.decode()
    with pg_schema() as local_url:
        batch_run(paths, local_url, "local", chunk_records=64)
        assert canonical_dump(pg_url) == canonical_dump(local_url)


def test_a_cluster_that_cannot_be_reached_is_a_clear_error(tmp_path: Path) -> None:
    cmd = [*veracity_command(), "batch", str(tmp_path), "--engine", "ray", "--address", "127.0.0.1:9"]
    cmd += ["--db", f"sqlite:///{tmp_path / 'x.db'}"]
    done = subprocess.run(cmd, capture_output=True, timeout=300, check=False, cwd=ROOT)
    assert done.returncode != 0
    assert "cannot reach the Ray cluster" in done.stderr.decode()


def test_run_on_ray_keeps_per_host_politeness_across_the_cluster(tmp_path: Path) -> None:
    """Article fetches of one pass spread over tasks on both CPUs, yet one host never sees two
    requests at once nor two starts closer than ``min_host_delay``: one limiter actor for all."""
    from veracity.batch.crawl import RayFetchDue

    server = Server()
    try:
        site = Site(server)
        starts: list[tuple[float, float]] = []
        lock = threading.Lock()
        for n in range(10):
            site.add(n)
            path = f"/news/{n:04d}-harbour-story"

            def timed(h: Any, inner: Any = site._article) -> None:
                began = time.monotonic()
                time.sleep(0.05)  # a slow page: overlapping requests would show
                inner(h)
                with lock:
                    starts.append((began, time.monotonic()))

            server.route(path, timed)
        url = f"sqlite:///{tmp_path / 'crawl.db'}"
        settings = crawl_settings(url)
        settings = replace(
            settings,
            fetch=replace(settings.fetch, max_per_host=1, min_host_delay=0.2),
            batch=BatchSettings(engine="ray", chunk_records=2),
        )
        store = open_store(url)
        SourceStore(store.engine).add_outlet(
            OutletInfo("Loopback Gazette", "127.0.0.1", "GB", "en", "news", (FeedInfo(site.url("/feed.xml"), "rss"),)),
            SEEN,
            settings.crawl.poll_interval,
        )
        hook = RayFetchDue(settings)
        report = Crawler(store, settings, workers=2, fetch_due_with=hook).run_once(SEEN)
        hook.close()
        assert report.summary() == "ingested=10 updated=0 unchanged=0 failed=0"
        assert len(store.latest()) == 10
        store.close()
    finally:
        server.close()
    starts.sort()
    assert len(starts) == 10
    # Times are taken by the server when a request arrives, so each carries the worker's own
    # scheduling delay (a few ms, more on a loaded machine); without the shared limiter two
    # workers' requests would start together (gap about 0), so 0.05 s of slack still tells.
    for (a_start, a_end), (b_start, _) in itertools.pairwise(starts):
        assert b_start >= a_end - 0.01, "two requests to one host at once"
        assert b_start - a_start >= 0.2 - 0.05, "two starts closer than min_host_delay"


def test_cli_run_once_on_ray(tmp_path: Path) -> None:
    """``veracity run --engine ray --once`` joins the cluster and crawls through its tasks."""
    server = Server()
    try:
        site = Site(server)
        for n in range(4):
            site.add(n)
        url = f"sqlite:///{tmp_path / 'run.db'}"
        store = open_store(url)
        SourceStore(store.engine).add_outlet(
            OutletInfo("Loopback Gazette", "127.0.0.1", "GB", "en", "news", (FeedInfo(site.url("/feed.xml"), "rss"),)),
            SEEN,
            1800,
        )
        store.close()
        env = {**os.environ, "VERACITY_ALLOW_NETWORKS": "127.0.0.1/32", "VERACITY_MIN_HOST_DELAY": "0"}
        address = ray.get_runtime_context().gcs_address
        cmd = [*veracity_command(), "run", "--once", "--engine", "ray", "--address", address, "--db", url]
        done = subprocess.run(cmd, capture_output=True, timeout=300, check=False, cwd=ROOT, env=env)
        assert done.returncode == 0, done.stderr.decode()
        assert done.stdout.decode().strip().splitlines()[-1] == "ingested=4 updated=0 unchanged=0 failed=0"
        assert all(server.hits(f"/news/{n:04d}-harbour-story") == 1 for n in range(4))
    finally:
        server.close()
