"""``course validate``: is one week ready to release? Seven questions, one report.

``validate(NN_topic)`` answers, for one assignment:

1. Do the ``solutions/`` notebooks have cleared outputs?
2. Does the source run top to bottom and pass all its test cells, printing no
   TensorFlow log line and no terminal control character (a progress bar)? Its
   hidden checks are judged once, in (7), not cell by cell here.
3. Does the blank release, graded as nbgrader would (hidden tests restored),
   fail every test cell, showing one line per unfinished exercise (no traceback
   through ``course_utils``, no failing self-check to stop *Run All*)?
4. Is no solution or hidden-test line in the release?
5. Is the checked-in release in sync with a fresh generation?
6. Does every test cell ``test_<id>`` have a hidden check ``<id>`` in
   ``autograder/checks/NN_topic.py`` with the same points, and vice versa?
7. Graded as a TA would (``course grade``: real sandbox, the assignment's
   default bounds), does the source, with the artifacts its own run saved, get
   full marks? And can the blank release earn nothing? That part follows from
   (3) and the grader's rules, so the blank is not graded a second time: a
   function check whose grade cell raised is never judged, and an artifact check
   judges only a file the student handed in, so no checked file may ship with
   the release.

Every function takes a course ``root`` (default: this repository), so tests can
work on temporary copies. No gradebook file is ever written in the course.
"""

from __future__ import annotations

import copy
import importlib.util
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from nbformat import NotebookNode
from traitlets.config import Config

from autograder.authoring import grading_sizes, validation
from autograder.authoring.validation import ValidationReport
from autograder.isolation import limits as default_bounds
from autograder.paths import REPO_ROOT
from autograder.sources import notebooks as nbu
from autograder.sources.release import (RELEASE_DIR, SOURCE_DIR, ReleaseError, generate, ignore_patterns,
                                        load_config, resolve_root, source_folder)
from autograder.submission.grade import grade_submission
from autograder.verdicts import judging

DEFAULT_CELL_TIMEOUT = 600
Sources = list[tuple[str, NotebookNode]]  # (name used in messages, source notebook)


