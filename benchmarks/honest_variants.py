"""Prove the artifact bars of weeks 5 and 6 on honest variants and on the known mistakes.

Why (DESIGN.md, "Checks that grade fairly"; issue 27, part 4): a bar set from one run of the
reference can fail a right answer that differs from it in an honest way. This script trains,
at the active profile (``COURSE_PROFILE=smoke|full``), for the cGAN and DCGAN generators (06_gans;
the DCGAN's variants in ``honest_variants_dcgan.py``) and the VAEs of latent 16 and latent 2 and
the denoising autoencoder (05_autoencoders; ``honest_variants_vae.py``):

- honest variants: the notebook's model with other seeds, with RMSprop instead of Adam, with
  another architecture of about the same size (cGAN: keras.io's conditional-GAN design, one-hot
  labels into z and as image planes, no BatchNorm, global max pooling, at the notebook's widths;
  DCGAN: keras.io's MNIST DCGAN at the notebook's widths;
  VAE: one hidden layer of 500 units as in Kingma and Welling, or keras.io's convolutional VAE),
  and the reference measured after every epoch (a right model stopped at an unlucky epoch);
- the mistakes: the builders of ``gans_bars.py`` and ``autoencoders_reference.py`` (a cGAN that
  ignores its label, the DCGAN's degenerate generators, squared-error, KL-free and untrained VAEs),
  plus a cGAN whose discriminator never sees the label,

and measures each with the functions the artifact checks call (``_gans_artifacts.sample`` and
``measure`` through ``gans_bars.measure_model``; ``negative_elbo`` and ``prior_sample_quality``
of ``_autoencoders_artifacts``). Results are merged, variant by variant, into
``benchmarks/results/honest_variants_<profile>.json`` with the machine, date and commit, and a
spread per measure (honest minimum and maximum, mistakes' minimum and maximum, and the same for
the mistakes that fail that bar: a bar need not catch every mistake, the memoriser is novelty's).

Usage (always ``nice``: the CPU is shared)::

    COURSE_PROFILE=smoke nice -n 15 .venv/bin/python benchmarks/honest_variants.py
    COURSE_PROFILE=full nice -n 15 .venv/bin/python benchmarks/honest_variants.py --only cgan_reference

A variant already in the record is skipped (``--force`` measures it again); trained models are
kept under ``build/honest_variants/<profile>/`` (git-ignored) and reloaded, as the grader loads them.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
GANS_NOTEBOOK = ROOT / "solutions" / "06_gans" / "06_gans.ipynb"


def _script(name: str) -> Any:
    """A sibling benchmark script as a module (they are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gans_bars = _script("gans_bars")
ae_reference = _script("autoencoders_reference")
vae = _script("honest_variants_vae")
dcgan = _script("honest_variants_dcgan")
# record section -> (variant-name prefix, VAE latent size or None)
SECTIONS = {"cgan": ("cgan", None), "dcgan": ("dcgan", None), "vae_latent16": ("vae16", 16),
            "vae_latent2": ("vae2", 2), "denoising": ("denoising", None)}
_NAMESPACES: dict[str, dict] = {}


def gans_namespace() -> dict:
    """The 06_gans solution's setup and data cells, then its definitions (as autoencoders_reference does for 05)."""
    if "gans" not in _NAMESPACES:
        import nbformat

        ns: dict = {"__name__": "reference_notebook"}
        cells = [c for c in nbformat.read(GANS_NOTEBOOK, as_version=4).cells if c.cell_type == "code"]
        for index, cell in enumerate(cells):
            grade = cell.metadata.get("nbgrader", {}).get("grade")
            source = cell.source if index < 2 else "" if grade else ae_reference._definitions(cell.source)
            exec(compile(source, f"{GANS_NOTEBOOK.name}:{index}", "exec"), ns)
        ns["dcgan_grids"] = ns["SampleGrid"](ns["FIXED_Z"][:8])  # train_dcgan's callback (a lower-case global)
        _NAMESPACES["gans"] = ns
    return _NAMESPACES["gans"]


def ae_namespace(profile: str) -> dict:
    """The 05_autoencoders solution's namespace (``autoencoders_reference.reference_namespace``)."""
    if "ae" not in _NAMESPACES:
        _NAMESPACES["ae"] = ae_reference.reference_namespace(ROOT / "build" / "honest_variants" / profile)
    return _NAMESPACES["ae"]


class EpochMeasures:
    """A Keras callback factory: ``measure(model)`` after every epoch, kept in ``records``."""

    def __new__(cls, measure: Callable[[Any], dict]) -> Any:
        import keras

        class _Callback(keras.callbacks.Callback):
            def __init__(self) -> None:
                super().__init__()
                self.records: list[dict] = []

            def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
                self.records.append({"epoch": epoch + 1, **_rounded(measure(self.model))})
                print(f"  epoch {epoch + 1}: {self.records[-1]}", flush=True)

        return _Callback()


def _rounded(values: dict) -> dict:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in values.items()}


