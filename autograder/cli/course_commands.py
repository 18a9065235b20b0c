"""The instructor's and the student's commands: ``course data|release|kit|new|validate|models|demo``
and ``course check-submission``.

Each handler takes the parsed arguments and returns the exit status; heavy modules are
imported when a command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.cli.usage import UsageError, known_assignment
from autograder.paths import course_root


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
    from autograder.sources import release

    known = release.list_assignments(args.root)
    for assignment in args.assignments or known:
        if assignment in known:  # an unknown one gets its one-line error below instead
            print(f"{assignment}: generating the student version with nbgrader…", file=sys.stderr, flush=True)
        try:
            print(f"released {assignment} -> {release.release(assignment, args.root)}")
        except (release.ReleaseError, release.UnknownAssignmentError) as exc:
            print(exc, file=sys.stderr)
            return 1
    from autograder.sources import handin

    written = handin.write_handin(args.root)
    if written:
        print(f"hand-in lists -> {written}")
    return 0


def _kit(args: argparse.Namespace) -> int:
    from autograder.authoring import kit

    try:
        built = kit.build_kit(args.assignments or None, args.out, root=args.root)
    except kit.KitError as exc:
        print(f"course kit: {exc}", file=sys.stderr)
        return 1
    print(f"student kit of {', '.join(built.weeks)} -> {built.folder} (wheel {built.wheel.name}; "
          "scanned: no solution, hidden test, reference line or autograder code)")
    return 0


def _new(args: argparse.Namespace) -> int:
    from autograder.authoring import scaffold

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
    from autograder.authoring import validate
    from autograder.sources import release

    failed = 0
    for assignment in args.assignments or release.list_assignments(args.root):
        try:
            report = validate.validate(assignment, args.root,
                                       progress=lambda line, a=assignment: print(f"{a}: {line}…", file=sys.stderr,
                                                                                flush=True))
        except release.UnknownAssignmentError as exc:
            print(exc, file=sys.stderr)
            failed += 1
            continue
        print(report.render())
        failed += not report.ok
    return 1 if failed else 0


def _check_submission(args: argparse.Namespace) -> int:
    from autograder.submission import check_submission
    from autograder.sources import release

    folder = Path(args.folder)
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder: pass the folder that holds your notebook and the files it saved.")
    known = release.list_assignments()
    assignment = args.assignment or check_submission.guess_assignment(folder, known)
    if assignment is None:
        raise UsageError(f"{folder} holds none (or several) of {', '.join(f'{n}.ipynb' for n in known)}: name the "
                         "assignment with --assignment NN_topic.")
    known_assignment(assignment)
    print(f"checking {folder} as {assignment} ({'without running it' if args.no_run else 'runs the notebook as the grader does: minutes'})")
    findings = check_submission.check_submission(folder, assignment, run=not args.no_run, memory_gb=args.memory_gb)
    for finding in findings:
        print(finding.line())
    failed = [f for f in findings if not f.passed]
    print(f"{len(failed)} problem(s): fix them before you submit." if failed else
          "ready to submit: the files are there and load (this says nothing about whether your answers are right).")
    return 1 if failed else 0


def _models(args: argparse.Namespace) -> int:
    from autograder.authoring import course_models

    return course_models.main(args.out)


def _demo(args: argparse.Namespace) -> int:
    from autograder.demo import class_demo as demo

    return demo.main(args.out, assignments=args.assignments or None, workers=args.workers,
                     release=not args.no_release, scheduler=args.scheduler)


def add_commands(commands: argparse._SubParsersAction) -> None:
    """``course data|release|kit|new|validate|check-submission|models|demo`` on ``commands``."""
    data = commands.add_parser("data", help="prepare or inspect the offline datasets")
    data.add_argument("action", choices=["prepare", "status"])
    data.add_argument("--force", action="store_true", help="rebuild even when prepared")
    data.set_defaults(handler=_data)

    release = commands.add_parser("release", help="generate student notebooks from solutions/")
    release.add_argument("assignments", nargs="*", metavar="NN_topic")
    release.add_argument("--root", help="course directory (default: this repository)")
    release.set_defaults(handler=_release)

    kit = commands.add_parser("kit", help="build what students get: released notebooks, the course_utils "
                                          "wheel, requirements and conda files, a README (never answers)")
    kit.add_argument("assignments", nargs="*", metavar="NN_topic", help="default: every released week")
    kit.add_argument("--out", required=True, help="a new (or empty) folder for the kit")
    kit.add_argument("--root", help="course directory (default: this repository)")
    kit.set_defaults(handler=_kit)

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
    demo = commands.add_parser("demo", help="release, grade a synthetic class, print the table")
    demo.add_argument("assignments", nargs="*", metavar="NN_topic", help="default: 00_setup, 01_convolution and 02_cnn_classification (its models trained by the demo)")
    demo.add_argument("--out", default="demo_output", help="output folder (default: demo_output/)")
    demo.add_argument("--workers", type=int, help="parallel submissions (default: CPU count)")
    demo.add_argument("--scheduler", default="local", help="local (default), dask-local or dask://host:port")
    demo.add_argument("--no-release", action="store_true", help="use the checked-in releases as they are")
    demo.set_defaults(handler=_demo)
