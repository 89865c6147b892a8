"""The Ray engine on a two-node cluster on one machine (``ray.cluster_utils.Cluster``).

Each node has one CPU, so the chunks' tasks run on both; the database must equal what
the local engine writes from the same input, on the real PostgreSQL server.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

import batch.support
from batch.support import assert_same_dump, make_inputs, member_stage
from conftest import pg_schema
from ingest.ingest_helpers import assert_whole
from veracity.batch.run import run_batch
from veracity.batch.settings import BatchSettings
from veracity.enrich import stages
from veracity.settings import Settings
from veracity.store.sql import open_store

ray = pytest.importorskip("ray")
cluster_utils = pytest.importorskip("ray.cluster_utils")

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

NODE = {"num_cpus": 1, "object_store_memory": 80 * 1024 * 1024, "include_dashboard": False}


@pytest.fixture(scope="module")
def two_nodes() -> Iterator[list[str]]:
    ray.cloudpickle.register_pickle_by_value(batch.support)
    cluster = cluster_utils.Cluster(initialize_head=True, head_node_args=NODE)
    cluster.add_node(num_cpus=1, object_store_memory=80 * 1024 * 1024)
    ray.init(address=cluster.address, logging_level="warning")
    cluster.wait_for_nodes()
    yield [n["NodeID"] for n in ray.nodes() if n["Alive"]]
    ray.shutdown()
    cluster.shutdown()


@ray.remote(num_cpus=1)
def _where() -> str:
    import time

    time.sleep(0.5)  # held long enough that two of these cannot share one node's single CPU
    return str(ray.get_runtime_context().get_node_id())


def test_two_nodes_give_the_database_of_one_process(two_nodes: list[str], tmp_path: Path, pg_url: str) -> None:
    assert len(two_nodes) == 2
    assert {*ray.get([_where.remote(), _where.remote()])} == set(two_nodes)  # both nodes take tasks

    paths = make_inputs(tmp_path)
    reports = []
    with pg_schema() as local_url:
        for url, engine in ((pg_url, "ray"), (local_url, "local")):
            settings = Settings(database_url=url, batch=BatchSettings(engine=engine, chunk_records=4, in_flight=12))
            store = open_store(url)
            reports.append(
                run_batch(paths, store, settings, seen_at=datetime(2024, 11, 6, 12), stages=[*stages(), member_stage])
            )
            store.close()
        assert reports[0].summary() == reports[1].summary() == "ingested=25 updated=43 unchanged=3 failed=5"
        assert reports[0].stage_line() == reports[1].stage_line()
        assert_whole(pg_url)
        assert_same_dump(pg_url, local_url)
