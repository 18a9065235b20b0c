"""The demo's model-training week: students who hand in models trained in the smoke profile.

Weeks 0 and 1 are judged on functions alone; from week 2 on the grader also
judges the models a notebook saved, loaded in a clean process without
retraining (``ArtifactCheck``). To show that part, the demo trains the week's
models once, as a student would (*Restart & Run All* of the released notebook
with the answers filled in, in the smoke profile), and builds from that one
folder the students below, so the class costs one training run:

==============  ==============================================================  ===================
student         what the folder holds                                           expected
==============  ==============================================================  ===================
trained         the executed notebook and the models its run saved              full marks
swapped_models  the same, with two saved models swapped (right files, wrong     in between: the
                models: each is judged on the other's task)                     function checks pass
no_models       the executed notebook without the saved models                  in between
blank           the release as handed out                                       zero
==============  ==============================================================  ===================
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from course_utils.training import metadata_path

from autograder.sources import notebooks as nbu
from autograder.demo.students import Context, Expectation, _solution

DEMO_TRAINED_ASSIGNMENT = "02_cnn_classification"
TRAINING_CELL_SECONDS = 900  # the smoke run's longest cell takes about a minute on a 2-core CPU
EXPECTED = {"trained": Expectation("full"), "swapped_models": Expectation("between"),
            "no_models": Expectation("between"), "blank": Expectation("zero")}


class DemoTrainingError(RuntimeError):
    """The demo's own training run failed: the course is broken, not a student."""


def artifact_paths(assignment: str, root: Path) -> list[str]:
    """The files the grader loads for ``assignment`` (its ArtifactChecks' paths), in check order."""
    from autograder.authoring.validate import load_checks

    return [check.path for check in load_checks(assignment, root) if hasattr(check, "path")]


def _swap(first: Path, second: Path) -> None:
    """Exchange two artifacts, each with its sidecar JSON when it has one."""
    for a, b in [(first, second), (metadata_path(first), metadata_path(second))]:
        if a.exists() and b.exists():
            spare = a.with_name(a.name + ".swap")
            a.rename(spare)
            b.rename(a)
            spare.rename(b)


def train_like_a_student(ctx: Context, folder: Path) -> Path:
    """Run the released notebook with the answers filled in, top to bottom, in ``folder``.

    folder: made here, with the release's files; it ends up holding the executed notebook
    and every artifact the run saved, as a student's submission does.
    """
    shutil.copytree(ctx.course_root / "assignments" / ctx.assignment, folder)
    execution = nbu.execute(_solution(ctx), folder, timeout=TRAINING_CELL_SECONDS)
    failed = [nbu.cell_label(i, cell) for i, cell in enumerate(execution.notebook.cells)
              if cell.cell_type == "code" and nbu.error_outputs(cell)]
    if execution.crash or failed:
        raise DemoTrainingError(f"training {ctx.assignment} for the demo failed: "
                                f"{execution.crash or 'errors in ' + ', '.join(failed[:5])}")
    nbformat.write(execution.notebook, str(folder / f"{ctx.assignment}.ipynb"))
    return folder


def write_trained_class(ctx: Context, folder: Path) -> dict[str, Expectation]:
    """Write ``folder/<student>/`` for each student of the table above; return their expectations."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    trained = train_like_a_student(ctx, folder / "trained")
    paths = artifact_paths(ctx.assignment, ctx.course_root)
    if len(paths) < 2:
        raise DemoTrainingError(f"{ctx.assignment} saves {len(paths)} model(s); the demo needs two to swap.")
    swapped = folder / "swapped_models"
    shutil.copytree(trained, swapped)
    _swap(swapped / paths[0], swapped / paths[1])
    no_models = folder / "no_models"
    shutil.copytree(trained, no_models)
    for path in paths:
        (no_models / path).unlink(missing_ok=True)
        metadata_path(no_models / path).unlink(missing_ok=True)
    (folder / "blank").mkdir()
    nbformat.write(ctx.released, str(folder / "blank" / f"{ctx.assignment}.ipynb"))
    return dict(EXPECTED)
