"""Seconds per submission: ``course grade`` vs plain ``nbgrader autograde``, and parallel speed-up.

Why: the course grader does more than nbgrader (a sandbox per submission,
hidden checks judged out of process, outcome classification, feedback pages),
and runs submissions in parallel where nbgrader grades one at a time. This
script measures what that costs and gains, on one machine, in one run, on the
same submissions, and writes ``benchmarks/results/grading_throughput_<profile>.json``
with the machine, the load it saw and the date.

The submissions are honest edits of the released 00_setup notebook (solution,
blank, partial and buggy, repeated to ``--students``), made by
``autograder.demo.class_demo``: hostile ones are left out because plain nbgrader has no
bounds to stop them. nbgrader runs in a temporary course of its own
(``nbgrader generate_assignment`` then ``nbgrader autograde``, its command line as a TA
would type it), where the hidden cells run the checks inline (instructor mode).

Usage::

    COURSE_PROFILE=smoke .venv/bin/python benchmarks/grading_throughput.py --students 6 --workers 1 2
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "00_setup"


def machine() -> dict:
    """Where the numbers come from (CPU model, cores, load when the run started)."""
    from course_utils.runtime import machine_facts

    return machine_facts()


def make_class(folder: Path, students: int) -> list[str]:
    """``folder/<student>/00_setup.ipynb``: solution, blank, partial, buggy, repeated."""
    from autograder.demo import class_demo as demo
    from autograder.submission import grade as submission

    ref = submission.reference(ASSIGNMENT, ROOT)
    ctx = demo.Context(ASSIGNMENT, ref.released, ref.source, ROOT, folder / "unused.db")
    kinds = [s for s in demo.CLASS if s.name in ("solution", "blank", "partial", "buggy")]
    names = []
    for index in range(students):
        kind = kinds[index % len(kinds)]
        name = f"{kind.name}_{index:02d}"
        (folder / name).mkdir(parents=True)
        nbformat.write(kind.build(ctx), str(folder / name / f"{ASSIGNMENT}.ipynb"))
        names.append(name)
    return names


def time_course_grade(submissions: Path, out: Path, workers: int) -> dict:
    from autograder.grading import grade_class as grading

    started = time.perf_counter()
    graded = grading.grade_class(ASSIGNMENT, submissions, workers=workers, out_dir=out, root=ROOT,
                                 progress=False, force=True)  # timed: every submission graded
    seconds = time.perf_counter() - started
    return {"workers": workers, "seconds": round(seconds, 2),
            "seconds_per_submission": round(seconds / len(graded.results), 2),
            "scores": {r.student: r.score for r in graded.results},
            "outcomes": sorted({r.outcome.value for r in graded.results})}


def time_nbgrader(submissions: Path, names: list[str], course: Path) -> dict:
    """Plain nbgrader: generate the assignment in a private course, then autograde every student."""
    from nbgrader.api import Gradebook

    (course / "source").mkdir(parents=True)
    shutil.copytree(ROOT / "solutions" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    for name in names:
        target = course / "submitted" / name / ASSIGNMENT
        target.mkdir(parents=True)
        shutil.copy(submissions / name / f"{ASSIGNMENT}.ipynb", target)
    db = f"sqlite:///{course / 'gradebook.db'}"
    common = [f"--CourseDirectory.root={course}", f"--CourseDirectory.db_url={db}", "--log-level=ERROR"]
    nbgrader = [str(Path(sys.executable).parent / "nbgrader")]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(nbgrader + ["generate_assignment", ASSIGNMENT, "--force"] + common,
                   check=True, cwd=course, env=env, capture_output=True)
    started = time.perf_counter()
    done = subprocess.run(nbgrader + ["autograde", ASSIGNMENT, "--force"] + common,
                          cwd=course, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    with Gradebook(db) as gradebook:
        scores = {s.student.id: float(s.score) for s in gradebook.assignment_submissions(ASSIGNMENT)}
    return {"seconds": round(seconds, 2), "seconds_per_submission": round(seconds / len(names), 2),
            "returncode": done.returncode, "scores": scores}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("COURSE_BENCH_RESULTS")
                                                         or ROOT / "benchmarks" / "results"))
    args = parser.parse_args(argv)
    from course_utils.runtime import profile

    record = {"benchmark": "grading_throughput", "assignment": ASSIGNMENT, "profile": profile(),
              "date": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine(),
              "students": args.students}
    with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp:
        tmp = Path(tmp)
        names = make_class(tmp / "submissions", args.students)
        record["nbgrader_autograde"] = time_nbgrader(tmp / "submissions", names, tmp / "nbgrader_course")
        record["course_grade"] = [time_course_grade(tmp / "submissions", tmp / f"out_{w}", w)
                                  for w in args.workers]
    serial = next((r for r in record["course_grade"] if r["workers"] == 1), None)
    if serial:
        for run in record["course_grade"]:
            run["speedup_vs_1_worker"] = round(serial["seconds"] / run["seconds"], 2)
        record["course_grade_vs_nbgrader_1_worker"] = round(
            serial["seconds"] / record["nbgrader_autograde"]["seconds"], 2)
    same = all(record["nbgrader_autograde"]["scores"].get(name) == run["scores"].get(name)
               for run in record["course_grade"] for name in names)
    record["same_scores_as_nbgrader"] = same
    record["load_average_at_end"] = list(os.getloadavg())
    record["note"] = ("Other work shared this machine's cores during the run when the load averages exceed "
                      "the core count; parallel speed-up needs free cores.")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"grading_throughput_{record['profile']}.json"
    path.write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps({k: v for k, v in record.items() if k != "machine"}, indent=1))
    print(f"-> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
