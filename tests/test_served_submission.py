"""One model process per submission for served artifact checks (autograder.verdicts.served_sandbox).

Every served file of a submission is loaded by one sandboxed model process. Does a file that cannot
be loaded (damaged, refused by its check, or killing the process while it loads) fail only its own
check, whichever order the files come in, with the verdict and the message it gets when judged
alone; and does a submission of good files cost one process? The fixture's "models" are ``.npz``
arrays (``x @ w``), so no TensorFlow is started.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autograder.verdicts import artifacts, judging, served_sandbox

FIXTURE = '''"""Two served checks of two files, whose models are arrays (tests only)."""
import os

import numpy as np

from autograder.verdicts.judging import ArtifactCheck, Verdict
from autograder.verdicts.served import InProcessModel, ModelLoadError, Served, finite_outputs


def questions():
    return {"x": np.random.default_rng(3).normal(size=(16, 4)).astype("float32")}


def _load(path):
    with np.load(path, allow_pickle=False) as stored:
        w = stored["w"]
    if w.shape == (1,):
        os._exit(3)  # a model that ends its process while it loads
    if w.shape != (4, 4):
        raise ModelLoadError(f"w has shape {w.shape}, expected (4, 4)")
    return w, {"parameters": int(w.size)}


def _predict(w, name, x):
    return x @ w


def _judge(query, profile):
    x = questions()["x"]
    answers = query.ask(questions())
    if answers.error:
        return Verdict(False, f"not checked: {answers.error}")
    scores = finite_outputs(answers, "x")
    right = scores is not None and np.allclose(scores, x, atol=1e-6)
    return Verdict(right, f"{'right' if right else 'wrong'} ({answers.facts.get('parameters')} parameters)")


SERVED = Served(load=_load, predict=_predict, output_shape=lambda name, n: (n, 4), judge=_judge)


def _in_process(path, profile):
    return _judge(InProcessModel(SERVED, path), profile)


CHECKS = [ArtifactCheck(name, 1, "a served array model", f"{name}.npz", _in_process, serve=SERVED)
          for name in ("first", "second", "third")]
'''
ASSIGNMENT = "94_served_submission_fixture"
GOOD = np.eye(4, dtype="float32")


@pytest.fixture
def checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[judging.ArtifactCheck]:
    folder = tmp_path / "checks"
    folder.mkdir()
    (folder / f"{ASSIGNMENT}.py").write_text(FIXTURE)
    monkeypatch.setenv("COURSE_CHECKS_PATH", str(folder))
    return [judging.get_check(ASSIGNMENT, name) for name in ("first", "second", "third")]


@pytest.fixture
def processes(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The files of each model process started, in order."""
    started: list[list[str]] = []
    original = served_sandbox.run_model_process

    def counted(assignment, files, limits):
        started.append([file.check.path for file in files])
        return original(assignment, files, limits)

    monkeypatch.setattr(served_sandbox, "run_model_process", counted)
    return started


def _submission(folder: Path, **files: object) -> Path:
    """``<name>.npz`` per keyword: an array is saved as ``w``, bytes are written as they are."""
    folder.mkdir()
    for name, content in files.items():
        if isinstance(content, bytes):
            (folder / f"{name}.npz").write_bytes(content)
        else:
            np.savez(folder / f"{name}.npz", w=content)
    return folder


def _alone(checks: list[judging.ArtifactCheck], folder: Path) -> dict[str, judging.Verdict]:
    return {check.id: artifacts.judge_artifact_isolated(ASSIGNMENT, check, folder, profile="smoke")
            for check in checks}


def test_good_files_cost_one_model_process(tmp_path, checks, processes):
    """Do three good files get full marks from one model process, with the verdicts they get alone?"""
    folder = _submission(tmp_path / "good", first=GOOD, second=GOOD, third=GOOD * 2)
    verdicts = artifacts.judge_artifacts_isolated(ASSIGNMENT, checks, folder, profile="smoke")
    assert processes == [["first.npz", "second.npz", "third.npz"]]
    assert verdicts["first"].passed and verdicts["second"].passed and not verdicts["third"].passed
    assert verdicts["first"].message == "right (16 parameters)" and verdicts["third"].message == "wrong (16 parameters)"
    assert verdicts == _alone(checks, folder)


@pytest.mark.parametrize("damaged_first", [True, False])
def test_a_damaged_file_fails_only_its_own_check(tmp_path, checks, processes, damaged_first):
    """One damaged file (not an archive: its loading raises) beside a good one, in either order: is
    the good one judged from the shared process, and the damaged one judged again alone, each with
    its verdict and message from a run alone?"""
    damaged, good = ("first", "second") if damaged_first else ("second", "first")
    folder = _submission(tmp_path / "mixed", **{damaged: b"not an archive", good: GOOD})
    two = [c for c in checks if c.id in (damaged, good)]
    verdicts = artifacts.judge_artifacts_isolated(ASSIGNMENT, two, folder, profile="smoke")
    assert processes == [["first.npz", "second.npz"], [f"{damaged}.npz"]]
    assert verdicts[good].passed and verdicts[good].message == "right (16 parameters)"
    assert not verdicts[damaged].passed
    assert verdicts[damaged].message == (f"{damaged}: {damaged}.npz could not be checked "
                                         "(the checker could not load it).")
    assert verdicts == _alone(two, folder)


@pytest.mark.parametrize("refused_first", [True, False])
def test_a_file_its_check_refuses_fails_only_its_own_check(tmp_path, checks, processes, refused_first):
    """A file the check refuses (a broken contract) beside a good one: one process, and the refusal
    only on the refused file's check?"""
    refused, good = ("first", "second") if refused_first else ("second", "first")
    folder = _submission(tmp_path / "mixed", **{refused: np.zeros((3, 4), "float32"), good: GOOD})
    two = [c for c in checks if c.id in (refused, good)]
    verdicts = artifacts.judge_artifacts_isolated(ASSIGNMENT, two, folder, profile="smoke")
    assert processes == [["first.npz", "second.npz"]]
    assert verdicts[good].passed
    assert verdicts[refused].message == "not checked: w has shape (3, 4), expected (4, 4)"
    assert verdicts == _alone(two, folder)


def test_a_file_that_ends_the_process_leaves_the_answers_before_it(tmp_path, checks, processes):
    """A model that ends the shared process while it loads: does the file answered before it keep its
    answers (no second process for it), and the file after it get a process of its own?"""
    folder = _submission(tmp_path / "killer", first=GOOD, second=np.ones(1, "float32"), third=GOOD)
    verdicts = artifacts.judge_artifacts_isolated(ASSIGNMENT, checks, folder, profile="smoke")
    assert processes == [["first.npz", "second.npz", "third.npz"], ["second.npz"], ["third.npz"]]
    assert verdicts["first"].passed and verdicts["third"].passed and not verdicts["second"].passed
    assert verdicts == _alone(checks, folder)
