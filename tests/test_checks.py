"""Tests for course_utils.checks: gradients against known answers, and the three outcomes of a check."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.checks import (
    NotAttempted,
    check_answered,
    check_array,
    check_close,
    check_dtype,
    check_finite,
    check_gradient,
    check_implemented,
    check_shape,
    numeric_gradient,
    rel_error,
    scaled_error,
)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


# --- rel_error -------------------------------------------------------------------------------


def test_rel_error_is_zero_for_equal_arrays():
    """Is the relative error of an array with itself exactly zero?"""
    x = np.array([[1.0, -2.0], [3.0, 0.0]])
    assert rel_error(x, x.copy()) == 0.0


def test_rel_error_matches_cs231n_formula():
    """Is it max |x-y| / max(1e-8, |x|+|y|), taken elementwise?"""
    x = np.array([1.0, 2.0, 0.0])
    y = np.array([1.1, 2.0, 0.0])
    assert rel_error(x, y) == pytest.approx(0.1 / 2.1)


def test_rel_error_rejects_shape_mismatch():
    """Does comparing arrays of different shapes say so instead of broadcasting?"""
    with pytest.raises(ValueError, match=r"same shape.*\(3,\).*\(1, 3\)"):
        rel_error(np.zeros(3), np.zeros((1, 3)))


# --- numeric_gradient ------------------------------------------------------------------------


def test_numeric_gradient_of_sum_of_squares(rng):
    """Is d/dx sum(x**2) = 2x recovered to float64 precision?"""
    x = rng.standard_normal((3, 4))
    grad = numeric_gradient(lambda v: np.sum(v**2), x)
    assert rel_error(grad, 2 * x) < 1e-8


def test_numeric_gradient_of_sin_with_upstream_gradient(rng):
    """For array-valued f = sin(x) and upstream df, is the gradient df * cos(x)?"""
    x = rng.standard_normal((2, 3, 2))
    df = rng.standard_normal((2, 3, 2))
    grad = numeric_gradient(np.sin, x, df)
    assert rel_error(grad, df * np.cos(x)) < 1e-8


def test_numeric_gradient_of_matrix_product_with_upstream_gradient(rng):
    """For out = x @ w, are dx = dout @ w.T and dw = x.T @ dout both recovered?"""
    x = rng.standard_normal((4, 5))
    w = rng.standard_normal((5, 3))
    dout = rng.standard_normal((4, 3))
    dx = numeric_gradient(lambda v: v @ w, x, dout)
    dw = numeric_gradient(lambda v: x @ v, w, dout)
    assert rel_error(dx, dout @ w.T) < 1e-8
    assert rel_error(dw, x.T @ dout) < 1e-8


def test_numeric_gradient_sees_in_place_perturbation_through_closures(rng):
    """Does a lambda that ignores its argument and closes over x still get the right gradient?"""
    x = rng.standard_normal(5)
    grad = numeric_gradient(lambda _: np.sum(x**3), x)
    assert rel_error(grad, 3 * x**2) < 1e-7


def test_numeric_gradient_restores_x_exactly(rng):
    """Is x bit-for-bit unchanged after the gradient is taken?"""
    x = rng.standard_normal((3, 3))
    before = x.copy()
    numeric_gradient(lambda v: np.sum(np.exp(v)), x)
    np.testing.assert_array_equal(x, before)


def test_numeric_gradient_restores_x_when_f_raises(rng):
    """If f fails half-way, is x still restored?"""
    x = rng.standard_normal(4)
    before = x.copy()
    calls = []

    def failing(v):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("student bug")
        return float(np.sum(v))

    with pytest.raises(RuntimeError, match="student bug"):
        numeric_gradient(failing, x)
    np.testing.assert_array_equal(x, before)


def test_numeric_gradient_accepts_python_scalars():
    """Can x be a plain float (copied to a float64 array)?"""
    grad = numeric_gradient(lambda v: float(v) ** 3, 2.0)
    assert grad.shape == ()
    assert grad == pytest.approx(12.0, rel=1e-8)


def test_numeric_gradient_refuses_float32_and_integer_x():
    """Does a float32 or int x get a clear error instead of a silently wrong gradient?"""
    for dtype in (np.float32, np.int64):
        with pytest.raises(ValueError, match="float64"):
            numeric_gradient(lambda v: np.sum(v), np.ones(3, dtype=dtype))


def test_numeric_gradient_needs_df_for_array_valued_f():
    """Does an array-valued f without df explain that df is needed?"""
    with pytest.raises(ValueError, match="upstream gradient df"):
        numeric_gradient(lambda v: v * 2, np.ones(3))


def test_numeric_gradient_rejects_df_of_wrong_shape():
    """Does a df whose shape differs from f(x) name both shapes?"""
    with pytest.raises(ValueError, match=r"df has shape \(2,\).*\(3,\)"):
        numeric_gradient(lambda v: v * 2, np.ones(3), np.ones(2))


def test_numeric_gradient_reports_non_finite_values():
    """Does log of a value at zero give a clear error rather than a NaN gradient?"""
    with pytest.raises(ValueError, match="non-finite.*log\\(0\\)"), np.errstate(divide="ignore"):
        numeric_gradient(lambda v: np.sum(np.log(v)), np.array([1.0, 0.0]))


def test_numeric_gradient_rejects_bad_step():
    """Is a zero or negative step refused?"""
    with pytest.raises(ValueError, match="positive step"):
        numeric_gradient(np.sum, np.ones(2), h=0.0)


# --- not attempted / implemented --------------------------------------------------------------


def conv_forward(x):
    # YOUR CODE HERE
    raise NotImplementedError()


def returns_none(x):
    pass


def test_check_implemented_reports_not_attempted_for_not_implemented_error():
    """Does a blank exercise say which cell to fill in, as an AssertionError?"""
    with pytest.raises(NotAttempted, match="not attempted yet: fill in the cell marked # YOUR CODE HERE in conv_forward"):
        check_implemented(conv_forward, np.ones(2))
    assert issubclass(NotAttempted, AssertionError)


def test_check_implemented_reports_not_attempted_for_none():
    """Is a function that returns None treated as not attempted?"""
    with pytest.raises(NotAttempted, match="returns_none"):
        check_implemented(returns_none, 1)


def test_check_implemented_returns_the_result_and_keeps_other_errors():
    """Does it pass results through and leave the student's own exceptions alone?"""
    assert check_implemented(lambda a, b=0: a + b, 1, b=2) == 3
    with pytest.raises(ZeroDivisionError):
        check_implemented(lambda: 1 / 0)


