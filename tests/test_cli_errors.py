"""Does every grading command answer bad input with one line and exit status 2, never a traceback?"""

from __future__ import annotations

import pytest

from autograder import cli


def _run(capsys, argv):
    code = cli.main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    return code, err


@pytest.mark.parametrize("command", ["grade", "report", "export", "feedback"])
def test_an_unknown_assignment_lists_the_known_ones(capsys, tmp_path, command):
    extra = ["--submissions", str(tmp_path)] if command == "grade" else []
    code, err = _run(capsys, [command, "99_nope", *extra, "--out", str(tmp_path / "out")])
    assert code == 2
    assert err[-1].startswith(f"course {command}: no assignment '99_nope' (known: 00_setup, 01_convolution")


@pytest.mark.parametrize("command", ["report", "export", "feedback"])
def test_a_command_before_grading_says_to_grade_first(capsys, tmp_path, command):
    out = tmp_path / "never_graded"
    code, err = _run(capsys, [command, "00_setup", "--out", str(out)])
    assert code == 2 and len(err) == 1
    assert f"no gradebook for 00_setup at {out / 'gradebook.db'}" in err[0]
    assert f"course grade 00_setup --submissions DIR --out {out}" in err[0]
    assert not out.exists()  # nothing half-written


def test_a_gradebook_that_cannot_be_reached_is_one_line_and_writes_nothing(capsys, tmp_path):
    """A PostgreSQL gradebook that is down when the run starts: one line saying so, exit 2, no traceback."""
    student = tmp_path / "class" / "alice"
    student.mkdir(parents=True)
    (student / "00_setup.ipynb").write_text("{}")
    url = f"postgresql://grader@/grades?host={tmp_path / 'no-server'}&port=5999"
    code, err = _run(capsys, ["grade", "00_setup", "--submissions", str(tmp_path / "class"), "--db", url,
                              "--out", str(tmp_path / "out")])
    assert code == 2 and "cannot be reached" in err[-1] and "run the same command again" in err[-1]
    assert not any(line.startswith("Traceback") for line in err)
