"""The Dask path of :func:`autograder.grading.scheduler.run_jobs`: jobs on a Dask distributed cluster.

A cluster is started the ordinary way (``dask scheduler`` on one machine, ``dask worker
tcp://HOST:8786 --nworkers N --nthreads 1`` on each grading machine, or dask-jobqueue on Slurm;
the README's "Grading on a cluster" says how). This module only talks to it as a client:

- jobs are prepared (``prepare``: for grading, the submission packed into bytes) here, just
  before each is submitted, and only about twice as many as the cluster has threads are in
  flight, so a class of 500 folders is never all in memory (or on the scheduler) at once;
- each job is submitted once, as its own task (``pure=False``: two equal jobs stay two tasks);
  when a worker dies (killed, out of memory, its machine gone) the Dask scheduler runs the tasks
  it held again on another worker, and only a task that was on more than
  ``distributed.scheduler.allowed-failures`` (3) dying workers fails, with ``KilledWorker``,
  which ``on_error`` turns into that job's result (a grader error for that student alone);
- every job is yielded exactly once: a result is taken from the first future of its job that
  finishes, and the job is then forgotten. Execution is at least once, as Dask's: a worker lost
  just after a job finished there, before the scheduler has processed the release of its result,
  runs that job again elsewhere, and that second result is discarded (never a second grade);
- a scheduler that does not answer is a one-line ``ValueError`` (``course grade`` prints it);
- when the caller stops early (the gradebook went away), the client closes, which releases every
  task: queued ones never start, running ones finish on their worker and are discarded.
"""

from __future__ import annotations

from typing import Callable, Iterator, Sequence, TypeVar

J = TypeVar("J")
R = TypeVar("R")

CONNECT_SECONDS = 30
MIN_IN_FLIGHT = 4


def address_of(scheduler: str) -> str:
    """``dask://host:port`` -> ``tcp://host:port`` (Dask's own spelling); others unchanged."""
    return scheduler.replace("dask://", "tcp://", 1)


def connect(scheduler: str, workers: int):
    """A Client of the cluster (a throw-away LocalCluster for ``dask-local``), and that cluster."""
    from distributed import Client, LocalCluster

    if scheduler == "dask-local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster), cluster
    address = address_of(scheduler)
    try:
        return Client(address, timeout=CONNECT_SECONDS), None
    except (OSError, TimeoutError) as exc:
        raise ValueError(f"no Dask scheduler answered at {address} within {CONNECT_SECONDS} s ({type(exc).__name__}): "
                         "start one there (`dask scheduler`) or check the address.") from None


def in_flight(client) -> int:
    """How many jobs to keep submitted: twice the cluster's threads now (workers may come and go)."""
    try:
        threads = sum(client.nthreads().values())
    except Exception:  # noqa: BLE001 - a transient scheduler hiccup: keep the floor
        threads = 0
    return max(MIN_IN_FLIGHT, 2 * threads)


def run_dask(fn: Callable[[J], R], jobs: Sequence[J], workers: int, on_error: Callable[[J, BaseException], R],
             scheduler: str, prepare: Callable[[J], J] | None = None) -> Iterator[tuple[J, R]]:
    """Yield ``(job, fn(prepare(job)))`` for every job, in completion order, each exactly once."""
    from distributed import as_completed

    client, cluster = connect(scheduler, workers)
    try:
        waiting = list(jobs)[::-1]      # popped from the end: the jobs' own order
        owner: dict[str, J] = {}        # future key -> the caller's job
        finished = as_completed()

        def top_up() -> Iterator[tuple[J, R]]:
            limit = in_flight(client)
            while waiting and len(owner) < limit:
                job = waiting.pop()
                try:
                    shipped = prepare(job) if prepare is not None else job
                except Exception as exc:  # noqa: BLE001 - this job cannot be sent: its own failure
                    yield job, on_error(job, exc)
                    continue
                future = client.submit(fn, shipped, pure=False)
                owner[future.key] = job
                finished.add(future)

        yield from top_up()
        while owner:
            future = next(finished)
            job = owner.pop(future.key, None)
            if job is None:
                continue  # not ours any more (already yielded)
            try:
                value = future.result()
            except Exception as exc:  # noqa: BLE001 - includes KilledWorker (a job that killed 4 workers)
                value = on_error(job, exc)
            future.release()
            yield job, value
            yield from top_up()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
