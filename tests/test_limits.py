"""Do the per-assignment grading bounds cover every week, with headroom over the measured peaks?"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from autograder.isolation import limits
from autograder.sources import release
from autograder.isolation.sandbox import GiB

ROOT = Path(__file__).resolve().parents[1]


def test_every_week_has_measured_bounds():
    """Is every assignment in solutions/ measured (a peak and a time, not a placeholder)?"""
    for assignment in release.list_assignments(ROOT):
        peak, seconds = limits.MEASURED[assignment]
        assert peak > 0 and seconds > 0, assignment


def test_bounds_keep_their_headroom_over_the_recorded_peaks():
    """Is each default at least the recorded peak times its headroom, and do the recorded rows
    (benchmarks/results) match what limits.py says it was derived from?"""
    record = json.loads((ROOT / "benchmarks" / "results" / "grading_limits_smoke_trained.json").read_text())
    for assignment, (peak, seconds) in limits.MEASURED.items():
        rows = [r for r in record["rows"] if r["assignment"] == assignment]
        assert max(r["peak_memory_gib"] for r in rows) == peak
        assert max(r["grading_seconds"] for r in rows) == seconds
        bounds = limits.default_limits(assignment)
        assert bounds.memory_bytes >= peak * limits.MEMORY_HEADROOM * GiB * 0.99
        assert bounds.wall_seconds >= seconds * limits.TIME_HEADROOM * 0.99


def test_course_grade_help_shows_the_defaults():
    """Does `course grade --help` list each assignment's default bounds?"""
    shown = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", "--help"],
                           capture_output=True, text=True, check=True).stdout
    for assignment in limits.MEASURED:
        assert limits.describe(assignment) in " ".join(shown.split()), assignment
