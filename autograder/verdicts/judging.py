"""The grader's side of the out-of-process judge (see ``course_utils.judge``).

A *function check* makes hidden cases (in the grader), the student's function
is called on them in a fresh sandboxed process outside the student's kernel
(:mod:`autograder.verdicts.function_judge`), and only plain arrays come back; the
verdict is computed here, by reference code the sandbox never sees.
An *artifact check* loads a file the student saved (``.keras`` with
``safe_mode=True``, ``.npz`` without pickle) in a fresh process that never ran
student code.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Union

import numpy as np

from autograder.verdicts import function_harness
from course_utils import judge as notebook_judge
from course_utils.judge import CaseResult

Cases = list[dict[str, Any]]


@dataclass(frozen=True)
class Verdict:
    """The outcome of one hidden check: pass/fail, a plain message, a score fraction; ``ta_note``:
    a line for the TA only (never in feedback, never points), e.g. a possible memoriser."""

    passed: bool
    message: str
    fraction: float | None = None
    ta_note: str = ""

    @property
    def score_fraction(self) -> float:
        """Share of the check's points earned (1 or 0 unless partial credit is given)."""
        if self.fraction is not None:
            return float(min(max(self.fraction, 0.0), 1.0))
        return 1.0 if self.passed else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"passed": self.passed, "message": self.message, "fraction": self.score_fraction,
                **({"ta_note": self.ta_note} if self.ta_note else {})}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Verdict":
        return cls(bool(data["passed"]), str(data["message"]), float(data["fraction"]), str(data.get("ta_note", "")))


@dataclass(frozen=True)
class Clause:
    """One promise of an exercise's text, the hidden case that holds a function to it, and the
    answer-corpus mistake that breaks it (``tests/test_contract_coverage.py`` enforces all three).

    text: the clause as the exercise states it ("``start`` given: the search starts there").
    exercised_by: true for a hidden case (the dict handed to the function) that exercises the
        clause; some case of ``make_cases`` must satisfy it whatever the secret.
    mistake: the stem of ``tests/answers/<week>/<mistake>.py``, an entry that breaks this clause
        and that the check must fail (its ``# expect: fail`` names the check).
    argument: the function argument the clause is about, if any; every optional argument of a
        handed-over function needs a clause naming it (a case at a non-default value).
    """

    text: str
    exercised_by: Callable[[dict[str, Any]], bool]
    mistake: str
    argument: str | None = None


@dataclass(frozen=True)
class FunctionCheck:
    """A hidden check on a student function.

    make_cases: builds the hidden inputs from a seeded generator (grader side).
    judge: compares the student's results with reference code (grader side).
    clauses: the exercise's contract, clause by clause, each with the case that exercises it.
    counts_lines: the judge reads ``CaseResult.line_events``; only then does the harness
        trace the function (tracing slows library code such as Keras by about a third).
    """

    id: str
    points: float
    description: str
    make_cases: Callable[[np.random.Generator], Cases]
    judge: Callable[[Cases, list[CaseResult]], Verdict]
    clauses: tuple[Clause, ...] = ()
    counts_lines: bool = False


@dataclass(frozen=True)
class ArtifactCheck:
    """A hidden check on a file the student saved (path relative to the notebook folder).

    judge(path, profile) runs in a fresh process that never ran student code. serve: when given
    (:class:`autograder.verdicts.served.Served`), the grader judges the file that way instead: the
    model is loaded in a process of its own that only returns outputs, and the verdict is computed
    by the grader (``judge`` then asks the same questions in one process, for instructor tools).
    """

    id: str
    points: float
    description: str
    path: str
    judge: Callable[[Path, str], Verdict]
    serve: Any = None


Check = Union[FunctionCheck, ArtifactCheck]


CHECKS_PATH_ENV = "COURSE_CHECKS_PATH"
EVAL_DIR_ENV = "COURSE_EVAL_DIR"  # the instructor's private evaluation images (checks/_evaluation_set.py)
VERDICT_FD_ENV = "COURSE_VERDICT_FD"  # the artifact checker's verdict pipe (verdicts.artifacts)


def _module_from_checks_path(assignment: str) -> Any:
    """``<dir>/<assignment>.py`` from the first ``COURSE_CHECKS_PATH`` dir holding it, or None.

    Lets tests (and other courses) keep hidden checks outside ``autograder/checks``;
    the variable crosses into the fresh artifact-checker processes as well.
    """
    for directory in filter(None, os.environ.get(CHECKS_PATH_ENV, "").split(os.pathsep)):
        path = Path(directory) / f"{assignment}.py"
        if not path.is_file():
            continue
        name = f"_course_checks_{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]}"
        if name not in sys.modules:
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            sys.modules[name] = module
        return sys.modules[name]
    return None


