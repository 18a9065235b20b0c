"""The ``course`` command: data, release, validate, grade, demo, check-submission.

The instructor's and student's commands are in :mod:`autograder.cli.course_commands`, the
TA's in :mod:`autograder.cli.grading_commands`; this module builds the parser and
dispatches. Heavy modules (TensorFlow, nbgrader) are imported only when a command runs,
so that ``course --help`` is instant.
"""

from __future__ import annotations

import argparse
import os
import sys

from autograder.cli import course_commands, grading_commands, integrity_commands, late_commands, manual_commands
from autograder.cli.usage import UsageError

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    course_commands.add_commands(commands)
    grading_commands.add_commands(commands)
    late_commands.add_commands(commands)
    manual_commands.add_commands(commands)
    integrity_commands.add_commands(commands)
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
