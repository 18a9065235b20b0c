"""The course's artifact files: a trained model or a dict of arrays, with a sidecar of facts.

Why: the grader loads what a student trained in a clean process, so the files must be
safe to open and say where they came from. Two formats only, both free of pickle:

- a ``keras.Model`` → ``<name>.keras`` (Keras 3 format), loaded with
  ``safe_mode=True`` so a ``Lambda`` layer's Python code is never run;
- a ``dict`` of arrays → ``<name>.npz``, loaded with ``allow_pickle=False``.

Each artifact has a sidecar ``<name>.keras.json`` / ``<name>.npz.json`` with
where and how it was made: course_utils version, profile, seed, device,
training seconds, the metrics the student saw, the training history, library
versions and the artifact's SHA-256. Notebooks reach these through
:mod:`course_utils.training` (``training.save_artifact``, ``training.load_artifact``).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from course_utils import __version__, runtime

MODEL_SUFFIX = ".keras"
ARRAYS_SUFFIX = ".npz"
_RESERVED_KEYS = {"artifact", "kind", "sha256", "course_utils_version", "created", "profile", "grading",
                  "device", "keras_version", "tensorflow_version", "numpy_version", "metrics",
                  "dtype_policy", "arrays", "backend", "global_dtype_policy"}


class ArtifactError(RuntimeError):
    """An artifact cannot be saved or loaded; the message says what to do about it.

    In a notebook it shows as that message in one red line (IPython calls
    ``_render_traceback_``), not as a traceback through ``course_utils``.
    """

    _mark, _colour = "✗", "\x1b[31m"

    def _render_traceback_(self) -> list[str]:
        first, *rest = str(self).splitlines() or [type(self).__name__]
        return [f"{self._colour}{self._mark} {first}\x1b[0m", *(f"  {line}" for line in rest)]


class ArtifactMissing(ArtifactError):
    """No file at the artifact's path yet: the training cell has not run (a neutral line, not red)."""

    _mark, _colour = "○", "\x1b[34m"


def metadata_path(path: str | os.PathLike) -> Path:
    """The sidecar JSON of an artifact: ``model.keras`` → ``model.keras.json``."""
    path = Path(path)
    return path.with_name(path.name + ".json")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _to_json(value: Any) -> Any:
    """``json.dumps`` fallback: NumPy scalars/arrays and paths become plain JSON."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if hasattr(value, "numpy"):  # a scalar tensor from a metric
        return np.asarray(value).tolist()
    raise TypeError(f"metadata value {value!r} of type {type(value).__name__} cannot be written to JSON")


def _lambda_layers(model: Any) -> list[str]:
    import keras

    return [layer.name for layer in model._flatten_layers(include_self=False, recursive=True)
            if isinstance(layer, keras.layers.Lambda)]


def _check_suffix(path: Path, expected: str, what: str) -> None:
    if path.suffix != expected:
        raise ArtifactError(
            f"{what} must be saved to a path ending in {expected!r}, got {path.name!r}; "
            f"for example save_artifact(obj, {path.with_suffix(expected).name!r})."
        )


def _arrays_for_npz(arrays: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Validate a dict of arrays for ``np.savez``: identifier-like keys, numeric values only."""
    if not arrays:
        raise ArtifactError("save_artifact got an empty dict; there are no arrays to save.")
    checked = {}
    for key, value in arrays.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise ArtifactError(f"array names must be identifiers like 'w1' or 'decoder_kernel', got {key!r}.")
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise ArtifactError(
                f"array {key!r} has dtype {array.dtype}; only numbers can be saved (no Python objects, "
                "strings or None), because the grader loads .npz files without pickle."
            )
        checked[key] = array
    return checked


def _write_artifact(obj: Any, path: Path, target: Path) -> dict[str, Any]:
    """Write ``obj`` to ``target`` in the format ``path``'s suffix asks for; return format facts."""
    import keras

    if isinstance(obj, keras.Model):
        _check_suffix(path, MODEL_SUFFIX, "a Keras model")
        lambdas = _lambda_layers(obj)
        if lambdas:
            raise ArtifactError(
                f"the model contains Lambda layer(s) {lambdas}; the grader loads models with "
                "safe_mode=True and refuses their Python code. Remove the Lambda layer: use a built-in "
                "layer (Rescaling, Reshape, Activation, ...) or keras.ops inside a registered custom layer."
            )
        obj.save(target)
        return {"kind": "keras_model", "dtype_policy": obj.dtype_policy.name}
    if isinstance(obj, Mapping):
        _check_suffix(path, ARRAYS_SUFFIX, "a dict of arrays")
        arrays = _arrays_for_npz(obj)
        with target.open("wb") as handle:  # a file object, so np.savez appends no second ".npz"
            np.savez(handle, **arrays)
        shapes = {key: {"shape": list(a.shape), "dtype": str(a.dtype)} for key, a in arrays.items()}
        return {"kind": "arrays", "arrays": shapes}
    raise TypeError(f"save_artifact saves a keras.Model or a dict of arrays, got {type(obj).__name__}.")