def load_checks(assignment: str, root: Path) -> list:
    """``CHECKS`` of ``<root>/autograder/checks/<assignment>.py``, loaded by path ([] if absent)."""
    path = root / "autograder" / "checks" / f"{assignment}.py"
    if not path.exists():
        return []
    spec = importlib.util.spec_from_file_location(f"_course_checks_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.CHECKS)


def _cell_timeout(config: Config) -> int:
    timeout = config.get("Execute", {}).get("timeout")
    return int(timeout) if timeout else DEFAULT_CELL_TIMEOUT


def _run_in_copy(nb: NotebookNode, folder: Path, timeout: int, keep: Path | None = None, *,
                 defer_judging: bool = False) -> nbu.Execution:
    """Execute ``nb`` with a temporary copy of ``folder`` (or ``keep``, left in place) as working directory.

    defer_judging: ``judge.submit`` only hands functions over (into a folder outside the copy),
    as while grading, instead of starting one judging process per check: check (7) grades the
    same notebook through the sandbox and judges every check there, so the source run need not
    pay for it twice (about a quarter of its time).
    """
    from course_utils.judge import JUDGE_DIR_ENV

    with tempfile.TemporaryDirectory(prefix="course-validate-") as tmp:
        work = keep or Path(tmp) / folder.name
        shutil.copytree(folder, work)
        env = {JUDGE_DIR_ENV: str(Path(tmp) / "handed-over")} if defer_judging else None
        return nbu.execute(nb, work, timeout=timeout, env=env)


def _graded_result(assignment: str, root: Path, solved: Path, blank: Path) -> validation.CheckResult:
    """Check (7): grade the source's executed copy through the real sandbox, and list the checked
    files the blank release already holds (a blank graded with them would earn their points)."""
    bounds = default_bounds.default_limits(assignment)
    solution = grade_submission(assignment, solved, student="solution", course_root=root, limits=bounds)
    shipped = sorted(check.path for check in load_checks(assignment, root)
                     if isinstance(check, judging.ArtifactCheck) and (blank / check.path).exists())
    text = f"{bounds.memory_bytes / 2**30:.1f} GiB, {bounds.wall_seconds:.0f} s"
    return validation.check_graded_end_to_end(assignment, solution, shipped, text)


@contextmanager
def _own_checks_on_path(root: Path) -> Iterator[None]:
    """A course other than this repository keeps its checks in ``<root>/autograder/checks``:
    put them on ``COURSE_CHECKS_PATH`` (the kernel's judge and the grader both look there)."""
    own_checks, previous = root / "autograder" / "checks", os.environ.get(judging.CHECKS_PATH_ENV)
    if root == REPO_ROOT or not own_checks.is_dir():
        yield
        return
    os.environ[judging.CHECKS_PATH_ENV] = os.pathsep.join(filter(None, [str(own_checks), previous]))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(judging.CHECKS_PATH_ENV, None)
        else:
            os.environ[judging.CHECKS_PATH_ENV] = previous


def validate(assignment: str, root: Path | str | None = None, *,
             progress: Callable[[str], None] | None = None) -> ValidationReport:
    """Run the seven checks of the module docstring on ``assignment``; never raises on a finding.

    progress: called with one line before each long step (``course validate`` prints them),
    since running a notebook that trains takes minutes.
    """
    root = resolve_root(root)
    with _own_checks_on_path(root):
        return _validate(assignment, root, progress or (lambda line: None))


def _validate(assignment: str, root: Path, step: Callable[[str], None]) -> ValidationReport:
    from course_utils.runtime import profile

    folder = source_folder(assignment, root)
    config = load_config(root)
    paths = sorted(folder.glob("*.ipynb"))
    sources = [(f"{SOURCE_DIR}/{assignment}/{p.name}", nbu.read(p)) for p in paths]
    report = ValidationReport(assignment, profile())
    report.results.append(validation.check_clean_sources(paths))
    with tempfile.TemporaryDirectory(prefix="course-validate-solved-") as solved_tmp:
        solved = Path(solved_tmp) / assignment
        for name, nb in sources:
            step(f"running {name} top to bottom (profile {profile()})")
            keep = solved if Path(name).stem == assignment else None
            execution = _run_in_copy(copy.deepcopy(nb), folder, _cell_timeout(config), keep,
                                     defer_judging=keep is not None)
            report.results += [validation.check_source_runs(name, execution),
                               validation.check_clean_outputs(name, execution)]
        step(f"generating the release with nbgrader and running the blank {RELEASE_DIR}/{assignment}")
        report.results += _release_results(assignment, root, sources, config)
        report.results.append(_contract_result(assignment, root, sources))
        report.results.append(grading_sizes.check_grading_sizes(sources))
        released = root / RELEASE_DIR / assignment
        if solved.is_dir() and released.is_dir() and report.ok:
            step("grading the solved source in the sandbox, as course grade does")
            report.results.append(_graded_result(assignment, root, solved, released))
    return report


def _release_results(assignment: str, root: Path, sources: Sources, config: Config) -> list[validation.CheckResult]:
    """Checks (3)-(5), on a fresh generation and the checked-in release."""
    with tempfile.TemporaryDirectory(prefix="course-validate-") as tmp:
        try:
            fresh = generate(assignment, Path(tmp), root=root)
        except ReleaseError as exc:
            return [validation.CheckResult(
                "nbgrader generates the student version", (str(exc).strip()[-1500:],),
                "fix the cell metadata nbgrader complains about (grade_id, points, markers).")]
        results = []
        for name, nb in sources:
            filename = Path(name).name
            blank = validation.restore_hidden_tests(nbu.read(fresh / filename), nb)
            execution = _run_in_copy(blank, fresh, _cell_timeout(config))
            results += [validation.check_blank_fails(f"{RELEASE_DIR}/{assignment}/{filename}", execution),
                        validation.check_blank_speaks_plainly(f"{RELEASE_DIR}/{assignment}/{filename}", execution)]
        checked_in = root / RELEASE_DIR / assignment
        releases = [(f"fresh {RELEASE_DIR}/{assignment}/{p.name}", nbu.read(p))
                    for p in sorted(fresh.glob("*.ipynb"))]
        releases += [(f"{RELEASE_DIR}/{assignment}/{p.name}", nbu.read(p))
                     for p in sorted(checked_in.glob("*.ipynb"))]
        results.append(validation.check_no_leaks(sources, releases))
        results.append(validation.check_in_sync(assignment, checked_in, fresh, ignore_patterns(config)))
        return results


def _contract_result(assignment: str, root: Path, sources: Sources) -> validation.CheckResult:
    """Check (6), with a module that fails to import reported as a finding."""
    try:
        checks, load_error = load_checks(assignment, root), None
    except Exception as exc:  # noqa: BLE001 - a broken checks module is a finding
        checks, load_error = None, f"could not be loaded ({type(exc).__name__}: {exc})"
    return validation.check_grading_contract(assignment, sources, checks, load_error)
