"""Questions about grading one submission (autograder.submission.grade.grade_submission).

The fixture assignment ``tests/fixtures/fixture_course`` (99_fixture: two graded
functions and a saved .npz, no TensorFlow) keeps each grading to a few seconds.
Submissions are built from the *released* notebook, as a student would.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from autograder.submission import outcomes, grade as submission
from autograder.isolation import sandbox
from autograder.records.results import Outcome
from autograder.isolation.sandbox import Limits

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "fixture_course"
ASSIGNMENT = "99_fixture"
REPO = Path(__file__).resolve().parents[1]
LIMITS = Limits(wall_seconds=120, cell_seconds=20, memory_bytes=2 * 1024**3)
needs_bwrap = pytest.mark.skipif(not sandbox._probe("bwrap"), reason="bubblewrap does not work here")

CORRECT = {
    "add_one_answer": 'def add_one(x):\n    """Return x + 1."""\n    return np.asarray(x, dtype=float) + 1.0',
    "scale_answer": 'def scale(x, factor):\n    """Return x * factor."""\n    return np.asarray(x) * factor',
    "weights_answer": 'np.savez("weights.npz", w=np.arange(3.0))',
}


@pytest.fixture(autouse=True, scope="module")
def fixture_course():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_CHECKS_PATH", str(FIXTURE / "checks"))
        patch.setenv("COURSE_PROFILE", "smoke")
        yield


def released() -> nbformat.NotebookNode:
    return nbformat.from_dict(json.loads(json.dumps(submission.reference(ASSIGNMENT, FIXTURE).released)))


def make_submission(folder: Path, answers: dict[str, str] | None = None,
                    edit=None) -> Path:
    """Write a student folder: the release with ``answers`` in its solution cells."""
    nb = released()
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in (answers or {}):
            cell.source = answers[grade_id]
    if edit is not None:
        edit(nb)
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(folder / f"{ASSIGNMENT}.ipynb"))
    return folder


def grade(folder: Path, tmp_path: Path, limits: Limits = LIMITS, student: str = "s1"):
    return submission.grade_submission(ASSIGNMENT, folder, student=student, course_root=FIXTURE,
                                       work_dir=tmp_path / "out", limits=limits)


def scores(result) -> dict[str, float]:
    return {t.id: t.score for t in result.tests}


def test_correct_submission_gets_full_marks(tmp_path):
    """Does a right answer earn every point, with figures and a safe executed notebook kept?"""
    result = grade(make_submission(tmp_path / "alice", CORRECT), tmp_path)
    assert result.outcome is Outcome.GRADED, result.reason
    assert scores(result) == {"test_add_one": 1.0, "test_scale": 2.0, "test_weights": 1.0}
    assert result.score == result.max_score == 4.0
    assert result.notes == []
    assert result.isolation and result.profile == "smoke"
    assert len(result.figures) == 1 and Path(result.figures[0]).read_bytes().startswith(b"\x89PNG")
    executed = Path(result.executed_notebook).read_text()
    assert "judge.submit" not in executed and "HIDDEN TESTS" not in executed


def test_blank_submission_gets_zero_with_reasons(tmp_path):
    """Does the untouched release get zero, each test saying its visible checks failed?"""
    result = grade(make_submission(tmp_path / "blank"), tmp_path)
    assert result.outcome is Outcome.GRADED
    assert result.score == 0 and result.max_score == 4.0
    by_id = {t.id: t for t in result.tests}
    assert "NotImplementedError" in by_id["test_add_one"].message
    assert "weights.npz is missing" in by_id["test_weights"].message


def test_endless_loop_is_a_timeout_that_costs_what_did_not_run(tmp_path):
    """Does a cell that never ends stop at the cell limit with a clear reason, zero the tests from
    it on, and leave the test that finished before it (its function already handed over) its point?"""
    answers = dict(CORRECT, scale_answer="def scale(x, factor):\n    while True:\n        pass")
    result = grade(make_submission(tmp_path / "loop", answers), tmp_path,
                   Limits(wall_seconds=120, cell_seconds=3, memory_bytes=2 * 1024**3))
    assert result.outcome is Outcome.TIMEOUT
    assert scores(result) == {"test_add_one": 1.0, "test_scale": 0.0, "test_weights": 0.0} and result.score == 1.0
    assert "3 s" in result.reason and "ran before it keep their points" in result.reason
    by_id = {t.id: t for t in result.tests}
    assert "3 s" in by_id["test_scale"].message and "correct" in by_id["test_add_one"].message


def test_a_timeout_before_any_test_is_a_clear_zero(tmp_path):
    """Does a loop in the first answer, before any grade cell ran, still cost every point?"""
    answers = dict(CORRECT, add_one_answer="while True:\n    pass")
    result = grade(make_submission(tmp_path / "early", answers), tmp_path,
                   Limits(wall_seconds=120, cell_seconds=3, memory_bytes=2 * 1024**3))
    assert result.outcome is Outcome.TIMEOUT and result.score == 0
    assert "keep their points" not in result.reason


def test_wall_clock_bounds_the_whole_run(tmp_path):
    """Is the whole notebook bounded too, even when no single cell is too slow, and do the tests
    that finished before the clock ran out keep their points?"""
    answers = dict(CORRECT, weights_answer="import time\nfor _ in range(300):\n    time.sleep(1)")
    result = grade(make_submission(tmp_path / "slow", answers), tmp_path,
                   Limits(wall_seconds=30, cell_seconds=600, memory_bytes=2 * 1024**3))
    assert result.outcome is Outcome.TIMEOUT
    assert scores(result) == {"test_add_one": 1.0, "test_scale": 2.0, "test_weights": 0.0}
    assert result.seconds < 90


def test_memory_hog_is_out_of_memory_with_zero(tmp_path):
    """Does a notebook that eats memory get OUT_OF_MEMORY and zero, not a crash of the grader?"""
    answers = dict(CORRECT, weights_answer="hog = []\nwhile True:\n    hog.append(bytearray(100 * 1024**2))")
    # 1 GiB: a fresh virtual machine hands out untouched memory at about 90 MB/s, so filling 2 GiB
    # can outlast the 20 s cell bound (a timeout, not the memory bound under test).
    result = grade(make_submission(tmp_path / "hog", answers), tmp_path,
                   Limits(wall_seconds=120, cell_seconds=20, memory_bytes=1024**3))
    assert result.outcome is Outcome.OUT_OF_MEMORY
    assert result.score == 0 and "memory" in result.reason


def test_a_timeout_after_refused_forks_names_the_process_bound():
    """Is a slow cell a timeout with the loop hint, and one that had reached the process bound
    a timeout that names that bound instead?"""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Exercise 1.1 — loops"),
                                         nbformat.v4.new_code_cell("while True: pass")])
    def verdict(**observed):
        return outcomes.classify("cell_timeout", 1, None, "", nb, outcomes.Observed(**observed), LIMITS)
    slow = verdict()
    assert slow.outcome is Outcome.TIMEOUT and "endless loop" in slow.reason and "Exercise 1.1" in slow.reason
    forks = verdict(forks_refused=3)
    assert forks.outcome is Outcome.TIMEOUT and "processes" in forks.reason and "endless" not in forks.reason


def test_kernel_aborted_by_tensorflow_for_lack_of_memory_is_out_of_memory():
    """Where no cgroup counts OOM kills, when TensorFlow aborts the kernel because no thread
    stack fits in the address-space bound, is the outcome OUT_OF_MEMORY, naming the exercise?"""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Exercise 2.1 — LeNet-5"),
                                         nbformat.v4.new_code_cell("import tensorflow")])
    stderr = ("F0000 env.cc:84] Check failed: ret == 0 (11 vs. 0) Thread tf_data_worker creation via "
              "pthread_create() failed.\n*** Check failure stack trace: ***")
    verdict = outcomes.classify("kernel_died", 1, -6, stderr, nb, outcomes.Observed(), LIMITS)
    assert verdict.outcome is Outcome.OUT_OF_MEMORY and "Exercise 2.1" in verdict.reason


def test_an_oom_kill_seen_by_the_cgroup_is_out_of_memory_whatever_the_kernel_printed():
    """Is the cgroup's OOM count (which the student cannot write) what names a memory zero?"""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    verdict = outcomes.classify("kernel_died", 0, -9, "all is well", nb,
                                outcomes.Observed(oom_kills=1, memory_bounded_by_cgroup=True), LIMITS)
    assert verdict.outcome is Outcome.OUT_OF_MEMORY and "all its processes together" in verdict.reason


