"""Written answers: what a student wrote in each answer cell graded by hand.

An answer cell is an nbgrader ``solution`` + ``grade`` cell of markdown type (``answer_N_k``); the
grader never scores it (a TA does, in nbgrader's formgrader). What the grader does is read the
text the student handed in, so that the gradebook knows which answers need a TA
(``needs_manual_grade``) and the feedback page can show the answer under its question. A *blank*
answer (the release's *YOUR ANSWER HERE* left as it was, or nothing) is told apart: it needs no TA,
and the student reads "No answer was written", never "Your written answer".
"""

from __future__ import annotations

from dataclasses import replace

from nbformat import NotebookNode

from autograder.records.results import ItemResult

BLANK_MESSAGE = "No answer was written in this cell."
MAX_ANSWER_CHARS = 20_000   # an answer is prose; a pasted dump is cut (the TA has the notebook)


def _source(cell: NotebookNode) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _answer_cells(notebook: NotebookNode) -> dict[str, str]:
    """``{grade_id: source}`` of the notebook's markdown cells that are nbgrader solution + grade cells."""
    found = {}
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
        if cell.get("cell_type") == "markdown" and meta.get("solution") and meta.get("grade") and meta.get("grade_id"):
            found.setdefault(str(meta["grade_id"]), _source(cell))
    return found


def written_answers(submitted: NotebookNode, released: NotebookNode) -> dict[str, str]:
    """``{grade_id: text}`` of every answer cell; ``""`` when the student left it as released or empty."""
    templates = {grade_id: text.strip() for grade_id, text in _answer_cells(released).items()}
    answers = {}
    for grade_id, text in _answer_cells(submitted).items():
        text = text.strip()
        blank = not text or text == templates.get(grade_id) or text.upper() == "YOUR ANSWER HERE"
        answers[grade_id] = "" if blank else text[:MAX_ANSWER_CHARS]
    return answers


def with_answers(tests: list[ItemResult], submitted: NotebookNode, released: NotebookNode) -> list[ItemResult]:
    """``tests`` with each manual item's answer attached (a blank one says so in its message)."""
    answers = written_answers(submitted, released)
    out = []
    for item in tests:
        if item.kind == "manual":
            answer = answers.get(item.id, "")
            item = replace(item, answer=answer, message=item.message if answer else BLANK_MESSAGE)
        out.append(item)
    return out
