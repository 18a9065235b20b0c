"""Questions about judging student functions outside the kernel (autograder.verdicts.function_judge).

A "kernel" here is a separate Python process that defines functions in its
``__main__`` and calls ``judge.submit`` with ``COURSE_JUDGE_DIR`` set, as the
sandboxed notebook does; the grader side then runs the real harness in the real
sandbox. Checks come from a small module written to ``COURSE_CHECKS_PATH``
whose judge reports what the harness measured (dtypes, line events, seconds).
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograder.verdicts import function_judge, judging
from autograder.isolation.sandbox import GiB, Limits

ASSIGNMENT = "zz_functions"
LIMITS = Limits(artifact_seconds=60, artifact_memory_bytes=3 * GiB)
CHECKS_SOURCE = '''
import json
import numpy as np
from autograder.verdicts.judging import FunctionCheck, Verdict


def _report(cases, results):
    """Pass, with what the harness measured as the message (JSON)."""
    return Verdict(True, json.dumps([{"dtypes": r.dtypes, "line_events": r.line_events,
                                      "seconds": r.seconds, "shape": list(r.outputs[0].shape)}
                                     for r in results]))


def _double(cases, results):
    right = all(np.allclose(r.outputs[0], 2 * c["x"]) for c, r in zip(cases, results))
    return Verdict(right, "double: right" if right else "double: wrong values")


def _conv_cases(rng):
    """Outputs 8x8 and 32x32, same channels (3) and filters (4)."""
    return [{"x": rng.normal(size=(2, size + 2, size + 2, 3)), "w": rng.normal(size=(3, 3, 3, 4))}
            for size in (8, 32)]


CHECKS = [FunctionCheck("double", 1, "doubles", lambda rng: [{"x": rng.normal(size=(3, 2))}], _double),
          FunctionCheck("probe", 1, "reports", lambda rng: [{"x": rng.normal(size=4)}], _report)]
CHECKS += [FunctionCheck(name, 1, "a toy conv", _conv_cases, _report, counts_lines=True)
           for name in ("conv_a", "conv_b", "conv_c", "conv_d")]
CHECKS.append(FunctionCheck("conv_plain", 1, "a toy conv, lines not counted", _conv_cases, _report))
'''
CONVS = '''
import numpy as np

def conv_loop(x, w):
    """x: (N, H, W, C), w: (KH, KW, C, F) -> (N, H - KH + 1, W - KW + 1, F), a loop over positions."""
    n, height, width, channels = x.shape
    kh, kw, _, filters = w.shape
    out = np.zeros((n, height - kh + 1, width - kw + 1, filters))
    for i in range(height - kh + 1):
        for j in range(width - kw + 1):
            out[:, i, j, :] = np.tensordot(x[:, i:i + kh, j:j + kw, :], w, axes=3)
    return out

def conv_vectorised(x, w):
    """The same, with no Python loop."""
    windows = np.lib.stride_tricks.sliding_window_view(x, w.shape[:2], axis=(1, 2))
    return np.einsum("nhwcij,ijcf->nhwf", windows, w)
'''


@pytest.fixture(autouse=True)
def checks_path(tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp("checks")
    (folder / f"{ASSIGNMENT}.py").write_text(CHECKS_SOURCE)
    monkeypatch.setenv(judging.CHECKS_PATH_ENV, str(folder))


def kernel(folder: Path, code: str, *, grading: bool = True, convs: bool = False) -> subprocess.CompletedProcess:
    """Run ``code`` as a notebook kernel would: in ``folder``, its functions in ``__main__``.

    convs: define ``conv_loop`` and ``conv_vectorised`` first.
    """
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("COURSE_JUDGE_DIR", None)
    if grading:
        env["COURSE_JUDGE_DIR"] = str(folder / ".judge")
    prelude = "import numpy as np\nfrom course_utils import judge\n" + (CONVS if convs else "")
    cell = folder / "kernel_cell.py"
    cell.write_text(prelude + textwrap.dedent(code))
    done = subprocess.run([sys.executable, str(cell)], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0 or not grading, done.stderr
    return done


def judged(folder: Path, *check_ids: str) -> dict[str, judging.Verdict]:
    checks = [judging.get_check(ASSIGNMENT, check_id) for check_id in check_ids]
    return function_judge.judge_functions_isolated(ASSIGNMENT, checks, folder, LIMITS)


def measured(verdict: judging.Verdict) -> list[dict]:
    assert verdict.passed, verdict.message
    return json.loads(verdict.message)


def test_a_function_pickled_in_another_process_is_judged(tmp_path, monkeypatch):
    """Is a kernel's function judged right or wrong, in one harness process for all checks?"""
    done = kernel(tmp_path / "s", """
        def double(x):
            return 2 * x
        judge.submit("zz_functions", "double", double)
        judge.submit("zz_functions", "probe", lambda x: x + 1)
    """)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "s" / ".judge" / "inputs").exists()
    runs = []
    original = function_judge.Sandbox.run
    monkeypatch.setattr(function_judge.Sandbox, "run", lambda self, *a, **k: runs.append(1) or original(self, *a, **k))
    verdicts = judged(tmp_path / "s", "double", "probe", "conv_a")
    assert verdicts["double"].passed and verdicts["probe"].passed
    assert not verdicts["conv_a"].passed and "never handed" in verdicts["conv_a"].message
    assert len(runs) == 1
    wrong = kernel(tmp_path / "w", 'judge.submit("zz_functions", "double", lambda x: x + 2)')
    assert wrong.returncode == 0 and not judged(tmp_path / "w", "double")["double"].passed


