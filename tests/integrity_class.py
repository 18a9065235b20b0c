"""Synthetic classes for the integrity signals (autograder/integrity): answers from the answer corpus.

Not a test module. The corpus (``tests/answers/NN_topic/*.py``) holds, per week, right alternatives and
plausible mistakes, each a few functions written as a student would; a synthetic student's answer cell
is the solution's cell with some of its functions replaced by a corpus file's. :func:`renamed` makes the
copy a student hiding a copy would make (every local name renamed, re-formatted).
"""

from __future__ import annotations

import ast
import builtins
import copy
from pathlib import Path
from typing import Mapping

import nbformat

from autograder.integrity.answers import answer_cells
from autograder.sources import notebooks

ROOT = Path(__file__).resolve().parents[1]
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def strip_markers(code: str) -> str:
    """A solution cell as a student who wrote the reference would hand it in (nbgrader's markers gone)."""
    return "\n".join(line for line in code.splitlines() if line.strip() not in MARKERS)


def functions(code: str) -> dict[str, str]:
    """``name -> source`` of each top-level function of ``code`` ({} when it does not parse)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return {}
    return {node.name: ast.get_source_segment(code, node) for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


class _Renamer(ast.NodeTransformer):
    """Renames every argument and every name assigned inside a function (v0, v1, ...); keeps the rest."""

    def __init__(self, local: set[str]) -> None:
        self.names = {name: f"v{i}" for i, name in enumerate(sorted(local))}

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self.names.get(node.id, node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.arg = self.names.get(node.arg, node.arg)
        return node


def renamed(code: str, keep: set[str] | None = None) -> str:
    """``code`` with its local names renamed and re-formatted by :func:`ast.unparse` (comments gone).

    keep: names never renamed (the functions the exercise asks for, so the copy is still an answer).
    """
    tree = ast.parse(code)
    local = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            local.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            local.add(node.id)
    local -= set(keep or ()) | set(dir(builtins))
    return ast.unparse(_Renamer(local).visit(tree))


def honest_versions(assignment: str, root: Path = ROOT) -> dict[str, list[tuple[str, str, str]]]:
    """``function -> [(source label, grade_id, code)]``: the solution's and each honest corpus file's."""
    solution = answer_cells(notebooks.read(root / "solutions" / assignment / f"{assignment}.ipynb"))
    owner, versions = {}, {}
    for grade_id, code in solution.items():
        for name, text in functions(strip_markers(code)).items():
            owner[name] = grade_id
            versions.setdefault(name, []).append(("solution", grade_id, text))
    for path in sorted((root / "tests" / "answers" / assignment).glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if not text.startswith("# expect: pass"):
            continue
        for name, code in functions(text).items():
            if name in owner:
                versions[name].append((path.name, owner[name], code))
    return versions




def cell_versions(assignment: str, expect: str = "") -> dict[str, list[tuple[str, str]]]:
    """``grade_id -> [(label, cell code)]``: the solution's cell, then the cell with each corpus file's
    functions in place of the solution's (files whose first line starts with ``# expect: <expect>``)."""
    solution = {grade_id: strip_markers(code) for grade_id, code in
                answer_cells(notebooks.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb")).items()}
    versions = {grade_id: [("solution", code)] for grade_id, code in solution.items()}
    for path in sorted((ROOT / "tests" / "answers" / assignment).glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if not text.startswith(f"# expect: {expect}"):
            continue
        replacements = functions(text)
        for grade_id, code in solution.items():
            mine = functions(code)
            if set(mine) & set(replacements):
                for name in set(mine) & set(replacements):
                    code = code.replace(mine[name], replacements[name])
                versions[grade_id].append((path.name, code))
    return versions


def write_notebook(folder: Path, assignment: str, answers: Mapping[str, str], root: Path = ROOT) -> Path:
    """``folder/<assignment>.ipynb``: the released notebook with ``answers`` (grade_id -> code) filled in."""
    nb = copy.deepcopy(notebooks.read(root / "assignments" / assignment / f"{assignment}.ipynb"))
    for cell in nb.cells:
        grade_id = notebooks.grade_id(cell)
        if cell.cell_type == "code" and notebooks.is_solution_cell(cell) and grade_id in answers:
            cell.source = answers[grade_id]
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")
    return folder / f"{assignment}.ipynb"


def fill(template: str, code: str) -> str:
    """An answer cell: ``template`` (the released cell) with each function of ``code`` in place of the
    template's function of that name; ``code``'s other functions and its imports go on top."""
    mine, given = functions(template), functions(code)
    tree = ast.parse(code)
    imports = [ast.get_source_segment(code, node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    extra = [text for name, text in given.items() if name not in mine]
    for name in set(mine) & set(given):
        template = template.replace(mine[name], given[name])
    return "\n\n".join(imports + extra + [template])


def corpus(assignment: str, name: str) -> str:
    """The text of one answer-corpus file."""
    return (ROOT / "tests" / "answers" / assignment / name).read_text(encoding="utf-8")
