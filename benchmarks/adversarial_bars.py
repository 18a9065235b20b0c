"""Are the bars of 03_adversarial decisive? Distributions over training seeds.

Two measurements, written to ``benchmarks/results/adversarial_bars_<profile>.json``:

- ``robust``: for each seed, the solution notebook's own code (its cells tagged
  ``reference``, run with ``SEED`` = the seed) trains the undefended CNN and the
  adversarially trained one; then, from the same undefended CNN and with the same
  loop (``train_adversarially``), the variants a student might hand in:

  ``adversarial``       the notebook's adversarial_train_step (right);
  ``adversarial_only``  the loss of the FGSM examples alone, Madry-style (right);
  ``clean``             fine-tuning on clean images only (wrong);
  ``precomputed``       FGSM examples of the starting model computed once, before
                        training, then mixed 50/50 like the notebook (wrong).

  Every model is measured with the artifact check's own function
  (``robust_measurements`` of ``autograder/checks/03_adversarial.py``) on the images the
  check uses (``robust_eval_data``), and with the former check (FGSM at eps = 0.1
  on the first 500 test images, smoke).
- ``universal``: on the hidden CNN, the reference universal perturbation of each
  seed's hidden case against single-image perturbations (FGSM, and 40 steps of
  iterative FGSM, of one image of that case), all measured by the check's own
  ``universal_fooling``.

Every row keeps all the check's measured numbers, so ``--resummarise`` recounts the passes
under the bars as they stand now, without training or measuring again.

Usage (smoke: ~40-60 s a seed on a shared 2-core CPU; full: 5-6.5 min a seed with every
variant at load 2, twice that on a busy machine)::

    nice -n 19 .venv/bin/python benchmarks/adversarial_bars.py --profile smoke --seeds 20
    nice -n 19 .venv/bin/python benchmarks/adversarial_bars.py --profile full --seeds 1 \
        --part robust --variants clean,precomputed
    nice -n 19 .venv/bin/python benchmarks/adversarial_bars.py --profile full --first-seed 7 \
        --seeds 13 --append
    .venv/bin/python benchmarks/adversarial_bars.py --profile smoke --resummarise

Models are kept under ``build/adversarial_bars/<profile>/seed_<k>/`` (git-ignored)
and reloaded by the next run; delete the folder to retrain.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import io
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import nbformat  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOTEBOOK = ROOT / "solutions" / "03_adversarial" / "03_adversarial.ipynb"
RESULTS = ROOT / "benchmarks" / "results"
MODELS = ROOT / "build" / "adversarial_bars"
SINGLE_IMAGES_PER_SEED = 2
EXTRA_FGSM_EPS = (0.15, 0.2)  # recorded beside the check's budgets (0.1, 0.25), to show the alternatives

PRELUDE = """
import time

import keras
import numpy as np
import tensorflow as tf
from course_utils import data, metrics, models, runtime, training
SEED = runtime.set_seed({seed})
"""

# The variants, written the way a student would in the notebook's namespace.
VARIANTS = '''
def clean_train_step(model, optimizer, x, y, eps):
    """Wrong: one optimizer step on the clean images only (no FGSM examples)."""
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(
            y, model(x, training=True), from_logits=True))
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return loss


def adversarial_only_train_step(model, optimizer, x, y, eps):
    """Right (Madry et al. 2018): the loss of this step's FGSM examples alone."""
    x_adv = tf.stop_gradient(fgsm(model, x, y, eps))
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(
            y, model(x_adv, training=True), from_logits=True))
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return loss


def train_with(train_step, start):
    """train_adversarially with train_step in place of adversarial_train_step."""
    global adversarial_train_step
    saved = adversarial_train_step
    adversarial_train_step = train_step
    try:
        return train_adversarially(start)
    finally:
        adversarial_train_step = saved


def train_on_precomputed(start, *, epochs=ADVERSARIAL_EPOCHS, eps=TRAIN_EPS, learning_rate=1e-3):
    """Wrong: FGSM examples of the *starting* model, made once before training, then the
    notebook's 50/50 loss and loop (same seed, shuffling, batches, optimizer)."""
    runtime.set_seed(SEED)
    robust = keras.models.clone_model(start)
    robust.set_weights(start.get_weights())
    optimizer = keras.optimizers.Adam(learning_rate)
    x_adv_train = np.concatenate([np.asarray(fgsm(start, x_train[i:i + 500], y_train[i:i + 500], eps))
                                  for i in range(0, len(x_train), 500)])

    @tf.function
    def step(x, x_adv, y):
        with tf.GradientTape() as tape:
            clean_loss = keras.losses.sparse_categorical_crossentropy(y, robust(x, training=True), from_logits=True)
            adversarial_loss = keras.losses.sparse_categorical_crossentropy(
                y, robust(x_adv, training=True), from_logits=True)
            loss = 0.5 * tf.reduce_mean(clean_loss) + 0.5 * tf.reduce_mean(adversarial_loss)
        gradients = tape.gradient(loss, robust.trainable_variables)
        optimizer.apply_gradients(zip(gradients, robust.trainable_variables))
        return loss

    batches = (tf.data.Dataset.from_tensor_slices((x_train, x_adv_train, y_train))
               .shuffle(len(x_train), seed=SEED).batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE))
    for _ in range(epochs):
        for x_batch, x_adv_batch, y_batch in batches:
            step(x_batch, x_adv_batch, y_batch)
    return robust