# --------------------------------------------------------------------------- week 6: the cGAN
def _samples(profile: str) -> int:
    return importlib.import_module("autograder.checks.06_gans").SAMPLES[profile]


def keras_io_cgan(ns: dict) -> tuple[Any, Any]:
    """keras.io's conditional GAN (one-hot labels concatenated to z and to the image as 10 planes,
    LeakyReLU without BatchNorm, a 7x7 output convolution, global max pooling in the discriminator),
    ported to the course's contract [z (N, L), labels (N,)] -> (N, 28, 28, 1) in [0, 1], at about the
    notebook's size (keras.io's 128-filter layers would be ~40x its compute)."""
    keras, layers = ns["keras"], ns["layers"]
    z, labels = keras.Input((ns["LATENT_DIM"],), name="z"), keras.Input((), dtype="int32", name="labels")
    h = layers.Concatenate()([z, layers.CategoryEncoding(10, output_mode="one_hot")(labels)])
    h = layers.Reshape((7, 7, 64))(layers.LeakyReLU(0.2)(layers.Dense(7 * 7 * 64)(h)))
    h = layers.LeakyReLU(0.2)(layers.Conv2DTranspose(32, 4, strides=2, padding="same")(h))
    h = layers.LeakyReLU(0.2)(layers.Conv2DTranspose(16, 4, strides=2, padding="same")(h))
    generator = keras.Model([z, labels], layers.Conv2D(1, 7, padding="same", activation="sigmoid")(h))
    images, d_labels = keras.Input((28, 28, 1), name="images"), keras.Input((), dtype="int32", name="labels")
    planes = layers.Reshape((28, 28, 10))(layers.RepeatVector(784)(layers.CategoryEncoding(10, output_mode="one_hot")(d_labels)))
    h = layers.Concatenate()([images, planes])
    h = layers.LeakyReLU(0.2)(layers.Conv2D(32, 3, strides=2, padding="same")(h))
    h = layers.LeakyReLU(0.2)(layers.Conv2D(64, 3, strides=2, padding="same")(h))
    return generator, keras.Model([images, d_labels], layers.Dense(1)(layers.GlobalMaxPooling2D()(h)))


def label_blind_discriminator(ns: dict) -> tuple[Any, Any]:
    """Mistake: the notebook's cGAN generator, but the discriminator is the unconditional DCGAN one and
    never sees the label (a frozen zero embedding keeps the [images, labels] signature)."""
    keras, layers = ns["keras"], ns["layers"]
    generator = ns["build_conditional_generator"]()
    images, labels = keras.Input((28, 28, 1)), keras.Input((), dtype="int32")
    zero = layers.Embedding(10, 1, embeddings_initializer="zeros", trainable=False)(labels)
    return generator, keras.Model([images, labels], layers.Add()([ns["build_discriminator"]()(images), zero]))


def train_cgan(ns: dict, profile: str, seed: int, optimizer: str = "adam",
               build: Callable[[dict], tuple[Any, Any]] | None = None, per_epoch: bool = False) -> tuple[Any, list]:
    """The notebook's ``train_cgan`` with the seed, optimiser and nets as arguments; (generator, per-epoch)."""
    keras, rate = ns["keras"], ns["LEARNING_RATE"]
    ns["SEED"] = seed  # real_batches shuffles with the global SEED
    ns["runtime"].set_seed(seed)
    nets = build(ns) if build else (ns["build_conditional_generator"](), ns["build_conditional_discriminator"]())
    cgan = ns["ConditionalGAN"](*nets, seed=seed)
    make = (lambda: keras.optimizers.Adam(rate, beta_1=0.5)) if optimizer == "adam" else \
        (lambda: keras.optimizers.RMSprop(rate))
    cgan.compile(d_optimizer=make(), g_optimizer=make())
    callback = EpochMeasures(lambda m: gans_bars.measure_model(m.generator, _samples(profile), True))
    cgan.fit(ns["real_batches"](ns["x_train"], ns["y_train"].astype("int32")), epochs=ns["GAN_EPOCHS"],
             steps_per_epoch=ns["STEPS_PER_EPOCH"], shuffle=False, verbose=0, callbacks=[callback] if per_epoch else [])
    return cgan.generator, callback.records


