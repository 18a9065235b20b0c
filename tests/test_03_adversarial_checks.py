"""Do the hidden checks of 03_adversarial accept the reference attacks, reject a blank answer
and tell a few mistakes what is wrong, do the robust_cnn bars hold, and does the real notebook
pass `course validate`? The right alternatives and plausible mistakes of the four attacks are
the answer corpus, tests/answers/03_adversarial/ (tests/test_answer_corpus.py).

Every candidate goes through the same path as an instructor's grade cell
(``run_function_check_inline``: hidden cases, the judge encoding, the verdict), wrapped
exactly like the notebook's hidden tests: the model is rebuilt from the case's weight
arrays, and the attack functions hand back ``(x_adv, x)``.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from autograder.verdicts.judging import run_function_check_inline
from course_utils import data, models

if not data.is_prepared("mnist"):
    pytest.skip("MNIST is not prepared: run `course data prepare` (make test does).", allow_module_level=True)

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")
checks_03 = importlib.import_module("autograder.checks.03_adversarial")
ASSIGNMENT = "03_adversarial"
ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- how the grade cells wrap attacks
def verdict_fgsm(attack):
    return run_function_check_inline(ASSIGNMENT, "fgsm", lambda x, y, eps, **weights: (
        attack(models.classifier_from_weights(weights), x, y, eps), x))


def verdict_iterative(attack):
    return run_function_check_inline(ASSIGNMENT, "iterative_fgsm", lambda x, y, eps, alpha, steps, **weights: (
        attack(models.classifier_from_weights(weights), x, y, eps, alpha, steps), x))


def verdict_targeted(attack):
    return run_function_check_inline(ASSIGNMENT, "targeted_fgsm", lambda x, target, eps, alpha, steps, **weights: (
        attack(models.classifier_from_weights(weights), x, target, eps, alpha, steps), x))


def verdict_universal(attack):
    return run_function_check_inline(ASSIGNMENT, "universal_perturbation", lambda x, y, eps, **given: (
        models.with_classifier(attack, x, y, eps, **given)))


def gradient(model, x, labels):
    x = tf.convert_to_tensor(np.asarray(x, dtype=np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = keras.losses.sparse_categorical_crossentropy(labels, model(x), from_logits=True)
    return tape.gradient(loss, x).numpy()


def reference_iterative(model, x, y, eps, alpha, steps):
    return checks_03.iterative_reference(model, x, y, eps, alpha, steps)


def reference_targeted(model, x, target, eps, alpha, steps):
    return checks_03.iterative_reference(model, x, target, eps, alpha, steps, targeted=True)


# --------------------------------------------------------------------------- FGSM
def test_fgsm_accepts_reference():
    result = verdict_fgsm(checks_03.fgsm_reference)
    assert result.passed, result.message


def not_done(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize("check_id", ["fgsm", "iterative_fgsm", "targeted_fgsm", "universal_perturbation",
                                      "adversarial_train_step"])
def test_a_blank_answer_fails(check_id):
    """Does the released stub (raise NotImplementedError) fail every function check?"""
    result = run_function_check_inline(ASSIGNMENT, check_id, not_done)
    assert not result.passed and "NotImplementedError" in result.message


# --------------------------------------------------------------------------- messages
# Right alternatives and plausible mistakes of the four attacks are in the answer corpus
# (tests/answers/03_adversarial/, run by tests/test_answer_corpus.py), which checks verdicts
# only; these few check that a mistake is told what it got wrong.
def fgsm_descending(model, x, y, eps):
    return np.clip(np.asarray(x) - eps * np.sign(gradient(model, x, y)), 0, 1)


def fgsm_on_probabilities(model, x, y, eps):
    """Treats the logits as probabilities (from_logits=False)."""
    x = tf.convert_to_tensor(np.asarray(x, dtype=np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=False)
    return tf.clip_by_value(x + eps * tf.sign(tape.gradient(loss, x)), 0, 1)


def fgsm_in_place(model, x, y, eps):
    x += eps * np.sign(gradient(model, x, y))
    np.clip(x, 0, 1, out=x)
    return x


@pytest.mark.parametrize(
    "mistake, expected",
    [(fgsm_descending, "against the gradient"), (fgsm_on_probabilities, "from_logits=True"),
     (fgsm_in_place, "changed its input x in place")],
    ids=["wrong-sign", "logits-as-probabilities", "mutates-input"],
)
def test_fgsm_tells_the_mistake(mistake, expected):
    result = verdict_fgsm(mistake)
    assert not result.passed
    assert expected in result.message, result.message


def test_iterative_fgsm_accepts_reference():
    result = verdict_iterative(reference_iterative)
    assert result.passed, result.message


def test_targeted_fgsm_accepts_reference():
    result = verdict_targeted(reference_targeted)
    assert result.passed, result.message


def targeted_ascending(model, x, target, eps, alpha, steps):
    """Ascends the target's loss: an untargeted step away from the target."""
    return checks_03.iterative_reference(model, x, target, eps, alpha, steps)


