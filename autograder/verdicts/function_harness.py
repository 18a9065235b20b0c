"""Call student functions on hidden cases and measure them, in a process of their own.

Started by the grader (:mod:`autograder.verdicts.function_judge`) inside a fresh
:class:`autograder.isolation.sandbox.Sandbox`, as a plain script bound read-only into it:
``python function_harness.py WORK CHECK[:lines] [CHECK[:lines] ...]`` (``:lines``: count
line events for that check, :attr:`autograder.verdicts.judging.FunctionCheck.counts_lines`). The sandbox holds this
file, ``course_utils`` and WORK; never ``autograder/`` or the hidden checks.
The grader's in-process instructor helper (``judging.run_function_check_inline``)
measures with :func:`run_cases` from here too, so both agree on what is counted.

WORK on the way in (both read into memory, then deleted before any student code
is unpickled, so the function cannot read a hidden input from disk)::

    functions/<check>.pkl       the function, as ``course_utils.judge.submit`` pickled it
    inputs/<check>.npz          the hidden cases (``course_utils.judge.encode_cases``)

and on the way out::

    results/<check>.npz         ``encode_results``: per case the float outputs, their
                                dtypes as returned, seconds and line events (no pickle)
    results/<check>.error.txt   the function could not be loaded, or a case was
                                refused as tampering (a plain message)

Measured here, per case, not in the student's kernel:

- seconds: ``time.perf_counter`` captured when this module loads, around the
  call and the conversion of its outputs;
- dtypes: of the values as returned (``CaseResult.dtypes``);
- line_events, for a check that reads them (only these run under the tracer, which
  slows Python-heavy library code such as Keras by about a third): ``line``
  trace events in student code, i.e. code whose
  ``co_filename`` is not under ``sys.prefix``/``sys.base_prefix`` (standard
  library, site-packages), not frozen, not this file and not ``course_utils``,
  or that runs outside its library module's namespace (an unpickled function
  always does, whatever file name its code claims; :func:`is_library_frame`).
  ``sys.settrace``/``sys.gettrace`` are captured before anything is unpickled.
  Threads started through ``threading`` are traced and counted too.
- not_attempted: whether a NotImplementedError was raised by a ``raise
  NotImplementedError()`` in student code (the template's stub) rather than by a
  library (TensorFlow's symbolic-tensor error); it only chooses the message.

A check is refused as tampering when loading or running its function replaced or
rewrote what the measurement runs on: a name of this module, ``course_utils.judge``,
NumPy or ``builtins``, a method of the guard, or the code or defaults of one of their
functions (:class:`Snapshot`, taken in :func:`main` before anything is unpickled).

A case is refused as tampering (no outputs; its error says why) when, during it,
student code forked a process, searched the interpreter's objects (``gc.get_objects``/``get_referrers``),
or took a stack frame of its own or of the harness (``sys._getframe``,
``inspect.currentframe``), or, while lines are counted, switched the tracer off or
replaced it (``sys.settrace``, ``sys.setprofile``, a frame's ``f_trace`` or
``f_trace_lines``). This is seen by an audit hook (``sys.addaudithook``; it cannot be removed) and
by checking after each call that the tracer is still installed and that every
traced frame returned through it. Not covered, by design of an in-process
tracer: threads started with ``_thread`` directly, programs started with
``subprocess`` (libraries do that on import), code built at call time with a
library's file name and namespace, code that reaches into this
module's objects, and library modules patched inside this process. Such code is
written against the grader and stays in the submitted notebook for review.
"""

from __future__ import annotations

import os
import pickle
import shutil
import site
import sys
import threading
import time
import types
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import numpy as np

from course_utils import judge as notebook_judge
from course_utils.judge import ERROR_SUFFIX, MAX_ERROR_CHARS, CaseResult

# Captured before any student code is unpickled: a payload that later replaces
# these attributes of ``sys``, ``time``, ``threading``, ``pickle`` or ``os``
# changes nothing here.
_settrace, _gettrace = sys.settrace, sys.gettrace
_thread_settrace, _thread_gettrace = threading.settrace, threading.gettrace
_clock = time.perf_counter
_loads = pickle.loads
_exit = os._exit
_THREAD_START = threading.Thread._bootstrap_inner.__code__

