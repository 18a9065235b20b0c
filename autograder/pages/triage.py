"""The report's triage sections: where a TA looks first, then how each test went, then everyone.

Three HTML fragments for :mod:`autograder.pages.report`, from what the gradebook holds:

- **Needs attention** (:func:`autograder.pages.attention.needs_attention`), each line linked to the
  executed notebook and the feedback page;
- **Tests in notebook order**: points, full marks, partial, pass rate, and the most common reasons
  for lost points grouped (messages that differ only in their numbers are one reason), each reason
  shortened at a word boundary, never mid-word;
- **Student × test matrix**: one row per student, one column per test, sortable by any column and
  filtered by text or by a test failed (plain JavaScript in the page, no CDN).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import jinja2
from markupsafe import Markup

from autograder.pages.attention import Flag
from autograder.records.results import SubmissionResult

TOP_REASONS = 3
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?", re.I)


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters, cut at a word boundary with '…'."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def test_order(results: Sequence[SubmissionResult]) -> list[str]:
    """Test ids in notebook order (the order each result lists its items), scored items only."""
    order: dict[str, None] = {}
    for result in sorted(results, key=lambda r: -len(r.tests)):
        for item in result.tests:
            if not (item.kind == "manual" and not item.points):
                order.setdefault(item.id, None)
    return list(order)


def reason_key(result: SubmissionResult, message: str) -> str:
    """What groups lost points: the outcome when the run was not judged, else the message with its
    numbers blanked (``error 0.31`` and ``error 0.07`` are one reason)."""
    if not result.outcome.keeps_item_scores:
        return f"not judged: {result.outcome.value.replace('_', ' ')}"
    return _NUMBER.sub("#", " ".join(message.split()))[:400]


@dataclass
class Reason:
    """A group of lost points on one test: how many students, and one of their messages."""

    text: str
    students: list[str] = field(default_factory=list)
    numbers_vary: bool = False


@dataclass
class TestSummary:
    """How the class did on one test, in notebook order."""

    name: str
    points: float
    passed: int
    partial: int
    students: int
    reasons: list[Reason]
    others: int                       # students who lost points for a reason not among the top ones

    @property
    def pass_rate(self) -> float:
        return self.passed / self.students if self.students else 0.0


def summarize_tests(results: Sequence[SubmissionResult], top: int = TOP_REASONS) -> list[TestSummary]:
    """Every scored test of the class in notebook order, with its top reasons for lost points."""
    summaries = []
    for name in test_order(results):
        points, passed, partial = 0.0, 0, 0
        groups: dict[str, Reason] = {}
        for result in results:
            item = next((t for t in result.tests if t.id == name), None)
            if item is None:
                continue
            points = max(points, item.points)
            score = item.score if result.outcome.keeps_item_scores else 0.0
            if score >= item.points > 0:
                passed += 1
                continue
            partial += score > 0
            key = reason_key(result, item.message)
            shown = key if not result.outcome.keeps_item_scores else item.message
            group = groups.setdefault(key, Reason(shorten(shown, 220)))
            group.numbers_vary |= shorten(shown, 220) != group.text
            group.students.append(result.student)
        ranked = sorted(groups.values(), key=lambda g: (-len(g.students), g.text))
        summaries.append(TestSummary(name, points, passed, partial, len(results), ranked[:top],
                                     sum(len(g.students) for g in ranked[top:])))
    return summaries


def matrix_cells(result: SubmissionResult, tests: Sequence[str]) -> list[dict]:
    """One cell per test for the matrix: score, points, a CSS class and a short reason (tooltip)."""
    by_id = {t.id: t for t in result.tests}
    cells = []
    for name in tests:
        item = by_id.get(name)
        if item is None:
            cells.append({"score": -1, "text": "", "css": "none", "title": "not in this submission"})
            continue
        judged = result.outcome.keeps_item_scores
        score = item.score if judged else 0.0
        css = "pass" if score >= item.points > 0 else "partial" if score > 0 else "fail" if judged else "none"
        title = "" if css == "pass" else shorten(item.message if judged else f"not judged: {result.outcome.value}", 160)
        cells.append({"score": score, "text": f"{score:g}", "css": css, "title": title})
    return cells


_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)

_ATTENTION = _ENV.from_string("""\
<h2 id="attention">Needs attention ({{ flags|length }})</h2>
{% if flags %}<p class="note">Look here first. A flag is for a person to read; it never changed a verdict.</p>
<table id="attention-list"><thead><tr><th>what</th><th>student</th><th>what the grader saw</th><th>cost</th><th>open</th></tr></thead><tbody>
{% for f in flags %}<tr class="flag-{{ f.kind|replace(' ', '-') }}"><td><strong>{{ f.kind }}</strong></td><td>{{ f.student }}</td>
<td>{{ f.detail }}</td><td>{{ f.cost }}</td>
<td>{% if f.notebook %}<a href="{{ f.notebook }}">executed notebook</a>{% endif %}{% if f.notebook and f.feedback %} · {% endif %}{% if f.feedback %}<a href="{{ f.feedback }}">feedback</a>{% endif %}</td></tr>
{% endfor %}</tbody></table>{% else %}<p>Nothing: no tampering, escape attempt, grader error, timeout or outlier.</p>{% endif %}
""")

_TESTS = _ENV.from_string("""\
<h2 id="tests">Tests, in notebook order</h2>
<table id="test-summary"><thead><tr><th>test</th><th>points</th><th>full marks</th><th>partial</th><th>pass rate</th>
<th>most common reasons for lost points</th></tr></thead><tbody>
{% for t in tests %}<tr><td>{{ t.name }}</td><td>{{ "%g"|format(t.points) }}</td><td>{{ t.passed }}</td><td>{{ t.partial }}</td>
<td>{{ "%.0f"|format(100 * t.pass_rate) }} %</td><td>{% if t.reasons %}<ol class="reasons">{% for r in t.reasons %}
<li><span class="count">{{ r.students|length }}</span> × {{ r.text }}{% if r.numbers_vary %} <span class="note">(numbers vary)</span>{% endif %}</li>{% endfor %}</ol>
{% if t.others %}<span class="note">and {{ t.others }} student(s) for other reasons</span>{% endif %}{% endif %}</td></tr>
{% endfor %}</tbody></table>
""")

_MATRIX = _ENV.from_string("""\
<h2 id="matrix">Student × test matrix</h2>
<p class="note">Click a heading to sort (again to reverse); type to filter by student, outcome or lateness; pick a
test to keep the students who lost points on it. Hover a cell for the reason.
<input id="matrix-filter" type="search" placeholder="filter…" aria-label="filter the matrix">
<select id="matrix-failing" aria-label="only students who lost points on a test"><option value="">any test</option>
{% for name in tests %}<option value="{{ loop.index0 }}">lost points on {{ name }}</option>{% endfor %}</select>
<span id="matrix-count">{{ rows|length }}</span> shown</p>
<div class="matrix-wrap"><table id="matrix-table"><thead><tr><th data-type="text">student</th><th data-type="number">total</th>
<th data-type="text">outcome</th>{% for name in tests %}<th data-type="number" title="{{ name }}">{{ name|replace('test_', '') }}</th>{% endfor %}</tr></thead><tbody>
{% for row in rows %}<tr><td>{{ row.student }}</td><td data-value="{{ row.total }}">{{ "%g"|format(row.total) }}</td>
<td>{{ row.outcome }}{% if row.late %} · {{ row.late }}{% endif %}</td>{% for c in row.cells %}<td class="m-{{ c.css }}" data-value="{{ c.score }}"{% if c.title %} title="{{ c.title }}"{% endif %}>{{ c.text }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table></div>
<script>
// Plain JavaScript, no CDN: sort the matrix by a column, filter its rows by text or by a failed test.
(function () {
  const table = document.getElementById("matrix-table"), body = table.tBodies[0];
  const text = document.getElementById("matrix-filter"), failing = document.getElementById("matrix-failing");
  const count = document.getElementById("matrix-count"), FIRST_TEST = 3;
  table.querySelectorAll("th[data-type]").forEach(function (th, column) {
    th.style.cursor = "pointer";
    th.addEventListener("click", function () {
      const numeric = th.dataset.type === "number", up = th.dataset.order !== "up";
      table.querySelectorAll("th").forEach(function (other) { delete other.dataset.order; });
      th.dataset.order = up ? "up" : "down";
      const key = function (row) {
        const cell = row.cells[column];
        return numeric ? parseFloat(cell.dataset.value) : cell.textContent.trim().toLowerCase();
      };
      Array.from(body.rows).sort(function (a, b) {
        const x = key(a), y = key(b);
        return (x < y ? -1 : x > y ? 1 : 0) * (up ? 1 : -1);
      }).forEach(function (row) { body.appendChild(row); });
    });
  });
  function apply() {
    const words = text.value.toLowerCase(), test = failing.value;
    let shown = 0;
    Array.from(body.rows).forEach(function (row) {
      const head = row.cells[0].textContent + " " + row.cells[2].textContent;
      const lost = test === "" || !row.cells[FIRST_TEST + Number(test)].classList.contains("m-pass");
      row.hidden = !(lost && (!words || head.toLowerCase().includes(words)));
      shown += row.hidden ? 0 : 1;
    });
    count.textContent = shown;
  }
  text.addEventListener("input", apply);
  failing.addEventListener("change", apply);
})();
</script>
""")

STYLE = """\
 .reasons { margin: 0; padding-left: 1.2rem; } .count { font-weight: 600; }
 #attention-list td { vertical-align: top; } .flag-tampering td:first-child, .flag-escape-attempt td:first-child { color: #b42318; }
 .matrix-wrap { max-height: 40rem; overflow: auto; } #matrix-table th { position: sticky; top: 0; background: #fff; }
 #matrix-table td { text-align: center; } #matrix-table td:nth-child(-n+3) { text-align: left; }
 .m-pass { background: #dafbe1; } .m-partial { background: #fff8c5; } .m-fail { background: #ffebe9; } .m-none { background: #eee; color: #777; }
"""


def attention_section(flags: Sequence[Flag]) -> Markup:
    return Markup(_ATTENTION.render(flags=list(flags)))


def tests_section(results: Sequence[SubmissionResult]) -> Markup:
    return Markup(_TESTS.render(tests=summarize_tests(results)))


def matrix_section(results: Sequence[SubmissionResult], totals: Mapping[str, float],
                   late: Mapping[str, str] | None = None) -> Markup:
    """``totals``: each student's total as the gradebook holds it; ``late``: a lateness word per student."""
    tests = test_order(results)
    rows = [{"student": r.student, "total": totals.get(r.student, r.score), "outcome": r.outcome.value,
             "late": (late or {}).get(r.student, ""), "cells": matrix_cells(r, tests)}
            for r in sorted(results, key=lambda r: r.student)]
    return Markup(_MATRIX.render(tests=tests, rows=rows))

