"""Does every week's source notebook follow the course's one set of conventions?

The conventions (README, "Adding a week"): a title ``# Week N — topic``; a header with
``**Estimated time:**`` and ``**Accelerator:**``, and the run time ``benchmarks/notebook_run_time.py``
recorded for each profile, as that script words it (a week not measured yet is skipped, and says so); exercises numbered ``N.k`` after
the week, each number once, with its points or "ungraded" in the heading; a first
code cell that imports ``course_utils`` before TensorFlow, Keras, NumPy or matplotlib
(so TensorFlow's start-up lines stay out of the outputs) and sets ``ASSIGNMENT``; a self-check *cell*
(starting with ``# Self-check``, so it shows a one-line verdict and never stops *Run All*,
``course_utils.tutor``) before every grade cell that hands a function or a model to the grader;
an answer cell under every question, however it is written; and a closing ``## Before you submit``
cell that names exactly the notebook and the files its cells and the grader load. Every week in
``solutions/`` is checked, a new one too; each check is also shown to fail on a small bad notebook.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from autograder.sources import handin, release
from course_utils.tutor import SELF_CHECK_MARK

ROOT = Path(__file__).resolve().parents[1]
WEEKS = release.list_assignments(ROOT)
EXERCISE = re.compile(r"^#{2,3} Exercise (\d+)\.(\d+) — .+\((?:[\d +]+ points?|ungraded[^)]*)[^)]*\)\s*$", re.M)
ANY_EXERCISE = re.compile(r"^#{2,3} Exercise\b.*$", re.M)


def _notebook(assignment: str):
    return nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)


@pytest.mark.parametrize("assignment", WEEKS)
def test_title_and_header(assignment):
    first = _notebook(assignment).cells[0]
    week = int(assignment[:2])
    assert first.cell_type == "markdown" and first.source.startswith(f"# Week {week} — "), first.source[:80]
    assert "**Estimated time:**" in first.source and "**Accelerator:**" in first.source


@pytest.mark.parametrize("assignment", WEEKS)
def test_exercises_are_numbered_after_the_week_once_each(assignment):
    text = "\n".join(cell.source for cell in _notebook(assignment).cells if cell.cell_type == "markdown")
    headings = ANY_EXERCISE.findall(text)
    malformed = [heading for heading in headings if not EXERCISE.match(heading)]
    assert not malformed, f"write '### Exercise N.k — title (P points)' or '(ungraded)': {malformed}"
    numbers = [(int(week), int(k)) for week, k in EXERCISE.findall(text)]
    assert all(week == int(assignment[:2]) for week, _ in numbers), numbers
    assert len(numbers) == len(set(numbers)), f"an exercise number appears twice: {numbers}"


@pytest.mark.parametrize("assignment", WEEKS)
def test_setup_cell_imports_course_utils_first(assignment):
    setup = next(cell for cell in _notebook(assignment).cells if cell.cell_type == "code")
    code = [line for line in setup.source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    imports = [line.split()[1].split(".")[0] for line in code if line.startswith(("import ", "from "))]
    heavy = [i for i, module in enumerate(imports) if module in ("tensorflow", "keras", "numpy", "matplotlib")]
    assert "course_utils" in imports and (not heavy or imports.index("course_utils") < heavy[0]), imports
    assert re.search(rf'^ASSIGNMENT = "{assignment}"$', setup.source, re.M) or assignment == "00_setup"


HANDS_OVER = re.compile(r"\bjudge\.submit(?:_artifact)?\(")


def _is_grade_cell(cell) -> bool:
    return cell.cell_type == "code" and bool(cell.metadata.get("nbgrader", {}).get("grade"))


def grade_cells_without_self_check(cells) -> list[str]:
    """The grade ids of grade cells that hand a function or a model to the grader (``judge.submit`` or
    ``judge.submit_artifact`` in their hidden part) with no self-check *cell* (a code cell starting with
    ``SELF_CHECK_MARK``) between the previous grade cell and them: the grade cell's own visible asserts
    do not count, since they stop *Run All* instead of showing one line."""
    missing, self_checked = [], False
    for cell in cells:
        if cell.cell_type == "code" and cell.source.lstrip().startswith(SELF_CHECK_MARK):
            self_checked = True
        if not _is_grade_cell(cell):
            continue
        hidden = cell.source.partition("### BEGIN HIDDEN TESTS")[2]
        if HANDS_OVER.search(hidden) and not self_checked:
            missing.append(cell.metadata["nbgrader"].get("grade_id", "?"))
        self_checked = False
    return missing


@pytest.mark.parametrize("assignment", WEEKS)
def test_every_grade_cell_has_a_self_check_cell_before_it(assignment):
    """Does a '# Self-check' cell come before every grade cell that hands something to the grader?"""
    missing = grade_cells_without_self_check(_notebook(assignment).cells)
    assert not missing, f"add a '# Self-check: <what it checks>' cell before {missing}"


def test_a_grade_cell_whose_only_check_is_its_own_asserts_is_found():
    """Does the check refuse visible asserts in the grade cell as a self-check, and a self-check that
    sits before an earlier grade cell, and accept one self-check cell before each grade cell?"""
    def grade(grade_id: str, hidden: str = 'judge.submit(ASSIGNMENT, "f", f)'):
        cell = nbformat.v4.new_code_cell(f'"""Check f."""\nassert f(1) == 2, "f(1) is 2"\n'
                                         f"### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS")
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "locked": True, "points": 1}
        return cell

    code = nbformat.v4.new_code_cell
    self_check = code("# Self-check: f on two inputs.\nprint(f(1))")
    solution = code("def f(x):\n    return 2 * x")
    assert grade_cells_without_self_check([solution, grade("test_f")]) == ["test_f"]
    shared = [solution, self_check, grade("test_f"), grade("test_g"), grade("test_model", 'judge.submit_artifact(A, "m")')]
    assert grade_cells_without_self_check(shared) == ["test_g", "test_model"]
    untested = grade("test_h", "pass  # nothing handed over")
    assert grade_cells_without_self_check([solution, self_check, grade("test_f"), untested, self_check,
                                           grade("test_g")]) == []


CHECK_CALL = re.compile(r"\bcheck_(?:close|gradient|array|shape|dtype|finite|answered)\(")


@pytest.mark.parametrize("assignment", WEEKS)
def test_self_check_cells_carry_the_mark(assignment):
    """A cell outside nbgrader's cells that runs the course's checks is a self-check: it must start with
    '# Self-check', which makes a blank or wrong answer show one line without stopping Run All."""
    unmarked = [cell.source.splitlines()[0][:70] for cell in _notebook(assignment).cells
                if cell.cell_type == "code" and not cell.metadata.get("nbgrader", {}).get("grade")
                and not cell.metadata.get("nbgrader", {}).get("solution")
                and CHECK_CALL.search(cell.source) and not cell.source.startswith(SELF_CHECK_MARK)]
    assert not unmarked, f"start these self-check cells with '{SELF_CHECK_MARK}: <what it checks>': {unmarked}"


QUESTION = re.compile(r"^\*\*Question (\d+)\.(\d+)\.\*\* \S")
# any line that opens with the word "Question", however emphasised, numbered or quoted ("Question 2:",
# "*Question 3.1*", "1. **Question:**", "> Question."), so a question in another form is not missed
LOOSE_QUESTION = re.compile(r"^[\s>*_]*(?:\d+[.)]\s*)?[*_]*Question\b", re.M)
QUESTIONS_HEADING = re.compile(r"^#{1,6} Questions\b", re.M)
NUMBERED_ITEM = re.compile(r"^\s*\d+[.)]\s+\S", re.M)


def question_problems(cells, week: int) -> list[str]:
    """What breaks the questions' convention in ``cells``: a questions heading that does not open its own
    cell, a question written in another form than ``**Question N.k.** …`` anywhere in the notebook,
    questions listed together in one cell, a question without its answer cell right below it
    (markdown, nbgrader solution + grade, ``answer_N_k``; its points are the instructor's, 0 allowed)."""
    problems = []
    in_questions = False
    for index, cell in enumerate(cells):
        source = cell.source if cell.cell_type == "markdown" else ""
        headings = re.findall(r"^## .*$", source, re.M)
        if headings:
            in_questions = headings[-1].startswith("## Questions")
        if QUESTIONS_HEADING.search(source) and (not source.startswith("## Questions") or NUMBERED_ITEM.search(source)
                                                 or LOOSE_QUESTION.search(source)):
            problems.append(f"cell {index}: '## Questions' opens a cell of its own, and each question "
                            f"('**Question {week}.k.** …') gets its own cell with an answer cell below it")
            continue
        if nbgrader_answer(cell):
            continue
        question = QUESTION.match(source)
        asked = LOOSE_QUESTION.findall(source)
        if len(asked) > 1:
            problems.append(f"cell {index}: one question per cell")
        elif asked and not question:
            problems.append(f"cell {index}: write the question '{source.strip()[:40]}…' as "
                            f"'**Question {week}.k.** …', in its own cell with an answer cell below it")
        elif in_questions and source and not question and not source.startswith("## "):
            problems.append(f"cell {index}: write each question as '**Question {week}.k.** …' in its own cell")
        if question:
            following = cells[index + 1] if index + 1 < len(cells) else None
            if int(question.group(1)) != week:
                problems.append(f"cell {index}: question of week {question.group(1)} in week {week}")
            if following is None or not nbgrader_answer(following):
                problems.append(f"cell {index} ({source[:40]}…) needs an answer cell below it")
                continue
            meta = following.metadata["nbgrader"]
            if meta.get("grade_id") != f"answer_{week}_{question.group(2)}" or float(meta.get("points", -1)) < 0:
                problems.append(f"cell {index + 1}: the answer cell is named answer_{week}_{question.group(2)} "
                                f"and worth 0 or more points, not {meta}")
    return problems


@pytest.mark.parametrize("assignment", WEEKS)
def test_every_question_has_an_answer_cell_below_it(assignment):
    """Questions are written '**Question N.k.** …', one per cell, each followed by an nbgrader answer
    cell (markdown, solution + grade: the release shows YOUR ANSWER HERE, a TA grades it by hand)."""
    assert question_problems(_notebook(assignment).cells, int(assignment[:2])) == []


def test_questions_without_answer_cells_are_found():
    """Does the check catch week 5's old shape (the questions listed in one cell, no answer cell) and a
    question whose answer cell is missing, and accept the convention?"""
    md = nbformat.v4.new_markdown_cell

    def answer(grade_id: str, points: float = 0):
        cell = md("The model answer.")
        cell.metadata["nbgrader"] = {"grade": True, "solution": True, "grade_id": grade_id, "points": points}
        return cell

    listed = [md("Some results.\n\n## Questions (ungraded)\n\n1. Why?\n2. How?"), md("## Before you submit")]
    assert question_problems(listed, 5) and "opens a cell of its own" in question_problems(listed, 5)[0]
    missing = [md("## Questions (ungraded)"), md("**Question 5.1.** Why?"), md("**Question 5.2.** How?"),
               answer("answer_5_2")]
    assert question_problems(missing, 5) == ["cell 1 (**Question 5.1.** Why?…) needs an answer cell below it"]
    good = [md("## Questions (ungraded)\n\nAnswer below each."), md("**Question 5.1.** Why?"),
            answer("answer_5_1"), md("**Question 5.2.** How?"), answer("answer_5_2", 2), md("## Before you submit")]
    assert question_problems(good, 5) == []


@pytest.mark.parametrize("form", ["Question 5.1: why?", "*Question 5.1.* Why?", "**Question 5.1** Why?",
                                  "1. **Question:** why?", "> Question. Why?", "Some text.\n\nQuestion: why?"])
def test_a_question_in_another_form_is_found_anywhere(form):
    """Is a question written without the bold '**Question N.k.**' form found, in the questions section
    and in an exercise's text, even when an answer cell follows it?"""
    md = nbformat.v4.new_markdown_cell
    answer = md("The model answer.")
    answer.metadata["nbgrader"] = {"grade": True, "solution": True, "grade_id": "answer_5_1", "points": 0}
    in_section = [md("## Questions (ungraded)"), md(form), answer, md("## Before you submit")]
    in_exercise = [md("### Exercise 5.1 — a thing (2 points)"), md(form), md("## Before you submit")]
    for cells in (in_section, in_exercise):
        assert any("**Question 5.k.** …" in problem for problem in question_problems(cells, 5)), cells


def test_questions_numbered_under_a_lower_heading_are_found():
    """Is a numbered list of questions under a '### Questions' heading found, as under '## Questions'?"""
    md = nbformat.v4.new_markdown_cell
    cells = [md("## Part 2 — results"), md("### Questions\n\n1. Why?\n2. How?"), md("## Before you submit")]
    assert any("opens a cell of its own" in problem for problem in question_problems(cells, 5))


def nbgrader_answer(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "markdown" and bool(meta.get("solution")) and bool(meta.get("grade"))


HANDED_IN = re.compile(r"`([\w.\-]+\.(?:ipynb|keras|npz))`")


def handin_problems(cells, expected: list[str]) -> list[str]:
    """How the closing '## Before you submit' cell of ``cells`` differs from ``expected``, the one list of
    files to hand in: a file it does not name, a file it names (in backticks) that is not on the list."""
    closing = [cell.source for cell in cells
               if cell.cell_type == "markdown" and cell.source.startswith("## Before you submit")]
    if not closing:
        return ["add a closing '## Before you submit' cell"]
    named = set(HANDED_IN.findall(closing[-1]))
    return ([f"'Before you submit' does not name `{name}`" for name in expected if name not in named]
            + [f"'Before you submit' names `{name}`, which the grader does not load" for name in sorted(named)
               if name not in expected])


@pytest.mark.parametrize("assignment", WEEKS)
def test_before_you_submit_is_the_one_list_to_hand_in(assignment):
    """Does 'Before you submit' name exactly the notebook and the files its cells and the checks load
    (``autograder.sources.handin``, the list the student's check and the grader read), no more, with
    every name built at run time (``f"conv_ae_{size}.keras"`` in a loop) derived, none left unknown?"""
    expected = [f"{assignment}.ipynb", *handin.files_to_hand_in(assignment, ROOT)]
    assert handin_problems(_notebook(assignment).cells, expected) == []
    assert handin.unresolved_names(ROOT / "solutions" / assignment / f"{assignment}.ipynb") == []


def test_names_built_at_run_time_are_derived_or_refused(tmp_path):
    """Are f-string names derived from the loops around them (a literal, a bound name, by_profile's full
    list, a comprehension), a folder-joined one left out, and one built from an unknown value refused;
    and does a 'Before you submit' that leaves out a derived name fail?"""
    code = nbformat.v4.new_code_cell
    md = nbformat.v4.new_markdown_cell
    cells = [code('SIZES = runtime.by_profile(smoke=[2], full=[2, 8])\nWEIGHT = 0.5'),
             code('models = {size: training.train_or_load(f"ae_{size}.keras", build) for size in SIZES}\n'
                  'for name, weight in [("dense", 0.0), ("contractive", WEIGHT)]:\n'
                  '    training.train_or_load(f"{name}_ae.keras", build)\n'
                  'optional = Path("..") / f"other_{SIZES}.keras"\n'
                  '%matplotlib inline'),
             md("## Before you submit\n\n`x.ipynb`, `ae_2.keras`, `ae_8.keras`, `dense_ae.keras`.")]
    path = tmp_path / "x.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(path))
    assert handin.notebook_files(path) == ["ae_2.keras", "ae_8.keras", "dense_ae.keras", "contractive_ae.keras"]
    assert handin.unresolved_names(path) == []
    assert handin_problems(cells, ["x.ipynb", *handin.notebook_files(path)]) == [
        "'Before you submit' does not name `contractive_ae.keras`"]
    cells[1] = code('for seed in range(3):\n    training.train_or_load(f"run_{seed}.keras", build)')
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(path))
    assert handin.unresolved_names(path) == ["f'run_{seed}.keras'"] and handin.notebook_files(path) == []


def test_a_before_you_submit_that_differs_from_the_list_is_found():
    """Is a closing cell found that leaves out a graded file, names a file nothing loads, or is missing?"""
    md = nbformat.v4.new_markdown_cell
    expected = ["05_x.ipynb", "model.keras", "samples.npz"]
    short = [md("## Before you submit\n\nHand in `05_x.ipynb` and `model.keras`.")]
    assert handin_problems(short, expected) == ["'Before you submit' does not name `samples.npz`"]
    extra = [md("## Before you submit\n\n`05_x.ipynb`, `model.keras`, `samples.npz`, `old_model.keras`.")]
    assert handin_problems(extra, expected) == [
        "'Before you submit' names `old_model.keras`, which the grader does not load"]
    assert handin_problems([md("## Questions")], expected) == ["add a closing '## Before you submit' cell"]
    good = [md("## Before you submit\n\n`05_x.ipynb`, `model.keras` and `samples.npz`, each with its sidecar "
               "`.keras.json`.")]
    assert handin_problems(good, expected) == []


def _run_times():
    """benchmarks/notebook_run_time.py, which records the run times and writes the header sentence."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("notebook_run_time", ROOT / "benchmarks" / "notebook_run_time.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("assignment", WEEKS)
def test_the_header_states_the_measured_run_time(assignment):
    """Does the header say, as benchmarks/notebook_run_time.py recorded it, how long the notebook ran (with
    training, then with the saved models) per profile, and claim no measurement that was not recorded?"""
    run_times = _run_times()
    records = run_times.load_records()
    header = _notebook(assignment).cells[0].source
    assert run_times.header_problems(header, records, assignment) == []
    if not any(assignment in record.get("weeks", {}) for record in records.values()):
        pytest.skip(f"no run time recorded for {assignment} yet: benchmarks/notebook_run_time.py {assignment[:2]}")


def test_a_header_that_misstates_the_run_time_is_found():
    """Is a header found that rounds the record differently, leaves it out, or claims an unrecorded profile?"""
    run_times = _run_times()
    entry = {"date": "2026-12-07T14:00:00", "first_run": {"seconds": 44.1}, "rerun": {"seconds": 250.0},
             "saved_files": ["model.keras"],
             "machine": {"cpu": "AMD EPYC", "cpu_count": 2, "gpus": [], "load_average": [11.54, 3.0, 2.0]}}
    records = {"smoke": {"weeks": {"00_x": entry}}}
    sentence = run_times.header_sentence("smoke", entry)
    assert "44 s top to bottom with training, 4.2 min again with the saved models" in sentence
    assert run_times.header_problems(f"# Week 0 — x\n\n{sentence}", records, "00_x") == []
    wrong = sentence.replace("44 s", "40 s")
    assert run_times.header_problems(wrong, records, "00_x") == [f"00_x: the header does not say {sentence!r}"]
    assert run_times.header_problems("# Week 0 — x\n\n**Estimated time:** 20 minutes", records, "00_x")
    claimed = sentence.replace("(smoke profile", "(full profile")
    assert run_times.header_problems(f"{sentence}\n{claimed}", records, "00_x") == [
        "00_x: the header states a measured full run time that no record holds"]


def test_the_measured_run_time_is_written_into_the_header(tmp_path):
    """Does ``--headers-only`` replace the sentence a header states for the profile, insert it among the
    header's facts when absent, and leave a header that already says it untouched?"""
    run_times = _run_times()
    entry = {"date": "2026-12-07T14:00:00", "first_run": {"seconds": 44.1}, "rerun": {"seconds": 50.0},
             "saved_files": [], "machine": {"cpu": "AMD EPYC", "cpu_count": 2, "gpus": [], "load_average": [0.4]}}
    folder = tmp_path / "solutions" / "00_x"
    folder.mkdir(parents=True)
    path = folder / "00_x.ipynb"
    facts = "# Week 0\n**Estimated time:** 20 minutes<br>\n**Accelerator:** none\n\nIntroduction."
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(facts)]), path)
    assert run_times.write_header("00_x", "smoke", entry, root=tmp_path)
    header = nbformat.read(path, as_version=4).cells[0].source
    sentence = run_times.header_sentence("smoke", entry)
    assert header.split("\n")[2:4] == [sentence + "<br>", "**Accelerator:** none"]
    assert run_times.header_problems(header, {"smoke": {"weeks": {"00_x": entry}}}, "00_x") == []
    assert not run_times.write_header("00_x", "smoke", entry, root=tmp_path)
    entry["first_run"]["seconds"] = 61.0
    assert run_times.write_header("00_x", "smoke", entry, root=tmp_path)
    header = nbformat.read(path, as_version=4).cells[0].source
    assert "61 s top to bottom" in header and "44 s" not in header and header.count("**Run time, measured**") == 1


