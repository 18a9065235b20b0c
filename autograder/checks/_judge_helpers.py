"""What several weeks' judges share: reading a student's single output array and turning a
problem with it into a failing verdict (weeks 04 and 07)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.verdicts.judging import Cases, Verdict
from course_utils.judge import CaseResult


class OutputProblem(ValueError):
    """A problem with a student's output; the message is meant for the student."""


def single_output(check_id: str, result: CaseResult, shape: tuple[int, ...], what: str) -> np.ndarray:
    """The one returned array, shape- and finiteness-checked; raises OutputProblem for the student."""
    if result.outputs is None or len(result.outputs) != 1:
        raise OutputProblem(f"{check_id}: return one array, {what}.")
    output = result.outputs[0]
    if output.shape != shape:
        raise OutputProblem(f"{check_id}: on a hidden input your function returned shape {output.shape}; "
                            f"expected {shape}, {what}.")
    if not np.all(np.isfinite(output)):
        raise OutputProblem(f"{check_id}: the output contains NaN or infinite values.")
    return output


def reporting_problems(check_id: str, judge: Any) -> Any:
    """Wrap a judge so that an OutputProblem becomes a failing Verdict."""
    def run(cases: Cases, results: list[CaseResult]) -> Verdict:
        try:
            return judge(cases, results)
        except OutputProblem as problem:
            return Verdict(False, str(problem))
    return run
