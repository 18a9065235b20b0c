"""The ``course`` command: data, release, validate, grade, demo, check-submission.

Each sub-command lives in its own small module; this file only parses
arguments and dispatches, importing heavy modules (TensorFlow, nbgrader)
lazily so that ``course --help`` is instant.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from autograder import walls

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _data(args: argparse.Namespace) -> int:
    from course_utils import data, offline_data

    if args.action == "prepare":
        try:
            lines = offline_data.prepare_all(force=args.force)
        except data.DataError as error:  # missing or corrupted source: the message says what to run
            print(f"course data prepare: {error}", file=sys.stderr)
            return 1
        for line in lines:
            print(line)
        return 0
    for line in offline_data.status_lines():
        print(line)
    return 0


def _release(args: argparse.Namespace) -> int:
    from autograder import release

    known = release.list_assignments(args.root)
    for assignment in args.assignments or known:
        if assignment in known:  # an unknown one gets its one-line error below instead
            print(f"{assignment}: generating the student version with nbgrader…", file=sys.stderr, flush=True)
        try:
            print(f"released {assignment} -> {release.release(assignment, args.root)}")
        except (release.ReleaseError, release.UnknownAssignmentError) as exc:
            print(exc, file=sys.stderr)
            return 1
    return 0


def _new(args: argparse.Namespace) -> int:
    from autograder import scaffold
    from autograder.grading import course_root

    root = Path(args.root) if args.root else course_root()
    try:
        written = scaffold.new_week(args.assignment, root)
    except scaffold.ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    for path in written:
        print(f"wrote {path.relative_to(root)}")
    print(f"next: course release {args.assignment} && course validate {args.assignment}, then replace the "
          "example exercise with the week's own (README, 'Adding a week').")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from autograder import release

    failed = 0
    for assignment in args.assignments or release.list_assignments(args.root):
        try:
            report = release.validate(assignment, args.root,
                                      progress=lambda line, a=assignment: print(f"{a}: {line}…", file=sys.stderr,
                                                                               flush=True))
        except release.UnknownAssignmentError as exc:
            print(exc, file=sys.stderr)
            failed += 1
            continue
        print(report.render())
        failed += not report.ok
    return 1 if failed else 0


class UsageError(Exception):
    """Bad input on the command line: printed as one line, exit status 2."""


def _known_assignment(assignment: str) -> None:
    """Refuse an assignment that is not in solutions/, listing the known ones."""
    from autograder import release

    known = release.list_assignments()
    if assignment not in known:
        raise UsageError(f"no assignment {assignment!r} (known: {', '.join(known) or 'none'}).")


def _out_and_db(args: argparse.Namespace, *, graded: bool = False) -> tuple:
    """The output folder and gradebook URL; ``graded``: the gradebook must hold this assignment."""
    from pathlib import Path

    from autograder import gradebook, grading

    _known_assignment(args.assignment)
    out = Path(args.out) if args.out else grading.default_out_dir(args.assignment)
    url = args.db or gradebook.default_url(out)
    if graded:
        first = f"grade it first: course grade {args.assignment} --submissions DIR" + (
            f" --out {args.out}" if args.out else "")
        if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            raise UsageError(f"no gradebook for {args.assignment} at {url.removeprefix('sqlite:///')}: {first}.")
        if not gradebook.load_results(url, args.assignment):
            raise UsageError(f"the gradebook {url} has no results for {args.assignment}: {first}.")
    return out, url


def _collect(args: argparse.Namespace) -> int:
    from autograder import collect

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

    from autograder import grading
    from autograder.limits import default_limits
    from autograder.results import Outcome

    if walls.refused(args.accept_weak_sandbox):
        return 2
    out, db = _out_and_db(args)
    limits = replace(default_limits(args.assignment), **{
        k: v for k, v in [("wall_seconds", args.wall_seconds), ("cell_seconds", args.cell_seconds),
                          ("memory_bytes", args.memory_gb and int(args.memory_gb * 2**30))] if v})
    import sqlalchemy.exc

    from autograder.references import AssignmentConfigError

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
    failed = graded.skipped or any(r.outcome is Outcome.GRADER_ERROR for r in graded.results)
    return 1 if failed else 0


def _feedback(args: argparse.Namespace) -> int:
    from autograder import feedback, gradebook

    out, db = _out_and_db(args, graded=True)
    for result in gradebook.load_results(db, args.assignment):
        if not args.student or result.student in args.student:
            print(feedback.write_feedback(result, out / "feedback"))
    return 0


def _export(args: argparse.Namespace) -> int:
    from autograder import gradebook

    out, db = _out_and_db(args, graded=True)
    if args.csv == "-":
        gradebook.write_csv(db, args.assignment, sys.stdout)
        return 0
    path = out / "grades.csv" if args.csv is None else args.csv
    with open(path, "w", newline="", encoding="utf-8") as stream:
        count = gradebook.write_csv(db, args.assignment, stream)
    print(f"{count} student(s) -> {path}")
    return 0


def _export_lms(args: argparse.Namespace) -> int:
    from pathlib import Path

    from autograder import grading, lms_export

    grading_dir = grading.course_root() / "grading"
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
    from autograder import gradebook, report

    out, db = _out_and_db(args, graded=True)
    for problem in gradebook.consistency_problems(db, args.assignment):
        print(f"gradebook problem: {problem}", file=sys.stderr)
    print(report.write_report(db, args.assignment, out / "report", feedback_dir=out / "feedback"))
    return 0


def _check_submission(args: argparse.Namespace) -> int:
    from pathlib import Path

    from autograder import check_submission, release

    folder = Path(args.folder)
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder: pass the folder that holds your notebook and the files it saved.")
    known = release.list_assignments()
    assignment = args.assignment or check_submission.guess_assignment(folder, known)
    if assignment is None:
        raise UsageError(f"{folder} holds none (or several) of {', '.join(f'{n}.ipynb' for n in known)}: name the "
                         "assignment with --assignment NN_topic.")
    _known_assignment(assignment)
    print(f"checking {folder} as {assignment} ({'without running it' if args.no_run else 'runs the notebook as the grader does: minutes'})")
    findings = check_submission.check_submission(folder, assignment, run=not args.no_run, memory_gb=args.memory_gb)
    for finding in findings:
        print(finding.line())
    failed = [f for f in findings if not f.passed]
    print(f"{len(failed)} problem(s): fix them before you submit." if failed else
          "ready to submit: the files are there and load (this says nothing about whether your answers are right).")
    return 1 if failed else 0


def _models(args: argparse.Namespace) -> int:
    from autograder import course_models

    return course_models.main(args.out)


def _demo(args: argparse.Namespace) -> int:
    from autograder import demo

    return demo.main(args.out, assignments=args.assignments or None, workers=args.workers,
                     release=not args.no_release, scheduler=args.scheduler)


def _add_grading_commands(commands) -> None:
    """`course collect|grade|feedback|export|report|demo` (autograder.collect, .grading, .report, .demo)."""
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

    from autograder import limits as bounds

    grade = commands.add_parser(
        "grade", help="grade a folder of submissions (DIR/<student>/NN_topic.ipynb)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="default bounds per assignment (from its reference solution's measured peak, "
               "autograder/limits.py; the flags override them):\n  "
               + "\n  ".join(bounds.describe(name) for name in bounds.MEASURED))
    common(grade)
    grade.add_argument("--submissions", required=True, help="folder with one sub-folder per student")
    grade.add_argument("--accept-weak-sandbox", action="store_true", help=walls.ACCEPT_HELP)
    grade.add_argument("--student", action="append", help="grade only this student (repeatable), even if unchanged")
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

    demo = commands.add_parser("demo", help="release, grade a synthetic class, print the table")
    demo.add_argument("assignments", nargs="*", metavar="NN_topic", help="default: 00_setup, 01_convolution and 02_cnn_classification (its models trained by the demo)")
    demo.add_argument("--out", default="demo_output", help="output folder (default: demo_output/)")
    demo.add_argument("--workers", type=int, help="parallel submissions (default: CPU count)")
    demo.add_argument("--scheduler", default="local", help="local (default), dask-local or dask://host:port")
    demo.add_argument("--no-release", action="store_true", help="use the checked-in releases as they are")
    demo.set_defaults(handler=_demo)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    data = commands.add_parser("data", help="prepare or inspect the offline datasets")
    data.add_argument("action", choices=["prepare", "status"])
    data.add_argument("--force", action="store_true", help="rebuild even when prepared")
    data.set_defaults(handler=_data)

    release = commands.add_parser("release", help="generate student notebooks from solutions/")
    release.add_argument("assignments", nargs="*", metavar="NN_topic")
    release.add_argument("--root", help="course directory (default: this repository)")
    release.set_defaults(handler=_release)

    new = commands.add_parser("new", help="scaffold a new week that already follows every convention "
                                          "(notebook, hidden checks, answer corpus)")
    new.add_argument("assignment", metavar="NN_topic")
    new.add_argument("--root", help="course directory (default: this repository)")
    new.set_defaults(handler=_new)

    validate = commands.add_parser("validate", help="check a source notebook and its release")
    validate.add_argument("assignments", nargs="*", metavar="NN_topic")
    validate.add_argument("--root", help="course directory (default: this repository)")
    validate.set_defaults(handler=_validate)

    check = commands.add_parser("check-submission", help="before you submit: the notebook and the files the "
                                                        "grader loads are there, load safely, and the notebook "
                                                        "runs in the grader's sandbox within its limits")
    check.add_argument("folder", help="the folder you will submit (your notebook and the files it saved)")
    check.add_argument("--assignment", metavar="NN_topic", help="default: the NN_topic.ipynb found in the folder")
    check.add_argument("--no-run", action="store_true", help="check the files only (seconds, not minutes)")
    check.add_argument("--memory-gb", type=float, help="the run's memory bound (default: the grader's)")
    check.set_defaults(handler=_check_submission)

    models = commands.add_parser("models", help="rebuild the models the course ships (the MNIST evaluation "
                                                "classifier of course_utils.evaluation)")
    models.add_argument("action", choices=["build"])
    models.add_argument("--out", help="where to write the .keras file (default: course_utils/weights/)")
    models.set_defaults(handler=_models)
    _add_grading_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one ``course`` command (in-process: tests call this, with pytest owning descriptor 2)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except UsageError as exc:
        print(f"course {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def console() -> int:
    """The ``course`` command: :func:`main` with TensorFlow's native start-up lines kept out of its
    standard error, on a TA's terminal and in a piped or logged run (CI, ``tee``) alike."""
    from course_utils.quiet import silence_native_logs

    silence_native_logs()
    return main()


if __name__ == "__main__":
    sys.exit(console())
