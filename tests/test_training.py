"""Tests for course_utils.training: artifacts round-trip, bad artifacts are refused with advice."""

from __future__ import annotations

import json

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import course_utils  # noqa: E402
from course_utils.training import (  # noqa: E402
    ArtifactError,
    load_artifact,
    metadata_path,
    read_metadata,
    save_artifact,
    train_or_load,
)


@pytest.fixture(autouse=True)
def not_grading(monkeypatch):
    """Each test starts as a student's run; grading tests switch it on themselves."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setenv("COURSE_PROFILE", "smoke")


def tiny_model(*, with_lambda: bool = False) -> keras.Model:
    """A 4 → 3 → 2 classifier, compiled; small enough to save in milliseconds."""
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(3, activation="relu", name="hidden")(inputs)
    if with_lambda:
        hidden = keras.layers.Lambda(lambda t: t * 2.0, name="doubler")(hidden)
    outputs = keras.layers.Dense(2, activation="softmax", name="out")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((16, 4)).astype("float32"), rng.integers(0, 2, 16)


# --- .npz arrays ----------------------------------------------------------------------------


def test_arrays_round_trip_with_sidecar(tmp_path):
    """Do arrays come back identical, with a sidecar recording version, profile, seed, device and metrics?"""
    arrays = {"w1": np.arange(6, dtype=np.float32).reshape(2, 3), "b1": np.zeros(3), "steps": np.int64(7)}
    path = save_artifact(arrays, tmp_path / "weights.npz", metrics={"loss": np.float32(0.25)}, seed=3)
    loaded = load_artifact(path)
    assert set(loaded) == set(arrays)
    for key, value in arrays.items():
        np.testing.assert_array_equal(loaded[key], value)
        assert loaded[key].dtype == np.asarray(value).dtype
    info = read_metadata(path)
    assert metadata_path(path).name == "weights.npz.json"
    assert info["course_utils_version"] == course_utils.__version__
    assert info["profile"] == "smoke" and info["seed"] == 3
    assert info["device"]["accelerator"] in ("CPU", "GPU")
    assert info["metrics"] == {"loss": 0.25}
    assert info["keras_version"] == keras.__version__ and info["tensorflow_version"]
    assert info["arrays"]["w1"] == {"shape": [2, 3], "dtype": "float32"}
    assert info["created"].endswith("+00:00")
    assert len(info["sha256"]) == 64
    assert not list(tmp_path.glob(".*partial*")), "the temporary file must be renamed away"


def test_arrays_refuse_python_objects_and_bad_names(tmp_path):
    """Are object arrays (which need pickle) and non-identifier names refused before writing?"""
    with pytest.raises(ArtifactError, match="only numbers can be saved"):
        save_artifact({"w": np.array([{"a": 1}], dtype=object)}, tmp_path / "w.npz")
    with pytest.raises(ArtifactError, match="identifiers"):
        save_artifact({"bad name": np.zeros(2)}, tmp_path / "w.npz")
    with pytest.raises(ArtifactError, match="empty dict"):
        save_artifact({}, tmp_path / "w.npz")
    assert not list(tmp_path.iterdir())


def test_save_refuses_wrong_extension_and_wrong_object(tmp_path):
    """Does saving arrays to .keras, or a list, say what to do instead?"""
    with pytest.raises(ArtifactError, match=r"ending in '\.npz'.*'w\.npz'"):
        save_artifact({"w": np.zeros(2)}, tmp_path / "w.keras")
    with pytest.raises(TypeError, match="keras.Model or a dict of arrays, got list"):
        save_artifact([np.zeros(2)], tmp_path / "w.npz")


def test_save_refuses_reserved_or_unserialisable_metadata(tmp_path):
    """Are metadata that would overwrite recorded facts or cannot be JSON refused up front?"""
    with pytest.raises(ValueError, match="sha256"):
        save_artifact({"w": np.zeros(2)}, tmp_path / "w.npz", sha256="x")
    with pytest.raises(TypeError, match="cannot be written to JSON"):
        save_artifact({"w": np.zeros(2)}, tmp_path / "w.npz", note=object())
    assert not (tmp_path / "w.npz").exists()


def test_pickled_npz_is_refused(tmp_path):
    """Is an .npz holding pickled objects (saved without save_artifact) refused, not unpickled?"""
    path = tmp_path / "evil.npz"
    np.savez(path, w=np.array([object()], dtype=object))
    with pytest.raises(ArtifactError, match="pickled Python objects"):
        load_artifact(path)


# --- failures every artifact can have ---------------------------------------------------------


def test_missing_artifact_says_to_run_the_training_cell(tmp_path):
    with pytest.raises(ArtifactError, match="no artifact at .*Run the training cell"):
        load_artifact(tmp_path / "model.keras")


@pytest.mark.parametrize("name", ["model.h5", "model.pkl", "model"])
def test_wrong_extension_is_refused(tmp_path, name):
    """Is a legacy .h5, a pickle or a bare name refused with the two allowed suffixes?"""
    path = tmp_path / name
    path.write_bytes(b"whatever")
    with pytest.raises(ArtifactError, match=r"not a course artifact.*\.keras.*\.npz.*save_artifact"):
        load_artifact(path)


@pytest.mark.parametrize("name", ["model.keras", "weights.npz"])
def test_garbage_file_is_reported_as_damaged(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\x00not an archive" * 10)
    with pytest.raises(ArtifactError, match="could not be read.*Re-run the training cell"):
        load_artifact(path)


def test_truncated_npz_is_reported_as_damaged(tmp_path):
    path = save_artifact({"w": np.ones((50, 50))}, tmp_path / "w.npz")
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])
    with pytest.raises(ArtifactError, match="could not be read"):
        load_artifact(path)


def test_damaged_sidecar_is_reported(tmp_path):
    path = save_artifact({"w": np.zeros(1)}, tmp_path / "w.npz")
    metadata_path(path).write_text("{not json")
    with pytest.raises(ArtifactError, match="not valid JSON"):
        read_metadata(path)
    assert read_metadata(tmp_path / "absent.npz") is None


# --- Keras models -----------------------------------------------------------------------------


def test_model_round_trip_keeps_predictions_and_compilation(tmp_path, data):
    x, y = data
    model = tiny_model()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    path = save_artifact(model, tmp_path / "m.keras", metrics={"accuracy": 0.5})
    loaded = load_artifact(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert loaded.optimizer is not None and loaded.loss == "sparse_categorical_crossentropy"
    assert read_metadata(path)["kind"] == "keras_model"
    assert not load_artifact(path, compile=False).compiled


def test_model_with_lambda_layer_is_refused_at_save(tmp_path):
    """Does save_artifact stop a Lambda layer before the grader would refuse it?"""
    with pytest.raises(ArtifactError, match=r"Lambda layer\(s\) \['doubler'\].*Remove the Lambda layer"):
        save_artifact(tiny_model(with_lambda=True), tmp_path / "m.keras")
    assert not (tmp_path / "m.keras").exists()


def test_model_with_lambda_layer_is_refused_at_load(tmp_path):
    """Is a Lambda model saved behind save_artifact's back refused by safe_mode, with advice?"""
    path = tmp_path / "m.keras"
    tiny_model(with_lambda=True).save(path)
    with pytest.raises(ArtifactError, match="Lambda layer.*safe_mode=True.*Remove the Lambda layer"):
        load_artifact(path)


