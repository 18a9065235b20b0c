"""Do the kit's platform recipes hold together: Colab's first cell and the conda file?

Neither platform runs here: Colab is out of reach (``benchmarks/kit_colab.py`` runs the cell's
commands as a plain script in a fresh venv), and no conda or micromamba can be installed from the
package indexes this machine reaches (Debian has only ``conda-package-handling``; PyPI's
``py-rattler`` needs the conda-forge channel, unreachable). So these tests read the files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from autograder.authoring import kit, kit_colab
from autograder.sources import handin


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> kit.Kit:
    return kit.build_kit(["00_setup", "02_cnn_classification"], tmp_path_factory.mktemp("kit") / "kit")


def test_the_readme_shows_the_colab_cell_whole(built):
    readme = (built.folder / "README.md").read_text()
    cell = kit_colab.colab_cell(built.wheel.name)
    assert f"```python\n{cell}```" in readme
    assert f"%pip install -q /content/{built.wheel.name}" in cell
    assert "@COLAB_CELL@" not in readme and "@DOWNLOADS@" not in readme


def test_the_readme_lists_every_file_to_download_per_week(built):
    """Week 2: the notebook, the two graded models and the two the notebook loads."""
    readme = (built.folder / "README.md").read_text()
    lists = handin.handin_lists()["02_cnn_classification"]
    line = next(line for line in readme.splitlines() if line.startswith("- `02_cnn_classification`"))
    for name in [lists["notebook"], *lists["graded"], *lists["notebook_loads"]]:
        assert f"`{name}`" in line
    assert len(lists["graded"]) + len(lists["notebook_loads"]) == 4
    assert "- `00_setup`: `00_setup.ipynb`" in readme


def test_the_colab_cell_becomes_a_plain_script():
    """%pip runs this interpreter's pip, ! a shell, /content moves, blocks keep their magics inside."""
    cell = "%pip install -q /content/w.whl\nif True:\n    !echo hi > /content/x\nprint('done')\n"
    script = kit_colab.as_script(cell, "/tmp/here")
    compile(script, "first_cell.py", "exec")
    assert "subprocess.run([sys.executable, '-m', 'pip', *['install', '-q', '/tmp/here/w.whl']], check=True)" in script
    assert "    subprocess.run('echo hi > /tmp/here/x', shell=True, check=True)" in script
    assert "/content" not in script
    compile(kit_colab.as_script(kit_colab.colab_cell("w.whl"), "/tmp/here"), "cell.py", "exec")


def _requirement_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_environment_yml_parses_and_installs_what_requirements_txt_installs(built):
    """Same wheel, same packages, same ranges; conda's Python inside the wheel's requires-python."""
    environment = yaml.safe_load((built.folder / "environment.yml").read_text())
    assert environment["name"] == "cnn-course" and environment["channels"] == ["conda-forge"]
    conda_packages = [entry for entry in environment["dependencies"] if isinstance(entry, str)]
    pip_lists = [entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict)]
    assert "pip" in conda_packages and len(pip_lists) == 1
    requirements = _requirement_lines((built.folder / "requirements.txt").read_text())
    assert pip_lists[0] == requirements
    assert f"./wheels/{built.wheel.name}" in requirements and (built.folder / requirements[0]).is_file()
    named = {Requirement(line).name: Requirement(line).specifier for line in requirements if not line.startswith(".")}
    assert named["tensorflow"] == SpecifierSet(">=2.19,<2.22")
    python = next(entry.split("=", 1)[1] for entry in conda_packages if entry.startswith("python="))
    assert python in SpecifierSet(">=3.10,<3.14")


def test_the_environment_files_follow_the_wheels_extras(tmp_path):
    """Both files take TensorFlow's range from the kit's pyproject (the wheel's own extra)."""
    wheel = tmp_path / "wheels" / "cnn_course_utils-0-py3-none-any.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"")
    kit.write_environment_files(tmp_path, wheel)
    tensorflow = kit._requirements()["tensorflow"][0]
    assert tensorflow in (tmp_path / "requirements.txt").read_text()
    assert f'"{tensorflow}"' in (tmp_path / "environment.yml").read_text()
    assert Path("wheels") / wheel.name == Path(_requirement_lines((tmp_path / "requirements.txt").read_text())[0])
