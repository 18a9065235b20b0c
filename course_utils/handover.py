"""How a notebook's function is pickled so that the grader's harness can load it, and why it may not.

Why (issue 27): cloudpickle ships the notebook's own code by value and library
objects by name. An object without a usable ``__module__`` (a SciPy ufunc such
as ``scipy.special.expit``, some C functions) is named by pickle's
``whichmodule``, which takes the first module in ``sys.modules`` holding it. In a
Jupyter kernel ``sys.modules["__mp_main__"]`` is the notebook's own namespace
(``multiprocessing`` aliases ``__main__`` when it is imported), so
``from scipy.special import expit`` was pickled as ``__mp_main__.expit``: the
harness, which never ran the notebook, failed to load it (``AttributeError``).
:func:`dumps` names such objects by the library module that holds them instead.

:func:`references` lists, from a pickle's opcodes (nothing is loaded), the
globals and modules it will import; :func:`unsendable` says which of them the
harness cannot import, so both the notebook (``judge.submit``) and the grader
can name it in one line.
"""

from __future__ import annotations

import importlib.util
import io
import re
import sys
import types
from typing import Any, Callable, NamedTuple

MAIN_MODULES = ("__main__", "__mp_main__")  # the notebook's namespace, under both names
_STRINGS = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING", "BINSTRING", "STRING"}
_NO_PUSH = {"PROTO", "FRAME", "MEMOIZE", "PUT", "BINPUT", "LONG_BINPUT", "STOP", "MARK", "POP", "POP_MARK"}
_SHOWN = re.compile(r"[^A-Za-z0-9_.]")  # a name from a pickle is shown with these characters only
_SUBIMPORT = "subimport"  # cloudpickle's "import this module by name"


def _notebook_namespaces() -> list[dict[str, Any]]:
    """The namespaces of ``__main__`` and ``__mp_main__`` (the notebook's, in a kernel)."""
    return [vars(m) for m in (sys.modules.get(name) for name in MAIN_MODULES) if isinstance(m, types.ModuleType)]


def _by_name(obj: Any) -> bool:
    """Is ``obj`` pickled by a global name that pickle itself looks up (a ufunc, a module-level C function)?"""
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(obj, numpy.ufunc):
        return True
    return isinstance(obj, types.BuiltinFunctionType) and (
        obj.__self__ is None or isinstance(obj.__self__, types.ModuleType))


def library_home(obj: Any) -> tuple[types.ModuleType, str] | None:
    """``(module, name)`` of an importable library module holding ``obj`` under its ``__name__``.

    Only for objects pickled by name (:func:`_by_name`) whose declared ``__module__``
    does not hold them; None for anything else (pickle names those well itself) and
    when no module but the notebook's holds it (pickle then reports it as before).
    The most public module wins (fewest ``_private`` parts, then the shortest name),
    e.g. ``scipy.special`` for ``expit``.
    """
    if not _by_name(obj):
        return None
    name = getattr(obj, "__name__", None)
    if not isinstance(name, str):
        return None
    import cloudpickle

    by_value = set(cloudpickle.list_registry_pickle_by_value())
    notebook = [id(namespace) for namespace in _notebook_namespaces()]

    def holds(module_name: str) -> bool:
        module = sys.modules.get(module_name)
        return (isinstance(module, types.ModuleType) and module_name not in MAIN_MODULES
                and getattr(module, "__name__", None) == module_name and id(vars(module)) not in notebook
                and getattr(module, "__spec__", None) is not None and module_name not in by_value
                and vars(module).get(name) is obj)

    declared = getattr(obj, "__module__", None)
    if isinstance(declared, str) and holds(declared):
        return None  # pickle names it by its declared module, as it should
    found = [module_name for module_name in list(sys.modules) if holds(module_name)]
    if not found:
        return None
    best = min(found, key=lambda m: (sum(part.startswith("_") for part in m.split(".")), m.count("."), len(m)))
    return sys.modules[best], name


