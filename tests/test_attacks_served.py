"""Attacks on a served artifact check: can code in a saved model read the token or the labels?

A served check (:mod:`autograder.verdicts.served`) loads the student's model in a process that
holds nothing that decides points; the grader computes the verdict. The fixture module below
stands in for a Keras safe-mode bypass: it registers a layer whose code, run where the model
loads, looks for (1) the verdict token in the process's memory (the checker's ``send`` closure)
and, found, writes a signed forged verdict and exits before the real one; (2) the labels, on the
call stack (the judge's locals) or in the private evaluation set (``COURSE_EVAL_DIR``), and answers
with them. Two controls show the attack is real: the same model judged by the checker (the path
no week of the course takes any more) forges full marks, and judged in one process with the labels it
finds them. Served, it gets nothing; an honest model gets full marks every way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import attack_payloads

from autograder.verdicts import artifacts, judging, served

pytestmark = pytest.mark.slow

READER_CHECKS = '''"""A served and an unserved artifact check, and a layer that steals labels and tokens (tests only)."""
import gc, json, os, sys, types
from pathlib import Path

import keras
import numpy as np

from autograder.verdicts.judging import ArtifactCheck, Verdict
from autograder.verdicts.served import InProcessModel, ModelLoadError, Served, finite_outputs

FORGED_CHECKS = ('served', 'unserved')
COUNT, CLASSES, BAR = 64, 4, 0.9


def hidden_set():
    """The grader's inputs and labels (the label is the largest input): the private set when given."""
    folder = os.environ.get("COURSE_EVAL_DIR", "")
    if folder and Path(folder, "fixture.npz").is_file():
        with np.load(Path(folder, "fixture.npz")) as stored:
            return stored["x"], stored["y"]
    x = np.random.default_rng(7).normal(size=(COUNT, CLASSES)).astype("float32")
    return x, np.argmax(x, axis=1)


def _steal_labels(count):
    """Labels for a batch of ``count``: from any frame on the stack, else from the private set."""
    frame = sys._getframe()
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if isinstance(value, np.ndarray) and value.ndim == 1 and len(value) == count and value.dtype.kind in "iu":
                return value
        frame = frame.f_back
    try:
        with np.load(Path(os.environ["COURSE_EVAL_DIR"], "fixture.npz")) as stored:
            return stored["y"]
    except Exception:
        return None


''' + attack_payloads.FORGE_WITH_TOKEN + '''


@keras.saving.register_keras_serializable(package="reader")
class Reader(keras.layers.Layer):
    """Zeros, unless it finds the labels; its deserialisation (as a bypass would) hunts the token."""

    def call(self, inputs):
        count = inputs.shape[0]
        labels = _steal_labels(int(count)) if count is not None else None
        if labels is None:
            return inputs * 0.0
        return keras.ops.convert_to_tensor(np.eye(CLASSES, dtype="float32")[labels] * 10.0)

    @classmethod
    def from_config(cls, config):
        _forge_with_token()
        return cls(**config)


def _load(path):
    try:
        return keras.saving.load_model(path, safe_mode=True), {}
    except Exception as exc:
        raise ModelLoadError(str(exc)) from None


def _predict(model, name, x):
    return np.asarray(model(x))


def _judge(query, profile):
    x, labels = hidden_set()
    answers = query.ask({"x": x})
    if answers.error:
        return Verdict(False, f"not checked: {answers.error}")
    scores = finite_outputs(answers, "x")
    accuracy = 0.0 if scores is None else float(np.mean(np.argmax(scores, axis=1) == labels))
    return Verdict(accuracy >= BAR, f"accuracy {accuracy:.0%} (bar {BAR:.0%})")


SERVED = Served(load=_load, predict=_predict, output_shape=lambda name, n: (n, CLASSES), judge=_judge)


def _in_one_process(path, profile):
    return _judge(InProcessModel(SERVED, path), profile)


CHECKS = [ArtifactCheck("served", 1, "a served classifier", "model.keras", _in_one_process, serve=SERVED),
          ArtifactCheck("unserved", 1, "the same, judged in the checker", "twin.keras", _in_one_process)]
