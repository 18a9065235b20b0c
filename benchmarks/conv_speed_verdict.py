"""Is 01's conv_speed verdict the same run after run, whatever the machine's load?

The check counts the Python lines the student's ``conv_forward`` executes at
three output sizes (autograder/checks/01_convolution.py), instead of timing it.
This script judges right vectorised answers (im2col, einsum, stride tricks,
FFT, a loop over kernel offsets) and loops over output positions from the
answer corpus (``tests/answers/01_convolution``), ``--runs`` times each, through
the same path as the corpus test, and writes every verdict with the load
average seen to ``benchmarks/results/conv_speed_verdict.json``. Start it beside
other work (e.g. a grading run) to measure under load.

Usage::

    .venv/bin/python benchmarks/conv_speed_verdict.py --runs 20
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import test_answer_corpus as corpus  # noqa: E402

from autograder.verdicts import judging  # noqa: E402
from course_utils.runtime import machine_facts, profile  # noqa: E402

ASSIGNMENT = "01_convolution"
ENTRIES = {  # corpus entry -> expected verdict
    "conv_einsum": True, "conv_fft": True, "conv_as_strided": True, "conv_loop_over_kernel_offsets": True,
    "conv_keras_ops": True, "conv_forward_is_the_naive_loop": False, "conv_forward_loop_over_rows": False,
    "conv_forward_np_vectorize": False,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    check = judging.get_check(ASSIGNMENT, "conv_speed")
    rows = []
    for entry, expected in ENTRIES.items():
        verdicts, loads, messages = [], [], collections.Counter()
        for _ in range(args.runs):
            result = corpus.judge_entry(ASSIGNMENT, corpus.ANSWERS / ASSIGNMENT / f"{entry}.py", checks=[check])
            verdict = result.verdicts["conv_speed"]
            verdicts.append(verdict.passed)
            messages[verdict.message] += 1
            loads.append(os.getloadavg()[0])
        rows.append({"entry": entry, "expected_pass": expected, "runs": args.runs,
                     "passed": sum(verdicts), "same_verdict_every_run": len(set(verdicts)) == 1,
                     "as_expected_every_run": all(v == expected for v in verdicts),
                     "distinct_messages": len(messages), "message": messages.most_common(1)[0][0],
                     "load_average_min_max": [min(loads), max(loads)]})
        print(json.dumps(rows[-1]), flush=True)
    record = {"measure": "01 conv_speed verdict stability (line-event count, not time)",
              "profile": profile(),
              "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine_facts(), "rows": rows}
    out = ROOT / "benchmarks" / "results" / "conv_speed_verdict.json"
    out.write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0 if all(r["as_expected_every_run"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
