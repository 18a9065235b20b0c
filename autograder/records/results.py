"""What grading one submission produces: the contract between the sandboxed
runner (``autograder.submission.grade``) and the class-level pipeline (gradebook,
feedback, report). Plain data, JSON round-trippable, so it can cross process
and machine boundaries (process pool, Dask workers).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from typing import Any


class Outcome(str, Enum):
    """Why a submission got the grade it got. Anything but GRADED or TIMEOUT means a zero; a
    TIMEOUT zeroes the tests it stopped, and the tests that finished before it keep their scores."""

    GRADED = "graded"                    # the notebook ran; scores come from the judge
    TIMEOUT = "timeout"                  # wall clock or a cell exceeded its limit
    OUT_OF_MEMORY = "out_of_memory"      # the memory bound was hit
    KERNEL_DIED = "kernel_died"          # the kernel crashed or was killed
    MISSING_NOTEBOOK = "missing_notebook"
    INVALID_NOTEBOOK = "invalid_notebook"  # unreadable JSON / not a notebook / cells deleted
    TAMPERING = "tampering"              # e.g. locked or grade cells changed, gradebook touched
    OUTPUT_LIMIT = "output_limit"        # printed more than the allowed output size
    GRADER_ERROR = "grader_error"        # our fault: recorded, never counted as a pass

    @property
    def keeps_item_scores(self) -> bool:
        """Do the items' own scores count (a graded run, or a timeout: it costs only what did not run)?"""
        return self in (Outcome.GRADED, Outcome.TIMEOUT)


@dataclass
class ItemResult:
    """One graded item (an nbgrader grade cell judged out of process)."""

    id: str                # grade_id of the cell, e.g. "test_conv_forward"
    points: float          # max points
    score: float           # points earned
    message: str           # plain words for the student; never hidden-test source
    kind: str = "function" # "function" | "artifact" | "manual"
    answer: str | None = None             # a written answer's text as handed in ("" blank; None: no answer cell)
    comment: str = ""                     # the TA's comment (nbgrader's manual_comment), merged when read back
    manual_score: float | None = None     # the TA's score (nbgrader's manual_score), merged when read back


@dataclass
class SubmissionResult:
    """Everything known after grading one student's submission of one assignment."""

    student: str
    assignment: str
    outcome: Outcome
    reason: str = ""                       # plain words, shown to student and TA
    tests: list[ItemResult] = field(default_factory=list)
    profile: str = "full"
    seconds: float = 0.0
    isolation: list[str] = field(default_factory=list)  # e.g. ["network cut (bwrap --unshare-net)", ...]
    figures: list[str] = field(default_factory=list)    # PNG files (paths) taken from the executed notebook
    executed_notebook: str | None = None   # path of the executed copy, kept for feedback
    notes: list[str] = field(default_factory=list)      # restored cells, skipped files, cut output
    peak_memory_bytes: int | None = None   # the run's highest real memory use (its cgroup), when known
    cpu_seconds: float | None = None       # the notebook run's CPU time (its cgroup), when known
    submission_hash: str = ""              # grading code version : folder fingerprint (autograder.grading.resume)
    training: dict[str, str] = field(default_factory=dict)  # artifact -> its sidecar's stack (a claim, shown only)
    ta_notes: list[str] = field(default_factory=list)  # for the TA only: never in feedback, never points

    @property
    def score(self) -> float:
        return sum(t.score for t in self.tests) if self.outcome.keeps_item_scores else 0.0

    @property
    def max_score(self) -> float:
        return sum(t.points for t in self.tests)

    def to_json(self) -> str:
        data: dict[str, Any] = asdict(self)
        data["outcome"] = self.outcome.value
        return json.dumps(data, indent=1)

    @classmethod
    def from_json(cls, text: str) -> "SubmissionResult":
        data = json.loads(text)
        data["outcome"] = Outcome(data["outcome"])
        data["tests"] = [ItemResult(**t) for t in data["tests"]]
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def printable(name: str, limit: int = 80) -> str:
    """``name`` as safe one-line text: control characters escaped, long names cut (names are untrusted)."""
    text = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in name)
    return text if len(text) <= limit else text[:limit - 1] + "…"
