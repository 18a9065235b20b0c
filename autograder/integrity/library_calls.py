"""Library calls in answer cells whose exercise asks for work by hand, read with :mod:`ast`.

Seen from outside the student's process: the submitted notebook's text is parsed in the grader, never
run. Every import of the notebook (any code cell, any depth: ``import tensorflow as t``,
``from scipy import signal``, ``from scipy.signal import correlate2d as c``) binds a name to a
qualified name; every name or attribute chain of a declared answer cell is resolved through those
bindings (``t.nn.conv2d`` -> ``tf.nn.conv2d``) and matched against the week's declaration
(``BY_HAND`` in ``autograder/checks/NN_topic.py``, :class:`autograder.checks._by_hand.ByHand`).
A reference counts as well as a call (``conv = tf.nn.conv2d``). What this cannot see (``getattr``
with a computed name, ``importlib``) it does not claim: a signal for a TA, never a grade.
"""

from __future__ import annotations

import ast
import importlib
import re
from dataclasses import dataclass
from typing import Sequence

from nbformat import NotebookNode

from autograder.checks._by_hand import ByHand, spelled
from autograder.integrity.answers import Submission
from autograder.sources import notebooks

_MAGIC = re.compile(r"^\s*[%!]")  # IPython magics and shell lines: not Python, blanked before parsing


@dataclass(frozen=True)
class LibraryCall:
    """One use of a declared library name: where (answer cell, enclosing function, line) and what."""

    student: str
    exercise: str
    function: str
    name: str        # as the course's texts spell it: tf.nn.conv2d
    entry: str       # the declaration's entry it falls under: tf.nn.conv
    line: int
    code: str        # the source line, stripped


def parse(code: str) -> ast.Module | None:
    """The cell's syntax tree (magics blanked), or None when it does not parse."""
    try:
        return ast.parse("\n".join("" if _MAGIC.match(line) else line for line in code.splitlines()))
    except (SyntaxError, ValueError):
        return None


def import_bindings(cells: Sequence[str]) -> dict[str, str]:
    """``name -> qualified name`` bound by the imports of ``cells``, in order (a later import wins)."""
    bound: dict[str, str] = {}
    for code in cells:
        tree = parse(code) if "import" in code else None  # most cells import nothing: skip parsing them
        for node in ast.walk(tree) if tree else ():
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:  # `import scipy.signal` binds `scipy`
                        top = alias.name.split(".")[0]
                        bound[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name != "*":
                        bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def _dotted(node: ast.expr) -> list[str] | None:
    """``a.b.c`` -> ``["a", "b", "c"]``; None for anything but a name followed by attributes."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id] + parts[::-1]


class _Finder(ast.NodeVisitor):
    """Collects ``(function, qualified name, line)`` for every maximal name/attribute chain."""

    def __init__(self, bound: dict[str, str]) -> None:
        self.bound, self.function, self.found = bound, "<cell>", []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        outer, self.function = self.function, node.name if self.function == "<cell>" else self.function
        self.generic_visit(node)
        self.function = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def _chain(self, node: ast.expr) -> None:
        parts = _dotted(node)
        if parts and parts[0] in self.bound:
            self.found.append((self.function, spelled(".".join([self.bound[parts[0]]] + parts[1:])), node.lineno))
        elif not parts:
            self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self._chain(node)

    def visit_Name(self, node: ast.Name) -> None:
        self._chain(node)


def library_uses(code: str, bound: dict[str, str], declaration: ByHand) -> list[tuple[str, str, str, int]]:
    """``(function, name, entry, line)`` of each declared library name used in ``code``."""
    tree = parse(code)
    if tree is None:
        return []
    finder = _Finder(bound)
    finder.visit(tree)
    return [(function, name, entry, line) for function, name, line in finder.found
            if (entry := declaration.matches(name))]


def declaration_of(assignment: str) -> ByHand | None:
    """The week's ``BY_HAND`` declaration (None when its checks module declares nothing)."""
    try:
        module = importlib.import_module(f"autograder.checks.{assignment}")
    except ModuleNotFoundError as exc:
        if exc.name != f"autograder.checks.{assignment}":
            raise
        return None
    return getattr(module, "BY_HAND", None)


def scan_class(submissions: Sequence[Submission], declaration: ByHand | None) -> list[LibraryCall]:
    """Every declared library name used in the declared answer cells, per student, in notebook order."""
    found: list[LibraryCall] = []
    for submission in submissions if declaration else ():
        bound = import_bindings(submission.code_cells)
        for exercise in declaration.answers:
            code = submission.answers.get(exercise, "")
            lines = code.splitlines()
            for function, name, entry, line in library_uses(code, bound, declaration):
                text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
                found.append(LibraryCall(submission.student, exercise, function, name, entry, line, text))
    return found


_CODE_SPAN = re.compile(r"`([A-Za-z_][\w.]*)`")
_LIBRARIES = ("tf.", "tensorflow.", "keras.", "scipy.", "torch.", "jax.", "cv2.", "skimage.")


def disagreements(declaration: ByHand, nb: NotebookNode) -> list[str]:
    """Where a week's declaration and its notebook's text disagree (empty when they agree).

    Every declared answer cell exists; every declared entry is named in the text (a code span starting
    with it: ``tf.nn.conv`` by `tf.nn.conv2d`); every library name the text's rules name (the markdown
    paragraph starting with "Rules:") falls under a declared entry.
    """
    cells = {notebooks.grade_id(cell) for cell in nb.cells if notebooks.is_solution_cell(cell)}
    markdown = [cell.source for cell in nb.cells if cell.cell_type == "markdown"]
    spans = [span for text in markdown for span in _CODE_SPAN.findall(text)]
    rules = [span for text in markdown for paragraph in text.split("\n\n") if paragraph.startswith("Rules:")
             for span in _CODE_SPAN.findall(paragraph) if span.startswith(_LIBRARIES)]
    problems = [f"declared answer cell {name!r} is not an answer cell of the notebook"
                for name in declaration.answers if name not in cells]
    problems += [f"declared call {entry!r} is named nowhere in the text" for entry in declaration.calls
                 if not any(span.startswith(entry) for span in spans)]
    problems += [f"the rules name {span!r}, which the declaration does not cover" for span in rules
                 if declaration.matches(span) is None]
    if not rules:
        problems.append("no 'Rules:' paragraph names a library: the text does not say what is by hand")
    return problems
