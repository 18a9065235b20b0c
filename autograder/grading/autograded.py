"""The executed notebooks, where TAs and nbgrader's tools look for them.

Each graded notebook (the restored, executed copy; hidden tests cleared) is kept twice under the
output folder ``OUT``:

- ``OUT/executed/<student>.ipynb``: the course's own place (the feedback pages and the class
  report point there), with ``<student>.html`` beside it for a TA's browser: the page of
  :mod:`autograder.pages.notebook_html` (formulas typeset by the MathJax copied into
  ``OUT/executed/mathjax/``, no network; the student's HTML and scripts made harmless). The class
  report links the page; a notebook nbconvert cannot export keeps its ``.ipynb`` alone;
- ``OUT/autograded/<student>/<assignment>/<assignment>.ipynb``: nbgrader's ``autograded/`` tree, so
  that nbgrader's formgrader (``course manual-grading``) opens the submissions and a TA grades the
  written answers beside the code, in the same gradebook.

Both are written from the same bytes, the ones the grading worker shipped back.
"""

from __future__ import annotations

from pathlib import Path

from autograder.pages import notebook_html

AUTOGRADED = "autograded"


def autograded_path(out_dir: Path, student: str, assignment: str) -> Path:
    """nbgrader's ``autograded/<student>/<assignment>/<assignment>.ipynb`` under ``out_dir``."""
    return Path(out_dir) / AUTOGRADED / student / assignment / f"{assignment}.ipynb"


def store(out_dir: Path, student: str, assignment: str, notebook: bytes) -> Path:
    """Write ``notebook`` to ``executed/<student>.ipynb`` and to nbgrader's tree; return the first."""
    executed = Path(out_dir) / "executed" / f"{student}.ipynb"
    for path in (executed, autograded_path(out_dir, student, assignment)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(notebook)
    write_page(executed)
    return executed


def write_page(executed: Path) -> Path | None:
    """Write ``executed`` as ``<student>.html`` beside it; None (and no stale page) when it cannot be exported."""
    page = Path(executed).with_suffix(".html")
    try:
        return notebook_html.write_html(Path(executed), page)
    except Exception:  # noqa: BLE001 - the grade never depends on the page; the report links the .ipynb then
        page.unlink(missing_ok=True)
        return None
