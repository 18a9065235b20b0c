"""``course collect``: gather downloaded submissions into the layout ``course grade`` reads.

Sources, as TAs get them:

- a folder of archives, one per student: ``SRC/<student>.zip`` (what most
  learning platforms export), extracted safely: no absolute paths, no ``..``,
  no links, a size cap; a single top folder inside the archive is dropped;
- nbgrader's ``submitted/<student>/<NN_topic>/`` tree (or any
  ``SRC/<student>/`` folder), copied without links or special files.

Result: ``DEST/<student>/<NN_topic>.ipynb`` plus the student's other files, and each
student's submission time in ``DEST/.submission_times.csv`` (see
:mod:`autograder.grading.submission_times`: the archive's time, or nbgrader's ``timestamp.txt``).
A student's previous copy in DEST is replaced only once the new one is
complete, so collecting again is safe.

One bad entry never stops the others: a corrupt or unsafe archive, a link, a
name that is no student id, two entries for one student — each is skipped
with a one-line reason (nothing of it is written; an earlier copy in DEST is
left as it was) and the rest are collected. OS litter (``.DS_Store``,
``__MACOSX``…) is ignored silently. Links inside a copied folder are not
copied, and are listed too.
"""

from __future__ import annotations

import os
import shutil
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.grading import submission_times
from autograder.grading.grade_class import OS_LITTER, STUDENT_ID, Skipped

MAX_ARCHIVE_BYTES = 500 * 2**20
STAGING = ".course-collect"          # inside DEST, ignored by course grade (see grading.OS_LITTER)


class CollectError(ValueError):
    """A submission that cannot be collected safely (named in the message)."""


@dataclass
class Collection:
    """What ``collect`` did: the students collected, and each entry skipped with its reason."""

    collected: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _safe_members(archive: zipfile.ZipFile, student: str) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    members = []
    total = 0
    for info in archive.infolist():
        path = PurePosixPath(info.filename)
        if info.is_dir() or path.name in ("", *OS_LITTER) or "__MACOSX" in path.parts:
            continue
        if path.is_absolute() or ".." in path.parts:
            raise CollectError(f"unsafe path {info.filename!r} inside the archive")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise CollectError(f"symbolic link {info.filename!r} inside the archive")
        if info.flag_bits & 0x1:
            raise CollectError("the archive is encrypted")
        total += info.file_size
        if total > MAX_ARCHIVE_BYTES:
            raise CollectError(f"more than {MAX_ARCHIVE_BYTES // 2**20} MiB unpacked")
        members.append((info, path))
    tops = {path.parts[0] for _, path in members if len(path.parts) > 1}
    if len(tops) == 1 and all(len(path.parts) > 1 for _, path in members):
        members = [(info, PurePosixPath(*path.parts[1:])) for info, path in members]
    return members


