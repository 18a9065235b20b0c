"""What every ``course`` command shares: the one-line usage error and the check of an assignment's name."""

from __future__ import annotations


class UsageError(Exception):
    """Bad input on the command line: printed as one line, exit status 2."""


def known_assignment(assignment: str) -> None:
    """Refuse an assignment that is not in solutions/, listing the known ones."""
    from autograder.sources import release  # nbgrader's stack: only when a command runs

    known = release.list_assignments()
    if assignment not in known:
        raise UsageError(f"no assignment {assignment!r} (known: {', '.join(known) or 'none'}).")
