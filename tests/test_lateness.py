"""Questions about late work: the policy kinds, extensions, and submission times taken from the
nbgrader exchange, from archives (``course collect``) and from a TA's CSV; the penalty beside the
grades (never in them) and shown in the CSV, the LMS export, the report and the feedback page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import cli
from autograder.grading import collect, late_work, submission_times
from autograder.pages import feedback
from autograder.records import gradebook, gradebook_queries, lateness, lms_export
from autograder.records.gradebook import GradebookWriter, GradedCell
from autograder.records.lateness import LatePolicy, LatePolicyError
from autograder.records.results import ItemResult, Outcome, SubmissionResult

ASSIGNMENT = "00_demo"
CELLS = [GradedCell(ASSIGNMENT, "test_add", 4.0), GradedCell(ASSIGNMENT, "test_mul", 6.0)]
DUE = dt.datetime(2027, 1, 18, 23, 0)
HOUR = 3600.0


def result(student: str, add: float = 4.0, mul: float = 6.0) -> SubmissionResult:
    return SubmissionResult(student=student, assignment=ASSIGNMENT, outcome=Outcome.GRADED, profile="smoke",
                            tests=[ItemResult("test_add", 4.0, add, "add ok"), ItemResult("test_mul", 6.0, mul, "mul")])


def graded(tmp_path: Path, students: dict[str, tuple[float, float]]) -> str:
    url = gradebook.default_url(tmp_path)
    with GradebookWriter(url, ASSIGNMENT, CELLS) as writer:
        for name, (add, mul) in students.items():
            writer.record(result(name, add, mul))
    return url


# ----- the policy kinds --------------------------------------------------------------------------

def test_grace_period_forgives_and_then_every_day_started_counts() -> None:
    """Within the grace period: nothing; one minute past it: the first day; 25 h: two days."""
    policy = LatePolicy(grace=dt.timedelta(minutes=15), per_day=0.10, cap=0.5)
    assert policy.penalty(14 * 60, 10) == 0.0
    assert policy.penalty(16 * 60, 10) == 1.0
    assert policy.penalty(25 * HOUR, 10) == 2.0
    assert LatePolicy(per_day=0.10).penalty(1, 10) == 1.0   # no grace: one second late is a day started


def test_the_cap_bounds_the_penalty() -> None:
    policy = LatePolicy(per_day=0.2, cap=0.5)
    assert policy.penalty(10 * 24 * HOUR, 10) == 5.0
    assert LatePolicy(per_day=0.2).penalty(10 * 24 * HOUR, 10) == 10.0   # without a cap: everything


def test_late_not_accepted_takes_the_whole_total_but_not_within_grace() -> None:
    policy = LatePolicy(grace=dt.timedelta(hours=1), accepted=False)
    row = lateness.assess("a", policy, DUE, None, DUE + dt.timedelta(hours=2), "x", 10)
    assert row.penalty == 10 and not row.accepted and row.final(7.5) == 0.0 and row.points_lost(7.5) == 7.5
    assert "not accepted" in row.status()
    within = lateness.assess("a", policy, DUE, None, DUE + dt.timedelta(minutes=59), "x", 10)
    assert within.penalty == 0 and within.accepted and "grace" in within.describe(7.5)


def test_an_extension_moves_the_due_date() -> None:
    policy = LatePolicy(per_day=0.1)
    at = DUE + dt.timedelta(hours=30)
    assert lateness.assess("a", policy, DUE, None, at, "x", 10).penalty == 2.0
    extended = lateness.assess("a", policy, DUE, dt.timedelta(days=2), at, "x", 10)
    assert extended.penalty == 0.0 and extended.seconds_late == 0 and extended.due == DUE + dt.timedelta(days=2)


def test_no_due_date_or_no_time_costs_nothing() -> None:
    policy = LatePolicy(per_day=0.5)
    assert lateness.assess("a", policy, None, None, DUE, "x", 10).penalty == 0
    unknown = lateness.assess("a", policy, DUE, None, None, "", 10)
    assert unknown.penalty == 0 and unknown.status() == "no submission time"


def test_config_declares_due_dates_policies_and_extensions(tmp_path: Path) -> None:
    """nbgrader_config.py's c.CourseLate: a default policy, one per assignment, extensions, zones."""
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseLate.due = {'00_demo': '2027-01-19 00:00:00 Europe/Paris', '01_x': '2027-02-01 12:00'}\n"
        "c.CourseLate.policy = {'default': {'grace': '15 min', 'per_day': 0.1, 'cap': 0.3},\n"
        "                       '01_x': {'late': 'not accepted'}}\n"
        "c.CourseLate.extensions = {'00_demo': {'alice': '2 days', 'bob': 6}}\n")
    rules = late_work.course_rules(ASSIGNMENT, tmp_path)
    assert rules.due == DUE                                    # Paris midnight is 23:00 UTC in January
    assert rules.policy == LatePolicy(dt.timedelta(minutes=15), 0.1, 0.3, True)
    assert rules.extensions == {"alice": dt.timedelta(days=2), "bob": dt.timedelta(hours=6)}
    other = late_work.course_rules("01_x", tmp_path)
    assert not other.policy.accepted and other.extensions == {}