def load_checks(assignment: str) -> list[Check]:
    """Return ``CHECKS`` of ``autograder/checks/<assignment>.py`` ([] when there is none).

    When the package has no such module, ``<assignment>.py`` is looked up in the
    directories of ``COURSE_CHECKS_PATH`` (``os.pathsep``-separated).
    """
    try:
        module = importlib.import_module(f"autograder.checks.{assignment}")
    except ModuleNotFoundError as exc:
        if exc.name != f"autograder.checks.{assignment}":
            raise
        module = _module_from_checks_path(assignment)
        if module is None:
            return []
    checks = list(module.CHECKS)
    ids = [c.id for c in checks]
    if len(ids) != len(set(ids)):
        raise ValueError(f"duplicate check ids in autograder/checks/{assignment}.py: {ids}")
    return checks


def get_check(assignment: str, check_id: str) -> Check:
    """Find one check by id, with a clear error naming the ones that exist."""
    for check in load_checks(assignment):
        if check.id == check_id:
            return check
    known = ", ".join(c.id for c in load_checks(assignment)) or "none"
    raise KeyError(f"{assignment} has no hidden check {check_id!r} (known: {known}).")


def case_seed(assignment: str, check_id: str, secret: str | None = None) -> int:
    """A per-check seed; ``COURSE_JUDGE_SECRET`` makes hidden cases unguessable per term."""
    secret = secret if secret is not None else os.environ.get("COURSE_JUDGE_SECRET", "")
    digest = hashlib.sha256(f"{secret}/{assignment}/{check_id}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def make_cases(assignment: str, check: FunctionCheck) -> Cases:
    """The hidden cases of ``check``, generated in the grader."""
    return check.make_cases(np.random.default_rng(case_seed(assignment, check.id)))


def judge_function_outputs(assignment: str, check: FunctionCheck, outputs_file: Path) -> Verdict:
    """Judge what the sandbox wrote for ``check`` (a missing file means never submitted)."""
    if not outputs_file.exists():
        return Verdict(False, f"{check.id}: the function was never handed to the grader "
                              "(the cell that defines or tests it did not run).")
    try:
        with np.load(outputs_file, allow_pickle=False) as flat:
            results = notebook_judge.decode_results(flat)
    except Exception as exc:  # noqa: BLE001 - anything unreadable is the submission's fault
        return Verdict(False, f"{check.id}: the results could not be read ({type(exc).__name__}).")
    cases = make_cases(assignment, check)
    if len(results) != len(cases):
        return Verdict(False, f"{check.id}: expected {len(cases)} results, got {len(results)}.")
    return _safe_judge(check, cases, results)


# Exception types named in feedback. The student's error text (``CaseResult.error``) is
# never shown: their code ran on the hidden inputs and can put those values, or anything
# else, in the message and even in a class name made at run time. Only a known type's
# name, and what the grader itself knows about the case (argument shapes), are shown.
_LIBRARY_ERRORS = frozenset({"LinAlgError", "AxisError", "InvalidArgumentError", "ResourceExhaustedError",
                             "UnimplementedError", "FailedPreconditionError", "OutOfRangeError"})


def _error_type(error: str) -> str:
    """The exception type of ``"pkg.Type: message"`` if it is a built-in or known library one."""
    import builtins

    name = error.split(":", 1)[0].strip().rsplit(".", 1)[-1]
    known = getattr(builtins, name, None)
    if (isinstance(known, type) and issubclass(known, BaseException)) or name in _LIBRARY_ERRORS:
        return name
    return "an exception"


def _describe_case(case: dict[str, Any]) -> str:
    """Argument shapes of a hidden case (grader's knowledge; shapes are not secret, values are)."""
    parts = [f"{name} of shape {tuple(np.shape(value))}" for name, value in case.items() if np.ndim(value) > 0]
    return ", ".join(parts) if parts else "scalar arguments only"


_TENSORFLOW_HINT = (" A NotImplementedError that is not your own usually comes from TensorFlow: a NumPy "
                    "function called on a symbolic tensor (inside `tf.function` or a Keras layer) cannot "
                    "run; use `tf.` or `keras.ops` functions there.")


def _safe_judge(check: FunctionCheck, cases: Cases, results: list[CaseResult]) -> Verdict:
    failed = [i for i, r in enumerate(results) if r.error is not None]
    if failed:
        first = results[failed[0]]
        if first.not_attempted:  # the template's own `raise NotImplementedError()` ran
            return Verdict(False, f"{check.id}: not attempted yet (your function's own "
                                  "`raise NotImplementedError()` ran): replace it with your code.")
        kind = _error_type(first.error or "")
        hint = _TENSORFLOW_HINT if kind == "NotImplementedError" else ""
        return Verdict(False, f"{check.id}: your function raised {kind} "
                              f"on {len(failed)} of {len(results)} hidden inputs (the first: "
                              f"{_describe_case(cases[failed[0]])}). Its message is not shown, since it could "
                              f"carry hidden values: run your function on inputs of those shapes to see it.{hint}")
    try:
        return check.judge(cases, results)
    except Exception as exc:  # noqa: BLE001 - e.g. an output of the wrong shape
        # Only the type, and only the ranks of what was returned: the text of an error raised while
        # comparing may quote reference values, and a returned shape's dimensions can carry hidden
        # values (issue 28); its rank carries at most a few bits, shown capped.
        outputs = (results[0].outputs or ()) if results else ()
        ranks = ", ".join(str(min(np.ndim(o), 9)) for o in outputs[:9]) or "none"
        count = str(len(outputs)) if len(outputs) <= 9 else "more than 9"
        return Verdict(False, f"{check.id}: the output could not be compared with the reference "
                              f"({type(exc).__name__}); on the first hidden input your function returned "
                              f"{count} value(s) of rank(s) {ranks}: check the number, "
                              "shapes and types of what it returns.")


def run_function_check_inline(assignment: str, check_id: str, fn: Callable[..., Any]) -> Verdict:
    """Call ``fn`` on the hidden cases in *this* process and judge at once (tests, tools).

    It is measured as the grader's harness measures it (seconds, dtypes, line
    events: ``function_harness.run_cases``) and its results go through the same
    encoding, but not isolated: notebooks use ``judge.submit``, which is.
    """
    check = get_check(assignment, check_id)
    if not isinstance(check, FunctionCheck):
        raise TypeError(f"{check_id} is an artifact check; use judge.submit_artifact().")
    cases = make_cases(assignment, check)
    measured = function_harness.run_cases(fn, cases, count_lines=check.counts_lines)
    problem = function_harness.refusal(measured)
    if problem is not None:
        return Verdict(False, f"{check.id}: {problem}")
    flat = notebook_judge.encode_results(measured)
    results = notebook_judge.decode_results({k: np.asarray(v) for k, v in flat.items()})
    return _safe_judge(check, cases, results)


def judge_artifact(assignment: str, check_id: str, notebook_dir: Path, profile: str) -> Verdict:
    """Run one artifact check in *this* process (call it only in a clean one)."""
    check = get_check(assignment, check_id)
    if not isinstance(check, ArtifactCheck):
        raise TypeError(f"{check_id} is not an artifact check.")
    path = Path(notebook_dir) / check.path
    if not path.exists():
        return Verdict(False, f"{check.id}: {check.path} is missing; run the cell that saves it "
                              "and submit the file with your notebook.")
    try:
        return check.judge(path, profile)
    except Exception as exc:  # noqa: BLE001 - a broken file is the submission's fault
        return Verdict(False, f"{check.id}: {check.path} could not be checked "
                              f"({type(exc).__name__}: {str(exc)[:200]}).")


def run_artifact_check_inline(assignment: str, check_id: str, notebook_dir: Path,
                              timeout: float = 600.0) -> Verdict:
    """Instructor mode: run an artifact check in a fresh Python process."""
    from course_utils.runtime import profile

    command = [sys.executable, "-m", "autograder.verdicts.judging", assignment, check_id,
               str(Path(notebook_dir).resolve()), profile()]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    if done.returncode != 0:
        return Verdict(False, f"{check_id}: the checker process failed: {done.stderr.strip()[-300:]}")
    return Verdict.from_json(json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.verdicts.judging ASSIGNMENT CHECK[,CHECK…] NOTEBOOK_DIR PROFILE`` -> JSON verdicts.

    Several checks (comma-separated) share one process (TensorFlow and the evaluation data load
    once), Keras's state cleared between them; each verdict is sent as soon as it is known. Under
    the grader they go over its pipe (:func:`_verdict_channel`), one signed line per check.
    Otherwise, on standard output: one check, its verdict as one JSON line; several, one line
    ``{"check": id, "verdict": …}`` each.
    """
    assignment, check_ids, notebook_dir, profile = (argv or sys.argv[1:])[:4]
    channel = _verdict_channel()  # settled before any check module or student file is loaded
    # Under ``python -m`` this file runs as ``__main__``, while check modules import
    # ``autograder.verdicts.judging``: use that module, so isinstance(check, ArtifactCheck) holds.
    from autograder.verdicts import judging

    ids = check_ids.split(",")
    for check_id in ids:
        verdict = judging.judge_artifact(assignment, check_id, Path(notebook_dir), profile)
        line = {"check": check_id, "verdict": verdict.to_json()}
        if channel is not None:
            channel(line)
        else:
            print(json.dumps(line if len(ids) > 1 else verdict.to_json()), flush=True)
        if len(ids) > 1:
            _forget_models()
    return 0


def _verdict_channel() -> Callable[[dict[str, Any]], None] | None:
    """The grader's verdict pipe, when it handed one over (``COURSE_VERDICT_FD``), else None.

    Standard output decides nothing under the grader: a model's code may print there. The pipe
    is made non-inheritable (no child process holds it) and every line carries the run's token,
    read here from standard input before anything is loaded (standard input is then closed),
    so a line written by other code, even to every descriptor the process holds, is not taken.
    """
    number = os.environ.pop(VERDICT_FD_ENV, "")
    if not number:
        return None
    token = sys.stdin.readline().strip()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    descriptor = int(number)
    os.set_inheritable(descriptor, False)

    def send(line: dict[str, Any]) -> None:
        os.write(descriptor, (json.dumps({"token": token, **line}) + "\n").encode())

    return send


def _forget_models() -> None:
    """Free what one artifact check loaded before the next (Keras's global state, Python's cycles)."""
    import gc

    keras = sys.modules.get("keras")
    if keras is not None:
        keras.backend.clear_session()
    gc.collect()


if __name__ == "__main__":
    sys.exit(main())