def test_a_patched_clock_in_the_kernel_does_not_change_the_seconds(tmp_path):
    """Do patched time.perf_counter and timeit in the kernel leave the harness's seconds true?"""
    kernel(tmp_path, """
        import time, timeit
        time.perf_counter = lambda: 0.0
        timeit.default_timer = lambda: 0.0
        def slow(x):
            time.sleep(0.3)
            return x
        judge.submit("zz_functions", "probe", slow)
    """)
    [case] = measured(judged(tmp_path, "probe")["probe"])
    assert case["seconds"] >= 0.3


def test_dtypes_are_recorded_as_returned(tmp_path):
    """Are a float32 and a float64 output named truthfully, with no flag from the kernel?"""
    kernel(tmp_path, 'judge.submit("zz_functions", "probe", lambda x: (x.astype(np.float32), x, x > 0))')
    [case] = measured(judged(tmp_path, "probe")["probe"])
    assert case["dtypes"] == ["float32", "float64", "bool"]


def test_line_events_grow_with_a_loop_and_stay_flat_when_vectorised(tmp_path):
    """Does a loop over output positions count ~positions lines, and a vectorised conv a constant?"""
    kernel(tmp_path, convs=True, code="""
        judge.submit("zz_functions", "conv_a", conv_loop)
        judge.submit("zz_functions", "conv_b", conv_vectorised)
    """)
    verdicts = judged(tmp_path, "conv_a", "conv_b")
    loop, vectorised = measured(verdicts["conv_a"]), measured(verdicts["conv_b"])
    assert [c["shape"] for c in loop] == [[2, 8, 8, 4], [2, 32, 32, 4]] == [c["shape"] for c in vectorised]
    small, large = (c["line_events"] for c in loop)
    assert small >= 8 * 8 and large >= 32 * 32 and large > 10 * small
    assert vectorised[0]["line_events"] == vectorised[1]["line_events"] < 10


def test_a_check_that_reads_no_line_events_runs_untraced(tmp_path):
    """Is a check without counts_lines run with no tracer: no line events, and settrace no tampering?"""
    kernel(tmp_path, convs=True, code="""
        import sys
        def debugged(x, w):
            sys.settrace(None)
            return conv_loop(x, w)
        judge.submit("zz_functions", "conv_plain", debugged)
    """)
    verdict = judged(tmp_path, "conv_plain")["conv_plain"]
    assert verdict.passed, verdict.message
    assert [c["line_events"] for c in measured(verdict)] == [None, None]


