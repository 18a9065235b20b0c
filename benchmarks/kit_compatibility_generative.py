"""Generative artifacts trained anywhere the kit allows: do they grade as their pinned twin?

The companion of :mod:`benchmarks.kit_compatibility` (classifiers) for the other artifact kinds,
on the same stacks (``STACKS`` there: keras 3.10 / TF 2.19, keras 3.12 / TF 2.20, the pinned stack
under ``mixed_float16``, the JAX backend), each in a fresh venv holding the kit's wheel:

- **VAE** (week 5): a small dense VAE with a 16-D latent space, trained on the negative ELBO
  through ``compile``/``fit`` only (a loss on the concatenated ``[logits, mu, log_var]``, so the
  same code runs under every backend), saved with ``course_utils.models.bundle_vae`` as
  ``vae_latent16.keras``; judged by 05_autoencoders' ``vae_latent16`` and ``vae_prior_samples``.
- **Generator** (week 6): that VAE's decoder ending in a sigmoid, saved as
  ``dcgan_generator.keras`` (one input ``z``, images in [0, 1]: the generator contract);
  judged by 06_gans' ``dcgan_generator`` (classifier FID, score, novelty). The conditional
  generator (two inputs) is not covered.
- **``.npz``**: no week grades a ``.npz`` (week 6's ``toy_gan_samples.npz`` is only loaded by
  its notebook), so the record loads one saved by each stack with the pinned
  ``course_utils.training.load_artifact``, as notebooks and the student check do, and compares
  the arrays with the ones the stack wrote.

Each row also keeps the backend line week 3's setup cell prints under that stack
(``runtime.device_report``: under JAX it must say to set ``KERAS_BACKEND=tensorflow``).

Smoke profile, 2,000 training images, fixed seeds. Writes
``benchmarks/results/kit_compatibility_generative.json``.

Usage (about 2 minutes a stack on the shared 2-core CPU once uv's cache holds the stacks)::

    nice -n 15 .venv/bin/python benchmarks/kit_compatibility_generative.py
    nice -n 15 .venv/bin/python benchmarks/kit_compatibility_generative.py --stacks pinned,jax
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
from benchmarks.kit_compatibility import STACKS, grade, venv_for  # noqa: E402
from course_utils.runtime import machine_facts  # noqa: E402

# week -> the artifact checks of that week this record judges
GRADED = {"05_autoencoders": "vae_latent16,vae_prior_samples", "06_gans": "dcgan_generator"}

TRAIN = """
import os, sys, time
import numpy as np
import keras
from keras import layers, ops
from course_utils import data, models, training
from course_utils.artifacts import describe_sidecar, read_metadata
if os.environ.get("COMPAT_POLICY"):
    keras.config.set_dtype_policy(os.environ["COMPAT_POLICY"])
keras.utils.set_random_seed(1234)
LATENT, PIXELS = 16, 784
x, _ = data.load_numpy("mnist", "train", limit=2000)
x = x.astype("float32") / 255.0
target = (x.reshape(len(x), PIXELS) > 0.5).astype("float32")

image = keras.Input((28, 28, 1))
h = layers.Dense(256, activation="relu")(layers.Flatten()(image))
encoder = keras.Model(image, [layers.Dense(LATENT, dtype="float32")(h), layers.Dense(LATENT, dtype="float32")(h)])
code = keras.Input((LATENT,))
h = layers.Dense(256, activation="relu")(code)
decoder = keras.Model(code, layers.Reshape((28, 28, 1))(layers.Dense(PIXELS, dtype="float32")(h)))

class Sample(layers.Layer):
    def __init__(self):
        super().__init__(dtype="float32")
        self.seed = keras.random.SeedGenerator(1234)
    def call(self, mu, log_var):
        return mu + ops.exp(0.5 * log_var) * keras.random.normal(ops.shape(mu), seed=self.seed)

mu, log_var = encoder(image)
logits = layers.Flatten(dtype="float32")(decoder(Sample()(mu, log_var)))
trainer = keras.Model(image, layers.Concatenate(dtype="float32")([logits, mu, log_var]))

