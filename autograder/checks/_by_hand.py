"""What an exercise asks to be written by hand: the declaration a week's checks module may hold.

A week's ``autograder/checks/NN_topic.py`` may define ``BY_HAND = ByHand(...)`` beside its ``CHECKS``:
the answer cells (nbgrader ``grade_id``) whose text asks for work by hand, and the library calls that
are not by hand, spelled as the exercise text names them (``tf.nn.conv`` covers ``tf.nn.conv2d`` and
``tf.nn.convolution``: each entry is a prefix of a qualified name). ``autograder.integrity.library_calls``
lists, per student, the calls of those answer cells that match: a signal for the TA, never a grade.
``tests/test_integrity_library_calls.py`` holds the declaration and the exercise text to each other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ByHand:
    """answers: grade_ids of the answer cells to write by hand; calls: qualified-name prefixes
    (``tf.`` for TensorFlow, ``keras.`` for Keras, also reached as ``tf.keras.``) that are not by hand."""

    answers: tuple[str, ...]
    calls: tuple[str, ...]

    def matches(self, name: str) -> str | None:
        """The declared entry that ``name`` (a qualified name, :func:`spelled`) falls under, or None."""
        return next((entry for entry in self.calls if name.startswith(entry)), None)


def spelled(qualified: str) -> str:
    """A resolved name as the course's texts spell it: ``tensorflow.nn.conv2d`` -> ``tf.nn.conv2d``,
    ``tensorflow.keras.layers.Conv2D`` -> ``keras.layers.Conv2D``."""
    for long, short in (("tensorflow.keras.", "keras."), ("tf.keras.", "keras."), ("tensorflow.", "tf.")):
        if qualified.startswith(long):
            return short + qualified[len(long):]
    return "tf" if qualified == "tensorflow" else qualified
