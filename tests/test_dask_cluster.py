"""`course grade --scheduler tcp://…` on a real Dask cluster: `dask scheduler` and `dask worker
--nworkers 2 --nthreads 1` started as separate processes on loopback, as a university's IT would.

No shared file system is used: every job carries its submission as bytes, and the grade function
records the folder it was handed, which must be the worker's private copy, never the class folder.

Cost on the 2-core CI machine: the 200-submission and the worker-kill tests use a cheap real
grade function (it reads the score a submission "deserves" from its files, as tests/test_grading.py's
stand-in does, and logs each execution); one slow test grades two real 00_setup notebooks through
the cluster and through the local pool and asks for identical grades.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from autograder.records import gradebook_queries
from autograder.grading import grade_class as grading, shipping
from autograder.grading.loopback_cluster import LoopbackCluster
from autograder.records.results import ItemResult, Outcome, SubmissionResult
from fake_course import make_course

pytestmark = pytest.mark.xdist_group("dask_cluster")  # one cluster per module: its tests on one xdist worker
REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "00_demo"


def logged_grade(assignment: str, submission_dir: Path, *, student: str, course_root: Path, work_dir: Path,
                 log: str, seconds: float = 0.0) -> SubmissionResult:
    """A cheap real grade function: the score is in the submission's scores.json; each execution
    appends a start and an end line (student, pid, folder) to ``log``."""
    def write(event: str) -> None:
        with open(log, "a", encoding="utf-8") as stream:
            stream.write(json.dumps([event, student, os.getpid(), str(submission_dir)]) + "\n")

    write("start")
    own = Path(submission_dir) / "seconds.txt"  # a student's own duration, where one is set
    time.sleep(float(own.read_text()) if own.exists() else seconds)
    add, mul = json.loads((Path(submission_dir) / "scores.json").read_text())
    result = SubmissionResult(student=student, assignment=assignment, outcome=Outcome.GRADED, profile="smoke",
                              tests=[ItemResult("test_add", 2.0, add, "add"), ItemResult("test_mul", 3.0, mul, "mul")])
    write("end")
    return result


def read_log(path: Path) -> list[list]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def make_class(folder: Path, count: int) -> dict[str, float]:
    """``count`` students, each with a scores.json and a data file; returns student -> expected total."""
    expected = {}
    for index in range(count):
        student = f"s{index:03d}"
        add, mul = index % 3 * 1.0, index % 4 * 0.75
        (folder / student / "data").mkdir(parents=True)
        (folder / student / "scores.json").write_text(json.dumps([add, mul]))
        (folder / student / "data" / "weights.bin").write_bytes(os.urandom(2048))
        expected[student] = add + mul
    return expected


@pytest.fixture(scope="module")
def cluster():
    folder = Path(tempfile.mkdtemp(prefix="course-dask-test-"))
    with LoopbackCluster(folder, workers=2, import_path=(REPO / "tests",)) as started:
        yield started


def grade(course: Path, submissions: Path, cluster: LoopbackCluster, log: Path, seconds: float = 0.0, **kwargs):
    return grading.grade_class(ASSIGNMENT, submissions, root=course, out_dir=course / "out", workers=2,
                               scheduler=cluster.address, grade_fn=logged_grade, progress=False,
                               options={"log": str(log), "seconds": seconds}, **kwargs)


def test_200_submissions_are_each_graded_exactly_once_with_no_shared_folder(cluster: LoopbackCluster, tmp_path: Path) -> None:
    """200 students through scheduler + 2 worker processes: 200 rows equal to the expected ones,
    one finished execution each, every one on a worker's private copy of the folder."""
    course, log = make_course(tmp_path / "course"), tmp_path / "executions.log"
    expected = make_class(tmp_path / "class", 200)
    started = time.monotonic()
    graded = grade(course, tmp_path / "class", cluster, log)
    seconds = time.monotonic() - started
    rows = {row.student: row.score for row in gradebook_queries.student_rows(graded.db_url, ASSIGNMENT)}
    assert rows == pytest.approx(expected) and len(rows) == 200
    assert gradebook_queries.consistency_problems(graded.db_url, ASSIGNMENT) == []
    events = read_log(log)
    ends = [student for event, student, _, _ in events if event == "end"]
    assert sorted(ends) == sorted(expected)            # each exactly once
    folders = {folder for _, _, _, folder in events}
    assert not any(folder.startswith(str(tmp_path)) for folder in folders)   # never the class folder
    assert {pid for _, _, pid, _ in events} <= cluster.worker_pids() and len({p for _, _, p, _ in events}) == 2
    print(f"200 submissions through the cluster in {seconds:.1f} s")


