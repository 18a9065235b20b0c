"""Hidden checks of 02_cnn_classification: counting by hand, the confusion matrix, two saved CNNs.

Function checks call the student's counting functions on hidden layer
configurations and compare with the formulas below (Keras' own conventions:
square kernels, ``"valid"`` or ``"same"`` padding, channels last):

- ``conv_output_shape``: ``"valid"``: ``1 + (size - kernel) // stride``;
  ``"same"``: ``ceil(size / stride)``. Pooling layers follow the same rule.
- ``conv_params``: ``kernel * kernel * in_channels * filters (+ filters biases)``.
- ``dense_params``: ``in_features * units (+ units biases)``.
- ``confusion_matrix``: ``C[i, j]`` counts examples of true class ``i``
  predicted as ``j`` (rows are the truth, as in scikit-learn).

Artifact checks load ``mnist_cnn.keras`` / ``fashion_cnn.keras`` in a fresh
process with ``safe_mode=True`` (a ``Lambda`` layer is refused), check the
contract (one input ``(None, 28, 28, 1)`` of raw pixels in [0, 255], output
``(N, 10)`` logits or probabilities), the parameter budget, and the accuracy
on the test split. Evaluation always runs in float32 on the CPU: a model trained
with ``mixed_float16`` on a GPU is rebuilt with float32 layers and the same
weights first, so it grades the same on a CPU-only grader.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from autograder.judging import ArtifactCheck, Cases, FunctionCheck, Verdict
from course_utils.judge import CaseResult

ASSIGNMENT = "02_cnn_classification"

# --------------------------------------------------------------------------- bars
# The bars for the full profile (whole 10,000-image test split). The
# issue asks the reference to reach >= 99.3 % and >= 92.5 %. Measured with the
# notebook's own code (benchmarks/reference_accuracy.py: build_modern_cnn, 132 k
# parameters, CPU, benchmarks/results/cnn_reference_full_*.json): MNIST 99.41 %
# in 10 epochs (margin 0.41 points); Fashion-MNIST 92.53 % with up to 30 epochs
# (early stopping kept epoch 19 of 23; margin 1.53 points). Shorter recipes fell
# short of the 92.5 % target: 92.21 % in 15 epochs, 91.64 % with shifts added
# to the flips (benchmarks/results/cnn_reference_full_fashion_mnist_*.json).
FULL_BARS: dict[str, float] = {"mnist": 0.990, "fashion_mnist": 0.910}
# Smoke profile (2,000 training images, 2 epochs, the first 500 test images):
# labelled, lower bars. Calibrated on the 2-core course machine: the reference
# reached 88.0 % (MNIST) and 69.0 % (Fashion-MNIST) on those 500 images
# (benchmarks/results/cnn_reference_smoke_*.json); an untrained model scores
# ~10 %. The bars keep a wide margin for run-to-run and machine differences.
SMOKE_BARS: dict[str, float] = {"mnist": 0.70, "fashion_mnist": 0.55}
BARS: dict[str, dict[str, float]] = {"full": FULL_BARS, "smoke": SMOKE_BARS}
SMOKE_TEST_EXAMPLES = 500  # the smoke profile's default test subset (course_utils.data.SMOKE_LIMITS)
# Parameter budget of a submitted model: room for every model of the notebook
# (modern CNN 132 k, LeNet-5 62 k) and for the classic Keras MNIST example
# (conv32-conv64-dense128, 1.2 M), not for a wide fully connected network.
MAX_PARAMETERS = 1_500_000
INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
EVAL_BATCH_SIZE = 500
# A model below its bar is also scored on the other dataset: two saved models swapped is a classic slip.
OTHER_DATASET = {"mnist": "fashion_mnist", "fashion_mnist": "mnist"}


# --------------------------------------------------------------------------- references
def conv_output_size_reference(input_size: int, kernel_size: int, stride: int = 1, padding: str = "valid") -> int:
    """Output size along one axis of a Keras conv or pooling layer (square kernels)."""
    if padding == "valid":
        return 1 + (input_size - kernel_size) // stride
    if padding == "same":
        return math.ceil(input_size / stride)
    raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")


def conv_params_reference(kernel_size: int, in_channels: int, filters: int, use_bias: bool = True) -> int:
    """Trainable parameters of ``Conv2D(filters, kernel_size)`` on ``in_channels`` channels."""
    return kernel_size * kernel_size * in_channels * filters + (filters if use_bias else 0)


def dense_params_reference(in_features: int, units: int, use_bias: bool = True) -> int:
    """Trainable parameters of ``Dense(units)`` on ``in_features`` inputs."""
    return in_features * units + (units if use_bias else 0)


def confusion_matrix_reference(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """``(num_classes, num_classes)`` counts, rows = true class, columns = predicted class."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)), 1)
    return matrix


