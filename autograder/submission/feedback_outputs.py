"""What of an executed notebook may reach a student: its figures and a notebook with hidden tests cleared."""

from __future__ import annotations

import base64
import binascii
import copy
from pathlib import Path

from nbformat import NotebookNode

from autograder.submission.restoring import grade_meta, quiet_log

_MAX_FIGURES, _MAX_FIGURE_BYTES = 40, 5 * 1024**2
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def figures(executed: NotebookNode, folder: Path) -> list[str]:
    """Write the PNG images of the executed notebook to ``folder``; return their paths.

    Grade cells are left out: they run the instructor's hidden tests, whose
    pictures are not the student's to see.
    """
    paths: list[str] = []
    for index, cell in enumerate(executed.cells):
        if grade_meta(cell).get("grade") and not grade_meta(cell).get("solution"):
            continue
        for number, output in enumerate(cell.get("outputs", []) or []):
            encoded = (output.get("data") or {}).get("image/png") if isinstance(output, dict) else None
            if not isinstance(encoded, str) or len(paths) >= _MAX_FIGURES:
                continue
            if len(encoded) > _MAX_FIGURE_BYTES * 4 // 3 + 4:
                continue
            try:
                raw = base64.b64decode(encoded, validate=False)
            except (binascii.Error, ValueError):
                continue
            if not raw.startswith(_PNG_SIGNATURE):
                continue
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"cell{index:03d}_{number}.png"
            path.write_bytes(raw)
            paths.append(str(path))
    return paths


def feedback_notebook(executed: NotebookNode) -> NotebookNode:
    """The executed notebook made safe to show: hidden tests cleared, grade-cell
    tracebacks reduced to their last line, long outputs cut (nbgrader's LimitOutput)."""
    from nbgrader.preprocessors import ClearHiddenTests, LimitOutput

    nb = copy.deepcopy(executed)
    resources: dict = {}
    log = quiet_log()
    for step in (ClearHiddenTests(log=log), LimitOutput(log=log)):
        nb, resources = step.preprocess(nb, resources)
    for cell in nb.cells:
        if not grade_meta(cell).get("grade"):
            continue
        for output in cell.get("outputs", []) or []:
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename', '')}: {output.get('evalue', '')}"]
    return nb
