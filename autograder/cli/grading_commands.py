"""The TA's commands: ``course collect|grade|feedback|export|export-lms|report``.

Each handler takes the parsed arguments and returns the exit status; the modules
that grade (TensorFlow, nbgrader) are imported when a command runs, so that
``course --help`` stays instant.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.cli.usage import UsageError, known_assignment
from autograder.isolation import limits as bounds
from autograder.isolation import walls
from autograder.paths import course_root


def _out_and_db(args: argparse.Namespace, *, graded: bool = False) -> tuple:
    """The output folder and gradebook URL; ``graded``: the gradebook must hold this assignment."""
    from autograder.records import gradebook, gradebook_queries
    from autograder.grading import grade_class as grading

    known_assignment(args.assignment)
    out = Path(args.out) if args.out else grading.default_out_dir(args.assignment)
    url = args.db or gradebook.default_url(out)
    if graded:
        first = f"grade it first: course grade {args.assignment} --submissions DIR" + (
            f" --out {args.out}" if args.out else "")
        if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            raise UsageError(f"no gradebook for {args.assignment} at {url.removeprefix('sqlite:///')}: {first}.")
        if not gradebook_queries.load_results(url, args.assignment):
            raise UsageError(f"the gradebook {url} has no results for {args.assignment}: {first}.")
    return out, url


def _collect(args: argparse.Namespace) -> int:
    from autograder.grading import collect

    try:
        done = collect.collect(args.assignment, args.source, args.to)
    except (FileNotFoundError, collect.CollectError) as exc:
        print(f"course collect: {exc}", file=sys.stderr)
        return 2
    for skipped in done.skipped:
        print(skipped.line(), file=sys.stderr)
    print(f"{len(done.collected)} submission(s) -> {args.to}/<student>/")
    if done.skipped:
        print(f"{len(done.skipped)} entr{'y' if len(done.skipped) == 1 else 'ies'} skipped (listed above): fix "
              "or replace them in the source and run course collect again; the others were collected.",
              file=sys.stderr)
        return 1
    return 0


def _grade(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from autograder.grading import grade_class as grading
    from autograder.isolation.limits import default_limits
    from autograder.records.results import Outcome

    if walls.refused(args.accept_weak_sandbox):
        return 2
    out, db = _out_and_db(args)
    limits = replace(default_limits(args.assignment), **{
        k: v for k, v in [("wall_seconds", args.wall_seconds), ("cell_seconds", args.cell_seconds),
                          ("memory_bytes", args.memory_gb and int(args.memory_gb * 2**30))] if v})
    import sqlalchemy.exc

    from autograder.submission.references import AssignmentConfigError

    for warning in filter(None, [grading.judge_secret_warning(), grading.evaluation_set_warning(args.assignment)]):
        print(f"warning: {warning}", file=sys.stderr)
    try:
        graded = grading.grade_class(args.assignment, args.submissions, students=args.student,
                                     workers=args.workers, db_url=db, out_dir=out, scheduler=args.scheduler,
                                     options={"limits": limits}, force=args.force)
    except (AssignmentConfigError, FileNotFoundError, KeyError, ValueError) as exc:
        print(f"course grade: {exc}", file=sys.stderr)  # GradebookUnavailable is a ValueError too
        return 2
    except sqlalchemy.exc.OperationalError as exc:  # the database was down before the first write
        print(f"course grade: the gradebook {db or 'in the output folder'} cannot be reached "
              f"({str(exc.orig).strip().splitlines()[0][:200]}); nothing was written: start it and run the "
              "same command again.", file=sys.stderr)
        return 2
    if not graded.results and not graded.skipped:
        print(f"course grade: nobody graded: {args.submissions} holds no student folder "
              f"(expected {args.submissions}/<student>/{args.assignment}.ipynb).", file=sys.stderr)
        return 1
    from autograder.cli.late_commands import late_pass

    late_failed = late_pass(args.assignment, graded.db_url, graded.out_dir, submissions=Path(args.submissions),
                            times_csv=args.times and Path(args.times), quiet=True)
    print(grading.summary_table(graded.results))
    if graded.unchanged:
        print(f"{len(graded.unchanged)} submission(s) unchanged since they were graded with this code: kept "
              "(--force regrades them).")
    print(f"gradebook: {graded.db_url}\nfeedback : {graded.feedback_dir}/<student>/feedback.html\n"
          f"report   : {graded.report_path}")
    for skipped in graded.skipped:
        print(skipped.line(), file=sys.stderr)
    if graded.skipped:
        print(f"{len(graded.skipped)} entr{'y' if len(graded.skipped) == 1 else 'ies'} of {args.submissions} "
              "not graded (listed above and in the report): fix them, then grade again "
              "(--student ID grades one student).",
              file=sys.stderr)
    failed = graded.skipped or late_failed or any(r.outcome is Outcome.GRADER_ERROR for r in graded.results)
    return 1 if failed else 0


def _feedback(args: argparse.Namespace) -> int:
    from autograder.pages import feedback
    from autograder.records import gradebook_queries, lateness, manual_grades

    out, db = _out_and_db(args, graded=True)
    late = lateness.load_url(db, args.assignment)
    # the TAs' scores and comments on the written answers (nbgrader's formgrader) are merged in
    results = manual_grades.merge_all(gradebook_queries.load_results(db, args.assignment), db, args.assignment)
    for result in results:
        if not args.student or result.student in args.student:
            print(feedback.write_feedback(result, out / "feedback", lateness=late.get(result.student)))
    return 0


def _export(args: argparse.Namespace) -> int:
    from autograder.records import gradebook_queries

    out, db = _out_and_db(args, graded=True)
    if args.csv == "-":
        gradebook_queries.write_csv(db, args.assignment, sys.stdout)
        return 0
    path = out / "grades.csv" if args.csv is None else args.csv
    with open(path, "w", newline="", encoding="utf-8") as stream:
        count = gradebook_queries.write_csv(db, args.assignment, stream)
    print(f"{count} student(s) -> {path}")
    return 0


def _export_lms(args: argparse.Namespace) -> int:
    from autograder.records import lms_export

    grading_dir = course_root() / "grading"
    urls = args.db or lms_export.default_gradebooks(grading_dir)
    if not urls:
        raise UsageError(f"no gradebook under {grading_dir}/<assignment>/: grade first (course grade NN_topic "
                         "--submissions DIR), or name gradebooks with --db.")
    for url in urls:
        if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            raise UsageError(f"no gradebook at {url.removeprefix('sqlite:///')}.")
    path = Path(args.csv or grading_dir / "lms_grades.csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as stream:
        count, columns = lms_export.write_lms_csv(urls, stream)
    print(f"{count} student(s) x {len(columns)} assignment(s) ({', '.join(columns) or 'none'}) -> {path}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from autograder.pages import report
    from autograder.records import gradebook_queries

    out, db = _out_and_db(args, graded=True)
    for problem in gradebook_queries.consistency_problems(db, args.assignment):
        print(f"gradebook problem: {problem}", file=sys.stderr)
    print(report.write_report(db, args.assignment, out / "report", feedback_dir=out / "feedback"))
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """``course collect|grade|feedback|export|export-lms|report`` on ``commands``."""
    def common(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("assignment", metavar="NN_topic")
        parser.add_argument("--db", help="gradebook URL (default: sqlite:///OUT/gradebook.db; "
                                         "postgresql://user@host/db works too)")
        parser.add_argument("--out", help="output folder (default: grading/NN_topic/)")

    collect = commands.add_parser("collect", help="gather <student>.zip files or nbgrader's submitted/ "
                                                  "into DIR/<student>/")
    collect.add_argument("assignment", metavar="NN_topic")
    collect.add_argument("source", help="folder of <student>.zip archives or <student>/ folders")
    collect.add_argument("--to", required=True, help="where to put DIR/<student>/ (then: course grade --submissions)")
    collect.set_defaults(handler=_collect)

    grade = commands.add_parser(
        "grade", help="grade a folder of submissions (DIR/<student>/NN_topic.ipynb)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="default bounds per assignment (from its reference solution's measured peak, "
               "autograder/isolation/limits.py; the flags override them):\n  "
               + "\n  ".join(bounds.describe(name) for name in bounds.MEASURED))
    common(grade)
    grade.add_argument("--submissions", required=True, help="folder with one sub-folder per student")
    grade.add_argument("--accept-weak-sandbox", action="store_true", help=walls.ACCEPT_HELP)
    grade.add_argument("--student", action="append", help="grade only this student (repeatable), even if unchanged")
    grade.add_argument("--times", help="a CSV student,submitted_at for the late policy, when neither nbgrader's "
                                       "timestamp.txt nor course collect's archive times exist")
    grade.add_argument("--force", action="store_true", help="regrade every submission, even those unchanged "
                                                            "since the gradebook's last run")
    grade.add_argument("--workers", type=int, help="parallel submissions (default: CPU count)")
    grade.add_argument("--scheduler", default="local", help="local (default), dask-local or dask://host:port")
    grade.add_argument("--wall-seconds", type=float, help="wall clock per submission (default: see below)")
    grade.add_argument("--cell-seconds", type=int, help="time per notebook cell (default: see below)")
    grade.add_argument("--memory-gb", type=float, help="real memory of all a submission's processes together "
                                                       "(default: see below)")
    grade.set_defaults(handler=_grade)

    feedback = commands.add_parser("feedback", help="re-render the feedback pages from the gradebook")
    common(feedback)
    feedback.add_argument("--student", action="append", help="only this student (repeatable)")
    feedback.set_defaults(handler=_feedback)

    export = commands.add_parser("export", help="write the gradebook as CSV")
    common(export)
    export.add_argument("--csv", help="CSV file (default: OUT/grades.csv; '-' for stdout)")
    export.set_defaults(handler=_export)

    lms = commands.add_parser("export-lms", help="one CSV for an LMS: a row per student, a column per assignment")
    lms.add_argument("--db", action="append", help="a gradebook URL (repeatable; default: every "
                                                  "grading/<assignment>/gradebook.db)")
    lms.add_argument("--csv", help="output file (default: grading/lms_grades.csv)")
    lms.set_defaults(handler=_export_lms)

    report = commands.add_parser("report", help="class report: HTML + score histogram")
    common(report)
    report.set_defaults(handler=_report)
