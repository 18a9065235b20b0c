"""Late work: a late policy's arithmetic, and where lateness is kept in the gradebook.

A late penalty is a visible adjustment of the total, never a change of an item's verdict:
nbgrader's ``Grade`` rows and ``course_outcome`` stay exactly as the grader wrote them.
Each fact lives in nbgrader's own column where nbgrader has one, so that ``nbgrader export``
(``score = max(0, raw_score - late_submission_penalty)``) and formgrader agree with ``course``:

- the due date: ``Assignment.duedate`` (UTC, naive, as nbgrader stores it);
- a student's extension: ``SubmittedAssignment.extension``;
- the submission time: ``SubmittedAssignment.timestamp`` (nbgrader's meaning: when it was handed in);
- the penalty in points: ``SubmittedNotebook.late_submission_penalty`` of the assignment's first
  notebook (the others hold 0).

``course_late``, a table beside them, keeps what nbgrader has no column for: where the time came
from (the nbgrader exchange, an archive, a TA's CSV) and the rule applied, in words.

The stored penalty does not depend on the score (a share of the assignment's points, or all of
them when late work is not accepted), so it stays right when a TA changes a manual grade later;
what a student loses is ``min(penalty, raw score)``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from sqlalchemy import Boolean, Column, DateTime, Float, MetaData, String, Table, Text, select

LATE_TABLE = "course_late"
DAY = 86400.0

_metadata = MetaData()
late_table = Table(
    LATE_TABLE,
    _metadata,
    Column("assignment", String(128), primary_key=True),
    Column("student", String(128), primary_key=True),
    Column("submitted_at", DateTime(), nullable=True),
    Column("source", Text(), nullable=False, default=""),
    Column("due", DateTime(), nullable=True),          # the student's due date, extension included
    Column("seconds_late", Float(), nullable=False, default=0.0),
    Column("penalty", Float(), nullable=False, default=0.0),
    Column("accepted", Boolean(), nullable=False, default=True),
    Column("rule", Text(), nullable=False, default=""),
)

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)\s*$", re.I)
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": DAY, "w": 7 * DAY}


class LatePolicyError(ValueError):
    """A late policy, due date, extension or time that cannot be read (the message says which)."""


def parse_duration(text: str | float | int, what: str) -> dt.timedelta:
    """``"15 min"``, ``"2 h"``, ``"3 days"``, ``"1 week"`` (or a number of hours) as a timedelta."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        if text < 0:
            raise LatePolicyError(f"{what}: {text} is negative; give a duration such as '2 days'.")
        return dt.timedelta(hours=float(text))
    match = _DURATION.match(str(text))
    if not match:
        raise LatePolicyError(f"{what}: {text!r} is no duration; write e.g. '15 min', '6 h' or '2 days'.")
    return dt.timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)[0].lower()])


def parse_time(text: str | dt.datetime, what: str) -> dt.datetime:
    """A time as nbgrader reads one (``nbgrader.utils.parse_utc``): UTC, naive. Naive input is UTC."""
    from nbgrader.utils import parse_utc

    try:
        parsed = parse_utc(text)
    except (ValueError, OverflowError, TypeError) as exc:
        raise LatePolicyError(f"{what}: {str(text)[:60]!r} is no time ({exc}); write e.g. "
                              "'2027-01-18 23:59:00 UTC' or '2027-01-18T23:59:00+01:00'.") from None
    if parsed is None:
        raise LatePolicyError(f"{what}: no time given.")
    return parsed


def _share(value: float) -> str:
    return f"{100 * value:g} %"


@dataclass(frozen=True)
class LatePolicy:
    """How late work is treated for one assignment.

    grace: lateness forgiven entirely (a slow upload); past it, days are counted from the due date,
    each day started counts. per_day: share of the assignment's points lost per day started.
    cap: the largest share lost. accepted=False: late work is not accepted (it scores zero).
    """

    grace: dt.timedelta = dt.timedelta(0)
    per_day: float = 0.0
    cap: float = 1.0
    accepted: bool = True

    def __post_init__(self) -> None:
        if not (0.0 <= self.per_day <= 1.0 and 0.0 <= self.cap <= 1.0):
            raise LatePolicyError(f"late policy: per_day ({self.per_day}) and cap ({self.cap}) are shares of the "
                                  "points between 0 and 1 (0.1 = 10 %).")

    def days_late(self, seconds_late: float) -> int:
        """Days started since the due date, 0 within the grace period."""
        if seconds_late <= self.grace.total_seconds():
            return 0
        return max(1, math.ceil(seconds_late / DAY))

    def penalty(self, seconds_late: float, max_score: float) -> float:
        """Points taken from the total (before clipping to the score: the total never goes below 0)."""
        days = self.days_late(seconds_late)
        if not days:
            return 0.0
        if not self.accepted:
            return float(max_score)
        return round(min(self.cap, self.per_day * days) * max_score, 6)

    def describe(self) -> str:
        """The rule in one line, for the report and the student's page."""
        grace = f"{_format_span(self.grace.total_seconds())} of grace" if self.grace else "no grace period"
        if not self.accepted:
            return f"late work not accepted ({grace})"
        if not self.per_day:
            return f"late work accepted without penalty ({grace})"
        return f"−{_share(self.per_day)} of the points per day started, at most −{_share(self.cap)} ({grace})"


def _format_span(seconds: float) -> str:
    """``95 s`` -> ``2 min``; ``5400`` -> ``1 h 30 min``; ``200000`` -> ``2 d 7 h``."""
    minutes = math.ceil(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes and not days else ""]
    return " ".join(p for p in parts if p) or "0 min"


