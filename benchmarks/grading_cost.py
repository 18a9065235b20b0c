"""What grading one submission costs, week by week: seconds, CPU seconds and peak memory (issue 32).

For every week the source notebook runs once as an instructor would (the active
``COURSE_PROFILE`` decides how its models are trained: smoke-trained unless a
full-profile run saved them, and the record says which). Then two submissions are
graded through the real sandbox with the week's default bounds (``autograder.isolation.limits``):
the *reference* (that folder: solution and its artifacts) and the *blank* release.
Each is graded in every ``--grade-profile``, one at a time, and then both together
with two workers (``grade_class(workers=2)``: seconds per submission when a machine's
cores are shared). The term estimate is the median of the reference and the blank
in the full profile, times 300 students, summed over the weeks, in worker-hours.
CPU seconds are the grading's own: this process, its waited-for children, and every
sandboxed run (kernel, function harness, artifact checker) as counted by its cgroup, so
they hold on a loaded machine; the whole machine's CPU seconds are kept beside them (run on
a quiet machine for those). Peak memory is the notebook run's (its cgroup's high-water
mark, where the machine has cgroups).

Beside it, for each week, plain nbgrader's cost: nbgrader re-runs the whole notebook,
training included, so its per-submission time is taken as the instructor run's
measured time (the training profile's, said in the row).

Usage::

    COURSE_PROFILE=smoke .venv/bin/python benchmarks/grading_cost.py [--grade-profile smoke full] [WEEK ...]

Writes ``benchmarks/results/grading_cost_<trained profile>_trained.json`` (machine,
load, date, commit; rows of weeks not measured this time are kept).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.isolation import cgroups  # noqa: E402
from autograder.isolation import limits as default_bounds  # noqa: E402
from autograder.sources import notebooks as nbu  # noqa: E402
from autograder.sources import release  # noqa: E402
from autograder.isolation.sandbox import GiB  # noqa: E402
from course_utils.runtime import machine_facts  # noqa: E402

STUDENTS_PER_TERM = 300
TARGET_SECONDS = 30.0   # per submission, full profile (issue 32)


def _machine_cpu() -> float:
    """CPU seconds the whole machine has spent so far (/proc/stat: user, nice, system, irq, softirq).

    The sandboxed kernel, judging and artifact processes are not this process's waited-for
    children, so the machine's total is read instead: measure on a quiet machine (the record
    keeps the load average beside it).
    """
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def _grading_cpu() -> float:
    """CPU seconds spent so far by this process, its waited-for children and its finished sandboxed runs."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime + cgroups.finished_cpu_seconds()


def _grade_one(week: str, folder: Path, student: str, profile: str) -> dict:
    """Grade ``folder`` alone in ``profile``: wall and CPU seconds (children), peak memory, score."""
    from autograder.submission.grade import grade_submission

    previous = os.environ.get("COURSE_PROFILE")
    os.environ["COURSE_PROFILE"] = profile
    cpu, own_cpu, started = _machine_cpu(), _grading_cpu(), time.monotonic()
    try:
        result = grade_submission(week, folder, student=student, course_root=ROOT,
                                  limits=default_bounds.default_limits(week))
    finally:
        os.environ["COURSE_PROFILE"] = previous or "full"
    peak = result.peak_memory_bytes
    return {"submission": student, "graded_profile": profile, "seconds": round(time.monotonic() - started, 1),
            "cpu_seconds": round(_grading_cpu() - own_cpu, 1),
            "notebook_cpu_seconds": round(result.cpu_seconds, 1) if result.cpu_seconds is not None else None,
            "machine_cpu_seconds": round(_machine_cpu() - cpu, 1),
            "peak_memory_gib": round(peak / GiB, 3) if peak else None,
            "outcome": result.outcome.value, "score": result.score, "max_score": result.max_score}


