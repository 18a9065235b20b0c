"""The notebook's side of the out-of-process judge.

Why: nbgrader's in-kernel tests run inside the student's own process, where the
student's code can patch ``numpy`` or ``timeit``, return objects whose ``__eq__``
always says True, or rewrite the check functions. So nothing measured or claimed
in the kernel decides a grade. A hidden test cell only *hands over* a student
function::

    judge.submit("01_convolution", "conv_forward",
                 lambda x, w, b, stride, pad: conv_forward(x, w, b, stride, pad)[0])

``submit`` serialises the function *by value* with ``cloudpickle`` (the code of
the notebook's functions, the globals they use; modules by name) to
``<judge dir>/functions/<check>.pkl``. The grader then calls it on the hidden
inputs in a fresh sandboxed process that never ran the notebook
(``autograder.verdicts.function_judge``): the hidden inputs never enter the kernel, and
the time, the dtypes and the lines of Python the function executes are measured
there. A function that cannot be pickled leaves ``<check>.error.txt`` instead,
a plain message the grader shows.

Who runs the notebook decides the judge dir:

- **grader** (``COURSE_JUDGE_DIR`` is set inside the sandbox): that folder; the
  verdict is computed after the notebook ran.
- **instructor** (the ``autograder`` package is installed, not grading): a
  temporary folder, judged at once by ``python -m autograder.verdicts.function_judge``
  (the same isolated path, in a subprocess: ``course_utils`` never imports
  ``autograder``); a failed check raises ``AssertionError``, so
  ``course validate`` sees the source notebook pass or fail.
- **student** (no grader installed): nothing is judged; the function is only
  pickled and the names it will import checked (``handover.problem``), so a
  function the grader could not load fails the cell at once, with one line
  naming what cannot be sent and how to write it instead.

The case and result encoding below is shared by the grader and its harness; it
is plain ``.npz`` (loaded with ``allow_pickle=False``), never pickle.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from course_utils import handover

JUDGE_DIR_ENV = "COURSE_JUDGE_DIR"
SANDBOX_JUDGE_DIR = ".judge"  # the judge dir inside a graded folder
FUNCTIONS_DIR = "functions"
ERROR_SUFFIX = ".error.txt"
_SEP = "__"
MAX_ERROR_CHARS = 500
MAX_DTYPE_CHARS = 32
_GRADER_TIMEOUT = 1200.0  # seconds; the grader bounds its own sandboxed run below this


@dataclass(frozen=True)
class CaseResult:
    """What one call of a student function gave.

    outputs: the returned arrays (a single return value becomes a 1-tuple),
        converted with ``np.asarray(..., dtype=float)``; None when it raised.
    error: ``"ExceptionType: message"`` when the call raised (or the grader's
        harness refused the call as tampering), else None.
    seconds: wall-clock time of the call and of the conversion of its outputs,
        measured by whoever called it (the grader's harness when grading).
    dtypes: per output, ``np.asarray(value).dtype.name`` of the value as
        returned, before the float conversion (``"float32"``, ``"int64"``,
        ``"bool"``, ...); None when unknown (it raised, or an old results file).
    line_events: Python ``line`` events executed in the student's code during
        the call (code outside the standard library, site-packages and the
        course's own modules), counted by the grader's harness with
        ``sys.settrace``; None when not counted.
    not_attempted: the error is the template's own ``raise NotImplementedError()``
        (:func:`template_raise`), not a NotImplementedError of a library (TensorFlow's
        "Cannot convert a symbolic tf.Tensor to a numpy array", a JAX backend's).
    """

    outputs: tuple[np.ndarray, ...] | None
    error: str | None
    seconds: float
    dtypes: tuple[str, ...] | None = None
    line_events: int | None = None
    not_attempted: bool = False


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


def _student_by_file(frame: Any) -> bool:
    """Fallback test of student code: a file outside the interpreter's prefixes."""
    prefixes = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
    filename = frame.f_code.co_filename
    return not filename.startswith(prefixes) and not filename.startswith("<frozen ")


def template_raise(exc: BaseException, is_student: Callable[[Any], bool] = _student_by_file) -> bool:
    """Was ``exc`` raised by a ``raise NotImplementedError()`` statement of the student's own code?

    The template's stub is ``raise NotImplementedError()``: a bare NotImplementedError
    raised by a ``RAISE_VARARGS`` right after loading the name ``NotImplementedError``,
    in the innermost frame of the traceback, which ``is_student`` (the harness passes
    its own test) says is not library code.
    """
    if type(exc) is not NotImplementedError or exc.args or exc.__traceback__ is None:
        return False
    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    if not is_student(tb.tb_frame):
        return False
    import dis

    instructions = list(dis.get_instructions(tb.tb_frame.f_code))
    at = next((i for i, ins in enumerate(instructions) if ins.offset == tb.tb_lasti), None)
    if at is None or instructions[at].opname != "RAISE_VARARGS":
        return False
    return any(ins.opname in ("LOAD_GLOBAL", "LOAD_NAME") and ins.argval == "NotImplementedError"
               for ins in instructions[max(0, at - 4):at])


def call_case(fn: Callable[..., Any], case: dict[str, Any], *,
              clock: Callable[[], float] = time.perf_counter,
              is_student: Callable[[Any], bool] = _student_by_file) -> CaseResult:
    """Call ``fn(**case)`` on copies of the inputs and capture outputs or the error.

    ``clock`` times the call and the conversion of what it returned (an object's
    ``__array__`` is student code too); the grader's harness passes its own, and
    its own test of student frames (``is_student``, see :func:`template_raise`).
    """
    arguments = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in case.items()}
    start = clock()
    try:
        returned = fn(**arguments)
        values = returned if isinstance(returned, tuple) else (returned,)
        arrays = tuple(np.asarray(v) for v in values)
        outputs = tuple(np.array(a, dtype=float) for a in arrays)
        return CaseResult(outputs=outputs, error=None, seconds=clock() - start,
                          dtypes=tuple(a.dtype.name for a in arrays))
    except Exception as exc:  # noqa: BLE001 - any student error becomes data
        seconds = clock() - start
        message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return CaseResult(outputs=None, error=message[:MAX_ERROR_CHARS], seconds=seconds,
                          not_attempted=template_raise(exc, is_student))


def encode_results(results: list[CaseResult]) -> dict[str, np.ndarray]:
    """Flatten results into npz-ready arrays.

    Per case ``i``: ``ci__seconds``; ``ci__line_events`` (int) when counted;
    then either ``ci__error`` (str; with ``ci__not_attempted`` = 1 for the template's
    own raise) or ``ci__n_outputs``, ``ci__o0``... (float
    arrays) and ``ci__dtypes`` (a str array, one entry per output) when known.
    """
    flat: dict[str, np.ndarray] = {"n_cases": np.asarray(len(results))}
    for i, result in enumerate(results):
        prefix = f"c{i}{_SEP}"
        flat[prefix + "seconds"] = np.asarray(float(result.seconds))
        if result.line_events is not None:
            flat[prefix + "line_events"] = np.asarray(int(result.line_events), dtype=np.int64)
        if result.error is not None:
            flat[prefix + "error"] = np.asarray(str(result.error))
            if result.not_attempted:
                flat[prefix + "not_attempted"] = np.asarray(1, dtype=np.int64)
            continue
        flat[prefix + "n_outputs"] = np.asarray(len(result.outputs or ()))
        for j, output in enumerate(result.outputs or ()):
            flat[f"{prefix}o{j}"] = np.asarray(output, dtype=float)
        if result.dtypes is not None:
            flat[prefix + "dtypes"] = np.asarray([str(d) for d in result.dtypes], dtype=str)
    return flat


def decode_results(flat: Any) -> list[CaseResult]:
    """Inverse of :func:`encode_results`. Raises ValueError on a malformed file."""
    try:
        results = []
        for i in range(int(flat["n_cases"])):
            prefix = f"c{i}{_SEP}"
            seconds = float(flat[prefix + "seconds"])
            line_events = int(flat[prefix + "line_events"]) if prefix + "line_events" in flat else None
            if line_events is not None and line_events < 0:
                raise ValueError(f"case {i}: negative line count")
            if prefix + "error" in flat:
                error = str(flat[prefix + "error"])[:MAX_ERROR_CHARS]
                stub = prefix + "not_attempted" in flat and int(flat[prefix + "not_attempted"]) == 1
                results.append(CaseResult(None, error, seconds, line_events=line_events, not_attempted=stub))
                continue
            n_outputs = int(flat[prefix + "n_outputs"])
            outputs = tuple(np.asarray(flat[f"{prefix}o{j}"], dtype=float) for j in range(n_outputs))
            dtypes = None
            if prefix + "dtypes" in flat:
                names = np.asarray(flat[prefix + "dtypes"])
                if names.shape != (n_outputs,) or names.dtype.kind != "U":
                    raise ValueError(f"case {i}: {names.shape[0] if names.ndim else 0} dtypes "
                                     f"for {n_outputs} outputs")
                dtypes = tuple(str(name)[:MAX_DTYPE_CHARS] for name in names)
            results.append(CaseResult(outputs, None, seconds, dtypes=dtypes, line_events=line_events))
        return results
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"malformed judge results: {exc}") from exc


def _judge_dir() -> Path | None:
    value = os.environ.get(JUDGE_DIR_ENV)
    return Path(value) if value else None


_EXAMINED: dict[str, tuple[int, str]] = {}  # module name -> (id of the module, working folder) already looked at


def _pickle_by_value_local_modules() -> None:
    """Pickle the student's own ``.py`` helpers (beside the notebook) by value.

    cloudpickle pickles functions of importable modules by name; the grader's
    process cannot import a student's ``helpers.py``, so its code must travel.
    Each module is looked at once per working folder (resolving thousands of
    module paths at every ``submit`` took about a second).
    """
    import cloudpickle

    here = os.path.join(os.path.realpath(os.getcwd()), "")
    prefix = os.path.join(os.path.realpath(sys.prefix), "")
    for name, module in list(sys.modules.items()):
        if _EXAMINED.get(name) == (id(module), here):
            continue
        _EXAMINED[name] = (id(module), here)
        origin = getattr(module, "__file__", None)
        if not isinstance(origin, str) or name.split(".")[0] in ("course_utils", "autograder", "__main__"):
            continue
        path = os.path.realpath(origin)
        if path.startswith(here) and not path.startswith(prefix):
            try:
                cloudpickle.register_pickle_by_value(module)
            except ValueError:
                continue  # a submodule whose package is already registered


def write_function(judge_dir: Path, check: str, fn: Callable[..., Any]) -> Path:
    """Write ``fn`` to ``judge_dir/functions/<check>.pkl`` (cloudpickle, by value: ``handover.dumps``).

    When it cannot be pickled, or it names something the harness cannot import
    (``handover.unsendable``), write ``<check>.error.txt`` instead: a plain
    message for the student (at most ``MAX_ERROR_CHARS``). Returns the path written.
    """
    folder = Path(judge_dir) / FUNCTIONS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target, error_file = folder / f"{check}.pkl", folder / f"{check}{ERROR_SUFFIX}"
    for stale in (target, error_file):
        stale.unlink(missing_ok=True)
    try:
        _pickle_by_value_local_modules()
        payload = handover.dumps(fn)
    except Exception as exc:  # noqa: BLE001 - e.g. a closure over an open file
        error_file.write_text(handover.unpicklable_message(exc)[:MAX_ERROR_CHARS], encoding="utf-8")
        return error_file
    found = handover.unsendable(handover.references(payload), here=True)
    if found is not None:  # the harness could not load it: say which name, as the notebook did
        error_file.write_text(found.message[:MAX_ERROR_CHARS], encoding="utf-8")
        return error_file
    partial = folder / f".{check}.pkl.part"
    partial.write_bytes(payload)
    partial.replace(target)
    return target


def _grader_installed() -> bool:
    return importlib.util.find_spec("autograder") is not None


def _ask_grader(module: str, *arguments: str) -> dict[str, Any]:
    """Run ``python -m <module> <arguments>`` (instructor mode); return its JSON verdict.

    A subprocess, not an import: the grader stays a separate program for the
    notebook, and its verdict is computed in processes the notebook never touched.
    """
    command = [sys.executable, "-m", module, *arguments]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=_GRADER_TIMEOUT, env=env,
                          check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"the grader ({module}) failed: {done.stderr.strip()[-500:]}")
    return json.loads(lines[-1])


