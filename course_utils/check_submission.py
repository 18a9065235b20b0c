"""Before you submit: ``python -m course_utils.check_submission FOLDER``.

Why: a missing or unloadable file comes back as a zero a week later; this says so now, on
the student's own machine, with no grader installed. It answers, one line each:

1. Is the week's notebook there, named as the grader expects, and readable?
2. Is every file the grader loads there: the models its checks judge and the files the
   notebook's own cells load (the grader re-runs the notebook without training)? The list is
   ``course_utils/handin.json``, generated from the grader's checks (``course release``).
3. Does each file load as the grader loads it (:func:`course_utils.training.load_artifact`:
   safe mode, no Lambda layer, no pickle), in a fresh process? And what its sidecar records
   (Keras, TensorFlow, backend, dtype policy, device).
4. Unless ``--no-run``: does the notebook run top to bottom (nbclient, a fresh kernel, in a
   temporary copy, as the grader runs it: ``NBGRADER_EXECUTION`` set, so nothing trains)?
   This is **not** the grader's sandbox: no time or memory walls, and no hidden check runs.

"Ready to submit" means the files are there and load, never that the answers are right.
Exit status 0 when nothing failed, 1 otherwise, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HANDIN_FILE = Path(__file__).resolve().parent / "handin.json"
LOAD_SECONDS = 300          # loading one artifact, TensorFlow's import included
CELL_SECONDS = 1800         # one cell of the run (the grader's own bound is per assignment)
READY = "ready to submit: the files are there and load (this says nothing about whether your answers are right)."

_LOADER = """
import json, sys
from course_utils import artifacts
try:
    artifacts.load_artifact(sys.argv[1], compile=False)
except artifacts.ArtifactError as exc:
    print(exc)
    raise SystemExit(3)
