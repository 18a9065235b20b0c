"""Questions about judging a student's saved file (autograder.verdicts.artifacts)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.verdicts import artifacts, checker_process, judging
from autograder.isolation import sandbox
from autograder.verdicts.checker_process import UntrustedFileError, copy_untrusted
from autograder.isolation.sandbox import Limits

FIXTURE_CHECKS = Path(__file__).resolve().parent / "fixtures" / "fixture_course" / "checks"


@pytest.fixture(autouse=True)
def fixture_checks(monkeypatch):
    monkeypatch.setenv("COURSE_CHECKS_PATH", str(FIXTURE_CHECKS))


def judge(assignment: str, check_id: str, folder: Path):
    return artifacts.judge_artifact_isolated(assignment, judging.get_check(assignment, check_id), folder,
                                             profile="smoke")


def test_copy_refuses_links_anywhere_on_the_path(tmp_path):
    """Can a link planted by student code make the grader read one of its own files?"""
    root = tmp_path / "sandbox"
    (root / "real").mkdir(parents=True)
    os.symlink("/etc", root / "linked_dir")
    os.symlink("/etc/hostname", root / "real" / "file.npz")
    for relative in ("linked_dir/hostname", "real/file.npz", "../outside", "/etc/hostname"):
        with pytest.raises(UntrustedFileError):
            copy_untrusted(root, relative, tmp_path / "copy", 1024)


def test_copy_refuses_files_over_the_cap(tmp_path):
    """Is a file over the size cap refused rather than read?"""
    (tmp_path / "big.npz").write_bytes(b"0" * 2048)
    with pytest.raises(UntrustedFileError, match="limit"):
        copy_untrusted(tmp_path, "big.npz", tmp_path / "copy.npz", 1024)


def test_npz_artifact_is_judged_in_a_fresh_process(tmp_path):
    """Does a right .npz pass and a wrong or missing one fail with plain words?"""
    np.savez(tmp_path / "weights.npz", w=np.arange(3.0))
    assert judge("99_fixture", "weights", tmp_path).passed
    np.savez(tmp_path / "weights.npz", w=np.zeros(3))
    wrong = judge("99_fixture", "weights", tmp_path)
    assert not wrong.passed and "w = [0, 1, 2]" in wrong.message
    (tmp_path / "weights.npz").unlink()
    missing = judge("99_fixture", "weights", tmp_path)
    assert not missing.passed and "missing" in missing.message


def test_pickled_npz_is_not_unpickled(tmp_path):
    """Is an .npz holding a pickled object refused (allow_pickle=False), not executed?"""
    np.savez(tmp_path / "weights.npz", w=np.array([{"evil": 1}], dtype=object))
    verdict = judge("99_fixture", "weights", tmp_path)
    assert not verdict.passed and "Traceback" not in verdict.message


@pytest.mark.slow
def test_keras_model_with_a_lambda_layer_is_refused(tmp_path):
    """Is a .keras file carrying Python code (a Lambda layer) refused with a plain reason,
    while a model of standard layers is accepted?"""
    import keras

    inputs = keras.Input((3,))
    plain = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    plain.save(tmp_path / "model.keras")
    assert judge("98_keras_fixture", "model", tmp_path).passed

    hidden_code = keras.layers.Lambda(lambda t: t * 2)(keras.layers.Dense(2)(inputs))
    keras.Model(inputs, hidden_code).save(tmp_path / "model.keras")
    verdict = judge("98_keras_fixture", "model", tmp_path)
    assert not verdict.passed
    assert "Lambda layer" in verdict.message and "refuses to load" in verdict.message
    assert "safe_mode=False" not in verdict.message


PROBE = """
import json, os, sys
import autograder.verdicts.judging, course_utils.training
print(json.dumps({"solutions": os.path.exists("/opt/course/solutions"),
                  "repository_files": sorted(os.listdir("/opt/course")),
                  "secret": "COURSE_JUDGE_SECRET" in os.environ}))