def test_model_with_unregistered_custom_layer_says_how_to_register(tmp_path):
    class Doubler(keras.layers.Layer):
        def call(self, inputs):
            return inputs * 2.0

    inputs = keras.Input((2,))
    path = tmp_path / "m.keras"
    keras.Model(inputs, Doubler()(inputs)).save(path)
    with pytest.raises(ArtifactError, match="register_keras_serializable"):
        load_artifact(path)


def test_model_saved_to_npz_is_refused(tmp_path):
    with pytest.raises(ArtifactError, match=r"ending in '\.keras'.*'m\.keras'"):
        save_artifact(tiny_model(), tmp_path / "m.npz")


@pytest.mark.filterwarnings("error:Skipping variable loading for optimizer")
def test_mixed_precision_model_keeps_its_policy_when_loaded_under_float32(tmp_path, data):
    """A mixed_float16 model (as trained on a GPU) loaded where the global policy is float32:
    does every layer keep its policy, the optimizer its loss scaling, and the predictions their values?"""
    x, y = data
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        model = tiny_model()
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    finally:
        keras.config.set_dtype_policy(previous)
    assert keras.config.dtype_policy().name == "float32"
    path = save_artifact(model, tmp_path / "mixed.keras")
    loaded = load_artifact(path)
    assert [layer.dtype_policy.name for layer in loaded.layers[1:]] == ["mixed_float16"] * 2
    assert isinstance(loaded.optimizer, keras.optimizers.LossScaleOptimizer)
    assert keras.config.dtype_policy().name == "float32", "loading must not change the global policy"
    assert read_metadata(path)["dtype_policy"] == "mixed_float16"
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-3)


