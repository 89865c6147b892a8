"""Settings of ``veracity batch`` and of the Ray engine, a section of ``Settings`` (``Settings.batch``).

Each field is read from ``VERACITY_<FIELD>`` like every other setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from veracity.envconfig import from_env
from veracity.errors import ConfigError

ENGINES = ("local", "ray")


@dataclass(frozen=True, slots=True)
class BatchSettings:
    """How batches run, in-process or on a Ray cluster.

    Attributes:
        engine: ``local`` (stages run in this process, the default) or ``ray`` (stages run as
            Ray tasks and actors). Environment: ``VERACITY_ENGINE``.
        ray_address: the Ray cluster to join: ``ray://HOST:10001`` (Ray Client), ``auto`` (the
            cluster this machine is part of, as ``ray start`` made it) or empty: start a local
            cluster for the run (Ray's own ``RAY_ADDRESS`` is honoured when this is empty).
            Environment: ``VERACITY_RAY_ADDRESS``.
        chunk_records: items (WARC records, JSON Lines records, files) in one chunk, the unit
            of work of one task (64). Smaller chunks balance better and lose less to a killed
            worker; larger ones cost less scheduling.
        chunk_bytes: a chunk is closed early once its raw items hold this many bytes, so a
            worker's memory is bounded whatever the records' sizes (16 MiB).
        in_flight: chunks read but not yet stored at most (0: twice the cluster's CPUs, at
            least 4). This bounds the driver's and the object store's memory.
        ray_num_cpus: CPUs of a local cluster veracity starts (0: all of this machine's).
        ray_object_store_mb: object store size of a local cluster veracity starts, in MiB
            (0: Ray's default, 30% of memory). The store holds the chunks in flight only.
        progress_interval: seconds between two lines of stage counts on stderr when it is not
            a terminal (a terminal shows a progress bar instead) (10).
    """

    engine: str = "local"
    ray_address: str = ""
    chunk_records: int = 64
    chunk_bytes: int = 16 * 1024 * 1024
    in_flight: int = 0
    ray_num_cpus: int = 0
    ray_object_store_mb: int = 0
    progress_interval: float = 10.0

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ConfigError(f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}", "engine")
        if self.chunk_records < 1 or self.chunk_bytes < 1:
            raise ConfigError("chunk_records and chunk_bytes must be at least 1", "chunk_records")
        if self.in_flight < 0 or self.ray_num_cpus < 0 or self.ray_object_store_mb < 0:
            raise ConfigError("in_flight, ray_num_cpus and ray_object_store_mb cannot be negative", "in_flight")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> BatchSettings:
        """Defaults, then ``VERACITY_<FIELD>`` variables, then non-None ``overrides``."""
        return from_env(cls, environ, overrides)
