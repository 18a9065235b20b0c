"""Does ``make test``'s ``-n 2 --dist loadgroup`` really keep each shared-fixture group on one worker?

A copy of ``tests/conftest.py`` runs a small suite in a subprocess: a module of a group whose
module fixture records the worker that built it, beside a module of ordinary tests. When the
grouping breaks (as it did silently with pytest 9.2 and ``xdist_group`` marks), the fixture is
built on both workers and the run still passes, so only a test like this one notices.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("xdist")

GROUPED = textwrap.dedent('''
    import os
    from pathlib import Path

    import pytest

    @pytest.fixture(scope="module")
    def built():
        with open(Path(__file__).with_name("built.txt"), "a") as log:
            log.write(f"{os.getpid()}\\n")

    @pytest.mark.parametrize("i", range(8))
    def test_grouped(built, i):
        pass
''')
ORDINARY = textwrap.dedent('''
    import pytest

    @pytest.mark.parametrize("i", range(8))
    def test_ordinary(i):
        pass
''')


def test_a_shared_fixture_group_runs_on_one_worker(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    shutil.copy(Path(__file__).with_name("conftest.py"), tests / "conftest.py")
    (tests / "test_attacks_isolation.py").write_text(GROUPED)  # a module of the isolation_cohort group
    (tests / "test_ordinary.py").write_text(ORDINARY)
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    slow: slow\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup",
                           "-p", "no:cacheprovider"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    builders = (tests / "built.txt").read_text().split()
    assert len(builders) == 1, f"the group's module fixture was built by {len(builders)} workers"


def test_each_corpus_week_is_one_unit_and_entries_of_a_week_share_it() -> None:
    """Are an entry's tests and its week's summary test one work unit, and other weeks another?"""
    from tests.conftest import group_of

    week3 = {group_of(f"tests/test_answer_corpus.py::{test}")
             for test in ("test_entry_gets_the_expected_verdicts[03_adversarial/fgsm_keras_ops]",
                          "test_visible_asserts_are_redundant[03_adversarial/fgsm_keras_ops]",
                          "test_every_visible_assert_is_failed_by_some_mistake[03_adversarial]")}
    assert week3 == {"answer_corpus_03_adversarial"}
    assert group_of("tests/test_answer_corpus.py::test_entry_gets_the_expected_verdicts[04_visualising/x]") \
        == "answer_corpus_04_visualising"
    assert group_of("tests/test_answer_corpus.py::test_corpus_headers") is None
    assert group_of("tests/test_sandbox.py::test_x[03_adversarial]") is None


def modules_with_ungrouped_fixtures(folder: Path) -> list[str]:
    """Test modules in ``folder`` with a module- or session-scoped fixture that are neither a shared
    group nor declared cheap in conftest: spread over both workers, their fixture is built twice."""
    import ast

    import conftest

    def scoped(path: Path) -> bool:
        """Does the module define a fixture with scope "module" or "session" (read by ast, not text)?"""
        decorators = (d for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.FunctionDef)
                      for d in node.decorator_list if isinstance(d, ast.Call))
        return any(k.arg == "scope" and isinstance(k.value, ast.Constant) and k.value.value in ("module", "session")
                   for d in decorators for k in d.keywords)

    known = set(conftest.SHARED_FIXTURE_GROUPS) | conftest.CHEAP_MODULE_FIXTURES
    return sorted(path.name for path in folder.glob("test_*.py") if path.name not in known and scoped(path))


def test_every_module_fixture_is_built_once(tmp_path: Path) -> None:
    """Every module whose fixture is scoped to the module runs on one worker (or is declared cheap);
    a small module of that kind, added without a group, is named (measured in CI before: the exchange
    round trip, 28 s, was built on both workers)."""
    assert modules_with_ungrouped_fixtures(Path(__file__).parent) == []
    (tmp_path / "test_new_cohort.py").write_text(GROUPED)
    assert modules_with_ungrouped_fixtures(tmp_path) == ["test_new_cohort.py"]
