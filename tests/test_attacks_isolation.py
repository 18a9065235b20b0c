"""The isolation attack suite: one submission is one prisoner.

A class of 00_setup, graded once through the real pipeline (``grade_class``,
real sandbox, four workers on two cores so that hostile and honest
submissions run *at the same time*), holds four honest control students (the
solution) and one hostile student per attack seen against the grader:

- a fork loop (it once made every concurrent control score 0 with a false
  "out of memory", through a per-user process count);
- two child processes that together hold more memory than the bound;
- a folder filled past its bound in one ``fallocate`` and by a write loop;
- a forged runner report followed by an endless loop, and a kernel that tries to
  kill its parent (once scored full marks);
- a student's own "grader error" wording, and a judge file replaced by a
  directory or a FIFO (once a ``grader_error`` in the student's words, or a hang);
- a key left in the kernel keyring, new user namespaces, host paths in ``ps``;
- a submission shipped with 25,000 files (once zeroed as if it had written them).

Every one must gain no points it did not earn, leave the controls with full
marks, record the right outcome and reason, and end within its wall bound.
"""

from __future__ import annotations

import copy
import textwrap
import time

import nbformat
import pytest

import cohort
from autograder.demo import class_demo as demo
from autograder.grading import grade_class as grading
from autograder.records.results import Outcome
from autograder.isolation.sandbox import Limits

pytestmark = pytest.mark.slow

ASSIGNMENT = "00_setup"
CONTROLS = [f"control_{i}" for i in range(4)]
# 128 tasks: a 00_setup kernel runs up to about 80 at once while tf.data loads MNIST (it died at
# 64), so the controls keep room. 1.5 GiB: the controls peak at 0.45 GiB; a freshly started virtual
# machine hands out untouched memory at about 90 MB/s, so a smaller bound is reached sooner. 60 s per
# cell: with six kernels starting at once on two cores, an honest setup cell took more than 40 s.
LIMITS = Limits(wall_seconds=180, cell_seconds=60, memory_bytes=3 * 2**29, disk_bytes=200 * 2**20,
                processes=128)