def label_from_z(ns: dict, generator: Any) -> Any:
    """Mistake: a trained cGAN generator whose digit is picked by z (argmax of its first 10 entries), wrapped
    by ``gans_bars.label_ignoring``: good digits, the asked-for one only by chance."""
    keras, layers, ops = ns["keras"], ns["layers"], ns["ops"]
    z = keras.Input((ns["LATENT_DIM"],))
    picked = layers.Lambda(lambda codes: ops.cast(ops.argmax(codes[:, :10], axis=1), "int32"))(z)
    return gans_bars.label_ignoring(keras.Model(z, generator([z, picked])), ns["LATENT_DIM"])


def cgan_variants(profile: str) -> dict[str, tuple[str, str, Callable[[], tuple[Any, list]]]]:
    """{name: (honest|mistake, description, train -> (generator, per-epoch records))}."""
    ns = gans_namespace()
    seed = ns["SEED"]

    def reference_model() -> Any:
        path = ROOT / "build" / "honest_variants" / profile / "cgan_reference.keras"
        return _cached(path, lambda: train_cgan(ns, profile, seed))[0]

    def dcgan_label_ignoring() -> tuple[Any, list]:
        ns["SEED"] = seed
        return gans_bars.label_ignoring(ns["train_dcgan"]()[0], ns["LATENT_DIM"]), []

    return {
        "cgan_reference": ("honest", f"the notebook's cGAN, SEED {seed}, Adam(LEARNING_RATE, beta_1=0.5), measured "
                           "after every epoch", lambda: train_cgan(ns, profile, seed, per_epoch=True)),
        "cgan_seed_1": ("honest", "the notebook's cGAN, seed 1", lambda: train_cgan(ns, profile, 1)),
        "cgan_seed_2": ("honest", "the notebook's cGAN, seed 2", lambda: train_cgan(ns, profile, 2)),
        "cgan_rmsprop": ("honest", "the notebook's cGAN with RMSprop(LEARNING_RATE)",
                         lambda: train_cgan(ns, profile, seed, "rmsprop")),
        "cgan_keras_io": ("honest", keras_io_cgan.__doc__.split(" (")[0] + ", notebook's training loop",
                          lambda: train_cgan(ns, profile, seed, build=keras_io_cgan, per_epoch=True)),
        "cgan_label_from_z": ("mistake", "the reference cGAN with its digit picked by z, behind "
                              "gans_bars.label_ignoring", lambda: (label_from_z(ns, reference_model()), [])),
        "cgan_dcgan_label_ignoring": ("mistake", "gans_bars.label_ignoring around the notebook's trained DCGAN "
                                      "(as gans_bars.py measures it)", dcgan_label_ignoring),
        "cgan_label_blind_discriminator": ("mistake", label_blind_discriminator.__doc__.split(" (")[0],
                                           lambda: train_cgan(ns, profile, seed, build=label_blind_discriminator)),
    }


# --------------------------------------------------------------------------- training, measuring, recording
def _cached(path: Path, train: Callable[[], tuple[Any, list]]) -> tuple[Any, list, float]:
    """Train and save to ``path`` (unless a previous run did), then load it as the grader does."""
    from course_utils import training

    records: list = []
    seconds = float("nan")
    if not path.exists():
        start = time.perf_counter()
        model, records = train()
        seconds = time.perf_counter() - start
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            training.save_artifact(model, path, training_seconds=round(seconds, 1), per_epoch=records)
        except Exception as exc:  # noqa: BLE001 - a wrapper with a Lambda layer (a mistake) cannot be saved
            print(f"  not saved ({type(exc).__name__}): measured in memory", flush=True)
            return model, records, seconds
    info = training.read_metadata(path) or {}
    return training.load_artifact(path, compile=False), info.get("per_epoch", records), info.get("training_seconds", seconds)


def measure(week: str, model: Any, profile: str) -> dict:
    """The artifact check's measurements of one saved model (``week``: a key of :data:`SECTIONS`)."""
    if week in ("cgan", "dcgan"):
        return gans_bars.measure_model(model, _samples(profile), week == "cgan")
    if week == "denoising":
        return {"mse": vae.artifact_checks().denoising_error(model, profile)}
    return vae.measure(model, profile, SECTIONS[week][1])


def current_bars(week: str, profile: str) -> dict:
    """The bars the checks apply now (recorded beside the numbers they were judged against)."""
    if week == "cgan":
        bars = importlib.import_module("autograder.checks.06_gans").CGAN_BARS[profile]
        return {"fid": ["<=", bars.max_fid], "score": [">=", bars.min_score], "novelty": [">=", bars.min_novelty],
                "label_accuracy": [">=", bars.min_label_accuracy]}
    if week == "dcgan":
        return dcgan.bars(profile)
    if week == "denoising":
        return {"mse": ["<=", vae.artifact_checks().DENOISING_MAX_MSE[profile]]}
    return vae.bars(profile, SECTIONS[week][1])


