"""Reference numbers of assignment 05_autoencoders, and the variants that calibrate its artifact bars.

Runs the solution notebook's own definitions (its setup and data cells whole, then every
function, class and UPPER_CASE constant of the other cells) at the active profile, trains

- the reference denoising autoencoder and the latent-2 and latent-16 VAEs (the notebook's
  ``train_denoising`` and ``train_vae``),
- the mistakes the bars must reject: the same convolutional autoencoder trained on clean
  inputs, an "autoencoder" with a 1,024-unit code (wider than the 784-pixel input) trained to
  copy, the identity, and VAEs whose reconstruction term is a summed squared error instead
  of the Bernoulli log-likelihood,

and measures them as the grader does (``autograder/checks/05_autoencoders.py``: denoising error
on its noisy test images, negative ELBO on its binarisation), plus the importance-sampled NLL
of the reference VAEs (the notebook's ``importance_sampled_log_px``, K samples per image)
→ ``benchmarks/results/autoencoders_reference_<profile>.json``, with the machine and the
training times, next to published figures.

Usage (smoke ≈ 3 min, full ≈ 1 h on a shared 2-core CPU)::

    COURSE_PROFILE=smoke nice -n 19 .venv/bin/python benchmarks/autoencoders_reference.py
    COURSE_PROFILE=full nice -n 19 .venv/bin/python benchmarks/autoencoders_reference.py

Models are saved under ``build/reference_models/05_autoencoders_<profile>/`` (git-ignored) and
reused on the next run; delete the folder to retrain.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import nbformat  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOTEBOOK = ROOT / "solutions" / "05_autoencoders" / "05_autoencoders.ipynb"
RESULTS = ROOT / "benchmarks" / "results"
IS_SAMPLES = {"smoke": 100, "full": 1000}
IS_IMAGES = {"smoke": 500, "full": 1000}

# What others measured (quoted from memory of the papers; no network here to re-read them).
PUBLISHED = [
    {"source": "Burda, Grosse, Salakhutdinov: Importance Weighted Autoencoders, ICLR 2016, Table 1",
     "figure": "VAE, 1 stochastic layer (50 units), k = 1: test NLL 86.76 nats (MNIST, K = 5000)",
     "comparable": "importance-sampled NLL of a much larger latent and longer training than ours",
     "certainty": "recalled, not re-checked"},
    {"source": "Kingma, Welling: Auto-Encoding Variational Bayes, ICLR 2014, Figure 2",
     "figure": "test lower bound per data point on MNIST, roughly -100 nats for 20 latent units after 1e8 "
               "training samples, worse for 3 and 5 latent units",
     "comparable": "negative ELBO; read off a figure",
     "certainty": "recalled, not re-checked"},
]


def machine() -> dict:
    """Where the numbers were measured (see ``course_utils.runtime.machine_facts``)."""
    from course_utils.runtime import machine_facts

    return machine_facts()


def _definitions(source: str) -> str:
    """The imports, functions, classes and UPPER_CASE assignments of a cell."""
    tree = ast.parse(source)
    kept = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef))
            or (isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets))]
    return "\n\n".join(ast.get_source_segment(source, node) for node in kept)


def reference_namespace(workdir: Path) -> dict:
    """The notebook's setup and data cells, then its definitions, executed inside ``workdir``."""
    namespace: dict = {"__name__": "reference_notebook"}
    workdir.mkdir(parents=True, exist_ok=True)
    previous = Path.cwd()
    os.chdir(workdir)
    try:
        cells = [cell for cell in nbformat.read(NOTEBOOK, as_version=4).cells if cell.cell_type == "code"]
        for index, cell in enumerate(cells):
            grade = cell.metadata.get("nbgrader", {}).get("grade")
            source = cell.source if index < 2 else "" if grade else _definitions(cell.source)
            exec(compile(source, f"{NOTEBOOK.name}:{index}", "exec"), namespace)
    finally:
        os.chdir(previous)
    return namespace


def _timed(path: Path, train) -> tuple[object, float]:
    """Load ``path`` if a previous run saved it, else train and save it; returns (model, seconds)."""
    from course_utils import training

    if path.exists():
        return training.load_artifact(path, compile=False), float((training.read_metadata(path) or {}).get(
            "training_seconds", float("nan")))
    start = time.perf_counter()
    model = train()
    model = model[0] if isinstance(model, tuple) else model
    seconds = time.perf_counter() - start
    training.save_artifact(model, path, training_seconds=round(seconds, 1))
    return model, seconds


def _squared_error_vae(ns: dict):
    """The notebook's VAE with a summed squared error of sigmoid(logits) as its reconstruction term."""
    tf = ns["tf"]

    class SquaredErrorVAE(ns["VAE"]):
        def terms(self, x):
            mu, log_var = self.encoder(x)
            probabilities = tf.sigmoid(self.decoder(ns["sample_latent"](mu, log_var)))
            error = tf.reduce_sum(tf.reshape(tf.square(x - probabilities), (tf.shape(x)[0], -1)), axis=1)
            return error, ns["gaussian_kl"](mu, log_var)

    return SquaredErrorVAE


def _train_variant_vae(ns: dict, latent_dim: int):
    ns["runtime"].set_seed(ns["SEED"])
    vae = _squared_error_vae(ns)(ns["build_vae_encoder"](latent_dim), ns["build_vae_decoder"](latent_dim))
    vae.compile(optimizer=ns["keras"].optimizers.Adam(1e-3))
    vae.fit(ns["xb_train"], batch_size=ns["VAE_BATCH_SIZE"], epochs=ns["VAE_EPOCHS"], verbose=0)
    return ns["models"].bundle_vae(vae.encoder, vae.decoder)


