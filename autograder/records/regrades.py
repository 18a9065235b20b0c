"""The regrade audit trail: ``course_regrade``, a table of ours beside ``course_outcome``.

When a student already in the gradebook is graded again (``course grade --student ID`` after a
fix or an accepted regrade request, ``--force``, or a changed folder), the writer records, in the
same transaction as the new grade, the earlier result as it was (its whole JSON), who regraded
(``COURSE_TA``, else the login name), when, and what changed in plain words (the outcome, the
total, each test's points). Nothing is ever deleted from it; the class report lists it
(:func:`history`). A TA's hand grades live in nbgrader's rows and are kept by the writer, so they
are not part of a regrade.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, Float, Integer, MetaData, String, Table, Text, select

REGRADE_TABLE = "course_regrade"
WHO_ENV = "COURSE_TA"

_metadata = MetaData()
regrade_table = Table(
    REGRADE_TABLE,
    _metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("assignment", String(128), nullable=False, index=True),
    Column("student", String(128), nullable=False),
    Column("changed_at", DateTime(), nullable=False),
    Column("changed_by", String(128), nullable=False),
    Column("previous_outcome", String(32), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("previous_score", Float(), nullable=False),
    Column("score", Float(), nullable=False),
    Column("changes", Text(), nullable=False),
    Column("previous_result_json", Text(), nullable=False),
)


@dataclass(frozen=True)
class Regrade:
    """One regrade as the report shows it."""

    student: str
    changed_at: str
    changed_by: str
    previous_score: float
    score: float
    changes: str


def create_table(engine) -> None:
    """Create ``course_regrade`` when the gradebook has none (called where the gradebook is opened)."""
    _metadata.create_all(engine)


def who() -> str:
    """Who is regrading: ``$COURSE_TA`` when set, else the login name."""
    name = os.environ.get(WHO_ENV, "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry (a container)
            name = "unknown"
    return name[:128]


def _scores(result_json: str) -> dict[str, float]:
    try:
        return {t["id"]: float(t["score"]) for t in json.loads(result_json).get("tests", [])}
    except (ValueError, KeyError, TypeError):
        return {}


def describe_changes(previous: dict, new: dict) -> str:
    """What a regrade changed, in plain words (``outcome timeout -> graded; test_x 0 -> 2``)."""
    parts = []
    if previous["outcome"] != new["outcome"]:
        parts.append(f"outcome {previous['outcome']} -> {new['outcome']}")
    if abs(float(previous["score"]) - float(new["score"])) > 1e-9:
        parts.append(f"total {float(previous['score']):g} -> {float(new['score']):g}")
    before, after = _scores(previous["result_json"]), _scores(new["result_json"])
    for item in sorted(set(before) | set(after)):
        old, now = before.get(item), after.get(item)
        if old is None or now is None or abs(old - now) > 1e-9:
            parts.append(f"{item} {'-' if old is None else f'{old:g}'} -> {'-' if now is None else f'{now:g}'}")
    return "; ".join(parts) or "no change"


def keep_earlier(db, assignment: str, student: str, previous: dict, new: dict) -> None:
    """Record, in the caller's transaction, that ``previous`` (a ``course_outcome`` row as a dict)
    gives way to ``new`` (the row about to be written)."""
    db.execute(regrade_table.insert().values(
        assignment=assignment, student=student,
        changed_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), changed_by=who(),
        previous_outcome=previous["outcome"], outcome=new["outcome"],
        previous_score=float(previous["score"]), score=float(new["score"]),
        changes=describe_changes(previous, new), previous_result_json=previous["result_json"]))


def history(url: str, assignment: str) -> list[Regrade]:
    """Every regrade of ``assignment``, newest first (empty for a gradebook without the table)."""
    from sqlalchemy import create_engine, inspect

    from autograder.records.gradebook import normalize_url

    engine = create_engine(normalize_url(url))
    try:
        if not inspect(engine).has_table(REGRADE_TABLE):
            return []
        with engine.connect() as connection:
            rows = connection.execute(select(regrade_table).where(regrade_table.c.assignment == assignment)
                                      .order_by(regrade_table.c.id.desc())).all()
    finally:
        engine.dispose()
    return [Regrade(r.student, r.changed_at.isoformat(timespec="seconds") + " UTC", r.changed_by,
                    float(r.previous_score), float(r.score), r.changes) for r in rows]
