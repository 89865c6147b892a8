"""This process's descendants read from /proc: finding Ray's worker processes and their peak memory.

Shared by bench/batch_ray.py (CPU and peak RSS of every cluster process) and the batch
tests (SIGKILL a worker running a given task). psutil is not a dependency, and these
three reads of /proc are all either needs.
"""

from __future__ import annotations

import os
from collections.abc import Callable


def descendants(match: Callable[[bytes], bool]) -> list[int]:
    """Pids of this process's descendants whose process title (argv[0]) satisfies ``match``."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                name = fh.read().split(b"\0")[0]
        except OSError:
            continue
        if match(name) and descends(int(entry), me):
            found.append(int(entry))
    return found


def descends(pid: int, ancestor: int) -> bool:
    """True when ``ancestor`` is ``pid`` or one of its parents."""
    while pid > 1:
        if pid == ancestor:
            return True
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
                pid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return False
    return False


def peak_rss_mb(pid: int | str) -> float:
    """VmHWM of a process (``"self"`` for this one) in MB; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0
