"""``course demo``: release → a synthetic class → grade → feedback and report, in minutes.

The class is made by editing the *released* notebook with nbformat, the way
students would, never from checked-in copies:

================  ==========================================================  =====================
student           what the notebook does                                      expected
================  ==========================================================  =====================
solution          every answer cell filled from the instructor's source       full marks
blank             the release as handed out                                   zero
partial           the first half of the answers                               in between
buggy             every answer, with a bug in the last one                    in between
infinite_loop     the solution, then a loop that never ends                   zero: timeout
memory_hog        the solution, then allocates until it fails                 zero: out of memory
tamper_checks     patches the course's checks, NumPy and the judge; no work   zero
always_equal      patches the checks and returns objects equal to anything    zero
escape            reads the solutions, writes the gradebook, tries the net    zero, nothing reached
tamper_cells      empties the grade cells and sets their points to 100        zero: tampering
tamper_judge      looks for hidden inputs, hands the judge forged functions   zero
no_notebook       a folder without the notebook                               zero: missing notebook
================  ==========================================================  =====================

By default the demo grades 00_setup (the whole class), 01_convolution (solution,
blank and partial) and one model-training week, 02_cnn_classification, whose
students hand in models trained once by the demo in the smoke profile
(``autograder.demo.trained``: trained, swapped_models, no_models, blank), so the
checks that judge saved models are seen at work too. Everything runs in the
smoke profile, weeks 0 and 1 with small limits, the training week with its own
default limits; the demo prints a table with an "as expected" column and where
the feedback pages and the class report are.
"""


from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from autograder.paths import course_root
from autograder.demo.students import (CLASS, ESCAPE_MARKER, Context, Expectation, SyntheticStudent,  # noqa: F401
                                      _buggy, _fill, _insert_before_first_answer, _meta, _partial, _solution,
                                      answer_ids, cohort, solutions, write_class)
from autograder.demo.trained import DEMO_TRAINED_ASSIGNMENT, write_trained_class
from autograder.records.results import SubmissionResult

DEMO_LIMITS = dict(wall_seconds=300.0, cell_seconds=45)  # weeks 0 and 1 grade in seconds


def demo_limits(assignment: str):
    """The synthetic class's bounds: ``course grade``'s defaults for ``assignment`` (2 GiB for weeks
    0 and 1) with the shorter clocks of :data:`DEMO_LIMITS`, so that the endless loop ends soon.

    Why the real memory bound: on a freshly started virtual machine the memory hog touches fresh
    memory at about 90 MB/s; under the 4 GiB of the generic default it was still filling it when
    its 45 s cell bound ran out, and was zeroed as a timeout instead of out of memory.
    """
    from dataclasses import replace

    from autograder.isolation.limits import default_limits

    return replace(default_limits(assignment), **DEMO_LIMITS)
DEMO_ASSIGNMENTS = ("00_setup", "01_convolution", DEMO_TRAINED_ASSIGNMENT)


# ----- the whole demo ----------------------------------------------------------------------------


@dataclass
class DemoRow:
    assignment: str
    result: SubmissionResult
    expect: Expectation

    @property
    def as_expected(self) -> bool:
        return self.expect.met_by(self.result)


@dataclass
class DemoRun:
    rows: list[DemoRow]
    out_dir: Path
    gradings: dict    # assignment -> autograder.grading.grade_class.ClassGrading

    @property
    def ok(self) -> bool:
        return all(row.as_expected for row in self.rows)


def run_demo(out_dir: Path, *, assignments: Sequence[str] | None = None, root: Path | None = None,
             workers: int | None = None, release: bool = True, scheduler: str = "local",
             whole_class_for: int = 1, progress: bool = True) -> DemoRun:
    """Release, build the synthetic class, grade it; return the table rows.

    whole_class_for: how many assignments (in order) get every synthetic student.
    """
    from autograder.grading import grade_class as grading
    from autograder.submission import grade as submission
    from autograder.sources import release as releasing
    from autograder.isolation.limits import default_limits

    root = Path(root or course_root()).resolve()
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    assignments = list(assignments or [a for a in DEMO_ASSIGNMENTS if a in releasing.list_assignments(root)])
    db_file = out_dir / "gradebook.db"
    rows, gradings = [], {}
    saved_profile = os.environ.get("COURSE_PROFILE")
    os.environ["COURSE_PROFILE"] = "smoke"   # the demo must finish in minutes on a laptop CPU
    try:
        for index, assignment in enumerate(assignments):
            if release:
                releasing.release(assignment, root)
            ref = submission.reference(assignment, root)
            ctx = Context(assignment, ref.released, ref.source, root, db_file)
            folder = out_dir / "submissions" / assignment
            if assignment == DEMO_TRAINED_ASSIGNMENT:
                if progress:
                    print(f"{assignment}: training its models once, as a student would (smoke profile)…", flush=True)
                expected = write_trained_class(ctx, folder)
                limits = default_limits(assignment)
            else:
                students = cohort(whole_class=index < whole_class_for)
                write_class(ctx, students, folder)
                expected = {s.name: s.expect for s in students}
                limits = demo_limits(assignment)
            graded = grading.grade_class(assignment, folder, workers=workers, db_url=f"sqlite:///{db_file}",
                                         out_dir=out_dir / "grading" / assignment, scheduler=scheduler,
                                         root=root, options={"limits": limits}, progress=progress,
                                         force=True)  # a demo of grading grades, even when run twice
            gradings[assignment] = graded
            rows += [DemoRow(assignment, r, expected[r.student]) for r in graded.results]
    finally:
        if saved_profile is None:
            os.environ.pop("COURSE_PROFILE", None)
        else:
            os.environ["COURSE_PROFILE"] = saved_profile
    return DemoRun(rows, out_dir, gradings)


def render_table(run: DemoRun, width: int = 60) -> str:
    """The demo's table: one line per student and assignment, with the expectation check."""
    column = max([len("assignment")] + [len(row.assignment) for row in run.rows]) + 2
    lines = [f"{'assignment':<{column}}{'student':<15}{'score':>9}  {'outcome':<17}{'as expected':<12}reason"]
    for row in run.rows:
        result = row.result
        reason = result.reason or "; ".join(t.message for t in result.tests if t.score < t.points)
        reason = " ".join(reason.split())
        lines.append(f"{row.assignment:<{column}}{result.student:<15}{result.score:>4g} / {result.max_score:<3g} "
                     f"{result.outcome.value:<17}{'yes' if row.as_expected else 'NO: ' + row.expect.describe():<12}"
                     f"{reason[:width]}")
    return "\n".join(lines)


def main(out_dir: Path, **kwargs) -> int:
    """Run the demo, print its table and where the outputs are; 1 if a row is unexpected."""
    run = run_demo(out_dir, **kwargs)
    print()
    print(render_table(run))
    print()
    print(f"gradebook : {run.out_dir / 'gradebook.db'}  (CSV: course export NN_topic --db sqlite:///...)")
    for assignment, graded in run.gradings.items():
        print(f"{assignment}: feedback pages in {graded.feedback_dir}/<student>/feedback.html")
        print(f"{assignment}: class report   {graded.report_path}")
    print("every row as expected" if run.ok else "SOME ROWS ARE NOT AS EXPECTED")
    return 0 if run.ok else 1
