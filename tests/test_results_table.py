"""Does benchmarks/results_table.py read every recorded result and render one table?"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _module():
    spec = importlib.util.spec_from_file_location("results_table", ROOT / "benchmarks" / "results_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_recorded_source_gives_readable_rows():
    table = _module()
    rows = table.rows()
    present = [name for name, _ in table.SOURCES if table._load(name) is not None]
    assert present and len(rows) >= len(present)
    assert not [row for row in rows if row[1].startswith("unreadable")]
    text = table.render(rows)
    assert text.count("\n| ") == len(rows) + 1 and "| measure | ours | anchor | measured |" in text


def test_check_wants_a_profile_at_the_top_or_in_every_row():
    table = _module()
    assert table._profile_per_row({"rows": [{"trained_profile": "smoke", "graded_profile": "full"},
                                            {"profile": "smoke"}]})
    assert not table._profile_per_row({"rows": [{"trained_profile": "smoke"}, {"entry": "conv_einsum"}]})
    assert not table._profile_per_row({"rows": []}) and not table._profile_per_row({})