def negative_elbo(y_true, y_pred):
    logits, mu, log_var = y_pred[:, :PIXELS], y_pred[:, PIXELS:PIXELS + LATENT], y_pred[:, PIXELS + LATENT:]
    reconstruction = ops.sum(ops.relu(logits) - logits * y_true + ops.log1p(ops.exp(-ops.abs(logits))), axis=-1)
    return reconstruction - 0.5 * ops.sum(1 + log_var - mu ** 2 - ops.exp(log_var), axis=-1)

trainer.compile(optimizer=keras.optimizers.Adam(1e-3), loss=negative_elbo)
start = time.perf_counter()
history = trainer.fit(x[..., None], target, epochs=30, batch_size=64, verbose=0)
seconds = time.perf_counter() - start
out = sys.argv[1]
saved = [training.save_artifact(models.bundle_vae(encoder, decoder), out + "/vae_latent16.keras",
                                metrics={"loss": float(history.history["loss"][-1])}, training_seconds=seconds)]
generator = keras.Model(code, layers.Activation("sigmoid", dtype="float32")(decoder(code)))
saved.append(training.save_artifact(generator, out + "/dcgan_generator.keras", training_seconds=seconds))
arrays = {"samples": np.asarray(generator(np.ones((4, LATENT), "float32"))), "labels": np.arange(4)}
saved.append(training.save_artifact(arrays, out + "/toy_gan_samples.npz"))
np.save(out + "/expected_samples.npy", arrays["samples"])
for path in saved:
    print(path.name, describe_sidecar(read_metadata(path)), flush=True)
"""

SETUP_LINE = "from course_utils import runtime; print(runtime.device_report(verbose=False).backend_line)"

NPZ_CHECK = """
import sys, numpy as np
from course_utils import training
loaded = training.load_artifact(sys.argv[1] + "/toy_gan_samples.npz")
same = np.array_equal(loaded["samples"], np.load(sys.argv[1] + "/expected_samples.npy"))
print(f"loaded by the pinned course_utils: keys {sorted(loaded)}, samples {'identical' if same else 'DIFFERENT'}")
"""


def run_stack(stack: str, wheel: Path, work: Path) -> dict:
    """Train the generative artifacts under ``stack`` and judge them with the pinned grader; the record's row."""
    extra, env = STACKS[stack]
    start = time.perf_counter()
    row: dict = {"stack": stack, "requirements": extra or "the repository's pinned venv", "env": env}
    try:
        python = venv_for(stack, extra, wheel, work)
    except subprocess.CalledProcessError as exc:
        row["error"] = f"could not build the stack: {exc}"
        return row
    folder = work / stack
    week3 = folder / "03_adversarial"  # what week 3's setup cell says under this stack's backend
    week3.mkdir(parents=True)
    said = subprocess.run([str(python), "-c", SETUP_LINE], cwd=week3, capture_output=True, text=True,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **env})
    row["week3_setup_backend_line"] = said.stdout.strip() or said.stderr.strip()[-300:]
    trained = subprocess.run([str(python), "-c", TRAIN, str(folder)], cwd=folder, capture_output=True, text=True,
                             timeout=1800, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "COURSE_PROFILE": "smoke",
                                                **env})
    row["trained"] = trained.stdout.strip().splitlines() or trained.stderr.strip()[-600:]
    if trained.returncode == 0:
        row["verdicts"] = {week: grade(folder, week, checks, timeout=1800) for week, checks in GRADED.items()}
        npz = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", NPZ_CHECK, str(folder)], cwd=ROOT,
                             capture_output=True, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
        row["npz"] = npz.stdout.strip() or npz.stderr.strip()[-300:]
    row["seconds"] = round(time.perf_counter() - start, 1)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stacks", default=",".join(STACKS), help="comma-separated, from: " + ", ".join(STACKS))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="kit-compat-gen-") as tmp:
        work = Path(tmp)
        built = kit.build_kit(list(GRADED), work / "kit")
        for stack in args.stacks.split(","):
            rows.append(run_stack(stack, built.wheel, work))
            print(json.dumps(rows[-1]), flush=True)
    out = ROOT / "benchmarks" / "results" / "kit_compatibility_generative.json"
    out.write_text(json.dumps({"grader": "pinned (repository venv), smoke profile: " + "; ".join(
        f"{week} {checks}" for week, checks in GRADED.items()), "stacks": rows, "machine": machine_facts()},
        indent=2) + "\n")
    print(f"-> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