def test_replacing_settrace_while_unpickling_changes_nothing(tmp_path):
    """Is a pickle whose unpickling replaces sys.settrace/gettrace with no-ops still counted?"""
    kernel(tmp_path, convs=True, code="""
        class Patch:
            def __reduce__(self):
                return (exec, ("import sys; sys.settrace = lambda *a: None; sys.gettrace = lambda: None",))
        patch = Patch()
        def sneaky(x, w):
            patch
            return conv_loop(x, w)
        judge.submit("zz_functions", "conv_a", sneaky)
        judge.submit("zz_functions", "conv_b", conv_loop)
    """)
    verdicts = judged(tmp_path, "conv_a", "conv_b")
    sneaky, honest = measured(verdicts["conv_a"]), measured(verdicts["conv_b"])
    for mine, theirs in zip(sneaky, honest):  # sneaky runs two lines of its own, then conv_loop
        assert mine["line_events"] == theirs["line_events"] + 2


@pytest.mark.parametrize("patch", [
    # the line counter of the harness (run as __main__) made to report one line per case
    "import sys; m = sys.modules['__main__']; real = m._line_counter\n"
    "def fake():\n    on_call, totals = real()\n    return on_call, lambda: (1, *totals()[1:])\n"
    "m._line_counter = fake",
    # the function that records what a case returned, rewritten in place
    "import course_utils.judge as j; j.call_case.__code__ = (lambda fn, case, **k: None).__code__",
    # NumPy's writer of the results file
    "import numpy; numpy.savez = lambda *a, **k: None",
], ids=["line-counter", "call-case-code", "numpy-savez"])
def test_rewriting_the_measurement_while_unpickling_is_refused(tmp_path, patch):
    """Is a pickle whose loading replaces what the harness measures with refused, and the next check too?"""
    kernel(tmp_path, convs=True, code=f"""
        class Patch:
            def __reduce__(self):
                return (exec, ({patch!r},))
        patch = Patch()
        def sneaky(x, w):
            patch
            return conv_loop(x, w)
        judge.submit("zz_functions", "conv_a", sneaky)
        judge.submit("zz_functions", "conv_b", conv_loop)
    """)
    verdicts = judged(tmp_path, "conv_a", "conv_b")
    for check in ("conv_a", "conv_b"):  # a change that stays is refused for every check after it
        assert not verdicts[check].passed and "changed the grader's own code" in verdicts[check].message


def test_an_honest_function_that_imports_libraries_is_not_refused(tmp_path):
    """Do imports inside the function (TensorFlow, SciPy: new submodules, no replaced names) pass?"""
    kernel(tmp_path, code="""
        def double(x):
            import scipy.special, tensorflow as tf, numpy.testing
            return 2 * tf.convert_to_tensor(x).numpy() + 0 * scipy.special.expit(0.0)
        judge.submit("zz_functions", "double", double)
    """)
    verdict = judged(tmp_path, "double")["double"]
    assert verdict.passed, verdict.message


def test_code_claiming_a_library_file_is_still_counted(tmp_path):
    """Is a hand-made pickle whose loop's code says it lives in numpy's own file still counted?"""
    kernel(tmp_path, convs=True, code="""
        import marshal
        class Spoof:
            code = marshal.dumps(conv_loop.__code__.replace(co_filename=np.__file__))
            def __call__(self, x, w):
                raise RuntimeError("only the unpickled function is called")
            def __reduce__(self):
                build = ("__import__('types').FunctionType(__import__('marshal').loads(%r), "
                         "{'np': __import__('numpy'), '__builtins__': __builtins__})" % self.code)
                return (eval, (build,))
        judge.submit("zz_functions", "conv_a", Spoof())
    """)
    small, large = (c["line_events"] for c in measured(judged(tmp_path, "conv_a")["conv_a"]))
    assert small >= 8 * 8 and large >= 32 * 32


