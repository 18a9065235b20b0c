"""Self-checks for notebooks: relative errors, numeric gradients, friendly asserts.

Every check has three outcomes, as in Kaggle's learntools:

- **not attempted** — the student's function still raises ``NotImplementedError``
  or returns ``None``: :class:`NotAttempted` (an ``AssertionError``) says which
  cell to fill in, in one neutral line;
- **incorrect** — a :class:`CheckFailed` (an ``AssertionError``) in a tutor's
  voice, shown in one red line without traceback frames, that names the
  variable, says what was expected (shape or value), what was measured, and
  gives one hint;
- **correct** — a short ``✓`` line is printed.

Bad *arguments to the checks themselves* (a tolerance that is negative, an
upstream gradient of the wrong shape) raise ``ValueError``/``TypeError``: those
are bugs in the notebook, not in the student's answer.

The gradient ritual follows CS231n's ``gradient_check.py``: a numeric gradient
by central differences, evaluated in float64, compared with ``rel_error``, and
the error printed next to the size the student should expect; here it is also
asserted, so a grade cell can use it.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from course_utils.numerics import numeric_gradient, rel_error, require_tolerance, scaled_error

__all__ = [
    "CheckFailed",
    "NotAttempted",
    "rel_error",
    "scaled_error",
    "numeric_gradient",
    "check_implemented",
    "check_answered",
    "check_array",
    "check_shape",
    "check_dtype",
    "check_finite",
    "check_close",
    "check_gradient",
]

ShapeSpec = Sequence[int | None]
_MAX_SHOWN = 3  # how many offending positions a message lists


class CheckFailed(AssertionError):
    """An incorrect answer, in a tutor's voice.

    In a notebook it is shown as its message alone, in red, without the traceback
    frames of ``course_utils`` (IPython calls ``_render_traceback_``); the cell still
    fails, so nbgrader and *Run All* see an error as before.
    """

    _mark, _colour = "✗", "\x1b[31m"  # red

    def _render_traceback_(self) -> list[str]:
        lines = str(self).splitlines() or [type(self).__name__]
        return [f"{self._colour}{self._mark} {lines[0]}\x1b[0m", *(f"  {line}" for line in lines[1:])]


class NotAttempted(CheckFailed):
    """The exercise has not been started: the function raises NotImplementedError or returns None."""

    _mark, _colour = "○", "\x1b[34m"  # neutral: blue, not red


def _not_attempted(function: str | None = None, *, variable: str | None = None) -> NotAttempted:
    """The not-attempted message, for a function (``conv_forward``) or a variable (``dw``)."""
    if function is not None:
        return NotAttempted(
            f"{function} is not attempted yet: fill in the cell marked # YOUR CODE HERE in {function} "
            "(delete the `raise NotImplementedError()` line), run that cell, then run this check again."
        )
    return NotAttempted(
        f"`{variable}` is not attempted yet: it is still None. Fill in the cell marked # YOUR CODE HERE "
        f"that computes `{variable}`, run it, then run this check again."
    )


def _with_hint(message: str, hint: str | None) -> str:
    """One line: the finding, then the hint (a tutor says both in one breath)."""
    return f"{message} Hint: {hint}" if hint else message


# A likely mistake, as the check recognises it: the value that mistake produces on the
# check's inputs (an array), or a test ``(actual, expected) -> bool`` on what was measured.
Mistakes = dict[str, Any]


def _diagnosis(mistakes: Mistakes | None, actual: np.ndarray, expected: np.ndarray,
               same: Callable[[np.ndarray, np.ndarray], bool]) -> str | None:
    """The first likely mistake that explains ``actual``, or None.

    mistakes: ``{what the student probably did: its value or a test}``; a value explains
    ``actual`` when it has its shape and ``same(actual, value)`` holds (the check's own
    criterion), a test when it returns True.
    """
    for diagnosis, sign in (mistakes or {}).items():
        if callable(sign):
            if sign(actual, expected):
                return diagnosis
            continue
        value = np.asarray(sign, dtype=np.float64)
        if value.shape == actual.shape and np.isfinite(value).all() and same(actual, value):
            return diagnosis
    return None


def _passed(message: str, verbose: bool) -> None:
    if verbose:
        print(f"✓ {message}")


def check_implemented(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a student function and return its result, or say it is not attempted yet.

    Raises :class:`NotAttempted` when ``fn`` raises ``NotImplementedError`` or
    returns ``None``; any other exception propagates unchanged (it is the
    student's bug, with its own traceback).
    """
    if not callable(fn):
        raise TypeError(f"check_implemented needs the student's function, got {type(fn).__name__}.")
    name = getattr(fn, "__name__", "the function")
    try:
        result = fn(*args, **kwargs)
    except NotImplementedError:
        raise _not_attempted(name) from None
    if result is None:
        raise _not_attempted(name)
    return result


def check_answered(name: str, value: Any) -> Any:
    """Return ``value``, or raise :class:`NotAttempted` when it is still ``None``/Ellipsis."""
    if value is None or value is Ellipsis:
        raise _not_attempted(variable=name)
    return value


