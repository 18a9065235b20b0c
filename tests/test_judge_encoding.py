"""Tests for the plain-npz encoding of course_utils.judge: what crosses the sandbox boundary, and how."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import judge
from course_utils.judge import (
    MAX_ERROR_CHARS,
    CaseResult,
    call_case,
    decode_cases,
    decode_results,
    encode_cases,
    encode_results,
)


def through_file(flat: dict[str, np.ndarray], tmp_path) -> dict[str, np.ndarray]:
    """Write with np.savez and read back without pickle, as the grader and the sandbox do."""
    path = tmp_path / "flat.npz"
    np.savez(path, **flat)
    with np.load(path, allow_pickle=False) as loaded:
        return {key: loaded[key] for key in loaded.files}


def test_cases_round_trip_through_a_pickle_free_file(tmp_path):
    """Do arrays, numbers and strings come back as they went in, scalars as Python scalars?"""
    x = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    cases = [{"x": x, "stride": 2, "pad": "same"}, {"x": x[:1], "stride": 1, "pad": "valid"}, {}]
    decoded = decode_cases(through_file(encode_cases(cases), tmp_path))
    assert len(decoded) == 3 and decoded[2] == {}
    np.testing.assert_array_equal(decoded[0]["x"], x)
    assert decoded[0]["stride"] == 2 and isinstance(decoded[0]["stride"], int)
    assert decoded[1]["pad"] == "valid" and isinstance(decoded[1]["pad"], str)
    assert decoded[1]["x"].shape == (1, 3, 4)


def test_argument_names_may_not_contain_the_separator():
    with pytest.raises(ValueError, match="must not contain '__'"):
        encode_cases([{"bad__name": 1}])


def test_call_case_returns_float_outputs_and_time():
    result = call_case(lambda a, b: (a + b, a * b), {"a": np.array([1, 2]), "b": 3})
    assert result.error is None and result.seconds >= 0
    assert [o.tolist() for o in result.outputs] == [[4.0, 5.0], [3.0, 6.0]]
    assert all(o.dtype == np.float64 for o in result.outputs)


def test_call_case_wraps_a_single_return_value_in_a_tuple():
    result = call_case(lambda x: x * 2, {"x": np.ones(2)})
    assert len(result.outputs) == 1


def test_call_case_gives_the_student_copies_of_the_inputs():
    """Can a student function that writes into its input corrupt the hidden case? It must not."""
    case = {"x": np.zeros(3)}

    def vandal(x):
        x[:] = 99.0
        return x

    call_case(vandal, case)
    np.testing.assert_array_equal(case["x"], np.zeros(3))


def test_call_case_turns_exceptions_into_short_messages():
    """Is a student exception data (type and message, bounded in length), not a crash?"""
    result = call_case(lambda: 1 / 0, {})
    assert result.outputs is None and result.error.startswith("ZeroDivisionError")
    long = call_case(lambda: (_ for _ in ()).throw(ValueError("x" * 5000)), {})
    assert len(long.error) == MAX_ERROR_CHARS


def test_call_case_refuses_outputs_that_are_not_numbers():
    """An object that is not a number (a string, a lying object) becomes an error, never a value."""

    class AlwaysEqual:
        def __eq__(self, other):
            return True

    for value in ("abc", AlwaysEqual(), {"a": 1}):
        result = call_case(lambda v=value: v, {})
        assert result.outputs is None and result.error


def test_results_round_trip_through_a_pickle_free_file(tmp_path):
    results = [
        CaseResult(outputs=(np.ones((2, 2)), np.array(3.0)), error=None, seconds=0.5),
        CaseResult(outputs=None, error="ValueError: bad shape", seconds=0.1),
        CaseResult(outputs=(), error=None, seconds=0.0),
    ]
    decoded = decode_results(through_file(encode_results(results), tmp_path))
    assert len(decoded) == 3
    np.testing.assert_array_equal(decoded[0].outputs[0], np.ones((2, 2)))
    assert decoded[0].outputs[1].shape == () and decoded[0].seconds == 0.5
    assert decoded[1] == CaseResult(None, "ValueError: bad shape", 0.1)
    assert decoded[2].outputs == ()


@pytest.mark.parametrize(
    "flat",
    [
        {},
        {"n_cases": np.asarray(1)},
        {"n_cases": np.asarray(1), "c0__seconds": np.asarray(0.1), "c0__n_outputs": np.asarray(2),
         "c0__o0": np.zeros(1)},
        {"n_cases": np.asarray("many")},
    ],
)
def test_malformed_results_are_a_value_error(flat):
    """Does a truncated or tampered results file fail clearly rather than score?"""
    with pytest.raises(ValueError, match="malformed judge results"):
        decode_results(flat)


def test_submit_in_a_judge_dir_runs_only_requested_checks(tmp_path, monkeypatch):
    """With COURSE_JUDGE_DIR set, is a check without inputs skipped, and one with inputs answered?"""
    monkeypatch.setenv(judge.JUDGE_DIR_ENV, str(tmp_path))
    judge.submit("00_setup", "not_requested", lambda x: x)
    assert not (tmp_path / "outputs").exists()
    (tmp_path / "inputs").mkdir()
    np.savez(tmp_path / "inputs" / "double.npz", **encode_cases([{"x": np.arange(3.0)}, {"x": np.ones(2)}]))
    judge.submit("00_setup", "double", lambda x: 2 * x)
    with np.load(tmp_path / "outputs" / "double.npz", allow_pickle=False) as flat:
        results = decode_results(flat)
    np.testing.assert_array_equal(results[0].outputs[0], [0.0, 2.0, 4.0])
    np.testing.assert_array_equal(results[1].outputs[0], [2.0, 2.0])
    judge.submit_artifact("00_setup", "model")  # grading: artifacts are checked later, by the grader


def test_submit_rejects_a_non_function():
    with pytest.raises(TypeError, match="needs a function, got int"):
        judge.submit("00_setup", "double", 3)