def test_check_answered_catches_unset_variable():
    """Is a variable left at None reported as not attempted, by name?"""
    with pytest.raises(NotAttempted, match="`receptive_field` is not attempted yet: it is still None"):
        check_answered("receptive_field", None)
    assert check_answered("receptive_field", 5) == 5


# --- arrays, shapes, dtypes, finiteness -------------------------------------------------------


def test_check_array_rejects_non_numeric_values():
    """Does a string or a dict get a message asking for an array of numbers?"""
    for value in ("abc", {"a": 1}, [1, "x"]):
        with pytest.raises(AssertionError, match="`out` should be an array of numbers"):
            check_array("out", value)


def test_partly_filled_template_is_not_attempted_by_variable_name():
    """CS231n-style templates start with `dx, dw = None, None`: does a check on dw say dw is unset?"""
    dx, dw = np.zeros(2), None
    check_close("dx", dx, np.zeros(2), verbose=False)
    with pytest.raises(NotAttempted, match="`dw` is not attempted yet.*computes `dw`"):
        check_close("dw", dw, np.zeros(2))


def test_check_shape_accepts_matching_shape_and_wildcards():
    """Does None in the expected shape match any size?"""
    out = check_shape("out", np.zeros((2, 3, 4)), (2, None, 4))
    assert out.shape == (2, 3, 4)


