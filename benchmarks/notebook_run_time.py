"""How long a week's notebook takes to run, as a student runs it: first with training, then with the saved models.

Why: each notebook's header tells a student how long the week runs; that figure must be measured, on a
named machine and profile, not guessed (issue 31). A student runs the notebook top to bottom in a fresh
folder: the first run trains and saves every model (``train_or_load`` finds nothing), a second run in the
same folder loads what the first saved. Both wall times are recorded, per week and per profile.

What is run: the week's *solution* notebook (``solutions/NN_topic/NN_topic.ipynb``), so that every cell
does its real work, in a fresh kernel started in a temporary folder, with ``COURSE_PROFILE`` set and the
grading switches removed (:func:`autograder.sources.notebooks.kernel_env`). The wall time is the whole
execution, kernel start included, as a student waits for it.

It writes ``benchmarks/results/notebook_run_time_<profile>.json``: one entry per week (its two wall
times with the kernel's CPU seconds, errors, the files the first run saved, the machine with its load
at the start, the script's niceness, date, commit), merged with the weeks recorded before, so weeks
can be measured at different times. On a shared machine, run under ``nice`` as the rules ask, the wall
time is a bound from above: the record says how busy the machine was. :func:`header_sentence` is the
sentence a notebook's header carries for each recorded week and profile; ``tests/test_conventions.py``
compares headers with the record. Usage::

    .venv/bin/python benchmarks/notebook_run_time.py 00 01 04 --profile smoke
    .venv/bin/python benchmarks/notebook_run_time.py 00 01 04 --profile smoke --headers-only   # then course release
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = Path(os.environ.get("COURSE_BENCH_RESULTS") or ROOT / "benchmarks" / "results")
TIMEOUT = 3600   # seconds per cell: a full-profile training on a slow CPU


def result_path(profile: str, results: Path = RESULTS) -> Path:
    """Where the run times of ``profile`` are recorded."""
    return results / f"notebook_run_time_{profile}.json"


def week_folder(prefix: str) -> str:
    """``"04"`` or ``"04_visualising"`` -> ``"04_visualising"`` (the folder under ``solutions/``)."""
    matches = sorted(path.name for path in (ROOT / "solutions").glob(f"{prefix}*") if path.is_dir())
    if len(matches) != 1:
        raise SystemExit(f"no single week matches {prefix!r} under solutions/: {matches}")
    return matches[0]


def _errors(nb: nbformat.NotebookNode) -> list[str]:
    """The error names the cells' outputs hold (a solution should have none)."""
    return [output.get("ename", "?") for cell in nb.cells if cell.cell_type == "code"
            for output in cell.get("outputs", []) if output.get("output_type") == "error"]


def _run(notebook: Path, folder: Path, profile: str) -> dict[str, Any]:
    """One run of ``notebook`` in ``folder`` as a student runs it: seconds, errors, and a crash if any."""
    from autograder.sources import notebooks

    nb = nbformat.read(notebook, as_version=4)
    before, started = _children_cpu(), time.perf_counter()
    done = notebooks.execute(nb, folder, timeout=TIMEOUT, env={"COURSE_PROFILE": profile})
    # the kernel's CPU time (reaped child): what load on a shared machine inflates less than the wall time
    seconds, cpu = time.perf_counter() - started, _children_cpu() - before
    return {"seconds": round(seconds, 1), "kernel_cpu_seconds": round(cpu, 1), "errors": _errors(done.notebook),
            "crash": done.crash}


def _children_cpu() -> float:
    """User + system seconds of this process's finished children (the kernels, once shut down)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(week: str, profile: str) -> dict[str, Any]:
    """Run ``week``'s solution twice in one fresh folder (training, then the saved models); its entry."""
    from course_utils.runtime import machine_facts

    notebook = ROOT / "solutions" / week / f"{week}.ipynb"
    entry: dict[str, Any] = {"date": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine_facts(),
                             "niceness": os.nice(0)}   # run under `nice` on a shared machine: a slower figure
    with tempfile.TemporaryDirectory(prefix=f"course-run-time-{week}-") as tmp:
        folder = Path(tmp)
        entry["first_run"] = _run(notebook, folder, profile)
        entry["saved_files"] = sorted(path.name for path in folder.iterdir() if path.suffix in (".keras", ".npz"))
        entry["rerun"] = _run(notebook, folder, profile)
    entry["load_average_at_end"] = [round(load, 2) for load in os.getloadavg()]
    entry["ok"] = not any(entry[run]["errors"] or entry[run]["crash"] for run in ("first_run", "rerun"))
    return entry


