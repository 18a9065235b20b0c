"""Attacks on what the grader itself decides and holds, through the real grading path.

- **The grade cell decides what is judged**: a student who hands a right function over by
  hand (``judge.submit`` in an answer cell) and then fails the grade cell's visible assert
  must not be judged on it; nor when an output flood first pushed the grade cell's error
  output past the output bound (the cell's execute reply still says it raised).
- **A bounded grader**: widget (``comm_msg``) state and ``update_display_data`` floods count
  against the output bound like any output; the grading process's peak memory stays near an
  honest run's, and the cut output is said in the result. The grading worker runs under a data
  bound of its own (``jobs.WORKER_MEMORY_BYTES``): a flood graded in a real pool worker peaks
  under it, and a job that needs more ends as that student's grader error, the worker unharmed.

The fixture assignment (tests/fixtures/fixture_course, no TensorFlow) keeps each grading to
seconds. Peak memory is the grading process's own (``VmHWM``, reset through
``/proc/self/clear_refs`` before each grading): the kernel runs in another process.
"""

from __future__ import annotations

import json
import re
import resource
from pathlib import Path

import nbformat
import pytest

from autograder.grading import jobs, scheduler
from autograder.submission import grade as submission
from autograder.records.results import Outcome, SubmissionResult
from autograder.isolation.sandbox import Limits

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "fixture_course"
ASSIGNMENT = "99_fixture"
LIMITS = Limits(wall_seconds=120, cell_seconds=60, memory_bytes=2 * 1024**3, output_bytes=200_000)
CORRECT = {
    "add_one_answer": 'def add_one(x):\n    """Return x + 1."""\n    return np.asarray(x, dtype=float) + 1.0',
    "scale_answer": 'def scale(x, factor):\n    """Return x * factor."""\n    return np.asarray(x) * factor',
    "weights_answer": 'np.savez("weights.npz", w=np.arange(3.0))',
}
# A right function handed over by hand, then a wrong one left for the grade cell to check.
SELF_SUBMIT = {
    "add_one_answer": CORRECT["add_one_answer"] + '\njudge.submit("99_fixture", "add_one", lambda x: add_one(x))\n'
                                                  'def add_one(x):\n    return np.asarray(x, dtype=float)',
    # the same, after 300 kB of output: the grade cell's error output is past the bound and dropped
    "scale_answer": CORRECT["scale_answer"]
    + '\njudge.submit("99_fixture", "scale", lambda x, factor: scale(x, factor))\n'
      'def scale(x, factor):\n    return np.asarray(x)\n'
      'for _ in range(3):\n    print("x" * 100_000)',
}
FLOOD_MIB = 24  # of widget state, and as many of display updates: tens of MiB, a few seconds
FLOOD = f"""
from IPython.display import display, update_display
kernel = get_ipython().kernel
parent = kernel.get_parent("shell")
for i in range({FLOOD_MIB * 4}):
    kernel.session.send(kernel.iopub_socket, "comm_msg",
                        {{"comm_id": f"w{{i}}", "data": {{"state": {{f"v{{i}}": "x" * 2**18}}}}}}, parent=parent)
display("start", display_id="d")
for i in range({FLOOD_MIB * 4}):
    update_display({{"text/plain": str(i) + "y" * 2**18}}, raw=True, display_id="d")
"""
GROWTH_BOUND = 16 * 2**20  # the flood sends 48 MiB; an honest run's own peak is the baseline


@pytest.fixture(autouse=True, scope="module")
def fixture_course():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_CHECKS_PATH", str(FIXTURE / "checks"))
        patch.setenv("COURSE_PROFILE", "smoke")
        yield


def make_submission(folder: Path, answers: dict[str, str]) -> Path:
    nb = nbformat.from_dict(json.loads(json.dumps(submission.reference(ASSIGNMENT, FIXTURE).released)))
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    folder.mkdir(parents=True)
    nbformat.write(nb, str(folder / f"{ASSIGNMENT}.ipynb"))
    return folder