@pytest.mark.parametrize("line, says", [
    ("c.CourseLate.policy = {'default': {'per_day': 10}}", "shares of the points"),
    ("c.CourseLate.policy = {'default': {'penalty': 0.1}}", "unknown key(s) penalty"),
    ("c.CourseLate.policy = {'default': {'late': 'never'}}", "'not accepted'"),
    ("c.CourseLate.extensions = {'00_demo': {'alice': 'two days'}}", "is no duration"),
    ("c.CourseLate.due = {'00_demo': 'next friday-ish'}", "is no time"),
    ("c.CourseLate.due = ['00_demo']", "must be a dict"),
    ("raise RuntimeError('typo')", "cannot be loaded"),
])
def test_a_bad_declaration_is_one_line_that_says_what_to_write(tmp_path: Path, line: str, says: str) -> None:
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n" + line + "\n")
    with pytest.raises(LatePolicyError, match=None) as caught:
        late_work.course_rules(ASSIGNMENT, tmp_path)
    assert says in str(caught.value) and "\n" not in str(caught.value)


# ----- where the times come from -----------------------------------------------------------------

def _exchange_submit(tmp_path: Path, student: str, stamp: str) -> None:
    """``nbgrader submit`` as ``student`` at ``stamp`` (nbgrader's own exchange code, its clock fixed)."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeSubmit
    from traitlets.config import Config

    config = Config()
    config.Exchange.root = str(tmp_path / "exchange")
    config.Exchange.cache = str(tmp_path / "cache" / student)
    config.Exchange.assignment_dir = str(tmp_path / "home" / student)
    config.CourseDirectory.course_id = "course"
    work = tmp_path / "home" / student / ASSIGNMENT
    work.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), work / f"{ASSIGNMENT}.ipynb")
    coursedir = CourseDirectory(config=config, student_id=student, assignment_id=ASSIGNMENT)

    class AtFixedTime(ExchangeSubmit):
        def set_timestamp(self) -> None:
            self.timestamp = stamp

    AtFixedTime(coursedir=coursedir, authenticator=Authenticator(config=config), config=config).start()


def _exchange_collect(tmp_path: Path) -> Path:
    """``nbgrader collect``: the exchange's inbound into the course's ``submitted/`` tree."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeCollect
    from traitlets.config import Config

    config = Config()
    config.Exchange.root = str(tmp_path / "exchange")
    config.CourseDirectory.course_id = "course"
    config.CourseDirectory.root = str(tmp_path / "nbcourse")
    config.ExchangeCollect.check_owner = False
    (tmp_path / "nbcourse").mkdir(exist_ok=True)   # nbgrader collect adds the students to its gradebook there
    gradebook.use_in_process_alembic()               # without the venv on PATH, nbgrader's `alembic` is not found
    coursedir = CourseDirectory(config=config, assignment_id=ASSIGNMENT)
    ExchangeCollect(coursedir=coursedir, authenticator=Authenticator(config=config), config=config).start()
    return tmp_path / "nbcourse" / "submitted"


@pytest.fixture()
def exchange(tmp_path: Path) -> Path:
    """An nbgrader exchange where alice submitted on time and bob 26 h late (nbgrader's own code)."""
    outbound = tmp_path / "exchange" / "course" / "outbound" / ASSIGNMENT
    outbound.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), outbound / f"{ASSIGNMENT}.ipynb")
    (tmp_path / "exchange" / "course" / "inbound").mkdir()
    _exchange_submit(tmp_path, "alice", "2027-01-18 22:30:00.000000 UTC")
    _exchange_submit(tmp_path, "bob", "2027-01-20 02:00:00.000000 CET")     # 01:00 UTC: 26 h late
    return _exchange_collect(tmp_path)


