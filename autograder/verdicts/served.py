"""Artifact checks whose verdict is computed where no student code ever ran.

Why (issue 28, DESIGN.md "Trust: who decides a grade"): a saved model is loaded with Keras' safe
mode, but code of the model's may one day run while it deserialises (a custom layer, a safe-mode
bypass). Whatever runs there can read the memory of its own process: the evaluation labels, a
per-run token that signs verdicts, the private evaluation images. So a *served* check splits in two:

- the **model process** (``python -m autograder.verdicts.served``, sandboxed by
  :mod:`autograder.verdicts.checker_process`: no evaluation data, no private set, no token bound or
  sent; no labels either, but for the one question that cannot be asked without them, week 3's
  FGSM question, sent to a fresh process of its own: see below) loads the file, writes a few facts
  about it (:attr:`Served.load`: contract problems, parameter count) and the model's outputs for the input arrays it is given
  (:attr:`Served.predict`), as raw float32 files of the shape the grader expects;
- the **grader** (its own process, which never loads student code) chooses the inputs, reads the
  outputs as plain bounded arrays (exact byte size, float32, finite or counted wrong), computes the
  metrics against the labels it holds, and writes the verdict (:attr:`Served.judge`).

Everything the model process writes is a claim: its facts can only take points away (a contract
problem, a parameter count over the budget). A parameter count under the budget is taken as
claimed: only a model that escaped safe mode could lie about it, and such a model computes what it
likes whatever its size; the accuracy it is graded on is measured by the grader.

A question is one input array, named; the check's :attr:`Served.predict` dispatches on the name, so
one model process answers every question of a file at once; and one process loads every served file
of a submission in turn (:func:`main`'s manifest: questions and answers in a folder per file, facts
per file, a file whose loading fails failing only its own checks), so the grader's cost is one
process per submission, not per file (:mod:`autograder.verdicts.served_sandbox`; checks that judge
one file share ``load`` and ``predict`` and are answered from the same run). Several arrays of one
question travel packed as the columns of one array (a cGAN's labels beside its latent codes, a
VAE's images beside the grader's noise), and what the model process derives from its own outputs
is computed there by the course's code exactly as before (a VAE's ``z = mu + sigma * eps`` between
encoder and decoder). A question the model could not answer (its call raised, its output had the
wrong shape) is named in the facts, for the message only.

:class:`InProcessModel` asks the same questions in the calling process, for the instructor's tools
and the tests (``ArtifactCheck.judge``); the grader uses :class:`autograder.verdicts.served_sandbox.
SandboxedModel`. Served checks: week 2's classifiers; week 5's denoising autoencoder and VAEs
(noisy images in, images out; binarised images and the grader's noise in, ``[mu, log_var,
logits]`` out; prior codes in, logits out: error, ELBO and the evaluation classifier's verdict
on the samples computed in the grader); week 6's generators (latent codes, and labels, in, images
out: FID, score, novelty and label accuracy computed in the grader, which holds the evaluation
classifier and the data); week 3's ``robust_cnn`` (images in, logits out, for the clean accuracy; then,
past the clean bar, in a fresh process of its own, images and their labels in, logits on the course's
FGSM images out: FGSM needs the gradient of the true label's loss through the model, and returning
the gradient of every logit instead would cost ten times the work; the labels are MNIST's public
test split's, see :mod:`autograder.checks._adversarial_robust`).
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

import numpy as np

FACTS_FILE = "facts.json"
FACTS_BYTES = 64 * 1024
OUTPUT_SUFFIX = ".f32"
INPUT_SUFFIX = ".npy"
FAILED, SHAPES = "failed", "shapes"  # facts: questions whose call raised (exception name), or whose output had another shape
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,79}")


class ModelLoadError(Exception):
    """The model process could not load the file (its message goes to the student, plain)."""


@dataclass(frozen=True)
class Answers:
    """What the model process answered: its facts (claims), an output per input, or why it could not.

    outputs: name -> float32 array of ``Served.output_shape(name, len(inputs[name]))``; an output that
    did not come back, or came back with the wrong size, is missing (the judge counts it wrong).
    """

    facts: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, np.ndarray] = field(default_factory=dict)
    error: str | None = None

    def call_error(self, name: str) -> str | None:
        """The exception's class name when the model's call on question ``name`` raised (a claim, for
        the message only: a plain identifier of at most 80 characters, else None)."""
        failed = self.facts.get(FAILED)
        value = failed.get(name) if isinstance(failed, dict) else None
        return value if isinstance(value, str) and _NAME.fullmatch(value) else None

    def wrong_shape(self, name: str) -> tuple[int, ...] | None:
        """The shape the model's output on ``name`` had when it was not the expected one (a claim, for
        the message only: at most 8 non-negative integers, else None)."""
        shapes = self.facts.get(SHAPES)
        value = shapes.get(name) if isinstance(shapes, dict) else None
        if isinstance(value, list) and len(value) <= 8 and all(type(d) is int and 0 <= d < 2**40 for d in value):
            return tuple(value)
        return None


class ModelQuery(Protocol):
    """Asks the saved model for its outputs on input arrays, one fresh load per call."""

    def ask(self, inputs: dict[str, np.ndarray]) -> Answers: ...


@dataclass(frozen=True)
class Served:
    """The two halves of a served artifact check (see the module doc).

    load: model process, ``path -> (model, facts)``; raises :class:`ModelLoadError` when the file
        cannot be judged (unloadable, a broken contract), with the words the student will read.
    predict: model process, ``(model, name, inputs) -> outputs`` for the question ``name``.
    output_shape: grader, ``(name, n) -> shape`` the outputs of ``n`` inputs to ``name`` must have.
    judge: grader, ``(query, profile) -> Verdict`` from answers only.
    """

    load: Callable[[Path], tuple[Any, dict[str, Any]]]
    predict: Callable[[Any, str, np.ndarray], np.ndarray]
    output_shape: Callable[[str, int], tuple[int, ...]]
    judge: Callable[[ModelQuery, str], Any]


def finite_outputs(answers: Answers, name: str) -> np.ndarray | None:
    """``answers.outputs[name]`` as float64 when it came back and every value is finite, else None."""
    output = answers.outputs.get(name)
    if output is None or not np.all(np.isfinite(output)):
        return None
    return output.astype(np.float64)


def answer(served: Served, model: Any, inputs: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The model's float32 outputs on each question of the expected shape, and the facts that name the
    questions it could not answer (:data:`FAILED`, :data:`SHAPES`). Both model processes use it."""
    outputs: dict[str, np.ndarray] = {}
    failed: dict[str, str] = {}
    shapes: dict[str, list[int]] = {}
    for name, batch in inputs.items():
        try:
            output = np.asarray(served.predict(model, name, batch), dtype="<f4")
        except Exception as exc:  # noqa: BLE001 - the model's call failing is a fact about the model
            failed[name] = type(exc).__name__
            continue
        if output.shape == served.output_shape(name, len(batch)):
            outputs[name] = np.ascontiguousarray(output)
        else:
            shapes[name] = [int(d) for d in output.shape]
    return outputs, {key: value for key, value in ((FAILED, failed), (SHAPES, shapes)) if value}


