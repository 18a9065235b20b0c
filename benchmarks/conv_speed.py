"""Time the course's naive and vectorised NumPy convolutions against ``tf.nn.conv2d``.

Why: assignment 01's hidden check asks for a vectorised convolution at least 50x
faster than the naive loop on a 64x64x16 input, and at most 100x slower than
one matrix product with the same FLOPs (``autograder/checks/01_convolution.py``).
This script measures those ratios for the solution notebook's own code, on one
machine, in one run, and writes
``benchmarks/results/conv_speed_<profile>.json`` with the machine and the date.

It executes the solution cells ``padding_amounts``, ``conv_forward_naive`` and
``conv_forward`` of ``solutions/01_convolution/01_convolution.ipynb``, so the
numbers are those of the reference answer, not of a copy.

Usage::

    COURSE_PROFILE=smoke .venv/bin/python benchmarks/conv_speed.py

BLAS runs single-threaded, as in the notebook (``OPENBLAS_NUM_THREADS=1``):
on a busy 2-core machine a two-thread OpenBLAS made the same small product
10-30x slower and erratic.
"""

from __future__ import annotations

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"  # before NumPy is imported; see the module docstring
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import timeit  # noqa: E402
from pathlib import Path  # noqa: E402

import nbformat  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "solutions" / "01_convolution" / "01_convolution.ipynb"
# COURSE_BENCH_RESULTS redirects the results (make bench-smoke writes to build/, not the committed ones).
RESULTS = Path(os.environ.get("COURSE_BENCH_RESULTS") or ROOT / "benchmarks" / "results")
SOLUTION_CELLS = ("padding_amounts", "conv_forward_naive", "conv_forward")
PRELUDE = """
from typing import NamedTuple, Sequence
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
"""
# (name, input shape (N, H, W, C), kernel shape (KH, KW, C, F)); the first is the hidden check's.
CONFIGS = [
    ("64x64x16, 16 filters 3x3 (the hidden check)", (1, 64, 64, 16), (3, 3, 16, 16)),
    ("MNIST batch 8x28x28x1, 32 filters 5x5", (8, 28, 28, 1), (5, 5, 1, 32)),
]
REPEATS = {"smoke": {"naive": 1, "fast": 10}, "full": {"naive": 3, "fast": 50}}


def solution_functions(notebook: Path = NOTEBOOK) -> dict:
    """Run the notebook's convolution solution cells; return their globals."""
    namespace: dict = {"__name__": "conv_solution"}
    exec(PRELUDE, namespace)
    for cell in nbformat.read(notebook, as_version=4).cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and grade_id in SOLUTION_CELLS:
            exec(compile(cell.source, f"{notebook.name}:{grade_id}", "exec"), namespace)
    missing = [name for name in SOLUTION_CELLS if name not in namespace]
    if missing:
        raise RuntimeError(f"{notebook} has no solution cell for {missing}")
    return namespace


def best_seconds(fn, repeats: int) -> float:
    """Best wall-clock time of ``repeats`` calls (the least disturbed by other processes)."""
    return min(timeit.repeat(fn, number=1, repeat=repeats))


def machine() -> dict:
    """Where the numbers were measured, with the BLAS thread count the timings used."""
    from course_utils.runtime import machine_facts

    return {**machine_facts(), "blas_threads": os.environ["OPENBLAS_NUM_THREADS"]}


def measure(profile: str, seed: int = 0) -> dict:
    import tensorflow as tf

    functions = solution_functions()
    naive, vectorised = functions["conv_forward_naive"], functions["conv_forward"]
    repeats = REPEATS[profile]
    rng = np.random.default_rng(seed)
    rows = []
    for name, x_shape, w_shape in CONFIGS:
        x, w, b = rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[-1])
        n, height, width, _ = x_shape
        positions = n * (height - w_shape[0] + 1) * (width - w_shape[1] + 1)
        patches = rng.normal(size=(positions, int(np.prod(w_shape[:3]))))
        kernel_matrix = w.reshape(-1, w_shape[-1])
        x64, w64 = tf.constant(x), tf.constant(w)
        x32, w32 = tf.constant(x, tf.float32), tf.constant(w, tf.float32)
        tf.nn.conv2d(x64, w64, 1, "VALID")  # warm-up: kernel selection, thread pools
        tf.nn.conv2d(x32, w32, 1, "VALID")
        seconds = {
            "naive": best_seconds(lambda: naive(x, w, b, 1, "valid"), repeats["naive"]),
            "vectorised": best_seconds(lambda: vectorised(x, w, b, 1, "valid"), repeats["fast"]),
            "same_flop_matmul": best_seconds(lambda: patches @ kernel_matrix, repeats["fast"]),
            "tf_conv2d_float64": best_seconds(lambda: tf.nn.conv2d(x64, w64, 1, "VALID").numpy(), repeats["fast"]),
            "tf_conv2d_float32": best_seconds(lambda: tf.nn.conv2d(x32, w32, 1, "VALID").numpy(), repeats["fast"]),
        }
        rows.append({
            "config": name,
            "x_shape": list(x_shape),
            "w_shape": list(w_shape),
            "seconds": {k: round(v, 6) for k, v in seconds.items()},
            "speedup_vectorised_over_naive": round(seconds["naive"] / seconds["vectorised"], 1),
            "vectorised_over_matmul": round(seconds["vectorised"] / seconds["same_flop_matmul"], 2),
            "vectorised_over_tf_float64": round(seconds["vectorised"] / seconds["tf_conv2d_float64"], 2),
        })
    return {
        "benchmark": "conv_speed",
        "profile": profile,
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "repeats": repeats,
        "code": f"{NOTEBOOK.relative_to(ROOT)} cells {', '.join(SOLUTION_CELLS)}",
        "machine": machine(),
        "results": rows,
    }


def main(argv: list[str] | None = None) -> int:
    from course_utils.runtime import profile as active_profile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=None, help="JSON path (default: results/conv_speed_<profile>.json)")
    args = parser.parse_args(argv)
    profile = active_profile()
    report = measure(profile)
    output = args.output or RESULTS / f"conv_speed_{profile}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    for row in report["results"]:
        s = row["seconds"]
        print(f"{row['config']}: naive {s['naive'] * 1e3:.1f} ms, vectorised {s['vectorised'] * 1e3:.2f} ms "
              f"({row['speedup_vectorised_over_naive']:.0f}x), tf float64 {s['tf_conv2d_float64'] * 1e3:.2f} ms, "
              f"tf float32 {s['tf_conv2d_float32'] * 1e3:.2f} ms")
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