def _no_kl_vae(ns: dict, latent_dim: int):
    """The notebook's VAE trained on its reconstruction term alone (the KL term dropped)."""
    tf = ns["tf"]

    class NoKLVAE(ns["VAE"]):
        def terms(self, x):
            reconstruction, kl = super().terms(x)
            return reconstruction, tf.zeros_like(kl)

    ns["runtime"].set_seed(ns["SEED"])
    vae = NoKLVAE(ns["build_vae_encoder"](latent_dim), ns["build_vae_decoder"](latent_dim))
    vae.compile(optimizer=ns["keras"].optimizers.Adam(1e-3))
    vae.fit(ns["xb_train"], batch_size=ns["VAE_BATCH_SIZE"], epochs=ns["VAE_EPOCHS"], verbose=0)
    return ns["models"].bundle_vae(vae.encoder, vae.decoder)


def _untrained_vae(ns: dict, latent_dim: int):
    ns["runtime"].set_seed(ns["SEED"])
    return ns["models"].bundle_vae(ns["build_vae_encoder"](latent_dim), ns["build_vae_decoder"](latent_dim))


def _wide_copier(ns: dict):
    """A dense "autoencoder" whose 1,024-unit code is wider than the input, trained to copy clean images."""
    keras, layers = ns["keras"], ns["layers"]
    ns["runtime"].set_seed(ns["SEED"])
    image = keras.Input(shape=(28, 28, 1))
    code = layers.Dense(1024, activation="relu")(layers.Flatten()(image))
    model = keras.Model(image, layers.Reshape((28, 28, 1))(layers.Dense(784, activation="sigmoid")(code)))
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    model.fit(ns["x_train"], ns["x_train"], batch_size=ns["BATCH_SIZE"], epochs=ns["AE_EPOCHS"], verbose=0)
    return model


def _identity(ns: dict):
    keras = ns["keras"]
    image = keras.Input(shape=(28, 28, 1))
    return keras.Model(image, keras.layers.Identity()(image))


def run(profile: str) -> dict:
    from course_utils import models

    checks = importlib.import_module("autograder.checks.05_autoencoders")
    workdir = ROOT / "build" / "reference_models" / f"05_autoencoders_{profile}"
    ns = reference_namespace(workdir)
    record: dict = {"profile": profile, "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                    "machine": machine(), "published": PUBLISHED, "denoising": {}, "vae": {}}
    denoisers = {"reference (the notebook's train_denoising)": lambda: ns["train_denoising"](),
                 "same autoencoder trained on clean inputs": lambda: ns["train_autoencoder"](32, ns["x_train"], ns["x_train"]),
                 "1,024-unit code trained to copy": lambda: _wide_copier(ns),
                 "identity (copies its input)": lambda: _identity(ns)}
    for index, (name, train) in enumerate(denoisers.items()):
        model, seconds = _timed(workdir / f"denoiser_{index}.keras", train)
        error = checks.denoising_error(model, profile)
        record["denoising"][name] = {"mse": round(error, 5), "training_seconds": round(seconds, 1),
                                     "passes": error <= checks.DENOISING_MAX_MSE[profile]}
        print(name, record["denoising"][name], flush=True)
    subset = checks.binarised(checks.test_images(profile))[:IS_IMAGES[profile]]
    for latent_dim in (2, 16):
        for variant, train in (("reference", lambda: ns["train_vae"](latent_dim)),
                               ("squared-error reconstruction", lambda: _train_variant_vae(ns, latent_dim))):
            bundle, seconds = _timed(workdir / f"vae_{variant.split()[0]}_{latent_dim}.keras", train)
            encoder, decoder = models.vae_parts(bundle)
            measured = {k: round(v, 2) for k, v in checks.negative_elbo(encoder, decoder, profile).items()}
            measured.update(training_seconds=round(seconds, 1),
                            passes=measured["negative_elbo"] <= checks.VAE_MAX_NEG_ELBO[latent_dim][profile])
            if variant == "reference":
                start = time.perf_counter()
                nll = ns["importance_sampled_nll"](encoder, decoder, subset, IS_SAMPLES[profile])
                measured.update(importance_sampled_nll=round(nll, 2), is_samples=IS_SAMPLES[profile],
                                is_images=len(subset), is_seconds=round(time.perf_counter() - start, 1),
                                negative_elbo_on_is_images=round(float(ns["negative_elbo"](encoder, decoder, subset)[0]), 2))
            measured["prior_samples"] = _rounded(checks.prior_sample_quality(decoder, latent_dim, profile))
            record["vae"][f"latent {latent_dim}, {variant}"] = measured
            print(latent_dim, variant, measured, flush=True)
    latent_dim = checks.PRIOR_LATENT_DIM
    for variant, train in (("KL term dropped", lambda: _no_kl_vae(ns, latent_dim)),
                           ("untrained", lambda: _untrained_vae(ns, latent_dim))):
        bundle, seconds = _timed(workdir / f"vae_{variant.split()[0].lower()}_{latent_dim}.keras", train)
        encoder, decoder = models.vae_parts(bundle)
        measured = {k: round(v, 2) for k, v in checks.negative_elbo(encoder, decoder, profile).items()}
        measured.update(training_seconds=round(seconds, 1),
                        prior_samples=_rounded(checks.prior_sample_quality(decoder, latent_dim, profile)))
        record["vae"][f"latent {latent_dim}, {variant}"] = measured
        print(latent_dim, variant, measured, flush=True)
    return record


def _rounded(values: dict) -> dict:
    return {key: round(value, 3) for key, value in values.items()}


def main() -> int:
    from course_utils import runtime

    profile = runtime.profile()
    record = run(profile)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"autoencoders_reference_{profile}.json"
    path.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
