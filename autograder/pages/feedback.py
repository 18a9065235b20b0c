"""Feedback pages: one HTML page per student, safe to hand back.

A page shows the student's name, the total, each graded item's name, points
and plain message, the grader's notes (restored cells, dropped output), how the run was isolated, the profile, and the figures
their own notebook drew. It never shows hidden test source: unlike nbgrader's
``generate_feedback`` (which renders the graded notebook, hidden cells
included), the page is built from the judged results only, and every message
is cleaned (:func:`clean_message`) so that a traceback that quotes the grade
cell cannot slip through. Everything the student controls is HTML-escaped.

Formulas (an exercise title such as "Exercise 6.3 — $D^*$", a written answer in LaTeX) are typeset
by MathJax from a copy beside the page (:mod:`autograder.pages.mathjax`), put there only when the
page shows one, so the student's folder renders them offline on its own.

Cleaning drops, from every message, note and reason: nbgrader's hidden-test and
solution blocks (also a block's tail when its start was cut off), any line
carrying their markers, traceback and code-looking lines (``assert …``,
``lambda …:``, ``x = f(…)``, indented code), and any line that quotes a line
of the assignment's solutions or hidden tests (read from ``solutions/``).
Messages themselves are the checks' own: a student function's exception text is
never passed on (see ``autograder.verdicts.judging._safe_judge``), since that code ran on
the hidden inputs and could write their values into it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Collection

import jinja2
from markupsafe import Markup

from autograder.pages import mathjax
from autograder.paths import course_root as default_course_root
from autograder.records.results import Outcome, SubmissionResult

MAX_MESSAGE_CHARS = 600
PAGE_NAME = "feedback.html"

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_HIDDEN_BLOCK = re.compile(r"###\s*BEGIN\s+(HIDDEN TESTS|SOLUTION).*?(###\s*END\s+\1|\Z)", re.S)
_BLOCK_TAIL = re.compile(r"\A.*###\s*END\s+(HIDDEN TESTS|SOLUTION)", re.S)   # its BEGIN was cut off
_MARKER = re.compile(r"###\s*(BEGIN|END)\s+(HIDDEN TESTS|SOLUTION)|# YOUR CODE HERE")
# Lines that look like Python source (a quoted hidden test or solution), not an explanation.
_SOURCE_LINE = re.compile(
    r"^\s*(assert\s+\S|def\s+\w+\s*\(|class\s+\w+.*:|import\s+\w|from\s+[\w.]+\s+import\s|lambda\b|@\w"
    r"|raise\s+[A-Z]\w*(\(|$)|for\s+.+\s+in\s+.+:\s*$|(while|if|elif|with)\s.+:\s*$|(try|else|finally):\s*$)"
    r"|.*\blambda\b[\w\s,*=]*:"
    r"|^\s*[A-Za-z_][\w.]*(\[[^\]]*\])?\s*[-+*/]?=\s*[\w.]+\("
    r"|^\s{4,}\S.*[()\[\]=:]")
_MIN_QUOTE_CHARS = 28   # this many characters (spaces aside) in common with a hidden line: a quote of it
# Lines that belong to a traceback or quote code rather than explain a result.
_CODE_LINE = re.compile(
    r"^\s*(Traceback \(most recent call last\).*|File \".*\", line \d+.*|Cell In\[\d*\], line \d+.*|"
    r"-*>\s*\d+.*|\s{2,}\d+\s.*|\^+|~+\^*~*|.*judge\.submit.*|.*autograder[./].*)\s*$")

OUTCOME_TEXT = {
    Outcome.GRADED: "graded",
    Outcome.TIMEOUT: "time limit reached: the tests it stopped scored zero",
    Outcome.OUT_OF_MEMORY: "zero: memory limit reached",
    Outcome.KERNEL_DIED: "zero: the notebook's kernel died",
    Outcome.MISSING_NOTEBOOK: "zero: notebook missing",
    Outcome.INVALID_NOTEBOOK: "zero: the notebook could not be read",
    Outcome.TAMPERING: "zero: tampering detected",
    Outcome.OUTPUT_LIMIT: "zero: too much output",
    Outcome.GRADER_ERROR: "zero for now: the grader failed (not your fault; a TA will look)",
}

_TEMPLATE = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string("""\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ result.assignment }} — feedback for {{ result.student }}</title>
{% if typeset %}{{ mathjax_script }}
{% endif %}<style>
 body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; color: #222; }
 table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #ddd; padding: .4rem; text-align: left; vertical-align: top; }
 .pass { color: #1a7f37; } .fail { color: #b42318; } .partial { color: #9a6700; } .answer { color: #57606a; }
 .late { color: #9a6700; } .written { white-space: pre-wrap; border-left: 3px solid #ddd; margin: .4rem 0; padding-left: .6rem; color: #222; }
 .ta-comment { margin: .3rem 0; color: #222; }
 .note { color: #555; font-size: .9rem; } img { max-width: 100%; border: 1px solid #eee; margin: .5rem 0; }
</style></head><body>
<h1>{{ result.assignment }}: feedback for {{ result.student }}</h1>
<p><strong>Total: {{ "%g"|format(total) }} / {{ "%g"|format(max_score) }}</strong> — {{ outcome_text }}</p>
{% if late %}<p class="late">{{ late }}</p>{% endif %}
{% if reason %}<p>{{ reason }}</p>{% endif %}
{% if notes %}<ul>{% for note in notes %}<li>{{ note }}</li>{% endfor %}</ul>{% endif %}
{% if items %}
<h2>Tests</h2>
<table><tr><th>exercise</th><th>points</th><th>message</th></tr>
{% for item in items %}<tr class="{{ item.css }}"><td>{% if item.title %}{{ item.title }}<br><span class="note">{{ item.name }}</span>{% else %}{{ item.name }}{% endif %}</td>
<td>{{ "%g"|format(item.score) }} / {{ "%g"|format(item.points) }}</td><td>{{ item.message }}{% if item.answer %}
<blockquote class="written">{{ item.answer }}</blockquote>{% endif %}{% if item.comment %}
<p class="ta-comment"><strong>Your TA{% if item.ta_scored and item.points %} ({{ "%g"|format(item.score) }} / {{ "%g"|format(item.points) }}){% endif %}:</strong> {{ item.comment }}</p>{% endif %}</td></tr>
{% endfor %}</table>
{% endif %}
{% if figures %}<h2>Your figures</h2>
{% for figure, caption in figures %}<figure><img src="{{ figure }}" alt="a figure from your notebook"><figcaption class="note">{{ caption }}</figcaption></figure>
{% endfor %}{% endif %}
<h2>How it was graded</h2>
<p class="note">Profile: {{ result.profile }}. Time: {{ "%.1f"|format(result.seconds) }} s.{% if result.peak_memory_bytes %} Memory: {{ "%.2f"|format(result.peak_memory_bytes / 1073741824) }} GiB at the peak.{% endif %}
Your notebook ran again from the top in an isolated copy; hidden tests were judged outside your notebook.</p>
{% if walls %}<ul class="note">{% for note in walls %}<li>{{ note }}</li>{% endfor %}</ul>{% endif %}
</body></html>
""")


def _significant(line: str) -> str:
    return re.sub(r"\s+", "", line)


@functools.lru_cache(maxsize=16)
def _secret_lines_cached(folder: str, stamp: tuple) -> frozenset[str]:
    import nbformat

    from autograder.sources import notebooks

    lines = set()
    for path in sorted(Path(folder).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            lines.update(_significant(line) for line in notebooks.secret_lines(cell)
                         if not notebooks.is_trivial(line))
    # Only lines that read as code: a plain phrase (``return images``) may occur in a check's message.
    return frozenset(line for line in lines if len(line) >= 12 and re.search(r"[()\[\]=]", line))


def hidden_source_lines(course_root: Path | None, assignment: str) -> frozenset[str]:
    """Solution and hidden-test lines of ``solutions/<assignment>/`` (whitespace removed), or none."""
    if course_root is None:
        course_root = default_course_root()
    folder = Path(course_root) / "solutions" / assignment
    try:
        stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.ipynb")))
        return _secret_lines_cached(str(folder), stamp) if stamp else frozenset()
    except (OSError, ValueError):  # unreadable solutions: the markers and code patterns still apply
        return frozenset()


def _quotes(line: str, secrets: Collection[str]) -> bool:
    """Does ``line`` hold a secret line, or any run of ``_MIN_QUOTE_CHARS`` characters of one?"""
    text = _significant(line)
    if not text or not secrets:
        return False
    size = _MIN_QUOTE_CHARS
    runs = {text[i:i + size] for i in range(len(text) - size + 1)}
    return any(secret in text or any(run in secret for run in runs) for secret in secrets)


def clean_message(text: str, secrets: Collection[str] = ()) -> str:
    """A message fit for a student: no ANSI codes, no hidden or solution block, no traceback or
    code lines, no line quoting ``secrets`` (hidden source lines, whitespace removed), short."""
    text = _ANSI.sub("", text or "")
    text = _BLOCK_TAIL.sub("", _HIDDEN_BLOCK.sub("", text))
    lines = [line.rstrip() for line in text.splitlines()
             if not (_CODE_LINE.match(line) or _MARKER.search(line) or _SOURCE_LINE.match(line)
                     or _quotes(line, secrets))]
    cleaned = "\n".join(line for line in lines if line.strip()).strip()
    if len(cleaned) > MAX_MESSAGE_CHARS:
        cleaned = cleaned[:MAX_MESSAGE_CHARS - 1].rstrip() + "…"
    return cleaned


def display_name(item_id: str) -> str:
    """``test_conv_forward`` -> ``conv_forward`` (the name the notebook's heading uses);
    ``answer_3_1`` -> ``Question 3.1`` (a written answer's cell)."""
    answer = re.fullmatch(r"answer_(\d+)_(\d+)", item_id)
    if answer:
        return f"Question {answer.group(1)}.{answer.group(2)}"
    return item_id[len("test_"):] if item_id.startswith("test_") else item_id


_POINTS = re.compile(r"\s*\((?:[\d.+ ]+ points?|ungraded[^)]*)\)\s*$")  # "(2 points)", "(2 + 1 points)", "(ungraded…)"
_PART = re.compile(r"^\s{0,3}##\s+(.+?)\s*#*\s*$", re.M)                     # a section: "## Part 4 — Fashion-MNIST"
_FIGURE_CELL = re.compile(r"^cell(\d+)_\d+\.png$")


@functools.lru_cache(maxsize=64)
def _headings_cached(path: str, stamp: int) -> tuple[dict[str, str], dict[int, str]]:
    import nbformat

    from autograder.sources import notebooks
    from autograder.submission.outcomes import heading_above

    nb = nbformat.read(path, as_version=4)
    by_cell = {index: heading for index in range(len(nb.cells)) if (heading := heading_above(nb, index)[0])}
    by_item, part = {}, None
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") == "markdown":
            part = ([*_PART.findall(str(cell.get("source", "")))] or [part])[-1]
        grade_id, title = notebooks.grade_id(cell), by_cell.get(index)
        if grade_id and title:
            # A sub-heading such as "Evaluate" is named with its part: "Part 4 — Fashion-MNIST › Evaluate".
            if not title.startswith("Exercise ") and part and part != title:
                title = f"{part} › {title}"
            by_item[grade_id] = _POINTS.sub("", title)
    # A test cell is titled by the exercise whose answer cell it checks when that cell bears its name
    # (test_conv_output_shape checks conv_output_shape, written under Exercise 2.1, though its test
    # cell sits after Exercise 2.2's heading).
    for grade_id in list(by_item):
        if grade_id.startswith("test_") and grade_id.removeprefix("test_") in by_item:
            by_item[grade_id] = by_item[grade_id.removeprefix("test_")]
    return by_item, by_cell


def notebook_headings(path: Path) -> tuple[dict[str, str], dict[int, str]]:
    """Headings of a notebook as the student sees them: ``{grade_id: "Exercise 1.3 — backward
    pass"}`` (points cut) and ``{cell index: heading above it}``; empty when unreadable."""
    try:
        return _headings_cached(str(path), path.stat().st_mtime_ns)
    except (OSError, ValueError):
        return {}, {}


def failed_cells(executed: str | None) -> frozenset[int]:
    """Indices of the cells of the executed notebook that stopped with an error (none when unreadable)."""
    if not executed:
        return frozenset()
    try:
        import nbformat

        nb = nbformat.read(executed, as_version=4)
    except (OSError, ValueError):
        return frozenset()
    return frozenset(index for index, cell in enumerate(nb.cells)
                     if any(output.get("output_type") == "error" for output in cell.get("outputs", [])))


def figure_caption(path: str, by_cell: dict[int, str], failed: frozenset[int] = frozenset()) -> str:
    """What a figure is: the exercise it was drawn under, whether its cell failed (so the figure
    may be half drawn), and a remark when it is empty (one colour)."""
    match = _FIGURE_CELL.match(Path(path).name)
    heading = by_cell.get(int(match.group(1))) if match else None
    caption = f"Drawn under “{_POINTS.sub('', heading)}”." if heading else "Drawn by your notebook."
    if match and int(match.group(1)) in failed:
        caption += " Its cell stopped with an error, so the figure may be unfinished."
    try:
        import matplotlib.image

        pixels = matplotlib.image.imread(path)
        if pixels.size and bool((pixels == pixels[:1, :1]).all()):  # every pixel the first one's colour
            caption += " It is empty (one colour): nothing was drawn, or the data it shows was all equal."
    except (OSError, ValueError, SyntaxError):  # an unreadable PNG is shown without the remark
        pass
    return caption


def render_feedback(result: SubmissionResult, course_root: Path | None = None, lateness=None) -> str:
    """The feedback page of ``result`` as HTML (figures referenced by file name).

    course_root: where ``solutions/`` is (default: this repository); its hidden lines are cut.
    lateness: the student's :class:`autograder.records.lateness.Lateness`, shown under the total.
    """
    secrets = hidden_source_lines(course_root, result.assignment)
    if course_root is None:
        course_root = default_course_root()
    titles, by_cell = notebook_headings(Path(course_root) / "assignments" / result.assignment /
                                        f"{result.assignment}.ipynb")
    if result.executed_notebook:  # the student's own cells: figure numbers refer to them
        by_cell = notebook_headings(Path(result.executed_notebook))[1] or by_cell
    failed = failed_cells(result.executed_notebook)
    graded = result.outcome.keeps_item_scores
    items = []
    for item in result.tests:
        score = item.score if graded else 0.0
        css = ("answer" if item.kind == "manual" and (not item.points or item.manual_score is None) else
               "pass" if score >= item.points > 0 else "partial" if score > 0 else "fail")
        message = clean_message(item.message, secrets) if graded else "not judged: " + OUTCOME_TEXT[result.outcome]
        items.append({"name": display_name(item.id), "title": titles.get(item.id), "score": score, "points": item.points,
                      "message": message or ("passed" if css == "pass" else "no message"), "css": css,
                      "answer": item.answer or "", "comment": item.comment, "ta_scored": item.manual_score is not None})
    values = dict(
        result=result, items=items, reason=clean_message(result.reason, secrets),
        notes=[clean_message(note, secrets) for note in result.notes], total=result.score, max_score=result.max_score,
        outcome_text=OUTCOME_TEXT[result.outcome], late=_late_line(lateness, result.score), walls=student_walls(result),
        figures=[(Path(f).name, figure_caption(f, by_cell, failed)) for f in result.figures],
        mathjax_script=Markup(mathjax.SCRIPT))
    page = _TEMPLATE.render(typeset=False, **values)
    # MathJax only for a page that shows a formula (its copy then goes beside the page: write_feedback).
    return _TEMPLATE.render(typeset=True, **values) if mathjax.has_formula(page) else page


def student_walls(result: SubmissionResult) -> list[str]:
    """What the student's page says of the sandbox: the bounds of the run, and any wall that was missing.

    The walls in force (namespaces, seccomp, cgroups, the device) are the TA's to read, in the
    class report; a missing one is the student's business too (their work ran with less isolation).
    """
    return [note for note in result.isolation if note.startswith(("NOT ", "limits:"))]


def _late_line(lateness, raw_score: float) -> str:
    """When the work was handed in against the due date, and the total after a late penalty."""
    if lateness is None:
        return ""
    text = lateness.describe(raw_score)
    if lateness.penalty:
        text += f" Total after the late penalty: {lateness.final(raw_score):g}."
    return text


def write_feedback(result: SubmissionResult, feedback_dir: Path, course_root: Path | None = None,
                   lateness=None) -> Path:
    """Write ``feedback_dir/<student>/feedback.html`` (beside the figures, and MathJax when the page
    shows a formula) and return its path."""
    page = Path(feedback_dir) / result.student / PAGE_NAME
    page.parent.mkdir(parents=True, exist_ok=True)
    html = render_feedback(result, course_root, lateness)
    if mathjax.SCRIPT in html:
        mathjax.install(page.parent)
    page.write_text(html, encoding="utf-8")
    return page