class InProcessModel:
    """:class:`ModelQuery` in this process (instructor tools, tests): the model is loaded here."""

    def __init__(self, served: Served, path: Path) -> None:
        self.served, self.path = served, Path(path)

    def ask(self, inputs: dict[str, np.ndarray]) -> Answers:
        try:
            model, facts = self.served.load(self.path)
        except ModelLoadError as exc:
            return Answers(error=str(exc))
        outputs, problems = answer(self.served, model, inputs)
        return Answers({**facts, **problems}, outputs)


def read_answers(served: Served, inputs: dict[str, np.ndarray], read: Callable[[str, int], bytes]) -> Answers:
    """The model process's answers, read through ``read(relative, max_bytes)`` (the
    caller's bounded, link-refusing reader): facts at most 64 KiB of a JSON object, each output
    exactly the bytes of its expected float32 shape."""
    try:
        facts = json.loads(read(FACTS_FILE, FACTS_BYTES).decode("utf-8"))
    except (OSError, ValueError):
        return Answers(error="the model could not be loaded")
    if not isinstance(facts, dict):
        return Answers(error="the model could not be loaded")
    if facts.get("error"):
        return Answers(error=str(facts["error"])[:400])
    outputs = {}
    for name, batch in inputs.items():
        shape = served.output_shape(name, len(batch))
        size = int(np.prod(shape)) * 4
        try:
            raw = read(name + OUTPUT_SUFFIX, size)
        except (OSError, ValueError):
            continue
        if len(raw) == size:
            outputs[name] = np.frombuffer(raw, dtype="<f4").reshape(shape)
    return Answers(facts, outputs)


