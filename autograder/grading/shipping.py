"""A student's submission folder as bytes, so that a grading worker needs no shared file system.

Why: ``course grade --scheduler tcp://HOST:PORT`` sends each submission to a Dask worker that
may sit on another machine. The parent packs the folder (:func:`pack`) into an uncompressed tar
held in memory, the job carries it, and the worker unpacks it (:func:`unpack`) into its own
private temporary folder and grades that copy exactly as the local pool grades the original.

Rules, both sides, because the folder is the student's and the archive crosses a network:

- links are never followed: a symbolic link is packed as a link (its target is only a string)
  and recreated as one, after every file, so nothing is ever written through it; the grader
  then treats it as it treats a link in the original folder (not copied, a note says so);
- only folders, plain files and links are packed (a FIFO or device is left out: the grader
  never copies one either); ``__pycache__`` and ``.ipynb_checkpoints`` are left out too, as
  the grader's copy and :func:`autograder.grading.resume.fingerprint` leave them out;
- the folder is refused above :data:`DEFAULT_MAX_BYTES` of file content (``COURSE_MAX_SUBMISSION_MB``
  changes it) or :data:`MAX_ENTRIES` entries, with a one-line reason (:class:`SubmissionTooLarge`);
- unpacking accepts only relative, normalised member names inside the target, only the three
  kinds above, at most the size bound, and only bytes whose SHA-256 is the one the parent
  computed while packing (so a damaged transfer is never graded).
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

DEFAULT_MAX_BYTES = 200 * 2**20
# Entries a folder may hold: an honest student may ship many small files (tests/test_attacks_isolation.py
# ships 25,000); 100,000 tar headers are about 50 MB, inside the byte bound.
MAX_ENTRIES = 100_000
MAX_SIZE_ENV = "COURSE_MAX_SUBMISSION_MB"
_IGNORED = {"__pycache__", ".ipynb_checkpoints"}  # the same as autograder.grading.resume's
_CHUNK = 1 << 20


class SubmissionTooLarge(ValueError):
    """The folder is over what one grading job may carry; the message is the student's reason."""


class UnsafeArchive(ValueError):
    """An archive that is not one :func:`pack` writes (a path outside, a device, a size lie)."""


@dataclass(frozen=True)
class Packed:
    """A packed folder: the tar bytes, the folder's fingerprint (as resume.fingerprint computes it,
    for the gradebook), the bytes' own SHA-256 (checked before unpacking) and what it holds."""

    data: bytes
    fingerprint: str
    checksum: str
    files: int
    file_bytes: int


def max_bytes() -> int:
    """The size bound of one submission's files: ``COURSE_MAX_SUBMISSION_MB`` or 200 MiB."""
    value = os.environ.get(MAX_SIZE_ENV, "").strip()
    if not value:
        return DEFAULT_MAX_BYTES
    try:
        megabytes = float(value)
    except ValueError:
        raise ValueError(f"{MAX_SIZE_ENV}={value!r} is not a number of megabytes (for example 200).") from None
    if megabytes <= 0:
        raise ValueError(f"{MAX_SIZE_ENV} must be above 0, got {value}.")
    return int(megabytes * 2**20)


def _too_large(total: int, limit: int, entries: int) -> SubmissionTooLarge:
    if entries > MAX_ENTRIES:
        return SubmissionTooLarge(f"The submission folder holds more than {MAX_ENTRIES} files and folders, more "
                                  "than a grading job carries; remove what the notebook does not need and resubmit.")
    return SubmissionTooLarge(f"The submission folder holds over {total / 2**20:.0f} MiB of files, over the "
                              f"{limit / 2**20:.0f} MiB a grading job carries; remove large files (data sets, "
                              "checkpoints) the notebook does not need and resubmit.")


def _walk(folder: Path):
    """Yield ``(relative posix name, path, lstat)`` in resume.fingerprint's order, links not followed."""
    for directory, subdirectories, files in os.walk(folder, followlinks=False):
        subdirectories[:] = sorted(d for d in subdirectories if d not in _IGNORED)
        base = Path(directory)
        if base != folder:
            yield base.relative_to(folder).as_posix(), base, os.lstat(base)
        for name in sorted(files):
            path = base / name
            yield path.relative_to(folder).as_posix(), path, os.lstat(path)
        for name in subdirectories:  # links to folders: os.walk lists them here, never enters them
            path = base / name
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                yield path.relative_to(folder).as_posix() + "/", path, info


