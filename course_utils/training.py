"""Train once, then reuse: a notebook's models are trained on the student's machine and saved.

Why: training happens on the student's machine (a GPU if they have one), the
grader never trains. A notebook therefore saves what it trained, and the grader
loads that file in a clean process (the files: :mod:`course_utils.artifacts`).

In a notebook::

    model = train_or_load("mnist_cnn.keras", lambda: build_and_fit(epochs),
                          metadata={"seed": seed})
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Callable, Mapping

from course_utils import runtime
from course_utils.artifacts import (ARRAYS_SUFFIX, MODEL_SUFFIX, ArtifactError, ArtifactMissing, load_artifact,
                                    metadata_path, read_metadata, save_artifact)

__all__ = [
    "ArtifactError",
    "ArtifactMissing",
    "MODEL_SUFFIX",
    "ARRAYS_SUFFIX",
    "metadata_path",
    "save_artifact",
    "load_artifact",
    "read_metadata",
    "train_or_load",
]


def _metrics_from_history(history: Mapping[str, Any]) -> dict[str, float]:
    """Final value of every metric in a Keras history dict (``{"loss": [...], ...}``)."""
    return {key: float(values[-1]) for key, values in history.items() if len(values)}


def train_or_load(
    path: str | os.PathLike,
    build_and_train: Callable[[], Any],
    *,
    metadata: Mapping[str, Any] | None = None,
    retrain: bool = False,
) -> Any:
    """Load the artifact at ``path`` if it exists, else train it and save it.

    build_and_train: a function with no arguments that builds and trains, and
        returns the model (or a dict of arrays), or ``(model, history)`` where
        ``history`` is what ``model.fit`` returned; its final values become the
        artifact's metrics and the whole history is kept in the sidecar JSON.
    metadata: extra facts for the sidecar, e.g. ``{"seed": seed, "epochs": 15}``.
    retrain: train again even if the artifact exists (not allowed while grading).

    While grading (``runtime.is_grading()``) nothing is ever trained: the
    submitted artifact is loaded, or :class:`ArtifactError` says it is missing.
    """
    path = Path(path)
    if runtime.is_grading():
        if not path.is_file():
            raise ArtifactError(
                f"the artifact {path.name} was not submitted, and nothing is trained during grading. "
                "Run this cell on your own machine so that it saves the file, and submit it with the notebook."
            )
        return load_artifact(path)
    if path.is_file() and not retrain:
        try:
            loaded = load_artifact(path)
        except ArtifactError as exc:
            raise ArtifactError(f"{exc}\nTo train it again, delete {path} or call train_or_load(..., retrain=True).") from None
        info = read_metadata(path) or {}
        seconds = info.get("training_seconds")
        trained = f", trained in {seconds:.0f} s on {info['device']['accelerator']}" if (
            isinstance(seconds, (int, float)) and "device" in info) else ""
        print(f"Loaded {path}{trained}. Pass retrain=True to train it again.")
        return loaded
    start = time.perf_counter()
    result = build_and_train()
    seconds = time.perf_counter() - start
    history: dict[str, Any] | None = None
    if isinstance(result, tuple):
        if len(result) != 2:
            raise ValueError("build_and_train must return a model, or (model, history).")
        result, fit_history = result
        history = getattr(fit_history, "history", fit_history)
        if not isinstance(history, Mapping):
            raise TypeError(f"the history returned by build_and_train must come from model.fit, got "
                            f"{type(fit_history).__name__}.")
        history = {key: [float(v) for v in values] for key, values in history.items()}
    if result is None:
        raise ValueError("build_and_train returned None; it must return the trained model (or its arrays).")
    extra: dict[str, Any] = dict(metadata or {})
    extra["training_seconds"] = round(seconds, 3)
    if history is not None:
        extra["history"] = history
    save_artifact(result, path, metrics=_metrics_from_history(history) if history else None, **extra)
    print(f"Trained in {seconds:.1f} s and saved {path}.")
    return result
