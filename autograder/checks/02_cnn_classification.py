"""Hidden checks of 02_cnn_classification: counting by hand, the confusion matrix, two saved CNNs.

Function checks call the student's counting functions on hidden layer
configurations (``_cnn_classification_functions.py``; each exercise's clauses and the
case that holds a function to each: ``_cnn_classification_contract.py``) and compare with the formulas below (Keras' own conventions:
square kernels, ``"valid"`` or ``"same"`` padding, channels last):

- ``conv_output_shape``: ``"valid"``: ``1 + (size - kernel) // stride``;
  ``"same"``: ``ceil(size / stride)``. Pooling layers follow the same rule. Any other
  padding raises ValueError (the grade cell hands back whether it did).
- ``conv_params``: ``kernel * kernel * in_channels * filters (+ filters biases)``.
- ``dense_params``: ``in_features * units (+ units biases)``.
- ``batchnorm_forward``: ``keras.layers.BatchNormalization`` in NumPy, both modes, the running
  averages returned (``_cnn_classification_batchnorm.py``).
- ``confusion_matrix``: ``C[i, j]`` counts examples of true class ``i``
  predicted as ``j`` (rows are the truth, as in scikit-learn).

Artifact checks are *served* (:mod:`autograder.verdicts.served`): ``mnist_cnn.keras`` /
``fashion_cnn.keras`` are loaded in a sandboxed model process of their own with ``safe_mode=True``
(a ``Lambda`` layer is refused), which reports the contract (one input ``(None, 28, 28, 1)`` of raw
pixels in [0, 255], output ``(N, 10)`` logits or probabilities) and the parameter count, and
returns the model's scores on the images the grader sends; the grader, which holds the labels and
never loads the model, computes the accuracy and the verdict. Evaluation always runs in float32 on
the CPU: a model trained with ``mixed_float16`` on a GPU is rebuilt with float32 layers and the same
weights first, so it grades the same on a CPU-only grader. On the public test split (no private
set), a model far better on the test images than on images it cannot have trained on gets a note
for the TA, never a change of points (:mod:`autograder.checks._memoriser`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

# References, cases and judges of the function checks; their clauses: _cnn_classification_contract.py.
from autograder.checks._cnn_classification_contract import CLAUSES
from autograder.checks._cnn_classification_batchnorm import judge_batchnorm, make_batchnorm_cases
from autograder.checks._evaluation_set import evaluation_set
from autograder.checks._cnn_classification_functions import (  # noqa: F401 - tests use these names
    CONFUSION_EDGE_CASES, CONV_PARAMS_DEFAULTS_CASES, CONV_PARAMS_EDGE_CASES, DENSE_PARAMS_DEFAULTS_CASES,
    DENSE_PARAMS_EDGE_CASES, SHAPE_DEFAULTS_CASES, SHAPE_EDGE_CASES, _confusion_cases, _conv_params_cases,
    _count_judge, _dense_params_cases, _judge_confusion, _judge_shape, _shape_cases, confusion_matrix_reference,
    conv_output_size_reference, conv_params_reference, dense_params_reference,
)
from autograder.checks import _memoriser
from autograder.verdicts.judging import ArtifactCheck, FunctionCheck, Verdict, case_seed
from autograder.verdicts.served import InProcessModel, ModelLoadError, ModelQuery, Served, finite_outputs

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
# Honest variants in smoke (benchmarks/honest_variants_cnn.py -> results/honest_variants_cnn_smoke.json,
# 2-core CPU at load ~5-15, 2026-12-07): seeds 1234, 1, 2 and build_modern_cnn(width=24 | 48) reach
# MNIST 74.6-89.4 % (margin 4.6 points, the narrow net) and Fashion-MNIST 65.6-70.2 % (margin 10.6).
# Changing the *provided* training code is another matter: RMSprop instead of the given Adam schedule
# reaches only 31-45 % (MNIST) and 40-71 % (Fashion) in smoke's 63 steps (batch norm's statistics have not
# settled), no augmentation 71 % (MNIST); the full profile was not measured for these.
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
EVALUATION_DATASETS = ["mnist", "fashion_mnist"]  # the saved models' test sets (_evaluation_set.py)


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
    """Accuracy of ``model`` (loaded in this process) on ``images`` (benchmarks, tests)."""
    return accuracy_of(_predict(model, "images", images), labels)


def accuracy_of(scores: np.ndarray | None, labels: np.ndarray) -> float:
    """Share of rows of ``scores`` (N, 10) whose largest entry is the label; 0 when any is not finite
    or the scores did not come back."""
    if scores is None or not np.all(np.isfinite(scores)):
        return 0.0
    return float(np.mean(np.argmax(scores, axis=1) == labels))


def _predict(model, name: str, images: np.ndarray) -> np.ndarray:
    """Model process: the model's scores for ``images`` (N, 28, 28, 1), float32 on the CPU (every
    question, ``name``, is a batch of images)."""
    import tensorflow as tf

    with tf.device("/CPU:0"):
        scores = model.predict(np.asarray(images, dtype=np.float32), batch_size=EVAL_BATCH_SIZE, verbose=0)
    return np.asarray(scores, dtype=np.float32)


def _load(path: Path) -> tuple[Any, dict[str, Any]]:
    """Model process: the saved classifier (its float32 twin) and its parameter count; a broken
    contract is a :class:`ModelLoadError` that says what is wrong."""
    from course_utils import training

    try:
        model = training.load_artifact(path, compile=False)
    except training.ArtifactError as exc:
        raise ModelLoadError(str(exc)) from None
    problem = _contract_problem(model)
    if problem:
        raise ModelLoadError(problem)
    return _float32_twin(model), {"parameters": int(model.count_params())}


def judge_answers(model: ModelQuery, profile: str, *, dataset: str, check_id: str, path_name: str) -> Verdict:
    """Grader: contract, budget and test accuracy from the model process's answers (module doc);
    on the public split, a TA note when the model looks trained on it (``_memoriser``)."""
    bar = BARS[profile][dataset]
    label = f"[{profile} profile]"
    limit = "all" if profile == "full" else SMOKE_TEST_EXAMPLES
    images, labels, source = evaluation_set(dataset, limit)
    held = _memoriser.held_back(dataset, profile) if source == "test images" else None
    batch, order = images, np.arange(len(images))
    if held is not None:  # one batch, the scored and the held-back images in an order drawn with the secret
        order = np.random.default_rng(case_seed(ASSIGNMENT, check_id)).permutation(len(images) + len(held[1]))
        batch = np.concatenate([images, held[0]])[order]
    answers = model.ask({"images": batch})
    scores = finite_outputs(answers, "images")
    if scores is not None:
        scores = scores[np.argsort(order)]  # back in the order sent: the scored images first
    if answers.error:
        return Verdict(False, f"{check_id}: {answers.error}")
    if answers.call_error("images"):
        return Verdict(False, f"{check_id}: calling the model on test images failed ({answers.call_error('images')}).")
    parameters = int(answers.facts.get("parameters", MAX_PARAMETERS + 1))
    if parameters > MAX_PARAMETERS:
        return Verdict(False, f"{check_id}: the model has {parameters:,} parameters, over the budget of "
                              f"{MAX_PARAMETERS:,}. Use convolutions and global pooling instead of wide "
                              "fully connected layers.")
    accuracy = accuracy_of(None if scores is None else scores[:len(labels)], labels)
    where = f"on {len(labels):,} {dataset} {source}"
    if accuracy >= bar:
        note = "" if held is None else _memoriser.note(
            accuracy, len(labels), accuracy_of(scores[len(labels):], held[1]), dataset, profile)
        return Verdict(True, f"{check_id}: {label} test accuracy {accuracy:.2%} {where} "
                             f"(bar {bar:.1%}), {parameters:,} parameters.", ta_note=note)
    other = OTHER_DATASET[dataset]
    other_images, other_labels, _ = evaluation_set(other, limit)
    hints = model.ask({"scaled": images / 255.0, "other": other_images})
    hint = ""
    if accuracy_of(finite_outputs(hints, "scaled"), labels) >= bar:
        hint = (" It does reach the bar on pixels scaled to [0, 1]: the grader feeds raw pixels in "
                "[0, 255], so put a Rescaling(1 / 255) layer at the start of the model.")
    else:
        other_accuracy = accuracy_of(finite_outputs(hints, "other"), other_labels)
        if other_accuracy >= BARS[profile][other]:
            hint = (f" It scores {other_accuracy:.2%} on {other} test images: this looks like your {other} "
                    f"model saved as {path_name}; save each model to the file its cell names.")
    return Verdict(False, f"{check_id}: {label} test accuracy {accuracy:.2%} {where} is below the bar "
                          f"of {bar:.1%}.{hint}")


def _served(dataset: str, check_id: str, path_name: str) -> Served:
    def judge(model: ModelQuery, profile: str) -> Verdict:
        return judge_answers(model, profile, dataset=dataset, check_id=check_id, path_name=path_name)

    return Served(load=_load, predict=_predict, output_shape=lambda name, n: (n, NUM_CLASSES), judge=judge)


def judge_classifier(path: Path, profile: str, *, dataset: str, check_id: str) -> Verdict:
    """Judge a saved classifier loaded in this process (instructor tools, tests; the grader serves it:
    :mod:`autograder.verdicts.served`)."""
    served = _served(dataset, check_id, path.name)
    return served.judge(InProcessModel(served, path), profile)


def _artifact_judge(dataset: str, check_id: str):
    def judge(path: Path, profile: str) -> Verdict:
        return judge_classifier(path, profile, dataset=dataset, check_id=check_id)

    return judge


CHECKS = [
    FunctionCheck(
        id="conv_output_shape", points=2,
        description="output size of a conv/pooling layer on hidden configurations",
        make_cases=_shape_cases,
        judge=_judge_shape,
        clauses=CLAUSES["conv_output_shape"],
    ),
    FunctionCheck(
        id="conv_params", points=2,
        description="parameters of a Conv2D layer on hidden configurations",
        make_cases=_conv_params_cases,
        judge=_count_judge("conv_params", conv_params_reference,
                           "Each filter sees every input channel, and has one bias when use_bias is True."),
        clauses=CLAUSES["conv_params"],
    ),
    FunctionCheck(
        id="dense_params", points=1,
        description="parameters of a Dense layer on hidden configurations",
        make_cases=_dense_params_cases,
        judge=_count_judge("dense_params", dense_params_reference,
                           "Count one weight per (input, unit) pair, plus one bias per unit when use_bias."),
        clauses=CLAUSES["dense_params"],
    ),
    FunctionCheck(
        id="batchnorm_forward", points=3,
        description="batch normalisation in NumPy, both modes and the running averages, on hidden batches",
        make_cases=make_batchnorm_cases,
        judge=judge_batchnorm,
        clauses=CLAUSES["batchnorm_forward"],
    ),
    FunctionCheck(
        id="confusion_matrix", points=2,
        description="confusion matrix counts on hidden labels",
        make_cases=_confusion_cases,
        judge=_judge_confusion,
        clauses=CLAUSES["confusion_matrix"],
    ),
    ArtifactCheck(
        id="mnist_cnn", points=4, path="mnist_cnn.keras",
        description="saved MNIST CNN: contract, parameter budget, test accuracy",
        judge=_artifact_judge("mnist", "mnist_cnn"), serve=_served("mnist", "mnist_cnn", "mnist_cnn.keras"),
    ),
    ArtifactCheck(
        id="fashion_cnn", points=4, path="fashion_cnn.keras",
        description="saved Fashion-MNIST CNN: contract, parameter budget, test accuracy",
        judge=_artifact_judge("fashion_mnist", "fashion_cnn"),
        serve=_served("fashion_mnist", "fashion_cnn", "fashion_cnn.keras"),
    ),
]