def test_the_run_time_sentence_says_when_the_machine_filled_up_during_the_runs():
    """A machine quiet at the start and busy at the end slowed the second run: is the end's load said too?"""
    run_times = _run_times()
    entry = {"date": "2026-12-07T14:00:00", "first_run": {"seconds": 107.5}, "rerun": {"seconds": 154.4},
             "saved_files": ["model.keras"], "load_average_at_end": [12.4, 9.0, 5.0],
             "machine": {"cpu": "AMD EPYC", "cpu_count": 2, "gpus": [], "load_average": [0.5, 1.0, 2.0]}}
    sentence = run_times.header_sentence("smoke", entry)
    assert "load 0.5 at the start, 12.4 at the end, busy and shared" in sentence
    assert "CPU" not in sentence   # not recorded for this entry
    entry["first_run"]["kernel_cpu_seconds"], entry["rerun"]["kernel_cpu_seconds"] = 159.3, 51.0
    assert sentence.removesuffix(".") + "; the notebook's own CPU time: 2.7 min and 51 s." == \
        run_times.header_sentence("smoke", entry)
    entry["load_average_at_end"] = [0.46, 0.5, 0.5]
    quiet = run_times.header_sentence("smoke", entry)
    assert "load 0.5)" not in quiet and "load 0.5, 2026-12-07" in quiet and "busy" not in quiet