def save_artifact(obj: Any, path: str | os.PathLike, *, metrics: Mapping[str, Any] | None = None,
                  **metadata: Any) -> Path:
    """Save a Keras model (``.keras``) or a dict of arrays (``.npz``) with a sidecar JSON.

    obj: a ``keras.Model``, or a ``dict`` mapping names to numeric arrays.
    path: where to save; its suffix must match the kind of ``obj``.
    metrics: what the student measured, e.g. ``{"val_accuracy": 0.991}``.
    metadata: anything else worth recording (``seed=...``, ``training_seconds=...``,
        ``history={...}``); values must be JSON-serialisable (NumPy scalars are fine).

    The artifact is written to a temporary name first and renamed, so an
    interrupted save never leaves a half-written file under ``path``.
    Returns the artifact's path.
    """
    path = Path(path)
    clash = _RESERVED_KEYS.intersection(metadata)
    if clash:
        raise ValueError(f"metadata keys {sorted(clash)} are filled in by save_artifact itself; rename yours.")
    json.dumps({"metrics": dict(metrics or {}), **metadata}, default=_to_json)  # fail before writing anything
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.partial{path.suffix}")
    try:
        facts = _write_artifact(obj, path, partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    device = runtime.device_report(verbose=False)
    import keras

    record = {
        "artifact": path.name,
        "kind": facts.pop("kind"),
        "sha256": _sha256(path),
        "course_utils_version": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "profile": runtime.profile(),
        "grading": runtime.is_grading(),
        "device": {"accelerator": device.accelerator, "gpus": list(device.gpus),
                   "python": device.python, "platform": device.platform},
        "keras_version": device.keras,
        "tensorflow_version": device.tensorflow,
        "numpy_version": device.numpy,
        "backend": keras.backend.backend(),
        "global_dtype_policy": keras.config.dtype_policy().name,  # the model's own: dtype_policy below
        "metrics": dict(metrics or {}),
        **facts,
        **metadata,
    }
    metadata_path(path).write_text(json.dumps(record, indent=2, default=_to_json) + "\n")
    return path


def describe_sidecar(record: Mapping[str, Any]) -> str:
    """One line of where an artifact was made, from its sidecar: what a student's check and the
    TA's report show (``keras 3.15.1, tensorflow 2.21.0, backend tensorflow, dtype
    mixed_float16, GPU (NVIDIA H100), profile full``). Older sidecars lack some facts: "?"."""
    device = record.get("device") if isinstance(record.get("device"), Mapping) else {}
    accelerator = str(device.get("accelerator", "?"))
    gpus = [str(gpu) for gpu in device.get("gpus") or []]
    policy = record.get("dtype_policy") or record.get("global_dtype_policy") or "?"
    return (f"keras {record.get('keras_version', '?')}, tensorflow {record.get('tensorflow_version', '?')}, "
            f"backend {record.get('backend', '?')}, dtype {policy}, "
            f"{accelerator}{' (' + ', '.join(gpus) + ')' if gpus else ''}, profile {record.get('profile', '?')}")


def read_metadata(path: str | os.PathLike) -> dict[str, Any] | None:
    """The sidecar JSON of an artifact as a dict, or None when there is none.

    Raises ArtifactError when the sidecar exists but is not valid JSON.
    """
    sidecar = metadata_path(path)
    if not sidecar.exists():
        return None
    try:
        return json.loads(sidecar.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{sidecar} is not valid JSON ({exc}); save the artifact again with save_artifact.") from None


def _corrupted(path: Path, exc: BaseException) -> ArtifactError:
    return ArtifactError(
        f"{path} could not be read ({type(exc).__name__}: {exc}); the file is damaged or is not an "
        f"artifact. Re-run the training cell so that it is saved again with save_artifact."
    )


def _mixed_policy(node: Any) -> str | None:
    """The first ``mixed_*`` dtype policy named anywhere in a saved model config, else None."""
    if isinstance(node, dict):
        if node.get("class_name") == "DTypePolicy":
            name = node.get("config", {}).get("name", "")
            if isinstance(name, str) and name.startswith("mixed_"):
                return name
        dtype = node.get("dtype")
        if isinstance(dtype, str) and dtype.startswith("mixed_"):
            return dtype
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = _mixed_policy(child)
        if found:
            return found
    return None


def _load_model(path: Path, compile: bool) -> Any:
    """``keras.saving.load_model`` with safe_mode, under the model's own mixed-precision policy.

    Why the policy: a Functional model does not save its own dtype policy, only
    its layers do. Loaded where the global policy is float32 (a CPU grader, a
    fresh kernel), the layers stay mixed_float16 but ``compile`` would not wrap
    the optimizer in a LossScaleOptimizer, and the saved optimizer state would
    be dropped. Loading under the saved policy restores the model as trained.
    """
    import keras

    if not zipfile.is_zipfile(path):
        raise _corrupted(path, ValueError("not a zip archive"))
    previous = keras.config.dtype_policy()
    try:
        with zipfile.ZipFile(path) as archive:
            policy = _mixed_policy(json.loads(archive.read("config.json")))
        if policy:
            keras.config.set_dtype_policy(policy)
        return keras.saving.load_model(path, safe_mode=True, compile=compile)
    except ValueError as exc:
        if "Lambda" in str(exc) or "safe_mode" in str(exc):
            raise ArtifactError(
                f"{path} contains a Lambda layer with Python code, which the grader refuses to load "
                "(safe_mode=True). Remove the Lambda layer from the model (use built-in layers), "
                "train it again and re-save it with save_artifact."
            ) from None
        raise _corrupted(path, exc) from None
    except TypeError as exc:
        if "Could not locate" in str(exc) or "could not be deserialized" in str(exc):
            raise ArtifactError(
                f"{path} uses a custom class or function that Keras cannot find in this process: {exc}\n"
                "Decorate it with @keras.saving.register_keras_serializable(package='course') and define "
                "it in the notebook before loading, or build the model from built-in layers."
            ) from None
        raise _corrupted(path, exc) from None
    except Exception as exc:  # noqa: BLE001 - h5py, zipfile, json: any failure means a damaged file
        raise _corrupted(path, exc) from None
    finally:
        keras.config.set_dtype_policy(previous)


def _load_arrays(path: Path) -> dict[str, np.ndarray]:
    if not zipfile.is_zipfile(path):  # else np.load would take it for a pickle and say so
        raise _corrupted(path, ValueError("not a zip archive"))
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise ArtifactError(
                f"{path} contains pickled Python objects, which the grader refuses to load. "
                "Save only numeric arrays, with save_artifact({'name': array, ...}, path)."
            ) from None
        raise _corrupted(path, exc) from None
    except Exception as exc:  # noqa: BLE001 - zipfile, format errors: any failure means a damaged file
        raise _corrupted(path, exc) from None


def load_artifact(path: str | os.PathLike, *, compile: bool = True) -> Any:
    """Load an artifact saved by :func:`save_artifact`, safely.

    ``.keras`` → a ``keras.Model`` (``safe_mode=True``; ``compile=False`` skips
    restoring the optimizer and loss), ``.npz`` → ``dict[str, np.ndarray]``
    (``allow_pickle=False``). Every failure is an :class:`ArtifactError` that
    says what to do: a missing file, a damaged file, a Lambda layer, a wrong
    extension.
    """
    path = Path(path)
    if path.suffix not in (MODEL_SUFFIX, ARRAYS_SUFFIX):
        legacy = " (.h5 is the legacy Keras 2 format)" if path.suffix in (".h5", ".hdf5") else ""
        raise ArtifactError(
            f"{path.name!r} is not a course artifact{legacy}: artifacts end in {MODEL_SUFFIX} (a model) "
            f"or {ARRAYS_SUFFIX} (arrays). Re-save it with save_artifact(obj, 'name{MODEL_SUFFIX}')."
        )
    if not path.is_file():
        raise ArtifactMissing(
            f"no artifact at {path}. Run the training cell that saves it (train_or_load or save_artifact) "
            "and keep the file next to the notebook when you submit."
        )
    if path.suffix == MODEL_SUFFIX:
        return _load_model(path, compile)
    return _load_arrays(path)
