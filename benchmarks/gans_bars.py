"""Calibrate the artifact bars of 06_gans: measure the notebook's generators and the mistakes.

Usage: ``python benchmarks/gans_bars.py DIR [--profile smoke|full]`` where DIR holds the
notebook's saved ``dcgan_generator.keras``, ``cgan_generator.keras`` and ``wgan_generator.keras``
(run the solution notebook there in that profile). Writes
``benchmarks/results/gans_bars_<profile>.json`` with, for each generator and each mistake,
the measures the artifact checks use (classifier FID against held-out test images, classifier
score, novelty, cGAN label accuracy), the real-data floor (training vs test images) and the
machine. The mistakes (built here, also used by ``tests/test_06_gans_checks.py``):

- an **untrained** DCGAN generator (the notebook's architecture, random weights);
- **noise**: a random dense layer with a sigmoid;
- a **collapsed** generator: it draws held-out 1s only (real digits, one class);
- a **memoriser**: a softmax over latent projections picks one training image per code;
- a **label-ignoring cGAN**: the DCGAN generator behind a label input that is embedded as zeros.
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LATENT_DIM = 32


def _keras():
    import keras

    return keras


def untrained_generator(latent_dim: int = LATENT_DIM, seed: int = 0) -> Any:
    """The notebook's DCGAN generator architecture with its random initial weights."""
    keras = _keras()
    from keras import layers

    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input((latent_dim,)),
        layers.Dense(7 * 7 * 64), layers.BatchNormalization(), layers.LeakyReLU(0.2), layers.Reshape((7, 7, 64)),
        layers.Conv2DTranspose(32, 4, strides=2, padding="same"), layers.BatchNormalization(), layers.LeakyReLU(0.2),
        layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="sigmoid"),
    ], name="untrained_generator")


def noise_generator(latent_dim: int = LATENT_DIM, seed: int = 0) -> Any:
    """z -> sigmoid(random dense layer): grey noise images (N, 28, 28, 1)."""
    keras = _keras()
    from keras import layers

    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((latent_dim,)), layers.Dense(784, activation="sigmoid"),
                             layers.Reshape((28, 28, 1))], name="noise_generator")


def replaying_generator(images: np.ndarray, latent_dim: int = LATENT_DIM, seed: int = 0, sharpness: float = 100.0) -> Any:
    """z -> one of ``images`` (K, 28, 28, 1): softmax(sharpness * z @ W) picks (nearly) one image per code."""
    keras = _keras()
    from keras import layers

    rng = np.random.default_rng(seed)
    choose = layers.Dense(len(images), use_bias=False, activation="softmax", name="choose")
    draw = layers.Dense(784, use_bias=False, name="draw")
    z = keras.Input((latent_dim,))
    out = layers.Reshape((28, 28, 1))(draw(choose(z)))
    model = keras.Model(z, out, name="replaying_generator")
    choose.set_weights([(sharpness * rng.normal(size=(latent_dim, len(images)))).astype(np.float32)])
    draw.set_weights([images.reshape(len(images), 784).astype(np.float32)])
    return model


def label_ignoring(generator: Any, latent_dim: int = LATENT_DIM) -> Any:
    """[z, labels] -> generator(z + 0 * embedding(labels)): a cGAN whose label changes nothing."""
    keras = _keras()
    from keras import layers

    z = keras.Input((latent_dim,))
    labels = keras.Input((), dtype="int32")
    shifted = layers.Add()([z, layers.Embedding(10, latent_dim, embeddings_initializer="zeros")(labels)])
    return keras.Model([z, labels], generator(shifted), name="label_ignoring_cgan")


def _mnist(split: str, limit: int | str) -> tuple[np.ndarray, np.ndarray]:
    from course_utils import data

    images, labels = data.load_numpy("mnist", split, limit=limit)
    return images.astype(np.float32) / 255.0, labels


def mistakes(dcgan: Any | None) -> dict[str, tuple[Any, bool]]:
    """{name: (model, conditional)} for every mistake; the label-ignoring cGAN needs the DCGAN generator."""
    train, train_labels = _mnist("train", "all")
    test, test_labels = _mnist("test", "all")
    built = {
        "untrained": (untrained_generator(), False),
        "noise": (noise_generator(), False),
        "collapsed_held_out_ones": (replaying_generator(test[5000:][test_labels[5000:] == 1]), False),
        "memoriser_2000_training_images": (replaying_generator(train[:2000]), False),
        "memoriser_training_ones": (replaying_generator(train[train_labels == 1][:2000]), False),
    }
    if dcgan is not None:
        built["label_ignoring_cgan"] = (label_ignoring(dcgan), True)
    return built


def measure_model(model: Any, count: int, conditional: bool) -> dict[str, float]:
    """The artifact check's measures of ``model`` on ``count`` samples."""
    artifacts = importlib.import_module("autograder.checks._gans_artifacts")
    labels = np.arange(count) % 10 if conditional else None
    images, problem = artifacts.sample(model, count, labels)
    if problem:
        return {"problem": problem}
    return artifacts.measure(images, _mnist("test", count)[0], _mnist("train", "all")[0], labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--profile", default="smoke", choices=["smoke", "full"])
    args = parser.parse_args()
    from course_utils import evaluation, runtime, training

    checks = importlib.import_module("autograder.checks.06_gans")
    count = checks.SAMPLES[args.profile]
    results: dict[str, Any] = {"profile": args.profile, "samples": count, "machine": runtime.machine_facts(),
                               "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    train, _ = _mnist("train", "all")
    test, _ = _mnist("test", count)
    results["real_floor"] = {"fid_train_vs_test": evaluation.classifier_fid(train[-count:], test),
                             "score_test": evaluation.classifier_score(test)}
    generators = {}
    for name, conditional in (("dcgan", False), ("cgan", True), ("wgan", False)):
        path = args.directory / f"{name}_generator.keras"
        if path.is_file():
            generators[name] = training.load_artifact(path, compile=False)
            info = training.read_metadata(path) or {}
            results[name] = {**measure_model(generators[name], count, conditional),
                             "training_seconds": info.get("training_seconds")}
            print(name, results[name], flush=True)
    results["mistakes"] = {}
    for name, (model, conditional) in mistakes(generators.get("dcgan")).items():
        results["mistakes"][name] = measure_model(model, count, conditional)
        print(name, results["mistakes"][name], flush=True)
    out = ROOT / "benchmarks" / "results" / f"gans_bars_{args.profile}.json"
    out.write_text(json.dumps(results, indent=2, default=float) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
