"""Does the code keep the layout the README promises: packages by role, imports one way, small modules?

Read from the source with :mod:`ast` (nothing is imported): every ``import`` and
``from ... import`` of ``autograder``, at module level or inside a function (a
lazy import that dodges a circle is still a circle). The same reading answers
``python -m tests.test_architecture``, which prints the counts the issue asked for
(modules per package, circles, imports against the layer order).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 400

# Top to bottom: a package may import its own modules and any package below it, never one above.
# ``checks`` (the weeks' hidden checks) stand on ``verdicts`` and are loaded by name from there.
LAYERS = ("cli", "demo", "authoring", "grading", "pages", "integrity", "submission", "sources", "checks",
          "verdicts", "records", "isolation", "paths")


def unit_of(module: str) -> str | None:
    """``autograder.grading.jobs`` -> ``grading``; ``autograder.cli`` -> ``cli``; else None."""
    parts = module.split(".")
    return parts[1] if parts[0] == "autograder" and len(parts) > 1 else None


def imported_modules(source: str, package: str) -> set[str]:
    """Every module named by an import in ``source`` (relative imports resolved against ``package``)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from autograder import cli`
    return found


def package_graph(root: Path) -> dict[str, set[str]]:
    """``unit -> units it imports`` over ``root/autograder`` (a unit: a package or a top-level module)."""
    graph: dict[str, set[str]] = defaultdict(set)
    units = {path.stem for path in (root / "autograder").iterdir()
             if path.suffix == ".py" and path.stem != "__init__" or (path / "__init__.py").is_file()}
    for path in sorted((root / "autograder").rglob("*.py")):
        relative = path.relative_to(root).with_suffix("")
        module = ".".join(relative.parts).removesuffix(".__init__")
        unit = unit_of(module)
        if unit is None:
            continue
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        graph[unit]  # every unit is a node, even one that imports nothing
        for target in imported_modules(path.read_text(encoding="utf-8"), package):
            other = unit_of(target)
            if other in units and other != unit:
                graph[unit].add(other)
    return dict(graph)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one unit (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def upward(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Imports from a unit to one above it in :data:`LAYERS` (or to a unit LAYERS does not know)."""
    rank = {unit: position for position, unit in enumerate(LAYERS)}
    return sorted((unit, other) for unit, targets in graph.items() for other in targets
                  if rank.get(other, -1) <= rank.get(unit, len(LAYERS)))


def long_modules(root: Path) -> list[tuple[str, int]]:
    """Python modules of ``autograder/`` and ``course_utils/`` over :data:`MAX_LINES` lines."""
    found = []
    for package in ("autograder", "course_utils"):
        for path in sorted((root / package).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                found.append((str(path.relative_to(root)), lines))
    return found


def write_module(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_autograder_packages_import_one_way_with_no_circle():
    graph = package_graph(ROOT)
    assert set(graph) == set(LAYERS), "a package was added or removed: place it in LAYERS (top to bottom)"
    assert circles(graph) == []
    assert upward(graph) == [], "an import runs up the layers (LAYERS, top to bottom)"


def test_course_utils_never_imports_the_grader():
    """Students get course_utils alone: one import of autograder would break their notebooks."""
    offenders = [str(path.relative_to(ROOT)) for path in sorted((ROOT / "course_utils").rglob("*.py"))
                 if any(name == "autograder" or name.startswith("autograder.")
                        for name in imported_modules(path.read_text(encoding="utf-8"), "course_utils"))]
    assert offenders == []


def test_no_module_is_over_400_lines():
    assert long_modules(ROOT) == []


@pytest.mark.parametrize("plant", ["module level", "inside a function"])
def test_a_planted_circle_is_found(tmp_path, plant):
    """Does the reading find a circle between two packages, even through a lazy import?"""
    low = "from autograder.high import top\n" if plant == "module level" else \
        "def f():\n    from autograder.high import top\n    return top\n"
    write_module(tmp_path, "autograder/__init__.py", "")
    write_module(tmp_path, "autograder/high/__init__.py", "")
    write_module(tmp_path, "autograder/high/top.py", "from autograder.low import bottom\n")
    write_module(tmp_path, "autograder/low/__init__.py", "")
    write_module(tmp_path, "autograder/low/bottom.py", low)
    graph = package_graph(tmp_path)
    assert graph == {"high": {"low"}, "low": {"high"}}
    assert circles(graph) == [["high", "low"]]


def test_an_upward_import_and_a_long_module_are_found(tmp_path):
    write_module(tmp_path, "autograder/__init__.py", "")
    write_module(tmp_path, "autograder/isolation/__init__.py", "")
    write_module(tmp_path, "autograder/isolation/sandbox.py", "from autograder import cli\n")
    write_module(tmp_path, "autograder/cli.py", "\n" * (MAX_LINES + 1))
    write_module(tmp_path, "course_utils/__init__.py", "")
    graph = package_graph(tmp_path)
    assert upward(graph) == [("isolation", "cli")]
    assert long_modules(tmp_path) == [("autograder/cli.py", MAX_LINES + 1)]


def test_course_utils_importing_the_grader_is_seen():
    assert "autograder.verdicts.judging" in imported_modules(
        "def f():\n    from autograder.verdicts import judging\n", "course_utils")


if __name__ == "__main__":
    GRAPH = package_graph(ROOT)
    for UNIT in LAYERS:
        FOLDER = ROOT / "autograder" / UNIT
        COUNT = len(list(FOLDER.glob("*.py"))) if FOLDER.is_dir() else 1
        print(f"{UNIT:12s} {COUNT:3d} module(s) -> {', '.join(sorted(GRAPH.get(UNIT, ()))) or '-'}")
    print(f"circles: {circles(GRAPH)}; upward imports: {upward(GRAPH)}; over {MAX_LINES} lines: "
          f"{long_modules(ROOT)}")
