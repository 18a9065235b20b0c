"""Week 3's ``robust_cnn`` served (autograder.checks._adversarial_robust, issue 28).

The saved model is loaded only in sandboxed model processes; the grader computes every accuracy.
Does a model get the verdict, word for word, that the former checker gave it (the numbers of
``robust_measurements`` on the live model, then ``robust_verdict``): an adversarially fine-tuned CNN
passes, the course's undefended hidden CNN fails at eps = 0.1, a damaged file fails with its
loader's words? And what does the grader send: the first process gets the evaluation images and
nothing else; the labels go only to the FGSM process, and only once the clean bar is reached.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest

from autograder.verdicts import artifacts, judging, served, served_sandbox
from course_utils import data

if not data.is_prepared("mnist"):
    pytest.skip("MNIST is not prepared: run `course data prepare` (make test does).", allow_module_level=True)

ASSIGNMENT = "03_adversarial"
robust = importlib.import_module("autograder.checks._adversarial_robust")
checks_03 = importlib.import_module("autograder.checks.03_adversarial")


# --------------------------------------------------------------------------- what the grader sends
class Recorder:
    """A :class:`~autograder.verdicts.served.ModelQuery` that keeps every question and answers from the
    grader's own labels: right scores on clean images, right (or wrong, ``robust=False``) under FGSM."""

    def __init__(self, *, clean_right: bool = True, robust: bool = True, probabilities: bool = False) -> None:
        self.asked: list[dict[str, np.ndarray]] = []
        self.clean_right, self.robust, self.probabilities = clean_right, robust, probabilities

    def _scores(self, labels: np.ndarray, right: bool) -> np.ndarray:
        scores = np.eye(10, dtype="float32")[labels if right else (labels + 1) % 10]
        return scores if self.probabilities else scores * 10.0

    def ask(self, inputs: dict[str, np.ndarray]) -> served.Answers:
        self.asked.append({name: np.array(batch) for name, batch in inputs.items()})
        labels = robust.robust_eval_data("smoke")[1]
        outputs = {}
        for name, batch in inputs.items():
            if name == robust.CLEAN:
                outputs[name] = self._scores(labels, self.clean_right)
            elif name == robust.RAW:
                outputs[name] = self._scores(labels, True)  # right on raw pixels: the hint applies
            else:
                outputs[name] = np.tile(self._scores(labels[:len(batch)], self.robust), (1, 2))
        return served.Answers({}, outputs)


def test_the_first_question_holds_the_images_and_no_label():
    """Is the first question the evaluation images alone, as float32 in [0, 1]; do the labels go only
    into the FGSM question (pixels, then the label, per row); and is the verdict the grader's?"""
    images, labels = robust.robust_eval_data("smoke")
    query = Recorder()
    verdict = robust.ROBUST_SERVED.judge(query, "smoke")
    first, second = query.asked
    assert list(first) == [robust.CLEAN] and first[robust.CLEAN].dtype == np.float32
    assert first[robust.CLEAN].shape == (len(images), 28, 28, 1) and np.array_equal(first[robust.CLEAN], images)
    count = robust.ROBUST_ATTACK_IMAGES["smoke"]
    attack = second[robust.FGSM]
    assert list(second) == [robust.FGSM] and attack.shape == (count, 785)
    assert np.array_equal(attack[:, 784], labels[:count]) and np.array_equal(attack[:, :784].reshape(-1, 28, 28, 1),
                                                                             images[:count])
    assert verdict.passed and "clean 100.00%, under FGSM at eps = 0.1 100.00%" in verdict.message, verdict


def test_probabilities_are_attacked_as_probabilities_and_wrong_answers_count():
    """A model that returns probabilities (told from the first 64 clean rows, in the grader) is asked
    ``fgsm_probabilities``; answers wrong under attack fail the eps = 0.1 bar with the usual words."""
    query = Recorder(robust=False, probabilities=True)
    verdict = robust.ROBUST_SERVED.judge(query, "smoke")
    assert [list(asked) for asked in query.asked] == [[robust.CLEAN], [robust.FGSM_PROBABILITIES]]
    assert not verdict.passed and "under FGSM at eps = 0.1 0.00%" in verdict.message
    assert "must keep at least 71% at eps = 0.1" in verdict.message, verdict


