"""Seconds per submission: plain ``nbgrader autograde`` against ``course grade``, weeks 00, 01 and 02.

Why: from week 02 on a notebook trains models. Plain nbgrader grades a notebook by
running every cell again, training cells included, so each submission costs a
training run; ``course grade`` runs the notebook with training switched off and
loads the models the student saved (``course_utils.training.train_or_load``),
then judges them out of process. This script measures both on the same
submissions, in one run, on one machine, and writes
``benchmarks/results/grader_vs_nbgrader_<profile>.json`` (machine, load, profile,
date, commit).

How, per assignment:

1. **The submissions.** The released notebook with the answers filled in runs top
   to bottom once, as a student's *Restart & Run All* would
   (``autograder.demo.trained.train_like_a_student``): the folder then holds the
   executed notebook and the models its run saved. ``--students`` copies of that
   folder are the class. This training run is timed and recorded, not counted.
2. **Plain nbgrader.** A real nbgrader course in a temporary folder
   (``{course}/{step}/{student}/{assignment}/{notebook}.ipynb``): the course's own
   ``nbgrader_config.py`` copied to its root, the source notebook under
   ``solutions/``, ``nbgrader generate_assignment`` (not timed), the class under
   ``submitted/``, then ``nbgrader autograde ASSIGNMENT --force`` (timed) as a TA
   would type it. The course's config ignores ``*.keras`` and ``*.npz``, so
   nbgrader does not copy the submitted models and the training cells train
   again. One shim: ``train_or_load`` refuses to train while ``NBGRADER_EXECUTION``
   is set (the course's rule, not nbgrader's), so this course's ``python3``
   kernel starts with that variable removed (``env -u``), and the notebook behaves
   as any notebook whose cells train. Hidden test cells judge in instructor mode
   (``course_utils.judge``: a subprocess per check), so nbgrader's score is the
   same verdict as the grader's; those subprocesses are part of nbgrader's time.
3. **nbgrader given the models** (assignments that save some): the same course
   with the artifact patterns taken out of ``ignore`` and the ordinary kernel, so
   the notebook loads the submitted models. It separates what loading the models
   saves from what the grader's sandbox costs.
4. **course grade**: ``autograder.grading.grade_class.grade_class`` with one worker and
   ``force`` on the same folders (its sandbox per submission, restoring against
   its private gradebook, out-of-process judging and feedback pages are all in
   the time; building the private gradebook is not, as generate_assignment is not
   in nbgrader's).

Usage (smoke, 2 students: 28 min for the three weeks on the shared 2-core CPU at load 3-12)::

    COURSE_PROFILE=smoke nice -n 10 .venv/bin/python benchmarks/grader_vs_nbgrader.py --students 2
    COURSE_PROFILE=smoke .venv/bin/python benchmarks/grader_vs_nbgrader.py --assignments 00_setup --students 1
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ("00_setup", "01_convolution", "02_cnn_classification")
# The course config's ignore patterns that keep saved models out of nbgrader's copies.
ARTIFACT_PATTERNS = ("*.keras", "*.keras.json", "*.npz", "*.npz.json")


def _venv_bin() -> Path:
    return Path(sys.executable).parent


def solved_class(assignment: str, folder: Path, students: int) -> tuple[list[str], list[str], float]:
    """``folder/<student>/``: copies of one executed, solved release (notebook + saved models).

    Returns the student names, the artifact paths the grader loads, and the training run's seconds.
    """
    from autograder.submission import grade as submission
    from autograder.demo.students import Context
    from autograder.demo.trained import artifact_paths, train_like_a_student

    ref = submission.reference(assignment, ROOT)  # also builds the grader's gradebook, outside the timing
    ctx = Context(assignment, ref.released, ref.source, ROOT, folder / "unused.db")
    started = time.perf_counter()
    trained = train_like_a_student(ctx, folder / "_trained")
    seconds = time.perf_counter() - started
    names = [f"student_{index:02d}" for index in range(students)]
    for name in names:
        shutil.copytree(trained, folder / "class" / name)
    shutil.rmtree(trained)
    return names, artifact_paths(assignment, ROOT), seconds


def write_kernel(jupyter_dir: Path, drop_grading_flag: bool) -> None:
    """A ``python3`` kernelspec under ``jupyter_dir`` (found first through JUPYTER_PATH)."""
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    if drop_grading_flag:
        argv = ["env", "-u", "NBGRADER_EXECUTION", *argv]
    spec = jupyter_dir / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"}))


def write_course(course: Path, assignment: str, students: list[str], submissions: Path,
                 keep_models: bool) -> None:
    """An nbgrader course at ``course``: the course's config, the source, the submitted class."""
    config = (ROOT / "nbgrader_config.py").read_text()
    config += ("\n# benchmarks/grader_vs_nbgrader.py: this private copy's root is its own folder (above);\n"
               "c.Execute.kernel_name = 'python3'\n")
    if keep_models:
        config += (f"c.CourseDirectory.ignore = [p for p in c.CourseDirectory.ignore if p not in "
                   f"{list(ARTIFACT_PATTERNS)!r}]  # the submitted models reach the notebook\n")
    course.mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(config)
    shutil.copytree(ROOT / "solutions" / assignment, course / "solutions" / assignment,
                    ignore=shutil.ignore_patterns(*ARTIFACT_PATTERNS, ".ipynb_checkpoints", "__pycache__"))
    for name in students:
        shutil.copytree(submissions / name, course / "submitted" / name / assignment)