def test_times_from_the_nbgrader_exchange(exchange: Path, tmp_path: Path) -> None:
    """Graded straight from nbgrader's submitted/ tree: each timestamp.txt is the submission time."""
    folders = {name: exchange / name / ASSIGNMENT for name in ("alice", "bob")}
    assert (folders["bob"] / "timestamp.txt").is_file()
    times = submission_times.class_times(exchange, folders)
    assert times["alice"].at == dt.datetime(2027, 1, 18, 22, 30) and times["bob"].at == DUE + dt.timedelta(hours=26)
    assert times["bob"].source == submission_times.SOURCE_EXCHANGE
    url = graded(tmp_path, {"alice": (4, 6), "bob": (4, 3)})
    rules = late_work.LateRules(DUE, LatePolicy(grace=dt.timedelta(minutes=15), per_day=0.1, cap=0.5))
    rows = late_work.apply(url, ASSIGNMENT, rules, times)
    assert rows["alice"].penalty == 0 and rows["bob"].penalty == 2.0   # 2 days started, 10 % of 10 each
    from nbgrader.api import Gradebook

    with Gradebook(gradebook.normalize_url(url)) as nb:   # nbgrader's own columns and arithmetic
        bob = nb.find_submission(ASSIGNMENT, "bob")
        assert bob.timestamp == times["bob"].at and bob.total_seconds_late == 26 * HOUR
        assert bob.late_submission_penalty == 2.0 and bob.score == 7.0   # the grades themselves unchanged


def test_collect_records_the_exchange_time_and_the_archive_time(exchange: Path, tmp_path: Path) -> None:
    """course collect keeps nbgrader's timestamp.txt for its tree, a zip's file time for an archive,
    and the record beside the folders, not inside a student's (a forged timestamp.txt loses)."""
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with zipfile.ZipFile(downloads / "carol.zip", "w") as zipped:
        zipped.writestr(f"{ASSIGNMENT}.ipynb", "{}")
        zipped.writestr("timestamp.txt", "2027-01-01 00:00:00 UTC")     # carol's own claim
    late_upload = (DUE + dt.timedelta(hours=3)).replace(tzinfo=dt.timezone.utc).timestamp()
    os.utime(downloads / "carol.zip", (late_upload, late_upload))
    dest = tmp_path / "class"
    assert collect.collect(ASSIGNMENT, exchange, dest).collected == ["alice", "bob"]
    assert collect.collect(ASSIGNMENT, downloads, dest).collected == ["carol"]
    folders = {name: dest / name for name in ("alice", "bob", "carol")}
    times = submission_times.class_times(dest, folders)
    assert times["carol"] == submission_times.SubmissionTime(DUE + dt.timedelta(hours=3), "archive time")
    assert times["bob"] == submission_times.SubmissionTime(DUE + dt.timedelta(hours=26), submission_times.SOURCE_EXCHANGE)
    assert (dest / ".submission_times.csv").is_file()


def test_a_ta_csv_wins_and_bad_lines_are_named(tmp_path: Path) -> None:
    folder = tmp_path / "class" / "alice"
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text("2027-01-18 20:00:00 UTC")
    sheet = tmp_path / "times.csv"
    sheet.write_text("student,submitted_at\nalice,2027-01-19T08:00:00+01:00\n")
    times = submission_times.class_times(tmp_path / "class", {"alice": folder}, sheet)
    assert times["alice"] == submission_times.SubmissionTime(dt.datetime(2027, 1, 19, 7), "TA's CSV")
    for text, says in [("name,when\nalice,x\n", "student,submitted_at"), ("student,submitted_at\nalice,soon\n",
                       "line 2"), ("student,submitted_at\nalice,2027-01-19\nalice,2027-01-20\n", "twice")]:
        sheet.write_text(text)
        with pytest.raises(LatePolicyError, match=says):
            submission_times.read_csv(sheet)


# ----- shown everywhere, verdicts untouched -------------------------------------------------------

