"""Prove week 2's classifier bars on honest variants of the notebook's recipe.

Why (DESIGN.md, "Checks that grade fairly"; issue 27, part 4): the accuracy bars of
``autograder/checks/02_cnn_classification.py`` were set from one run of the reference per
dataset. This script trains, at the active profile, the notebook's own code (its ``reference``
cells, through ``reference_accuracy.reference_namespace``) changed in honest ways a student may
choose: other seeds, a narrower and a wider modern CNN (``build_modern_cnn(width=24 | 48)``); and,
recorded apart, changes to the code the notebook provides (RMSprop instead of Adam, no augmentation).
Each model is measured as the hidden check measures it (its
evaluation set, its float32 twin) and judged by the check; the spread is written beside the bar.

Usage (``nice``: the CPU is shared; smoke takes minutes, full about 15-40 min per variant)::

    COURSE_PROFILE=smoke nice -n 15 .venv/bin/python benchmarks/honest_variants_cnn.py [mnist fashion_mnist]

Writes ``benchmarks/results/honest_variants_cnn_<profile>.json`` (machine, date, commit).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
# The exercise is build_modern_cnn (its seeds and width are a student's); the training loop (Adam with
# cosine decay) and the augmentation are given code, so variants that change them are recorded apart.
PROVIDED = "provided code changed"
ASSIGNMENT = "autograder.checks.02_cnn_classification"


def _reference_accuracy() -> Any:
    spec = importlib.util.spec_from_file_location("reference_accuracy", ROOT / "benchmarks" / "reference_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def train(ns: dict, name: str, *, seed: int | None = None, optimizer: str = "adam", width: int = 32,
          augment: bool = True) -> Any:
    """The notebook's ``train_classifier`` on ``name`` with one honest change; the trained model."""
    keras = ns["keras"]
    ns["SEED"] = ns["SEED"] if seed is None else seed
    train_split, val, _ = ns["load_splits"](name)
    epochs = ns["EPOCHS_MNIST"] if name == "mnist" else ns["EPOCHS_FASHION"]
    builder = lambda: ns["build_modern_cnn"](width=width)  # noqa: E731 - train_classifier takes a builder
    if optimizer == "adam":
        return ns["train_classifier"](builder, name, train_split, val, epochs=epochs, augment=augment)[0]
    ns["runtime"].set_seed(ns["SEED"])
    model = builder()
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    train_ds = ns["make_dataset"](*train_split, shuffle=True, augment=ns["make_augmentation"](name))
    model.fit(train_ds, validation_data=ns["make_dataset"](*val), epochs=epochs, shuffle=False, verbose=0,
              callbacks=[keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=ns["PATIENCE"],
                                                       restore_best_weights=True)])
    return model


def variants(ns: dict) -> dict[str, tuple[str, str, dict]]:
    """{name: (honest | provided code changed, description, options of :func:`train`)}."""
    return {
        "reference": ("honest", f"the notebook's recipe, SEED {ns['SEED']}", {}),
        "seed_1": ("honest", "the notebook's recipe, seed 1", {"seed": 1}),
        "seed_2": ("honest", "the notebook's recipe, seed 2", {"seed": 2}),
        "rmsprop": (PROVIDED, "RMSprop(1e-3) instead of Adam with cosine decay", {"optimizer": "rmsprop"}),
        "rmsprop_seed_1": (PROVIDED, "RMSprop(1e-3), seed 1", {"optimizer": "rmsprop", "seed": 1}),
        "rmsprop_seed_2": (PROVIDED, "RMSprop(1e-3), seed 2", {"optimizer": "rmsprop", "seed": 2}),
        "width_24": ("honest", "build_modern_cnn(width=24): a narrower modern CNN", {"width": 24}),
        "width_48": ("honest", "build_modern_cnn(width=48): a wider modern CNN", {"width": 48}),
        "no_augmentation": (PROVIDED, "the notebook's recipe without its augmentation", {"augment": False}),
    }


def measure(model: Any, name: str, profile: str) -> dict:
    """Test accuracy as the hidden check measures it, and the check's verdict on the saved file."""
    checks = importlib.import_module(ASSIGNMENT)
    from course_utils import training

    limit = "all" if profile == "full" else checks.SMOKE_TEST_EXAMPLES
    images, labels, source = checks.evaluation_set(name, limit)
    accuracy = checks._accuracy(checks._float32_twin(model), images, labels)
    path = ROOT / "build" / "honest_variants_cnn" / profile / f"{name}.keras"
    path.parent.mkdir(parents=True, exist_ok=True)
    training.save_artifact(model, path)
    verdict = checks.judge_classifier(path, profile, dataset=name, check_id=f"{name}_cnn")
    return {"accuracy": round(float(accuracy), 4), "evaluated_on": f"{len(labels):,} {source}",
            "check_passed": verdict.passed, "parameters": int(model.count_params())}


def summarise(section: dict, bar: float) -> None:
    """The bar, the honest variants' range and margin, and the provided-code changes' range, in ``section``."""
    spread = {kind: [v["accuracy"] for v in section["variants"].values() if v["kind"] == kind]
              for kind in ("honest", PROVIDED)}
    section.update(bar=bar, honest_min=min(spread["honest"], default=None), honest_max=max(spread["honest"], default=None),
                   provided_code_changed_range=[min(spread[PROVIDED], default=None), max(spread[PROVIDED], default=None)])
    section["margin_points"] = round(100 * (section["honest_min"] - bar), 2) if spread["honest"] else None


def main(argv: list[str] | None = None) -> int:
    from course_utils import runtime

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="*", help="mnist and/or fashion_mnist (default: both)")
    parser.add_argument("--only", default="", help="comma-separated variant names (default: all)")
    args = parser.parse_args(argv)
    profile, only = runtime.profile(), [n for n in args.only.split(",") if n]
    path = RESULTS / f"honest_variants_cnn_{profile}.json"
    record = json.loads(path.read_text()) if path.exists() else {"benchmark": "honest_variants_cnn", "profile": profile}
    ns = _reference_accuracy().reference_namespace()
    reference_seed = ns["SEED"]
    bars = importlib.import_module(ASSIGNMENT).BARS[profile]
    unknown = set(args.datasets) - {"mnist", "fashion_mnist"}
    if unknown:
        parser.error(f"no such dataset: {sorted(unknown)}")
    for name in args.datasets or ["mnist", "fashion_mnist"]:
        section = record.setdefault(name, {"bar": bars[name], "variants": {}})
        for variant, (kind, description, options) in variants(ns).items():
            if only and variant not in only:
                continue
            started = time.perf_counter()
            model = train(ns, name, **options)
            seconds = time.perf_counter() - started
            ns["SEED"] = reference_seed
            section["variants"][variant] = {"kind": kind, "description": description, **measure(model, name, profile),
                                            "training_seconds": round(seconds, 1)}
            print(f"{name} {variant}: {section['variants'][variant]}", flush=True)
            summarise(section, bars[name])
            record.update(date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), machine=runtime.machine_facts(),
                          commit=runtime.machine_facts().get("git_commit"))
            path.write_text(json.dumps(record, indent=2) + "\n")
    print(f"-> {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