def test_targeted_fgsm_says_descend():
    result = verdict_targeted(targeted_ascending)
    assert not result.passed
    assert "descends" in result.message, result.message


def targeted_ignoring_target(model, x, target, eps, alpha, steps):
    """An untargeted attack on the model's own predictions; `target` is never used."""
    predicted = np.argmax(np.asarray(model(np.asarray(x, dtype=np.float32))), axis=1)
    return checks_03.iterative_reference(model, x, predicted, eps, alpha, steps)


def test_targeted_effect_bar_rejects_an_untargeted_attack_on_the_cnn_alone():
    """Is the success-rate bar itself (not only the linear exactness) enough to catch it?"""
    rng = np.random.default_rng(7)
    case = checks_03._with_targets(rng, checks_03._cnn_case(rng, eps=checks_03.TARGETED_EPS,
                                                            alpha=checks_03.TARGETED_ALPHA,
                                                            steps=checks_03.TARGETED_STEPS))
    model = checks_03.hidden_cnn()
    untargeted = targeted_ignoring_target(model, case["x"], case["target"], case["eps"], case["alpha"], case["steps"])
    success = np.mean(np.argmax(np.asarray(model(untargeted)), axis=1) == case["target"])
    assert success < checks_03.TARGETED_MIN_SUCCESS


def test_universal_perturbation_accepts_reference():
    result = verdict_universal(checks_03.universal_reference)
    assert result.passed, result.message


def universal_per_image(model, x, y, eps, **options):
    """One perturbation per image (FGSM's), not one shared by all."""
    return checks_03.fgsm_reference(model, x, y, eps) - np.asarray(x)


def test_universal_perturbation_says_one_delta_for_all():
    result = verdict_universal(universal_per_image)
    assert not result.passed
    assert "shared by all images" in result.message, result.message


# --------------------------------------------------------------------------- artifact
def test_robust_cnn_missing_or_untrained_fails(tmp_path):
    """Does an untrained model fail the clean-accuracy bar (and never crash the judge)?"""
    path = tmp_path / "robust_cnn.keras"
    models.build_small_cnn((4, 4), seed=0).save(path)
    result = checks_03.judge_robust_cnn(path, "smoke")
    assert not result.passed and "clean test accuracy" in result.message


def test_robust_cnn_wrong_input_shape_is_explained(tmp_path):
    inputs = keras.Input(shape=(784,))
    path = tmp_path / "robust_cnn.keras"
    keras.Model(inputs, keras.layers.Dense(10)(inputs)).save(path)
    result = checks_03.judge_robust_cnn(path, "smoke")
    assert not result.passed and "(None, 28, 28, 1)" in result.message


def test_a_slice_of_mnist_is_what_the_whole_split_holds_there():
    """The universal pool and the hidden CNN's images are decoded alone (mnist_slice): the same
    images and labels as the same rows of the whole split, in the same order."""
    images, labels = data.load_numpy("mnist", "train", limit=2_010)
    sliced, sliced_labels = checks_03.mnist_slice("train", 1_990, 2_010)
    assert sliced.dtype == np.float32 and np.array_equal(sliced, images[1_990:].astype(np.float32) / np.float32(255))
    assert np.array_equal(sliced_labels, labels[1_990:])


def test_hidden_cnn_is_the_same_in_every_call():
    """The cases written for the sandbox and the ones the judge regenerates must match."""
    first, second = checks_03.hidden_cnn_weights(), checks_03.hidden_cnn_weights()
    assert first.keys() == second.keys()
    assert all(np.array_equal(first[name], second[name]) for name in first)


# --------------------------------------------------------------------------- robust_cnn bars vs training variants
BARS_RESULTS = ROOT / "benchmarks" / "results" / "adversarial_bars_smoke.json"
BARS_RESULTS_FULL = ROOT / "benchmarks" / "results" / "adversarial_bars_full.json"


