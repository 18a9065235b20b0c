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

Keras objects (issue 27, week 5's keras.io ``Sampling`` layer): Keras 3 pickles a
layer, model, metric... (``KerasSaveable.__reduce__``) as its ``.keras`` archive,
config plus weights, and rebuilds it by looking each class up by its registered
name, with no custom objects. A class defined in the notebook is registered
nowhere in the harness, so a layer made once at the notebook's top level and
used by the function failed to load (``TypeError: Could not locate class``).
:func:`dumps` ships such an object as the same archive plus the notebook's
classes it needs (by value, as cloudpickle ships any notebook class), and the
harness rebuilds it with Keras's own loader inside a ``custom_object_scope``
holding them (:func:`_rebuild_keras`). The archive is rebuilt once in the
notebook's own kernel first, so a layer Keras cannot rebuild from its
``get_config`` is named there in one line (:class:`KerasUnsendable`) rather than
failing unseen in the grader.

Source lines (issue 27, a ``tf.range`` loop in a ``tf.function``): cloudpickle
renames every code object it ships ``"<dynamic-code>"``, so in the harness
AutoGraph could not read a ``tf.function``'s source and ran it unconverted: a loop
or ``if`` over tensors failed on every hidden case while the notebook ran it.
:func:`dumps` ships each code object with the lines of the cell (or file) it comes
from, under a name made from those lines' digest, ``"<dynamic-code:DIGEST>"``;
unpickling (:func:`_code_with_source`) renames the code so and puts the lines
where ``inspect`` reads them. One name per text, so two cells can never share
one name (sharing ``"<dynamic-code>"`` converted a function from another cell's
lines), and the harness accepts lines only under the digest of exactly those lines.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import linecache
import re
import sys
import types
from typing import Any, Callable, NamedTuple

MAIN_MODULES = ("__main__", "__mp_main__")  # the notebook's namespace, under both names
SOURCE_PREFIX = "<dynamic-code:"  # function_harness tells student code by this prefix
MAX_SOURCE_LINES = 20_000  # a file longer than this is shipped without its lines
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


class KerasUnsendable(ValueError):
    """A Keras object of the notebook's own class that Keras cannot rebuild; its text is the one-line message."""


def _pickled_by_value(cls: type) -> bool:
    """Is ``cls`` the notebook's own (or a by-value module's) class, which the harness cannot import by name?"""
    import cloudpickle

    module_name = getattr(cls, "__module__", None)
    if not isinstance(module_name, str) or module_name.split(".")[0] in MAIN_MODULES:
        return True
    if any(module_name == m or module_name.startswith(m + ".") for m in cloudpickle.list_registry_pickle_by_value()):
        return True
    found: Any = sys.modules.get(module_name)
    for part in str(getattr(cls, "__qualname__", "<locals>")).split("."):
        found = getattr(found, part, None) if part != "<locals>" else None
    return found is not cls


def _notebook_keras_classes(obj: Any) -> dict[str, type] | None:
    """``{registered name: class}`` of the notebook's own classes among ``obj`` and its sublayers,
    or None when ``obj`` is not a Keras object (``KerasSaveable``) or needs none of them."""
    saveable = sys.modules.get("keras.src.saving.keras_saveable")  # Keras is never imported here
    if saveable is None or isinstance(obj, type) or not isinstance(obj, saveable.KerasSaveable):
        return None
    from keras.saving import get_registered_name

    parts = [obj]
    flatten = getattr(obj, "_flatten_layers", None)
    if callable(flatten):
        parts += list(flatten(include_self=False, recursive=True))
    classes = {get_registered_name(type(part)): type(part) for part in parts if _pickled_by_value(type(part))}
    return classes or None


def _rebuild_keras(rebuild: Callable[[io.BytesIO], Any], archive: bytes, classes: dict[str, type]) -> Any:
    """Keras's own unpickling (``rebuild``, from ``KerasSaveable.__reduce__``) of ``archive``, with the
    notebook's ``classes`` known by their registered names. Runs where the pickle is loaded."""
    from keras.saving import custom_object_scope

    with custom_object_scope(classes):
        return rebuild(io.BytesIO(archive))


def _reduce_keras(obj: Any, classes: dict[str, type]) -> tuple[Any, ...] | None:
    """The reduction :func:`dumps` uses for a Keras object of the notebook's classes (see module doc),
    after rebuilding it once here; None when Keras's ``__reduce__`` has a form not known here.

    Raises :class:`KerasUnsendable` when Keras cannot save or rebuild it.
    """
    name = type(obj).__name__
    try:
        reduced = obj.__reduce__()
        if not (isinstance(reduced, tuple) and len(reduced) == 2 and isinstance(reduced[1], tuple)
                and len(reduced[1]) == 1 and isinstance(reduced[1][0], io.BytesIO)):
            return None
        rebuild, archive = reduced[0], reduced[1][0].getvalue()
        _rebuild_keras(rebuild, archive, classes)
    except Exception as exc:  # noqa: BLE001 - whatever the notebook's get_config/__init__ raise
        raise KerasUnsendable(
            f"your Keras `{_shown(name)}` object, made outside the function, cannot be sent to the grader: "
            f"Keras cannot rebuild it from its get_config ({type(exc).__name__}: {' '.join(str(exc).split())[:80]}); "
            "create it inside the function, or give its class a get_config that returns its __init__ "
            "arguments (for noise: keras.random.normal with a keras.random.SeedGenerator made once)") from exc
    return _rebuild_keras, (rebuild, archive, classes)


def _source_name(lines: tuple[str, ...]) -> str:
    return f"{SOURCE_PREFIX}{hashlib.sha256(''.join(lines).encode('utf-8', 'replace')).hexdigest()[:20]}>"


def _code_with_source(code_args: tuple[Any, ...], name: str, lines: tuple[str, ...]) -> types.CodeType:
    """Unpickling side of :func:`dumps`: the code, renamed ``name``, with ``lines`` registered in
    ``linecache`` under it (where ``inspect.getsource``, hence AutoGraph, reads them) when ``name`` is
    the digest of exactly these lines; otherwise the code as cloudpickle would have made it."""
    code = types.CodeType(*code_args)
    if not (isinstance(lines, tuple) and len(lines) <= MAX_SOURCE_LINES and all(type(line) is str for line in lines)
            and isinstance(name, str) and name == _source_name(lines)):
        return code
    linecache.cache[name] = (sum(map(len, lines)), None, list(lines), name)
    return code.replace(co_filename=name)


def _reduce_code(code: types.CodeType, shipped: dict[str, tuple[str, ...]]) -> tuple[Any, ...] | None:
    """Reduce a code object cloudpickle ships by value to :func:`_code_with_source` with its lines
    (one tuple per file in ``shipped``, so pickle's memo sends each file's lines once), or None
    (cloudpickle's own reduction) when its lines are unknown or too long."""
    from cloudpickle import cloudpickle as internals

    reduce_code = getattr(internals, "_code_reduce", None)
    filename = code.co_filename
    if reduce_code is None:
        return None
    if filename not in shipped:
        lines = tuple(linecache.getlines(filename))
        shipped[filename] = lines if 0 < len(lines) <= MAX_SOURCE_LINES else ()
    lines = shipped[filename]
    if not lines:
        return None
    _, code_args = reduce_code(code)
    return _code_with_source, (code_args, _source_name(lines), lines)


def dumps(fn: Callable[..., Any]) -> bytes:
    """``cloudpickle.dumps(fn)``, with by-name objects named by their library module, Keras objects of
    the notebook's own classes shipped with those classes, and code shipped with its source lines
    (see module doc)."""
    import cloudpickle

    shipped: dict[str, tuple[str, ...]] = {}

    class _Pickler(cloudpickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if isinstance(obj, types.CodeType):
                reduced = _reduce_code(obj, shipped)
                return NotImplemented if reduced is None else reduced
            home = library_home(obj)
            if home is not None:
                return getattr, home
            classes = _notebook_keras_classes(obj)
            reduced = _reduce_keras(obj, classes) if classes else None
            if reduced is not None:
                return reduced
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
    """The plain message for a function that cannot be pickled at all (a Keras object's own, if that is why)."""
    if isinstance(exc, KerasUnsendable):
        return str(exc)
    return (f"your function could not be handed to the grader: {type(exc).__name__}: "
            f"{' '.join(str(exc).split())[:160]}; it must not close over open files, generators, locks, "
            "threads or other live objects (use only its arguments, numbers, arrays, "
            "modules and your own functions)")