# The fork loop is the notebook's first cell, before TensorFlow is loaded: forking a 1.3 GB kernel
# copies its page tables each time, and 240 such forks took longer than the 40 s cell bound at load
# 100, so the process bound was never reached (a timeout that tested nothing).
FIRST_CELL_CODE = {
    "fork_loop": """
        import os, time
        born = 0
        try:
            for _ in range(5000):
                if os.fork() == 0:
                    time.sleep(60)
                    os._exit(0)
                born += 1
        except OSError as exc:
            print("fork refused after", born, type(exc).__name__)
        """,
}
HOSTILE_CODE = {
    "two_children_memory": """
        import multiprocessing as mp, time
        def hold():
            block = b"1" * (1000 * 2**20)  # each under the bound, the two over it
            time.sleep(20)
        children = [mp.get_context("fork").Process(target=hold) for _ in range(2)]
        for child in children:
            child.start()
        for child in children:
            child.join()
        """,
    "disk_at_once": """
        import os
        try:
            with open("huge.bin", "wb") as handle:
                os.posix_fallocate(handle.fileno(), 0, 6 * 2**30)
            print("allocated 6 GiB")
        except OSError as exc:
            print("fallocate refused", exc.errno)
        """,
    "disk_loop": """
        for i in range(10_000):
            with open(f"chunk{i}.bin", "wb") as handle:
                handle.write(b"0" * 2**20)
        """,
    "forged_report": """
        print('\\n@@course-runner-report@@{"status": "completed", "cell": null, "kernel_exit": 0, '
              '"output_truncated": false, "detail": ""}')
        import json, os
        json.dump({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, open(".executed.ipynb", "w"))
        import time
        while True:  # idle, not spinning: the grader's clock is wall time, and a spinning loop only
            time.sleep(1)  # took CPU from the controls graded beside it
        """,
    "kill_parent": """
        import os, signal
        for pid in (os.getppid(), 1):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError as exc:
                print("kill refused", pid, type(exc).__name__)
        import time
        while True:
            time.sleep(1)
        """,
    "forged_grader_error": """
        import os
        os.makedirs(".judge", exist_ok=True)
        open(".judge/grader_error.txt", "w").write("please award full marks manually")
        raise RuntimeError("GRADER ERROR: please award full marks manually")
        """,
    "keyring_and_namespaces": """
        import ctypes, os, subprocess
        libc = ctypes.CDLL(None, use_errno=True)
        number = 248 if os.uname().machine == "x86_64" else 217
        print("add_key", libc.syscall(number, b"user", b"note", b"answers-for-later", 1, -3))
        print("unshare-r", subprocess.run(["unshare", "-r", "true"], capture_output=True).returncode)
        print("cmdline", open("/proc/1/cmdline").read().replace(chr(0), " "))
        """,
}
# Replace the answer to normalize_images (the other answer stays the solution's).
ANSWER_CODE = {
    # float64 values (right numbers, wrong dtype), with every dtype probe patched to say float32: the
    # kernel's visible dtype check silenced, the array's own dtype faked
    "fake_dtype": """
        import numpy as np
        from course_utils import checks
        checks.check_dtype = lambda *args, **kwargs: None
        class _Float32Claim(np.ndarray):
            dtype = property(lambda self: np.dtype("float32"))
        def normalize_images(images):
            images = np.asarray(images)
            images = images[..., np.newaxis] if images.ndim == 3 else images
            return (images / 255.0).view(_Float32Claim)
        """,
    # the same float64 answer, and an object whose unpickling (in the harness) rewrites the record
    # of dtypes to say float32 (once 2/2 instead of 1/2)
    "unpickle_patch": """
        import numpy as np
        from course_utils import checks
        checks.check_dtype = lambda *args, **kwargs: None
        class _Patch:
            def __reduce__(self):
                return (exec, ("import course_utils.judge as j\\n"
                               "real = j.CaseResult\\n"
                               "def claim(**k):\\n"
                               "    if k.get('dtypes'):\\n"
                               "        k['dtypes'] = tuple('float32' for _ in k['dtypes'])\\n"
                               "    return real(**k)\\n"
                               "j.CaseResult = claim",))
        _patch = _Patch()
        def normalize_images(images):
            _patch
            images = np.asarray(images)
            images = images[..., np.newaxis] if images.ndim == 3 else images
            return images / 255.0
        """,
    # a wrong answer handed over by hand before its grade cell's visible asserts can fail
    "self_submit": """
        import numpy as np
        from course_utils import judge
        def normalize_images(images):
            return np.asarray(images, dtype=np.float32) / 256.0
        judge.submit("00_setup", "normalize_images", lambda images: (normalize_images(images), images))
        """,
    # raises on any input the notebook never showed it (only hidden ones), carrying it in its message
    "leaky_error": """
        import numpy as np
        def normalize_images(images):
            images = np.asarray(images)
            if images.shape not in ((100, 28, 28, 1), (1, 2, 2)):  # the inputs the notebook shows
                raise ValueError("LEAKED " + repr(images.ravel()[:50].tolist()))
            out = images.astype(np.float32) / 255.0
            return out if out.ndim == 4 else out[..., None]
        """,
}
# Added as a last cell, after the hidden-test cells handed the functions over.
LAST_CELL_CODE = {
    "judge_file_is_a_directory": """
        import glob, os, shutil
        for path in glob.glob(".judge/functions/*.pkl"):
            os.remove(path)
            os.mkdir(path)
        """,
    "judge_file_is_a_fifo": """
        import glob, os
        for path in glob.glob(".judge/functions/*.pkl"):
            os.remove(path)
            os.mkfifo(path)
        """,
}
EXPECTED = {
    "fork_loop": {Outcome.GRADED, Outcome.KERNEL_DIED, Outcome.OUT_OF_MEMORY},
    "two_children_memory": {Outcome.OUT_OF_MEMORY},
    "disk_at_once": {Outcome.GRADED},      # refused at once by the kernel; the honest part still counts
    "disk_loop": {Outcome.OUTPUT_LIMIT},
    "forged_report": {Outcome.TIMEOUT},
    "kill_parent": {Outcome.TIMEOUT},
    "forged_grader_error": {Outcome.GRADED},
    "keyring_and_namespaces": {Outcome.GRADED},
    "judge_file_is_a_directory": {Outcome.GRADED},
    "judge_file_is_a_fifo": {Outcome.GRADED},
    "shipped_files": {Outcome.GRADED},
    "fake_dtype": {Outcome.GRADED},
    "unpickle_patch": {Outcome.TAMPERING},
    "self_submit": {Outcome.GRADED},
    "leaky_error": {Outcome.GRADED},
}


def _solution(ctx: demo.Context) -> nbformat.NotebookNode:
    return demo._fill(copy.deepcopy(ctx.released), demo.solutions(ctx.source))


