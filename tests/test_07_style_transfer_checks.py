"""Do the hidden checks of 07_style_transfer accept the reference and reject the blank and each
plausible mistake, is the offline feature network the same on every machine, and does the real
notebook pass `course validate`?

Every candidate goes through ``run_function_check_inline`` (hidden cases, the judge encoding,
the verdict), wrapped exactly like the notebook's hidden tests: dicts of layers rebuilt with
``features.layer_dict`` and the hidden network with ``features.network_from_weights``. The
answer corpus (``tests/answers/07_style_transfer``) runs the notebook's own functions; here
the reference of ``_style_reference`` and the mistakes the bars were calibrated on.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import numpy as np
import pytest

from autograder.verdicts import judging
from autograder.verdicts.judging import run_function_check_inline

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")
from course_utils import features  # noqa: E402

checks_07 = importlib.import_module("autograder.checks.07_style_transfer")
reference = importlib.import_module("autograder.checks._style_reference")
contract = importlib.import_module("autograder.checks._style_contract")
ASSIGNMENT = "07_style_transfer"
ROOT = Path(__file__).resolve().parents[1]
FUNCTION_CHECKS = ["gram_matrix", "style_loss", "synthesise_texture", "content_loss", "total_variation_loss",
                   "style_transfer"]


# --------------------------------------------------------------------------- how the grade cells wrap them
def verdict_gram(gram):
    return run_function_check_inline(ASSIGNMENT, "gram_matrix", lambda features: gram(features))


def verdict_style_loss(loss):
    return run_function_check_inline(ASSIGNMENT, "style_loss", lambda **arrays: loss(
        features.layer_dict(arrays, "x_"), features.layer_dict(arrays, "g_"), features.layer_dict(arrays, "w_")))


def verdict_content_loss(loss):
    return run_function_check_inline(ASSIGNMENT, "content_loss", lambda layer, **arrays: loss(
        features.layer_dict(arrays, "x_"), features.layer_dict(arrays, "p_"), layer))


def verdict_tv(tv):
    return run_function_check_inline(ASSIGNMENT, "total_variation_loss", lambda x: tv(x))


def verdict_texture(optimise):
    """``optimise(weights, layer_weights, style_image, start, steps, **options)`` on each hidden case, its
    options (``learning_rate``, ``callback``) passed as the grade cell passes them (``features.graded_call``)."""
    return run_function_check_inline(ASSIGNMENT, "synthesise_texture", lambda style_image, start, steps, **arrays: (
        features.graded_call(lambda **options: optimise(features.layer_dict(arrays, "net_"),
                                                        features.layer_dict(arrays, "w_"), style_image, start, steps,
                                                        **options), **features.layer_dict(arrays, "opt_"))))


def verdict_transfer(optimise):
    """``optimise(weights, layer_weights, case, **options)`` on each hidden case, its options (``start``,
    ``learning_rate``, ``callback``) passed as the grade cell passes them (``features.graded_call``)."""
    return run_function_check_inline(ASSIGNMENT, "style_transfer", lambda **case: features.graded_call(
        lambda **options: optimise(features.layer_dict(case, "net_"), features.layer_dict(case, "w_"), case,
                                   **options), **features.layer_dict(case, "opt_")))


def report_steps(callback, steps, image):
    """Call ``callback(step, loss, image)`` for steps 1..steps (the references run without one)."""
    for index in range(1, int(steps) + 1) if callback is not None else ():
        callback(index, 1.0, image)


def not_done(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize("check_id", FUNCTION_CHECKS)
def test_a_blank_answer_fails(check_id):
    """Does the released stub (raise NotImplementedError) fail every function check?"""
    result = run_function_check_inline(ASSIGNMENT, check_id, not_done)
    assert not result.passed and "NotImplementedError" in result.message


# --------------------------------------------------------------------------- Gram matrices
def gram_unnormalised(f):
    f = np.asarray(f, dtype=np.float64)
    return np.einsum("nhwc,nhwd->ncd", f, f)


def gram_over_the_batch(f):
    f = np.asarray(f, dtype=np.float64)
    shared = np.einsum("nhwc,nhwd->cd", f, f) / (f.shape[0] * f.shape[1] * f.shape[2])
    return np.repeat(shared[None], len(f), axis=0)


def gram_positions_by_positions(f):
    flat = np.asarray(f, dtype=np.float64).reshape(len(f), -1, np.shape(f)[-1])
    return flat @ flat.transpose(0, 2, 1) / flat.shape[1]


def test_gram_accepts_reference():
    result = verdict_gram(reference.gram_reference)
    assert result.passed, result.message


@pytest.mark.parametrize("mistake", [gram_unnormalised, gram_over_the_batch, gram_positions_by_positions],
                         ids=["unnormalised", "over-the-batch", "HW-by-HW"])
def test_gram_rejects(mistake):
    result = verdict_gram(mistake)
    assert not result.passed and "gram_matrix" in result.message, result.message


def test_gram_cases_hold_the_edge_cases_whatever_the_secret(monkeypatch):
    """Are C > H W, H != W and batch > 1 among the Gram cases under any secret?"""
    for secret in ("", "other term"):
        monkeypatch.setenv("COURSE_JUDGE_SECRET", secret)
        shapes = [np.shape(case["features"]) for case in judging.make_cases(
            ASSIGNMENT, judging.get_check(ASSIGNMENT, "gram_matrix"))]
        assert any(c > h * w for _, h, w, c in shapes) and any(h != w for _, h, w, _ in shapes)
        assert any(n > 1 for n, *_ in shapes)


# --------------------------------------------------------------------------- style and content losses
def style_loss_unweighted(features_, grams, weights):
    return reference.style_loss_reference(features_, grams, {layer: 1.0 for layer in weights})


def style_loss_every_feature_layer(features_, grams, weights):
    return reference.style_loss_reference(features_, {**grams, **{k: reference.gram_reference(v) * 0 for k, v in
                                                                   features_.items() if k not in grams}},
                                          {layer: weights.get(layer, 1.0) for layer in features_})


def test_style_loss_accepts_reference():
    result = verdict_style_loss(reference.style_loss_reference)
    assert result.passed, result.message


@pytest.mark.parametrize("mistake", [style_loss_unweighted, style_loss_every_feature_layer],
                         ids=["weights-ignored", "every-layer-of-the-features"])
def test_style_loss_rejects(mistake):
    result = verdict_style_loss(mistake)
    assert not result.passed and "layer_weights" in result.message, result.message


def test_style_loss_cases_have_a_zero_and_unequal_weights():
    cases = judging.make_cases(ASSIGNMENT, judging.get_check(ASSIGNMENT, "style_loss"))
    weights = [checks_07.case_arrays(case, "w_") for case in cases]
    assert any(0.0 in w.values() for w in weights) and all(len(set(w.values())) > 1 for w in weights)
    assert all(set(checks_07.case_arrays(case, "x_")) - set(w) for case, w in zip(cases, weights))


def content_loss_last_layer(features_, targets, layer):
    return reference.content_loss_reference(features_, targets, list(features_)[-1])


def content_loss_first_layer(features_, targets, layer):
    return reference.content_loss_reference(features_, targets, list(features_)[0])


def test_content_loss_accepts_reference():
    result = verdict_content_loss(reference.content_loss_reference)
    assert result.passed, result.message


@pytest.mark.parametrize("mistake", [content_loss_last_layer, content_loss_first_layer], ids=["last", "first"])
def test_content_loss_rejects_the_wrong_layer(mistake):
    result = verdict_content_loss(mistake)
    assert not result.passed and "layer" in result.message, result.message


# --------------------------------------------------------------------------- total variation
def test_tv_accepts_reference_and_tf_image():
    assert verdict_tv(reference.total_variation_reference).passed
    result = verdict_tv(lambda x: tf.image.total_variation(tf.constant(x)) / np.prod(np.shape(x)[1:]))
    assert result.passed, result.message


@pytest.mark.parametrize("mistake", [lambda x: -reference.total_variation_reference(x),
                                     lambda x: tf.image.total_variation(tf.constant(x))],
                         ids=["wrong-sign", "not-divided"])
def test_tv_rejects(mistake):
    result = verdict_tv(mistake)
    assert not result.passed and "total_variation_loss" in result.message, result.message


# --------------------------------------------------------------------------- the optimisers' effect
def texture_reference(weights, layer_weights, style, start, steps, learning_rate=0.05, callback=None):
    image = reference.optimise_reference(weights, layer_weights, style, start, steps, learning_rate=learning_rate)
    report_steps(callback, steps, image)
    return image


def test_texture_accepts_reference():
    result = verdict_texture(texture_reference)
    assert result.passed, result.message


@pytest.mark.parametrize("mistake, words", [
    (lambda w, lw, s, x, n, **o: texture_reference(w, lw, s, x, n, **{**o, "learning_rate": -0.05}), "*Descend*"),
    (lambda w, lw, s, x, n, **o: texture_reference(w, lw, s, x, n, **{**o, "learning_rate": 5e-4}), "factor"),
    (lambda w, lw, s, x, n, **o: np.asarray(x), "factor"),
    (lambda w, lw, s, x, n, **o: texture_reference(w, lw, s, x, n, **o) * 1.5, "clip"),
    (lambda w, lw, s, x, n, **o: texture_reference(w, lw, s, x, n, **o).astype(np.float64), "float32"),
    (lambda w, lw, s, x, n, **o: texture_reference(w, lw, s, x, n, **o)[0], "shape")],
    ids=["ascends", "tiny-learning-rate", "returns-the-start", "out-of-range", "float64", "no-batch-axis"])
def test_texture_rejects(mistake, words):
    result = verdict_texture(mistake)
    assert not result.passed and words in result.message, result.message


def test_whole_run_cases_start_at_the_bounds_whatever_the_secret(monkeypatch):
    """Has each optimiser, under any secret, a whole-run case of 3 to 5 steps from a start whose pixels all sit
    at 0 or 1, both bounds present (clipping bites from the first step)?"""
    for secret in ("", "other term"):
        monkeypatch.setenv("COURSE_JUDGE_SECRET", secret)
        for check_id in ("synthesise_texture", "style_transfer"):
            cases = judging.make_cases(ASSIGNMENT, judging.get_check(ASSIGNMENT, check_id))
            whole = [case for case in cases if "whole_run" in case]
            assert whole and all(3 <= case["steps"] <= 5 for case in whole), check_id
            starts = [contract.start_of(case) for case in whole]
            assert all(set(np.unique(x)) == {0.0, 1.0} for x in starts), check_id


@pytest.mark.parametrize("mistake, words", [({"clip_every_step": False}, "clipped only once"),
                                            ({"fresh_optimizer": True}, "new Adam")],
                         ids=["clipped-only-at-the-end", "new-adam-every-step"])
def test_texture_rejects_whole_run_mistakes(mistake, words):
    """Does the whole-run case fail the reference's own steps clipped only at the end, or with a new Adam at
    every step (both pass the 2-step case), and name the mistake?"""
    def optimise(weights, layer_weights, style, start, steps, learning_rate=0.05, callback=None):
        wrong = mistake if steps == contract.WHOLE_RUN_STEPS else {}  # the 30-step main case as the reference
        image = reference.optimise_reference(weights, layer_weights, style, start, steps, learning_rate=learning_rate,
                                             **wrong)
        report_steps(callback, steps, image)
        return image

    result = verdict_texture(optimise)
    assert not result.passed and words in result.message, result.message


def transfer_reference(weights, layer_weights, case, start=None, learning_rate=0.02, callback=None, **change):
    options = {"content_weight": case["content_weight"], "style_weight": case["style_weight"],
               "tv_weight": case["tv_weight"], "learning_rate": learning_rate, **change}
    image = reference.optimise_reference(weights, layer_weights, case["style_image"],
                                         case["content_image"] if start is None else start, case["steps"],
                                         content_image=case["content_image"], content_layer=case["content_layer"],
                                         **options)
    report_steps(callback, case["steps"], image)
    return image


def test_transfer_accepts_reference():
    result = verdict_transfer(transfer_reference)
    assert result.passed, result.message


@pytest.mark.parametrize("mistake, words", [
    (lambda w, lw, case, **o: transfer_reference(w, lw, case, **{**o, "learning_rate": -0.02}), "style loss fell"),
    (lambda w, lw, case, **o: transfer_reference(w, lw, case, **o, content_weight=0.0), "lost the content"),
    (lambda w, lw, case, **o: np.asarray(case["style_image"])[:, :48, :56], "lost the content")],
    ids=["ascends", "no-content-term", "returns-the-style-picture"])
def test_transfer_rejects(mistake, words):
    result = verdict_transfer(mistake)
    assert not result.passed and words in result.message, result.message


@pytest.mark.parametrize("mistake, words", [({"clip_every_step": False}, "clipped only once"),
                                            ({"fresh_optimizer": True}, "new Adam")],
                         ids=["clipped-only-at-the-end", "new-adam-every-step"])
def test_transfer_rejects_whole_run_mistakes(mistake, words):
    """As for the texture: style transfer clipped only at the end, or with a new Adam at every step, fails."""
    result = verdict_transfer(lambda w, lw, case, **o: transfer_reference(
        w, lw, case, **o, **(mistake if "whole_run" in case else {})))  # the 60-step main case as the reference
    assert not result.passed and words in result.message, result.message


def test_graded_call_passes_only_the_options_a_case_has_and_records_the_callback():
    """Does the grade cells' ``features.graded_call`` leave a default alone when the case has no such option,
    pass one it has, and swap the ``callback=1`` flag for a recorder whose calls come back with the result?"""
    seen = {}

    def optimiser(x, learning_rate=0.5, callback=None):
        seen["rate"] = learning_rate
        for step in (1, 2):
            if callback is not None:
                callback(step, tf.constant([3.0]), tf.Variable(np.zeros((1, 4, 5, 3), np.float32)))
        return x

    assert features.graded_call(optimiser, 7) == 7 and seen["rate"] == 0.5
    result, calls = features.graded_call(optimiser, 7, learning_rate=0.1, callback=1)
    assert result == 7 and seen["rate"] == 0.1
    np.testing.assert_array_equal(calls, [[1, 3, 1, 4, 5, 3], [2, 3, 1, 4, 5, 3]])


def test_effect_bars_sit_between_the_recorded_reference_and_mistakes():
    """Do the bars of the checks module lie between the reference's and the mistakes' measured values?"""
    recorded = json.loads((ROOT / "benchmarks" / "results" / "style_transfer_bars.json").read_text())["results"]
    texture, transfer = recorded["texture"], recorded["transfer"]
    assert min(r["factor"] for r in texture["reference (Adam 0.05)"]) > 3 * checks_07.TEXTURE_MIN_FACTOR
    for label in ("ascends the style loss (Adam -0.05)", "learning rate 100x too small (5e-4)"):
        assert max(r["factor"] for r in texture[label]) < checks_07.TEXTURE_MIN_FACTOR / 3
    assert min(r["factor"] for r in transfer["reference (Adam 0.02)"]) > 2 * checks_07.TRANSFER_MIN_FACTOR
    assert max(r["content_share"] for r in transfer["reference (Adam 0.02)"]) < checks_07.TRANSFER_MAX_CONTENT
    assert min(r["content_share"] for r in transfer["no content term"]) > checks_07.TRANSFER_MAX_CONTENT
    assert max(r["factor"] for r in transfer["ascends the loss (Adam -0.02)"]) < checks_07.TRANSFER_MIN_FACTOR


# --------------------------------------------------------------------------- the offline feature network
def test_offline_network_is_the_recorded_one():
    """Does this machine build the offline network with the weights recorded by the benchmark (same seed, same digest)?"""
    recorded = json.loads((ROOT / "benchmarks" / "results" / "style_transfer_features.json").read_text())
    assert features.weights_digest(features.random_vgg_weights()) == recorded["offline_network"]["weights_sha256"]


def test_offline_network_has_vgg19_layer_names_and_rebuilds_from_its_weights():
    network = features.random_vgg()
    names = {layer.name for layer in network.layers}
    assert {*features.STYLE_LAYERS, features.CONTENT_LAYER, "block5_conv4", "block3_pool"} <= names
    rebuilt = features.network_from_weights(features.network_weights(network))
    x = np.random.default_rng(0).uniform(size=(2, 24, 40, 3)).astype(np.float32)
    extract = [features.extractor(n, ["block2_conv1", "block3_conv2"]) for n in (network, rebuilt)]
    out = [e(x) for e in extract]
    assert out[0]["block3_conv2"].shape == (2, 6, 10, 128)
    np.testing.assert_array_equal(out[0]["block2_conv1"], out[1]["block2_conv1"])


def test_feature_network_never_downloads_and_says_which_it_is(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(features, "VGG19_WEIGHTS", tmp_path / "absent.h5")
    network = features.feature_network()
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and "OFFLINE" in lines[0] and network.name == "offline_vgg"
    with pytest.raises(FileNotFoundError):
        features.feature_network("imagenet")


def test_imagenet_path_preprocesses_as_keras_does(monkeypatch, tmp_path, capsys):
    """With a weights file present, is VGG19 built behind Keras' own preprocessing, with its layer names?

    The ImageNet weights cannot be fetched here, so VGG19 is built with ``weights=None`` in their place."""
    cached = tmp_path / "vgg19_notop.h5"
    cached.write_bytes(b"")
    monkeypatch.setattr(features, "VGG19_WEIGHTS", cached)
    real_vgg19 = keras.applications.VGG19
    monkeypatch.setattr(keras.applications, "VGG19", lambda weights, **kwargs: real_vgg19(weights=None, **kwargs))
    network = features.feature_network()
    assert "ImageNet" in capsys.readouterr().out and network.name == "vgg19_imagenet"
    x = np.random.default_rng(1).uniform(size=(1, 16, 24, 3)).astype(np.float32)
    preprocessed = features.extractor(network, ["preprocess"])(x)["preprocess"]
    expected = keras.applications.vgg19.preprocess_input(255.0 * x.copy())
    np.testing.assert_allclose(np.asarray(preprocessed), expected, rtol=1e-5, atol=1e-3)
    assert {*features.STYLE_LAYERS, features.CONTENT_LAYER} <= {layer.name for layer in network.layers}


def test_extractor_names_the_layers_it_has():
    with pytest.raises(ValueError, match="block1_conv1"):
        features.extractor(features.random_vgg((4, 4), (1, 1)), ["conv1"])


def test_load_image_gives_rgb_in_the_unit_interval():
    for name, size in (("brick", 32), ("chelsea", (24, 40))):
        image = features.load_image(name, size)
        assert image.dtype == np.float32 and image.shape == (1, *np.broadcast_to(size, 2), 3)
        assert 0.0 <= image.min() and image.max() <= 1.0
