"""What to hand in, per week: one list the grader and the student's own check both read.

Why: the student side (``course_utils``) cannot import ``autograder``, yet its
pre-submission check must ask for exactly the files the grader loads. So the list is
derived here, from the two things that load files while grading, and written into
``course_utils/handin.json`` at ``course release`` (and ``course kit``) time:

- ``graded``: the ``path`` of every artifact check (``autograder/checks/NN_topic.py``),
  which the grader judges in a fresh process;
- ``notebook_loads``: every artifact file name (``*.keras``, ``*.npz``) written as a string
  in a code cell of the released notebook: the grader re-runs the notebook without
  training, so each of these must be there or its cells fail. Names built at run time
  (``f"conv_ae_{size}.keras" ... for size in CODE_SIZES``) are derived too
  (:func:`built_names`): the loop's values are read from a literal, or from a name the notebook
  binds to a literal or to ``runtime.by_profile(..., full=<literal>)`` (the full profile is what
  a student hands in). A name that cannot be derived so is listed by :func:`unresolved_names`,
  and the convention tests refuse it.

``tests/test_handin.py`` holds the file in sync with the checks and the notebooks.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
from pathlib import Path
from typing import Any, Iterator

import nbformat

from autograder.sources import release
from autograder.verdicts import judging

HANDIN_FILE = Path("course_utils") / "handin.json"
# a string literal naming an artifact, not one joined to a folder (``Path("..") / "x.keras"``: optional)
_ARTIFACT_NAME = re.compile(r"""(?<!/ )(?<!/)["']([\w.\-]+\.(?:keras|npz))["']""")
_SUFFIXES = (".keras", ".npz")
_MAGIC = re.compile(r"^[ \t]*[%!].*$", re.M)   # IPython's %magic and !shell lines


def graded_files(assignment: str) -> list[str]:
    """The ``path`` of each artifact check of ``assignment``, in check order, each once."""
    paths = [check.path for check in judging.load_checks(assignment) if isinstance(check, judging.ArtifactCheck)]
    return list(dict.fromkeys(paths))


def notebook_files(notebook: Path) -> list[str]:
    """Artifact file names written or built (:func:`built_names`) in the code cells of ``notebook``, in
    order, each once."""
    sources = _code(notebook)
    found = [name for source in sources for name in _ARTIFACT_NAME.findall(source)]
    return list(dict.fromkeys(found + built_names(sources)[0]))


def unresolved_names(notebook: Path) -> list[str]:
    """The f-strings naming an artifact in ``notebook`` whose values :func:`built_names` cannot derive."""
    return built_names(_code(notebook))[1]


def _code(notebook: Path) -> list[str]:
    """The sources of the code cells of ``notebook``."""
    return [cell.source for cell in nbformat.read(str(notebook), as_version=4).cells if cell.cell_type == "code"]


def built_names(sources: list[str]) -> tuple[list[str], list[str]]:
    """(names, unresolved): the artifact names that f-strings in ``sources`` build from the values of the
    loops and comprehensions around them, and the f-strings (as written) whose values are not known.

    A loop's values are known when its iterable is a literal, or a name bound (anywhere in ``sources``) to
    a literal or to ``by_profile(..., full=<literal>)``. An f-string joined to a folder (``path / f"..."``)
    is optional and left out, as plain names are. IPython's magic lines are read as blank; a cell that is
    still not Python is skipped.
    """
    trees = []
    for source in sources:
        try:
            trees.append(ast.parse(_MAGIC.sub("", source)))
        except SyntaxError:
            continue
    known = dict(item for tree in trees for item in _bindings(tree))
    names: list[str] = []
    unresolved: list[str] = []
    for tree in trees:
        for text, rendered in _fstrings(tree, [{}], known, joined=False):
            if rendered is None:
                unresolved.append(text)
            else:
                names.extend(rendered)
    return list(dict.fromkeys(names)), list(dict.fromkeys(unresolved))


def _value(node: ast.AST, known: dict[str, Any]) -> Any:
    """The value of a literal, of a name bound to one, or of ``by_profile(..., full=<literal>)``; else KeyError."""
    if isinstance(node, ast.Name):
        return known[node.id]
    if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "by_profile":
        return next(_value(keyword.value, known) for keyword in node.keywords if keyword.arg == "full")
    if isinstance(node, (ast.List, ast.Tuple)):   # an unknown element is fine while no f-string uses it
        return [_value_or_unknown(element, known) for element in node.elts]
    try:
        return ast.literal_eval(node)
    except ValueError as error:
        raise KeyError(ast.unparse(node)) from error


_UNKNOWN = object()


def _value_or_unknown(node: ast.AST, known: dict[str, Any]) -> Any:
    try:
        return _value(node, known)
    except (KeyError, StopIteration):
        return _UNKNOWN


def _bindings(tree: ast.AST) -> Iterator[tuple[str, Any]]:
    """``NAME = <known value>`` at any level of ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                yield node.targets[0].id, _value(node.value, {})
            except (KeyError, StopIteration):
                continue


def _bind(target: ast.AST, values: Any, known: dict[str, Any], scopes: list[dict]) -> list[dict] | None:
    """Every scope of ``scopes`` extended with each of ``values`` bound to ``target``; None when unknown."""
    try:
        values = list(_value(values, known))
    except (KeyError, StopIteration, TypeError):
        return None
    names = [target.id] if isinstance(target, ast.Name) else [getattr(e, "id", None) for e in target.elts]
    if None in names:
        return None
    return [{**scope, **dict(zip(names, [value] if len(names) == 1 else value))}
            for scope, value in itertools.product(scopes, values)]


def _fstrings(node: ast.AST, scopes: list[dict] | None, known: dict, joined: bool) -> Iterator[tuple[str, list | None]]:
    """(text, rendered names or None) for each artifact f-string under ``node``, loops bound in ``scopes``."""
    if isinstance(node, ast.JoinedStr):
        tail = node.values[-1] if node.values else None
        if not joined and isinstance(tail, ast.Constant) and str(tail.value).endswith(_SUFFIXES):
            yield ast.unparse(node), _render(node, scopes)
        return
    if isinstance(node, ast.For):
        yield from _fstrings(node.iter, scopes, known, False)
        inner = _bind(node.target, node.iter, known, scopes) if scopes is not None else None
        for child in [*node.body, *node.orelse]:
            yield from _fstrings(child, inner, known, False)
        return
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        inner = scopes
        for generator in node.generators:
            inner = _bind(generator.target, generator.iter, known, inner) if inner is not None else None
        parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        for child in parts + [condition for generator in node.generators for condition in generator.ifs]:
            yield from _fstrings(child, inner, known, False)
        return
    for child in ast.iter_child_nodes(node):
        optional = isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and child is node.right
        yield from _fstrings(child, scopes, known, optional)


def _render(node: ast.JoinedStr, scopes: list[dict] | None) -> list[str] | None:
    """The f-string's text in each scope, or None when a part is not a plain bound name."""
    if scopes is None:
        return None
    rendered = []
    for scope in scopes:
        text = ""
        for part in node.values:
            if isinstance(part, ast.Constant):
                text += str(part.value)
            elif (isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name) and part.value.id in scope
                  and scope[part.value.id] is not _UNKNOWN and part.conversion == -1 and part.format_spec is None):
                text += format(scope[part.value.id])
            else:
                return None
        rendered.append(text)
    return rendered


