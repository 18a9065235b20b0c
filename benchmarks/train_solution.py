"""Run one week's released notebook with the answers filled in, top to bottom, in a folder.

Why: some measures read the models a notebook saves (``gans_bars.py DIR`` needs the
generators of 06_gans), so ``make bench`` first trains them as a student would, in
the active profile (``COURSE_PROFILE``): the release's files are copied to DIR, the
release with the instructor's answers filled in (``autograder.demo.students``) runs
in a fresh kernel there (training allowed: the kernel never sees the grading flags),
and the executed notebook is written beside the models it saved. A cell that fails
stops the bench with its name; nothing is graded here.

Usage::

    COURSE_PROFILE=smoke .venv/bin/python benchmarks/train_solution.py 06_gans build/bench/06_gans
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def train(assignment: str, folder: Path, cell_timeout: int) -> float:
    """Fresh ``folder`` with the executed, solved release and its saved files; returns the run's seconds."""
    import nbformat

    from autograder.sources import notebooks as nbu
    from autograder.submission import grade as submission
    from autograder.demo.students import Context, _solution

    ref = submission.reference(assignment, ROOT)
    ctx = Context(assignment, ref.released, ref.source, ROOT, folder / "unused.db")
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(ROOT / "assignments" / assignment, folder)
    started = time.perf_counter()
    execution = nbu.execute(_solution(ctx), folder, timeout=cell_timeout)
    seconds = time.perf_counter() - started
    failed = [nbu.cell_label(i, cell) for i, cell in enumerate(execution.notebook.cells)
              if cell.cell_type == "code" and nbu.error_outputs(cell)]
    nbformat.write(execution.notebook, str(folder / f"{assignment}.ipynb"))
    if execution.crash or failed:
        raise SystemExit(f"{assignment}: the solved release failed in {folder}: "
                         f"{execution.crash or ', '.join(failed[:5])}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--cell-timeout", type=int, default=7200, help="seconds per cell (full-profile training)")
    args = parser.parse_args(argv)
    seconds = train(args.assignment, args.folder.resolve(), args.cell_timeout)
    print(f"{args.assignment}: trained in {seconds:.0f} s -> {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
