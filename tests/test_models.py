"""Do the course's reference classifiers compute what their docstrings say, and do they
survive the trip through plain weight arrays (the only way into a grading sandbox)?"""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import models

keras = pytest.importorskip("keras")


def test_linear_classifier_computes_flatten_times_kernel_plus_bias():
    rng = np.random.default_rng(0)
    kernel, bias = rng.normal(size=(784, 10)).astype("float32"), rng.normal(size=10).astype("float32")
    x = rng.uniform(size=(3, 28, 28, 1)).astype("float32")
    logits = np.asarray(models.build_linear_classifier(kernel, bias)(x))
    np.testing.assert_allclose(logits, x.reshape(3, -1) @ kernel + bias, rtol=1e-4, atol=1e-4)


def test_linear_classifier_refuses_wrong_shapes():
    with pytest.raises(ValueError, match="kernel"):
        models.build_linear_classifier(np.zeros((100, 10)), np.zeros(10))


def test_small_cnn_has_the_documented_size_and_output():
    model = models.build_small_cnn(seed=1)
    assert model.count_params() == 34_826
    assert model.output_shape == (None, 10)


def test_small_cnn_seed_fixes_the_initial_weights():
    first, second = models.build_small_cnn(seed=3), models.build_small_cnn(seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(first.get_weights(), second.get_weights()))


@pytest.mark.parametrize("filters", [(32, 64), (4, 6)])
def test_a_small_cnn_rebuilt_from_its_arrays_gives_the_same_logits(filters):
    model = models.build_small_cnn(filters, seed=5)
    rebuilt = models.classifier_from_weights(models.small_cnn_weights(model))
    x = np.random.default_rng(1).uniform(size=(4, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(np.asarray(rebuilt(x)), np.asarray(model(x)), rtol=1e-6, atol=1e-6)


def test_linear_weights_rebuild_a_linear_model():
    model = models.classifier_from_weights({"kernel": np.ones((784, 3)), "bias": np.zeros(3)})
    assert model.output_shape == (None, 3) and len(model.get_weights()) == 2


def test_unknown_weight_names_are_refused_with_the_expected_names():
    with pytest.raises(ValueError, match="conv1_kernel"):
        models.classifier_from_weights({"w": np.zeros((784, 10))})
