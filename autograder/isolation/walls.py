"""The walls a grading host can put around students' code, and refusing to grade without them.

Why: a grading sandbox that silently weakens is worse than one that refuses. Without
bubblewrap, a student's kernel sees the whole filesystem (``solutions/``, the hidden checks,
the gradebook) and, without a namespace, the network; run by root without bubblewrap it
runs as uid 0. Without a uid of its own (``course grade`` not run as root), every kernel
runs as the TA's user. ``course grade`` therefore refuses on such a host unless the TA
passes ``--accept-weak-sandbox``; the walls actually in force are then listed in the
report and on each feedback page (``Sandbox.describe``).

Memory without cgroups: the fallback bound is ``RLIMIT_AS`` of each process, and
TensorFlow reserves far more address space than it touches (glibc's malloc arenas, one
per thread up to eight per core, and thread stacks). Measured on the 2-core CPU,
2026-12-07 (``python`` importing TensorFlow and fitting a small CNN, ``/proc/self/status``):
resident peak 0.71 GiB, address-space peak 2.10 GiB, or 1.24 GiB with
``MALLOC_ARENA_MAX=2``; a week-0 solution graded as a non-root user failed with "out of
memory" at a 2 GiB address-space bound and passed at 3 GiB. So without a cgroup the
kernel gets ``MALLOC_ARENA_MAX=2`` and an address-space bound of the memory bound plus
:data:`ADDRESS_SPACE_ALLOWANCE` plus :data:`PER_CPU_ALLOWANCE` per core (thread stacks
grow with the core count): room for reservations, not for resident memory.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

from autograder.isolation import cgroups

GiB = 1024**3
MiB = 1024**2
ADDRESS_SPACE_ALLOWANCE = 2 * GiB   # reserved but untouched: 1.24 - 0.71 GiB measured, with headroom
PER_CPU_ALLOWANCE = 128 * MiB       # TensorFlow's thread pools: a few 8 MiB stacks per core
MALLOC_ARENAS = "2"                 # glibc's MALLOC_ARENA_MAX for kernels bounded by RLIMIT_AS
ACCEPT_FLAG = "--accept-weak-sandbox"
ACCEPT_HELP = ("grade even without bubblewrap or a uid per run (students' code can then read the course's "
               "files); the report and feedback say so")
MODE_ENV = "COURSE_SANDBOX"  # force "bwrap" | "unshare" | "none" (tests, odd hosts)
MODES = ("bwrap", "unshare", "none")


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


def address_space_bound(memory_bytes: int, cpus: int | None = None) -> int:
    """The ``RLIMIT_AS`` standing in for a real-memory bound of ``memory_bytes`` (no cgroup)."""
    cpus = cpus or os.cpu_count() or 1
    return memory_bytes + ADDRESS_SPACE_ALLOWANCE + cpus * PER_CPU_ALLOWANCE


@dataclass(frozen=True)
class Walls:
    """What this host can enforce around a student's kernel.

    mode: the sandbox's isolation mode (``bwrap``, ``unshare`` or ``none``).
    own_uid: each run gets a uid of its own (root with ``setpriv``, in bwrap mode).
    cgroup: real memory and tasks bounded per run (else: ``RLIMIT_AS``, see above).
    cgroup_reason: why not, when not.
    """

    mode: str
    own_uid: bool
    cgroup: bool
    cgroup_reason: str | None = None

    def missing(self) -> list[str]:
        """Each wall ``course grade`` refuses to go without, as a sentence saying what to do."""
        problems = []
        if self.mode != "bwrap":
            root = " as root (uid 0)" if os.geteuid() == 0 else ""
            problems.append(f"bubblewrap is not usable here, so students' code would run{root} with the "
                            "course repository (solutions/, the hidden checks, the gradebook) readable: "
                            "install it (apt install bubblewrap)")
        elif not self.own_uid:
            problems.append("each kernel would run as your own user, not a uid of its own: run course grade "
                            "as root (with setpriv, from util-linux)")
        return problems

    def notes(self) -> list[str]:
        """What is weaker than the full walls but not refused (said in the report)."""
        if self.cgroup:
            return []
        return [f"no cgroup ({self.cgroup_reason or 'not available'}): memory bounded per process by "
                f"address space (the memory bound plus {ADDRESS_SPACE_ALLOWANCE // GiB} GiB plus "
                f"{PER_CPU_ALLOWANCE // MiB} MiB per core for reservations)"]


def assess(mode: str | None = None) -> Walls:
    """The walls this host can put up now (in isolation ``mode``, default the strongest here)."""
    mode = mode or isolation_mode()
    own_uid = mode == "bwrap" and os.geteuid() == 0 and shutil.which("setpriv") is not None
    reason = cgroups.unavailable()
    return Walls(mode=mode, own_uid=own_uid, cgroup=not reason, cgroup_reason=reason or None)


def refusal(walls: Walls, command: str = "course grade") -> str | None:
    """The one-line refusal for a host without walls, or None when grading may go on."""
    missing = walls.missing()
    if not missing:
        return None
    return (f"{command}: refusing to grade without walls: {'; '.join(missing)}. To grade anyway, knowing "
            f"that students' code can read what it should not, add {ACCEPT_FLAG}; the report and every "
            "feedback page will then say which walls were missing.")


def refused(accepted: bool) -> bool:
    """Print to stderr why ``course grade`` will not grade on this host and return True; with
    ``accepted`` (the TA's explicit flag), print each missing wall as a warning and return False."""
    assessed = assess()
    if not accepted:
        message = refusal(assessed)
        if message:
            print(message, file=sys.stderr)
        return message is not None
    for missing in assessed.missing():
        print(f"warning: grading without walls ({ACCEPT_FLAG}): {missing}", file=sys.stderr)
    return False
