"""Do students outside the course repository hear what to do: data missing, tfds broken by a
protobuf clash, mixed precision kept through ``clear_session``, and where their models came from?"""

from __future__ import annotations

import sys
import types

import pytest

from course_utils import artifacts, data, runtime


def test_a_student_missing_data_is_told_the_online_route_then_the_kit_s_offline_one(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "grader_installed", lambda: False)
    monkeypatch.setenv(data.DOWNLOAD_ENV, "0")
    with pytest.raises(data.DataNotFoundError) as error:
        data.load("mnist", "train", data_dir=tmp_path)
    message = str(error.value)
    assert "course repository" not in message and "course data prepare" not in message
    assert message.index(f"{data.DOWNLOAD_ENV}=1") < message.index("python -m course_utils.offline_data")


def test_in_the_repository_the_message_still_names_course_data_prepare(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DOWNLOAD_ENV, "0")
    with pytest.raises(data.DataNotFoundError, match="course data prepare"):
        data.load("mnist", "train", data_dir=tmp_path)


def test_a_broken_tfds_is_its_own_first_line_with_the_fix(monkeypatch):
    """What keras 3.10 / tensorflow 2.19 with tensorflow-metadata 1.18+ gave: a tfds without `builder`."""
    assert hasattr(data.import_tfds(), "builder")  # the real one passes
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", types.ModuleType("tensorflow_datasets"))
    with pytest.raises(data.TfdsImportError) as error:
        data.class_names("mnist")
    first, second = str(error.value).splitlines()
    assert first.startswith("tensorflow-datasets cannot be imported: ")
    assert data.TFDS_FIX in second
    assert error.value._render_traceback_()[0].endswith(first + "\x1b[0m")


def test_runtime_clear_session_keeps_mixed_precision_where_keras_resets_it():
    keras = pytest.importorskip("keras")
    try:
        keras.config.set_dtype_policy("mixed_float16")
        keras.backend.clear_session()
        reset = keras.config.dtype_policy().name  # the trap the notebooks fell into
        keras.config.set_dtype_policy("mixed_float16")
        kept = runtime.clear_session()
        assert (reset, kept, keras.config.dtype_policy().name) == ("float32", "mixed_float16", "mixed_float16")
    finally:
        keras.config.set_dtype_policy("float32")


def test_the_sidecar_records_backend_and_policies_and_reads_in_one_line(tmp_path):
    keras = pytest.importorskip("keras")
    try:
        keras.config.set_dtype_policy("mixed_float16")
        inputs = keras.Input((4,))
        model = keras.Model(inputs, keras.layers.Dense(2, dtype="float32")(keras.layers.Dense(3)(inputs)))
        path = artifacts.save_artifact(model, tmp_path / "m.keras")
    finally:
        keras.config.set_dtype_policy("float32")
    record = artifacts.read_metadata(path)
    assert record["backend"] == keras.backend.backend() and record["global_dtype_policy"] == "mixed_float16"
    line = artifacts.describe_sidecar(record)
    assert f"keras {keras.__version__}" in line and "backend tensorflow" in line and "CPU" in line
    assert "dtype mixed_float16" in line or "dtype float32" in line
    assert artifacts.describe_sidecar({"keras_version": "3.10.0"}).startswith("keras 3.10.0, tensorflow ?")
