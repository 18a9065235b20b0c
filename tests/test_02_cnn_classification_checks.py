"""Do the hidden checks of 02_cnn_classification pass right answers and fail plausible mistakes?

Function checks run through the instructor-mode judge (``run_function_check_inline``),
exactly as the source notebook's grade cells do. Artifact checks are judged on real
``.keras`` files: the reference modern CNN, trained for the smoke profile (2,000
images, 2 epochs) by the solution notebook's own code in a subprocess, and models
that break the contract on purpose.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.verdicts import judging

ASSIGNMENT = "02_cnn_classification"
ROOT = Path(__file__).resolve().parents[1]
checks = importlib.import_module(f"autograder.checks.{ASSIGNMENT}")


# --------------------------------------------------------------------------- function checks
def conv_output_shape(input_size, kernel_size, stride=1, padding="valid"):
    if padding == "valid":
        return 1 + (input_size - kernel_size) // stride
    if padding == "same":
        return -(-input_size // stride)
    raise ValueError(padding)


def conv_params(kernel_size, in_channels, filters, use_bias=True):
    return kernel_size * kernel_size * in_channels * filters + (filters if use_bias else 0)


def dense_params(in_features, units, use_bias=True):
    return in_features * units + (units if use_bias else 0)


def confusion_matrix(y_true, y_pred, num_classes):
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    for t, p in zip(y_true, y_pred):
        matrix[t, p] += 1
    return matrix


def batchnorm_forward(x, gamma, beta, running_mean, running_var, momentum=0.99, eps=1e-3, training=True):
    axes = tuple(range(x.ndim - 1))
    mean, var = (x.mean(axis=axes), x.var(axis=axes)) if training else (running_mean, running_var)
    new_mean = momentum * running_mean + (1 - momentum) * mean if training else running_mean
    new_var = momentum * running_var + (1 - momentum) * var if training else running_var
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, new_mean, new_var


def blank(**kwargs):
    raise NotImplementedError()


def as_graded(shape_function):
    """``shape_function`` handed over as the grade cell hands conv_output_shape over: ``(1, 0)`` when it
    raises ValueError (a padding other than "valid" or "same" must), else ``(0, its value)``."""
    def graded(**case):
        try:
            return 0, shape_function(**case)
        except ValueError:
            return 1, 0
    return graded


RIGHT = {"conv_output_shape": as_graded(conv_output_shape), "conv_params": conv_params,
         "dense_params": dense_params, "confusion_matrix": confusion_matrix, "batchnorm_forward": batchnorm_forward}

MISTAKES = {
    "conv_output_shape": {
        "valid without + 1": lambda input_size, kernel_size, stride=1, padding="valid": (
            (input_size - kernel_size) // stride if padding == "valid" else -(-input_size // stride)),
        "same rounds down": lambda input_size, kernel_size, stride=1, padding="valid": (
            conv_output_shape(input_size, kernel_size, stride, "valid") if padding == "valid"
            else input_size // stride),
        "padding ignored": lambda input_size, kernel_size, stride=1, padding="valid": (
            conv_output_shape(input_size, kernel_size, stride, "valid")),
        "no ValueError for another padding": lambda input_size, kernel_size, stride=1, padding="valid": (
            conv_output_shape(input_size, kernel_size, stride, "valid" if padding == "valid" else "same")),
    },
    "conv_params": {
        "biases forgotten": lambda kernel_size, in_channels, filters, use_bias=True: (
            kernel_size * kernel_size * in_channels * filters),
        "input channels forgotten": lambda kernel_size, in_channels, filters, use_bias=True: (
            kernel_size * kernel_size * filters + (filters if use_bias else 0)),
        "bias always counted": lambda kernel_size, in_channels, filters, use_bias=True: (
            conv_params(kernel_size, in_channels, filters, True)),
    },
    "dense_params": {
        "biases forgotten": lambda in_features, units, use_bias=True: in_features * units,
        "bias per input": lambda in_features, units, use_bias=True: (
            in_features * units + (in_features if use_bias else 0)),
    },
    "confusion_matrix": {
        "transposed": lambda y_true, y_pred, num_classes: confusion_matrix(y_true, y_pred, num_classes).T,
        "size from the labels seen": lambda y_true, y_pred, num_classes: confusion_matrix(
            y_true, y_pred, int(max(np.max(y_true), np.max(y_pred))) + 1),
        "normalised rows": lambda y_true, y_pred, num_classes: (
            confusion_matrix(y_true, y_pred, num_classes)
            / np.maximum(confusion_matrix(y_true, y_pred, num_classes).sum(1, keepdims=True), 1)),
    },
}


@pytest.mark.parametrize("check_id", sorted(RIGHT))
def test_function_check_accepts_reference(check_id):
    """Does each function check pass a correct implementation?"""
    verdict = judging.run_function_check_inline(ASSIGNMENT, check_id, RIGHT[check_id])
    assert verdict.passed, verdict.message


@pytest.mark.parametrize("check_id", sorted(RIGHT))
def test_function_check_rejects_blank(check_id):
    """Does the released stub (raise NotImplementedError) get zero?"""
    verdict = judging.run_function_check_inline(ASSIGNMENT, check_id, blank)
    assert not verdict.passed and "NotImplementedError" in verdict.message


@pytest.mark.parametrize("check_id,mistake", [(c, m) for c in MISTAKES for m in MISTAKES[c]])
def test_function_check_rejects_plausible_mistake(check_id, mistake):
    """Is each classic mistake (forgotten bias, off-by-one, transposed matrix...) caught?"""
    fn = MISTAKES[check_id][mistake]
    verdict = judging.run_function_check_inline(ASSIGNMENT, check_id, as_graded(fn) if check_id == "conv_output_shape"
                                                else fn)
    assert not verdict.passed, f"{check_id} accepted the mistake {mistake!r}"


def test_batchnorm_reference_agrees_with_keras():
    """Is the hidden check's batch-norm reference keras.layers.BatchNormalization, in both modes, on every
    fixed case and a few random ones (outputs and the moving averages the layer keeps)?"""
    import keras

    from autograder.checks._cnn_classification_batchnorm import (DEFAULT_EPS, DEFAULT_MOMENTUM, batchnorm_reference,
                                                                 make_batchnorm_cases)

    for case in make_batchnorm_cases(np.random.default_rng(0)):
        layer = keras.layers.BatchNormalization(momentum=case.get("momentum", DEFAULT_MOMENTUM),
                                                epsilon=case.get("eps", DEFAULT_EPS), dtype="float64")
        layer.build(case["x"].shape)
        layer.set_weights([case["gamma"], case["beta"], case["running_mean"], case["running_var"]])
        out = np.asarray(layer(case["x"], training=case.get("training", True)))
        expected = batchnorm_reference(**case)
        for got, truth in zip((out, layer.moving_mean, layer.moving_variance), expected):
            assert np.allclose(np.asarray(got), truth, rtol=1e-10, atol=1e-12)


def test_transposed_confusion_matrix_gets_a_hint():
    """Does a transposed confusion matrix get told which way round rows go?"""
    verdict = judging.run_function_check_inline(ASSIGNMENT, "confusion_matrix",
                                                MISTAKES["confusion_matrix"]["transposed"])
    assert "Rows must be the true classes" in verdict.message


def test_counting_references_agree_with_keras():
    """Do the hidden references give Keras' own output sizes and parameter counts?"""
    from keras import layers

    rng = np.random.default_rng(0)
    for case in checks._shape_cases(rng):  # an argument a case leaves out takes Keras's default too
        options = {"strides": case.get("stride", 1), "padding": case.get("padding", "valid")}
        if options["padding"] not in ("valid", "same"):  # must raise ValueError, as Keras does
            with pytest.raises(ValueError):
                layers.Conv2D(2, case["kernel_size"], **options)
            with pytest.raises(ValueError):
                checks.conv_output_size_reference(**case)
            continue
        layer = layers.Conv2D(2, case["kernel_size"], **options)
        size = case["input_size"]
        expected = layer.compute_output_shape((1, size, size, 1))[1]
        assert checks.conv_output_size_reference(**case) == expected, case
        pool = layers.MaxPooling2D(case["kernel_size"], **options)
        assert checks.conv_output_size_reference(**case) == pool.compute_output_shape((1, size, size, 1))[1]
    for case in checks._conv_params_cases(rng)[:8]:
        layer = layers.Conv2D(case["filters"], case["kernel_size"], use_bias=case.get("use_bias", True))
        layer.build((None, 16, 16, case["in_channels"]))
        assert checks.conv_params_reference(**case) == layer.count_params(), case
    for case in checks._dense_params_cases(rng)[:6]:
        layer = layers.Dense(case["units"], use_bias=case.get("use_bias", True))
        layer.build((None, case["in_features"]))
        assert checks.dense_params_reference(**case) == layer.count_params(), case