def test_check_shape_names_the_variable_and_both_shapes():
    """Does a wrong size say which variable, the shape found, the shape wanted and which axis?"""
    with pytest.raises(AssertionError) as info:
        check_shape("out", np.zeros((2, 5, 5, 8)), (2, 4, 4, 8))
    message = str(info.value)
    assert "`out` has shape (2, 5, 5, 8) but should have shape (2, 4, 4, 8)" in message
    assert "axis 1, 2 differ" in message
    assert "Hint:" in message


def test_check_shape_explains_a_missing_axis():
    with pytest.raises(AssertionError, match="3 dimensions instead of 4. Hint: .*axis"):
        check_shape("out", np.zeros((2, 3, 4)), (2, 3, 4, 1))


def test_check_shape_rejects_a_malformed_expected_shape():
    """Is a bad expected shape (the notebook's bug) a ValueError, not a student failure?"""
    with pytest.raises(ValueError, match="expected_shape"):
        check_shape("out", np.zeros(2), (2.5,))


def test_check_dtype_accepts_exact_and_abstract_dtypes():
    check_dtype("img", np.zeros(2, np.uint8), np.uint8)
    check_dtype("x", np.zeros(2, np.float32), np.floating)
    check_dtype("x", np.zeros(2, np.float32), "float32")


def test_check_dtype_rejects_wrong_dtype():
    with pytest.raises(AssertionError, match="`img` has dtype float64 but should have dtype uint8"):
        check_dtype("img", np.zeros(2), np.uint8)


def test_check_finite_locates_nan_and_inf():
    """Does the message count NaN and inf and show where the first one is?"""
    x = np.zeros((2, 2))
    x[0, 1] = np.nan
    x[1, 0] = np.inf
    with pytest.raises(AssertionError, match=r"`loss` contains 1 NaN and 1 infinite value\(s\) \(first at index \(0, 1\)"):
        check_finite("loss", x)
    check_finite("ints", np.arange(3))  # integers are always finite


# --- check_close ------------------------------------------------------------------------------


def test_check_close_accepts_a_correct_answer_and_prints_a_tick(capsys):
    expected = np.linspace(1, 2, 6).reshape(2, 3)
    error = check_close("out", expected * (1 + 1e-12), expected, max_rel_error=1e-7)
    assert error < 1e-7
    assert capsys.readouterr().out.startswith("✓ out:")


def test_check_close_rejects_a_wrong_value_with_position_and_hint():
    """Does a wrong value name the variable, the error, the worst index, got vs expected and the hint?"""
    expected = np.zeros((2, 3))
    actual = expected.copy()
    actual[1, 2] = 0.5
    with pytest.raises(AssertionError) as info:
        check_close("out", actual, expected, max_rel_error=1e-7, hint="did you flip the kernel?")
    message = str(info.value)
    assert message == ("`out` is not right yet: got 0.5 at index (1, 2), expected 0 (max relative error 1.0e+00, "
                       "expected at most 1e-07). Hint: did you flip the kernel?")


def test_check_close_names_the_mistake_a_wrong_value_matches():
    """Does a value that equals a known mistake's output get that mistake named, in one line?"""
    expected = np.arange(6.0).reshape(2, 3)
    mistakes = {"the rows and columns swapped": expected[::-1], "the kernel flipped": expected[:, ::-1]}
    with pytest.raises(AssertionError) as info:
        check_close("out", expected[:, ::-1], expected, max_rel_error=1e-7, hint="generic", mistakes=mistakes)
    assert str(info.value).endswith("It looks like the kernel flipped.") and "\n" not in str(info.value)
    with pytest.raises(AssertionError, match="Hint: generic$"):  # no mistake matches: the hint
        check_close("out", expected + 1, expected, max_rel_error=1e-7, hint="generic", mistakes=mistakes)
    with pytest.raises(AssertionError, match="It looks like a sign error.$"):  # a test instead of a value
        check_close("out", -expected, expected, mistakes={"a sign error": lambda got, truth: np.allclose(got, -truth)})
    assert check_close("out", expected, expected, mistakes=mistakes, verbose=False) == 0.0  # right: no diagnosis


