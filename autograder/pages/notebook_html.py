"""An executed notebook as an HTML page that renders offline, formulas typeset (for TAs, screenshots).

nbconvert's HTML exporter (JupyterLab's template) with two changes for a page opened as a file with
no network: MathJax from the copy beside the page (:mod:`autograder.pages.mathjax`) instead of a
CDN, and no require.js ``<script>`` from a CDN (only ipywidgets and legacy JavaScript outputs use
it; offline it could not load anyway). Images stay embedded as nbconvert writes them.

The notebook is a student's, so the exporter sanitises (``sanitize_html``): every rendered markdown
cell, HTML output and SVG passes :func:`clean_html`, and JavaScript outputs are left out, so opening
the page cannot run the student's script in the TA's browser. :func:`clean_html` replaces
nbconvert's filter of that name, whose short list of tags escaped the paragraphs and headings the
markdown renders to (``<p>`` shown as text); cleaning the markdown *source* instead (nbconvert's
``SanitizeHTML`` preprocessor) escapes ``&`` and ``<`` twice in code spans (``-&gt;`` shown).

``python -m autograder.pages.notebook_html OUT/executed/*.ipynb`` writes ``<name>.html`` beside
each notebook and one ``mathjax/`` folder per output folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2

from autograder.pages import mathjax

# Tags a rendered page keeps: bleach's defaults plus those of documents, figures and pandas tables;
# never script, style, iframe, object or form. Attributes: links, images, ids (heading anchors), classes.
SAFE_TAGS = ["a", "abbr", "acronym", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "h5",
             "h6", "hr", "i", "img", "li", "ol", "p", "pre", "span", "strong", "sub", "sup", "table", "tbody",
             "td", "th", "thead", "tr", "ul"]
SAFE_ATTRIBUTES = {"*": ["class", "id", "title"], "a": ["href"], "img": ["src", "alt", "width", "height"]}
SAFE_PROTOCOLS = ["http", "https", "mailto", "data"]   # data: for images embedded in markdown
_TEMPLATE_NAME = "course_offline.html.j2"
_TEMPLATE = """\
{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
"""


def clean_html(element) -> str:
    """``element`` (HTML) with only :data:`SAFE_TAGS` and :data:`SAFE_ATTRIBUTES` live, the rest escaped."""
    import bleach

    text = element.decode() if isinstance(element, bytes) else str(element)
    return bleach.clean(text, tags=SAFE_TAGS, attributes=SAFE_ATTRIBUTES, protocols=SAFE_PROTOCOLS)


def to_html(notebook: Path) -> str:
    """The page of ``notebook`` (outputs as they are, sanitised), loading MathJax from ``mathjax/`` beside it."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", template_file=_TEMPLATE_NAME, mathjax_url=mathjax.URL,
                            extra_loaders=[jinja2.DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
                            sanitize_html=True, filters={"clean_html": clean_html})
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
