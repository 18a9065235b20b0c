"""The class report's section on hand grading: written answers and regrades.

Rendered into ``report.html`` (:mod:`autograder.pages.report`) as one HTML fragment, from the
gradebook alone: how far the TAs are with the written answers (per question: scored, waiting,
blank, the mean of the TAs' scores) and the regrade audit trail (``course_regrade``: who regraded
whom, when, what changed). Nothing is shown when the assignment has neither.
"""

from __future__ import annotations

import statistics

import jinja2
from markupsafe import Markup

from autograder.records import manual_grades, regrades

_TEMPLATE = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string("""\
{% if questions %}<h2 id="written-answers">Written answers</h2>
<p>{{ progress.line(assignment) }}</p>
<table><tr><th>answer</th><th>points</th><th>scored by a TA</th><th>still to grade</th><th>blank or not judged</th>
<th>mean TA score</th></tr>
{% for q in questions %}<tr><td>{{ q.name }}</td><td>{{ "%g"|format(q.points) }}</td><td>{{ q.graded }}</td>
<td>{{ q.to_grade }}</td><td>{{ q.blank }}</td><td>{% if q.mean is not none %}{{ "%.2f"|format(q.mean) }}{% endif %}</td></tr>
{% endfor %}</table>{% endif %}
{% if history %}<h2 id="regrades">Regrades</h2>
<p class="note">Each regrade keeps the earlier result in the gradebook (table course_regrade).</p>
<table><tr><th>when</th><th>student</th><th>by</th><th>total</th><th>what changed</th></tr>
{% for r in history %}<tr><td>{{ r.changed_at }}</td><td>{{ r.student }}</td><td>{{ r.changed_by }}</td>
<td>{{ "%g"|format(r.previous_score) }} → {{ "%g"|format(r.score) }}</td><td>{{ r.changes }}</td></tr>
{% endfor %}</table>{% endif %}
""")


def _questions(marks: dict[str, dict[str, manual_grades.Mark]]) -> list[dict]:
    by_answer: dict[str, list[manual_grades.Mark]] = {}
    for student_marks in marks.values():
        for grade_id, mark in student_marks.items():
            by_answer.setdefault(grade_id, []).append(mark)
    questions = []
    for grade_id in sorted(by_answer):
        found = by_answer[grade_id]
        scored = [m.manual_score for m in found if m.manual_score is not None]
        questions.append({"name": grade_id, "points": max(m.points for m in found), "graded": len(scored),
                          "to_grade": sum(m.manual_score is None and m.needs_manual_grade for m in found),
                          "blank": sum(m.manual_score is None and not m.needs_manual_grade for m in found),
                          "mean": statistics.fmean(scored) if scored else None})
    return questions


def section(db_url: str, assignment: str) -> Markup:
    """The report's hand-grading section for ``assignment`` (empty when there is nothing to show)."""
    marks = manual_grades.marks(db_url, assignment)
    return Markup(_TEMPLATE.render(questions=_questions(marks), progress=manual_grades.progress(db_url, assignment),
                                   history=regrades.history(db_url, assignment), assignment=assignment))