# --------------------------------------------------------------------------- bars
def test_full_profile_bars_are_the_issues():
    """Are the full-profile bars MNIST >= 99.0 % and Fashion-MNIST >= 91.0 %, budget 1.5 M?"""
    assert checks.BARS["full"] == {"mnist": 0.990, "fashion_mnist": 0.910}
    assert checks.MAX_PARAMETERS == 1_500_000
    for dataset, bar in checks.BARS["smoke"].items():
        assert 0.1 < bar < checks.BARS["full"][dataset], "smoke bars are lower, but above chance"


def test_artifact_checks_point_at_the_notebooks_files():
    """Do the artifact checks read the files the notebook saves?"""
    paths = {c.id: c.path for c in checks.CHECKS if isinstance(c, judging.ArtifactCheck)}
    assert paths == {"mnist_cnn": "mnist_cnn.keras", "fashion_cnn": "fashion_cnn.keras"}


# --------------------------------------------------------------------------- artifact checks
TRAIN_REFERENCE = """
import importlib.util, sys
from pathlib import Path
import keras
spec = importlib.util.spec_from_file_location("reference_accuracy", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
ns = module.reference_namespace()
out = Path(sys.argv[2])
for name, file in (("mnist", "mnist_cnn.keras"), ("fashion_mnist", "fashion_cnn.keras")):
    train, val, _ = ns["load_splits"](name)
    model, _ = ns["train_classifier"](ns["build_modern_cnn"], name, train, val, epochs=ns["EPOCHS_MNIST"])
    model.save(out / "reference" / file)
    if name == "mnist":  # the same weights in a model that computes in float16, as trained on a GPU
        keras.config.set_dtype_policy("mixed_float16")
        mixed = ns["build_modern_cnn"]()
        keras.config.set_dtype_policy("float32")
        mixed.set_weights(model.get_weights())
        mixed.save(out / "mixed" / file)
"""