def _duration(seconds: float) -> str:
    """``45 s`` below two minutes, else ``3.4 min`` (how a header states a run time)."""
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def header_sentence(profile: str, entry: dict[str, Any]) -> str:
    """The sentence a week's header carries for its recorded ``entry`` in ``profile`` (one line of markdown)."""
    machine = entry["machine"]
    # the load at the start and at the end: a machine that filled up during the runs slowed the second one
    loads = [machine["load_average"][0]] + [end[0] for end in [entry.get("load_average_at_end")] if end]
    load = (f"load {loads[0]:.1f}" if len(loads) == 1 or f"{loads[0]:.1f}" == f"{loads[1]:.1f}"
            else f"load {loads[0]:.1f} at the start, {loads[1]:.1f} at the end")
    where = f"{machine['cpu']}, {machine['cpu_count']} cores, {'GPU' if machine.get('gpus') else 'no GPU'}, {load}"
    if max(loads) > machine["cpu_count"]:   # more runnable work than cores: shared and busy
        where += ", busy and shared: expect less on a machine of your own"
    first, again = _duration(entry["first_run"]["seconds"]), _duration(entry["rerun"]["seconds"])
    runs = (f"{first} top to bottom with training, {again} again with the saved models" if entry.get("saved_files")
            else f"{first} top to bottom, {again} a second time (it saves no model to reuse)")
    cpu = [entry[run].get("kernel_cpu_seconds") for run in ("first_run", "rerun")]
    if all(cpu):   # what the load inflates least: on a quiet machine of 2 cores, the wall time is near it
        runs += f"; the notebook's own CPU time: {_duration(cpu[0])} and {_duration(cpu[1])}"
    return (f"**Run time, measured** ({profile} profile, {where}, {entry['date'][:10]}, "
            f"`benchmarks/notebook_run_time.py`): {runs}.")


def header_problems(header: str, records: dict[str, dict[str, Any]], week: str) -> list[str]:
    """Where a week's header disagrees with the record: a recorded run time it does not state as
    :func:`header_sentence` writes it, or a measured run time it states for a profile with no record.

    records: profile -> the record of :func:`result_path` (``{"weeks": {week: entry}}``).
    """
    text = " ".join(header.split())
    problems = []
    for profile, record in records.items():
        entry = record.get("weeks", {}).get(week)
        if entry is not None and header_sentence(profile, entry) not in text:
            problems.append(f"{week}: the header does not say {header_sentence(profile, entry)!r}")
    for profile in set(_stated_profiles(text)) - {p for p, r in records.items() if week in r.get("weeks", {})}:
        problems.append(f"{week}: the header states a measured {profile} run time that no record holds")
    return problems


def _stated_profiles(text: str) -> list[str]:
    """The profiles a header states a measured run time for."""
    return re.findall(r"\*\*Run time, measured\*\* \((\w+) profile", text)


def load_records(results: Path = RESULTS) -> dict[str, dict[str, Any]]:
    """profile -> its recorded run times, for every profile with a record."""
    return {path.stem.removeprefix("notebook_run_time_"): json.loads(path.read_text())
            for path in sorted(results.glob("notebook_run_time_*.json"))}


def write_header(week: str, profile: str, entry: dict[str, Any], root: Path = ROOT) -> bool:
    """Put :func:`header_sentence` into ``solutions/<week>``'s header: it replaces the line stating
    ``profile``'s run time or, if none, becomes the last line of the header's first paragraph (its
    ``<br>``-separated facts). True when the file changed; ``course release`` copies the header after."""
    path = root / "solutions" / week / f"{week}.ipynb"
    nb = nbformat.read(path, as_version=4)
    header, sentence = nb.cells[0], header_sentence(profile, entry)
    lines = header.source.split("\n")
    stated = [i for i, line in enumerate(lines) if line.startswith(f"**Run time, measured** ({profile} profile")]
    if stated:
        lines[stated[0]] = sentence + ("<br>" if lines[stated[0]].endswith("<br>") else "")
    else:
        last_fact = max((i for i, line in enumerate(lines) if line.endswith("<br>")), default=0)
        follows = last_fact + 1 < len(lines) and lines[last_fact + 1].strip()   # a fact after it, unbroken
        lines.insert(last_fact + 1, sentence + ("<br>" if follows else ""))
        if not lines[last_fact].endswith("<br>"):
            lines[last_fact] += "<br>"
    source = "\n".join(lines)
    if source == header.source:
        return False
    header.source = source
    nbformat.write(nb, path)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weeks", nargs="+", help="week numbers or folders, e.g. 00 01 04")
    parser.add_argument("--profile", default=os.environ.get("COURSE_PROFILE", "full"), choices=("full", "smoke"))
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--headers-only", action="store_true",
                        help="measure nothing: write each week's recorded sentence into its solution's header")
    args = parser.parse_args(argv)
    path = result_path(args.profile, args.out)
    record = json.loads(path.read_text()) if path.exists() else {"benchmark": "notebook_run_time", "weeks": {}}
    if args.headers_only:
        for week in map(week_folder, args.weeks):
            changed = write_header(week, args.profile, record["weeks"][week])
            print(f"{week}: {'header updated' if changed else 'header already says it'}")
        return 0
    for week in map(week_folder, args.weeks):
        entry = measure(week, args.profile)
        record["weeks"][week] = entry
        record.update(profile=args.profile, date=entry["date"], machine=entry["machine"])
        print(json.dumps({week: {k: entry[k] for k in ("first_run", "rerun", "saved_files", "ok")}}), flush=True)
        print(header_sentence(args.profile, entry), flush=True)
        args.out.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record, indent=1) + "\n")   # after each week: a later failure keeps it
    print(f"-> {path}")
    return 0 if all(record["weeks"][week_folder(w)]["ok"] for w in args.weeks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
