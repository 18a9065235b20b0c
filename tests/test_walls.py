"""Does `course grade` refuse to grade without walls unless told, and grade honest work when told?

Three hosts are tested: this one as it is (bubblewrap, root, cgroups: no refusal), this one
with bubblewrap switched off (``COURSE_SANDBOX=unshare``), and a non-root user (``nobody``, run
with ``setpriv`` in a private mount namespace where only the Python installation under
``/root`` is made reachable): no uid of its own, no cgroup, so memory falls back to an
address-space bound that must not fail an honest TensorFlow kernel.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.isolation import sandbox, walls
from tests import cohort

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "00_setup"


def test_refusal_names_what_is_missing_and_the_flag():
    """Is a host without bubblewrap, or without a uid per run, refused in one line that says
    what to install and which flag grades anyway; and is a walled host not refused?"""
    for host, words in [(walls.Walls("none", False, False, "not root"), "install it (apt install bubblewrap)"),
                        (walls.Walls("unshare", False, True), "bubblewrap is not usable here"),
                        (walls.Walls("bwrap", False, False, "not root"), "run course grade as root")]:
        message = walls.refusal(host)
        assert message and words in message and walls.ACCEPT_FLAG in message and "\n" not in message
    assert walls.refusal(walls.Walls("bwrap", True, True)) is None


def test_address_space_bound_leaves_room_for_reservations():
    """Without a cgroup, is the per-process bound the memory bound plus the measured allowance
    (growing with the cores), never the bare memory bound that failed honest kernels?"""
    bound = walls.address_space_bound(2 * walls.GiB, cpus=16)
    assert bound == 2 * walls.GiB + walls.ADDRESS_SPACE_ALLOWANCE + 16 * walls.PER_CPU_ALLOWANCE
    assert walls.address_space_bound(2 * walls.GiB, cpus=2) < bound
    assert "memory bounded per process by address space" in walls.Walls("bwrap", True, False, "x").notes()[0]


def _solution_class(tmp_path: Path) -> Path:
    student = tmp_path / "class" / "alice"
    student.mkdir(parents=True)
    shutil.copy(REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", student)
    return tmp_path / "class"


def _scores(out: Path) -> list[tuple[str, float]]:
    with sqlite3.connect(out / "gradebook.db") as db:
        return db.execute("select student.id, sum(coalesce(grade.auto_score, 0)) from grade "
                          "join submitted_notebook on grade.notebook_id = submitted_notebook.id "
                          "join submitted_assignment on submitted_notebook.assignment_id = submitted_assignment.id "
                          "join student on submitted_assignment.student_id = student.id group by student.id").fetchall()


@pytest.mark.skipif(not sandbox._probe("unshare"), reason="unshare does not work here")
def test_without_bubblewrap_grade_refuses_then_grades_when_told(tmp_path):
    """With bubblewrap off, is `course grade` refused (exit 2, one line, nothing written), and with
    --accept-weak-sandbox is the solution graded full marks, the report saying the filesystem
    was not isolated?"""
    cohort.skip_without_data()
    submissions, out = _solution_class(tmp_path), tmp_path / "out"
    # `course grade` in a process of its own: its pool forks from it, never from this test worker
    # (TensorFlow and other tests' threads loaded: a fork of it once hung on a lock held at fork time).
    argv = [str(Path(sys.executable).parent / "course"), "grade", ASSIGNMENT, "--submissions", str(submissions),
            "--out", str(out)]
    env = {**os.environ, sandbox.MODE_ENV: "unshare", "COURSE_PROFILE": "smoke"}
    refused = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=900)
    err = refused.stderr.strip().splitlines()
    assert refused.returncode == 2 and len(err) == 1, refused.stderr[-2000:]
    assert "refusing to grade without walls" in err[0] and "bubblewrap" in err[0]
    assert not out.exists()
    graded = subprocess.run(argv + ["--accept-weak-sandbox"], env=env, capture_output=True, text=True, timeout=900)
    assert graded.returncode == 0, graded.stderr[-2000:]
    assert "grading without walls" in graded.stderr
    assert _scores(out) == [("alice", 2.0)]
    report = (out / "report" / "report.html").read_text()
    assert "NOT isolated: the filesystem" in report
    assert "NOT isolated: the filesystem" in (out / "feedback" / "alice" / "feedback.html").read_text()


AS_NOBODY = """
set -e
mkdir -p "$HOLD" && mount --bind /root "$HOLD"
mount -t tmpfs -o mode=755 tmpfs /root
for name in $REACHABLE; do mkdir -p "/root/$name" && mount --bind "$HOLD/$name" "/root/$name"; done
exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
"""


def _as_nobody(tmp_path: Path, argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run ``argv`` as ``nobody`` where only the Python installation under /root is reachable."""
    reachable = sorted({Path(os.path.realpath(p)).relative_to("/root").parts[0]
                        for p in (sys.base_prefix, sys.prefix) if os.path.realpath(p).startswith("/root/")})
    env = {**env, "HOLD": str(tmp_path / "root-hold"), "REACHABLE": " ".join(reachable)}
    command = ["unshare", "--mount", "--propagation", "private", "--", "bash", "-c", AS_NOBODY, "bash", *argv]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv") or not sandbox._probe("unshare"),
                    reason="needs root, setpriv and unshare to run a grading as nobody")
def test_as_a_non_root_user_grade_refuses_then_grades_honest_work_full_marks():
    """As a non-root user (no uid per run, no cgroup), is `course grade` refused, and with the flag
    is an honest week-0 solution graded full marks at the default memory bound (a bare
    address-space bound of that size killed it as "out of memory")?"""
    cohort.skip_without_data()
    from course_utils import data

    tmp_path = Path(tempfile.mkdtemp(prefix="course-nobody-"))  # pytest's own folder is root's only
    atexit.register(shutil.rmtree, tmp_path, True)
    datasets = tmp_path / "datasets"
    shutil.copytree(data.data_dir(), datasets)
    submissions, out, home = _solution_class(tmp_path), tmp_path / "out", tmp_path / "home"
    home.mkdir()
    for path in [tmp_path, *tmp_path.rglob("*")]:
        os.chown(path, 65534, 65534, follow_symlinks=False)
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "COURSE_PROFILE": "smoke",
           "COURSE_DATA_DIR": str(datasets), "COURSE_DATA_DOWNLOAD": "0", "TF_CPP_MIN_LOG_LEVEL": "3"}
    course = str(Path(sys.executable).parent / "course")
    argv = [course, "grade", ASSIGNMENT, "--submissions", str(submissions), "--out", str(out)]
    refused = _as_nobody(tmp_path, argv, env)
    assert refused.returncode == 2, refused.stderr[-2000:]
    assert "a uid of its own" in refused.stderr and walls.ACCEPT_FLAG in refused.stderr
    graded = _as_nobody(tmp_path, argv + [walls.ACCEPT_FLAG], env)
    assert graded.returncode == 0, graded.stdout[-2000:] + graded.stderr[-2000:]
    assert _scores(out) == [("alice", 2.0)], graded.stdout
    report = (out / "report" / "report.html").read_text()
    assert "address space" in report and "NOT in force: a uid of its own" in report
