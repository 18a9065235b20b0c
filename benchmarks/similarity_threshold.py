"""Where the similarity threshold comes from: honest alternatives of the answer corpus, and renamed copies.

For every week, every function that more than one honest version defines (the solution's answer cell
and each ``# expect: pass`` file of ``tests/answers/NN_topic/``) is compared pairwise the way
``autograder.integrity.similarity`` compares students (copydetect fingerprints, the template's code
removed); these are independent answers, so the largest score among them is the floor the threshold
must sit above. Each honest version is also copied with every local name renamed and re-formatted
(:func:`renamed`, what a student hiding a copy does): the smallest of those scores is the ceiling.
Against reference texts (``tests/fixtures/integrity/references/NN_topic/``, public-style solutions): every
answer-corpus cell of that week, right or wrong (the ceiling for honest work), and each port of a
reference to the course's contract in ``tests/fixtures/integrity/ports/NN_topic/<grade_id>.py`` (the
floor). Writes ``benchmarks/results/similarity_threshold.json``.

Usage::

    .venv/bin/python benchmarks/similarity_threshold.py
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "tests"))

from autograder.integrity import similarity  # noqa: E402
from autograder.integrity.answers import template_answers  # noqa: E402
from integrity_class import cell_versions, fill, honest_versions, renamed  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "integrity"

def measure(assignment: str) -> dict:
    """Every honest pair's score and every renamed copy's score for one week."""
    template = template_answers(assignment, ROOT)
    honest, copies, small = [], [], 0
    for name, group in honest_versions(assignment).items():
        prints = []
        for label, grade_id, code in group:
            boilerplate = similarity.boilerplate_of(template.get(grade_id, ""))
            print_ = similarity.fingerprint(label, code, boilerplate)
            if similarity.own_chars(print_) < similarity.MIN_CHARS:
                small += 1
                continue
            prints.append((label, print_))
            copy = similarity.fingerprint("copy", renamed(code, keep={name}), boilerplate)
            match = similarity.compare(name, (label, print_), ("copy", copy))
            copies.append({"function": name, "source": label, "score": round(match.score if match else 0.0, 3)})
        for left, right in itertools.combinations(prints, 2):
            match = similarity.compare(name, left, right)
            honest.append({"function": name, "pair": [left[0], right[0]],
                           "score": round(match.score if match else 0.0, 3)})
    return {"assignment": assignment, "honest_pairs": sorted(honest, key=lambda r: -r["score"]),
            "renamed_copies": sorted(copies, key=lambda r: r["score"]), "below_min_chars": small}


def measure_references(assignment: str) -> dict:
    """Each corpus cell's and each port's score against the week's reference texts (answer coverage)."""
    references = similarity.reference_texts(FIXTURES / "references" / assignment)
    template = template_answers(assignment, ROOT)
    ports = {path.stem: path.read_text(encoding="utf-8")
             for path in sorted((FIXTURES / "ports" / assignment).glob("*.py"))}
    honest, ported = [], []
    versions = cell_versions(assignment) if references else {}
    for grade_id, group in versions.items():
        boilerplate = similarity.boilerplate_of(template.get(grade_id, ""))
        prints = {name: similarity.fingerprint(name, text, boilerplate) for name, text in references.items()}
        answers = [(label, code, honest) for label, code in group]
        answers += [(f"port:{grade_id}", fill(template[grade_id], ports[grade_id]), ported)] if grade_id in ports else []
        for label, code, rows in answers:
            answer = similarity.fingerprint(label, code, boilerplate)
            if similarity.own_chars(answer) < similarity.MIN_CHARS:
                continue
            for name, ref in prints.items():
                match = similarity.compare(grade_id, (label, answer), (name, ref), reference=True)
                rows.append({"exercise": grade_id, "answer": label, "reference": name,
                             "score": round(match.score if match else 0.0, 3)})
    return {"assignment": assignment, "references": sorted(references),
            "corpus_answers": sorted(honest, key=lambda r: -r["score"]), "ports": ported}


def main() -> int:
    from course_utils.runtime import machine_facts

    weeks = [measure(path.name) for path in sorted((ROOT / "tests" / "answers").iterdir())
             if path.is_dir() and (ROOT / "solutions" / path.name).is_dir()]
    against = [measure_references(path.name) for path in sorted((FIXTURES / "references").iterdir())]
    honest = [row["score"] for week in weeks for row in week["honest_pairs"]]
    corpus_refs = [row["score"] for week in against for row in week["corpus_answers"]]
    ports = [row["score"] for week in against for row in week["ports"]]
    copies = [row["score"] for week in weeks for row in week["renamed_copies"]]
    record = {"measure": "similarity of honest alternatives vs renamed copies (copydetect, template removed)",
              "profile": "n/a (no training)", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine_facts(), "k": similarity.K, "window": similarity.WINDOW,
              "min_chars": similarity.MIN_CHARS, "threshold": similarity.THRESHOLD,
              "honest_pairs": len(honest), "honest_max": max(honest, default=0.0),
              "renamed_copies": len(copies), "renamed_min": min(copies, default=0.0), "weeks": weeks,
              "reference_threshold": similarity.REFERENCE_THRESHOLD, "reference_corpus_answers": len(corpus_refs),
              "reference_corpus_max": max(corpus_refs, default=0.0), "reference_ports": len(ports),
              "reference_ports_min": min(ports, default=0.0), "references": against}
    out = ROOT / "benchmarks" / "results" / "similarity_threshold.json"
    out.write_text(json.dumps(record, indent=1) + "\n")
    print(f"{len(honest)} honest pairs, max {record['honest_max']}; {len(copies)} renamed copies, "
          f"min {record['renamed_min']}; threshold {similarity.THRESHOLD}; against references: corpus max "
          f"{record['reference_corpus_max']}, ports min {record['reference_ports_min']}, threshold "
          f"{similarity.REFERENCE_THRESHOLD}; wrote {out.relative_to(ROOT)}")
    return 0 if (record["honest_max"] < similarity.THRESHOLD <= record["renamed_min"] and
                 record["reference_corpus_max"] < similarity.REFERENCE_THRESHOLD <= record["reference_ports_min"]) else 1


if __name__ == "__main__":
    sys.exit(main())
