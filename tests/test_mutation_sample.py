"""Do the hidden function checks kill a fixed sample of mutants of each week's reference solutions?

``benchmarks/mutation_score.py`` mutates every solution function with mutmut's operators and
judges each mutant with the hidden checks that reach it (``make bench`` runs them all). Here a
small sample per week, drawn with a fixed seed, runs in CI: every sampled mutant that is not
annotated equivalent in ``autograder/checks/mutants/<week>.toml`` must be killed. Also: the
generator really makes mutants, and the annotation parser refuses a malformed entry (a typo must
not silently excuse nothing, nor excuse a mutant it does not name).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = 2026
# Mutants per week. Weeks 0-2: a mutant costs milliseconds (their 14 mutants and the three namespaces
# took 20 s of CPU, TensorFlow's import included, 2026-12-07). Weeks 3-7: a mutant of a shared helper
# (fgsm, project_to_sphere) is judged by every check that reaches it, each running small models and
# optimisations (seconds to tens of seconds), so one mutant each.
SAMPLE = {"00_setup": 4, "01_convolution": 6, "02_cnn_classification": 4, "03_adversarial": 1,
          "04_visualising": 1, "05_autoencoders": 1, "06_gans": 1, "07_style_transfer": 1}


def _module() -> ModuleType:
    if "mutation_score" not in sys.modules:
        spec = importlib.util.spec_from_file_location("mutation_score", ROOT / "benchmarks" / "mutation_score.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["mutation_score"] = module
        spec.loader.exec_module(module)
    return sys.modules["mutation_score"]


def test_the_generator_makes_compiling_mutants_with_stable_ids():
    ms = _module()
    source = 'def f(x, n=3):\n    """Doc."""\n    y = x / 255.0\n    return y + n if n > 0 else -y\n'
    mutants = ms.generate_mutants(ms.Definition("f", source))
    assert len(mutants) >= 8, [m.id for m in mutants]
    assert len({m.key for m in mutants}) == len(mutants)
    assert {"number", "swap_op", "assignment", "if_exp"} <= {m.operator for m in mutants}
    for mutant in mutants:
        compile(mutant.source, mutant.id, "exec")
        assert mutant.source != source and mutant.function == "f" and mutant.diff.startswith("--- f")
    assert any(m.line == "y = x / 255.0" and m.mutated == "y = x * 255.0" for m in mutants)
    assert ms.generate_mutants(ms.Definition("f", source)) == mutants  # deterministic


GOOD = '''[[equivalent]]
function = "f"
operator = "number"
occurrence = 0
line = "y = x / 255.0"
mutated = "y = x / 256.0"
reason = "because"
'''


@pytest.mark.parametrize("broken", [
    GOOD.replace('reason = "because"\n', ""),  # no reason
    GOOD.replace('reason = "because"', 'reason = "  "'),  # an empty reason
    GOOD.replace("occurrence = 0", 'occurrence = "0"'),  # a mistyped field
    GOOD.replace("occurrence = 0", "occurrence = true"),  # a bool is not an occurrence
    GOOD + 'extra = "field"\n',  # an unknown field
    GOOD + "\n" + GOOD,  # the same mutant twice
    'survivors = []\n' + GOOD,  # an unknown top-level key
    GOOD.replace("[[equivalent]]", "[equivalent]"),  # a table, not a list of tables
])
def test_the_annotation_parser_refuses_a_malformed_entry(broken: str):
    ms = _module()
    assert ms.parse_equivalents(GOOD) == {("f", "number", "y = x / 255.0", "y = x / 256.0", 0): "because"}
    with pytest.raises(ValueError):
        ms.parse_equivalents(broken)


@pytest.mark.parametrize("assignment", sorted(SAMPLE))
def test_every_annotation_names_a_mutant_the_generator_makes(assignment: str):
    """A stale annotation (the reference changed under it) would excuse nothing, silently."""
    ms = _module()
    equivalents = ms.load_equivalents(assignment)
    keys = {m.key for d in ms.solution_definitions(assignment) for m in ms.generate_mutants(d)}
    assert not [key for key in equivalents if key not in keys]


def test_every_week_has_a_sample():
    assert set(SAMPLE) == {p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()}


@pytest.mark.slow
@pytest.mark.parametrize("assignment", sorted(SAMPLE))
def test_sampled_mutants_are_killed(assignment: str):
    """Is every sampled mutant that is not annotated equivalent failed by a hidden check that reaches it?"""
    ms = _module()
    week = ms.load_week(assignment, judge_reference=False)
    mutants, _ = ms.week_mutants(week)
    chosen = ms.sample(mutants, SAMPLE[assignment], SEED)
    assert len(chosen) == min(SAMPLE[assignment], len(mutants)) and chosen
    equivalents = ms.load_equivalents(assignment)
    survivors = []
    for mutant in chosen:
        outcome = ms.judge_mutant(week, mutant)
        if outcome is not None and not outcome.failed and mutant.key not in equivalents:
            survivors.append(f"{mutant.id} (checks: {', '.join(week.reach[mutant.function])})\n{mutant.diff}")
    assert not survivors, "mutants no hidden check kills:\n" + "\n".join(survivors)
