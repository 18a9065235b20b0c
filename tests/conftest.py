"""How the suite is spread over pytest-xdist workers (``make test`` runs ``-n 2 --dist loadgroup``).

Two rules, both about wall time on the 2-core CI machine, neither about what a test checks:

- Modules whose expensive fixtures are built once per process (a graded demo class, trained
  reference models, a graded isolation cohort) run whole on one worker, so that no fixture is
  built twice; every other test goes to whichever worker is free. The scheduler below does the
  grouping itself, from the module's name: ``xdist_group`` marks no longer work with pytest 9.2
  (xdist 3.8 appends the group to ``item._nodeid``, which pytest 9.2's structured node ids
  ignore, pytest-dev/pytest-xdist#1386), and they had silently spread every group over both
  workers, each building the fixtures again (the isolation cohort, 5.5 min, twice).
- Slow tests (``@pytest.mark.slow``: whole notebooks, training) are handed out first, so that
  the two workers do not end the run with one long test each after the other finished.

Without ``-n`` (a single test, a debugger) neither rule changes anything.
"""

from __future__ import annotations

import pytest

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
}


def _group(item: pytest.Item) -> str | None:
    return SHARED_FIXTURE_GROUPS.get(item.path.name)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """``--dist loadgroup``: one work unit per shared-fixture group, one per test otherwise."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class SharedFixtureScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
            return SHARED_FIXTURE_GROUPS.get(module) or super()._split_scope(nodeid)

    return SharedFixtureScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    slow_groups = {_group(item) for item in items if item.get_closest_marker("slow") and _group(item)}

    def starts_late(item: pytest.Item) -> bool:
        return not (item.get_closest_marker("slow") or _group(item) in slow_groups)

    items.sort(key=starts_late)  # stable: the order within each part is kept
