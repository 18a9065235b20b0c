"""Submissions per minute on a Dask cluster of 1, 2 and 4 workers, and what the Dask path costs.

Why: ``course grade --scheduler tcp://…`` spreads a class over machines, at a price per
submission (packing the folder, the scheduler's round trips, unpacking on the worker) that the
local process pool does not pay. This script measures, in one run on one machine:

- ``real``: 00_setup notebooks (solution, blank, partial, buggy, repeated to ``--students``) graded
  by the real pipeline on a loopback cluster of ``dask scheduler`` + ``dask worker --nworkers N
  --nthreads 1`` for each N of ``--workers``: submissions per minute and the ratio to 1 worker;
- ``overhead``: ``--overhead-students`` submissions graded by a stand-in that does nothing
  (so only the orchestration is timed) on the local pool and on a 2-worker cluster; the
  difference per submission is the Dask path's own cost.

The cluster is started fresh for each N and its start-up is not timed. On a machine with fewer
cores than workers, more workers cannot go faster (the JSON records the cores and the load).

Usage::

    COURSE_PROFILE=smoke .venv/bin/python benchmarks/dask_throughput.py --students 4 --workers 1 2 4
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from autograder.grading.loopback_cluster import LoopbackCluster

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "00_setup"


def idle_grade(assignment: str, submission_dir: Path, *, student: str, course_root: Path, work_dir: Path):
    """The stand-in of the overhead measure: a graded zero at once (reads nothing, runs nothing)."""
    from autograder.records.results import Outcome, SubmissionResult

    return SubmissionResult(student=student, assignment=assignment, outcome=Outcome.GRADED, profile="smoke")


def timed(submissions: Path, out: Path, scheduler: str, workers: int, grade_fn=None, root: Path = ROOT) -> dict:
    from autograder.grading import grade_class as grading

    started = time.perf_counter()
    graded = grading.grade_class(ASSIGNMENT, submissions, workers=workers, out_dir=out, root=root,
                                 scheduler=scheduler, grade_fn=grade_fn, progress=False, force=True)
    seconds = time.perf_counter() - started
    count = len(graded.results)
    return {"workers": workers, "submissions": count, "seconds": round(seconds, 2),
            "submissions_per_minute": round(60 * count / seconds, 2),
            "scores": {r.student: r.score for r in graded.results},
            "outcomes": sorted({r.outcome.value for r in graded.results})}


def overhead(folder: Path, students: int) -> dict:
    """Seconds per submission of the orchestration alone: local pool vs a 2-worker Dask cluster."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from dask_throughput import idle_grade as importable  # workers import it by this name

    for index in range(students):
        (folder / "class" / f"s{index:03d}").mkdir(parents=True)
        (folder / "class" / f"s{index:03d}" / f"{ASSIGNMENT}.ipynb").write_bytes(os.urandom(16 * 1024))
    local = timed(folder / "class", folder / "out_local", "local", 2, importable)
    with LoopbackCluster(folder / "cluster", 2, import_path=(ROOT / "benchmarks",)) as cluster:
        dask = timed(folder / "class", folder / "out_dask", cluster.address, 2, importable)
    per = {name: run["seconds"] / run["submissions"] for name, run in (("local", local), ("dask", dask))}
    return {"submissions": students, "folder_bytes": 16 * 1024, "workers": 2,
            "local_pool_seconds_per_submission": round(per["local"], 4),
            "dask_seconds_per_submission": round(per["dask"], 4),
            "dask_overhead_seconds_per_submission": round(per["dask"] - per["local"], 4)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8, help="real 00_setup submissions per cluster size")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--overhead-students", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("COURSE_BENCH_RESULTS")
                                                         or ROOT / "benchmarks" / "results"))
    args = parser.parse_args(argv)
    from course_utils.runtime import machine_facts, profile

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from grading_throughput import make_class

    record = {"benchmark": "dask_throughput", "assignment": ASSIGNMENT, "profile": profile(),
              "date": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine_facts(),
              "students": args.students, "cluster": "dask scheduler + dask worker --nthreads 1 on 127.0.0.1"}
    with tempfile.TemporaryDirectory(prefix="course-bench-dask-") as tmp:
        tmp = Path(tmp)
        make_class(tmp / "submissions", args.students)
        record["real"] = []
        for workers in args.workers:
            with LoopbackCluster(tmp / f"cluster_{workers}", workers, import_path=(ROOT / "benchmarks",)) as cluster:
                record["real"].append(timed(tmp / "submissions", tmp / f"out_{workers}", cluster.address, workers))
        record["overhead"] = overhead(tmp / "overhead", args.overhead_students)
    first = record["real"][0]
    for run in record["real"]:
        run["throughput_ratio_vs_first"] = round(run["submissions_per_minute"] / first["submissions_per_minute"], 2)
    record["same_scores_for_every_cluster_size"] = all(run["scores"] == first["scores"] for run in record["real"])
    record["load_average_at_end"] = list(os.getloadavg())
    record["note"] = (f"{os.cpu_count()} cores shared with other work (see the load averages): workers beyond the "
                      "free cores cannot raise the throughput here; on a cluster each worker is a machine's core.")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"dask_throughput_{record['profile']}.json"
    path.write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps({k: v for k, v in record.items() if k != "machine"}, indent=1))
    print(f"-> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