def test_check_gradient_names_a_recognised_mistake(rng):
    """Is a dropped upstream gradient named when the notebook lists it as a likely mistake?"""
    x, w, dout = rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal((3, 2))
    wrong = np.ones((3, 2)) @ w.T
    with pytest.raises(AssertionError, match="It looks like the upstream gradient was dropped.$"):
        check_gradient(lambda v: v @ w, x, wrong, df=dout, name="dx", verbose=False,
                       mistakes={"the upstream gradient was dropped": np.ones((3, 2)) @ w.T})


def test_check_close_checks_shape_before_values():
    with pytest.raises(AssertionError, match="has shape"):
        check_close("out", np.zeros(3), np.zeros(4))


def test_check_close_rejects_nan_in_the_answer():
    with pytest.raises(AssertionError, match="NaN"):
        check_close("out", np.array([np.nan, 1.0]), np.array([0.0, 1.0]))


def test_check_close_uses_allclose_without_max_rel_error():
    """Near zero, rel_error is large but allclose's atol accepts tiny absolute differences."""
    check_close("out", np.array([1e-12, 1.0]), np.array([0.0, 1.0]), verbose=False)


def test_check_close_refuses_broken_expectations():
    """Is a NaN expected value or a negative tolerance reported as the check's own bug?"""
    with pytest.raises(ValueError, match="expected value"):
        check_close("out", np.zeros(1), np.array([np.nan]))
    with pytest.raises(ValueError, match="max_rel_error"):
        check_close("out", np.zeros(1), np.zeros(1), max_rel_error=-1.0)


def test_check_close_accepts_tensors_and_lists():
    """Can a student return a list (or anything np.asarray understands)?"""
    check_close("out", [1.0, 2.0], np.array([1.0, 2.0]), verbose=False)


# --- check_gradient ---------------------------------------------------------------------------


def test_check_gradient_accepts_correct_matrix_product_gradient(rng, capsys):
    """Does the CS231n ritual print the error next to the expected size and pass?"""
    x = rng.standard_normal((3, 4))
    w = rng.standard_normal((4, 2))
    dout = rng.standard_normal((3, 2))
    error = check_gradient(lambda v: v @ w, x, dout @ w.T, df=dout, name="dx")
    out = capsys.readouterr().out
    assert error < 1e-7
    assert "dx relative error:" in out and "(expect < 1e-07)" in out
    assert "✓ dx matches the numeric gradient" in out


def test_check_gradient_rejects_a_transposed_mistake(rng):
    """Does a plausible chain-rule mistake (forgetting the upstream gradient) fail with the worst entry?"""
    x = rng.standard_normal((3, 4))
    w = rng.standard_normal((4, 2))
    dout = rng.standard_normal((3, 2))
    wrong = np.ones((3, 2)) @ w.T  # upstream gradient dropped
    with pytest.raises(AssertionError, match=r"^`dx` does not match the numeric gradient.*\(worst entry \(\d, \d\): "
                                             r"analytic \S+, numeric \S+\)\. Hint: [^\n]*$"):
        check_gradient(lambda v: v @ w, x, wrong, df=dout, name="dx", verbose=False)


def test_check_gradient_reports_shape_and_not_attempted(rng):
    x = rng.standard_normal((2, 2))
    with pytest.raises(AssertionError, match=r"`dx` has shape \(4,\) but should have shape \(2, 2\)"):
        check_gradient(lambda v: np.sum(v**2), x, np.zeros(4), name="dx", verbose=False)
    with pytest.raises(NotAttempted):
        check_gradient(lambda v: np.sum(v**2), x, None, name="dx", verbose=False)


# --- scaled_error ----------------------------------------------------------------------------
def test_scaled_error_divides_by_the_largest_expected_value():
    """Is the error the largest difference over the largest true value (plus atol)?"""
    expected = np.array([0.0, 2.0, -4.0])
    assert scaled_error(expected + [1e-3, 0, 0], expected) == pytest.approx(1e-3 / 4)
    assert scaled_error(expected + [1e-3, 0, 0], expected, atol=1.0) == pytest.approx(1e-3 / 5)
    assert scaled_error(expected, expected.copy()) == 0.0


