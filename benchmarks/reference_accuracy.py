"""Train the reference CNNs of assignment 02 and record their test accuracy.

Why: the hidden bars of ``autograder/checks/02_cnn_classification.py`` (MNIST ≥ 99.0 %,
Fashion-MNIST ≥ 91.0 % in the full profile) must be reachable with the notebook's own
code, with a margin. This script runs exactly the solution notebook's code: it executes
the code cells tagged ``reference`` of ``solutions/02_cnn_classification/02_cnn_classification.ipynb``
(data pipeline, augmentation, the modern CNN, the training loop), trains one model per
dataset at the active profile, evaluates it on the test split and writes
``benchmarks/results/cnn_reference_<profile>_<dataset>.json``.

Usage (the full profile takes ~15-40 min per dataset on a 2-core CPU, ~1 min on a GPU)::

    COURSE_PROFILE=full nice -n 19 .venv/bin/python benchmarks/reference_accuracy.py fashion_mnist mnist

Models are saved under ``build/reference_models/`` (git-ignored), never committed. Each
saved model is then graded by the assignment's hidden artifact check (in a fresh process,
as the grader does) and the verdict is recorded too; ``--judge-only`` does just that for
models trained earlier.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import nbformat  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "solutions" / "02_cnn_classification" / "02_cnn_classification.ipynb"
RESULTS = ROOT / "benchmarks" / "results"
MODELS = ROOT / "build" / "reference_models"
PRELUDE = """
import keras
import numpy as np
import tensorflow as tf
from keras import layers
from course_utils import data, runtime
SEED = runtime.set_seed(1234)
"""


def reference_namespace(notebook: Path = NOTEBOOK) -> dict:
    """Execute the notebook's ``reference``-tagged code cells; return their globals."""
    namespace: dict = {"__name__": "reference_notebook"}
    exec(PRELUDE, namespace)  # the notebook's Setup cell minus plotting/printing
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "code" and "reference" in cell.metadata.get("tags", []):
            exec(compile(cell.source, f"{notebook.name}:{cell.get('id', '?')}", "exec"), namespace)
    return namespace


def machine() -> dict:
    """Where the numbers were measured (see ``course_utils.runtime.machine_facts``)."""
    from course_utils.runtime import machine_facts

    return machine_facts()


def run(name: str, namespace: dict, models: Path = MODELS) -> dict:
    """Train the reference modern CNN on ``name``, evaluate it on the test split, save the model."""
    from course_utils import runtime

    epochs = namespace["EPOCHS_MNIST"] if name == "mnist" else namespace["EPOCHS_FASHION"]
    train, val, (x_test, y_test) = namespace["load_splits"](name)
    start = time.perf_counter()
    model, history = namespace["train_classifier"](namespace["build_modern_cnn"], name, train, val,
                                                   epochs=epochs)
    seconds = time.perf_counter() - start
    _, test_accuracy = model.evaluate(x_test, y_test, batch_size=512, verbose=0)
    models.mkdir(parents=True, exist_ok=True)
    model.save(models / f"{name}_cnn_{runtime.profile()}.keras")
    val_accuracy = history.history["val_accuracy"]
    return {
        "dataset": name,
        "profile": runtime.profile(),
        "model": "build_modern_cnn(width=32)",
        "parameters": int(model.count_params()),
        "train_examples": int(len(train[0])),
        "test_examples": int(len(x_test)),
        "epochs_planned": int(epochs),
        "epochs_run": len(val_accuracy),
        "best_epoch": int(max(range(len(val_accuracy)), key=val_accuracy.__getitem__)) + 1,
        "best_val_accuracy": float(max(val_accuracy)),
        "test_accuracy": float(test_accuracy),
        "training_seconds": round(seconds, 1),
        "history": {k: [round(float(v), 5) for v in vals] for k, vals in history.history.items()
                    if k != "learning_rate"},
        "machine": machine(),
        "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }


def augmentation(name: str, namespace: dict) -> list[str]:
    """The training augmentation of ``name``, layer by layer, e.g. ``["RandomFlip(horizontal)"]``."""
    described = []
    for layer in namespace["make_augmentation"](name).layers:
        config = layer.get_config()
        keys = ("mode", "factor", "height_factor", "width_factor")
        described.append(f"{type(layer).__name__}(" + ", ".join(str(config[k]) for k in keys if k in config) + ")")
    return described


def judge_saved(name: str, profile: str, models: Path = MODELS) -> dict:
    """The hidden artifact check's verdict on the saved reference model, from a fresh process."""
    import subprocess
    import sys

    check_id = "mnist_cnn" if name == "mnist" else "fashion_cnn"
    model = models / f"{name}_cnn_{profile}.keras"
    code = ("import importlib, json, sys; from pathlib import Path; "
            "checks = importlib.import_module('autograder.checks.02_cnn_classification'); "
            "v = checks.judge_classifier(Path(sys.argv[1]), sys.argv[2], dataset=sys.argv[3], check_id=sys.argv[4]); "
            "print(json.dumps(v.to_json()))")
    done = subprocess.run([sys.executable, "-c", code, str(model), profile, name, check_id], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    if done.returncode != 0:
        return {"passed": False, "message": done.stderr.strip()[-500:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="*", default=["mnist", "fashion_mnist"],
                        choices=["mnist", "fashion_mnist"])
    parser.add_argument("--judge-only", action="store_true",
                        help="only grade the models saved by an earlier run and update their results")
    parser.add_argument("--notebook", type=Path, default=NOTEBOOK,
                        help="a variant of the solution notebook whose reference cells to run")
    parser.add_argument("--out", type=Path, default=None,
                        help="write results and models under this folder instead of benchmarks/results and "
                             "build/reference_models (for trying a variant recipe)")
    args = parser.parse_args(argv)
    from course_utils import runtime

    results, models = (args.out, args.out / "models") if args.out else (RESULTS, MODELS)
    results.mkdir(parents=True, exist_ok=True)
    namespace = reference_namespace(args.notebook)
    for name in args.datasets:
        out = results / f"cnn_reference_{runtime.profile()}_{name}.json"
        record = json.loads(out.read_text()) if args.judge_only else run(name, namespace, models)
        record.setdefault("augmentation", augmentation(name, namespace))
        record["hidden_check"] = judge_saved(name, record["profile"], models)
        out.write_text(json.dumps(record, indent=2) + "\n")
        print(f"{name}: hidden check {record['hidden_check']['message']}", flush=True)
        print(f"{name}: test accuracy {record['test_accuracy']:.4f} after {record['epochs_run']} epochs "
              f"in {record['training_seconds']:.0f} s -> {out}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
