"""Throughput of ``veracity batch`` with 1 and 2 Ray workers and with the local engine, in one run.

Builds the same CC-NEWS style ``.warc.gz`` as bench/ingest_warc.py (the article extraction
benchmark's pages repeated under new URIs, ``--size-mb`` uncompressed), then measures on
it, each in a fresh child process and a fresh SQLite database:

* bare: fastwarc + ``trafilatura.bare_extraction`` (the reference of bench/ingest_warc.py);
* ingest: ``veracity ingest`` (today's single-process path);
* local: ``veracity batch --engine local`` (the same stage functions, chunked, enrich hook);
* ray-1, ray-2: ``run_batch`` on a local Ray cluster of 1 and 2 CPUs (one worker per CPU).
  The cluster is started and its workers warmed up (veracity, trafilatura and spaCy's model loaded)
  before the clock starts: joining a running cluster is what a deployment does, and the
  start-up (about 10 s here) would otherwise swamp a small archive.

Printed: records/s of each, the ray-2/ray-1 speed-up (goal >= 1.7), the local engine's
overhead against ``ingest`` and bare extraction, and peak RSS per Ray worker (VmHWM of
each worker process), which chunking bounds whatever the archive's size. The machine's
load average is printed too: on a shared machine the speed-up is what the free cores allow.

    .venv/bin/python bench/batch_ray.py [--size-mb 100] [--out DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_warc import (
    MB,
    SUMMARY,
    Run,
    build_archive,
    data_dir,
    load_pages,
    log,
    measure,
    run_bare,
    run_pipeline,
    veracity_command,
)
from procs import descendants, peak_rss_mb

from veracity.settings import Settings

SPEEDUP_GOAL = 1.7


def ray_child(cpus: int, archive: Path, db: Path) -> int:
    """Start a cluster of ``cpus`` CPUs, warm it up, then time one batch; print one JSON line."""
    import ray

    from veracity.batch.run import run_batch
    from veracity.settings import Settings
    from veracity.store.sql import open_store

    ray.init(num_cpus=cpus, include_dashboard=False, object_store_memory=256 * MB, logging_level="warning")

    @ray.remote(num_cpus=1)
    def warm() -> int:
        import trafilatura  # noqa: F401

        import veracity.batch.stages  # noqa: F401
        from veracity.analysis import nlp

        nlp.load()  # the analysis stage runs in the store tasks: its model is loaded once a worker
        time.sleep(0.5)
        return os.getpid()

    ray.get([warm.remote() for _ in range(2 * cpus)])
    settings = Settings.from_env(database_url=f"sqlite:///{db}")
    settings = replace(settings, batch=replace(settings.batch, engine="ray"))
    store = open_store(settings.database_url)
    cpu_before = _tree_cpu()
    start = time.perf_counter()
    report = run_batch([str(archive)], store, settings)
    seconds = time.perf_counter() - start
    cpu_after = _tree_cpu()
    cpu = sum(t - cpu_before.get(pid, 0.0) for pid, t in cpu_after.items())
    driver_cpu = cpu_after[os.getpid()] - cpu_before[os.getpid()]
    store.close()
    agents = (b"ray::DashboardAgent", b"ray::RuntimeEnvAgent")
    workers = descendants(lambda name: name.startswith(b"ray::") and not name.startswith(agents))
    worker_rss = [peak_rss_mb(pid) for pid in workers]
    ray.shutdown()
    result = {
        "seconds": seconds,
        "summary": report.summary(),
        "stages": report.stage_line(),
        "workers": len(workers),
        "cpu_seconds": cpu,
        "driver_cpu_seconds": driver_cpu,
        "worker_peak_rss_mb": max(worker_rss, default=0.0),
        "driver_peak_rss_mb": peak_rss_mb("self"),
    }
    print(json.dumps(result))
    return 0


def _tree_cpu() -> dict[int, float]:
    """CPU seconds (user + system) of this process and each of its descendants (Ray's own included)."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, float] = {}
    for pid in [os.getpid(), *descendants(lambda name: True)]:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            out[pid] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, ValueError, IndexError):
            continue
    return out


