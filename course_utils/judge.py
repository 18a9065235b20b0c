"""The notebook's side of the out-of-process judge.

Why: nbgrader's in-kernel tests run inside the student's own process, where the
student's code can patch ``numpy``, return objects whose ``__eq__`` always says
True, or rewrite the check functions. So the course's hidden tests never decide
anything in the kernel. A hidden test cell only *hands over* a student function::

    judge.submit("01_convolution", "conv_forward",
                 lambda x, w, b, stride, pad: conv_forward(x, w, b, stride, pad)[0])

What ``submit`` does depends on who runs the notebook:

- **grader** (``COURSE_JUDGE_DIR`` is set inside the sandbox): call the function on
  every hidden case found in ``$COURSE_JUDGE_DIR/inputs/<check>.npz`` and write
  its outputs, as plain float arrays, to ``$COURSE_JUDGE_DIR/outputs/<check>.npz``.
  The verdict is computed later by the grader, in a process that never ran
  student code.
- **instructor** (the ``autograder`` package is importable, not grading): run the
  hidden check right away and raise ``AssertionError`` when it fails, so
  ``course validate`` sees the source notebook pass.
- **student**: released notebooks contain no hidden tests, so nothing calls it.

The case and result encoding below is shared by both sides; it is plain
``.npz`` (loaded with ``allow_pickle=False``), never pickle.
"""

from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

JUDGE_DIR_ENV = "COURSE_JUDGE_DIR"
_SEP = "__"
MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class CaseResult:
    """What one call of a student function gave.

    outputs: the returned arrays (a single return value becomes a 1-tuple),
        converted with ``np.asarray(..., dtype=float)``; None when it raised.
    error: ``"ExceptionType: message"`` when the call raised, else None.
    seconds: wall-clock time of the call, measured around it.
    """

    outputs: tuple[np.ndarray, ...] | None
    error: str | None
    seconds: float


def encode_cases(cases: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Flatten ``[{arg: value}, ...]`` into npz-ready ``{"c0__arg": array}``."""
    flat: dict[str, np.ndarray] = {"n_cases": np.asarray(len(cases))}
    for i, case in enumerate(cases):
        for name, value in case.items():
            if _SEP in name:
                raise ValueError(f"argument name {name!r} must not contain {_SEP!r}")
            flat[f"c{i}{_SEP}{name}"] = np.asarray(value)
    return flat


def decode_cases(flat: Any) -> list[dict[str, Any]]:
    """Inverse of :func:`encode_cases`; 0-d arrays come back as Python scalars."""
    cases: list[dict[str, Any]] = [{} for _ in range(int(flat["n_cases"]))]
    for key in flat.keys():
        if key == "n_cases":
            continue
        index, name = key.split(_SEP, 1)
        value = np.asarray(flat[key])
        cases[int(index[1:])][name] = value.item() if value.ndim == 0 else value
    return cases


def call_case(fn: Callable[..., Any], case: dict[str, Any]) -> CaseResult:
    """Call ``fn(**case)`` on copies of the inputs and capture outputs or the error."""
    arguments = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in case.items()}
    start = time.perf_counter()
    try:
        returned = fn(**arguments)
        seconds = time.perf_counter() - start
        values = returned if isinstance(returned, tuple) else (returned,)
        outputs = tuple(np.array(np.asarray(v, dtype=float)) for v in values)
        return CaseResult(outputs=outputs, error=None, seconds=seconds)
    except Exception as exc:  # noqa: BLE001 - any student error becomes data
        seconds = time.perf_counter() - start
        message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return CaseResult(outputs=None, error=message[:MAX_ERROR_CHARS], seconds=seconds)


def encode_results(results: list[CaseResult]) -> dict[str, np.ndarray]:
    """Flatten results into npz-ready arrays (``c0__o0``, ``c0__error``, ``c0__seconds``)."""
    flat: dict[str, np.ndarray] = {"n_cases": np.asarray(len(results))}
    for i, result in enumerate(results):
        flat[f"c{i}{_SEP}seconds"] = np.asarray(float(result.seconds))
        if result.error is not None:
            flat[f"c{i}{_SEP}error"] = np.asarray(str(result.error))
            continue
        flat[f"c{i}{_SEP}n_outputs"] = np.asarray(len(result.outputs or ()))
        for j, output in enumerate(result.outputs or ()):
            flat[f"c{i}{_SEP}o{j}"] = np.asarray(output, dtype=float)
    return flat


def decode_results(flat: Any) -> list[CaseResult]:
    """Inverse of :func:`encode_results`. Raises ValueError on a malformed file."""
    try:
        results = []
        for i in range(int(flat["n_cases"])):
            prefix = f"c{i}{_SEP}"
            seconds = float(flat[prefix + "seconds"])
            if prefix + "error" in flat:
                results.append(CaseResult(None, str(flat[prefix + "error"])[:MAX_ERROR_CHARS], seconds))
                continue
            n_outputs = int(flat[prefix + "n_outputs"])
            outputs = tuple(np.asarray(flat[f"{prefix}o{j}"], dtype=float) for j in range(n_outputs))
            results.append(CaseResult(outputs, None, seconds))
        return results
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"malformed judge results: {exc}") from exc


def _judge_dir() -> Path | None:
    value = os.environ.get(JUDGE_DIR_ENV)
    return Path(value) if value else None


def submit(assignment: str, check: str, fn: Callable[..., Any]) -> None:
    """Hand ``fn`` to the hidden check ``check`` of ``assignment`` (see module doc)."""
    if not callable(fn):
        raise TypeError(f"judge.submit({check!r}) needs a function, got {type(fn).__name__}.")
    judge_dir = _judge_dir()
    if judge_dir is not None:
        inputs = judge_dir / "inputs" / f"{check}.npz"
        if not inputs.exists():
            return  # this grading run does not ask for that check
        with np.load(inputs, allow_pickle=False) as flat:
            cases = decode_cases(flat)
        results = [call_case(fn, case) for case in cases]
        out_dir = judge_dir / "outputs"
        out_dir.mkdir(parents=True, exist_ok=True)
        np.savez(out_dir / f"{check}.npz", **encode_results(results))
        return
    try:
        from autograder.judging import run_function_check_inline
    except ImportError:
        return  # a student's machine: the grader is not installed here
    verdict = run_function_check_inline(assignment, check, fn)
    assert verdict.passed, verdict.message


def submit_artifact(assignment: str, check: str) -> None:
    """Ask for the hidden artifact check ``check`` (e.g. a saved model).

    Grading: nothing happens here; the grader loads the artifact itself, in a
    clean process, after the notebook ran. Instructor: the check runs now, in a
    fresh process, and a failure raises ``AssertionError``.
    """
    if _judge_dir() is not None:
        return
    try:
        from autograder.judging import run_artifact_check_inline
    except ImportError:
        return
    verdict = run_artifact_check_inline(assignment, check, Path.cwd())
    assert verdict.passed, verdict.message
