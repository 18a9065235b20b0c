"""Can the grader tell a model trained on the public test split from an honest one, without a private set?

Why (issue 28, "evaluation data the student cannot train on"): without ``COURSE_EVAL_DIR`` week 2's
saved classifiers are scored on MNIST's / Fashion-MNIST's public test split, which a student can
train on. This script trains, at the active profile, honest variants of the notebook's own recipe
(``reference_accuracy.reference_namespace``) and memorisers (the same recipe trained on the first
test images, which include every image the smoke check evaluates), and records for each model the
accuracies the candidate signals compare:

- ``test``: the evaluated public test images (what the check scores);
- ``shifted`` / ``noisy``: transformed copies of them (a random shift of 1-2 pixels per image,
  Gaussian pixel noise of sd 25), the issue's suggestion (the grader would draw them with its secret);
- ``held_back``: the last training images (the notebook's validation split: never trained on by the
  notebook's recipe, so an honest model scores about as well there as on the test images).

Usage (``nice``: the CPU is shared; smoke takes a few minutes)::

    COURSE_PROFILE=smoke nice -n 15 .venv/bin/python benchmarks/memoriser_signal.py [mnist fashion_mnist] [VARIANT…]

Writes ``benchmarks/results/memoriser_signal_<profile>.json`` (machine, date, commit).
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
ASSIGNMENT = "autograder.checks.02_cnn_classification"
NOISE_SD = 25.0  # pixel noise of the noisy copies, on [0, 255]


def _honest_variants() -> object:
    import importlib.util

    spec = importlib.util.spec_from_file_location("honest_variants_cnn", ROOT / "benchmarks" / "honest_variants_cnn.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def train_on_test(ns: dict, name: str, *, epochs: int, augment: bool, count: int | None = None) -> object:
    """The notebook's ``train_classifier`` with the training images replaced by the first ``count`` test
    images (default: as many as the profile trains on)."""
    from course_utils import data

    train_split, val, _ = ns["load_splits"](name)
    test = data.load_numpy(name, "test", limit=count or len(train_split[1]))
    return ns["train_classifier"](ns["build_modern_cnn"], name, test, val, epochs=epochs, augment=augment)[0]


def shifted(images: np.ndarray, rng: np.random.Generator, pixels: int = 2) -> np.ndarray:
    """Each image moved by a random (dy, dx) in [-pixels, pixels]², never (0, 0), the edge filled with black."""
    out = np.zeros_like(images)
    size = images.shape[1]
    for index, image in enumerate(images):
        dy = dx = 0
        while dy == 0 and dx == 0:
            dy, dx = (int(v) for v in rng.integers(-pixels, pixels + 1, size=2))
        out[index, max(dy, 0):size + min(dy, 0), max(dx, 0):size + min(dx, 0)] = \
            image[max(-dy, 0):size + min(-dy, 0), max(-dx, 0):size + min(-dx, 0)]
    return out


def accuracies(model: object, name: str, profile: str) -> dict[str, float]:
    """Each candidate signal's accuracy for ``model`` (see the module doc)."""
    from autograder.checks import _memoriser

    checks = importlib.import_module(ASSIGNMENT)
    twin = checks._float32_twin(model)
    limit = "all" if profile == "full" else checks.SMOKE_TEST_EXAMPLES
    images, labels, _ = checks.evaluation_set(name, limit)
    rng = np.random.default_rng(2812)
    noisy = np.clip(images + rng.normal(0.0, NOISE_SD, images.shape), 0, 255).astype(np.uint8)
    out = {"test": checks._accuracy(twin, images, labels), "shifted": checks._accuracy(twin, shifted(images, rng), labels),
           "noisy": checks._accuracy(twin, noisy, labels),
           "held_back": checks._accuracy(twin, *_memoriser.held_back(name, profile))}
    return {k: round(float(v), 4) for k, v in out.items()}


def main(argv: list[str] | None = None) -> int:
    from course_utils import runtime

    args = argv if argv is not None else sys.argv[1:]
    names = [a for a in args if a in ("mnist", "fashion_mnist")] or ["mnist", "fashion_mnist"]
    only = [a for a in args if a not in names]  # variant names (default: all)
    profile = runtime.profile()
    path = RESULTS / f"memoriser_signal_{profile}.json"
    record = json.loads(path.read_text()) if path.exists() else {"benchmark": "memoriser_signal", "profile": profile}
    honest = _honest_variants()
    ns = honest._reference_accuracy().reference_namespace()
    seed = ns["SEED"]
    for name in names:
        epochs = ns["EPOCHS_MNIST"] if name == "mnist" else ns["EPOCHS_FASHION"]
        runs = {
            "reference": ("honest", lambda: honest.train(ns, name)),
            "seed_1": ("honest", lambda: honest.train(ns, name, seed=1)),
            "width_24": ("honest", lambda: honest.train(ns, name, width=24)),
            "no_augmentation": ("honest", lambda: honest.train(ns, name, augment=False)),
            "memoriser": ("memoriser", lambda: train_on_test(ns, name, epochs=epochs, augment=True)),
            "memoriser_5x_epochs": ("memoriser", lambda: train_on_test(ns, name, epochs=5 * epochs, augment=True)),
            "memoriser_no_augmentation": ("memoriser", lambda: train_on_test(ns, name, epochs=5 * epochs,
                                                                             augment=False)),
            # only the images the smoke check scores, until it knows them: the memoriser that gains most
            "memoriser_scored_images_only": ("memoriser", lambda: train_on_test(
                ns, name, epochs=15 * epochs, augment=False, count=importlib.import_module(ASSIGNMENT).SMOKE_TEST_EXAMPLES)),
        }
        runs = {k: v for k, v in runs.items() if not only or k in only}
        section = record.setdefault(name, {})
        for variant, (kind, make) in runs.items():
            started = time.perf_counter()
            model = make()
            ns["SEED"] = seed
            section[variant] = {"kind": kind, **accuracies(model, name, profile),
                                "training_seconds": round(time.perf_counter() - started, 1)}
            print(f"{name} {variant}: {section[variant]}", flush=True)
            record.update(date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), machine=runtime.machine_facts())
            path.write_text(json.dumps(record, indent=2) + "\n")
    print(f"-> {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
