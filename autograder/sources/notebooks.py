"""Reading and running nbgrader notebooks: cell roles, marked regions, execution.

Small, nbgrader-aware helpers shared by ``release`` (generate + validate) and
the grader. A cell's role comes from its ``metadata.nbgrader`` block:

- *solution cell*: ``solution: true`` — the student writes code here;
- *test cell* (autograded): ``grade: true, solution: false`` — asserts, locked;
- anything else is plain (possibly locked) prose or code.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
# Variables a notebook kernel must not inherit from the process that validates it:
# a judge directory would switch the kernel to grading mode, nbgrader's flag to
# "no training" mode.
KERNEL_ENV_DROP = ("COURSE_JUDGE_DIR", "NBGRADER_EXECUTION")

_TRIVIAL_LINES = {"pass", "return", "continue", "break", "else:", "try:", "finally:", "except:", "..."}
_MIN_SIGNIFICANT_CHARS = 8


def read(path: Path) -> NotebookNode:
    """Read a notebook as nbformat v4."""
    return nbformat.read(str(path), as_version=4)


def nbgrader_meta(cell: NotebookNode) -> dict:
    """The cell's ``metadata.nbgrader`` block ({} for a plain cell)."""
    return dict(cell.get("metadata", {}).get("nbgrader", {}))


def grade_id(cell: NotebookNode) -> str | None:
    """The cell's nbgrader ``grade_id`` (None for a plain cell)."""
    return nbgrader_meta(cell).get("grade_id")


def is_solution_cell(cell: NotebookNode) -> bool:
    return bool(nbgrader_meta(cell).get("solution"))


def is_test_cell(cell: NotebookNode) -> bool:
    """An autograded test cell: graded code that is not itself an answer."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def test_cells(nb: NotebookNode) -> list[tuple[int, NotebookNode]]:
    """``(index, cell)`` of every autograded test cell, in notebook order."""
    return [(i, cell) for i, cell in enumerate(nb.cells) if is_test_cell(cell)]


def cell_label(index: int, cell: NotebookNode) -> str:
    """A human name for a cell: ``cell 7 (test_normalize)``."""
    gid = grade_id(cell)
    return f"cell {index}" + (f" ({gid})" if gid else "")


def marked_lines(source: str, begin: str, end: str) -> list[str]:
    """Lines strictly between ``begin`` and ``end`` markers (every such region)."""
    lines, inside = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith(begin):
            inside = True
        elif stripped.startswith(end):
            inside = False
        elif inside:
            lines.append(line)
    return lines


def secret_lines(cell: NotebookNode) -> list[str]:
    """Source lines that must never reach students: solutions and hidden tests.

    A solution cell without markers is replaced whole by nbgrader, so all its
    lines count; otherwise only the marked regions do.
    """
    source = cell.source
    if is_solution_cell(cell) and SOLUTION_BEGIN not in source:
        return source.splitlines()
    return marked_lines(source, SOLUTION_BEGIN, SOLUTION_END) + marked_lines(source, HIDDEN_BEGIN, HIDDEN_END)


def is_trivial(line: str) -> bool:
    """Lines too generic to count as a leak: blanks, comments, imports, bare keywords, short code."""
    text = line.strip()
    return (
        not re.search(r"[A-Za-z0-9]", text)
        or text.startswith("#")
        or text in _TRIVIAL_LINES
        or re.match(r"(import|from)\s+\w", text) is not None
        or len(re.sub(r"\s", "", text)) < _MIN_SIGNIFICANT_CHARS
    )


def error_outputs(cell: NotebookNode) -> list[NotebookNode]:
    """The ``error`` outputs of an executed code cell."""
    return [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]


def describe_error(cell: NotebookNode, limit: int = 200) -> str:
    """``"AssertionError: message"`` for the first error output of a cell."""
    errors = error_outputs(cell)
    if not errors:
        return ""
    text = f"{errors[0].get('ename', 'Error')}: {errors[0].get('evalue', '')}".strip().rstrip(":")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def kernel_env() -> dict[str, str]:
    """Environment for a validation kernel: ours (profile included) minus grading switches."""
    env = {k: v for k, v in os.environ.items() if k not in KERNEL_ENV_DROP}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return env


@dataclass(frozen=True)
class Execution:
    """An executed notebook, or why it could not run to the end.

    notebook: the notebook with outputs (cells after a crash have none).
    crash: ``None`` when every cell ran (errors inside cells are in their
        outputs); otherwise why execution stopped (dead kernel, timeout...).
    """

    notebook: NotebookNode
    crash: str | None


def execute(nb: NotebookNode, cwd: Path, *, timeout: int = 600, kernel_name: str = "python3",
            env: dict[str, str] | None = None) -> Execution:
    """Run every cell of ``nb`` in a fresh kernel started in ``cwd``, errors allowed.

    Cells keep going after an error so that each test cell's own outcome can
    be read from its outputs. ``nb`` is modified in place and returned inside
    the Execution. env: variables added to :func:`kernel_env`'s.
    """
    from nbclient import NotebookClient

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel_name,
        allow_errors=True,
        interrupt_on_timeout=True,
        # Quiet the kernel's own log (e.g. ipykernel's warning about plain TCP on loopback).
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute(env={**kernel_env(), **(env or {})})
    except Exception as exc:  # noqa: BLE001 - a dead kernel or timeout is a finding, not a crash
        return Execution(nb, f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
    return Execution(nb, None)
