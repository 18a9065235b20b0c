"""Run untrusted code (a student's kernel, a checker loading a student's file)
in an isolated process tree with bounded resources.

Isolation, best first (chosen once per process, see :func:`isolation_mode`):

- ``bwrap``: bubblewrap with the network, PID, IPC, UTS and cgroup namespaces
  unshared, a new session, ``--die-with-parent``. The filesystem is rebuilt
  from read-only binds of the system (``/usr``, ``/lib*``, ``/bin``, ``/etc``),
  the Python installation and the virtual environment, plus whatever the
  caller binds (``course_utils``, the datasets). ``/tmp`` and ``$HOME`` are
  small tmpfs; the only writable place that survives is the work folder,
  mounted at :data:`SANDBOX_WORK`. The course repository, its ``solutions/``,
  ``autograder/`` and any gradebook are simply not there.
- ``unshare``: ``unshare --net --pid --fork --kill-child``: no network and a
  private PID space, but the filesystem is the grader's.
- ``none``: only the resource limits below.

Per run, whatever the mode (each part falls back, and says so, where the host
lacks it; :attr:`SandboxRun.isolation` lists what was in force):

- **its own user**: as root, every run gets a uid of its own from a reserved
  range (:mod:`autograder.isolation.uids`, one slot per run held by a lock file), with no
  capabilities and ``no_new_privs``; two submissions graded at once can
  neither signal nor read each other, nor share a per-user process count;
- **its own cgroup** (:mod:`autograder.isolation.cgroups`): real memory (resident pages
  and tmpfs, no swap) and task count of the whole tree, and a record of OOM
  kills and refused forks the student's code cannot forge; without one,
  ``RLIMIT_AS``/``RLIMIT_NPROC`` as before;
- **a seccomp filter** (:mod:`autograder.isolation.seccomp`): no new user namespaces,
  no ``setns``, no kernel keyrings;
- bubblewrap's own command line is passed through a memory file
  (``--args``), so no host path shows in ``ps`` inside;
- ``RLIMIT_CPU``, ``RLIMIT_FSIZE``, no core dumps, and a wall clock after
  which every process of the run is killed.

The command is started by :mod:`autograder.isolation.sandbox_jail` (trusted, outside),
which joins the cgroup, sets the limits and ``exec``\ s bubblewrap; the same
path serves a plain command (:meth:`Sandbox.run`) and a Jupyter kernel whose
client stays outside (:mod:`autograder.submission.notebook_runner`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.isolation import accelerators, cgroups, seccomp, walls, workfolder
from autograder.isolation.walls import MODE_ENV, MODES, _probe, _unshare, isolation_mode  # noqa: F401 - their home is walls
from autograder.isolation.uids import UidSlot

SANDBOX_HOME = "/home/student"
SANDBOX_WORK = "/home/student/work"
GiB = 1024**3
MiB = 1024**2
_TAIL_BYTES = 64 * 1024
_WATCH_SECONDS = 2.0
_SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc")


@dataclass(frozen=True)
class Limits:
    """Bounds for grading one submission (all enforced from outside the student's code).

    wall_seconds: the whole notebook run, kernel start included.
    cell_seconds: one cell (nbclient's timeout); going over stops the run.
    memory_bytes: real memory of the whole run (its cgroup); where no cgroup can
        be made, RLIMIT_AS of every process instead.
    cpu_seconds: RLIMIT_CPU per process (None: twice the wall clock).
    output_bytes: cell outputs kept from the run; the rest is dropped.
    file_bytes: RLIMIT_FSIZE, the largest file the sandbox may write.
    submission_bytes: the student's folder is refused above this size.
    notebook_bytes: largest notebook read back (submitted or executed).
    results_bytes: largest judge-results file read back (after unzipping).
    artifact_bytes: largest artifact file handed to a checker.
    artifact_seconds, artifact_memory_bytes: bounds of one artifact checker process.
    processes: tasks (processes and threads) of the whole run: its cgroup's
        ``pids.max``, and RLIMIT_NPROC of the run's own uid.
    disk_bytes, disk_entries: what the run may add to its work folder, beyond the
        files it was handed (a tmpfs of that size for notebook runs, where root;
        otherwise checked every few seconds, and over it the run is killed).
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
    oom_killed: bool = False          # the cgroup's OOM killer fired
    forks_refused: int = 0            # fork/clone calls refused by the task bound
    peak_memory: int | None = None    # bytes, from the cgroup
    cpu_seconds: float | None = None  # user + system time of the whole run, from the cgroup


# ``unshare --net`` leaves the new loopback interface down, and a Jupyter kernel
# talks to its client over 127.0.0.1: bring ``lo`` up, then exec the command.
_LOOPBACK_UP = (
    "import fcntl, os, socket, struct, sys\n"
    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
    "flags = struct.unpack('16sH', fcntl.ioctl(s, 0x8913, struct.pack('16sH', b'lo', 0))[:18])[1]\n"
    "fcntl.ioctl(s, 0x8914, struct.pack('16sH', b'lo', flags | 1))\n"
    "os.execv(sys.argv[1], sys.argv[1:])\n"
)


def _inside(path: Path, roots: list[str]) -> bool:
    return any(str(path) == r or str(path).startswith(r.rstrip("/") + "/") for r in roots)


class Sandbox:
    """One isolated run around a host work folder.

    Bind what the command needs with :meth:`bind_readonly` (it returns the path
    to use *inside*), then :meth:`run` (a plain command) or, for a kernel,
    :meth:`open` + :meth:`write_spec` + :meth:`close` (see
    :mod:`autograder.submission.notebook_runner`). Paths inside differ from host paths
    only in ``bwrap`` mode.
    """

    def __init__(self, work: Path, *, mode: str | None = None) -> None:
        self.host_work = Path(work).resolve()
        self.mode = mode or isolation_mode()
        self._binds: list[tuple[str, str, bool]] = []
        # As root (and with setpriv), drop to a uid of this run's own inside bubblewrap
        # (paths there are rebuilt, so root-only host folders such as /root do not
        # block the interpreter).
        self.unprivileged = (self.mode == "bwrap" and os.geteuid() == 0
                             and shutil.which("setpriv") is not None)
        self.group: cgroups.RunGroup | None = None
        self._slot: UidSlot | None = None
        self.uid: int | None = None

    @property
    def work(self) -> str:
        """The work folder as the command sees it."""
        return SANDBOX_WORK if self.mode == "bwrap" else str(self.host_work)

    @property
    def home(self) -> str:
        return SANDBOX_HOME if self.mode == "bwrap" else str(self.host_work / ".home")

    def inside(self, host: Path) -> str:
        """Where a path below the work folder is seen inside."""
        return f"{self.work}/{Path(host).resolve().relative_to(self.host_work)}"

    def bind_readonly(self, host: Path, inside: str) -> str:
        """Make ``host`` visible read-only at ``inside`` (bwrap) and return where it is."""
        host = Path(host).resolve()
        if self.mode != "bwrap":
            return str(host)
        self._binds.append((str(host), inside, False))
        return inside

    # ---------------------------------------------------------------- per-run resources

    def open(self, limits: Limits, memory_bytes: int) -> None:
        """Claim this run's uid, make its cgroup, hand the work folder over."""
        if self.unprivileged and self._slot is None:
            self._slot = UidSlot()
            self.uid = self._slot.uid
            workfolder.hand_over(self.host_work, self.uid)
        if self.group is None:
            self.group = cgroups.create(memory_bytes, limits.processes)

    def close(self) -> None:
        """Kill whatever of the run is left, remove its cgroup, free its uid."""
        if self.group is not None:
            self.group.remove()
        if self._slot is not None:
            self._slot.release()
            self._slot = None

    def kill_all(self) -> None:
        if self.group is not None:
            self.group.kill_all()

    # ---------------------------------------------------------------- the command

    def _bwrap_args(self, limits: Limits, env: dict[str, str]) -> list[str]:
        # No user namespace when dropping to a uid of our own: setpriv needs root's
        # CAP_SETUID once, and the uid must be a real one for the bounds to count.
        namespaces = (["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                       "--unshare-cgroup-try"] if self.unprivileged
                      else ["--unshare-all", "--cap-drop", "ALL"])
        args = [*namespaces, "--die-with-parent", "--new-session", "--clearenv",
                "--proc", "/proc", "--dev", "/dev", *accelerators.bwrap_args(accelerators.gpu_devices()),
                "--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp",
                "--perms", "0755", "--size", str(MiB), "--tmpfs", "/home",
                "--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", SANDBOX_HOME]
        # Read-only mounts: no directory can be made inside them. The tmpfs
        # (/tmp, /home) are not listed: a venv under /tmp must still be bound.
        bound: list[str] = []
        made: set[str] = set()

        def parents(target: str) -> list[str]:
            # bwrap would create missing mount points' parents as 0700, which
            # the sandbox user cannot cross: create them 0755 first.
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
        for host, inside, writable in self._binds:
            args += parents(inside) + ["--bind" if writable else "--ro-bind", host, inside]
        for key, value in env.items():
            args += ["--setenv", key, value]
        return args + ["--chdir", SANDBOX_WORK]

    def _user_switch(self) -> list[str]:
        if self.uid is None:
            return []
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups",
                "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs", "--"]

    def _rlimits(self, limits: Limits, memory_bytes: int) -> dict[str, int]:
        rlimits = {"cpu": limits.cpu_limit(), "fsize": limits.file_bytes, "core": 0}
        if self.group is None:  # no cgroup: the coarse per-process bound, room for reservations
            rlimits["as"] = walls.address_space_bound(memory_bytes)
        if self.uid is not None:
            rlimits["nproc"] = limits.processes  # per uid, and the uid is this run's own
        return rlimits

    def write_spec(self, path: Path, argv: list[str], *, env: dict[str, str], limits: Limits,
                   memory_bytes: int, kernel: dict[str, str] | None = None) -> list[str]:
        """Write what :mod:`autograder.isolation.sandbox_jail` needs; return the command that starts it.

        kernel: for a Jupyter kernel, ``ipc_inside`` (the socket path prefix inside),
            ``connection_host`` and ``connection_inside`` (where the rewritten
            connection file goes); ``argv`` then holds ``{connection_file}``.
        """
        self.open(limits, memory_bytes)
        env = dict(env)
        env.setdefault("HOME", self.home)
        env.setdefault("PATH", f"{Path(sys.executable).parent}:/usr/bin:/bin")
        env.setdefault("LANG", "C.UTF-8")
        env.setdefault("USER", "student")  # the run's uid has no passwd entry
        env = {**accelerators.sandbox_env(accelerators.gpu_devices()), **env}  # the GPU's share, if any
        if self.group is None:  # bounded by address space: fewer malloc arenas reserved
            env.setdefault("MALLOC_ARENA_MAX", walls.MALLOC_ARENAS)
        spec: dict = {"mode": self.mode, "uid": self.uid, "rlimits": self._rlimits(limits, memory_bytes),
                      "cgroup_procs": self.group.procs if self.group else [], **(kernel or {})}
        if self.mode == "bwrap":
            spec["bwrap_args"] = self._bwrap_args(limits, env)
            spec["command"] = self._user_switch() + list(argv)
            if seccomp.supported():
                spec["seccomp_hex"] = seccomp.program().hex()
        else:
            Path(env["HOME"]).mkdir(parents=True, exist_ok=True)
            prefix = (_unshare() + ["--", sys.executable, "-c", _LOOPBACK_UP]) if self.mode == "unshare" else []
            spec.update(command=prefix + list(argv), cwd=str(self.host_work), env_outer=env)
        path.write_text(json.dumps(spec), encoding="utf-8")
        os.chmod(path, 0o600)
        return [sys.executable, "-m", "autograder.isolation.sandbox_jail", str(path)]

    def describe(self) -> list[str]:
        """What this run isolates and what it does not, in plain words."""
        lines = []
        if self.mode == "bwrap":
            user = ("runs as a user of its own (a uid no other run holds), no capabilities" if self.uid is not None
                    else "NOT in force: a uid of its own (the grader is not root); runs as the grader's user in a "
                         "user namespace, no capabilities")
            lines += ["bubblewrap: network cut (own network namespace)",
                      "bubblewrap: private filesystem view (course repository, solutions, "
                      "hidden checks and gradebook not visible; system read-only)",
                      f"bubblewrap: own PID, IPC and UTS namespaces; {user}"]
            lines.append("seccomp: no new user namespaces, no setns, no kernel keyrings" if seccomp.supported()
                         else "NOT in force: seccomp filter (no table for this architecture)")
        elif self.mode == "unshare":
            lines += ["unshare: network cut (own network namespace), own PID namespace",
                      "NOT isolated: the filesystem (bubblewrap unavailable)"]
        else:
            lines += ["NOT isolated: network, filesystem and processes (no bubblewrap or unshare here)"]
        if self.group is not None:
            lines.append(f"cgroup v{self.group.version}: real memory and task count of the whole run bounded"
                         + ("; one equal share of the CPU per run" if self.group.shares_cpu else ""))
        else:
            lines.append(f"NOT in force: a cgroup per run ({cgroups.unavailable() or 'not made'}); memory bounded "
                         f"per process (address space: {walls.address_space_bound(0) / walls.GiB:.1f} GiB over the bound)")
        return lines + [accelerators.describe(accelerators.gpu_devices())]

    def run(self, argv: list[str], *, env: dict[str, str], limits: Limits, wall_seconds: float,
            memory_bytes: int, stdin: bytes = b"", pass_fds: tuple[int, ...] = ()) -> SandboxRun:
        """Run ``argv`` with ``env`` (nothing else is inherited) and the limits; ``stdin`` (at most
        a pipe's buffer, 64 KiB) is its standard input, ``pass_fds`` descriptors it inherits."""
        start = time.monotonic()
        baseline = workfolder.usage(self.host_work)
        try:
            with tempfile.TemporaryDirectory(prefix="course-sandbox-io-") as io_dir:
                command = self.write_spec(Path(io_dir, "spec.json"), argv, env=env, limits=limits,
                                          memory_bytes=memory_bytes)
                isolation = self.describe()
                out_path, err_path = Path(io_dir, "stdout"), Path(io_dir, "stderr")
                with open(out_path, "wb") as out, open(err_path, "wb") as err:
                    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=out, stderr=err,
                                               env={"PATH": "/usr/bin:/bin"}, cwd=str(self.host_work),
                                               start_new_session=True, pass_fds=pass_fds)
                    with contextlib.suppress(BrokenPipeError), process.stdin:  # a command that never reads
                        process.stdin.write(stdin)
                    timed_out = disk_exceeded = False
                    returncode: int | None = None
                    while returncode is None:
                        try:
                            returncode = process.wait(timeout=min(_WATCH_SECONDS, max(
                                0.01, wall_seconds - (time.monotonic() - start))))
                        except subprocess.TimeoutExpired:
                            timed_out = time.monotonic() - start >= wall_seconds
                            disk_exceeded = not timed_out and _over_disk(self.host_work, limits, baseline)
                            if timed_out or disk_exceeded:
                                _kill_group(process)
                                self.kill_all()
                                break
                stdout, stderr = _tail(out_path), _tail(err_path)
            group = self.group
            return SandboxRun(returncode=returncode, stdout=stdout, stderr=stderr, timed_out=timed_out,
                              seconds=time.monotonic() - start, isolation=isolation,
                              disk_exceeded=disk_exceeded,
                              oom_killed=bool(group and group.oom_kills()),
                              forks_refused=group.forks_refused() if group else 0,
                              peak_memory=group.peak_memory() if group else None,
                              cpu_seconds=group.cpu_seconds() if group else None)
        finally:
            self.close()


def _over_disk(folder: Path, limits: Limits, baseline: tuple[int, int] = (0, 0)) -> bool:
    """True when ``folder`` grew by more than ``limits.disk_bytes`` or ``limits.disk_entries``
    beyond ``baseline`` (what it held when the run started: shipped files do not count)."""
    used, entries = workfolder.usage(folder)
    return used - baseline[0] > limits.disk_bytes or entries - baseline[1] > limits.disk_entries


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