def write_inputs(inputs: dict[str, np.ndarray], folder: Path) -> None:
    """The grader's input arrays, one ``.npy`` each (plain arrays, read with ``allow_pickle=False``)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, batch in inputs.items():
        np.save(folder / (name + INPUT_SUFFIX), np.ascontiguousarray(batch), allow_pickle=False)


MANIFEST_FILE = "manifest.json"


def write_manifest(files: list[dict[str, str]], folder: Path) -> None:
    """The model process's work list: per file ``{"file": key, "check": id, "model": path, "inputs": dir}``,
    paths as the model process sees them (the folder is bound read-only)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST_FILE).write_text(json.dumps(files))


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.verdicts.served ASSIGNMENT MANIFEST OUTPUT_DIR``: the model process.

    For each file of the manifest (:func:`write_manifest`), in order: loads it with its check's
    :attr:`Served.load`, writes ``OUTPUT_DIR/<key>/<name>.f32`` (little-endian float32, C order) per
    input of ``<inputs>/<name>.npy`` answered, then ``OUTPUT_DIR/<key>/facts.json`` (or ``{"error": …}``
    when the check refused the file), and frees the model before the next file. A file whose
    loading or answering raised anything else gets no ``facts.json`` (its traceback goes to standard
    error) and does not stop the other files; the process then exits with status 1, so that a run of
    one file fails as it always did. Holds no token and no evaluation data: there are none to hold;
    no label but those a question carries (week 3's FGSM question only, module doc).
    """
    assignment, manifest, output_dir = (argv or sys.argv[1:])[:3]
    # Under ``python -m`` this file runs as ``__main__``; checks raise the imported module's error.
    from autograder.verdicts import judging, served as module

    crashed = False
    for entry in json.loads(Path(manifest).read_text()):
        out = Path(output_dir, entry["file"])
        out.mkdir(parents=True, exist_ok=True)
        try:
            _answer_file(module, judging.get_check(assignment, entry["check"]).serve, entry, out)
        except Exception:  # noqa: BLE001 - one file's failure is that file's, never its neighbours'
            import traceback

            traceback.print_exc()
            crashed = True
        judging._forget_models()  # the next file starts from a clean Keras session
    return 1 if crashed else 0


def _answer_file(module: Any, served: "Served", entry: dict[str, str], out: Path) -> None:
    """Load one file of the manifest and write its answers, ``facts.json`` last (see :func:`main`)."""
    try:
        model, facts = served.load(Path(entry["model"]))
    except module.ModelLoadError as exc:
        (out / FACTS_FILE).write_text(json.dumps({"error": str(exc)[:400]}))
        return
    batches = {path.name[:-len(INPUT_SUFFIX)]: np.load(path, allow_pickle=False)
               for path in sorted(Path(entry["inputs"]).glob("*" + INPUT_SUFFIX))}
    outputs, problems = module.answer(served, model, batches)
    for name, output in outputs.items():
        (out / (name + OUTPUT_SUFFIX)).write_bytes(output.tobytes())
    (out / FACTS_FILE).write_text(json.dumps({**facts, **problems}))  # last: the answers are complete


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.exit(main())
