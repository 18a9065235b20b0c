"""Questions about intake (`course grade`'s class folder, `course collect`): nothing is followed, nothing is silent.

Fast: a stand-in grades (no sandbox); the real pipeline's version is tests/test_attacks_intake.py.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import cli
from autograder.grading import collect, grade_class as grading
from autograder.records import gradebook_queries
from autograder.records.results import ItemResult, Outcome, SubmissionResult

ASSIGNMENT = "00_demo"


def stand_in_grade(assignment: str, submission_dir: Path, *, student: str, course_root: Path,
                   work_dir: Path) -> SubmissionResult:
    """Full marks for any folder holding the notebook; records which folder it was given."""
    (Path(course_root) / "graded_folders.txt").open("a").write(f"{student} {Path(submission_dir).resolve()}\n")
    full = (Path(submission_dir) / f"{ASSIGNMENT}.ipynb").is_file()
    return SubmissionResult(student=student, assignment=assignment, outcome=Outcome.GRADED, profile="smoke",
                            tests=[ItemResult("test_add", 2.0, 2.0 * full, "add: checked"),
                                   ItemResult("test_mul", 3.0, 3.0 * full, "mul: checked")])


@pytest.fixture()
def course(tmp_path: Path) -> Path:
    """A course with one released notebook (two grade cells), and a solutions folder to link to."""
    notebook = nbformat.v4.new_notebook()
    for grade_id, points in (("test_add", 2), ("test_mul", 3)):
        cell = nbformat.v4.new_code_cell("assert True")
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "points": points,
                                     "locked": True, "solution": False, "schema_version": 3}
        notebook.cells.append(cell)
    root = tmp_path / "course"
    for folder in ("assignments", "solutions"):
        (root / folder / ASSIGNMENT).mkdir(parents=True)
        nbformat.write(notebook, root / folder / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    return root


def student(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_text("{}")
    return folder


@pytest.fixture()
def hostile_class(course: Path, tmp_path: Path) -> Path:
    """alice (honest), links to alice and to solutions/, a linked nested folder, a dot folder, litter."""
    subs = tmp_path / "subs"
    student(subs / "alice")
    os.symlink(subs / "alice", subs / "bob")
    os.symlink(course / "solutions" / ASSIGNMENT, subs / "mallory")
    (subs / "dave").mkdir()
    os.symlink(course / "solutions" / ASSIGNMENT, subs / "dave" / ASSIGNMENT)
    student(subs / ".carol")
    student(subs / "eve smith")
    for litter in (".ipynb_checkpoints", "__MACOSX", ".git"):
        (subs / litter).mkdir()
    (subs / ".DS_Store").write_bytes(b"\0")
    return subs


def test_links_are_never_followed_and_every_skip_has_a_reason(hostile_class: Path) -> None:
    """Do linked folders stay out, a dot folder get a row, a name with a space a safe id, and litter nothing?"""
    intake = grading.scan_submissions(hostile_class, ASSIGNMENT)
    assert intake.found == {"alice": hostile_class / "alice", "eve_smith": hostile_class / "eve smith"}
    assert intake.renamed == {"eve_smith": "eve smith"}
    skipped = {s.entry: s for s in intake.skipped}
    assert sorted(skipped) == [".carol", "bob", f"dave/{ASSIGNMENT}", "mallory"]
    assert skipped["bob"].student is None and skipped["mallory"].student is None
    assert "symbolic link" in skipped["bob"].reason and "not followed" in skipped["mallory"].reason
    assert (skipped[".carol"].student, skipped[".carol"].outcome) == (".carol", Outcome.MISSING_NOTEBOOK)
    assert "starts with '.'" in skipped[".carol"].reason and "rename" in skipped[".carol"].reason
    assert (skipped[f"dave/{ASSIGNMENT}"].student, skipped[f"dave/{ASSIGNMENT}"].outcome) == \
        ("dave", Outcome.INVALID_NOTEBOOK)
    assert grading.find_submissions(hostile_class, ASSIGNMENT) == intake.found


def test_a_name_with_control_characters_is_printed_on_one_line(tmp_path: Path) -> None:
    (tmp_path / "x\n\x1b[2Jy.zip").write_bytes(b"")
    (line,) = [s.line() for s in grading.scan_submissions(tmp_path, ASSIGNMENT).skipped]
    assert "\n" not in line and "\x1b" not in line and "\\n" in line


def test_grading_a_hostile_class_grades_no_link(course: Path, hostile_class: Path, monkeypatch) -> None:
    """Only alice's own folder is graded; links get no row, the dot and dave folders a reasoned zero."""
    monkeypatch.delenv("COURSE_JUDGE_SECRET", raising=False)
    graded = grading.grade_class(ASSIGNMENT, hostile_class, root=course, out_dir=course / "out", workers=1,
                                 grade_fn=stand_in_grade, progress=False)
    graded_folders = (course / "graded_folders.txt").read_text().splitlines()
    assert graded_folders == [f"alice {(hostile_class / 'alice').resolve()}",
                              f"eve_smith {(hostile_class / 'eve smith').resolve()}"]
    got = {r.student: (r.score, r.outcome) for r in graded.results}
    assert got == {"alice": (5.0, Outcome.GRADED), "eve_smith": (5.0, Outcome.GRADED),
                   ".carol": (0.0, Outcome.MISSING_NOTEBOOK), "dave": (0.0, Outcome.INVALID_NOTEBOOK)}
    rows = {row.student: row for row in gradebook_queries.student_rows(graded.db_url, ASSIGNMENT)}
    assert sorted(rows) == [".carol", "alice", "dave", "eve_smith"] and rows[".carol"].max_score == 5.0
    assert "rename it to the student's id" in rows[".carol"].reason
    assert gradebook_queries.consistency_problems(graded.db_url, ASSIGNMENT) == []
    page = (graded.feedback_dir / ".carol" / "feedback.html").read_text()
    assert "starts with &#39;.&#39;" in page or "starts with '.'" in page
    report = graded.report_path.read_text()
    assert "COURSE_JUDGE_SECRET is not set" in report and "skipped &#39;mallory&#39;" in report
    assert len(graded.skipped) == 4


