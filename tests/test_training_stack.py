"""Does the TA's report show the stack each student's graded models were trained with?

The facts come from the artifacts' sidecars (the student's claim: shown, never graded), read as
the grader reads any file from a student: plain files within a size bound.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from autograder.pages import report
from autograder.records import gradebook
from autograder.records.gradebook import GradebookWriter, GradedCell
from autograder.records.results import ItemResult, Outcome, SubmissionResult
from autograder.submission import training_stack
from autograder.submission.references import reference
from course_utils import training

JAX_MIXED = {"keras_version": "3.10.0", "tensorflow_version": "2.19.0", "backend": "jax",
             "dtype_policy": "mixed_float16", "device": {"accelerator": "GPU", "gpus": ["NVIDIA T4"]},
             "profile": "full"}


def _artifact(folder: Path, name: str, sidecar: str | None) -> Path:
    path = folder / name
    path.write_bytes(b"model")
    if sidecar is not None:
        (folder / f"{name}.json").write_text(sidecar)
    return path


def test_a_sidecar_from_save_artifact_gives_the_stack_it_recorded(tmp_path):
    import keras

    path = training.save_artifact({"samples": np.zeros(3)}, tmp_path / "samples.npz")
    line = training_stack.describe(path)
    assert line.startswith(f"keras {keras.__version__}, tensorflow ")
    assert "backend tensorflow" in line and "dtype float32" in line


def test_another_stack_is_named_whole(tmp_path):
    path = _artifact(tmp_path, "gen.keras", json.dumps(JAX_MIXED))
    assert training_stack.describe(path) == ("keras 3.10.0, tensorflow 2.19.0, backend jax, dtype mixed_float16, "
                                             "GPU (NVIDIA T4), profile full")


def test_missing_odd_and_hostile_sidecars_give_one_plain_line(tmp_path):
    assert training_stack.describe(tmp_path / "absent.keras") is None
    assert training_stack.describe(_artifact(tmp_path, "bare.keras", None)).startswith("no sidecar")
    assert "unreadable" in training_stack.describe(_artifact(tmp_path, "bad.keras", "{not json"))
    assert "unreadable" in training_stack.describe(_artifact(tmp_path, "list.keras", "[1, 2]"))
    big = _artifact(tmp_path, "big.keras", json.dumps({"history": "x" * (training_stack.SIDECAR_BYTES + 1)}))
    assert training_stack.describe(big).startswith("sidecar not read")
    linked = _artifact(tmp_path, "linked.keras", None)
    os.symlink("/etc/passwd", tmp_path / "linked.keras.json")
    assert training_stack.describe(linked).startswith("sidecar not read")
    odd = training_stack.describe(_artifact(tmp_path, "odd.keras", json.dumps({**JAX_MIXED, "backend": "jax\n<b>"})))
    assert "\n" not in odd and len(odd) <= 200


def test_the_grader_reads_the_files_its_artifact_checks_load(tmp_path):
    """Week 5: three graded files, one listed once although two checks load it."""
    ref = reference("05_autoencoders")
    for name in ("vae_latent2.keras", "vae_latent16.keras"):
        _artifact(tmp_path, name, json.dumps(JAX_MIXED))
    _artifact(tmp_path, "sparse_ae.keras", json.dumps(JAX_MIXED))  # loaded by the notebook, graded by no check
    stacks = training_stack.for_reference(tmp_path, ref)
    assert list(stacks) == ["vae_latent2.keras", "vae_latent16.keras"]
    assert training_stack.summary(stacks) == training_stack.describe(tmp_path / "vae_latent2.keras")
    (tmp_path / "vae_latent16.keras.json").write_text(json.dumps({**JAX_MIXED, "backend": "tensorflow"}))
    mixed = training_stack.summary(training_stack.for_reference(tmp_path, ref))
    assert mixed.startswith("vae_latent2.keras: keras 3.10.0") and "; vae_latent16.keras: " in mixed


def test_the_stack_is_kept_with_the_result_and_shown_in_the_report(tmp_path):
    cells = [GradedCell("02_cnn_classification", "mnist_cnn", 5.0)]
    line = "keras 3.10.0, tensorflow 2.19.0, backend jax, dtype mixed_float16, GPU (NVIDIA T4), profile full"
    results = [SubmissionResult("alice", "02_cnn_classification", Outcome.GRADED,
                                tests=[ItemResult("mnist_cnn", 5.0, 5.0, "passed")],
                                training={"mnist_cnn.keras": line}),
               SubmissionResult("bob", "02_cnn_classification", Outcome.GRADED,
                                tests=[ItemResult("mnist_cnn", 5.0, 0.0, "missing")])]
    assert SubmissionResult.from_json(results[0].to_json()).training == {"mnist_cnn.keras": line}
    url = gradebook.default_url(tmp_path)
    with GradebookWriter(url, "02_cnn_classification", cells) as writer:
        for result in results:
            writer.record(result)
    html = report.write_report(url, "02_cnn_classification", tmp_path / "report").read_text()
    assert "trained with</th>" in html
    assert f'<td class="note">{line}</td>' in html
