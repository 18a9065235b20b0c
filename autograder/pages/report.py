"""The class report: how the class did on one assignment, for the TA and instructor.

``report/report.html`` + ``report/scores.png`` (histogram of totals) from what
the gradebook holds (nbgrader's scores and ``course_outcome``), so it can be
rebuilt at any time with ``course report``. It shows which profile graded the
class, outcome counts (how many zeros and why), per-test pass rates, the
isolation actually in force, median and quartiles, and a sortable, filterable
table of the students (plain JavaScript in the page, no CDN) with a reason for
every lost point, time and peak memory, the stack each graded model says it was trained with
(Keras, TensorFlow, backend, dtype policy, device: :mod:`autograder.submission.training_stack`),
linking to each feedback page. Warnings of the last ``course grade`` run (``COURSE_JUDGE_SECRET``
not set, class-folder entries skipped at intake) head the page; they are kept in
``report/warnings.json`` so that ``course report`` shows them again. The triage sections
(:mod:`autograder.pages.triage`) come first and last: "needs attention" heads the page (tampering,
escape attempts, grader errors, timeouts, outliers, each linked to its executed notebook), the tests
are listed in notebook order with their most common reasons for lost points grouped, and a
student × test matrix ends it; with a due date, each student's lateness and penalty
(:mod:`autograder.records.lateness`) has a column of the students' table.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import jinja2

from autograder.pages import attention, manual_section, triage
from autograder.records import lateness, manual_grades
from autograder.records.gradebook_queries import load_results, student_rows
from autograder.records.results import SubmissionResult
from autograder.submission.training_stack import summary as training_summary


@dataclass(frozen=True)
class ItemStats:
    """How the class did on one graded item."""

    name: str
    points: float
    passed: int       # full points
    partial: int      # some points
    students: int

    @property
    def pass_rate(self) -> float:
        return self.passed / self.students if self.students else 0.0


def item_stats(results: list[SubmissionResult]) -> list[ItemStats]:
    """Per-item pass counts; a submission that was not graded fails every item."""
    points: dict[str, float] = {}
    passed: collections.Counter = collections.Counter()
    partial: collections.Counter = collections.Counter()
    for result in results:
        for item in result.tests:
            if item.kind == "manual" and not item.points:
                continue  # a written answer worth no points: nothing to pass (the TA reads it)
            points[item.id] = item.points
            if result.outcome.keeps_item_scores and item.score >= item.points > 0:
                passed[item.id] += 1
            elif result.outcome.keeps_item_scores and item.score > 0:
                partial[item.id] += 1
    return [ItemStats(name, points[name], passed[name], partial[name], len(results)) for name in sorted(points)]


def _quartiles(scores: list[float]) -> tuple[float, float, float]:
    """First quartile, median and third quartile (inclusive method; one score: itself thrice)."""
    if not scores:
        return 0.0, 0.0, 0.0
    if len(scores) == 1:
        return scores[0], scores[0], scores[0]
    first, median, third = statistics.quantiles(scores, n=4, method="inclusive")
    return round(first, 2), round(median, 2), round(third, 2)


def _lost_points(result: SubmissionResult | None) -> str:
    """Why a graded submission lost points: its tests' messages (a zero always has a reason)."""
    if result is None:
        return ""
    lost = [f"{t.id}: {t.message}" for t in result.tests if t.score < t.points]
    return triage.shorten("; ".join(lost), 300)   # at a word boundary, never mid-word


