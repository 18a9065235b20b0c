"""The grader's view of one assignment: its private gradebook, its release and the items that score it.

:func:`reference` builds a :class:`Reference` from ``solutions/<assignment>/``
once per process and source version: nbgrader's ``GenerateAssignment`` makes the
student release and a private gradebook holding the instructor's cells (hidden
tests included), and every grade cell is paired with its hidden check in
``autograder/checks/<assignment>.py``. A grade cell without a check, or with
other points than its check, is an :class:`AssignmentConfigError`: the
instructor's problem, reported before any student is graded.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from autograder.paths import REPO_ROOT
from autograder.verdicts import judging



@dataclass(frozen=True)
class GradeItem:
    """A grade cell of the source notebook and the hidden check that scores it."""

    grade_id: str
    points: float
    check: judging.Check | None  # None: a manually graded answer


@dataclass(frozen=True)
class Reference:
    """What the grader knows about an assignment, built once per process from ``solutions/``."""

    assignment: str
    notebook_id: str
    db_url: str                      # private gradebook: source cells with hidden tests
    released: NotebookNode           # the student version, as nbgrader generates it
    source: NotebookNode             # the instructor's notebook (solutions, hidden tests)
    items: tuple[GradeItem, ...]


MANUAL_MESSAGE = "Graded by hand; not scored automatically."
UNSCORED_ANSWER_MESSAGE = "Your written answer: read by your TA, not scored."


class AssignmentConfigError(RuntimeError):
    """The assignment itself is misconfigured (the instructor's problem, not the student's)."""


_references: dict[tuple, Reference] = {}
_references_lock = threading.Lock()


def _items(assignment: str, source: NotebookNode) -> tuple[GradeItem, ...]:
    checks = {c.id: c for c in judging.load_checks(assignment)}
    items = []
    for cell in source.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade"):
            continue
        grade_id, points = meta["grade_id"], float(meta.get("points", 0))
        if meta.get("solution"):
            items.append(GradeItem(grade_id, points, None))
            continue
        check_id = grade_id.removeprefix("test_")
        check = checks.get(check_id)
        if not grade_id.startswith("test_") or check is None:
            raise AssignmentConfigError(f"grade cell {grade_id} of {assignment} has no hidden check "
                                        f"{check_id!r} (autograder/checks/{assignment}.py).")
        if float(check.points) != points:
            raise AssignmentConfigError(f"grade cell {grade_id} is worth {points} points but its "
                                        f"hidden check {check_id} is worth {check.points}.")
        items.append(GradeItem(grade_id, points, check))
    return tuple(items)


def reference(assignment: str, course_root: Path = REPO_ROOT) -> Reference:
    """The assignment's private gradebook, release and graded items (cached per source version).

    Building it runs nbgrader's GenerateAssignment (seconds); call it once in a
    parent process before forking workers and they all share it.
    """
    from nbgrader.api import Gradebook

    from autograder.sources import release

    course_root = Path(course_root).resolve()
    source_path = course_root / "solutions" / assignment / f"{assignment}.ipynb"
    if not source_path.is_file():
        raise AssignmentConfigError(f"no source notebook {source_path}.")
    key = (str(course_root), assignment, source_path.stat().st_mtime_ns,
           os.environ.get(judging.CHECKS_PATH_ENV, ""))
    with _references_lock:
        if key in _references:
            return _references[key]
        tmp = Path(tempfile.mkdtemp(prefix=f"course-reference-{assignment}-"))
        atexit.register(shutil.rmtree, tmp, True)
        db_url = f"sqlite:///{tmp / 'gradebook.db'}"
        released_dir = release.generate(assignment, tmp / "release", root=course_root, db_url=db_url)
        with Gradebook(db_url):
            pass  # creates nbgrader's default course row now, so later readers never write
        released = nbformat.read(str(released_dir / f"{assignment}.ipynb"), as_version=4)
        source = nbformat.read(str(source_path), as_version=4)
        ref = Reference(assignment, assignment, db_url, released, source, _items(assignment, source))
        _references[key] = ref
        return ref