def check_array(name: str, value: Any, *, hint: str | None = None) -> np.ndarray:
    """Turn a student's value into a numeric NumPy array, or explain why it is not one.

    Accepts NumPy arrays, numbers, nested lists and tensors (anything
    ``np.asarray`` turns into numbers). ``None`` means not attempted.
    """
    check_answered(name, value)
    try:
        array = np.asarray(value)
    except Exception as exc:  # noqa: BLE001 - any conversion failure is explained the same way
        raise CheckFailed(
            _with_hint(f"`{name}` should be an array of numbers, but {type(value).__name__} could not be "
                       f"converted: {exc}", hint)
        ) from None
    if array.dtype.kind not in "biuf":
        raise CheckFailed(
            _with_hint(
                f"`{name}` should be an array of numbers, but it is a {type(value).__name__} "
                f"with dtype {array.dtype}.",
                hint or "return a NumPy array (np.ndarray), not a string, dict or list of mixed objects.",
            )
        )
    return array


def _format_shape(shape: ShapeSpec) -> str:
    parts = ["any" if d is None else str(d) for d in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def check_shape(
    name: str, array: Any, expected_shape: ShapeSpec, *, hint: str | None = None, verbose: bool = False
) -> np.ndarray:
    """Assert that ``array`` has ``expected_shape`` (``None`` matches any size).

    Returns the value as a NumPy array, so the check can be chained.
    """
    if isinstance(expected_shape, (str, bytes)) or not all(
        d is None or (isinstance(d, (int, np.integer)) and d >= 0) for d in expected_shape
    ):
        raise ValueError(f"expected_shape must be a tuple of sizes or None, got {expected_shape!r}.")
    array = check_array(name, array)
    expected = tuple(expected_shape)
    matches = array.ndim == len(expected) and all(e is None or e == a for e, a in zip(expected, array.shape))
    if not matches:
        if array.ndim != len(expected):
            detail = f"it has {array.ndim} dimensions instead of {len(expected)}"
            default_hint = "check for a missing or extra axis (np.newaxis / keepdims / reshape)."
        else:
            wrong = [i for i, (e, a) in enumerate(zip(expected, array.shape)) if e is not None and e != a]
            detail = "axis " + ", ".join(str(i) for i in wrong) + " differ" + ("s" if len(wrong) == 1 else "")
            default_hint = "re-derive the output size from the formula in the exercise (padding, stride)."
        raise CheckFailed(
            _with_hint(
                f"`{name}` has shape {tuple(array.shape)} but should have shape "
                f"{_format_shape(expected)}: {detail}.",
                hint or default_hint,
            )
        )
    _passed(f"{name} has shape {tuple(array.shape)}", verbose)
    return array


def check_dtype(name: str, array: Any, expected: Any, *, hint: str | None = None) -> np.ndarray:
    """Assert that ``array`` has the NumPy dtype ``expected`` (e.g. ``np.uint8``, ``"float32"``).

    ``expected`` may also be an abstract kind such as ``np.floating`` or
    ``np.integer``, which any float (or integer) dtype satisfies.
    """
    array = check_array(name, array)
    ok = np.issubdtype(array.dtype, expected)
    wanted = getattr(expected, "__name__", None) or str(np.dtype(expected))
    if not ok:
        raise CheckFailed(
            _with_hint(
                f"`{name}` has dtype {array.dtype} but should have dtype {wanted}.",
                hint or "convert it with .astype(...) as the last step, after any arithmetic.",
            )
        )
    return array


def check_finite(name: str, array: Any, *, hint: str | None = None) -> np.ndarray:
    """Assert that ``array`` holds no NaN or infinity; say where the first ones are."""
    array = check_array(name, array)
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array)
        if bad.any():
            n_nan = int(np.isnan(array).sum())
            n_inf = int(bad.sum()) - n_nan
            where = [tuple(int(i) for i in idx) for idx in np.argwhere(bad)[:_MAX_SHOWN]]
            raise CheckFailed(
                _with_hint(
                    f"`{name}` contains {n_nan} NaN and {n_inf} infinite value(s) "
                    f"(first at index {', '.join(map(str, where))}).",
                    hint or "NaN usually comes from log(0), 0/0 or sqrt of a negative number; "
                    "infinity from exp() of a large number. Clip or use a numerically stable formula.",
                )
            )
    return array