def _data_ready() -> bool:
    from course_utils import data

    return all(data.is_prepared(name) for name in ("mnist", "fashion_mnist"))


@pytest.fixture(scope="session")
def trained(tmp_path_factory) -> Path:
    """Smoke-profile reference models (MNIST, Fashion-MNIST) and a mixed-precision twin.

    Trained in a subprocess by the solution notebook's own code, so that its seeds,
    op determinism and dtype policy never leak into this test session (~40 s on 2 cores).
    """
    if not _data_ready():
        pytest.skip("MNIST/Fashion-MNIST are not prepared: run `course data prepare` (make data)")
    out = tmp_path_factory.mktemp("cnn_models")
    for folder in ("reference", "mixed"):
        (out / folder).mkdir()
    env = {**os.environ, "COURSE_PROFILE": "smoke", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", TRAIN_REFERENCE, str(ROOT / "benchmarks" / "reference_accuracy.py"),
                           str(out)], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return out


def _judge(path: Path, check_id: str = "mnist_cnn", profile: str = "smoke") -> judging.Verdict:
    dataset = "mnist" if check_id == "mnist_cnn" else "fashion_mnist"
    return checks.judge_classifier(path, profile, dataset=dataset, check_id=check_id)


def _save(model, folder: Path, name: str = "mnist_cnn.keras") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    model.save(folder / name)
    return folder / name