def run_ray(cpus: int, archive: Path, work: Path, records: int) -> tuple[Run, dict[str, Any]]:
    db = work / f"ray{cpus}.db"
    for leftover in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        leftover.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--ray-child", str(cpus), str(archive), str(db)]
    run, out = measure(f"ray-{cpus}", cmd, work / f"ray{cpus}.out", work / f"ray{cpus}.err")
    if run.returncode != 0:
        raise SystemExit(f"error: the ray-{cpus} run failed (exit {run.returncode}); see {work / f'ray{cpus}.err'}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    run.wall = result["seconds"]  # the timed batch, the cluster's start excluded
    run.cpu = result["cpu_seconds"]  # of the driver and every process of the cluster, in that time
    run.records = records
    ingested, updated, unchanged, failed = (int(g) for g in SUMMARY.search(result["summary"]).groups())  # type: ignore[union-attr]
    run.articles, run.failed = ingested + updated + unchanged, failed
    run.peak_rss_mb = result["worker_peak_rss_mb"]
    return run, result


def run_local(archive: Path, work: Path, records: int) -> Run:
    db = work / "local.db"
    for leftover in (db, db.with_name("local.db-wal"), db.with_name("local.db-shm")):
        leftover.unlink(missing_ok=True)
    cmd = [*veracity_command(), "batch", str(archive), "--engine", "local", "--db", f"sqlite:///{db}"]
    run, out = measure("local", cmd, work / "local.out", work / "local.err")
    match = SUMMARY.search(out)
    if match is None:
        raise SystemExit(f"error: `veracity batch` printed no summary line; see {work / 'local.err'}")
    ingested, updated, unchanged, failed = (int(g) for g in match.groups())
    run.records, run.articles, run.failed = records, ingested + updated + unchanged, failed
    return run


def report(runs: dict[str, Run], ray_results: dict[str, dict[str, Any]]) -> tuple[str, dict[str, float]]:
    rate = {name: r.records_per_s for name, r in runs.items()}
    speedup = rate["ray-2"] / rate["ray-1"] if rate["ray-1"] else 0.0
    per_core = rate["ray-2"] - rate["ray-1"]
    figures = {
        "speedup_2_over_1": speedup,
        "records_per_s": rate,  # type: ignore[dict-item]
        "added_core_records_per_s": per_core,
        "local_over_ingest": rate["local"] / rate["ingest"],
        "local_over_bare": rate["local"] / rate["bare"],
        "ingest_over_bare": rate["ingest"] / rate["bare"],
        "worker_peak_rss_mb": max(r["worker_peak_rss_mb"] for r in ray_results.values()),
        "driver_peak_rss_mb": max(r["driver_peak_rss_mb"] for r in ray_results.values()),
        "load_average": os.getloadavg()[0],
    }
    cpu_ms = {name: r.cpu_per_record_ms for name, r in runs.items()}
    figures["cpu_ms_per_record"] = cpu_ms  # type: ignore[assignment]
    figures["projected_records_per_s_per_core"] = 1000 / cpu_ms["ray-2"] if cpu_ms["ray-2"] else 0.0
    # On 2 free cores: ray-1 is bound by its worker (the driver reads on the other core), ray-2 by
    # the whole cost on both cores: speed-up = 2 w / (w + d), w and d the CPU per record of the
    # cluster's processes and of the driver.
    r2 = ray_results["ray-2"]
    records = runs["ray-2"].records or 1
    d = 1000 * r2["driver_cpu_seconds"] / records
    w = cpu_ms["ray-2"] - d
    figures["driver_cpu_ms_per_record"], figures["worker_cpu_ms_per_record"] = d, w
    figures["projected_speedup_2_free_cores"] = 2 * w / (w + d) if w + d else 0.0
    head = f"{'run':>8} {'records':>8} {'failed':>7} {'seconds':>8} {'records/s':>10} {'cpu ms/rec':>11}"
    lines = [head + f" {'peak RSS MB':>12}"]
    for name, r in runs.items():
        lines.append(
            f"{name:>8} {r.records:>8} {r.failed:>7} {r.wall:>8.1f} {r.records_per_s:>10.2f}"
            f" {r.cpu_per_record_ms:>11.1f} {r.peak_rss_mb:>12.0f}"
        )
    mark = "ok" if speedup >= SPEEDUP_GOAL else "MISSED"
    lines += [
        "(ray-N: seconds of the batch on a started cluster; cpu: driver and every cluster process;"
        " peak RSS: the largest Ray worker's)",
        "",
        f"speed-up ray-2 / ray-1: {speedup:.2f}   goal >= {SPEEDUP_GOAL}: {mark}",
        f"added core: +{per_core:.2f} records/s ({100 * per_core / rate['ray-1']:.0f}% of one worker)"
        if rate["ray-1"]
        else "",
        f"local engine / ingest: {figures['local_over_ingest']:.2f}   local / bare: {figures['local_over_bare']:.2f}"
        f"   ingest / bare: {figures['ingest_over_bare']:.2f}",
        f"CPU-bound projection: {figures['projected_records_per_s_per_core']:.1f} records/s per free core"
        f" (1000 / ray-2 cpu ms per record, driver and Ray's own processes included)",
        f"ray-2 CPU per record: driver {d:.1f} ms, workers and Ray {w:.1f} ms; projected speed-up on 2 free"
        f" cores 2w/(w+d) = {figures['projected_speedup_2_free_cores']:.2f}",
        f"peak RSS per Ray worker: {figures['worker_peak_rss_mb']:.0f} MB"
        f"   driver: {figures['driver_peak_rss_mb']:.0f} MB",
        f"load average now: {figures['load_average']:.2f} on {os.cpu_count()} CPUs (other work shares the machine)",
    ]
    return "\n".join(lines), figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="veracity batch throughput: local engine, 1 and 2 Ray workers.")
    parser.add_argument("--size-mb", type=float, default=100, help="uncompressed archive size in MB (default 100)")
    parser.add_argument("--out", type=Path, help="folder for the archive, databases and logs (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--ray-child", nargs=3, metavar=("CPUS", "ARCHIVE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.ray_child:
        cpus, archive, db = args.ray_child
        return ray_child(int(cpus), Path(archive), Path(db))

    pages = load_pages(data_dir())
    work = Path(tempfile.mkdtemp(prefix="veracity-bench-ray-")) if args.out is None else args.out.resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        archive = build_archive(pages, work / "bench.warc.gz", args.size_mb)
        log(f"archive: {archive.records} records, {archive.raw_bytes / MB:.0f} MB, {archive.gz_bytes / MB:.1f} MB gz")
        runs: dict[str, Run] = {}
        ray_results: dict[str, dict[str, Any]] = {}
        for name in ("bare", "ingest", "local", "ray-1", "ray-2"):
            log(f"{name} ...")
            if name == "bare":
                runs[name] = run_bare(archive.path, work, None)
            elif name == "ingest":
                # the stages the batch runs use (Settings.from_env: VERACITY_STAGES, else all)
                stages = ",".join(Settings.from_env().stages) or "none"
                runs[name] = run_pipeline(archive.path, work, archive.records, stages)
            elif name == "local":
                runs[name] = run_local(archive.path, work, archive.records)
            else:
                runs[name], ray_results[name] = run_ray(int(name[-1]), archive.path, work, archive.records)
            log(f"{name}: {runs[name].records_per_s:.2f} records/s")
        text, figures = report(runs, ray_results)
        print(text)
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    finally:
        if args.out is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
