"""A submission folder as the bytes a Dask job carries (autograder.grading.shipping): what is packed, what
an unpacking refuses, and that a shipped job grades like one read in place."""

from __future__ import annotations

import io
import json
import os
import tarfile
from pathlib import Path

import pytest

from autograder.grading import jobs, resume, shipping
from autograder.records.results import ItemResult, Outcome, SubmissionResult


def student_folder(root: Path) -> Path:
    (root / "data" / "deep").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / "__pycache__").mkdir()
    (root / "00_demo.ipynb").write_text("{}")
    (root / "data" / "deep" / "w.bin").write_bytes(os.urandom(3000))
    (root / "__pycache__" / "x.pyc").write_bytes(b"cache")
    os.symlink("/etc/passwd", root / "passwd")     # a link to a file outside
    os.symlink("/etc", root / "etc")               # a link to a folder outside
    os.symlink("nowhere", root / "dangling")
    os.mkfifo(root / "pipe")
    return root


def listing(root: Path) -> list[tuple[str, str]]:
    entries = []
    for directory, folders, files in os.walk(root):
        for name in sorted(folders + files):
            path = Path(directory) / name
            kind = "link:" + os.readlink(path) if path.is_symlink() else "dir" if path.is_dir() else "file"
            entries.append((path.relative_to(root).as_posix(), kind))
    return sorted(entries)


def test_a_folder_round_trips_without_following_a_link(tmp_path: Path) -> None:
    """Files, folders and links come back as they were (links as links, never followed; no FIFO,
    no __pycache__), and the fingerprint is resume's own."""
    folder = student_folder(tmp_path / "alice")
    packed = shipping.pack(folder)
    names = tarfile.open(fileobj=io.BytesIO(packed.data)).getnames()
    assert "passwd" in names and not any(n.startswith(("etc/", "__pycache__")) or n == "pipe" for n in names)
    copy = shipping.unpack(packed.data, tmp_path / "copy", packed.checksum)
    expected = [entry for entry in listing(folder) if entry[0] != "pipe" and not entry[0].startswith("__pycache__")]
    assert listing(copy) == expected
    (folder / "pipe").unlink()  # resume.fingerprint would open it
    assert packed.fingerprint == resume.fingerprint(folder) == resume.fingerprint(copy)
    assert (copy / "data" / "deep" / "w.bin").read_bytes() == (folder / "data" / "deep" / "w.bin").read_bytes()


def test_a_folder_over_the_bound_is_refused_in_one_line(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "bob"
    folder.mkdir()
    (folder / "big.bin").write_bytes(b"x" * 5000)
    with pytest.raises(shipping.SubmissionTooLarge) as refused:
        shipping.pack(folder, limit=4096)
    assert "\n" not in str(refused.value) and "remove large files" in str(refused.value)
    with pytest.raises(shipping.SubmissionTooLarge):
        shipping.check_size(folder, limit=4096)
    shipping.check_size(folder, limit=8192)
    monkeypatch.setenv(shipping.MAX_SIZE_ENV, "lots")
    with pytest.raises(ValueError, match="not a number of megabytes"):
        shipping.max_bytes()


def archive(*members: tuple[tarfile.TarInfo, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for member, data in members:
            member.size = len(data) if member.isreg() else 0
            tar.addfile(member, io.BytesIO(data) if member.isreg() else None)
    return buffer.getvalue()


def info(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.type, member.linkname = kind, link
    return member


@pytest.mark.parametrize("members, why", [
    ([(info("../escape"), b"x")], "unsafe path"),
    ([(info("/etc/cron.d/x"), b"x")], "unsafe path"),
    ([(info("a/./b"), b"x")], "unsafe path"),
    ([(info("out", tarfile.SYMTYPE, "/tmp"), b""), (info("out/x"), b"x")], "did not make"),
    ([(info("dev", tarfile.CHRTYPE), b"")], "neither a file"),
    ([(info("hard", tarfile.LNKTYPE, "/etc/passwd"), b"")], "neither a file"),
])
def test_an_unpacking_refuses_what_pack_never_writes(tmp_path: Path, members, why: str) -> None:
    """A hostile archive (path outside, write through a link, device, hard link) is refused."""
    import hashlib

    data = archive(*members)
    with pytest.raises(shipping.UnsafeArchive, match=why):
        shipping.unpack(data, tmp_path / "target", hashlib.sha256(data).hexdigest())
    assert not (tmp_path / "escape").exists() and not (tmp_path / "x").exists()


def test_damaged_bytes_are_never_graded(tmp_path: Path) -> None:
    folder = tmp_path / "carol"
    folder.mkdir()
    (folder / "a.txt").write_text("a")
    packed = shipping.pack(folder)
    with pytest.raises(shipping.UnsafeArchive, match="damaged"):
        shipping.unpack(packed.data[:-1] + b"!", tmp_path / "copy", packed.checksum)


def reading_grade(assignment: str, submission_dir: Path, *, student: str, course_root: Path,
                  work_dir: Path) -> SubmissionResult:
    """Scores from the folder's scores.json, and the folder's listing as the item message (less
    __pycache__, which the grader's own copy of a folder never takes either)."""
    add, mul = json.loads((Path(submission_dir) / "scores.json").read_text())
    seen = ", ".join(f"{n}:{k}" for n, k in listing(Path(submission_dir)) if not n.startswith("__pycache__"))
    return SubmissionResult(student=student, assignment=assignment, outcome=Outcome.GRADED, profile="smoke",
                            tests=[ItemResult("test_add", 2.0, add, seen), ItemResult("test_mul", 3.0, mul, "")])


def test_a_shipped_job_grades_like_one_read_in_place(tmp_path: Path, monkeypatch) -> None:
    """Same result from the folder's path (local pool) and from its bytes (Dask), with the TA's
    profile applied while it grades and the worker's environment restored afterwards."""
    folder = student_folder(tmp_path / "dana")
    (folder / "pipe").unlink()
    (folder / "scores.json").write_text("[2, 1.5]")
    job = jobs.GradeJob("00_demo", "dana", str(folder), str(tmp_path), reading_grade)
    in_place = SubmissionResult.from_json(jobs.grade_job(job).result_json)
    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    shipped = jobs.ship(job, tmp_path / "elsewhere", resume.grading_code_version(tmp_path))
    assert shipped.course_root == str(tmp_path) and shipped.env["COURSE_PROFILE"] == "smoke"
    monkeypatch.setenv("COURSE_PROFILE", "full")  # the worker's own setting
    from_bytes = SubmissionResult.from_json(jobs.grade_job(shipped).result_json)
    assert os.environ["COURSE_PROFILE"] == "full"
    def items(result: SubmissionResult) -> list[tuple]:
        return [(t.id, t.score, t.message) for t in result.tests]

    assert items(from_bytes) == items(in_place)
    assert from_bytes.outcome is Outcome.GRADED and from_bytes.score == 3.5


def test_a_worker_with_other_grading_code_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "erin"
    folder.mkdir()
    (folder / "scores.json").write_text("[2, 3]")
    job = jobs.GradeJob("00_demo", "erin", str(folder), str(tmp_path), reading_grade)
    shipped = jobs.ship(job, tmp_path, "0123456789abcdef")
    assert shipped.course_root is None  # the worker's own installed course
    result = SubmissionResult.from_json(jobs.grade_job(shipped).result_json)
    assert result.outcome is Outcome.GRADER_ERROR and "runs other grading code" in result.reason
