"""Do accuracy, accuracy under attack and the fooling rate count what they claim?"""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import metrics, models

keras = pytest.importorskip("keras")


@pytest.fixture(scope="module")
def pixel_model():
    """A linear model whose class is decided by the brightness of pixel 0 alone."""
    kernel = np.zeros((784, 2), dtype="float32")
    kernel[0] = [-10.0, 10.0]
    return models.build_linear_classifier(kernel, np.array([5.0, -5.0], dtype="float32"))


def images(first_pixels):
    x = np.zeros((len(first_pixels), 28, 28, 1), dtype="float32")
    x[:, 0, 0, 0] = first_pixels
    return x


def test_accuracy_counts_correct_predictions_across_batches(pixel_model):
    x = images([0.0, 1.0, 0.9, 0.1, 0.8])  # classes 0, 1, 1, 0, 1
    labels = np.array([0, 1, 0, 0, 1])
    assert metrics.accuracy(pixel_model, x, labels, batch_size=2) == pytest.approx(0.8)


def test_accuracy_under_attack_calls_the_attack_per_eps(pixel_model):
    x, labels = images([0.2, 0.3, 0.9]), np.array([0, 0, 1])

    def brighten(model, batch, y, eps):
        return np.clip(batch + eps, 0, 1)

    curve = metrics.accuracy_under_attack(pixel_model, brighten, x, labels, [0.0, 0.25, 0.5], batch_size=2)
    np.testing.assert_allclose(curve, [1.0, 2 / 3, 1 / 3])


def test_fooling_rate_counts_changed_predictions_and_clips(pixel_model):
    x = images([0.1, 0.4, 0.8, 1.0])
    delta = np.zeros((28, 28, 1), dtype="float32")
    assert metrics.fooling_rate(pixel_model, x, delta) == 0.0
    delta[0, 0, 0] = 0.3  # 0.1 -> 0.4 stays class 0; 0.4 -> 0.7 flips; 0.8 and 1.0 (clipped) stay 1
    assert metrics.fooling_rate(pixel_model, x, delta) == pytest.approx(0.25)