# --------------------------------------------------------------------------- cases
# Hidden cases = the fixed ones below (always present, whatever COURSE_JUDGE_SECRET is: the
# grade cells' visible asserts, then one line per classic mistake they catch) + random ones.
# The grade cells pass an optional argument only when a case has it, and the *_DEFAULTS cases
# leave some out, so the notebook's defaults (stride=1, padding="valid", use_bias=True) are
# judged too: whatever the secret, a changed default fails.
SHAPE_EDGE_CASES: list[tuple[int, int, int, str]] = [
    (28, 5, 1, "valid"), (28, 5, 1, "same"), (13, 3, 2, "same"),  # the visible asserts
    (7, 7, 1, "valid"),      # kernel = input: 1, the "+ 1" of VALID
    (13, 2, 2, "valid"),     # (13 - 2) / 2 = 5.5: floor division, not a float
    (224, 11, 4, "valid"),   # AlexNet's conv1: 54
    (9, 1, 3, "valid"),      # kernel smaller than stride
    (10, 3, 4, "same"),      # stride > kernel under SAME: ceil(10 / 4) = 3
    (15, 2, 2, "same"),      # even kernel, stride 2: symmetric (K - 1) // 2 padding gives 7, not 8
    (28, 4, 1, "same"),      # even kernel, stride 1: symmetric padding loses a pixel (27, not 28)
    (14, 3, 3, "same"),      # 14 / 3 rounds up to 5 (floor gives 4)
]
SHAPE_DEFAULTS_CASES: list[dict[str, Any]] = [  # arguments left out take the notebook's defaults
    {"input_size": 28, "kernel_size": 5},                      # stride 1, "valid": 24
    {"input_size": 13, "kernel_size": 3, "stride": 2},         # "valid": 6 ("same" would give 7)
    {"input_size": 10, "kernel_size": 3, "padding": "same"},   # stride 1: 10
]
CONV_PARAMS_EDGE_CASES: list[tuple[int, int, int, bool]] = [
    (5, 1, 6, True), (5, 6, 16, True), (3, 64, 128, False),  # the visible asserts
    (1, 32, 8, True),        # 1x1 kernel: the kernel area is not the channel count
    (11, 3, 96, True),       # AlexNet's conv1: 34,944
    (3, 16, 4, True),        # in_channels != filters: one bias per filter, not per input channel
    (7, 5, 2, False),        # no bias, C_in != C_out
]
CONV_PARAMS_DEFAULTS_CASES: list[dict[str, Any]] = [{"kernel_size": 3, "in_channels": 8, "filters": 4}]  # 292

DENSE_PARAMS_EDGE_CASES: list[tuple[int, int, bool]] = [
    (400, 120, True), (128, 10, False),  # the visible asserts
    (84, 10, True),          # LeNet-5's output layer
    (9216, 4096, True),      # AlexNet's fc6: 37,752,832
    (10, 84, True),          # in_features < units: one bias per unit, not per input
]
DENSE_PARAMS_DEFAULTS_CASES: list[dict[str, Any]] = [{"in_features": 50, "units": 7}]  # with bias: 357



