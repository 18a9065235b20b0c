"""Models trained anywhere the kit allows: do they grade as their pinned twin?

For each stack (older Keras 3 / TensorFlow releases inside the kit wheel's ranges, the pinned
stack under ``mixed_float16``, the JAX backend), a fresh venv holds the kit's wheel and that
stack; in it one small CNN per dataset (the classifier artifact kind of weeks 2 and 3:
``mnist_cnn.keras``, ``fashion_cnn.keras``) is trained on the smoke subset with a fixed seed
and saved with ``course_utils.training.save_artifact``; then the **pinned** grader judges each
folder with the real artifact checks of 02_cnn_classification
(``python -m autograder.verdicts.judging``, smoke profile), beside the twin trained in the
repository's own venv. Writes ``benchmarks/results/kit_compatibility.json``.

Covered here: the Keras model artifact kind (classifiers). VAEs (week 5), generators (week 6)
and ``.npz`` artifacts: ``benchmarks/kit_compatibility_generative.py``, on the same ``STACKS``.

Usage (each stack downloads its TensorFlow from PyPI once, then uv's cache serves it;
about 2 minutes a stack on the shared 2-core CPU)::

    nice -n 19 .venv/bin/python benchmarks/kit_compatibility.py
    nice -n 19 .venv/bin/python benchmarks/kit_compatibility.py --stacks pinned,jax
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.authoring import kit  # noqa: E402
from course_utils.runtime import machine_facts  # noqa: E402

# name -> (extra requirements beside the kit's wheel, environment); None: the repository's venv
STACKS: dict[str, tuple[list[str] | None, dict[str, str]]] = {
    "pinned": (None, {}),
    "keras3.10-tf2.19": (["keras==3.10.0", "tensorflow-cpu==2.19.0", "tensorflow-metadata<1.18"], {}),
    "keras3.12-tf2.20": (["keras>=3.12,<3.13", "tensorflow-cpu==2.20.0"], {}),
    "pinned-mixed_float16": (None, {"COMPAT_POLICY": "mixed_float16"}),
    "jax": (["tensorflow-cpu>=2.19,<2.22", "jax[cpu]"], {"KERAS_BACKEND": "jax"}),
}

TRAIN = """
import os, sys, time
import keras
from course_utils import data, runtime, training
from course_utils.artifacts import describe_sidecar, read_metadata
if os.environ.get("COMPAT_POLICY"):
    keras.config.set_dtype_policy(os.environ["COMPAT_POLICY"])
runtime.set_seed(1234, deterministic=False) if keras.backend.backend() == "tensorflow" else keras.utils.set_random_seed(1234)
for name, path in (("mnist", "mnist_cnn.keras"), ("fashion_mnist", "fashion_cnn.keras")):
    x, y = data.load_numpy(name, "train", limit=2000)
    inputs = keras.Input((28, 28, 1))
    h = keras.layers.Rescaling(1 / 255)(inputs)
    h = keras.layers.Conv2D(16, 3, activation="relu")(h)
    h = keras.layers.MaxPooling2D()(h)
    h = keras.layers.Conv2D(32, 3, activation="relu")(h)
    h = keras.layers.MaxPooling2D()(h)
    h = keras.layers.Flatten()(h)
    outputs = keras.layers.Dense(10, dtype="float32")(h)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x.astype("float32"), y, epochs=4, batch_size=64, validation_split=0.1, verbose=0)
    saved = training.save_artifact(model, sys.argv[1] + "/" + path, metrics={
        "val_accuracy": float(history.history["val_accuracy"][-1])},
        training_seconds=time.perf_counter() - start)
    print(path, describe_sidecar(read_metadata(saved)), flush=True)
"""


def venv_for(stack: str, extra: list[str] | None, wheel: Path, work: Path) -> Path:
    """The stack's Python: the repository's, or a fresh venv with the kit's wheel and ``extra``."""
    if extra is None:
        return ROOT / ".venv" / "bin" / "python"
    venv = work / f"venv-{stack}"
    subprocess.run(["uv", "venv", "-q", str(venv), "--python", f"{sys.version_info.major}.{sys.version_info.minor}"],
                   check=True)
    subprocess.run(["uv", "pip", "install", "-q", "--python", str(venv / "bin" / "python"), str(wheel), *extra],
                   check=True)
    return venv / "bin" / "python"


def grade(folder: Path, week: str = "02_cnn_classification", checks: str = "mnist_cnn,fashion_cnn",
          timeout: int = 900) -> dict:
    """The pinned grader's verdicts of ``checks`` (comma-separated) of ``week`` on ``folder``, smoke profile."""
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "autograder.verdicts.judging", week, checks,
                           str(folder), "smoke"], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "COURSE_PROFILE": "smoke"})
    verdicts = {}
    for line in done.stdout.strip().splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if "check" not in row:  # one check: its verdict alone
            row = {"check": checks, "verdict": row}
        verdict = json.loads(row["verdict"]) if isinstance(row.get("verdict"), str) else row.get("verdict")
        verdicts[row["check"]] = verdict
    return verdicts or {"error": done.stderr.strip()[-400:]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stacks", default=",".join(STACKS), help="comma-separated, from: " + ", ".join(STACKS))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="kit-compat-") as tmp:
        work = Path(tmp)
        built = kit.build_kit(["02_cnn_classification"], work / "kit")
        for stack in args.stacks.split(","):
            extra, env = STACKS[stack]
            start = time.perf_counter()
            row: dict = {"stack": stack, "requirements": extra or "the repository's pinned venv", "env": env}
            try:
                python = venv_for(stack, extra, built.wheel, work)
                folder = work / stack
                folder.mkdir()
                trained = subprocess.run([str(python), "-c", TRAIN, str(folder)], cwd=folder, capture_output=True,
                                         text=True, timeout=1800,
                                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "COURSE_PROFILE": "smoke", **env})
                row["trained"] = trained.stdout.strip().splitlines() or trained.stderr.strip()[-600:]
                row["verdicts"] = grade(folder) if trained.returncode == 0 else {}
            except subprocess.CalledProcessError as exc:
                row["error"] = f"could not build the stack: {exc}"
            row["seconds"] = round(time.perf_counter() - start, 1)
            rows.append(row)
            print(json.dumps(row), flush=True)
    out = ROOT / "benchmarks" / "results" / "kit_compatibility.json"
    out.write_text(json.dumps({"grader": "pinned (repository venv), smoke profile, 02_cnn_classification's "
                                         "artifact checks", "stacks": rows, "machine": machine_facts()},
                              indent=2) + "\n")
    print(f"-> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
