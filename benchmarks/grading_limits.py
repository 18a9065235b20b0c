"""Peak memory and run time of each week's reference solution under ``course grade``: the basis of autograder/isolation/limits.py.

For every assignment, the source notebook runs once as an instructor would
(``COURSE_PROFILE`` decides: the smoke profile trains small models and saves
them), then that folder (solution + artifacts) is graded through the real
sandbox with generous bounds, and the run's peak real memory (its cgroup's
high-water mark: every process of the submission together) and wall time are
recorded in ``benchmarks/results/grading_limits_<profile>.json`` with the
machine, its load and the date. ``--grade-profile`` grades in another profile
than the one that trained, one or several (e.g. smoke artifacts graded in
``full`` too: the notebook then loads the whole datasets, as a TA's run does).

Usage::

    COURSE_PROFILE=smoke .venv/bin/python benchmarks/grading_limits.py [--grade-profile smoke full] [ASSIGNMENT ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.isolation import limits as default_bounds  # noqa: E402
from autograder.sources import notebooks as nbu  # noqa: E402
from autograder.isolation.sandbox import GiB, Limits  # noqa: E402
from course_utils.runtime import machine_facts  # noqa: E402

GENEROUS = Limits(wall_seconds=3600, cell_seconds=1800, memory_bytes=16 * GiB)


def measure(assignment: str, grade_profiles: list[str]) -> list[dict]:
    """Train once (the instructor's run), then grade that folder in each profile; one row per profile."""
    from autograder.submission.grade import grade_submission

    rows = []
    with tempfile.TemporaryDirectory(prefix="course-limits-") as tmp:
        folder = Path(tmp) / assignment
        shutil.copytree(ROOT / "solutions" / assignment, folder)
        started = time.monotonic()
        execution = nbu.execute(nbu.read(folder / f"{assignment}.ipynb"), folder, timeout=3600)
        train_seconds = time.monotonic() - started
        trained = os.environ.get("COURSE_PROFILE", "full")
        for graded in grade_profiles:
            os.environ["COURSE_PROFILE"] = graded
            result = grade_submission(assignment, folder, student="reference", course_root=ROOT,
                                      limits=GENEROUS)
            os.environ["COURSE_PROFILE"] = trained
            peak = result.peak_memory_bytes
            rows.append({"assignment": assignment, "trained_profile": trained,
                         "instructor_run_seconds": round(train_seconds, 1),
                         "instructor_run_crash": execution.crash, "graded_profile": result.profile,
                         "outcome": result.outcome.value, "score": result.score, "max_score": result.max_score,
                         "grading_seconds": round(result.seconds, 1),
                         "peak_memory_gib": round(peak / GiB, 3) if peak else None,
                         "lost": [f"{t.id}: {t.message}" for t in result.tests if t.score < t.points]})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", default=list(default_bounds.MEASURED))
    parser.add_argument("--grade-profile", nargs="+", choices=["smoke", "full"], default=None)
    args = parser.parse_args()
    trained = os.environ.get("COURSE_PROFILE", "full")
    profiles = args.grade_profile or [trained]
    rows = []
    for assignment in args.assignments:
        for row in measure(assignment, profiles):
            rows.append(row)
            print(json.dumps(row), flush=True)
    record = {"measure": "reference solution's peak memory and time under course grade",
              "bounds_used": "16 GiB, 3600 s wall, 1800 s per cell (generous, to see the true peak)",
              "profile": trained, "graded_profiles": profiles,
              "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine_facts(), "load_average": os.getloadavg(), "rows": rows}
    out = ROOT / "benchmarks" / "results" / f"grading_limits_{trained}_trained.json"
    if out.exists():  # keep the rows of assignments not measured this time
        kept = [r for r in json.loads(out.read_text())["rows"] if r["assignment"] not in args.assignments]
        record["rows"] = kept + rows
    out.write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