@pytest.mark.parametrize("trick", [
    "sys.settrace(None)",
    "tracer = sys.gettrace(); sys.settrace(None); out = conv_loop(x, w); sys.settrace(tracer)",
    "frame = sys._getframe(); frame.f_trace_lines = False; out = conv_loop(x, w); frame.f_trace_lines = True",
])
def test_switching_the_counter_off_during_the_call_is_refused(tmp_path, trick):
    """Is a function that turns tracing off (and maybe on again) refused as tampering?"""
    kernel(tmp_path, convs=True, code=f"""
        import sys
        def sneaky(x, w):
            out = None
            {trick}
            return conv_loop(x, w) if out is None else out
        judge.submit("zz_functions", "conv_a", sneaky)
    """)
    verdict = judged(tmp_path, "conv_a")["conv_a"]
    assert not verdict.passed and "not accepted" in verdict.message


def test_lines_run_in_a_thread_are_counted(tmp_path):
    """Does moving the loop into a threading.Thread still count its lines?"""
    kernel(tmp_path, convs=True, code="""
        import threading
        def threaded(x, w):
            box = []
            worker = threading.Thread(target=lambda: box.append(conv_loop(x, w)))
            worker.start()
            worker.join()
            return box[0]
        judge.submit("zz_functions", "conv_a", threaded)
    """)
    small, large = (c["line_events"] for c in measured(judged(tmp_path, "conv_a")["conv_a"]))
    assert large >= 32 * 32 and large > 10 * small


@pytest.mark.parametrize("kind", ["fifo", "directory", "symlink"])
def test_a_pickle_that_is_not_a_plain_file_is_a_plain_zero(tmp_path, kind):
    """Does a FIFO, folder or link in place of the pickle give zero with a reason, without hanging?"""
    folder = tmp_path / "s"
    kernel(folder, 'judge.submit("zz_functions", "double", lambda x: 2 * x)')
    pickle_path = folder / ".judge" / "functions" / "double.pkl"
    elsewhere = tmp_path / "real.pkl"
    pickle_path.rename(elsewhere)
    {"fifo": lambda: os.mkfifo(pickle_path), "directory": pickle_path.mkdir,
     "symlink": lambda: pickle_path.symlink_to(elsewhere)}[kind]()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        verdict = pool.submit(judged, folder, "double").result(timeout=60)["double"]
    assert not verdict.passed and "refused" in verdict.message
    assert ("link" if kind == "symlink" else "not a regular file") in verdict.message
    assert "Traceback" not in verdict.message


def test_an_unpicklable_function_gets_a_plain_message(tmp_path):
    """Is a function closing over an open file told why it could not be handed over?"""
    done = kernel(tmp_path, """
        log = open("log.txt", "w")
        judge.submit("zz_functions", "double", lambda x: log.write(str(x)) and 2 * x)
    """)
    assert done.returncode == 0, done.stderr
    verdict = judged(tmp_path, "double")["double"]
    assert not verdict.passed
    assert "could not be handed to the grader" in verdict.message and "open files" in verdict.message


def test_a_function_that_cannot_be_loaded_is_a_zero_naming_only_the_error_type(tmp_path):
    """Does a pickle that fails to load give zero, without the text (it ran beside hidden inputs)?"""
    kernel(tmp_path, """
        class Broken:
            def __call__(self, x):
                return x
            def __reduce__(self):
                return (int, ("secret text",))
        judge.submit("zz_functions", "double", Broken())
    """)
    verdict = judged(tmp_path, "double")["double"]
    assert not verdict.passed and "could not load your function (ValueError)" in verdict.message
    assert "secret text" not in verdict.message


def test_the_instructor_run_uses_the_same_isolated_path(tmp_path):
    """Without a judge dir, does judge.submit pass a right function and raise on a wrong one?"""
    right = kernel(tmp_path / "r", 'judge.submit("zz_functions", "double", lambda x: 2 * x)', grading=False)
    assert right.returncode == 0, right.stderr
    wrong = kernel(tmp_path / "w", 'judge.submit("zz_functions", "double", lambda x: x)', grading=False)
    assert wrong.returncode != 0 and "AssertionError: double: wrong values" in wrong.stderr


