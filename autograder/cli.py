"""The ``course`` command: data, release, validate, grade, demo.

Each sub-command lives in its own small module; this file only parses
arguments and dispatches, importing heavy modules (TensorFlow, nbgrader)
lazily so that ``course --help`` is instant.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _data(args: argparse.Namespace) -> int:
    from course_utils import data

    if args.action == "prepare":
        try:
            lines = data.prepare_all(force=args.force)
        except data.DataError as error:  # missing or corrupted source: the message says what to run
            print(f"course data prepare: {error}", file=sys.stderr)
            return 1
        for line in lines:
            print(line)
        return 0
    for line in data.status_lines():
        print(line)
    return 0


def _release(args: argparse.Namespace) -> int:
    from autograder import release

    for assignment in args.assignments or release.list_assignments(args.root):
        try:
            print(f"released {assignment} -> {release.release(assignment, args.root)}")
        except (release.ReleaseError, release.UnknownAssignmentError) as exc:
            print(exc, file=sys.stderr)
            return 1
    return 0


def _validate(args: argparse.Namespace) -> int:
    from autograder import release

    failed = 0
    for assignment in args.assignments or release.list_assignments(args.root):
        try:
            report = release.validate(assignment, args.root)
        except release.UnknownAssignmentError as exc:
            print(exc, file=sys.stderr)
            failed += 1
            continue
        print(report.render())
        failed += not report.ok
    return 1 if failed else 0


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

    validate = commands.add_parser("validate", help="check a source notebook and its release")
    validate.add_argument("assignments", nargs="*", metavar="NN_topic")
    validate.add_argument("--root", help="course directory (default: this repository)")
    validate.set_defaults(handler=_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