def grade(folder: Path, tmp_path: Path):
    return submission.grade_submission(ASSIGNMENT, folder, student=folder.name, course_root=FIXTURE,
                                       work_dir=tmp_path / f"out-{folder.name}", limits=LIMITS)


def scores(result) -> dict[str, float]:
    return {t.id: t.score for t in result.tests}


def test_a_function_handed_over_by_hand_past_a_failing_grade_cell_earns_nothing(tmp_path: Path) -> None:
    """Both self-submitted checks score 0 ('visible checks failed'), the honest artifact beside
    them keeps its point, and an honest control graded the same way gets full marks? (Before the
    rule, the hand-overs were judged: 1 + 2 points gained.)"""
    attack = grade(make_submission(tmp_path / "self_submit", {**CORRECT, **SELF_SUBMIT}), tmp_path)
    assert attack.outcome is Outcome.GRADED, attack.reason
    assert scores(attack) == {"test_add_one": 0.0, "test_scale": 0.0, "test_weights": 1.0}
    by_id = {t.id: t.message for t in attack.tests}
    for check in ("add_one", "scale"):
        assert "visible checks of this test failed" in by_id[f"test_{check}"], by_id
    assert "AssertionError" in by_id["test_scale"]  # from the execute reply: its error output was cut
    assert any("output was dropped" in note for note in attack.notes)
    control = grade(make_submission(tmp_path / "control", CORRECT), tmp_path)
    assert control.outcome is Outcome.GRADED and control.score == control.max_score == 4.0


def _reset_peak() -> bool:
    """Reset this process's peak resident memory (VmHWM) to its current size; False where it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak() -> int:
    return int(re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text()).group(1)) * 1024


def _graded_with_peak(folder: Path, tmp_path: Path):
    """The result of grading ``folder`` here, and this (grading) process's peak memory meanwhile."""
    if not _reset_peak():
        pytest.skip("the peak memory cannot be reset here (/proc/self/clear_refs)")
    result = grade(folder, tmp_path)
    return result, _peak()


def test_widget_and_display_update_floods_cost_the_grader_no_memory(tmp_path: Path) -> None:
    """48 MiB of widget state and display updates: is the grader's peak within 16 MiB of an
    honest run's, the notebook still graded in full, and the cut output said?"""
    control, honest_peak = _graded_with_peak(make_submission(tmp_path / "honest", CORRECT), tmp_path)
    flooded = dict(CORRECT, weights_answer=CORRECT["weights_answer"] + "\n" + FLOOD)
    result, flood_peak = _graded_with_peak(make_submission(tmp_path / "flood", flooded), tmp_path)
    assert control.outcome is Outcome.GRADED and control.score == 4.0, control.reason
    assert result.outcome is Outcome.GRADED and result.score == 4.0, result.reason
    assert flood_peak - honest_peak < GROWTH_BOUND, (flood_peak / 2**20, honest_peak / 2**20)
    assert any("widget messages" in note and "output was dropped" in note for note in result.notes)
    executed = Path(result.executed_notebook)
    assert executed.stat().st_size < 2 * LIMITS.output_bytes
    assert "widgets" not in nbformat.read(executed, as_version=4).metadata


def _graded_in_worker(assignment: str, folder: Path, **kwargs):
    """``grade_submission`` in a grading worker, the worker's data bound and peak memory in its notes."""
    if not _reset_peak():
        raise RuntimeError("the peak memory cannot be reset here (/proc/self/clear_refs)")
    result = submission.grade_submission(assignment, folder, **kwargs)
    result.notes.append(f"worker data bound {resource.getrlimit(resource.RLIMIT_DATA)[0]}, peak {_peak()}")
    return result


def _needs_more_than_the_worker_bound(assignment: str, folder: Path, **kwargs):
    """Ask for more memory than a grading worker may hold (untouched pages: no real memory without the bound)."""
    held = bytearray(jobs.WORKER_MEMORY_BYTES + 2**28)
    raise AssertionError(f"{len(held)} bytes allocated past the grading worker's bound")


