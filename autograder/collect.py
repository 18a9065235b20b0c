"""``course collect``: gather downloaded submissions into the layout ``course grade`` reads.

Sources, as TAs get them:

- a folder of archives, one per student: ``SRC/<student>.zip`` (what most
  learning platforms export), extracted safely: no absolute paths, no ``..``,
  no links, a size cap; a single top folder inside the archive is dropped;
- nbgrader's ``submitted/<student>/<NN_topic>/`` tree (or any
  ``SRC/<student>/`` folder), copied without links.

Result: ``DEST/<student>/<NN_topic>.ipynb`` plus the student's other files.
A student's previous copy in DEST is replaced, so collecting again is safe.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path, PurePosixPath

from autograder.grading import STUDENT_ID

MAX_ARCHIVE_BYTES = 500 * 2**20


class CollectError(ValueError):
    """A submission that cannot be collected safely (named in the message)."""


def _safe_members(archive: zipfile.ZipFile, student: str) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    members = []
    total = 0
    for info in archive.infolist():
        path = PurePosixPath(info.filename)
        if info.is_dir() or path.name in ("", ".DS_Store") or "__MACOSX" in path.parts:
            continue
        if path.is_absolute() or ".." in path.parts:
            raise CollectError(f"{student}.zip: unsafe path {info.filename!r}")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise CollectError(f"{student}.zip: symbolic link {info.filename!r}")
        total += info.file_size
        if total > MAX_ARCHIVE_BYTES:
            raise CollectError(f"{student}.zip: more than {MAX_ARCHIVE_BYTES // 2**20} MiB unpacked")
        members.append((info, path))
    tops = {path.parts[0] for _, path in members if len(path.parts) > 1}
    if len(tops) == 1 and all(len(path.parts) > 1 for _, path in members):
        members = [(info, PurePosixPath(*path.parts[1:])) for info, path in members]
    return members


def _extract(archive_path: Path, target: Path, student: str) -> None:
    with zipfile.ZipFile(archive_path) as archive:
        for info, relative in _safe_members(archive, student):
            destination = target.joinpath(*relative.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, open(destination, "wb") as sink:
                shutil.copyfileobj(source, sink)


def collect(assignment: str, source: Path, dest: Path) -> list[str]:
    """Fill ``dest/<student>/`` from ``source``; return the students collected."""
    source, dest = Path(source), Path(dest)
    if not source.is_dir():
        raise FileNotFoundError(f"no folder {source}")
    students = []
    for entry in sorted(source.iterdir()):
        if entry.name.startswith("."):
            continue
        student = entry.stem if entry.suffix == ".zip" else entry.name
        if not STUDENT_ID.match(student):
            raise CollectError(f"{entry.name!r}: not a usable student id (letters, digits, _ . @ - only)")
        target = dest / student
        if entry.is_file() and entry.suffix == ".zip":
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            _extract(entry, target, student)
        elif entry.is_dir() and not entry.is_symlink():
            nested = entry / assignment
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(nested if nested.is_dir() else entry, target, symlinks=True,
                            ignore=lambda folder, names: [n for n in names if (Path(folder) / n).is_symlink()])
        else:
            continue
        students.append(student)
    return students
