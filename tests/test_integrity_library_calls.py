"""Library calls where the exercise text asks for work by hand (autograder/integrity/library_calls.py).

Read with ast from the notebook's text, never run; import aliases resolved. Week 1 declares its by-hand
answer cells and the calls that are not by hand (``BY_HAND`` in autograder/checks/01_convolution.py), and
its header's rules name them: the two are held to each other here.
"""

from __future__ import annotations

import copy
import importlib
from pathlib import Path

import pytest

from autograder.checks._by_hand import ByHand, spelled
from autograder.integrity import library_calls
from autograder.integrity.answers import Submission, answer_cells
from autograder.sources import notebooks

ROOT = Path(__file__).resolve().parents[1]
WEEK = "01_convolution"
DECLARATION = importlib.import_module(f"autograder.checks.{WEEK}").BY_HAND
SETUP = "import numpy as np\nimport tensorflow as tf\nimport scipy.signal\nfrom course_utils import checks"


def calls_in(answer: str, *cells: str, exercise: str = "conv_forward") -> list[tuple[str, str]]:
    """(function, name) of each declared call in ``answer`` (the conv_forward cell), with the notebook's
    other code cells ``cells`` (its setup by default) before it."""
    submission = Submission("s", {exercise: answer}, [*(cells or (SETUP,)), answer])
    return [(c.function, c.name) for c in library_calls.scan_class([submission], DECLARATION)]


@pytest.mark.parametrize("notebook", ["solutions", "assignments"])
def test_the_declaration_and_the_exercise_text_agree(notebook: str) -> None:
    nb = notebooks.read(ROOT / notebook / WEEK / f"{WEEK}.ipynb")
    assert library_calls.disagreements(DECLARATION, nb) == []


def test_a_declaration_the_text_does_not_name_is_refused() -> None:
    """Does the agreement check fail on a call the text never names, a missing cell, and a rule left out?"""
    nb = notebooks.read(ROOT / "solutions" / WEEK / f"{WEEK}.ipynb")
    wider = ByHand(DECLARATION.answers + ("conv_fast",), DECLARATION.calls + ("torch.nn.functional",))
    narrower = ByHand(DECLARATION.answers, tuple(c for c in DECLARATION.calls if c != "scipy.ndimage"))
    assert library_calls.disagreements(wider, nb) == [
        "declared answer cell 'conv_fast' is not an answer cell of the notebook",
        "declared call 'torch.nn.functional' is named nowhere in the text"]
    assert library_calls.disagreements(narrower, nb) == [
        "the rules name 'scipy.ndimage', which the declaration does not cover"]
    silent = copy.deepcopy(nb)
    silent.cells[0].source = silent.cells[0].source.replace("Rules:", "Advice:")
    assert "no 'Rules:' paragraph" in library_calls.disagreements(DECLARATION, silent)[-1]


def test_an_alias_imported_in_the_answer_cell_is_resolved() -> None:
    answer = "import tensorflow as t\n\ndef conv_forward(x, w, b, stride=1, pad='valid'):\n" \
             "    return t.nn.conv2d(x, w, stride, 'VALID').numpy() + b, None\n"
    assert calls_in(answer) == [("conv_forward", "tf.nn.conv2d")]


def test_from_scipy_import_signal_is_resolved() -> None:
    answer = "from scipy import signal\n\ndef conv_forward(x, w, b, stride=1, pad='valid'):\n" \
             "    out = signal.correlate(x, w, mode='valid')\n    return out, None\n"
    assert calls_in(answer) == [("conv_forward", "scipy.signal.correlate")]


def test_names_imported_elsewhere_in_the_notebook_and_other_spellings_are_resolved() -> None:
    answer = ("from scipy.signal import correlate2d as corr\n\n"
              "def helper(x, w):\n    return corr(x, w)\n\n"
              "def conv_forward(x, w, b, stride=1, pad='valid'):\n"
              "    layer = tf.keras.layers.Conv2D(3, 3)\n    conv = tf.nn.convolution\n"
              "    pooled = ops.max_pool(x, 2)\n    return scipy.signal.fftconvolve(x, w), None\n")
    assert calls_in(answer, SETUP + "\nfrom keras import ops") == [
        ("helper", "scipy.signal.correlate2d"), ("conv_forward", "keras.layers.Conv2D"),
        ("conv_forward", "tf.nn.convolution"), ("conv_forward", "keras.ops.max_pool"),
        ("conv_forward", "scipy.signal.fftconvolve")]


def test_an_honest_by_hand_answer_is_not_flagged() -> None:
    """The solution's cells (NumPy only, with TensorFlow and scipy.signal imported by the notebook) and
    NumPy's own convolution (np.convolve: NumPy is what the text asks for) are not flagged."""
    solution = answer_cells(notebooks.read(ROOT / "solutions" / WEEK / f"{WEEK}.ipynb"))
    submission = Submission("alice", solution, [SETUP, *solution.values()])
    assert library_calls.scan_class([submission], DECLARATION) == []
    assert calls_in("def conv_forward(x, w, b):\n    return np.convolve(x, w), tf.constant(1)\n") == []


def test_only_declared_cells_are_read_and_broken_cells_are_no_crash() -> None:
    tf_call = "def f(x, w):\n    return tf.nn.conv2d(x, w, 1, 'VALID')\n"
    assert calls_in(tf_call, exercise="receptive_field") == []   # not declared by hand: library calls are fine
    assert calls_in("def conv_forward(x:\n    tf.nn.conv2d(") == []  # does not parse: nothing claimed
    assert calls_in("%timeit 1\n" + tf_call) == [("f", "tf.nn.conv2d")]  # a magic line is blanked, not fatal


def test_names_are_spelled_as_the_texts_spell_them() -> None:
    assert spelled("tensorflow.nn.conv2d") == "tf.nn.conv2d"
    assert spelled("tensorflow.keras.layers.Conv2D") == "keras.layers.Conv2D"
    assert spelled("scipy.signal.correlate") == "scipy.signal.correlate"
