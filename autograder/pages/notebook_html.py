"""An executed notebook as an HTML page that renders offline, formulas typeset (for TAs, screenshots).

nbconvert's HTML exporter (JupyterLab's template) with two changes for a page opened as a file with
no network: MathJax from the copy beside the page (:mod:`autograder.pages.mathjax`) instead of a
CDN, and no require.js ``<script>`` from a CDN (only ipywidgets and legacy JavaScript outputs use
it; offline it could not load anyway). Images stay embedded as nbconvert writes them.

The notebook is a student's, so nbconvert's ``SanitizeHTML`` preprocessor goes first: raw HTML in
markdown cells and HTML outputs keep only harmless tags (:data:`SAFE_TAGS`), JavaScript outputs are
dropped, so opening the page cannot run the student's script in the TA's browser. (The exporter's
own ``sanitize_html`` is not used: it also escapes the paragraphs and headings that the course's
markdown renders to.)

``python -m autograder.pages.notebook_html OUT/executed/*.ipynb`` writes ``<name>.html`` beside
each notebook and one ``mathjax/`` folder per output folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2

from autograder.pages import mathjax

# bleach's default tags plus those of plain documents and pandas tables; no script, style, iframe or form.
SAFE_TAGS = ["a", "abbr", "acronym", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "h5",
             "h6", "hr", "i", "li", "ol", "p", "pre", "span", "strong", "sub", "sup", "table", "tbody", "td",
             "th", "thead", "tr", "ul"]
_TEMPLATE_NAME = "course_offline.html.j2"
_TEMPLATE = """\
{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
"""


def to_html(notebook: Path) -> str:
    """The page of ``notebook`` (outputs as they are), loading MathJax from ``mathjax/`` beside it."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors.sanitize import SanitizeHTML

    exporter = HTMLExporter(template_name="lab", template_file=_TEMPLATE_NAME, mathjax_url=mathjax.URL,
                            extra_loaders=[jinja2.DictLoader({_TEMPLATE_NAME: _TEMPLATE})])
    exporter.register_preprocessor(SanitizeHTML(tags=SAFE_TAGS), enabled=True)
    body, _ = exporter.from_filename(str(notebook))
    return body


def write_html(notebook: Path, page: Path | None = None) -> Path:
    """Write ``notebook`` as ``page`` (default: the notebook's path with ``.html``), MathJax beside it."""
    notebook = Path(notebook)
    page = Path(page) if page is not None else notebook.with_suffix(".html")
    page.parent.mkdir(parents=True, exist_ok=True)
    html = to_html(notebook)
    mathjax.install(page.parent)
    page.write_text(html, encoding="utf-8")
    return page


def main(argv: list[str] | None = None) -> int:
    """Write each named notebook as HTML beside it; print the pages' paths."""
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print("usage: python -m autograder.pages.notebook_html NOTEBOOK.ipynb [...]", file=sys.stderr)
        return 2
    for path in paths:
        print(write_html(Path(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