@pytest.mark.slow
@pytest.mark.parametrize("check_id,file", [("mnist_cnn", "mnist_cnn.keras"), ("fashion_cnn", "fashion_cnn.keras")])
def test_reference_model_passes_smoke_bar(trained, check_id, file):
    """Does the smoke-trained reference pass its smoke bar, with the profile named?"""
    verdict = _judge(trained / "reference" / file, check_id)
    assert verdict.passed, verdict.message
    assert "[smoke profile]" in verdict.message


@pytest.mark.slow
def test_reference_model_passes_in_a_fresh_process(trained, monkeypatch):
    """Does the instructor-mode artifact check (a clean subprocess) pass the reference?"""
    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    verdict = judging.run_artifact_check_inline(ASSIGNMENT, "mnist_cnn", trained / "reference")
    assert verdict.passed, verdict.message


@pytest.mark.slow
def test_mixed_precision_model_grades_like_float32(trained):
    """Does a mixed_float16 model get the same accuracy as its float32 twin on a CPU grader?"""
    import keras

    mixed_path = trained / "mixed" / "mnist_cnn.keras"
    mixed = keras.saving.load_model(mixed_path, safe_mode=True, compile=False)
    assert any(layer.dtype_policy.name == "mixed_float16" for layer in mixed.layers)
    twin = checks._float32_twin(mixed)
    assert all(layer.dtype_policy.compute_dtype == "float32" for layer in twin.layers)
    reference = _judge(trained / "reference" / "mnist_cnn.keras")
    verdict = _judge(mixed_path)
    assert verdict.passed, verdict.message
    accuracy = lambda message: message.split("test accuracy ")[1].split(" ")[0]  # noqa: E731
    assert accuracy(verdict.message) == accuracy(reference.message)


def _small_model(output_units=10, input_shape=(28, 28, 1), hidden=None, lambda_layer=False):
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape)
    x = layers.Lambda(lambda t: t / 255.0)(inputs) if lambda_layer else layers.Rescaling(1 / 255)(inputs)
    x = layers.Flatten()(x)
    if hidden:
        x = layers.Dense(hidden, activation="relu")(x)
    return keras.Model(inputs, layers.Dense(output_units)(x))


@pytest.mark.slow
def test_untrained_model_fails(tmp_path):
    """Does an untrained model (chance accuracy) fail the accuracy bar, with no swap diagnosis?"""
    verdict = _judge(_save(_small_model(), tmp_path))
    assert not verdict.passed and "below the bar" in verdict.message and "looks like" not in verdict.message


@pytest.mark.slow
def test_wrong_output_shape_fails(tmp_path):
    """Does a model with 5 outputs fail the contract before any accuracy is measured?"""
    verdict = _judge(_save(_small_model(output_units=5), tmp_path))
    assert not verdict.passed and "(2, 10)" in verdict.message


@pytest.mark.slow
def test_wrong_input_shape_fails(tmp_path):
    """Does a model that takes flat 784-vectors fail the input contract?"""
    verdict = _judge(_save(_small_model(input_shape=(784,)), tmp_path))
    assert not verdict.passed and "(None, 28, 28, 1)" in verdict.message


@pytest.mark.slow
def test_model_over_budget_fails(tmp_path):
    """Does a wide fully connected model (1.59 M parameters) fail the 1.5 M budget?"""
    model = _small_model(hidden=2000)
    assert model.count_params() > checks.MAX_PARAMETERS
    verdict = _judge(_save(model, tmp_path))
    assert not verdict.passed and "budget" in verdict.message