def files_to_hand_in(assignment: str, root: Path | str | None = None) -> list[str]:
    """Every file the grader loads for ``assignment``: the graded ones, then those its notebook loads."""
    released = release.resolve_root(root) / release.RELEASE_DIR / assignment / f"{assignment}.ipynb"
    graded = graded_files(assignment)
    loads = notebook_files(released) if released.is_file() else []
    return graded + [name for name in loads if name not in graded]


def handin_lists(root: Path | str | None = None) -> dict[str, dict[str, list[str]]]:
    """``{NN_topic: {"notebook": name, "graded": [...], "notebook_loads": [...]}}`` for every week."""
    root = release.resolve_root(root)
    lists: dict[str, dict] = {}
    for assignment in release.list_assignments(root):
        released = root / release.RELEASE_DIR / assignment / f"{assignment}.ipynb"
        graded = graded_files(assignment)
        loads = notebook_files(released) if released.is_file() else []
        lists[assignment] = {"notebook": f"{assignment}.ipynb", "graded": graded,
                             "notebook_loads": [name for name in loads if name not in graded]}
    return lists


def render(lists: dict) -> str:
    """The JSON text of ``course_utils/handin.json`` (stable: sorted weeks, two-space indent)."""
    note = ("generated by `course release` from autograder/checks (graded) and the released notebooks "
            "(notebook_loads); do not edit")
    return json.dumps({"_note": note, "weeks": dict(sorted(lists.items()))}, indent=2) + "\n"


def write_handin(root: Path | str | None = None) -> Path | None:
    """Regenerate ``course_utils/handin.json`` under ``root``; return its path (unchanged text: no write).

    None, and nothing written, when ``root`` has no ``course_utils/`` (a scratch course in a test).
    """
    root = release.resolve_root(root)
    target = root / HANDIN_FILE
    if not target.parent.is_dir():
        return None
    text = render(handin_lists(root))
    if not target.is_file() or target.read_text() != text:
        target.write_text(text)
    return target