@dataclass(frozen=True)
class Lateness:
    """One student's submission time against the due date, and what the policy takes for it."""

    student: str
    submitted_at: dt.datetime | None
    source: str                      # where the time came from, in words ("" when unknown)
    due: dt.datetime | None          # the student's due date, extension included
    seconds_late: float = 0.0
    penalty: float = 0.0             # points, not yet clipped to the score
    accepted: bool = True
    rule: str = ""
    extension: dt.timedelta | None = None

    @property
    def days_late(self) -> int:
        return math.ceil(self.seconds_late / DAY) if self.seconds_late > 0 else 0

    def points_lost(self, raw_score: float) -> float:
        return min(self.penalty, max(raw_score, 0.0))

    def final(self, raw_score: float) -> float:
        """The total after the penalty (never below zero)."""
        return max(0.0, raw_score - self.penalty)

    def status(self) -> str:
        """``on time`` / ``2 h 5 min late`` / ``late, not accepted`` / ``no submission time``."""
        if self.submitted_at is None:
            return "no submission time" if self.due is not None else ""
        if self.due is None or self.seconds_late <= 0:
            return "on time" if self.due is not None else ""
        late = f"{_format_span(self.seconds_late)} late"
        return f"{late}, not accepted" if not self.accepted and self.penalty else late

    def describe(self, raw_score: float) -> str:
        """One line for the student and the TA: when, against which due date, and the points it cost."""
        if self.due is None and self.submitted_at is None:
            return ""
        when = (f"Submitted {self.submitted_at:%Y-%m-%d %H:%M} UTC ({self.source})" if self.submitted_at
                else "No submission time is known, so no late penalty applies")
        due = f"due {self.due:%Y-%m-%d %H:%M} UTC" if self.due else "no due date"
        if self.extension:
            due += f" with an extension of {_format_span(self.extension.total_seconds())}"
        text = f"{when}; {due}"
        if self.submitted_at and self.due:
            text += f": {self.status()}"
        if self.penalty:
            text += f"; late penalty −{self.points_lost(raw_score):g} point(s) ({self.rule})"
        elif self.seconds_late > 0:
            text += " (within the grace period: no penalty)"
        return text + "."


def assess(student: str, policy: LatePolicy, due: dt.datetime | None, extension: dt.timedelta | None,
           submitted_at: dt.datetime | None, source: str, max_score: float) -> Lateness:
    """A student's lateness under ``policy`` (no due date or no time known: no penalty)."""
    effective = due + extension if due is not None and extension else due
    seconds = max(0.0, (submitted_at - effective).total_seconds()) if submitted_at and effective else 0.0
    penalty = policy.penalty(seconds, max_score)
    return Lateness(student, submitted_at, source, effective, seconds, penalty,
                    accepted=policy.accepted or not policy.days_late(seconds), rule=policy.describe(),
                    extension=extension)


def store(gradebook, assignment: str, due: dt.datetime | None, rows: list[Lateness]) -> None:
    """Write the due date, each student's time, extension and penalty (one transaction).

    ``gradebook``: an open nbgrader Gradebook (``autograder.records.gradebook.open_gradebook``).
    Students without a submission row (never graded) are skipped.
    """
    from nbgrader.api import Assignment, SubmittedAssignment

    db = gradebook.db
    _metadata.create_all(gradebook.engine)
    try:
        record = db.execute(select(Assignment).filter_by(name=assignment)).scalar_one()
        record.duedate = due
        for row in rows:
            submission = db.execute(select(SubmittedAssignment).filter_by(
                assignment=record, student_id=row.student)).scalar_one_or_none()
            if submission is None:
                continue
            submission.timestamp = row.submitted_at
            submission.extension = row.extension
            notebooks = sorted(submission.notebooks, key=lambda nb: nb.notebook.name)
            for index, notebook in enumerate(notebooks):
                notebook.late_submission_penalty = row.penalty if index == 0 else 0.0
            values = {"submitted_at": row.submitted_at, "source": row.source, "due": row.due,
                      "seconds_late": row.seconds_late, "penalty": row.penalty, "accepted": row.accepted,
                      "rule": row.rule}
            key = (late_table.c.assignment == assignment) & (late_table.c.student == row.student)
            if db.execute(select(late_table.c.student).where(key)).first() is None:
                db.execute(late_table.insert().values(assignment=assignment, student=row.student, **values))
            else:
                db.execute(late_table.update().where(key).values(**values))
        db.commit()
    except BaseException:
        db.rollback()
        raise


def load(gradebook, assignment: str) -> dict[str, Lateness]:
    """Every student's stored lateness for ``assignment`` (empty when the late pass never ran)."""
    from sqlalchemy import inspect

    from nbgrader.api import Assignment, SubmittedAssignment

    if not inspect(gradebook.engine).has_table(LATE_TABLE):
        return {}
    db = gradebook.db
    extensions = {s.student_id: s.extension for s in db.execute(
        select(SubmittedAssignment).join(Assignment).where(Assignment.name == assignment)).scalars()}
    found = {}
    for row in db.execute(select(late_table).where(late_table.c.assignment == assignment)):
        found[row.student] = Lateness(row.student, row.submitted_at, row.source, row.due, row.seconds_late,
                                      row.penalty, bool(row.accepted), row.rule, extensions.get(row.student))
    return found


def load_url(url: str, assignment: str) -> dict[str, Lateness]:
    """:func:`load` from a gradebook URL."""
    from autograder.records.gradebook import open_gradebook

    gradebook = open_gradebook(url)
    try:
        return load(gradebook, assignment)
    finally:
        gradebook.close()
