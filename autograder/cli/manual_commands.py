"""``course manual-grading NN_topic``: grade the written answers by hand in nbgrader's formgrader.

It checks that the class was graded, writes ``OUT/nbgrader_config.py`` (nbgrader's course root =
the grading output, its gradebook) and prints how many answers wait, the command that starts
formgrader and the page to open; ``--start`` runs that command instead. Scores and comments go
to the same gradebook, where ``course feedback|export|report|export-lms`` read them.
"""

from __future__ import annotations

import argparse
import os
import shlex

from autograder.cli.usage import UsageError


def _manual_grading(args: argparse.Namespace) -> int:
    from autograder.cli.grading_commands import _out_and_db
    from autograder.grading import formgrader
    from autograder.records import manual_grades

    out, db = _out_and_db(args, graded=True)
    if not (out / "autograded").is_dir():
        raise UsageError(f"no autograded/ folder in {out}: it was graded before `course grade` wrote nbgrader's "
                         f"tree; regrade it (course grade {args.assignment} --submissions DIR --force).")
    try:
        config = formgrader.write_config(out, db)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    command = formgrader.server_command(out, args.port)
    print(manual_grades.progress(db, args.assignment).line(args.assignment))
    print(f"nbgrader config: {config}")
    print(f"start formgrader: cd {shlex.quote(str(out))} && {shlex.join(command)}")
    print(f"then open       : {formgrader.grading_url(args.assignment, args.port)}  (the token is in the server's log)")
    print(f"afterwards      : course feedback {args.assignment}; course export {args.assignment}; "
          f"course report {args.assignment}; course export-lms")
    if args.start:
        os.chdir(out)
        os.execvp(command[0], command)
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """``course manual-grading`` on ``commands``."""
    parser = commands.add_parser("manual-grading", help="grade the written answers by hand in nbgrader's formgrader")
    parser.add_argument("assignment", metavar="NN_topic")
    parser.add_argument("--db", help="gradebook URL (default: sqlite:///OUT/gradebook.db)")
    parser.add_argument("--out", help="the grading output folder (default: grading/NN_topic/)")
    parser.add_argument("--port", type=int, default=8888, help="the Jupyter server's port (default 8888)")
    parser.add_argument("--start", action="store_true", help="start the Jupyter server now (Ctrl-C stops it)")
    parser.set_defaults(handler=_manual_grading)