def test_penalty_shows_in_csv_lms_report_and_feedback_and_never_in_the_grades(tmp_path: Path) -> None:
    url = graded(tmp_path, {"alice": (4, 6), "bob": (4, 3), "carol": (2, 0), "dan": (4, 6)})
    before = {r.student: r.cells for r in gradebook_queries.student_rows(url, ASSIGNMENT)}
    sheet = tmp_path / "times.csv"
    sheet.write_text("student,submitted_at\nalice,2027-01-18 22:00 UTC\nbob,2027-01-20 01:00 UTC\n"
                     "carol,2027-01-25 12:00 UTC\n")
    rules = late_work.LateRules(DUE, LatePolicy(per_day=0.1, cap=0.5), {"carol": dt.timedelta(days=10)})
    rows = late_work.apply(url, ASSIGNMENT, rules, submission_times.read_csv(sheet))
    assert [rows[s].penalty for s in ("alice", "bob", "carol", "dan")] == [0, 2.0, 0, 0]
    assert rows["dan"].status() == "no submission time"
    after = {r.student: r for r in gradebook_queries.student_rows(url, ASSIGNMENT)}
    assert {s: r.cells for s, r in after.items()} == before                       # verdicts untouched
    assert after["bob"].score == 7.0 and after["bob"].final_score == 5.0
    assert gradebook_queries.consistency_problems(url, ASSIGNMENT) == []

    stream = io.StringIO()
    gradebook_queries.write_csv(url, ASSIGNMENT, stream)
    table = {row["student"]: row for row in csv.DictReader(io.StringIO(stream.getvalue()))}
    assert table["bob"]["late_penalty"] == "2" and table["bob"]["final_score"] == "5"
    assert table["bob"]["hours_late"] == "26.00" and table["bob"]["submitted_at"] == "2027-01-20 01:00:00"
    assert table["alice"]["late_penalty"] == "0" and table["dan"]["submitted_at"] == ""

    stream = io.StringIO()
    lms_export.write_lms_csv([url], stream)
    lms = {row["student"]: row for row in csv.DictReader(io.StringIO(stream.getvalue()))}
    assert lms["bob"][f"{ASSIGNMENT} (/10)"] == "5" and lms["bob"][f"{ASSIGNMENT} late"] == "26.0 h late, -2"
    assert lms["alice"][f"{ASSIGNMENT} late"] == "" and lms["alice"][f"{ASSIGNMENT} (/10)"] == "10"

    report = late_work.refresh_pages(url, ASSIGNMENT, tmp_path / "out", rows, root=tmp_path)
    text = report.read_text()
    assert "1 d 2 h late, −2 → 5" in text and "no submission time" in text and "Late work: due 2027-01-18 23:00 UTC" in text
    page = (tmp_path / "out" / "feedback" / "bob" / "feedback.html").read_text()
    assert "Submitted 2027-01-20 01:00 UTC (TA&#39;s CSV); due 2027-01-18 23:00 UTC: 1 d 2 h late" in page
    assert "late penalty −2 point(s)" in page and "Total after the late penalty: 5." in page
    carol = (tmp_path / "out" / "feedback" / "carol" / "feedback.html").read_text()
    assert "with an extension of 10 d" in carol and "on time" in carol


def test_a_regrade_keeps_the_submission_time(tmp_path: Path) -> None:
    """Recording a result again never turns the submission time into the grading time."""
    url = graded(tmp_path, {"bob": (4, 3)})
    rules = late_work.LateRules(DUE, LatePolicy(per_day=0.1))
    late_work.apply(url, ASSIGNMENT, rules, {"bob": submission_times.SubmissionTime(DUE + dt.timedelta(hours=5), "x")})
    with GradebookWriter(url, ASSIGNMENT, CELLS) as writer:
        writer.record(result("bob", 4, 6))
    again = late_work.apply(url, ASSIGNMENT, rules, {})           # no new time: the stored one stands
    assert again["bob"].submitted_at == DUE + dt.timedelta(hours=5) and again["bob"].penalty == 1.0
    (row,) = gradebook_queries.student_rows(url, ASSIGNMENT)
    assert row.submitted_at == "2027-01-19 04:00:00" and row.final_score == 9.0