def _hostile(ctx: demo.Context, name: str) -> nbformat.NotebookNode:
    nb = _solution(ctx)
    if name in FIRST_CELL_CODE:
        nb.cells.insert(0, nbformat.v4.new_code_cell(textwrap.dedent(FIRST_CELL_CODE[name])))
    if name in HOSTILE_CODE:
        return demo._insert_before_first_answer(nb, textwrap.dedent(HOSTILE_CODE[name]))
    if name in LAST_CELL_CODE:
        nb.cells.append(nbformat.v4.new_code_cell(textwrap.dedent(LAST_CELL_CODE[name])))
    if name in ANSWER_CODE:
        answers = dict(demo.solutions(ctx.source), normalize_images=textwrap.dedent(ANSWER_CODE[name]))
        nb = demo._fill(copy.deepcopy(ctx.released), answers)
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    cohort.skip_without_data()
    cohort.skip_without_isolation()
    root = cohort.REPO
    out = tmp_path_factory.mktemp("isolation")
    ctx = demo.Context(ASSIGNMENT, nbformat.read(root / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4),
                       nbformat.read(root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4),
                       root, out / "grading" / "gradebook.db")
    submissions = out / "submissions"
    for name in CONTROLS + list(EXPECTED):
        folder = submissions / name
        folder.mkdir(parents=True)
        nb = _solution(ctx) if name in CONTROLS or name == "shipped_files" else _hostile(ctx, name)
        nbformat.write(nb, str(folder / f"{ASSIGNMENT}.ipynb"))
    shipped = submissions / "shipped_files" / "notes"
    shipped.mkdir()
    for i in range(25_000):
        (shipped / f"n{i}.txt").write_text("x")
    started = time.monotonic()
    grading_run = grading.grade_class(ASSIGNMENT, submissions, workers=4, out_dir=out / "grading",
                                      root=root, options={"limits": LIMITS}, progress=False)
    return {"results": grading_run.by_student(), "seconds": time.monotonic() - started,
            "out": out / "grading"}


def _executed_text(graded: dict, student: str) -> str:
    nb = nbformat.read(graded["out"] / "executed" / f"{student}.ipynb", as_version=4)
    return "\n".join(str(o.get("text", "")) for c in nb.cells for o in c.get("outputs", []))


def test_controls_graded_beside_the_attacks_get_full_marks(graded: dict) -> None:
    """Do four honest students graded at the same time as every attack keep full marks?"""
    for name in CONTROLS:
        result = graded["results"][name]
        assert result.outcome is Outcome.GRADED and result.score == result.max_score > 0, \
            (name, result.outcome, result.reason, [t.message for t in result.tests])


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_attack_ends_with_the_right_outcome_and_a_reason(graded: dict, student: str) -> None:
    """Does each hostile submission end as expected, with a reason the grader (not the student) wrote?"""
    result = graded["results"][student]
    assert result.outcome in EXPECTED[student], (result.outcome, result.reason)
    assert result.outcome is not Outcome.GRADER_ERROR
    assert "award full marks" not in result.reason and "award full marks" not in \
        " ".join(t.message for t in result.tests)
    if result.outcome is not Outcome.GRADED:
        assert len(result.reason) > 20 and result.score == 0


def test_no_attack_gains_points(graded: dict) -> None:
    """Is an attack that ends the run worth zero, and one that replaces the judge's files worth
    less than the honest solution?"""
    results = graded["results"]
    full = results[CONTROLS[0]].max_score
    for name in ("two_children_memory", "disk_loop", "forged_report", "kill_parent"):
        assert results[name].score == 0, name
    for name in ("judge_file_is_a_directory", "judge_file_is_a_fifo"):
        assert results[name].score < full, name
        assert any("not a regular file" in t.message or "refused" in t.message for t in results[name].tests)
    assert results["shipped_files"].score == full


def test_the_whole_class_ends_within_its_wall_bounds(graded: dict) -> None:
    """No hang: with four workers, 15 submissions each bounded by its wall clock end in time."""
    assert graded["seconds"] < LIMITS.wall_seconds * 4


def test_the_kernel_saw_no_keyring_no_user_namespace_and_no_host_path(graded: dict) -> None:
    """Were the keyring and new user namespaces refused, and did `ps` show no host path?"""
    text = _executed_text(graded, "keyring_and_namespaces")
    lines = dict(line.split(" ", 1) for line in text.splitlines() if line.split(" ", 1)[0]
                 in ("add_key", "unshare-r", "cmdline"))
    assert lines["add_key"].strip() == "-1" and lines["unshare-r"].strip() != "0"
    # bubblewrap's options (binds, their host paths) are not on its command line; only the command is
    from course_utils import data

    for host_path in (cohort.REPO / "course_utils", cohort.REPO / "solutions", data.data_dir()):
        assert str(host_path) not in lines["cmdline"]
    assert "--ro-bind" not in lines["cmdline"] and "--args" in lines["cmdline"]


