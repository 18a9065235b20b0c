"""Questions about the sandbox that untrusted code runs in (autograder.isolation.sandbox).

Each test runs a few lines of plain Python (no kernel), so the whole file takes
seconds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from autograder.isolation import cgroups, sandbox, uids
from autograder.isolation.sandbox import Limits, Sandbox

REPO = Path(__file__).resolve().parents[1]
LIMITS = Limits(wall_seconds=20, memory_bytes=1024**3, file_bytes=10 * 1024**2)
needs_bwrap = pytest.mark.skipif(not sandbox._probe("bwrap"), reason="bubblewrap does not work here")


def run_python(tmp_path: Path, code: str, *, mode: str | None = None, limits: Limits = LIMITS,
               wall: float = 20, **binds: Path):
    box = Sandbox(tmp_path, mode=mode)
    env = {name.upper(): box.bind_readonly(path, f"/opt/{name}") for name, path in binds.items()}
    return box.run([sys.executable, "-c", code], env=env, limits=limits, wall_seconds=wall,
                   memory_bytes=limits.memory_bytes)


PROBE = """
import json, os, socket
seen = {}
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    seen["network"] = True
except OSError:
    seen["network"] = False
for name, path in {"repo": %(repo)r + "/pyproject.toml", "solutions": %(repo)r + "/solutions", "root": "/root/.bashrc",
                   "checks": %(repo)r + "/autograder/checks"}.items():
    seen[name] = os.path.exists(path)
try:
    import autograder
    seen["autograder"] = True
except ImportError:
    seen["autograder"] = False
open("written.txt", "w").write("ok")
try:
    open("/usr/evil.txt", "w")
    seen["system_writable"] = True
except OSError:
    seen["system_writable"] = False
