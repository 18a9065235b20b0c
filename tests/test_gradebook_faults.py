"""The gradebook on a real PostgreSQL server that goes away: stopped with pg_ctl in the middle of a
`course grade` run and started again (a brief outage is waited out, a long one stops the run with
nothing half-written and a rerun finishes), and two TAs writing different assignments at once."""

from __future__ import annotations

import glob
import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from autograder.records import db_retry, gradebook, gradebook_queries
from autograder.grading import grade_class as grading
from autograder.records.gradebook import GradebookWriter, GradedCell
from autograder.records.results import ItemResult, Outcome, SubmissionResult
from fake_course import make_course

ASSIGNMENT = "00_demo"


class Postgres:
    """A throw-away PostgreSQL server on a unix socket (Debian's binaries; as nobody when root)."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            pytest.skip("PostgreSQL binaries are not installed (bash .ci/system-deps.sh installs them)")
        self.bin = Path(found[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="course-pg-faults-"))
        self.data, self.sockets = self.root / "pgdata", self.root / "sock"
        self.sockets.mkdir()
        self.demote: dict = {}
        if os.geteuid() == 0:  # postgres refuses to run as root
            import pwd

            nobody = pwd.getpwnam("nobody")
            for path in (self.root, self.sockets):
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
            self.demote = {"user": nobody.pw_uid, "group": nobody.pw_gid}
        self._run("initdb", "-D", self.data, "-U", "grader", "--auth=trust")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.start()
        self._run("createdb", "-h", self.sockets, "-p", str(self.port), "-U", "grader", "grades")
        self.url = f"postgresql://grader@/grades?host={self.sockets}&port={self.port}&connect_timeout=2"

    def _run(self, program: str, *args) -> None:
        subprocess.run([self.bin / program, *map(str, args)], check=True, capture_output=True, cwd=self.root,
                       timeout=60, **self.demote)

    def start(self) -> None:
        self._run("pg_ctl", "-D", self.data, "-w", "-t", "30", "-l", self.root / "pg.log", "-o",
                  f"-k {self.sockets} -p {self.port} -c listen_addresses=''", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", self.data, "-w", "-t", "30", "-m", "fast", "stop")

    def close(self) -> None:
        subprocess.run([self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "stop"], capture_output=True,
                       cwd=self.root, timeout=60, **self.demote)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture()
def postgres():
    server = Postgres()
    try:
        yield server
    finally:
        server.close()


def slow_grade(assignment: str, submission_dir: Path, *, student: str, course_root: Path,
               work_dir: Path) -> SubmissionResult:
    """Stand-in grader: the score is in scores.json; a little time per student, like a real run."""
    time.sleep(0.05)
    add, mul = json.loads((Path(submission_dir) / "scores.json").read_text())
    return SubmissionResult(student=student, assignment=assignment, outcome=Outcome.GRADED, profile="smoke",
                            tests=[ItemResult("test_add", 2.0, add, "add"), ItemResult("test_mul", 3.0, mul, "mul")])




def make_class(folder: Path, count: int) -> dict[str, float]:
    expected = {}
    for index in range(count):
        student = f"s{index:02d}"
        (folder / student).mkdir(parents=True)
        (folder / student / "scores.json").write_text(json.dumps([index % 3, 1.5]))
        expected[student] = index % 3 + 1.5
    return expected


def grade(tmp_path: Path, url: str, **kwargs):
    return grading.grade_class(ASSIGNMENT, tmp_path / "class", root=tmp_path / "course", out_dir=tmp_path / "out",
                               workers=2, db_url=url, grade_fn=slow_grade, progress=False, **kwargs)


def scores(url: str, assignment: str = ASSIGNMENT) -> dict[str, float]:
    return {row.student: row.score for row in gradebook_queries.student_rows(url, assignment)}


def test_a_brief_outage_mid_run_is_waited_out(postgres: Postgres, tmp_path: Path, monkeypatch) -> None:
    """PostgreSQL stopped for ~3 s after the 5th student: the run completes, every row right."""
    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    monkeypatch.setenv(db_retry.RETRY_ENV, "20")
    make_course(tmp_path / "course")
    expected = make_class(tmp_path / "class", 20)
    done: list[str] = []
    restarted = threading.Event()

    def outage(result: SubmissionResult) -> None:
        done.append(result.student)
        if len(done) == 5:
            postgres.stop()
            threading.Timer(3.0, lambda: (postgres.start(), restarted.set())).start()

    started = time.monotonic()
    graded = grade(tmp_path, postgres.url, on_result=outage)
    assert restarted.wait(30) and time.monotonic() - started >= 3.0
    assert sorted(r.student for r in graded.results) == sorted(expected)
    assert scores(postgres.url) == expected
    assert gradebook_queries.consistency_problems(postgres.url, ASSIGNMENT) == []


def test_a_long_outage_stops_the_run_cleanly_and_a_rerun_finishes(postgres: Postgres, tmp_path: Path,
                                                                  monkeypatch) -> None:
    """PostgreSQL stopped for good after the 5th student: the run stops with a one-line
    GradebookUnavailable, the students written are complete, no other row exists, a rerun
    (server back) grades only the missing ones."""
    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    monkeypatch.setenv(db_retry.RETRY_ENV, "2")
    make_course(tmp_path / "course")
    expected = make_class(tmp_path / "class", 20)
    done: list[str] = []

    def outage(result: SubmissionResult) -> None:
        done.append(result.student)
        if len(done) == 5:
            postgres.stop()

    with pytest.raises(db_retry.GradebookUnavailable) as stopped:
        grade(tmp_path, postgres.url, on_result=outage)
    assert "\n" not in str(stopped.value) and "run the same command again" in str(stopped.value)
    postgres.start()
    kept = scores(postgres.url)
    assert kept == {student: expected[student] for student in done}
    assert gradebook_queries.consistency_problems(postgres.url, ASSIGNMENT) == []
    again = grade(tmp_path, postgres.url)
    assert sorted(again.unchanged) == sorted(done)
    assert scores(postgres.url) == expected
    assert gradebook_queries.consistency_problems(postgres.url, ASSIGNMENT) == []


def _write_assignment(url: str, assignment: str, students: int, ready) -> None:
    cells = [GradedCell(assignment, "test_add", 2.0), GradedCell(assignment, "test_mul", 3.0)]
    ready.wait(30)
    with GradebookWriter(url, assignment, cells) as writer:
        for index in range(students):
            writer.record(SubmissionResult(
                student=f"s{index:03d}", assignment=assignment, outcome=Outcome.GRADED, profile="smoke",
                tests=[ItemResult("test_add", 2.0, 2.0, "ok"), ItemResult("test_mul", 3.0, index % 4 * 0.5, "ok")]))


def test_two_tas_writing_different_assignments_at_once_lose_nothing(postgres: Postgres) -> None:
    """Two processes, one per assignment, the same 60 students, started at the same moment into a
    fresh PostgreSQL gradebook: every row of both is there, and consistent."""
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    writers = [context.Process(target=_write_assignment, args=(postgres.url, name, 60, ready))
               for name in ("01_first", "02_second")]
    for writer in writers:
        writer.start()
    ready.set()
    for writer in writers:
        writer.join(120)
    assert [writer.exitcode for writer in writers] == [0, 0]
    expected = {f"s{index:03d}": 2.0 + index % 4 * 0.5 for index in range(60)}
    for name in ("01_first", "02_second"):
        assert scores(postgres.url, name) == expected
        assert gradebook_queries.consistency_problems(postgres.url, name) == []
