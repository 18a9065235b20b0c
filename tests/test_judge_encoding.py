"""Tests for the plain-npz encoding of course_utils.judge: what crosses the sandbox boundary, and how."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import judge
from course_utils.judge import (
    MAX_ERROR_CHARS,
    CaseResult,
    call_case,
    decode_cases,
    decode_results,
    encode_cases,
    encode_results,
)


def through_file(flat: dict[str, np.ndarray], tmp_path) -> dict[str, np.ndarray]:
    """Write with np.savez and read back without pickle, as the grader and the sandbox do."""
    path = tmp_path / "flat.npz"
    np.savez(path, **flat)
    with np.load(path, allow_pickle=False) as loaded:
        return {key: loaded[key] for key in loaded.files}


def test_cases_round_trip_through_a_pickle_free_file(tmp_path):
    """Do arrays, numbers and strings come back as they went in, scalars as Python scalars?"""
    x = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    cases = [{"x": x, "stride": 2, "pad": "same"}, {"x": x[:1], "stride": 1, "pad": "valid"}, {}]
    decoded = decode_cases(through_file(encode_cases(cases), tmp_path))
    assert len(decoded) == 3 and decoded[2] == {}
    np.testing.assert_array_equal(decoded[0]["x"], x)
    assert decoded[0]["stride"] == 2 and isinstance(decoded[0]["stride"], int)
    assert decoded[1]["pad"] == "valid" and isinstance(decoded[1]["pad"], str)
    assert decoded[1]["x"].shape == (1, 3, 4)


def test_argument_names_may_not_contain_the_separator():
    with pytest.raises(ValueError, match="must not contain '__'"):
        encode_cases([{"bad__name": 1}])


def test_call_case_returns_float_outputs_and_time():
    result = call_case(lambda a, b: (a + b, a * b), {"a": np.array([1, 2]), "b": 3})
    assert result.error is None and result.seconds >= 0
    assert [o.tolist() for o in result.outputs] == [[4.0, 5.0], [3.0, 6.0]]
    assert all(o.dtype == np.float64 for o in result.outputs)


def test_call_case_wraps_a_single_return_value_in_a_tuple():
    result = call_case(lambda x: x * 2, {"x": np.ones(2)})
    assert len(result.outputs) == 1


def test_call_case_gives_the_student_copies_of_the_inputs():
    """Can a student function that writes into its input corrupt the hidden case? It must not."""
    case = {"x": np.zeros(3)}

    def vandal(x):
        x[:] = 99.0
        return x

    call_case(vandal, case)
    np.testing.assert_array_equal(case["x"], np.zeros(3))


def test_call_case_turns_exceptions_into_short_messages():
    """Is a student exception data (type and message, bounded in length), not a crash?"""
    result = call_case(lambda: 1 / 0, {})
    assert result.outputs is None and result.error.startswith("ZeroDivisionError")
    long = call_case(lambda: (_ for _ in ()).throw(ValueError("x" * 5000)), {})
    assert len(long.error) == MAX_ERROR_CHARS


def test_call_case_refuses_outputs_that_are_not_numbers():
    """An object that is not a number (a string, a lying object) becomes an error, never a value."""

    class AlwaysEqual:
        def __eq__(self, other):
            return True

    for value in ("abc", AlwaysEqual(), {"a": 1}):
        result = call_case(lambda v=value: v, {})
        assert result.outputs is None and result.error


def test_results_round_trip_through_a_pickle_free_file(tmp_path):
    results = [
        CaseResult(outputs=(np.ones((2, 2)), np.array(3.0)), error=None, seconds=0.5),
        CaseResult(outputs=None, error="ValueError: bad shape", seconds=0.1),
        CaseResult(outputs=(), error=None, seconds=0.0),
    ]
    decoded = decode_results(through_file(encode_results(results), tmp_path))
    assert len(decoded) == 3
    np.testing.assert_array_equal(decoded[0].outputs[0], np.ones((2, 2)))
    assert decoded[0].outputs[1].shape == () and decoded[0].seconds == 0.5
    assert decoded[1] == CaseResult(None, "ValueError: bad shape", 0.1)
    assert decoded[2].outputs == ()


@pytest.mark.parametrize(
    "flat",
    [
        {},
        {"n_cases": np.asarray(1)},
        {"n_cases": np.asarray(1), "c0__seconds": np.asarray(0.1), "c0__n_outputs": np.asarray(2),
         "c0__o0": np.zeros(1)},
        {"n_cases": np.asarray("many")},
    ],
)
def test_malformed_results_are_a_value_error(flat):
    """Does a truncated or tampered results file fail clearly rather than score?"""
    with pytest.raises(ValueError, match="malformed judge results"):
        decode_results(flat)


def test_submit_in_a_judge_dir_hands_over_a_pickle_and_reads_no_inputs(tmp_path, monkeypatch):
    """With COURSE_JUDGE_DIR set, is the function pickled by value, and no hidden input read or answered?"""
    import pickle

    monkeypatch.setenv(judge.JUDGE_DIR_ENV, str(tmp_path))
    (tmp_path / "inputs").mkdir()
    np.savez(tmp_path / "inputs" / "double.npz", **encode_cases([{"x": np.arange(3.0)}]))
    judge.submit("00_setup", "double", lambda x: 2 * x)
    assert not (tmp_path / "outputs").exists()
    handed = pickle.loads((tmp_path / judge.FUNCTIONS_DIR / "double.pkl").read_bytes())
    np.testing.assert_array_equal(handed(np.arange(3.0)), [0.0, 2.0, 4.0])
    judge.submit_artifact("00_setup", "model")  # grading: artifacts are checked later, by the grader


def test_an_unpicklable_function_leaves_a_plain_message(tmp_path, monkeypatch):
    """Does a function closing over an open file leave a message naming the problem, and no pickle?"""
    monkeypatch.setenv(judge.JUDGE_DIR_ENV, str(tmp_path))
    with open(tmp_path / "data.txt", "w") as handle:
        judge.submit("00_setup", "double", lambda x: handle.write(str(x)))
    folder = tmp_path / judge.FUNCTIONS_DIR
    assert not (folder / "double.pkl").exists()
    message = (folder / f"double{judge.ERROR_SUFFIX}").read_text()
    assert message.startswith("your function could not be handed to the grader: PicklingError")
    assert "open files" in message and len(message) <= judge.MAX_ERROR_CHARS


def test_dtypes_and_line_events_round_trip(tmp_path):
    """Do the original dtypes and the line count cross the file boundary unchanged?"""
    results = [CaseResult((np.zeros(2), np.ones(1)), None, 0.25, ("float32", "bool"), 17),
               CaseResult(None, "ValueError: no", 0.1, None, 3)]
    decoded = decode_results(through_file(encode_results(results), tmp_path))
    assert decoded[0].dtypes == ("float32", "bool") and decoded[0].line_events == 17
    assert decoded[1].line_events == 3 and decoded[1].dtypes is None


def test_call_case_records_the_dtypes_as_returned():
    """Are float32, float64, int and bool outputs named as returned, before the float conversion?"""
    result = call_case(lambda x: (x.astype(np.float32), x, x.astype(int), x > 0), {"x": np.ones(2)})
    assert result.dtypes == ("float32", "float64", "int64", "bool")
    assert all(o.dtype == np.float64 for o in result.outputs) and result.line_events is None


@pytest.mark.parametrize("extra", [{"c0__dtypes": np.asarray(["float32", "bool"])},
                                   {"c0__dtypes": np.asarray([1.0])},
                                   {"c0__line_events": np.asarray(-5)}])
def test_malformed_dtypes_or_line_counts_are_a_value_error(extra):
    """Is a dtype list of the wrong length or kind, or a negative line count, refused?"""
    flat = {"n_cases": np.asarray(1), "c0__seconds": np.asarray(0.1), "c0__n_outputs": np.asarray(1),
            "c0__o0": np.zeros(1), **extra}
    with pytest.raises(ValueError, match="malformed judge results"):
        decode_results(flat)


def test_submit_rejects_a_non_function():
    with pytest.raises(TypeError, match="needs a function, got int"):
        judge.submit("00_setup", "double", 3)


def test_the_template_raise_is_told_apart_from_a_library_one(tmp_path):
    """Is only a `raise NotImplementedError()` in the student's own code "not attempted", and does
    that flag survive the results file?"""
    import asyncio

    def stub(x):
        raise NotImplementedError()

    def unfinished_loop(x):
        return asyncio.AbstractEventLoop().run_forever()  # the library's own bare NotImplementedError

    def with_message(x):
        raise NotImplementedError("not for this dtype")

    results = [call_case(fn, {"x": 1}) for fn in (stub, unfinished_loop, with_message)]
    assert all(r.error and r.error.startswith("NotImplementedError") for r in results)
    assert [r.not_attempted for r in results] == [True, False, False]
    decoded = decode_results(through_file(encode_results(results), tmp_path))
    assert [r.not_attempted for r in decoded] == [True, False, False]


def test_a_scipy_ufunc_is_pickled_by_its_library_not_the_notebooks_alias(monkeypatch):
    """Is `from scipy.special import expit` in a kernel (where `__mp_main__` is the notebook's namespace)
    pickled as `scipy.special`'s, when plain cloudpickle names `__mp_main__` (issue 27)?"""
    import types

    import cloudpickle
    from scipy.special import expit

    from course_utils import handover

    notebook = types.ModuleType("__main__")
    notebook.expit = expit
    fn = eval("lambda x: expit(x)", {"expit": expit, "__name__": "__main__"})
    modules = __import__("sys").modules
    saved = dict(modules)
    try:  # `__mp_main__` early in sys.modules, as in a kernel, where multiprocessing came before scipy
        modules.clear()
        modules["__mp_main__"] = notebook
        modules.update({name: module for name, module in saved.items() if name != "__mp_main__"})
        before = handover.references(cloudpickle.dumps(fn))
        sent = handover.references(handover.dumps(fn))
        assert handover.problem(fn) is None
    finally:
        modules.clear()
        modules.update(saved)
    assert ("__mp_main__", "expit") in before and handover.unsendable(before).name == "expit"
    assert ("scipy.special", "") in sent and not any(module == "__mp_main__" for module, _ in sent)


def test_submit_on_a_students_machine_names_what_cannot_be_sent(monkeypatch):
    """Without the grader, does submit fail the cell in one line naming a name found only in the
    notebook, and say nothing for a function the grader can load?"""
    import sys
    import types

    notebook = types.ModuleType("__main__")
    token_type = type("Token", (), {"__reduce__": lambda self: "TOKEN", "__module__": "__main__"})
    notebook.TOKEN = token = token_type()
    monkeypatch.setitem(sys.modules, "__main__", notebook)
    monkeypatch.setattr(judge, "_grader_installed", lambda: False)
    monkeypatch.delenv(judge.JUDGE_DIR_ENV, raising=False)
    judge.submit("00_setup", "double", lambda x: 2 * x)
    with pytest.raises(AssertionError) as raised:
        judge.submit("00_setup", "double", lambda x: (token, 2 * x)[1])
    message = str(raised.value)
    assert "`TOKEN` cannot be sent to the grader" in message and "\n" not in message


def test_pickle_references_are_read_without_loading():
    """Are a pickle's globals and cloudpickle's module imports listed from its opcodes, and is a
    damaged pickle a ValueError (or what came before the damage, when partial)?"""
    import pickle

    from course_utils import handover

    payload = pickle.dumps([np.add, len])
    assert handover.references(payload) == [("numpy", "add"), ("builtins", "len")]
    with pytest.raises(ValueError):
        handover.references(payload[:-5])
    assert handover.references(payload[:-5], partial=True) == [("numpy", "add")]
    assert handover.unsendable([("no_such_module_zz", "f")]).message.startswith("`no_such_module_zz`")


_SAMPLING = '''
class Sampling(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator()

    def call(self, inputs):
        mu, log_var = inputs
        eps = keras.random.normal(keras.ops.shape(mu), seed=self.seed_generator)
        return mu + keras.ops.exp(0.5 * log_var) * eps


class Shift(keras.layers.Layer):  # get_config leaves out __init__'s k: Keras cannot rebuild it
    def __init__(self, k, **kwargs):
        super().__init__(**kwargs)
        self.k = k

    def get_config(self):
        return super().get_config()

    def call(self, x):
        return x + self.k


sampler, shift = Sampling(), Shift(3.0)
'''


def test_a_keras_layer_of_the_notebooks_class_made_outside_the_function_is_sent(monkeypatch):
    """Is keras.io's Sampling layer, made once at the notebook's top level, pickled with its class so
    that it loads (Keras's own pickling looks the class up by name: TypeError) and draws fresh noise
    at each call; and is a layer Keras cannot rebuild named in one line by the notebook?"""
    import pickle
    import sys
    import types

    import cloudpickle

    keras = pytest.importorskip("keras")
    from course_utils import handover

    notebook = types.ModuleType("__main__")
    notebook.keras = keras
    monkeypatch.setitem(sys.modules, "__main__", notebook)
    exec(compile(_SAMPLING, "<notebook>", "exec"), vars(notebook))
    sample = eval("lambda mu, log_var: sampler([mu, log_var])", vars(notebook))
    with pytest.raises(TypeError, match="Could not locate class 'Sampling'"):
        pickle.loads(cloudpickle.dumps(sample))
    assert handover.problem(sample) is None
    loaded = pickle.loads(handover.dumps(sample))
    mu = np.zeros((2, 3), dtype="float32")
    first, second = (np.asarray(loaded(mu, mu)) for _ in range(2))
    assert first.shape == (2, 3) and not np.array_equal(first, second)
    message = handover.problem(eval("lambda x: shift(x)", vars(notebook)))
    assert message is not None and "\n" not in message
    assert message.startswith("your Keras `Shift` object, made outside the function, cannot be sent")
    assert "create it inside the function" in message


_CELL_A = '''import tensorflow as tf

@tf.function
def running_sum(x):
    total = tf.zeros_like(x[0])
    for k in tf.range(tf.shape(x)[0]):
        total += x[k]
    return total
'''
_CELL_B = '''import tensorflow as tf

@tf.function
def doubled(x):
    return 2.0 * x
'''
_LOAD_IN_A_FRESH_PROCESS = '''
import pickle, sys
import numpy as np
payloads = pickle.loads(sys.stdin.buffer.read())
for payload in payloads:
    fn = pickle.loads(payload)
    print(float(np.asarray(fn(np.arange(4, dtype=np.float32))).sum()))
'''


def test_a_tf_function_looping_over_a_tensor_is_converted_from_its_own_cells_lines(tmp_path):
    """Does a ``tf.function`` with a ``tf.range`` loop, defined in a notebook cell, run where it is
    loaded (AutoGraph needs its source, which cloudpickle drops), and does another cell's
    ``tf.function`` whose code starts on the same line run from its own lines (issue 27)? Lines
    sent under a name that is not their digest are not registered."""
    import linecache
    import pickle
    import subprocess
    import sys

    pytest.importorskip("tensorflow")
    from cloudpickle import cloudpickle as cloudpickle_internals

    from course_utils import handover

    functions = []
    for index, cell in enumerate((_CELL_A, _CELL_B)):
        filename = str(tmp_path / f"cell_{index}.py")  # as ipykernel names a cell and registers its lines
        linecache.cache[filename] = (len(cell), None, cell.splitlines(True), filename)
        namespace = {"__name__": "__main__"}
        exec(compile(cell, filename, "exec"), namespace)
        functions.append(namespace["running_sum" if index == 0 else "doubled"])
    payloads = [handover.dumps(fn) for fn in functions]
    for path in tmp_path.glob("cell_*.py"):
        linecache.cache.pop(str(path), None)
    loaded = subprocess.run([sys.executable, "-c", _LOAD_IN_A_FRESH_PROCESS], input=pickle.dumps(payloads),
                            capture_output=True, timeout=300, cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr.decode()[-2000:]
    assert [float(line) for line in loaded.stdout.split()] == [6.0, 12.0]  # sum(0..3) summed; 2*(0..3) summed

    lines = tuple(_CELL_B.splitlines(True))
    code = compile("def f():\n    return 1\n", "<dynamic-code>", "exec").co_consts[0]
    args = cloudpickle_internals._code_reduce(code)[1]
    assert handover._code_with_source(args, handover._source_name(lines), lines).co_filename.startswith("<dynamic-code:")
    forged = handover._code_with_source(args, "<dynamic-code:0000>", lines)
    assert forged.co_filename == "<dynamic-code>" and "<dynamic-code:0000>" not in linecache.cache
