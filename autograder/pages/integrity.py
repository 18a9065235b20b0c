"""``report/integrity.html``: the integrity signals of a class, for the TA only (never in feedback/).

Three sections: answers similar across the class (per exercise, the pair's score and both answers side
by side, the shared code marked), answers similar to the instructor's reference texts, and library calls
in answer cells whose exercise asks for work by hand. Each says what it measured and where its
threshold comes from; none changes a grade. ``report.html`` links here when the page exists;
``report/integrity.json`` keeps the findings without the code.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import jinja2
import markupsafe

from autograder.integrity.signals import Signals

SHOWN_PER_EXERCISE = 25  # pairs shown side by side per exercise, the highest first
LISTED_PER_EXERCISE = 500  # rows of an exercise's table; integrity.json keeps every pair

_TEMPLATE = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string("""\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ s.assignment }} — integrity signals</title>
<style>
 body { font-family: system-ui, sans-serif; max-width: 80rem; margin: 2rem auto; color: #222; }
 table { border-collapse: collapse; } td, th { border-bottom: 1px solid #ddd; padding: .3rem .6rem; text-align: left; }
 .note { color: #555; } .pair { display: grid; grid-template-columns: 1fr 1fr; gap: .8rem; margin-bottom: 1.5rem; }
 .pair > div { min-width: 0; }
 pre { background: #f6f6f6; padding: .5rem; overflow-x: auto; font-size: .8rem; margin: 0; }
 mark { background: #ffe08a; } h4 { margin: .2rem 0; }
</style></head><body>
<h1>{{ s.assignment }}: integrity signals</h1>
<p><strong>For the TA only; signals for a human, never a grade.</strong> Nothing here changed a score or a
verdict: a similar pair may be students who worked together as allowed, or the one natural way to write a
short function; a library call may be allowed by the text. Read both answers before deciding anything.
{{ s.students }} notebook(s) read in {{ "%.1f"|format(s.seconds) }} s; generated {{ generated }}.</p>
{% if s.unread %}<p class="note">Not read: {% for student, why in s.unread.items() %}{{ student }} ({{ why }}){% if not loop.last %}; {% endif %}{% endfor %}.</p>{% endif %}

<h2 id="similar">Similar answers across the class</h2>
<p class="note">Answer cells (nbgrader solution cells, by grade_id) compared pairwise per exercise with copydetect's
winnowed fingerprints after removing the template's own code; names, comments and formatting do not count.
Score: the larger share of one answer found in the other. Threshold {{ s.similarity.threshold }} (honest
alternatives of the answer corpus reach 0.88, renamed copies 1.0: benchmarks/results/similarity_threshold.json).
Code is shown as Python prints it back (comments dropped); shared code is <mark>marked</mark>.</p>
{{ class_pairs }}

<h2 id="references">Similar to reference texts</h2>
<p class="note">{% if s.similarity.references %}{{ s.similarity.references|length }} reference text(s) from
<code>{{ s.references_dir }}</code>: {{ s.similarity.references|join(", ") }}. Score: the share of the answer
found in the reference; listed from {{ s.similarity.reference_threshold }} (the answer corpus's week-1 answers reach
0.38 against a public-style solution, a port of it 0.67).{% else %}No reference texts in <code>{{ s.references_dir }}</code>: put solutions found
online there (<code>*.py</code> or <code>*.ipynb</code>) to compare every answer with them (README, "For TAs").{% endif %}</p>
{% if s.similarity.references %}{{ reference_pairs }}{% endif %}

<h2 id="library-calls">Library calls where the text asks for work by hand</h2>
{% if s.declaration %}<p class="note">Answer cells declared by hand ({{ s.declaration.answers|join(", ") }}), read with
Python's ast from the submitted notebook (never run; import aliases resolved); calls under
{% for entry in s.declaration.calls %}<code>{{ entry }}</code>{% if not loop.last %}, {% endif %}{% endfor %}.
The text allows them and grades them like any other answer: this says only where the work was not by hand.</p>
{% if s.calls %}<table id="calls"><tr><th>student</th><th>answer cell</th><th>function</th><th>call</th><th>line</th><th>code</th></tr>
{% for c in s.calls %}<tr><td>{{ c.student }}</td><td>{{ c.exercise }}</td><td>{{ c.function }}</td><td><code>{{ c.name }}</code></td>
<td>{{ c.line }}</td><td><code>{{ c.code }}</code></td></tr>{% endfor %}</table>
{% else %}<p>No declared library call in any answer.</p>{% endif %}
{% else %}<p class="note">This assignment declares no exercise to be written by hand (<code>BY_HAND</code> in its checks module).</p>{% endif %}
</body></html>
""")

_SECTION = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string("""\
{% for exercise, matches in groups %}<h3>{{ exercise }}: {{ matches|length }} pair(s){% if compared.get(exercise) is not none %}
<span class="note">of {{ compared[exercise] }} compared</span>{% endif %}</h3>
<table class="pairs"><tr><th>answer</th><th>compared with</th><th>score</th><th>shares (left, right)</th></tr>
{% for m in matches[:listed] %}<tr><td>{{ m.left }}</td><td>{{ m.right }}</td><td>{{ "%.2f"|format(m.score) }}</td>
<td>{{ "%.2f"|format(m.coverages[0]) }}, {{ "%.2f"|format(m.coverages[1]) }}</td></tr>{% endfor %}</table>
{% for m in matches[:shown] %}<div class="pair"><div><h4>{{ m.left }} ({{ "%.2f"|format(m.score) }})</h4><pre>{{ m.left_html|safe }}</pre></div>
<div><h4>{{ m.right }}</h4><pre>{{ m.right_html|safe }}</pre></div></div>{% endfor %}
{% if matches|length > shown %}<p class="note">{{ matches|length - shown }} more pair(s) in the table above{% if matches|length > listed %}
(its first {{ listed }} rows; every pair is in integrity.json){% endif %}.</p>{% endif %}
{% else %}<p>{{ empty }}</p>{% endfor %}""")


def _section(matches: list, compared: dict[str, int], empty: str) -> str:
    """One table per exercise of ``matches`` (already grouped by exercise), the first pairs side by side."""
    groups = [(exercise, list(group)) for exercise, group in itertools.groupby(matches, key=lambda m: m.exercise)]
    # left_html / right_html are escaped by copydetect's highlight_overlap (escape_html=True) before marking
    return _SECTION.render(groups=groups, compared=compared, empty=empty, shown=SHOWN_PER_EXERCISE,
                           listed=LISTED_PER_EXERCISE)


def write_integrity_page(signals: Signals, report_dir: Path) -> Path:
    """Write ``report_dir/integrity.html`` and ``integrity.json``; return the HTML path."""
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    matches = signals.similarity.matches
    class_pairs = markupsafe.Markup(_section([m for m in matches if not m.is_reference],
                                             signals.similarity.compared, "No pair of answers at or above the threshold."))
    reference_pairs = markupsafe.Markup(_section([m for m in matches if m.is_reference], {},
                                                 "No answer at or above the threshold."))
    html = _TEMPLATE.render(s=signals, class_pairs=class_pairs, reference_pairs=reference_pairs,
                            generated=dt.datetime.now().isoformat(timespec="seconds"))
    (report_dir / "integrity.json").write_text(json.dumps(signals.to_json(), indent=1), encoding="utf-8")
    path = report_dir / "integrity.html"
    path.write_text(html, encoding="utf-8")
    return path


def write_for_class(assignment: str, folders: dict[str, Path], report_dir: Path, root: Path, *,
                    references: Path | None = None, threshold: float | None = None) -> list[str]:
    """What ``course grade`` runs before the class report: the page, or one warning line saying why not.

    Never raises (a bug here must not cost a graded class its report) and never touches a grade.
    """
    from autograder.integrity import signals as integrity_signals, similarity

    try:
        found = integrity_signals.collect(assignment, folders, root, references=references,
                                          threshold=similarity.THRESHOLD if threshold is None else threshold)
        write_integrity_page(found, report_dir)
    except Exception as exc:  # noqa: BLE001 - reported to the TA in the report's warnings
        for stale in ("integrity.html", "integrity.json"):  # an earlier run's page would no longer be this class's
            (Path(report_dir) / stale).unlink(missing_ok=True)
        return [f"integrity signals not computed ({type(exc).__name__}: {exc}); run `course similarity "
                f"{assignment} --submissions DIR` to retry."]
    return []
