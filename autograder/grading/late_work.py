"""The late pass: due dates, policies and extensions from the course's ``nbgrader_config.py``,
submission times from what students handed in, the penalty written beside the grades.

Declared in ``nbgrader_config.py`` because that is where an nbgrader course is configured (it
already holds nbgrader's own ``LateSubmissionPlugin`` setting, and ``course release`` reads it);
the repository's top level is fixed, so no other file is added. Times are UTC unless they name
a zone (``"2027-01-18 23:59:00 Europe/Paris"``, read by nbgrader's ``parse_utc``)::

    c.CourseLate.due = {"00_setup": "2027-01-18 23:59:00 Europe/Paris"}
    c.CourseLate.policy = {
        "default": {"grace": "15 min", "per_day": 0.10, "cap": 0.50},
        "07_style_transfer": {"grace": "1 h", "late": "not accepted"},
    }
    c.CourseLate.extensions = {"00_setup": {"alice": "2 days"}}

A due date set with nbgrader (``nbgrader db assignment add 00_setup --duedate=…``) is used when
the config names none; an extension granted in nbgrader's gradebook stays unless the config
names one for that student. ``course grade`` runs the pass after grading; ``course late`` runs
it again (a new extension, a TA's CSV of times) and rewrites the report and feedback pages.
Nothing here touches an item's verdict or score: the penalty is a separate line of the total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from autograder.grading import submission_times
from autograder.records import lateness
from autograder.records.lateness import LatePolicy, LatePolicyError

SECTION = "CourseLate"
_POLICY_KEYS = {"grace", "per_day", "cap", "late"}


@dataclass(frozen=True)
class LateRules:
    """One assignment's due date, policy and extensions, as declared."""

    due: dt.datetime | None = None
    policy: LatePolicy = field(default_factory=LatePolicy)
    extensions: Mapping[str, dt.timedelta] = field(default_factory=dict)


def _policy(spec: Any, where: str) -> LatePolicy:
    if not isinstance(spec, Mapping):
        raise LatePolicyError(f"{where}: a policy is a dict such as {{'grace': '15 min', 'per_day': 0.1, "
                              "'cap': 0.5}} or {'late': 'not accepted'}.")
    unknown = set(spec) - _POLICY_KEYS
    if unknown:
        raise LatePolicyError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                              f"use {', '.join(sorted(_POLICY_KEYS))}.")
    late = str(spec.get("late", "accepted")).strip().lower()
    if late not in ("accepted", "not accepted"):
        raise LatePolicyError(f"{where}: 'late' is 'accepted' or 'not accepted', not {late!r}.")
    try:
        per_day, cap = float(spec.get("per_day", 0.0)), float(spec.get("cap", 1.0))
    except (TypeError, ValueError):
        raise LatePolicyError(f"{where}: per_day and cap are shares of the points (0.1 = 10 %).") from None
    return LatePolicy(grace=lateness.parse_duration(spec.get("grace", 0), f"{where} grace"),
                      per_day=per_day, cap=cap, accepted=late == "accepted")


def rules_from_config(config: Mapping[str, Any], assignment: str) -> LateRules:
    """``assignment``'s rules from a loaded nbgrader Config (its ``CourseLate`` section)."""
    section = config.get(SECTION, {}) if hasattr(config, "get") else {}
    due_dates = section.get("due", {}) or {}
    policies = section.get("policy", {}) or {}
    extensions = section.get("extensions", {}) or {}
    for name, value in (("due", due_dates), ("policy", policies), ("extensions", extensions)):
        if not isinstance(value, Mapping):
            raise LatePolicyError(f"nbgrader_config.py: c.{SECTION}.{name} must be a dict keyed by assignment.")
    due = due_dates.get(assignment)
    spec = policies.get(assignment, policies.get("default", {}))
    granted = extensions.get(assignment, {}) or {}
    if not isinstance(granted, Mapping):
        raise LatePolicyError(f"nbgrader_config.py: c.{SECTION}.extensions[{assignment!r}] must be a dict "
                              "student -> duration, e.g. {'alice': '2 days'}.")
    where = f"nbgrader_config.py: c.{SECTION}"
    return LateRules(
        due=lateness.parse_time(due, f"{where}.due[{assignment!r}]") if due else None,
        policy=_policy(spec, f"{where}.policy[{assignment!r}]"),
        extensions={str(student): lateness.parse_duration(span, f"{where}.extensions[{assignment!r}][{student!r}]")
                    for student, span in granted.items()})