REFUSED = "not accepted"
LOAD_FAILED = "the grader could not load your function"
_PICKLED_CODE = "<dynamic-code"  # co_filename of pickled code: cloudpickle's, or course_utils.handover's with a digest
_FORK_EVENTS = ("os.fork", "os.forkpty")  # a child would run Python code untraced
_OBJECT_SEARCH = ("gc.get_objects", "gc.get_referrers", "gc.get_referents")
LINES_SUFFIX = ":lines"  # on a check id in argv: count that check's line events


def _roots(*folders: str) -> tuple[str, ...]:
    """Each folder as given and resolved, ending in a separator (for ``str.startswith``)."""
    return tuple(sorted({form.rstrip(os.sep) + os.sep for folder in folders
                         for form in (folder, os.path.realpath(folder))}))


_COURSE_ROOTS = _roots(str(Path(notebook_judge.__file__).parent))
_LIBRARY_PREFIXES = ("<frozen ", *_roots(sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                                         *site.getsitepackages()), *_COURSE_ROOTS)
_THIS_FILE = frozenset({__file__, os.path.realpath(__file__)})


def is_library(filename: str) -> bool:
    """True for code that is not the student's: stdlib, site-packages, frozen, harness, course_utils."""
    return filename in _THIS_FILE or filename.startswith(_LIBRARY_PREFIXES)


_MODULE_NAMESPACES: dict[int, dict] = {}  # id -> the namespace of a module in sys.modules


def _is_module_namespace(namespace: dict) -> bool:
    """Is ``namespace`` the ``__dict__`` of an imported module (refreshed on a miss)?"""
    if _MODULE_NAMESPACES.get(id(namespace)) is namespace:
        return True
    for module in list(sys.modules.values()):
        found = getattr(module, "__dict__", None)
        if isinstance(found, dict):
            _MODULE_NAMESPACES[id(found)] = found
    return _MODULE_NAMESPACES.get(id(namespace)) is namespace


def is_library_frame(frame: Any) -> bool:
    """Does this frame run library code, in the namespace of a library module?

    An unpickled function always runs in a fresh namespace, so student code whose
    ``co_filename`` claims a library file is still counted. Code made by ``exec``
    (``"<string>"``, e.g. a dataclass's ``__init__``) is judged by the file of
    the module whose namespace it runs in.
    """
    filename = frame.f_code.co_filename
    if filename.startswith("<") and not filename.startswith("<frozen "):
        module = sys.modules.get(str(frame.f_globals.get("__name__", "")))
        return (module is not None and getattr(module, "__dict__", None) is frame.f_globals
                and is_library(str(getattr(module, "__file__", None) or "<none>")))
    return is_library(filename) and _is_module_namespace(frame.f_globals)


def _is_student_frame(frame: Any) -> bool:
    """Student code (not a library's): where the template's ``raise NotImplementedError()`` can run."""
    return not is_library_frame(frame)


def _is_guarded_frame(frame: Any) -> bool:
    """A frame student code must not hold: the harness's, ``call_case``'s, or its own.

    Its own: cloudpickle names the code it carries ``"<dynamic-code>"`` (``course_utils.handover``
    ``"<dynamic-code:DIGEST>"``). Other code
    made by ``exec`` (``"<string>"``) is left alone: libraries run such code on
    import and take its frame.
    """
    filename = frame.f_code.co_filename
    if filename in _THIS_FILE or filename.startswith(_COURSE_ROOTS) or filename.startswith(_PICKLED_CODE):
        return True
    return not filename.startswith("<") and not is_library_frame(frame)