def variants_of(week: str, profile: str) -> dict[str, tuple[str, str, Callable[[], tuple[Any, list]]]]:
    """The variants recorded in one section."""
    if week == "cgan":
        return cgan_variants(profile)
    if week == "dcgan":
        return dcgan.dcgan_variants(gans_namespace(), gans_bars, EpochMeasures,
                                    lambda generator: gans_bars.measure_model(generator, _samples(profile), False))
    if week == "denoising":
        return vae.denoising_variants(ae_namespace(profile), ae_reference)
    return vae.vae_variants(ae_namespace(profile), profile, SECTIONS[week][1], EpochMeasures, ae_reference)


def spread(week_record: dict) -> dict:
    """Per measure, four ranges: the honest variants' final models; the epochs of the second half of
    a per-epoch run (a right model stopped at an unlucky epoch; for a GAN, its epoch-to-epoch swing);
    the mistakes; and the mistakes this bar fails. The first half's epochs (an under-trained model) are
    kept in the record only."""
    out: dict = {}
    for measure_name, (direction, bar) in week_record["bars"].items():
        groups: dict[str, list] = {"honest_final": [], "honest_second_half_epochs": [], "mistakes": [],
                                   "mistakes_failing_this_bar": []}
        for name, variant in week_record["variants"].items():
            if measure_name not in variant:
                continue
            value = variant[measure_name]
            groups["honest_final" if variant["kind"] == "honest" else "mistakes"].append(value)
            if variant["kind"] != "honest" and (value > bar if direction == "<=" else value < bar):
                groups["mistakes_failing_this_bar"].append(value)
            epochs = variant.get("per_epoch") or []
            groups["honest_second_half_epochs"] += [e[measure_name] for e in epochs
                                                    if measure_name in e and e["epoch"] > len(epochs) // 2]
        out[measure_name] = {label: {"min": min(values), "max": max(values)} if values else None
                             for label, values in groups.items()}
    return out


def run(profile: str, only: list[str] | None, force: bool) -> Path:
    """Train and measure the selected variants; merge them into the profile's record after each one."""
    from course_utils import runtime

    path = RESULTS / f"honest_variants_{profile}.json"
    record = json.loads(path.read_text()) if path.exists() else {"profile": profile}
    for week, (prefix, _) in SECTIONS.items():
        if only and not any(name.startswith(prefix + "_") for name in only):
            continue
        section = record.setdefault(week, {"variants": {}})
        for name, (kind, description, train) in variants_of(week, profile).items():
            if (only and name not in only) or (name in section["variants"] and not force):
                continue
            print(f"{name} ({profile}) ...", flush=True)
            model_path = ROOT / "build" / "honest_variants" / profile / f"{name}.keras"
            model, per_epoch, seconds = _cached(model_path, train)
            measured = {k: round(v, 4) for k, v in measure(week, model, profile).items()}
            section["variants"][name] = {"kind": kind, "description": description, **measured,
                                         "training_seconds": round(seconds, 1) if seconds == seconds else None,
                                         "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                         "load_average": [round(x, 1) for x in os.getloadavg()],
                                         "per_epoch": per_epoch}
            print(f"{name}: {measured}", flush=True)
            # Merge this one variant into the record as it is on disk now: another process may have added
            # variants (of this week or another) since this run read it, or a variant may have been removed.
            record = json.loads(path.read_text()) if path.exists() else {"profile": profile}
            section = {**record.get(week, {}), "variants": {**record.get(week, {}).get("variants", {}),
                                                          name: section["variants"][name]}}
            section["bars"] = current_bars(week, profile)
            section["spread"] = spread(section)
            record.update({week: section, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                           "machine": runtime.machine_facts()})
            RESULTS.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(record, indent=2, default=float) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    from course_utils import runtime

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated variant names (default: all)")
    parser.add_argument("--force", action="store_true", help="measure variants already in the record again")
    parser.add_argument("--summarise", action="store_true", help="only recompute the bars and spreads of the record")
    args = parser.parse_args(argv)
    only = [name for name in args.only.split(",") if name] or None
    if args.summarise:
        path = RESULTS / f"honest_variants_{runtime.profile()}.json"
        record = json.loads(path.read_text())
        for week in SECTIONS:
            if week in record:
                record[week]["bars"] = current_bars(week, runtime.profile())
                record[week]["spread"] = spread(record[week])
        path.write_text(json.dumps(record, indent=2, default=float) + "\n")
        print(json.dumps({week: record[week]["spread"] for week in SECTIONS if week in record}, indent=1))
        return 0
    print(f"wrote {run(runtime.profile(), only, args.force)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
