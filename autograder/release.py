"""Generate student notebooks from ``solutions/`` and validate them.

``release(NN_topic)`` runs nbgrader's own ``GenerateAssignment`` converter
(clear solutions, strip hidden tests, lock cells, checksums) on a private copy
of ``solutions/NN_topic/`` and puts the result in ``assignments/NN_topic/``,
which is checked in. Generation is a pure function of the source (nbgrader
writes no timestamps and keeps cell ids), so a fresh generation can be compared
byte for byte with the checked-in release.

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
   full marks, and the blank release zero?

Every function takes a course ``root`` (default: this repository), so tests can
work on temporary copies. No gradebook file is ever written in the course.
"""

from __future__ import annotations

import copy
import importlib.util
import io
import logging
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from nbformat import NotebookNode
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder import grading_sizes, judging
from autograder import notebooks as nbu
from autograder.gradebook import use_in_process_alembic
from autograder import validation
from autograder.validation import ValidationReport

REPO_ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIR, RELEASE_DIR = "solutions", "assignments"
ASSIGNMENT_PATTERN = re.compile(r"^\d{2}_[a-z0-9_]+$")
DEFAULT_CELL_TIMEOUT = 600
Sources = list[tuple[str, NotebookNode]]  # (name used in messages, source notebook)


class ReleaseError(RuntimeError):
    """nbgrader could not generate the student version (the message holds its log)."""


class UnknownAssignmentError(ValueError):
    """No ``solutions/<name>/`` folder (the message lists the assignments that exist)."""


def _root(root: Path | str | None) -> Path:
    return Path(root).resolve() if root is not None else REPO_ROOT


def list_assignments(root: Path | str | None = None) -> list[str]:
    """Names ``NN_topic`` of every folder in ``solutions/`` that holds notebooks, sorted."""
    source = _root(root) / SOURCE_DIR
    if not source.is_dir():
        return []
    return sorted(p.name for p in source.iterdir()
                  if p.is_dir() and ASSIGNMENT_PATTERN.match(p.name) and any(p.glob("*.ipynb")))


def _source_folder(assignment: str, root: Path) -> Path:
    folder = root / SOURCE_DIR / assignment
    if not ASSIGNMENT_PATTERN.match(assignment) or not folder.is_dir():
        known = ", ".join(list_assignments(root)) or "none"
        raise UnknownAssignmentError(f"no assignment {assignment!r} in {root / SOURCE_DIR} (known: {known}).")
    return folder


def load_config(root: Path | str | None = None) -> Config:
    """The course's ``nbgrader_config.py`` (an empty Config when the course has none)."""
    path = _root(root) / "nbgrader_config.py"
    if not path.exists():
        return Config()
    return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()


def _ignore_patterns(config: Config) -> list[str]:
    from nbgrader.coursedir import CourseDirectory

    return list(CourseDirectory(config=config).ignore)


def generate(assignment: str, dest: Path, *, root: Path | str | None = None,
             db_url: str | None = None) -> Path:
    """Generate the student version of ``assignment`` into ``dest/assignment/``.

    nbgrader works on a private temporary course (a copy of the source
    folder), so nothing in the course is touched. With ``db_url`` the source
    cells are also recorded in that gradebook (nbgrader's SaveCells, needed by
    autograde); without it no database is used at all.
    Returns the generated folder. Raises ReleaseError with nbgrader's log.
    """
    from nbgrader.converters import GenerateAssignment
    from nbgrader.converters.base import NbGraderException
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import SaveCells

    root = _root(root)
    source = _source_folder(assignment, root)
    config = load_config(root)
    ignore = _ignore_patterns(config)
    with tempfile.TemporaryDirectory(prefix="course-release-") as tmp:
        course = Path(tmp)
        shutil.copytree(source, course / SOURCE_DIR / assignment, ignore=shutil.ignore_patterns(*ignore))
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.source_directory = SOURCE_DIR
        config.CourseDirectory.release_directory = RELEASE_DIR
        config.CourseDirectory.assignment_id = assignment
        config.CourseDirectory.db_url = db_url or f"sqlite:///{course / 'unused.db'}"
        use_in_process_alembic()  # nbgrader would shell out to `alembic`, absent from PATH
        with _captured_log() as (log, stream):
            converter = GenerateAssignment(coursedir=CourseDirectory(config=config), config=config, log=log)
            converter.force = True
            if db_url is None:
                converter.no_database = True
                converter.preprocessors = [p for p in converter.preprocessors if p is not SaveCells]
            try:
                converter.start()
            except NbGraderException as exc:
                raise ReleaseError(f"nbgrader could not generate {assignment}:\n"
                                   + _log_summary(stream.getvalue(), course)) from exc
        target = Path(dest) / assignment
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(course / RELEASE_DIR / assignment, target)
    return target


