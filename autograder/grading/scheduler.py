"""Run one function over many jobs in parallel and hand back each outcome as it finishes.

Two back-ends, chosen by a scheduler string:

- ``"local"`` (default): a ``concurrent.futures.ProcessPoolExecutor`` on this
  machine. Workers are forked where the OS can (they start at once, with the
  parent's modules already imported; the parent holds no TensorFlow and no
  open work), spawned elsewhere.
- ``"dask://HOST:PORT"`` (or ``tcp://…``, ``tls://…``): the jobs go to a running Dask
  distributed scheduler, for a class too big for one machine; ``"dask-local"``
  starts a throw-away ``LocalCluster`` here (handy to try the Dask path). See
  :mod:`autograder.grading.cluster`: jobs are prepared (packed) lazily, a few in flight,
  and a worker that dies has its jobs run again elsewhere by Dask itself.

Failures are data, not exceptions: a job whose function raises, or whose
worker process dies, is passed to ``on_error(job, exc)``, and the value it
returns is yielded for that job. When a local worker dies, Python marks the
whole pool broken and fails every pending job, so those jobs are re-run, each
alone in a fresh one-worker pool: only the job that kills its worker again is
reported as failed, and every other job still gets its real result.

Every job has a clock (``job_seconds``), on every back-end alike: the job runs in a thread of
its worker, which waits for it at most that long, then interrupts it (an exception raised in
the thread at its next Python instruction, so its ``finally`` blocks clean up) and gives up on
it with :class:`JobTimeout`, passed to ``on_error`` as any failure is. The worker is free at
once for the next job; a job stuck in C code keeps its (daemon) thread until its worker exits.
"""

from __future__ import annotations

import ctypes
import functools
import multiprocessing
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterator, Sequence, TypeVar

J = TypeVar("J")
R = TypeVar("R")

DASK_PREFIXES = ("dask://", "tcp://", "tls://")
INTERRUPT_GRACE_SECONDS = 5.0  # how long an interrupted job may take to unwind before it is left behind


class JobTimeout(Exception):
    """A job ran past its time bound; its worker stopped waiting for it (picklable: it crosses
    process and machine boundaries)."""

    def __init__(self, seconds: float = 0.0) -> None:
        super().__init__(seconds)
        self.seconds = float(seconds)

    def __str__(self) -> str:
        return f"the job ran longer than its bound of {self.seconds:g} s"


def bounded(fn: Callable[[J], R], seconds: float) -> Callable[[J], R]:
    """``fn`` with a clock: the returned (picklable) callable raises :class:`JobTimeout` when
    ``fn(job)`` runs longer than ``seconds`` (see the module doc)."""
    if seconds <= 0:
        raise ValueError(f"a job's time bound must be positive, got {seconds}.")
    return functools.partial(_call_bounded, fn, float(seconds))


def _call_bounded(fn: Callable[[J], R], seconds: float, job: J) -> R:
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = fn(job)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller as it is
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="bounded-job", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        _interrupt(thread)
        thread.join(INTERRUPT_GRACE_SECONDS)
        raise JobTimeout(seconds)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def _interrupt(thread: threading.Thread) -> None:
    """Raise JobTimeout in ``thread`` at its next Python instruction (CPython's async exception)."""
    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(JobTimeout))


def describe(scheduler: str, workers: int) -> str:
    """One line for logs and reports: where the jobs run."""
    if scheduler == "local":
        return f"local process pool, {workers} worker(s)"
    if scheduler == "dask-local":
        return f"Dask LocalCluster, {workers} worker(s)"
    return f"Dask distributed at {scheduler}"


def run_jobs(fn: Callable[[J], R], jobs: Sequence[J], *, workers: int,
             on_error: Callable[[J, BaseException], R], scheduler: str = "local",
             prepare: Callable[[J], J] | None = None, job_seconds: float | None = None
             ) -> Iterator[tuple[J, R]]:
    """Yield ``(job, fn(job))`` for every job, in completion order, each job exactly once.

    fn and the jobs must be picklable (module-level function, plain data). ``prepare`` turns a
    job into what a Dask worker is sent (for grading: the submission packed into bytes); it runs
    here, in this process, just before that job is submitted, and an exception it raises is that
    job's failure (``on_error``). The local pool gets the jobs as they are. ``job_seconds``: each
    job's time bound (None: none); a job over it is ``on_error(job, JobTimeout(...))``.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}.")
    if job_seconds is not None:
        fn = bounded(fn, job_seconds)
    if scheduler == "local":
        yield from _run_local(fn, jobs, workers, on_error)
    elif scheduler == "dask-local" or scheduler.startswith(DASK_PREFIXES):
        from autograder.grading.cluster import run_dask

        yield from run_dask(fn, jobs, workers, on_error, scheduler, prepare)
    else:
        raise ValueError(f"unknown scheduler {scheduler!r}: use 'local', 'dask-local' or dask://host:port.")


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _run_local(fn, jobs, workers, on_error):
    broken: list = []
    with ProcessPoolExecutor(max_workers=min(workers, max(len(jobs), 1)), mp_context=_context()) as pool:
        pending: dict[Future, object] = {pool.submit(fn, job): job for job in jobs}
        try:
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
        finally:  # the caller stopped (e.g. the gradebook went away): start no queued job
            if pending:
                pool.shutdown(wait=True, cancel_futures=True)
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