class _Guard:
    """Collects, while armed, the audit events that would hide work from the line counter."""

    def __init__(self) -> None:
        self.armed = False
        self.counting = False  # settrace/setprofile are tampering only while lines are counted
        self.quiet = False  # the harness's own settrace/_getframe calls
        self.flags: list[str] = []
        self.installed = False

    def arm(self, counting: bool = False) -> None:
        if not self.installed:
            sys.addaudithook(self._hook)
            self.installed = True
        self.flags, self.armed, self.counting = [], True, counting

    def disarm(self) -> list[str]:
        self.armed = False
        return self.flags

    def settrace(self, function: Callable | None, in_threads: Callable | None) -> None:
        """Install the harness's tracer (or the previous one) without raising a flag."""
        self.quiet = True
        try:
            _settrace(function)
            _thread_settrace(in_threads)
        finally:
            self.quiet = False

    def _hook(self, event: str, args: tuple) -> None:
        if not self.armed or self.quiet:
            return
        why = None
        if event in ("sys.settrace", "sys.setprofile"):
            if self.counting and not (event == "sys.settrace" and self._thread_starting()):
                why = f"called {event}, which switches off the grader's line counter"
        elif event in _FORK_EVENTS:
            why = f"forked another Python process ({event})"
        elif event in _OBJECT_SEARCH:
            why = f"searched the interpreter's objects ({event})"
        elif event == "sys._getframe" and _is_guarded_frame(args[0]):
            why = "took a stack frame (sys._getframe or inspect.currentframe)"
        if why is not None:
            self.flags.append(why)

    def _thread_starting(self) -> bool:
        """Is this ``sys.settrace`` threading's own, installing our tracer in a new thread?"""
        self.quiet = True
        try:  # frames: this method, _hook, then the caller of sys.settrace
            return sys._getframe(2).f_code is _THREAD_START
        finally:
            self.quiet = False


_GUARD = _Guard()


def _line_counter() -> tuple[Callable, Callable[[], tuple[int, int, int, bool]]]:
    """A ``sys.settrace`` function counting student code's line events, and a reader.

    The reader returns ``(line events, student frames entered, student frames
    that returned through the counter, whether a frame had line events turned off)``.
    """
    lines = calls = returns = 0
    lines_off = False
    verdicts: dict[Any, bool] = {}  # by code object

    def local(frame: Any, event: str, arg: Any) -> Callable:
        nonlocal lines, returns, lines_off
        if event == "line":
            lines += 1
        elif event == "return":
            returns += 1
            lines_off = lines_off or not frame.f_trace_lines
        return local

    def on_call(frame: Any, event: str, arg: Any) -> Callable | None:
        nonlocal calls
        library = verdicts.get(frame.f_code)
        if library is None:
            library = verdicts[frame.f_code] = is_library_frame(frame)
        if library:
            return None
        calls += 1
        return local

    return on_call, lambda: (lines, calls, returns, lines_off)


def run_case(fn: Callable[..., Any], case: dict[str, Any], count_lines: bool = False) -> CaseResult:
    """``call_case(fn, case)`` under the guard (and the line counter if asked); tampering refuses the case."""
    if not count_lines:
        _GUARD.arm()
        try:
            result = notebook_judge.call_case(fn, case, clock=_clock, is_student=_is_student_frame)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - e.g. sys.exit() in student code
            result = CaseResult(None, f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS], 0.0)
        finally:
            flags = _GUARD.disarm()
        return _refused(flags, result.seconds) if flags else result
    on_call, totals = _line_counter()
    previous, previous_in_threads = _gettrace(), _thread_gettrace()
    _GUARD.arm(counting=True)
    _GUARD.settrace(on_call, on_call)
    try:
        result = notebook_judge.call_case(fn, case, clock=_clock, is_student=_is_student_frame)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - e.g. sys.exit() in student code
        result = CaseResult(None, f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS], 0.0)
    finally:
        still_counting = _gettrace() is on_call
        _GUARD.settrace(previous, previous_in_threads)
        flags = _GUARD.disarm()
    lines, calls, returns, lines_off = totals()
    if not flags and not still_counting:
        flags = ["replaced the grader's line counter (sys.settrace)"]
    if not flags and (lines_off or calls != returns):
        flags = ["turned off line tracing in some of its frames, or left a thread running"]
    if flags:
        return _refused(flags, result.seconds)
    return replace(result, line_events=lines)


def _refused(flags: list[str], seconds: float) -> CaseResult:
    """The case's result when the guard saw tampering: no outputs, the first reason."""
    return CaseResult(None, f"{REFUSED}: your function {flags[0]}; the grader does not "
                            "allow that while it measures your code", seconds)


def run_cases(fn: Callable[..., Any], cases: list[dict[str, Any]], count_lines: bool = False) -> list[CaseResult]:
    """One :func:`run_case` per hidden case, in order."""
    return [run_case(fn, case, count_lines) for case in cases]


def refusal(results: list[CaseResult]) -> str | None:
    """The first case's tampering message, if any case was refused (the whole check is then)."""
    return next((r.error for r in results if r.error is not None and r.error.startswith(REFUSED)), None)