def submit(assignment: str, check: str, fn: Callable[..., Any]) -> None:
    """Hand ``fn`` to the hidden check ``check`` of ``assignment`` (see module doc)."""
    if not callable(fn):
        raise TypeError(f"judge.submit({check!r}) needs a function, got {type(fn).__name__}.")
    judge_dir = _judge_dir()
    if judge_dir is not None:
        write_function(judge_dir, check, fn)
        return
    if not _grader_installed():  # a student's machine: only check that the grader could load it
        _pickle_by_value_local_modules()  # as when grading: the notebook's own .py helpers travel
        problem = handover.problem(fn)
        assert problem is None, f"{check}: {problem}"
        return
    with tempfile.TemporaryDirectory(prefix="course-judge-") as folder:
        write_function(Path(folder) / SANDBOX_JUDGE_DIR, check, fn)
        verdict = _ask_grader("autograder.verdicts.function_judge", assignment, check, folder)
    assert verdict["passed"], verdict["message"]


def submit_artifact(assignment: str, check: str) -> None:
    """Ask for the hidden artifact check ``check`` (e.g. a saved model).

    Grading: nothing happens here; the grader loads the artifact itself, in a
    clean process, after the notebook ran. Instructor: the check runs now, in a
    fresh process (``python -m autograder.verdicts.judging``), and a failure raises
    ``AssertionError``.
    """
    if _judge_dir() is not None or not _grader_installed():
        return
    from course_utils.runtime import profile

    verdict = _ask_grader("autograder.verdicts.judging", assignment, check, str(Path.cwd().resolve()), profile())
    assert verdict["passed"], verdict["message"]
