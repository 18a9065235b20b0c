"""Check that a notebook's grading sizes never reach a graded cell.

``runtime.by_profile(smoke=…, full=…, grading=…)`` lets a cell that only explores or
draws do less work while the grader runs the notebook. That is fair only if nothing a
test cell reads depends on it, so that the same answer gets the same grade whether the
notebook runs at the student's size or the grader's. This module follows every value
sized with ``grading=`` through the notebook's top-level assignments and functions
(a name is *grading-sized* when what it is built from is) and reports each test cell
that reads one. It is a static reading of the source, as an instructor would do it by
eye, run by ``course validate`` on every week.

Self-check cells (first line ``# Self-check``) are not run while graded at all
(``course_utils.tutor``), so the same reading holds them to a second rule: no later cell
reads a name a self-check cell binds (:func:`self_check_reads`), so that every other cell
computes the same whether the self-checks ran or not.
"""

from __future__ import annotations

import ast
import re
from typing import Iterable, Sequence

from nbformat import NotebookNode

from autograder.sources import notebooks as nbu

GRADING_KEYWORD = "grading"
_MAGIC = re.compile(r"^\s*[%!]")
_MUTATORS = {"append", "extend", "insert", "update", "setdefault", "add"}


def _parse(source: str) -> ast.Module | None:
    """The cell's code with IPython magics and shell lines blanked; None if it is not Python."""
    lines = ["pass" if _MAGIC.match(line) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


def _loads(node: ast.AST, bound: frozenset[str] = frozenset()) -> set[str]:
    """Names ``node`` loads, except a comprehension's own ``for`` targets inside it (local to it)."""
    if isinstance(node, _COMPREHENSIONS):
        bound = bound | {n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
    found = {node.id} if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in bound else set()
    for child in ast.iter_child_nodes(node):
        found |= _loads(child, bound)
    return found


def _names_read(node: ast.AST) -> set[str]:
    """Global names ``node`` reads: a function's own parameters and locals, and a comprehension's
    loop variables, are not globals."""
    read = _loads(node)
    for function in (n for n in ast.walk(node) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))):
        declared = {name for n in ast.walk(function) if isinstance(n, ast.Global) for name in n.names}
        local = {a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}
        local |= {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        read -= local - declared
    return read


def _sized_for_grading(node: ast.AST) -> bool:
    """Does ``node`` contain a call with a ``grading=`` keyword (``runtime.by_profile(…, grading=…)``)?"""
    return any(isinstance(n, ast.Call) and any(k.arg == GRADING_KEYWORD for k in n.keywords)
               for n in ast.walk(node))


def _targets(statement: ast.stmt) -> set[str]:
    """Names a top-level statement binds (assignments, for-loop targets, defs, classes, with-as)."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    bound = set()
    for node in ast.walk(statement):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, ast.Store):
            bound.add(_root_name(node))  # d[k] = …, obj.attr = …
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in _MUTATORS):
            bound.add(_root_name(node.func.value))  # results.append(…) changes results
    bound.discard("")
    return bound


def _root_name(node: ast.AST) -> str:
    """``a`` of ``a.b[c].d``; empty when the chain does not start at a name."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def _taint(tree: ast.Module | None, tainted: set[str]) -> None:
    """Add to ``tainted`` what ``tree``'s top-level statements bind from a grading size.

    A statement taints what it binds when it contains a ``grading=`` call or reads a tainted
    name (a function that reads one is tainted too, since calling it gives a sized result).
    """
    for statement in tree.body if tree else []:
        if _sized_for_grading(statement) or _names_read(statement) & tainted:
            tainted |= _targets(statement)


def grading_sized_names(cells: Iterable[str]) -> set[str]:
    """Names whose value depends on a grading size, after running ``cells`` (sources) in order."""
    tainted: set[str] = set()
    for source in cells:
        _taint(_parse(source), tainted)
    return tainted


def graded_reads(nb: NotebookNode) -> list[str]:
    """One line per test cell that reads a grading-sized name: ``cell test_x reads N``."""
    problems: list[str] = []
    tainted: set[str] = set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tree = _parse(cell.source)
        if nbu.is_test_cell(cell) and tree is not None:
            read = sorted(_names_read(tree) & tainted)
            if read or _sized_for_grading(tree):
                what = ", ".join(read) if read else f"a value sized with {GRADING_KEYWORD}="
                problems.append(f"{nbu.cell_label(index, cell)} reads {what}, sized for grading")
        _taint(tree, tainted)
    return problems


_COMPOUND = (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try)


def _reads_before_binding(tree: ast.Module) -> set[str]:
    """Global names a cell reads before one of its own statements binds them. A compound statement's
    own bindings (a ``for`` target, a name set in its body) are taken as bound inside it, which
    can miss a read that comes first there; a plain assignment's reads count (``x = f(x)`` reads x)."""
    read: set[str] = set()
    bound: set[str] = set()
    for statement in tree.body:
        inside = _targets(statement) if isinstance(statement, _COMPOUND) else set()
        read |= _names_read(statement) - bound - inside
        bound |= _targets(statement)
    return read


def self_check_reads(nb: NotebookNode) -> list[str]:
    """One line per cell (not a self-check) that reads a name a self-check cell bound before it and no
    other cell bound since: ``cell N reads x, bound by a self-check``. Self-checks do not run while
    graded, so such a cell would fail there, or compute something else."""
    from course_utils.tutor import SELF_CHECK_MARK

    problems: list[str] = []
    from_self_checks: set[str] = set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tree = _parse(cell.source)
        bound = set().union(*(_targets(statement) for statement in tree.body)) if tree else set()
        if cell.source.lstrip().startswith(SELF_CHECK_MARK):
            from_self_checks |= bound
            continue
        read = sorted(_reads_before_binding(tree) & from_self_checks) if tree else []
        if read:
            problems.append(f"{nbu.cell_label(index, cell)} reads {', '.join(read)}, bound by a self-check")
        from_self_checks -= bound
    return problems


def check_grading_sizes(sources: Sequence[tuple[str, NotebookNode]]):
    """(6b) No test cell reads a value sized with ``by_profile(…, grading=…)``, and no cell reads a
    name a self-check cell binds (self-checks do not run while graded)."""
    from autograder.authoring.validation import CheckResult

    problems = [f"{name} {line}" for name, nb in sources for line in graded_reads(nb) + self_check_reads(nb)]
    return CheckResult(
        "nothing graded depends on running at the grader's size or on the self-checks",
        tuple(problems),
        "size only cells that explore or draw with grading=; give what a test cell reads the same "
        "value whether graded or not; compute in a cell of its own what a later cell needs from a self-check.",
    )
