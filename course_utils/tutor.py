"""How an unfinished or a wrong answer looks in a notebook: one line, not a traceback.

Why: a blank exercise raises ``NotImplementedError`` and a failed self-check an
``AssertionError``; IPython shows either as a 10–30-line traceback whose useful
sentence is at the bottom. As Kaggle's learntools does, the course shows:

- a blank exercise as one neutral line, ``○ conv_forward is not attempted yet: …``;
- a failed assertion as one red line, ``✗ <its message>`` (or, for an assert
  without a message, the failing line itself);
- a ``course_utils.checks.CheckFailed`` as its own one-line rendering.

The cell still fails (IPython records the error, nbclient and nbgrader see it),
so a grade cell of a blank or wrong answer gets no points; ``%tb`` in the next
cell still shows the whole traceback. Installed by ``course_utils`` when it is
imported inside an IPython kernel.
"""

from __future__ import annotations

import traceback
from types import TracebackType
from typing import Any

from course_utils.checks import _not_attempted

__all__ = ["install", "render"]

_RED, _BLUE, _RESET = "\x1b[31m", "\x1b[34m", "\x1b[0m"


def _unfinished_function(tb: TracebackType | None) -> str | None:
    """The name of the function whose ``raise NotImplementedError`` ended the traceback."""
    frames = traceback.extract_tb(tb)
    return frames[-1].name if frames and frames[-1].name != "<module>" else None


def render(value: BaseException, tb: TracebackType | None) -> list[str]:
    """The lines shown for ``value`` (see the module doc)."""
    custom = getattr(value, "_render_traceback_", None)
    if callable(custom):
        return custom()
    if isinstance(value, NotImplementedError):
        name = _unfinished_function(tb)
        if name:  # the same words as checks.check_implemented
            return _not_attempted(name)._render_traceback_()
        return [f"{_BLUE}○ this exercise is not attempted yet: fill in the cell marked # YOUR CODE HERE (delete "
                f"the `raise NotImplementedError()` line), run that cell, then run this one again.{_RESET}"]
    message = str(value).strip()
    if not message:
        frames = traceback.extract_tb(tb)
        message = f"this check failed: {frames[-1].line}" if frames and frames[-1].line else "this check failed."
    first, *rest = message.splitlines()
    return [f"{_RED}✗ {first}{_RESET}", *(f"  {line}" for line in rest)]


def _handler(shell: Any, etype: type, value: BaseException, tb: TracebackType | None,
             tb_offset: int | None = None) -> list[str]:
    import sys

    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb  # so %tb shows the full traceback
    lines = render(value, tb)
    shell._showtraceback(etype, value, lines)
    return lines


def install(shell: Any | None = None) -> bool:
    """Show blank exercises and failed asserts as one line in this IPython kernel; False outside one."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    shell.set_custom_exc((NotImplementedError, AssertionError), _handler)
    return True