def _shape_cases(rng: np.random.Generator) -> Cases:
    """SHAPE_EDGE_CASES and SHAPE_DEFAULTS_CASES, then 16 random layer configurations."""
    cases = [{"input_size": n, "kernel_size": k, "stride": s, "padding": p} for n, k, s, p in SHAPE_EDGE_CASES]
    cases += [dict(case) for case in SHAPE_DEFAULTS_CASES]
    for _ in range(16):
        size = int(rng.integers(5, 65))
        kernel = int(rng.integers(1, min(size, 8) + 1))
        cases.append({"input_size": size, "kernel_size": kernel, "stride": int(rng.integers(1, 5)),
                      "padding": str(rng.choice(["valid", "same"]))})
    return cases


def _conv_params_cases(rng: np.random.Generator) -> Cases:
    """CONV_PARAMS_EDGE_CASES and CONV_PARAMS_DEFAULTS_CASES, then 10 random layers."""
    cases = [{"kernel_size": k, "in_channels": c, "filters": f, "use_bias": b}
             for k, c, f, b in CONV_PARAMS_EDGE_CASES]
    cases += [dict(case) for case in CONV_PARAMS_DEFAULTS_CASES]
    for _ in range(10):
        cases.append({"kernel_size": int(rng.choice([1, 3, 5, 7])), "in_channels": int(rng.integers(1, 257)),
                      "filters": int(rng.integers(1, 257)), "use_bias": bool(rng.integers(0, 2))})
    return cases


def _dense_params_cases(rng: np.random.Generator) -> Cases:
    """DENSE_PARAMS_EDGE_CASES and DENSE_PARAMS_DEFAULTS_CASES, then 8 random layers."""
    cases = [{"in_features": n, "units": u, "use_bias": b} for n, u, b in DENSE_PARAMS_EDGE_CASES]
    cases += [dict(case) for case in DENSE_PARAMS_DEFAULTS_CASES]
    for _ in range(8):
        cases.append({"in_features": int(rng.integers(1, 5000)), "units": int(rng.integers(1, 1000)),
                      "use_bias": bool(rng.integers(0, 2))})
    return cases


# (y_true, y_pred, num_classes); each catches the mistake named beside it.
CONFUSION_EDGE_CASES: list[tuple[list[int], list[int], int]] = [
    ([0, 0, 1, 2], [0, 1, 1, 1], 3),                   # the visible assert: rows are the truth
    ([0, 0, 0, 1, 1, 2], [0, 0, 0, 1, 1, 2], 3),       # repeated pairs: matrix[t, p] += 1 counts them once
    ([0, 1, 2, 0, 1, 2], [0, 0, 0, 1, 1, 1], 3),       # class 2 never predicted: its column stays 0
    ([3, 3, 1, 0], [1, 3, 0, 0], 5),                   # classes 2 and 4 absent everywhere: 5x5, not 4x4 or 3x3
    ([2, 0, 2, 0], [0, 2, 2, 2], 3),                   # labels {0, 2} only: indices are labels, not ranks
]


def _confusion_cases(rng: np.random.Generator) -> Cases:
    """CONFUSION_EDGE_CASES, then random and skewed predictions; one with a class that never occurs."""
    cases = [{"y_true": np.asarray(t, dtype=np.int64), "y_pred": np.asarray(p, dtype=np.int64), "num_classes": k}
             for t, p, k in CONFUSION_EDGE_CASES]
    for n, k in [(50, 3), (200, 10), (7, 4)]:
        y_true = rng.integers(0, k, size=n)
        y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, k, size=n))
        cases.append({"y_true": y_true.astype(np.int64), "y_pred": y_pred.astype(np.int64), "num_classes": k})
    y_true = rng.integers(0, 4, size=30)  # class 4 never appears: its row and column stay zero
    cases.append({"y_true": y_true, "y_pred": (y_true + 1) % 4, "num_classes": 5})
    return cases


# --------------------------------------------------------------------------- judges
def _scalar(result: CaseResult) -> float | None:
    """The single number a counting function returned, or None when it returned something else."""
    if result.outputs is None or len(result.outputs) != 1 or result.outputs[0].size != 1:
        return None
    return float(result.outputs[0].reshape(()))


def _describe(case: dict[str, Any]) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in case.items())