def test_scaled_error_accepts_rounding_where_the_truth_is_zero():
    """Does a 1e-17 where the truth is exactly 0 count as rounding (rel_error calls it 1e-9)?"""
    expected = np.array([0.0, 1.0])
    actual = np.array([1e-17, 1.0])
    assert scaled_error(actual, expected) == pytest.approx(1e-17)
    assert rel_error(actual, expected) == pytest.approx(1e-9)


def test_scaled_error_of_an_all_zero_reference():
    assert scaled_error(np.array([1e-3]), np.zeros(1)) == float("inf")
    assert scaled_error(np.array([1e-3]), np.zeros(1), atol=1.0) == pytest.approx(1e-3)


def test_check_close_with_max_scaled_error():
    """Does check_close accept scaled rounding, reject a real error, and refuse both criteria at once?"""
    expected = np.array([0.0, 3.0])
    error = check_close("out", expected + [1e-16, 0.0], expected, max_scaled_error=1e-12, verbose=False)
    assert error < 1e-12
    with pytest.raises(AssertionError, match="largest difference"):
        check_close("out", expected + [1e-3, 0.0], expected, max_scaled_error=1e-12)
    with pytest.raises(ValueError, match="not both"):
        check_close("out", expected, expected, max_rel_error=1e-7, max_scaled_error=1e-7)


def test_a_failed_check_renders_as_one_line_without_frames():
    """In a notebook IPython shows _render_traceback_: the message in one red line (hint indented),
    a blank exercise in one neutral line, and both are still AssertionErrors (the cell fails)."""
    from course_utils.checks import CheckFailed

    failed = CheckFailed("`out` has shape (2, 3), expected (2, 4).\nHint: check the padding.")
    assert isinstance(failed, AssertionError)
    assert failed._render_traceback_() == ["\x1b[31m✗ `out` has shape (2, 3), expected (2, 4).\x1b[0m",
                                           "  Hint: check the padding."]
    blank = NotAttempted("conv_forward is not attempted yet")
    assert blank._render_traceback_() == ["\x1b[34m○ conv_forward is not attempted yet\x1b[0m"]


def test_a_failed_check_in_a_kernel_shows_no_course_utils_frames():
    """Run in a real kernel: the error output is the one line, and the cell still errors."""
    import nbclient
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import numpy as np\nfrom course_utils import checks\nchecks.check_shape('out', np.zeros((2, 3)), (2, 4))")])
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True)
    client.execute()
    (error,) = [output for output in notebook.cells[0].outputs if output.output_type == "error"]
    assert error.ename == "CheckFailed"
    assert len(error.traceback) <= 2 and "✗" in error.traceback[0]
    assert not any("course_utils" in line for line in error.traceback)


def test_blank_and_failed_cells_in_a_kernel_show_one_line_and_still_fail():
    """With course_utils imported in a kernel: a blank function shows one neutral line naming it, a failed
    assert one red line with its message; both cells still error (nbgrader gives no points), and %tb
    still shows the whole traceback."""
    import nbclient
    import nbformat

    cells = ["import course_utils\n\ndef conv_forward(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()",
             "conv_forward(1)",
             "assert 1 + 1 == 3, 'conv_forward(x) has shape (2, 3), expected (2, 4)'",
             "assert 2 < 1",
             "%tb"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True).execute()

    def error(index):
        (found,) = [output for output in notebook.cells[index].outputs if output.output_type == "error"]
        return found

    blank, failed, bare = error(1), error(2), error(3)
    assert blank.ename == "NotImplementedError" and len(blank.traceback) == 1
    assert "○ conv_forward is not attempted yet" in blank.traceback[0]
    assert failed.ename == "AssertionError" and failed.traceback == [
        "\x1b[31m✗ conv_forward(x) has shape (2, 3), expected (2, 4)\x1b[0m"]
    assert "assert 2 < 1" in bare.traceback[0]
    full = "".join(output.get("text", "") + "".join(output.get("traceback", [])) for output in notebook.cells[4].outputs)
    assert "Traceback" in full or "AssertionError" in full