def test_dead_kernel_never_passes(tmp_path):
    """Does a kernel that exits (after the functions were handed over) give zero, not a pass?"""
    answers = dict(CORRECT, weights_answer='np.savez("weights.npz", w=np.arange(3.0))\nimport os\nos._exit(3)')
    result = grade(make_submission(tmp_path / "dead", answers), tmp_path)
    assert result.outcome is Outcome.KERNEL_DIED
    assert result.score == 0 and all(t.score == 0 for t in result.tests)


def test_lying_answers_gain_nothing(tmp_path):
    """Do an always-equal object, a patched np.allclose and a patched judge earn no points?"""
    liar = ("class AlwaysEqual(float):\n    def __eq__(self, other):\n        return True\n"
            "    def __getitem__(self, index):\n        return self\n\n"
            "def add_one(x):\n    return AlwaysEqual(0.0)")
    patcher = ("import course_utils.judge\nnp.allclose = lambda *a, **k: True\n"
               "np.testing.assert_allclose = lambda *a, **k: None\n"
               "course_utils.judge.call_case = lambda fn, case: course_utils.judge.CaseResult((np.zeros(1),), None, 0.0)\n\n"
               "def scale(x, factor):\n    return np.zeros(1)")
    answers = dict(CORRECT, add_one_answer=liar, scale_answer=patcher,
                   weights_answer='np.savez("weights.npz", w=np.zeros(3))')
    result = grade(make_submission(tmp_path / "liar", answers), tmp_path)
    assert result.outcome is Outcome.GRADED
    assert scores(result) == {"test_add_one": 0.0, "test_scale": 0.0, "test_weights": 0.0}