def test_the_report_keeps_the_warnings_when_rebuilt(course: Path, hostile_class: Path, monkeypatch) -> None:
    """`course report` later still shows what intake skipped; a set secret gives no warning."""
    from autograder.pages import report

    monkeypatch.setenv("COURSE_JUDGE_SECRET", "term-2026-autumn")
    assert grading.judge_secret_warning() is None
    graded = grading.grade_class(ASSIGNMENT, hostile_class, root=course, out_dir=course / "out", workers=1,
                                 grade_fn=stand_in_grade, progress=False)
    rebuilt = report.write_report(graded.db_url, ASSIGNMENT, graded.out_dir / "report").read_text()
    assert "COURSE_JUDGE_SECRET" not in rebuilt and "skipped &#39;bob&#39;" in rebuilt


@pytest.mark.parametrize("value", [None, "", "  "])
def test_an_unset_secret_is_warned_about(monkeypatch, value) -> None:
    if value is None:
        monkeypatch.delenv("COURSE_JUDGE_SECRET", raising=False)
    else:
        monkeypatch.setenv("COURSE_JUDGE_SECRET", value)
    assert "set it to a private per-term value" in grading.judge_secret_warning()


def test_a_student_can_be_regraded_by_a_dot_folder_name(course: Path, hostile_class: Path) -> None:
    graded = grading.grade_class(ASSIGNMENT, hostile_class, root=course, out_dir=course / "out", workers=1,
                                 grade_fn=stand_in_grade, progress=False, students=[".carol"])
    assert [r.student for r in graded.results] == [".carol"]
    with pytest.raises(KeyError, match="bob"):
        grading.grade_class(ASSIGNMENT, hostile_class, root=course, out_dir=course / "out", workers=1,
                            grade_fn=stand_in_grade, progress=False, students=["bob"])


# ----- course collect ------------------------------------------------------------------------------


