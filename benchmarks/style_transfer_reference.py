"""Week 7 (07_style_transfer): which offline feature network, how fast, and where the grader's bars sit.

Two measures, each written to ``benchmarks/results/style_transfer_<measure>.json`` with the
machine, its load and the date:

``features``
    The candidates for the offline feature network (no download): the course's random
    VGG-shaped network (``course_utils.features.random_vgg``: He-scaled uniform weights), the
    same with zero-mean filters, the same at twice the width, and the course's trained MNIST
    CNN (``features.mnist_features``). Each synthesises two textures (``skimage.data`` brick
    and immunohistochemistry, 96 px, 300 Adam steps at 0.05) from the same noise; the
    pictures go to ``style_transfer_features.png`` (look at them: the loss factor alone does
    not say which texture looks right) and the loss factors to the JSON. Then seconds per
    style-transfer step (style loss on the five style layers + content loss on block4_conv2 +
    TV, forward and backward, inside ``tf.function``) at 128 and 256 px for the offline
    network, the MNIST CNN and VGG19 (``weights=None``: the arithmetic of the ImageNet
    network, whose weights cannot be fetched here; timed with them instead when they are in
    Keras' cache).

``bars``
    The effect checks of ``autograder/checks/07_style_transfer.py`` on the hidden cases of 3
    generator seeds (``COURSE_JUDGE_SECRET`` "", "a", "b"): the reference optimiser of
    ``_style_reference`` at the notebook's default learning rates (0.05 synthesis, 0.02
    transfer), and the mistakes the bars must reject, made from the same optimiser:
    ascending the loss, a learning rate 100 times too small, the layer weights ignored while
    optimising, no content term, the TV term with the wrong sign. Measured as the grader
    measures: the style-loss reduction factor from the start image and, for style transfer,
    the content loss as a share of the style picture's. The bars in the checks module are
    chosen from this distribution (recorded beside it).

Usage (≈ 1 min each on a shared 2-core CPU)::

    nice -n 10 .venv/bin/python benchmarks/style_transfer_reference.py features
    nice -n 10 .venv/bin/python benchmarks/style_transfer_reference.py bars
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
SECRETS = ("", "a", "b")
PROFILE_NOTE = ("neither measure depends on COURSE_PROFILE: the hidden cases and network of the checks are the "
                "same in both profiles, and the candidates run at fixed sizes and steps")


def _gram(f):
    import tensorflow as tf

    positions = tf.cast(tf.shape(f)[1] * tf.shape(f)[2], tf.float32)
    return tf.einsum("nhwc,nhwd->ncd", f, f) / positions


def _synthesise(network, layers, style, start, steps, learning_rate):
    """Adam on the pixels from ``start`` matching ``style``'s Gram matrices (equal weights); returns image, factor, s/step."""
    import keras
    import tensorflow as tf

    from course_utils import features

    extract = features.extractor(network, layers)
    targets = {name: _gram(value) for name, value in extract(style).items()}
    image = tf.Variable(start)
    optimizer = keras.optimizers.Adam(learning_rate)

    def loss_of(x):
        found = extract(x)
        return tf.add_n([tf.reduce_mean(tf.square(_gram(found[n]) - targets[n])) for n in layers]) / len(layers)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = loss_of(image)
        optimizer.apply_gradients([(tape.gradient(loss, image), image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        return loss

    before = float(loss_of(tf.constant(start)))
    step()  # the trace
    started = time.perf_counter()
    for _ in range(steps - 1):
        step()
    seconds = (time.perf_counter() - started) / (steps - 1)
    return image.numpy(), before / float(loss_of(image)), seconds


def _transfer_step_seconds(network, layers, content_layer, size, repeats=5):
    """Seconds of one style-transfer step (style + content + TV, forward and backward) at ``size`` px."""
    import keras
    import tensorflow as tf

    from course_utils import features

    extract = features.extractor(network, [*layers, content_layer])
    rng = np.random.default_rng(0)
    picture = rng.uniform(size=(1, size, size, 3)).astype(np.float32)
    found = extract(picture)
    grams = {n: _gram(found[n]) for n in layers}
    content = found[content_layer]
    image = tf.Variable(picture)
    optimizer = keras.optimizers.Adam(0.02)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            now = extract(image)
            loss = (tf.reduce_mean(tf.square(now[content_layer] - content))
                    + tf.add_n([tf.reduce_mean(tf.square(_gram(now[n]) - grams[n])) for n in layers])
                    + tf.reduce_sum(tf.image.total_variation(image)) * 1e-6)
        optimizer.apply_gradients([(tape.gradient(loss, image), image)])
        return loss

    step()
    started = time.perf_counter()
    for _ in range(repeats):
        step()
    return round((time.perf_counter() - started) / repeats, 4)


def _zero_mean_vgg():
    from course_utils import features

    weights = features.random_vgg_weights()
    for name, value in weights.items():
        if name.endswith("_kernel"):
            weights[name] = value - value.mean(axis=(0, 1, 2), keepdims=True)
    return features.network_from_weights(weights, name="zero_mean_vgg")


def _vgg19_arithmetic():
    """VGG19's convolutions with the ImageNet weights when cached, else weights=None (same cost)."""
    import keras

    from course_utils import features

    if features.imagenet_weights_present():
        return features.feature_network("imagenet", verbose=False), "VGG19, ImageNet weights"
    vgg = keras.applications.VGG19(weights=None, include_top=False, input_shape=(None, None, 3))
    return vgg, "VGG19 architecture, weights=None (the ImageNet weights are not on this machine)"


def measure_features(size: int = 96, steps: int = 300) -> dict:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_utils import features

    style_layers = list(features.STYLE_LAYERS)
    candidates = [
        ("random VGG, He uniform (chosen)", lambda: features.random_vgg(), style_layers),
        ("random VGG, zero-mean filters", _zero_mean_vgg, style_layers),
        ("random VGG, twice the width", lambda: features.random_vgg((64, 128, 256, 512, 512)), style_layers),
        ("course MNIST CNN (trained)", features.mnist_features, ["block1_conv1", "block2_conv1"]),
    ]
    start = np.random.default_rng(0).uniform(0.4, 0.6, size=(1, size, size, 3)).astype(np.float32)
    styles = ["brick", "immunohistochemistry"]
    rows, pictures = [], {name: [features.load_image(name, size)[0]] for name in styles}
    for label, build, layers in candidates:
        network = build()
        for name in styles:
            image, factor, seconds = _synthesise(network, layers, features.load_image(name, size), start, steps, 0.05)
            pictures[name].append(image[0])
            rows.append({"network": label, "style": name, "layers": layers, "loss_factor": round(factor, 1),
                         "seconds_per_step": round(seconds, 4)})
            print(json.dumps(rows[-1]), flush=True)
    fig, axes = plt.subplots(len(styles), len(candidates) + 1, figsize=(2.6 * (len(candidates) + 1), 2.9 * len(styles)))
    for r, name in enumerate(styles):
        for c, picture in enumerate(pictures[name]):
            axes[r, c].imshow(picture)
            axes[r, c].set_title("example" if c == 0 else candidates[c - 1][0], fontsize=7)
            axes[r, c].axis("off")
    plt.tight_layout()
    figure_path = RESULTS / "style_transfer_features.png"
    fig.savefig(figure_path, dpi=55)

    vgg19, vgg19_label = _vgg19_arithmetic()
    speed = []
    for label, network, layers, content in [
            ("offline random VGG (course_utils.features.random_vgg)", features.random_vgg(), style_layers,
             features.CONTENT_LAYER),
            ("course MNIST CNN", features.mnist_features(), ["block1_conv1", "block2_conv1"], "block2_conv1"),
            (vgg19_label, vgg19, style_layers, features.CONTENT_LAYER)]:
        for pixels in (128, 256):
            speed.append({"network": label, "pixels": pixels,
                          "seconds_per_transfer_step": _transfer_step_seconds(network, layers, content, pixels)})
            print(json.dumps(speed[-1]), flush=True)
    weights = features.random_vgg_weights()
    return {
        "what": "candidate offline feature networks: textures synthesised from the same noise, and step times",
        "synthesis": {"pixels": size, "steps": steps, "optimizer": "Adam(0.05) on the pixels, clipped to [0, 1]",
                      "start": "uniform noise in [0.4, 0.6], seed 0", "layer_weights": "equal"},
        "candidates": rows,
        "figure": str(figure_path.relative_to(ROOT)),
        "looked_at": (
            "Looked at style_transfer_features.png: the MNIST CNN's textures are pale, diagonal-streaked noise that "
            "keeps neither the tissue's colours nor any brick structure (two layers, receptive field <= 10 px, "
            "filters learned on grey strokes); its large loss factor only says its two Gram matrices are easy to "
            "match. The He-uniform random VGG keeps the tissue's white background and brown blobs and a hint of "
            "the bricks' vertical strokes; zero-mean filters draw crisper edges but lose the colour balance "
            "(brightness and mean colour are invisible to them); twice the width looks about the same at five "
            "times the cost. Chosen: the He-uniform random VGG at a quarter of VGG19's width."),
        "step_seconds": speed,
        "offline_network": {"widths": list(features.OFFLINE_WIDTHS), "blocks": list(features.VGG19_BLOCKS),
                            "seed": features.OFFLINE_SEED, "pooling": "average",
                            "parameters": int(sum(v.size for v in weights.values())),
                            "weights_sha256": features.weights_digest(weights)},
    }


def _case_loss_numbers(checks, case, image, transfer: bool) -> dict:
    weights, layer_weights = checks.case_arrays(case, "net_"), checks.case_arrays(case, "w_")
    start = checks.contract.start_of(case)
    before = float(checks.style_loss_of_images(weights, layer_weights, start, case["style_image"])[0])
    after = float(checks.style_loss_of_images(weights, layer_weights, image, case["style_image"])[0])
    numbers = {"factor": round(before / max(after, 1e-30), 2)}
    if transfer:
        layer = str(case["content_layer"])
        style_resized = checks._resize(np.asarray(case["style_image"]), start.shape[1:3])
        numbers["content_share"] = round(
            float(checks.content_loss_of_images(weights, layer, image, case["content_image"])[0])
            / float(checks.content_loss_of_images(weights, layer, style_resized, case["content_image"])[0]), 4)
    numbers["in_range"] = bool(image.min() >= 0 and image.max() <= 1)
    return numbers


def measure_bars() -> dict:
    from autograder.verdicts import judging

    checks = importlib.import_module("autograder.checks.07_style_transfer")
    reference = checks.optimise_reference
    texture_variants = {
        "reference (Adam 0.05)": {},
        "ascends the style loss (Adam -0.05)": {"learning_rate": -0.05},
        "learning rate 100x too small (5e-4)": {"learning_rate": 5e-4},
        "layer weights ignored while optimising (all 1)": {"ignore_weights": True},
        "right, a smaller default learning rate (0.02)": {"learning_rate": 0.02},
    }
    transfer_variants = {
        "reference (Adam 0.02)": {},
        "ascends the loss (Adam -0.02)": {"learning_rate": -0.02},
        "no content term": {"content_weight": 0.0},
        "TV with the wrong sign": {"tv_sign": -1.0},
        "layer weights ignored while optimising (all 1)": {"ignore_weights": True},
        "right, the synthesis's learning rate (0.05)": {"learning_rate": 0.05},
    }
    results: dict = {"texture": {}, "transfer": {}}
    seconds = {"texture": [], "transfer": []}
    for secret in SECRETS:
        for kind, check_id, variants in (("texture", "synthesise_texture", texture_variants),
                                         ("transfer", "style_transfer", transfer_variants)):
            check = judging.get_check(checks.ASSIGNMENT, check_id)
            cases = check.make_cases(np.random.default_rng(judging.case_seed(checks.ASSIGNMENT, check_id, secret)))
            for label, change in variants.items():
                for case in filter(lambda case: not checks.contract.is_short(case), cases):  # the main cases
                    weights, layer_weights = checks.case_arrays(case, "net_"), checks.case_arrays(case, "w_")
                    optimised = {k: 1.0 for k in layer_weights} if change.get("ignore_weights") else layer_weights
                    options = {"learning_rate": change.get("learning_rate", 0.05 if kind == "texture" else 0.02)}
                    if kind == "transfer":
                        options.update(content_image=case["content_image"], content_layer=str(case["content_layer"]),
                                       content_weight=change.get("content_weight", case["content_weight"]),
                                       style_weight=case["style_weight"],
                                       tv_weight=change.get("tv_sign", 1.0) * case["tv_weight"])
                    started = time.perf_counter()
                    image = reference(weights, optimised, case["style_image"], checks.contract.start_of(case),
                                      int(case["steps"]),
                                      **options)
                    if label.startswith("reference"):
                        seconds[kind].append(round(time.perf_counter() - started, 2))
                    numbers = _case_loss_numbers(checks, case, image, kind == "transfer")
                    results[kind].setdefault(label, []).append({"secret": secret, **numbers})
                    print(kind, repr(secret), label, numbers, flush=True)
    return {
        "what": "effect checks of 07_style_transfer: the reference and the mistakes on the hidden cases of 3 secrets",
        "steps": {"texture": checks.TEXTURE_STEPS, "transfer": checks.TRANSFER_STEPS},
        "hidden_network": {"widths": list(checks.HIDDEN_WIDTHS), "blocks": list(checks.HIDDEN_BLOCKS),
                           "style_weights": checks.HIDDEN_STYLE_WEIGHTS, "content_layer": checks.HIDDEN_CONTENT_LAYER},
        "transfer_weights": checks.TRANSFER_WEIGHTS,
        "results": results,
        "reference_seconds_per_case": seconds,
        "bars": {"texture_min_factor": checks.TEXTURE_MIN_FACTOR, "transfer_min_factor": checks.TRANSFER_MIN_FACTOR,
                 "transfer_max_content_share": checks.TRANSFER_MAX_CONTENT},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("measure", choices=["features", "bars"])
    args = parser.parse_args()
    from course_utils.runtime import machine_facts, profile

    started = time.perf_counter()
    report = measure_features() if args.measure == "features" else measure_bars()
    report = {"measure": args.measure, "profile": profile(), "profile_note": PROFILE_NOTE,
              "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine_facts(), "seconds": round(time.perf_counter() - started, 1), **report}
    path = RESULTS / f"style_transfer_{args.measure}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
