"""How long the integrity signals take for a class of 300: every pair of every exercise of week 1.

A synthetic class is written as real notebooks (the released template with its answer cells filled):
each student's cell is one of the answer corpus's versions of that cell (the solution's, and the cell
with each corpus file's functions, right or wrong: tests/integrity_class.py), with every local name
renamed to the student's own. A real class is far less alike (67 texts for 300 students), so many pairs
are flagged and highlighted here: a worst case for time. Timed: reading the notebooks, all pairs per
exercise (copydetect fingerprints, the template removed), the library-call scan, the page. Writes
``benchmarks/results/similarity_class.json``.

Usage::

    .venv/bin/python benchmarks/similarity_class.py --students 300
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from autograder.integrity import answers, library_calls, similarity  # noqa: E402
from autograder.integrity.signals import Signals  # noqa: E402
from autograder.pages.integrity import write_integrity_page  # noqa: E402
from integrity_class import cell_versions, functions, renamed, write_notebook  # noqa: E402

RESULTS = Path(os.environ.get("COURSE_BENCH_RESULTS") or ROOT / "benchmarks" / "results")


def make_class(folder: Path, assignment: str, students: int, seed: int) -> dict[str, Path]:
    """``students`` notebooks under ``folder``; returns student -> folder."""
    rng = random.Random(seed)
    versions = cell_versions(assignment)
    template = answers.template_answers(assignment, ROOT)
    folders = {}
    for index in range(students):
        student = f"s{index:03d}"
        cells = {}
        for grade_id, group in versions.items():
            _, code = rng.choice(group)
            keep = set(functions(template.get(grade_id, ""))) | {"ConvCache", "PoolCache"}
            try:
                cells[grade_id] = renamed(code, keep)
            except SyntaxError:
                cells[grade_id] = code
        write_notebook(folder / student, assignment, cells)
        folders[student] = folder / student
    return folders


def main(argv: list[str] | None = None) -> int:
    from course_utils.runtime import machine_facts

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--assignment", default="01_convolution")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    machine = machine_facts()
    with tempfile.TemporaryDirectory() as scratch:
        folders = make_class(Path(scratch) / "class", args.assignment, args.students, args.seed)
        started = time.perf_counter()
        submissions = answers.read_class(args.assignment, folders)
        read_seconds = time.perf_counter() - started
        template = answers.template_answers(args.assignment, ROOT)
        exercises, matches, compared = [], [], {}
        for exercise in template:
            started = time.perf_counter()
            report = similarity.compare_class(submissions, template, exercises=[exercise])
            seconds = time.perf_counter() - started
            matches += report.matches
            compared.update(report.compared)
            exercises.append({"exercise": exercise, "pairs": report.compared[exercise],
                              "flagged": len(report.matches), "seconds": round(seconds, 2)})
            print(json.dumps(exercises[-1]), flush=True)
        started = time.perf_counter()
        declaration = library_calls.declaration_of(args.assignment)
        calls = library_calls.scan_class(submissions, declaration)
        scan_seconds = time.perf_counter() - started
        started = time.perf_counter()
        found = similarity.SimilarityReport(matches, compared)
        page = write_integrity_page(Signals(args.assignment, found, calls, declaration, "(none)", len(submissions)),
                                    Path(scratch) / "report")
        page_seconds = time.perf_counter() - started
        page_mib = page.stat().st_size / 2**20
    record = {"measure": f"integrity signals for a class of {args.students} ({args.assignment}, synthetic)",
              "profile": "n/a (no training)", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine, "students": args.students, "assignment": args.assignment, "seed": args.seed,
              "read_seconds": round(read_seconds, 2), "exercises": exercises,
              "pairs_seconds_max": max(row["seconds"] for row in exercises),
              "pairs_seconds_total": round(sum(row["seconds"] for row in exercises), 2),
              "library_call_scan_seconds": round(scan_seconds, 2), "library_calls": len(calls),
              "page_seconds": round(page_seconds, 2), "page_mib": round(page_mib, 2)}
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "similarity_class.json"
    out.write_text(json.dumps(record, indent=1) + "\n")
    print(f"{args.students} students: read {record['read_seconds']} s, all pairs of one exercise at most "
          f"{record['pairs_seconds_max']} s ({record['pairs_seconds_total']} s for {len(exercises)}), scan "
          f"{record['library_call_scan_seconds']} s, page {record['page_seconds']} s; wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