def course_rules(assignment: str, root: Path | None = None) -> LateRules:
    """The rules the course's ``nbgrader_config.py`` declares for ``assignment``."""
    from autograder.sources.release import load_config

    try:
        config = load_config(root)
    except Exception as exc:  # noqa: BLE001 - a config that does not run: say so in one line
        raise LatePolicyError(f"nbgrader_config.py cannot be loaded ({type(exc).__name__}: {exc}).") from None
    return rules_from_config(config, assignment)


def apply(url: str, assignment: str, rules: LateRules, times: Mapping[str, submission_times.SubmissionTime],
          *, keep_stored_times: bool = True) -> dict[str, lateness.Lateness]:
    """Assess every student in the gradebook and store the result; return it by student.

    ``times``: what the students handed in (:func:`submission_times.class_times`); a student it
    does not know keeps the time stored by an earlier pass when ``keep_stored_times``.
    """
    from nbgrader.api import Assignment, SubmittedAssignment
    from sqlalchemy import select

    from autograder.records.gradebook import open_gradebook

    gradebook = open_gradebook(url)
    try:
        record = gradebook.db.execute(select(Assignment).filter_by(name=assignment)).scalar_one_or_none()
        if record is None:
            raise LatePolicyError(f"the gradebook {url} has no assignment {assignment}: grade it first.")
        stored = lateness.load(gradebook, assignment) if keep_stored_times else {}
        due = rules.due or record.duedate
        max_score = float(record.max_score or 0.0)
        assessed = {}
        submissions = gradebook.db.execute(select(SubmittedAssignment).filter_by(assignment=record)).scalars()
        for submission in submissions:
            student = submission.student_id
            known = times.get(student)
            at, source = (known.at, known.source) if known else (None, "")
            if known is None and student in stored and stored[student].submitted_at is not None:
                at, source = stored[student].submitted_at, stored[student].source
            extension = rules.extensions.get(student, submission.extension)
            assessed[student] = lateness.assess(student, rules.policy, due, extension, at, source, max_score)
        lateness.store(gradebook, assignment, due, list(assessed.values()))
        return assessed
    finally:
        gradebook.close()


def summary(rows: Mapping[str, lateness.Lateness]) -> str:
    """One line for the TA: how many were late, penalised, not accepted, without a time."""
    late = [r for r in rows.values() if r.seconds_late > 0]
    return (f"late work: {len(late)} late, {sum(1 for r in late if r.penalty)} penalised, "
            f"{sum(1 for r in late if not r.accepted)} not accepted, "
            f"{sum(1 for r in rows.values() if r.submitted_at is None)} without a submission time "
            f"(of {len(rows)}).")


def refresh_pages(url: str, assignment: str, out_dir: Path, rows: Mapping[str, lateness.Lateness],
                  root: Path | None = None) -> Path:
    """Rewrite every feedback page with its lateness line, and the class report; return the report."""
    from autograder.pages import feedback, report
    from autograder.records import manual_grades
    from autograder.records.gradebook_queries import load_results

    # the TAs' scores and comments on written answers stay on the pages (as `course feedback` writes them)
    for result in manual_grades.merge_all(load_results(url, assignment), url, assignment):
        feedback.write_feedback(result, Path(out_dir) / "feedback", root, rows.get(result.student))
    return report.write_report(url, assignment, Path(out_dir) / "report", feedback_dir=Path(out_dir) / "feedback")