'''


def checks_module():
    return importlib.import_module("autograder.checks.03_adversarial")


def notebook_namespace(seed: int, workdir: Path) -> dict:
    """The notebook's ``reference`` cells run with ``SEED = seed`` inside ``workdir``
    (which trains or loads ``mnist_reference_cnn.keras`` and ``robust_cnn.keras`` there)."""
    namespace: dict = {"__name__": "reference_notebook"}
    workdir.mkdir(parents=True, exist_ok=True)
    previous = Path.cwd()
    os.chdir(workdir)
    try:
        exec(PRELUDE.format(seed=int(seed)), namespace)
        for cell in nbformat.read(NOTEBOOK, as_version=4).cells:
            if cell.cell_type == "code" and "reference" in cell.metadata.get("tags", []):
                exec(compile(cell.source, f"{NOTEBOOK.name}:{cell.get('id', '?')}", "exec"), namespace)
        exec(VARIANTS, namespace)
    finally:
        os.chdir(previous)
    return namespace


def train_variants(seed: int, profile: str, *, workdir: Path | None = None,
                   only: tuple[str, ...] | None = None) -> tuple[dict, dict]:
    """The variants of one seed (all, or those named in ``only``; the undefended and the
    notebook's adversarial model always), trained or loaded from ``workdir`` (default:
    ``build/adversarial_bars/<profile>/seed_<k>``); returns ``(models, seconds)``. Each
    model is also saved as ``<workdir>/<variant>.keras`` (the notebook's two under their
    notebook names)."""
    from course_utils import training

    workdir = workdir or MODELS / profile / f"seed_{seed:02d}"
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        ns = notebook_namespace(seed, workdir)
    seconds["undefended_and_adversarial"] = round(time.perf_counter() - start, 1)
    found = {"undefended": ns["model"], "adversarial": ns["robust_model"]}
    recipes = {
        "adversarial_only": lambda: ns["train_with"](ns["adversarial_only_train_step"], ns["model"]),
        "clean": lambda: ns["train_with"](ns["clean_train_step"], ns["model"]),
        "precomputed": lambda: ns["train_on_precomputed"](ns["model"]),
    }
    for name, recipe in recipes.items():
        if only is not None and name not in only:
            continue
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            found[name] = training.train_or_load(workdir / f"{name}.keras", recipe, metadata={"seed": seed})
        seconds[name] = round(time.perf_counter() - start, 1)
    return found, seconds


def measure_robust(seed: int, profile: str, only: tuple[str, ...] | None = None) -> dict:
    """One seed: every variant (or those in ``only``) under the check's measurement (and, in
    the smoke profile, the former check's: FGSM at eps = 0.1 on the first 500 test images)."""
    checks = checks_module()
    found, seconds = train_variants(seed, profile, only=only)
    row: dict = {"seed": seed, "training_or_loading_seconds": seconds, "check": {}, "former_check": {}}
    for name, model in found.items():
        row["check"][name] = {k: round(v, 4) for k, v in checks.robust_measurements(
            model, profile, extra_eps=EXTRA_FGSM_EPS).items()}
        if profile != "full":
            first_x, first_y = checks.mnist("test")[0][:500], checks.mnist("test")[1][:500]
            former = checks.robustness(model, first_x, first_y, fgsm_eps=(0.1,))
            row["former_check"][name] = round(former["fgsm_0.1"], 4)
        verdict = checks.robust_verdict(row["check"][name], profile)
        row["check"][name]["passes"] = verdict.passed
    return row


def measure_universal(seed: int) -> dict:
    """One seed's hidden universal case: the reference delta against single-image ones."""
    checks = checks_module()
    model = checks.hidden_cnn()
    case = checks._make_universal_cases(np.random.default_rng(seed))[0]
    x, y, eps = case["x"], case["y"], float(case["eps"])
    delta = checks.universal_reference(model, x, y, eps)
    row = {"seed": seed, "reference": round(checks.universal_fooling(model, delta), 4),
           "single_image_fgsm": [], "single_image_iterative": []}
    for i in range(SINGLE_IMAGES_PER_SEED):
        one_x, one_y = x[i:i + 1], y[i:i + 1]
        row["single_image_fgsm"].append(round(checks.universal_fooling(
            model, (checks.fgsm_reference(model, one_x, one_y, eps) - one_x)[0]), 4))
        row["single_image_iterative"].append(round(checks.universal_fooling(
            model, (checks.iterative_reference(model, one_x, one_y, eps, 0.01, 40) - one_x)[0]), 4))
    return row


def summary(values: list[float]) -> dict:
    values = sorted(values)
    return {"n": len(values), "min": values[0], "median": float(np.median(values)), "max": values[-1]} if values else {}


def summarise(record: dict) -> dict:
    """min / median / max of each variant's check quantities over the seeds that measured it
    (``seeds``), and how many of them pass the check's *current* bars (``robust_verdict`` on
    the recorded numbers, so the counts follow the bars when they move; the per-seed
    ``passes`` are refreshed the same way)."""
    checks = checks_module()
    out: dict = {}
    rows = record.get("robust", [])
    for row in rows:
        for measured in row["check"].values():
            measured["passes"] = checks.robust_verdict(measured, record["profile"]).passed
    names = dict.fromkeys(name for row in rows for name in row["check"])
    for name in names:
        having = [r for r in rows if name in r["check"]]
        out[name] = {key: summary([r["check"][name][key] for r in having])
                     for key in having[0]["check"][name] if key != "passes"}
        out[name]["seeds"] = len(having)
        out[name]["passes"] = sum(bool(r["check"][name]["passes"]) for r in having)
        if all(name in r["former_check"] for r in having):
            out[name]["former_check_fgsm_0.1"] = summary([r["former_check"][name] for r in having])
    universal = record.get("universal", [])
    if universal:
        out["universal"] = {"reference": summary([r["reference"] for r in universal]),
                            "single_image_fgsm": summary([v for r in universal for v in r["single_image_fgsm"]]),
                            "single_image_iterative": summary([v for r in universal
                                                               for v in r["single_image_iterative"]])}
    return out


def bars() -> dict:
    """The check's bars the summary's pass counts were made with."""
    checks = checks_module()
    return {"clean": checks.CLEAN_BARS, f"fgsm_{checks.ARTIFACT_EPS:g}": {
                p: round(checks.UNDEFENDED_FGSM_ACCURACY[p] + checks.ROBUST_MARGIN[p], 3) for p in ("full", "smoke")},
            f"fgsm_{checks.ROBUST_EPS:g}": checks.ROBUST_MIN_ACCURACY,
            "universal_min_fooling": checks.UNIVERSAL_MIN_FOOLING,
            "robust_eval_images": {"full": 10_000, "smoke": checks.ROBUST_EVAL_IMAGES_SMOKE}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=["smoke", "full"], default="smoke")
    parser.add_argument("--seeds", type=int, default=20, help="seeds 0 .. N-1")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--part", choices=["robust", "universal", "all"], default="all")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--variants", default=None,
                        help="comma-separated subset of adversarial_only,clean,precomputed (default: all)")
    parser.add_argument("--append", action="store_true",
                        help="add the seeds not yet in the recorded file to it (this run is listed under 'runs')")
    parser.add_argument("--resummarise", action="store_true",
                        help="recount the passes of the recorded file under the current bars; measure nothing")
    args = parser.parse_args(argv)
    os.environ["COURSE_PROFILE"] = args.profile
    if args.resummarise:
        path = args.output or RESULTS / f"adversarial_bars_{args.profile}.json"
        record = json.loads(path.read_text())
        record["summary"] = summarise(record)
        record["bars"] = bars()
        path.write_text(json.dumps(record, indent=1) + "\n")
        print(json.dumps(record["summary"], indent=1))
        return 0
    from course_utils.runtime import machine_facts

    path = args.output or RESULTS / f"adversarial_bars_{args.profile}.json"
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    now = lambda: dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")  # noqa: E731
    if args.append and path.exists():
        record = json.loads(path.read_text())
        if record["profile"] != args.profile:
            parser.error(f"{path} holds the {record['profile']} profile; pass --profile {record['profile']}")
        seeds = [s for s in seeds if s not in record["seeds"]]
        run = {"seeds": seeds, "started": now(), "machine": machine_facts()}
        record.setdefault("runs", []).append(run)
    else:
        record = {"profile": args.profile, "machine": machine_facts(), "started": now(),
                  "seeds": [], "robust": [], "universal": []}
        run = record
    RESULTS.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        start = time.perf_counter()
        if args.part in ("universal", "all"):
            record["universal"].append(measure_universal(seed))
        if args.part in ("robust", "all"):
            only = tuple(args.variants.split(",")) if args.variants else None
            record["robust"].append(measure_robust(seed, args.profile, only))
        print(f"seed {seed}: {time.perf_counter() - start:.0f} s", json.dumps(
            {k: record[k][-1] for k in ("universal", "robust") if record[k]}), flush=True)
        record["seeds"] = sorted(set(record["seeds"]) | {seed})
        for part in ("universal", "robust"):
            record[part].sort(key=lambda row: row["seed"])
        record["summary"] = summarise(record)
        record["bars"] = bars()
        run["finished"] = now()
        run["machine_at_end"] = {"load_average": machine_facts()["load_average"]}
        path.write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps(record["summary"], indent=1))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