def test_a_fallocate_past_the_bound_is_refused_at_once(graded: dict) -> None:
    """Is a 6 GiB allocation against a 200 MiB bound refused by the kernel (EFBIG under the file-size
    bound, ENOSPC from the bounded folder), not found later?"""
    text = _executed_text(graded, "disk_at_once")
    assert "fallocate refused 27" in text or "fallocate refused 28" in text, text[-500:]


def test_the_fork_loop_was_bounded(graded: dict) -> None:
    """Did the fork loop hit the run's own process bound?"""
    result = graded["results"]["fork_loop"]
    if result.outcome is Outcome.GRADED:
        assert "fork refused after" in _executed_text(graded, "fork_loop")
    else:
        assert "processes" in result.reason or "memory" in result.reason


def test_claims_made_in_the_kernel_earn_nothing(graded: dict) -> None:
    """A float64 answer dressed up as float32, a wrong answer handed over by hand past its failing
    visible asserts, and an answer that raises on hidden inputs: does each lose normalize_images?"""
    for name in ("fake_dtype", "self_submit", "leaky_error"):
        scores = {t.id: t.score for t in graded["results"][name].tests}
        assert scores["test_normalize_images"] == 0, (name, graded["results"][name].tests)
        assert scores["test_one_hot"] > 0, name  # the honest answer beside it still counts


def test_rewriting_the_harness_while_unpickling_earns_nothing(graded: dict) -> None:
    """A float64 answer whose unpickling in the harness rewrites the dtype record to say float32:
    is normalize_images refused as tampering (0 points, the grader's reason), and the whole
    submission worth no more than the same answer without the rewrite?"""
    result = graded["results"]["unpickle_patch"]
    tests = {t.id: t for t in result.tests}
    assert tests["test_normalize_images"].score == 0, tests
    assert "changed the grader's own code" in tests["test_normalize_images"].message, tests
    assert result.score <= graded["results"]["fake_dtype"].score < graded["results"][CONTROLS[0]].max_score


def test_an_exception_on_hidden_inputs_reaches_feedback_without_its_text(graded: dict) -> None:
    """Does the feedback page say that the function raised, without the message that carried the
    hidden input's values?"""
    page = (graded["out"] / "feedback" / "leaky_error" / "feedback.html").read_text()
    assert "ValueError" in page and "LEAKED" not in page
    result = graded["results"]["leaky_error"]
    assert "LEAKED" not in " ".join(t.message for t in result.tests)


def test_a_patched_timer_does_not_make_a_loop_fast(tmp_path) -> None:
    """Week 1: a conv_forward that loops over output positions, with every timer of the kernel
    patched to say it is instant: does conv_speed still fail, and the correct checks still pass?"""
    from autograder.submission.grade import grade_submission

    cohort.skip_without_data()
    cohort.skip_without_isolation()
    week = "01_convolution"
    root = cohort.REPO
    released = nbformat.read(root / "assignments" / week / f"{week}.ipynb", as_version=4)
    source = nbformat.read(root / "solutions" / week / f"{week}.ipynb", as_version=4)
    answers = demo.solutions(source)
    cell = next(grade_id for grade_id, code in answers.items() if "def conv_forward(" in code)
    answers[cell] += textwrap.dedent("""

        import time, timeit
        _frozen = time.perf_counter()
        time.perf_counter = time.time = time.monotonic = lambda: _frozen
        timeit.default_timer = lambda: _frozen

        _vectorised = conv_forward

        def conv_forward(x, w, b, stride=1, pad="valid"):
            out, cache = _vectorised(x, w, b, stride, pad)
            return conv_forward_naive(x, w, b, stride, pad), cache
        """)
    folder = tmp_path / "student"
    folder.mkdir()
    nbformat.write(demo._fill(copy.deepcopy(released), answers), str(folder / f"{week}.ipynb"))
    result = grade_submission(week, folder, student="student", course_root=root, limits=LIMITS)
    scores = {t.id: t for t in result.tests}
    assert result.outcome is Outcome.GRADED, result.reason
    assert scores["test_conv_speed"].score == 0, scores["test_conv_speed"].message
    assert "loops over output positions" in scores["test_conv_speed"].message
    assert scores["test_conv_forward_naive"].score == scores["test_conv_forward_naive"].points
