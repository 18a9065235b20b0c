"""When each student handed their work in, from what they handed in.

Three sources, the first that knows a student wins:

1. a TA's CSV (``student,submitted_at``), for a platform that gives neither of the others;
2. what ``course collect`` recorded at intake in ``DEST/.submission_times.csv``: an archive's file
   time (``<student>.zip`` as the platform delivered it), or for nbgrader's ``submitted/`` tree the
   exchange's ``timestamp.txt``, or for another folder the newest file time in it. The record sits
   beside the student folders, where no student's files can overwrite it (no student id starts
   with '.', and ``course grade`` ignores plain files at the top of the class folder);
3. ``timestamp.txt`` in the student's folder as nbgrader's ``nbgrader collect`` writes it into
   ``submitted/<student>/<assignment>/`` (the class graded straight from nbgrader's tree).

nbgrader's exchange writes ``timestamp.txt`` from the student's own ``nbgrader submit``, and an
archive's time is what the platform and the download kept: the report names each time's source,
and a TA who has the platform's own record gives it as the CSV, which wins.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from autograder.records.lateness import LatePolicyError, parse_time

COLLECT_RECORD = ".submission_times.csv"
TIMESTAMP_FILE = "timestamp.txt"       # nbgrader's name (nbgrader.exchange.default.submit)
MAX_TIMESTAMP_BYTES = 200

SOURCE_CSV = "TA's CSV"
SOURCE_EXCHANGE = "nbgrader exchange timestamp"
SOURCE_ARCHIVE = "archive time"
SOURCE_FOLDER = "newest file time in the folder"


@dataclass(frozen=True)
class SubmissionTime:
    """When one student's work was handed in, and where that time was read."""

    at: dt.datetime     # UTC, naive
    source: str


def read_timestamp_file(folder: Path) -> dt.datetime | None:
    """nbgrader's ``timestamp.txt`` in ``folder`` (a plain, small file), or None; unreadable: None."""
    path = Path(folder) / TIMESTAMP_FILE
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_TIMESTAMP_BYTES:
            return None
        return parse_time(path.read_text(encoding="utf-8", errors="replace").strip(), str(path))
    except (OSError, LatePolicyError):
        return None


def _utc(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).replace(tzinfo=None)


def time_at_intake(entry: Path, assignment: str) -> SubmissionTime | None:
    """The time ``course collect`` records for a source entry: a zip's file time, an nbgrader
    folder's ``timestamp.txt``, or the newest plain file's time in another folder."""
    entry = Path(entry)
    try:
        if entry.is_file() and not entry.is_symlink():
            return SubmissionTime(_utc(entry.stat().st_mtime), SOURCE_ARCHIVE)
        for folder in (entry / assignment, entry):
            stamp = read_timestamp_file(folder)
            if stamp is not None:
                return SubmissionTime(stamp, SOURCE_EXCHANGE)
        newest = 0.0
        for top, folders, files in os.walk(entry):
            for name in files:
                info = os.lstat(os.path.join(top, name))
                if not os.path.islink(os.path.join(top, name)):
                    newest = max(newest, info.st_mtime)
        return SubmissionTime(_utc(newest), SOURCE_FOLDER) if newest else None
    except OSError:
        return None


def read_csv(path: Path, source: str = SOURCE_CSV) -> dict[str, SubmissionTime]:
    """``student,submitted_at`` rows (a header line; an optional ``source`` column) as times.

    Raises LatePolicyError naming the line for a missing column, a bad time or a student twice.
    """
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as stream:
            rows = list(csv.DictReader(stream))
            fields = rows[0].keys() if rows else []
    except OSError as exc:
        raise LatePolicyError(f"cannot read {path}: {exc.strerror or exc}.") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise LatePolicyError(f"{path} is not a CSV file ({exc}).") from None
    if rows and not {"student", "submitted_at"} <= set(fields):
        raise LatePolicyError(f"{path}: the first line must name the columns student,submitted_at "
                              f"(found {','.join(f for f in fields if f)[:80]}).")
    times: dict[str, SubmissionTime] = {}
    for number, row in enumerate(rows, start=2):
        student = (row.get("student") or "").strip()
        if not student:
            raise LatePolicyError(f"{path}, line {number}: no student id.")
        if student in times:
            raise LatePolicyError(f"{path}, line {number}: {student} appears twice; keep one line per student.")
        at = parse_time((row.get("submitted_at") or "").strip(), f"{path}, line {number}")
        times[student] = SubmissionTime(at, (row.get("source") or "").strip() or source)
    return times


def record_collected(dest: Path, times: dict[str, SubmissionTime]) -> Path:
    """Add (or replace) the students' intake times in ``dest/.submission_times.csv``; return it."""
    path = Path(dest) / COLLECT_RECORD
    known = read_csv(path) if path.is_file() else {}
    known.update(times)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["student", "submitted_at", "source"])
        for student in sorted(known):
            writer.writerow([student, known[student].at.isoformat(sep=" ", timespec="seconds") + " UTC",
                             known[student].source])
    partial.replace(path)
    return path


def class_times(submissions: Path | None, folders: dict[str, Path] | None = None,
                ta_csv: Path | None = None) -> dict[str, SubmissionTime]:
    """Every known submission time of a class: the TA's CSV, else collect's record, else the
    ``timestamp.txt`` in each student's folder (``folders``: student -> the folder graded)."""
    times: dict[str, SubmissionTime] = {}
    for student, folder in (folders or {}).items():
        stamp = read_timestamp_file(folder)
        if stamp is not None:
            times[student] = SubmissionTime(stamp, SOURCE_EXCHANGE)
    record = Path(submissions) / COLLECT_RECORD if submissions else None
    if record is not None and record.is_file():
        times.update(read_csv(record, SOURCE_ARCHIVE))
    if ta_csv is not None:
        times.update(read_csv(ta_csv))
    return times
