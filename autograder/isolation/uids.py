"""A uid of its own for each sandboxed run, from a reserved range (none in /etc/passwd).

Why: when every sandbox ran as ``nobody``, a per-user bound (``RLIMIT_NPROC``)
was shared by every submission graded at once, so one fork loop zeroed its
classmates, and any process could signal another's. A slot is held by an
``flock`` on a file in a root-only folder for as long as the run lasts, so two
runs, even in different worker processes, never hold the same uid at once; a
crashed worker's lock goes with it.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

UID_BASE, UID_SLOTS = 210_000, 4096


class UidSlot:
    """A uid of its own for one run: slot ``n`` of :data:`UID_BASE` + n, held by an flock.

    The lock lives as long as this object (or the process): two runs, even in
    different worker processes, never hold the same uid at once.
    """

    def __init__(self) -> None:
        folder = Path(tempfile.gettempdir()) / "course-sandbox-uids"
        folder.mkdir(mode=0o700, exist_ok=True)
        for slot in range(UID_SLOTS):
            descriptor = os.open(folder / f"{slot}.lock", os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(descriptor)
                continue
            self.uid, self._descriptor = UID_BASE + slot, descriptor
            return
        raise RuntimeError(f"all {UID_SLOTS} sandbox uids are in use")

    def release(self) -> None:
        if self._descriptor >= 0:
            os.close(self._descriptor)
            self._descriptor = -1
