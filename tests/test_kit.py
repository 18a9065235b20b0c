"""Does ``course kit`` hand students the course and never the answers?

The kit is built once (a few seconds: copies and one setuptools wheel build, offline), then
scanned; each kind of leak is planted in a copy and must be found.
"""

from __future__ import annotations

import ast
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.authoring import kit, kit_scan
from autograder.cli import main
from autograder.sources import release

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> kit.Kit:
    return kit.build_kit(None, tmp_path_factory.mktemp("kit") / "kit")


def _copy(built: kit.Kit, tmp_path: Path) -> Path:
    copy = tmp_path / "kit"
    shutil.copytree(built.folder, copy)
    return copy


def _add_to_wheel(folder: Path, name: str, text: str) -> None:
    wheel = next((folder / "wheels").glob("*.whl"))
    with zipfile.ZipFile(wheel, "a") as archive:
        archive.writestr(name, text)


def test_the_kit_holds_every_released_week_the_wheel_and_the_environment_files(built):
    """Notebooks, a wheel of course_utils alone (weights, hand-in lists), ranges not pins, a README."""
    weeks = release.list_assignments()
    assert built.weeks == tuple(weeks)
    for week in weeks:
        assert (built.folder / "assignments" / week / f"{week}.ipynb").read_bytes() == \
            (REPO / "assignments" / week / f"{week}.ipynb").read_bytes()
    with zipfile.ZipFile(built.wheel) as wheel:
        names = wheel.namelist()
        metadata = wheel.read(next(n for n in names if n.endswith("dist-info/METADATA"))).decode()
    assert {n.split("/")[0] for n in names} == {"course_utils", built.wheel.name.split("-py3")[0] + ".dist-info"}
    assert "course_utils/weights/mnist_classifier.keras" in names and "course_utils/handin.json" in names
    assert "course_utils/check_submission.py" in names
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert any("keras" in line and ">=" in line for line in requires)
    assert not any("==" in line.split(";")[0] for line in requires), "the student wheel must use ranges, not the grader's pins"
    assert not any("nbgrader" in line or "dask" in line or "psycopg" in line for line in requires)
    for name in ("requirements.txt", "environment.yml"):
        assert built.wheel.name in (built.folder / name).read_text()
    readme = (built.folder / "README.md").read_text()
    for platform in ("Windows", "macOS", "conda", "JupyterHub", "Colab", "check_submission"):
        assert platform in readme
    assert "@" + "WHEEL@" not in readme


def test_the_built_kit_passes_its_scan(built):
    assert kit_scan.scan(built.folder) == []


def test_the_scan_finds_a_solution_marker_in_a_notebook(built, tmp_path):
    folder = _copy(built, tmp_path)
    path = folder / "assignments" / "00_setup" / "00_setup.ipynb"
    notebook = nbformat.read(str(path), as_version=4)
    notebook.cells[-1].source += "\n### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION"
    nbformat.write(notebook, str(path))
    leaks = kit_scan.scan(folder)
    assert any("00_setup.ipynb" in leak and "BEGIN SOLUTION" in leak for leak in leaks)


def test_the_scan_finds_a_solution_pasted_without_markers(built, tmp_path):
    """A source notebook's solution cell, its markers stripped, put in the released notebook."""
    folder = _copy(built, tmp_path)
    source = nbformat.read(str(REPO / "solutions" / "01_convolution" / "01_convolution.ipynb"), as_version=4)
    secret = max((cell for cell in source.cells if "### BEGIN SOLUTION" in cell.source),
                 key=lambda cell: len(cell.source))
    path = folder / "assignments" / "01_convolution" / "01_convolution.ipynb"
    notebook = nbformat.read(str(path), as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(
        "\n".join(line for line in secret.source.splitlines() if "### " not in line)))
    nbformat.write(notebook, str(path))
    leaks = kit_scan.scan(folder)
    assert any("01_convolution.ipynb" in leak and "01_convolution.ipynb:cell" in leak for leak in leaks), leaks


def test_the_scan_finds_a_reference_function_inside_the_wheel(built, tmp_path):
    folder = _copy(built, tmp_path)
    reference = REPO / "autograder" / "checks" / "_convolution_reference.py"
    tree = ast.parse(reference.read_text())
    function = max((node for node in tree.body if isinstance(node, ast.FunctionDef)),
                   key=lambda node: node.end_lineno - node.lineno)
    _add_to_wheel(folder, "course_utils/extra.py", ast.get_source_segment(reference.read_text(), function))
    leaks = kit_scan.scan(folder)
    assert any("extra.py" in leak and f"_convolution_reference.py:{function.name}" in leak for leak in leaks)


def test_the_scan_finds_the_autograder_package_and_a_hidden_test(built, tmp_path):
    folder = _copy(built, tmp_path)
    _add_to_wheel(folder, "autograder/__init__.py", '"""the grader"""\n')
    (folder / "solutions").mkdir()
    (folder / "notes.txt").write_text("### BEGIN HIDDEN TESTS\njudge.submit(...)\n### END HIDDEN TESTS\n")
    leaks = kit_scan.scan(folder)
    assert any("!autograder/__init__.py" in leak for leak in leaks)
    assert any(leak.startswith("solutions/") for leak in leaks)
    assert any("notes.txt" in leak and "HIDDEN TESTS" in leak for leak in leaks)


def test_course_kit_refuses_an_unknown_week_and_a_used_folder_in_one_line(tmp_path, capsys):
    assert main(["kit", "99_nothing", "--out", str(tmp_path / "a")]) == 1
    used = tmp_path / "used"
    used.mkdir()
    (used / "old.txt").write_text("x")
    assert main(["kit", "--out", str(used)]) == 1
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 2 and "99_nothing" in errors[0] and "not empty" in errors[1]
    assert not (tmp_path / "a").exists()
