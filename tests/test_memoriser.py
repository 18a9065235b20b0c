"""The memoriser flag: a model trained on the public test split it is scored on gets a note for the
TA (never points); honest models, and models judged on a private set, get none."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest

from autograder.checks import _memoriser
from autograder.pages.attention import needs_attention
from autograder.records.results import Outcome, SubmissionResult
from autograder.verdicts import served

checks = importlib.import_module("autograder.checks.02_cnn_classification")


def _data_ready() -> bool:
    from course_utils import data

    return data.is_prepared("mnist")


needs_data = pytest.mark.skipif(not _data_ready(), reason="MNIST is not prepared: run `course data prepare`")


class Oracle:
    """A model that knows the labels of the images in ``known`` (by their pixels) and answers class 0
    for any other image: the scored test images only (a memoriser), or those and the held-back ones."""

    def __init__(self, known: tuple[str, ...]) -> None:
        from course_utils import data

        sources = {"test": data.load_numpy("mnist", "test", limit=checks.SMOKE_TEST_EXAMPLES),
                   "held_back": _memoriser.held_back("mnist", "smoke")}
        self.labels = {image.tobytes(): label for name in known for image, label in zip(*sources[name])}
        self.asked: list[list[str]] = []

    def ask(self, inputs: dict[str, np.ndarray]) -> served.Answers:
        self.asked.append(sorted(inputs))
        self.sizes = [len(batch) for batch in inputs.values()]
        outputs = {name: np.eye(10, dtype=np.float32)[[self.labels.get(image.astype(np.uint8).tobytes(), 0)
                                                        for image in batch]] for name, batch in inputs.items()}
        return served.Answers({"parameters": 1000}, outputs)


def _judge(model) -> "checks.Verdict":
    return checks.judge_answers(model, "smoke", dataset="mnist", check_id="mnist_cnn", path_name="mnist_cnn.keras")


@needs_data
def test_a_model_that_knows_only_the_scored_images_keeps_its_points_and_is_flagged():
    """Right on the scored test images only: full marks (the flag never takes points) and a TA note?"""
    verdict = _judge(Oracle(("test",)))
    assert verdict.passed and verdict.score_fraction == 1.0
    assert "possible memoriser" in verdict.ta_note and "memoriser" not in verdict.message


@needs_data
def test_a_model_as_good_on_held_back_images_is_not_flagged():
    """Right on the test and the held-back images alike (an honest model): no note?"""
    verdict = _judge(Oracle(("test", "held_back")))
    assert verdict.passed and verdict.ta_note == ""


@needs_data
def test_on_a_private_set_nothing_is_probed_or_flagged(tmp_path, monkeypatch):
    """With COURSE_EVAL_DIR the scored images are private: only they are sent, and no note is written."""
    from course_utils import data

    images, labels = data.load_numpy("mnist", "test", limit=checks.SMOKE_TEST_EXAMPLES)
    np.savez(tmp_path / "mnist.npz", images=images, labels=labels)
    monkeypatch.setenv("COURSE_EVAL_DIR", str(tmp_path))
    oracle = Oracle(("test",))
    verdict = _judge(oracle)
    assert verdict.passed and verdict.ta_note == "" and oracle.asked == [["images"]] and oracle.sizes == [500]


def test_the_flag_is_a_line_for_the_ta_in_needs_attention(tmp_path: Path):
    """Does a result's TA note reach the report's attention list, costing nothing?"""
    result = SubmissionResult("s001", "02_cnn_classification", Outcome.GRADED, ta_notes=["mnist_cnn: possible memoriser"])
    flags = needs_attention([result], tmp_path)
    assert [(f.kind, f.cost) for f in flags] == [("possible memoriser", "nothing: flagged for review")]


def _mlp(images: np.ndarray, labels: np.ndarray, epochs: int):
    """A small dense network trained on ``images`` (fast on a CPU; the kind a memoriser would train)."""
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten(),
                              keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(images, labels, epochs=epochs, batch_size=32, verbose=0)
    return model


@pytest.mark.slow
@needs_data
def test_a_network_trained_on_the_scored_images_is_flagged_and_one_trained_honestly_is_not(tmp_path):
    """Real models, judged as the grader judges them: a network trained on the 500 scored test images
    (100 % there) is flagged with its points kept; the same network trained on 2,000 training images
    is not."""
    from course_utils import data

    test_images, test_labels = data.load_numpy("mnist", "test", limit=checks.SMOKE_TEST_EXAMPLES)
    train_images, train_labels = data.load_numpy("mnist", "train", limit=2_000)
    for name, (images, labels), flagged in (("memoriser", (test_images, test_labels), True),
                                            ("honest", (train_images, train_labels), False)):
        path = tmp_path / f"{name}.keras"
        _mlp(images, labels, epochs=30).save(path)
        verdict = checks.judge_classifier(path, "smoke", dataset="mnist", check_id="mnist_cnn")
        assert verdict.passed, (name, verdict.message)
        assert bool(verdict.ta_note) is flagged, (name, verdict.ta_note)
