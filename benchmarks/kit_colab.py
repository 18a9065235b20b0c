"""Does the kit's Google Colab first cell work, run as a plain script in a fresh venv?

Colab is out of reach from here, and so are the datasets' own hosts; the package indexes are not.
The walk: ``course kit 00_setup`` → a fresh venv *with pip* (Colab's ``%pip`` is pip) holding a
stand-in for Colab's image (TensorFlow, tensorflow-datasets, matplotlib, scikit-image: Colab
preinstalls them) → the wheel copied into a ``content/`` folder (Colab's ``/content``) → the
README's cell, turned into a script by :func:`autograder.authoring.kit_colab.as_script`, run there
with empty data and cache folders and the default ``COURSE_DATA_DOWNLOAD=auto`` → both datasets
loaded whole by the venv's ``course_utils``. Here tensorflow-datasets cannot download (its hosts
are unreachable), so the run exercises the cell's offline branch; on Colab the same cell takes
the download branch, which this machine cannot reach. Writes ``benchmarks/results/kit_colab.json``.

Usage (about 2 minutes once uv's and pip's caches hold the packages)::

    nice -n 15 .venv/bin/python benchmarks/kit_colab.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.authoring import kit, kit_colab  # noqa: E402
from course_utils.runtime import machine_facts  # noqa: E402

COLAB_IMAGE = ["tensorflow-cpu>=2.19,<2.22", "tensorflow-datasets", "matplotlib", "scikit-image"]
LOADED = """
from course_utils import data
for name in data.DATASETS:
    for split in data.SPLITS:
        x, y = data.load_numpy(name, split, limit="all")
        print(name, split, x.shape, x.dtype, int(y.max()) + 1, "classes")
"""


def _timed(command: list[str], **options) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, **options)
    return done, round(time.perf_counter() - start, 1)


def main() -> int:
    record: dict = {"colab_image_stand_in": COLAB_IMAGE}
    with tempfile.TemporaryDirectory(prefix="kit-colab-") as tmp:  # outside the repository
        work = Path(tmp)
        built = kit.build_kit(["00_setup"], work / "kit")
        venv, content = work / "venv", work / "content"
        python = venv / "bin" / "python"
        subprocess.run(["uv", "venv", "-q", "--seed", str(venv), "--python",
                        f"{sys.version_info.major}.{sys.version_info.minor}"], check=True)
        image, record["image_seconds"] = _timed(["uv", "pip", "install", "-q", "--python", str(python), *COLAB_IMAGE])
        if image.returncode != 0:
            raise SystemExit(f"could not build the Colab stand-in: {image.stderr[-400:]}")
        content.mkdir()
        shutil.copy2(built.wheel, content / built.wheel.name)
        cell = kit_colab.colab_cell(built.wheel.name)
        readme = (built.folder / "README.md").read_text()
        record["cell_in_readme"] = cell.rstrip("\n") in readme
        record["cell"] = cell.splitlines()
        script = content / "first_cell.py"
        script.write_text(kit_colab.as_script(cell, str(content)))
        env = {key: value for key, value in os.environ.items() if not key.startswith(("COURSE_", "TFDS_"))}
        env.update({"COURSE_DATA_DIR": str(content / "tensorflow_datasets"), "COURSE_CACHE_DIR": str(content / "cache"),
                    "TF_CPP_MIN_LOG_LEVEL": "3"})
        ran, record["cell_seconds"] = _timed([str(python), str(script)], cwd=content, env=env, timeout=1800)
        record["cell_exit_status"] = ran.returncode
        record["cell_output"] = ran.stdout.strip().splitlines()[-12:] or ran.stderr.strip().splitlines()[-12:]
        loaded, record["load_seconds"] = _timed([str(python), "-c", LOADED], cwd=content, env=env, timeout=900)
        record["datasets_loaded"] = loaded.stdout.strip().splitlines() or loaded.stderr.strip().splitlines()[-6:]
        versions = subprocess.run([str(python), "-c", "import keras, tensorflow as tf, tensorflow_datasets as t, "
                                   "course_utils as c; print(keras.__version__, tf.__version__, t.__version__, "
                                   "c.__version__)"], capture_output=True, text=True, env=env)
        record["keras_tensorflow_tfds_course_utils"] = versions.stdout.strip()
    record["machine"] = machine_facts()
    out = ROOT / "benchmarks" / "results" / "kit_colab.json"
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps({k: v for k, v in record.items() if k != "machine"}, indent=2))
    print(f"-> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