def load_function(payload: bytes) -> tuple[Callable[..., Any] | None, str | None]:
    """Unpickle a handed-over function under the guard; return ``(function, None)`` or ``(None, why)``."""
    fn, problem = None, None
    _GUARD.arm()
    try:
        fn = _loads(payload)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure is the student's zero
        # The type only: the text comes from code that ran beside the hidden inputs.
        problem = f"{LOAD_FAILED} ({type(exc).__name__}); it may use a module the grader does not have"
    flags = _GUARD.disarm()
    if flags:
        return None, f"{REFUSED}: loading your function {flags[0]}"
    if problem is None and not callable(fn):
        problem = f"what was handed to the grader is a {type(fn).__name__}, not a function"
    return (None, problem) if problem else (fn, None)


_ABSENT = object()


class Snapshot:
    """What the measurement runs on, as it was when taken (before any student code is unpickled).

    :meth:`changed` names the first module name replaced or deleted, or function whose code or
    defaults were rewritten, since then. Names added later are not compared (NumPy imports some
    submodules on first use). Unpickled code can still reach these objects; it cannot change
    them without this noticing, so a measurement it rewrote can never add points.
    """

    def __init__(self) -> None:
        import builtins

        spaces = [(module.__name__, vars(module)) for module in (sys.modules[__name__], notebook_judge, np, builtins)]
        spaces.append(("the guard", vars(_Guard)))
        self.names = [(label, live, dict(live)) for label, live in spaces]
        self.code = [(f"{label}.{name}", f, f.__code__, f.__defaults__, f.__kwdefaults__)
                     for label, _, saved in self.names for name, f in saved.items()
                     if isinstance(f, types.FunctionType)]

    def changed(self) -> str | None:
        for label, live, saved in self.names:
            for name, value in saved.items():
                if live.get(name, _ABSENT) is not value:
                    return f"{label}.{name}"
        for label, f, code, defaults, kwdefaults in self.code:
            if f.__code__ is not code or f.__defaults__ is not defaults or f.__kwdefaults__ is not kwdefaults:
                return label
        return None


def _tampered(snapshot: Snapshot, when: str) -> str | None:
    """The refusal when ``snapshot`` no longer holds (``when``: "loading" or "running")."""
    what = snapshot.changed()
    return None if what is None else (f"{REFUSED}: {when} your function changed the grader's own code ({what}); "
                                      "the grader does not allow that while it measures your code")


def main(argv: list[str]) -> None:
    """``WORK CHECK...``: read, delete, load, run and write as the module docstring says."""
    work, requested = Path(argv[0]), argv[1:]
    checks = [item.removesuffix(LINES_SUFFIX) for item in requested]
    counted = {item.removesuffix(LINES_SUFFIX) for item in requested if item.endswith(LINES_SUFFIX)}
    snapshot = Snapshot()
    handed: dict[str, tuple[list[dict[str, Any]], bytes]] = {}
    for check in checks:
        with np.load(work / "inputs" / f"{check}.npz", allow_pickle=False) as flat:
            cases = notebook_judge.decode_cases(flat)
        handed[check] = (cases, (work / "functions" / f"{check}.pkl").read_bytes())
    for folder in ("inputs", "functions"):
        shutil.rmtree(work / folder)
    results = work / "results"
    results.mkdir()
    for check in checks:
        cases, payload = handed.pop(check)
        fn, problem = load_function(payload)
        problem = _tampered(snapshot, "loading") or problem
        if fn is None or problem is not None:
            (results / f"{check}{ERROR_SUFFIX}").write_text(str(problem)[:MAX_ERROR_CHARS], encoding="utf-8")
            continue
        measured = run_cases(fn, cases, count_lines=check in counted)
        problem = _tampered(snapshot, "running") or refusal(measured)
        if problem is not None:
            (results / f"{check}{ERROR_SUFFIX}").write_text(problem[:MAX_ERROR_CHARS], encoding="utf-8")
            continue
        np.savez(results / f"{check}.npz", **notebook_judge.encode_results(measured))


if __name__ == "__main__":
    main(sys.argv[1:])
    sys.stdout.flush()
    _exit(0)  # skips atexit handlers and finalizers a payload may have registered
