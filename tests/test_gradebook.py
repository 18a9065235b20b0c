"""Questions about the class gradebook (nbgrader's tables + course_outcome)."""

from __future__ import annotations

import glob
import io
import os
import socket
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from autograder.records import gradebook, gradebook_queries
from autograder.records.gradebook import GradebookWriter, GradedCell
from autograder.records.results import ItemResult, Outcome, SubmissionResult

CELLS = [GradedCell("00_demo", "test_add", 2.0), GradedCell("00_demo", "test_mul", 3.0)]


def result(student: str, add: float = 2.0, mul: float = 3.0, outcome: Outcome = Outcome.GRADED,
           reason: str = "") -> SubmissionResult:
    return SubmissionResult(student=student, assignment="00_demo", outcome=outcome, reason=reason,
                            tests=[ItemResult("test_add", 2.0, add, "add ok"),
                                   ItemResult("test_mul", 3.0, mul, "mul wrong")], profile="smoke")


def count_rows(url: str) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(gradebook.normalize_url(url))
    with engine.connect() as connection:
        counts = {table: connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                  for table in ("student", "submitted_assignment", "submitted_notebook", "grade",
                                "grade_cells", gradebook.OUTCOME_TABLE)}
    engine.dispose()
    return counts


@pytest.fixture()
def url(tmp_path: Path) -> str:
    return gradebook.default_url(tmp_path)


def test_recorded_scores_are_what_nbgrader_reads(url: str) -> None:
    """Do the judged item scores land in nbgrader's Grade rows, with the outcome beside them?"""
    with GradebookWriter(url, "00_demo", CELLS) as writer:
        writer.record(result("alice", 2.0, 1.5))
        writer.record(result("bob", 0.0, 0.0, outcome=Outcome.TIMEOUT, reason="cell 3 ran over 20 s"))
        writer.record(result("carol", 2.0, 0.0, outcome=Outcome.TIMEOUT, reason="cell 5 ran over 20 s"))
    rows = {row.student: row for row in gradebook_queries.student_rows(url, "00_demo")}
    assert rows["carol"].score == 2.0 and rows["carol"].outcome == "timeout"  # a timeout keeps what ran before it
    assert rows["alice"].score == 3.5 and rows["alice"].max_score == 5.0
    assert rows["alice"].cells == {"test_add": 2.0, "test_mul": 1.5}
    assert rows["bob"].score == 0.0 and rows["bob"].outcome == "timeout"
    assert rows["bob"].reason == "cell 3 ran over 20 s"
    assert gradebook_queries.consistency_problems(url, "00_demo") == []
    stored = {r.student: r for r in gradebook_queries.load_results(url, "00_demo")}
    assert stored["alice"].tests[1].message == "mul wrong"


def test_a_non_graded_outcome_zeroes_every_cell(url: str) -> None:
    """Can a crashed submission keep points its (lying) items claim? It must not."""
    with GradebookWriter(url, "00_demo", CELLS) as writer:
        writer.record(result("mallory", 2.0, 3.0, outcome=Outcome.KERNEL_DIED, reason="kernel died"))
    (row,) = gradebook_queries.student_rows(url, "00_demo")
    assert row.score == 0.0 and set(row.cells.values()) == {0.0}


def test_scores_are_clamped_to_the_cell_points(url: str) -> None:
    """Can an item report more than its points? The gradebook caps it."""
    with GradebookWriter(url, "00_demo", CELLS) as writer:
        writer.record(result("eve", add=50.0, mul=-4.0))
    (row,) = gradebook_queries.student_rows(url, "00_demo")
    assert row.cells == {"test_add": 2.0, "test_mul": 0.0}
    assert gradebook_queries.consistency_problems(url, "00_demo") == []


def test_regrading_is_idempotent(url: str) -> None:
    """Does grading the same class twice, or one student again, leave the same rows?"""
    with GradebookWriter(url, "00_demo", CELLS) as writer:
        writer.record(result("alice", 2.0, 0.0))
        writer.record(result("bob", 0.0, 0.0))
    first = count_rows(url)
    with GradebookWriter(url, "00_demo", CELLS) as writer:
        writer.record(result("alice", 2.0, 3.0))
        writer.record(result("bob", 0.0, 0.0))
        writer.record(result("alice", 2.0, 3.0))
    assert count_rows(url) == first
    assert first["grade"] == 4 and first[gradebook.OUTCOME_TABLE] == 2
    assert {r.student: r.score for r in gradebook_queries.student_rows(url, "00_demo")} == {"alice": 5.0, "bob": 0.0}