def test_a_flood_graded_in_a_worker_stays_under_the_workers_own_bound(tmp_path: Path) -> None:
    """In one pool worker: does a job needing more than the worker's bound end as that student's
    grader error with a plain reason, and do the flood and the honest control graded after it, in
    the same worker, get full marks with the worker's peak under its bound?"""
    if not _reset_peak():
        pytest.skip("the peak memory cannot be reset here (/proc/self/clear_refs)")
    flooded = dict(CORRECT, weights_answer=CORRECT["weights_answer"] + "\n" + FLOOD)
    folders = {"greedy": make_submission(tmp_path / "greedy", CORRECT),
               "flood": make_submission(tmp_path / "flood", flooded),
               "honest": make_submission(tmp_path / "honest", CORRECT)}
    to_grade = [jobs.GradeJob(ASSIGNMENT, name, str(folder), str(FIXTURE), options={"limits": LIMITS},
                              grade_fn=_needs_more_than_the_worker_bound if name == "greedy" else _graded_in_worker)
                for name, folder in folders.items()]
    results = {job.student: SubmissionResult.from_json(payload.result_json) for job, payload in
               scheduler.run_jobs(jobs.grade_job, to_grade, workers=1, on_error=lambda job, exc: pytest.fail(
                   f"{job.student}: the worker failed ({exc!r})"))}
    greedy = results["greedy"]
    assert greedy.outcome is Outcome.GRADER_ERROR and "grading worker's own bound" in greedy.reason, greedy.reason
    for name in ("flood", "honest"):
        result = results[name]
        assert result.outcome is Outcome.GRADED and result.score == 4.0, (name, result.reason)
        bound, peak = map(int, re.search(r"worker data bound (\d+), peak (\d+)", " ".join(result.notes)).groups())
        assert bound == jobs.WORKER_MEMORY_BYTES and peak < bound, (name, bound, peak / 2**20)


def _graded_with_worker_settings(assignment: str, folder: Path, **kwargs):
    """``grade_submission`` in a grading worker, with the worker's own TensorFlow settings in its notes."""
    import os

    result = submission.grade_submission(assignment, folder, **kwargs)
    names = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "CUDA_VISIBLE_DEVICES")
    result.notes.append(json.dumps({"data_bound": resource.getrlimit(resource.RLIMIT_DATA)[0],
                                    **{name: os.environ.get(name) for name in names}}))
    return result


def test_a_grading_worker_caps_its_own_tensorflow(tmp_path: Path) -> None:
    """A worker measures served models' answers with TensorFlow (weeks 2, 5, 6), whose thread stacks
    count against the worker's data bound and grow with the cores (64 threads each way: VmData 1.47 GiB
    instead of 0.42 with 2, measured): does a pool worker grade under its data bound with TensorFlow
    capped to a few threads and kept off the GPU, and does the TA's own process stay untouched?"""
    import os

    before = {name: os.environ.get(name) for name in ("TF_NUM_INTRAOP_THREADS", "CUDA_VISIBLE_DEVICES")}
    folder = make_submission(tmp_path / "honest", CORRECT)
    job = jobs.GradeJob(ASSIGNMENT, "honest", str(folder), str(FIXTURE), options={"limits": LIMITS},
                        grade_fn=_graded_with_worker_settings)
    (payload,) = [payload for _, payload in scheduler.run_jobs(
        jobs.grade_job, [job], workers=1, on_error=lambda job, exc: pytest.fail(f"the worker failed ({exc!r})"))]
    result = SubmissionResult.from_json(payload.result_json)
    assert result.outcome is Outcome.GRADED and result.score == 4.0, result.reason
    settings = json.loads(result.notes[-1])
    assert settings == {"data_bound": jobs.WORKER_MEMORY_BYTES, "TF_NUM_INTRAOP_THREADS": jobs.WORKER_TF_THREADS,
                        "TF_NUM_INTEROP_THREADS": jobs.WORKER_TF_THREADS, "CUDA_VISIBLE_DEVICES": "-1"}
    assert {name: os.environ.get(name) for name in before} == before
