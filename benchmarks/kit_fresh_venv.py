"""Does the student kit alone (no repository) run a week and hand in a folder that grades full marks?

The acceptance walk of issue 29, as a record script (it builds a virtual environment, so it is
no test): ``course kit`` → a fresh venv holding only the kit's wheel (``[cpu]`` extra, from
PyPI through uv's or pip's cache) → per week, the solution's answer cells typed into the kit's
released notebook (what a finished student types; done here by the instructor's side, the only
step that reads ``solutions/``) → the notebook executed top to bottom by the kit venv's own
kernel in a folder outside the repository (``autograder`` not importable there, checked) →
``python -m course_utils.check_submission --no-run`` in the kit venv → ``course grade`` of that
folder by the repository's grader. Writes ``benchmarks/results/kit_fresh_venv_<profile>.json``.

Usage (week 0: about 2 minutes on the shared 2-core CPU; week 2 trains its models: smoke only)::

    nice -n 19 .venv/bin/python benchmarks/kit_fresh_venv.py 00_setup
    nice -n 19 .venv/bin/python benchmarks/kit_fresh_venv.py 00_setup 02_cnn_classification --profile smoke
    nice -n 15 .venv/bin/python benchmarks/kit_fresh_venv.py 00_setup 01_convolution --profile smoke --backend jax

``--backend jax``: the kit venv also holds ``jax[cpu]`` and runs the notebook under Keras' JAX
backend (the weeks ``course_utils.runtime.WEEK_BACKENDS`` says run under it); each row keeps the
backend line its setup cell printed. The grader grades with TensorFlow's backend as always.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.authoring import kit  # noqa: E402
from autograder.sources import notebooks  # noqa: E402
from course_utils.runtime import machine_facts  # noqa: E402

EXECUTE = """
import sys, nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, timeout=3600, kernel_name="python3", allow_errors=True,
               resources={"metadata": {"path": sys.argv[2]}}).execute()
nbformat.write(nb, path)
errors = [o.get("ename") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
          if o.get("output_type") == "error"]
print(len(errors))
"""


def make_venv(venv: Path, wheel: Path, backend: str) -> str:
    """A fresh venv (no system site-packages) with only the kit's wheel and its ``cpu`` extra
    (and ``jax[cpu]`` for the JAX backend)."""
    targets = [f"{wheel}[cpu]"] + (["jax[cpu]"] if backend == "jax" else [])
    if shutil.which("uv"):
        subprocess.run(["uv", "venv", "-q", str(venv), "--python", f"{sys.version_info.major}.{sys.version_info.minor}"],
                       check=True)
        subprocess.run(["uv", "pip", "install", "-q", "--python", str(venv / "bin" / "python"), *targets], check=True)
        return "uv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *targets], check=True)
    return "pip"


def type_solution(week: str, released: Path, target: Path) -> int:
    """Write ``released`` with each answer cell replaced by the solution's code (markers dropped)."""
    source = notebooks.read(ROOT / "solutions" / week / f"{week}.ipynb")
    answers = {notebooks.grade_id(cell): "\n".join(
        line for line in cell.source.splitlines()
        if not line.strip().startswith((notebooks.SOLUTION_BEGIN, notebooks.SOLUTION_END)))
        for cell in source.cells if notebooks.is_solution_cell(cell)}
    notebook = notebooks.read(released)
    typed = 0
    for cell in notebook.cells:
        if notebooks.grade_id(cell) in answers:
            cell.source, typed = answers[notebooks.grade_id(cell)], typed + 1
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(target))
    return typed


def walk(week: str, kit_dir: Path, python: Path, work: Path, profile: str, backend: str) -> dict:
    """One week through the kit venv (Keras on ``backend``) and the grader; the record's row."""
    env = {**os.environ, "COURSE_PROFILE": profile, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": backend}
    env.pop("COURSE_CHECKS_PATH", None)
    folder = work / week / "submissions" / "alice"
    typed = type_solution(week, kit_dir / "assignments" / week / f"{week}.ipynb", folder / f"{week}.ipynb")
    grader_seen = subprocess.run([str(python), "-c", "import importlib.util as u; print(u.find_spec('autograder') is not None)"],
                                 cwd=folder, capture_output=True, text=True, env=env).stdout.strip()
    start = time.perf_counter()
    ran = subprocess.run([str(python), "-c", EXECUTE, str(folder / f"{week}.ipynb"), str(folder)], cwd=folder,
                         capture_output=True, text=True, env=env)
    run_seconds = time.perf_counter() - start
    checked = subprocess.run([str(python), "-m", "course_utils.check_submission", str(folder), "--no-run"],
                             cwd=work, capture_output=True, text=True, env=env)
    graded = subprocess.run([str(ROOT / ".venv" / "bin" / "course"), "grade", week, "--submissions",
                             str(folder.parent), "--out", str(work / "graded" / week), "--workers", "1"],
                            cwd=ROOT, capture_output=True, text=True, env={**env, "KERAS_BACKEND": "tensorflow"})
    setup = notebooks.read(folder / f"{week}.ipynb").cells
    backend_line = next((line.strip() for cell in setup if cell.cell_type == "code" for output in cell.get("outputs", [])
                         for line in str(output.get("text", "")).splitlines() if line.startswith("backend ")), None)
    row = next((line for line in graded.stdout.splitlines() if line.startswith("alice ")), "")
    return {"week": week, "backend": backend, "setup_cell_backend_line": backend_line, "answers_typed": typed,
            "autograder_importable_in_kit_venv": grader_seen,
            "run_seconds": round(run_seconds, 1), "failing_cells": (ran.stdout.strip().splitlines() or ["?"])[-1],
            "check_submission": checked.stdout.strip().splitlines()[1:], "check_status": checked.returncode,
            "grade_line": row.split(None, 1)[1].strip() if row else graded.stderr.strip()[-300:]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weeks", nargs="+", metavar="NN_topic")
    parser.add_argument("--profile", default="full", choices=["full", "smoke"])
    parser.add_argument("--backend", default="tensorflow", choices=["tensorflow", "jax"],
                        help="Keras' backend in the kit venv (the grader keeps TensorFlow's)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kit-fresh-venv-") as tmp:  # outside the repository
        work = Path(tmp)
        built = kit.build_kit(args.weeks, work / "kit")
        start = time.perf_counter()
        installer = make_venv(work / "venv", built.wheel, args.backend)
        install_seconds = time.perf_counter() - start
        python = work / "venv" / "bin" / "python"
        versions = subprocess.run([str(python), "-c", "import keras, tensorflow as tf, tensorflow_datasets as t; "
                                   "print(keras.__version__, tf.__version__, t.__version__)"],
                                  capture_output=True, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
        rows = [walk(week, built.folder, python, work, args.profile, args.backend) for week in args.weeks]
    record = {"profile": args.profile, "installer": installer, "install_seconds": round(install_seconds, 1),
              "kit_venv_keras_tensorflow_tfds": versions.stdout.strip(), "weeks": rows, "machine": machine_facts()}
    suffix = "" if args.backend == "tensorflow" else f"_{args.backend}"
    out = ROOT / "benchmarks" / "results" / f"kit_fresh_venv_{args.profile}{suffix}.json"
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(rows, indent=2))
    print(f"-> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
