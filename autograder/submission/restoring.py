"""Put the instructor's cells back into a submitted notebook, as nbgrader's autograde does.

The submitted notebook is untrusted JSON. nbgrader's own preprocessors
(``ClearOutput``, ``DeduplicateIds``, ``OverwriteKernelspec``,
``OverwriteCells(add_missing_cells=True)``, ``CheckCellMetadata``) restore it
against the private gradebook that holds the source cells, hidden tests
included; :func:`restore` also says, in plain words, which locked or grade
cells the student had changed (they gain nothing: points come from the hidden
checks alone).
"""

from __future__ import annotations

import copy
import logging
from typing import TYPE_CHECKING

from nbformat import NotebookNode
from nbformat.v4.nbbase import random_cell_id

if TYPE_CHECKING:
    from autograder.submission.references import Reference


def quiet_log() -> logging.Logger:
    log = logging.getLogger("autograder.submission.grade.nbgrader")
    log.setLevel(logging.ERROR)
    return log


def grade_meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _by_grade_id(nb: NotebookNode) -> dict[str, NotebookNode]:
    cells: dict[str, NotebookNode] = {}
    for cell in nb.cells:
        grade_id = grade_meta(cell).get("grade_id")
        if grade_id and grade_id not in cells:
            cells[grade_id] = cell
    return cells


def _edit_notes(submitted: NotebookNode, ref: Reference) -> list[str]:
    """Plain-words list of locked/grade cells the student changed or deleted (before restoring).

    A cell counts as unchanged when it matches the release or the instructor's
    source (a submitted solution notebook still has its hidden tests).
    """
    by_id, originals = _by_grade_id(submitted), _by_grade_id(ref.source)
    notes = []
    for cell in ref.released.cells:
        meta = grade_meta(cell)
        if not (meta.get("locked") or meta.get("grade")) or meta.get("solution"):
            continue
        grade_id = meta["grade_id"]
        mine = by_id.get(grade_id)
        if mine is None:
            if meta.get("grade"):
                notes.append(f"Cell {grade_id} was missing; the grader put the original back.")
            continue
        accepted = {cell.source.strip(), originals.get(grade_id, cell).source.strip()}
        if str(mine.get("source", "")).strip() not in accepted:
            notes.append(f"Cell {grade_id} is read-only but was edited; the grader restored the original.")
        if meta.get("grade") and str(grade_meta(mine).get("points")) != str(meta.get("points")):
            notes.append(f"The points of {grade_id} were changed; the original value was restored.")
    return notes


def restore(nb: NotebookNode, ref: Reference) -> tuple[NotebookNode, list[str]]:
    """nbgrader's autograde sanitising: put the instructor's cells and hidden tests back.

    Returns the restored notebook and notes on what had to be restored.
    Raises nbgrader's ``ValidationError`` when the nbgrader metadata is corrupt.
    """
    from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, DeduplicateIds,
                                        OverwriteCells, OverwriteKernelspec)

    notes = _edit_notes(nb, ref)
    resources = {"nbgrader": {"notebook": ref.notebook_id, "assignment": ref.assignment,
                              "db_url": ref.db_url}}
    log = quiet_log()
    steps = [ClearOutput(log=log), DeduplicateIds(log=log), OverwriteKernelspec(log=log),
             OverwriteCells(log=log, add_missing_cells=True), CheckCellMetadata(log=log)]
    nb = copy.deepcopy(nb)
    for step in steps:
        nb, resources = step.preprocess(nb, resources)
    for cell in nb.cells:  # cells nbgrader re-added have no id yet
        cell.setdefault("id", random_cell_id())
    return nb, notes
