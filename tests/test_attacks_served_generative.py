"""Attacks on weeks 5 and 6's served artifact checks: can code in a saved generator or denoiser
read the grader's data or token?

The fixture module below holds the real served checks of ``dcgan_generator`` (week 6) and
``denoising_ae`` (week 5), and registers a layer that stands in for a Keras safe-mode bypass.
Where the model loads, it hunts the verdict token (the checker's ``send`` closure) and, found,
writes signed forged verdicts; where the model is called, it hunts clean MNIST test images (on
the call stack: the grader's locals; else through the course's data) and returns them: replayed
test digits have the real data's FID and score, and a novelty of about 1; returned by a denoiser
they are its targets. The control shows the attack is real: judged in one process with the data
(what the model process never is) it gets full marks on both. Served, it gets nothing; honest
models (a generator replaying other test digits, a linear denoiser fitted in closed form) keep full
marks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import attack_payloads

from autograder.verdicts import artifacts, judging
from course_utils import data

pytestmark = pytest.mark.slow

if not data.is_prepared("mnist"):
    pytest.skip("MNIST is not prepared: run `course data prepare` (make test does).", allow_module_level=True)

THIEF_CHECKS = '''"""Week 6's DCGAN and week 5's denoiser checks, served, and a layer that steals data (tests only)."""
import gc, importlib, json, os, sys, types

import keras
import numpy as np

from autograder.verdicts.judging import ArtifactCheck

gans = importlib.import_module("autograder.checks.06_gans")
autoencoders = importlib.import_module("autograder.checks.05_autoencoders")
FORGED_CHECKS = ('dcgan_generator', 'denoising_ae')


def _images_on_stack():
    """Every array of MNIST-shaped images in the locals of the frames on the call stack."""
    frame, found = sys._getframe(), []
    while frame is not None:
        found += [v for v in list(frame.f_locals.values()) if isinstance(v, np.ndarray) and v.ndim == 4
                  and v.shape[1:] == (28, 28, 1) and v.dtype.kind == "f"]
        frame = frame.f_back
    return found


def _clean(images):
    """Whether ``images`` look like clean test images: on the 1/255 grid of the stored pixels."""
    head = images[:100].astype(np.float64)
    return head.min() >= 0 and head.max() <= 1 and np.allclose(head * 255.0, np.round(head * 255.0), atol=1e-3)


def _steal(batch):
    """The clean test images for ``batch`` (N, ...): from the stack (at the batch's offset in the grader's
    full input array, when one is there), else the first N from the course's data; None when neither."""
    arrays = _images_on_stack()
    clean = [a for a in arrays if _clean(a)]
    if clean:
        for pool in (a for a in arrays if not _clean(a) and len(a) == len(clean[0])):
            hits = np.flatnonzero(np.all(pool.reshape(len(pool), -1) == batch[0].reshape(-1), axis=1))
            if len(hits):
                return clean[0][hits[0]:hits[0] + len(batch)].astype("float32")
        return clean[0][:len(batch)].astype("float32")
    try:
        from course_utils import data
        images, _ = data.load_numpy("mnist", "test", limit=len(batch))
        return images.astype("float32") / 255.0
    except Exception:
        return None


''' + attack_payloads.FORGE_WITH_TOKEN + '''


@keras.saving.register_keras_serializable(package="thief")
class Thief(keras.layers.Layer):
    """Passes its images (N, 28, 28, 1) through, unless it finds clean test images to return instead."""

    def call(self, images):
        if images.shape[0] is None:  # traced while the model is built or saved
            return images
        stolen = _steal(keras.ops.convert_to_numpy(images))
        return images if stolen is None else keras.ops.convert_to_tensor(stolen)

    @classmethod
    def from_config(cls, config):
        _forge_with_token()
        return cls(**config)


CHECKS = [ArtifactCheck("dcgan_generator", 4, "served DCGAN", "dcgan_generator.keras", gans.judge_dcgan,
                        serve=gans.DCGAN_SERVED),
          ArtifactCheck("denoising_ae", 2, "served denoiser", "denoising_ae.keras", autoencoders.judge_denoising,
                        serve=autoencoders.DENOISING_SERVED)]
