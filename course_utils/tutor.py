"""How an unfinished or a wrong answer looks in a notebook: one line, not a traceback.

Why: a blank exercise raises ``NotImplementedError`` and a failed self-check an
``AssertionError``; IPython shows either as a 10–30-line traceback whose useful
sentence is at the bottom. As Kaggle's learntools does, the course shows:

- a blank exercise as one neutral line, ``○ conv_forward is not attempted yet: …``;
- a failed assertion as one red line, ``✗ <its message>`` (or, for an assert
  without a message, the failing line itself);
- a ``course_utils.checks.CheckFailed`` as its own one-line rendering.

A grade cell still fails (IPython records the error, nbclient and nbgrader see
it), so a blank or wrong answer gets no points; ``%tb`` in the next cell still
shows the whole traceback.

A **self-check cell** (one whose first line starts with ``# Self-check``) is a
tutor, not a judge: the same line is displayed, but the cell does not fail, so
*Run All* goes on past an unfinished exercise instead of stopping there. Only
``NotImplementedError`` and ``AssertionError`` (the checks' own) are softened;
any other exception in a self-check cell is a bug the student must see, with its
traceback. Grade cells never start with that line (they are read-only, and the
grader restores them), so nothing a student writes can soften one.

While the course grader runs the notebook (``NBGRADER_EXECUTION=autograde``), a self-check
cell is not run: it shows one line saying so (:data:`SKIPPED_WHILE_GRADING`). A self-check
decides nothing (the hidden checks judge every exercise, the grade cells' visible asserts
decide which are judged), and in the heavier weeks they were a large share of the grading
run (week 3: 13.1 of 61.6 s of cell time, paired runs at load 4; its universal perturbation
was computed twice). ``course
validate`` holds every week to it: no later cell reads a name a self-check cell binds
(:mod:`autograder.authoring.grading_sizes`).

Installed by ``course_utils`` when it is imported inside an IPython kernel.
"""

from __future__ import annotations

import ast
import html
import os
import re
import sys
import traceback
from types import TracebackType
from typing import Any

from course_utils.checks import _not_attempted

__all__ = ["SELF_CHECK_MARK", "install", "render"]

SELF_CHECK_MARK = "# Self-check"
SKIPPED_WHILE_GRADING = "○ Self-check not run while grading: the hidden checks judge this exercise."
_RED, _BLUE, _RESET = "\x1b[31m", "\x1b[34m", "\x1b[0m"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _unfinished_function(tb: TracebackType | None) -> str | None:
    """The name of the function whose ``raise NotImplementedError`` ended the traceback."""
    frames = traceback.extract_tb(tb)
    if not frames or frames[-1].name == "<module>":
        return None
    return frames[-1].name.removeprefix("tf__")  # a tf.function's body runs as AutoGraph's tf__<name>


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
    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb  # so %tb shows the full traceback
    lines = render(value, tb)
    shell._showtraceback(etype, value, lines)
    return lines


def show_softly(value: BaseException) -> None:
    """Display ``value``'s line(s) as a self-check cell's output, without failing the cell.

    Called by the code :class:`_SoftenSelfCheck` wraps around a self-check cell.
    """
    from IPython.display import display

    sys.last_type, sys.last_value, sys.last_traceback = type(value), value, value.__traceback__
    lines = [_ANSI.sub("", line) for line in render(value, value.__traceback__)]
    colour = "#1f5fa8" if isinstance(value, NotImplementedError) or lines[0].startswith("○") else "#b00020"
    body = "<br>".join(html.escape(line) for line in lines)
    display({"text/plain": "\n".join(lines),
             "text/html": f'<div style="color:{colour}; font-family: monospace">{body}</div>'}, raw=True)


class _SoftenSelfCheck(ast.NodeTransformer):
    """Wrap a self-check cell in ``try: … except (NotImplementedError, AssertionError)``.

    ``pending`` is set by the ``pre_run_cell`` event from the cell's raw text (the AST
    has no comments), and consumed by the next module this transformer sees.
    """

    def __init__(self) -> None:
        self.pending = False

    def mark(self, info: Any) -> None:
        self.pending = (getattr(info, "raw_cell", "") or "").lstrip().startswith(SELF_CHECK_MARK)

    def clear(self, result: Any = None) -> None:
        self.pending = False

    def visit_Module(self, node: ast.Module) -> ast.Module:
        if not self.pending or not node.body:
            return node
        self.pending = False
        if os.environ.get("NBGRADER_EXECUTION") == "autograde":  # the grader's run: see the module doc
            node.body = ast.parse(f"print({SKIPPED_WHILE_GRADING!r})").body
            return node
        handler = ast.parse(
            "try:\n    pass\nexcept (NotImplementedError, AssertionError) as _course_check_failure:\n"
            "    __import__('course_utils.tutor', fromlist=['show_softly']).show_softly(_course_check_failure)\n"
            "    del _course_check_failure\n").body[0]
        handler.body = node.body
        node.body = [handler]
        return node


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
    if not any(isinstance(t, _SoftenSelfCheck) for t in shell.ast_transformers):
        soften = _SoftenSelfCheck()
        shell.ast_transformers.append(soften)
        shell.events.register("pre_run_cell", soften.mark)
        shell.events.register("post_run_cell", soften.clear)
    return True
