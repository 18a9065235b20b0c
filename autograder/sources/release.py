"""Generate the student notebooks from ``solutions/`` with nbgrader.

``release(NN_topic)`` runs nbgrader's own ``GenerateAssignment`` converter
(clear solutions, strip hidden tests, lock cells, checksums) on a private copy
of ``solutions/NN_topic/`` and puts the result in ``assignments/NN_topic/``,
which is checked in. Generation is a pure function of the source (nbgrader
writes no timestamps and keeps cell ids), so a fresh generation can be compared
byte for byte with the checked-in release. :mod:`autograder.authoring.validate`
checks a week end to end; the grader builds its private gradebook with
:func:`generate` (:mod:`autograder.submission.references`).

Every function takes a course ``root`` (default: this repository), so tests can
work on temporary copies. No gradebook file is ever written in the course.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder.paths import REPO_ROOT
from autograder.records.gradebook import use_in_process_alembic

SOURCE_DIR, RELEASE_DIR = "solutions", "assignments"
ASSIGNMENT_PATTERN = re.compile(r"^\d{2}_[a-z0-9_]+$")


class ReleaseError(RuntimeError):
    """nbgrader could not generate the student version (the message holds its log)."""


class UnknownAssignmentError(ValueError):
    """No ``solutions/<name>/`` folder (the message lists the assignments that exist)."""


def resolve_root(root: Path | str | None) -> Path:
    return Path(root).resolve() if root is not None else REPO_ROOT


def list_assignments(root: Path | str | None = None) -> list[str]:
    """Names ``NN_topic`` of every folder in ``solutions/`` that holds notebooks, sorted."""
    source = resolve_root(root) / SOURCE_DIR
    if not source.is_dir():
        return []
    return sorted(p.name for p in source.iterdir()
                  if p.is_dir() and ASSIGNMENT_PATTERN.match(p.name) and any(p.glob("*.ipynb")))


def source_folder(assignment: str, root: Path) -> Path:
    folder = root / SOURCE_DIR / assignment
    if not ASSIGNMENT_PATTERN.match(assignment) or not folder.is_dir():
        known = ", ".join(list_assignments(root)) or "none"
        raise UnknownAssignmentError(f"no assignment {assignment!r} in {root / SOURCE_DIR} (known: {known}).")
    return folder


def load_config(root: Path | str | None = None) -> Config:
    """The course's ``nbgrader_config.py`` (an empty Config when the course has none)."""
    path = resolve_root(root) / "nbgrader_config.py"
    if not path.exists():
        return Config()
    return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()


def ignore_patterns(config: Config) -> list[str]:
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

    root = resolve_root(root)
    source = source_folder(assignment, root)
    config = load_config(root)
    ignore = ignore_patterns(config)
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
    log = logging.getLogger("autograder.sources.release.nbgrader")
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
    root = resolve_root(root)
    with tempfile.TemporaryDirectory(prefix="course-release-") as tmp:
        generated = generate(assignment, Path(tmp), root=root)
        target = root / RELEASE_DIR / assignment
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(generated, target)
    return target