def dumps(fn: Callable[..., Any]) -> bytes:
    """``cloudpickle.dumps(fn)``, with by-name objects named by their library module (see module doc)."""
    import cloudpickle

    class _Pickler(cloudpickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            home = library_home(obj)
            if home is not None:
                return getattr, home
            return super().reducer_override(obj)

    with io.BytesIO() as buffer:
        _Pickler(buffer, protocol=cloudpickle.DEFAULT_PROTOCOL).dump(fn)
        return buffer.getvalue()


def references(payload: bytes, *, partial: bool = False) -> list[tuple[str, str]]:
    """``(module, name)`` of each global a pickle imports, and ``(module, "")`` for each module
    cloudpickle imports by name, in order, read from the opcodes (nothing is loaded or run).

    Raises ValueError on bytes that are not a pickle, unless ``partial`` (the head of a
    pickle, or a damaged one): then what was found before the damage.
    """
    import pickletools

    memo: dict[int, Any] = {}
    pushed: list[Any] = []  # what each opcode pushed: a str, ("global", module, name), or None
    found: list[tuple[str, str]] = []
    try:
        for opcode, arg, _ in pickletools.genops(payload):
            kind = opcode.name
            if kind == "MEMOIZE":
                memo[len(memo)] = pushed[-1] if pushed else None
            elif kind in ("PUT", "BINPUT", "LONG_BINPUT"):
                memo[int(arg)] = pushed[-1] if pushed else None
            elif kind in ("GET", "BINGET", "LONG_BINGET"):
                pushed.append(memo.get(int(arg)))
            elif kind in _STRINGS:
                if pushed and pushed[-1] is not None and pushed[-1][:1] == ("global",) and pushed[-1][2] == _SUBIMPORT:
                    found.append((str(arg), ""))
                pushed.append(str(arg))
            elif kind in ("GLOBAL", "INST") and isinstance(arg, str):
                module, _, name = arg.partition(" ")
                found.append((module, name))
                pushed.append(("global", module, name))
            elif kind == "STACK_GLOBAL":
                module, name = (pushed[-2], pushed[-1]) if len(pushed) >= 2 else (None, None)
                if isinstance(module, str) and isinstance(name, str):
                    found.append((module, name))
                pushed.append(("global", module, name))
            elif kind not in _NO_PUSH:
                pushed.append(None)
    except Exception as exc:  # noqa: BLE001 - pickletools raises several types on damaged input
        if not partial:
            raise ValueError(f"not a pickle: {type(exc).__name__}") from exc
    return [(module, name) for module, name in found if not (module.startswith("cloudpickle") and name == _SUBIMPORT)]


class Unsendable(NamedTuple):
    """A global of a pickle that the harness cannot import, and the one line that says so."""

    module: str
    name: str
    message: str


def _shown(text: str) -> str:
    return _SHOWN.sub("", text)[:60] or "?"


def unsendable(refs: list[tuple[str, str]], *, here: bool = False) -> Unsendable | None:
    """The first reference the harness cannot import, or None.

    Every process can tell a name looked up in the notebook (``__main__``,
    ``__mp_main__``) and a top-level module that is not installed (``find_spec``,
    which runs no module code). ``here=True`` (the notebook's own kernel, where
    the referenced modules are already imported) also checks that the module
    holds the name.
    """
    for module, name in refs:
        top, shown_module, shown_name = module.split(".")[0], _shown(module), _shown(name or module)
        if top in MAIN_MODULES:
            return Unsendable(module, name, (
                f"`{shown_name}` cannot be sent to the grader: it is found only in your notebook's own "
                f"namespace, which the grader never runs; import its module and call it through it "
                f"(e.g. `import scipy.special` then `scipy.special.{shown_name}(...)`)"))
        try:
            installed = importlib.util.find_spec(top) is not None
        except (ImportError, ValueError):
            installed = False
        if not installed:
            return Unsendable(module, name, (
                f"`{shown_module}` cannot be sent to the grader: the grader has no module `{_shown(top)}`; "
                "use numpy, scipy, tensorflow/keras or code written in your notebook"))
        if here and name and not _holds(module, name):
            return Unsendable(module, name, (
                f"`{shown_name}` cannot be sent to the grader: module `{shown_module}` has no "
                f"`{shown_name}` outside your notebook; import it from the module that defines it"))
    return None


def _holds(module: str, qualname: str) -> bool:
    """Does the already-imported ``module`` have the attribute path ``qualname``?"""
    found: Any = sys.modules.get(module)
    if found is None:
        return True  # not imported here: only the grader's import can tell
    for part in qualname.split("."):
        if part == "<locals>" or not hasattr(found, part):
            return False
        found = getattr(found, part)
    return True


def problem(fn: Callable[..., Any]) -> str | None:
    """One line saying why ``fn`` cannot be handed to the grader (pickling fails, or a name it
    uses cannot be imported there), or None. Runs in the notebook's kernel; loads nothing."""
    try:
        payload = dumps(fn)
    except Exception as exc:  # noqa: BLE001 - e.g. a closure over an open file
        return unpicklable_message(exc)
    found = unsendable(references(payload), here=True)
    return found.message if found else None


def unpicklable_message(exc: BaseException) -> str:
    """The plain message for a function that cannot be pickled at all."""
    return (f"your function could not be handed to the grader: {type(exc).__name__}: "
            f"{' '.join(str(exc).split())[:160]}; it must not close over open files, generators, locks, "
            "threads or other live objects (use only its arguments, numbers, arrays, "
            "modules and your own functions)")
