"""Build the models the course ships (instructor side): ``course models build``.

The course's MNIST evaluation classifier (``course_utils.evaluation``) is trained
here, once, from a fixed recipe and seed, and written with a JSON record of that
recipe, its test accuracy, the library versions, the machine and the file's
SHA-256 beside it. Anyone can rebuild it; on the same library versions and CPU
the op-deterministic run repeats itself (another machine may differ in the last
digits, which the record shows).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

SEED = 2026
EPOCHS = 4
BATCH_SIZE = 128
LEARNING_RATE = 1e-3
MIN_TEST_ACCURACY = 0.985  # a build below this is refused, not shipped


def build_classifier_model(seed: int = SEED) -> Any:
    """``Conv(32) → pool → Conv(64) → pool → Dense(128) "features" → Dropout(0.3) → Dense(10) logits``.

    x: ``(N, 28, 28, 1)`` in [0, 1]; 225,034 parameters (0.9 MB). The penultimate
    layer is named ``features`` (``course_utils.evaluation.FEATURES_LAYER``).
    """
    import keras
    from keras import layers

    init = keras.initializers.GlorotUniform
    inputs = keras.Input(shape=(28, 28, 1), name="image")
    x = layers.Conv2D(32, 3, activation="relu", kernel_initializer=init(seed), name="conv1")(inputs)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(64, 3, activation="relu", kernel_initializer=init(seed + 1), name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(128, activation="relu", kernel_initializer=init(seed + 2), name="features")(x)
    x = layers.Dropout(0.3, seed=seed, name="dropout")(x)
    logits = layers.Dense(10, kernel_initializer=init(seed + 3), name="logits")(x)
    return keras.Model(inputs, logits, name="course_mnist_classifier")


def build_classifier(path: Path | None = None, *, seed: int = SEED, epochs: int = EPOCHS) -> dict[str, Any]:
    """Train the evaluation classifier on all 60,000 MNIST training images, test it on the
    10,000 test images, and write ``<path>`` (.keras) and its ``.json`` record. Returns the record."""
    import keras
    import tensorflow as tf

    from course_utils import data, evaluation, runtime

    path = Path(path or evaluation.CLASSIFIER_PATH)
    runtime.set_seed(seed)
    train_x, train_y = data.load_numpy("mnist", "train", limit="all")
    test_x, test_y = data.load_numpy("mnist", "test", limit="all")
    train_x, test_x = (np.asarray(x, np.float32) / np.float32(255.0) for x in (train_x, test_x))
    model = build_classifier_model(seed)
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    started = time.perf_counter()
    model.fit(train_x, train_y, batch_size=BATCH_SIZE, epochs=epochs, shuffle=True, verbose=2)
    seconds = time.perf_counter() - started
    accuracy = float(model.evaluate(test_x, test_y, batch_size=1000, verbose=0)[1])
    if accuracy < MIN_TEST_ACCURACY:
        raise RuntimeError(f"the classifier reached {accuracy:.2%} test accuracy, below {MIN_TEST_ACCURACY:.1%}: "
                           "not written.")
    path.parent.mkdir(parents=True, exist_ok=True)
    shipped = build_classifier_model(seed)  # uncompiled: no optimizer state in the file (0.9 MB, not 2.7)
    shipped.set_weights(model.get_weights())
    shipped.save(path)
    record = {
        "what": "the course's MNIST evaluation classifier (course_utils.evaluation)",
        "recipe": {"architecture": "conv32-pool-conv64-pool-dense128(features)-dropout0.3-dense10",
                   "parameters": int(model.count_params()), "optimizer": f"Adam({LEARNING_RATE})",
                   "batch_size": BATCH_SIZE, "epochs": epochs, "seed": seed,
                   "data": "MNIST train (60,000), pixels / 255", "op_determinism": True},
        "test_accuracy": round(accuracy, 4), "test_images": int(len(test_y)),
        "training_seconds": round(seconds, 1),
        "machine": {"cpu": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
                    "gpu": bool(tf.config.list_physical_devices("GPU"))},
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__, "numpy": np.__version__},
        "built": dt.date.today().isoformat(),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "rebuild": "course models build",
    }
    path.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
    return record


def main(path: str | None = None) -> int:
    """``course models build``: rebuild the classifier, print its record."""
    record = build_classifier(Path(path) if path else None)
    print(f"course MNIST classifier: test accuracy {record['test_accuracy']:.2%}, "
          f"{record['training_seconds']:.0f} s, sha256 {record['sha256'][:12]}")
    return 0