print(json.dumps(seen))
"""


@needs_bwrap
def test_bwrap_hides_the_repository_cuts_the_network_and_keeps_the_work_folder(tmp_path):
    """Inside bubblewrap, is the course invisible, the network cut, the system read-only,
    and the work folder writable?"""
    run = run_python(tmp_path, PROBE % {"repo": str(REPO)}, mode="bwrap")
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen == {"network": False, "repo": False, "solutions": False, "root": False, "checks": False,
                    "autograder": False, "system_writable": False}
    assert (tmp_path / "written.txt").read_text() == "ok"
    assert any("network cut" in line for line in run.isolation)


@needs_bwrap
def test_bound_folders_are_read_only(tmp_path):
    """Can code in the sandbox read a folder the grader binds, but not change it?"""
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "data.txt").write_text("42")
    work = tmp_path / "work"
    work.mkdir()
    code = ("import os\nprint(open(os.environ['SHARED'] + '/data.txt').read())\n"
            "open(os.environ['SHARED'] + '/data.txt', 'w')")
    run = run_python(work, code, mode="bwrap", shared=shared)
    assert run.stdout.strip() == "42"
    assert run.returncode != 0 and "Read-only file system" in run.stderr
    assert (shared / "data.txt").read_text() == "42"


def test_wall_clock_kills_an_endless_loop(tmp_path):
    """Is a process that never ends killed at the wall clock, with timed_out set?"""
    run = run_python(tmp_path, "while True: pass", wall=2)
    assert run.timed_out and run.returncode is None
    assert run.seconds < 10


def test_memory_bound_stops_a_process_that_uses_too_much(tmp_path):
    """Is a process that fills more memory than its bound stopped (OOM kill in the run's cgroup,
    or MemoryError under the address-space fallback)?"""
    run = run_python(tmp_path, "x = b'1' * (3 * 1024**3)")
    assert run.returncode != 0
    assert run.oom_killed or "MemoryError" in run.stderr


needs_cgroup = pytest.mark.skipif(bool(cgroups.unavailable()), reason="no per-run cgroup here")


@needs_cgroup
def test_memory_bound_counts_every_process_of_the_run(tmp_path):
    """Do two child processes, each under the bound, get stopped together when their sum is over it?"""
    code = ("import multiprocessing as mp, time\n"
            "def hold():\n    x = b'1' * (700 * 1024**2)\n    time.sleep(20)\n"
            "if __name__ == '__main__':\n"
            "    ps = [mp.get_context('fork').Process(target=hold) for _ in range(2)]\n"
            "    [p.start() for p in ps]\n    [p.join() for p in ps]\n"
            "    print([p.exitcode for p in ps])")
    run = run_python(tmp_path, code, wall=60)
    assert run.oom_killed, (run.stdout, run.stderr)
    assert run.seconds < 40


@needs_cgroup
def test_honest_work_is_not_killed_for_reserving_address_space(tmp_path):
    """Can a process *reserve* far more address space than its bound (as TensorFlow's threads do)
    as long as it does not use it?"""
    code = ("import mmap\nm = mmap.mmap(-1, 8 * 1024**3, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)\n"
            "m[:4] = b'fine'\nprint(m[:4].decode())")
    run = run_python(tmp_path, code)
    assert run.returncode == 0 and run.stdout.strip() == "fine", run.stderr
    assert run.peak_memory is not None and run.peak_memory < LIMITS.memory_bytes


@needs_cgroup
def test_the_run_s_cpu_time_is_counted_by_its_cgroup_and_it_gets_one_cpu_share(tmp_path):
    """Is the CPU time of every process of the run counted where the student cannot write (the
    grading-cost benchmark reads it), and is the run one equal share of the CPU where the ``cpu``
    controller exists (a busy child must slow only its own run)?"""
    code = ("import multiprocessing as mp, time\n"
            "def spin():\n    end = time.process_time() + 0.6\n    while time.process_time() < end: pass\n"
            "if __name__ == '__main__':\n"
            "    ps = [mp.get_context('fork').Process(target=spin) for _ in range(2)]\n"
            "    [p.start() for p in ps]\n    [p.join() for p in ps]\n    print('done')")
    before = cgroups.finished_cpu_seconds()
    run = run_python(tmp_path, code, wall=120)
    assert run.stdout.strip() == "done", run.stderr
    finished = cgroups.finished_cpu_seconds() - before
    box = Sandbox(tmp_path)
    try:
        box.open(LIMITS, LIMITS.memory_bytes)
        lines, counted = box.describe(), box.group.cpu_seconds() is not None
    finally:
        box.close()
    mounted = Path("/sys/fs/cgroup/cpu/cpu.shares").exists() or Path("/sys/fs/cgroup/cpu.weight").exists()
    assert any("one equal share of the CPU" in line for line in lines) or not mounted, lines
    if not counted:
        pytest.skip("this machine's cgroups count no CPU time (no cpuacct, not v2)")
    assert run.cpu_seconds is not None and 1.2 <= run.cpu_seconds < 60, run.cpu_seconds
    assert finished == pytest.approx(run.cpu_seconds) or finished > run.cpu_seconds, (finished, run.cpu_seconds)


def test_file_size_limit(tmp_path):
    """Can the sandbox write a file larger than RLIMIT_FSIZE? (It must not.)"""
    code = "open('big.bin', 'wb').write(b'0' * (20 * 1024**2))"
    run = run_python(tmp_path, code)
    assert run.returncode != 0
    assert (tmp_path / "big.bin").stat().st_size <= LIMITS.file_bytes


def test_environment_is_not_inherited(tmp_path, monkeypatch):
    """Does a secret in the grader's environment stay out of the sandbox?"""
    monkeypatch.setenv("COURSE_JUDGE_SECRET", "do-not-leak")
    run = run_python(tmp_path, "import os; print(os.environ.get('COURSE_JUDGE_SECRET'))")
    assert run.stdout.strip() == "None"


@pytest.mark.skipif(not sandbox._probe("unshare"), reason="unshare does not work here")
def test_unshare_fallback_cuts_the_network_and_says_what_it_cannot_do(tmp_path):
    """Without bubblewrap, is the network still cut, and is the weaker isolation reported?"""
    run = run_python(tmp_path, PROBE % {"repo": str(REPO)}, mode="unshare")
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["network"] is False
    assert any(line.startswith("NOT isolated: the filesystem") for line in run.isolation)


def test_no_isolation_is_reported_honestly(tmp_path):
    """With nothing available, does the run still happen and say it was not isolated?"""
    run = run_python(tmp_path, "print('hi')", mode="none")
    assert run.stdout.strip() == "hi"
    assert run.isolation[0] == ("NOT isolated: network, filesystem and processes "
                                "(no bubblewrap or unshare here)")


def test_forcing_an_unknown_mode_is_an_error(monkeypatch):
    """Is a typo in COURSE_SANDBOX refused instead of silently weakening isolation?"""
    monkeypatch.setenv(sandbox.MODE_ENV, "bwarp")
    with pytest.raises(ValueError, match="bwarp"):
        sandbox.isolation_mode()


needs_unprivileged = pytest.mark.skipif(
    not (sandbox._probe("bwrap") and Sandbox(Path("/"), mode="bwrap").unprivileged),
    reason="needs bubblewrap, root and setpriv")


@needs_unprivileged
def test_sandbox_user_is_unprivileged(tmp_path):
    """Does the code run as a uid of the run's own, unable to read root-only files such as /etc/shadow?"""
    code = ("import os\nprint(os.getuid())\ntry:\n    open('/etc/shadow').read()\n    print('read')\n"
            "except OSError:\n    print('refused')\nopen('mine.txt', 'w').write('ok')")
    run = run_python(tmp_path, code, mode="bwrap")
    uid, answer = run.stdout.split()
    assert int(uid) >= uids.UID_BASE and answer == "refused", run.stderr
    assert (tmp_path / "mine.txt").read_text() == "ok"


@needs_unprivileged
def test_runs_at_the_same_time_get_different_users(tmp_path):
    """Do two sandboxes running at once get different uids (so neither can signal the other, nor
    use up the other's process count)?"""
    import threading

    seen: list[str] = []
    folders = [tmp_path / "a", tmp_path / "b"]
    for folder in folders:
        folder.mkdir()

    def one(folder: Path) -> None:
        seen.append(run_python(folder, "import os, time; time.sleep(2); print(os.getuid())", mode="bwrap").stdout)

    threads = [threading.Thread(target=one, args=(f,)) for f in folders]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len({s.strip() for s in seen}) == 2, seen


@needs_unprivileged
def test_fork_bomb_is_bounded(tmp_path):
    """Does the run's process bound stop a fork bomb long before it hurts the machine?"""
    code = ("import os, time\nborn = 0\ntry:\n    for _ in range(500):\n        if os.fork() == 0:\n"
            "            time.sleep(5)\n            os._exit(0)\n        born += 1\n"
            "except OSError:\n    pass\nprint(born)")
    run = run_python(tmp_path, code, mode="bwrap", limits=Limits(wall_seconds=20, memory_bytes=1024**3,
                                                                  processes=50))
    assert int(run.stdout.split()[-1]) < 50, run.stderr


@needs_bwrap
def test_no_user_namespaces_keyrings_or_host_paths_inside(tmp_path):
    """Inside bubblewrap, are new user namespaces and the kernel keyrings refused, and does
    `ps` show no host path of what is bound?"""
    code = ("import ctypes, os, subprocess\n"
            "libc = ctypes.CDLL(None, use_errno=True)\n"
            "print('unshare', libc.unshare(0x10000000), ctypes.get_errno())\n"
            "print('add_key', libc.syscall(248 if os.uname().machine == 'x86_64' else 217, b'user', b'k', b'v', 1, -3))\n"
            "print('cmdline', open('/proc/1/cmdline').read().replace(chr(0), ' '))\n"
            "print('unshare-r', subprocess.run(['unshare', '-r', 'true'], capture_output=True).returncode)")
    shared = tmp_path / "secret-host-folder"
    shared.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    run = run_python(work, code, mode="bwrap", shared=shared)
    lines = dict(line.split(" ", 1) for line in run.stdout.strip().splitlines())
    assert lines["unshare"].split()[0] == "-1", run.stdout
    assert lines["add_key"] == "-1"
    assert lines["unshare-r"] != "0"
    assert "secret-host-folder" not in lines["cmdline"] and "--args" in lines["cmdline"]


def test_files_shipped_in_the_folder_do_not_count_as_written(tmp_path):
    """Is the disk bound about what the run *adds*, so that a submission shipped with many
    files is not stopped for them?"""
    for i in range(1_500):
        (tmp_path / f"shipped{i}.txt").write_text("x")
    code = "import time\nopen('new.txt', 'w').write('y')\ntime.sleep(3)\nprint('done')"
    run = run_python(tmp_path, code, wall=30,
                     limits=Limits(wall_seconds=30, memory_bytes=1024**3, disk_entries=1_000))
    assert not run.disk_exceeded and run.stdout.strip() == "done", run.stderr


def test_filling_the_disk_stops_the_run(tmp_path):
    """Is a process that writes file after file into its folder killed at the disk bound?"""
    code = ("import os, time\nfor i in range(10_000):\n    open(f'f{i}.bin', 'wb').write(b'0' * 1024**2)\n"
            "time.sleep(30)")
    run = run_python(tmp_path, code, wall=60,
                     limits=Limits(wall_seconds=60, memory_bytes=1024**3, disk_bytes=50 * 1024**2))
    assert run.disk_exceeded and not run.timed_out
    assert run.seconds < 30


def test_many_empty_files_also_count(tmp_path):
    """Are files counted too, so millions of empty files cannot exhaust the disk's inodes?"""
    code = "import time\nfor i in range(5_000):\n    open(f'e{i}', 'w')\ntime.sleep(30)"
    run = run_python(tmp_path, code, wall=60,
                     limits=Limits(wall_seconds=60, memory_bytes=1024**3, disk_entries=1_000))
    assert run.disk_exceeded


@needs_bwrap
def test_tmp_is_small_and_in_memory(tmp_path):
    """Is /tmp inside bubblewrap bounded, so it cannot eat the machine's RAM?"""
    code = ("try:\n    open('/tmp/big', 'wb').write(b'0' * 20 * 1024**2)\n    print('wrote')\n"
            "except OSError as exc:\n    print(exc.errno)")
    run = run_python(tmp_path, code, mode="bwrap",
                     limits=Limits(wall_seconds=20, memory_bytes=1024**3, tmp_bytes=5 * 1024**2))
    assert run.stdout.strip() == "28"  # ENOSPC


@pytest.mark.parametrize("mode", ["bwrap", "none"])
def test_a_kernel_starts_in_a_deeply_nested_work_folder(tmp_path, mode):
    """A Unix socket address holds about 107 bytes: a work folder nested in temporary folders named
    after a long assignment and student id once went past it, and the kernel never started
    (grader_error, 'File name too long'). The runner now reaches the sockets by a short link."""
    from nbformat.v4 import new_code_cell, new_notebook

    from autograder.submission import notebook_runner

    if mode == "bwrap" and not sandbox._probe("bwrap"):
        pytest.skip("bubblewrap does not work here")
    work = tmp_path / ("course-grade-02_cnn_classification-" + "x" * 30) / ("course-grade-" + "s" * 60)
    work.mkdir(parents=True)
    assert len(str(work / notebook_runner.KERNEL_DIR / "k-5")) > 110
    box = Sandbox(work, mode=mode)
    try:
        run = notebook_runner.run_notebook(new_notebook(cells=[new_code_cell("print(6 * 7)")]), box,
                                           env={"PYTHONDONTWRITEBYTECODE": "1"},
                                           limits=Limits(wall_seconds=120, cell_seconds=60), python=sys.executable)
    finally:
        box.close()
    assert run.status == "completed", (run.status, run.detail, run.stderr[-500:])
    assert run.executed.cells[0].outputs[0].text == "42\n"