def test_edited_and_deleted_test_cells_are_restored(tmp_path):
    """Is a test cell emptied or deleted by the student put back, and noted, gaining nothing, with
    the rest graded as usual (typing into a read-only cell is a slip, not tampering)?"""
    def edit(nb):
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_add_one":
                cell.source = "pass  # nothing to see here"
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test_scale"]

    answers = dict(CORRECT, add_one_answer="def add_one(x):\n    return x")
    result = grade(make_submission(tmp_path / "editor", answers, edit), tmp_path)
    assert result.outcome is Outcome.GRADED
    assert scores(result) == {"test_add_one": 0.0, "test_scale": 2.0, "test_weights": 1.0}
    assert result.max_score == 4.0
    notes = " ".join(result.notes)
    assert "test_add_one is read-only but was edited" in notes
    assert "test_scale was missing" in notes


def test_changed_points_are_tampering(tmp_path):
    """A grade cell claiming 100 points is restored and the submission zeroed as tampering, with why."""
    def edit(nb):
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_add_one":
                cell.metadata.nbgrader["points"] = 100

    result = grade(make_submission(tmp_path / "claimer", CORRECT, edit), tmp_path)
    assert result.outcome is Outcome.TAMPERING and result.score == 0 and result.max_score == 4.0
    assert result.reason.startswith("The points of test_add_one were changed") and "TA" in result.reason


@needs_bwrap
def test_hostile_submission_sees_nothing_and_gains_nothing(tmp_path):
    """Can a submission reach the network, the repository, the solutions, the grader's
    gradebook or hidden inputs, or plant a link to the instructor's files as its artifact?"""
    gradebook = submission.reference(ASSIGNMENT, FIXTURE).db_url.removeprefix("sqlite:///")
    assert Path(gradebook).exists()
    probe = f"""
import json, os, socket
seen = {{}}
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    seen["network"] = True
except OSError:
    seen["network"] = False
seen["repo"] = os.path.exists({str(REPO / 'pyproject.toml')!r})
seen["solutions"] = os.path.exists({str(FIXTURE / 'solutions')!r})
seen["root_home"] = os.path.exists("/root/.bashrc")
seen["gradebook"] = os.path.exists({gradebook!r})
try:
    import autograder
    seen["autograder"] = True
except ImportError:
    seen["autograder"] = False
try:
    open(os.environ["COURSE_JUDGE_DIR"] + "/inputs/add_one.npz", "wb").write(b"x")
    seen["inputs_writable"] = True
except OSError:
    seen["inputs_writable"] = False
os.symlink({str(FIXTURE / 'checks' / '99_fixture.py')!r}, "weights.npz")
print("PROBE" + json.dumps(seen))
"""
    answers = dict(CORRECT, weights_answer=probe)
    result = grade(make_submission(tmp_path / "hostile", answers), tmp_path)
    assert result.outcome is Outcome.GRADED, result.reason
    executed = nbformat.read(result.executed_notebook, as_version=4)
    text = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    seen = json.loads(text.split("PROBE", 1)[1].splitlines()[0])
    assert seen == {"network": False, "repo": False, "solutions": False, "root_home": False,
                    "gradebook": False, "autograder": False, "inputs_writable": False}
    weights = next(t for t in result.tests if t.id == "test_weights")
    assert weights.score == 0 and "link" in weights.message
    assert scores(result)["test_add_one"] == 1.0  # honest work still counts


