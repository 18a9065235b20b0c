"""MathJax beside the pages, so that formulas typeset with no network (pages are opened as files).

Where it comes from: MathJax 2.7.9 as the Jupyter project ships it on PyPI, ``jupyter-server-mathjax``
(the version nbconvert's HTML template is written for; its MathJax 2 configuration block works
unchanged). That package holds the HTML-CSS output with the STIX-Web fonts (not CommonHTML, not the
TeX fonts), so :data:`CONFIG_NAME` points MathJax at those fonts.

What is copied (:func:`install`): the runtime that TeX input and HTML-CSS output can ask for, 193
files, 2.0 MB (``MathJax.js``, the combined ``TeX-AMS-MML_HTMLorMML-full`` configuration, the TeX
extensions it autoloads, the STIX-Web glyph tables and their woff fonts, the English menu strings),
not the package's SVG output, accessibility extensions or other languages (7.5 MB more). Files are
hard-linked from the installed package where the file system allows (one copy on disk however many
pages), else copied. A feedback folder gets its own copy only when its page shows a formula, so that
the folder handed to a student still renders on its own.

Pages typeset text a student wrote (a written answer on their feedback page), so :data:`URL` loads
MathJax's ``Safe`` extension: no ``\\href{javascript:…}``, ``\\style`` or ``\\class`` from TeX.

Two settings keep a page's console free of failed loads: Assistive MathML is off (its hidden MathML
asks for TeX web fonts the package does not ship; the reader's MathJax menu can turn it back on),
and the empty font MathJax measures against is a ``local()`` one, not ``url('about:blank')``
(which Chromium refuses from a file page); either way that font is "none", as MathJax wants.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

FOLDER = "mathjax"                       # beside the page: <page folder>/mathjax/MathJax.js
CONFIG_NAME = "course-offline"           # written into <FOLDER>/config/; loaded after the combined one
URL = f"{FOLDER}/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe,{CONFIG_NAME}"
# The package files a page can ask for (globs under its static/ folder).
RUNTIME = ("LICENSE", "MathJax.js", "config/TeX-AMS-MML_HTMLorMML-full.js", "config/Safe.js",
           "extensions/*.js", "extensions/TeX/**/*.js", "extensions/HTML-CSS/*.js",
           "jax/input/**/*.js", "jax/element/**/*.js", "jax/output/HTML-CSS/**/*.js",
           "fonts/HTML-CSS/STIX-Web/woff/*.woff", "localization/en/*.js")

# Delimiters as nbconvert's template sets them (``$…$``, ``\(…\)``, ``$$…$$``, ``\[…\]``). Also given
# in a page's ``text/x-mathjax-config`` block where MathJax comes from elsewhere (formgrader's pages).
HUB_CONFIG = """\
MathJax.Hub.Config({
  tex2jax: {inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
            processEscapes: true, processEnvironments: true},
  "HTML-CSS": {availableFonts: ["STIX-Web"], preferredFont: "STIX-Web", webFont: "STIX-Web", imageFont: null,
               styles: {"@font-face": {src: "local('MathJax_Blank')"}}},
  menuSettings: {assistiveMML: false},
  messageStyle: "none"
});
"""
_CONFIG = HUB_CONFIG + f'MathJax.Ajax.loadComplete("[MathJax]/config/{CONFIG_NAME}.js");\n'

SCRIPT = f'<script src="{URL}"></script>'   # the tag a page puts in its head
_FORMULA = re.compile(r"(?<![\\$])\$(?!\s)[^$\n]+(?<!\s)\$|\$\$.+?\$\$|\\\(.+?\\\)|\\\[.+?\\\]", re.S)


def source() -> Path:
    """The installed package's MathJax folder (ModuleNotFoundError names the missing package)."""
    try:
        import jupyter_server_mathjax
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError("MathJax for offline pages comes from the package jupyter-server-mathjax "
                                  "(a dependency in pyproject.toml): install it") from error
    return Path(jupyter_server_mathjax.__file__).parent / "static"


def runtime_files() -> list[Path]:
    """The files :func:`install` copies, relative to :func:`source`."""
    root = source()
    return sorted({path.relative_to(root) for pattern in RUNTIME for path in root.glob(pattern) if path.is_file()})


def has_formula(text: str) -> bool:
    """Does ``text`` hold TeX between MathJax's delimiters (``$x$``, ``$$x$$``, ``\\(x\\)``, ``\\[x\\]``)?

    A ``$`` followed or preceded by a space (``$5 and $10``) does not open or close a formula.
    """
    return bool(_FORMULA.search(text or ""))


def _place(source_file: Path, target: Path) -> None:
    """Hard-link ``source_file`` at ``target`` (a copy across file systems); a file of its size there stays."""
    if target.is_file() and not target.is_symlink() and target.stat().st_size == source_file.stat().st_size:
        return
    if target.exists() or target.is_symlink():
        target.unlink()
    try:
        os.link(source_file, target)
    except OSError:
        shutil.copyfile(source_file, target)


def install(folder: Path) -> Path:
    """Put the MathJax runtime in ``folder/mathjax`` (the :data:`URL` pages in ``folder`` use); return it."""
    root, target = source(), Path(folder) / FOLDER
    for relative in runtime_files():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        _place(root / relative, target / relative)
    config = target / "config" / f"{CONFIG_NAME}.js"
    if not config.is_file() or config.read_text(encoding="utf-8") != _CONFIG:
        config.write_text(_CONFIG, encoding="utf-8")
    return target
