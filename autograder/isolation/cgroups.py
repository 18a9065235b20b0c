"""One control group per sandboxed run: a memory and a process bound on the whole tree.

Why: ``RLIMIT_AS`` bounds each process's *reserved address space* (TensorFlow
reserves far more than it uses, so honest work died at 4 GiB while two child
processes together held 6.8 GiB), and ``RLIMIT_NPROC`` counts per *user*, so
one submission's fork loop starved every other one run as that user. A cgroup
bounds the real memory (resident pages, tmpfs included) and the number of
tasks of everything the run starts, and records what happened (OOM kills,
refused forks, peak memory, CPU time) where the student's code cannot write.
Where the ``cpu`` controller is there too, each run is one equal share of the
CPU whatever its number of processes, so a notebook that forks many busy
children slows only itself, not the classmates graded beside it; where
``cpuacct`` is (v1) or always (v2: ``cpu.stat``), the run's CPU seconds are
counted, whatever the load of the machine (the grading-cost benchmark reads them).

Both cgroup versions are handled: v1 (``memory`` and ``pids`` hierarchies,
as on these grading machines, where root may write them) and v2 (one unified
hierarchy whose ``memory`` and ``pids`` controllers are delegated to us). When
neither works, :func:`create` returns None with the reason (:func:`unavailable`)
and the sandbox falls back to rlimits, saying so in the report.
"""

from __future__ import annotations

import functools
import os
import signal
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

_ROOT = Path("/sys/fs/cgroup")
_finished = {"cpu_seconds": 0.0}  # what every group removed in this process had counted
_finished_lock = threading.Lock()


def _own_paths() -> dict[str, str]:
    """controller (or "" for v2) -> this process's cgroup path, from /proc/self/cgroup."""
    paths = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else [""]:
            paths[name] = path
    return paths


_V1_CONTROLLERS = ("memory", "pids", "cpu", "cpuacct")


def _mount_points() -> dict[str, Path]:
    """controller (one of ``_V1_CONTROLLERS``, or "" for v2) -> where its hierarchy is mounted."""
    found: dict[str, Path] = {}
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        fstype, _, options = right.split(" ", 2)
        mount_point = Path(left.split()[4])
        if fstype == "cgroup2":
            found.setdefault("", mount_point)
        elif fstype == "cgroup":
            for option in options.split(" ")[-1].split(","):
                if option in _V1_CONTROLLERS:
                    found.setdefault(option, mount_point)
    return found


def _v1_parents() -> dict[str, Path] | None:
    mounts, own = _mount_points(), _own_paths()
    if "memory" not in mounts or "pids" not in mounts:
        return None
    return {name: mounts[name] / own.get(name, "/").lstrip("/") for name in _V1_CONTROLLERS if name in mounts}


def _v2_parent() -> Path | None:
    mounts, own = _mount_points(), _own_paths()
    if "" not in mounts:
        return None
    parent = mounts[""] / own.get("", "/").lstrip("/")
    try:
        enabled = (parent / "cgroup.subtree_control").read_text().split()
    except OSError:
        return None
    return parent if {"memory", "pids"} <= set(enabled) else None


def _write(path: Path, value: object) -> None:
    with open(path, "w") as handle:
        handle.write(str(value))


def _read_stat(path: Path, key: str) -> int:
    """The value of ``key`` in a ``key value`` file (memory.oom_control, *.events), 0 if absent."""
    try:
        for line in path.read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == key:
                return int(value)
    except (OSError, ValueError):
        pass
    return 0