# --- train_or_load ----------------------------------------------------------------------------


class CountingTrainer:
    """build_and_train that counts its calls and returns (model, history) from a real fit."""

    def __init__(self, data):
        self.data = data
        self.calls = 0

    def __call__(self):
        self.calls += 1
        x, y = self.data
        model = tiny_model()
        history = model.fit(x, y, validation_split=0.25, epochs=2, batch_size=8, verbose=0)
        return model, history


def test_train_or_load_trains_once_then_loads(tmp_path, data, capsys):
    """Is the model trained on the first call, saved with its history, and loaded on the second?"""
    trainer = CountingTrainer(data)
    path = tmp_path / "m.keras"
    model = train_or_load(path, trainer, metadata={"seed": 1, "epochs": 2})
    assert trainer.calls == 1 and path.exists()
    info = read_metadata(path)
    assert info["seed"] == 1 and info["training_seconds"] > 0
    assert len(info["history"]["loss"]) == 2 and "val_accuracy" in info["history"]
    assert info["metrics"]["val_loss"] == pytest.approx(info["history"]["val_loss"][-1])
    again = train_or_load(path, trainer)
    assert trainer.calls == 1
    assert "Loaded" in capsys.readouterr().out
    np.testing.assert_allclose(again.predict(data[0], verbose=0), model.predict(data[0], verbose=0), rtol=1e-6)
    train_or_load(path, trainer, retrain=True)
    assert trainer.calls == 2


def test_train_or_load_accepts_a_bare_model_or_arrays(tmp_path):
    arrays = train_or_load(tmp_path / "w.npz", lambda: {"w": np.ones(3)})
    np.testing.assert_array_equal(arrays["w"], np.ones(3))
    assert read_metadata(tmp_path / "w.npz")["metrics"] == {}


def test_train_or_load_explains_a_damaged_artifact(tmp_path):
    """Does a damaged artifact say how to train again instead of looping on the same error?"""
    path = tmp_path / "m.keras"
    path.write_bytes(b"junk")
    with pytest.raises(ArtifactError, match="retrain=True"):
        train_or_load(path, lambda: pytest.fail("must not train"))


def test_train_or_load_rejects_a_build_function_that_returns_none(tmp_path):
    with pytest.raises(ValueError, match="returned None"):
        train_or_load(tmp_path / "m.keras", lambda: None)


def test_grading_never_trains_and_reports_a_missing_artifact(tmp_path, monkeypatch):
    """While grading, is a missing artifact an error that says it was not submitted?"""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(ArtifactError, match="was not submitted.*nothing is trained during grading"):
        train_or_load(tmp_path / "m.keras", lambda: pytest.fail("must not train while grading"))


def test_grading_loads_the_submitted_artifact_even_with_retrain(tmp_path, monkeypatch):
    path = save_artifact({"w": np.arange(3.0)}, tmp_path / "w.npz")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    loaded = train_or_load(path, lambda: pytest.fail("must not train while grading"), retrain=True)
    np.testing.assert_array_equal(loaded["w"], np.arange(3.0))
    assert json.loads(metadata_path(path).read_text())["grading"] is False


def test_a_missing_artifact_shows_as_one_neutral_line_in_a_notebook(tmp_path):
    """In a kernel IPython shows _render_traceback_: a model not saved yet is one neutral line
    (the training cell has not run), any other artifact problem one red line."""
    from course_utils.training import ArtifactMissing

    with pytest.raises(ArtifactMissing) as missing:
        load_artifact(tmp_path / "model.keras")
    (line,) = missing.value._render_traceback_()
    assert line.startswith("\x1b[34m○ no artifact at") and "Run the training cell" in line
    assert isinstance(missing.value, ArtifactError)
    (line,) = ArtifactError("model.keras could not be read")._render_traceback_()
    assert line == "\x1b[31m✗ model.keras could not be read\x1b[0m"
