"""``course late``: apply the late policy again (a new extension, a TA's CSV of times), and the
late pass that ``course grade`` runs after grading.

The rules come from ``nbgrader_config.py`` (``c.CourseLate``, see
:mod:`autograder.grading.late_work`); the times from what students handed in
(:mod:`autograder.grading.submission_times`). The penalty is written beside the grades; the
report, the feedback pages, ``course export`` and ``course export-lms`` show it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.cli.usage import UsageError


def late_pass(assignment: str, url: str, out_dir: Path, *, submissions: Path | None = None,
              times_csv: Path | None = None, quiet: bool = False) -> int:
    """Assess lateness, store it, rewrite the pages; return 0, or 2 after a one-line error."""
    from autograder.grading import grade_class as grading
    from autograder.grading import late_work, submission_times
    from autograder.records.lateness import LatePolicyError

    try:
        rules = late_work.course_rules(assignment)
        folders = grading.find_submissions(submissions, assignment) if submissions else {}
        times = submission_times.class_times(submissions, folders, times_csv)
        rows = late_work.apply(url, assignment, rules, times)
    except (LatePolicyError, FileNotFoundError) as exc:
        print(f"course late: {exc}", file=sys.stderr)
        return 2
    if not any(row.due or row.submitted_at for row in rows.values()):
        return 0   # no due date and no time known: nothing to show, the pages stay as graded
    report = late_work.refresh_pages(url, assignment, out_dir, rows)
    if not quiet or rules.due is not None:
        print(late_work.summary(rows) if rules.due or any(r.due for r in rows.values())
              else f"late work: no due date for {assignment} (nbgrader_config.py, c.CourseLate.due): no penalty.")
        if not quiet:
            print(f"report   : {report}")
    return 0


def _late(args: argparse.Namespace) -> int:
    from autograder.cli.grading_commands import _out_and_db

    out, url = _out_and_db(args, graded=True)
    if args.times and not Path(args.times).is_file():
        raise UsageError(f"no file {args.times}: give a CSV with the columns student,submitted_at.")
    if args.submissions and not Path(args.submissions).is_dir():
        raise UsageError(f"no folder {args.submissions}: give the class folder that was graded.")
    return late_pass(args.assignment, url, out, submissions=Path(args.submissions) if args.submissions else None,
                     times_csv=Path(args.times) if args.times else None)


def add_commands(commands: argparse._SubParsersAction) -> None:
    """``course late`` on ``commands``."""
    late = commands.add_parser(
        "late", help="apply the late policy (nbgrader_config.py: c.CourseLate) to a graded assignment")
    late.add_argument("assignment", metavar="NN_topic")
    late.add_argument("--db", help="gradebook URL (default: sqlite:///OUT/gradebook.db)")
    late.add_argument("--out", help="output folder (default: grading/NN_topic/)")
    late.add_argument("--submissions", help="the class folder graded (its timestamp.txt files and "
                                            "course collect's .submission_times.csv)")
    late.add_argument("--times", help="a CSV student,submitted_at (wins over every other source)")
    late.set_defaults(handler=_late)