def test_course_late_on_the_command_line(tmp_path: Path, monkeypatch, capsys) -> None:
    from autograder.cli import grading_commands

    out = tmp_path / "out"
    out.mkdir()
    url = graded(out, {"alice": (4, 6), "bob": (4, 3)})
    monkeypatch.setattr(grading_commands, "known_assignment", lambda name: None)   # 00_demo is this test's own
    monkeypatch.setattr(late_work, "course_rules", lambda assignment, root=None: late_work.LateRules(
        DUE, LatePolicy(accepted=False)))
    sheet = tmp_path / "times.csv"
    sheet.write_text("student,submitted_at\nalice,2027-01-18 22:00 UTC\nbob,2027-01-19 01:00 UTC\n")
    code = cli.main(["late", ASSIGNMENT, "--out", str(out), "--times", str(sheet)])
    printed = capsys.readouterr()
    assert code == 0 and "1 late, 1 penalised, 1 not accepted, 0 without a submission time" in printed.out
    assert {r.student: r.final_score for r in gradebook_queries.student_rows(url, ASSIGNMENT)} == {"alice": 10, "bob": 0}
    sheet.write_text("student,submitted_at\nalice,tomorrow-ish\n")
    assert cli.main(["late", ASSIGNMENT, "--out", str(out), "--times", str(sheet)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("course late:") and "line 2" in err and "Traceback" not in err


def test_a_timestamp_file_that_is_a_link_or_too_big_is_not_read(tmp_path: Path) -> None:
    """A student's folder may hold anything: a linked or oversized timestamp.txt gives no time."""
    linked, big, plain = (tmp_path / name for name in ("linked", "big", "plain"))
    for folder in (linked, big, plain):
        folder.mkdir()
    (tmp_path / "elsewhere.txt").write_text("2027-01-01 00:00:00 UTC")
    os.symlink(tmp_path / "elsewhere.txt", linked / "timestamp.txt")
    (big / "timestamp.txt").write_text("2027-01-01 00:00:00 UTC" + " " * 1000)
    (plain / "timestamp.txt").write_text("2027-01-01 00:00:00 UTC")
    assert submission_times.read_timestamp_file(linked) is None and submission_times.read_timestamp_file(big) is None
    assert submission_times.read_timestamp_file(plain) == dt.datetime(2027, 1, 1)


def test_a_plain_folder_is_timed_by_its_newest_file(tmp_path: Path) -> None:
    folder = tmp_path / "dana"
    folder.mkdir()
    for name, hour in (("00_demo.ipynb", 5), ("model.npz", 7)):
        (folder / name).write_text("x")
        stamp = (DUE + dt.timedelta(hours=hour)).replace(tzinfo=dt.timezone.utc).timestamp()
        os.utime(folder / name, (stamp, stamp))
    assert submission_times.time_at_intake(folder, ASSIGNMENT) == submission_times.SubmissionTime(
        DUE + dt.timedelta(hours=7), submission_times.SOURCE_FOLDER)


def test_an_extension_granted_in_nbgrader_is_kept(tmp_path: Path) -> None:
    """nbgrader's own Gradebook.grant_extension counts when the config names none for that student."""
    from nbgrader.api import Gradebook

    url = graded(tmp_path, {"bob": (4, 6)})
    with Gradebook(gradebook.normalize_url(url)) as nb:
        nb.grant_extension(ASSIGNMENT, "bob", days=3)
    at = {"bob": submission_times.SubmissionTime(DUE + dt.timedelta(days=2), "x")}
    rows = late_work.apply(url, ASSIGNMENT, late_work.LateRules(DUE, LatePolicy(per_day=0.1)), at)
    assert rows["bob"].penalty == 0 and rows["bob"].extension == dt.timedelta(days=3)
    rows = late_work.apply(url, ASSIGNMENT, late_work.LateRules(DUE, LatePolicy(per_day=0.1),
                                                                {"bob": dt.timedelta(days=1)}), at)
    assert rows["bob"].penalty == 1.0          # the config's one-day extension wins


def test_course_grade_applies_the_policy_with_the_exchange_times(exchange: Path, tmp_path: Path, monkeypatch,
                                                                 capsys) -> None:
    """`course grade` on nbgrader's submitted/ tree: after grading (a stand-in here, no sandbox), the
    late pass reads each timestamp.txt and the report, CSV and pages show bob 26 h late."""
    from autograder.cli import grading_commands
    from autograder.grading import grade_class as grading

    def stand_in(assignment, submissions, *, db_url, out_dir, **_):
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        with GradebookWriter(db_url, assignment, CELLS) as writer:
            for name in ("alice", "bob"):
                writer.record(result(name))
        return grading.ClassGrading(assignment, Path(out_dir), db_url, [result("alice"), result("bob")], "local", 0.0)

    monkeypatch.setattr(grading, "grade_class", stand_in)
    monkeypatch.setattr(grading_commands, "known_assignment", lambda name: None)
    monkeypatch.setattr(late_work, "course_rules", lambda assignment, root=None: late_work.LateRules(
        DUE, LatePolicy(per_day=0.25, cap=0.5)))
    out = tmp_path / "out"
    code = cli.main(["grade", ASSIGNMENT, "--submissions", str(exchange), "--out", str(out), "--accept-weak-sandbox"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    rows = {r.student: r for r in gradebook_queries.student_rows(gradebook.default_url(out), ASSIGNMENT)}
    assert rows["bob"].late_penalty == 5.0 and rows["bob"].final_score == 5.0 and rows["alice"].final_score == 10
    assert "1 d 2 h late, −5 → 5" in (out / "report" / "report.html").read_text()
    assert "Total after the late penalty: 5." in (out / "feedback" / "bob" / "feedback.html").read_text()
