"""Where the course is on disk: the repository this package was installed from.

At the bottom of the package (it imports nothing of ``autograder``), so every
layer that needs ``assignments/``, ``solutions/`` or ``grading/`` asks here
instead of asking a layer above it.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def course_root() -> Path:
    """The repository this package was installed from (holds assignments/, solutions/)."""
    return REPO_ROOT
