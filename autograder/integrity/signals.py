"""All integrity signals of one assignment's class, in one pass: what ``course grade`` and
``course similarity`` hand to the page (``autograder.pages.integrity``).

Reference texts (solutions found online, ports the instructor made) live in
``<course>/integrity/references/<NN_topic>/`` (``*.py`` or ``*.ipynb``); ``COURSE_INTEGRITY_REFERENCES``
or ``--references DIR`` names another folder holding ``<NN_topic>/``. The course ships none.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping

from autograder.checks._by_hand import ByHand
from autograder.integrity import answers, library_calls, similarity

REFERENCES_ENV = "COURSE_INTEGRITY_REFERENCES"


@dataclass
class Signals:
    """What the TA's integrity page shows; ``unread``: student -> why the notebook was not read."""

    assignment: str
    similarity: similarity.SimilarityReport
    calls: list[library_calls.LibraryCall]
    declaration: ByHand | None
    references_dir: str
    students: int
    unread: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The findings without the highlighted code (``report/integrity.json``)."""
        return {"assignment": self.assignment, "students": self.students, "seconds": round(self.seconds, 2),
                "threshold": self.similarity.threshold,
                "reference_threshold": self.similarity.reference_threshold, "references_dir": self.references_dir,
                "references": self.similarity.references, "pairs_compared": self.similarity.compared,
                "similar": [{"exercise": m.exercise, "left": m.left, "right": m.right, "score": round(m.score, 3),
                             "coverages": [round(c, 3) for c in m.coverages]} for m in self.similarity.matches],
                "library_calls": [asdict(call) for call in self.calls], "unread": self.unread}


def references_dir(assignment: str, root: Path, folder: Path | None = None) -> Path:
    """Where the instructor's reference texts for ``assignment`` are looked for (see the module)."""
    base = folder or os.environ.get(REFERENCES_ENV) or Path(root) / "integrity" / "references"
    return Path(base) / assignment


def collect(assignment: str, folders: Mapping[str, Path], root: Path, *, references: Path | None = None,
            threshold: float = similarity.THRESHOLD) -> Signals:
    """Read every student's notebook (``folders``: student -> folder) and compute the signals."""
    started = time.monotonic()
    submissions = answers.read_class(assignment, folders)
    template = answers.template_answers(assignment, root)
    where = references_dir(assignment, root, references)
    report = similarity.compare_class(submissions, template, similarity.reference_texts(where),
                                      threshold=threshold)
    declaration = library_calls.declaration_of(assignment)
    calls = library_calls.scan_class(submissions, declaration)
    unread = {s.student: s.problem for s in submissions if s.problem}
    unread.update({s.student: "no answer cell found (its nbgrader metadata is gone): nothing compared"
                   for s in submissions if not s.problem and template and not set(s.answers) & set(template)})
    return Signals(assignment, report, calls, declaration, str(where), len(submissions), unread,
                   time.monotonic() - started)
