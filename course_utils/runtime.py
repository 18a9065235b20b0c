"""Run-time facts every notebook needs: seeds, the device, the profile, grading mode.

The *profile* decides how big the work is:

- ``full`` (default): the real course — full datasets, real epochs, the course's bars.
- ``smoke``: tiny data and few steps, for CI, the demo and a quick dry run.

Set it with the environment variable ``COURSE_PROFILE=smoke|full``.
"""

from __future__ import annotations

import os
import platform
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

Profile = Literal["smoke", "full"]
PROFILES: tuple[str, ...] = ("smoke", "full")
PROFILE_ENV = "COURSE_PROFILE"
DEFAULT_SEED = 1234
BACKEND_ENV = "KERAS_BACKEND"

# The Keras backends each week runs under. Why not every week under JAX: Keras under JAX returns
# JAX arrays, which the notebook's own TensorFlow code cannot map or differentiate (seen: week 2's
# ``tf.data`` augmentation fails under JAX). The rule, held by tests/test_backend_support.py against
# the notebooks: a week whose code uses Keras *and* TensorFlow needs Keras' TensorFlow backend;
# weeks 0 and 1 use no Keras (week 1 calls TensorFlow directly), so any backend will do (both ran
# with no failing cell under JAX in a kit venv: benchmarks/results/kit_fresh_venv_smoke_jax.json).
WEEK_BACKENDS: dict[str, tuple[str, ...]] = {
    "00_setup": ("tensorflow", "jax"),
    "01_convolution": ("tensorflow", "jax"),
    "02_cnn_classification": ("tensorflow",),  # tf.data augmentation through Keras layers
    "03_adversarial": ("tensorflow",),         # tf.GradientTape through Keras models (FGSM, PGD)
    "04_visualising": ("tensorflow",),         # tf.GradientTape through Keras models (saliency)
    "05_autoencoders": ("tensorflow",),        # tf.GradientTape in the VAE's training step
    "06_gans": ("tensorflow",),                # tf.GradientTape in the GANs' training steps
    "07_style_transfer": ("tensorflow",),      # tf.Variable image optimised through VGG19
}


def profile() -> Profile:
    """Return the active profile (``COURSE_PROFILE``, default ``full``).

    Raises ValueError on an unknown value, so a typo never silently trains the
    wrong amount.
    """
    value = os.environ.get(PROFILE_ENV, "full").strip().lower() or "full"
    if value not in PROFILES:
        raise ValueError(
            f"{PROFILE_ENV}={value!r} is not a profile; use one of {', '.join(PROFILES)} "
            f"(for example `export {PROFILE_ENV}=smoke`)."
        )
    return value  # type: ignore[return-value]


def is_smoke() -> bool:
    """True when the smoke profile (tiny data, few steps) is active."""
    return profile() == "smoke"


_UNSET = object()


def by_profile(*, smoke, full, grading=_UNSET):
    """Pick a value by profile: ``epochs = by_profile(smoke=1, full=15)``.

    grading: the value while the notebook is being graded (:func:`is_grading`), in either
    profile, for work that only explores or draws: ``images = by_profile(smoke=200, full=1000,
    grading=100)`` keeps the figure but spends less of the grader's time. Nothing a test cell
    reads may be sized this way (``tests/test_grading_size.py`` holds the notebooks to it), so a
    grade never depends on it.
    """
    if grading is not _UNSET and is_grading():
        return grading
    return smoke if is_smoke() else full


