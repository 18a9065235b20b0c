"""The folder a sandboxed notebook may write to, with its size bound kept by the kernel.

Why: a bound checked by polling every few seconds let 6 GiB be allocated at once
against a 2 GiB bound, and counted the files a student *shipped* as output
written (a submission with 25,000 files was zeroed as if it had made them).
Where the grader is root, the folder is a tmpfs of its own, mounted at a short
host path, sized in two steps:

1. :meth:`WorkFolder.create` mounts it large enough for any accepted submission;
2. the caller copies the submission in, then :meth:`WorkFolder.seal` remounts it
   to *what it now holds* plus ``limits.disk_bytes`` and ``limits.disk_entries``:
   the student's code can write that much more and no more (``ENOSPC``).

Elsewhere (not root, mount refused) it is a plain folder, watched by polling
against the same baseline (:meth:`over_bound`), and :attr:`enforced` says which.
Mounts are private to the grader: :func:`release_mounts_under` lets a parent
clean up after a worker that died holding one.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

_MNT_DETACH = 2


def usage(folder: Path) -> tuple[int, int]:
    """(bytes in blocks, entries) under ``folder``, not following links."""
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
        except OSError:
            continue
    return total, entries


def _mount_tmpfs(path: Path, size: int, inodes: int, remount: bool = False) -> bool:
    options = f"size={max(size, 1 << 20)},nr_inodes={max(inodes, 64)},mode=0755"
    command = ["mount", "-t", "tmpfs", "-o", ("remount," if remount else "") + options, "tmpfs", str(path)]
    try:
        return subprocess.run(command, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _unmount(path: str) -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    if libc.umount2(path.encode(), _MNT_DETACH) != 0:
        subprocess.run(["umount", "-l", path], capture_output=True, timeout=30)


class WorkFolder:
    """A work folder under a byte and entry bound (see module doc).

    path: the host folder (short, so that Unix socket paths inside stay < 108 bytes).
    """

    def __init__(self, max_bytes: int, max_entries: int, *, parent: str | None = None) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="cgw-", dir=parent or "/tmp"))
        self.max_bytes, self.max_entries = max_bytes, max_entries
        self.baseline = (0, 0)
        self.enforced = os.geteuid() == 0 and _mount_tmpfs(self.path, 1 << 40, 1 << 22)

    def seal(self, extra_bytes: int, extra_entries: int) -> None:
        """Bound the folder to what it holds now plus ``extra_bytes`` / ``extra_entries``."""
        self.baseline = usage(self.path)
        self.max_bytes = self.baseline[0] + extra_bytes
        self.max_entries = self.baseline[1] + extra_entries
        if self.enforced:
            # tmpfs counts the root inode too; a little slack for the kernel's own blocks.
            self.enforced = _mount_tmpfs(self.path, self.max_bytes + (1 << 20), self.max_entries + 8,
                                         remount=True)

    def over_bound(self) -> bool:
        """True when the folder holds more than its bound (polling fallback, and after a run)."""
        used, entries = usage(self.path)
        return used > self.max_bytes or entries > self.max_entries

    def full(self) -> bool:
        """True when a kernel-enforced folder is (nearly) full: writes were refused."""
        if not self.enforced:
            return self.over_bound()
        info = os.statvfs(self.path)
        return info.f_bavail * info.f_frsize < (1 << 20) or info.f_favail <= 4

    def describe(self) -> str:
        how = "a tmpfs of its own (bound kept by the kernel)" if self.enforced else \
            "a plain folder (bound checked every 2 s: no tmpfs could be mounted)"
        return (f"work folder: {how}, {(self.max_bytes - self.baseline[0]) / 2**20:.0f} MiB and "
                f"{self.max_entries - self.baseline[1]} files beyond what was submitted")

    def close(self) -> None:
        if self.enforced or os.path.ismount(self.path):
            _unmount(str(self.path))
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> "WorkFolder":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def release_mounts_under(root: Path) -> None:
    """Unmount every mount below ``root`` (left by a worker that died mid-run)."""
    prefix = str(Path(root).resolve()).rstrip("/") + "/"
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return
    points = [line.split()[4] for line in lines if line.split()[4].startswith(prefix)]
    for point in sorted(points, key=len, reverse=True):
        _unmount(point)


def hand_over(folder: Path, uid: int) -> None:
    """Make ``folder`` (and everything in it) owned by the sandbox user."""
    os.chown(folder, uid, uid)
    for base, dirs, files in os.walk(folder):
        for name in dirs + files:
            os.chown(os.path.join(base, name), uid, uid, follow_symlinks=False)