@contextmanager
def _captured_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger for nbgrader whose warnings and errors are collected in a string."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log = logging.getLogger("autograder.release.nbgrader")
    log.propagate = False
    log.setLevel(logging.WARNING)
    log.addHandler(handler)
    try:
        yield log, stream
    finally:
        log.removeHandler(handler)


def _log_summary(log: str, course: Path) -> str:
    """nbgrader's error log without tracebacks, boilerplate or temporary paths, each line once."""
    kept: list[str] = []
    for line in log.splitlines():
        if (line.strip() and not line.startswith((" ", "Traceback", "Please see"))
                and str(course) not in line and line not in kept):
            kept.append(line)
    return "\n".join(kept)


def release(assignment: str, root: Path | str | None = None) -> Path:
    """Regenerate ``assignments/<assignment>/`` from ``solutions/<assignment>/``; return it."""
    root = _root(root)
    with tempfile.TemporaryDirectory(prefix="course-release-") as tmp:
        generated = generate(assignment, Path(tmp), root=root)
        target = root / RELEASE_DIR / assignment
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(generated, target)
    return target


def _load_checks(assignment: str, root: Path) -> list:
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
    """Check (7): grade the source's executed copy and the blank release through the real sandbox."""
    from autograder import limits as default_bounds
    from autograder.submission import grade_submission

    bounds = default_bounds.default_limits(assignment)
    solution, empty = [grade_submission(assignment, folder, student=name, course_root=root, limits=bounds)
                       for name, folder in (("solution", solved), ("blank", blank))]
    text = f"{bounds.memory_bytes / 2**30:.1f} GiB, {bounds.wall_seconds:.0f} s"
    return validation.check_graded_end_to_end(assignment, solution, empty, text)


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
    root = _root(root)
    with _own_checks_on_path(root):
        return _validate(assignment, root, progress or (lambda line: None))


def _validate(assignment: str, root: Path, step: Callable[[str], None]) -> ValidationReport:
    from course_utils.runtime import profile

    source_folder = _source_folder(assignment, root)
    config = load_config(root)
    paths = sorted(source_folder.glob("*.ipynb"))
    sources = [(f"{SOURCE_DIR}/{assignment}/{p.name}", nbu.read(p)) for p in paths]
    report = ValidationReport(assignment, profile())
    report.results.append(validation.check_clean_sources(paths))
    with tempfile.TemporaryDirectory(prefix="course-validate-solved-") as solved_tmp:
        solved = Path(solved_tmp) / assignment
        for name, nb in sources:
            step(f"running {name} top to bottom (profile {profile()})")
            keep = solved if Path(name).stem == assignment else None
            execution = _run_in_copy(copy.deepcopy(nb), source_folder, _cell_timeout(config), keep,
                                     defer_judging=keep is not None)
            report.results += [validation.check_source_runs(name, execution),
                               validation.check_clean_outputs(name, execution)]
        step(f"generating the release with nbgrader and running the blank {RELEASE_DIR}/{assignment}")
        report.results += _release_results(assignment, root, sources, config)
        report.results.append(_contract_result(assignment, root, sources))
        report.results.append(grading_sizes.check_grading_sizes(sources))
        released = root / RELEASE_DIR / assignment
        if solved.is_dir() and released.is_dir() and report.ok:
            step("grading the solved source and the blank release in the sandbox, as course grade does")
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
        results.append(validation.check_in_sync(assignment, checked_in, fresh, _ignore_patterns(config)))
        return results


def _contract_result(assignment: str, root: Path, sources: Sources) -> validation.CheckResult:
    """Check (6), with a module that fails to import reported as a finding."""
    try:
        checks, load_error = _load_checks(assignment, root), None
    except Exception as exc:  # noqa: BLE001 - a broken checks module is a finding
        checks, load_error = None, f"could not be loaded ({type(exc).__name__}: {exc})"
    return validation.check_grading_contract(assignment, sources, checks, load_error)