def plot_scores(scores: list[float], max_score: float, path: Path) -> Path:
    """Histogram of the class's totals, saved as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 3.2), dpi=100)
    top = max(max_score, max(scores, default=0.0), 1.0)
    # One bar per whole point when totals are small integers, else 20 equal bins.
    bins = [b - 0.5 for b in range(int(top) + 2)] if top <= 20 and float(top).is_integer() else 20
    axis.hist(scores, bins=bins, color="#4c72b0", edgecolor="white")
    axis.set_xlabel(f"total score (out of {max_score:g})")
    axis.set_ylabel("students")
    axis.set_title(f"Scores of {len(scores)} student(s)")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path


_TEMPLATE = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string("""\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ assignment }} — class report</title>
<style>
 body { font-family: system-ui, sans-serif; max-width: 75rem; margin: 2rem auto; color: #222; }
 table { border-collapse: collapse; } td, th { border-bottom: 1px solid #ddd; padding: .3rem .6rem; text-align: left; }
 .note { color: #555; }
{{ triage_style }}</style></head><body>
<h1>{{ assignment }}: class report</h1>
<p>{{ rows|length }} student(s); mean {{ "%.2f"|format(mean) }} / {{ "%g"|format(max_score) }}; median
{{ "%g"|format(quartiles[1]) }} (quartiles {{ "%g"|format(quartiles[0]) }} and {{ "%g"|format(quartiles[2]) }});
graded with profile <strong>{{ profiles|join(", ") or "none" }}</strong>; generated {{ generated }}{% if scheduler %}; {{ scheduler }}{% endif %}.</p>
{{ attention }}
{% if late_rule %}<p class="late-rule">Late work: {{ late_rule }}</p>{% endif %}
{% if integrity %}<p><a href="integrity.html">Integrity signals</a>: similar answers, library calls in by-hand exercises (TA only; no grade changed).</p>{% endif %}
{% if warnings %}<h2>Warnings</h2>
<ul>{% for warning in warnings %}<li>{{ warning }}</li>{% endfor %}</ul>{% endif %}
<img src="scores.png" alt="histogram of scores">
{{ hand_grading }}
<h2>Outcomes</h2>
<table><tr><th>outcome</th><th>students</th></tr>
{% for outcome, count in outcomes %}<tr><td>{{ outcome }}</td><td>{{ count }}</td></tr>{% endfor %}</table>
{{ tests_section }}
<h2>Isolation</h2>
<ul class="note">{% for note, count in isolation %}<li>{{ note }} ({{ count }} submission(s))</li>{% else %}<li>not reported</li>{% endfor %}</ul>
<h2>Students</h2>
<p class="note">Click a column heading to sort; type to filter (student, outcome or reason).
<input id="filter" type="search" placeholder="filter…" aria-label="filter the students"></p>
<table id="students"><thead><tr><th data-type="text">student</th><th data-type="number">score</th>
<th data-type="text">outcome</th>{% if show_late %}<th data-type="number">late</th>{% endif %}<th data-type="text">reason</th><th data-type="number">time</th>
<th data-type="number">peak memory</th><th data-type="text" title="from each graded model's sidecar: the student's claim, never graded">trained with</th><th>feedback</th></tr></thead><tbody>
{% for row in rows %}<tr><td>{{ row.student }}</td>
<td data-value="{{ row.score }}">{{ "%g"|format(row.score) }} / {{ "%g"|format(row.max_score) }}</td>
<td>{{ row.outcome }}</td>{% if show_late %}<td data-value="{{ row.seconds_late }}">{{ late[row.student] }}</td>{% endif %}<td>{{ reasons[row.student] }}</td>
<td data-value="{{ row.seconds }}">{{ "%.0f"|format(row.seconds) }} s</td>
<td data-value="{{ row.peak_memory_mib if row.peak_memory_mib is not none else -1 }}">{% if row.peak_memory_mib is not none %}{{ "%.0f"|format(row.peak_memory_mib) }} MiB{% endif %}</td>
<td class="note">{{ stacks[row.student] }}</td>
<td>{% if links[row.student] %}<a href="{{ links[row.student] }}">page</a>{% endif %}</td></tr>{% endfor %}</tbody></table>
<script>
// Plain JavaScript, no CDN: sort by a column (click again to reverse), filter rows by text.
(function () {
  const table = document.getElementById("students"), body = table.tBodies[0];
  table.querySelectorAll("th[data-type]").forEach(function (th, column) {
    th.style.cursor = "pointer";
    th.addEventListener("click", function () {
      const numeric = th.dataset.type === "number", up = th.dataset.order !== "up";
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
  document.getElementById("filter").addEventListener("input", function (event) {
    const text = event.target.value.toLowerCase();
    Array.from(body.rows).forEach(function (row) {
      row.hidden = text && !row.textContent.toLowerCase().includes(text);
    });
  });
})();
</script>
{{ matrix }}
</body></html>
""")


def _triage(db_url: str, assignment: str, rows, results, report_dir: Path, feedback_dir: Path | None) -> dict:
    """The triage sections (autograder.pages.triage) and each student's lateness, for the template."""
    late = lateness.load_url(db_url, assignment)
    def word(row) -> str:
        found = late.get(row.student)
        if found is None:
            return ""
        if row.late_penalty:
            return f"{found.status()}, −{min(row.late_penalty, row.score):g} → {row.final_score:g}"
        return found.status() + (", within the grace period" if found.seconds_late > 0 else "")

    words = {row.student: word(row) for row in rows}
    rules = collections.Counter((r.due, r.rule) for r in late.values() if r.due is not None and not r.extension)
    late_rule = "; ".join(f"due {due:%Y-%m-%d %H:%M} UTC, {rule}" for (due, rule), _ in rules.most_common(1))
    if late_rule:
        late_rule += (f"; {sum(1 for r in late.values() if r.seconds_late > 0)} late, "
                      f"{sum(1 for r in late.values() if r.penalty)} penalised, "
                      f"{sum(1 for r in late.values() if r.submitted_at is None)} without a submission time")
    return {"attention": triage.attention_section(attention.needs_attention(results, report_dir, feedback_dir)),
            "tests_section": triage.tests_section(results), "late": words, "late_rule": late_rule,
            "show_late": any(words.values()),
            "matrix": triage.matrix_section(results, {row.student: row.score for row in rows}, words),
            "triage_style": triage.STYLE}


def write_report(db_url: str, assignment: str, report_dir: Path, *, feedback_dir: Path | None = None,
                 scheduler: str = "", warnings: Sequence[str] | None = None) -> Path:
    """Write ``report_dir/report.html`` and ``scores.png``; return the HTML path.

    warnings: lines for the TA from the grading run (saved beside the report);
    None re-uses the saved ones, so a rebuilt report still shows them.
    """
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    saved = report_dir / "warnings.json"
    if warnings is not None:
        saved.write_text(json.dumps(list(warnings), indent=1), encoding="utf-8")
    elif saved.is_file():
        warnings = [str(line) for line in json.loads(saved.read_text(encoding="utf-8"))]
    rows = student_rows(db_url, assignment)
    results = manual_grades.merge_all(load_results(db_url, assignment), db_url, assignment)  # the TAs' scores
    max_score = max((row.max_score for row in rows), default=0.0)
    plot_scores([row.score for row in rows], max_score, report_dir / "scores.png")
    links = {}
    for row in rows:
        page = Path(feedback_dir) / row.student / "feedback.html" if feedback_dir else None
        links[row.student] = os.path.relpath(page, report_dir) if page and page.exists() else ""
    isolation = collections.Counter(note for r in results for note in r.isolation)
    by_student = {r.student: r for r in results}
    reasons = {row.student: row.reason or _lost_points(by_student.get(row.student)) for row in rows}
    stacks = {row.student: training_summary(by_student[row.student].training) if row.student in by_student else ""
              for row in rows}
    html = _TEMPLATE.render(
        assignment=assignment, rows=rows, max_score=max_score,
        mean=sum(r.score for r in rows) / len(rows) if rows else 0.0,
        profiles=sorted({r.profile for r in results}),
        outcomes=collections.Counter(row.outcome for row in rows).most_common(),
        quartiles=_quartiles([row.score for row in rows]), reasons=reasons, stacks=stacks,
        tests=item_stats(results), isolation=sorted(isolation.items()), links=links, scheduler=scheduler,
        warnings=list(warnings or []), **_triage(db_url, assignment, rows, results, report_dir, feedback_dir),
        integrity=(report_dir / "integrity.html").is_file(),
        hand_grading=manual_section.section(db_url, assignment),
        generated=dt.datetime.now().isoformat(timespec="seconds"))
    path = report_dir / "report.html"
    path.write_text(html, encoding="utf-8")
    return path