def test_a_self_check_cell_shows_its_line_and_lets_run_all_go_on():
    """Run All (errors not allowed, as Jupyter's Run All stops at the first failing cell): a cell
    starting with '# Self-check' shows a blank exercise's neutral line or a failed check's red line
    and does not fail; a bug that is not a check failure still fails there, as does a plain cell."""
    import nbclient
    import nbformat

    blank_function = "import course_utils\n\ndef conv_forward(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    cells = [blank_function,
             "# Self-check: blank\nconv_forward(1)\nprint('not reached')",
             "# Self-check: wrong\nassert 1 + 1 == 3, 'conv_forward(x) has shape (2, 3), expected (2, 4)'",
             "print('Run All got here')",
             "conv_forward(1)",  # a grade cell: still fails
             "print('never run')"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="NotImplementedError"):
        nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    shown = [[output.data["text/plain"] for output in notebook.cells[i].outputs] for i in (1, 2)]
    assert shown[0] and shown[0][0].startswith("○ conv_forward is not attempted yet") and len(shown[0]) == 1
    assert shown[1] == ["✗ conv_forward(x) has shape (2, 3), expected (2, 4)"]
    assert "✗ conv_forward(x) has shape (2, 3)" in notebook.cells[2].outputs[0].data["text/html"]
    assert notebook.cells[3].outputs[0].text == "Run All got here\n"
    assert not notebook.cells[5].outputs

    buggy = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(blank_function),
                                            nbformat.v4.new_code_cell("# Self-check: a real bug\n1 / 0")])
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="ZeroDivisionError"):
        nbclient.NotebookClient(buggy, timeout=120, kernel_name="python3").execute()


def test_a_self_check_cell_is_not_run_while_the_grader_runs_the_notebook(monkeypatch):
    """With NBGRADER_EXECUTION=autograde (the course grader's run) a self-check cell shows the one
    line saying it was not run, and runs nothing; other cells run; under nbgrader's 'validate' (a
    student's Validate button) the self-check runs as usual."""
    import nbclient
    import nbformat

    from course_utils.tutor import SKIPPED_WHILE_GRADING

    cells = ["import course_utils", "# Self-check: heavy\nprint('self-check ran')", "print('plain cell ran')"]
    for execution, expected in (("autograde", SKIPPED_WHILE_GRADING + "\n"), ("validate", "self-check ran\n")):
        monkeypatch.setenv("NBGRADER_EXECUTION", execution)
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
        nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
        assert [output.text for output in notebook.cells[1].outputs] == [expected], execution
        assert notebook.cells[2].outputs[0].text == "plain cell ran\n"


def test_a_blank_release_shows_only_not_attempted_lines():
    """Week 0's released blank, run top to bottom with errors allowed: every self-check shows one
    neutral '○ … not attempted yet' line without failing, every grade cell fails with one such line,
    and nothing else is shown (no traceback frames, no TensorFlow log line)."""
    import re
    from pathlib import Path

    import nbclient
    import nbformat

    folder = Path(__file__).resolve().parents[1] / "assignments" / "00_setup"
    notebook = nbformat.read(folder / "00_setup.ipynb", as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(folder)}}).execute()
    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    errors = [output for output in outputs if output.output_type == "error"]
    assert errors, "the blank should fail its grade cells"
    for error in errors:
        lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in error.traceback]
        assert len(lines) == 1 and lines[0].startswith("○ ") and "not attempted yet" in lines[0], lines
    self_checks = [cell for cell in notebook.cells if cell.cell_type == "code" and cell.source.startswith("# Self-check")]
    assert self_checks
    for cell in self_checks:
        assert not [output for output in cell.outputs if output.output_type == "error"], cell.source[:60]
        shown = [output.data["text/plain"] for output in cell.outputs if output.output_type == "display_data"]
        assert len(shown) == 1 and shown[0].startswith("○ ") and "not attempted yet" in shown[0], shown
    assert not [output for output in outputs if output.get("name") == "stderr"]
