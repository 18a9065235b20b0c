"""Does a loopback Dask cluster die with the process that started it, however that one ends?

A test run killed mid-way (SIGKILL: no ``finally``, no fixture teardown) once left its
``dask scheduler`` and workers running. Here a child process starts a cluster, is killed
with SIGKILL, and every process of that cluster must be gone within seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.grading.loopback_cluster import START_SECONDS

REPO = Path(__file__).resolve().parents[1]
STARTER = """
import json, sys, time
from pathlib import Path
from autograder.grading.loopback_cluster import LoopbackCluster

cluster = LoopbackCluster(Path(sys.argv[1]), workers=1)
print(json.dumps([p.pid for p in cluster.processes] + sorted(cluster.worker_pids())), flush=True)
time.sleep(600)
"""


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its reaper counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_cluster_dies_when_the_process_that_started_it_is_killed(tmp_path: Path) -> None:
    """SIGKILL the process that started a scheduler and a worker: are they all gone in 15 s?"""
    starter = subprocess.Popen([sys.executable, "-c", STARTER, str(tmp_path / "cluster")], cwd=REPO,
                               stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        line = starter.stdout.readline()  # the cluster's own start is bounded by START_SECONDS
        assert line, f"the cluster did not start within {START_SECONDS} s"
        pids = json.loads(line)
        assert len(pids) == 3 and all(alive(pid) for pid in pids)  # scheduler, `dask worker`, its worker
    finally:
        starter.kill()
        starter.wait(timeout=30)
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [pid for pid in pids if alive(pid)]
    for pid in left:  # never leave them behind, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left, f"still running after their starter was killed: {left}"