@dataclass
class RunGroup:
    """The cgroup(s) of one run. ``procs`` are the files a process writes its pid to, to join."""

    version: int
    dirs: list[Path]
    memory_dir: Path
    pids_dir: Path
    cpuacct_dir: Path | None = None  # v1 only; v2 counts CPU time in every group

    @property
    def shares_cpu(self) -> bool:
        """Is the run one equal share of the CPU (v1's ``cpu`` controller; v2's where it is delegated)?"""
        return any((d / "cpu.shares").exists() or (d / "cpu.weight").exists() for d in self.dirs)

    @property
    def procs(self) -> list[str]:
        return [str(d / "cgroup.procs") for d in self.dirs]

    def oom_kills(self) -> int:
        """How many processes the kernel killed for going over the memory bound."""
        if self.version == 1:
            return _read_stat(self.memory_dir / "memory.oom_control", "oom_kill")
        return _read_stat(self.memory_dir / "memory.events", "oom_kill")

    def forks_refused(self) -> int:
        """How many fork/clone calls the process bound refused."""
        return _read_stat(self.pids_dir / "pids.events", "max")

    def peak_memory(self) -> int | None:
        """The highest memory use of the run, in bytes (None where the kernel does not say)."""
        name = "memory.max_usage_in_bytes" if self.version == 1 else "memory.peak"
        try:
            return int((self.memory_dir / name).read_text())
        except (OSError, ValueError):
            return None

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) of every process the run started, in seconds; None where not counted."""
        try:
            if self.version == 1:
                return int((self.cpuacct_dir / "cpuacct.usage").read_text()) / 1e9 if self.cpuacct_dir else None
            return _read_stat(self.memory_dir / "cpu.stat", "usage_usec") / 1e6
        except (OSError, ValueError):
            return None

    def pids(self) -> list[int]:
        found: set[int] = set()
        for path in self.procs:
            try:
                found.update(int(p) for p in Path(path).read_text().split())
            except (OSError, ValueError):
                continue
        return sorted(found)

    def kill_all(self, seconds: float = 5.0) -> None:
        """SIGKILL every process of the run, until none is left (or ``seconds`` pass)."""
        if self.version == 2:
            try:
                _write(self.memory_dir / "cgroup.kill", 1)
            except OSError:
                pass
        deadline = time.monotonic() + seconds
        while (pids := self.pids()) and time.monotonic() < deadline:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)

    def remove(self) -> None:
        """Kill what is left and delete the group(s), adding its CPU time to :func:`finished_cpu_seconds`."""
        self.kill_all()
        spent = self.cpu_seconds()
        if spent:
            with _finished_lock:
                _finished["cpu_seconds"] += spent
        for directory in self.dirs:
            for _ in range(50):
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)  # the last exiting tasks are still being reaped


def finished_cpu_seconds() -> float:
    """CPU seconds of every run whose group this process has removed (0 where none is counted):
    with ``resource.getrusage``'s own and children's time, what grading cost this process."""
    with _finished_lock:
        return _finished["cpu_seconds"]


def create(memory_bytes: int, processes: int) -> RunGroup | None:
    """A new cgroup bounding memory (no swap) and task count, or None when none can be made."""
    name = f"course-sandbox-{uuid.uuid4().hex[:12]}"
    made: list[Path] = []
    try:
        parents = _v1_parents()
        if parents is not None and os.access(parents["memory"], os.W_OK) and os.access(parents["pids"], os.W_OK):
            memory, pids = parents["memory"] / name, parents["pids"] / name
            for directory in (memory, pids):
                directory.mkdir()
                made.append(directory)
            accounting = None
            for controller in ("cpu", "cpuacct"):  # optional; the same folder when co-mounted
                folder = parents[controller] / name if controller in parents else None
                if folder is not None and folder not in made and os.access(folder.parent, os.W_OK):
                    folder.mkdir()  # cpu: default cpu.shares, one equal share per run
                    made.append(folder)
                if controller == "cpuacct" and folder is not None and folder in made:
                    accounting = folder
            _write(memory / "memory.limit_in_bytes", memory_bytes)
            if (memory / "memory.memsw.limit_in_bytes").exists():
                _write(memory / "memory.memsw.limit_in_bytes", memory_bytes)
            _write(memory / "memory.oom_control", 0)  # kill on OOM rather than pause
            _write(pids / "pids.max", processes)
            return RunGroup(1, made, memory, pids, accounting)
        parent = _v2_parent()
        if parent is not None and os.access(parent, os.W_OK):
            group = parent / name
            group.mkdir()
            made.append(group)
            _write(group / "memory.max", memory_bytes)
            if (group / "memory.swap.max").exists():
                _write(group / "memory.swap.max", 0)
            _write(group / "pids.max", processes)
            return RunGroup(2, made, group, group)
    except OSError:
        for directory in reversed(made):
            try:
                directory.rmdir()
            except OSError:
                pass
    return None


@functools.lru_cache(maxsize=1)
def unavailable() -> str:
    """Why no per-run cgroup can be made here ("" when one can)."""
    group = create(64 * 2**20, 16)
    if group is not None:
        group.remove()
        return ""
    if os.geteuid() != 0:
        return "not root, and no cgroup delegated to this user"
    return "no writable cgroup v1 memory+pids hierarchies nor a delegated cgroup v2"