'''
ASSIGNMENT = "94_thief_fixture"


@pytest.fixture
def thief_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[judging.ArtifactCheck]:
    folder = tmp_path / "checks"
    folder.mkdir()
    (folder / f"{ASSIGNMENT}.py").write_text(THIEF_CHECKS)
    monkeypatch.setenv("COURSE_CHECKS_PATH", str(folder))
    return [judging.get_check(ASSIGNMENT, name) for name in ("dcgan_generator", "denoising_ae")]


def _mnist(split: str, limit: int) -> np.ndarray:
    images, _ = data.load_numpy("mnist", split, limit=limit)
    return images.astype(np.float32) / 255.0


def _save_attacker(folder: Path) -> Path:
    """A DCGAN of grey images and the identity as denoiser, each ending in a Thief."""
    import keras

    from course_utils import training

    thief = judging._module_from_checks_path(ASSIGNMENT).Thief  # registered here too
    z = keras.Input((32,))
    grey = keras.layers.Dense(784, activation="sigmoid", kernel_initializer="zeros")(z)
    training.save_artifact(keras.Model(z, thief()(keras.layers.Reshape((28, 28, 1))(grey))),
                           folder / "dcgan_generator.keras")
    image = keras.Input((28, 28, 1))
    training.save_artifact(keras.Model(image, thief()(image)), folder / "denoising_ae.keras")
    return folder


def _save_honest(folder: Path) -> Path:
    """A generator replaying held-out test digits 5,000-6,999 (benchmarks/gans_bars.py's; not the
    grader's first 1,000) and a linear denoiser fitted in closed form on 5,000 training images."""
    import importlib.util

    import keras

    from course_utils import training

    spec = importlib.util.spec_from_file_location("gans_bars", Path(__file__).resolve().parents[1] / "benchmarks" /
                                                  "gans_bars.py")
    bars = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bars)
    test = _mnist("test", 7000)
    training.save_artifact(bars.replaying_generator(test[5000:]), folder / "dcgan_generator.keras")
    clean = _mnist("train", 5000).reshape(-1, 784).astype(np.float64)
    noisy = np.clip(clean + 0.5 * np.random.default_rng(3).normal(size=clean.shape), 0.0, 1.0)
    design = np.hstack([noisy, np.ones((len(noisy), 1))])
    weights = np.linalg.solve(design.T @ design + np.eye(785), design.T @ clean)
    image = keras.Input((28, 28, 1))
    dense = keras.layers.Dense(784)
    model = keras.Model(image, keras.layers.Reshape((28, 28, 1))(dense(keras.layers.Flatten()(image))))
    dense.set_weights([weights[:784].astype(np.float32), weights[784].astype(np.float32)])
    training.save_artifact(model, folder / "denoising_ae.keras")
    return folder


def test_a_served_generator_or_denoiser_that_hunts_the_data_and_the_token_gets_nothing(tmp_path, thief_checks):
    """Served, does the thief get 0 on both checks (no token, no clean image in its reach), while in
    one process beside the data it gets full marks on both (the attack is real), and do the honest
    models keep full marks served?"""
    attacker = _save_attacker(tmp_path / "attacker")
    for check in thief_checks:  # the control: loaded where the grader's data is
        verdict = check.judge(attacker / check.path, "smoke")
        assert verdict.passed, verdict
    verdicts = artifacts.judge_artifacts_isolated(ASSIGNMENT, thief_checks, attacker, profile="smoke")
    assert "score is low" in verdicts["dcgan_generator"].message, verdicts
    assert "above the bar" in verdicts["denoising_ae"].message, verdicts
    for verdict in verdicts.values():
        assert not verdict.passed and verdict.score_fraction == 0.0 and "forged" not in verdict.message, verdict
    honest = _save_honest(tmp_path / "honest")
    for verdict in artifacts.judge_artifacts_isolated(ASSIGNMENT, thief_checks, honest, profile="smoke").values():
        assert verdict.passed and verdict.score_fraction == 1.0 and "forged" not in verdict.message, verdict