def _count_judge(check_id: str, reference, hint: str):
    """A judge comparing one integer per case with ``reference(**case)``; the message names the inputs."""

    def judge(cases: Cases, results: list[CaseResult]) -> Verdict:
        for case, result in zip(cases, results):
            value = _scalar(result)
            if value is None:
                return Verdict(False, f"{check_id}({_describe(case)}) must return one integer.")
            if value != reference(**case):
                return Verdict(False, f"{check_id}({_describe(case)}) returned {value:g}, which is not "
                                      f"right. {hint}")
        return Verdict(True, f"{check_id}: correct on {len(cases)} hidden layer configurations.")

    return judge


def _judge_confusion(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        expected = confusion_matrix_reference(**case)
        output = result.outputs[0] if result.outputs and len(result.outputs) == 1 else None
        if output is None or output.shape != expected.shape:
            shape = None if output is None else output.shape
            return Verdict(False, f"confusion_matrix: expected a ({case['num_classes']}, "
                                  f"{case['num_classes']}) array for num_classes={case['num_classes']}, "
                                  f"got shape {shape}.")
        if not np.array_equal(output, expected):
            hint = (" Rows must be the true classes and columns the predictions."
                    if np.array_equal(output, expected.T) else "")
            return Verdict(False, f"confusion_matrix: wrong counts on a hidden case with "
                                  f"{len(case['y_true'])} labels.{hint}")
    return Verdict(True, f"confusion_matrix: correct on {len(cases)} hidden cases.")


# --------------------------------------------------------------------------- artifacts
def _float32_twin(model):
    """``model`` itself when it computes in float32, else a float32 rebuild with the same weights.

    mixed_float16 keeps variables in float32 and only computes in float16; the
    rebuild swaps every layer's dtype policy for float32 and copies the weights.
    """
    import keras

    layers = model._flatten_layers(include_self=False, recursive=True)
    if all(layer.dtype_policy.compute_dtype == "float32" for layer in layers):
        return model

    def to_float32(node: Any) -> Any:
        if isinstance(node, dict):
            if node.get("class_name") in ("DTypePolicy", "FloatDTypePolicy"):
                return {**node, "config": {**node["config"], "name": "float32"}}
            return {key: to_float32(value) for key, value in node.items()}
        if isinstance(node, list):
            return [to_float32(value) for value in node]
        if node in ("mixed_float16", "mixed_bfloat16", "float16", "bfloat16"):
            return "float32"
        return node

    config = to_float32(keras.saving.serialize_keras_object(model))
    twin = keras.saving.deserialize_keras_object(config, safe_mode=True)
    twin.set_weights([np.asarray(w, dtype=np.float32) if np.issubdtype(np.asarray(w).dtype, np.floating)
                      else np.asarray(w) for w in model.get_weights()])
    return twin


def _contract_problem(model) -> str | None:
    """Why ``model`` breaks the input/output contract, or None when it keeps it."""
    import keras

    if not isinstance(model, keras.Model):
        return f"the file holds a {type(model).__name__}, not a Keras model."
    inputs = list(getattr(model, "inputs", None) or [])
    if len(inputs) != 1:
        return f"the model must have exactly one input, it has {len(inputs)}."
    shape = tuple(inputs[0].shape)[1:]
    if len(shape) != 3 or any(d is not None and d != want for d, want in zip(shape, INPUT_SHAPE)):
        return f"the model's input shape is {(None, *shape)}; it must take (None, 28, 28, 1) images."
    import tensorflow as tf

    with tf.device("/CPU:0"):
        output = model(np.zeros((2, *INPUT_SHAPE), dtype=np.float32), training=False)
    output = np.asarray(output)
    if output.shape != (2, NUM_CLASSES):
        return (f"for 2 images the model returned shape {output.shape}; it must return (2, 10): "
                "one logit or probability per class.")
    return None


def _accuracy(model, images: np.ndarray, labels: np.ndarray) -> float:
    import tensorflow as tf

    with tf.device("/CPU:0"):
        scores = model.predict(images.astype(np.float32), batch_size=EVAL_BATCH_SIZE, verbose=0)
    scores = np.asarray(scores, dtype=np.float64)
    if not np.all(np.isfinite(scores)):
        return 0.0
    return float(np.mean(np.argmax(scores, axis=1) == labels))


def judge_classifier(path: Path, profile: str, *, dataset: str, check_id: str) -> Verdict:
    """Load a saved classifier safely and check contract, budget and test accuracy (see module doc)."""
    from course_utils import data, training

    bar = BARS[profile][dataset]
    label = f"[{profile} profile]"
    try:
        model = training.load_artifact(path, compile=False)
    except training.ArtifactError as exc:
        return Verdict(False, f"{check_id}: {exc}")
    problem = _contract_problem(model)
    if problem:
        return Verdict(False, f"{check_id}: {problem}")
    parameters = int(model.count_params())
    if parameters > MAX_PARAMETERS:
        return Verdict(False, f"{check_id}: the model has {parameters:,} parameters, over the budget of "
                              f"{MAX_PARAMETERS:,}. Use convolutions and global pooling instead of wide "
                              "fully connected layers.")
    model = _float32_twin(model)
    limit = "all" if profile == "full" else SMOKE_TEST_EXAMPLES
    images, labels = data.load_numpy(dataset, "test", limit=limit)
    accuracy = _accuracy(model, images, labels)
    where = f"on {len(labels):,} {dataset} test images"
    if accuracy >= bar:
        return Verdict(True, f"{check_id}: {label} test accuracy {accuracy:.2%} {where} "
                             f"(bar {bar:.1%}), {parameters:,} parameters.")
    hint = ""
    if _accuracy(model, images / 255.0, labels) >= bar:
        hint = (" It does reach the bar on pixels scaled to [0, 1]: the grader feeds raw pixels in "
                "[0, 255], so put a Rescaling(1 / 255) layer at the start of the model.")
    else:  # the other dataset is loaded only when its score can still explain the failure
        other = OTHER_DATASET[dataset]
        other_accuracy = _accuracy(model, *data.load_numpy(other, "test", limit=limit))
        if other_accuracy >= BARS[profile][other]:
            hint = (f" It scores {other_accuracy:.2%} on {other} test images: this looks like your {other} "
                    f"model saved as {path.name}; save each model to the file its cell names.")
    return Verdict(False, f"{check_id}: {label} test accuracy {accuracy:.2%} {where} is below the bar "
                          f"of {bar:.1%}.{hint}")


def _artifact_judge(dataset: str, check_id: str):
    def judge(path: Path, profile: str) -> Verdict:
        return judge_classifier(path, profile, dataset=dataset, check_id=check_id)

    return judge


CHECKS = [
    FunctionCheck(
        id="conv_output_shape", points=2,
        description="output size of a conv/pooling layer on hidden configurations",
        make_cases=_shape_cases,
        judge=_count_judge("conv_output_shape", conv_output_size_reference,
                           "Check the + 1 of 'valid' padding and that 'same' padding rounds up."),
    ),
    FunctionCheck(
        id="conv_params", points=2,
        description="parameters of a Conv2D layer on hidden configurations",
        make_cases=_conv_params_cases,
        judge=_count_judge("conv_params", conv_params_reference,
                           "Each filter sees every input channel, and has one bias when use_bias is True."),
    ),
    FunctionCheck(
        id="dense_params", points=1,
        description="parameters of a Dense layer on hidden configurations",
        make_cases=_dense_params_cases,
        judge=_count_judge("dense_params", dense_params_reference,
                           "Count one weight per (input, unit) pair, plus one bias per unit when use_bias."),
    ),
    FunctionCheck(
        id="confusion_matrix", points=2,
        description="confusion matrix counts on hidden labels",
        make_cases=_confusion_cases,
        judge=_judge_confusion,
    ),
    ArtifactCheck(
        id="mnist_cnn", points=4, path="mnist_cnn.keras",
        description="saved MNIST CNN: contract, parameter budget, test accuracy",
        judge=_artifact_judge("mnist", "mnist_cnn"),
    ),
    ArtifactCheck(
        id="fashion_cnn", points=4, path="fashion_cnn.keras",
        description="saved Fashion-MNIST CNN: contract, parameter budget, test accuracy",
        judge=_artifact_judge("fashion_mnist", "fashion_cnn"),
    ),
]
