"""Keep TensorFlow's start-up and retracing noise out of notebooks and the grader's console.

Why: TensorFlow 2.21's native libraries log through absl *before* its log
level is read, so ``TF_CPP_MIN_LOG_LEVEL=3`` does not stop lines such as
``WARNING: All log messages before absl::InitializeLog() is called are written
to STDERR`` or ``I0000 … port.cc:153] oneDNN custom operations are on …``,
which a notebook shows in red under the first cell that loads data. They are
written by C++ straight to file descriptor 2, so no Python logger sees them.

:func:`silence_native_logs` puts a pipe in front of descriptor 2 and a thread
that passes every line through except those noise lines (informational
``I…``/``W…`` absl lines from TensorFlow's own sources and their
continuation lines); errors (``E…``/``F…`` lines) and everything else,
Python tracebacks included, go through unchanged and at once. It also sets
the ``tensorflow`` Python logger to ERROR, which hides the ``tf.function``
retracing warnings. It is idempotent, and is called by ``course_utils`` when
imported in a Jupyter kernel and by the ``course`` command.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import threading

__all__ = ["NOISE", "is_noise", "silence_native_logs"]

# Lines dropped: absl's preamble, and I/W lines of TensorFlow's C++ (file.cc:line]), plus the
# second line of the CPU-feature message. E (error) and F (fatal) lines always pass.
NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IW]\d{4} [\d:.]+\s+\d+ [\w./-]+\.(?:cc|h):\d+\] .*"
    r"|To enable the following instructions: .* in other operations, rebuild TensorFlow with the appropriate "
    r"compiler flags\.)\s*$")

_installed = threading.Lock()
_state: dict[str, object] = {}


def is_noise(line: str) -> bool:
    """True for a line :func:`silence_native_logs` drops (see :data:`NOISE`)."""
    return NOISE.match(line) is not None


def _pump(read_fd: int, write_fd: int) -> None:
    """Copy ``read_fd`` to ``write_fd`` line by line, without the noise lines."""
    pending = b""
    while True:
        try:
            chunk = os.read(read_fd, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        kept = [line for line in lines if not is_noise(line.decode("utf-8", "replace"))]
        if kept:
            os.write(write_fd, b"\n".join(kept) + b"\n")
        if pending and not pending.startswith((b"I", b"W", b"To enable")):
            os.write(write_fd, pending)  # a prompt or progress bar without a newline: show it now
            pending = b""
    if pending and not is_noise(pending.decode("utf-8", "replace")):
        os.write(write_fd, pending)


def _same_file(fd: int, identity: object) -> bool:
    try:
        status = os.fstat(fd)
    except OSError:
        return False
    return (status.st_dev, status.st_ino) == identity


def _restore() -> None:
    """At exit: put the original descriptor 2 back (unless someone else has replaced the
    pipe since, e.g. a test's output capture) and let the pump drain what is left."""
    original, thread = _state.get("original"), _state.get("thread")
    if isinstance(original, int) and _same_file(2, _state.get("pipe")):
        os.dup2(original, 2)
    if isinstance(thread, threading.Thread):
        thread.join(timeout=1.0)


def silence_native_logs() -> None:
    """Filter TensorFlow's native noise out of descriptor 2 and quieten its Python logger."""
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _installed:
        if "thread" in _state:
            return
        read_fd, write_fd = os.pipe()
        original = os.dup(2)
        os.dup2(write_fd, 2)
        pipe = os.fstat(write_fd)
        os.close(write_fd)
        thread = threading.Thread(target=_pump, args=(read_fd, original), name="course-quiet-stderr", daemon=True)
        thread.start()
        _state.update(original=original, thread=thread, pipe=(pipe.st_dev, pipe.st_ino))
        atexit.register(_restore)
