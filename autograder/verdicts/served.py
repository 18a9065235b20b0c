"""Artifact checks whose verdict is computed where no student code ever ran.

Why (issue 28, DESIGN.md "Trust: who decides a grade"): a saved model is loaded with Keras' safe
mode, but code of the model's may one day run while it deserialises (a custom layer, a safe-mode
bypass). Whatever runs there can read the memory of its own process: the evaluation labels, a
per-run token that signs verdicts, the private evaluation images. So a *served* check splits in two:

- the **model process** (``python -m autograder.verdicts.served``, sandboxed by
  :mod:`autograder.verdicts.artifacts`: no evaluation data, no private set, no token, no labels
  bound or sent) loads the file, writes a few facts about it (:attr:`Served.load`: contract
  problems, parameter count) and the model's outputs for the input arrays it is given
  (:attr:`Served.predict`), as raw float32 files of the shape the grader expects;
- the **grader** (its own process, which never loads student code) chooses the inputs, reads the
  outputs as plain bounded arrays (exact byte size, float32, finite or counted wrong), computes the
  metrics against labels that never left it, and writes the verdict (:attr:`Served.judge`).

Everything the model process writes is a claim: its facts can only take points away (a contract
problem, a parameter count over the budget). A parameter count under the budget is taken as
claimed: only a model that escaped safe mode could lie about it, and such a model computes what it
likes whatever its size; the accuracy it is graded on is measured by the grader.

:class:`InProcessModel` asks the same questions in the calling process, for the instructor's tools
and the tests (``ArtifactCheck.judge``); the grader uses :class:`autograder.verdicts.artifacts.
SandboxedModel`. Served checks: week 2's classifiers. Not yet served (they load the model in the
checker, next to their data): week 3's ``robust_cnn`` (FGSM needs the model's input gradients; served,
the model process would return the gradient of every logit, ten times the work, so that no label is
sent), week 5's VAE and week 6's GAN artifacts (latent codes in, images out, then FID/ELBO/label
accuracy in the grader: the same split, with the evaluation classifier loaded in the grader).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

import numpy as np

FACTS_FILE = "facts.json"
FACTS_BYTES = 64 * 1024
OUTPUT_SUFFIX = ".f32"
INPUT_SUFFIX = ".npy"


class ModelLoadError(Exception):
    """The model process could not load the file (its message goes to the student, plain)."""


@dataclass(frozen=True)
class Answers:
    """What the model process answered: its facts (claims), an output per input, or why it could not.

    outputs: name -> float32 array of ``Served.output_shape(len(inputs[name]))``; an output that did not
    come back, or came back with the wrong size, is missing (the judge counts it wrong).
    """

    facts: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, np.ndarray] = field(default_factory=dict)
    error: str | None = None


class ModelQuery(Protocol):
    """Asks the saved model for its outputs on input arrays, one fresh load per call."""

    def ask(self, inputs: dict[str, np.ndarray]) -> Answers: ...


@dataclass(frozen=True)
class Served:
    """The two halves of a served artifact check (see the module doc).

    load: model process, ``path -> (model, facts)``; raises :class:`ModelLoadError` when the file
        cannot be judged (unloadable, a broken contract), with the words the student will read.
    predict: model process, ``(model, inputs) -> outputs``.
    output_shape: grader, the shape ``n`` inputs' outputs must have.
    judge: grader, ``(query, profile) -> Verdict`` from answers only.
    """

    load: Callable[[Path], tuple[Any, dict[str, Any]]]
    predict: Callable[[Any, np.ndarray], np.ndarray]
    output_shape: Callable[[int], tuple[int, ...]]
    judge: Callable[[ModelQuery, str], Any]


def finite_outputs(answers: Answers, name: str) -> np.ndarray | None:
    """``answers.outputs[name]`` as float64 when it came back and every value is finite, else None."""
    output = answers.outputs.get(name)
    if output is None or not np.all(np.isfinite(output)):
        return None
    return output.astype(np.float64)


class InProcessModel:
    """:class:`ModelQuery` in this process (instructor tools, tests): the model is loaded here."""

    def __init__(self, served: Served, path: Path) -> None:
        self.served, self.path = served, Path(path)

    def ask(self, inputs: dict[str, np.ndarray]) -> Answers:
        try:
            model, facts = self.served.load(self.path)
        except ModelLoadError as exc:
            return Answers(error=str(exc))
        outputs = {}
        for name, batch in inputs.items():
            output = np.asarray(self.served.predict(model, batch), dtype=np.float32)
            if output.shape == self.served.output_shape(len(batch)):
                outputs[name] = output
        return Answers(facts, outputs)


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
        shape = served.output_shape(len(batch))
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


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.verdicts.served ASSIGNMENT CHECK MODEL INPUTS_DIR OUTPUT_DIR``: the model process.

    Loads ``MODEL`` with the check's :attr:`Served.load`, writes ``facts.json`` (or
    ``{"error": …}``), then one ``<name>.f32`` (little-endian float32, C order) per input. Holds no
    label, no token and no evaluation data: there are none to hold.
    """
    assignment, check_id, model_path, inputs_dir, output_dir = (argv or sys.argv[1:])[:5]
    # Under ``python -m`` this file runs as ``__main__``; checks raise the imported module's error.
    from autograder.verdicts import judging, served as module

    served = judging.get_check(assignment, check_id).serve
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    try:
        model, facts = served.load(Path(model_path))
    except module.ModelLoadError as exc:
        (out / FACTS_FILE).write_text(json.dumps({"error": str(exc)[:400]}))
        return 0
    (out / FACTS_FILE).write_text(json.dumps(facts))
    for path in sorted(Path(inputs_dir).glob("*" + INPUT_SUFFIX)):
        batch = np.load(path, allow_pickle=False)
        output = np.asarray(served.predict(model, batch), dtype="<f4")
        if output.shape == served.output_shape(len(batch)):
            (out / (path.name[:-len(INPUT_SUFFIX)] + OUTPUT_SUFFIX)).write_bytes(np.ascontiguousarray(output).tobytes())
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.exit(main())
