"""A Dask cluster on this machine, started the ordinary way, for tests and benchmarks.

Why: the Dask path must be tried against a real cluster (``dask scheduler`` and
``dask worker`` as separate processes, as a university's IT would start them), not
``distributed.LocalCluster`` in the grader's own process. Both the cluster tests and
the throughput benchmark need one on 127.0.0.1 that they can start, kill workers of,
and always tear down; each process is the leader of its own process group, so the
``--nworkers`` children go with it.

They also die with the process that started them, however it ends (a test run killed
mid-way once left its scheduler and workers running): on Linux each is started with
``PR_SET_PDEATHSIG`` (SIGKILL when its parent thread dies), and the workers that ``dask
worker`` forks exit when it does (Dask's nanny watches its parent through a pipe).
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

START_SECONDS = 180


def die_with_parent(parent: int) -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the child killed when ``parent`` (the caller's thread) dies;
    None where ``prctl`` is not available (not Linux)."""
    if not sys.platform.startswith("linux"):
        return None

    def arm() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return arm


class LoopbackCluster:
    """``dask scheduler`` + ``dask worker --nworkers N --nthreads 1`` on 127.0.0.1.

    folder: where the scheduler file, the logs and the workers' scratch space go.
    import_path: folders put on the processes' ``PYTHONPATH`` (where the functions a
    test submits are imported from by name).
    """

    def __init__(self, folder: Path, workers: int, import_path: tuple[Path, ...] = ()) -> None:
        self.folder = folder
        self.processes: list[subprocess.Popen] = []
        folder.mkdir(parents=True, exist_ok=True)
        dask = str(Path(sys.executable).parent / "dask")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([*map(str, import_path),
                                                            os.environ.get("PYTHONPATH", "")])}
        scheduler_file = folder / "scheduler.json"
        deadline = time.monotonic() + START_SECONDS
        try:
            self._start([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                         "--scheduler-file", str(scheduler_file)], env, "scheduler.log")
            while not scheduler_file.exists():
                self._check(deadline, "the scheduler did not write its address")
            self.address: str = json.loads(scheduler_file.read_text())["address"]
            self._start([dask, "worker", self.address, "--nworkers", str(workers), "--nthreads", "1",
                         "--host", "127.0.0.1", "--no-dashboard", "--local-directory", str(folder / "workers")],
                        env, "workers.log")
            from distributed import Client

            with Client(self.address, timeout=START_SECONDS) as client:
                client.wait_for_workers(workers, timeout=max(1, deadline - time.monotonic()))
        except BaseException:
            self.close()
            raise

    def _start(self, command: list[str], env: dict[str, str], log: str) -> None:
        with open(self.folder / log, "wb") as stream:
            self.processes.append(subprocess.Popen(command, env=env, cwd=self.folder, stdout=stream,
                                                   stderr=subprocess.STDOUT, start_new_session=True,
                                                   preexec_fn=die_with_parent(os.getpid())))

    def _check(self, deadline: float, what: str) -> None:
        if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
            raise RuntimeError(f"{what}: {(self.folder / 'scheduler.log').read_text()[-2000:]}")
        time.sleep(0.2)

    def worker_pids(self) -> set[int]:
        """The process ids of the cluster's worker processes now."""
        from distributed import Client

        with Client(self.address, timeout=30) as client:
            return set(client.run(os.getpid).values())

    def close(self) -> None:
        """Stop the workers, then the scheduler (SIGTERM, then SIGKILL after 20 s)."""
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def __enter__(self) -> "LoopbackCluster":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