def is_grading() -> bool:
    """True while nbgrader (or the course grader) executes the notebook.

    nbgrader sets ``NBGRADER_EXECUTION`` (to ``autograde`` or ``validate``)
    in the kernel it starts; the course's grader does the same.
    """
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def set_seed(seed: int = DEFAULT_SEED, *, deterministic: bool = True) -> int:
    """Seed Python, NumPy, Keras (and so TensorFlow) and make TF ops deterministic.

    With ``deterministic=True`` TensorFlow raises on ops that have no
    deterministic implementation instead of silently varying between runs.
    Returns the seed, so it can be written into an artifact's metadata.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)  # seeds python, numpy and the backend
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    return seed


def clear_session() -> str:
    """``keras.backend.clear_session()`` that keeps the global dtype policy; returns the policy's name.

    Why: Keras' own ``clear_session`` resets the global policy to ``float32`` (Keras 3.15), so a
    ``mixed_float16`` policy set in a notebook's Setup cell was silently dropped by the notebook's
    own ``clear_session`` before training, and the student trained in float32 without knowing.
    """
    import keras

    policy = keras.config.dtype_policy()
    keras.backend.clear_session()
    keras.config.set_dtype_policy(policy)
    return policy.name


@dataclass(frozen=True)
class DeviceReport:
    """What the notebook runs on; printed by :func:`device_report`."""

    python: str
    platform: str
    tensorflow: str
    keras: str
    numpy: str
    gpus: tuple[str, ...]
    profile: str
    grading: bool
    backend: str = "tensorflow"
    week: str | None = None

    @property
    def backend_supported(self) -> bool | None:
        """Whether this week runs under :attr:`backend`; None when the week is not known."""
        return self.backend in WEEK_BACKENDS[self.week] if self.week in WEEK_BACKENDS else None

    @property
    def backend_line(self) -> str:
        """One line: the Keras backend, whether this week supports it, and what to do when not."""
        if self.backend_supported is None:
            needs = [week for week, backends in WEEK_BACKENDS.items() if self.backend not in backends]
            return (f"{self.backend}" if not needs else
                    f"{self.backend} (weeks {needs[0][:2]}-{needs[-1][:2]} need tensorflow: set "
                    f"{BACKEND_ENV}=tensorflow before importing keras)")
        if self.backend_supported:
            return f"{self.backend} ({self.week} runs under {' or '.join(WEEK_BACKENDS[self.week])})"
        return (f"{self.backend}, but {self.week} needs Keras' TensorFlow backend: set {BACKEND_ENV}=tensorflow "
                f"before importing keras (`%env {BACKEND_ENV}=tensorflow` in the first cell), restart the "
                "kernel and run all")

    @property
    def accelerator(self) -> str:
        """``"GPU"`` when TensorFlow sees at least one GPU, else ``"CPU"``."""
        return "GPU" if self.gpus else "CPU"

    def __str__(self) -> str:
        gpus = ", ".join(self.gpus) if self.gpus else "none (training runs on the CPU)"
        return "\n".join(
            [
                f"accelerator : {self.accelerator}",
                f"GPUs        : {gpus}",
                f"profile     : {self.profile}",
                f"grading     : {self.grading}",
                f"backend     : {self.backend_line}",
                f"python      : {self.python} ({self.platform})",
                f"tensorflow  : {self.tensorflow}",
                f"keras       : {self.keras}",
                f"numpy       : {self.numpy}",
            ]
        )


def current_week(folder: str | os.PathLike | None = None) -> str | None:
    """The week whose notebook runs in ``folder`` (default: the working directory), or None.

    A kernel starts in its notebook's folder: ``assignments/NN_topic/`` (the kit), nbgrader's
    fetched ``NN_topic/``, or a submission folder holding ``NN_topic.ipynb`` (the grader).
    """
    folder = Path(folder if folder is not None else os.getcwd())
    if folder.name in WEEK_BACKENDS:
        return folder.name
    found = [week for week in WEEK_BACKENDS if (folder / f"{week}.ipynb").is_file()]
    return found[0] if len(found) == 1 else None


def device_report(*, verbose: bool = True) -> DeviceReport:
    """Describe the machine: accelerator, library versions, profile, Keras backend.

    Prints the report when ``verbose`` (the notebook's first cell does this)
    and returns it so that artifacts can record where they were trained. The
    backend line says whether this week (:func:`current_week`) runs under the
    active backend and, when it does not, how to switch (:data:`WEEK_BACKENDS`).
    """
    import keras
    import tensorflow as tf

    gpus = tuple(
        tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name)
        for gpu in tf.config.list_physical_devices("GPU")
    )
    report = DeviceReport(
        python=platform.python_version(),
        platform=f"{platform.system()} {platform.machine()}",
        tensorflow=tf.__version__,
        keras=keras.__version__,
        numpy=np.__version__,
        gpus=gpus,
        profile=profile(),
        grading=is_grading(),
        backend=keras.backend.backend(),
        week=current_week(),
    )
    if verbose:
        print(report)
    return report


def machine_facts() -> dict:
    """Where a number was measured, JSON-ready: CPU model and count, load, accelerator, versions,
    and the commit of the course code that measured it.

    Benchmarks record this beside every result, so a figure always says which
    machine (and how busy it was) produced it.
    """
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), cpu)
    except OSError:
        pass
    report = device_report(verbose=False)
    return {
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "accelerator": report.accelerator,
        "gpus": list(report.gpus),
        "platform": platform.platform(),
        "python": report.python,
        "tensorflow": report.tensorflow,
        "keras": report.keras,
        "numpy": report.numpy,
        "git_commit": _git_commit(),
    }


def _git_commit() -> str | None:
    """The course repository's commit (with ``+dirty`` for uncommitted changes), or None outside git."""
    import subprocess

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        commit = subprocess.run(["git", "-C", root, "rev-parse", "--short=12", "HEAD"], capture_output=True,
                                text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if commit.returncode != 0:
        return None
    return commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
