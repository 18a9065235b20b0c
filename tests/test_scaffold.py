"""Does `course new NN_topic` give a week that follows the recipe and passes `course validate` as it stands?"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import cli
from autograder.authoring import validate
from autograder.sources import release
from autograder.authoring import scaffold
from course_utils.checks import CheckFailed
from course_utils.judge import call_case

ROOT = Path(__file__).resolve().parents[1]
WEEK = "08_losses"


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course directory of its own holding only the scaffolded week (and nbgrader's configuration)."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    scaffold.new_week(WEEK, root)
    return root


@pytest.mark.slow
def test_a_scaffolded_week_passes_course_validate(course: Path) -> None:
    """Released and validated as the README's recipe says (source runs, blank zero, graded end to end)."""
    release.release(WEEK, course)
    report = validate.validate(WEEK, course)
    assert report.ok, report.render()


def test_the_scaffold_follows_the_conventions(course: Path) -> None:
    """Title, header, setup cell, exercise numbering, self-check mark, answer cell, closing cell."""
    nb = nbformat.read(course / "solutions" / WEEK / f"{WEEK}.ipynb", as_version=4)
    assert nb.cells[0].source.startswith("# Week 8 — losses")
    assert "**Estimated time:**" in nb.cells[0].source and "**Accelerator:**" in nb.cells[0].source
    assert nb.cells[1].source.startswith("import course_utils") and f'ASSIGNMENT = "{WEEK}"' in nb.cells[1].source
    assert any(re.match(r"^## Exercise 8\.1 — .+\(2 points\)$", c.source.splitlines()[0]) for c in nb.cells)
    assert any(c.source.startswith("# Self-check") for c in nb.cells if c.cell_type == "code")
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "answer_8_1")
    assert answer.cell_type == "markdown" and answer.metadata["nbgrader"]["points"] == 0
    assert nb.cells[-1].source.startswith("## Before you submit") and f"{WEEK}.ipynb" in nb.cells[-1].source


def test_the_scaffold_corpus_gets_its_verdicts_and_the_self_check_names_each_mistake(course: Path) -> None:
    """Each corpus entry, judged by the scaffold's hidden check on its hidden cases, passes or fails as its
    header says, and each mistake's self-check message carries its '# says:' words."""
    (check,) = validate.load_checks(WEEK, course)
    nb = nbformat.read(course / "solutions" / WEEK / f"{WEEK}.ipynb", as_version=4)
    self_check = next(c.source for c in nb.cells if c.source.startswith("# Self-check"))
    for entry in sorted((course / "tests" / "answers" / WEEK).glob("*.py")):
        text = entry.read_text()
        namespace = {"np": np, "checks": __import__("course_utils.checks", fromlist=["checks"])}
        exec(text, namespace)
        cases = check.make_cases(np.random.default_rng(2026))
        verdict = check.judge(cases, [call_case(namespace["mse"], case) for case in cases])
        assert verdict.passed == ("# expect: pass" in text), (entry.name, verdict.message)
        says = re.search(r"^# says: (.+)$", text, re.M)
        if says:
            with pytest.raises(CheckFailed) as failed:
                exec(self_check, dict(namespace))
            assert says.group(1) in str(failed.value) and "\n" not in str(failed.value), str(failed.value)


def test_course_new_refuses_bad_names_and_existing_weeks(course: Path, capsys) -> None:
    """One line and exit status 2, nothing overwritten."""
    assert cli.main(["new", "8_losses", "--root", str(course)]) == 2
    assert "is not a week name" in capsys.readouterr().err
    before = (course / "autograder" / "checks" / f"{WEEK}.py").read_text()
    assert cli.main(["new", WEEK, "--root", str(course)]) == 2
    assert "exists already" in capsys.readouterr().err
    assert (course / "autograder" / "checks" / f"{WEEK}.py").read_text() == before