def bars_benchmark():
    """benchmarks/adversarial_bars.py as a module: the notebook's own training code and the variants."""
    spec = importlib.util.spec_from_file_location("adversarial_bars", ROOT / "benchmarks" / "adversarial_bars.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_robust_bars_separate_the_recorded_smoke_distributions():
    """Do the current bars, applied to the 20 recorded seeds, reject every clean-only
    fine-tuning and accept both right ways of adversarial training in >= 19 of 20?"""
    import json

    rows = json.loads(BARS_RESULTS.read_text())["robust"]
    assert len(rows) >= 20

    def passes(variant):
        return sum(checks_03.robust_verdict(row["check"][variant], "smoke").passed for row in rows)

    assert passes("undefended") == 0 and passes("clean") <= 1
    assert passes("adversarial") >= 19 and passes("adversarial_only") >= 19


def test_robust_bars_separate_the_recorded_full_distributions():
    """The same in the full profile (benchmarks/results/adversarial_bars_full.json, 20 seeds on
    all 10,000 test images): clean-only fine-tuning and FGSM examples computed once before
    training are rejected, the notebook's adversarial training accepted, each in >= 19 of 20
    (the Madry-style variant was measured on the seeds from 2 on; it must pass on all of them)."""
    import json

    rows = json.loads(BARS_RESULTS_FULL.read_text())["robust"]
    assert len(rows) >= 20

    def verdicts(variant):
        return [checks_03.robust_verdict(row["check"][variant], "full").passed
                for row in rows if variant in row["check"]]

    assert not any(verdicts("undefended"))
    assert sum(verdicts("clean")) <= 1 and sum(verdicts("precomputed")) <= 1
    assert sum(verdicts("adversarial")) >= 19 and all(verdicts("adversarial_only"))


def test_full_profile_fgsm_sample_keeps_every_recorded_verdict():
    """FGSM is measured on the first ROBUST_ATTACK_IMAGES["full"] test images, not all 10,000: an
    accuracy p over all N images lies in [(pN - (N - n)) / n, pN / n] on any n of them, so every
    recorded model must keep its verdict at both ends (adversarial_bars_full.json, 20 seeds)."""
    import json

    rows = json.loads(BARS_RESULTS_FULL.read_text())["robust"]
    total, attacked = 10_000, checks_03.ROBUST_ATTACK_IMAGES["full"]
    assert attacked < total and checks_03.ROBUST_ATTACK_IMAGES["smoke"] == checks_03.ROBUST_EVAL_IMAGES_SMOKE
    attacks = [f"fgsm_{checks_03.ARTIFACT_EPS:g}", f"fgsm_{checks_03.ROBUST_EPS:g}"]
    for row in rows:
        for variant, measured in row["check"].items():
            passed = checks_03.robust_verdict(measured, "full").passed
            worst = {key: (max(0.0, (measured[key] * total - (total - attacked)) / attacked) if passed
                           else min(1.0, measured[key] * total / attacked)) for key in attacks}
            assert checks_03.robust_verdict({**measured, **worst}, "full").passed == passed, (row["seed"], variant)


def test_robust_measurements_attack_the_first_images_and_count_every_clean_one(monkeypatch):
    """Clean accuracy over every evaluation image, FGSM over the first ROBUST_ATTACK_IMAGES of them."""
    robust_module = importlib.import_module("autograder.checks._adversarial_robust")
    monkeypatch.setitem(robust_module.ROBUST_ATTACK_IMAGES, "smoke", 700)
    model = checks_03.hidden_cnn()
    images, labels = checks_03.robust_eval_data("smoke")
    measured = checks_03.robust_measurements(model, "smoke")
    on_all = checks_03.robustness(model, images, labels)
    on_first = checks_03.robustness(model, images[:700], labels[:700], fgsm_eps=(0.1, 0.25))
    assert measured["clean"] == pytest.approx(on_all["clean"], abs=1e-12)
    assert measured["fgsm_0.1"] == on_first["fgsm_0.1"] and measured["fgsm_0.25"] == on_first["fgsm_0.25"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_robust_cnn_rejects_clean_only_fine_tuning(seed, tmp_path, monkeypatch):
    """The notebook's training code (smoke) with SEED = seed: fine-tuning the undefended CNN on
    clean images only fails the artifact check, the notebook's adversarial training passes it
    (~30 s a seed on 2 cores)."""
    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    bars_benchmark().train_variants(seed, "smoke", workdir=tmp_path, only=("clean",))
    clean = checks_03.judge_robust_cnn(tmp_path / "clean.keras", "smoke")
    assert not clean.passed and f"at eps = {checks_03.ROBUST_EPS:g}" in clean.message, clean.message
    adversarial = checks_03.judge_robust_cnn(tmp_path / "robust_cnn.keras", "smoke")
    assert adversarial.passed, adversarial.message