def test_a_crash_while_writing_leaves_the_previous_grade(url: str, monkeypatch) -> None:
    """If writing one student fails half-way, are that student's old grades intact (no mix)?"""
    with GradebookWriter(url, "00_demo", CELLS) as writer:
        writer.record(result("alice", 2.0, 0.0))
    with GradebookWriter(url, "00_demo", CELLS) as writer:
        def explode(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(writer, "_write_outcome", explode)
        with pytest.raises(RuntimeError):
            writer.record(result("alice", 0.0, 3.0))   # grades flushed, then the crash
        with pytest.raises(RuntimeError):
            writer.record(result("carol", 2.0, 3.0))   # a new student, never half-created
    (row,) = gradebook_queries.student_rows(url, "00_demo")
    assert (row.student, row.cells) == ("alice", {"test_add": 2.0, "test_mul": 0.0})
    assert gradebook_queries.consistency_problems(url, "00_demo") == []


def test_manual_scores_survive_a_regrade(url: str) -> None:
    """Does regrading keep a TA's manual score (nbgrader gives it precedence)?"""
    from nbgrader.api import Gradebook

    with GradebookWriter(url, "00_demo", CELLS) as writer:
        writer.record(result("alice", 2.0, 0.0))
    with Gradebook(url) as nb:
        nb.find_grade("test_mul", "00_demo", "00_demo", "alice").manual_score = 2.5
        nb.db.commit()
    with GradebookWriter(url, "00_demo", CELLS) as writer:
        writer.record(result("alice", 2.0, 0.0))
    (row,) = gradebook_queries.student_rows(url, "00_demo")
    assert row.cells["test_mul"] == 2.5 and row.score == 4.5


def test_csv_export_has_one_row_per_student(url: str) -> None:
    """Does the CSV hold each student's total, outcome, reason and per-test scores?"""
    with GradebookWriter(url, "00_demo", CELLS) as writer:
        writer.record(result("bob", outcome=Outcome.OUT_OF_MEMORY, reason="used more than 2 GB"))
        writer.record(result("alice", 2.0, 1.0))
    stream = io.StringIO()
    assert gradebook_queries.write_csv(url, "00_demo", stream) == 2
    lines = stream.getvalue().splitlines()
    assert lines[0] == ("student,assignment,score,max_score,outcome,reason,profile,graded_at,seconds,peak_memory_mib,"
                        "test_add,test_mul")
    assert lines[1].startswith("alice,00_demo,3,5,graded,,smoke,")
    assert lines[1].endswith(",2,1")
    assert lines[2].startswith("bob,00_demo,0,5,out_of_memory,used more than 2 GB,smoke,")


def test_csv_and_report_carry_time_and_peak_memory(url: str, tmp_path) -> None:
    """Does each row carry the submission's grading time and its peak memory (blank when unknown)?"""
    from dataclasses import replace

    from autograder.pages import report

    with GradebookWriter(url, "00_demo", CELLS) as writer:
        writer.record(replace(result("alice"), seconds=12.34, peak_memory_bytes=512 * 2**20))
        writer.record(result("bob"))
    stream = io.StringIO()
    gradebook_queries.write_csv(url, "00_demo", stream)
    alice, bob = stream.getvalue().splitlines()[1:]
    assert ",12.3,512,2,3" in alice and bob.endswith(",0.0,,2,3")
    page = report.write_report(url, "00_demo", tmp_path / "report").read_text()
    assert '<td data-value="12.34">12 s</td>' in page and "512 MiB" in page


def test_report_gives_quartiles_a_reason_for_every_lost_point_and_a_sortable_table(url: str, tmp_path) -> None:
    from autograder.pages import report

    with GradebookWriter(url, "00_demo", CELLS) as writer:
        for name, add, mul in (("ann", 2.0, 3.0), ("ben", 0.0, 0.0), ("cat", 2.0, 0.0), ("dan", 2.0, 3.0)):
            writer.record(result(name, add, mul))
    page = report.write_report(url, "00_demo", tmp_path / "report").read_text()
    assert "median\n3.5 (quartiles 1.5 and 5)" in page  # totals 5, 0, 2, 5
    assert "test_add: add ok; test_mul: mul wrong" in page  # ben's zero says why
    assert '<table id="students">' in page and "addEventListener(\"click\"" in page and "src=\"http" not in page


def test_postgresql_urls_use_psycopg_3() -> None:
    """Does --db postgresql://... reach the installed driver (psycopg 3, not psycopg2)?"""
    assert gradebook.normalize_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert gradebook.normalize_url("sqlite:///x.db") == "sqlite:///x.db"


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture()
def postgres_url():
    """A real PostgreSQL server on a unix socket in a temp dir (Debian's postgresql)."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL binaries are not installed (bash .ci/system-deps.sh installs them)")
    # Not pytest's tmp_path: it sits in a root-only folder that `nobody` cannot enter.
    root = Path(tempfile.mkdtemp(prefix="course-pg-"))
    data, sockets = root / "pgdata", root / "sock"
    sockets.mkdir()
    demote = {}
    if os.geteuid() == 0:  # postgres refuses to run as root: run it as nobody
        import pwd

        nobody = pwd.getpwnam("nobody")
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
        os.chown(sockets, nobody.pw_uid, nobody.pw_gid)
        demote = {"user": nobody.pw_uid, "group": nobody.pw_gid}
    run = dict(check=True, capture_output=True, cwd=root, **demote)
    subprocess.run([bin_dir / "initdb", "-D", data, "-U", "grader", "--auth=trust"], **run)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subprocess.run([bin_dir / "pg_ctl", "-D", data, "-w", "-l", root / "pg.log", "-o",
                    f"-k {sockets} -p {port} -c listen_addresses=''", "start"], **run)
    try:
        subprocess.run([bin_dir / "createdb", "-h", sockets, "-p", str(port), "-U", "grader", "grades"], **run)
        yield f"postgresql://grader@/grades?host={sockets}&port={port}"
    finally:
        subprocess.run([bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True,
                       cwd=root, **demote)
        shutil.rmtree(root, ignore_errors=True)


def test_the_gradebook_works_on_a_real_postgresql_server(postgres_url: str) -> None:
    """Same writes, same idempotence, on PostgreSQL instead of SQLite?"""
    for _ in range(2):
        with GradebookWriter(postgres_url, "00_demo", CELLS) as writer:
            writer.record(result("alice", 2.0, 1.0))
            writer.record(result("bob", outcome=Outcome.TAMPERING, reason="grade cell edited"))
    rows = {row.student: row for row in gradebook_queries.student_rows(postgres_url, "00_demo")}
    assert rows["alice"].score == 3.0 and rows["bob"].score == 0.0 and rows["bob"].outcome == "tampering"
    assert count_rows(postgres_url)["grade"] == 4
    assert gradebook_queries.consistency_problems(postgres_url, "00_demo") == []


def test_the_lms_sheet_has_a_row_per_student_and_a_column_per_assignment(tmp_path: Path) -> None:
    """Two assignments in two gradebooks, a student missing from one: one sheet, an empty cell there,
    totals as nbgrader holds them, and `course export-lms` writes it in one command."""
    import csv
    from dataclasses import replace

    from autograder import cli
    from autograder.records import lms_export

    first, second = gradebook.default_url(tmp_path / "a"), gradebook.default_url(tmp_path / "b")
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    with GradebookWriter(first, "00_demo", CELLS) as writer:
        writer.record(result("alice", 2.0, 1.5))
        writer.record(result("bob", 0.0, 0.0, outcome=Outcome.TIMEOUT, reason="cell 3 ran over 20 s"))
    other = [GradedCell("01_demo", "test_add", 2.0), GradedCell("01_demo", "test_mul", 3.0)]
    with GradebookWriter(second, "01_demo", other) as writer:
        writer.record(replace(result("alice", 2.0, 3.0), assignment="01_demo"))
    sheet = tmp_path / "lms.csv"
    assert cli.main(["export-lms", "--db", first, "--db", second, "--csv", str(sheet)]) == 0
    rows = list(csv.reader(sheet.open()))
    assert rows == [["student", "00_demo (/5)", "01_demo (/5)"], ["alice", "3.5", "5"], ["bob", "0", ""]]
    assert lms_export.assignments_in(gradebook.default_url(tmp_path / "none")) == []
