"""Does a student kit leak what students must not see? Every file is read, archives included.

A leak is any of:

- a solution or hidden-test marker (``### BEGIN SOLUTION``, ``### BEGIN HIDDEN TESTS`` and
  their ``END`` twins), which only source notebooks hold;
- a reference implementation: a function of ``autograder/checks/*reference*.py`` at least half
  of whose distinctive statement lines (docstrings, comments and lines under 24 characters
  left out; at least 2 lines) appear in one file, each matched as a whole stripped line. Half,
  not one: helpers students get on purpose share a line or two with the references
  (``with tf.GradientTape() as tape:``), a copied function shares most of its body;
- a solution without its markers: the same rule for each source cell's secret lines
  (``solutions/*/*.ipynb``: solution and hidden-test regions, model answers);
- the ``autograder`` package or a ``solutions`` folder: any path with such a part.

Files are read as text where they decode as UTF-8 (notebooks through their JSON, so a cell's
quotes are compared unescaped); zip archives (the wheel, ``.keras`` files) are opened and their
members read the same way, to any depth.
"""

from __future__ import annotations

import ast
import io
import json
import zipfile
from pathlib import Path, PurePosixPath
from typing import Iterator

from autograder.paths import REPO_ROOT
from autograder.sources import notebooks

MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
FORBIDDEN_PARTS = ("autograder", "solutions")
MIN_LINE = 24  # shorter statement lines are too common to mean a leak (`return out, cache`)
MAX_DEPTH = 4


def reference_functions(root: Path | None = None) -> dict[str, frozenset[str]]:
    """``{"file.py:function": distinctive statement lines}`` for ``autograder/checks/*reference*.py``."""
    functions: dict[str, frozenset[str]] = {}
    for path in sorted(((root or REPO_ROOT) / "autograder" / "checks").glob("*reference*.py")):
        source = path.read_text()
        text = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            lines: set[str] = set()
            for statement in body:
                for number in range(statement.lineno, (statement.end_lineno or statement.lineno) + 1):
                    line = text[number - 1].strip()
                    if len(line) >= MIN_LINE and not line.startswith(("#", '"""', "'''")):
                        lines.add(line)
            if len(lines) >= 2:
                functions[f"{path.name}:{node.name}"] = frozenset(lines)
    return functions


def solution_cells(root: Path | None = None) -> dict[str, frozenset[str]]:
    """``{"NN_topic.ipynb:cell i": distinctive secret lines}`` of every source notebook."""
    cells: dict[str, frozenset[str]] = {}
    for path in sorted(((root or REPO_ROOT) / "solutions").glob("*/*.ipynb")):
        for index, cell in enumerate(notebooks.read(path).cells):
            lines = {line.strip() for line in notebooks.secret_lines(cell)
                     if len(line.strip()) >= MIN_LINE and not notebooks.is_trivial(line)}
            if len(lines) >= 2:
                cells[f"{path.name}:cell {index}"] = frozenset(lines)
    return cells


def _texts(name: str, payload: bytes, depth: int) -> Iterator[tuple[str, str]]:
    """``(where, text)`` for a file, recursing into zip archives."""
    if payload[:4] == b"PK\x03\x04" and depth < MAX_DEPTH:
        try:
            with zipfile.ZipFile(io.BytesIO(payload)) as archive:
                for member in archive.infolist():
                    if not member.is_dir():
                        yield from _texts(f"{name}!{member.filename}", archive.read(member), depth + 1)
            return
        except zipfile.BadZipFile:
            pass
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return
    if name.endswith(".ipynb"):
        try:
            cells = json.loads(text).get("cells", [])
            text = "\n".join("".join(cell.get("source", "")) for cell in cells) + "\n" + text
        except (json.JSONDecodeError, AttributeError):
            pass
    yield name, text


def _path_leak(where: str) -> str | None:
    for segment in where.split("!"):
        parts = PurePosixPath(segment).parts
        bad = next((part for part in parts if part in FORBIDDEN_PARTS), None)
        if bad:
            return f"{where}: a path through {bad!r} (staff-only code or answers)"
    return None


def scan_text(where: str, text: str, references: dict[str, frozenset[str]]) -> list[str]:
    """The leaks in one file's text (markers, reference functions)."""
    found = [f"{where}: holds {marker!r}" for marker in MARKERS if marker in text]
    present = {line.strip() for line in text.splitlines()}
    for name, lines in references.items():
        shared = lines & present
        if len(shared) >= max(2, (len(lines) + 1) // 2):
            found.append(f"{where}: holds {len(shared)} of the {len(lines)} lines of {name} "
                         f"(e.g. {sorted(shared)[0][:80]!r})")
    return found


def scan(folder: Path | str, *, root: Path | None = None) -> list[str]:
    """Every leak in ``folder`` (a built kit), one line each; ``[]`` when it is clean."""
    folder = Path(folder)
    references = {**reference_functions(root), **solution_cells(root)}
    leaks: list[str] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() or p.is_dir()):
        relative = path.relative_to(folder).as_posix()
        if path.is_dir():
            if path.name in FORBIDDEN_PARTS:
                leaks.append(f"{relative}/: a {path.name!r} folder (staff-only code or answers)")
            continue
        for where, text in _texts(relative, path.read_bytes(), 0):
            leak = _path_leak(where)
            if leak:
                leaks.append(leak)
            leaks += scan_text(where, text, references)
    return leaks
