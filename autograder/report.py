"""The class report: how the class did on one assignment, for the TA and instructor.

``report/report.html`` + ``report/scores.png`` (histogram of totals) from what
the gradebook holds (nbgrader's scores and ``course_outcome``), so it can be
rebuilt at any time with ``course report``. It shows which profile graded the
class, outcome counts (how many zeros and why), per-test pass rates, the
isolation actually in force, and one line per student linking to their
feedback page. Warnings of the last ``course grade`` run (``COURSE_JUDGE_SECRET``
not set, class-folder entries skipped at intake) head the page; they are kept in
``report/warnings.json`` so that ``course report`` shows them again.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import jinja2

from autograder.gradebook import load_results, student_rows
from autograder.results import Outcome, SubmissionResult


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
            points[item.id] = item.points
            if result.outcome is Outcome.GRADED and item.score >= item.points > 0:
                passed[item.id] += 1
            elif result.outcome is Outcome.GRADED and item.score > 0:
                partial[item.id] += 1
    return [ItemStats(name, points[name], passed[name], partial[name], len(results)) for name in sorted(points)]


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
 body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }
 table { border-collapse: collapse; } td, th { border-bottom: 1px solid #ddd; padding: .3rem .6rem; text-align: left; }
 .note { color: #555; }
</style></head><body>
<h1>{{ assignment }}: class report</h1>
<p>{{ rows|length }} student(s); mean {{ "%.2f"|format(mean) }} / {{ "%g"|format(max_score) }};
graded with profile <strong>{{ profiles|join(", ") or "none" }}</strong>; generated {{ generated }}{% if scheduler %}; {{ scheduler }}{% endif %}.</p>
{% if warnings %}<h2>Warnings</h2>
<ul>{% for warning in warnings %}<li>{{ warning }}</li>{% endfor %}</ul>{% endif %}
<img src="scores.png" alt="histogram of scores">
<h2>Outcomes</h2>
<table><tr><th>outcome</th><th>students</th></tr>
{% for outcome, count in outcomes %}<tr><td>{{ outcome }}</td><td>{{ count }}</td></tr>{% endfor %}</table>
<h2>Tests</h2>
<table><tr><th>test</th><th>points</th><th>full marks</th><th>partial</th><th>pass rate</th></tr>
{% for t in tests %}<tr><td>{{ t.name }}</td><td>{{ "%g"|format(t.points) }}</td><td>{{ t.passed }}</td><td>{{ t.partial }}</td>
<td>{{ "%.0f"|format(100 * t.pass_rate) }} %</td></tr>{% endfor %}</table>
<h2>Isolation</h2>
<ul class="note">{% for note, count in isolation %}<li>{{ note }} ({{ count }} submission(s))</li>{% else %}<li>not reported</li>{% endfor %}</ul>
<h2>Students</h2>
<table><tr><th>student</th><th>score</th><th>outcome</th><th>reason</th><th>time</th><th>peak memory</th><th>feedback</th></tr>
{% for row in rows %}<tr><td>{{ row.student }}</td><td>{{ "%g"|format(row.score) }} / {{ "%g"|format(row.max_score) }}</td>
<td>{{ row.outcome }}</td><td>{{ row.reason }}</td><td>{{ "%.0f"|format(row.seconds) }} s</td>
<td>{% if row.peak_memory_mib is not none %}{{ "%.0f"|format(row.peak_memory_mib) }} MiB{% endif %}</td>
<td>{% if links[row.student] %}<a href="{{ links[row.student] }}">page</a>{% endif %}</td></tr>{% endfor %}</table>
</body></html>
""")


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
    results = load_results(db_url, assignment)
    max_score = max((row.max_score for row in rows), default=0.0)
    plot_scores([row.score for row in rows], max_score, report_dir / "scores.png")
    links = {}
    for row in rows:
        page = Path(feedback_dir) / row.student / "feedback.html" if feedback_dir else None
        links[row.student] = os.path.relpath(page, report_dir) if page and page.exists() else ""
    isolation = collections.Counter(note for r in results for note in r.isolation)
    html = _TEMPLATE.render(
        assignment=assignment, rows=rows, max_score=max_score,
        mean=sum(r.score for r in rows) / len(rows) if rows else 0.0,
        profiles=sorted({r.profile for r in results}),
        outcomes=collections.Counter(row.outcome for row in rows).most_common(),
        tests=item_stats(results), isolation=sorted(isolation.items()), links=links, scheduler=scheduler,
        warnings=list(warnings or []),
        generated=dt.datetime.now().isoformat(timespec="seconds"))
    path = report_dir / "report.html"
    path.write_text(html, encoding="utf-8")
    return path