"""


@dataclass(frozen=True)
class Finding:
    """One line of the report: ✓ passed, ✗ failed, or · a note that neither passes nor fails."""

    passed: bool
    text: str
    note: bool = False

    def line(self) -> str:
        return f"{'·' if self.note else '✓' if self.passed else '✗'} {self.text}"


def hand_in_lists() -> dict[str, dict]:
    """``{NN_topic: {"notebook", "graded", "notebook_loads"}}`` from ``course_utils/handin.json``."""
    return json.loads(HANDIN_FILE.read_text())["weeks"]


def guess_assignment(folder: Path, weeks: list[str]) -> str | None:
    """The week whose notebook ``folder`` holds (``NN_topic.ipynb``), if exactly one."""
    present = [week for week in weeks if (folder / f"{week}.ipynb").is_file()]
    return present[0] if len(present) == 1 else None


def _notebook(folder: Path, name: str) -> Finding:
    import nbformat

    path = folder / name
    if not path.is_file():
        others = sorted(p.name for p in folder.glob("*.ipynb"))
        hint = f" (found {', '.join(others)}: rename yours to {name})" if others else ""
        return Finding(False, f"{name} is missing{hint}; the grader opens exactly that name.")
    try:
        nbformat.read(str(path), as_version=4)
    except Exception as exc:  # noqa: BLE001 - any reading failure is the same answer for the student
        return Finding(False, f"{name} cannot be read as a notebook ({type(exc).__name__}); save it again from Jupyter.")
    return Finding(True, f"{name} is there and opens")


def load_problem(path: Path) -> str | None:
    """None when ``path`` loads as the grader loads it, else the loader's one-line reason."""
    try:
        done = subprocess.run([sys.executable, "-c", _LOADER, str(path)], capture_output=True, text=True,
                              timeout=LOAD_SECONDS, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    except subprocess.TimeoutExpired:
        return f"loading took over {LOAD_SECONDS} s"
    if done.returncode == 0:
        return None
    said = done.stdout.strip() or (done.stderr.strip().splitlines() or ["no message"])[-1]
    return said.splitlines()[0]


def check_files(folder: Path, assignment: str) -> list[Finding]:
    """Findings 1-3: the notebook, each file the grader loads, whether it loads, what it records."""
    from course_utils.artifacts import describe_sidecar, read_metadata

    lists = hand_in_lists()[assignment]
    findings = [_notebook(folder, lists["notebook"])]
    for name in [*lists["graded"], *lists["notebook_loads"]]:
        why = ("its hidden check judges it" if name in lists["graded"]
               else "the notebook's cells load it when the grader runs them")
        path = folder / name
        if not path.is_file():
            findings.append(Finding(False, f"{name} is missing ({why}; the grader never trains): run the cell "
                                           "that saves it and keep the file next to the notebook."))
            continue
        problem = load_problem(path)
        if problem:
            findings.append(Finding(False, f"{name} does not load as the grader loads it: {problem}"))
            continue
        findings.append(Finding(True, f"{name} loads as the grader loads it (safe mode)"))
        try:
            sidecar = read_metadata(path)
        except Exception as exc:  # noqa: BLE001 - a damaged sidecar is reported, not raised
            sidecar, problem = None, str(exc).splitlines()[0]
        findings.append(Finding(True, f"{name}: {describe_sidecar(sidecar)}" if sidecar else
                                f"{name} has no readable sidecar {name}.json ({problem or 'missing'}): "
                                "the grader cannot say where it was trained; save it with save_artifact.",
                                note=True))
    return findings


def run_notebook(folder: Path, assignment: str, *, cell_seconds: int = CELL_SECONDS) -> list[Finding]:
    """Finding 4: a top-to-bottom run of a temporary copy, without training, as the grader runs it."""
    import nbformat
    from nbclient import NotebookClient

    name = hand_in_lists()[assignment]["notebook"]
    findings = [Finding(True, "running the notebook here, on your machine: NOT the grader's sandbox (no time or "
                              "memory walls, no hidden checks); the grader runs it again with its own bounds.",
                        note=True)]
    with tempfile.TemporaryDirectory(prefix="course-check-") as tmp:
        work = Path(tmp) / assignment
        shutil.copytree(folder, work, symlinks=True, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        notebook = nbformat.read(str(work / name), as_version=4)
        previous = os.environ.get("NBGRADER_EXECUTION")
        os.environ["NBGRADER_EXECUTION"] = "autograde"  # the kernel inherits it: load, never train
        try:
            NotebookClient(notebook, timeout=cell_seconds, allow_errors=True, kernel_name="python3",
                           resources={"metadata": {"path": str(work)}}).execute()
        except Exception as exc:  # noqa: BLE001 - a dead kernel or a timeout: one line, not a traceback
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            return [*findings, Finding(False, f"the notebook did not run to the end: {type(exc).__name__}: {first}")]
        finally:
            if previous is None:
                os.environ.pop("NBGRADER_EXECUTION", None)
            else:
                os.environ["NBGRADER_EXECUTION"] = previous
    failing = [(index, output) for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"
               for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    for index, output in failing[:10]:
        grade_id = notebook.cells[index].get("metadata", {}).get("nbgrader", {}).get("grade_id")
        label = f" (cell {index}{', ' + grade_id if grade_id else ''})"
        first = (str(output.get("evalue", "")).strip().splitlines() or [""])[0][:200]
        findings.append(Finding(False, f"a cell fails{label}: {output.get('ename')}: {first}"))
    findings.append(Finding(not failing, "the notebook ran top to bottom without training"
                            + (f", with {len(failing)} failing cell(s) above" if failing else "")))
    return findings


def check_submission(folder: Path, assignment: str, *, run: bool = True) -> list[Finding]:
    """Every finding for ``folder`` (the folder to submit) as ``assignment``."""
    findings = check_files(folder, assignment)
    return findings + run_notebook(folder, assignment) if run else findings


def main(argv: list[str] | None = None) -> int:
    """The command line; see the module doc."""
    parser = argparse.ArgumentParser(prog="python -m course_utils.check_submission",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="the folder you will submit (your notebook and the files it saved)")
    parser.add_argument("--assignment", metavar="NN_topic", help="default: the NN_topic.ipynb found in the folder")
    parser.add_argument("--no-run", action="store_true", help="check the files only (seconds, not minutes)")
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    weeks = sorted(hand_in_lists())
    if not folder.is_dir():
        print(f"check_submission: {folder} is not a folder: pass the folder that holds your notebook and the "
              "files it saved.", file=sys.stderr)
        return 2
    assignment = args.assignment or guess_assignment(folder, weeks)
    if assignment not in weeks:
        what = f"{args.assignment!r} is not a week of this course" if args.assignment else \
            f"{folder} holds none (or several) of the weeks' notebooks"
        print(f"check_submission: {what}: name it with --assignment, one of {', '.join(weeks)}.", file=sys.stderr)
        return 2
    print(f"checking {folder} as {assignment}"
          + ("" if args.no_run else " (runs the notebook top to bottom without training: minutes)"), flush=True)
    findings = check_submission(folder, assignment, run=not args.no_run)
    for finding in findings:
        print(finding.line(), flush=True)
    failed = [f for f in findings if not f.passed]
    print(f"{len(failed)} problem(s): fix them before you submit." if failed else READY)
    return 1 if failed else 0


if __name__ == "__main__":
    from course_utils.quiet import silence_native_logs

    silence_native_logs()
    raise SystemExit(main())
