"""``course similarity``: the integrity signals of a graded class, again (``course grade`` writes them too).

Similar answers across the class and to the instructor's reference texts, and library calls where the
text asks for work by hand, on ``report/integrity.html`` beside the class report (TA only; no grade
changes). See :mod:`autograder.integrity`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from autograder.cli.usage import UsageError


def _similarity(args: argparse.Namespace) -> int:
    from autograder.grading import grade_class as grading
    from autograder.integrity import signals
    from autograder.pages import integrity
    from autograder.paths import course_root

    if not Path(args.submissions).is_dir():
        raise UsageError(f"no folder {args.submissions}: give the class folder that was graded.")
    if args.references and not Path(args.references).is_dir():
        raise UsageError(f"no folder {args.references}: give the folder holding {args.assignment}/ reference texts.")
    from autograder.integrity.similarity import THRESHOLD

    args.threshold = THRESHOLD if args.threshold is None else args.threshold
    if not 0.0 < args.threshold <= 1.0:
        raise UsageError(f"--threshold {args.threshold}: give a share between 0 and 1.")
    root = course_root()
    out = Path(args.out) if args.out else grading.default_out_dir(args.assignment, root)
    found = signals.collect(args.assignment, grading.find_submissions(Path(args.submissions), args.assignment),
                            root, references=Path(args.references) if args.references else None,
                            threshold=args.threshold)
    page = integrity.write_integrity_page(found, out / "report")
    pairs = [m for m in found.similarity.matches if not m.is_reference]
    print(f"{found.students} notebook(s): {len(pairs)} similar pair(s), "
          f"{len(found.similarity.matches) - len(pairs)} answer(s) like a reference text, "
          f"{len(found.calls)} library call(s) in by-hand answers ({found.seconds:.1f} s)")
    print(f"page     : {page}")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """``course similarity`` on ``commands``."""
    command = commands.add_parser(
        "similarity", help="integrity signals for the TA: similar answers, reference texts, by-hand library calls")
    command.add_argument("assignment", metavar="NN_topic")
    command.add_argument("--submissions", required=True, help="the class folder (DIR/<student>/NN_topic.ipynb)")
    command.add_argument("--references", help="a folder holding NN_topic/ reference texts (default: "
                                              "integrity/references/, or $COURSE_INTEGRITY_REFERENCES)")
    command.add_argument("--threshold", type=float, default=None,
                         help="similarity score listed from (default: the one measured on the answer corpus, "
                              "autograder/integrity/similarity.py)")
    command.add_argument("--out", help="output folder (default: grading/NN_topic/; the page goes to OUT/report/)")
    command.set_defaults(handler=_similarity)
