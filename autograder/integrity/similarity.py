"""Answers that are the same code under other names: pairwise per exercise, and against reference texts.

copydetect (PyPI, ``copydetect==0.5.0``) tokenises Python with pygments, replaces every name by one
letter (so renamed variables, functions and strings do not hide a copy), hashes k-grams of what is
left and keeps a winnowed sample of them (Schleimer, Wilkerson & Aiken 2003). Two answers share
fingerprints where they share code of at least :data:`K` filtered characters. The template's own code
(the released notebook's cell: signature, docstring, ``# YOUR CODE HERE``) is removed first as
copydetect's *boilerplate*, so two students are never similar for what the course gave them both.
Each text is first printed back by Python's :mod:`ast` (:func:`normalised`: comments, blank lines,
parentheses and quotes re-formatted the same way for everyone), and k-grams are hashed with BLAKE2b
rather than copydetect's salted ``hash`` (:class:`Fingerprint`), so a class gives the same scores on
every run.

Score of a pair: the larger of the two coverages (the share of one answer's fingerprinted code found
in the other), as copydetect's own report uses; against a reference text only the answer's coverage
counts (a reference holds many functions). :data:`THRESHOLD`, :data:`REFERENCE_THRESHOLD` and
:data:`MIN_CHARS` come from the answer corpus (``benchmarks/similarity_threshold.py``,
``benchmarks/results/similarity_threshold.json``).
"""

from __future__ import annotations

import ast
import hashlib
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
from copydetect import compare_files
from copydetect.utils import filter_code, get_token_coverage, highlight_overlap, winnow
from markupsafe import escape

from autograder.integrity.answers import Submission
from autograder.sources import notebooks

K = 25          # copydetect's default noise threshold: shared runs shorter than this are ignored
WINDOW = 6      # winnowing window: any shared run of 30 filtered characters is seen (30 - 25 + 1); copydetect's
                # own default (guarantee 25, window 1) keeps every k-gram, about three times the hashes per pair
# Honest alternatives of the answer corpus, every week (116 pairs), reach at most 0.878 (week 4's
# saliency_map solution and a one-line variant of it; most pairs stay under 0.5); renamed and re-formatted
# copies of each of them (114) score 1.0 (benchmarks/results/similarity_threshold.json).
THRESHOLD = 0.92
# Against a reference text: the corpus's week-1 answers (right and wrong, 67 cells) cover at most 0.38 of
# themselves with the tests' public-style pooling solution, a port of it to the course's contract 0.67.
REFERENCE_THRESHOLD = 0.6
# Answers with less of their own fingerprinted code than this (filtered characters, template removed)
# are not compared: a two-line receptive_field has one natural spelling.
MIN_CHARS = 80
REFERENCE_SUFFIXES = (".py", ".ipynb")


@dataclass(frozen=True, eq=False)
class Match:
    """Two texts of one exercise at or above the threshold: who, the score, and where their code is shared.

    right: another student's id, or ``reference:<file name>``; ``left_html`` / ``right_html`` give each text
    (as :func:`normalised`) as escaped HTML with the shared code between ``<mark>`` tags, made only when asked
    (a page shows the first pairs of an exercise, not thousands).
    """

    exercise: str
    left: str
    right: str
    score: float
    coverages: tuple[float, float]
    left_code: str = field(repr=False, default="")
    right_code: str = field(repr=False, default="")
    left_slices: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((2, 0), dtype=int))
    right_slices: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((2, 0), dtype=int))

    @property
    def is_reference(self) -> bool:
        return self.right.startswith("reference:")

    @property
    def left_html(self) -> str:
        return _highlighted(self.left_code, self.left_slices)

    @property
    def right_html(self) -> str:
        return _highlighted(self.right_code, self.right_slices)


@dataclass
class SimilarityReport:
    """Everything the similarity pass found, for the page; ``compared`` counts the pairs per exercise."""

    matches: list[Match] = field(default_factory=list)
    compared: dict[str, int] = field(default_factory=dict)
    references: list[str] = field(default_factory=list)
    threshold: float = THRESHOLD
    reference_threshold: float = REFERENCE_THRESHOLD


def normalised(code: str) -> str:
    """``code`` as Python's :mod:`ast` prints it back (comments, blank lines, redundant parentheses and
    quote styles gone), so that re-formatting hides nothing; the text itself when it does not parse."""
    try:
        return ast.unparse(ast.parse(code))
    except (SyntaxError, ValueError, RecursionError):
        return code


@dataclass
class Fingerprint:
    """copydetect's fingerprint of one text, with the attributes its ``compare_files`` reads.

    Built from copydetect's own steps (``filter_code``, ``winnow``, ``get_token_coverage``) with one
    change: k-grams are hashed with BLAKE2b instead of Python's ``hash``, which is salted per process,
    so that the same class gives the same scores on every run.
    """

    raw_code: str
    filtered_code: str
    offsets: np.ndarray
    hashes: set[int]
    hash_idx: dict[int, list[int]]
    token_coverage: int
    k: int = K


