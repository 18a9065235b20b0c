"""Does the course's evaluation classifier load, classify MNIST as recorded, and do the
sample-quality measures behave as their definitions say?"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from course_utils import data, evaluation

needs_mnist = pytest.mark.skipif(not data.is_prepared("mnist"), reason="MNIST is not prepared: run "
                                 "`course data prepare` (make test does).")


@pytest.fixture(scope="module")
def test_images():
    images, labels = data.load_numpy("mnist", "test", limit="all")
    return np.asarray(images, np.float32)[:2000] / np.float32(255.0), np.asarray(labels)[:2000]


def test_the_shipped_weights_are_the_recorded_ones():
    """Is the weights file the one its record describes (checksum, size under 5 MB, a rebuild command)?"""
    info = evaluation.classifier_info()
    content = evaluation.CLASSIFIER_PATH.read_bytes()
    assert hashlib.sha256(content).hexdigest() == info["sha256"]
    assert len(content) < 5 * 2**20
    assert info["rebuild"] == "course models build" and info["test_accuracy"] >= 0.985


@needs_mnist
def test_classifier_accuracy_matches_its_record(test_images):
    images, labels = test_images
    probabilities = evaluation.class_probabilities(images)
    assert probabilities.shape == (len(images), 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)
    assert np.mean(probabilities.argmax(axis=1) == labels) >= 0.98


@needs_mnist
def test_features_have_the_documented_shape(test_images):
    assert evaluation.classifier_features(test_images[0][:7]).shape == (7, 128)


def test_frechet_distance_of_gaussians_is_the_closed_form():
    """Same covariance, means apart by d: the distance is |d|^2; a set against itself: 0."""
    rng = np.random.default_rng(0)
    a = rng.normal(size=(20000, 3))
    shift = np.array([1.0, -2.0, 0.5])
    assert evaluation.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-9)
    assert evaluation.frechet_distance(a, a + shift) == pytest.approx(np.sum(shift ** 2), rel=1e-6)
    # N(0, I) vs N(0, 4 I) in 3-D: tr(I + 4I - 2 * 2I) = 3
    assert evaluation.frechet_distance(a, 2 * rng.normal(size=(20000, 3))) == pytest.approx(3.0, rel=0.05)


def test_frechet_distance_refuses_mismatched_features():
    with pytest.raises(ValueError, match=r"\(N, D\)"):
        evaluation.frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))


@needs_mnist
def test_classifier_fid_ranks_real_digits_above_noise_and_blur(test_images):
    """Real digits vs other real digits: small; vs noise or a blurred copy: far larger."""
    images, _ = test_images
    real = evaluation.classifier_fid(images[:1000], images[1000:])
    noise = evaluation.classifier_fid(np.random.default_rng(0).uniform(size=(1000, 28, 28, 1)), images[1000:])
    blurred = (images[:1000] + np.roll(images[:1000], 2, axis=1) + np.roll(images[:1000], 2, axis=2)) / 3
    assert real < evaluation.classifier_fid(blurred, images[1000:]) < noise
    assert real < 0.1 * noise


@needs_mnist
def test_classifier_score_spans_one_to_ten(test_images):
    """Real digits of all classes score near 10; a single repeated digit scores 1."""
    images, labels = test_images
    assert evaluation.classifier_score(images) > 9.0
    assert evaluation.classifier_score(np.repeat(images[:1], 200, axis=0)) == pytest.approx(1.0, abs=1e-6)
    assert evaluation.classifier_score(images[labels == 3]) < 1.2


def test_images_outside_the_unit_range_are_refused_with_a_hint():
    with pytest.raises(ValueError, match=r"\(x \+ 1\) / 2"):
        evaluation.classifier_features(-np.ones((2, 28, 28, 1)))