def _extract(archive_path: Path, target: Path, student: str) -> None:
    """Unpack into ``target`` (a fresh folder); every check runs before the first write."""
    with zipfile.ZipFile(archive_path) as archive:
        for info, relative in _safe_members(archive, student):
            destination = target.joinpath(*relative.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            if destination.exists():
                raise CollectError(f"{info.filename!r} appears twice in the archive")
            with archive.open(info) as source, open(destination, "wb") as sink:
                shutil.copyfileobj(source, sink)


def _copy_plain(source: Path, target: Path, shown_as: str, skipped: list[Skipped]) -> None:
    """Copy folders and regular files only; links and special files are listed in ``skipped``
    (named ``shown_as/…``, the path the TA sees in the source)."""
    budget = MAX_ARCHIVE_BYTES
    target.mkdir(parents=True, exist_ok=True)

    def walk(src: Path, dst: Path, relative: str) -> None:
        nonlocal budget
        for entry in sorted(os.scandir(src), key=lambda e: e.name):
            name = f"{relative}/{entry.name}"
            if entry.name in OS_LITTER:
                continue
            if entry.is_symlink():
                skipped.append(Skipped(name, "a symbolic link: not copied (the student's other files were)."))
            elif entry.is_dir(follow_symlinks=False):
                (dst / entry.name).mkdir()
                walk(Path(entry.path), dst / entry.name, name)
            elif entry.is_file(follow_symlinks=False):
                budget -= entry.stat(follow_symlinks=False).st_size
                if budget < 0:
                    raise CollectError(f"more than {MAX_ARCHIVE_BYTES // 2**20} MiB in the folder")
                shutil.copyfile(entry.path, dst / entry.name, follow_symlinks=False)
            else:
                skipped.append(Skipped(name, "not a regular file (a pipe or device): not copied."))

    walk(source, target, shown_as)


def _student_of(entry: os.DirEntry) -> tuple[str | None, str]:
    """The student id an entry stands for, or None and why it cannot be collected."""
    name = entry.name
    if entry.is_symlink():
        return None, "a symbolic link: not followed; put the student's own archive or folder there."
    is_zip = entry.is_file(follow_symlinks=False) and name.lower().endswith(".zip")
    if not is_zip and not entry.is_dir(follow_symlinks=False):
        return None, "neither a .zip archive nor a folder: unpack or convert it to <student>.zip."
    student = name[:-4] if is_zip else name
    if student.startswith("."):
        return None, "the name starts with '.', so it is no student id: rename it to the student's id."
    if not STUDENT_ID.match(student):
        return None, "not a usable student id (letters, digits, _ . @ - only): rename it to the student's id."
    return student, ""


def _collect_one(entry: os.DirEntry, student: str, assignment: str, staging: Path,
                 skipped: list[Skipped]) -> Path:
    """Build the student's copy in a fresh folder under ``staging``; return it."""
    target = staging / student
    target.mkdir()
    if entry.is_dir(follow_symlinks=False):
        nested = Path(entry.path) / assignment
        if nested.is_symlink():
            raise CollectError(f"{assignment}/ inside it is a symbolic link: not followed")
        if nested.is_dir():
            _copy_plain(nested, target, f"{entry.name}/{assignment}", skipped)
        else:
            _copy_plain(Path(entry.path), target, entry.name, skipped)
    else:
        _extract(Path(entry.path), target, student)
    return target


def _check_folders(source: Path, dest: Path) -> None:
    if not source.is_dir():
        raise FileNotFoundError(f"no folder {source}")
    src, out = source.resolve(), dest.resolve()
    if src == out or src in out.parents or out in src.parents:
        raise CollectError(f"the source {src} and the destination {out} must not contain each other.")


def collect(assignment: str, source: Path, dest: Path) -> Collection:
    """Fill ``dest/<student>/`` from ``source``; return who was collected and what was skipped (why).

    Raises only for the whole run (no source folder, source and dest nested);
    anything wrong with one entry skips that entry alone.
    """
    source, dest = Path(source), Path(dest)
    _check_folders(source, dest)
    done = Collection()
    entries: dict[str, list[os.DirEntry]] = {}
    for entry in sorted(os.scandir(source), key=lambda e: e.name):
        if entry.name in OS_LITTER or entry.name.startswith("._"):
            continue
        student, why = _student_of(entry)
        if student is None:
            done.skipped.append(Skipped(entry.name, why))
        else:
            entries.setdefault(student, []).append(entry)
    dest.mkdir(parents=True, exist_ok=True)
    staging = dest / STAGING
    shutil.rmtree(staging, ignore_errors=True)   # what an interrupted run left
    staging.mkdir()
    times: dict[str, submission_times.SubmissionTime] = {}
    try:
        for student, found in entries.items():
            if len(found) > 1:
                names = " and ".join(e.name for e in found)
                for entry in found:
                    done.skipped.append(Skipped(entry.name, f"{names} are both {student}'s: keep one."))
                continue
            (entry,) = found
            notes: list[Skipped] = []
            try:
                built = _collect_one(entry, student, assignment, staging, notes)
            except (CollectError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError,
                    RuntimeError, OSError) as exc:
                message = str(exc) if isinstance(exc, CollectError) else f"unreadable ({type(exc).__name__})"
                done.skipped.append(Skipped(entry.name, f"{message}: nothing was collected for {student}; "
                                                        "ask for a new submission."))
                continue
            previous = dest / student
            if previous.is_symlink() or previous.is_file():
                previous.unlink()
            shutil.rmtree(previous, ignore_errors=True)
            built.rename(previous)
            done.collected.append(student)
            done.skipped += notes
            stamp = submission_times.time_at_intake(Path(entry.path), assignment)
            if stamp is not None:
                times[student] = stamp
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if times:  # when each student handed in, kept beside their folders (late work)
            submission_times.record_collected(dest, times)
    return done