def check_close(
    name: str,
    actual: Any,
    expected: Any,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    max_rel_error: float | None = None,
    max_scaled_error: float | None = None,
    hint: str | None = None,
    mistakes: Mistakes | None = None,
    verbose: bool = True,
) -> float:
    """Assert that ``actual`` equals ``expected`` up to a tolerance; return the error measured.

    By default the test is ``np.allclose(actual, expected, rtol, atol)``.
    With ``max_rel_error`` it is ``rel_error(actual, expected) <= max_rel_error``
    instead (CS231n's criterion, the one the gradient checks print).
    With ``max_scaled_error`` it is ``scaled_error(actual, expected) <= max_scaled_error``
    (the error as a share of the largest expected value, for references with
    exact zeros) and that error is returned; give only one of the two.
    The shape is checked first, then NaN/inf, then the values; a failure names
    the worst position with the value found and the value expected, in one line.
    ``mistakes`` (``{"you flipped the kernel": value_a_flipped_kernel_gives, ...}``) turns
    the hint into a diagnosis when ``actual`` matches one of those values by the same
    criterion (or when a test ``(actual, expected) -> bool`` given instead returns True).
    """
    for value, label in ((rtol, "rtol"), (atol, "atol"), (max_rel_error, "max_rel_error"),
                         (max_scaled_error, "max_scaled_error")):
        require_tolerance(value, label)
    if max_rel_error is not None and max_scaled_error is not None:
        raise ValueError("check_close takes max_rel_error or max_scaled_error, not both.")
    expected_arr = np.asarray(expected, dtype=np.float64)
    if not np.isfinite(expected_arr).all():
        raise ValueError(f"the expected value for `{name}` contains NaN or inf; the check itself is broken.")
    actual_arr = check_shape(name, actual, expected_arr.shape)
    actual_arr = check_finite(name, actual_arr).astype(np.float64)
    def meets(got: np.ndarray, truth: np.ndarray) -> bool:
        if max_scaled_error is not None:
            return scaled_error(got, truth) <= max_scaled_error
        if max_rel_error is not None:
            return rel_error(got, truth) <= max_rel_error
        return bool(np.allclose(got, truth, rtol=rtol, atol=atol))

    error = rel_error(actual_arr, expected_arr)
    if max_scaled_error is not None:
        error = scaled_error(actual_arr, expected_arr)
        criterion = (f"largest difference {error:.1e} of the largest expected value, "
                     f"expected at most {max_scaled_error:.0e}")
    elif max_rel_error is not None:
        criterion = f"max relative error {error:.1e}, expected at most {max_rel_error:.0e}"
    else:
        criterion = (f"max relative error {error:.1e}, expected at most {rtol:.0e} "
                     f"(or {atol:.0e} in absolute terms near zero)")
    if not meets(actual_arr, expected_arr):
        diff = np.abs(actual_arr - expected_arr)
        worst = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
        position = f" at index {tuple(int(i) for i in worst)}" if diff.ndim else ""
        found = f"got {actual_arr[worst]:.6g}{position}, expected {expected_arr[worst]:.6g} ({criterion})"
        diagnosis = _diagnosis(mistakes, actual_arr, expected_arr, meets)
        if diagnosis:
            raise CheckFailed(f"`{name}` is not right yet: {found}. It looks like {diagnosis}.")
        raise CheckFailed(_with_hint(f"`{name}` is not right yet: {found}.", hint))
    _passed(f"{name}: {criterion}", verbose)
    return error


def check_gradient(
    f: Callable[[np.ndarray], Any],
    x: np.ndarray,
    analytic: Any,
    *,
    df: Any = None,
    name: str = "gradient",
    max_rel_error: float = 1e-7,
    h: float = 1e-5,
    hint: str | None = None,
    mistakes: Mistakes | None = None,
    verbose: bool = True,
) -> float:
    """Compare an analytic gradient with :func:`numeric_gradient`; print and assert.

    f, x, df, h: as in :func:`numeric_gradient` (``x`` float64, ``df`` the
        upstream gradient when ``f`` is array-valued).
    analytic: the student's gradient with respect to ``x``, same shape as ``x``.
    max_rel_error: the error the student should expect; 1e-7 suits float64
        layers, loosen it for losses with kinks (ReLU, max) near zero.
    mistakes: as in :func:`check_close`; a test receives ``(analytic, numeric)``.

    Prints ``<name> relative error: 3.2e-10 (expect < 1e-07)`` and returns it.
    """
    require_tolerance(max_rel_error, "max_rel_error")
    analytic_arr = check_finite(name, check_shape(name, analytic, np.shape(x)))
    numeric = numeric_gradient(f, x, df=df, h=h)
    error = rel_error(analytic_arr, numeric)
    if verbose:
        print(f"{name} relative error: {error:.1e} (expect < {max_rel_error:.0e})")
    if not error <= max_rel_error:
        diff = np.abs(analytic_arr - numeric)
        worst = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
        found = (f"`{name}` does not match the numeric gradient: relative error {error:.1e}, expected below "
                 f"{max_rel_error:.0e} (worst entry {tuple(int(i) for i in worst)}: analytic "
                 f"{analytic_arr[worst]:.6g}, numeric {numeric[worst]:.6g})")
        diagnosis = _diagnosis(mistakes, analytic_arr.astype(np.float64), numeric,
                               lambda got, truth: rel_error(got, truth) <= max_rel_error)
        if diagnosis:
            raise CheckFailed(f"{found}. It looks like {diagnosis}.")
        raise CheckFailed(_with_hint(
            f"{found}.",
            hint or "check the chain rule step by step: is each local gradient multiplied by the "
            "upstream gradient, and are contributions summed over every position that used x?",
        ))
    _passed(f"{name} matches the numeric gradient", verbose)
    return error