def test_links_and_shadowing_packages_are_not_copied(tmp_path):
    """Are links and a private course_utils copy left out of the sandbox folder (and said so)?"""
    folder = make_submission(tmp_path / "linker", CORRECT)
    os.symlink("/etc/hostname", folder / "notes.txt")
    (folder / "course_utils").mkdir()
    (folder / "course_utils" / "__init__.py").write_text("raise SystemExit('fake course_utils')")
    result = grade(folder, tmp_path)
    assert result.outcome is Outcome.GRADED and result.score == 4.0
    notes = " ".join(result.notes)
    assert "notes.txt is a link" in notes and "course_utils/ was ignored" in notes


def test_missing_and_invalid_notebooks_get_a_clear_zero(tmp_path):
    """Do a folder without the notebook and a notebook that is not JSON give zero with a reason?"""
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = grade(empty, tmp_path)
    assert missing.outcome is Outcome.MISSING_NOTEBOOK and missing.max_score == 4.0
    assert missing.score == 0 and "99_fixture.ipynb" in missing.reason
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / f"{ASSIGNMENT}.ipynb").write_text("{not json")
    invalid = grade(broken, tmp_path)
    assert invalid.outcome is Outcome.INVALID_NOTEBOOK and invalid.score == 0


def test_a_single_renamed_notebook_is_graded_with_a_note(tmp_path):
    """A student who saved 'NN (1).ipynb' and nothing else meant that one: graded, and told to rename it;
    with two other notebooks the zero says what the folder holds."""
    folder = make_submission(tmp_path / "copy", CORRECT)
    (folder / f"{ASSIGNMENT}.ipynb").rename(folder / f"{ASSIGNMENT} (1).ipynb")
    result = grade(folder, tmp_path)
    assert result.outcome is Outcome.GRADED and result.score == 4.0
    assert f"named {ASSIGNMENT} (1).ipynb, not {ASSIGNMENT}.ipynb" in result.notes[0]
    (folder / "scratch.ipynb").write_text("{}")
    two = grade(folder, tmp_path)
    assert two.outcome is Outcome.MISSING_NOTEBOOK
    assert f"it holds: {ASSIGNMENT} (1).ipynb, scratch.ipynb" in two.reason


def test_result_round_trips_through_json(tmp_path):
    """Can a result cross a process boundary as JSON unchanged (notes included)?"""
    empty = tmp_path / "empty"
    empty.mkdir()
    result = grade(empty, tmp_path)
    result.notes = ["a note"]
    again = type(result).from_json(result.to_json())
    assert again == result


def test_output_flood_is_cut_and_noted(tmp_path):
    """Is a notebook that prints megabytes cut at the output limit, still graded, and told so?"""
    answers = dict(CORRECT, weights_answer=CORRECT["weights_answer"] + "\nfor _ in range(20):\n"
                                                                       "    print('x' * 100_000)")
    result = grade(make_submission(tmp_path / "chatty", answers), tmp_path,
                   Limits(wall_seconds=120, cell_seconds=20, memory_bytes=2 * 1024**3, output_bytes=200_000))
    assert result.outcome is Outcome.GRADED and result.score == 4.0
    assert any("the rest of its output was dropped" in note for note in result.notes)
    assert Path(result.executed_notebook).stat().st_size < 400_000


