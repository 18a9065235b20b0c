"""The grader's handover, for the answer corpus: pickled as a notebook pickles, loaded and called elsewhere.

Why (issue 27): a function the corpus calls in its own process never goes
through the pickling the grader uses, so an answer the grader cannot load
(``from scipy.special import expit`` was pickled as ``__mp_main__.expit``) was
judged right here and got zero in grading. So each handed-over function is

1. pickled by ``course_utils.judge.write_function`` (the notebook's writer, cloudpickle)
   as in a Jupyter kernel: its namespace is ``sys.modules["__main__"]`` and
   ``["__mp_main__"]`` while it is pickled, the working folder the notebook's own;
2. loaded and called by ``autograder/verdicts/function_harness.py`` (its ``main``, unchanged)
   in ANOTHER process, fed work folders through files: one long-lived process for
   the test run, not one TensorFlow start per entry or per week (:class:`HarnessWorker`);
3. read back from ``results/<check>.npz`` (``allow_pickle=False``), decoded and
   judged by ``judging._safe_judge``, or told the harness's own message, named as
   the grader names it (``function_judge.load_failure``).

The sandbox is not involved (nor its limits): only the handover is tested here.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import types
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from autograder.verdicts import function_harness, function_judge, judging
from course_utils import judge as notebook_judge
from course_utils.judge import ERROR_SUFFIX, FUNCTIONS_DIR

ROOT = Path(__file__).resolve().parents[1]
REQUEST_SECONDS = 600.0  # one check's cases, including the first TensorFlow import of a week
_SERVE = """
import importlib.util, json, os, sys
reply = os.fdopen(os.dup(1), "w")  # the protocol's own channel: what the function prints goes to stderr
os.dup2(2, 1)
sys.stdout = sys.stderr
spec = importlib.util.spec_from_file_location("function_harness", sys.argv[1])
harness = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = harness  # its namespace is a module's, as when the grader runs it as __main__
spec.loader.exec_module(harness)
for line in sys.stdin:
    request = json.loads(line)
    harness.main([request["work"], *request["checks"]])
    reply.write("done\\n")
    reply.flush()
"""


class HarnessWorker:
    """A Python process running the function harness on one work folder after another."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="corpus-harness-"))
        self.log = (self.folder / "stderr.txt").open("wb")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg",
               "PYTHONDONTWRITEBYTECODE": "1", "COURSE_DATA_DOWNLOAD": "0"}
        env.pop(notebook_judge.JUDGE_DIR_ENV, None)
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVE, str(Path(function_harness.__file__).resolve())],
            cwd=self.folder, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True)

    def run(self, work: Path, check_ids: list[str]) -> bool:
        """Run the harness on ``work``; False when the process stopped or took too long (then it is gone)."""
        if self.process.poll() is None:
            try:
                self.process.stdin.write(json.dumps({"work": str(work), "checks": check_ids}) + "\n")
                self.process.stdin.flush()
                ready, _, _ = select.select([self.process.stdout], [], [], REQUEST_SECONDS)
                if ready and self.process.stdout.readline().strip() == "done":
                    return True
            except (BrokenPipeError, OSError):
                pass
        self.close()
        return False

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        """Stop the process (this one only) and remove its folder."""
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


_WORKERS: dict[str, HarnessWorker] = {}  # one process for the whole test run, restarted if it stopped


def worker(assignment: str) -> HarnessWorker:
    """The harness process, started on first use and shared by every week (``assignment`` is not
    used: one TensorFlow import per test run, not one per week, keeps the corpus's time)."""
    current = _WORKERS.get("shared")
    if current is None or not current.alive():
        if current is not None:
            current.close()
        _WORKERS["shared"] = HarnessWorker()
    return _WORKERS["shared"]


@atexit.register
def close_workers() -> None:
    for name in list(_WORKERS):
        _WORKERS.pop(name).close()


@contextlib.contextmanager
def as_in_a_kernel(fn: Callable[..., Any], assignment: str) -> Iterator[None]:
    """While pickling: the function's namespace is ``__main__`` and ``__mp_main__`` (as a Jupyter
    kernel's, where ``multiprocessing`` aliases it), the working folder the notebook's."""
    import multiprocessing  # noqa: F401 - as in a kernel, where it made ``__mp_main__``

    namespace = getattr(fn, "__globals__", None) or {}
    main = types.ModuleType("__main__")
    vars(main).update(namespace)
    saved = {name: sys.modules.get(name) for name in ("__main__", "__mp_main__")}
    cwd = Path.cwd()
    folder = ROOT / "solutions" / assignment
    try:
        sys.modules["__main__"] = sys.modules["__mp_main__"] = main
        os.chdir(folder if folder.is_dir() else cwd)
        yield
    finally:
        os.chdir(cwd)
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def judge_handed(assignment: str, check: judging.FunctionCheck, fn: Callable[..., Any],
                 cases: list[dict[str, Any]]) -> judging.Verdict:
    """``fn`` judged on ``cases`` through the real handover (see the module doc)."""
    with tempfile.TemporaryDirectory(prefix="corpus-handover-") as tmp:
        work, kept = Path(tmp) / "work", Path(tmp) / "kept"
        kept.mkdir()
        with as_in_a_kernel(fn, assignment):
            written = notebook_judge.write_function(Path(tmp) / "kernel", check.id, fn)
        if written.name.endswith(ERROR_SUFFIX):
            return judging.Verdict(False, f"{check.id}: {written.read_text(encoding='utf-8')}")
        (work / FUNCTIONS_DIR).mkdir(parents=True)
        (work / "inputs").mkdir()
        shutil.copyfile(written, work / FUNCTIONS_DIR / written.name)
        shutil.copyfile(written, kept / written.name)
        np.savez(work / "inputs" / f"{check.id}.npz", **notebook_judge.encode_cases(cases))
        requested = check.id + (function_harness.LINES_SUFFIX if check.counts_lines else "")
        if not worker(assignment).run(work, [requested]):
            return judging.Verdict(False, f"{check.id}: the harness process stopped or took longer than "
                                          f"{REQUEST_SECONDS:.0f} s while running the function")
        results_file = work / "results" / f"{check.id}.npz"
        if not results_file.is_file():
            message = (work / "results" / f"{check.id}{ERROR_SUFFIX}").read_text(encoding="utf-8")
            return judging.Verdict(False, f"{check.id}: {function_judge.load_failure(message, kept / written.name)}")
        with np.load(results_file, allow_pickle=False) as flat:
            results = notebook_judge.decode_results(flat)
        if len(results) != len(cases):
            return judging.Verdict(False, f"{check.id}: expected {len(cases)} results, got {len(results)}.")
        return judging._safe_judge(check, cases, results)