"""


@pytest.mark.skipif(sandbox.isolation_mode() != "bwrap", reason="the checker's file view needs bubblewrap")
def test_the_artifact_checker_sees_only_its_packages_and_no_secret(tmp_path, monkeypatch):
    """Does the checker's sandbox hold the checks and course_utils but not solutions/, the rest of the
    repository or the judge secret (a model that broke out of safe mode would find nothing)?"""
    monkeypatch.setenv("COURSE_JUDGE_SECRET", "this term's secret")
    box, env = checker_process.checker_sandbox(tmp_path)
    run = box.run([sys.executable, "-c", PROBE], env=env, limits=Limits(), wall_seconds=120,
                  memory_bytes=2 * 2**30)
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen == {"solutions": False, "repository_files": ["autograder", "course_utils"], "secret": False}


BATCH_CHECKS = '''"""Three artifact checks of one submission, for the batched checker (tests only)."""
import os
from pathlib import Path

import numpy as np

from autograder.verdicts.judging import ArtifactCheck, Verdict

PROCESS = os.urandom(6).hex()  # drawn once per checker process (pids are all alike in a sandbox)

def _holds(name, value):
    def judge(path: Path, profile: str) -> Verdict:
        with np.load(path, allow_pickle=False) as saved:
            ok = name in saved.files and np.array_equal(saved[name], value)
        return Verdict(ok, f"{name}: {'right' if ok else 'wrong'} (process {PROCESS})")
    return judge


def _dies(path: Path, profile: str) -> Verdict:
    if np.load(path, allow_pickle=False)["x"].item() == 13:
        os._exit(3)  # the checker process dies on this file
    return Verdict(True, "crash: survived")


CHECKS = [
    ArtifactCheck("first", 1, "first.npz", "first.npz", _holds("a", np.arange(3.0))),
    ArtifactCheck("crash", 1, "crash.npz", "crash.npz", _dies),
    ArtifactCheck("second", 1, "second.npz", "second.npz", _holds("b", np.ones(2))),
]
'''


@pytest.fixture
def batch_checks(tmp_path, monkeypatch):
    folder = tmp_path / "checks"
    folder.mkdir()
    (folder / "97_batch_fixture.py").write_text(BATCH_CHECKS)
    monkeypatch.setenv("COURSE_CHECKS_PATH", str(folder))
    return [judging.get_check("97_batch_fixture", name) for name in ("first", "crash", "second")]


def _pid(message: str) -> str:
    return message.rsplit("(process ", 1)[-1]


def test_a_submissions_artifacts_are_judged_in_one_process_with_the_verdicts_of_one_each(tmp_path, batch_checks):
    """Are all of one submission's artifacts judged by one checker process (TensorFlow loads
    once), each with the verdict it gets alone: right, wrong and missing files alike?"""
    work = tmp_path / "submission"
    work.mkdir()
    np.savez(work / "first.npz", a=np.arange(3.0))
    np.savez(work / "crash.npz", x=np.array(1))
    np.savez(work / "second.npz", b=np.zeros(2))  # wrong
    batched = artifacts.judge_artifacts_isolated("97_batch_fixture", batch_checks, work, profile="smoke")
    alone = {c.id: judge("97_batch_fixture", c.id, work) for c in batch_checks}
    assert {k: v.passed for k, v in batched.items()} == {k: v.passed for k, v in alone.items()} == {
        "first": True, "crash": True, "second": False}
    assert _pid(batched["first"].message) == _pid(batched["second"].message)  # one process
    assert _pid(alone["first"].message) != _pid(alone["second"].message)
    (work / "first.npz").unlink()
    missing = artifacts.judge_artifacts_isolated("97_batch_fixture", batch_checks, work, profile="smoke")
    assert not missing["first"].passed and "missing" in missing["first"].message


def test_a_checker_that_dies_in_the_batch_costs_no_other_file_its_verdict(tmp_path, batch_checks):
    """When the shared checker dies on one file, is every file without a verdict judged alone,
    so the others keep theirs and the fatal one gets the plain 'could not be checked'?"""
    work = tmp_path / "submission"
    work.mkdir()
    np.savez(work / "first.npz", a=np.arange(3.0))
    np.savez(work / "crash.npz", x=np.array(13))
    np.savez(work / "second.npz", b=np.ones(2))
    verdicts = artifacts.judge_artifacts_isolated("97_batch_fixture", batch_checks, work, profile="smoke")
    assert verdicts["first"].passed and verdicts["second"].passed
    assert not verdicts["crash"].passed and "could not be checked" in verdicts["crash"].message
    assert _pid(verdicts["first"].message) != _pid(verdicts["second"].message)  # the second, judged again alone
