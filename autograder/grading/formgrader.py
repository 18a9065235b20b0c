"""Written answers graded by hand in nbgrader's formgrader, on the course's own gradebook.

Why formgrader serves as it is: it needs nbgrader's course layout (a ``CourseDirectory`` root with
``autograded/<student>/<assignment>/<notebook>.ipynb`` and a gradebook), and ``course grade``
writes exactly that under its output folder ``OUT`` (:mod:`autograder.grading.autograded`, and
the solution-cell and comment rows of :mod:`autograder.records.manual_grades`). What is left is to
tell nbgrader where: :func:`write_config` puts an ``nbgrader_config.py`` in ``OUT`` (root =
``OUT``, ``db_url`` = the gradebook), and a Jupyter server started in ``OUT``
(:func:`server_command`) loads the formgrader extension with it. A TA's scores and comments land
in nbgrader's ``Grade.manual_score`` and ``Comment.manual_comment``; ``course feedback|export|
report|export-lms`` read them back.

Formulas with no network: formgrader's submission page (nbgrader's ``formgrade`` template) calls
nbconvert's ``mathjax()`` macro with no argument, so it loads MathJax from a CDN whatever
``mathjax_url`` says. :func:`write_config` puts a ``mathjax.html.j2`` of our own first on that
template's search path (``OUT/formgrader_templates/formgrade/``, listed before nbgrader's templates),
whose macro loads the MathJax that the Jupyter server itself serves from the package
``jupyter-server-mathjax`` (its server extension, enabled when it is installed) with the settings of
:mod:`autograder.pages.mathjax` (STIX-Web fonts, the ``Safe`` extension: answers are students' text).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from autograder.pages import mathjax

CONFIG_NAME = "nbgrader_config.py"
TEMPLATES = "formgrader_templates"   # OUT/formgrader_templates/formgrade/mathjax.html.j2
_MARK = "# written by `course manual-grading`"
# The submission page is <base_url>formgrader/submissions/<id>/ (formgrader redirects to the final
# slash), so this relative URL reaches the server's own MathJax under any base_url.
MATHJAX_URL = "../../../static/jupyter_server_mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
_MACRO = (f"{{#- {_MARK[2:]}: formgrader's MathJax from this server, not a CDN -#}}\n"
          f'{{%- macro mathjax(url="{MATHJAX_URL}") -%}}\n'
          f'<script type="text/x-mathjax-config">{{% raw %}}\n{mathjax.HUB_CONFIG}{{% endraw %}}</script>\n'
          '<script src="{{ url }}"></script>\n'
          "{%- endmacro %}\n")


def write_config(out_dir: Path, db_url: str) -> Path:
    """Write ``OUT/nbgrader_config.py`` pointing nbgrader at ``OUT`` and the gradebook; return it.

    A config file in ``OUT`` that this command did not write is left alone (ValueError).
    """
    path = Path(out_dir).resolve() / CONFIG_NAME
    if path.exists() and _MARK not in path.read_text(encoding="utf-8", errors="replace"):
        raise ValueError(f"{path} exists and was not written by course manual-grading: move it away and rerun.")
    macro = path.parent / TEMPLATES / "formgrade" / "mathjax.html.j2"
    macro.parent.mkdir(parents=True, exist_ok=True)
    macro.write_text(_MACRO, encoding="utf-8")
    path.write_text(
        f"{_MARK}: nbgrader's formgrader on this class's grading output.\n"
        "from nbgrader.server_extensions.formgrader.handlers import template_path as nbgrader_templates\n\n"
        "c = get_config()  # noqa: F821 - injected by traitlets\n"
        f"c.CourseDirectory.root = {str(path.parent)!r}\n"
        f"c.CourseDirectory.db_url = {db_url!r}\n"
        "c.CourseDirectory.autograded_directory = 'autograded'\n"
        "# our mathjax.html.j2 before nbgrader's templates (which this setting would otherwise replace)\n"
        f"c.HTMLExporter.extra_template_basedirs = [{str(macro.parent.parent)!r}, nbgrader_templates]\n",
        encoding="utf-8")
    return path


def server_command(out_dir: Path, port: int = 8888, token: str | None = None) -> list[str]:
    """The Jupyter server command that serves formgrader for ``OUT`` (run it with ``OUT`` as the folder)."""
    jupyter = Path(sys.executable).with_name("jupyter")
    command = [str(jupyter) if jupyter.exists() else "jupyter", "server", "--no-browser", f"--port={port}",
               f"--ServerApp.root_dir={Path(out_dir).resolve()}"]
    if token is not None:
        command.append(f"--IdentityProvider.token={token}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command


def grading_url(assignment: str, port: int = 8888) -> str:
    """Formgrader's list of the class's submissions of ``assignment`` (one notebook per assignment here)."""
    return f"http://localhost:{port}/formgrader/gradebook/{assignment}/{assignment}"