def _grade_pair(week: str, folders: dict[str, Path], profile: str, tmp: Path) -> dict:
    """Grade both submissions together with two workers: seconds per submission."""
    from autograder.grading.grade_class import grade_class

    submissions = tmp / f"class-{profile}"
    for name, folder in folders.items():
        shutil.copytree(folder, submissions / name)
    previous = os.environ.get("COURSE_PROFILE")
    os.environ["COURSE_PROFILE"] = profile
    started = time.monotonic()
    try:
        graded = grade_class(week, submissions, workers=2, out_dir=tmp / f"out-{profile}", root=ROOT,
                             progress=False)
    finally:
        os.environ["COURSE_PROFILE"] = previous or "full"
    seconds = time.monotonic() - started
    return {"graded_profile": profile, "workers": 2, "seconds": round(seconds, 1),
            "seconds_per_submission": round(seconds / len(folders), 1),
            "scores": {r.student: r.score for r in graded.results}}


def measure(week: str, profiles: list[str]) -> dict:
    """The instructor run, then each submission alone and both with two workers, per profile."""
    trained = os.environ.get("COURSE_PROFILE", "full")
    with tempfile.TemporaryDirectory(prefix="course-cost-") as tmp_name:
        tmp = Path(tmp_name)
        reference = tmp / "reference" / week
        shutil.copytree(ROOT / release.SOURCE_DIR / week, reference)
        started = time.monotonic()
        execution = nbu.execute(nbu.read(reference / f"{week}.ipynb"), reference, timeout=3600)
        instructor_seconds = time.monotonic() - started
        folders = {"reference": reference, "blank": ROOT / release.RELEASE_DIR / week}
        alone = [_grade_one(week, folder, name, profile) for profile in profiles for name, folder in folders.items()]
        together = [_grade_pair(week, folders, profile, tmp) for profile in profiles]
    return {"assignment": week, "trained_profile": trained, "artifacts": f"{trained}-trained by the instructor run",
            "instructor_run_seconds": round(instructor_seconds, 1), "instructor_run_crash": execution.crash,
            "nbgrader_seconds_per_submission": round(instructor_seconds, 1),
            "nbgrader_basis": f"the instructor run's measured time ({trained} profile): nbgrader re-runs it all",
            "alone": alone, "two_workers": together}


def term_hours(rows: list[dict], profile: str = "full") -> float | None:
    """Worker-hours for STUDENTS_PER_TERM students: per week the median of reference and blank."""
    medians = []
    for row in rows:
        seconds = [g["seconds"] for g in row["alone"] if g["graded_profile"] == profile]
        if not seconds:
            return None
        medians.append(statistics.median(seconds))
    return round(sum(medians) * STUDENTS_PER_TERM / 3600, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weeks", nargs="*", default=None)
    parser.add_argument("--grade-profile", nargs="+", choices=["smoke", "full"], default=["smoke", "full"])
    args = parser.parse_args(argv)
    weeks = args.weeks or release.list_assignments()
    rows = []
    for week in weeks:
        rows.append(measure(week, args.grade_profile))
        print(json.dumps(rows[-1]), flush=True)
    trained = os.environ.get("COURSE_PROFILE", "full")
    results = Path(os.environ.get("COURSE_BENCH_RESULTS") or ROOT / "benchmarks" / "results")
    out = results / f"grading_cost_{trained}_trained.json"
    if out.exists():
        rows = [r for r in json.loads(out.read_text())["rows"] if r["assignment"] not in weeks] + rows
    rows.sort(key=lambda r: r["assignment"])
    record = {"measure": "seconds, CPU seconds and peak memory of grading one submission (course grade)",
              "target": f"at most {TARGET_SECONDS:.0f} s per submission in the full profile; "
                        f"{STUDENTS_PER_TERM} students under 20 worker-hours",
              "profile": trained, "graded_profiles": args.grade_profile,
              "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine_facts(), "load_average": os.getloadavg(),
              "term_worker_hours_full": term_hours(rows, "full"), "rows": rows}
    results.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {out}; {STUDENTS_PER_TERM} students: {record['term_worker_hours_full']} worker-hours (full profile)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