def kgram_hashes(text: str, k: int = K) -> np.ndarray:
    """A 64-bit BLAKE2b hash of every k-gram of ``text``."""
    return np.array([int.from_bytes(hashlib.blake2b(text[i:i + k].encode(), digest_size=8).digest(), "little",
                                    signed=True) for i in range(len(text) - k + 1)], dtype=np.int64)


def fingerprint(name: str, code: str, boilerplate: np.ndarray | None = None) -> Fingerprint:
    """The winnowed fingerprint of ``code`` (Python, :func:`normalised`), ``boilerplate`` hashes removed."""
    raw = normalised(code)
    filtered, offsets = filter_code(raw, f"{name}.py", language="python")
    hashes = kgram_hashes(filtered)
    if len(hashes) == 0:
        return Fingerprint(raw, filtered, offsets, set(), {}, 0)
    hashes, idx = winnow(hashes, WINDOW, remove_duplicates=False)
    if boilerplate is not None and len(boilerplate):
        keep = ~np.isin(hashes, boilerplate)
        hashes, idx = hashes[keep], idx[keep]
    hash_idx: dict[int, list[int]] = {}
    for value, index in zip(hashes.tolist(), idx.tolist()):
        hash_idx.setdefault(value, []).append(index)
    return Fingerprint(raw, filtered, offsets, set(hash_idx), hash_idx,
                       int(get_token_coverage(hash_idx, K, len(filtered))))


def boilerplate_of(template: str) -> np.ndarray:
    """The hashes of the template's own code, which no comparison may count."""
    return np.array(sorted(fingerprint("template", template).hashes), dtype=np.int64) \
        if template.strip() else np.array([], dtype=np.int64)


def own_chars(fp: Fingerprint) -> int:
    """Filtered characters of ``fp`` covered by its fingerprints (what is left after the template)."""
    return int(fp.token_coverage)


def _highlighted(code: str, slices: np.ndarray) -> str:
    """``code`` as escaped HTML, the parts in ``slices`` (copydetect's 2 x n starts and ends) marked."""
    if slices.ndim != 2 or slices.shape[1] == 0:
        return str(escape(code))
    html, _ = highlight_overlap(code, slices, "<mark>", "</mark>", escape_html=True)
    return html


def compare(exercise: str, left: tuple[str, Fingerprint], right: tuple[str, Fingerprint], *,
            reference: bool = False, threshold: float = 0.0) -> Match | None:
    """The :class:`Match` of two fingerprinted texts, or None below ``threshold``."""
    if not left[1].hashes & right[1].hashes:  # no shared fingerprint: skip copydetect's slicing
        return None
    _, coverages, slices = compare_files(left[1], right[1])
    score = float(coverages[0]) if reference else float(max(coverages))
    if score < threshold or score == 0.0:
        return None
    return Match(exercise, left[0], right[0], score, (float(coverages[0]), float(coverages[1])),
                 left[1].raw_code, right[1].raw_code, slices[0], slices[1])


def reference_texts(folder: Path | None) -> dict[str, str]:
    """``file name -> code`` of the instructor's reference texts (``*.py``, or a notebook's code cells)."""
    if folder is None or not Path(folder).is_dir():
        return {}
    texts = {}
    for path in sorted(Path(folder).iterdir()):
        if path.suffix not in REFERENCE_SUFFIXES or path.is_symlink() or not path.is_file():
            continue
        if path.suffix == ".py":
            texts[path.name] = path.read_text(encoding="utf-8", errors="replace")
        else:
            cells = notebooks.read(path).cells
            texts[path.name] = "\n\n".join(c.source for c in cells if c.cell_type == "code")
    return texts


def compare_class(submissions: Sequence[Submission], template: Mapping[str, str],
                  references: Mapping[str, str] | None = None, *, threshold: float = THRESHOLD,
                  reference_threshold: float = REFERENCE_THRESHOLD, exercises: Iterable[str] | None = None,
                  min_chars: int = MIN_CHARS) -> SimilarityReport:
    """Every pair of answers of each exercise, and every answer against every reference text.

    exercises: the answer cells' grade_ids to compare (default: those of the template). Returns the
    pairs whose score reaches ``threshold`` (``reference_threshold`` against a reference text), highest
    first within each exercise.
    """
    references = dict(references or {})
    report = SimilarityReport(references=sorted(references), threshold=threshold,
                              reference_threshold=reference_threshold)
    for exercise in list(exercises or template):
        boilerplate = boilerplate_of(template.get(exercise, ""))
        prints = []
        for submission in submissions:
            code = submission.answers.get(exercise, "")
            if code.strip():
                fp = fingerprint(submission.student, code, boilerplate)
                if own_chars(fp) >= min_chars:
                    prints.append((submission.student, fp))
        found = []
        for left, right in itertools.combinations(prints, 2):
            if match := compare(exercise, left, right, threshold=threshold):
                found.append(match)
        report.compared[exercise] = len(prints) * (len(prints) - 1) // 2
        for name, text in references.items():
            ref = (f"reference:{name}", fingerprint(name, text, boilerplate))
            for left in prints:
                if match := compare(exercise, left, ref, reference=True,
                                     threshold=reference_threshold):
                    found.append(match)
        report.matches += sorted(found, key=lambda m: (-m.score, m.left, m.right))
    return report