def archive(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w") as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    return path


@pytest.fixture()
def downloads(tmp_path: Path, course: Path, monkeypatch) -> Path:
    """Good archives and folders with bad ones between them."""
    monkeypatch.setattr(collect, "MAX_ARCHIVE_BYTES", 1000)
    src = tmp_path / "downloads"
    src.mkdir()
    notebook = f"{ASSIGNMENT}.ipynb"
    archive(src / "alice.zip", {f"alice/{notebook}": "{}", "alice/model.npz": b"x"})
    (src / "bob.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    archive(src / "carol.zip", {"../../escaped.txt": "x"})
    with zipfile.ZipFile(src / "dave.zip", "w") as zipped:
        link = zipfile.ZipInfo("dave/solutions")
        link.external_attr = 0o120777 << 16
        zipped.writestr(link, str(course / "solutions"))
    archive(src / "erin.zip", {notebook: "{}"})
    archive(src / "hank.zip", {notebook: "x" * 2000})
    archive(src / "eve smith.zip", {notebook: "{}"})
    archive(src / "ivan.zip", {notebook: "{}"})
    student(src / "ivan")
    student(src / "gina" / ASSIGNMENT)
    os.symlink(course / "solutions" / ASSIGNMENT / notebook, src / "gina" / ASSIGNMENT / "reference.ipynb")
    os.mkfifo(src / "gina" / ASSIGNMENT / "pipe")      # copying it would hang for ever
    os.symlink(src / "gina", src / "frank")
    student(src / ".judy")
    (src / "notes.txt").write_text("grades by hand")
    (src / "__MACOSX").mkdir()
    (src / ".DS_Store").write_bytes(b"\0")
    return src


def test_one_bad_archive_never_stops_the_others(downloads: Path, tmp_path: Path) -> None:
    """Corrupt, unsafe, linked, over-size, misnamed, doubled: each skipped with a reason; the rest collected."""
    dest = tmp_path / "class"
    student(dest / "bob")                     # bob's earlier copy survives his corrupt re-submission
    done = collect.collect(ASSIGNMENT, downloads, dest)
    assert done.collected == ["alice", "erin", "gina"]
    reasons = {s.entry: s.reason for s in done.skipped}
    assert sorted(reasons) == [".judy", "bob.zip", "carol.zip", "dave.zip", "eve smith.zip", "frank",
                               f"gina/{ASSIGNMENT}/pipe", f"gina/{ASSIGNMENT}/reference.ipynb", "hank.zip", "ivan", "ivan.zip", "notes.txt"]
    assert "BadZipFile" in reasons["bob.zip"] and "unsafe path" in reasons["carol.zip"]
    assert "symbolic link" in reasons["dave.zip"] and "MiB" in reasons["hank.zip"]
    assert "both ivan's" in reasons["ivan"] and "student id" in reasons["eve smith.zip"]
    assert "starts with '.'" in reasons[".judy"] and "not followed" in reasons["frank"]
    assert "not a regular file" in reasons[f"gina/{ASSIGNMENT}/pipe"]
    assert sorted(p.name for p in dest.iterdir()) == [".submission_times.csv", "alice", "bob", "erin", "gina"]
    assert sorted(p.name for p in (dest / "alice").iterdir()) == [f"{ASSIGNMENT}.ipynb", "model.npz"]
    assert [p.name for p in (dest / "gina").iterdir()] == [f"{ASSIGNMENT}.ipynb"]
    assert not any(p.is_symlink() for p in dest.rglob("*"))
    assert not (tmp_path / "escaped.txt").exists() and not (downloads.parent / "escaped.txt").exists()


def test_collect_on_the_command_line_lists_skips_and_exits_non_zero(downloads: Path, tmp_path: Path,
                                                                     capsys) -> None:
    code = cli.main(["collect", ASSIGNMENT, str(downloads), "--to", str(tmp_path / "class")])
    out, err = capsys.readouterr()
    assert code == 1 and "3 submission(s)" in out
    assert "skipped 'bob.zip': unreadable (BadZipFile)" in err and "12 entries skipped" in err
    assert "Traceback" not in out + err


def test_collect_refuses_nested_source_and_destination(downloads: Path, capsys) -> None:
    assert cli.main(["collect", ASSIGNMENT, str(downloads), "--to", str(downloads / "class")]) == 2
    assert "must not contain each other" in capsys.readouterr().err
    assert cli.main(["collect", ASSIGNMENT, str(downloads / "nowhere"), "--to", "x"]) == 2


def test_collected_folders_grade_cleanly(downloads: Path, tmp_path: Path) -> None:
    """What collect writes is read by course grade with no skips (its staging folder is gone)."""
    dest = tmp_path / "class"
    collect.collect(ASSIGNMENT, downloads, dest)
    intake = grading.scan_submissions(dest, ASSIGNMENT)
    assert sorted(intake.found) == ["alice", "erin", "gina"] and intake.skipped == []
    assert json.loads((dest / "erin" / f"{ASSIGNMENT}.ipynb").read_text()) == {}


def test_nbgrader_course_root_points_to_its_submitted_folder(tmp_path: Path) -> None:
    """DIR = nbgrader's course root: not one student called 'submitted', but a pointer to DIR/submitted."""
    (tmp_path / "submitted" / "alice" / ASSIGNMENT).mkdir(parents=True)
    (tmp_path / "source" / ASSIGNMENT).mkdir(parents=True)
    intake = grading.scan_submissions(tmp_path, ASSIGNMENT)
    skipped = {s.entry: s for s in intake.skipped}
    assert "submitted" not in intake.found and "nbgrader's course root" in skipped["submitted"].reason
    assert "--submissions DIR/submitted" in skipped["submitted"].reason


def test_an_empty_class_folder_exits_non_zero_and_says_why(tmp_path: Path, capsys) -> None:
    (tmp_path / "class").mkdir()
    code = cli.main(["grade", "00_setup", "--submissions", str(tmp_path / "class"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1 and "nobody graded" in err and "holds no student folder" in err


def test_a_folder_name_with_a_space_is_graded_under_a_safe_id(course: Path, tmp_path: Path) -> None:
    """'dana smith' never stops the class: graded as 'dana_smith', told so in the feedback and the report;
    a name whose safe id is taken by another folder is skipped with the reason instead."""
    class_dir = tmp_path / "class"
    for name in ("dana smith", "erin o'neil", "frank_x", "frank x"):
        (class_dir / name).mkdir(parents=True)
        (class_dir / name / f"{ASSIGNMENT}.ipynb").write_text("{}")
    graded = grading.grade_class(ASSIGNMENT, class_dir, root=course, out_dir=course / "out", workers=1,
                                 grade_fn=stand_in_grade, progress=False)
    got = {r.student: r for r in graded.results}
    assert sorted(got) == ["dana_smith", "erin_o_neil", "frank_x"] and got["dana_smith"].score == 5.0
    assert got["dana_smith"].notes[0].startswith("Your folder 'dana smith' was graded as student id 'dana_smith'")
    assert [s.entry for s in graded.skipped] == ["frank x"]
    assert "graded as student id &#39;dana_smith&#39;" in graded.report_path.read_text()
