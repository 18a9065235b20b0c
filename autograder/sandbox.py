"""Run untrusted code (a student's notebook, a checker loading a student's file)
in an isolated process tree with bounded resources.

Isolation, best first (chosen once per process, see :func:`isolation_mode`):

- ``bwrap``: bubblewrap with every namespace unshared (network, PIDs, IPC, UTS,
  user), all capabilities dropped, a new session, ``--die-with-parent``. The
  filesystem is rebuilt from read-only binds of the system (``/usr``, ``/lib*``,
  ``/bin``, ``/etc``), the Python installation and the virtual environment,
  plus whatever the caller binds (``course_utils``, the datasets). ``/tmp`` and
  ``$HOME`` are empty tmpfs; the only writable place that survives is the work
  folder, mounted at :data:`SANDBOX_WORK`. The course repository, its
  ``solutions/``, ``autograder/`` and any gradebook are simply not there.
- ``unshare``: ``unshare --net --pid --fork --kill-child``: no network and a
  private PID space, but the filesystem is the grader's.
- ``none``: only the resource limits below.

The mode actually used is reported in plain words (:attr:`SandboxRun.isolation`),
including what it could *not* do, so a grade always says how it was obtained.

In ``bwrap`` mode, when the grader is root (as in CI) and ``setpriv`` exists,
the command runs as the unprivileged user ``nobody`` (uid 65534) with no
capabilities and ``no_new_privs``: it cannot read root-only files such as
``/etc/shadow``, and ``RLIMIT_NPROC`` (which Linux ignores for root) bounds
its processes and threads, so a fork bomb stops early. The work folder is
handed to that user before the run.

Resource bounds hold in every mode: ``RLIMIT_AS`` (memory), ``RLIMIT_CPU``,
``RLIMIT_FSIZE`` (largest file written), no core dumps, and a wall clock after
which the whole process group is killed.
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SANDBOX_HOME = "/home/student"
SANDBOX_WORK = "/home/student/work"
MODE_ENV = "COURSE_SANDBOX"  # force "bwrap" | "unshare" | "none" (tests, odd hosts)
MODES = ("bwrap", "unshare", "none")
GiB = 1024**3
MiB = 1024**2
_TAIL_BYTES = 64 * 1024
_WATCH_SECONDS = 2.0
_SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc")
NOBODY = 65534


@dataclass(frozen=True)
class Limits:
    """Bounds for grading one submission (all enforced from outside the student's code).

    wall_seconds: the whole notebook run, kernel start included.
    cell_seconds: one cell (nbclient's timeout); going over stops the run.
    memory_bytes: RLIMIT_AS of every process in the sandbox.
    cpu_seconds: RLIMIT_CPU per process (None: twice the wall clock).
    output_bytes: cell outputs kept from the run; the rest is dropped.
    file_bytes: RLIMIT_FSIZE, the largest file the sandbox may write.
    submission_bytes: the student's folder is refused above this size.
    notebook_bytes: largest notebook read back (submitted or executed).
    results_bytes: largest judge-results file read back (after unzipping).
    artifact_bytes: largest artifact file handed to a checker.
    artifact_seconds, artifact_memory_bytes: bounds of one artifact checker process.
    processes: RLIMIT_NPROC for the unprivileged sandbox user (threads count too;
        shared by all sandboxes running at once).
    disk_bytes, disk_entries: the work folder may hold at most this much / this many
        files and folders (checked every few seconds; over it, the run is killed).
    tmp_bytes: size of the in-memory /tmp and $HOME inside bubblewrap.
    """

    wall_seconds: float = 1800.0
    cell_seconds: int = 600
    memory_bytes: int = 4 * GiB
    cpu_seconds: int | None = None
    output_bytes: int = 4 * MiB
    file_bytes: int = 1 * GiB
    submission_bytes: int = 500 * MiB
    notebook_bytes: int = 50 * MiB
    results_bytes: int = 256 * MiB
    artifact_bytes: int = 500 * MiB
    artifact_seconds: float = 600.0
    artifact_memory_bytes: int = 6 * GiB
    processes: int = 2048
    disk_bytes: int = 2 * GiB
    disk_entries: int = 20_000
    tmp_bytes: int = 512 * MiB

    def cpu_limit(self) -> int:
        return int(self.cpu_seconds if self.cpu_seconds is not None else 2 * self.wall_seconds + 10)


@dataclass
class SandboxRun:
    """What one sandboxed command did, as seen from outside.

    returncode: exit status (negative: killed by that signal; None if killed on the wall clock).
    stdout, stderr: the last 64 KiB of each.
    """

    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool
    seconds: float
    isolation: list[str] = field(default_factory=list)
    disk_exceeded: bool = False


# ``unshare --net`` leaves the new loopback interface down, and a Jupyter kernel
# talks to its client over 127.0.0.1: bring ``lo`` up, then exec the command.
_LOOPBACK_UP = (
    "import fcntl, os, socket, struct, sys\n"
    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
    "flags = struct.unpack('16sH', fcntl.ioctl(s, 0x8913, struct.pack('16sH', b'lo', 0))[:18])[1]\n"
    "fcntl.ioctl(s, 0x8914, struct.pack('16sH', b'lo', flags | 1))\n"
    "os.execv(sys.argv[1], sys.argv[1:])\n"
)


def _unshare() -> list[str]:
    # Without root, a user namespace (--map-root-user) grants the right to unshare.
    user = [] if os.geteuid() == 0 else ["--map-root-user"]
    return ["unshare", *user, "--net", "--pid", "--fork", "--kill-child"]


def _works(command: list[str]) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@functools.lru_cache(maxsize=None)
def _probe(mode: str) -> bool:
    if mode == "bwrap":
        return shutil.which("bwrap") is not None and _works(
            ["bwrap", "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent",
             "--cap-drop", "ALL", "--proc", "/proc", "--dev", "/dev", "true"])
    if mode == "unshare":
        return shutil.which("unshare") is not None and _works(_unshare() + ["true"])
    return True


def isolation_mode() -> str:
    """The strongest mode that works here (``COURSE_SANDBOX`` may force a weaker one)."""
    forced = os.environ.get(MODE_ENV, "").strip().lower()
    if forced:
        if forced not in MODES:
            raise ValueError(f"{MODE_ENV}={forced!r}: use one of {', '.join(MODES)}.")
        if not _probe(forced):
            raise RuntimeError(f"{MODE_ENV}={forced} was asked for but does not work on this host.")
        return forced
    return next(mode for mode in MODES if _probe(mode))


def _inside(path: Path, roots: list[str]) -> bool:
    return any(str(path) == r or str(path).startswith(r.rstrip("/") + "/") for r in roots)


class Sandbox:
    """One isolated run around a host work folder.

    Bind what the command needs with :meth:`bind_readonly` (it returns the path
    to use *inside*), then :meth:`run`. Paths inside differ from host paths only
    in ``bwrap`` mode.
    """

    def __init__(self, work: Path, *, mode: str | None = None) -> None:
        self.host_work = Path(work).resolve()
        self.mode = mode or isolation_mode()
        self._binds: list[tuple[str, str]] = []
        # Drop from root to ``nobody`` inside bubblewrap (paths there are rebuilt, so
        # root-only host folders such as /root do not block the interpreter).
        self.unprivileged = (self.mode == "bwrap" and os.geteuid() == 0
                             and shutil.which("setpriv") is not None)

    @property
    def work(self) -> str:
        """The work folder as the command sees it."""
        return SANDBOX_WORK if self.mode == "bwrap" else str(self.host_work)

    @property
    def home(self) -> str:
        return SANDBOX_HOME if self.mode == "bwrap" else str(self.host_work / ".home")

    def bind_readonly(self, host: Path, inside: str) -> str:
        """Make ``host`` visible read-only at ``inside`` (bwrap) and return where it is."""
        host = Path(host).resolve()
        if self.mode != "bwrap":
            return str(host)
        self._binds.append((str(host), inside))
        return inside

    def _bwrap_prefix(self, limits: Limits) -> list[str]:
        # Without a user namespace when dropping to nobody: setpriv needs root's
        # CAP_SETUID once, and the uid must be a real one for RLIMIT_NPROC to count.
        namespaces = (["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                       "--unshare-cgroup-try"] if self.unprivileged
                      else ["--unshare-all", "--cap-drop", "ALL"])
        args = ["bwrap", *namespaces, "--die-with-parent", "--new-session", "--clearenv",
                "--proc", "/proc", "--dev", "/dev",
                "--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp",
                "--perms", "0755", "--size", str(MiB), "--tmpfs", "/home",
                "--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", SANDBOX_HOME]
        # Read-only mounts: no directory can be made inside them. The tmpfs
        # (/tmp, /home) are not listed: a venv under /tmp must still be bound.
        bound: list[str] = []
        made: set[str] = set()

        def parents(target: str) -> list[str]:
            # bwrap would create missing mount points' parents as 0700, which
            # nobody cannot cross: create them 0755 first.
            out = []
            for parent in reversed(Path(target).parents):
                name = str(parent)
                if name != "/" and name not in made and not _inside(parent, bound):
                    out += ["--perms", "0755", "--dir", name]
                    made.add(name)
            return out

        for directory in _SYSTEM_DIRS:
            if os.path.exists(directory):
                args += ["--ro-bind", directory, directory]
                bound.append(directory)
        # The interpreter and the venv, at their own paths (shebangs, pyvenv.cfg).
        for prefix in sorted({os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), sys.prefix}):
            if not _inside(Path(prefix), bound):
                args += parents(prefix) + ["--ro-bind", prefix, prefix]
                bound.append(prefix)
        args += ["--bind", str(self.host_work), SANDBOX_WORK]
        for host, inside in self._binds:
            args += parents(inside) + ["--ro-bind", host, inside]
        return args + ["--chdir", SANDBOX_WORK]

    def _user_switch(self) -> list[str]:
        if not self.unprivileged:
            return []
        return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs", "--"]

    def describe(self) -> list[str]:
        """What this mode isolates and what it does not, in plain words."""
        if self.mode == "bwrap":
            user = ("runs as the unprivileged user nobody, no capabilities, process count bounded"
                    if self.unprivileged else "runs as root in a user namespace, no capabilities "
                    "(NOT bounded: process count)")
            return ["bubblewrap: network cut (own network namespace)",
                    "bubblewrap: private filesystem view (course repository, solutions, "
                    "hidden checks and gradebook not visible; system read-only)",
                    f"bubblewrap: own PID namespace; {user}"]
        if self.mode == "unshare":
            return ["unshare: network cut (own network namespace), own PID namespace",
                    "NOT isolated: the filesystem (bubblewrap unavailable)"]
        return ["NOT isolated: network, filesystem and processes (no bubblewrap or unshare here)"]

    def run(self, argv: list[str], *, env: dict[str, str], limits: Limits,
            wall_seconds: float, memory_bytes: int) -> SandboxRun:
        """Run ``argv`` with ``env`` (nothing else is inherited) and the limits."""
        env = dict(env)
        env.setdefault("HOME", self.home)
        env.setdefault("PATH", f"{Path(sys.executable).parent}:/usr/bin:/bin")
        env.setdefault("LANG", "C.UTF-8")
        if self.mode == "bwrap":
            command = self._bwrap_prefix(limits)
            for key, value in env.items():
                command += ["--setenv", key, value]
            command += ["--"] + self._user_switch() + argv
            cwd = None
        elif self.mode == "unshare":
            Path(env["HOME"]).mkdir(parents=True, exist_ok=True)
            command = _unshare() + ["--", sys.executable, "-c", _LOOPBACK_UP] + argv
            cwd = str(self.host_work)
        else:
            Path(env["HOME"]).mkdir(parents=True, exist_ok=True)
            command, cwd = list(argv), str(self.host_work)
        rlimits = {
            resource.RLIMIT_AS: memory_bytes,
            resource.RLIMIT_CPU: limits.cpu_limit(),
            resource.RLIMIT_FSIZE: limits.file_bytes,
            resource.RLIMIT_CORE: 0,
        }
        if self.unprivileged:
            rlimits[resource.RLIMIT_NPROC] = limits.processes
            _hand_over(self.host_work)

        def apply_limits() -> None:  # runs in the child, before exec
            for which, value in rlimits.items():
                resource.setrlimit(which, (value, value))

        start = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="course-sandbox-io-") as io_dir:
            out_path, err_path = Path(io_dir, "stdout"), Path(io_dir, "stderr")
            with open(out_path, "wb") as out, open(err_path, "wb") as err:
                process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                           env=env if self.mode != "bwrap" else {"PATH": "/usr/bin:/bin"},
                                           cwd=cwd, preexec_fn=apply_limits, start_new_session=True)
                timed_out = disk_exceeded = False
                returncode: int | None = None
                while returncode is None:
                    try:
                        returncode = process.wait(timeout=min(_WATCH_SECONDS, max(
                            0.01, wall_seconds - (time.monotonic() - start))))
                    except subprocess.TimeoutExpired:
                        timed_out = time.monotonic() - start >= wall_seconds
                        disk_exceeded = not timed_out and _over_disk(self.host_work, limits)
                        if timed_out or disk_exceeded:
                            _kill_group(process)
                            break
            return SandboxRun(returncode=returncode, stdout=_tail(out_path), stderr=_tail(err_path),
                              timed_out=timed_out, seconds=time.monotonic() - start,
                              isolation=self.describe(), disk_exceeded=disk_exceeded)


def _over_disk(folder: Path, limits: Limits) -> bool:
    """True when ``folder`` holds more than ``limits.disk_bytes`` or ``limits.disk_entries``."""
    total, entries, stack = 0, 0, [str(folder)]
    while stack:
        try:
            with os.scandir(stack.pop()) as listing:
                for entry in listing:
                    entries += 1
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_blocks * 512
                    if entries > limits.disk_entries or total > limits.disk_bytes:
                        return True
        except OSError:
            continue
    return False


def _hand_over(folder: Path) -> None:
    """Make ``folder`` (and everything in it) owned by the sandbox user."""
    os.chown(folder, NOBODY, NOBODY)
    for base, dirs, files in os.walk(folder):
        for name in dirs + files:
            os.chown(os.path.join(base, name), NOBODY, NOBODY, follow_symlinks=False)


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _tail(path: Path) -> str:
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - _TAIL_BYTES))
        return handle.read().decode("utf-8", errors="replace")
