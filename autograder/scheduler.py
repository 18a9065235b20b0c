"""Run one function over many jobs in parallel and hand back each outcome as it finishes.

Two back-ends, chosen by a scheduler string:

- ``"local"`` (default): a ``concurrent.futures.ProcessPoolExecutor`` on this
  machine. Workers are forked where the OS can (they start at once, with the
  parent's modules already imported; the parent holds no TensorFlow and no
  open work), spawned elsewhere.
- ``"dask://HOST:PORT"`` (or ``tcp://…``): the jobs go to a running Dask
  distributed scheduler, for a class too big for one machine; ``"dask-local"``
  starts a throw-away ``LocalCluster`` here (handy to try the Dask path).

Failures are data, not exceptions: a job whose function raises, or whose
worker process dies, is passed to ``on_error(job, exc)``, and the value it
returns is yielded for that job. When a local worker dies, Python marks the
whole pool broken and fails every pending job, so those jobs are re-run, each
alone in a fresh one-worker pool: only the job that kills its worker again is
reported as failed, and every other job still gets its real result.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterator, Sequence, TypeVar

J = TypeVar("J")
R = TypeVar("R")

DASK_PREFIXES = ("dask://", "tcp://", "tls://")


def describe(scheduler: str, workers: int) -> str:
    """One line for logs and reports: where the jobs run."""
    if scheduler == "local":
        return f"local process pool, {workers} worker(s)"
    if scheduler == "dask-local":
        return f"Dask LocalCluster, {workers} worker(s)"
    return f"Dask distributed at {scheduler}"


def run_jobs(fn: Callable[[J], R], jobs: Sequence[J], *, workers: int,
             on_error: Callable[[J, BaseException], R], scheduler: str = "local") -> Iterator[tuple[J, R]]:
    """Yield ``(job, fn(job))`` for every job, in completion order.

    fn and the jobs must be picklable (module-level function, plain data).
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}.")
    if scheduler == "local":
        yield from _run_local(fn, jobs, workers, on_error)
    elif scheduler == "dask-local" or scheduler.startswith(DASK_PREFIXES):
        yield from _run_dask(fn, jobs, workers, on_error, scheduler)
    else:
        raise ValueError(f"unknown scheduler {scheduler!r}: use 'local', 'dask-local' or dask://host:port.")


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _run_local(fn, jobs, workers, on_error):
    broken: list = []
    with ProcessPoolExecutor(max_workers=min(workers, max(len(jobs), 1)), mp_context=_context()) as pool:
        pending: dict[Future, object] = {pool.submit(fn, job): job for job in jobs}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                job = pending.pop(future)
                try:
                    yield job, future.result()
                except BrokenProcessPool:
                    broken.append(job)
                except Exception as exc:  # noqa: BLE001 - the job's own failure, reported as data
                    yield job, on_error(job, exc)
    if broken:
        yield from _run_isolated(fn, broken, workers, on_error)


def _run_alone(fn, job, on_error):
    """Run one job in its own one-worker pool, so its crash is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=_context()) as pool:
        try:
            return pool.submit(fn, job).result()
        except Exception as exc:  # noqa: BLE001 - includes BrokenProcessPool: the worker died
            return on_error(job, exc)


def _run_isolated(fn, jobs, workers, on_error):
    with ThreadPoolExecutor(max_workers=workers) as threads:
        futures = {threads.submit(_run_alone, fn, job, on_error): job for job in jobs}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield futures[future], future.result()


def _run_dask(fn, jobs, workers, on_error, scheduler):
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "dask-local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        address = cluster
    else:
        address = scheduler.replace("dask://", "tcp://", 1)
    try:
        with Client(address) as client:
            futures = {client.submit(fn, job, pure=False): job for job in jobs}
            for future in as_completed(futures):
                job = futures[future]
                try:
                    yield job, future.result()
                except Exception as exc:  # noqa: BLE001 - includes KilledWorker
                    yield job, on_error(job, exc)
    finally:
        if cluster is not None:
            cluster.close()