def _nbgrader(course: Path, env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(_venv_bin() / "nbgrader"), *arguments, "--log-level=ERROR"], cwd=course,
                          env=env, capture_output=True, text=True, check=False)


def train_or_load_lines(course: Path, assignment: str, students: list[str]) -> dict[str, int]:
    """How many models nbgrader's run trained and loaded: ``train_or_load``'s own lines in the autograded notebooks.

    Evidence that the plain run trained again ("Trained in ..."). "loaded" counts only loads
    that ``train_or_load`` reports, i.e. outside grading mode: with ``NBGRADER_EXECUTION`` set
    (the models-given run) it loads silently, so there both counts are 0 although every model
    was loaded.
    """
    import nbformat

    counts = {"trained": 0, "loaded": 0}
    for name in students:
        path = course / "autograded" / name / assignment / f"{assignment}.ipynb"
        if not path.is_file():
            continue
        for cell in nbformat.read(str(path), as_version=4).cells:
            for output in cell.get("outputs", []):
                text = output.get("text", "") if output.get("output_type") == "stream" else ""
                counts["trained"] += text.count("Trained in ")
                counts["loaded"] += text.count("Loaded ")
    return counts


def time_nbgrader(course: Path, assignment: str, students: list[str], submissions: Path, *,
                  keep_models: bool) -> dict[str, Any]:
    """generate_assignment (untimed), then ``nbgrader autograde ASSIGNMENT --force`` (timed); scores from its gradebook."""
    from nbgrader.api import Gradebook

    write_course(course, assignment, students, submissions, keep_models)
    write_kernel(course / "_jupyter", drop_grading_flag=not keep_models)
    env = {**os.environ, "PATH": f"{_venv_bin()}{os.pathsep}{os.environ['PATH']}",
           "JUPYTER_PATH": os.pathsep.join(filter(None, [str(course / "_jupyter"), os.environ.get("JUPYTER_PATH")]))}
    env.pop("COURSE_JUDGE_DIR", None)
    generated = _nbgrader(course, env, "generate_assignment", assignment, "--force")
    if generated.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {assignment} failed: {generated.stderr[-2000:]}")
    started = time.perf_counter()
    done = _nbgrader(course, env, "autograde", assignment, "--force")
    seconds = time.perf_counter() - started
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {s.student.id: float(s.score) for s in gradebook.assignment_submissions(assignment)}
        max_score = float(gradebook.find_assignment(assignment).max_score)
    return {"seconds": round(seconds, 2), "seconds_per_submission": round(seconds / len(students), 2),
            "returncode": done.returncode, "scores": scores, "max_score": max_score,
            "models_given": keep_models, "models": train_or_load_lines(course, assignment, students),
            "stderr_tail": done.stderr[-600:] if done.returncode else ""}