@pytest.mark.skipif(not sandbox._probe("unshare"), reason="unshare does not work here")
def test_weaker_isolation_still_grades_keeps_hidden_inputs_out_and_says_so(tmp_path, monkeypatch):
    """Without bubblewrap (unshare only), is the weaker isolation reported, are the hidden inputs
    nowhere in the notebook's folder, and does garbage written over the handed-over functions
    earn nothing (a plain message, not a grader error)?"""
    monkeypatch.setenv(sandbox.MODE_ENV, "unshare")
    probe = ("import os\nprint('judge dir holds', sorted(os.listdir(os.environ['COURSE_JUDGE_DIR'])))\n"
             "for base, dirs, files in os.walk('.'):\n"
             "    assert not [f for f in files if f.endswith('.npz') and 'input' in base], base")
    answers = dict(CORRECT, weights_answer=CORRECT["weights_answer"] + "\n" + probe)
    nb = make_submission(tmp_path / "rewriter", answers)
    notebook = nbformat.read(nb / f"{ASSIGNMENT}.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(
        "import glob\nfor path in glob.glob('.judge/functions/*.pkl'):\n    open(path, 'wb').write(b'garbage')"))
    nbformat.write(notebook, str(nb / f"{ASSIGNMENT}.ipynb"))
    result = grade(nb, tmp_path)
    assert any(line.startswith("NOT isolated: the filesystem") for line in result.isolation)
    assert result.outcome is Outcome.GRADED, result.reason
    assert scores(result)["test_add_one"] == 0 and scores(result)["test_scale"] == 0
    assert all(t.message for t in result.tests if t.score == 0)


def test_filling_the_disk_is_an_output_limit_zero(tmp_path):
    """Does a notebook that floods its folder with files get stopped with a clear zero?"""
    answers = dict(CORRECT, weights_answer="import time\nfor i in range(2000):\n"
                                           "    open(f'junk{i}.bin', 'wb').write(b'0' * 1024**2)\ntime.sleep(60)")
    result = grade(make_submission(tmp_path / "filler", answers), tmp_path,
                   Limits(wall_seconds=120, cell_seconds=100, memory_bytes=2 * 1024**3, disk_bytes=64 * 1024**2))
    assert result.outcome is Outcome.OUTPUT_LIMIT and result.score == 0
    assert "64 MiB" in result.reason


@pytest.mark.slow
@pytest.mark.skipif(not (REPO / "solutions" / "00_setup" / "00_setup.ipynb").exists(),
                    reason="the course has no 00_setup yet")
def test_real_setup_assignment_solution_full_blank_zero(tmp_path, monkeypatch):
    """On the course's own 00_setup, does the solution get full marks and the release zero?"""
    monkeypatch.delenv("COURSE_CHECKS_PATH")
    for name, source in [("solution", REPO / "solutions" / "00_setup"),
                         ("blank", REPO / "assignments" / "00_setup")]:
        folder = tmp_path / name
        folder.mkdir()
        shutil.copy(source / "00_setup.ipynb", folder)
        result = submission.grade_submission("00_setup", folder, student=name, course_root=REPO,
                                             limits=Limits(wall_seconds=300, cell_seconds=120))
        assert result.outcome is Outcome.GRADED, result.reason
        expected = result.max_score if name == "solution" else 0.0
        assert result.max_score > 0 and result.score == expected, [t.message for t in result.tests]


def test_tampering_needs_evidence_no_slip_produces():
    """Changed points or a function that fought the harness count as tampering; a read-only cell
    typed into by mistake (restored by the grader) does not."""
    from autograder.records.results import ItemResult
    from autograder.submission.grade import tampering_evidence

    typed = ["Cell test_one_hot is read-only but was edited; the grader restored the original."]
    plain = [ItemResult("test_one_hot", 1.0, 0.0, "one_hot: wrong values on hidden labels", kind="function")]
    assert tampering_evidence(typed, plain) is None
    points = typed + ["The points of test_one_hot were changed; the original value was restored."]
    assert tampering_evidence(points, plain).startswith("The points of test_one_hot were changed")
    refused = [ItemResult("test_one_hot", 1.0, 0.0, "one_hot: not accepted: your function replaced the grader's "
                                                    "line counter (sys.settrace); the grader does not allow that "
                                                    "while it measures your code", kind="function")]
    assert tampering_evidence([], refused) == ("not accepted: your function replaced the grader's line counter "
                                               "(sys.settrace); the grader does not allow that while it measures "
                                               "your code (one_hot).")
