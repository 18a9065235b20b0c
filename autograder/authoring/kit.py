"""``course kit [WEEKS] --out DIR``: what an instructor hands to students, and nothing more.

Why: the repository holds every answer (``solutions/``) and the reference implementations
(``autograder/checks/``), and its ``pyproject.toml`` ships both packages; a student needs only
the released notebooks and the ``course_utils`` helpers. The kit is::

    DIR/assignments/NN_topic/NN_topic.ipynb   the released notebooks (``assignments/``)
    DIR/wheels/cnn_course_utils-V-py3-none-any.whl
                                              course_utils alone, with the evaluation weights
                                              and the hand-in lists (course_utils/handin.json),
                                              built from kit_files/pyproject.toml (version ranges)
    DIR/requirements.txt, DIR/environment.yml  pip and conda, both through that wheel
    DIR/README.md                              the few commands per platform (kit_files/README.md),
                                              Colab's first cell (kit_colab) and the files to download

The wheel is built by setuptools' PEP 517 backend in a subprocess, without pip and without
the network. :mod:`autograder.authoring.kit_scan` proves the result holds no solution, no
hidden test, no reference implementation and no ``autograder`` package; :func:`build_kit`
refuses to leave a kit behind that fails it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from autograder.authoring import kit_colab, kit_scan
from autograder.sources import handin, release

KIT_FILES = Path(__file__).resolve().parent / "kit_files"
PACKAGE = "course_utils"
PYTHON = "3.11"  # the conda environment's Python (the grader's)
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


class KitError(RuntimeError):
    """The kit cannot be built (the message says why and what to do)."""


@dataclass(frozen=True)
class Kit:
    """A built kit: where it is, the weeks it holds and its wheel."""

    folder: Path
    weeks: tuple[str, ...]
    wheel: Path


def _version(root: Path) -> str:
    for line in (root / PACKAGE / "__init__.py").read_text().splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise KitError(f"{root / PACKAGE / '__init__.py'} has no __version__ line.")


def build_wheel(root: Path, out: Path) -> Path:
    """Build ``course_utils`` (and only it) as a wheel into ``out``; return the wheel's path.

    A private staging folder holds a copy of ``course_utils/`` (no caches) and the kit's
    ``pyproject.toml``, so nothing else of the repository can end up in the wheel.
    """
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="course-kit-wheel-") as tmp:
        staging = Path(tmp)
        shutil.copytree(root / PACKAGE, staging / PACKAGE, ignore=_IGNORED)
        pyproject = (KIT_FILES / "pyproject.toml").read_text().replace("@VERSION@", _version(root))
        (staging / "pyproject.toml").write_text(pyproject)
        built = subprocess.run(
            [sys.executable, "-c", "import sys, setuptools.build_meta as b; print(b.build_wheel(sys.argv[1]))",
             str(out.resolve())], cwd=staging, capture_output=True, text=True, timeout=300)
        if built.returncode != 0:
            tail = (built.stderr.strip().splitlines() or ["no message"])[-1]
            raise KitError(f"setuptools could not build the course_utils wheel: {tail}")
        return out / built.stdout.strip().splitlines()[-1]


def _requirements() -> dict[str, list[str]]:
    """The wheel's dependency ranges and extras, read from the kit's pyproject."""
    project = tomllib.loads((KIT_FILES / "pyproject.toml").read_text())["project"]
    return {"": list(project["dependencies"]), **project["optional-dependencies"]}


def write_environment_files(folder: Path, wheel: Path) -> None:
    """``requirements.txt`` (pip) and ``environment.yml`` (conda), both installing the kit's wheel."""
    extras = _requirements()
    relative = wheel.relative_to(folder).as_posix()
    tensorflow = extras["tensorflow"][0]
    folder.joinpath("requirements.txt").write_text(
        "# The student environment: the course_utils wheel (its ranges: see README.md) and TensorFlow.\n"
        "# Run from this folder: pip install -r requirements.txt\n"
        f"./{relative}\n{tensorflow}\njupyterlab>=4\n"
        "# TensorFlow 2.19 or 2.20: also tensorflow-metadata<1.18 (a protobuf clash breaks tfds otherwise)\n")
    folder.joinpath("environment.yml").write_text(
        "# conda env create -f environment.yml  (from this folder)\n"
        "name: cnn-course\nchannels:\n  - conda-forge\ndependencies:\n"
        f"  - python={PYTHON}\n  - pip\n  - pip:\n      - ./{relative}\n      - \"{tensorflow}\"\n"
        "      - jupyterlab>=4\n")


def _student_readme(weeks: tuple[str, ...], wheel: Path, root: Path) -> str:
    """The student README: the template, with the Colab cell and each week's files to download."""
    text = (KIT_FILES / "README.md").read_text()
    text = text.replace("@COLAB_CELL@", kit_colab.colab_cell(wheel.name).rstrip("\n"))
    text = text.replace("@DOWNLOADS@", kit_colab.download_list(handin.handin_lists(root), weeks))
    return text.replace("@WEEKS@", ", ".join(weeks)).replace("@WHEEL@", wheel.name)


def build_kit(weeks: list[str] | None, out: Path | str, *, root: Path | str | None = None) -> Kit:
    """Build the student kit of ``weeks`` (default: every released week) into ``out``.

    ``out`` must not exist or be empty (a kit is never merged into an older one). The hand-in
    lists are regenerated first, so the wheel's ``course_utils/handin.json`` matches the checks.
    Raises KitError (unknown week, unreleased week, failed build, a leak found by the scan).
    """
    root = release.resolve_root(root)
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise KitError(f"{out} already exists and is not empty: choose a new --out folder.")
    known = release.list_assignments(root)
    chosen = tuple(weeks or known)
    for week in chosen:
        if week not in known:
            raise KitError(f"no assignment {week!r} (known: {', '.join(known) or 'none'}).")
        if not (root / release.RELEASE_DIR / week / f"{week}.ipynb").is_file():
            raise KitError(f"{week} is not released yet: run `course release {week}` first.")
    handin.write_handin(root)
    out.mkdir(parents=True, exist_ok=True)
    for week in chosen:
        shutil.copytree(root / release.RELEASE_DIR / week, out / "assignments" / week, ignore=_IGNORED)
    wheel = build_wheel(root, out / "wheels")
    write_environment_files(out, wheel)
    (out / "README.md").write_text(_student_readme(chosen, wheel, root))
    (out / "kit.json").write_text(json.dumps({"weeks": list(chosen), "wheel": wheel.name,
                                              "course_utils_version": _version(root)}, indent=2) + "\n")
    leaks = kit_scan.scan(out, root=root)
    if leaks:
        raise KitError(f"the kit in {out} leaks what students must not see; do not hand it out:\n  "
                       + "\n  ".join(leaks[:20]))
    return Kit(out, chosen, wheel)