def test_below_the_clean_bar_no_label_leaves_the_grader():
    """Under the clean bar there is no FGSM question; the hint's question is the images times 255."""
    images, _ = robust.robust_eval_data("smoke")
    query = Recorder(clean_right=False)
    verdict = robust.ROBUST_SERVED.judge(query, "smoke")
    assert [list(asked) for asked in query.asked] == [[robust.CLEAN], [robust.RAW]]
    assert np.array_equal(query.asked[1][robust.RAW], images * 255.0)
    assert verdict.message == ("robust_cnn: [smoke profile] clean test accuracy 0.00% on 2,000 MNIST test images is "
                               "below the bar of 70%. It does reach the bar on raw pixels in [0, 255]: in this "
                               "assignment models take pixels scaled to [0, 1] (no Rescaling layer).")


def test_scores_that_are_not_numbers_count_wrong():
    """A row with a NaN is a wrong answer, whatever its arg-max; scores that did not come back are all wrong."""
    labels = np.array([0, 1, 2])
    scores = np.eye(10, dtype="float32")[labels]
    scores[1, 5] = np.nan
    assert robust._accuracy(scores, labels) == pytest.approx(2 / 3)
    assert robust._accuracy(None, labels) == 0.0


# --------------------------------------------------------------------------- through the sandbox (slow: a model is fine-tuned)
@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Folders holding ``robust_cnn.keras``: the course's hidden CNN (clean-trained, not robust: 70.2 % at
    eps = 0.1 on the smoke images, under the 71 % bar) and a copy fine-tuned for two epochs on FGSM
    examples (eps = 0.25) of 2,048 training images (74.1 % and 27.8 %: it passes); a damaged file."""
    import keras

    root = tmp_path_factory.mktemp("robust")
    folders = {name: root / name for name in ("plain", "robust", "damaged")}
    for folder in folders.values():
        folder.mkdir()
    model = checks_03.hidden_cnn()
    model.save(folders["plain"] / "robust_cnn.keras")
    x, y = checks_03.mnist_slice("train", 0, 2_048)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    for _ in range(2):
        for start in range(0, len(x), 64):
            batch, batch_labels = x[start:start + 64], y[start:start + 64]
            attacked = checks_03.fgsm_reference(model, batch, batch_labels, 0.25)
            model.train_on_batch(np.concatenate([batch, attacked]), np.concatenate([batch_labels, batch_labels]))
    model.save(folders["robust"] / "robust_cnn.keras")
    (folders["damaged"] / "robust_cnn.keras").write_bytes(b"not a zip archive")
    return folders


@pytest.fixture
def processes(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, np.ndarray]]:
    """The questions of each model process started, in order."""
    started: list[dict[str, np.ndarray]] = []
    original = served_sandbox.run_model_process

    def counted(assignment, files, limits):
        started.extend(file.questions for file in files)
        return original(assignment, files, limits)

    monkeypatch.setattr(served_sandbox, "run_model_process", counted)
    return started


def _graded(folder: Path) -> judging.Verdict:
    check = judging.get_check(ASSIGNMENT, "robust_cnn")
    return artifacts.judge_artifacts_isolated(ASSIGNMENT, [check], folder, profile="smoke")["robust_cnn"]


@pytest.mark.slow
@pytest.mark.parametrize("name, passes", [("robust", True), ("plain", False)])
def test_a_served_model_gets_the_checkers_verdict(submissions, processes, name, passes):
    """Graded through the sandbox, does each model get, word for word, the verdict of the former
    checker's measurement in one process; the first process the images only, the second the labels?"""
    from course_utils import training

    verdict = _graded(submissions[name])
    model = training.load_artifact(submissions[name] / "robust_cnn.keras", compile=False)
    former = robust.robust_verdict(robust.robust_measurements(model, "smoke"), "smoke")
    assert verdict == former and verdict.passed is passes, (verdict, former)
    assert not passes or verdict.message.endswith("(FGSM on the first 2,000 test images).")
    assert passes or "must keep at least 71% at eps = 0.1" in verdict.message
    assert [list(questions) for questions in processes] == [[robust.CLEAN], [robust.FGSM]]


@pytest.mark.slow
def test_a_damaged_file_fails_with_its_loaders_words(submissions, processes):
    """A file that is not a model: one process, no FGSM question, the loader's words (as in one process)."""
    verdict = _graded(submissions["damaged"])
    alone = checks_03.judge_robust_cnn(submissions["damaged"] / "robust_cnn.keras", "smoke")
    assert not verdict.passed and verdict.score_fraction == 0.0
    assert verdict.message.startswith("robust_cnn: ") and " could not be read (ValueError: not a zip archive)" in verdict.message
    assert verdict.message.split(" could not be read")[1] == alone.message.split(" could not be read")[1]
    assert [list(questions) for questions in processes] == [[robust.CLEAN]]