@pytest.mark.slow
def test_lambda_layer_is_refused(tmp_path):
    """Is a model file with a Lambda layer refused (safe_mode), never executed?"""
    verdict = _judge(_save(_small_model(lambda_layer=True), tmp_path))
    assert not verdict.passed and "Lambda" in verdict.message


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_corrupted_file_fails(trained, tmp_path, damage):
    """Does a damaged .keras file fail with a plain message instead of crashing the grader?"""
    path = tmp_path / "mnist_cnn.keras"
    good = (trained / "reference" / "mnist_cnn.keras").read_bytes()
    path.write_bytes(b"this is not a model" if damage == "garbage" else good[: len(good) // 2])
    verdict = _judge(path)
    assert not verdict.passed and "could not be read" in verdict.message


def test_missing_file_fails(tmp_path):
    """Does a submission without mnist_cnn.keras get zero with the reason?"""
    verdict = judging.judge_artifact(ASSIGNMENT, "mnist_cnn", tmp_path, "smoke")
    assert not verdict.passed and "missing" in verdict.message


@pytest.mark.slow
def test_model_expecting_unit_pixels_is_told_to_rescale(trained, tmp_path):
    """Is a good model that expects pixels in [0, 1] failed, with a hint to add Rescaling?"""
    import keras
    from keras import layers

    reference = keras.saving.load_model(trained / "reference" / "mnist_cnn.keras", safe_mode=True, compile=False)
    inputs = keras.Input(shape=(28, 28, 1))
    model = keras.Model(inputs, reference(layers.Rescaling(255.0)(inputs)))  # wants [0, 1] inputs
    verdict = _judge(_save(model, tmp_path))
    assert not verdict.passed and "Rescaling" in verdict.message


@pytest.mark.slow
@pytest.mark.parametrize("check_id,file,other", [("mnist_cnn", "fashion_cnn.keras", "fashion_mnist"),
                                                 ("fashion_cnn", "mnist_cnn.keras", "mnist")])
def test_swapped_models_fail_and_are_named(trained, check_id, file, other):
    """Is the other dataset's model, saved under this one's name, failed with the swap pointed out?"""
    verdict = _judge(trained / "reference" / file, check_id)
    assert not verdict.passed and f"looks like your {other} model" in verdict.message, verdict.message


# --------------------------------------------------------------------------- notebook and release
def _sources():
    from autograder.sources import notebooks as nbu

    path = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    return [(f"solutions/{ASSIGNMENT}/{path.name}", nbu.read(path))]


def test_every_grade_cell_has_its_hidden_check():
    """Does each test_<id> cell of the notebook match one hidden check with the same points?"""
    from autograder.authoring import validation

    result = validation.check_grading_contract(ASSIGNMENT, _sources(), checks.CHECKS)
    assert not result.problems, result.problems


def test_checked_in_release_is_in_sync_and_leaks_nothing(tmp_path):
    """Is assignments/02_cnn_classification what `course release` generates now, with no answers in it?"""
    from autograder.sources import notebooks as nbu
    from autograder.sources import release
    from autograder.authoring import validation

    fresh = release.generate(ASSIGNMENT, tmp_path)
    checked_in = ROOT / "assignments" / ASSIGNMENT
    in_sync = validation.check_in_sync(ASSIGNMENT, checked_in, fresh,
                                       release.ignore_patterns(release.load_config()))
    assert not in_sync.problems, in_sync.problems
    released = [(p.name, nbu.read(p)) for p in sorted(checked_in.glob("*.ipynb"))]
    leaks = validation.check_no_leaks(_sources(), released)
    assert not leaks.problems, leaks.problems


def test_benchmark_runs_the_notebooks_reference_cells():
    """Does the reference benchmark find the notebook's model and training code?"""
    import nbformat

    nb = nbformat.read(ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    tagged = "\n".join(c.source for c in nb.cells if "reference" in c.metadata.get("tags", []))
    for name in ("def load_splits", "def make_dataset", "def build_modern_cnn", "def train_classifier",
                 "EPOCHS_MNIST", "EPOCHS_FASHION"):
        assert name in tagged, f"{name} is no longer in a cell tagged 'reference'"



# --------------------------------------------------------------------------- edge cases, whatever the secret
def _is(case, **values):
    return all(case[k] == v for k, v in values.items())


EDGE_CLASSES = {
    "conv_output_shape": {
        "visible: 28, 5 valid": lambda c: _is(c, input_size=28, kernel_size=5, stride=1, padding="valid"),
        "visible: 28, 5 same": lambda c: _is(c, input_size=28, kernel_size=5, stride=1, padding="same"),
        "visible: 13, 3, stride 2 same": lambda c: _is(c, input_size=13, kernel_size=3, stride=2, padding="same"),
        "valid, stride not dividing": lambda c: c["padding"] == "valid" and (c["input_size"] - c["kernel_size"]) % c["stride"],
        "same, stride not dividing": lambda c: c["padding"] == "same" and c["input_size"] % c["stride"],
        "same, even kernel": lambda c: c["padding"] == "same" and c["kernel_size"] % 2 == 0,
        "kernel = input": lambda c: c["kernel_size"] == c["input_size"],
        "kernel smaller than stride": lambda c: c["kernel_size"] < c["stride"],
    },
    "conv_params": {
        "visible: 5, 1, 6": lambda c: _is(c, kernel_size=5, in_channels=1, filters=6, use_bias=True),
        "visible: 5, 6, 16": lambda c: _is(c, kernel_size=5, in_channels=6, filters=16, use_bias=True),
        "visible: 3, 64, 128 without bias": lambda c: _is(c, kernel_size=3, in_channels=64, filters=128, use_bias=False),
        "bias, C_in != C_out": lambda c: c["use_bias"] and c["in_channels"] != c["filters"],
        "no bias": lambda c: not c["use_bias"],
        "1x1 kernel": lambda c: c["kernel_size"] == 1,
    },
    "dense_params": {
        "visible: 400, 120": lambda c: _is(c, in_features=400, units=120, use_bias=True),
        "visible: 128, 10 without bias": lambda c: _is(c, in_features=128, units=10, use_bias=False),
        "bias, in_features < units": lambda c: c["use_bias"] and c["in_features"] < c["units"],
    },
    "confusion_matrix": {
        "visible example": lambda c: list(c["y_true"]) == [0, 0, 1, 2] and list(c["y_pred"]) == [0, 1, 1, 1],
        "repeated pairs": lambda c: len(set(zip(c["y_true"], c["y_pred"]))) < len(c["y_true"]),
        "a class never predicted but present": lambda c: bool(set(c["y_true"]) - set(c["y_pred"])),
        "a class absent everywhere": lambda c: len(set(c["y_true"]) | set(c["y_pred"])) < c["num_classes"],
        "a middle class absent": lambda c: len(set(c["y_true"]) | set(c["y_pred"])) < max(max(c["y_true"]), max(c["y_pred"])) + 1,
    },
}


@pytest.mark.parametrize("check_id", sorted(EDGE_CLASSES))
def test_every_edge_case_class_is_hidden_whatever_the_secret(check_id):
    """Over 50 secrets and the default, does each hidden set hold the visible cases and every edge-case class?"""
    check = judging.get_check(ASSIGNMENT, check_id)
    for secret in [f"term-{i}" for i in range(50)] + [""]:
        cases = check.make_cases(np.random.default_rng(judging.case_seed(ASSIGNMENT, check_id, secret)))
        missing = [name for name, present in EDGE_CLASSES[check_id].items() if not any(present(c) for c in cases)]
        assert not missing, f"secret {secret!r}: {check_id} lacks {missing}"


@pytest.mark.slow
def test_a_private_evaluation_set_is_what_the_isolated_checker_judges_on(trained, tmp_path, monkeypatch):
    """With COURSE_EVAL_DIR set, does the sandboxed checker evaluate on the instructor's images (here
    the public test images relabelled, so the right model must fail) and say which images it used?"""
    from autograder.verdicts import artifacts
    from autograder.checks._evaluation_set import EVAL_DIR_ENV
    from course_utils import data

    images, labels = data.load_numpy("mnist", "test", limit=500)
    private = tmp_path / "private"
    private.mkdir()
    np.savez(private / "mnist.npz", images=images, labels=(labels + 1) % 10)
    monkeypatch.setenv(EVAL_DIR_ENV, str(private))
    check = judging.get_check(ASSIGNMENT, "mnist_cnn")
    verdict = artifacts.judge_artifact_isolated(ASSIGNMENT, check, trained / "reference", profile="smoke")
    assert not verdict.passed and "private evaluation images" in verdict.message, verdict.message
    monkeypatch.delenv(EVAL_DIR_ENV)
    verdict = artifacts.judge_artifact_isolated(ASSIGNMENT, check, trained / "reference", profile="smoke")
    assert verdict.passed and "mnist test images" in verdict.message, verdict.message
