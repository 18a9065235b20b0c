"""Is every clause of every exercise's contract held by a fixed hidden case and broken by a corpus mistake?

Each ``FunctionCheck`` lists its exercise's clauses (``judging.Clause``): what the text promises
about every argument (each optional one at a non-default value), each error it must raise,
statefulness (fresh randomness at each call), invariances (independence from the rest of the
batch) and what is returned (logits or probabilities, dtype, range, shape). For each clause:

- some hidden case exercises it under *every* secret (a fixed case, not a lucky draw);
- ``tests/answers/<week>/<mistake>.py`` exists and its ``# expect: fail`` names the check (the
  corpus test then proves the check fails it, through the real judge path);
- every optional parameter of a function the grade cell hands over has a clause naming it.

``contract_problems`` returns the problems as sentences; the tests below assert none, and one
test feeds it a small bad contract that it must reject.
"""

from __future__ import annotations

import inspect
import types
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import pytest

from autograder.verdicts import judging
from tests.test_answer_corpus import (ANSWERS, WEEKS, expected_failures, notebook_namespace,
                                      submitted_functions)

SECRETS = ("", "contract-coverage")  # a clause's case must be there whatever the term's secret


def _function_checks(assignment: str) -> list[judging.FunctionCheck]:
    return [c for c in judging.load_checks(assignment) if isinstance(c, judging.FunctionCheck)]


def optional_parameters(fn: Callable[..., Any], namespace: dict[str, Any]) -> set[str]:
    """Parameters with defaults of the notebook functions a handed-over callable calls directly
    (a grade cell's lambda calls the student's function; a function handed over itself counts)."""
    targets: list[Any] = [fn]
    if getattr(fn, "__name__", "") == "<lambda>":
        targets = [namespace[name] for name in fn.__code__.co_names
                   if isinstance(namespace.get(name), (types.FunctionType, type))]
    names: set[str] = set()
    for target in targets:
        try:
            parameters = inspect.signature(target).parameters.values()
        except (TypeError, ValueError):
            continue
        names |= {p.name for p in parameters if p.default is not inspect.Parameter.empty}
    return names


def contract_problems(assignment: str, checks: Iterable[judging.FunctionCheck],
                      optional: dict[str, set[str]], answers: Path = ANSWERS) -> list[str]:
    """Every way the checks' contracts fall short, one sentence each (empty when they hold).

    optional: per check id, the optional parameters of what its grade cell hands over.
    """
    problems = []
    for check in checks:
        if not check.clauses:
            problems.append(f"{check.id}: no clauses written down (judging.Clause)")
            continue
        case_sets = [check.make_cases(np.random.default_rng(judging.case_seed(assignment, check.id, secret)))
                     for secret in SECRETS]
        for clause in check.clauses:
            label = f"{check.id}: clause {clause.text!r}"
            if not all(any(clause.exercised_by(case) for case in cases) for cases in case_sets):
                problems.append(f"{label} has no fixed hidden case (none under some secret)")
            entry = answers / assignment / f"{clause.mistake}.py"
            if not entry.is_file():
                problems.append(f"{label}: its mistake {entry.name} is not in the corpus")
            elif check.id not in expected_failures(entry):
                problems.append(f"{label}: its mistake {entry.name} does not expect {check.id} to fail")
        covered = {clause.argument for clause in check.clauses}
        problems += [f"{check.id}: optional argument {name!r} has no clause (a case at a non-default value)"
                     for name in sorted(optional.get(check.id, set()) - covered)]
    return problems


@pytest.mark.parametrize("assignment", WEEKS)
def test_every_clause_has_a_case_and_a_mistake(assignment: str):
    """Has every function check of the week its clauses, each held by a fixed hidden case and
    broken by a corpus mistake, and every optional argument a clause?"""
    namespace, grade_cells = notebook_namespace(assignment)
    handed = submitted_functions(namespace, grade_cells)
    optional = {check_id: optional_parameters(fn, namespace) for check_id, fn in handed.items()}
    problems = contract_problems(assignment, _function_checks(assignment), optional)
    assert not problems, "\n".join(problems)


def test_a_bad_contract_is_rejected(tmp_path: Path):
    """Does the coverage test fail on a check with no clauses, a clause no case exercises, a
    missing or mislabelled mistake, and an optional argument without a clause?"""
    (tmp_path / "99_bad").mkdir()
    (tmp_path / "99_bad" / "passes.py").write_text("# expect: pass\n")

    def check(check_id: str, *clauses: judging.Clause) -> judging.FunctionCheck:
        return judging.FunctionCheck(check_id, 1, "", lambda rng: [{"x": np.zeros(3)}],
                                     lambda cases, results: judging.Verdict(True, ""), clauses)

    checks = [check("bare"),
              check("unexercised", judging.Clause("scale given", lambda case: "scale" in case, "missing")),
              check("mislabelled", judging.Clause("x", lambda case: True, "passes"))]
    problems = contract_problems("99_bad", checks, {"mislabelled": {"scale"}}, answers=tmp_path)
    assert any("bare: no clauses" in p for p in problems)
    assert any("unexercised" in p and "no fixed hidden case" in p for p in problems)
    assert any("unexercised" in p and "missing.py is not in the corpus" in p for p in problems)
    assert any("mislabelled" in p and "does not expect" in p for p in problems)
    assert any("optional argument 'scale'" in p for p in problems)
    assert len(problems) == 5, problems
