"""The default bounds for grading each assignment, derived from its reference solution's measured peaks.

Why per assignment: one bound for every week either kills honest work (the
week-2 solution builds VGG16 and InceptionV3 with ``weights=None`` to count
their parameters, then loads MNIST) or leaves the light weeks a lot of room to
misbehave. Each entry below is the reference solution's peak, graded by
``course grade`` with smoke-trained artifacts on a 2-core CPU (no GPU), times
the recorded headroom; ``course grade --help`` prints them, and the flags
``--wall-seconds``, ``--cell-seconds`` and ``--memory-gb`` override them.

Memory is *real* memory of all the submission's processes together (its
cgroup, :mod:`autograder.isolation.cgroups`), not address space.
"""

from __future__ import annotations

import math
from dataclasses import replace

from autograder.isolation.sandbox import GiB, Limits

# assignment -> (peak memory GiB, grading seconds): the larger of the smoke- and the
# full-profile grading of the smoke-trained reference, from
# benchmarks/results/grading_limits_smoke_trained.json (benchmarks/grading_limits.py,
# 2-core CPU, 2026-12-01). The peak is the cgroup's high-water mark, page cache included.
MEASURED = {
    "00_setup": (0.408, 14.1),
    "01_convolution": (0.346, 21.0),
    "02_cnn_classification": (2.181, 98.0),   # builds VGG16 and InceptionV3 (weights=None) to count them
    "03_adversarial": (0.741, 275.4),    # full-profile grading evaluates the attacks on all of MNIST
    # 04: benchmarks/grading_limits.measure("04_visualising", ["smoke", "full"]) on 2026-12-02 at load 3.7-4.0
    # (smoke grading 0.462 GiB, 109.4 s; full 0.730 GiB, 174.8 s)
    "04_visualising": (0.730, 174.8),
    # 05: benchmarks/grading_limits.measure("05_autoencoders", ["smoke", "full"]) on 2026-12-02 at load about 5
    # (smoke grading 0.479 GiB, 62.1 s; full 1.111 GiB, 117.3 s, where the smoke-trained VAEs miss the full bars)
    "05_autoencoders": (1.111, 117.3),
    # 06: benchmarks/grading_limits.py 06_gans (COURSE_PROFILE=smoke) on 2026-12-02 at load 3.0-3.8: smoke grading of
    # the smoke-trained reference 0.567 GiB, 84.1 s, 20/20 (its row in grading_limits_smoke_trained.json);
    # full-profile grading not measured yet
    "06_gans": (0.567, 84.1),
    "07_style_transfer": (0.688, 386.2),  # style_transfer_grading_limits.json: smoke 0.458 GiB/52 s, full 0.688 GiB/386 s
}
MEMORY_HEADROOM = 2.0      # peak x 2, at least MIN_MEMORY_GIB: other machines, other library versions
TIME_HEADROOM = 10.0       # run time x 10, at least MIN_WALL_SECONDS: a slower or busier machine
MIN_MEMORY_GIB = 2.0
MIN_WALL_SECONDS = 600.0
_DEFAULT = Limits()


def default_limits(assignment: str) -> Limits:
    """The bounds ``course grade`` uses for ``assignment`` when no flag overrides them."""
    if assignment not in MEASURED:
        return _DEFAULT
    peak_gib, seconds = MEASURED[assignment]
    memory = max(MIN_MEMORY_GIB, math.ceil(peak_gib * MEMORY_HEADROOM * 2) / 2)  # up to the next 0.5 GiB
    wall = max(MIN_WALL_SECONDS, round(seconds * TIME_HEADROOM, -1))
    return replace(_DEFAULT, memory_bytes=int(memory * GiB), wall_seconds=wall)


def describe(assignment: str) -> str:
    """One line for ``--help`` and reports: the bounds and where they come from."""
    limits = default_limits(assignment)
    peak_gib, seconds = MEASURED.get(assignment, (None, None))
    measured = (f" (reference peak {peak_gib:.2f} GiB, {seconds:.0f} s)" if peak_gib else "")
    return (f"{assignment}: {limits.memory_bytes / GiB:.1f} GiB, {limits.wall_seconds:.0f} s wall, "
            f"{limits.cell_seconds} s per cell{measured}")
