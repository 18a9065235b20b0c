"""How the suite is spread over pytest-xdist workers (``make test`` runs ``-n 2 --dist loadgroup``).

Two rules, both about wall time on the 2-core CI machine, neither about what a test checks:

- Modules whose expensive fixtures are built once per process (a graded demo class, trained
  reference models, a graded isolation cohort) run whole on one worker, so that no fixture is
  built twice; every other test goes to whichever worker is free. The scheduler below does the
  grouping itself, from the module's name: ``xdist_group`` marks no longer work with pytest 9.2
  (xdist 3.8 appends the group to ``item._nodeid``, which pytest 9.2's structured node ids
  ignore, pytest-dev/pytest-xdist#1386), and they had silently spread every group over both
  workers, each building the fixtures again (the isolation cohort, 5.5 min, twice).
- The answer corpus (``test_answer_corpus.py``) runs one week per worker: each entry is judged
  once per process and its three tests read that one verdict (``judged`` is cached per process).
  Spread test by test, an entry's tests landed on both workers and about half the corpus was
  judged twice (measured in CI: 365 s of ``test_visible_asserts_are_redundant`` re-judging).
- Slow tests (``@pytest.mark.slow``: whole notebooks, training) are handed out first, then the
  corpus weeks, so that the two workers do not end the run with one long unit each after the
  other finished.

Without ``-n`` (a single test, a debugger) neither rule changes anything.

It also holds the one fixture several modules share: ``browser``, a headless Chromium.
"""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium (playwright); CI must have one (it installs it), elsewhere the test is skipped."""
    if CHROMIUM is None or importlib.util.find_spec("playwright") is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs chromium (.ci/system-deps.sh) and playwright (the dev extra); one is missing")
        pytest.skip("no chromium or playwright here: make system-deps && make venv")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()

# module file -> group: modules in one group share a per-process cache (tests/cohort.py's
# graded class) or hold a fixture that costs tens of seconds or more.
SHARED_FIXTURE_GROUPS = {
    "test_attacks.py": "graded_demo_class",
    "test_demo.py": "graded_demo_class",
    "test_feedback.py": "graded_demo_class",
    "test_browser.py": "graded_demo_class",
    "test_attacks_isolation.py": "isolation_cohort",
    "test_02_cnn_classification_checks.py": "week02_trained_models",
    "test_06_gans_checks.py": "week06_mistaken_generators",
    "test_data.py": "dataset_preparation",
    "test_dask_cluster.py": "dask_cluster",      # one scheduler + workers serve the whole module
    "test_exchange.py": "exchange_round_trip",   # nbgrader's release, submit and collect, then a graded class
    "test_integrity.py": "integrity_class",
    "test_manual_grading.py": "manual_grading_class",
    "test_kit.py": "student_kit",
    "test_kit_platforms.py": "student_kit_platforms",
    "test_scaffold.py": "scaffolded_week",
    "test_served_robust.py": "week03_robust_models",  # one fine-tuned CNN serves the module's sandbox tests
}
# Modules whose module-scoped fixtures cost next to nothing (an environment variable, a small linear
# model, 2,000 images read from the prepared copy): their tests are better spread than grouped.
# Every other module with a module- or session-scoped fixture must be in SHARED_FIXTURE_GROUPS
# (tests/test_suite_scheduling.py holds the suite to it).
CHEAP_MODULE_FIXTURES = {"test_grader_bounds.py", "test_submission.py", "test_metrics.py", "test_evaluation.py",
                         "test_benchmarks_grader_vs_nbgrader.py"}


CORPUS_MODULE = "test_answer_corpus.py"


def group_of(nodeid: str) -> str | None:
    """The work unit a test belongs to when it shares a per-process cache, else None.

    ``tests/test_answer_corpus.py::test_x[03_adversarial/entry]`` -> ``answer_corpus_03_adversarial``.
    """
    module = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    if module == CORPUS_MODULE and "[" in nodeid:
        week = nodeid.split("[", 1)[1].split("/", 1)[0].rstrip("]")
        return f"answer_corpus_{week}"
    return SHARED_FIXTURE_GROUPS.get(module)


def _group(item: pytest.Item) -> str | None:
    return group_of(item.nodeid)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """``--dist loadgroup``: one work unit per shared-fixture group, one per test otherwise."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class SharedFixtureScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid) or super()._split_scope(nodeid)

    return SharedFixtureScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    slow_groups = {_group(item) for item in items if item.get_closest_marker("slow") and _group(item)}

    def start_order(item: pytest.Item) -> int:
        if item.get_closest_marker("slow") or _group(item) in slow_groups:
            return 0
        return 1 if (_group(item) or "").startswith("answer_corpus_") else 2

    items.sort(key=start_order)  # stable: the order within each part is kept