def test_a_worker_killed_mid_run_loses_nothing_and_grades_nothing_twice(cluster: LoopbackCluster, tmp_path: Path) -> None:
    """SIGKILL a worker while it grades: its submission is run again elsewhere, every student ends
    with one correct row and one finished execution, and the killed execution never finished."""
    course, log = make_course(tmp_path / "course"), tmp_path / "executions.log"
    expected = make_class(tmp_path / "class", 16)
    for index, student in enumerate(sorted(expected)):  # 1 s and 3 s in turn: when the first 1 s job
        (tmp_path / "class" / student / "seconds.txt").write_text(str(1 + 2 * (index % 2)))  # ends, a 3 s one runs
    killed: list[tuple[str, int]] = []

    def kill_one(result: SubmissionResult) -> None:
        if killed:
            return
        running, just_finished = {}, set()
        for event, student, pid, _ in read_log(log):
            running[(student, pid)] = event
            if event == "end" and student == result.student:
                just_finished.add(pid)
        # Not the worker that produced this result: Dask learns that the result was taken a moment
        # later (the release is a message), and a worker lost before that runs the job again
        # (at-least-once execution; the second result is discarded, see autograder.grading.cluster).
        victims = [key for key, event in running.items() if event == "start" and key[1] not in just_finished]
        if victims:
            killed.append(victims[0])
            os.kill(victims[0][1], signal.SIGKILL)

    graded = grade(course, tmp_path / "class", cluster, log, on_result=kill_one)
    assert killed, "no worker was running a submission when the first result came back"
    rows = {row.student: (row.score, row.outcome) for row in gradebook_queries.student_rows(graded.db_url, ASSIGNMENT)}
    assert rows == {student: (pytest.approx(score), "graded") for student, score in expected.items()}
    events = read_log(log)
    ends = [(student, pid) for event, student, pid, _ in events if event == "end"]
    assert sorted(s for s, _ in ends) == sorted(expected)  # none lost, none twice
    student, pid = killed[0]
    assert [p for s, p in ends if s == student] != [pid]  # finished by another worker process
    assert sum(1 for event, s, _, _ in events if event == "start" and s == student) == 2


def test_a_folder_over_the_size_bound_gets_a_zero_with_its_reason(cluster: LoopbackCluster, tmp_path: Path,
                                                                 monkeypatch) -> None:
    """Is an over-large folder refused on the same terms by the cluster and the local pool?"""
    monkeypatch.setenv(shipping.MAX_SIZE_ENV, "0.001")  # 1 KiB: the 2 KiB data file is over it
    course, log = make_course(tmp_path / "course"), tmp_path / "executions.log"
    make_class(tmp_path / "class", 1)
    graded = grade(course, tmp_path / "class", cluster, log)
    (result,) = graded.results
    assert result.outcome is Outcome.INVALID_NOTEBOOK and "over the 0 MiB a grading job carries" in result.reason
    assert read_log(log) == []
    local = grading.grade_class(ASSIGNMENT, tmp_path / "class", root=course, out_dir=tmp_path / "local",
                                grade_fn=logged_grade, progress=False, options={"log": str(log)})
    assert [(r.outcome, r.reason) for r in local.results] == [(result.outcome, result.reason)]


@pytest.mark.slow
def test_real_notebooks_get_the_same_grades_on_the_cluster_as_in_the_local_pool(cluster: LoopbackCluster,
                                                                                 tmp_path: Path) -> None:
    """Two real 00_setup submissions (the solution, a buggy one): identical grades both ways."""
    from cohort import skip_without_data

    from autograder.demo import class_demo as demo
    from autograder.submission import grade as submission

    skip_without_data()
    ref = submission.reference("00_setup", REPO)
    ctx = demo.Context("00_setup", ref.released, ref.source, REPO, tmp_path / "unused.db")
    for kind in (s for s in demo.CLASS if s.name in ("solution", "buggy")):
        (tmp_path / "class" / kind.name).mkdir(parents=True)
        nbformat.write(kind.build(ctx), str(tmp_path / "class" / kind.name / "00_setup.ipynb"))

    def graded(scheduler: str, out: str) -> dict:
        run = grading.grade_class("00_setup", tmp_path / "class", root=REPO, out_dir=tmp_path / out, workers=2,
                                  scheduler=scheduler, progress=False)
        return {r.student: (r.outcome, r.score, r.max_score, r.reason, [(t.id, t.score, t.message) for t in r.tests])
                for r in run.results}

    on_cluster, local = graded(cluster.address, "dask"), graded("local", "local")
    assert on_cluster == local
    outcome, score, max_score = on_cluster["solution"][:3]
    assert outcome is Outcome.GRADED and score == max_score > on_cluster["buggy"][1]
