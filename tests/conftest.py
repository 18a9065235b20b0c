"""How the suite is spread over pytest-xdist workers (``make test`` runs ``-n 2 --dist loadgroup``).

Two rules, both about wall time on the 2-core CI machine, neither about what a test checks:

- Modules whose expensive fixtures are built once per process (a graded demo class, trained
  reference models, a graded isolation cohort) run whole on one worker (an ``xdist_group``),
  so that no fixture is built twice; every other test goes to whichever worker is free.
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


@pytest.hookimpl(tryfirst=True)  # before xdist reads the xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    slow_groups = {_group(item) for item in items if item.get_closest_marker("slow") and _group(item)}
    for item in items:
        if _group(item):
            item.add_marker(pytest.mark.xdist_group(_group(item)))

    def starts_late(item: pytest.Item) -> bool:
        return not (item.get_closest_marker("slow") or _group(item) in slow_groups)

    items.sort(key=starts_late)  # stable: the order within each part is kept
