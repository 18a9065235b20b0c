"""One synthetic class of 00_setup, graded once per test session by the real pipeline.

test_demo, test_attacks and test_feedback all read it, so the expensive part
(a dozen sandboxed notebook runs) is paid once. Not a test module itself.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

import pytest

from autograder.demo import class_demo as demo
from autograder.isolation import sandbox

ASSIGNMENT = "00_setup"
REPO = Path(__file__).resolve().parents[1]


def skip_without_data() -> None:
    """The real pipeline runs 00_setup, which loads the offline MNIST copy."""
    from course_utils import data

    try:
        data.load_numpy("mnist", "test", limit=1)
    except data.DataNotFoundError as exc:
        pytest.skip(f"MNIST is not prepared ({exc}); run `course data prepare`")


def skip_without_isolation() -> None:
    """Attacks are only stopped where the OS gives a sandbox (bubblewrap or unshare)."""
    if sandbox.isolation_mode() == "none":
        pytest.skip("no sandbox tool works here (bubblewrap or unshare)")


@functools.lru_cache(maxsize=1)
def graded_class() -> demo.DemoRun:
    """Run the demo's core on 00_setup (no release: the checked-in one), two workers."""
    out = Path(tempfile.mkdtemp(prefix="course-demo-test-"))
    atexit.register(shutil.rmtree, out, True)
    return demo.run_demo(out, assignments=[ASSIGNMENT], root=REPO, workers=2, release=False, progress=False)


def results() -> dict:
    """student -> SubmissionResult of the shared class."""
    return {row.result.student: row.result for row in graded_class().rows}


def demo_limits():
    """The demo's limits, for regrading a student of the shared class the same way."""
    return demo.demo_limits(ASSIGNMENT)
