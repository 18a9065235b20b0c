"""Does a week travel through a university JupyterHub's nbgrader exchange and come out gradable?

The real ``nbgrader`` commands of this environment, in a temporary course and exchange (their
own ``nbgrader_config.py``): the instructor runs ``release_assignment``, two students
``fetch_assignment`` and ``submit`` (alice answers, bob hands in the blank), the instructor
``collect``s; then ``course collect`` turns nbgrader's ``submitted/`` tree into
``DIR/<student>/`` and ``course grade``'s pipeline grades it: alice full marks, bob none.
The fixture week (``tests/fixtures/fixture_course``, NumPy only) keeps it to about a minute.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import cli
from autograder.grading import grade_class as grading
from autograder.submission import grade as submission

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "fixture_course"
ASSIGNMENT = "99_fixture"
COURSE_ID = "cnn101"
BIN = Path(sys.executable).parent
ANSWERS = {
    "add_one_answer": 'def add_one(x):\n    return np.asarray(x, dtype=float) + 1.0',
    "scale_answer": 'def scale(x, factor):\n    return np.asarray(x) * factor',
    "weights_answer": 'np.savez("weights.npz", w=np.arange(3.0))',
}

pytestmark = pytest.mark.slow


def _nbgrader(cwd: Path, *arguments: str) -> str:
    """One real nbgrader command; its log (stderr) returned, a failure shown with it."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # collect runs `alembic`
    done = subprocess.run([str(BIN / "nbgrader"), *arguments], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.returncode == 0, f"nbgrader {' '.join(arguments)} failed:\n{done.stderr[-3000:]}"
    return done.stderr


@pytest.fixture(scope="module")
def exchange_round_trip(tmp_path_factory):
    top = tmp_path_factory.mktemp("exchange")
    course, exchange = top / "course", top / "exchange"
    shutil.copytree(FIXTURE, course, ignore=shutil.ignore_patterns("__pycache__"))
    exchange.mkdir()
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        'c.CourseDirectory.release_directory = "assignments"\n'
        f"c.Exchange.root = {str(exchange)!r}\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_CHECKS_PATH", str(course / "checks"))
        patch.setenv("COURSE_PROFILE", "smoke")
        released = submission.reference(ASSIGNMENT, course).released  # what `course release` writes
        (course / "assignments" / ASSIGNMENT).mkdir(parents=True)
        nbformat.write(released, course / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
        _nbgrader(course, "release_assignment", ASSIGNMENT)
        student_flags = [f"--course={COURSE_ID}", f"--Exchange.root={exchange}"]
        for student, answers in (("alice", ANSWERS), ("bob", {})):
            home = top / student
            home.mkdir()
            _nbgrader(home, "fetch_assignment", ASSIGNMENT, *student_flags)
            path = home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
            notebook = nbformat.read(path, as_version=4)
            for cell in notebook.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id in answers:
                    cell.source = answers[grade_id]
            nbformat.write(notebook, path)
            _nbgrader(home, "submit", ASSIGNMENT, *student_flags, f"--CourseDirectory.student_id={student}")
        _nbgrader(course, "collect", ASSIGNMENT)
        collected = top / "collected"
        assert cli.main(["collect", ASSIGNMENT, str(course / "submitted"), "--to", str(collected)]) == 0
        graded = grading.grade_class(ASSIGNMENT, collected, root=course, out_dir=top / "out", workers=1,
                                     progress=False)
        yield course, collected, graded


def test_nbgrader_collect_gives_each_student_a_submitted_folder(exchange_round_trip):
    course, _, _ = exchange_round_trip
    for student in ("alice", "bob"):
        assert (course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()


def test_course_collect_turns_them_into_gradable_student_folders(exchange_round_trip):
    _, collected, _ = exchange_round_trip
    assert sorted(p.name for p in collected.iterdir() if not p.name.startswith(".")) == ["alice", "bob"]
    alice = nbformat.read(collected / "alice" / f"{ASSIGNMENT}.ipynb", as_version=4)
    assert any("np.asarray(x) * factor" in cell.source for cell in alice.cells)


def test_the_collected_class_grades_alice_full_and_bob_zero(exchange_round_trip):
    _, _, graded = exchange_round_trip
    results = {result.student: result for result in graded.results}
    alice, bob = results["alice"], results["bob"]
    assert alice.score == alice.max_score > 0, alice.to_json()
    assert bob.score == 0 and bob.max_score == alice.max_score