def test_a_scipy_ufunc_imported_by_name_is_loaded_by_the_grader(tmp_path):
    """Is `from scipy.special import expit`, in a kernel where `__mp_main__` is the notebook's namespace,
    loaded and judged by the sandboxed harness (it got 0/2 as `__mp_main__.expit`, issue 27)?"""
    kernel(tmp_path, """
        import multiprocessing  # as in a Jupyter kernel: __mp_main__ is the notebook's namespace
        from scipy.special import expit
        judge.submit("zz_functions", "double", lambda x: 4 * x * expit(0.0))
    """)
    verdict = judged(tmp_path, "double")["double"]
    assert verdict.passed, verdict.message


def test_a_name_only_the_notebook_has_is_named_by_the_notebook_and_the_grader(tmp_path):
    """Is a global the harness cannot import named in one line, when the notebook's writer refuses it
    and when an older pickle that refers to it fails to load in the sandbox?"""
    notebook_only = textwrap.dedent("""
        import multiprocessing
        import cloudpickle
        from pathlib import Path
        class Token:
            def __reduce__(self):
                return "TOKEN"
        Token.__module__ = "__mp_main__"
        TOKEN = Token()
        fn = lambda x: (TOKEN, 2 * x)[1]
    """)
    kernel(tmp_path / "w", notebook_only + '\njudge.submit("zz_functions", "double", fn)\n')
    refused = judged(tmp_path / "w", "double")["double"]
    assert not refused.passed and "`TOKEN` cannot be sent to the grader" in refused.message
    kernel(tmp_path / "o", notebook_only + """
folder = Path(".judge/functions")
folder.mkdir(parents=True)
(folder / "double.pkl").write_bytes(cloudpickle.dumps(fn))
""")
    failed = judged(tmp_path / "o", "double")["double"]
    assert not failed.passed and "could not load your function" in failed.message
    assert "`TOKEN` cannot be sent to the grader" in failed.message and "\n" not in failed.message


def test_a_helper_module_beside_the_notebook_travels_by_value(tmp_path):
    """Is a function from the student's own ``helpers.py`` (which the sandbox cannot import) sent by
    value, when the writer has already looked at every module once before?"""
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "helpers.py").write_text("def twice(x):\n    return 2 * x\n")
    kernel(tmp_path / "s", """
        judge.submit("zz_functions", "probe", lambda x: x + 1)  # every module already looked at once
        from helpers import twice
        judge.submit("zz_functions", "double", lambda x: twice(x))
    """)
    verdict = judged(tmp_path / "s", "double")["double"]
    assert verdict.passed, verdict.message


def test_a_keras_layer_made_outside_the_function_is_loaded_or_named_by_the_grader(tmp_path):
    """Is a layer of the notebook's own class (keras.io's way: made once, a SeedGenerator inside)
    loaded by the sandboxed harness (it was 'could not load your function (TypeError)'), and one
    Keras cannot rebuild from its get_config named in one line?"""
    layer = """
        import keras
        class Twice(keras.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.seed_generator = keras.random.SeedGenerator()
            def call(self, x):
                return 2 * x + 0 * keras.random.normal(keras.ops.shape(x), seed=self.seed_generator)
            {config}
        twice = Twice()
        judge.submit("zz_functions", "double", lambda x: twice(x))
    """
    kernel(tmp_path / "r", layer.format(config=""))
    verdict = judged(tmp_path / "r", "double")["double"]
    assert verdict.passed, verdict.message
    kernel(tmp_path / "w", layer.format(config="def get_config(self): return {'units': 3}"))
    refused = judged(tmp_path / "w", "double")["double"]
    assert not refused.passed and "your Keras `Twice` object, made outside the function" in refused.message
    assert "\n" not in refused.message
