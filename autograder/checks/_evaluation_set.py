"""The images artifact checks evaluate saved models on: a private set, or the public test split.

Why: MNIST's and Fashion-MNIST's test splits are public and readable in the student's kernel,
so a model trained on them scores near 100 % on the grader's evaluation. An instructor who
holds images no student has seen (e.g. digits written by the class, or a split kept back)
points the grader at them with ``COURSE_EVAL_DIR``: a folder of ``<dataset>.npz`` files, each
with ``images`` (uint8, ``(N, 28, 28)`` or ``(N, 28, 28, 1)``) and ``labels`` (int, ``(N,)``).
The folder is bound read-only into the artifact checker's sandbox only, never into a kernel.
Without it the public test split is used and the class report says so
(:func:`public_split_warning`), as it does for the checks that read the public split whatever is
given (weeks 3, 5 and 6: ``PUBLIC_EVALUATION_DATASETS`` in their modules). On the public split,
week 2's models are also scored on held-back training images, and one far better on the test
images is flagged for the TA (:mod:`autograder.checks._memoriser`; points unchanged).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from autograder.verdicts.judging import EVAL_DIR_ENV


class EvaluationSetError(ValueError):
    """The instructor's evaluation file is there but unusable (a course problem, not a student's)."""


def private_file(dataset: str) -> Path | None:
    """``$COURSE_EVAL_DIR/<dataset>.npz`` when the instructor supplied it, else None."""
    folder = os.environ.get(EVAL_DIR_ENV, "").strip()
    path = Path(folder) / f"{dataset}.npz" if folder else None
    return path if path is not None and path.is_file() else None


def _read_private(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with np.load(path, allow_pickle=False) as stored:
        if not {"images", "labels"} <= set(stored.files):
            raise EvaluationSetError(f"{path} must hold arrays 'images' and 'labels' (it holds {stored.files})")
        images, labels = stored["images"], stored["labels"]
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.dtype != np.uint8 or images.shape[1:] != (28, 28, 1) or labels.shape != (len(images),):
        raise EvaluationSetError(f"{path}: images must be uint8 (N, 28, 28[, 1]) with labels (N,); got "
                                 f"{images.dtype} {images.shape} and labels {labels.shape}")
    return images, labels.astype(np.int64)


def evaluation_set(dataset: str, limit: int | str) -> tuple[np.ndarray, np.ndarray, str]:
    """``(images (N, 28, 28, 1) uint8, labels (N,) int64, where)`` for judging a model on ``dataset``.

    limit: the first ``limit`` examples, or ``"all"``; ``where`` names the source in feedback
    ("private evaluation images" or "test images").
    """
    path = private_file(dataset)
    if path is not None:
        images, labels = _read_private(path)
        count = len(labels) if limit == "all" else int(limit)
        return images[:count], labels[:count], "private evaluation images"
    from course_utils import data

    images, labels = data.load_numpy(dataset, "test", limit=limit)
    return images, labels, "test images"


def public_split_warning(datasets: list[str], fixed: list[str] = ()) -> str | None:
    """The report's line when models are judged on a public test split.

    datasets: the splits an assignment's checks read through :func:`evaluation_set` (public only
    where no private file is given); fixed: those its checks read from the public split whatever
    is given (a module's ``PUBLIC_EVALUATION_DATASETS``: weeks 3, 5 and 6 take no private set yet).
    """
    public = [name for name in datasets if private_file(name) is None]
    lines = []
    if public:
        lines.append(f"saved models were evaluated on the public {' and '.join(public)} test split, which students "
                     f"can train on (a model far better there than on held-back training images is listed for "
                     f"the TA as a possible memoriser); put a private set in {EVAL_DIR_ENV} (<dataset>.npz with "
                     "images and labels) to prevent it.")
    if fixed:
        lines.append(f"saved models were judged on the public {' and '.join(fixed)} test split, which students can "
                     "train on, and these checks take no private set yet: a model that memorised that split may "
                     "score higher than it should.")
    return " ".join(lines) or None
