"""Does the out-of-process judge protocol carry cases and verdicts faithfully?"""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from autograder.verdicts import judging
from autograder.verdicts.function_judge import judge_function_isolated
from autograder.verdicts.judging import FunctionCheck, Verdict
from autograder.isolation.sandbox import Limits
from course_utils import judge

ASSIGNMENT = "zz_fake"


def _judge_double(cases, results):
    for case, result in zip(cases, results):
        expected = 2 * np.asarray(case["x"], dtype=float)
        if result.outputs[0].shape != expected.shape or not np.allclose(result.outputs[0], expected):
            return Verdict(False, "double: wrong values")
    return Verdict(True, "double: correct")


@pytest.fixture
def fake_checks(monkeypatch):
    """A throw-away checks module ``autograder.checks.zz_fake`` with one function check."""
    module = types.ModuleType(f"autograder.checks.{ASSIGNMENT}")
    module.CHECKS = [
        FunctionCheck(
            id="double",
            points=2,
            description="doubles an array",
            make_cases=lambda rng: [{"x": rng.normal(size=(3, 4))}, {"x": rng.normal(size=5), "scale": 2}],
            judge=_judge_double,
        )
    ]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return module


def test_unknown_assignment_has_no_checks():
    """Does an assignment without a checks module simply have no hidden checks?"""
    assert judging.load_checks("no_such_assignment") == []


def test_case_seed_depends_on_secret_and_check(monkeypatch):
    """Are hidden cases reproducible for one secret and different for another?"""
    monkeypatch.delenv("COURSE_JUDGE_SECRET", raising=False)
    assert judging.case_seed("a", "b") == judging.case_seed("a", "b")
    assert judging.case_seed("a", "b") != judging.case_seed("a", "c")
    assert judging.case_seed("a", "b", secret="term1") != judging.case_seed("a", "b", secret="term2")


def test_inline_check_accepts_right_and_rejects_wrong(fake_checks):
    """Does instructor mode pass the right function and fail a wrong one?"""
    right = judging.run_function_check_inline(ASSIGNMENT, "double", lambda x, scale=2: scale * x)
    wrong = judging.run_function_check_inline(ASSIGNMENT, "double", lambda x, scale=2: x + 2)
    assert right.passed and right.score_fraction == 1.0
    assert not wrong.passed and wrong.score_fraction == 0.0


def test_student_exception_becomes_a_plain_message(fake_checks):
    """Does a function that raises fail with its error, not crash the grader?"""
    verdict = judging.run_function_check_inline(ASSIGNMENT, "double", lambda x, scale=2: 1 / 0)
    assert not verdict.passed
    assert "ZeroDivisionError" in verdict.message


def test_objects_that_lie_about_equality_gain_nothing(fake_checks):
    """Is an always-equal object judged by its array value, not its __eq__?"""

    class AlwaysEqual:
        def __eq__(self, other):
            return True

    verdict = judging.run_function_check_inline(ASSIGNMENT, "double", lambda x, scale=2: AlwaysEqual())
    assert not verdict.passed


def test_grading_round_trip_through_files(fake_checks, tmp_path, monkeypatch):
    """Is a function handed over by `submit` judged by the isolated harness on the hidden inputs?"""
    monkeypatch.setenv(judge.JUDGE_DIR_ENV, str(tmp_path / ".judge"))
    judge.submit(ASSIGNMENT, "double", lambda x, scale=2: scale * x)
    check = judging.get_check(ASSIGNMENT, "double")
    assert judge_function_isolated(ASSIGNMENT, check, tmp_path, Limits(artifact_seconds=60)).passed
    assert not (tmp_path / ".judge" / "inputs").exists()


def test_inline_check_measures_like_the_harness(fake_checks):
    """Does the in-process helper record dtypes and line events, as the sandboxed harness does?"""
    seen = {}

    def record(cases, results):
        seen["results"] = results
        return Verdict(True, "recorded")

    check = fake_checks.CHECKS[0]
    def as_float32(x, scale=2):
        return (scale * x).astype("float32")

    for counts_lines, line_events in ((True, 1), (False, None)):
        fake_checks.CHECKS[0] = FunctionCheck(check.id, check.points, check.description, check.make_cases,
                                              record, counts_lines=counts_lines)
        assert judging.run_function_check_inline(ASSIGNMENT, "double", as_float32).passed
        assert [r.dtypes for r in seen["results"]] == [("float32",), ("float32",)]
        assert all(r.line_events == line_events for r in seen["results"])


def test_missing_or_garbage_outputs_fail_clearly(fake_checks, tmp_path):
    """Does a never-submitted or unreadable result give zero with a reason?"""
    check = judging.get_check(ASSIGNMENT, "double")
    missing = judging.judge_function_outputs(ASSIGNMENT, check, tmp_path / "none.npz")
    assert not missing.passed and "never handed" in missing.message
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip file")
    unreadable = judging.judge_function_outputs(ASSIGNMENT, check, garbage)
    assert not unreadable.passed and "could not be read" in unreadable.message


def test_unknown_check_names_the_known_ones(fake_checks):
    """Does asking for a check that does not exist say which ones do?"""
    with pytest.raises(KeyError, match="double"):
        judging.get_check(ASSIGNMENT, "triple")


def test_submit_rejects_non_callables():
    """Does handing over a value instead of a function give a clear TypeError?"""
    with pytest.raises(TypeError, match="needs a function"):
        judge.submit(ASSIGNMENT, "double", 42)


def test_not_attempted_only_when_the_templates_raise_ran(fake_checks):
    """Is "not attempted" said only for the template's own `raise NotImplementedError()`, and does
    TensorFlow's NotImplementedError (NumPy on a symbolic tensor) get its type and one hint instead?"""
    import tensorflow as tf

    def template(x, scale=2):
        # YOUR CODE HERE
        raise NotImplementedError()

    @tf.function
    def numpy_in_graph(x):
        return np.asarray(x) * 2  # a symbolic tensor cannot become a NumPy array

    stub = judging.run_function_check_inline(ASSIGNMENT, "double", template)
    assert not stub.passed and "not attempted yet" in stub.message
    library = judging.run_function_check_inline(
        ASSIGNMENT, "double", lambda x, scale=2: numpy_in_graph(tf.constant(x)).numpy())
    assert not library.passed and "not attempted" not in library.message
    assert "raised NotImplementedError" in library.message and "symbolic tensor" in library.message


def test_a_wrong_shape_is_quoted_by_rank_not_dimensions(fake_checks):
    """When the comparison fails, does the message give the rank of what was returned, never its
    dimensions (they can carry hidden values, issue 28)?"""
    def compare(cases, results):
        return Verdict(bool(np.all(results[0].outputs[0] == 2 * cases[0]["x"])), "compared")

    check = fake_checks.CHECKS[0]
    fake_checks.CHECKS[0] = FunctionCheck(check.id, check.points, check.description, check.make_cases, compare)
    verdict = judging.run_function_check_inline(ASSIGNMENT, "double", lambda x, scale=2: np.zeros((7, 13, 17)))
    assert not verdict.passed and "1 value(s) of rank(s) 3" in verdict.message
    assert not any(str(dimension) in verdict.message for dimension in (7, 13, 17))
