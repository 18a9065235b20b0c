"""The README's first command, ``make demo``, timed from a fresh clone.

Why: the README promises that a new TA or instructor gets the demo's table from two
commands on a fresh machine; how long the first one takes is part of that promise.
This script clones the repository's committed HEAD into a temporary folder (nothing
of this checkout's ``.venv``, ``build/`` or data comes along) and runs the targets
that ``make demo`` runs, one at a time, so each phase has its own time:

- ``make venv``: the virtual environment and the course package (pip's download
  cache of this machine is used, as on any machine that installed once);
- ``make data``: ``course data prepare`` (Debian's packages are checked, the offline
  datasets prepared where they are not already);
- ``make demo``: the synthetic class graded and the trained week's demo.

It writes ``benchmarks/results/demo_wall_time_<profile>.json`` (seconds per phase,
each phase's exit code, machine, load, date, commit). Usage::

    .venv/bin/python benchmarks/demo_wall_time.py            # about 10 min on 2 cores
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHASES = ("venv", "data", "demo")


def run_phase(clone: Path, target: str, log: Path) -> dict:
    """``make TARGET`` in the clone: its seconds and exit code (its output goes to ``log``)."""
    started = time.perf_counter()
    with open(log, "ab") as stream:
        done = subprocess.run(["make", target], cwd=clone, stdout=stream, stderr=subprocess.STDOUT,
                              env={k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "COURSE_PROFILE")})
    return {"target": target, "seconds": round(time.perf_counter() - started, 1), "returncode": done.returncode}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("COURSE_BENCH_RESULTS")
                                                         or ROOT / "benchmarks" / "results"))
    parser.add_argument("--keep", type=Path, help="clone here and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)
    from course_utils import data
    from course_utils.runtime import machine_facts

    # The datasets live outside the clone (course_utils.data.data_dir()): where they were prepared
    # before, `make data` only checks them, so the record says which case was timed.
    record = {"benchmark": "demo_wall_time", "profile": "smoke",  # the demo grades in the smoke profile
              "date": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine_facts(),
              "data_prepared_before": all(data.is_prepared(name) for name in data.DATASETS), "phases": []}
    with tempfile.TemporaryDirectory(prefix="course-bench-demo-") as tmp:
        clone = args.keep or Path(tmp) / "course"
        subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
        log = Path(tmp) / "make.log"
        for target in PHASES:
            phase = run_phase(clone, target, log)
            record["phases"].append(phase)
            if phase["returncode"] != 0:
                record["failed_log_tail"] = log.read_text(errors="replace")[-3000:]
                break
    record["total_seconds"] = round(sum(p["seconds"] for p in record["phases"]), 1)
    record["ok"] = len(record["phases"]) == len(PHASES) and all(p["returncode"] == 0 for p in record["phases"])
    record["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"demo_wall_time_{record['profile']}.json"
    path.write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps({k: v for k, v in record.items() if k != "machine"}, indent=1))
    print(f"-> {path}")
    return 0 if record["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
