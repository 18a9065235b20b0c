"""nbgrader's formgrader started as `course manual-grading` says, for the tests that open it in a
browser (tests/test_manual_grading.py, tests/test_mathjax_offline.py). Not a test module itself."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from autograder.grading import formgrader


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running(folder: Path, token: str, *, start_seconds: float = 120) -> Iterator[str]:
    """The server on ``folder`` (its config already written), answering at the URL yielded; the test
    fails with the server's log when it does not answer within ``start_seconds``. Stopped on exit."""
    port, log_path = free_port(), folder / "formgrader.log"
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        server = subprocess.Popen(formgrader.server_command(folder, port, token), cwd=folder,
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("formgrader did not start: " + log_path.read_text()[-2000:])
                time.sleep(1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