'''
ASSIGNMENT = "95_reader_fixture"


@pytest.fixture
def reader_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[judging.ArtifactCheck]:
    folder = tmp_path / "checks"
    folder.mkdir()
    (folder / f"{ASSIGNMENT}.py").write_text(READER_CHECKS)
    monkeypatch.setenv("COURSE_CHECKS_PATH", str(folder))
    monkeypatch.delenv("COURSE_EVAL_DIR", raising=False)
    return [judging.get_check(ASSIGNMENT, name) for name in ("served", "unserved")]


def _save(folder: Path, attacker: bool) -> Path:
    """``model.keras`` and ``twin.keras``: the identity (honest: argmax is the label), behind a Reader
    when ``attacker`` (then zeros, unless it steals the labels)."""
    import keras

    from_fixture = judging._module_from_checks_path(ASSIGNMENT)  # registers Reader here too
    folder.mkdir()
    inputs = keras.Input((4,))
    hidden = from_fixture.Reader()(inputs) if attacker else inputs
    model = keras.Model(inputs, keras.layers.Dense(4, use_bias=False, kernel_initializer="identity")(hidden))
    for name in ("model", "twin"):
        model.save(folder / f"{name}.keras")
    return folder


def _private_set(folder: Path) -> Path:
    x = np.random.default_rng(11).normal(size=(64, 4)).astype("float32")
    folder.mkdir()
    np.savez(folder / "fixture.npz", x=x, y=np.argmax(x, axis=1))
    return folder


def test_a_served_model_that_hunts_the_token_and_the_labels_gets_nothing(tmp_path, reader_checks, monkeypatch):
    """Does the attacker get 0 on the served check, on the public and on a private set, while the
    same model judged by the checker forges full marks (the attack is real) and the honest control
    gets full marks on both checks?"""
    attacker, honest = _save(tmp_path / "attacker", True), _save(tmp_path / "honest", False)
    verdicts = artifacts.judge_artifacts_isolated(ASSIGNMENT, reader_checks, attacker, profile="smoke")
    assert not verdicts["served"].passed and verdicts["served"].score_fraction == 0.0, verdicts["served"]
    assert "forged" not in verdicts["served"].message and "accuracy" in verdicts["served"].message
    assert verdicts["unserved"].passed and "forged" in verdicts["unserved"].message  # the checker's gap
    for verdict in artifacts.judge_artifacts_isolated(ASSIGNMENT, reader_checks, honest, profile="smoke").values():
        assert verdict.passed and verdict.score_fraction == 1.0 and "forged" not in verdict.message, verdict
    monkeypatch.setenv("COURSE_EVAL_DIR", str(_private_set(tmp_path / "private")))
    for folder, passed in ((attacker, False), (honest, True)):  # the private set is never in the model's reach
        verdict = artifacts.judge_artifact_isolated(ASSIGNMENT, reader_checks[0], folder, profile="smoke")
        assert verdict.passed is passed and "forged" not in verdict.message and "accuracy" in verdict.message, verdict


def test_loaded_beside_the_labels_the_attacker_finds_them(tmp_path, reader_checks):
    """Control: judged in one process that holds the labels (what the model process never does), does
    the attacker reach full marks? It must, or the served test above would prove nothing."""
    attacker = _save(tmp_path / "attacker", True)
    verdict = reader_checks[0].judge(attacker / "model.keras", "smoke")
    assert verdict.passed and "accuracy 100%" in verdict.message, verdict


def test_outputs_of_the_wrong_size_or_not_finite_count_as_wrong():
    """Are answers read only at their exact float32 size, and non-finite scores worth nothing?"""
    spec = served.Served(load=None, predict=None, output_shape=lambda name, n: (n, 2), judge=None)
    files = {"facts.json": b"{}", "a.f32": np.ones((3, 2), "<f4").tobytes(), "b.f32": b"\0" * 20,
             "c.f32": np.full((3, 2), np.nan, "<f4").tobytes()}

    def read(name: str, max_bytes: int) -> bytes:
        if len(files[name]) > max_bytes:
            raise ValueError("too big")
        return files[name]

    answers = served.read_answers(spec, {k: np.zeros((3, 1)) for k in "abc"}, read)
    assert set(answers.outputs) == {"a", "c"} and answers.outputs["a"].shape == (3, 2)
    assert served.finite_outputs(answers, "c") is None and served.finite_outputs(answers, "b") is None
    files["facts.json"] = b"[1]"
    assert served.read_answers(spec, {}, read).error