def time_course_grade(assignment: str, submissions: Path, out: Path, students: list[str]) -> dict[str, Any]:
    """``course grade`` on one worker, every submission graded (``force``)."""
    from autograder.grading import grade_class as grading

    started = time.perf_counter()
    graded = grading.grade_class(assignment, submissions, workers=1, out_dir=out, root=ROOT,
                                 progress=False, force=True)
    seconds = time.perf_counter() - started
    return {"workers": 1, "seconds": round(seconds, 2), "seconds_per_submission": round(seconds / len(students), 2),
            "scores": {r.student: r.score for r in graded.results},
            "max_score": max((r.max_score for r in graded.results), default=0.0),
            "outcomes": sorted({r.outcome.value for r in graded.results})}


def measure(assignment: str, students: int, tmp: Path) -> dict[str, Any]:
    """Every path on the same class of one assignment; one record."""
    names, artifacts, train_seconds = solved_class(assignment, tmp / assignment, students)
    submissions = tmp / assignment / "class"
    record: dict[str, Any] = {"assignment": assignment, "students": len(names), "artifacts": artifacts,
                              "training_run_seconds": round(train_seconds, 1)}
    record["nbgrader_autograde"] = time_nbgrader(tmp / assignment / "nbgrader_plain", assignment, names,
                                                 submissions, keep_models=False)
    if artifacts:
        record["nbgrader_autograde_models_given"] = time_nbgrader(
            tmp / assignment / "nbgrader_models", assignment, names, submissions, keep_models=True)
    record["course_grade"] = time_course_grade(assignment, submissions, tmp / assignment / "graded", names)
    plain, ours = record["nbgrader_autograde"], record["course_grade"]
    record["ratio_nbgrader_over_course_grade"] = round(plain["seconds"] / ours["seconds"], 2)
    record["same_scores"] = all(plain["scores"].get(n) == ours["scores"].get(n) for n in names)
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", nargs="+", default=list(ASSIGNMENTS), choices=ASSIGNMENTS)
    parser.add_argument("--students", type=int, default=2, help="copies of the solved submission per assignment")
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("COURSE_BENCH_RESULTS")
                                                         or ROOT / "benchmarks" / "results"))
    args = parser.parse_args(argv)
    from course_utils.runtime import machine_facts, profile

    record: dict[str, Any] = {
        "benchmark": "grader_vs_nbgrader", "profile": profile(),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "machine": machine_facts(),
        "note": ("nbgrader: `nbgrader autograde --force` in a private course with the course's nbgrader_config.py; "
                 "the saved models are not copied (its ignore list) and its kernel starts without "
                 "NBGRADER_EXECUTION, so the training cells train again. course grade: one worker, its sandbox, "
                 "restore, out-of-process judging and feedback included; nbgrader's time includes the hidden checks "
                 "judged in instructor mode (a subprocess per check). Neither time includes generating the "
                 "assignment. One training run made the submissions (training_run_seconds), not counted.")}
    with tempfile.TemporaryDirectory(prefix="course-bench-nbgrader-") as tmp:
        record["assignments"] = []
        for assignment in args.assignments:
            row = measure(assignment, args.students, Path(tmp))
            record["assignments"].append(row)
            print(json.dumps(row), flush=True)
    record["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"grader_vs_nbgrader_{record['profile']}.json"
    path.write_text(json.dumps(record, indent=1) + "\n")
    print(f"-> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