def check_size(folder: Path, limit: int | None = None) -> None:
    """Raise :class:`SubmissionTooLarge` when ``folder`` is over the bound (no file is read)."""
    limit = max_bytes() if limit is None else limit
    total = entries = 0
    for _, _, info in _walk(Path(folder)):
        entries += 1
        if stat.S_ISREG(info.st_mode):
            total += info.st_size
        if total > limit or entries > MAX_ENTRIES:
            raise _too_large(total, limit, entries)


def pack(folder: Path, limit: int | None = None) -> Packed:
    """The folder as an uncompressed tar in memory, with its fingerprint; refuses over the bound."""
    folder, limit = Path(folder), max_bytes() if limit is None else limit
    digest = hashlib.sha256()
    buffer = io.BytesIO()
    total = entries = files = 0
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, path, info in _walk(folder):
            entries += 1
            if entries > MAX_ENTRIES:
                raise _too_large(total, limit, entries)
            folder_link = name.endswith("/")  # resume.fingerprint does not hash a link to a folder
            name = name.rstrip("/")
            member = tarfile.TarInfo(name)
            member.mtime = int(info.st_mtime)
            if stat.S_ISLNK(info.st_mode):
                target = os.readlink(path)
                member.type, member.linkname = tarfile.SYMTYPE, target
                archive.addfile(member)
                if not folder_link:
                    digest.update(f"link {name} -> {target}\n".encode("utf-8", "surrogateescape"))
            elif stat.S_ISDIR(info.st_mode):
                member.type, member.mode = tarfile.DIRTYPE, 0o755
                archive.addfile(member)
            elif stat.S_ISREG(info.st_mode):
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
                with os.fdopen(fd, "rb") as stream:
                    data = stream.read(limit - total + 1)
                total += len(data)
                if total > limit:
                    raise _too_large(total, limit, entries)
                member.size, member.mode = len(data), 0o644
                archive.addfile(member, io.BytesIO(data))
                digest.update(f"file {name} {len(data)}\n".encode("utf-8", "surrogateescape") + data)
                files += 1
    data = buffer.getvalue()
    return Packed(data, digest.hexdigest(), hashlib.sha256(data).hexdigest(), files, total)


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if (not name or "\0" in name or path.is_absolute() or any(part in ("", ".", "..") for part in name.split("/"))
            or str(path) != name):
        raise UnsafeArchive(f"the submission archive holds an unsafe path {name[:80]!r}.")
    return path


def unpack(data: bytes, target: Path, checksum: str, limit: int | None = None) -> Path:
    """Unpack :func:`pack`'s bytes into the new folder ``target``; returns it.

    Refuses (UnsafeArchive) bytes whose SHA-256 is not ``checksum``, a member outside ``target``,
    a kind other than folder, file or link, or more content than ``limit``.
    """
    if hashlib.sha256(data).hexdigest() != checksum:
        raise UnsafeArchive("the submission archive does not match what was packed (damaged in transfer).")
    limit = max_bytes() if limit is None else limit
    target = Path(target)
    target.mkdir(mode=0o700)
    made = {PurePosixPath(".")}   # folders this unpacking created: the only parents written into
    links = []
    total = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        for index, member in enumerate(archive):
            if index >= MAX_ENTRIES:
                raise UnsafeArchive("the submission archive holds too many entries.")
            name = _safe_name(member.name)
            if name.parent not in made:
                raise UnsafeArchive(f"the submission archive puts {member.name[:80]!r} in a folder it did not make.")
            path = target / name
            if member.issym():
                links.append((path, member.linkname))
            elif member.isdir():
                path.mkdir(mode=0o755)
                made.add(name)
            elif member.isreg():
                total += member.size
                if total > limit:
                    raise UnsafeArchive("the submission archive holds more than the size bound.")
                source = archive.extractfile(member)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
                with os.fdopen(fd, "wb") as stream:
                    while chunk := source.read(_CHUNK):
                        stream.write(chunk)
            else:
                raise UnsafeArchive(f"the submission archive holds {member.name[:80]!r}, neither a file, "
                                    "a folder nor a link.")
    for path, link_target in links:  # last: no file or folder is ever created through a link
        os.symlink(link_target, path)
    return target
